//! The range of time the API accepts and computes in: years 1 to 9999, the years RFC 3339 can
//! write and both databases can hold. Every date or time that enters (a query, a body, a
//! cursor) is checked here, and arithmetic on times stays inside it or says it cannot.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use validator::ValidationError;

use super::contact::refusal;

/// The first accepted year.
pub const FIRST_YEAR: i32 = 1;
/// The last accepted year.
pub const LAST_YEAR: i32 = 9999;

/// What a refused time or date is told.
const OUT_OF_RANGE: &str = "must be within the years 0001 to 9999";

/// The latest time the API can write: 9999-12-31T23:59:59.999999Z.
pub fn latest() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(LAST_YEAR, 12, 31)
        .and_then(|day| day.and_hms_micro_opt(23, 59, 59, 999_999))
        .expect("the last day of year 9999 exists")
}

/// Whether a day lies within the accepted years.
pub fn day_in_range(day: NaiveDate) -> bool {
    use chrono::Datelike;
    (FIRST_YEAR..=LAST_YEAR).contains(&day.year())
}

/// Whether a time (UTC) lies within the accepted years.
pub fn in_range(at: NaiveDateTime) -> bool {
    day_in_range(at.date())
}

/// For `#[validate(custom(function = "crate::domain::time::valid_time"))]` on a time field.
pub fn valid_time(at: &DateTime<Utc>) -> Result<(), ValidationError> {
    if in_range(at.naive_utc()) {
        Ok(())
    } else {
        Err(refusal("date_range", OUT_OF_RANGE.into()))
    }
}

/// For `#[validate(custom(function = "crate::domain::time::valid_date"))]` on a date field.
pub fn valid_date(day: &NaiveDate) -> Result<(), ValidationError> {
    if day_in_range(*day) {
        Ok(())
    } else {
        Err(refusal("date_range", OUT_OF_RANGE.into()))
    }
}

/// `at + span`, when it stays within the accepted years.
pub fn later(at: NaiveDateTime, span: Duration) -> Option<NaiveDateTime> {
    at.checked_add_signed(span).filter(|end| in_range(*end))
}

/// `at + span`, or the latest writable time when that would lie past it: for reading rows
/// stored before the bounds, whose end must still be valid RFC 3339.
pub fn later_or_latest(at: NaiveDateTime, span: Duration) -> NaiveDateTime {
    at.checked_add_signed(span)
        .map_or(latest(), |end| end.min(latest()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn years_one_to_9999_and_nothing_else() {
        assert!(valid_time(&time("0001-01-01T00:00:00Z")).is_ok());
        assert!(valid_time(&time("9999-12-31T23:59:59Z")).is_ok());
        assert!(valid_time(&time("0000-12-31T23:59:59Z")).is_err());
        assert!(valid_time(&time("+10000-01-01T00:00:00Z")).is_err());
        assert!(valid_time(&time("+262142-12-31T20:00:00Z")).is_err());
        assert!(valid_date(&NaiveDate::from_ymd_opt(-250_000, 1, 1).unwrap()).is_err());
        assert!(valid_date(&NaiveDate::from_ymd_opt(9999, 12, 31).unwrap()).is_ok());
    }

    #[test]
    fn arithmetic_stays_in_range_or_says_so() {
        let late = time("9999-12-31T23:00:00Z").naive_utc();
        assert_eq!(later(late, Duration::minutes(90)), None);
        assert_eq!(later_or_latest(late, Duration::minutes(90)), latest());
        assert_eq!(later(NaiveDateTime::MAX, Duration::days(1)), None);
        assert_eq!(
            later_or_latest(NaiveDateTime::MAX, Duration::days(1)),
            latest()
        );
        let early = time("2026-12-01T20:00:00Z").naive_utc();
        assert_eq!(
            later(early, Duration::minutes(90)),
            Some(time("2026-12-01T21:30:00Z").naive_utc())
        );
    }
}
