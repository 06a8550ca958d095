use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::ResponseRow;
use crate::{
    db::{
        schema::{
            feedback_grants, feedback_pending, feedback_responses, feedback_spent_tokens,
            group_sessions,
        },
        Conn,
    },
    groups::models::SessionStatus,
};

/// Records that a person received their token for a session (no time, no token).
pub fn insert_grant(conn: &mut Conn, session_id: &str, person_id: &str) -> QueryResult<()> {
    diesel::insert_into(feedback_grants::table)
        .values((
            feedback_grants::session_id.eq(session_id),
            feedback_grants::person_id.eq(person_id),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Spends a token: fails with a unique violation when it was spent before.
pub fn spend_token(conn: &mut Conn, token_hash: &str, session_id: &str) -> QueryResult<()> {
    diesel::insert_into(feedback_spent_tokens::table)
        .values((
            feedback_spent_tokens::token_hash.eq(token_hash),
            feedback_spent_tokens::session_id.eq(session_id),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Keeps a sealed answer until its session's window closes (no time, no sequence).
pub fn insert_pending(
    conn: &mut Conn,
    id: &str,
    session_id: &str,
    sealed: &str,
) -> QueryResult<()> {
    diesel::insert_into(feedback_pending::table)
        .values((
            feedback_pending::id.eq(id),
            feedback_pending::session_id.eq(session_id),
            feedback_pending::sealed.eq(sealed),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Which of these sessions have answers waiting.
pub fn sessions_pending(conn: &mut Conn, session_ids: &[String]) -> QueryResult<Vec<String>> {
    feedback_pending::table
        .filter(feedback_pending::session_id.eq_any(session_ids))
        .select(feedback_pending::session_id)
        .distinct()
        .load(conn)
}

/// Takes a session's waiting answers out (deleted and returned at once): a concurrent caller
/// finds none left, so each answer is moved exactly once.
pub fn take_pending(conn: &mut Conn, session_id: &str) -> QueryResult<Vec<String>> {
    diesel::delete(feedback_pending::table.filter(feedback_pending::session_id.eq(session_id)))
        .returning(feedback_pending::sealed)
        .get_results(conn)
}

pub fn insert_response(conn: &mut Conn, row: &ResponseRow) -> QueryResult<()> {
    diesel::insert_into(feedback_responses::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// (session id, starts at) of the scheduled sessions of a group (or of every group), started
/// in `[from, to)` when a range is given.
pub fn sessions_of(
    conn: &mut Conn,
    group_id: Option<&str>,
    range: Option<(NaiveDateTime, NaiveDateTime)>,
) -> QueryResult<Vec<(String, NaiveDateTime)>> {
    let mut q = group_sessions::table
        .filter(group_sessions::status.eq(SessionStatus::Scheduled))
        .select((group_sessions::id, group_sessions::starts_at))
        .into_boxed();
    if let Some(group) = group_id {
        q = q.filter(group_sessions::group_id.eq(group.to_string()));
    }
    if let Some((from, to)) = range {
        q = q
            .filter(group_sessions::starts_at.ge(from))
            .filter(group_sessions::starts_at.lt(to));
    }
    q.load(conn)
}

pub fn responses_of(conn: &mut Conn, session_ids: &[String]) -> QueryResult<Vec<ResponseRow>> {
    feedback_responses::table
        .filter(feedback_responses::session_id.eq_any(session_ids))
        .load(conn)
}
