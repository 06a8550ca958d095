//! What every handler may reach: the pool, the settings, token keys, limits and metrics.

use std::{
    path::Path,
    sync::{Arc, OnceLock},
};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{
    auth::{
        rate_limit::AuthLimits,
        tokens::{new_secret, random_bytes, TokenKeys},
    },
    config::{AppEnv, Config, MIN_JWT_SECRET_BYTES},
    db::DbPool,
    ops::metrics::Metrics,
};

/// The application's shared state, one per process, handed to every handler.
pub struct AppState {
    pub pool: DbPool,
    pub config: Arc<Config>,
    pub keys: TokenKeys,
    /// What the feedback signing keys are derived from (`FEEDBACK_KEY_SECRET`, condensed).
    pub feedback_secret: [u8; 32],
    pub limits: AuthLimits,
    pub metrics: Metrics,
}

impl AppState {
    pub fn new(config: Config) -> Result<AppState, String> {
        let metrics = Metrics::new();
        let pool = DbPool::counting_statements(
            &config.database_url,
            config.database_pool_size,
            config.database_timeout,
            metrics.db_statements.clone(),
        );
        Ok(AppState {
            pool,
            keys: TokenKeys::from_config(&config)?,
            feedback_secret: feedback_secret(&config)?,
            limits: AuthLimits::new(config.auth_rate_limits),
            config: Arc::new(config),
            metrics,
        })
    }
}

/// The configured feedback key secret; without one, a generated secret kept in the data
/// directory (mode 0600); in tests, one per process, so every test app shares the derived keys.
fn feedback_secret(config: &Config) -> Result<[u8; 32], String> {
    static PER_PROCESS: OnceLock<Vec<u8>> = OnceLock::new();
    let secret = match (&config.feedback_key_secret, config.app_env) {
        (Some(secret), _) => secret.as_bytes().to_vec(),
        (None, AppEnv::Test) => PER_PROCESS.get_or_init(|| random_bytes(48)).clone(),
        (None, _) => kept_feedback_secret(&config.data_dir)?,
    };
    let mut condensed = Hmac::<Sha256>::new_from_slice(b"peer-support feedback key secret")
        .expect("HMAC takes any key");
    condensed.update(&secret);
    Ok(condensed.finalize().into_bytes().into())
}

fn kept_feedback_secret(data_dir: &Path) -> Result<Vec<u8>, String> {
    let path = data_dir.join("feedback-key-secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_string();
        if existing.len() >= MIN_JWT_SECRET_BYTES {
            return Ok(existing.into_bytes());
        }
    }
    std::fs::create_dir_all(data_dir)
        .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let secret = format!("{}{}", new_secret(), new_secret());
    write_private(&path, &secret).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    log::warn!(
        "FEEDBACK_KEY_SECRET is not set: generated one and kept it in {} (set it in production)",
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
