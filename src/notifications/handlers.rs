use actix_web::{get, post, web};

use super::{
    models::{Notification, NotificationFilter, NotificationList},
    service,
};
use crate::{
    auth::AccountHolder,
    error::{responses, ApiError},
    http::list_query::{ListQuery, PageParams},
    state::AppState,
};

/// List my notifications
///
/// The notices the program wrote to the caller (receipt of their intake form, a meeting booked,
/// a place confirmed with its session dates, updates on their application), newest first, with
/// where each is in its delivery and whether it was read. Always the full text, even when the
/// emails are discreet. Any account holder may call it; it only ever shows the caller's own
/// notices.
#[utoipa::path(
    operation_id = "listMyNotifications",
    tag = "notifications",
    params(NotificationFilter, PageParams),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "A page of the caller's notices, newest first", body = NotificationList),
        responses::AuthList,
    )
)]
#[get("/me/notifications")]
pub async fn list_my_notifications(
    state: web::Data<AppState>,
    caller: AccountHolder,
    query: ListQuery<NotificationFilter>,
) -> Result<web::Json<NotificationList>, ApiError> {
    let ListQuery { filter, page } = query;
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::list_mine(conn, &caller.id, &filter, &page))
            .await?,
    ))
}

/// Mark one of my notifications read
///
/// Sets its `read_at`; marking it again changes nothing (the first time is kept). Someone
/// else's notice is not found (404).
#[utoipa::path(
    operation_id = "markMyNotificationRead",
    tag = "notifications",
    params(("id" = String, Path, description = "The notice's id")),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The notice, read", body = Notification),
        responses::AuthRead,
    )
)]
#[post("/me/notifications/{id}/read")]
pub async fn mark_my_notification_read(
    state: web::Data<AppState>,
    caller: AccountHolder,
    id: web::Path<String>,
) -> Result<web::Json<Notification>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::mark_read(conn, &caller.id, &id))
            .await?,
    ))
}
