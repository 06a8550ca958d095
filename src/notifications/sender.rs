//! The background sender: takes due notices from the outbox one at a time and delivers them
//! (to the account's address, or to the address a partner gave for a referred person with no
//! account), through the service's one mail transport (`crate::mail`), retrying failures with
//! exponential backoff. An account's notice goes out as the person chose when it is sent: not
//! at all without `email` among their contact methods, in neutral words when they asked for
//! discreet email, and never more than `MAX_EMAILS_PER_HOUR` an hour. Every API instance may run one: a notice is taken with a conditional
//! UPDATE, so two senders never hold it at once.

use std::{sync::Arc, time::Duration};

use super::{
    models::{DeliveryStatus, NotificationRow},
    repository, templates,
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
/// The most notice emails one account is sent in any hour (sent, or being sent by another
/// sender): past it, a notice is kept in the account only (`mail_limit_reached`), so that
/// looping cheap operations (apply, withdraw) cannot flood the person's inbox.
pub const MAX_EMAILS_PER_HOUR: i64 = 5;
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

/// A message as it will be mailed.
struct Outgoing {
    to: String,
    subject: String,
    body: String,
    discreet: bool,
}

/// What becomes of a claimed notice: mailed (its words, or the neutral ones of discreet
/// email), or closed unmailed with the reason as its status.
enum Decision {
    Mail(Outgoing),
    Unmailed(DeliveryStatus),
    Undeliverable(&'static str),
}

/// Decides, at delivery time and from the account as it is now, how the notice goes out. A
/// referred person with no account gets the notice as written, at the address the partner gave.
fn decide(
    conn: &mut Conn,
    row: &NotificationRow,
    now: NaiveDateTime,
) -> Result<Decision, ApiError> {
    let Some(user_id) = &row.recipient_id else {
        return Ok(match &row.recipient_email {
            Some(email) => Decision::Mail(Outgoing {
                to: email.clone(),
                subject: row.subject.clone(),
                body: row.body.clone(),
                discreet: false,
            }),
            None => Decision::Undeliverable("the notice has no recipient"),
        });
    };
    let Some(account) = users::service::find_account(conn, user_id)? else {
        return Ok(Decision::Undeliverable("the recipient has no account"));
    };
    if !account.takes_email()? {
        return Ok(Decision::Unmailed(DeliveryStatus::NotMailed));
    }
    let since = now - chrono::Duration::hours(1);
    if repository::mailed_since(conn, user_id, &row.id, since, now)? >= MAX_EMAILS_PER_HOUR {
        return Ok(Decision::Unmailed(DeliveryStatus::MailLimitReached));
    }
    let (subject, body) = if account.discreet {
        templates::discreet(account.preferred_language)
    } else {
        (row.subject.clone(), row.body.clone())
    };
    Ok(Decision::Mail(Outgoing {
        to: account.email,
        subject,
        body,
        discreet: account.discreet,
    }))
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
    let result = match decide(conn, &row, now)? {
        Decision::Mail(mail) if mail.discreet => {
            deliver.deliver_discreetly(&mail.to, &mail.subject, &mail.body)
        }
        Decision::Mail(mail) => deliver.deliver(&mail.to, &mail.subject, &mail.body),
        Decision::Unmailed(status) => {
            log::info!(
                "notification {} ({}) for {}: not mailed ({status})",
                row.id,
                row.kind,
                for_whom(row.recipient_id.as_deref())
            );
            repository::mark_unmailed(conn, id, until, status)?;
            return Ok(());
        }
        Decision::Undeliverable(reason) => Err(reason.to_string()),
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
