//! Prometheus metrics: request counts and latency by route pattern and status (actix-web-prom),
//! the state of the database pool, sampled at each scrape, and the statements the pool sent.

use actix_web_prom::{PrometheusMetrics, PrometheusMetricsBuilder};
use prometheus::{IntCounter, IntGauge, Opts, Registry};

use crate::db::DbPool;

#[derive(Clone)]
pub struct Metrics {
    pub middleware: PrometheusMetrics,
    /// Incremented by the request pool's connections (`DbPool::counting_statements`); each
    /// instance has its own, so apps sharing a process never add to each other's.
    pub db_statements: IntCounter,
    registry: Registry,
    pool_connections: IntGauge,
    pool_idle_connections: IntGauge,
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let db_statements = IntCounter::with_opts(Opts::new(
            "db_statements_total",
            "Statements sent to the database by this instance's request pool",
        ))
        .expect("valid counter");
        registry
            .register(Box::new(db_statements.clone()))
            .expect("counter registered once");
        let pool_connections = IntGauge::with_opts(Opts::new(
            "peer_support_db_pool_connections",
            "Connections open in the database pool",
        ))
        .expect("valid gauge");
        let pool_idle_connections = IntGauge::with_opts(Opts::new(
            "peer_support_db_pool_idle_connections",
            "Idle connections in the database pool",
        ))
        .expect("valid gauge");
        registry
            .register(Box::new(pool_connections.clone()))
            .expect("gauge registered once");
        registry
            .register(Box::new(pool_idle_connections.clone()))
            .expect("gauge registered once");
        let middleware = PrometheusMetricsBuilder::new("peer_support")
            .registry(registry.clone())
            .mask_unmatched_patterns("UNMATCHED")
            .exclude_regex("^/swagger-ui")
            .build()
            .expect("metrics middleware builds with a fresh registry");
        Metrics {
            middleware,
            db_statements,
            registry,
            pool_connections,
            pool_idle_connections,
        }
    }

    /// The Prometheus text exposition of every metric, with the pool sampled now.
    pub fn render(&self, pool: &DbPool) -> String {
        let state = pool.state();
        self.pool_connections.set(i64::from(state.connections));
        self.pool_idle_connections
            .set(i64::from(state.idle_connections));
        let mut buffer = String::new();
        prometheus::TextEncoder::new()
            .encode_utf8(&self.registry.gather(), &mut buffer)
            .unwrap_or_else(|e| log::error!("metrics encoding failed: {e}"));
        buffer
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
