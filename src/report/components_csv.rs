//! Every component as CSV (RFC 4180, inert cells, one header row): what it is, where it was declared, its file,
//! signature, baseline class, verdict and when it arrived.

use super::escape::csv_cell;
use crate::model::{Component, ScanResult};
use std::io::{self, Write};

/// The columns, in order.
pub const COLUMNS: &[&str] = &[
    "ComponentId",
    "Kind",
    "Name",
    "ImageOrType",
    "ResolvedPath",
    "Scope",
    "State",
    "Baseline",
    "Product",
    "FileStatus",
    "FileSHA256",
    "Signature",
    "Verdict",
    "Reasons",
    "AddedExact",
    "AddedEarliest",
    "AddedLatest",
    "Method",
    "Actor",
    "EvidenceId",
    "File",
    "Line",
    "SourceSHA256",
];

/// The components CSV printer.
pub struct ComponentsCsv;

impl super::Printer for ComponentsCsv {
    fn print(&self, result: &ScanResult, out: &mut dyn Write) -> io::Result<()> {
        let files = crate::model::index(&result.coverage.files_read);
        writeln!(out, "{}", COLUMNS.join(","))?;
        for c in &result.components {
            let source_sha = c
                .source
                .file
                .as_ref()
                .and_then(|f| files.get(&(c.source.evidence.clone(), f.key())))
                .map(|f| f.sha256.clone())
                .unwrap_or_default();
            let row = cells(c, source_sha);
            writeln!(out, "{}", row.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","))?;
        }
        Ok(())
    }
}

fn cells(c: &Component, source_sha256: String) -> Vec<String> {
    let l = c.lifecycle.as_ref();
    let bound = |b: Option<&crate::model::Basis>| b.map(|b| b.time.to_string()).unwrap_or_default();
    let actor = l
        .and_then(|l| l.actor.as_ref())
        .map(|a| [a.account.as_deref(), a.sid.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" / "));
    vec![
        c.id.clone(),
        c.kind.as_str().to_string(),
        c.name.clone(),
        c.image.clone().unwrap_or_default(),
        c.path.as_ref().map(|p| p.to_string()).unwrap_or_default(),
        c.scope.clone(),
        c.state.as_str().to_string(),
        c.baseline.as_str().to_string(),
        c.product.unwrap_or("").to_string(),
        c.file.as_ref().map(|f| f.status.as_str().to_string()).unwrap_or_default(),
        c.file.as_ref().and_then(|f| f.sha256.clone()).unwrap_or_default(),
        c.signature.map(|s| s.as_str().to_string()).unwrap_or_default(),
        c.verdict.as_ref().map(|v| v.level.as_str().to_string()).unwrap_or_default(),
        c.verdict.as_ref().map(|v| v.reasons.join("; ")).unwrap_or_default(),
        bound(l.and_then(|l| l.added.exact.as_ref())),
        bound(l.and_then(|l| l.added.earliest.as_ref())),
        bound(l.and_then(|l| l.added.latest.as_ref())),
        l.map(|l| l.method.as_str().to_string()).unwrap_or_default(),
        actor.unwrap_or_default(),
        c.source.evidence.clone(),
        c.source.path().to_string(),
        c.source.line.map(|n| n.to_string()).unwrap_or_default(),
        source_sha256,
    ]
}
