//! Printers of a [`ScanResult`]: each turns the same result into one output format and never analyses.
//!
//! A new format is one file with a [`Printer`] and one line in [`PRINTERS`].

pub mod bodyfile;
pub mod case;
pub mod components_csv;
pub mod escape;
pub mod findings_csv;
pub mod fleet;
pub mod guard;
pub mod html;
pub mod json;
pub mod table;
pub mod timeline_csv;
pub mod timeline_jsonl;

use crate::model::ScanResult;
use std::io::{self, Write};

/// What the analyst asked to see, for printers that show less than everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct PrintOptions {
    /// Show built-in components too (by default only non-default ones and those with findings).
    pub all_components: bool,
}

/// One output format.
pub trait Printer {
    /// Writes the whole result to `out`.
    fn print(&self, result: &ScanResult, out: &mut dyn Write) -> io::Result<()>;
}

/// An output format: its name (`--format NAME`), what it is, and how to make its printer.
pub struct Format {
    /// The name on the command line.
    pub name: &'static str,
    /// What it is, for the documentation.
    pub about: &'static str,
    /// Makes its printer.
    pub make: fn(PrintOptions) -> Box<dyn Printer>,
}

/// Every output format.
pub const PRINTERS: &[Format] = &[
    Format {
        name: "table",
        about: "terminal tables, most important first",
        make: |o| Box::new(table::TablePrinter(o)),
    },
    Format {
        name: "json",
        about: "the whole result as one JSON document (docs/json.md)",
        make: |_| Box::new(json::Json),
    },
    Format {
        name: "csv",
        about: "the timeline for Timeline Explorer (RFC 4180, inert cells)",
        make: |_| Box::new(timeline_csv::TimelineCsv),
    },
    Format {
        name: "bodyfile",
        about: "NTFS times of the files read, as a Sleuth Kit bodyfile for mactime",
        make: |_| Box::new(bodyfile::Bodyfile),
    },
    Format {
        name: "jsonl",
        about: "the timeline in Timesketch's JSONL import format",
        make: |_| Box::new(timeline_jsonl::TimelineJsonl),
    },
    Format {
        name: "html",
        about: "the case report: one self-contained HTML page (no script, nothing loaded from the network)",
        make: |_| Box::new(html::HtmlReport),
    },
    Format {
        name: "components-csv",
        about: "every component with its verdict and arrival, as CSV",
        make: |_| Box::new(components_csv::ComponentsCsv),
    },
    Format {
        name: "findings-csv",
        about: "every finding with its evidence reference, as CSV",
        make: |_| Box::new(findings_csv::FindingsCsv),
    },
];

/// The printer for a format name, `None` when there is no such format.
pub fn printer(format: &str, opts: PrintOptions) -> Option<Box<dyn Printer>> {
    PRINTERS.iter().find(|f| f.name == format).map(|f| (f.make)(opts))
}

/// The format names, for the command line.
pub fn formats() -> Vec<&'static str> {
    PRINTERS.iter().map(|f| f.name).collect()
}
