use actix_web::{delete, get, web, HttpResponse};

use super::{
    models::{EraseAccount, MyData},
    service,
};
use crate::{
    auth::{rate_limit::count_attempt, AccountHolder, Peer},
    error::{responses, ApiError},
    http::extractors::ValidJson,
    intake,
    state::AppState,
};

/// Export everything held about me
///
/// One JSON document: the account, intake applications with their timelines, consent records,
/// placements, attendance, notices and the partner referrals linked to the account, read at one
/// instant. Anonymous feedback is not in it: nothing links it to anyone. Audited.
#[utoipa::path(
    operation_id = "exportMyData",
    tag = "accounts",
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "Everything held about the caller", body = MyData),
        responses::AuthOwn,
    )
)]
#[get("/me/export")]
pub async fn export_my_data(
    state: web::Data<AppState>,
    reactions: web::Data<intake::Reactions>,
    caller: AccountHolder,
) -> Result<web::Json<MyData>, ApiError> {
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::export(conn, &caller, &reactions))
            .await?,
    ))
}

/// Erase my account (peers)
///
/// Requires the current password (422 when wrong; limited per account, 429 with
/// `Retry-After`). In one step: the email becomes an unroutable placeholder and the name
/// "Erased account", every session ends (this token too: a second call is 401), open
/// applications close with the reason "account erased" (seats are freed), and the
/// applications' answers, preferences and notes, the referrals' contact details and every
/// notice are removed. The consent ledger and the audit log are kept with the account's id
/// only. The email may sign up again as a new person. Staff accounts are disabled by an admin
/// instead (403).
#[utoipa::path(
    operation_id = "eraseMe",
    tag = "accounts",
    request_body = EraseAccount,
    security(("bearer_auth" = [])),
    responses(
        (status = 204, description = "The account is erased; its sessions have ended"),
        responses::AuthWrite,
        (status = 429, response = responses::TooManyRequests),
    )
)]
#[delete("/me")]
pub async fn erase_me(
    state: web::Data<AppState>,
    reactions: web::Data<intake::Reactions>,
    caller: Peer,
    body: ValidJson<EraseAccount>,
) -> Result<HttpResponse, ApiError> {
    let id = caller.id.clone();
    count_attempt(&state, move |limits, conn| {
        limits.erasure_attempt(conn, &id)
    })
    .await?;
    let body = body.into_inner();
    // On the blocking pool: the service holds a pooled connection only around its queries.
    web::block(move || service::erase(&state.pool, &caller, &reactions, &body.current_password))
        .await??;
    Ok(HttpResponse::NoContent().finish())
}
