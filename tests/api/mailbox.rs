//! A real SMTP server in the test process (std::net, one thread per connection), the mail server
//! of every test app: the API's sender (lettre) delivers to it over TCP, and tests read the
//! delivered messages — their links and tokens — as a person would read their inbox.

use std::{
    io::{BufRead, BufReader, Write},
    net::{TcpListener, TcpStream},
    sync::{Arc, Condvar, Mutex},
    time::{Duration, Instant},
};

/// One delivered message: its envelope recipients and its decoded parts.
#[derive(Debug, Clone)]
pub struct Delivered {
    pub to: Vec<String>,
    /// The whole message as it came over the wire.
    pub raw: String,
    /// The body, decoded from quoted-printable or base64.
    pub body: String,
}

impl Delivered {
    /// The token of the first link in the body (`…?token=…`).
    #[track_caller]
    pub fn token(&self) -> String {
        let start = self.body.find("token=").expect("a link with a token") + "token=".len();
        self.body[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }
}

#[derive(Default)]
struct Inbox {
    messages: Mutex<Vec<Delivered>>,
    arrived: Condvar,
}

/// The server: listening on a free loopback port until the process ends.
#[derive(Clone)]
pub struct Mailbox {
    pub port: u16,
    inbox: Arc<Inbox>,
}

/// How long a test waits for a message the API sends in the background.
const PATIENCE: Duration = Duration::from_secs(20);

impl Mailbox {
    pub fn start() -> Mailbox {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let port = listener.local_addr().unwrap().port();
        let inbox = Arc::new(Inbox::default());
        let accepting = Arc::clone(&inbox);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let inbox = Arc::clone(&accepting);
                std::thread::spawn(move || {
                    let _ = converse(stream, &inbox);
                });
            }
        });
        Mailbox { port, inbox }
    }

    /// Takes (removes) the first message to `to` whose body contains `needle`, waiting for it.
    #[track_caller]
    pub fn take(&self, to: &str, needle: &str) -> Delivered {
        let deadline = Instant::now() + PATIENCE;
        let mut messages = self.inbox.messages.lock().unwrap();
        loop {
            if let Some(i) = messages
                .iter()
                .position(|m| m.to.iter().any(|t| t == to) && m.body.contains(needle))
            {
                return messages.remove(i);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no message to {to} containing {needle:?} arrived"
            );
            messages = self.inbox.arrived.wait_timeout(messages, left).unwrap().0;
        }
    }
}

impl Mailbox {
    /// The messages to `to` delivered so far (left in the box), oldest first, without waiting.
    pub fn delivered_to(&self, to: &str) -> Vec<Delivered> {
        let messages = self.inbox.messages.lock().unwrap();
        messages
            .iter()
            .filter(|m| m.to.iter().any(|t| t == to))
            .cloned()
            .collect()
    }
}

/// One SMTP conversation (RFC 5321, the commands lettre uses), storing each message.
fn converse(stream: TcpStream, inbox: &Inbox) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    out.write_all(b"220 localhost test SMTP ready\r\n")?;
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_ascii_uppercase();
        if command.starts_with("EHLO") {
            out.write_all(b"250-localhost\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")?;
        } else if command.starts_with("HELO") || command.starts_with("NOOP") {
            out.write_all(b"250 OK\r\n")?;
        } else if command.starts_with("MAIL FROM") {
            to.clear();
            out.write_all(b"250 OK\r\n")?;
        } else if command.starts_with("RCPT TO") {
            let address = line.trim_end()["RCPT TO:".len()..]
                .trim()
                .trim_start_matches('<')
                .split('>')
                .next()
                .unwrap_or("")
                .to_string();
            to.push(address);
            out.write_all(b"250 OK\r\n")?;
        } else if command == "DATA" {
            out.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")?;
            let mut raw = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line)? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                raw.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            let body = decoded_body(&raw);
            let mut messages = inbox.messages.lock().unwrap();
            messages.push(Delivered {
                to: std::mem::take(&mut to),
                raw,
                body,
            });
            inbox.arrived.notify_all();
            drop(messages);
            out.write_all(b"250 OK queued\r\n")?;
        } else if command.starts_with("RSET") {
            to.clear();
            out.write_all(b"250 OK\r\n")?;
        } else if command.starts_with("QUIT") {
            out.write_all(b"221 Bye\r\n")?;
            return Ok(());
        } else {
            out.write_all(b"502 Command not implemented\r\n")?;
        }
    }
}

/// The body of a single-part message, decoded by its Content-Transfer-Encoding.
fn decoded_body(raw: &str) -> String {
    let (headers, body) = raw
        .split_once("\r\n\r\n")
        .or_else(|| raw.split_once("\n\n"))
        .unwrap_or((raw, ""));
    let encoding = headers
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-transfer-encoding:")
                .map(|v| v.trim().to_string())
        })
        .unwrap_or_default();
    match encoding.as_str() {
        "quoted-printable" => quoted_printable(body),
        "base64" => {
            use base64::Engine;
            let joined: String = body.split_whitespace().collect();
            String::from_utf8_lossy(
                &base64::engine::general_purpose::STANDARD
                    .decode(joined)
                    .expect("base64 body"),
            )
            .into_owned()
        }
        _ => body.to_string(),
    }
}

fn quoted_printable(body: &str) -> String {
    let body = body.replace("=\r\n", "").replace("=\n", "");
    let bytes = body.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&body[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
