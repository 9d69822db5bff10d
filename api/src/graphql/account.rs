//! Accounts: logging in and out, refreshing tokens, changing one's password, `me`.

use super::context::{self, auth, db, password_check_allowed, viewer};
use super::enums::Role;
use super::ids;
use super::loaders::Loaders;
use super::user_error::UserError;
use crate::auth::ClientInfo;
use crate::error::ApiResult;
use crate::service::account::{self, AccountError, Session};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::user;

/// An editor's or admin's account.
pub struct User(pub user::Model);

#[Object]
impl User {
    /// Global id.
    async fn id(&self) -> ID {
        ids::encode("User", self.0.id)
    }

    /// The name the account logs in with, as it was registered.
    async fn username(&self) -> &str {
        &self.0.username
    }

    /// What the account may do.
    async fn role(&self) -> Role {
        self.0.role.into()
    }

    /// Whether the account may log in.
    async fn active(&self) -> bool {
        self.0.active
    }
}

/// The account `id`, if the viewer may see accounts (`account::can_see_users`): the one way
/// resolvers reach another account (`Revision.author`, `Revision.actor`, `Edit.author`,
/// `Edit.reviewer`).
pub async fn visible_user(ctx: &Context<'_>, id: i64) -> ApiResult<Option<User>> {
    if !account::can_see_users(context::account(ctx).await?.as_ref()) {
        return Ok(None);
    }
    Ok(Loaders::of(ctx)?.user.load_one(id).await?.map(User))
}

/// Credentials for `login`.
#[derive(InputObject)]
pub struct LoginInput {
    /// The account's username (case-insensitive).
    pub username: String,
    /// The account's password.
    pub password: String,
}

/// A refresh token to exchange for new tokens.
#[derive(InputObject)]
pub struct RefreshTokenInput {
    /// The refresh token from `login` or the last `refreshToken`.
    pub refresh_token: String,
}

/// The session to end.
#[derive(InputObject)]
pub struct LogoutInput {
    /// The session's current refresh token.
    pub refresh_token: String,
}

/// A password change.
#[derive(InputObject)]
pub struct ChangePasswordInput {
    /// The password in use now.
    pub current_password: String,
    /// The new password: 15 to 1024 bytes.
    pub new_password: String,
}

/// The result of `login` or `refreshToken`.
#[derive(SimpleObject, Default)]
pub struct LoginPayload {
    /// A short-lived token to send as `Authorization: Bearer <token>`.
    pub access_token: Option<String>,
    /// A single-use token for `refreshToken`; keep it secret.
    pub refresh_token: Option<String>,
    /// When the access token expires.
    pub expires_at: Option<DateTime<Utc>>,
    /// The account logged in.
    pub user: Option<User>,
    /// Why it failed, if it did.
    pub user_errors: Vec<UserError>,
}

impl LoginPayload {
    fn from_result(result: Result<Session, AccountError>) -> ApiResult<Self> {
        match result {
            Ok(session) => Ok(Self {
                access_token: Some(session.access_token),
                refresh_token: Some(session.refresh_token),
                expires_at: Some(session.expires_at),
                user: Some(User(session.user)),
                user_errors: Vec::new(),
            }),
            Err(err) => Ok(Self {
                user_errors: vec![UserError::from_service(err, None)?],
                ..Self::default()
            }),
        }
    }
}

/// The result of `logout` or `changePassword`.
#[derive(SimpleObject, Default)]
pub struct LogoutPayload {
    /// Whether it worked.
    pub ok: bool,
    /// Why it failed, if it did.
    pub user_errors: Vec<UserError>,
}

/// Queries about accounts.
#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The account the access token belongs to; null when anonymous.
    async fn me(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        let Some(viewer) = viewer(ctx) else {
            return Ok(None);
        };
        let user = account::authorize(db(ctx)?, Some(viewer), entity::Role::Editor).await?;
        Ok(Some(User(user)))
    }
}

/// Mutations about accounts and sessions.
#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Logs in with a username and password. Every attempt counts towards the rate limits
    /// (per address and account, with backoff); one request may check one password.
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The credentials.")] input: LoginInput,
    ) -> ApiResult<LoginPayload> {
        if !password_check_allowed(ctx) {
            return LoginPayload::from_result(Err(AccountError::TooManyChecksInRequest));
        }
        let auth = auth(ctx)?;
        let client = ctx.data_opt::<ClientInfo>().cloned().unwrap_or_default();
        LoginPayload::from_result(
            account::login(
                db(ctx)?,
                &auth.keys,
                &auth.throttle,
                &client,
                &input.username,
                &input.password,
            )
            .await,
        )
    }

    /// Exchanges a refresh token for new tokens. Each refresh token works once: using one
    /// again ends its whole session.
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The refresh token.")] input: RefreshTokenInput,
    ) -> ApiResult<LoginPayload> {
        LoginPayload::from_result(
            account::refresh(db(ctx)?, &auth(ctx)?.keys, &input.refresh_token).await,
        )
    }

    /// Ends the session the refresh token belongs to.
    async fn logout(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session's refresh token.")] input: LogoutInput,
    ) -> ApiResult<LogoutPayload> {
        account::logout(db(ctx)?, &input.refresh_token).await?;
        Ok(LogoutPayload {
            ok: true,
            user_errors: Vec::new(),
        })
    }

    /// Changes the viewer's password; every session of the account ends. The new password is
    /// checked first; the current one is throttled like `login`.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The current and the new password.")] input: ChangePasswordInput,
    ) -> ApiResult<LogoutPayload> {
        let db = db(ctx)?;
        let user = account::authorize(db, viewer(ctx), entity::Role::Editor).await?;
        let result = if password_check_allowed(ctx) {
            let auth = auth(ctx)?;
            let client = ctx.data_opt::<ClientInfo>().cloned().unwrap_or_default();
            account::change_password(
                db,
                &auth.throttle,
                &client,
                &user,
                &input.current_password,
                &input.new_password,
            )
            .await
        } else {
            Err(AccountError::TooManyChecksInRequest)
        };
        match result {
            Ok(()) => Ok(LogoutPayload {
                ok: true,
                user_errors: Vec::new(),
            }),
            Err(err) => {
                let field = match err {
                    AccountError::InvalidCredentials => Some("input.currentPassword"),
                    AccountError::PasswordTooShort | AccountError::PasswordTooLong => {
                        Some("input.newPassword")
                    }
                    _ => None,
                };
                Ok(LogoutPayload {
                    ok: false,
                    user_errors: vec![UserError::from_service(err, field.map(str::to_owned))?],
                })
            }
        }
    }
}
