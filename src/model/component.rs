//! IIS extension points as the configuration declares them, and what the evidence holds of their files.

use super::{ComponentVerdict, Lifecycle, PeKind, Position, Status, WinPath};
use serde::Serialize;
use std::collections::BTreeMap;

named_enum! {
    /// The kind of IIS extension point a component is.
    pub enum ComponentKind {
        /// `globalModules/add`: a native DLL loaded into every worker process.
        GlobalModule = "global_module",
        /// `modules/add` without `type`: enables a global module for a scope.
        Module = "module",
        /// `modules/add` or `httpModules/add` with a .NET `type`.
        ManagedModule = "managed_module",
        /// `isapiFilters/filter`.
        IsapiFilter = "isapi_filter",
        /// A handler run by `IsapiModule`.
        IsapiExtension = "isapi_extension",
        /// A handler run by `CgiModule`.
        Cgi = "cgi",
        /// A handler run by `FastCgiModule`, or a `fastCgi/application`.
        Fastcgi = "fastcgi",
        /// `security/isapiCgiRestriction/add`: an ISAPI or CGI binary allowed (or denied) to run.
        CgiRestriction = "cgi_restriction",
        /// Any other DLL the configuration makes IIS load (WebDAV stores, compression schemes, registry hits).
        OtherDll = "other_dll",
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

named_enum! {
    /// Whether a declaration is in force at its own scope.
    pub enum ComponentState {
        /// In force at its scope (and below, unless removed there).
        Effective = "effective",
        /// Removed by a later `<remove>` or `<clear/>` at the same scope.
        Removed = "removed",
        /// A second entry with the same key at the same scope: IIS refuses such a configuration.
        Duplicate = "duplicate",
        /// Declared only in the configuration history: added and removed again before the live configuration.
        Historical = "historical",
    }
}

named_enum! {
    /// How a component was taken out of a scope.
    pub enum RemovalOp {
        /// `<remove name=...>`.
        Remove = "remove",
        /// `<clear/>`.
        Clear = "clear",
    }
}

named_enum! {
    /// What the evidence holds of a file a component references.
    pub enum FileStatus {
        /// In the evidence (and read).
        Present = "present",
        /// Not on the volume: the evidence is a whole volume and lacks it.
        Missing = "missing",
        /// Not in the evidence, which is a selection (triage or a single file): absence proves nothing.
        NotCollected = "not_collected",
        /// A relative or unexpandable path: no file to look for.
        Unresolved = "unresolved",
        /// Looked for, and the file system structures on the way to it are damaged: neither there nor absent.
        Unreadable = "unreadable",
    }
}

named_enum! {
    /// Where a component stands against the baseline of a default IIS install.
    pub enum Baseline {
        /// Part of IIS or .NET as installed (name, image and type as Microsoft ships them).
        Builtin = "builtin",
        /// A known add-on (Microsoft or third party) by its name and file.
        KnownThirdParty = "known_third_party",
        /// Neither.
        Unknown = "unknown",
    }
}

/// A `<remove>` or `<clear/>` that took a component out of a scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Removal {
    /// The scope it was removed from.
    pub scope: String,
    /// `remove` or `clear`.
    pub op: RemovalOp,
    /// Where the `<remove>`/`<clear/>` is.
    pub source: Position,
}

/// What the evidence holds of a file a component references.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileCheck {
    /// Whether the evidence holds the file.
    pub status: FileStatus,
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
    pub source: Position,
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
    pub pe_kind: Option<PeKind>,
    /// The referenced binary's signature status, when it was in the evidence and a PE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<Status>,
    /// Against the baseline: built-in, known third-party, or unknown.
    pub baseline: Baseline,
    /// For known third-party components: the product.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<&'static str>,
    /// When, how and by whom it arrived, as the evidence tells it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Lifecycle>,
    /// The one verdict, with its reasons.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<ComponentVerdict>,
}

impl Component {
    /// Whether its verdict says it does not belong or needs a look (anything but `expected`).
    pub fn stands_out(&self) -> bool {
        self.level() != super::VerdictLevel::Expected
    }

    /// Its verdict's level (`expected` before a verdict is given).
    pub fn level(&self) -> super::VerdictLevel {
        self.verdict.as_ref().map(|v| v.level).unwrap_or(super::VerdictLevel::Expected)
    }

    /// What it loads, for a report: the resolved file, else the image or type as the configuration writes it.
    pub fn image_text(&self) -> Option<String> {
        self.path.as_ref().map(|p| p.to_string()).or_else(|| self.image.clone())
    }

    /// A declaration in force, not yet placed against the baseline; the id is assigned after sorting.
    pub fn new(kind: ComponentKind, name: String, image: Option<String>, scope: String, source: Position) -> Component {
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
            baseline: Baseline::Unknown,
            product: None,
            lifecycle: None,
            verdict: None,
        }
    }
}
