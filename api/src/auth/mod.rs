//! Authentication: password hashing, access tokens, login throttling, and the viewer a request
//! runs as. Authorisation rules (who may do what) live in `service::account::authorize`.

pub mod jwt;
pub mod password;
pub mod throttle;

use entity::Role;

/// Who sent a request, as its access token says. The token is trusted for reads only: every
/// mutation re-loads the account (`service::account::authorize`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    /// The account's id (`sub`).
    pub user_id: i64,
    /// The role the token was issued for.
    pub role: Role,
    /// When the token expires (Unix seconds): a WebSocket opened with it closes then.
    pub expires_at: i64,
}

/// Where a request came from, for throttling and logs.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    /// The peer's IP address, when known.
    pub ip: Option<std::net::IpAddr>,
}

/// What the authentication resolvers share, built once per process.
#[derive(Debug)]
pub struct AuthState {
    /// Signs and checks access tokens.
    pub keys: jwt::JwtKeys,
    /// Counts login attempts.
    pub throttle: throttle::LoginThrottle,
}
