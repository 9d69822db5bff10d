//! Access tokens: HS256 JWTs with explicit typing (`typ: at+jwt`, RFC 9068), validated
//! strictly (pinned algorithm, required `exp`/`iss`/`aud`/`sub`, no leeway, `nbf` checked).
//! The secret comes from `STINGER_JWT_SECRET` (at least 32 bytes) or is generated once into the
//! data directory with owner-only permissions.

use chrono::{DateTime, Utc};
use entity::Role;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Duration;

/// Issuer of every access token.
pub const ISSUER: &str = "stinger";
/// Audience of every access token.
pub const AUDIENCE: &str = "stinger-graphql";
/// The `typ` header of an access token.
pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";
/// Shortest secret accepted (RFC 7518 §3.2: at least the hash size).
pub const MIN_SECRET_BYTES: usize = 32;
/// Name of the generated secret in the data directory.
pub const SECRET_FILE: &str = "jwt-secret";

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user id, as a string.
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    pub nbf: i64,
    pub iss: String,
    pub aud: String,
    /// A unique id for this token.
    pub jti: String,
    /// The role the token was issued for.
    pub role: Role,
}

/// Why no usable secret could be found.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("STINGER_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes (got {0})")]
    TooShort(usize),
    #[error("cannot read or write the token secret at {path}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// The configured secret, or the one kept in `data_dir` (generated on first start).
pub fn resolve_secret(configured: Option<&str>, data_dir: &Path) -> Result<Vec<u8>, SecretError> {
    if let Some(secret) = configured {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(SecretError::TooShort(secret.len()));
        }
        return Ok(secret.as_bytes().to_vec());
    }
    let path = data_dir.join(SECRET_FILE);
    let io = |source| SecretError::Io {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(existing) => {
            let secret = existing.trim().as_bytes().to_vec();
            if secret.len() < MIN_SECRET_BYTES {
                return Err(SecretError::TooShort(secret.len()));
            }
            Ok(secret)
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(data_dir).map_err(io)?;
            let mut random = [0u8; 48];
            OsRng.fill_bytes(&mut random);
            let secret = hex::encode(random);
            write_private(&path, secret.as_bytes()).map_err(io)?;
            Ok(secret.into_bytes())
        }
        Err(err) => Err(io(err)),
    }
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

/// Signs and checks access tokens.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKeys").field("ttl", &self.ttl).finish()
    }
}

/// A token that cannot be used (the reason is for logs only).
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("invalid access token: {0}")]
    Invalid(#[from] jsonwebtoken::errors::Error),
    #[error("not an access token (typ {0:?})")]
    WrongType(Option<String>),
    #[error("the subject is not a user id")]
    BadSubject,
}

impl JwtKeys {
    /// Keys for `secret`, issuing tokens that live `ttl`.
    pub fn new(secret: &[u8], ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 0;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl,
        }
    }

    /// A new access token for `user_id` in `role`, and when it expires.
    pub fn issue(
        &self,
        user_id: i64,
        role: Role,
    ) -> Result<(String, DateTime<Utc>), jsonwebtoken::errors::Error> {
        let now = Utc::now();
        let expires = now + chrono::Duration::from_std(self.ttl).unwrap_or_default();
        let mut jti = [0u8; 16];
        OsRng.fill_bytes(&mut jti);
        let claims = Claims {
            sub: user_id.to_string(),
            exp: expires.timestamp(),
            iat: now.timestamp(),
            nbf: now.timestamp(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            jti: hex::encode(jti),
            role,
        };
        let mut header = Header::new(Algorithm::HS256);
        header.typ = Some(ACCESS_TOKEN_TYPE.to_owned());
        let token = jsonwebtoken::encode(&header, &claims, &self.encoding)?;
        Ok((token, expires))
    }

    /// The viewer an access token stands for, if it is valid.
    pub fn verify(&self, token: &str) -> Result<super::Viewer, TokenError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)?;
        if data.header.typ.as_deref() != Some(ACCESS_TOKEN_TYPE) {
            return Err(TokenError::WrongType(data.header.typ));
        }
        let user_id = data
            .claims
            .sub
            .parse()
            .map_err(|_| TokenError::BadSubject)?;
        Ok(super::Viewer {
            user_id,
            role: data.claims.role,
            expires_at: data.claims.exp,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_configured_secret_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            resolve_secret(Some("short"), dir.path()),
            Err(SecretError::TooShort(5))
        ));
    }

    #[test]
    fn a_generated_secret_is_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = resolve_secret(None, dir.path()).unwrap();
        let second = resolve_secret(None, dir.path()).unwrap();
        assert!(first.len() >= MIN_SECRET_BYTES);
        assert_eq!(first, second);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(SECRET_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn issued_tokens_verify_and_other_keys_do_not() {
        let keys = JwtKeys::new(&[7u8; 32], Duration::from_secs(60));
        let (token, _) = keys.issue(3, Role::Editor).unwrap();
        assert_eq!(keys.verify(&token).unwrap().user_id, 3);
        let other = JwtKeys::new(&[8u8; 32], Duration::from_secs(60));
        assert!(other.verify(&token).is_err());
    }
}
