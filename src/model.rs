//! The result model every artifact parser feeds and every report renders: components, findings, warnings,
//! timeline rows and coverage, each carrying where in the evidence it came from.

use crate::evidence::WinPath;
use serde::Serialize;
use std::collections::BTreeMap;

/// Where a fact was read: evidence id, path inside the evidence, line (1-based) where it applies.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Source {
    /// Evidence id (`E1`).
    pub evidence: String,
    /// File inside the evidence.
    pub file: WinPath,
    /// 1-based line of the element, when the source is text.
    pub line: Option<usize>,
    /// Event record id, when the source is an event log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<u64>,
}

impl Source {
    /// A place in a file, at a line when there is one.
    pub fn at(evidence: &str, file: WinPath, line: Option<usize>) -> Source {
        Source { evidence: evidence.to_string(), file, line, record: None }
    }
}

/// The kind of IIS extension point a component is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentKind {
    /// `globalModules/add`: a native DLL loaded into every worker process.
    GlobalModule,
    /// `modules/add` without `type`: enables a global module for a scope.
    Module,
    /// `modules/add` or `httpModules/add` with a .NET `type`.
    ManagedModule,
    /// `isapiFilters/filter`.
    IsapiFilter,
    /// A handler run by `IsapiModule`.
    IsapiExtension,
    /// A handler run by `CgiModule`.
    Cgi,
    /// A handler run by `FastCgiModule`, or a `fastCgi/application`.
    Fastcgi,
    /// `security/isapiCgiRestriction/add`: an ISAPI or CGI binary allowed (or denied) to run.
    CgiRestriction,
    /// Any other DLL the configuration makes IIS load (WebDAV stores, compression schemes, registry hits).
    OtherDll,
}

impl ComponentKind {
    /// The name used in JSON and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentKind::GlobalModule => "global_module",
            ComponentKind::Module => "module",
            ComponentKind::ManagedModule => "managed_module",
            ComponentKind::IsapiFilter => "isapi_filter",
            ComponentKind::IsapiExtension => "isapi_extension",
            ComponentKind::Cgi => "cgi",
            ComponentKind::Fastcgi => "fastcgi",
            ComponentKind::CgiRestriction => "cgi_restriction",
            ComponentKind::OtherDll => "other_dll",
        }
    }
}

/// A .NET type reference split into its parts: `Ns.Class, Assembly, Version=..., Culture=..., PublicKeyToken=...`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ManagedType {
    /// Full class name.
    pub class: String,
    /// Assembly simple name, when given.
    pub assembly: Option<String>,
    /// `Version=`.
    pub version: Option<String>,
    /// `Culture=`.
    pub culture: Option<String>,
    /// `PublicKeyToken=`, lower case; `null` when the assembly is not strong-named.
    pub public_key_token: Option<String>,
}

/// Whether a declaration is in force at its own scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentState {
    /// In force at its scope (and below, unless removed there).
    Effective,
    /// Removed by a later `<remove>` or `<clear/>` at the same scope.
    Removed,
    /// A second entry with the same key at the same scope: IIS refuses such a configuration.
    Duplicate,
}

/// A `<remove>` or `<clear/>` that took a component out of a scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Removal {
    /// The scope it was removed from.
    pub scope: String,
    /// `remove` or `clear`.
    pub op: &'static str,
    /// Where the `<remove>`/`<clear/>` is.
    pub source: Source,
}

/// What the evidence holds of a file a component references.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileCheck {
    /// `present`, `missing` (the evidence is a whole volume and lacks it), `not_collected` (triage or single
    /// file: absence proves nothing), `unresolved` (relative or unexpandable path).
    pub status: &'static str,
    /// Size in bytes, when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// SHA-256, when present and read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// One IIS extension point as declared in a configuration file.
#[derive(Clone, Debug, Serialize)]
pub struct Component {
    /// Stable id within one result (`C0001`), assigned after sorting.
    pub id: String,
    /// Extension point kind.
    pub kind: ComponentKind,
    /// `name` attribute (for restrictions and FastCGI applications, the path).
    pub name: String,
    /// The image/path/scriptProcessor/fullPath/type exactly as written.
    pub image: Option<String>,
    /// The resolved Windows path of the binary, environment variables expanded.
    pub path: Option<WinPath>,
    /// For managed modules: the parsed `type`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managed_type: Option<ManagedType>,
    /// Configuration path: `MACHINE/WEBROOT/APPHOST` plus the `<location path>` or web.config folder.
    pub scope: String,
    /// Where it is declared.
    pub source: Source,
    /// Other attributes that matter (preCondition, enabled, allowed, verb, handler path, arguments...).
    pub attributes: BTreeMap<String, String>,
    /// In force at its own scope or not.
    pub state: ComponentState,
    /// The `<remove>`/`<clear/>` that removed it at its own scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed_by: Option<Removal>,
    /// Scopes below its own where it was removed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed_below: Vec<Removal>,
    /// What the evidence holds of the referenced file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<FileCheck>,
    /// What the referenced binary's exports say it is, when it was in the evidence and a PE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pe_kind: Option<crate::artifacts::pe::PeKind>,
    /// The referenced binary's signature status, when it was in the evidence and a PE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<crate::artifacts::authenticode::Status>,
    /// `builtin` (IIS/.NET default), `known_third_party`, or `unknown`.
    pub baseline: &'static str,
    /// For known third-party components: the product.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<&'static str>,
}

impl Component {
    /// A declaration in force, not yet placed against the baseline; the id is assigned after sorting.
    pub fn new(kind: ComponentKind, name: String, image: Option<String>, scope: String, source: Source) -> Component {
        Component {
            id: String::new(),
            kind,
            name,
            image,
            path: None,
            managed_type: None,
            scope,
            source,
            attributes: BTreeMap::new(),
            state: ComponentState::Effective,
            removed_by: None,
            removed_below: Vec::new(),
            file: None,
            pe_kind: None,
            signature: None,
            baseline: "unknown",
            product: None,
        }
    }
}

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Context worth knowing.
    Info,
    /// Unusual, usually benign.
    Low,
    /// Needs a look.
    Medium,
    /// Likely malicious or a serious gap.
    High,
    /// Near-certain compromise.
    Critical,
}

impl Severity {
    /// The name used in JSON and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// A conclusion about a component or the evidence, with the rule that drew it and a plain reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Rule id (see docs/rules.md).
    pub rule: &'static str,
    /// Severity.
    pub severity: Severity,
    /// The component it concerns, if any.
    pub component: Option<String>,
    /// Plain-language reason.
    pub message: String,
    /// Where the fact behind it was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

/// Something that could not be read or understood; the rest of the analysis went on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Warning {
    /// Evidence id, or the evidence path when it could not be opened.
    pub evidence: String,
    /// File inside the evidence, when the problem is in one.
    pub file: Option<WinPath>,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What went wrong.
    pub message: String,
}

/// A configuration setting worth reporting that is not an extension point (FREB, redirection, config history,
/// IIS Manager providers, sites).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ConfigFact {
    /// What it is: `site`, `virtual_directory`, `freb`, `config_history`, `redirection`, `module_provider`...
    pub kind: &'static str,
    /// Scope it applies to.
    pub scope: String,
    /// Name/value pairs as written.
    pub values: BTreeMap<String, String>,
    /// Where it was read.
    pub source: Source,
}

/// The event-log fields of a timeline row that came from an EVTX record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventFields {
    /// `System/Channel`.
    pub channel: String,
    /// `System/Provider/@Name`.
    pub provider: String,
    /// `System/EventID`.
    pub event_id: u32,
    /// `EventRecordID`.
    pub record_id: u64,
    /// `System/Computer`.
    pub computer: String,
    /// `System/Security/@UserID`.
    pub user_sid: Option<String>,
    /// `System/Execution/@ProcessID`.
    pub process_id: Option<u32>,
    /// What kind of event it is (`config_change`, `process_creation`, ...).
    pub kind: &'static str,
    /// What it points to (`appcmd_install`, `w3wp_shell`, ...), if anything.
    pub signal: Option<&'static str>,
    /// The raw event data, field name to text.
    pub fields: BTreeMap<String, String>,
}

/// One row of the timeline (filled by later artifact kinds: registry, EVTX, NTFS).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimelineEvent {
    /// UTC, RFC 3339.
    pub timestamp: String,
    /// What the time means.
    pub timestamp_desc: String,
    /// Artifact the row came from.
    pub source: String,
    /// One line.
    pub description: String,
    /// Where exactly.
    pub evidence: Source,
    /// Linked component.
    pub component: Option<String>,
    /// SHA-256 of the file the row was read from, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Event-log fields, for rows read from an EVTX record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<EventFields>,
}

/// Whether an expected artifact was found.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ArtifactStatus {
    /// Evidence id.
    pub evidence: String,
    /// What the artifact is (`applicationHost.config`, `web.config`, `machine.config`, ...).
    pub artifact: String,
    /// Where it was looked for or found.
    pub path: WinPath,
    /// `parsed`, `parsed_with_errors`, `missing`, `not_collected`, `unreadable`.
    pub status: &'static str,
}

/// A UTC time as RFC 3339 with microseconds (`2024-05-01T10:20:30.123456Z`), the form every report uses.
pub fn rfc3339(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Microseconds since 1970 as [`rfc3339`]; `None` outside the range of dates.
pub fn rfc3339_micros(us: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_micros(us).map(|t| rfc3339(&t))
}

/// A FILETIME (100 ns since 1601, as NTFS and the change journal keep time) in microseconds since 1970.
pub fn filetime_micros(ft: u64) -> i64 {
    (ft / 10) as i64 - 11_644_473_600_000_000
}
