//! Times: RFC 3339 UTC text from chrono times, microseconds and FILETIMEs.

/// A UTC time as RFC 3339 with microseconds (`2024-05-01T10:20:30.123456Z`), the form every report uses.
pub fn rfc3339(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Microseconds since 1970 as [`rfc3339`]; `None` outside the range of dates.
pub fn rfc3339_micros(us: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_micros(us).map(|t| rfc3339(&t))
}

/// A FILETIME (100 ns since 1601, as NTFS and the change journal keep time) in microseconds since 1970.
pub fn filetime_micros(ft: u64) -> i64 {
    (ft / 10) as i64 - 11_644_473_600_000_000
}

/// A FILETIME as RFC 3339 UTC with seven fractional digits (NTFS's 100 ns).
pub fn filetime_rfc3339(t: u64) -> String {
    let secs = (t / 10_000_000) as i64 - 11_644_473_600;
    match chrono::DateTime::from_timestamp(secs, 0) {
        Some(d) => format!("{}.{:07}Z", d.format("%Y-%m-%dT%H:%M:%S"), t % 10_000_000),
        None => format!("FILETIME {t}"),
    }
}
