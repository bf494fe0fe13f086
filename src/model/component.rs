//! IIS extension points as the configuration declares them, and what the evidence holds of their files.

use super::{PeKind, Source, Status, WinPath};
use serde::Serialize;
use std::collections::BTreeMap;

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
    pub pe_kind: Option<PeKind>,
    /// The referenced binary's signature status, when it was in the evidence and a PE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<Status>,
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
