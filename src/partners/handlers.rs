use actix_web::{delete, get, post, web, HttpResponse};

use super::{
    models::{CreatePartner, CreatedPartner, PartnerList},
    service,
};
use crate::{
    auth::Admin,
    error::{responses, ApiError},
    http::{
        extractors::ValidJson,
        list_query::{ListQuery, PageParams},
    },
    state::AppState,
};

/// Create a partner client (admin)
///
/// Returns the `client_secret` this once; only its hash is kept.
#[utoipa::path(
    operation_id = "createPartner",
    tag = "partners",
    request_body = CreatePartner,
    security(("bearer_auth" = [])),
    responses(
        (status = 201, description = "The new client, with its secret", body = CreatedPartner),
        responses::AuthWrite,
    )
)]
#[post("/partners")]
pub async fn create_partner(
    state: web::Data<AppState>,
    caller: Admin,
    body: ValidJson<CreatePartner>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let created = state
        .pool
        .run(move |conn| service::create(conn, &caller, &body))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// List partner clients (admin)
#[utoipa::path(
    operation_id = "listPartners",
    tag = "partners",
    params(PageParams),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "A page of partner clients", body = PartnerList),
        responses::AuthList,
    )
)]
#[get("/partners")]
pub async fn list_partners(
    state: web::Data<AppState>,
    _caller: Admin,
    query: ListQuery,
) -> Result<web::Json<PartnerList>, ApiError> {
    let page = query.page;
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::list(conn, &page))
            .await?,
    ))
}

/// Revoke a partner client (admin)
///
/// Its tokens stop working at once.
#[utoipa::path(
    operation_id = "revokePartner",
    tag = "partners",
    params(("id" = String, Path, description = "The partner client's id")),
    security(("bearer_auth" = [])),
    responses(
        (status = 204, description = "Revoked"),
        responses::AuthRead,
    )
)]
#[delete("/partners/{id}")]
pub async fn revoke_partner(
    state: web::Data<AppState>,
    caller: Admin,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .pool
        .run(move |conn| service::revoke(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
