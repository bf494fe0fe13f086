//! The JSON report: the whole result, as documented in docs/json.md. serde_json escapes control characters,
//! so attacker-controlled strings cannot break the document.

use crate::model::ScanResult;
use std::io::{self, Write};

/// Writes the result as pretty-printed JSON followed by a newline.
pub fn write(result: &ScanResult, mut out: impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut out, result)?;
    out.write_all(b"\n")
}

/// The JSON printer.
pub struct Json;

impl super::Printer for Json {
    fn print(&self, result: &ScanResult, out: &mut dyn Write) -> io::Result<()> {
        write(result, out)
    }
}
