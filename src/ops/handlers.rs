use actix_web::{get, http::header, web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use super::models::{Health, Readiness, ReadinessStatus};
use crate::{
    config::{AppEnv, Config},
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
///
/// Where it is served: on `METRICS_ADDR` when that is set (a private address for the scraper);
/// on the public port only with `Authorization: Bearer <METRICS_TOKEN>` when a token is set
/// (401 otherwise); with neither set, openly in development and test, and not at all in
/// production (404).
#[utoipa::path(
    operation_id = "getMetrics",
    tag = "operations",
    security((), ("metrics_token" = [])),
    responses(
        (status = 200, description = "Prometheus text exposition format 0.0.4",
            body = String, content_type = "text/plain; version=0.0.4"),
        (status = 401, response = responses::Unauthorized),
        (status = 404, response = responses::NotFound),
        (status = 408, response = responses::RequestTimeout),
    )
)]
#[get("/metrics")]
pub async fn metrics(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    may_read_metrics(&req, &state.config)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(&state.pool)))
}

fn may_read_metrics(req: &HttpRequest, config: &Config) -> Result<(), ApiError> {
    if config.metrics_addr == Some(req.app_config().local_addr()) {
        return Ok(());
    }
    if let Some(token) = &config.metrics_token {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        // Compared as digests: the time taken says nothing about how much of the token matched.
        let matches = given.is_some_and(|g| Sha256::digest(g) == Sha256::digest(token));
        return if matches {
            Ok(())
        } else {
            Err(ApiError::Unauthorized)
        };
    }
    if config.metrics_addr.is_some() || config.app_env == AppEnv::Production {
        return Err(ApiError::NotFound);
    }
    Ok(())
}
