//! inetsift: offline analysis of IIS server persistence (MITRE ATT&CK T1505.004) in acquired evidence.
//!
//! The data flows one way:
//! [`evidence`] (read-only file systems over folders, zips, single files) →
//! [`artifacts`] (one parser per artifact kind) → [`model`] (components, findings, timeline rows with
//! provenance) → [`analysis`] (baseline and rules) → [`report`] (table, JSON).
//!
//! # Getting started
//! 1. Run [`scan::scan`] over evidence paths.
//! 2. Read [`scan::ScanResult::components`] and [`scan::ScanResult::findings`].
//! 3. Render with [`report::json::write`] or [`report::table::write`].
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
