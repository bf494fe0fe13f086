//! One scan: open every piece of evidence, run the artifact parsers, then the analysis, into one result.

use crate::analysis::{events, ntfs, rules};
use crate::artifacts::authenticode::Status;
use crate::artifacts::authenticode::trust::{self, Trust, TrustSet};
use crate::artifacts::binaries::{self, Binary};
use crate::artifacts::evtx::{self, ChannelCoverage, LogReport};
use crate::artifacts::iis_config;
use crate::artifacts::registry::{self, facts::Installation};
use crate::artifacts::usn;
use crate::evidence::{Completeness, Evidence, EvidenceError, EvidenceKind, OpenOptions, WinPath};
use crate::model::WinEnv;
use crate::model::{ChannelStatus, Component, FileStatus, Warning};
pub use crate::model::{Coverage, EventLogOutput, EvidenceInfo, RegistryOutput, SCHEMA_VERSION, ScanResult, Tool};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Errors that stop a scan before it starts: evidence that cannot be opened at all.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// One or more evidence arguments could not be opened.
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Evidence(Vec<EvidenceError>),
}

/// Told what the scan is doing, stage by stage (a progress display).
pub type Progress = std::sync::Arc<dyn Fn(&str) + Send + Sync>;

/// How a scan runs.
#[derive(Clone, Default)]
pub struct ScanOptions {
    /// Told each stage as it starts.
    pub progress: Option<Progress>,
    /// How evidence is opened.
    pub open: OpenOptions,
    /// Roots the analyst trusts (`--trust`), besides Microsoft's program and the host's own stores.
    pub user_trust: Vec<TrustSet>,
    /// "Now" for signatures without a countersignature (seconds since 1970); the current time when `None`.
    pub now: Option<i64>,
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

/// Runs the artifact parsers and the rules over opened evidence.
pub fn analyse(evidence: &[Evidence], opts: &ScanOptions) -> ScanResult {
    let mut components = Vec::new();
    let mut facts = Vec::new();
    let mut warnings = Vec::new();
    let mut timeline = Vec::new();
    let mut reg_out = RegistryOutput::default();
    let mut coverage = Coverage::default();
    let mut envs: BTreeMap<String, WinEnv> = BTreeMap::new();
    let mut log_events = Vec::new();
    let mut logs_out = EventLogOutput::default();
    for ev in evidence {
        warnings.extend(ev.problems.iter().map(|m| Warning::in_file(&ev.id, None, None, m.clone())));

        // The registry first: the host's own SystemRoot and Program Files resolve the configuration's paths.
        say(opts, &format!("{}: registry hives", ev.id));
        let reg = registry::collect(ev);
        let env = host_env(reg.installation.as_ref());
        let mut reg_components = reg.components;
        iis_config::resolve_and_check(ev, &env, &mut reg_components);
        components.extend(reg_components);
        warnings.extend(reg.warnings);
        timeline.extend(reg.timeline);
        coverage.artifacts.extend(reg.artifacts);
        for h in reg.hives.iter().filter(|h| !h.applied.is_empty()) {
            let entries = h.applied.len();
            coverage.notes.push(format!(
                "{}: the {} hive ({}) was dirty: {entries} transaction log {} applied ({} format)",
                ev.id,
                h.hive,
                h.path,
                if entries == 1 { "entry" } else { "entries" },
                h.log_format.unwrap_or("?")
            ));
        }
        reg_out.hives.extend(reg.hives);
        reg_out.facts.extend(reg.facts);
        reg_out.root_certificates.extend(reg.roots);
        reg_out.installations.extend(reg.installation);

        say(opts, &format!("{}: IIS configuration", ev.id));
        let cfg = iis_config::collect(ev, &env);
        components.extend(cfg.components);
        facts.extend(cfg.facts);
        warnings.extend(cfg.warnings);
        coverage.artifacts.extend(cfg.artifacts);

        say(opts, &format!("{}: change journal and event logs", ev.id));
        let journal = usn::collect(ev);
        warnings.extend(journal.warnings);
        timeline.extend(journal.timeline);
        if let Some(p) = &journal.path {
            coverage.notes.push(format!(
                "{}: change journal {p}: {} records read; {}",
                ev.id,
                journal.records,
                if ev.knows_entries() {
                    "its folders are named through the volume's $MFT"
                } else {
                    "without the volume's $MFT its folders are known by MFT entry only"
                }
            ));
        }

        let logs = evtx::collect(ev);
        warnings.extend(logs.warnings);
        coverage.artifacts.extend(logs.artifacts);
        log_events.extend(logs.events);
        if !matches!(ev.kind, EvidenceKind::ConfigFile | EvidenceKind::HiveFile) {
            let channels = evtx::channel_coverage(&ev.id, &logs.logs);
            coverage.notes.extend(log_notes(&ev.id, &logs.logs, &channels));
            logs_out.channels.extend(channels);
        }
        logs_out.logs.extend(logs.logs);
        match ev.source().completeness() {
            Completeness::Triage => coverage.notes.push(format!(
                "{}: a triage collection — a file absent from it was not collected, which proves nothing about the host",
                ev.id
            )),
            Completeness::SingleFile => coverage.notes.push(format!(
                "{}: a single file — referenced DLLs, site web.config files and hives are not part of it",
                ev.id
            )),
            Completeness::FullVolume => {}
        }
        envs.insert(ev.id.clone(), env);
    }

    components
        .sort_by(|a, b| a.source.cmp(&b.source).then_with(|| a.scope.cmp(&b.scope)).then_with(|| a.name.cmp(&b.name)));
    let default_env = WinEnv::default();
    for (i, c) in components.iter_mut().enumerate() {
        c.id = format!("C{:04}", i + 1);
        rules::classify(c, envs.get(&c.source.evidence).unwrap_or(&default_env));
    }
    let now = opts.now.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default()
    });
    say(opts, "binaries and signatures");
    let binaries =
        examine_binaries(evidence, &envs, &reg_out, opts, now, &mut components, &mut warnings, &mut coverage);
    let links = events::link(&log_events, &components, &envs);
    timeline.extend(events::timeline(&log_events, &links));
    coverage.files_read = evidence.iter().flat_map(Evidence::files_read).collect();
    timeline.extend(ntfs::timeline(&components, &coverage.files_read));
    facts.sort();
    warnings.sort();
    coverage.artifacts.sort();
    timeline.sort_by(|a, b| {
        a.timestamp.cmp(&b.timestamp).then_with(|| a.source.cmp(&b.source)).then_with(|| a.evidence.cmp(&b.evidence))
    });
    let mut findings = rules::evaluate(&components, &facts, &coverage.artifacts, &envs);
    findings.extend(rules::registry_findings(&reg_out.installations));
    findings.extend(rules::binary_findings(&components, &binaries));
    findings.extend(events::findings(&log_events, &links, &components));
    findings.extend(ntfs::findings(&components, &binaries, &coverage.files_read));
    rules::sort(&mut findings);

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
        registry: reg_out,
        binaries,
        event_logs: logs_out,
        timeline,
        warnings,
        coverage,
    }
}

/// Reads every component DLL present and every DLL in `inetsrv` once, then links them to the components.
#[allow(clippy::too_many_arguments)]
fn examine_binaries(
    evidence: &[Evidence],
    envs: &BTreeMap<String, WinEnv>,
    registry: &RegistryOutput,
    opts: &ScanOptions,
    now: i64,
    components: &mut [Component],
    warnings: &mut Vec<Warning>,
    coverage: &mut Coverage,
) -> Vec<Binary> {
    let mut all = Vec::new();
    for ev in evidence {
        let env = envs.get(&ev.id).cloned().unwrap_or_default();
        let mut paths = binaries::inetsrv_dlls(ev, &env);
        paths.extend(
            components
                .iter()
                .filter(|c| {
                    c.source.evidence == ev.id && c.file.as_ref().is_some_and(|f| f.status == FileStatus::Present)
                })
                .filter_map(|c| c.path.clone()),
        );
        if paths.is_empty() {
            continue; // nothing to examine: no trust store or catalog needed
        }
        // Microsoft's program first, then the host's own stores, then the analyst's roots.
        let host = trust::from_der(
            crate::model::TrustAnchor::HostRootStore,
            registry.root_certificates.iter().filter(|r| r.evidence == ev.id).filter_map(|r| r.der.as_deref()),
        );
        let mut t = Trust::microsoft().with(host);
        for u in &opts.user_trust {
            t = t.with(u.clone());
        }
        let (index, w) = binaries::catalogs(ev, &env, &t);
        warnings.extend(w);
        let valid = index.catalogs.iter().filter(|c| c.status == Status::Valid).count();
        coverage.notes.push(match index.catalogs.len() {
            0 => format!("{}: no catalog (CatRoot) in the evidence: files without an embedded signature cannot be shown catalog-signed", ev.id),
            n => format!("{}: {n} catalogs read from CatRoot, {valid} with a trusted signature", ev.id),
        });
        for c in index.catalogs.iter().filter(|c| c.status != Status::Valid) {
            warnings.push(Warning::in_file(
                &ev.id,
                Some(WinPath::parse(&c.path)),
                None,
                format!("catalog not trusted ({}): {}", c.status.as_str(), c.reason),
            ));
        }
        let sig = binaries::SignatureContext { trust: &t, catalogs: &index, now };
        let (found, w) = binaries::examine(ev, &env, &paths, &sig);
        warnings.extend(w);
        all.extend(found);
    }
    for c in components.iter_mut() {
        let Some(path) = &c.path else { continue };
        let key = path.key();
        if let Some(b) = all.iter_mut().find(|b| b.evidence == c.source.evidence && b.path.key() == key) {
            b.components.push(c.id.clone());
            if let Some(f) = &mut c.file {
                f.sha256 = Some(b.sha256.clone());
                f.size = Some(b.size);
            }
            c.pe_kind = b.pe.as_ref().map(|p| p.kind);
            c.signature = b.signature.as_ref().map(|v| v.status);
        }
    }
    all
}

fn say(opts: &ScanOptions, stage: &str) {
    if let Some(p) = &opts.progress {
        p(stage);
    }
}

/// What the reader must know about one evidence's logs: absent channels and what no log can show.
fn log_notes(id: &str, logs: &[LogReport], channels: &[ChannelCoverage]) -> Vec<String> {
    let mut notes = Vec::new();
    if logs.is_empty() {
        notes
            .push(format!("{id}: no event log in the evidence: who installed what, and how, cannot be told from logs"));
        return notes;
    }
    let absent: Vec<&str> = channels.iter().filter(|c| c.status != ChannelStatus::Present).map(|c| c.channel).collect();
    if !absent.is_empty() {
        notes.push(format!("{id}: event log channels absent or empty: {}", absent.join(", ")));
    }
    if channels.iter().any(|c| c.channel == evtx::extract::IIS_CONFIG && c.status != ChannelStatus::Present) {
        notes.push(format!(
            "{id}: no IIS configuration audit log ({}): it is off by default, so configuration changes made through \
             appcmd, PowerShell or IIS Manager left no audit record",
            evtx::extract::IIS_CONFIG
        ));
    }
    notes.push(format!(
        "{id}: IIS never logs hand edits of applicationHost.config or web.config files; only the configuration \
         history, file times and process or file-creation events can show them"
    ));
    notes
}

/// The environment IIS expands paths with, from the host's own registry where it was read.
fn host_env(inst: Option<&Installation>) -> WinEnv {
    let mut env = match inst.and_then(|i| i.system_root.as_deref()) {
        Some(root) if root.len() > 2 => WinEnv::for_system_root(root),
        _ => WinEnv::default(),
    };
    if let Some(pf) = inst.and_then(|i| i.program_files.as_deref()) {
        env.set("ProgramFiles", pf);
    }
    env
}
