//! Session times: weekly series at the same wall-clock time in the group's time zone (so a
//! series crossing a daylight-saving change keeps its local hour), and local display.

use chrono::{DateTime, Duration, LocalResult, TimeZone, Utc};
use chrono_tz::Tz;

use crate::domain::time;

/// `count` starts a week apart from `first`, at the same local time in `tz`; none when the
/// series would run past the accepted years (`domain::time`).
pub fn weekly_series(first: DateTime<Utc>, count: u32, tz: Tz) -> Option<Vec<DateTime<Utc>>> {
    let local_first = first.with_timezone(&tz).naive_local();
    (0..count)
        .map(|week| {
            let weeks = Duration::weeks(i64::from(week));
            // Local times may lie a day past the UTC range; only the UTC start must be within it.
            let local = local_first.checked_add_signed(weeks)?;
            let start = match tz.from_local_datetime(&local) {
                LocalResult::Single(t) => t.with_timezone(&Utc),
                LocalResult::Ambiguous(earliest, _) => earliest.with_timezone(&Utc),
                // A wall time skipped by a spring-forward change: an hour later is the next real time.
                LocalResult::None => match local
                    .checked_add_signed(Duration::hours(1))
                    .and_then(|next| tz.from_local_datetime(&next).earliest())
                {
                    Some(t) => t.with_timezone(&Utc),
                    None => first.naive_utc().checked_add_signed(weeks)?.and_utc(),
                },
            };
            time::in_range(start.naive_utc()).then_some(start)
        })
        .collect()
}

/// `at` in `tz`, RFC 3339 with its offset.
pub fn local_rfc3339(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).to_rfc3339()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_keeps_its_local_hour_across_the_autumn_change() {
        // Wednesday 2026-10-28 19:00 in Toronto is 23:00 UTC (EDT); after 2026-11-01 it is EST.
        let first = Utc.with_ymd_and_hms(2026, 10, 28, 23, 0, 0).unwrap();
        let tz: Tz = "America/Toronto".parse().unwrap();
        let series = weekly_series(first, 3, tz).unwrap();
        assert_eq!(series[0], first);
        assert_eq!(
            series[1],
            Utc.with_ymd_and_hms(2026, 11, 5, 0, 0, 0).unwrap()
        );
        assert_eq!(
            series[2],
            Utc.with_ymd_and_hms(2026, 11, 12, 0, 0, 0).unwrap()
        );
        for start in series {
            assert_eq!(local_rfc3339(start, tz)[11..16], *"19:00");
        }
    }

    #[test]
    fn one_session_is_a_series_of_one() {
        let first = Utc.with_ymd_and_hms(2026, 12, 2, 15, 0, 0).unwrap();
        assert_eq!(weekly_series(first, 1, chrono_tz::UTC), Some(vec![first]));
    }

    #[test]
    fn a_series_past_year_9999_is_none_and_never_a_panic() {
        let late = Utc.with_ymd_and_hms(9999, 12, 20, 23, 0, 0).unwrap();
        let tz: Tz = "America/Toronto".parse().unwrap();
        assert_eq!(weekly_series(late, 1, tz), Some(vec![late]));
        assert_eq!(weekly_series(late, 3, tz), None);
        let last = Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap();
        assert_eq!(
            weekly_series(last, 1, chrono_tz::Pacific::Kiritimati),
            Some(vec![last])
        );
    }
}
