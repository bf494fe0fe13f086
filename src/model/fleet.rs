//! Many hosts in one run: one result per host, and the fleet view — every non-default component with the hosts
//! it is on and its prevalence (a module on 2 of 40 web servers is a lead no single-host view gives).

use super::*;
use serde::Serialize;

/// One host's part of a fleet run.
#[derive(Clone, Debug, Serialize)]
pub struct HostResult {
    /// The host: the computer name from its SYSTEM hive, else the collection's name.
    pub host: String,
    /// Where the name came from: `system_hive` or `collection_name`.
    pub named_by: HostNaming,
    /// Ids of the evidence that belong to it.
    pub evidence: Vec<String>,
    /// The whole single-host result for it (its evidence ids are those of the fleet run).
    pub result: ScanResult,
}

named_enum! {
    /// How a host's name was told.
    pub enum HostNaming {
        /// `ComputerName` in the SYSTEM hive of its evidence.
        SystemHive = "system_hive",
        /// The name of the collection (zip, image or folder) without its extension.
        CollectionName = "collection_name",
    }
}

/// One non-default component identity across the fleet.
#[derive(Clone, Debug, Serialize)]
pub struct FleetEntry {
    /// Component kind.
    pub kind: ComponentKind,
    /// Name as configured.
    pub name: String,
    /// Image or type as configured, when it has one.
    pub image: Option<String>,
    /// SHA-256 of the file, when the evidence held it (the same name with another file is another entry).
    pub sha256: Option<String>,
    /// Where it stands against the default install (`known_third_party` or `unknown`).
    pub baseline: Baseline,
    /// The hosts it is on, by host name.
    pub hosts: Vec<FleetHost>,
    /// How many hosts it is on.
    pub count: usize,
    /// Of how many hosts in the run.
    pub of: usize,
}

impl FleetEntry {
    /// The strongest verdict it has on any host.
    pub fn strongest(&self) -> Option<VerdictLevel> {
        self.hosts.iter().filter_map(|h| h.verdict).max()
    }
}

/// One host a fleet entry is on.
#[derive(Clone, Debug, Serialize)]
pub struct FleetHost {
    /// Host name.
    pub host: String,
    /// The component's id in that host's result (the first, when it is declared in several scopes).
    pub component: String,
    /// Its verdict there (the strongest over its scopes).
    pub verdict: Option<VerdictLevel>,
    /// When it arrived there, as the lifecycle tells it: the audited moment, else the latest bound.
    pub arrived: Option<Timestamp>,
}

/// The result of a run over evidence of more than one host.
#[derive(Clone, Debug, Serialize)]
pub struct FleetResult {
    /// Schema version of this document ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// Always `fleet`: tells this document from a single-host result.
    pub kind: &'static str,
    /// The tool that wrote it.
    pub tool: Tool,
    /// Every evidence of the run, with the host it was given to.
    pub evidence: Vec<FleetEvidence>,
    /// One entry per host, sorted by host name.
    pub hosts: Vec<HostResult>,
    /// One entry per non-default component identity, rarest first.
    pub fleet: Vec<FleetEntry>,
    /// The run: case, examiner, command line, times.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<Run>,
}

/// An evidence of a fleet run and its host.
#[derive(Clone, Debug, Serialize)]
pub struct FleetEvidence {
    /// Evidence id.
    pub id: String,
    /// Path as given (or as found in a folder of collections).
    pub path: String,
    /// Host it belongs to.
    pub host: String,
}
