//! Dates and time zones: reading the forms users write, and placing instants in the site's zone.
//!
//! Pure: no clock. The site's zone decides which calendar day an article belongs to.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike};
use chrono_tz::Tz;

/// The site's time zone: an IANA name or a fixed offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// A named zone with daylight-saving rules, e.g. `Europe/Moscow`.
    Named(Tz),
    /// A fixed offset from UTC, e.g. `+03:00`.
    Fixed(FixedOffset),
}

impl Zone {
    /// UTC, the default.
    pub fn utc() -> Self {
        Zone::Fixed(FixedOffset::east_opt(0).expect("zero offset"))
    }

    /// Reads `UTC`, `Z`, `+03:00`, `-0530`, `UTC+2` or an IANA name.
    pub fn parse(s: &str) -> Result<Self, String> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("utc") || t == "Z" {
            return Ok(Zone::utc());
        }
        let offset_part = t.strip_prefix("UTC").or_else(|| t.strip_prefix("GMT")).unwrap_or(t);
        if let Some(off) = parse_offset(offset_part) {
            return Ok(Zone::Fixed(off));
        }
        t.parse::<Tz>().map(Zone::Named).map_err(|_| {
            format!(
                "unknown time zone \"{s}\": expected an IANA name like \"Europe/Berlin\" or an offset like \"+03:00\""
            )
        })
    }

    /// The same instant, with the offset this zone has at that instant.
    pub fn place(&self, dt: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        match self {
            Zone::Named(tz) => dt.with_timezone(tz).fixed_offset(),
            Zone::Fixed(off) => dt.with_timezone(off),
        }
    }

    /// A wall-clock time in this zone. In a daylight-saving gap the time is moved forward
    /// by the gap; in an overlap the earlier instant wins.
    pub fn local(&self, naive: NaiveDateTime) -> DateTime<FixedOffset> {
        match self {
            Zone::Fixed(off) => off.from_local_datetime(&naive).single().expect("fixed offsets are never ambiguous"),
            Zone::Named(tz) => {
                let mut probe = naive;
                // A gap is at most a few hours; step forward until the wall time exists.
                for _ in 0..24 * 4 {
                    if let Some(dt) = tz.from_local_datetime(&probe).earliest() {
                        return dt.fixed_offset();
                    }
                    probe += chrono::Duration::minutes(15);
                }
                let utc = tz.offset_from_utc_datetime(&naive).fix();
                utc.from_utc_datetime(&naive)
            }
        }
    }
}

fn parse_offset(s: &str) -> Option<FixedOffset> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().ok()?, 0),
        4 => (digits[..2].parse::<i32>().ok()?, digits[2..].parse::<i32>().ok()?),
        _ => return None,
    };
    if h > 23 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// Reads a date as users write it: RFC 3339 with an offset, a local date-time
/// (`2025-03-05T10:00:00` or with a space), or a bare date, which is midnight in `zone`.
/// The result is the instant, placed in `zone`.
pub fn parse(s: &str, zone: &Zone) -> Result<DateTime<FixedOffset>, String> {
    let t = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(zone.place(dt));
    }
    if let Ok(dt) = DateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%:z") {
        return Ok(zone.place(dt));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, fmt) {
            return Ok(zone.local(naive));
        }
    }
    match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        Ok(d) => Ok(zone.local(d.and_time(NaiveTime::MIN))),
        Err(e) => Err(format!(
            "invalid date \"{s}\" ({e}): expected 2025-03-05, 2025-03-05T10:00:00 or 2025-03-05T10:00:00+03:00"
        )),
    }
}

/// "5 March 2025": how dates are shown to readers.
pub fn human(dt: &DateTime<FixedOffset>) -> String {
    human_day(dt.date_naive())
}

/// "5 March 2025": a day as readers see it (chrono's `%-d %B %Y`, written by hand: chrono's
/// formatting parses its format string on every call; years it writes otherwise than with four
/// digits are left to it).
pub fn human_day(d: NaiveDate) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    if !(0..=9999).contains(&d.year()) {
        return d.format("%-d %B %Y").to_string();
    }
    let month = MONTHS[d.month0() as usize];
    let mut s = String::with_capacity(month.len() + 8);
    push_digits(&mut s, d.day(), if d.day() >= 10 { 2 } else { 1 });
    s.push(' ');
    s.push_str(month);
    s.push(' ');
    push_digits(&mut s, d.year() as u32, 4);
    s
}

/// "2025-03-05": the day of an instant, where it was placed.
pub fn day(dt: &DateTime<FixedOffset>) -> String {
    let d = dt.date_naive();
    if !(0..=9999).contains(&d.year()) {
        return d.to_string();
    }
    let mut s = String::with_capacity(10);
    push_digits(&mut s, d.year() as u32, 4);
    s.push('-');
    push_digits(&mut s, d.month(), 2);
    s.push('-');
    push_digits(&mut s, d.day(), 2);
    s
}

/// "10:00": the time of day of an instant, where it was placed.
pub fn time(dt: &DateTime<FixedOffset>) -> String {
    let mut s = String::with_capacity(5);
    push_digits(&mut s, dt.hour(), 2);
    s.push(':');
    push_digits(&mut s, dt.minute(), 2);
    s
}

/// Writes the last `width` decimal digits of `n`, zero-padded: dates are shown on every page,
/// and `format!` costs several times what they take by hand.
pub(crate) fn push_digits(s: &mut String, n: u32, width: u32) {
    for place in (0..width).rev() {
        s.push(char::from(b'0' + (n / 10u32.pow(place) % 10) as u8));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moscow() -> Zone {
        Zone::parse("Europe/Moscow").unwrap()
    }

    #[test]
    fn bare_date_is_midnight_in_site_zone() {
        let d = parse("2025-03-05", &moscow()).unwrap();
        assert_eq!(d.to_rfc3339(), "2025-03-05T00:00:00+03:00");
    }

    #[test]
    fn offset_datetime_is_moved_into_site_zone_and_may_change_day() {
        let d = parse("2025-03-05T22:30:00Z", &moscow()).unwrap();
        assert_eq!(d.to_rfc3339(), "2025-03-06T01:30:00+03:00");
        assert_eq!(d.date_naive().to_string(), "2025-03-06");
    }

    #[test]
    fn local_datetime_forms() {
        let z = Zone::parse("+02:00").unwrap();
        assert_eq!(parse("2025-03-05T10:00:00", &z).unwrap().to_rfc3339(), "2025-03-05T10:00:00+02:00");
        assert_eq!(parse("2025-03-05 10:00", &z).unwrap().to_rfc3339(), "2025-03-05T10:00:00+02:00");
    }

    #[test]
    fn invalid_dates_say_what_was_expected() {
        let e = parse("2025-13-02", &Zone::utc()).unwrap_err();
        assert!(e.contains("invalid date \"2025-13-02\""), "{e}");
        assert!(parse("yesterday", &Zone::utc()).is_err());
    }

    #[test]
    fn zones() {
        assert_eq!(Zone::parse("UTC").unwrap(), Zone::utc());
        assert_eq!(Zone::parse("-0530").unwrap(), Zone::Fixed(FixedOffset::west_opt(5 * 3600 + 1800).unwrap()));
        assert_eq!(Zone::parse("UTC+2").unwrap(), Zone::Fixed(FixedOffset::east_opt(7200).unwrap()));
        assert!(Zone::parse("Mars/Olympus").is_err());
    }

    #[test]
    fn daylight_saving_gap_moves_forward() {
        let z = Zone::parse("Europe/Berlin").unwrap();
        let d = parse("2025-03-30T02:30:00", &z).unwrap();
        assert_eq!(d.to_rfc3339(), "2025-03-30T03:00:00+02:00");
    }

    #[test]
    fn human_format() {
        let d = parse("2025-03-05", &Zone::utc()).unwrap();
        assert_eq!(human(&d), "5 March 2025");
    }

    #[test]
    fn forms_written_by_hand_are_chronos() {
        let z = Zone::parse("-0930").unwrap();
        let every_day_of_2024 = (0..366).map(|i| {
            let d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Days::new(i);
            format!("{d}T{:02}:{:02}:00", i % 24, (i * 7) % 60)
        });
        let edges = ["2025-03-05T10:07:00", "0999-12-31T23:59:59", "0000-01-01T00:00:00", "9999-12-31T01:02:03"];
        for s in edges.map(String::from).into_iter().chain(every_day_of_2024) {
            let d = parse(&s, &z).unwrap();
            assert_eq!(human(&d), d.format("%-d %B %Y").to_string(), "{s}");
            assert_eq!(day(&d), d.format("%Y-%m-%d").to_string(), "{s}");
            assert_eq!(time(&d), d.format("%H:%M").to_string(), "{s}");
        }
        let far = FixedOffset::east_opt(0)
            .unwrap()
            .from_utc_datetime(&NaiveDate::from_ymd_opt(10000, 1, 2).unwrap().and_hms_opt(3, 4, 5).unwrap());
        assert_eq!((human(&far), day(&far)), (far.format("%-d %B %Y").to_string(), far.format("%Y-%m-%d").to_string()));
    }
}
