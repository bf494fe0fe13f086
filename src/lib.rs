//! inetsift: offline analysis of IIS server persistence (MITRE ATT&CK T1505.004) in acquired evidence.
//!
//! The data flows one way (docs/architecture.md):
//! [`evidence`] (read-only file systems over folders, zips, single files, disk images) →
//! [`artifacts`] (collectors: evidence into [`model`] facts with their positions) →
//! [`analysis`] (the fusion stage, then the rules) → [`scan`] (the stages) → [`report`] (printers).
//! [`model`] is the vocabulary every layer speaks and imports nothing else of the crate.
//!
//! # Getting started
//! 1. Run [`scan::scan`] over evidence paths.
//! 2. Read [`model::ScanResult::components`] and [`model::ScanResult::findings`].
//! 3. Print with a [`report::Printer`] from [`report::printer`] (`"table"`, `"json"`).
//!
//! ```no_run
//! let result = inetsift::scan::scan(&["evidence.zip".into()], &Default::default()).unwrap();
//! for f in &result.findings {
//!     println!("{} {} {}", f.severity.as_str(), f.rule, f.message);
//! }
//! ```

pub mod analysis;
pub mod artifacts;
pub mod evidence;
pub mod model;
pub mod report;
pub mod scan;
pub mod verify;
