//! The background sender: takes due notices from the outbox one at a time and delivers them
//! (to the account's address, or to the address a partner gave for a referred person with no
//! account), through the service's one mail transport (`crate::mail`), retrying failures with
//! exponential backoff. Every API instance may run one: a notice is taken with a conditional
//! UPDATE, so two senders never hold it at once.

use std::{sync::Arc, time::Duration};

use super::{
    models::{DeliveryStatus, NotificationRow},
    repository,
};
pub use crate::mail::{Deliver, LogSender};
use crate::{
    db::{self, Conn, DbPool},
    error::ApiError,
    users,
};
use chrono::NaiveDateTime;

/// After this many failed attempts a notice is `failed` and no longer retried.
pub const MAX_ATTEMPTS: i32 = 8;
/// How long a sender holds a notice it took; past it, another sender may take it again.
pub const CLAIM_SECS: i64 = 60;
/// The first retry waits this long; each further one twice as long as the last, up to an hour.
pub const FIRST_RETRY_SECS: i64 = 30;
pub const MAX_RETRY_SECS: i64 = 3600;
/// The longest failure reason kept in `last_error`.
const MAX_ERROR_CHARS: usize = 300;

/// Who a notice is for, as the log may say it: an account id, never an address.
fn for_whom(recipient_id: Option<&str>) -> String {
    match recipient_id {
        Some(id) => format!("user {id}"),
        None => "a person with no account".to_string(),
    }
}

/// One pass over the outbox as of `now`: takes up to `limit` due notices, one at a time, and
/// delivers each (once: a notice another sender holds is skipped). Returns how many it tried,
/// sent or not. Claims last `CLAIM_SECS` from `now`, so keep passes short and `now` current
/// (the background loop runs one notice per pass); tests pass their own `now`.
pub fn deliver_due(
    conn: &mut Conn,
    deliver: &dyn Deliver,
    now: NaiveDateTime,
    limit: usize,
) -> Result<usize, ApiError> {
    let until = now + chrono::Duration::seconds(CLAIM_SECS);
    let mut tried = 0;
    while tried < limit {
        let due = repository::due_ids(conn, now, (limit - tried) as i64)?;
        if due.is_empty() {
            break;
        }
        let mut claimed_any = false;
        for id in due {
            // A conditional UPDATE: 0 rows means another sender took it first.
            if repository::claim(conn, &id, now, until)? == 0 {
                continue;
            }
            claimed_any = true;
            tried += 1;
            deliver_claimed(conn, deliver, &id, until, now)?;
        }
        if !claimed_any {
            break;
        }
    }
    Ok(tried)
}

fn deliver_claimed(
    conn: &mut Conn,
    deliver: &dyn Deliver,
    id: &str,
    until: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let Some(row) = repository::find(conn, id)? else {
        return Ok(());
    };
    // An account's notice goes to its address; a referred person's, to the one the partner gave.
    let to_email = match (&row.recipient_id, &row.recipient_email) {
        (Some(user_id), _) => users::service::find_account(conn, user_id)?.map(|user| user.email),
        (None, email) => email.clone(),
    };
    let result = match to_email {
        Some(to_email) => deliver.deliver(&to_email, &row.subject, &row.body),
        None => Err("the recipient has no account".into()),
    };
    match result {
        Ok(()) => {
            log::info!(
                "notification {} ({}) for {} delivered",
                row.id,
                row.kind,
                for_whom(row.recipient_id.as_deref())
            );
            if repository::mark_sent(conn, id, until, now)? == 0 {
                log::warn!("notification {id}: sent after its claim expired");
            }
        }
        Err(error) => record_failure(conn, &row, until, now, &error)?,
    }
    Ok(())
}

fn record_failure(
    conn: &mut Conn,
    row: &NotificationRow,
    until: NaiveDateTime,
    now: NaiveDateTime,
    error: &str,
) -> Result<(), ApiError> {
    let attempts = row.attempts + 1;
    let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
    let (status, next_attempt_at) = if attempts >= MAX_ATTEMPTS {
        (DeliveryStatus::Failed, row.next_attempt_at)
    } else {
        (DeliveryStatus::Pending, now + retry_delay(row.attempts))
    };
    repository::record_failure(
        conn,
        &row.id,
        until,
        attempts,
        &error,
        next_attempt_at,
        status,
    )?;
    let recipient = for_whom(row.recipient_id.as_deref());
    if status == DeliveryStatus::Failed {
        log::error!(
            "notification {} ({}) for {recipient}: attempt {attempts} failed ({error}); giving up",
            row.id,
            row.kind,
        );
    } else {
        log::warn!(
            "notification {} ({}) for {recipient}: attempt {attempts} failed ({error}); retrying at {next_attempt_at}",
            row.id,
            row.kind,
        );
    }
    Ok(())
}

/// The wait before the next attempt after `previous_attempts` earlier failed ones and this
/// one: 30 s, 1 min, 2 min, … at most an hour.
pub fn retry_delay(previous_attempts: i32) -> chrono::Duration {
    let exponent = previous_attempts.clamp(0, 20) as u32;
    chrono::Duration::seconds((FIRST_RETRY_SECS << exponent).min(MAX_RETRY_SECS))
}

/// Runs the sender on the current (actix) runtime: every `every`, it delivers the due notices
/// one per blocking task, so stopping never waits for more than one delivery. Abort the handle
/// to stop it.
pub fn spawn(
    pool: DbPool,
    deliver: Arc<dyn Deliver + Send + Sync>,
    every: Duration,
) -> actix_web::rt::task::JoinHandle<()> {
    actix_web::rt::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            send_due(&pool, &deliver).await;
        }
    })
}

async fn send_due(pool: &DbPool, deliver: &Arc<dyn Deliver + Send + Sync>) {
    loop {
        let deliver = Arc::clone(deliver);
        let pass = pool
            .run(move |conn| deliver_due(conn, deliver.as_ref(), db::now(), 1))
            .await;
        match pass {
            Ok(0) => return,
            Ok(_) => continue,
            Err(e) => {
                log::warn!("notification sender: {e}; trying again later");
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_30_seconds_to_at_most_an_hour() {
        let waits: Vec<i64> = (0..10).map(|n| retry_delay(n).num_seconds()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
        assert_eq!(retry_delay(i32::MAX).num_seconds(), 3600);
    }
}
