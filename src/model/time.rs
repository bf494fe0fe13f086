//! One time type for every fact: [`Timestamp`], UTC with the 100 ns precision Windows keeps (FILETIME, NTFS,
//! EVTX `SystemTime`), written in every output as RFC 3339 with seven fractional digits.

use serde::Serialize;
use std::fmt;

/// 100 ns ticks between 1601-01-01 (FILETIME's epoch) and 1970-01-01.
const FILETIME_TO_UNIX: i64 = 116_444_736_000_000_000;
const TICKS_PER_SECOND: i64 = 10_000_000;

/// A UTC instant in 100 ns ticks since 1970-01-01T00:00:00Z. Ordered, hashable, exact: converting a FILETIME
/// or an EVTX `SystemTime` loses nothing. What the time *means* (created, logged, last written) travels beside
/// it (`timestamp_desc` on timeline rows, the field name elsewhere).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// From 100 ns ticks since 1970.
    pub const fn from_ticks(ticks: i64) -> Timestamp {
        Timestamp(ticks)
    }

    /// 100 ns ticks since 1970.
    pub const fn ticks(self) -> i64 {
        self.0
    }

    /// From a FILETIME (100 ns since 1601, as NTFS, the registry and the change journal keep time); `None` for a
    /// value past the year 30828 (no real clock writes one).
    pub fn from_filetime(ft: u64) -> Option<Timestamp> {
        i64::try_from(ft).ok().map(|t| Timestamp(t - FILETIME_TO_UNIX))
    }

    /// From whole seconds since 1970 (PE headers, signing times).
    pub fn from_unix_seconds(secs: i64) -> Option<Timestamp> {
        secs.checked_mul(TICKS_PER_SECOND).map(Timestamp)
    }

    /// From a chrono time, keeping 100 ns.
    pub fn from_chrono(t: &chrono::DateTime<chrono::Utc>) -> Option<Timestamp> {
        let ticks = i64::from(t.timestamp_subsec_nanos() / 100);
        t.timestamp().checked_mul(TICKS_PER_SECOND).and_then(|s| s.checked_add(ticks)).map(Timestamp)
    }

    /// From RFC 3339 text (an EVTX `SystemTime`), keeping 100 ns.
    pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
        chrono::DateTime::parse_from_rfc3339(text).ok().and_then(|t| Timestamp::from_chrono(&t.to_utc()))
    }

    /// Whole seconds since 1970 (rounded down).
    pub fn unix_seconds(self) -> i64 {
        self.0.div_euclid(TICKS_PER_SECOND)
    }

    /// Whether the time has no fraction of a second (what time-setting tools write).
    pub fn whole_second(self) -> bool {
        self.0.rem_euclid(TICKS_PER_SECOND) == 0
    }
}

impl fmt::Display for Timestamp {
    /// `2024-05-01T10:20:30.1234567Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.unix_seconds();
        let frac = self.0.rem_euclid(TICKS_PER_SECOND);
        match chrono::DateTime::from_timestamp(secs, 0) {
            Some(d) => write!(f, "{}.{frac:07}Z", d.format("%Y-%m-%dT%H:%M:%S")),
            None => write!(f, "(time out of range: {} ticks)", self.0),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A FILETIME as RFC 3339 UTC with seven fractional digits, or `FILETIME n` when it is no date.
pub fn filetime_rfc3339(ft: u64) -> String {
    match Timestamp::from_filetime(ft) {
        Some(t) if chrono::DateTime::from_timestamp(t.unix_seconds(), 0).is_some() => t.to_string(),
        _ => format!("FILETIME {ft}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filetimes_keep_100_ns_and_print_seven_digits() {
        // 2019-03-05T10:11:12.1234567Z as a FILETIME.
        let ft = 131_962_542_721_234_567u64;
        let t = Timestamp::from_filetime(ft).unwrap();
        assert_eq!(t.to_string(), "2019-03-05T10:11:12.1234567Z");
        assert_eq!(Timestamp::parse_rfc3339("2019-03-05T10:11:12.1234567Z"), Some(t));
        assert_eq!(Timestamp::from_unix_seconds(0).unwrap().to_string(), "1970-01-01T00:00:00.0000000Z");
        assert_eq!(Timestamp::from_filetime(0).unwrap().to_string(), "1601-01-01T00:00:00.0000000Z");
        assert!(Timestamp::from_filetime(u64::MAX).is_none());
        assert_eq!(filetime_rfc3339(u64::MAX), format!("FILETIME {}", u64::MAX));
        assert!(!t.whole_second());
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"2019-03-05T10:11:12.1234567Z\"");
    }
}
