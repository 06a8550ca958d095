use actix_web::{get, web};

use super::{
    models::{AuditEventList, AuditFilter},
    service,
};
use crate::{
    auth::Admin,
    error::{responses, ApiError},
    http::list_query::{ListQuery, PageParams},
    state::AppState,
};
use validator::Validate;

/// List audit events (admin)
///
/// Role changes, disabled accounts, partner clients created and revoked, log-in lock-outs:
/// oldest first, filterable, paginated.
#[utoipa::path(
    operation_id = "listAuditEvents",
    tag = "audit",
    params(AuditFilter, PageParams),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "A page of audit events", body = AuditEventList),
        responses::AuthList,
    )
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    state: web::Data<AppState>,
    _caller: Admin,
    query: ListQuery<AuditFilter>,
) -> Result<web::Json<AuditEventList>, ApiError> {
    let ListQuery { filter, page } = query;
    filter.validate()?;
    let list = state
        .pool
        .run(move |conn| service::list(conn, &filter, &page))
        .await?;
    Ok(web::Json(list))
}
