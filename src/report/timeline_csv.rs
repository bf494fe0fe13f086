//! The timeline as CSV for Eric Zimmerman's Timeline Explorer and spreadsheets: UTF-8, RFC 4180, one header row
//! of stable column names, rows in time order, every cell made inert (no formula runs).

use super::escape::csv_cell;
use crate::model::{Position, ScanResult, TimelineEvent};
use std::io::{self, Write};

/// The columns, in order: the time and what it means first, then where it was read.
pub const COLUMNS: &[&str] = &[
    "Timestamp",
    "TimestampDescription",
    "Source",
    "EventId",
    "RecordId",
    "Component",
    "Description",
    "Host",
    "EvidenceId",
    "File",
    "Line",
    "Offset",
    "MftEntry",
    "RegistryKey",
    "SHA256",
];

/// The timeline CSV printer.
pub struct TimelineCsv;

impl super::Printer for TimelineCsv {
    fn print(&self, result: &ScanResult, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}", COLUMNS.join(","))?;
        for row in &result.timeline {
            writeln!(out, "{}", cells(row, host(result)).iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","))?;
        }
        Ok(())
    }
}

/// The host a result is about, as the timeline rows name it (empty when the evidence does not tell): Timesketch
/// and Timeline Explorer keep rows of many hosts apart by it.
pub fn host(result: &ScanResult) -> &str {
    result.host.as_deref().unwrap_or_default()
}

/// One row's cells, in [`COLUMNS`] order.
pub fn cells(t: &TimelineEvent, host: &str) -> Vec<String> {
    let p = &t.evidence;
    let num = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_default();
    vec![
        t.timestamp.to_string(),
        t.timestamp_desc.clone(),
        t.source.clone(),
        t.event.as_ref().map(|e| e.event_id.to_string()).unwrap_or_default(),
        num(t.event.as_ref().map(|e| e.record_id).or(p.record)),
        t.component.clone().unwrap_or_default(),
        t.description.clone(),
        host.to_string(),
    ]
    .into_iter()
    .chain(position_cells(p))
    .chain([t.sha256.clone().unwrap_or_default()])
    .collect()
}

/// Where a fact was read, as the CSV files write it: `EvidenceId`, `File`, `Line`, `Offset`, `MftEntry`,
/// `RegistryKey` (empty cells for what does not apply).
pub fn position_cells(p: &Position) -> [String; 6] {
    let num = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_default();
    [
        p.evidence.clone(),
        p.path().to_string(),
        num(p.line.map(|l| l as u64)),
        num(p.offset),
        num(p.mft_entry),
        p.key.clone().unwrap_or_default(),
    ]
}
