//! Configuration settings that are not extension points, and the state of each configuration artifact.

use super::{Source, WinPath};
use serde::Serialize;
use std::collections::BTreeMap;

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
