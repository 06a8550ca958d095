use actix_web::{delete, get, http::header, patch, post, web, HttpResponse};

use super::{
    models::{NewSupportLine, SupportLine, SupportLineChanges, SupportLineList},
    service,
};
use crate::{
    auth::Admin,
    error::{responses, ApiError},
    http::extractors::ValidJson,
    state::AppState,
};

/// List crisis and support lines
///
/// Every line, in English and French, in display order; no sign-in needed. The program's own
/// 24/7 line is 1-844-750-1648.
#[utoipa::path(
    operation_id = "listSupportLines",
    tag = "support-lines",
    security(()),
    responses(
        (status = 200, description = "Every support line", body = SupportLineList),
        (status = 408, response = responses::RequestTimeout),
        (status = 503, response = responses::ServiceUnavailable),
    )
)]
#[get("/support-lines")]
pub async fn list_support_lines(
    state: web::Data<AppState>,
) -> Result<web::Json<SupportLineList>, ApiError> {
    Ok(web::Json(state.pool.run(service::list_all).await?))
}

/// Read a support line
#[utoipa::path(
    operation_id = "getSupportLine",
    tag = "support-lines",
    params(("id" = String, Path, description = "The support line's id")),
    security(()),
    responses(
        (status = 200, description = "The support line", body = SupportLine),
        (status = 404, response = responses::NotFound),
        (status = 503, response = responses::ServiceUnavailable),
    )
)]
#[get("/support-lines/{id}")]
pub async fn get_support_line(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<web::Json<SupportLine>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(
        state.pool.run(move |conn| service::get(conn, &id)).await?,
    ))
}

/// Add a support line (admin)
///
/// Audited.
#[utoipa::path(
    operation_id = "createSupportLine",
    tag = "support-lines",
    request_body = NewSupportLine,
    security(("bearer_auth" = [])),
    responses(
        (status = 201, description = "The new support line", body = SupportLine,
            headers(("Location" = String, description = "The support line's URL"))),
        responses::AuthWrite,
    )
)]
#[post("/support-lines")]
pub async fn create_support_line(
    state: web::Data<AppState>,
    caller: Admin,
    body: ValidJson<NewSupportLine>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let line = state
        .pool
        .run(move |conn| service::create(conn, &caller, body))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/support-lines/{}", line.id),
        ))
        .json(line))
}

/// Change a support line (admin)
///
/// Only the fields given change. Audited.
#[utoipa::path(
    operation_id = "updateSupportLine",
    tag = "support-lines",
    params(("id" = String, Path, description = "The support line's id")),
    request_body = SupportLineChanges,
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The updated support line", body = SupportLine),
        responses::AuthWrite,
        (status = 404, response = responses::NotFound),
    )
)]
#[patch("/support-lines/{id}")]
pub async fn update_support_line(
    state: web::Data<AppState>,
    caller: Admin,
    id: web::Path<String>,
    body: ValidJson<SupportLineChanges>,
) -> Result<web::Json<SupportLine>, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::update(conn, &caller, &id, body))
            .await?,
    ))
}

/// Remove a support line (admin)
///
/// Audited.
#[utoipa::path(
    operation_id = "deleteSupportLine",
    tag = "support-lines",
    params(("id" = String, Path, description = "The support line's id")),
    security(("bearer_auth" = [])),
    responses(
        (status = 204, description = "Removed"),
        responses::AuthRead,
    )
)]
#[delete("/support-lines/{id}")]
pub async fn delete_support_line(
    state: web::Data<AppState>,
    caller: Admin,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .pool
        .run(move |conn| service::delete(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
