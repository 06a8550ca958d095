use super::{
    models::{
        DeliveryStatus, Notice, Notification, NotificationFilter, NotificationList, NotificationRow,
    },
    repository, templates,
};
use crate::{
    db::{self, Conn},
    domain::PROGRAM_TIME_ZONE,
    error::ApiError,
    language::Language,
    pagination::{Cursor, PageRequest},
    support_lines, users,
};

/// Who a notice is for.
enum Recipient<'a> {
    Account(&'a str),
    /// A referred person with no account yet: only the address the partner gave.
    Email(&'a str),
}

/// Writes `notice` to the outbox for `recipient_id` (an account), in `language`, due now. Call
/// it inside the transaction of the change that causes the notice, so both happen or neither.
/// The "no" and "not yet" notices list the support lines as they are at this moment.
pub fn enqueue(
    conn: &mut Conn,
    recipient_id: &str,
    language: Language,
    notice: &Notice,
) -> Result<(), ApiError> {
    write(conn, Recipient::Account(recipient_id), language, notice)
}

/// Like [`enqueue`], for a person who has no account: the notice goes to `email` only, and is
/// never listed at `/me/notifications` (an account with the same address has not proved it
/// controls it).
pub fn enqueue_to_email(
    conn: &mut Conn,
    email: &str,
    language: Language,
    notice: &Notice,
) -> Result<(), ApiError> {
    write(conn, Recipient::Email(email), language, notice)
}

fn write(
    conn: &mut Conn,
    recipient: Recipient<'_>,
    language: Language,
    notice: &Notice,
) -> Result<(), ApiError> {
    let lines = if notice.carries_support_lines() {
        support_lines::service::list(conn)?
    } else {
        Vec::new()
    };
    // Times are written in the person's time zone (the program's for a person with no account).
    let zone = match recipient {
        Recipient::Account(id) => match users::service::find_account(conn, id)? {
            Some(account) => account.zone()?,
            None => PROGRAM_TIME_ZONE,
        },
        Recipient::Email(_) => PROGRAM_TIME_ZONE,
    };
    let (subject, body) = templates::render(notice, language, zone, &lines);
    let now = db::now();
    repository::insert(
        conn,
        &NotificationRow {
            id: db::new_id(),
            recipient_id: match recipient {
                Recipient::Account(id) => Some(id.to_string()),
                Recipient::Email(_) => None,
            },
            recipient_email: match recipient {
                Recipient::Account(_) => None,
                Recipient::Email(email) => Some(email.to_string()),
            },
            kind: notice.kind(),
            language,
            subject,
            body,
            status: DeliveryStatus::Pending,
            attempts: 0,
            next_attempt_at: now,
            locked_until: None,
            sent_at: None,
            last_error: None,
            created_at: now,
            read_at: None,
        },
    )?;
    Ok(())
}

/// The notices of `recipient_id`, newest first.
pub fn list_mine(
    conn: &mut Conn,
    recipient_id: &str,
    filter: &NotificationFilter,
    page: &PageRequest,
) -> Result<NotificationList, ApiError> {
    let rows = repository::list_for_recipient(conn, recipient_id, filter, page)?;
    let (rows, next_cursor) = page.finish(rows, |r| Cursor {
        created_at: r.created_at,
        id: r.id.clone(),
    });
    Ok(NotificationList {
        items: rows.into_iter().map(Notification::from).collect(),
        next_cursor,
    })
}

/// Marks notice `id` of `recipient_id` read, once: marking it again keeps the first time. Any
/// other notice (someone else's, or one to an address with no account) is not found.
pub fn mark_read(conn: &mut Conn, recipient_id: &str, id: &str) -> Result<Notification, ApiError> {
    repository::mark_read(conn, recipient_id, id, db::now())?;
    repository::find_for_recipient(conn, recipient_id, id)?
        .map(Notification::from)
        .ok_or(ApiError::NotFound)
}

/// Every notice of `recipient_id`, oldest first, for their export.
pub fn all_of(conn: &mut Conn, recipient_id: &str) -> Result<Vec<Notification>, ApiError> {
    Ok(repository::all_for_recipient(conn, recipient_id)?
        .into_iter()
        .map(Notification::from)
        .collect())
}

/// An erased account's notices are deleted, sent or not (a pending one is never sent), with
/// those sent to its address before it had an account (`email`, as stored: lower-cased).
pub fn forget_recipient(conn: &mut Conn, recipient_id: &str, email: &str) -> Result<(), ApiError> {
    repository::delete_of(conn, recipient_id, email)?;
    Ok(())
}
