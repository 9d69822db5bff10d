//! Password hashing with argon2id (OWASP: m=19456 KiB, t=2, p=1), off the async runtime and
//! behind a semaphore so concurrent logins cannot exhaust memory (19 MiB per hash).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::rngs::OsRng;
use tokio::sync::{OnceCell, Semaphore};

/// Shortest password accepted, in bytes (NIST SP 800-63B without MFA).
pub const MIN_PASSWORD_BYTES: usize = 15;
/// Longest password accepted, in bytes: longer ones are refused, never truncated.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Hashes running at once; more wait for a permit.
static PERMITS: Semaphore = Semaphore::const_new(4);

/// A hash of a random password, verified against when the user does not exist so that a
/// failed login costs the same work either way.
static DUMMY_HASH: OnceCell<String> = OnceCell::const_new();

/// Hashing failed (never a wrong password: that is `Ok(false)`).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Memory (KiB), iterations and lanes of new hashes.
const M_COST: u32 = 19_456;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

fn argon2() -> Result<Argon2<'static>, HashError> {
    let params = Params::new(M_COST, T_COST, P_COST, None).map_err(|e| HashError(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, HashError> + Send + 'static,
) -> Result<T, HashError> {
    let _permit = PERMITS
        .acquire()
        .await
        .map_err(|e| HashError(e.to_string()))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| HashError(e.to_string()))?
}

/// The PHC string of `password` with a fresh salt.
pub async fn hash(password: String) -> Result<String, HashError> {
    blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()?
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| HashError(e.to_string()))
    })
    .await
}

/// Whether `password` matches the PHC string `phc`.
pub async fn verify(password: String, phc: String) -> Result<bool, HashError> {
    blocking(move || {
        let parsed = PasswordHash::new(&phc).map_err(|e| HashError(e.to_string()))?;
        Ok(argon2()?
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
}

/// Whether a stored hash was made with other settings than new hashes get (so a successful
/// login should re-hash the password: the work factor rises as the settings do).
pub fn needs_rehash(phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return true;
    };
    let current = parsed.algorithm == argon2::ARGON2ID_IDENT
        && parsed.version == Some(Version::V0x13 as u32)
        && Params::try_from(&parsed)
            .is_ok_and(|p| p.m_cost() == M_COST && p.t_cost() == T_COST && p.p_cost() == P_COST);
    !current
}

/// Does the work of a verification for an account that does not exist; always `false`.
pub async fn verify_dummy(password: String) -> Result<bool, HashError> {
    let dummy = DUMMY_HASH
        .get_or_try_init(|| async {
            let mut random = [0u8; 32];
            rand::RngCore::fill_bytes(&mut OsRng, &mut random);
            hash(hex::encode(random)).await
        })
        .await?
        .clone();
    verify(password, dummy).await?;
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_with_owasp_parameters_and_salted() {
        let a = hash("correct horse battery staple".to_owned())
            .await
            .unwrap();
        let b = hash("correct horse battery staple".to_owned())
            .await
            .unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b);
        assert!(
            verify("correct horse battery staple".to_owned(), a.clone())
                .await
                .unwrap()
        );
        assert!(
            !verify("wrong horse battery staple".to_owned(), a)
                .await
                .unwrap()
        );
        assert!(
            !verify_dummy("anything at all here".to_owned())
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn only_hashes_with_other_settings_need_a_rehash() {
        let current = hash("correct horse battery staple".to_owned())
            .await
            .unwrap();
        assert!(!needs_rehash(&current));
        let older = current.replace("m=19456,t=2,p=1", "m=4096,t=3,p=1");
        assert!(needs_rehash(&older));
        assert!(needs_rehash(&current.replace("$argon2id$", "$argon2i$")));
        assert!(needs_rehash("not a hash"));
    }
}
