//! Access tokens (short-lived HS256 JWTs with every claim validated) and opaque secrets
//! (refresh tokens, partner client secrets) stored only as SHA-256 hashes.

use std::{path::Path, time::Duration};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Role;
use crate::config::{AppEnv, Config, MIN_JWT_SECRET_BYTES};

pub const ISSUER: &str = "peer-support-api";
pub const AUDIENCE: &str = "peer-support-api";
const LEEWAY_SECS: u64 = 5;

/// What an access token says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub role: Role,
    /// The sign-in session (refresh-token family) it was issued for; none for partner clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub iss: String,
    pub aud: String,
    pub exp: u64,
    pub iat: u64,
    pub nbf: u64,
    pub jti: String,
}

/// Signs and checks access tokens.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// Signs anonymous feedback tokens: derived from the same secret, never used for JWTs.
    feedback_key: [u8; 32],
    pub access_ttl: Duration,
}

impl TokenKeys {
    pub fn new(secret: &[u8], access_ttl: Duration) -> TokenKeys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        let mut derivation = Sha256::new();
        derivation.update(b"peer-support feedback tokens v1\0");
        derivation.update(secret);
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            feedback_key: derivation.finalize().into(),
            access_ttl,
        }
    }

    /// The configured secret; in development without one, a generated secret kept in the data
    /// directory (mode 0600); in tests, a fresh one per process.
    pub fn from_config(config: &Config) -> Result<TokenKeys, String> {
        let secret = match (&config.jwt_secret, config.app_env) {
            (Some(secret), _) => secret.as_bytes().to_vec(),
            (None, AppEnv::Test) => random_bytes(48),
            (None, _) => kept_secret(&config.data_dir, "jwt-secret", "JWT_SECRET")?,
        };
        Ok(TokenKeys::new(&secret, config.access_token_ttl))
    }

    pub fn issue(&self, sub: &str, role: Role, sid: Option<&str>) -> String {
        let now = unix_now();
        let claims = Claims {
            sub: sub.to_string(),
            role,
            sid: sid.map(str::to_string),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now,
            nbf: now,
            exp: now + self.access_ttl.as_secs(),
            jti: uuid::Uuid::new_v4().to_string(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing cannot fail")
    }

    /// The claims of a valid token; `None` for anything else (expired, not yet valid, wrong
    /// issuer, audience or algorithm, tampered, unsigned).
    pub fn verify(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}

impl TokenKeys {
    /// The HMAC-SHA256 of `message` under the feedback key.
    pub fn feedback_mac(&self, message: &[u8]) -> Vec<u8> {
        use hmac::{Hmac, Mac};
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.feedback_key).expect("HMAC takes any key");
        mac.update(message);
        mac.finalize().into_bytes().to_vec()
    }

    /// Whether `tag` is the MAC of `message` (compared in constant time).
    pub fn feedback_mac_matches(&self, message: &[u8], tag: &[u8]) -> bool {
        use hmac::{Hmac, Mac};
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.feedback_key).expect("HMAC takes any key");
        mac.update(message);
        mac.verify_slice(tag).is_ok()
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A development secret kept in `data_dir/file_name` (mode 0600): read when it is there, else
/// generated, written and warned about (`setting` is the variable that should carry it).
pub fn kept_secret(data_dir: &Path, file_name: &str, setting: &str) -> Result<Vec<u8>, String> {
    let path = data_dir.join(file_name);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_string();
        if existing.len() >= MIN_JWT_SECRET_BYTES {
            return Ok(existing.into_bytes());
        }
    }
    std::fs::create_dir_all(data_dir)
        .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let secret = URL_SAFE_NO_PAD.encode(random_bytes(48));
    write_private(&path, &secret).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    log::warn!(
        "{setting} is not set: generated one and kept it in {} (set {setting} in production)",
        path.display()
    );
    Ok(secret.into_bytes())
}

#[cfg(unix)]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::{io::Write, os::unix::fs::OpenOptionsExt};
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(content.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    std::fs::write(path, content)
}

pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

/// A new opaque secret (refresh token, client secret): 256 random bits, URL-safe.
pub fn new_secret() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes(32))
}

/// How an opaque secret is stored: its SHA-256, hex. (High-entropy secrets need no slow hash.)
pub fn secret_hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::new(
            b"0123456789abcdef0123456789abcdef",
            Duration::from_secs(900),
        )
    }

    #[test]
    fn issued_tokens_verify_and_carry_their_claims() {
        let token = keys().issue("user-1", Role::Coordinator, Some("session-1"));
        let claims = keys().verify(&token).expect("valid");
        assert_eq!(claims.sub, "user-1");
        assert_eq!(claims.role, Role::Coordinator);
        assert_eq!(claims.sid.as_deref(), Some("session-1"));
        assert_eq!(claims.exp - claims.iat, 900);
    }

    #[test]
    fn another_key_or_a_tampered_token_is_refused() {
        let token = keys().issue("user-1", Role::Peer, None);
        let other = TokenKeys::new(
            b"another-secret-another-secret-xx",
            Duration::from_secs(900),
        );
        assert!(other.verify(&token).is_none());
        let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
        parts[1] = URL_SAFE_NO_PAD.encode(
            String::from_utf8(URL_SAFE_NO_PAD.decode(&parts[1]).unwrap())
                .unwrap()
                .replace("\"peer\"", "\"admin\""),
        );
        assert!(keys().verify(&parts.join(".")).is_none());
    }

    #[test]
    fn secret_hashes_are_stable_hex() {
        assert_eq!(secret_hash("abc").len(), 64);
        assert_eq!(secret_hash("abc"), secret_hash("abc"));
        assert_ne!(new_secret(), new_secret());
    }
}
