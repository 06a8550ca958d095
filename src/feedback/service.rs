use std::time::Duration;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use blind_rsa_signatures::{MessageRandomizer, Signature};
use sha2::{Digest, Sha256};

use super::{keys, models::*, repository, sealing};
use crate::{
    auth::AuthUser,
    db::{self, Conn},
    domain::time,
    error::{ApiError, FieldError},
    groups::{
        self,
        models::{SessionRow, SessionStatus},
    },
};

/// When a session's feedback window closes: at the latest time the API can write, for a start
/// so late that the window would close past it.
fn window_end(session: &SessionRow, window: Duration) -> NaiveDateTime {
    let span = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::days(7));
    time::later_or_latest(session.starts_at, span)
}

fn published(key: &keys::SessionKey) -> FeedbackKey {
    FeedbackKey {
        session_id: key.session_id.clone(),
        key_id: key.key_id.clone(),
        variant: keys::VARIANT,
        public_key: key.spki.clone(),
    }
}

/// The sessions named in `GET /feedback-keys` (ids separated by commas, 1 to
/// `MAX_KEYS_PER_REQUEST`), in the order named; not found when any does not exist.
pub fn named_sessions(conn: &mut Conn, named: &str) -> Result<Vec<String>, ApiError> {
    let ids: Vec<String> = named.split(',').map(|id| id.trim().to_string()).collect();
    if ids.iter().any(|id| id.is_empty()) || ids.len() > MAX_KEYS_PER_REQUEST {
        return Err(ApiError::Validation(vec![FieldError::new(
            "session_id",
            "list",
            format!("must name 1 to {MAX_KEYS_PER_REQUEST} session ids, separated by commas"),
        )]));
    }
    let existing: std::collections::HashSet<String> = repository::existing_sessions(conn, &ids)?
        .into_iter()
        .collect();
    if ids.iter().any(|id| !existing.contains(id)) {
        return Err(ApiError::NotFound);
    }
    Ok(ids)
}

/// The sessions' keys, derived (or found in memory) with no database connection held: a first
/// derivation takes a moment of CPU.
pub fn published_keys(secret: &[u8; 32], session_ids: &[String]) -> FeedbackKeyList {
    FeedbackKeyList {
        items: derive_keys(secret, session_ids)
            .iter()
            .map(|key| published(key))
            .collect(),
    }
}

fn blinded_bytes(field: &str, encoded: &str) -> Result<Vec<u8>, ApiError> {
    URL_SAFE_NO_PAD
        .decode(encoded)
        .ok()
        .filter(|bytes| bytes.len() == keys::MODULUS_BYTES)
        .ok_or_else(|| {
            ApiError::Validation(vec![FieldError::new(
                field,
                "blinded_message",
                "must be base64url (no padding) of exactly 256 bytes",
            )])
        })
}

/// Whether the caller may receive a token for the session: placed in its group before it
/// started (a placement made after it started does not reach back) or marked present, the
/// session not cancelled and its window not closed. Returns when it closes.
fn check_grant(
    conn: &mut Conn,
    caller: &AuthUser,
    session: &SessionRow,
    window: Duration,
    now: NaiveDateTime,
) -> Result<NaiveDateTime, ApiError> {
    if session.status == SessionStatus::Cancelled {
        return Err(ApiError::Conflict("the session was cancelled".into()));
    }
    let submit_by = window_end(session, window);
    if now >= submit_by || repository::is_released(conn, &session.id)? {
        return Err(ApiError::Conflict(
            "feedback on this session has closed".into(),
        ));
    }
    let placed = groups::service::placed_before(conn, session, &caller.id)?;
    if !placed && !groups::service::was_present(conn, &session.id, &caller.id)? {
        return Err(ApiError::Forbidden);
    }
    Ok(submit_by)
}

/// Records the grant (once per person per session) and blind-signs with the session's key.
fn grant_and_sign(
    conn: &mut Conn,
    secret: &[u8; 32],
    caller: &AuthUser,
    session: &SessionRow,
    blinded: &[u8],
    submit_by: NaiveDateTime,
) -> Result<FeedbackBlindSignature, ApiError> {
    match repository::insert_grant(conn, &session.id, &caller.id) {
        Ok(()) => {}
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            return Err(ApiError::Conflict(
                "you already received your feedback token for this session".into(),
            ))
        }
        Err(other) => return Err(other.into()),
    }
    let key = keys::for_session(secret, &session.id);
    let signature = key.pair.sk.blind_sign(blinded).map_err(|_| {
        ApiError::Validation(vec![FieldError::new(
            "blinded_message",
            "blinded_message",
            "is not a blinded message for this session's key",
        )])
    })?;
    Ok(FeedbackBlindSignature {
        session_id: session.id.clone(),
        key_id: key.key_id.clone(),
        blind_signature: URL_SAFE_NO_PAD.encode(&signature.0),
        submit_by: submit_by.and_utc(),
    })
}

/// A token request that passed every check: the sessions to sign for, each with the end of
/// its window, and the blinded messages in the same order.
pub struct CheckedRequest {
    sessions: Vec<(SessionRow, NaiveDateTime)>,
    blinded: Vec<Vec<u8>>,
}

impl CheckedRequest {
    pub fn session_ids(&self) -> Vec<String> {
        self.sessions.iter().map(|(s, _)| s.id.clone()).collect()
    }
}

/// Checks a peer's request for one session's token. The server never sees the token: what it
/// will store is only that this person has received one for this session.
pub fn check_token_request(
    conn: &mut Conn,
    caller: &AuthUser,
    session_id: &str,
    request: &BlindTokenRequest,
    window: Duration,
) -> Result<CheckedRequest, ApiError> {
    let blinded = blinded_bytes("blinded_message", &request.blinded_message)?;
    let session = groups::service::find_session(conn, session_id)?.ok_or(ApiError::NotFound)?;
    let submit_by = check_grant(conn, caller, &session, window, Utc::now().naive_utc())?;
    Ok(CheckedRequest {
        sessions: vec![(session, submit_by)],
        blinded: vec![blinded],
    })
}

/// Checks a peer's request for the tokens of several sessions of one group at once, fetched
/// ahead of time so that the moment of issuance says nothing about when (or whether) an
/// answer comes.
pub fn check_group_request(
    conn: &mut Conn,
    caller: &AuthUser,
    group_id: &str,
    request: &GroupBlindRequest,
    window: Duration,
) -> Result<CheckedRequest, ApiError> {
    let mut blinded = Vec::with_capacity(request.items.len());
    for (i, item) in request.items.iter().enumerate() {
        blinded.push(blinded_bytes(
            &format!("items[{i}].blinded_message"),
            &item.blinded_message,
        )?);
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(i) = request
        .items
        .iter()
        .position(|item| !seen.insert(item.session_id.as_str()))
    {
        return Err(ApiError::Validation(vec![FieldError::new(
            format!("items[{i}].session_id"),
            "unique",
            "each session at most once",
        )]));
    }
    groups::service::find_group(conn, group_id)?.ok_or(ApiError::NotFound)?;
    let now = Utc::now().naive_utc();
    let mut sessions = Vec::with_capacity(request.items.len());
    for item in &request.items {
        let session = groups::service::find_session(conn, &item.session_id)?
            .filter(|s| s.group_id == group_id)
            .ok_or(ApiError::NotFound)?;
        let submit_by = check_grant(conn, caller, &session, window, now)?;
        sessions.push((session, submit_by));
    }
    Ok(CheckedRequest { sessions, blinded })
}

/// Derives (or finds in memory) the keys of these sessions. It holds no database connection:
/// call it between checking a request and signing, so a first derivation (a moment of CPU
/// per session) never keeps a connection from other requests.
pub fn derive_keys(
    secret: &[u8; 32],
    session_ids: &[String],
) -> Vec<std::sync::Arc<keys::SessionKey>> {
    session_ids
        .iter()
        .map(|id| keys::for_session(secret, id))
        .collect()
}

/// Records the grants of a checked request and blind-signs each session's message with that
/// session's key, all or none.
pub fn sign(
    conn: &mut Conn,
    secret: &[u8; 32],
    caller: &AuthUser,
    checked: &CheckedRequest,
) -> Result<Vec<FeedbackBlindSignature>, ApiError> {
    db::write_transaction(conn, |conn| {
        checked
            .sessions
            .iter()
            .zip(&checked.blinded)
            .map(|((session, submit_by), blinded)| {
                grant_and_sign(conn, secret, caller, session, blinded, *submit_by)
            })
            .collect::<Result<Vec<_>, ApiError>>()
    })
}

/// Whether a session exists (a submission names it before its key is derived).
pub fn session_exists(conn: &mut Conn, session_id: &str) -> Result<bool, ApiError> {
    Ok(!repository::existing_sessions(conn, &[session_id.to_string()])?.is_empty())
}

/// Whether the submission carries a token of this session, validly signed by its key.
fn token_verifies(secret: &[u8; 32], session: &SessionRow, request: &SubmitFeedback) -> bool {
    let decoded = (
        URL_SAFE_NO_PAD.decode(&request.token),
        URL_SAFE_NO_PAD.decode(&request.randomizer),
        URL_SAFE_NO_PAD.decode(&request.signature),
    );
    let (Ok(token), Ok(randomizer), Ok(signature)) = decoded else {
        return false;
    };
    let Ok(randomizer) = <[u8; 32]>::try_from(randomizer) else {
        return false;
    };
    // The token binds its session: the session id, then 32 random bytes.
    if token.len() != session.id.len() + 32 || !token.starts_with(session.id.as_bytes()) {
        return false;
    }
    let key = keys::for_session(secret, &session.id);
    key.pair
        .pk
        .verify(
            &Signature(signature),
            Some(MessageRandomizer(randomizer)),
            &token,
        )
        .is_ok()
}

/// Accepts one response for a valid, unspent token of this session, within its window. Every
/// kind of bad token is refused alike. Only the date is kept, in the program's time zone.
pub fn submit(
    conn: &mut Conn,
    secret: &[u8; 32],
    request: &SubmitFeedback,
    window: Duration,
) -> Result<(), ApiError> {
    let session = groups::service::find_session(conn, &request.session_id)?
        .ok_or(ApiError::FeedbackTokenRefused)?;
    if !token_verifies(secret, &session, request) {
        return Err(ApiError::FeedbackTokenRefused);
    }
    if session.status == SessionStatus::Cancelled {
        return Err(ApiError::Conflict("the session was cancelled".into()));
    }
    let now = Utc::now();
    if now.naive_utc() < session.starts_at {
        return Err(ApiError::Conflict(
            "the session has not taken place yet".into(),
        ));
    }
    if now.naive_utc() >= window_end(&session, window) {
        return Err(ApiError::FeedbackTokenRefused);
    }
    let today = now
        .with_timezone(&crate::domain::PROGRAM_TIME_ZONE)
        .date_naive();
    let comment = request
        .comment
        .as_ref()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    let spent = URL_SAFE_NO_PAD
        .decode(&request.token)
        .map(|token| hex(&Sha256::digest(token)))
        .map_err(|_| ApiError::FeedbackTokenRefused)?;
    db::write_transaction(conn, |conn| {
        // Serialized with the release of this session: once released, its responses are final.
        db::lock_name(conn, &release_lock(&session.id))?;
        if repository::is_released(conn, &session.id)? {
            return Err(ApiError::FeedbackTokenRefused);
        }
        match repository::spend_token(conn, &spent, &session.id) {
            Ok(()) => {}
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                return Err(ApiError::FeedbackTokenRefused)
            }
            Err(other) => return Err(other.into()),
        }
        let answer = PendingAnswer {
            submitted_on: today,
            felt_safe: request.felt_safe,
            felt_heard: request.felt_heard,
            found_useful: request.found_useful,
            would_recommend: request.would_recommend,
            comment: comment.clone(),
        };
        let plaintext = serde_json::to_vec(&answer).map_err(|_| ApiError::Internal)?;
        repository::insert_pending(
            conn,
            &db::new_id(),
            &session.id,
            &sealing::seal(secret, &session.id, &plaintext),
        )?;
        Ok(())
    })
}

/// The name that serializes a session's release with submissions to it.
fn release_lock(session_id: &str) -> String {
    format!("feedback release {session_id}")
}

/// Releases one session whose window has closed, once: moves its waiting answers into the
/// responses — all of them in one transaction and in random order, so that neither row order
/// nor transaction ids follow the order in which people answered — and decides for good
/// whether it counts in summaries: scheduled, at least `MINIMUM_RESPONSES` responses and as
/// many people placed before it started or present at it.
fn release(conn: &mut Conn, secret: &[u8; 32], session_id: &str) -> Result<(), ApiError> {
    use rand::seq::SliceRandom;
    db::write_transaction(conn, |conn| {
        db::lock_name(conn, &release_lock(session_id))?;
        if repository::is_released(conn, session_id)? {
            return Ok(());
        }
        let session = groups::service::find_session(conn, session_id)?.ok_or(ApiError::NotFound)?;
        let mut rows = Vec::new();
        for sealed in repository::take_pending(conn, session_id)? {
            let answer: PendingAnswer = sealing::open(secret, session_id, &sealed)
                .and_then(|plain| serde_json::from_slice(&plain).ok())
                .ok_or(ApiError::Internal)?;
            rows.push(ResponseRow {
                id: db::new_id(),
                session_id: session_id.to_string(),
                submitted_on: answer.submitted_on,
                felt_safe: answer.felt_safe,
                felt_heard: answer.felt_heard,
                found_useful: answer.found_useful,
                would_recommend: answer.would_recommend,
                comment: answer.comment,
            });
        }
        rows.shuffle(&mut rand::rngs::OsRng);
        repository::insert_responses(conn, &rows)?;
        let responses = repository::response_count(conn, session_id)?;
        let counted = session.status == SessionStatus::Scheduled
            && responses >= MINIMUM_RESPONSES
            && groups::service::people_at(conn, &session)? as i64 >= MINIMUM_RESPONSES;
        repository::insert_released(conn, session_id, counted)?;
        Ok(())
    })
}

/// Releases the sessions whose window closed by `now` and that were not released yet (among
/// `among` when given), at most `limit`; returns how many.
pub fn release_due(
    conn: &mut Conn,
    secret: &[u8; 32],
    window: Duration,
    now: NaiveDateTime,
    among: Option<&[String]>,
    limit: i64,
) -> Result<usize, ApiError> {
    let window = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::days(7));
    let Some(started_by) = now.checked_sub_signed(window) else {
        return Ok(0);
    };
    let due = repository::unreleased(conn, started_by, among, limit)?;
    for session_id in &due {
        release(conn, secret, session_id)?;
    }
    Ok(due.len())
}

/// The sessions a summary may count: released (window closed, so their responses never change
/// again) and counted (five or more responses, five or more people at them), so no summary —
/// nor the difference of two — isolates fewer than five people.
fn summarize(
    conn: &mut Conn,
    secret: &[u8; 32],
    scope: &'static str,
    sessions: &[(String, NaiveDateTime)],
    window: Duration,
) -> Result<FeedbackSummary, ApiError> {
    let now = Utc::now().naive_utc();
    let span = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::days(7));
    let closed: Vec<String> = sessions
        .iter()
        .filter(|(_, starts_at)| {
            starts_at
                .checked_add_signed(span)
                .is_some_and(|closes| closes <= now)
        })
        .map(|(id, _)| id.clone())
        .collect();
    release_due(
        conn,
        secret,
        window,
        now,
        Some(&closed),
        closed.len() as i64,
    )?;
    // Released sessions are final whatever the window setting is now (an operator lengthening
    // FEEDBACK_WINDOW_HOURS re-opens nothing).
    let all: Vec<String> = sessions.iter().map(|(id, _)| id.clone()).collect();
    let released = repository::released(conn, &all)?;
    let counted: Vec<String> = released
        .iter()
        .filter(|(_, counted)| *counted)
        .map(|(id, _)| id.clone())
        .collect();
    let responses = repository::responses_of(conn, &counted)?;
    if (responses.len() as i64) < MINIMUM_RESPONSES {
        let collecting =
            scope == "session" && closed.is_empty() && released.is_empty() && !sessions.is_empty();
        return Ok(suppressed(
            scope,
            if collecting {
                "collecting"
            } else {
                "too_few_responses"
            },
        ));
    }
    let rating = |pick: fn(&ResponseRow) -> Option<i16>| {
        let mut distribution = [0i64; 5];
        for value in responses.iter().filter_map(pick) {
            distribution[(value.clamp(1, 5) - 1) as usize] += 1;
        }
        let answered: i64 = distribution.iter().sum();
        let total: i64 = distribution
            .iter()
            .enumerate()
            .map(|(i, n)| (i as i64 + 1) * n)
            .sum();
        RatingSummary {
            answered,
            average: (answered > 0)
                .then(|| ((total as f64 / answered as f64) * 100.0).round() / 100.0),
            distribution,
        }
    };
    let mut comments: Vec<String> = responses.iter().filter_map(|r| r.comment.clone()).collect();
    comments.sort();
    Ok(FeedbackSummary {
        scope,
        suppressed: false,
        reason: None,
        minimum_responses: MINIMUM_RESPONSES,
        response_count: Some(responses.len() as i64),
        sessions_included: Some(counted.len() as i64),
        felt_safe: Some(rating(|r| r.felt_safe)),
        felt_heard: Some(rating(|r| r.felt_heard)),
        found_useful: Some(rating(|r| r.found_useful)),
        would_recommend: Some(rating(|r| r.would_recommend)),
        comments: Some(comments),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn suppressed(scope: &'static str, reason: &'static str) -> FeedbackSummary {
    FeedbackSummary {
        scope,
        suppressed: true,
        reason: Some(reason),
        minimum_responses: MINIMUM_RESPONSES,
        response_count: None,
        sessions_included: None,
        felt_safe: None,
        felt_heard: None,
        found_useful: None,
        would_recommend: None,
        comments: None,
    }
}

pub fn session_summary(
    conn: &mut Conn,
    secret: &[u8; 32],
    caller: &AuthUser,
    session_id: &str,
    window: Duration,
) -> Result<FeedbackSummary, ApiError> {
    let session = groups::service::find_session(conn, session_id)?.ok_or(ApiError::NotFound)?;
    groups::service::group_led_by(conn, caller, &session.group_id)?;
    summarize(
        conn,
        secret,
        "session",
        &[(session.id, session.starts_at)],
        window,
    )
}

pub fn group_summary(
    conn: &mut Conn,
    secret: &[u8; 32],
    caller: &AuthUser,
    group_id: &str,
    window: Duration,
) -> Result<FeedbackSummary, ApiError> {
    groups::service::group_led_by(conn, caller, group_id)?;
    let sessions = repository::sessions_of(conn, Some(group_id), None)?;
    summarize(conn, secret, "group", &sessions, window)
}

pub fn program_summary(
    conn: &mut Conn,
    secret: &[u8; 32],
    from: NaiveDate,
    to: NaiveDate,
    window: Duration,
) -> Result<FeedbackSummary, ApiError> {
    // Up to the day after `to`, or the latest time the API can hold (both backends compare it).
    let range = (
        from.and_time(chrono::NaiveTime::MIN),
        time::later_or_latest(
            to.and_time(chrono::NaiveTime::MIN),
            chrono::Duration::days(1),
        ),
    );
    let sessions = repository::sessions_of(conn, None, Some(range))?;
    summarize(conn, secret, "program", &sessions, window)
}
