use actix_web::{get, web};

use super::{
    models::{AuditEventList, AuditQuery},
    service,
};
use crate::{
    auth::Admin,
    error::{responses, ApiError},
    state::AppState,
};

/// List audit events (admin)
///
/// Role changes, disabled accounts, partner clients created and revoked, log-in lock-outs:
/// oldest first, filterable, paginated.
#[utoipa::path(
    operation_id = "listAuditEvents",
    tag = "audit",
    params(AuditQuery),
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
    query: web::Query<AuditQuery>,
) -> Result<web::Json<AuditEventList>, ApiError> {
    let query = query.into_inner();
    let list = state
        .pool
        .run(move |conn| service::list(conn, &query))
        .await?;
    Ok(web::Json(list))
}
