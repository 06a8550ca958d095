use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{AccountTokenRow, RefreshTokenRow, SessionRow, TokenPurpose};
use crate::db::{
    schema::{account_tokens, email_verifications, refresh_tokens, sessions},
    Conn,
};

pub fn insert_session(conn: &mut Conn, row: &SessionRow) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn insert_refresh_token(conn: &mut Conn, row: &RefreshTokenRow) -> QueryResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find_refresh_token(
    conn: &mut Conn,
    hash: &str,
) -> QueryResult<Option<(RefreshTokenRow, SessionRow)>> {
    refresh_tokens::table
        .inner_join(sessions::table)
        .filter(refresh_tokens::token_hash.eq(hash))
        .first(conn)
        .optional()
}

/// Marks a refresh token used, only if it was not: 0 means someone spent it first.
pub fn spend_refresh_token(conn: &mut Conn, hash: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(hash))
            .filter(refresh_tokens::used_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(now))
    .execute(conn)
}

pub fn revoke_session(conn: &mut Conn, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(now))
    .execute(conn)
}

/// Ends every session of a user but `except` (the caller's own, when it goes on).
pub fn revoke_user_sessions(
    conn: &mut Conn,
    user_id: &str,
    except: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let keep = except.unwrap_or("").to_string();
    diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::id.ne(keep))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(now))
    .execute(conn)
}

pub fn session_is_active(
    conn: &mut Conn,
    id: &str,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(now)),
    ))
    .get_result(conn)
}

/// Adds a hit to `key`'s window, or starts a new window at `now` when the current one started
/// at or before `ended_before`; returns the hits in the window and when it started. One
/// statement, so concurrent hits (any number of instances) are all counted.
pub fn rate_limit_hit(
    conn: &mut Conn,
    key: &str,
    now: NaiveDateTime,
    ended_before: NaiveDateTime,
) -> QueryResult<(i32, NaiveDateTime)> {
    use crate::db::schema::rate_limits::dsl as r;
    use diesel::dsl::case_when;
    crate::db::on_backend!(conn, |c| diesel::insert_into(r::rate_limits)
        .values((r::key.eq(key), r::window_start.eq(now), r::hits.eq(1)))
        .on_conflict(r::key)
        .do_update()
        .set((
            r::hits.eq(case_when(
                r::window_start.le(ended_before),
                1.into_sql::<diesel::sql_types::Integer>()
            )
            .otherwise(r::hits + 1)),
            r::window_start.eq(case_when(
                r::window_start.le(ended_before),
                now.into_sql::<diesel::sql_types::Timestamp>()
            )
            .otherwise(r::window_start)),
        ))
        .returning((r::hits, r::window_start))
        .get_result(c))
}

/// `key`'s hits and window start, if it has a window.
pub fn rate_limit_state(conn: &mut Conn, key: &str) -> QueryResult<Option<(i32, NaiveDateTime)>> {
    use crate::db::schema::rate_limits::dsl as r;
    r::rate_limits
        .find(key)
        .select((r::hits, r::window_start))
        .first(conn)
        .optional()
}

pub fn is_verified(conn: &mut Conn, user_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        email_verifications::table.filter(email_verifications::user_id.eq(user_id)),
    ))
    .get_result(conn)
}

/// Marks an address verified; 0 when it already was.
pub fn mark_verified(conn: &mut Conn, user_id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    if is_verified(conn, user_id)? {
        return Ok(0);
    }
    diesel::insert_into(email_verifications::table)
        .values((
            email_verifications::user_id.eq(user_id),
            email_verifications::verified_at.eq(now),
        ))
        .execute(conn)
}

pub fn insert_account_token(conn: &mut Conn, row: &AccountTokenRow) -> QueryResult<()> {
    diesel::insert_into(account_tokens::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// A token of one of `purposes` by its hash, if it is unused and unexpired at `now`.
pub fn find_live_token(
    conn: &mut Conn,
    hash: &str,
    purposes: &[TokenPurpose],
    now: NaiveDateTime,
) -> QueryResult<Option<AccountTokenRow>> {
    account_tokens::table
        .filter(account_tokens::token_hash.eq(hash))
        .filter(account_tokens::purpose.eq_any(purposes.to_vec()))
        .filter(account_tokens::used_at.is_null())
        .filter(account_tokens::expires_at.gt(now))
        .first(conn)
        .optional()
}

/// Forgets windows that started before `before` (they are over for every limit).
pub fn forget_rate_limits(conn: &mut Conn, before: NaiveDateTime) -> QueryResult<usize> {
    use crate::db::schema::rate_limits::dsl as r;
    diesel::delete(r::rate_limits.filter(r::window_start.lt(before))).execute(conn)
}

/// Forgets the windows of `keys`, and of every key that starts with `prefix` (taken literally:
/// `%`, `_` and `\\` in it match only themselves).
pub fn forget_rate_limit_keys(
    conn: &mut Conn,
    keys: &[String],
    prefix: &str,
) -> QueryResult<usize> {
    use crate::db::schema::rate_limits::dsl as r;
    let escaped = prefix
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    diesel::delete(
        r::rate_limits.filter(
            r::key
                .eq_any(keys.to_vec())
                .or(r::key.like(format!("{escaped}%")).escape('\\')),
        ),
    )
    .execute(conn)
}

/// Spends a token only if it is still live: 0 means it was spent (or expired) first.
pub fn spend_token(conn: &mut Conn, hash: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        account_tokens::table
            .filter(account_tokens::token_hash.eq(hash))
            .filter(account_tokens::used_at.is_null())
            .filter(account_tokens::expires_at.gt(now)),
    )
    .set(account_tokens::used_at.eq(now))
    .execute(conn)
}

/// Removes an account's tokens of `purposes` (a newer one replaces them, or they are moot).
pub fn delete_tokens(
    conn: &mut Conn,
    user_id: &str,
    purposes: &[TokenPurpose],
) -> QueryResult<usize> {
    diesel::delete(
        account_tokens::table
            .filter(account_tokens::user_id.eq(user_id))
            .filter(account_tokens::purpose.eq_any(purposes.to_vec())),
    )
    .execute(conn)
}
