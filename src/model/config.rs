//! Configuration settings that are not extension points, and the state of each configuration artifact.

use super::{Position, WinEnv, WinPath};
use serde::Serialize;
use std::collections::BTreeMap;

named_enum! {
    /// What a configuration fact is (in name order: facts sort by it).
    pub enum ConfigFactKind {
        /// A site's `traceFailedRequestsLogging`.
        FrebLogging = "freb_logging",
        /// A failed-request tracing rule (its `customActionExe` runs a program on a match).
        FrebRule = "freb_rule",
        /// An IIS Manager module provider.
        ModuleProvider = "module_provider",
        /// A section's attributes worth reporting (logging, redirection, config history, restrictions...).
        Setting = "setting",
        /// A `<site>`.
        Site = "site",
        /// A `<virtualDirectory>` with its physical path.
        VirtualDirectory = "virtual_directory",
    }
}

/// A configuration setting worth reporting that is not an extension point (FREB, redirection, config history,
/// IIS Manager providers, sites).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ConfigFact {
    /// What it is: `site`, `virtual_directory`, `freb`, `config_history`, `redirection`, `module_provider`...
    pub kind: ConfigFactKind,
    /// Scope it applies to.
    pub scope: String,
    /// Name/value pairs as written.
    pub values: BTreeMap<String, String>,
    /// Where it was read.
    pub source: Position,
}

/// The configuration path of IIS's own file (`applicationHost.config`): scopes below it name a site and a path.
pub const APPHOST: &str = "MACHINE/WEBROOT/APPHOST";

/// Each virtual directory's folder by its configuration path (`MACHINE/WEBROOT/APPHOST/<site><virtual path>`,
/// lower case), from the `virtual_directory` facts of one evidence: what ASP.NET and IIS map a scope to.
pub fn scope_folders<'a>(facts: impl IntoIterator<Item = &'a ConfigFact>, env: &WinEnv) -> Vec<(String, WinPath)> {
    facts
        .into_iter()
        .filter(|f| f.kind == ConfigFactKind::VirtualDirectory)
        .filter_map(|f| {
            let site = f.values.get("site")?;
            let path = f.values.get("path")?;
            let folder = env.resolve_folder(f.values.get("physicalPath")?)?;
            Some((format!("{APPHOST}/{site}{}", path.trim_end_matches('/')).to_ascii_lowercase(), folder))
        })
        .collect()
}

/// The folder of the deepest virtual directory of `folders` (from [`scope_folders`]) that holds `scope`.
pub fn folder_of_scope<'a>(folders: &'a [(String, WinPath)], scope: &str) -> Option<&'a WinPath> {
    let scope = scope.to_ascii_lowercase();
    let scope = scope.trim_end_matches('/');
    folders
        .iter()
        .filter(|(s, _)| scope == s || scope.starts_with(&format!("{s}/")))
        .max_by_key(|(s, _)| s.len())
        .map(|(_, folder)| folder)
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
    /// What became of it.
    pub status: ReadState,
}

named_enum! {
    /// What became of an artifact the scan looked for: a configuration file, a hive, an event log.
    pub enum ReadState {
        /// Read in full.
        Parsed = "parsed",
        /// Read, with parts that could not be (the warnings say which).
        ParsedWithErrors = "parsed_with_errors",
        /// Read, and holds nothing (an event log without records).
        Empty = "empty",
        /// Not on the volume: the evidence is a whole volume and lacks it.
        Missing = "missing",
        /// Not in the evidence, which is a selection: absence proves nothing.
        NotCollected = "not_collected",
        /// There, but its bytes could not be read or parsed at all.
        Unreadable = "unreadable",
        /// Named like an event log, but not one.
        NotEvtx = "not_evtx",
        /// Named like a hive, but not one.
        NotAHive = "not_a_hive",
    }
}

impl From<super::FileStatus> for ReadState {
    /// An absent artifact's state from what its absence means.
    fn from(s: super::FileStatus) -> ReadState {
        match s {
            super::FileStatus::Missing => ReadState::Missing,
            super::FileStatus::Unreadable => ReadState::Unreadable,
            _ => ReadState::NotCollected,
        }
    }
}
