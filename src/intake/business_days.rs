//! Business-day arithmetic for intake deadlines: which days are Canadian federal public-service
//! holidays, and when an intake application must be answered (`respond_by`: the end of the
//! second business day after it was submitted).
//!
//! Holidays are computed for any year, never listed: New Year's Day, Good Friday and Easter
//! Monday (from Easter Sunday by the anonymous Gregorian algorithm of Meeus), Victoria Day (the
//! last Monday on or before May 24), Canada Day, the Civic Holiday (first Monday of August),
//! Labour Day (first Monday of September), the National Day for Truth and Reconciliation
//! (September 30, from 2021 on), Thanksgiving (second Monday of October), Remembrance Day,
//! Christmas Day and Boxing Day.
//!
//! Observance: a fixed-date holiday that falls on a Saturday or Sunday is observed on the next
//! weekday that is not already a holiday, taking the fixed-date holidays in calendar order. So
//! when Christmas is a Saturday it is observed Monday the 27th and Boxing Day Tuesday the 28th;
//! when Christmas is a Sunday, Boxing Day stays on Monday the 26th and Christmas is observed
//! Tuesday the 27th. Holidays are only ever reported on the day they are observed.
//!
//! Days are counted in the program's time zone ([`PROGRAM_TIME_ZONE`], Toronto), so a
//! submission belongs to the Toronto calendar day it was made on, whatever the UTC date.

use chrono::{
    DateTime, Datelike, Days, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc, Weekday,
};

pub use crate::domain::PROGRAM_TIME_ZONE;

/// How many business days the program has to answer an intake application.
pub const RESPONSE_BUSINESS_DAYS: u32 = 2;

/// The observed federal public-service holidays of `year`, sorted (see the module doc for the
/// observance rule). Dates chrono cannot represent (years beyond about ±262,000) are left out.
pub fn federal_holidays(year: i32) -> Vec<NaiveDate> {
    let on = |month, day| NaiveDate::from_ymd_opt(year, month, day);
    let nth_monday = |month, n| NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, n);
    let easter = easter_sunday(year);

    // In calendar order, which the observance rule depends on.
    let fixed_date = [
        on(1, 1),
        on(7, 1),
        on(9, 30).filter(|_| year >= 2021),
        on(11, 11),
        on(12, 25),
        on(12, 26),
    ];
    let always_weekdays = [
        easter.and_then(|sunday| sunday.checked_sub_days(Days::new(2))),
        easter.and_then(|sunday| sunday.checked_add_days(Days::new(1))),
        on(5, 24).and_then(|may_24| {
            may_24.checked_sub_days(Days::new(may_24.weekday().num_days_from_monday().into()))
        }),
        nth_monday(8, 1),
        nth_monday(9, 1),
        nth_monday(10, 2),
    ];

    let mut observed: Vec<NaiveDate> = always_weekdays
        .into_iter()
        .chain(fixed_date)
        .flatten()
        .filter(|day| !is_weekend(*day))
        .collect();
    for day in fixed_date
        .into_iter()
        .flatten()
        .filter(|day| is_weekend(*day))
    {
        let substitute = day
            .iter_days()
            .skip(1)
            .find(|next| !is_weekend(*next) && !observed.contains(next));
        observed.extend(substitute);
    }
    observed.sort_unstable();
    observed
}

/// Whether `date` is a weekday that is not an observed federal holiday.
pub fn is_business_day(date: NaiveDate) -> bool {
    !is_weekend(date) && !federal_holidays(date.year()).contains(&date)
}

/// The date that is `days` business days after `date`; `date` itself never counts, and need
/// not be a business day (Saturday plus one business day is Monday, or Tuesday after a holiday
/// Monday). Zero days is `date` unchanged.
///
/// # Panics
///
/// If the result would fall after the last date chrono can represent.
pub fn add_business_days(date: NaiveDate, days: u32) -> NaiveDate {
    let mut current = date;
    let mut remaining = days;
    while remaining > 0 {
        current = current
            .succ_opt()
            .expect("business days ran past the last date chrono can represent");
        if is_business_day(current) {
            remaining -= 1;
        }
    }
    current
}

/// When an application submitted at `submitted_at` must be answered: the end of the
/// [`RESPONSE_BUSINESS_DAYS`]th business day after the Toronto date of submission (Wednesday →
/// Friday, Friday or Saturday → Tuesday, holidays skipped).
///
/// The end of a day is the start of the next Toronto day minus one microsecond (23:59:59.999999
/// local), so `now <= respond_by` holds for the whole due date.
///
/// # Panics
///
/// If the deadline would fall after the last date chrono can represent.
pub fn respond_by(submitted_at: DateTime<Utc>) -> DateTime<Utc> {
    let submitted_on = submitted_at.with_timezone(&PROGRAM_TIME_ZONE).date_naive();
    let due_on = add_business_days(submitted_on, RESPONSE_BUSINESS_DAYS);
    let day_after = due_on
        .succ_opt()
        .expect("deadline ran past the last date chrono can represent");
    // A microsecond rather than a nanosecond: PostgreSQL keeps microseconds and rounds finer
    // fractions, so a deadline a nanosecond before midnight would be stored as the next day.
    start_of_program_day(day_after) - Duration::microseconds(1)
}

/// Easter Sunday of `year` in the Gregorian calendar (anonymous Gregorian algorithm, Meeus).
fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let n = h + l - 7 * m + 114;
    NaiveDate::from_ymd_opt(
        year,
        (n / 31).try_into().ok()?,
        (n % 31 + 1).try_into().ok()?,
    )
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The first instant of `date` in the program's time zone.
fn start_of_program_day(date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_time(NaiveTime::MIN);
    match PROGRAM_TIME_ZONE.from_local_datetime(&midnight) {
        LocalResult::Single(start) | LocalResult::Ambiguous(start, _) => start.with_timezone(&Utc),
        // Midnight skipped by a clock change (Toronto last did so in 1919): the day starts at
        // the first local second after the gap, and no gap is longer than a day.
        LocalResult::None => (1..=86_400)
            .map(|second| midnight + Duration::seconds(second))
            .find_map(|local| PROGRAM_TIME_ZONE.from_local_datetime(&local).earliest())
            .expect("a clock change skipped more than a day")
            .with_timezone(&Utc),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    fn toronto(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        PROGRAM_TIME_ZONE
            .with_ymd_and_hms(year, month, day, hour, minute, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn end_of_toronto_day(year: i32, month: u32, day: u32) -> DateTime<Utc> {
        PROGRAM_TIME_ZONE
            .with_ymd_and_hms(year, month, day, 23, 59, 59)
            .unwrap()
            .with_timezone(&Utc)
            + Duration::microseconds(999_999)
    }

    fn utc(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(year, month, day, hour, minute, 0)
            .unwrap()
    }

    #[test]
    fn easter_sunday_matches_published_dates() {
        assert_eq!(easter_sunday(2024), Some(date(2024, 3, 31)));
        assert_eq!(easter_sunday(2025), Some(date(2025, 4, 20)));
        assert_eq!(easter_sunday(2026), Some(date(2026, 4, 5)));
        assert_eq!(easter_sunday(2027), Some(date(2027, 3, 28)));
        assert_eq!(easter_sunday(2038), Some(date(2038, 4, 25)));
        // The extremes of the Gregorian range: earliest (March 22) and latest (April 25).
        assert_eq!(easter_sunday(1818), Some(date(1818, 3, 22)));
        assert_eq!(easter_sunday(1943), Some(date(1943, 4, 25)));
    }

    #[test]
    fn every_year_lists_its_holidays_sorted_distinct_and_on_weekdays() {
        for year in 1990..=2100 {
            let holidays = federal_holidays(year);
            let expected = if year >= 2021 { 12 } else { 11 };
            assert_eq!(holidays.len(), expected, "{year}");
            assert!(holidays.windows(2).all(|pair| pair[0] < pair[1]), "{year}");
            assert!(holidays.iter().all(|day| !is_weekend(*day)), "{year}");
            assert!(holidays.iter().all(|day| day.year() == year), "{year}");
        }
    }

    #[test]
    fn years_chrono_cannot_hold_give_no_holidays_rather_than_panic() {
        assert!(federal_holidays(i32::MAX).is_empty());
        assert!(federal_holidays(i32::MIN).is_empty());
    }

    #[test]
    fn the_2026_calendar() {
        assert_eq!(
            federal_holidays(2026),
            vec![
                date(2026, 1, 1),
                date(2026, 4, 3),
                date(2026, 4, 6),
                date(2026, 5, 18),
                date(2026, 7, 1),
                date(2026, 8, 3),
                date(2026, 9, 7),
                date(2026, 9, 30),
                date(2026, 10, 12),
                date(2026, 11, 11),
                date(2026, 12, 25),
                // Boxing Day is a Saturday.
                date(2026, 12, 28),
            ]
        );
        assert_eq!(date(2026, 9, 30).weekday(), Weekday::Wed);
    }

    #[test]
    fn good_friday_and_easter_monday_follow_easter() {
        for (year, good_friday, easter_monday) in [
            (2024, date(2024, 3, 29), date(2024, 4, 1)),
            (2025, date(2025, 4, 18), date(2025, 4, 21)),
            (2027, date(2027, 3, 26), date(2027, 3, 29)),
            (2038, date(2038, 4, 23), date(2038, 4, 26)),
        ] {
            let holidays = federal_holidays(year);
            assert!(holidays.contains(&good_friday), "{year}");
            assert!(holidays.contains(&easter_monday), "{year}");
        }
        assert_eq!(add_business_days(date(2025, 4, 17), 1), date(2025, 4, 22));
    }

    #[test]
    fn victoria_day_is_the_last_monday_on_or_before_may_24() {
        assert!(federal_holidays(2025).contains(&date(2025, 5, 19)));
        assert!(federal_holidays(2026).contains(&date(2026, 5, 18)));
        // May 24 itself is a Monday.
        assert!(federal_holidays(2027).contains(&date(2027, 5, 24)));
        assert!(!federal_holidays(2027).contains(&date(2027, 5, 17)));
    }

    #[test]
    fn the_first_and_second_monday_holidays() {
        let holidays = federal_holidays(2026);
        assert!(holidays.contains(&date(2026, 8, 3)), "Civic Holiday");
        assert!(holidays.contains(&date(2026, 9, 7)), "Labour Day");
        assert!(holidays.contains(&date(2026, 10, 12)), "Thanksgiving");
    }

    #[test]
    fn truth_and_reconciliation_day_from_2021_on() {
        assert!(federal_holidays(2021).contains(&date(2021, 9, 30)));
        assert!(!is_business_day(date(2026, 9, 30)));
        // A Saturday in 2023: observed Monday.
        assert!(!federal_holidays(2023).contains(&date(2023, 9, 30)));
        assert!(federal_holidays(2023).contains(&date(2023, 10, 2)));
        assert!(is_business_day(date(2020, 9, 30)));
    }

    #[test]
    fn canada_day_on_a_weekend_is_observed_monday() {
        // Saturday.
        assert!(federal_holidays(2023).contains(&date(2023, 7, 3)));
        assert!(!federal_holidays(2023).contains(&date(2023, 7, 1)));
        // Sunday.
        assert!(federal_holidays(2029).contains(&date(2029, 7, 2)));
        assert!(!federal_holidays(2029).contains(&date(2029, 7, 1)));
    }

    #[test]
    fn christmas_and_boxing_day_on_a_weekend_take_the_next_free_weekdays() {
        // Christmas on Saturday: Monday 27 and Tuesday 28.
        let december_2021: Vec<_> = federal_holidays(2021)
            .into_iter()
            .filter(|day| day.month() == 12)
            .collect();
        assert_eq!(december_2021, vec![date(2021, 12, 27), date(2021, 12, 28)]);
        // Christmas on Sunday: Boxing Day stays Monday 26, Christmas moves to Tuesday 27.
        let december_2022: Vec<_> = federal_holidays(2022)
            .into_iter()
            .filter(|day| day.month() == 12)
            .collect();
        assert_eq!(december_2022, vec![date(2022, 12, 26), date(2022, 12, 27)]);
    }

    #[test]
    fn new_years_day_on_a_weekend_is_observed_monday() {
        // Saturday.
        assert_eq!(federal_holidays(2022)[0], date(2022, 1, 3));
        // Sunday.
        assert_eq!(federal_holidays(2023)[0], date(2023, 1, 2));
    }

    #[test]
    fn remembrance_day_on_a_weekend_is_observed_monday() {
        // Saturday.
        assert!(federal_holidays(2023).contains(&date(2023, 11, 13)));
        assert!(!federal_holidays(2023).contains(&date(2023, 11, 11)));
        // Sunday.
        assert!(federal_holidays(2029).contains(&date(2029, 11, 12)));
    }

    #[test]
    fn business_days_are_weekdays_that_are_not_holidays() {
        assert!(is_business_day(date(2026, 11, 18)));
        assert!(!is_business_day(date(2026, 11, 21)), "Saturday");
        assert!(!is_business_day(date(2026, 11, 22)), "Sunday");
        assert!(!is_business_day(date(2026, 12, 28)), "observed Boxing Day");
        assert!(is_business_day(date(2026, 12, 29)));
    }

    #[test]
    fn adding_business_days() {
        assert_eq!(add_business_days(date(2026, 11, 21), 0), date(2026, 11, 21));
        // Wednesday → Friday; Friday and Saturday → Tuesday.
        assert_eq!(add_business_days(date(2026, 11, 18), 2), date(2026, 11, 20));
        assert_eq!(add_business_days(date(2026, 11, 13), 2), date(2026, 11, 17));
        assert_eq!(add_business_days(date(2026, 11, 14), 2), date(2026, 11, 17));
        // Across the year end: New Year's Day 2027 is a Friday.
        assert_eq!(add_business_days(date(2026, 12, 31), 1), date(2027, 1, 4));
        assert_eq!(add_business_days(date(2026, 1, 1), 10), date(2026, 1, 15));
    }

    #[test]
    fn respond_by_skips_christmas_the_weekend_and_boxing_day() {
        assert_eq!(
            respond_by(toronto(2026, 12, 24, 15, 0)),
            end_of_toronto_day(2026, 12, 30)
        );
    }

    #[test]
    fn respond_by_skips_good_friday_and_easter_monday() {
        assert_eq!(
            respond_by(toronto(2026, 4, 2, 10, 0)),
            end_of_toronto_day(2026, 4, 8)
        );
    }

    #[test]
    fn respond_by_from_weekdays_and_weekends() {
        // Wednesday → Friday.
        assert_eq!(
            respond_by(toronto(2026, 11, 18, 9, 0)),
            end_of_toronto_day(2026, 11, 20)
        );
        // Friday → Tuesday.
        assert_eq!(
            respond_by(toronto(2026, 11, 13, 16, 45)),
            end_of_toronto_day(2026, 11, 17)
        );
        // Saturday → Tuesday.
        assert_eq!(
            respond_by(toronto(2026, 11, 14, 11, 0)),
            end_of_toronto_day(2026, 11, 17)
        );
    }

    #[test]
    fn respond_by_counts_from_the_toronto_date() {
        // Thursday 03:00 UTC is still Wednesday 22:00 EST: due Friday, not Monday.
        assert_eq!(
            respond_by(utc(2026, 11, 19, 3, 0)),
            end_of_toronto_day(2026, 11, 20)
        );
        // Thursday 05:00 UTC is Thursday 00:00 EST: due Monday.
        assert_eq!(
            respond_by(utc(2026, 11, 19, 5, 0)),
            end_of_toronto_day(2026, 11, 23)
        );
        // Saturday 01:30 UTC is still Friday 20:30 EST: due Tuesday.
        assert_eq!(
            respond_by(utc(2026, 11, 21, 1, 30)),
            end_of_toronto_day(2026, 11, 24)
        );
    }

    #[test]
    fn the_deadline_is_the_last_microsecond_of_the_toronto_day_across_clock_changes() {
        // Due Tuesday 2026-03-10, after the spring change on Sunday 8: midnight EDT is 04:00 UTC.
        let spring = respond_by(toronto(2026, 3, 6, 12, 0));
        assert_eq!(spring, utc(2026, 3, 11, 4, 0) - Duration::microseconds(1));
        // Due Tuesday 2026-11-03, after the autumn change on Sunday 1: midnight EST is 05:00 UTC.
        let autumn = respond_by(toronto(2026, 10, 30, 12, 0));
        assert_eq!(autumn, utc(2026, 11, 4, 5, 0) - Duration::microseconds(1));
        let local = autumn.with_timezone(&PROGRAM_TIME_ZONE);
        assert_eq!(local.date_naive(), date(2026, 11, 3));
        assert_eq!(
            local.time(),
            NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap()
        );
    }

    #[test]
    fn a_skipped_midnight_starts_the_day_when_the_clocks_resume() {
        // 1919-03-30 23:30 EST jumped to 00:30 EDT on the 31st.
        assert_eq!(
            start_of_program_day(date(1919, 3, 31)),
            utc(1919, 3, 31, 4, 30)
        );
    }
}
