//! The fusion stage: the one place where the facts of every collector and every piece of evidence meet.
//!
//! It joins by documented keys:
//! - a component is identified by its evidence and its declaration (file, line, scope, name); components are
//!   sorted on that and numbered `C0001`... so ids are stable for the same evidence;
//! - a binary joins the components whose resolved image path has the same case-folded Windows path
//!   ([`crate::model::WinPath::key`]) in the same evidence: the component gets the binary's hash, size, PE kind
//!   and signature status, the binary the component ids;
//! - an event-log record joins the component whose name, managed type or binary it mentions
//!   ([`super::link`]);
//! - a file read joins the components that reference it by (evidence, path key): its NTFS times become
//!   arrival rows on the timeline.
//!
//! What comes out ([`Fused`]) is what the rules read and what the result is made of; [`Fused::record`] gives the
//! one record per component that brings those joins together.

use super::{classify, link, timeline};
use crate::model::*;
use std::collections::BTreeMap;

/// Everything the scan knows, joined: one record per component, the binaries, events and files linked to it.
#[derive(Clone, Debug, Default)]
pub struct Fused {
    /// Each evidence's host, by evidence id.
    pub hosts: BTreeMap<String, HostContext>,
    /// Every component, sorted and numbered, placed against the baseline, with its binary's facts.
    pub components: Vec<Component>,
    /// Every binary examined, with the components that reference it.
    pub binaries: Vec<Binary>,
    /// Extracted event-log records.
    pub events: Vec<LogEvent>,
    /// For each of `events`, the component it is about.
    pub links: Vec<Option<String>>,
    /// Configuration settings, sorted.
    pub config_facts: Vec<ConfigFact>,
    /// Configuration snapshots, per evidence oldest first.
    pub config_history: Vec<ConfigSnapshot>,
    /// The host and IIS installation of each evidence.
    pub installations: Vec<Installation>,
    /// Hives read.
    pub hives: Vec<HiveReport>,
    /// Registry facts.
    pub registry_facts: Vec<RegistryFact>,
    /// The hosts' root certificates.
    pub root_certificates: Vec<RootCertificate>,
    /// Event logs read.
    pub logs: Vec<LogReport>,
    /// Channel coverage.
    pub channels: Vec<ChannelCoverage>,
    /// Every dated row, sorted by time.
    pub timeline: Vec<TimelineEvent>,
    /// What could not be read, sorted.
    pub warnings: Vec<Warning>,
    /// Artifacts looked for, sorted.
    pub artifacts: Vec<ArtifactStatus>,
    /// Every file read, with its hash and NTFS facts.
    pub files_read: Vec<FileRecord>,
    /// Change-journal records about DLL and configuration files.
    pub journal: Vec<JournalRecord>,
    /// Records of deleted files components referenced.
    pub deleted_files: Vec<DeletedFile>,
    /// Limits of the analysis.
    pub notes: Vec<String>,
    /// What the analyst's YARA rules matched, each match with the components that load its file.
    pub yara: Option<YaraOutput>,
}

/// One component with everything the evidence says about it.
#[derive(Clone, Debug)]
pub struct ComponentRecord<'a> {
    /// The declaration.
    pub component: &'a Component,
    /// The binary it loads, when it was examined.
    pub binary: Option<&'a Binary>,
    /// Its file as read, with NTFS facts where there are some.
    pub file: Option<&'a FileRecord>,
    /// Event-log records about it.
    pub events: Vec<&'a LogEvent>,
    /// Timeline rows about it.
    pub timeline: Vec<&'a TimelineEvent>,
}

impl Fused {
    /// The host of an evidence (defaults when unknown).
    pub fn env(&self, evidence: &str) -> &WinEnv {
        static DEFAULT: std::sync::OnceLock<WinEnv> = std::sync::OnceLock::new();
        self.hosts.get(evidence).map(|h| &h.env).unwrap_or_else(|| DEFAULT.get_or_init(WinEnv::default))
    }

    /// The record of a file read from an evidence, by case-folded path.
    pub fn file_read(&self, evidence: &str, path: &WinPath) -> Option<&FileRecord> {
        let key = path.key();
        self.files_read.iter().find(|f| f.evidence == evidence && f.path.key() == key)
    }

    /// The fused record of one component.
    pub fn record(&self, id: &str) -> Option<ComponentRecord<'_>> {
        let component = self.components.iter().find(|c| c.id == id)?;
        let binary = self.binaries.iter().find(|b| b.components.iter().any(|c| c == id));
        let file = component.path.as_ref().and_then(|p| self.file_read(&component.source.evidence, p));
        let events =
            self.events.iter().zip(&self.links).filter(|(_, l)| l.as_deref() == Some(id)).map(|(e, _)| e).collect();
        let timeline = self.timeline.iter().filter(|t| t.component.as_deref() == Some(id)).collect();
        Some(ComponentRecord { component, binary, file, events, timeline })
    }
}

/// Joins the facts of every piece of evidence (each with its host and the files read from it).
pub fn fuse(collected: Vec<(HostContext, Facts, Vec<FileRecord>)>) -> Fused {
    let mut f = Fused::default();
    let mut timeline = Vec::new();
    for (host, facts, files) in collected {
        f.hosts.insert(host.evidence.clone(), host);
        f.components.extend(facts.components);
        f.config_facts.extend(facts.config_facts);
        f.config_history.extend(facts.config_history);
        timeline.extend(facts.timeline);
        f.warnings.extend(facts.warnings);
        f.artifacts.extend(facts.artifacts);
        f.notes.extend(facts.notes);
        f.hives.extend(facts.hives);
        f.installations.extend(facts.installations);
        f.registry_facts.extend(facts.registry_facts);
        f.root_certificates.extend(facts.root_certificates);
        f.logs.extend(facts.logs);
        f.channels.extend(facts.channels);
        f.events.extend(facts.events);
        f.binaries.extend(facts.binaries);
        f.journal.extend(facts.journal);
        f.deleted_files.extend(facts.deleted_files);
        f.files_read.extend(files);
        if let Some(y) = facts.yara {
            let all = f.yara.get_or_insert_with(|| YaraOutput {
                sources: y.sources.clone(),
                rules: y.rules,
                ..Default::default()
            });
            all.files_scanned += y.files_scanned;
            all.files_skipped += y.files_skipped;
            all.matches.extend(y.matches);
        }
    }

    // Components: one stable order, ids, the baseline.
    f.components
        .sort_by(|a, b| a.source.cmp(&b.source).then_with(|| a.scope.cmp(&b.scope)).then_with(|| a.name.cmp(&b.name)));
    let envs: BTreeMap<String, WinEnv> = f.hosts.iter().map(|(k, h)| (k.clone(), h.env.clone())).collect();
    let default_env = WinEnv::default();
    for (i, c) in f.components.iter_mut().enumerate() {
        c.id = format!("C{:04}", i + 1);
        classify::classify(c, envs.get(&c.source.evidence).unwrap_or(&default_env));
    }

    // Binaries and components, by (evidence, path key).
    for c in f.components.iter_mut() {
        let Some(path) = &c.path else { continue };
        let key = path.key();
        if let Some(b) = f.binaries.iter_mut().find(|b| b.evidence == c.source.evidence && b.path.key() == key) {
            b.components.push(c.id.clone());
            if let Some(file) = &mut c.file {
                file.sha256 = Some(b.sha256.clone());
                file.size = Some(b.size);
            }
            c.pe_kind = b.pe.as_ref().map(|p| p.kind);
            c.signature = b.signature.as_ref().map(|v| v.status);
        }
    }

    // YARA matches and what their file is: the components that load it, its signature.
    if let Some(y) = &mut f.yara {
        for m in &mut y.matches {
            let key = m.path.key();
            m.components = f
                .components
                .iter()
                .filter(|c| c.source.evidence == m.evidence && c.path.as_ref().is_some_and(|p| p.key() == key))
                .map(|c| c.id.clone())
                .collect();
            m.signature = f
                .binaries
                .iter()
                .find(|b| b.evidence == m.evidence && b.path.key() == key)
                .and_then(|b| b.signature.as_ref().map(|s| s.status));
        }
        y.matches.sort_by(|a, b| {
            (&a.evidence, a.path.key(), &a.namespace, &a.rule).cmp(&(&b.evidence, b.path.key(), &b.namespace, &b.rule))
        });
    }

    // Events and components; then every dated row in one time order.
    f.links = link::link(&f.events, &f.components, &envs);
    timeline.extend(timeline::events(&f.events, &f.links));
    timeline.extend(timeline::ntfs(&f.components, &f.files_read));
    timeline.extend(timeline::history(&f.config_history, &f.components));
    timeline.sort_by(|a, b| {
        a.timestamp.cmp(&b.timestamp).then_with(|| a.source.cmp(&b.source)).then_with(|| a.evidence.cmp(&b.evidence))
    });
    f.timeline = timeline;
    f.config_facts.sort();
    f.warnings.sort();
    f.artifacts.sort();
    f
}
