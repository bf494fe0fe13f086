//! Event-log facts: the records read, what each one is and points to, the logs and channels, timeline rows.

use super::Timestamp;

/// The IIS configuration audit channel (off by default): event 29 is one configuration write.
pub const IIS_CONFIG_CHANNEL: &str = "Microsoft-IIS-Configuration/Operational";
use super::{Position, WinPath};
use serde::Serialize;
use std::collections::BTreeMap;

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
    pub kind: EventKind,
    /// What it points to (`appcmd_install`, `w3wp_shell`, ...), if anything.
    pub signal: Option<Signal>,
    /// The raw event data, field name to text.
    pub fields: BTreeMap<String, String>,
}

/// One row of the timeline (filled by later artifact kinds: registry, EVTX, NTFS).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimelineEvent {
    /// UTC, RFC 3339.
    pub timestamp: Timestamp,
    /// What the time means.
    pub timestamp_desc: String,
    /// Artifact the row came from.
    pub source: String,
    /// One line.
    pub description: String,
    /// Where exactly.
    pub evidence: Position,
    /// Linked component.
    pub component: Option<String>,
    /// SHA-256 of the file the row was read from, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Event-log fields, for rows read from an EVTX record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<EventFields>,
}

/// One event log read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogReport {
    /// Evidence id.
    pub evidence: String,
    /// Path inside the evidence.
    pub path: WinPath,
    /// SHA-256 of the file as collected.
    pub sha256: Option<String>,
    /// Size in bytes.
    pub size: u64,
    /// The channel its records name (the first rendered record's), `null` when no record could be read.
    pub channel: Option<String>,
    /// Other channels named by its records (forwarded-event logs hold several).
    pub other_channels: Vec<String>,
    /// Records walked.
    pub records: u64,
    /// Records rendered in full (the rest were skipped by event id and content).
    pub rendered: u64,
    /// Records extracted as IIS-component events.
    pub events: u64,
    /// Earliest record time.
    pub first: Option<Timestamp>,
    /// Latest record time.
    pub last: Option<Timestamp>,
    /// `parsed`, `parsed_with_errors`, `empty`, `not_evtx`, `unreadable`.
    pub status: super::ReadState,
    /// Chunks and records that could not be read.
    pub problems: Vec<String>,
}

/// One extracted event with its provenance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEvent {
    /// Evidence, file and record id.
    pub source: Position,
    /// SHA-256 of the log file.
    pub sha256: String,
    /// The record's fields.
    pub record: EventRecord,
    /// What kind of event it is.
    pub kind: EventKind,
    /// What it points to.
    pub signal: Option<Signal>,
    /// One line.
    pub description: String,
    /// Component names it mentions.
    pub names: Vec<String>,
    /// File paths it mentions.
    pub paths: Vec<String>,
}

/// Whether a channel that matters had a log in the evidence, and what time it covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChannelCoverage {
    /// Evidence id.
    pub evidence: String,
    /// The channel.
    pub channel: &'static str,
    /// Whether its records are in the evidence.
    pub status: ChannelStatus,
    /// The logs that hold it.
    pub logs: Vec<WinPath>,
    /// Records in those logs.
    pub records: u64,
    /// Earliest record time.
    pub first: Option<Timestamp>,
    /// Latest record time.
    pub last: Option<Timestamp>,
}

/// The fields of one record that the extractors read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EventRecord {
    /// `EventRecordID` from the record header.
    pub record_id: u64,
    /// `System/TimeCreated/@SystemTime` (else the record header's time).
    #[serde(skip)]
    pub time: Timestamp,
    /// `System/Channel`.
    pub channel: String,
    /// `System/Provider/@Name`.
    pub provider: String,
    /// `System/EventID` (without qualifiers).
    pub event_id: u32,
    /// `System/Computer`.
    pub computer: String,
    /// `System/Security/@UserID`.
    pub user_sid: Option<String>,
    /// `System/Execution/@ProcessID`.
    pub process_id: Option<u32>,
    /// `EventData`/`UserData` flattened: field name to text. Unnamed `Data` items are `Data1`, `Data2`...
    pub data: BTreeMap<String, String>,
}

impl EventRecord {
    /// A field of the event data, empty when absent.
    pub fn field(&self, name: &str) -> &str {
        self.data.get(name).map(String::as_str).unwrap_or_default()
    }

    /// How a report cites the record: `Security 4688 record 7002`.
    pub fn cite(&self) -> String {
        format!("{} {} record {}", self.channel, self.event_id, self.record_id)
    }

    /// Who acted: the record's user SID, else the event data's subject (Security events carry no `UserID`).
    pub fn actor(&self) -> Option<&str> {
        self.user_sid.as_deref().or_else(|| {
            ["SubjectUserSid", "User", "SubjectUserName"].iter().map(|n| self.field(n)).find(|v| !v.is_empty())
        })
    }
}

named_enum! {
    /// What kind of event a record is.
    pub enum EventKind {
        /// IIS configuration audit 29: one element or attribute changed through the configuration API.
        ConfigChange = "config_change",
        /// IIS configuration audit 50: changes committed.
        ConfigCommit = "config_commit",
        /// Security 4688 or Sysmon 1.
        ProcessCreation = "process_creation",
        /// Sysmon 7 into `w3wp.exe`.
        ImageLoad = "image_load",
        /// Sysmon 3: a connection `w3wp.exe` opened.
        NetworkConnection = "network_connection",
        /// Sysmon 8/10: `w3wp.exe` starting a thread in, or opening, another process.
        ProcessAccess = "process_access",
        /// Sysmon 11.
        FileCreate = "file_create",
        /// Sysmon 13.
        RegistrySet = "registry_set",
        /// System 7045.
        ServiceInstall = "service_install",
        /// System 7036/7040 for the IIS services.
        ServiceState = "service_state",
        /// Application, IIS-W3SVC-WP: a module or filter failed to load.
        ModuleLoadFailure = "module_load_failure",
        /// PowerShell 4103/4104.
        PowerShell = "powershell",
        /// Security 4657/4663/4907 on `inetsrv` or `applicationHost.config` (context only).
        ObjectAccess = "object_access",
    }
}

named_enum! {
    /// What an event points to, for the rules.
    pub enum Signal {
        /// An extension point (module, filter, handler, CGI/FastCGI) added through the configuration API.
        ExtensionAdded = "extension_added",
        /// An extension point taken out through the configuration API (a `<remove>` or `<clear/>` written).
        ExtensionRemoved = "extension_removed",
        /// The binary or type of an extension point changed through the configuration API.
        ExtensionChanged = "extension_changed",
        /// HTTP logging switched off.
        LoggingDisabled = "logging_disabled",
        /// `appcmd` installing or adding a module, filter or handler.
        AppcmdInstall = "appcmd_install",
        /// PowerShell WebAdministration cmdlets or `Publish.GacInstall`.
        PowerShellInstall = "powershell_install",
        /// `gacutil /i`.
        GacInstall = "gac_install",
        /// `w3wp.exe` started a shell or a reconnaissance tool.
        W3wpShell = "w3wp_shell",
        /// `w3wp.exe` started some other process.
        W3wpChild = "w3wp_child",
        /// `w3wp.exe` loaded a DLL from a user-writable folder.
        UserWritableLoad = "user_writable_load",
        /// `w3wp.exe` loaded an unsigned DLL or one from outside the Windows and .NET folders.
        UnusualLoad = "unusual_load",
        /// A module or filter DLL failed to load.
        LoadFailure = "load_failure",
        /// `w3wp.exe` opened a network connection (tunnels, C2, lateral movement).
        W3wpConnection = "w3wp_connection",
        /// `w3wp.exe` started a thread in another process.
        W3wpRemoteThread = "w3wp_remote_thread",
        /// An editor opened a configuration file (`applicationHost.config`, a `web.config`): a likely hand edit.
        ConfigEditor = "config_editor",
        /// An IIS service stopped or reconfigured by a command (`sc stop AppHostSvc`, `Stop-Service W3SVC`,
        /// `net stop`): stopping the Application Host Helper Service ends the configuration history silently.
        ServiceTampering = "service_tampering",
        /// The IIS configuration audit log cleared or switched off, or the audit policy changed
        /// (`wevtutil cl|sl`, `auditpol /set|/clear`).
        AuditTampering = "audit_tampering",
        /// A certificate added to the machine's root store by a command (`certutil -addstore Root`,
        /// `Import-Certificate ... Cert:\LocalMachine\Root`): what makes a forged signature valid on that host.
        RootCertificateInstall = "root_certificate_install",
    }
}

named_enum! {
    /// Whether a channel that matters is in the evidence.
    pub enum ChannelStatus {
        /// Records were read.
        Present = "present",
        /// A log names it but holds no records.
        Empty = "empty",
        /// No log names it.
        Absent = "absent",
    }
}
