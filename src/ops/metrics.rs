//! Prometheus metrics: request counts and latency by route pattern and status (actix-web-prom),
//! the state of the database pool, sampled at each scrape, and the statements the pool sent.
//! The feedback routes are kept out of the latency histogram and the live counter: they are
//! counted per whole UTC day only (`DayCounts`), so no scrape dates a feedback request.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};

use actix_web_prom::{PrometheusMetrics, PrometheusMetricsBuilder};
use chrono::{NaiveDate, Utc};
use prometheus::{IntCounter, IntCounterVec, IntGauge, Opts, Registry};

use crate::{db::DbPool, http::middleware::FEEDBACK_PATHS};

#[derive(Clone)]
pub struct Metrics {
    pub middleware: PrometheusMetrics,
    /// Incremented by the request pool's connections (`DbPool::counting_statements`); each
    /// instance has its own, so apps sharing a process never add to each other's.
    pub db_statements: IntCounter,
    registry: Registry,
    pool_connections: IntGauge,
    pool_idle_connections: IntGauge,
    feedback_requests: IntCounterVec,
    feedback_days: Arc<Mutex<DayCounts>>,
}

/// One feedback request's labels: route pattern, method, status.
pub type FeedbackLabels = (String, String, u16);

/// Feedback requests counted per UTC day and published only once that day has ended, so the
/// published counter moves at most once a day and never at the time of a request.
#[derive(Debug, Default)]
pub struct DayCounts {
    pending: BTreeMap<(NaiveDate, FeedbackLabels), u64>,
}

impl DayCounts {
    pub fn record(&mut self, day: NaiveDate, labels: FeedbackLabels) {
        *self.pending.entry((day, labels)).or_default() += 1;
    }

    /// Takes the counts of the days before `today`; today's stay pending.
    pub fn take_ended(&mut self, today: NaiveDate) -> Vec<(FeedbackLabels, u64)> {
        let today_on = self
            .pending
            .split_off(&(today, (String::new(), String::new(), 0)));
        std::mem::replace(&mut self.pending, today_on)
            .into_iter()
            .map(|((_, labels), n)| (labels, n))
            .collect()
    }
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
            .exclude_regex(FEEDBACK_PATHS)
            .build()
            .expect("metrics middleware builds with a fresh registry");
        let feedback_requests = IntCounterVec::new(
            Opts::new(
                "peer_support_feedback_requests_total",
                "Requests to the feedback routes by route, method and status, counted per UTC \
                 day and added only after that day has ended (no latency is kept)",
            ),
            &["endpoint", "method", "status"],
        )
        .expect("valid counter");
        registry
            .register(Box::new(feedback_requests.clone()))
            .expect("counter registered once");
        Metrics {
            middleware,
            feedback_requests,
            feedback_days: Arc::default(),
            db_statements,
            registry,
            pool_connections,
            pool_idle_connections,
        }
    }

    /// Counts a feedback request for today, to be published once today has ended.
    pub fn record_feedback(&self, labels: FeedbackLabels) {
        let today = Utc::now().date_naive();
        if let Ok(mut days) = self.feedback_days.lock() {
            days.record(today, labels);
        }
    }

    /// The Prometheus text exposition of every metric, with the pool sampled now.
    pub fn render(&self, pool: &DbPool) -> String {
        let ended = match self.feedback_days.lock() {
            Ok(mut days) => days.take_ended(Utc::now().date_naive()),
            Err(_) => Vec::new(),
        };
        for ((endpoint, method, status), n) in ended {
            self.feedback_requests
                .with_label_values(&[endpoint.as_str(), method.as_str(), &status.to_string()])
                .inc_by(n);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(status: u16) -> FeedbackLabels {
        ("/api/v1/feedback".into(), "POST".into(), status)
    }

    #[test]
    fn a_day_is_published_only_once_it_has_ended() {
        let monday = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let tuesday = monday.succ_opt().unwrap();
        let mut days = DayCounts::default();
        days.record(monday, labels(201));
        days.record(monday, labels(201));
        days.record(monday, labels(409));
        assert!(
            days.take_ended(monday).is_empty(),
            "today is never published"
        );
        days.record(tuesday, labels(201));
        let mut ended = days.take_ended(tuesday);
        ended.sort();
        assert_eq!(ended, vec![(labels(201), 2), (labels(409), 1)]);
        assert!(
            days.take_ended(tuesday).is_empty(),
            "a day is published once"
        );
        assert_eq!(
            days.take_ended(tuesday.succ_opt().unwrap()),
            vec![(labels(201), 1)]
        );
    }
}
