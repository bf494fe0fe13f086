//! Every finding as CSV (RFC 4180, inert cells, one header row), most severe first, each with its evidence
//! reference: evidence id, file, line / record / offset / MFT entry / key, and the SHA-256 of the file as read.

use super::escape::csv_cell;
use super::timeline_csv::position_cells;
use crate::model::ScanResult;
use std::io::{self, Write};

/// The columns, in order.
pub const COLUMNS: &[&str] = &[
    "Severity",
    "Rule",
    "ComponentId",
    "Message",
    "RecordId",
    "EvidenceId",
    "File",
    "Line",
    "Offset",
    "MftEntry",
    "RegistryKey",
    "SourceSHA256",
];

/// The findings CSV printer.
pub struct FindingsCsv;

impl super::Printer for FindingsCsv {
    fn print(&self, result: &ScanResult, out: &mut dyn Write) -> io::Result<()> {
        let files = crate::model::index(&result.coverage.files_read);
        writeln!(out, "{}", COLUMNS.join(","))?;
        for f in &result.findings {
            let p = &f.source;
            let sha = p.file.as_ref().and_then(|file| files.get(&(p.evidence.clone(), file.key())));
            let row: Vec<String> = [
                f.severity.as_str().to_string(),
                f.rule.to_string(),
                f.component.clone().unwrap_or_default(),
                f.message.clone(),
                p.record.map(|n| n.to_string()).unwrap_or_default(),
            ]
            .into_iter()
            .chain(position_cells(p))
            .chain([sha.map(|f| f.sha256.clone()).unwrap_or_default()])
            .collect();
            writeln!(out, "{}", row.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","))?;
        }
        Ok(())
    }
}
