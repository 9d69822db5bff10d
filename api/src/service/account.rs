//! Accounts and sessions: creating users, logging in, rotating refresh tokens, and the one
//! authorisation check every mutation makes. The API and the CLI share these rules.

use crate::auth::jwt::JwtKeys;
use crate::auth::password::{self, HashError, MAX_PASSWORD_BYTES, MIN_PASSWORD_BYTES};
use crate::auth::throttle::LoginThrottle;
use crate::auth::{ClientInfo, Viewer};
use crate::service::error::{ServiceError, code};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use entity::{Role, refresh_token, user};
use rand::RngCore;
use rand::rngs::OsRng;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
    SqlErr, SqliteTransactionMode, TransactionOptions, TransactionSession, TransactionTrait,
};
use sha2::{Digest, Sha256};

/// How long a refresh token lives.
pub const REFRESH_TOKEN_TTL: chrono::Duration = chrono::Duration::days(30);
/// Shortest and longest username.
pub const USERNAME_CHARS: std::ops::RangeInclusive<usize> = 3..=64;

/// Why an account operation did not happen. Each variant has a public `code`.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// `INVALID_USERNAME`.
    #[error("usernames are 3 to 64 characters: letters, digits, `_`, `.` and `-`")]
    InvalidUsername,
    /// `USERNAME_TAKEN`.
    #[error("that username is taken")]
    UsernameTaken,
    /// `PASSWORD_TOO_SHORT`.
    #[error("passwords must be at least {MIN_PASSWORD_BYTES} bytes long")]
    PasswordTooShort,
    /// `PASSWORD_TOO_LONG`: refused, never truncated.
    #[error("passwords must be at most {MAX_PASSWORD_BYTES} bytes long")]
    PasswordTooLong,
    /// `INVALID_CREDENTIALS`: the same whether the account exists, is disabled, or the password
    /// is wrong.
    #[error("invalid username or password")]
    InvalidCredentials,
    /// `RATE_LIMITED`: refused without checking the password.
    #[error("too many password attempts; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// `RATE_LIMITED`: a request asked for more password checks than one request may make
    /// (aliased `login` fields); refused without checking.
    #[error("one request may check one password: send each attempt on its own")]
    TooManyChecksInRequest,
    /// `INVALID_REFRESH_TOKEN`: unknown, expired, revoked or reused.
    #[error("the refresh token is not valid; log in again")]
    InvalidRefreshToken,
    /// GraphQL `UNAUTHENTICATED`.
    #[error("authentication required")]
    Unauthenticated,
    /// GraphQL `FORBIDDEN`.
    #[error("{0}")]
    Forbidden(String),
    /// `NOT_FOUND`.
    #[error("no such user")]
    UserNotFound,
    /// Internal.
    #[error("database error")]
    Db(#[from] sea_orm::DbErr),
    /// Internal.
    #[error(transparent)]
    Hash(#[from] HashError),
    /// Internal.
    #[error("cannot sign a token")]
    Token(#[from] jsonwebtoken::errors::Error),
}

impl ServiceError for AccountError {
    fn code(&self) -> &'static str {
        match self {
            Self::InvalidUsername => "INVALID_USERNAME",
            Self::UsernameTaken => "USERNAME_TAKEN",
            Self::PasswordTooShort => "PASSWORD_TOO_SHORT",
            Self::PasswordTooLong => "PASSWORD_TOO_LONG",
            Self::InvalidCredentials => "INVALID_CREDENTIALS",
            Self::RateLimited { .. } | Self::TooManyChecksInRequest => "RATE_LIMITED",
            Self::InvalidRefreshToken => "INVALID_REFRESH_TOKEN",
            Self::Unauthenticated => code::UNAUTHENTICATED,
            Self::Forbidden(_) => code::FORBIDDEN,
            Self::UserNotFound => code::NOT_FOUND,
            Self::Db(err) => err.code(),
            Self::Hash(_) | Self::Token(_) => code::INTERNAL,
        }
    }
}

/// A logged-in session: tokens and the account.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: user::Model,
    pub access_token: String,
    pub refresh_token: String,
    pub expires_at: DateTime<Utc>,
}

/// Checks a username against the rules; returns its case-insensitive key.
pub fn username_key(username: &str) -> Result<String, AccountError> {
    let ok = USERNAME_CHARS.contains(&username.chars().count())
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok {
        Ok(username.to_ascii_lowercase())
    } else {
        Err(AccountError::InvalidUsername)
    }
}

/// Checks a new password's length (bytes): too short or too long is refused.
pub fn check_password(password: &str) -> Result<(), AccountError> {
    if password.len() < MIN_PASSWORD_BYTES {
        Err(AccountError::PasswordTooShort)
    } else if password.len() > MAX_PASSWORD_BYTES {
        Err(AccountError::PasswordTooLong)
    } else {
        Ok(())
    }
}

/// Creates an active account.
#[tracing::instrument(skip(db, password))]
pub async fn create_user(
    db: &impl ConnectionTrait,
    username: &str,
    password: &str,
    role: Role,
) -> Result<user::Model, AccountError> {
    let key = username_key(username)?;
    check_password(password)?;
    if user::Entity::find()
        .filter(user::Column::UsernameKey.eq(&key))
        .one(db)
        .await?
        .is_some()
    {
        return Err(AccountError::UsernameTaken);
    }
    let hash = password::hash(password.to_owned()).await?;
    let now = Utc::now();
    let model = user::ActiveModel {
        username: Set(username.to_owned()),
        username_key: Set(key),
        password_hash: Set(hash),
        role: Set(role),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    match model.insert(db).await {
        Ok(user) => {
            tracing::info!(user_id = user.id, "account created");
            Ok(user)
        }
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(AccountError::UsernameTaken)
        }
        Err(err) => Err(err.into()),
    }
}

/// Enables or disables an account; disabling revokes every refresh token it holds.
pub async fn set_active(
    db: &impl ConnectionTrait,
    user_id: i64,
    active: bool,
) -> Result<user::Model, AccountError> {
    let user = update_account(db, user_id, |model| model.active = Set(active)).await?;
    if !active {
        revoke_all(db, user_id).await?;
    }
    Ok(user)
}

/// Changes an account's role; its refresh tokens are revoked so it logs in again.
pub async fn set_role(
    db: &impl ConnectionTrait,
    user_id: i64,
    role: Role,
) -> Result<user::Model, AccountError> {
    let user = update_account(db, user_id, |model| model.role = Set(role)).await?;
    revoke_all(db, user_id).await?;
    Ok(user)
}

/// Applies `change` to an existing account, stamping `updated_at`.
async fn update_account(
    db: &impl ConnectionTrait,
    user_id: i64,
    change: impl FnOnce(&mut user::ActiveModel),
) -> Result<user::Model, AccountError> {
    let user = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(AccountError::UserNotFound)?;
    let mut model: user::ActiveModel = user.into();
    change(&mut model);
    model.updated_at = Set(Utc::now());
    Ok(model.update(db).await?)
}

/// The account behind a request, re-loaded from the database: refused when there is no
/// viewer, the account is gone or disabled, or its role changed since the token was issued
/// (`UNAUTHENTICATED`), or when it lacks `required` (`FORBIDDEN`).
pub async fn authorize(
    db: &impl ConnectionTrait,
    viewer: Option<&Viewer>,
    required: Role,
) -> Result<user::Model, AccountError> {
    let viewer = viewer.ok_or(AccountError::Unauthenticated)?;
    let user = user::Entity::find_by_id(viewer.user_id)
        .one(db)
        .await?
        .filter(|u| u.active && u.role == viewer.role)
        .ok_or(AccountError::Unauthenticated)?;
    if required == Role::Admin && user.role != Role::Admin {
        return Err(AccountError::Forbidden(
            "only admins may do this".to_owned(),
        ));
    }
    Ok(user)
}

/// Whether `viewer` (re-loaded from the database; `None` when anonymous) may see accounts (their
/// usernames, roles and whether they are active): staff (any active editor or admin) may,
/// anonymous readers may not. Every path that shows a `User` asks this: the public sees what
/// changed and when, never who proposed or reviewed it.
pub fn can_see_users(viewer: Option<&user::Model>) -> bool {
    viewer.is_some_and(|v| v.active)
}

/// Logs in: checks the password (the same work and answer whether or not the account
/// exists), counts the attempt, and opens a new session.
#[tracing::instrument(skip(db, keys, throttle, password), fields(ip = ?client.ip))]
pub async fn login(
    db: &impl ConnectionTrait,
    keys: &JwtKeys,
    throttle: &LoginThrottle,
    client: &ClientInfo,
    username: &str,
    password: &str,
) -> Result<Session, AccountError> {
    // Names that break the rules cannot exist: they share one throttle entry, so a flood of
    // long or odd names cannot grow the throttle's memory.
    let key = username_key(username).unwrap_or_else(|_| "(invalid)".to_owned());
    admit(throttle, &key, client)?;
    let user = user::Entity::find()
        .filter(user::Column::UsernameKey.eq(&key))
        .one(db)
        .await?;
    let matches = if password.len() > MAX_PASSWORD_BYTES {
        false
    } else {
        match &user {
            Some(user) => {
                password::verify(password.to_owned(), user.password_hash.clone()).await?
                    && user.active
            }
            None => password::verify_dummy(password.to_owned()).await?,
        }
    };
    let user = match user {
        Some(user) if matches => user,
        _ => {
            throttle.failed(&key, client.ip);
            tracing::warn!(user_id = user.as_ref().map(|u| u.id), "login failed");
            return Err(AccountError::InvalidCredentials);
        }
    };
    throttle.succeeded(&key, client.ip);
    tracing::info!(user_id = user.id, "login succeeded");
    let user = if password::needs_rehash(&user.password_hash) {
        let hash = password::hash(password.to_owned()).await?;
        let mut model: user::ActiveModel = user.into();
        model.password_hash = Set(hash);
        model.updated_at = Set(Utc::now());
        let user = model.update(db).await?;
        tracing::info!(
            user_id = user.id,
            "password re-hashed with the current settings"
        );
        user
    } else {
        user
    };
    open_session(db, keys, user, new_family()).await
}

/// Counts a password check on `key` from the client, refusing it when throttled.
fn admit(throttle: &LoginThrottle, key: &str, client: &ClientInfo) -> Result<(), AccountError> {
    throttle.admit(key, client.ip).map_err(|refused| {
        tracing::warn!(ip = ?client.ip, "password check refused: rate limited");
        AccountError::RateLimited {
            retry_after_secs: refused.retry_after_secs(),
        }
    })
}

/// Exchanges a refresh token for a new session, rotating it. A token used twice (or revoked)
/// revokes its whole family: someone else may hold a copy.
///
/// Claiming the token, checking its family and issuing the next one happen in one transaction
/// that holds the token's row (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE`
/// serialises writers). Of two concurrent uses one waits for the other, sees the token used, and
/// revokes the family, including the token the first one just issued.
pub async fn refresh<C>(db: &C, keys: &JwtKeys, token: &str) -> Result<Session, AccountError>
where
    C: TransactionTrait,
{
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?;
    let outcome = rotate(&txn, keys, token).await;
    // A refused token still commits: its family's revocation must stick.
    txn.commit().await?;
    outcome
}

async fn rotate(
    txn: &impl ConnectionTrait,
    keys: &JwtKeys,
    token: &str,
) -> Result<Session, AccountError> {
    let Some(stored) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash_token(token)))
        .lock_exclusive()
        .one(txn)
        .await?
    else {
        return Err(AccountError::InvalidRefreshToken);
    };
    let now = Utc::now();
    if stored.used_at.is_some() || stored.revoked_at.is_some() {
        tracing::warn!(
            user_id = stored.user_id,
            "refresh token reused: revoking its family"
        );
        revoke_family(txn, &stored.family_id).await?;
        return Err(AccountError::InvalidRefreshToken);
    }
    if stored.expires_at <= now {
        return Err(AccountError::InvalidRefreshToken);
    }
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(stored.id))
        .exec(txn)
        .await?;
    let user = user::Entity::find_by_id(stored.user_id)
        .one(txn)
        .await?
        .filter(|u| u.active);
    let Some(user) = user else {
        revoke_family(txn, &stored.family_id).await?;
        return Err(AccountError::InvalidRefreshToken);
    };
    open_session(txn, keys, user, stored.family_id).await
}

/// Ends the session a refresh token belongs to. Unknown tokens are ignored.
pub async fn logout(db: &impl ConnectionTrait, token: &str) -> Result<(), AccountError> {
    if let Some(stored) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash_token(token)))
        .one(db)
        .await?
    {
        revoke_family(db, &stored.family_id).await?;
    }
    Ok(())
}

/// Changes the viewer's password after checking the current one; every session ends. The new
/// password is judged first, so the answer never depends on whether the current one was right;
/// the check of the current one is throttled like `login`.
#[tracing::instrument(skip(db, throttle, user, current, new), fields(user_id = user.id, ip = ?client.ip))]
pub async fn change_password(
    db: &impl ConnectionTrait,
    throttle: &LoginThrottle,
    client: &ClientInfo,
    user: &user::Model,
    current: &str,
    new: &str,
) -> Result<(), AccountError> {
    check_password(new)?;
    admit(throttle, &user.username_key, client)?;
    if current.len() > MAX_PASSWORD_BYTES
        || !password::verify(current.to_owned(), user.password_hash.clone()).await?
    {
        throttle.failed(&user.username_key, client.ip);
        tracing::warn!("password change refused: wrong current password");
        return Err(AccountError::InvalidCredentials);
    }
    throttle.succeeded(&user.username_key, client.ip);
    let hash = password::hash(new.to_owned()).await?;
    let mut model: user::ActiveModel = user.clone().into();
    model.password_hash = Set(hash);
    model.updated_at = Set(Utc::now());
    model.update(db).await?;
    revoke_all(db, user.id).await?;
    tracing::info!("password changed");
    Ok(())
}

async fn open_session(
    db: &impl ConnectionTrait,
    keys: &JwtKeys,
    user: user::Model,
    family_id: String,
) -> Result<Session, AccountError> {
    let mut random = [0u8; 32];
    OsRng.fill_bytes(&mut random);
    let refresh = URL_SAFE_NO_PAD.encode(random);
    let now = Utc::now();
    refresh_token::ActiveModel {
        user_id: Set(user.id),
        token_hash: Set(hash_token(&refresh)),
        family_id: Set(family_id),
        expires_at: Set(now + REFRESH_TOKEN_TTL),
        used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let (access_token, expires_at) = keys.issue(user.id, user.role)?;
    Ok(Session {
        user,
        access_token,
        refresh_token: refresh,
        expires_at,
    })
}

fn new_family() -> String {
    let mut random = [0u8; 16];
    OsRng.fill_bytes(&mut random);
    hex::encode(random)
}

/// SHA-256 of a refresh token, hex: all the database ever holds.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

async fn revoke_family(db: &impl ConnectionTrait, family_id: &str) -> Result<(), AccountError> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes every refresh token of a user.
pub async fn revoke_all(db: &impl ConnectionTrait, user_id: i64) -> Result<(), AccountError> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// The account with this username (case-insensitive), if any.
pub async fn find_by_username(
    db: &impl ConnectionTrait,
    username: &str,
) -> Result<Option<user::Model>, AccountError> {
    let key = username.trim().to_lowercase();
    Ok(user::Entity::find()
        .filter(user::Column::UsernameKey.eq(key))
        .one(db)
        .await?)
}

/// Every account, by username.
pub async fn list_users(db: &impl ConnectionTrait) -> Result<Vec<user::Model>, AccountError> {
    use sea_orm::QueryOrder;
    Ok(user::Entity::find()
        .order_by_asc(user::Column::UsernameKey)
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_the_rules() {
        assert_eq!(username_key("Ann.Lee-2_").unwrap(), "ann.lee-2_");
        assert!(username_key("ab").is_err());
        assert!(username_key("has space").is_err());
        assert!(username_key(&"x".repeat(65)).is_err());
        assert!(check_password(&"p".repeat(14)).is_err());
        assert!(check_password(&"p".repeat(15)).is_ok());
        assert!(check_password(&"p".repeat(1025)).is_err());
    }
}
