//! Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01), for `$fromMillis`/`$toMillis`:
//! civil dates, ISO weekdays, ISO week numbering (weeks start on Monday and belong to the year, or month, holding
//! their Thursday).

pub(crate) const MS_PER_DAY: i64 = 86_400_000;

/// Days since 1970-01-01 of a civil date; months outside 1..=12 and days outside the month roll over.
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let month0 = month - 1;
    let year = year + month0.div_euclid(12);
    let month = month0.rem_euclid(12) + 1;
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468 + (day - 1)
}

/// The civil date (year, month 1..=12, day 1..=31) of a day number.
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// ISO day of the week: Monday = 1 ... Sunday = 7.
pub(crate) fn iso_weekday(days: i64) -> i64 {
    (days + 3).rem_euclid(7) + 1
}

/// The day number of the Thursday of the (Monday-based) week holding `days`.
fn thursday_of_week(days: i64) -> i64 {
    days - (iso_weekday(days) - 1) + 3
}

/// ISO week-numbering year and week of the year.
pub(crate) fn iso_week(days: i64) -> (i64, i64) {
    let thursday = thursday_of_week(days);
    let (year, _, _) = civil_from_days(thursday);
    (year, (thursday - days_from_civil(year, 1, 1)) / 7 + 1)
}

/// Month (1..=12) and week of that month, weeks belonging to the month of their Thursday.
pub(crate) fn week_of_month(days: i64) -> (i64, i64) {
    let (_, month, day) = civil_from_days(thursday_of_week(days));
    (month, (day - 1) / 7 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for days in [-800_000i64, -1, 0, 1, 59, 365, 10_957, 17_532, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2018, 13, 1), days_from_civil(2019, 1, 1));
        assert_eq!(iso_weekday(0), 4);
        assert_eq!(iso_week(days_from_civil(2005, 1, 1)), (2004, 53));
        assert_eq!(week_of_month(days_from_civil(2017, 1, 1)), (12, 5));
    }
}
