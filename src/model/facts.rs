//! What collectors hand to the fusion stage: everything read from one piece of evidence, as model facts, and the
//! host context the reading used.

use super::*;

/// The host a piece of evidence comes from, as its registry describes it: what every collector resolves paths
/// and times with, derived once.
#[derive(Clone, Debug, Default)]
pub struct HostContext {
    /// Evidence id.
    pub evidence: String,
    /// The environment IIS expands paths with (the host's own SystemRoot and Program Files where known).
    pub env: WinEnv,
    /// Computer name from the SYSTEM hive.
    pub computer_name: Option<String>,
    /// Time zone from the SYSTEM hive.
    pub time_zone: Option<String>,
}

impl HostContext {
    /// The context of an evidence from its installation facts (defaults where the hives say nothing).
    pub fn new(evidence: &str, installation: Option<&Installation>) -> HostContext {
        let mut env = match installation.and_then(|i| i.system_root.as_deref()) {
            Some(root) if root.len() > 2 => WinEnv::for_system_root(root),
            _ => WinEnv::default(),
        };
        if let Some(pf) = installation.and_then(|i| i.program_files.as_deref()) {
            env.set("ProgramFiles", pf);
        }
        HostContext {
            evidence: evidence.to_string(),
            env,
            computer_name: installation.and_then(|i| i.computer_name.clone()),
            time_zone: installation.and_then(|i| i.time_zone.clone()),
        }
    }
}

/// Everything the collectors read from one piece of evidence. Each collector appends to the lists it knows;
/// none of them decides what is suspicious.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// IIS extension points declared (configuration files, registry registrations).
    pub components: Vec<Component>,
    /// Settings, sites, FREB, redirection.
    pub config_facts: Vec<ConfigFact>,
    /// Dated rows the collectors read directly (registry key times, change-journal records).
    pub timeline: Vec<TimelineEvent>,
    /// What could not be read.
    pub warnings: Vec<Warning>,
    /// Artifacts looked for, and what became of them.
    pub artifacts: Vec<ArtifactStatus>,
    /// Limits of the reading the analyst must know.
    pub notes: Vec<String>,
    /// Hives read.
    pub hives: Vec<HiveReport>,
    /// The host and its IIS installation.
    pub installations: Vec<Installation>,
    /// Registry facts with their keys and times.
    pub registry_facts: Vec<RegistryFact>,
    /// The host's root certificates.
    pub root_certificates: Vec<RootCertificate>,
    /// Event logs read.
    pub logs: Vec<LogReport>,
    /// Channels that matter: present, empty or absent.
    pub channels: Vec<ChannelCoverage>,
    /// Extracted event-log records.
    pub events: Vec<LogEvent>,
    /// Binaries examined.
    pub binaries: Vec<Binary>,
    /// Snapshots of the configuration history and backups, oldest first, then the live configuration.
    pub config_history: Vec<ConfigSnapshot>,
    /// Change-journal records about DLL and configuration files.
    pub journal: Vec<JournalRecord>,
    /// Records of deleted files components referenced.
    pub deleted_files: Vec<DeletedFile>,
    /// What the analyst's YARA rules found (`--yara`).
    pub yara: Option<YaraOutput>,
}
