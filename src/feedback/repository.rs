use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::ResponseRow;
use crate::db::{
    schema::{
        feedback_grants, feedback_pending, feedback_released, feedback_responses,
        feedback_spent_tokens, group_sessions,
    },
    Conn,
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

/// Which of these sessions exist.
pub fn existing_sessions(conn: &mut Conn, session_ids: &[String]) -> QueryResult<Vec<String>> {
    group_sessions::table
        .filter(group_sessions::id.eq_any(session_ids))
        .select(group_sessions::id)
        .load(conn)
}

/// Sessions (of any status) that started at or before `started_by` and were not released yet,
/// at most `limit`; restricted to `among` when given.
pub fn unreleased(
    conn: &mut Conn,
    started_by: NaiveDateTime,
    among: Option<&[String]>,
    limit: i64,
) -> QueryResult<Vec<String>> {
    let mut q = group_sessions::table
        .left_join(feedback_released::table)
        .filter(feedback_released::session_id.is_null())
        .filter(group_sessions::starts_at.le(started_by))
        .select(group_sessions::id)
        .order(group_sessions::starts_at)
        .limit(limit)
        .into_boxed();
    if let Some(ids) = among {
        q = q.filter(group_sessions::id.eq_any(ids.to_vec()));
    }
    q.load(conn)
}

/// Whether the session's answers were released (its responses final).
pub fn is_released(conn: &mut Conn, session_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        feedback_released::table.filter(feedback_released::session_id.eq(session_id)),
    ))
    .get_result(conn)
}

pub fn insert_released(conn: &mut Conn, session_id: &str, counted: bool) -> QueryResult<()> {
    diesel::insert_into(feedback_released::table)
        .values((
            feedback_released::session_id.eq(session_id),
            feedback_released::counted.eq(counted),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn response_count(conn: &mut Conn, session_id: &str) -> QueryResult<i64> {
    feedback_responses::table
        .filter(feedback_responses::session_id.eq(session_id))
        .count()
        .get_result(conn)
}

/// Which of these sessions were released, and whether each counts in summaries.
pub fn released(conn: &mut Conn, session_ids: &[String]) -> QueryResult<Vec<(String, bool)>> {
    feedback_released::table
        .filter(feedback_released::session_id.eq_any(session_ids))
        .select((feedback_released::session_id, feedback_released::counted))
        .load(conn)
}

/// Takes a session's waiting answers out (deleted and returned at once): a concurrent caller
/// finds none left, so each answer is moved exactly once.
pub fn take_pending(conn: &mut Conn, session_id: &str) -> QueryResult<Vec<String>> {
    diesel::delete(feedback_pending::table.filter(feedback_pending::session_id.eq(session_id)))
        .returning(feedback_pending::sealed)
        .get_results(conn)
}

/// Writes a session's responses in one statement, in the order given.
pub fn insert_responses(conn: &mut Conn, rows: &[ResponseRow]) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    crate::db::on_backend!(conn, |c| diesel::insert_into(feedback_responses::table)
        .values(rows)
        .execute(c)
        .map(|_| ()))
}

/// (session id, starts at) of the sessions of a group (or of every group), started in
/// `[from, to)` when a range is given, whatever their status: whether one counts was decided
/// when it was released.
pub fn sessions_of(
    conn: &mut Conn,
    group_id: Option<&str>,
    range: Option<(NaiveDateTime, NaiveDateTime)>,
) -> QueryResult<Vec<(String, NaiveDateTime)>> {
    let mut q = group_sessions::table
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
