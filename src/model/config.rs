//! Configuration settings that are not extension points, and the state of each configuration artifact.

use super::{Position, WinPath};
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
            _ => ReadState::NotCollected,
        }
    }
}
