//! What every handler may reach: the pool, the settings, token keys, limits and metrics.

use std::sync::Arc;

use crate::{
    auth::{rate_limit::AuthLimits, tokens::TokenKeys},
    config::Config,
    db::DbPool,
    ops::metrics::Metrics,
};

/// The application's shared state, one per process, handed to every handler.
pub struct AppState {
    pub pool: DbPool,
    pub config: Arc<Config>,
    pub keys: TokenKeys,
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
            limits: AuthLimits::new(config.auth_rate_limits),
            config: Arc::new(config),
            metrics,
        })
    }
}
