use actix_web::{get, web, HttpResponse};

use super::models::{Health, Readiness, ReadinessStatus};
use crate::{
    db::Backend,
    error::{responses, ApiError},
    state::AppState,
};

/// Liveness: the process is up.
#[utoipa::path(
    operation_id = "getHealth",
    tag = "operations",
    security(()),
    responses(
        (status = 200, description = "The process is up", body = Health),
        (status = 408, response = responses::RequestTimeout),
    )
)]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// Readiness: the database answers.
#[utoipa::path(
    operation_id = "getReadiness",
    tag = "operations",
    security(()),
    responses(
        (status = 200, description = "The database answers", body = Readiness),
        (status = 408, response = responses::RequestTimeout),
        (status = 503, response = responses::ServiceUnavailable),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<web::Json<Readiness>, ApiError> {
    // Checkout validates the connection with a ping.
    state.pool.run(|_conn| Ok(())).await?;
    Ok(web::Json(Readiness {
        status: ReadinessStatus::Ready,
        database: match state.pool.backend() {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        },
    }))
}

/// Prometheus metrics: requests by route pattern, method and status; latency; pool state.
#[utoipa::path(
    operation_id = "getMetrics",
    tag = "operations",
    security(()),
    responses(
        (status = 200, description = "Prometheus text exposition format 0.0.4",
            body = String, content_type = "text/plain; version=0.0.4"),
        (status = 408, response = responses::RequestTimeout),
    )
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(&state.pool))
}
