use actix_web::{get, post, web, HttpResponse};

use super::{models::*, service};
use crate::{
    auth::{Leader, Peer, Staff},
    domain::Receipt,
    error::{responses, ApiError},
    http::extractors::ValidJson,
    state::AppState,
};

/// Get my feedback token for a session (a peer placed in or present at it)
///
/// One per person per session, from the session's start until its feedback window closes.
/// **What participants can be told: your answers cannot be linked to you.** The token is
/// signed, not stored; the server keeps only the fact that you received a token for this
/// session — no time, nothing that ties it to the token or to your answers. Spending the token
/// stores a hash of it so it cannot be used twice. Not placed in the group nor present: 403;
/// a second request: 409.
#[utoipa::path(
    operation_id = "issueFeedbackToken",
    tag = "feedback",
    params(("id" = String, Path, description = "The session's id")),
    security(("bearer_auth" = [])),
    responses(
        (status = 201, description = "The token, shown this once", body = FeedbackToken),
        responses::AuthAction,
    )
)]
#[post("/sessions/{id}/feedback-token")]
pub async fn issue_token(
    state: web::Data<AppState>,
    caller: Peer,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let st = state.clone();
    let token = state
        .pool
        .run(move |conn| {
            service::issue_token(conn, &st.keys, &caller, &id, st.config.feedback_window)
        })
        .await?;
    Ok(HttpResponse::Created().json(token))
}

/// Give anonymous feedback on a session
///
/// No authentication: the body carries the session and its single-use token. The response is
/// stored with the session and the date only — no account, IP address, user agent or time of
/// day — and nothing of it is logged. An unknown, spent, expired or other-session token is
/// refused the same way (403 `feedback-token-refused`), without saying which. A cancelled
/// session takes no feedback (409).
#[utoipa::path(
    operation_id = "submitFeedback",
    tag = "feedback",
    request_body = SubmitFeedback,
    security(()),
    responses(
        (status = 201, description = "Received", body = FeedbackReceived),
        responses::PublicWrite,
        (status = 403, response = responses::Forbidden),
        (status = 409, response = responses::Conflict),
    )
)]
#[post("/feedback")]
pub async fn submit(
    state: web::Data<AppState>,
    body: ValidJson<SubmitFeedback>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let st = state.clone();
    state
        .pool
        .run(move |conn| service::submit(conn, &st.keys, &body, st.config.feedback_window))
        .await?;
    Ok(HttpResponse::Created().json(FeedbackReceived {
        status: Receipt::Received,
        detail: "Thank you. Your answers cannot be linked to you.",
    }))
}

/// A session's feedback summary (its group's facilitators, staff)
///
/// Shown once the session's feedback window has closed and only with at least five responses;
/// otherwise `suppressed` (no counts, averages or comments).
#[utoipa::path(
    operation_id = "getSessionFeedbackSummary",
    tag = "feedback",
    params(("id" = String, Path, description = "The session's id")),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The summary", body = FeedbackSummary),
        responses::AuthRead,
    )
)]
#[get("/sessions/{id}/feedback-summary")]
pub async fn session_summary(
    state: web::Data<AppState>,
    caller: Leader,
    id: web::Path<String>,
) -> Result<web::Json<FeedbackSummary>, ApiError> {
    let id = id.into_inner();
    let window = state.config.feedback_window;
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::session_summary(conn, &caller, &id, window))
            .await?,
    ))
}

/// A group's feedback summary (its facilitators, staff)
///
/// Counts only sessions whose window has closed and that have five or more responses, so that
/// no difference between this and a session's summary narrows to fewer than five people.
#[utoipa::path(
    operation_id = "getGroupFeedbackSummary",
    tag = "feedback",
    params(("id" = String, Path, description = "The group's id")),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The summary", body = FeedbackSummary),
        responses::AuthRead,
    )
)]
#[get("/groups/{id}/feedback-summary")]
pub async fn group_summary(
    state: web::Data<AppState>,
    caller: Leader,
    id: web::Path<String>,
) -> Result<web::Json<FeedbackSummary>, ApiError> {
    let id = id.into_inner();
    let window = state.config.feedback_window;
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::group_summary(conn, &caller, &id, window))
            .await?,
    ))
}

/// The program's feedback summary over a date range (coordinator, admin)
///
/// Sessions that started in `[from, to]` and count (window closed, five or more responses):
/// a small group's few answers are never in it, so subtracting other summaries from it cannot
/// reveal them.
#[utoipa::path(
    operation_id = "getProgramFeedbackSummary",
    tag = "feedback",
    params(ProgramSummaryQuery),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The summary", body = FeedbackSummary),
        responses::AuthList,
    )
)]
#[get("/feedback-summary")]
pub async fn program_summary(
    state: web::Data<AppState>,
    _caller: Staff,
    query: web::Query<ProgramSummaryQuery>,
) -> Result<web::Json<FeedbackSummary>, ApiError> {
    let ProgramSummaryQuery { from, to } = query.into_inner();
    if to < from {
        return Err(ApiError::Validation(vec![crate::error::FieldError::new(
            "to",
            "range",
            "must not be before `from`",
        )]));
    }
    let window = state.config.feedback_window;
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::program_summary(conn, from, to, window))
            .await?,
    ))
}
