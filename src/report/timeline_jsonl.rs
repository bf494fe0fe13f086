//! The timeline in Timesketch's JSONL import format: one JSON object a line, each with `message`, `datetime`
//! (ISO 8601) and `timestamp_desc`, plus the fields of the CSV printer under snake_case names.

use super::timeline_csv::{COLUMNS, cells, host};
use crate::model::ScanResult;
use std::io::{self, Write};

/// The Timesketch JSONL printer.
pub struct TimelineJsonl;

impl super::Printer for TimelineJsonl {
    fn print(&self, result: &ScanResult, out: &mut dyn Write) -> io::Result<()> {
        for row in &result.timeline {
            let mut line = serde_json::Map::new();
            line.insert("message".into(), row.description.clone().into());
            line.insert("datetime".into(), row.timestamp.to_string().into());
            // Microseconds since 1970, the `timestamp` Timesketch keeps beside `datetime`.
            line.insert("timestamp".into(), row.timestamp.ticks().div_euclid(10).into());
            line.insert("timestamp_desc".into(), row.timestamp_desc.clone().into());
            for (name, value) in COLUMNS.iter().zip(cells(row, host(result))) {
                if !value.is_empty() && !matches!(*name, "Timestamp" | "TimestampDescription" | "Description") {
                    line.insert(snake(name), value.into());
                }
            }
            serde_json::to_writer(&mut *out, &serde_json::Value::Object(line))?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }
}

/// `RecordId` → `record_id`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    let mut previous_upper = true;
    for ch in name.chars() {
        if ch.is_ascii_uppercase() && !previous_upper {
            out.push('_');
        }
        previous_upper = ch.is_ascii_uppercase() || ch.is_ascii_digit();
        out.push(ch.to_ascii_lowercase());
    }
    out
}
