use actix_web::{get, post, web, HttpResponse};

use super::{models::*, service};
use crate::{
    auth::{Leader, Peer, Staff},
    domain::Receipt,
    error::{responses, ApiError},
    http::extractors::ValidJson,
    state::AppState,
};
use validator::Validate;

/// Sessions' feedback signing keys (public)
///
/// One RSA-2048 key per session, for RFC 9474 blind signatures, variant
/// RSABSSA-SHA384-PSS-Randomized: a key signs tokens of its own session only. A client blinds
/// its token with the session's key and verifies the finalized signature with it. The same
/// session always has the same key, for every caller and on every instance: anyone may fetch it
/// without signing in and compare, so a server cannot give one person a key of their own.
#[utoipa::path(
    operation_id = "listFeedbackKeys",
    tag = "feedback",
    params(FeedbackKeysQuery),
    security(()),
    responses(
        (status = 200, description = "One key per session named, in the order named", body = FeedbackKeyList),
        responses::PublicList,
        (status = 404, response = responses::NotFound),
    )
)]
#[get("/feedback-keys")]
pub async fn keys(
    state: web::Data<AppState>,
    query: web::Query<FeedbackKeysQuery>,
) -> Result<web::Json<FeedbackKeyList>, ApiError> {
    let named = query.into_inner().session_id;
    let ids = state
        .pool
        .run_untimed(move |conn| service::named_sessions(conn, &named))
        .await?;
    let secret = state.feedback_secret;
    Ok(web::Json(
        web::block(move || service::published_keys(&secret, &ids)).await?,
    ))
}

/// Checks a token request, derives its sessions' keys with no connection held, then signs.
async fn check_then_sign(
    state: web::Data<AppState>,
    caller: crate::auth::AuthUser,
    check: impl FnOnce(
            &mut crate::db::Conn,
            &crate::auth::AuthUser,
        ) -> Result<service::CheckedRequest, ApiError>
        + Send
        + 'static,
) -> Result<Vec<FeedbackBlindSignature>, ApiError> {
    let checker = caller.clone();
    let checked = state
        .pool
        .run_untimed(move |conn| check(conn, &checker))
        .await?;
    let secret = state.feedback_secret;
    let ids = checked.session_ids();
    web::block(move || service::derive_keys(&secret, &ids)).await?;
    state
        .pool
        .run_untimed(move |conn| service::sign(conn, &secret, &caller, &checked))
        .await
}

/// Get my feedback token for a session signed, blind (a peer placed in or present at it)
///
/// RFC 9474 blind signature. The client makes the token — the session id's UTF-8 bytes followed
/// by 32 random bytes — blinds it with the session's key (`GET /feedback-keys?session_id=…`),
/// sends the blinded message here, and finalizes the blind signature it gets back. **What
/// participants can be told: your answers cannot be linked to you.** The server never sees the
/// token; it keeps only the fact that you received a signature for this session — no time,
/// nothing that ties it to the token or to your answers. One per person per session, until its
/// feedback window closes (also ahead of the session). Only for a peer placed in the group
/// before the session started (a later placement does not reach back) or marked present at
/// it, otherwise 403; a second request: 409; a cancelled or closed session: 409.
#[utoipa::path(
    operation_id = "issueFeedbackToken",
    tag = "feedback",
    params(("id" = String, Path, description = "The session's id")),
    request_body = BlindTokenRequest,
    security(("bearer_auth" = [])),
    responses(
        (status = 201, description = "The blind signature", body = FeedbackBlindSignature),
        responses::AuthChange,
    )
)]
#[post("/sessions/{id}/feedback-token")]
pub async fn issue_token(
    state: web::Data<AppState>,
    caller: Peer,
    id: web::Path<String>,
    body: ValidJson<BlindTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    let window = state.config.feedback_window;
    let signed = check_then_sign(state, caller.0, move |conn, caller| {
        service::check_token_request(conn, caller, &id, &body, window)
    })
    .await?;
    Ok(HttpResponse::Created().json(signed.into_iter().next().ok_or(ApiError::Internal)?))
}

/// Get my feedback tokens for several sessions of my group signed, blind, at once
///
/// The same as `issueFeedbackToken` for up to 100 sessions of one group in one request, all or
/// none: fetched ahead of time (when placed, or when opening the schedule), the moment tokens
/// were issued says nothing about when an answer comes. Each session at most once per person:
/// a session already granted makes the whole request a 409.
#[utoipa::path(
    operation_id = "issueGroupFeedbackTokens",
    tag = "feedback",
    params(("id" = String, Path, description = "The group's id")),
    request_body = GroupBlindRequest,
    security(("bearer_auth" = [])),
    responses(
        (status = 201, description = "The blind signatures, in the order asked", body = FeedbackBlindSignatures),
        responses::AuthChange,
    )
)]
#[post("/groups/{id}/feedback-tokens")]
pub async fn issue_group_tokens(
    state: web::Data<AppState>,
    caller: Peer,
    id: web::Path<String>,
    body: ValidJson<GroupBlindRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    let window = state.config.feedback_window;
    let items = check_then_sign(state, caller.0, move |conn, caller| {
        service::check_group_request(conn, caller, &id, &body, window)
    })
    .await?;
    Ok(HttpResponse::Created().json(FeedbackBlindSignatures { items }))
}

/// Give anonymous feedback on a session
///
/// No authentication: the body carries the session, its single-use token, the randomizer and
/// the finalized blind signature, verified with the session's key. The response is
/// stored with the session and the date only — no account, IP address, user agent or time of
/// day — and nothing of it is logged; the token is kept only as its SHA-256, to refuse it a
/// second time. A forged, spent, expired or other-session token is refused the same way (403
/// `feedback-token-refused`), without saying which. A cancelled session, or one that has not
/// started yet, takes no feedback (409).
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
    let session_id = body.session_id.clone();
    let exists = state
        .pool
        .run_untimed(move |conn| service::session_exists(conn, &session_id))
        .await?;
    if !exists {
        return Err(ApiError::FeedbackTokenRefused);
    }
    let secret = state.feedback_secret;
    let ids = vec![body.session_id.clone()];
    web::block(move || service::derive_keys(&secret, &ids)).await?;
    let window = state.config.feedback_window;
    state
        .pool
        .run_untimed(move |conn| service::submit(conn, &secret, &body, window))
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
    let secret = state.feedback_secret;
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::session_summary(conn, &secret, &caller, &id, window))
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
    let secret = state.feedback_secret;
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::group_summary(conn, &secret, &caller, &id, window))
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
    query.validate()?;
    let ProgramSummaryQuery { from, to } = query.into_inner();
    if to < from {
        return Err(ApiError::Validation(vec![crate::error::FieldError::new(
            "to",
            "range",
            "must not be before `from`",
        )]));
    }
    let window = state.config.feedback_window;
    let secret = state.feedback_secret;
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::program_summary(conn, &secret, from, to, window))
            .await?,
    ))
}
