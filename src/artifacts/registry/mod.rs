//! Registry hives: SYSTEM and SOFTWARE, dirty ones replayed from their transaction logs, and the IIS facts
//! they hold with their keys' last-write times.

pub mod base_block;
pub mod certs;
pub mod facts;
pub mod hive;
mod index_lists;
pub mod marvin32;
pub mod replay;

use crate::evidence::{Evidence, EvidenceKind, FileRecord, Lookup, WinPath};
use crate::model::{ArtifactStatus, Component, Facts, HostContext, Position, ReadState, TimelineEvent, Warning};
use facts::{Installation, RegistryFact};
use hive::Hive;
use replay::LogFile;
use std::collections::BTreeSet;

pub use crate::model::{HIVE_NAMES, HiveReport, RootCertificate};

/// Largest hive read (SOFTWARE hives of busy servers reach a few hundred MB).
const HIVE_LIMIT: u64 = 1024 * 1024 * 1024;

/// Everything the hives of one piece of evidence say.
#[derive(Default)]
pub struct RegistryInventory {
    /// One report per hive.
    pub hives: Vec<HiveReport>,
    /// Facts with their keys and times.
    pub facts: Vec<RegistryFact>,
    /// The installation summary, when a SYSTEM or SOFTWARE hive was read.
    pub installation: Option<Installation>,
    /// Trusted roots of the host.
    pub roots: Vec<RootCertificate>,
    /// Components registered in the registry.
    pub components: Vec<Component>,
    /// Key last-write times.
    pub timeline: Vec<TimelineEvent>,
    /// Problems.
    pub warnings: Vec<Warning>,
    /// Coverage.
    pub artifacts: Vec<ArtifactStatus>,
}

/// Reads the SYSTEM and SOFTWARE hives of one piece of evidence.
pub fn collect(ev: &Evidence) -> RegistryInventory {
    let mut inv = RegistryInventory::default();
    let mut inst = Installation { evidence: ev.id.clone(), ..Installation::default() };
    let mut any = false;
    if ev.kind == EvidenceKind::HiveFile {
        if let Some(primary) = ev.source().roots().ok().and_then(|r| r.into_iter().next()) {
            any |= read_hive(ev, &primary.path, None, &mut inv, &mut inst);
        }
    } else if !matches!(ev.kind, EvidenceKind::ConfigFile | EvidenceKind::EventLog) {
        let dir = WinPath::parse(r"C:\Windows\System32\config");
        for name in ["SYSTEM", "SOFTWARE"] {
            let path = dir.join(name);
            let lookup = ev.lookup(&path);
            if matches!(lookup, Lookup::File(_)) {
                any |= read_hive(ev, &path, Some(name), &mut inv, &mut inst);
            } else {
                let status = match lookup {
                    // Damage on the way to the hive is not its absence.
                    Lookup::Damaged(why) => {
                        inv.warnings.push(Warning::in_file(
                            &ev.id,
                            Some(path.clone()),
                            None,
                            format!("could not look for the {name} hive: {why}"),
                        ));
                        ReadState::Unreadable
                    }
                    _ => ev.source().completeness().absent_status().into(),
                };
                inv.artifacts.push(ArtifactStatus {
                    evidence: ev.id.clone(),
                    artifact: format!("{name} hive"),
                    path,
                    status,
                });
            }
        }
    }
    if any {
        inst.iis_installed |= inst.services.iter().any(|s| s.name == "W3SVC" && s.installed);
        inv.installation = Some(inst);
    }
    inv.timeline = timeline(&inv.facts, &inv.roots, &inv.hives, &ev.id);
    inv
}

/// The host stage of a scan: reads the hives, derives the host context every other collector uses (the host's
/// own SystemRoot and Program Files resolve the configuration's paths), resolves the components the registry
/// registers, and appends everything to `facts`.
pub fn host_stage(ev: &Evidence, facts: &mut Facts) -> HostContext {
    let inv = collect(ev);
    let host = HostContext::new(&ev.id, inv.installation.as_ref());
    let mut components = inv.components;
    crate::artifacts::iis_config::resolve_and_check(ev, &host.env, &mut components);
    facts.components.extend(components);
    facts.warnings.extend(inv.warnings);
    facts.timeline.extend(inv.timeline);
    facts.artifacts.extend(inv.artifacts);
    for h in inv.hives.iter().filter(|h| !h.applied.is_empty()) {
        let entries = h.applied.len();
        facts.notes.push(format!(
            "{}: the {} hive ({}) was dirty: {entries} transaction log {} applied ({} format)",
            ev.id,
            h.hive,
            h.path,
            if entries == 1 { "entry" } else { "entries" },
            h.log_format.unwrap_or("?")
        ));
    }
    facts.hives.extend(inv.hives);
    facts.registry_facts.extend(inv.facts);
    facts.root_certificates.extend(inv.roots);
    facts.installations.extend(inv.installation);
    host
}

/// Reads one hive and its logs; returns whether facts could be read.
fn read_hive(
    ev: &Evidence,
    path: &WinPath,
    expected: Option<&'static str>,
    inv: &mut RegistryInventory,
    inst: &mut Installation,
) -> bool {
    let warn = |inv: &mut RegistryInventory, m: String| {
        inv.warnings.push(Warning::in_file(&ev.id, Some(path.clone()), None, m))
    };
    let data = match ev.read(path, HIVE_LIMIT) {
        Ok(d) => d,
        Err(e) => {
            warn(inv, e.to_string());
            inv.artifacts.push(status(ev, expected.unwrap_or("registry"), path, ReadState::Unreadable));
            return false;
        }
    };
    let mut report = HiveReport {
        evidence: ev.id.clone(),
        hive: expected.unwrap_or("unknown"),
        path: data.path.clone(),
        sha256: Some(data.sha256.clone()),
        logs: Vec::new(),
        status: ReadState::Parsed,
        dirty: false,
        log_format: None,
        applied: Vec::new(),
        base_block_from_log: false,
        problems: Vec::new(),
    };
    // Transaction logs beside the primary file: .LOG1/.LOG2 (Windows 8.1+ and Vista+), .LOG (XP/2003).
    let mut log_bytes = Vec::new();
    for ext in ["LOG", "LOG1", "LOG2"] {
        let lp = WinPath::parse(&format!("{path}.{ext}"));
        if !ev.file_exists(&lp) {
            continue;
        }
        match ev.read(&lp, HIVE_LIMIT) {
            Ok(d) => {
                report.logs.push(FileRecord {
                    evidence: ev.id.clone(),
                    path: d.path.clone(),
                    size: d.bytes.len() as u64,
                    sha256: d.sha256,
                    ntfs: None,
                });
                log_bytes.push((d.path.file_name().unwrap_or(ext).to_string(), d.bytes));
            }
            Err(e) => report.problems.push(e.to_string()),
        }
    }
    let logs: Vec<LogFile> = log_bytes.iter().map(|(n, b)| LogFile { name: n.clone(), bytes: b }).collect();
    let recovery = match replay::recover(data.bytes, &logs) {
        Ok(r) => r,
        Err(e) => {
            report.status = ReadState::NotAHive;
            warn(inv, format!("not a registry hive: {e}"));
            inv.artifacts.push(status(ev, report.hive, path, ReadState::NotAHive));
            inv.hives.push(report);
            return false;
        }
    };
    report.dirty = recovery.dirty;
    report.log_format = recovery.log_format;
    report.applied = recovery.applied.clone();
    report.base_block_from_log = recovery.base_block_from_log;
    report.problems.extend(recovery.problems.iter().cloned());
    if recovery.dirty && recovery.applied.is_empty() && recovery.problems.is_empty() {
        warn(
            inv,
            "the hive is dirty and no transaction log could be applied: its newest changes may be missing".into(),
        );
    }
    for p in &recovery.problems {
        warn(inv, p.clone());
    }
    let mut hive = match Hive::parse(recovery.bytes) {
        Ok(h) => h,
        Err(e) => {
            report.status = ReadState::Unreadable;
            warn(inv, format!("cannot parse the hive: {e}"));
            inv.artifacts.push(status(ev, report.hive, path, ReadState::Unreadable));
            inv.hives.push(report);
            return false;
        }
    };
    let kind = match expected {
        Some(k) => k,
        None if hive.key("Select").is_some() => "SYSTEM",
        None if hive.key(r"Microsoft\Windows NT\CurrentVersion").is_some()
            || hive.key(r"Microsoft\InetStp").is_some() =>
        {
            "SOFTWARE"
        }
        None => "unknown",
    };
    report.hive = kind;
    let source = Position::at(&ev.id, data.path.clone(), None);
    let extracted = match kind {
        "SYSTEM" => facts::system(&mut hive, &source, inst),
        "SOFTWARE" => facts::software(&mut hive, &source, inst),
        _ => {
            let msg =
                "neither a SYSTEM nor a SOFTWARE hive (no Select key, no Microsoft\\Windows NT key): no IIS facts read";
            warn(inv, msg.into());
            report.problems.push(msg.into());
            facts::Extracted::default()
        }
    };
    let mut problems = extracted.problems;
    problems.extend(hive.problems().into_iter().map(|p| format!("registry parser: {p}")));
    for p in &problems {
        warn(inv, p.clone());
    }
    report.problems.extend(problems);
    if !report.problems.is_empty() {
        report.status = ReadState::ParsedWithErrors;
    }
    inv.facts.extend(extracted.facts);
    inv.components.extend(extracted.components);
    inv.roots.extend(extracted.roots);
    inv.artifacts.push(status(
        ev,
        kind,
        path,
        if report.problems.is_empty() { ReadState::Parsed } else { ReadState::ParsedWithErrors },
    ));
    inv.hives.push(report);
    kind != "unknown"
}

fn status(ev: &Evidence, hive: &str, path: &WinPath, status: ReadState) -> ArtifactStatus {
    ArtifactStatus { evidence: ev.id.clone(), artifact: format!("{hive} hive"), path: path.clone(), status }
}

/// One timeline row per relevant key (its last-write time), and one per machine root certificate.
fn timeline(
    facts: &[RegistryFact],
    roots: &[RootCertificate],
    hives: &[HiveReport],
    evidence: &str,
) -> Vec<TimelineEvent> {
    let sha = |file: Option<&WinPath>| hives.iter().find(|h| Some(&h.path) == file).and_then(|h| h.sha256.clone());
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for f in facts {
        if !seen.insert((f.hive, f.key.clone())) {
            continue;
        }
        out.push(TimelineEvent {
            timestamp: f.last_written,
            timestamp_desc: "Registry key last written".into(),
            source: format!(r"{}\{}", f.hive, f.key),
            description: format!("{} key last written: {}\\{}", category_name(f.category), f.hive, f.key),
            evidence: f.source.clone(),
            component: None,
            sha256: sha(f.source.file.as_ref()),
            event: None,
        });
    }
    let software = facts
        .iter()
        .find(|f| f.hive == "SOFTWARE")
        .and_then(|f| f.source.file.clone())
        .unwrap_or_else(|| WinPath::parse("SOFTWARE"));
    for r in roots.iter().filter(|r| r.store == "ROOT") {
        let key = format!(r"Microsoft\SystemCertificates\ROOT\Certificates\{}", r.key_name);
        out.push(TimelineEvent {
            timestamp: r.last_written,
            timestamp_desc: "Registry key last written".into(),
            source: format!(r"SOFTWARE\{key}"),
            description: format!(
                "machine root certificate key last written: {}",
                r.subject.as_deref().unwrap_or(&r.key_name)
            ),
            evidence: Position::at(evidence, software.clone(), None).key(key.clone()),
            component: None,
            sha256: sha(Some(&software)),
            event: None,
        });
    }
    out
}

fn category_name(c: &str) -> &str {
    match c {
        "control_set" => "control set selection",
        "computer" => "computer name",
        "time_zone" => "time zone",
        "service" => "IIS service",
        "iis_install" => "IIS installation (InetStp)",
        "iis_component" => "IIS feature list",
        "iis_extension" => "IIS extension",
        "addon" => "IIS add-on uninstall entry",
        "os" => "Windows version",
        "legacy_filter" => "legacy ISAPI filter registration",
        "hunt" => "IIS-related DLL reference",
        other => other,
    }
}
