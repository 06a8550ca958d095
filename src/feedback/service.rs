use std::{collections::HashMap, time::Duration};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use blind_rsa_signatures::{MessageRandomizer, Signature};
use chrono::{Datelike, NaiveTime};
use sha2::{Digest, Sha256};

use super::{keys, models::*, repository, sealing};
use crate::{
    auth::AuthUser,
    db::{self, Conn},
    error::{ApiError, FieldError},
    groups::{
        self,
        models::{SessionRow, SessionStatus},
    },
};

fn window_end(session: &SessionRow, window: Duration) -> NaiveDateTime {
    session.starts_at + chrono::Duration::from_std(window).unwrap_or(chrono::Duration::days(7))
}

/// How far ahead a period's key may be asked for: sessions are scheduled at most this far out.
const PERIODS_AHEAD: u32 = 60;

fn published(key: &keys::PeriodKey) -> FeedbackKey {
    FeedbackKey {
        key_id: key.key_id.clone(),
        period: key.period.clone(),
        variant: keys::VARIANT,
        public_key: key.spki.clone(),
    }
}

/// The published keys: by default the previous, the current and the next three periods; or the
/// one period asked for (from the previous one to `PERIODS_AHEAD` months ahead), so that a peer
/// can blind tokens for the sessions ahead of them.
pub fn published_keys(
    secret: &[u8; 32],
    period: Option<&str>,
) -> Result<FeedbackKeyList, ApiError> {
    let now = Utc::now().naive_utc().date();
    let this_month = now.with_day(1).unwrap_or(now);
    let month = |offset: i32| {
        let first = if offset < 0 {
            this_month - chrono::Months::new(offset.unsigned_abs())
        } else {
            this_month + chrono::Months::new(offset as u32)
        };
        keys::period_of(first.and_time(NaiveTime::MIN))
    };
    let periods: Vec<String> = match period {
        None => (-1..=3).map(month).collect(),
        Some(asked) => {
            let allowed = (-1..=PERIODS_AHEAD as i32).map(month).any(|p| p == asked);
            if !allowed {
                return Err(ApiError::Validation(vec![FieldError::new(
                    "period",
                    "range",
                    format!(
                        "must be a month (YYYY-MM) from last month to {PERIODS_AHEAD} months ahead"
                    ),
                )]));
            }
            vec![asked.to_string()]
        }
    };
    Ok(FeedbackKeyList {
        items: periods
            .iter()
            .map(|p| published(&keys::for_period(secret, p)))
            .collect(),
    })
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

/// Whether the caller may receive a token for the session: placed in its group or marked
/// present, the session not cancelled and its window not closed. Returns when it closes.
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
    if now >= submit_by {
        return Err(ApiError::Conflict(
            "feedback on this session has closed".into(),
        ));
    }
    let placed = groups::service::is_active_participant(conn, &session.group_id, &caller.id)?;
    let present = groups::service::was_present(conn, &session.id, &caller.id)?;
    if !placed && !present {
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
    let key = keys::for_period(secret, &keys::period_of(session.starts_at));
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

/// Blind-signs a peer's token for one session. The server never sees the token: what it
/// stores is only that this person has received one for this session.
pub fn issue_token(
    conn: &mut Conn,
    secret: &[u8; 32],
    caller: &AuthUser,
    session_id: &str,
    request: &BlindTokenRequest,
    window: Duration,
) -> Result<FeedbackBlindSignature, ApiError> {
    let blinded = blinded_bytes("blinded_message", &request.blinded_message)?;
    let session = groups::service::find_session(conn, session_id)?.ok_or(ApiError::NotFound)?;
    let now = Utc::now().naive_utc();
    let submit_by = check_grant(conn, caller, &session, window, now)?;
    db::write_transaction(conn, |conn| {
        grant_and_sign(conn, secret, caller, &session, &blinded, submit_by)
    })
}

/// Blind-signs a peer's tokens for several sessions of one group at once, all or none, so the
/// moment of issuance says nothing about when (or whether) an answer comes.
pub fn issue_group_tokens(
    conn: &mut Conn,
    secret: &[u8; 32],
    caller: &AuthUser,
    group_id: &str,
    request: &GroupBlindRequest,
    window: Duration,
) -> Result<FeedbackBlindSignatures, ApiError> {
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
    let items = db::write_transaction(conn, |conn| {
        sessions
            .iter()
            .zip(&blinded)
            .map(|((session, submit_by), blinded)| {
                grant_and_sign(conn, secret, caller, session, blinded, *submit_by)
            })
            .collect::<Result<Vec<_>, ApiError>>()
    })?;
    Ok(FeedbackBlindSignatures { items })
}

/// Whether the submission carries a token of this session, validly signed by its period's key.
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
    let key = keys::for_period(secret, &keys::period_of(session.starts_at));
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

/// Moves the waiting answers of these closed sessions into the responses: per session, all of
/// them in one transaction and in random order, so that neither row order nor transaction ids
/// of the responses follow the order in which people answered.
pub fn release_closed(
    conn: &mut Conn,
    secret: &[u8; 32],
    closed: &[String],
) -> Result<(), ApiError> {
    use rand::seq::SliceRandom;
    for session_id in repository::sessions_pending(conn, closed)? {
        db::write_transaction(conn, |conn| {
            let mut answers = Vec::new();
            for sealed in repository::take_pending(conn, &session_id)? {
                let answer: PendingAnswer = sealing::open(secret, &session_id, &sealed)
                    .and_then(|plain| serde_json::from_slice(&plain).ok())
                    .ok_or(ApiError::Internal)?;
                answers.push(answer);
            }
            answers.shuffle(&mut rand::rngs::OsRng);
            for answer in answers {
                repository::insert_response(
                    conn,
                    &ResponseRow {
                        id: db::new_id(),
                        session_id: session_id.clone(),
                        submitted_on: answer.submitted_on,
                        felt_safe: answer.felt_safe,
                        felt_heard: answer.felt_heard,
                        found_useful: answer.found_useful,
                        would_recommend: answer.would_recommend,
                        comment: answer.comment,
                    },
                )?;
            }
            Ok::<(), ApiError>(())
        })?;
    }
    Ok(())
}

/// The sessions a summary may count: window closed and at least `MINIMUM_RESPONSES` responses.
/// Their responses never change again, and each brings five or more, so no summary — nor the
/// difference of two — isolates fewer than five people.
fn summarize(
    conn: &mut Conn,
    secret: &[u8; 32],
    scope: &'static str,
    sessions: &[(String, NaiveDateTime)],
    window: Duration,
) -> Result<FeedbackSummary, ApiError> {
    let now = Utc::now().naive_utc();
    let window = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::days(7));
    let closed: Vec<String> = sessions
        .iter()
        .filter(|(_, starts_at)| *starts_at + window <= now)
        .map(|(id, _)| id.clone())
        .collect();
    release_closed(conn, secret, &closed)?;
    let mut by_session: HashMap<String, Vec<ResponseRow>> = HashMap::new();
    for row in repository::responses_of(conn, &closed)? {
        by_session
            .entry(row.session_id.clone())
            .or_default()
            .push(row);
    }
    let included: Vec<Vec<ResponseRow>> = by_session
        .into_values()
        .filter(|rows| rows.len() as i64 >= MINIMUM_RESPONSES)
        .collect();
    let responses: Vec<&ResponseRow> = included.iter().flatten().collect();
    if (responses.len() as i64) < MINIMUM_RESPONSES {
        let collecting = scope == "session" && closed.is_empty() && !sessions.is_empty();
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
        for value in responses.iter().filter_map(|r| pick(r)) {
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
        sessions_included: Some(included.len() as i64),
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
    let range = (
        from.and_time(chrono::NaiveTime::MIN),
        to.and_time(chrono::NaiveTime::MIN) + chrono::Duration::days(1),
    );
    let sessions = repository::sessions_of(conn, None, Some(range))?;
    summarize(conn, secret, "program", &sessions, window)
}
