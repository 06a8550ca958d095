use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{DeliveryStatus, NotificationFilter, NotificationRow};
use crate::{
    db::{schema::notifications, Conn},
    pagination::PageRequest,
};

pub fn insert(conn: &mut Conn, row: &NotificationRow) -> QueryResult<()> {
    diesel::insert_into(notifications::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut Conn, id: &str) -> QueryResult<Option<NotificationRow>> {
    notifications::table.find(id).first(conn).optional()
}

/// A recipient's notices, newest first: the page starts strictly before the cursor's
/// (created_at, id), so rows added while a client pages never repeat or go missing.
pub fn list_for_recipient(
    conn: &mut Conn,
    recipient_id: &str,
    filter: &NotificationFilter,
    page: &PageRequest,
) -> QueryResult<Vec<NotificationRow>> {
    let mut q = notifications::table
        .filter(notifications::recipient_id.eq(recipient_id))
        .into_boxed();
    match filter.unread {
        Some(true) => q = q.filter(notifications::read_at.is_null()),
        Some(false) => q = q.filter(notifications::read_at.is_not_null()),
        None => {}
    }
    if let Some(before) = &page.after {
        q = q.filter(
            notifications::created_at
                .lt(before.created_at)
                .or(notifications::created_at
                    .eq(before.created_at)
                    .and(notifications::id.lt(before.id.clone()))),
        );
    }
    q.order((notifications::created_at.desc(), notifications::id.desc()))
        .limit(page.limit + 1)
        .load(conn)
}

/// Notice `id` if it is addressed to account `recipient_id`.
pub fn find_for_recipient(
    conn: &mut Conn,
    recipient_id: &str,
    id: &str,
) -> QueryResult<Option<NotificationRow>> {
    notifications::table
        .filter(notifications::id.eq(id))
        .filter(notifications::recipient_id.eq(recipient_id))
        .first(conn)
        .optional()
}

/// Sets `read_at` of notice `id` of `recipient_id` if it is not set yet.
pub fn mark_read(
    conn: &mut Conn,
    recipient_id: &str,
    id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        notifications::table
            .filter(notifications::id.eq(id))
            .filter(notifications::recipient_id.eq(recipient_id))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(now))
    .execute(conn)
}

/// How many emails account `recipient_id` was sent since `since`, with those other senders
/// hold right now (claimed until after `now`), other than notice `except`: a sender counts the
/// ones in flight so that two senders at once cannot both send the last one allowed.
pub fn mailed_since(
    conn: &mut Conn,
    recipient_id: &str,
    except: &str,
    since: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    notifications::table
        .filter(notifications::recipient_id.eq(recipient_id))
        .filter(notifications::id.ne(except))
        .filter(
            notifications::status
                .eq(DeliveryStatus::Sent)
                .and(notifications::sent_at.gt(since))
                .or(notifications::status
                    .eq(DeliveryStatus::Pending)
                    .and(notifications::locked_until.gt(now))),
        )
        .count()
        .get_result(conn)
}

/// Closes a claimed notice without mailing it (`not_mailed`, `mail_limit_reached`): it stays
/// readable in the account and is never retried.
pub fn mark_unmailed(
    conn: &mut Conn,
    id: &str,
    claimed_until: NaiveDateTime,
    status: DeliveryStatus,
) -> QueryResult<usize> {
    diesel::update(
        notifications::table
            .filter(notifications::id.eq(id))
            .filter(notifications::status.eq(DeliveryStatus::Pending))
            .filter(notifications::locked_until.eq(claimed_until)),
    )
    .set((
        notifications::status.eq(status),
        notifications::locked_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}

/// Ids of pending notices due at `now` and not held by another sender, oldest due first.
pub fn due_ids(conn: &mut Conn, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<String>> {
    notifications::table
        .filter(notifications::status.eq(DeliveryStatus::Pending))
        .filter(notifications::next_attempt_at.le(now))
        .filter(
            notifications::locked_until
                .is_null()
                .or(notifications::locked_until.lt(now)),
        )
        .order((
            notifications::next_attempt_at.asc(),
            notifications::id.asc(),
        ))
        .select(notifications::id)
        .limit(limit)
        .load(conn)
}

/// Takes notice `id` for delivery until `until`, if it is still due and free: 1 when this
/// caller got it, 0 when another sender did (or it is no longer due). The condition is
/// evaluated by the database in the UPDATE itself, so two senders never both get a notice.
pub fn claim(
    conn: &mut Conn,
    id: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        notifications::table
            .filter(notifications::id.eq(id))
            .filter(notifications::status.eq(DeliveryStatus::Pending))
            .filter(notifications::next_attempt_at.le(now))
            .filter(
                notifications::locked_until
                    .is_null()
                    .or(notifications::locked_until.lt(now)),
            ),
    )
    .set(notifications::locked_until.eq(until))
    .execute(conn)
}

/// Marks a claimed notice sent. `claimed_until` is the claim's own lock: if the claim expired
/// and another sender took the notice, this one changes nothing.
pub fn mark_sent(
    conn: &mut Conn,
    id: &str,
    claimed_until: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        notifications::table
            .filter(notifications::id.eq(id))
            .filter(notifications::status.eq(DeliveryStatus::Pending))
            .filter(notifications::locked_until.eq(claimed_until)),
    )
    .set((
        notifications::status.eq(DeliveryStatus::Sent),
        notifications::sent_at.eq(now),
        notifications::locked_until.eq(None::<NaiveDateTime>),
        notifications::last_error.eq(None::<String>),
    ))
    .execute(conn)
}

/// Records a failed attempt of a claimed notice: its count, the reason, when to try again and
/// its status (`pending`, or `failed` once the sender gives up).
pub fn record_failure(
    conn: &mut Conn,
    id: &str,
    claimed_until: NaiveDateTime,
    attempts: i32,
    error: &str,
    next_attempt_at: NaiveDateTime,
    status: DeliveryStatus,
) -> QueryResult<usize> {
    diesel::update(
        notifications::table
            .filter(notifications::id.eq(id))
            .filter(notifications::status.eq(DeliveryStatus::Pending))
            .filter(notifications::locked_until.eq(claimed_until)),
    )
    .set((
        notifications::status.eq(status),
        notifications::attempts.eq(attempts),
        notifications::last_error.eq(error),
        notifications::next_attempt_at.eq(next_attempt_at),
        notifications::locked_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}

/// Every notice of an account, oldest first.
pub fn all_for_recipient(conn: &mut Conn, recipient_id: &str) -> QueryResult<Vec<NotificationRow>> {
    notifications::table
        .filter(notifications::recipient_id.eq(recipient_id))
        .order((notifications::created_at.asc(), notifications::id.asc()))
        .load(conn)
}

/// Deletes every notice of an account, and those addressed to `email` (before it had one).
pub fn delete_of(conn: &mut Conn, recipient_id: &str, email: &str) -> QueryResult<usize> {
    diesel::delete(
        notifications::table.filter(
            notifications::recipient_id
                .eq(recipient_id)
                .or(notifications::recipient_email.eq(email)),
        ),
    )
    .execute(conn)
}
