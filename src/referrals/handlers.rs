use actix_web::{
    dev::Payload, get, http::header, post, web, FromRequest, HttpRequest, HttpResponse,
};
use futures_util::future::LocalBoxFuture;
use validator::Validate;

use super::{models::*, service};
use crate::{
    auth::{Partner, Peer},
    domain::Receipt,
    error::{responses, ApiError},
    http::{
        caller_check::caller_checked,
        extractors::ValidJson,
        list_query::{ListQuery, PageParams},
    },
    mail,
    state::AppState,
};

/// The longest `Idempotency-Key` accepted.
pub const MAX_KEY_LENGTH: usize = 200;
/// Set on an answer that replays the stored answer to an earlier request with the same key.
pub const REPLAYED: &str = "Idempotent-Replayed";

/// The `Idempotency-Key` header: required, 1 to 200 visible ASCII characters.
fn idempotency_key(req: &HttpRequest) -> Result<String, ApiError> {
    let value = req.headers().get("Idempotency-Key").ok_or_else(|| {
        ApiError::InvalidHeader("Idempotency-Key is required for this operation".into())
    })?;
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= MAX_KEY_LENGTH)
        .ok_or_else(|| {
            ApiError::InvalidHeader(format!(
                "Idempotency-Key must be 1 to {MAX_KEY_LENGTH} visible ASCII characters"
            ))
        })?;
    Ok(key.to_string())
}

/// The request's [`idempotency_key`]. It answers after the caller is checked and, declared
/// before the body, before any answer about the body.
pub struct IdempotencyKey(pub String);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<IdempotencyKey, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let key = idempotency_key(req).map(IdempotencyKey);
        let caller_checked = caller_checked(req);
        Box::pin(async move {
            caller_checked.await;
            key
        })
    }
}

/// Refer a person to the program (partner)
///
/// Creates an intake application for a person who agreed to be contacted
/// (`consent_to_contact: true`, else 422). With an email address the person gets an
/// acknowledgement and can later link the referral to an account of theirs.
///
/// **Idempotency.** Send a unique `Idempotency-Key` (for instance a UUID) with each new
/// referral, and the same key when you retry it after a timeout or a lost connection. For 24
/// hours a retry with the same key and the same body gets the first answer again (same status,
/// same body, with `Idempotent-Replayed: true`) and never creates a second application, even
/// when retries run at the same time as the first request. The same key with a different body
/// is refused (422 `idempotency-key-reused`). Keys are yours alone: other partners' keys never
/// collide with yours.
///
/// **Statuses.** `received` (the program has it and answers within two business days),
/// `in_intake` (a coordinator is working with the person), `placed` (the person has a seat in a
/// group) and `closed` (withdrawn by the person, or closed by the program, with
/// `close_reason`). Follow them with `GET /referrals?modified_after=…`.
#[utoipa::path(
    operation_id = "createReferral",
    tag = "referrals",
    request_body = CreateReferral,
    params(
        ("Idempotency-Key" = String, Header, min_length = 1, max_length = 200,
            example = "3f0e1c9a-6b2d-4f8e-9a71-5c4d2e1b0a99",
            description = "Your unique key for this referral; send the same one when you retry it. Kept for 24 hours."),
    ),
    security(("bearer_auth" = [])),
    responses(
        (status = 201, description = "The referral (or, on a retry with the same key and body, the first answer again)", body = Referral,
            headers(
                ("Location" = String, description = "The referral's URL"),
                ("Idempotent-Replayed" = String, description = "`true` when this is the stored answer to an earlier request with the same key"),
            )),
        responses::AuthWrite,
        (status = 409, response = responses::Conflict),
    )
)]
#[post("/referrals")]
pub async fn create_referral(
    state: web::Data<AppState>,
    caller: Partner,
    key: IdempotencyKey,
    body: ValidJson<CreateReferral>,
) -> Result<HttpResponse, ApiError> {
    let (key, body) = (key.0, body.into_inner());
    let created = state
        .pool
        .run(move |conn| service::create(conn, &caller, &key, &body))
        .await?;
    let mut response = HttpResponse::Created();
    response.content_type("application/json").insert_header((
        header::LOCATION,
        format!("/api/v1/referrals/{}", created.referral_id),
    ));
    if created.replayed {
        response.insert_header((REPLAYED, "true"));
    }
    Ok(response.body(created.body))
}

/// List my referrals (partner)
///
/// The caller's own referrals, oldest first, with their coarse status (`received`,
/// `in_intake`, `placed`, `closed`) and its dates; never the person's intake, notes or group.
/// To poll, pass `modified_after` with the time of your previous poll minus a minute (changes
/// commit a moment after they are stamped) and keep the latest `modified_at` of each referral.
#[utoipa::path(
    operation_id = "listReferrals",
    tag = "referrals",
    params(ReferralFilter, PageParams),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "A page of the caller's referrals", body = ReferralList),
        responses::AuthList,
    )
)]
#[get("/referrals")]
pub async fn list_referrals(
    state: web::Data<AppState>,
    caller: Partner,
    query: ListQuery<ReferralFilter>,
) -> Result<web::Json<ReferralList>, ApiError> {
    let ListQuery { filter, page } = query;
    filter.validate()?;
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::list(conn, &caller, &filter, &page))
            .await?,
    ))
}

/// Read one of my referrals (partner)
///
/// Its coarse status and dates. Another partner's referral is not found (404).
#[utoipa::path(
    operation_id = "getReferral",
    tag = "referrals",
    params(("id" = String, Path, description = "The referral's id")),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The referral", body = Referral),
        responses::AuthRead,
    )
)]
#[get("/referrals/{id}")]
pub async fn get_referral(
    state: web::Data<AppState>,
    caller: Partner,
    id: web::Path<String>,
) -> Result<web::Json<Referral>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::get(conn, &caller, &id))
            .await?,
    ))
}

/// Ask for a code to link a referral to my account (peer)
///
/// If a partner organization referred someone at the caller's email address and that referral
/// has no account yet, a one-time code (valid 24 hours, replacing any earlier one) is emailed
/// to that address, never shown in the app: it proves the caller controls the address. The
/// answer is the same whether or not a referral exists. Sign-up sends one by itself.
#[utoipa::path(
    operation_id = "requestReferralClaimCode",
    tag = "referrals",
    security(("bearer_auth" = [])),
    responses(
        (status = 202, description = "Request received", body = ClaimCodeRequested),
        responses::AuthOwn,
        (status = 429, response = responses::TooManyRequests),
    )
)]
#[post("/me/referrals/claim-code")]
pub async fn request_claim_code(
    state: web::Data<AppState>,
    caller: Peer,
) -> Result<HttpResponse, ApiError> {
    let st = state.clone();
    let letter = state
        .pool
        .run(move |conn| {
            st.limits.claim_code_request(conn, &caller.id)?;
            service::request_claim_code(conn, &caller)
        })
        .await?;
    if let Some(letter) = letter {
        mail::send_in_background(&state.mailer, "claim code", letter);
    }
    Ok(HttpResponse::Accepted().json(ClaimCodeRequested {
        status: Receipt::Received,
        detail: "If a referral to the program awaits your email address, we sent a one-time code to it.",
    }))
}

/// Link my referrals to my account (peer)
///
/// With the code emailed to the caller's address, every referral to that address that has no
/// account yet becomes the caller's: they read it, follow it, withdraw it, and a coordinator can
/// place them. A code works once, for its own account, for 24 hours; a wrong, used or expired
/// one is refused (422).
#[utoipa::path(
    operation_id = "claimReferrals",
    tag = "referrals",
    request_body = ClaimReferrals,
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The applications now linked to the caller", body = ClaimedReferrals),
        responses::AuthWrite,
    )
)]
#[post("/me/referrals/claim")]
pub async fn claim_referrals(
    state: web::Data<AppState>,
    caller: Peer,
    body: ValidJson<ClaimReferrals>,
) -> Result<web::Json<ClaimedReferrals>, ApiError> {
    let body = body.into_inner();
    Ok(web::Json(
        state
            .pool
            .run(move |conn| service::claim(conn, &caller, &body.code))
            .await?,
    ))
}
