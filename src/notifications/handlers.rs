use actix_web::{get, web};

use super::{models::NotificationList, service};
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
/// where each is in its delivery. Any account holder may call it; it only ever shows the
/// caller's own notices.
#[utoipa::path(
    operation_id = "listMyNotifications",
    tag = "notifications",
    params(PageParams),
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
    query: ListQuery,
) -> Result<web::Json<NotificationList>, ApiError> {
    let page = query.page;
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::list_mine(conn, &caller.id, &page))
            .await?,
    ))
}
