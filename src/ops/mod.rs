//! Operating the service: liveness, readiness and Prometheus metrics.

pub mod handlers;
pub mod metrics;
pub mod models;
