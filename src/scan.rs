//! One scan: open every piece of evidence, run the artifact parsers, then the analysis, into one result.

use crate::analysis::rules;
use crate::artifacts::iis_config::{self, ArtifactStatus};
use crate::artifacts::winenv::WinEnv;
use crate::evidence::{Completeness, Evidence, EvidenceError, EvidenceKind, FileRecord, OpenOptions};
use crate::model::{Component, ConfigFact, Finding, TimelineEvent, Warning};
use serde::Serialize;
use std::path::PathBuf;

/// Version of the JSON contract (docs/json.md). Bumped only when a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;

/// The tool that wrote a result.
#[derive(Clone, Debug, Serialize)]
pub struct Tool {
    /// `inetsift`.
    pub name: &'static str,
    /// Crate version.
    pub version: &'static str,
}

/// A piece of evidence as the result describes it.
#[derive(Clone, Debug, Serialize)]
pub struct EvidenceInfo {
    /// `E1`, `E2`, ...
    pub id: String,
    /// The path the analyst gave.
    pub path: String,
    /// `folder`, `zip`, `config_file`.
    pub kind: EvidenceKind,
    /// `volume_root`, `drive_folders`, `velociraptor`, `flat`.
    pub layout: &'static str,
    /// Whole volume or selection.
    pub completeness: Completeness,
    /// SHA-256 of the container file (zip, single file).
    pub sha256: Option<String>,
    /// What opening it found worth telling.
    pub notes: Vec<String>,
}

/// Which artifacts were found and read.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Coverage {
    /// Configuration files looked for, and what became of them.
    pub artifacts: Vec<ArtifactStatus>,
    /// Every file read, with its hash.
    pub files_read: Vec<FileRecord>,
    /// Limits of this analysis the reader must know.
    pub notes: Vec<String>,
}

/// The whole result of a scan; what every report renders.
#[derive(Clone, Debug, Serialize)]
pub struct ScanResult {
    /// JSON contract version.
    pub schema_version: u32,
    /// Tool name and version.
    pub tool: Tool,
    /// The evidence scanned.
    pub evidence: Vec<EvidenceInfo>,
    /// Every IIS extension point declared.
    pub components: Vec<Component>,
    /// Conclusions, most severe first.
    pub findings: Vec<Finding>,
    /// Settings, sites, FREB, redirection.
    pub config_facts: Vec<ConfigFact>,
    /// Time-ordered events (registry, EVTX and NTFS parsers fill it).
    pub timeline: Vec<TimelineEvent>,
    /// What could not be read.
    pub warnings: Vec<Warning>,
    /// What was found, read and missing.
    pub coverage: Coverage,
}

/// Errors that stop a scan before it starts: evidence that cannot be opened at all.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// One or more evidence arguments could not be opened.
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Evidence(Vec<EvidenceError>),
}

/// Opens all evidence, then analyses it. Fails only when a piece of evidence cannot be opened at all; problems
/// inside the evidence become warnings.
pub fn scan(paths: &[PathBuf], opts: &OpenOptions) -> Result<ScanResult, ScanError> {
    let mut opened = Vec::new();
    let mut errors = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        match Evidence::open(&format!("E{}", i + 1), p, opts) {
            Ok(ev) => opened.push(ev),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(ScanError::Evidence(errors));
    }
    Ok(analyse(&opened))
}

/// Runs the artifact parsers and the rules over opened evidence.
pub fn analyse(evidence: &[Evidence]) -> ScanResult {
    let env = WinEnv::default();
    let mut components = Vec::new();
    let mut facts = Vec::new();
    let mut warnings = Vec::new();
    let mut coverage = Coverage::default();
    for ev in evidence {
        warnings.extend(ev.problems.iter().map(|m| Warning {
            evidence: ev.id.clone(),
            file: None,
            line: None,
            message: m.clone(),
        }));
        let cfg = iis_config::collect(ev, &env);
        components.extend(cfg.components);
        facts.extend(cfg.facts);
        warnings.extend(cfg.warnings);
        coverage.artifacts.extend(cfg.artifacts);
        coverage.files_read.extend(ev.files_read());
        match ev.source().completeness() {
            Completeness::Triage => coverage.notes.push(format!(
                "{}: a triage collection — a file absent from it was not collected, which proves nothing about the host",
                ev.id
            )),
            Completeness::SingleFile => coverage.notes.push(format!(
                "{}: a single configuration file — referenced DLLs and site web.config files are not part of it",
                ev.id
            )),
            Completeness::FullVolume => {}
        }
    }

    components.sort_by(|a, b| a.source.cmp(&b.source).then_with(|| a.name.cmp(&b.name)));
    for (i, c) in components.iter_mut().enumerate() {
        c.id = format!("C{:04}", i + 1);
        rules::classify(c, &env);
    }
    facts.sort();
    warnings.sort();
    coverage.artifacts.sort();
    let findings: Vec<Finding> = rules::evaluate(&components, &facts, &coverage.artifacts, &env);

    ScanResult {
        schema_version: SCHEMA_VERSION,
        tool: Tool { name: "inetsift", version: env!("CARGO_PKG_VERSION") },
        evidence: evidence
            .iter()
            .map(|ev| EvidenceInfo {
                id: ev.id.clone(),
                path: ev.path.display().to_string(),
                kind: ev.kind,
                layout: ev.source().layout().name(),
                completeness: ev.source().completeness(),
                sha256: ev.sha256.clone(),
                notes: ev.notes.clone(),
            })
            .collect(),
        components,
        findings,
        config_facts: facts,
        timeline: Vec::new(),
        warnings,
        coverage,
    }
}
