use std::{collections::HashMap, time::Duration};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::{models::*, repository};
use crate::{
    auth::{tokens, AuthUser},
    db::{self, Conn},
    error::ApiError,
    groups::{
        self,
        models::{SessionRow, SessionStatus},
    },
};

fn window_end(session: &SessionRow, window: Duration) -> NaiveDateTime {
    session.starts_at + chrono::Duration::from_std(window).unwrap_or(chrono::Duration::days(7))
}

fn mac_message(session_id: &str, nonce: &[u8]) -> Vec<u8> {
    let mut message = b"feedback|".to_vec();
    message.extend_from_slice(session_id.as_bytes());
    message.push(b'|');
    message.extend_from_slice(nonce);
    message
}

/// Gives a peer placed in (or present at) a session its single feedback token. The token is
/// signed, not stored; what is stored is only that this person has received one.
pub fn issue_token(
    conn: &mut Conn,
    keys: &tokens::TokenKeys,
    caller: &AuthUser,
    session_id: &str,
    window: Duration,
) -> Result<FeedbackToken, ApiError> {
    let session = groups::service::find_session(conn, session_id)?.ok_or(ApiError::NotFound)?;
    let now = Utc::now().naive_utc();
    if session.status == SessionStatus::Cancelled {
        return Err(ApiError::Conflict("the session was cancelled".into()));
    }
    if now < session.starts_at {
        return Err(ApiError::Conflict(
            "the session has not taken place yet".into(),
        ));
    }
    let submit_by = window_end(&session, window);
    if now >= submit_by {
        return Err(ApiError::Conflict(
            "feedback on this session has closed".into(),
        ));
    }
    let placed = groups::service::is_active_participant(conn, &session.group_id, &caller.id)?;
    let present = groups::service::was_present(conn, session_id, &caller.id)?;
    if !placed && !present {
        return Err(ApiError::Forbidden);
    }
    match repository::insert_grant(conn, session_id, &caller.id) {
        Ok(()) => {}
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            return Err(ApiError::Conflict(
                "you already received your feedback token for this session".into(),
            ))
        }
        Err(other) => return Err(other.into()),
    }
    let nonce = tokens::random_bytes(16);
    let tag = keys.feedback_mac(&mac_message(session_id, &nonce));
    Ok(FeedbackToken {
        session_id: session_id.to_string(),
        token: format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&nonce),
            URL_SAFE_NO_PAD.encode(tag)
        ),
        submit_by: submit_by.and_utc(),
    })
}

/// Accepts one response for a valid, unspent token of this session, within its window. Every
/// kind of bad token is refused alike. Only the date is kept, in the program's time zone.
pub fn submit(
    conn: &mut Conn,
    keys: &tokens::TokenKeys,
    request: &SubmitFeedback,
    window: Duration,
) -> Result<(), ApiError> {
    let session = groups::service::find_session(conn, &request.session_id)?
        .ok_or(ApiError::FeedbackTokenRefused)?;
    let valid = request
        .token
        .split_once('.')
        .and_then(|(nonce, tag)| {
            Some((
                URL_SAFE_NO_PAD.decode(nonce).ok()?,
                URL_SAFE_NO_PAD.decode(tag).ok()?,
            ))
        })
        .is_some_and(|(nonce, tag)| {
            keys.feedback_mac_matches(&mac_message(&session.id, &nonce), &tag)
        });
    if !valid {
        return Err(ApiError::FeedbackTokenRefused);
    }
    if session.status == SessionStatus::Cancelled {
        return Err(ApiError::Conflict("the session was cancelled".into()));
    }
    let now = Utc::now();
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
    db::write_transaction(conn, |conn| {
        match repository::spend_token(conn, &tokens::secret_hash(&request.token), &session.id) {
            Ok(()) => {}
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                return Err(ApiError::FeedbackTokenRefused)
            }
            Err(other) => return Err(other.into()),
        }
        repository::insert_response(
            conn,
            &ResponseRow {
                id: db::new_id(),
                session_id: session.id.clone(),
                submitted_on: today,
                felt_safe: request.felt_safe,
                felt_heard: request.felt_heard,
                found_useful: request.found_useful,
                would_recommend: request.would_recommend,
                comment,
            },
        )?;
        Ok(())
    })
}

/// The sessions a summary may count: window closed and at least `MINIMUM_RESPONSES` responses.
/// Their responses never change again, and each brings five or more, so no summary — nor the
/// difference of two — isolates fewer than five people.
fn summarize(
    conn: &mut Conn,
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
    caller: &AuthUser,
    session_id: &str,
    window: Duration,
) -> Result<FeedbackSummary, ApiError> {
    let session = groups::service::find_session(conn, session_id)?.ok_or(ApiError::NotFound)?;
    groups::service::group_led_by(conn, caller, &session.group_id)?;
    summarize(conn, "session", &[(session.id, session.starts_at)], window)
}

pub fn group_summary(
    conn: &mut Conn,
    caller: &AuthUser,
    group_id: &str,
    window: Duration,
) -> Result<FeedbackSummary, ApiError> {
    groups::service::group_led_by(conn, caller, group_id)?;
    let sessions = repository::sessions_of(conn, Some(group_id), None)?;
    summarize(conn, "group", &sessions, window)
}

pub fn program_summary(
    conn: &mut Conn,
    from: NaiveDate,
    to: NaiveDate,
    window: Duration,
) -> Result<FeedbackSummary, ApiError> {
    let range = (
        from.and_time(chrono::NaiveTime::MIN),
        to.and_time(chrono::NaiveTime::MIN) + chrono::Duration::days(1),
    );
    let sessions = repository::sessions_of(conn, None, Some(range))?;
    summarize(conn, "program", &sessions, window)
}
