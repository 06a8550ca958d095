//! What every handler may reach: the pool, the settings, token keys, limits and metrics.

use std::sync::{Arc, OnceLock};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{
    auth::{
        rate_limit::AuthLimits,
        tokens::{self, random_bytes, TokenKeys},
    },
    config::{AppEnv, Config},
    db::DbPool,
    mail::{self, Mailer},
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
    /// The one mail transport (SMTP, or `.eml` files in development).
    pub mailer: Mailer,
    /// Wakes this instance's seat-offer sweeper: a seat may have freed.
    pub seats_freed: Arc<tokio::sync::Notify>,
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
            mailer: mail::from_config(&config)?,
            config: Arc::new(config),
            metrics,
            seats_freed: Arc::new(tokio::sync::Notify::new()),
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
        (None, _) => tokens::kept_secret(
            &config.data_dir,
            "feedback-key-secret",
            "FEEDBACK_KEY_SECRET",
        )?,
    };
    let mut condensed = Hmac::<Sha256>::new_from_slice(b"peer-support feedback key secret")
        .expect("HMAC takes any key");
    condensed.update(&secret);
    Ok(condensed.finalize().into_bytes().into())
}
