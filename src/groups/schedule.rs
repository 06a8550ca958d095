//! Session times: weekly series at the same wall-clock time in the group's time zone (so a
//! series crossing a daylight-saving change keeps its local hour), and local display.

use chrono::{DateTime, Duration, LocalResult, TimeZone, Utc};
use chrono_tz::Tz;

/// `count` starts a week apart from `first`, at the same local time in `tz`.
pub fn weekly_series(first: DateTime<Utc>, count: u32, tz: Tz) -> Vec<DateTime<Utc>> {
    let local_first = first.with_timezone(&tz).naive_local();
    (0..count)
        .map(|week| {
            let local = local_first + Duration::weeks(i64::from(week));
            match tz.from_local_datetime(&local) {
                LocalResult::Single(t) => t.with_timezone(&Utc),
                LocalResult::Ambiguous(earliest, _) => earliest.with_timezone(&Utc),
                // A wall time skipped by a spring-forward change: an hour later is the next real time.
                LocalResult::None => tz
                    .from_local_datetime(&(local + Duration::hours(1)))
                    .earliest()
                    .map_or(first + Duration::weeks(i64::from(week)), |t| {
                        t.with_timezone(&Utc)
                    }),
            }
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
        let series = weekly_series(first, 3, tz);
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
        assert_eq!(weekly_series(first, 1, chrono_tz::UTC), vec![first]);
    }
}
