//! The background sender: takes due notices from the outbox one at a time and delivers them
//! (to the account's address, or to the address a partner gave for a referred person with no
//! account), through SMTP when `SMTP_HOST` is set and to the log otherwise, retrying failures with
//! exponential backoff. Every API instance may run one: a notice is taken with a conditional
//! UPDATE, so two senders never hold it at once.

use std::{sync::Arc, time::Duration};

use chrono::NaiveDateTime;
use lettre::{
    message::{header::ContentType, Mailbox},
    transport::smtp::authentication::Credentials,
    Message, SmtpTransport, Transport,
};

use super::{
    models::{DeliveryStatus, NoticeKind, NotificationRow},
    repository,
};
use crate::{
    config::{Config, SmtpSettings},
    db::{self, Conn, DbPool},
    error::ApiError,
    users,
};

/// After this many failed attempts a notice is `failed` and no longer retried.
pub const MAX_ATTEMPTS: i32 = 8;
/// How long a sender holds a notice it took; past it, another sender may take it again.
pub const CLAIM_SECS: i64 = 60;
/// The first retry waits this long; each further one twice as long as the last, up to an hour.
pub const FIRST_RETRY_SECS: i64 = 30;
pub const MAX_RETRY_SECS: i64 = 3600;
/// The longest failure reason kept in `last_error`.
const MAX_ERROR_CHARS: usize = 300;

/// A way to deliver a notice.
pub trait Deliver {
    /// Sends `subject` and the plain-text `body` to `to_email`. The error says why in a few
    /// words, with no secret and no address: it is stored and logged.
    fn deliver(&self, to_email: &str, subject: &str, body: &str) -> Result<(), String>;

    /// Delivers one notice of the outbox. By default `deliver` with its address and words; the
    /// log sender overrides it to log which notice went to whom, and nothing of what it says.
    fn deliver_notice(&self, notice: &Outgoing<'_>) -> Result<(), String> {
        self.deliver(notice.to_email, notice.subject, notice.body)
    }
}

/// A notice on its way out.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    pub id: &'a str,
    pub kind: NoticeKind,
    /// The account it is for; `None` for a referred person with no account yet.
    pub recipient_id: Option<&'a str>,
    pub to_email: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

/// The default sender: writes the notice's id, kind and recipient's id to the log (never its
/// words or the address). The peer reads the notice at `GET /me/notifications`.
#[derive(Debug, Default, Clone, Copy)]
pub struct LogSender;

impl Deliver for LogSender {
    fn deliver(&self, _to_email: &str, _subject: &str, _body: &str) -> Result<(), String> {
        log::info!("a notice was delivered to the log (SMTP_HOST is not set)");
        Ok(())
    }

    fn deliver_notice(&self, notice: &Outgoing<'_>) -> Result<(), String> {
        log::info!(
            "notification {} ({}) for {} delivered to the log (SMTP_HOST is not set)",
            notice.id,
            notice.kind,
            for_whom(notice.recipient_id)
        );
        Ok(())
    }
}

/// Who a notice is for, as the log may say it: an account id, never an address.
fn for_whom(recipient_id: Option<&str>) -> String {
    match recipient_id {
        Some(id) => format!("user {id}"),
        None => "a person with no account".to_string(),
    }
}

/// Sends plain-text email through the configured server, encrypted: implicit TLS on port 465,
/// STARTTLS (required, so nothing goes out in clear) on any other port.
pub struct SmtpSender {
    transport: SmtpTransport,
    from: Mailbox,
}

/// The longest wait for any one exchange with the mail server.
const SMTP_TIMEOUT: Duration = Duration::from_secs(15);

impl SmtpSender {
    pub fn new(settings: &SmtpSettings) -> Result<SmtpSender, String> {
        let builder = if settings.port == 465 {
            SmtpTransport::relay(&settings.host)
        } else {
            SmtpTransport::starttls_relay(&settings.host)
        }
        .map_err(|e| format!("invalid setting SMTP_HOST: cannot set up TLS: {e}"))?;
        let mut builder = builder.port(settings.port).timeout(Some(SMTP_TIMEOUT));
        if let (Some(username), Some(password)) = (&settings.username, &settings.password) {
            builder = builder.credentials(Credentials::new(username.clone(), password.clone()));
        }
        let from = settings
            .from
            .parse()
            .map_err(|_| "invalid setting SMTP_FROM: not an email address".to_string())?;
        Ok(SmtpSender {
            transport: builder.build(),
            from,
        })
    }
}

impl Deliver for SmtpSender {
    fn deliver(&self, to_email: &str, subject: &str, body: &str) -> Result<(), String> {
        let message = email(&self.from, to_email, subject, body)?;
        self.transport
            .send(&message)
            .map(|_| ())
            .map_err(|e| smtp_failure(&e))
    }
}

/// A plain-text UTF-8 email (7-bit safe on the wire: the body is quoted-printable when needed).
fn email(from: &Mailbox, to_email: &str, subject: &str, body: &str) -> Result<Message, String> {
    let to: Mailbox = to_email
        .parse()
        .map_err(|_| "the recipient's email address is not valid".to_string())?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body.to_string())
        .map_err(|_| "the message could not be built".to_string())
}

/// What went wrong, without the mail server's own words (a reply may quote the address): its
/// reply code, or lettre's own account of a TLS, network or protocol failure.
fn smtp_failure(error: &lettre::transport::smtp::Error) -> String {
    match error.status() {
        Some(code) if error.is_permanent() => {
            format!("the mail server refused the message (permanent, {code})")
        }
        Some(code) => format!("the mail server deferred the message (transient, {code})"),
        None if error.is_timeout() => "the mail server did not answer in time".into(),
        None if error.is_response() => "the mail server's reply could not be read".into(),
        None => format!("the mail server could not be used: {error}"),
    }
}

/// The sender the settings ask for: SMTP when `SMTP_HOST` is set, else the log.
pub fn from_config(config: &Config) -> Result<Arc<dyn Deliver + Send + Sync>, String> {
    match &config.smtp {
        Some(settings) => Ok(Arc::new(SmtpSender::new(settings)?)),
        None => Ok(Arc::new(LogSender)),
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
        Some(to_email) => deliver.deliver_notice(&Outgoing {
            id: &row.id,
            kind: row.kind,
            recipient_id: row.recipient_id.as_deref(),
            to_email: &to_email,
            subject: &row.subject,
            body: &row.body,
        }),
        None => Err("the recipient has no account".into()),
    };
    match result {
        Ok(()) => {
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

    #[test]
    fn emails_are_plain_utf8_text_that_any_server_accepts() {
        let from: Mailbox = "Peer Support Program <no-reply@example.ca>"
            .parse()
            .unwrap();
        let message = email(
            &from,
            "river@example.ca",
            "Nous avons reçu votre formulaire d'accueil",
            "Bonjour,\n\nMerci d'avoir rempli votre formulaire. À bientôt.",
        )
        .unwrap();
        let wire = String::from_utf8(message.formatted()).unwrap();
        assert!(wire.is_ascii(), "{wire}");
        assert!(
            wire.contains("Content-Type: text/plain; charset=utf-8"),
            "{wire}"
        );
        assert!(wire.contains("To: river@example.ca"), "{wire}");
        assert!(
            wire.contains("From: \"Peer Support Program\" <no-reply@example.ca>"),
            "{wire}"
        );
        assert!(
            wire.contains("Subject: Nous avons =?utf-8?b?cmXDp3U=?= votre"),
            "{wire}"
        );
        assert!(
            wire.contains("Content-Transfer-Encoding: quoted-printable"),
            "{wire}"
        );
        assert_eq!(
            email(&from, "not an address", "s", "b").unwrap_err(),
            "the recipient's email address is not valid"
        );
    }
}
