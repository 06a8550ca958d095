//! Rules for the contact details every resource shares: phone numbers, web addresses and time
//! zones. The contract states each one in `domain::schemas`.

use std::borrow::Cow;

use validator::ValidationError;

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

/// An absolute `https://` or `http://` address (never `javascript:` and the like: front-ends
/// render it as a link).
pub fn valid_website(value: &str) -> Result<(), ValidationError> {
    let lower = value.to_ascii_lowercase();
    let scheme_ok = lower.starts_with("https://") || lower.starts_with("http://");
    let host_ok = lower
        .split_once("://")
        .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(""))
        .is_some_and(|host| host.contains('.') && !host.contains(char::is_whitespace));
    if scheme_ok && host_ok && value.len() <= 500 && !value.contains(char::is_whitespace) {
        Ok(())
    } else {
        Err(refusal(
            "url",
            "must be an https:// address, e.g. https://www.example.org".into(),
        ))
    }
}

/// An IANA time zone name that `chrono-tz` knows, e.g. `America/Toronto`.
pub fn valid_time_zone(tz: &str) -> Result<(), ValidationError> {
    tz.parse::<chrono_tz::Tz>().map(|_| ()).map_err(|_| {
        ValidationError::new("time_zone")
            .with_message("is not an IANA time zone such as America/Toronto".into())
    })
}
