//! Rules for the contact details every resource shares: phone numbers, web addresses and time
//! zones. The contract states each one in `domain::schemas`.

use std::borrow::Cow;

use validator::ValidationError;

use super::vocabulary;

vocabulary! {
    /// How the program may contact the person: an intake application's preference, and an
    /// account's choice (where the outbox mails only with `email`, and `in_app` is always on).
    ContactMethod { Email = "email", Phone = "phone", TextMessage = "text_message", InApp = "in_app" }
}

impl ContactMethod {
    /// Whether reaching the person this way needs their phone number.
    pub fn needs_phone(self) -> bool {
        matches!(self, ContactMethod::Phone | ContactMethod::TextMessage)
    }
}

/// A validation refusal with its code and message.
pub fn refusal(code: &'static str, message: String) -> ValidationError {
    ValidationError::new(code).with_message(Cow::Owned(message))
}

/// 3 to 20 digits with spaces, `+-().` or an extension: `1-844-750-1648`, `988`.
pub fn valid_phone(value: &str) -> Result<(), ValidationError> {
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = value
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c) || "extEXT".contains(c));
    if allowed && (3..=20).contains(&digits) && value.len() <= 40 {
        Ok(())
    } else {
        Err(refusal(
            "phone",
            "must be a phone number, e.g. 1-844-750-1648 or 988".into(),
        ))
    }
}

/// The longest web address accepted, before and after normalizing.
pub const MAX_WEB_ADDRESS: usize = 500;

/// An absolute `https://` address with a host name, in its normal form (lower-case scheme and
/// host, no default port, no lone `/` path), or why not. Front-ends render it as a link, so
/// `javascript:`, `data:`, `file:`, `ftp:` and addresses without a scheme are refused, and
/// so is `user@host` (it hides the real host from a reader). `http://` is accepted for a
/// loopback host only (`localhost`, `127.0.0.0/8`, `[::1]`) — for local development; this rule
/// does not read `APP_ENV`, so it holds in every environment.
pub fn web_address(value: &str) -> Result<String, ValidationError> {
    let refused = || {
        refusal(
            "url",
            "must be an https:// address, e.g. https://www.example.org".into(),
        )
    };
    if value.len() > MAX_WEB_ADDRESS
        || value.contains(|c: char| c.is_whitespace() || c.is_control())
    {
        return Err(refused());
    }
    let url = url::Url::parse(value).map_err(|_| refused())?;
    let host_ok = match url.host() {
        Some(url::Host::Domain(name)) => name.contains('.') || name == "localhost",
        Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => true,
        None => false,
    };
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && loopback);
    if !scheme_ok || !host_ok || !url.username().is_empty() || url.password().is_some() {
        return Err(refused());
    }
    let mut normal = url.to_string();
    if url.path() == "/" && url.query().is_none() && url.fragment().is_none() {
        normal.pop();
    }
    // The normal form may be a little longer than what was given (a `/` after the host,
    // percent-encoding); past the bound, the address is kept as given (already checked above),
    // so what is stored and shown stays within the contract's length.
    if normal.len() > MAX_WEB_ADDRESS {
        return Ok(value.to_string());
    }
    Ok(normal)
}

/// For `#[validate(custom(function = "crate::domain::contact::valid_website"))]`: what
/// [`web_address`] accepts.
pub fn valid_website(value: &str) -> Result<(), ValidationError> {
    web_address(value).map(|_| ())
}

/// The normal form of an address [`valid_website`] accepted (unchanged if it was not one), as
/// it is stored.
pub fn normal_web_address(value: &str) -> String {
    web_address(value).unwrap_or_else(|_| value.to_string())
}

/// An IANA time zone name that `chrono-tz` knows, e.g. `America/Toronto`.
pub fn valid_time_zone(tz: &str) -> Result<(), ValidationError> {
    tz.parse::<chrono_tz::Tz>().map(|_| ()).map_err(|_| {
        ValidationError::new("time_zone")
            .with_message("is not an IANA time zone such as America/Toronto".into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_addresses_are_https_and_stored_in_normal_form() {
        let normal = |v: &str| web_address(v).ok();
        assert_eq!(normal("https://988.ca").as_deref(), Some("https://988.ca"));
        assert_eq!(
            normal("HTTPS://Teams.Example.CA:443/l/Meetup?x=1#A").as_deref(),
            Some("https://teams.example.ca/l/Meetup?x=1#A")
        );
        assert_eq!(
            normal("https://example.org/").as_deref(),
            Some("https://example.org")
        );
        assert_eq!(
            normal("https://example.org:8443/a").as_deref(),
            Some("https://example.org:8443/a")
        );
        assert_eq!(
            normal("http://localhost:8080/room").as_deref(),
            Some("http://localhost:8080/room")
        );
        assert_eq!(
            normal("http://127.0.0.1/").as_deref(),
            Some("http://127.0.0.1")
        );
        assert_eq!(normal("http://[::1]/a").as_deref(), Some("http://[::1]/a"));
        for refused in [
            "http://example.org",
            "javascript:alert(1)",
            "JavaScript://example.org/%0aalert(1)",
            "data:text/html,<script>alert(1)</script>",
            "file:///etc/passwd",
            "ftp://example.org/file",
            "www.example.org",
            "//example.org",
            "https://",
            "https://intranet",
            "https://user:secret@example.org",
            "https://example.org/a b",
            "http://10.0.0.1/",
        ] {
            assert!(normal(refused).is_none(), "{refused} accepted");
        }
        assert!(normal(&format!("https://example.org/{}", "a".repeat(481))).is_none());
        assert_eq!(normal_web_address("not one"), "not one");
    }
}
