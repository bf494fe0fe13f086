//! The result document of a scan: what every printer renders. Its JSON contract is docs/json.md.

use super::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// Version of the JSON contract (docs/json.md). Bumped only when a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 2;

/// The tool that wrote a result.
#[derive(Clone, Debug, Serialize)]
pub struct Tool {
    /// `inetsift`.
    pub name: &'static str,
    /// Crate version.
    pub version: &'static str,
    /// The git commit the binary was built from (`unknown` outside a checkout).
    pub commit: &'static str,
    /// Version of the known-good baseline the rules compare against.
    pub baseline: &'static str,
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

/// What the registry hives say.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RegistryOutput {
    /// Each hive read: dirty state, logs, replay.
    pub hives: Vec<HiveReport>,
    /// The host and its IIS installation, per evidence.
    pub installations: Vec<Installation>,
    /// Facts with their keys and last-write times.
    pub facts: Vec<RegistryFact>,
    /// Certificates in the host's ROOT and AuthRoot stores.
    pub root_certificates: Vec<RootCertificate>,
}

/// What the event logs hold.
#[derive(Clone, Debug, Default, Serialize)]
pub struct EventLogOutput {
    /// Each log read, with its channel, span and problems.
    pub logs: Vec<LogReport>,
    /// Per evidence, each channel that matters: present, empty or absent, and the time it covers.
    pub channels: Vec<ChannelCoverage>,
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
    /// The configuration history: each snapshot with its time and what changed since the one before.
    pub config_history: Vec<ConfigSnapshot>,
    /// What the registry hives say.
    pub registry: RegistryOutput,
    /// Every binary examined: component DLLs present in the evidence and the DLLs in `inetsrv`.
    pub binaries: Vec<Binary>,
    /// The event logs read and the channels they cover.
    pub event_logs: EventLogOutput,
    /// Time-ordered events (registry, EVTX and NTFS parsers fill it).
    pub timeline: Vec<TimelineEvent>,
    /// What could not be read.
    pub warnings: Vec<Warning>,
    /// What was found, read and missing.
    pub coverage: Coverage,
    /// What each rule that fired means (id order): the glossary of the findings.
    pub rules: Vec<RuleInfo>,
    /// The host the result is about: its computer name from the SYSTEM hive, or in a run over many hosts the
    /// name the host was grouped under; `null` when the evidence does not tell.
    pub host: Option<String>,
    /// The analyst's YARA rules, what they were run over and what matched (only with `--yara`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub yara: Option<YaraOutput>,
    /// The run (case, examiner, command line, times) when the command line made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<Run>,
}

/// The files read, by (evidence, path key).
pub type Index<'a> = BTreeMap<(String, String), &'a FileRecord>;

/// The files read, indexed by (evidence, path key).
pub fn index(files: &[FileRecord]) -> Index<'_> {
    files.iter().map(|f| ((f.evidence.clone(), f.path.key()), f)).collect()
}

/// A file components reference, with its NTFS facts and the components.
pub type ComponentFile<'a> = (&'a FileRecord, &'a NtfsFacts, Vec<&'a Component>);

/// The files components reference that have NTFS facts, once each, in (evidence, path) order.
pub fn component_files<'a>(components: &'a [Component], files: &'a [FileRecord]) -> Vec<ComponentFile<'a>> {
    component_files_in(components, &index(files))
}

/// [`component_files`] over an index already built.
pub fn component_files_in<'a>(components: &'a [Component], by_key: &Index<'a>) -> Vec<ComponentFile<'a>> {
    let mut out: BTreeMap<_, ComponentFile<'a>> = BTreeMap::new();
    for c in components {
        let Some(path) = &c.path else { continue };
        let key = (c.source.evidence.clone(), path.key());
        let Some(f) = by_key.get(&key) else { continue };
        let Some(facts) = &f.ntfs else { continue };
        out.entry(key).or_insert_with(|| (f, facts, Vec::new())).2.push(c);
    }
    out.into_values().collect()
}

impl ScanResult {
    /// The files of this result's components that have NTFS facts (see [`component_files`]).
    pub fn component_files(&self) -> Vec<ComponentFile<'_>> {
        component_files(&self.components, &self.coverage.files_read)
    }
}
