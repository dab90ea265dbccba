//! Calendar dates: the guide's date, `verified` dates, day arithmetic, `SOURCE_DATE_EPOCH`.

use std::fmt;

/// A proleptic Gregorian date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month, 1–31.
    pub day: u8,
}

impl Date {
    /// The date of a day number since 1970-01-01.
    pub fn from_days(days: i64) -> Self {
        let (y, m, d) = civil_from_days(days);
        Self { year: y as i32, month: m as u8, day: d as u8 }
    }

    /// Days since 1970-01-01.
    pub fn days(self) -> i64 {
        days_from_civil(i64::from(self.year), u32::from(self.month), u32::from(self.day))
    }

    /// The day `SOURCE_DATE_EPOCH` (seconds since 1970, UTC) falls on, when it is set: the date
    /// reproducible builds agree on.
    pub fn source_date_epoch() -> Option<Self> {
        let secs: i64 = std::env::var("SOURCE_DATE_EPOCH").ok()?.trim().parse().ok()?;
        Some(Self::from_days(secs.div_euclid(86_400)))
    }

    /// The day things done now are dated: `SOURCE_DATE_EPOCH`'s day when it is set (reproducible
    /// runs and tests), else today in UTC.
    pub fn now() -> Self {
        Self::source_date_epoch().unwrap_or_else(Self::today)
    }

    /// Today in UTC.
    pub fn today() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
        Self::from_days(secs.div_euclid(86_400))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date `(year, month, day)` of a day number since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date; `None` unless it is exactly that form and a
/// real day.
pub fn parse_date(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) || !digits(5..7) || !digits(8..10) {
        return None;
    }
    let (y, m, d): (i64, u32, u32) = (text[0..4].parse().ok()?, text[5..7].parse().ok()?, text[8..10].parse().ok()?);
    let day = days_from_civil(y, m, d);
    (civil_from_days(day) == (y, m, d)).then_some(day)
}

/// `YYYY-MM-DD` of a day number since 1970-01-01.
pub fn format_date(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Today's date as a day number, in the time zone furthest ahead (UTC+14): no date that is
/// already today somewhere (in Seoul, UTC+9, say) is refused as being in the future.
pub fn today_anywhere() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    (secs + 14 * 3600).div_euclid(86_400)
}

/// The clock's time, UTC, as `YYYY-MM-DD HH:MM UTC`.
pub fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    let day = format_date(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!("{day} {:02}:{:02} UTC", s / 3600, s % 3600 / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip() {
        let d = Date { year: 2024, month: 2, day: 29 };
        assert_eq!(Date::from_days(d.days()), d);
        assert_eq!(d.to_string(), "2024-02-29");
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2024-02-29").map(format_date).as_deref(), Some("2024-02-29"));
        for bad in
            ["2025-02-29", "2026-13-01", "2026-1-01", "26-01-01", "2026/01/01", "2026-01-01T00", "", "２０２６-01-01"]
        {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
