//! One scan: open every piece of evidence, run the artifact parsers, then the analysis, into one result.

use crate::analysis::fuse::{self, Fused};
use crate::analysis::{lifecycle, rules, verdict};
use crate::artifacts::authenticode::trust::TrustSet;
use crate::artifacts::{COLLECTORS, Context, registry};
use crate::evidence::{Evidence, EvidenceError, OpenOptions};
use crate::model::{Completeness, Facts, FileRecord, Finding, HostContext, Warning};
pub use crate::model::{Coverage, EventLogOutput, EvidenceInfo, RegistryOutput, SCHEMA_VERSION, ScanResult, Tool};
use std::path::PathBuf;

pub mod hosts;

/// Errors that stop a scan before it starts: evidence that cannot be opened at all.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// One or more evidence arguments could not be opened.
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Evidence(Vec<EvidenceError>),
}

/// Told what the scan is doing, stage by stage (a progress display).
pub type Progress = std::sync::Arc<dyn Fn(&str) + Send + Sync>;

/// Told how many evidence items have been read, of how many (a progress bar over many hosts).
pub type Counted = std::sync::Arc<dyn Fn(usize, usize) + Send + Sync>;

/// How a scan runs.
#[derive(Clone, Default)]
pub struct ScanOptions {
    /// Told each stage as it starts.
    pub progress: Option<Progress>,
    /// Told (done, of) each time an evidence has been read.
    pub counted: Option<Counted>,
    /// How evidence is opened.
    pub open: OpenOptions,
    /// Roots the analyst trusts (`--trust`), besides Microsoft's program and the host's own stores.
    pub user_trust: Vec<TrustSet>,
    /// "Now" for signatures without a countersignature (seconds since 1970); the current time when `None`.
    pub now: Option<i64>,
    /// The analyst's YARA rules (`--yara`), compiled once for every evidence.
    pub yara: Option<std::sync::Arc<crate::artifacts::yara::Rules>>,
}

impl std::fmt::Debug for ScanOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanOptions")
            .field("open", &self.open)
            .field("user_trust", &self.user_trust.len())
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

/// Opens all evidence, then analyses it. Fails only when a piece of evidence cannot be opened at all; problems
/// inside the evidence become warnings.
pub fn scan(paths: &[PathBuf], opts: &OpenOptions) -> Result<ScanResult, ScanError> {
    scan_with(paths, &ScanOptions { open: opts.clone(), ..ScanOptions::default() })
}

/// [`scan`] with all options.
pub fn scan_with(paths: &[PathBuf], opts: &ScanOptions) -> Result<ScanResult, ScanError> {
    let mut opened = Vec::new();
    let mut errors = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        say(opts, &format!("E{}: opening {}", i + 1, p.display()));
        match Evidence::open(&format!("E{}", i + 1), p, &opts.open) {
            Ok(ev) => opened.push(ev),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(ScanError::Evidence(errors));
    }
    Ok(analyse(&opened, opts))
}

/// What a run over many evidence gives: the classic result when the evidence is one host's, else one result per
/// host and the fleet view.
#[derive(Debug)]
pub enum Outcome {
    /// All evidence belongs to one host.
    One(Box<ScanResult>),
    /// More than one host.
    Fleet(Box<crate::model::FleetResult>),
}

/// The evidence paths with every folder of collections replaced by its collections, and every plain folder of
/// copied files by those files (each path kept once).
pub fn expand(paths: &[PathBuf]) -> Vec<PathBuf> {
    use crate::evidence::collections::{collections_in, loose_files_in};
    let mut out: Vec<PathBuf> = Vec::new();
    for p in paths {
        let found = if p.is_dir() { collections_in(p).or_else(|| loose_files_in(p)) } else { None };
        for q in found.unwrap_or_else(|| vec![p.clone()]) {
            if !out.contains(&q) {
                out.push(q);
            }
        }
    }
    out
}

/// Reads the evidence (folders of collections expanded) `jobs` at a time — each opened, collected and closed in
/// one go, so memory holds at most `jobs` open evidence and the facts read — then groups it by host and analyses
/// each host on its own. Fails only when a piece of evidence cannot be opened at all.
pub fn scan_hosts(paths: &[PathBuf], opts: &ScanOptions, jobs: usize) -> Result<Outcome, ScanError> {
    // Evidence that is not there is refused before anything is read.
    let paths = expand(paths);
    let missing: Vec<EvidenceError> = paths
        .iter()
        .filter_map(|p| std::fs::metadata(p).err().map(|source| EvidenceError::Open { path: p.clone(), source }))
        .collect();
    if !missing.is_empty() {
        return Err(ScanError::Evidence(missing));
    }
    let read = hosts::read_all(&paths, opts, jobs);
    let (ok, errors): (Vec<_>, Vec<_>) = read.into_iter().partition(Result::is_ok);
    if !errors.is_empty() {
        return Err(ScanError::Evidence(errors.into_iter().filter_map(Result::err).collect()));
    }
    let read: Vec<(EvidenceInfo, Collected)> = ok.into_iter().filter_map(Result::ok).collect();
    let infos: Vec<EvidenceInfo> = read.iter().map(|(i, _)| i.clone()).collect();
    let mut results = hosts::analyse_hosts(read, jobs, opts);
    if results.len() == 1 {
        let mut r = results.remove(0).result;
        // One host: its name only when the hives tell it (a collection's file name is no computer name).
        r.host = r.registry.installations.iter().find_map(|i| i.computer_name.clone());
        return Ok(Outcome::One(Box::new(r)));
    }
    Ok(Outcome::Fleet(Box::new(hosts::fleet(&infos, results))))
}

/// What the result says of an opened evidence.
fn info(ev: &Evidence) -> EvidenceInfo {
    EvidenceInfo {
        id: ev.id.clone(),
        path: ev.path.display().to_string(),
        kind: ev.kind,
        layout: ev.source().layout().name(),
        completeness: ev.source().completeness(),
        sha256: ev.sha256(),
        notes: ev.notes.clone(),
    }
}

/// Runs the stages over opened evidence as one host: per evidence the host stage and the collectors, then the
/// fusion stage, the rules, and the result.
pub fn analyse(evidence: &[Evidence], opts: &ScanOptions) -> ScanResult {
    let now = now(opts);
    let collected = evidence.iter().map(|ev| collect(ev, opts, now)).collect();
    let mut r = judge(evidence.iter().map(info).collect(), collected);
    r.host = r.registry.installations.iter().find_map(|i| i.computer_name.clone());
    r
}

/// "Now" for signature checks.
fn now(opts: &ScanOptions) -> i64 {
    opts.now.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default()
    })
}

/// What the collectors read from one evidence.
type Collected = (HostContext, Facts, Vec<FileRecord>);

/// The host stage and the collectors over one evidence.
fn collect(ev: &Evidence, opts: &ScanOptions, now: i64) -> Collected {
    let mut facts = Facts::default();
    opening_notes(ev, &mut facts);
    say(opts, &format!("{}: registry hives", ev.id));
    let host = registry::host_stage(ev, &mut facts);
    let ctx = Context { host: &host, user_trust: &opts.user_trust, now, yara: opts.yara.as_deref() };
    for collector in COLLECTORS {
        say(opts, &format!("{}: {}", ev.id, collector.name()));
        collector.collect(ev, &ctx, &mut facts);
    }
    let files = ev.files_read();
    (host, facts, files)
}

/// The fusion stage, the rules, lifecycles and verdicts over what was collected from one host's evidence.
fn judge(evidence: Vec<EvidenceInfo>, collected: Vec<Collected>) -> ScanResult {
    let mut fused = fuse::fuse(collected);
    let findings = rules::evaluate(&fused);
    let lifecycles = lifecycle::lifecycles(&fused);
    let verdicts = verdict::verdicts(&fused.components, &findings, &lifecycles);
    for ((c, l), v) in fused.components.iter_mut().zip(lifecycles).zip(verdicts) {
        c.lifecycle = Some(l);
        c.verdict = Some(v);
    }
    result(evidence, fused, findings)
}

/// What opening the evidence met, and what its completeness means for every absence.
fn opening_notes(ev: &Evidence, facts: &mut Facts) {
    facts.warnings.extend(ev.problems.iter().map(|m| Warning::in_file(&ev.id, None, None, m.clone())));
    match ev.source().completeness() {
        Completeness::Triage => facts.notes.push(format!(
            "{}: a triage collection — a file absent from it was not collected, which proves nothing about the host",
            ev.id
        )),
        Completeness::SingleFile => facts.notes.push(format!(
            "{}: a single file — referenced DLLs, site web.config files and hives are not part of it",
            ev.id
        )),
        Completeness::FullVolume => {}
    }
}

/// What each rule that fired means, in id order.
fn glossary(findings: &[Finding]) -> Vec<crate::model::RuleInfo> {
    let ids: std::collections::BTreeSet<&str> = findings.iter().map(|f| f.rule).collect();
    ids.into_iter().filter_map(crate::analysis::rules::info).copied().collect()
}

/// The tool that writes the results.
fn tool() -> Tool {
    Tool {
        name: "inetsift",
        version: env!("CARGO_PKG_VERSION"),
        commit: env!("INETSIFT_GIT_COMMIT"),
        baseline: crate::analysis::baseline::VERSION,
    }
}

/// The result document.
fn result(evidence: Vec<EvidenceInfo>, f: Fused, findings: Vec<Finding>) -> ScanResult {
    let rules = glossary(&findings);
    ScanResult {
        schema_version: SCHEMA_VERSION,
        tool: tool(),
        evidence,
        components: f.components,
        findings,
        config_facts: f.config_facts,
        config_history: f.config_history,
        registry: RegistryOutput {
            hives: f.hives,
            installations: f.installations,
            facts: f.registry_facts,
            root_certificates: f.root_certificates,
        },
        binaries: f.binaries,
        event_logs: EventLogOutput { logs: f.logs, channels: f.channels },
        timeline: f.timeline,
        warnings: f.warnings,
        coverage: Coverage { artifacts: f.artifacts, files_read: f.files_read, notes: f.notes },
        rules,
        host: None,
        yara: f.yara,
        run: None,
    }
}

fn say(opts: &ScanOptions, stage: &str) {
    if let Some(p) = &opts.progress {
        p(stage);
    }
}
