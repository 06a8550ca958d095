//! The one way the service sends email: the outbox sender (`notifications::sender`) and the
//! account mails of `auth` (verification, password reset) both go through a [`Deliver`] made by
//! [`from_config`]: SMTP when `SMTP_HOST` is set, else (development only) an `.eml` file per
//! message under `DATA_DIR/mail/`. Nothing here logs a message's words or its address.

use std::{path::PathBuf, sync::Arc, time::Duration};

use lettre::{
    message::{header::ContentType, Mailbox},
    transport::smtp::{authentication::Credentials, client::Tls},
    FileTransport, Message, SmtpTransport, Transport,
};

use crate::config::{Config, SmtpSettings, SmtpTls};

/// A way to deliver a message.
pub trait Deliver {
    /// Sends `subject` and the plain-text `body` to `to_email`. The error says why in a few
    /// words, with no secret and no address: it is stored and logged.
    fn deliver(&self, to_email: &str, subject: &str, body: &str) -> Result<(), String>;

    /// Like [`Deliver::deliver`], for a person who asked for discreet email: from the sender's
    /// bare address, without its display name (which names the program).
    fn deliver_discreetly(&self, to_email: &str, subject: &str, body: &str) -> Result<(), String> {
        self.deliver(to_email, subject, body)
    }
}

/// `from` without its display name.
fn bare(from: &Mailbox) -> Mailbox {
    Mailbox::new(None, from.email.clone())
}

/// The mail transport every part of the service shares.
pub type Mailer = Arc<dyn Deliver + Send + Sync>;

/// Writes that a message went out, and nothing of it (for tools that need no mailbox).
#[derive(Debug, Default, Clone, Copy)]
pub struct LogSender;

impl Deliver for LogSender {
    fn deliver(&self, _to_email: &str, _subject: &str, _body: &str) -> Result<(), String> {
        log::info!("a message was delivered to the log (its words and address are not kept)");
        Ok(())
    }
}

/// Development without `SMTP_HOST`: each message becomes `DATA_DIR/mail/<id>.eml`, whose path
/// is logged, so a newcomer can open the verification link that `cargo run` sent.
pub struct FileSender {
    dir: PathBuf,
    transport: FileTransport,
    from: Mailbox,
}

/// The sender of development mail written to files.
pub const DEVELOPMENT_FROM: &str = "Peer Support Program <no-reply@example.ca>";

impl FileSender {
    pub fn new(dir: PathBuf) -> Result<FileSender, String> {
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create the mail directory {}: {e}", dir.display()))?;
        Ok(FileSender {
            transport: FileTransport::new(&dir),
            dir,
            from: DEVELOPMENT_FROM.parse().expect("a valid mailbox"),
        })
    }
}

impl Deliver for FileSender {
    fn deliver(&self, to_email: &str, subject: &str, body: &str) -> Result<(), String> {
        self.write(&self.from, to_email, subject, body)
    }

    fn deliver_discreetly(&self, to_email: &str, subject: &str, body: &str) -> Result<(), String> {
        self.write(&bare(&self.from), to_email, subject, body)
    }
}

impl FileSender {
    fn write(
        &self,
        from: &Mailbox,
        to_email: &str,
        subject: &str,
        body: &str,
    ) -> Result<(), String> {
        let message = email(from, to_email, subject, body)?;
        let id = self
            .transport
            .send(&message)
            .map_err(|e| format!("the message could not be written: {e}"))?;
        log::info!(
            "mail written to {} (SMTP_HOST is not set)",
            self.dir.join(format!("{id}.eml")).display()
        );
        Ok(())
    }
}

/// Sends plain-text email through the configured server, encrypted (implicit TLS on port 465,
/// required STARTTLS on any other) unless `SMTP_TLS=none` allowed a loopback relay in clear.
pub struct SmtpSender {
    transport: SmtpTransport,
    from: Mailbox,
}

/// The longest wait for any one exchange with the mail server.
const SMTP_TIMEOUT: Duration = Duration::from_secs(15);

impl SmtpSender {
    pub fn new(settings: &SmtpSettings) -> Result<SmtpSender, String> {
        let builder = match settings.tls {
            // Loopback only: the configuration refuses `none` for any other host.
            SmtpTls::None => Ok(SmtpTransport::builder_dangerous(&settings.host).tls(Tls::None)),
            SmtpTls::Required if settings.port == 465 => SmtpTransport::relay(&settings.host),
            SmtpTls::Required => SmtpTransport::starttls_relay(&settings.host),
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
        self.send(&self.from, to_email, subject, body)
    }

    fn deliver_discreetly(&self, to_email: &str, subject: &str, body: &str) -> Result<(), String> {
        self.send(&bare(&self.from), to_email, subject, body)
    }
}

impl SmtpSender {
    fn send(
        &self,
        from: &Mailbox,
        to_email: &str,
        subject: &str,
        body: &str,
    ) -> Result<(), String> {
        let message = email(from, to_email, subject, body)?;
        self.transport
            .send(&message)
            .map(|_| ())
            .map_err(|e| smtp_failure(&e))
    }
}

/// A plain-text UTF-8 email (7-bit safe on the wire: the body is quoted-printable when needed).
pub fn email(from: &Mailbox, to_email: &str, subject: &str, body: &str) -> Result<Message, String> {
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

/// The transport the settings ask for: SMTP when `SMTP_HOST` is set, else files under
/// `DATA_DIR/mail/` (the configuration refuses production without `SMTP_HOST`).
pub fn from_config(config: &Config) -> Result<Mailer, String> {
    match &config.smtp {
        Some(settings) => Ok(Arc::new(SmtpSender::new(settings)?)),
        None => Ok(Arc::new(FileSender::new(config.data_dir.join("mail"))?)),
    }
}

/// Sends a message on the blocking pool without waiting for it, so that an answer takes as long
/// whether or not it sent mail (nobody learns who is registered by timing). A failure is logged
/// with `what` (e.g. "verification"), never the address or the words.
pub fn send_in_background(mailer: &Mailer, what: &'static str, letter: Letter) {
    let mailer = Arc::clone(mailer);
    // spawn_blocking starts the task at once; nobody awaits its handle.
    drop(actix_web::rt::task::spawn_blocking(move || {
        if let Err(error) = mailer.deliver(&letter.to, &letter.subject, &letter.body) {
            log::warn!("{what} mail not sent: {error}");
        }
    }));
}

/// A message ready to send.
#[derive(Clone, PartialEq, Eq)]
pub struct Letter {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Never prints the address or the words (a body may carry a token).
impl std::fmt::Debug for Letter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Letter(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn development_mail_is_written_as_eml_files() {
        let dir = tempfile_dir();
        let sender = FileSender::new(dir.clone()).unwrap();
        sender
            .deliver("river@example.ca", "Hello", "token=abc")
            .unwrap();
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
        assert_eq!(files.len(), 1);
        let path = files[0].path();
        assert_eq!(path.extension().unwrap(), "eml");
        assert!(std::fs::read_to_string(&path)
            .unwrap()
            .contains("token=abc"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn tempfile_dir() -> PathBuf {
        std::env::temp_dir().join(format!("peer-support-mail-{}", uuid::Uuid::new_v4()))
    }
}
