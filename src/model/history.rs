//! The IIS configuration history: each snapshot IIS kept of `applicationHost.config` (or an `appcmd add backup`),
//! when it was taken as far as the evidence shows, and which components changed against the one before.

use super::{Component, ComponentKind, Timestamp, WinPath};
use serde::Serialize;

/// Who a component is, the way IIS compares declarations: its kind, its name and the configuration path it is
/// declared for, names and paths compared without case. It survives moving a declaration between
/// `applicationHost.config` and a `<location>` of the same path.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ComponentIdentity {
    /// Kind.
    pub kind: ComponentKind,
    /// Name as written.
    pub name: String,
    /// Configuration path as written.
    pub scope: String,
}

impl ComponentIdentity {
    /// The identity of a declared component.
    pub fn of(c: &Component) -> ComponentIdentity {
        ComponentIdentity { kind: c.kind, name: c.name.clone(), scope: c.scope.clone() }
    }

    /// What identities are compared by: kind, lower-case name, lower-case path without trailing `/`.
    pub fn key(&self) -> (ComponentKind, String, String) {
        (self.kind, self.name.to_lowercase(), self.scope.trim_end_matches('/').to_lowercase())
    }

    /// `global_module 'X' at MACHINE/WEBROOT/APPHOST`.
    pub fn describe(&self) -> String {
        format!("{} '{}' at {}", self.kind, self.name, self.scope)
    }
}

/// A component whose declaration differs between two snapshots.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ChangedComponent {
    /// Who.
    pub identity: ComponentIdentity,
    /// What changed, in words (`image C:\a.dll -> C:\b.dll`).
    pub change: String,
}

named_enum! {
    /// Where the time of a snapshot comes from, strongest first.
    pub enum SnapshotTimeSource {
        /// The snapshot folder's NTFS creation time (`$FILE_NAME`, which timestomping tools do not reach).
        NtfsFolderCreated = "ntfs_folder_created",
        /// The snapshot file's NTFS `$STANDARD_INFORMATION` modification time.
        NtfsFileModified = "ntfs_file_modified",
        /// The time the collection recorded for the file: a zip entry's (no zone) or a copied file's.
        CollectionFileTime = "collection_file_time",
        /// No time in the evidence: only the order of the snapshot numbers is known.
        Unknown = "unknown",
    }
}

named_enum! {
    /// What kind of snapshot it is.
    pub enum SnapshotKind {
        /// `inetpub\history\CFGHISTORY_NNNNNNNNNN`, written by the Application Host Helper Service.
        History = "config_history",
        /// `inetsrv\backup\<name>`, written by `appcmd add backup`.
        Backup = "appcmd_backup",
        /// The live `applicationHost.config`, compared with the newest snapshot.
        Live = "live",
    }
}

/// One snapshot of the configuration, and its differences from the snapshot before it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConfigSnapshot {
    /// Evidence id.
    pub evidence: String,
    /// The folder name (`CFGHISTORY_0000000003`, a backup's name, or `live`).
    pub snapshot: String,
    /// History, backup or the live configuration.
    pub kind: SnapshotKind,
    /// Its `applicationHost.config`.
    pub path: WinPath,
    /// When it was taken, as far as the evidence shows.
    pub time: Option<Timestamp>,
    /// Where that time comes from.
    pub time_source: SnapshotTimeSource,
    /// SHA-256 of its `applicationHost.config`.
    pub sha256: Option<String>,
    /// Components it declares.
    pub components: usize,
    /// The snapshot it is compared with (the one before), `null` for the first.
    pub previous: Option<String>,
    /// Declared here, not in the one before.
    pub added: Vec<ComponentIdentity>,
    /// Declared in the one before, not here.
    pub removed: Vec<ComponentIdentity>,
    /// Declared in both, with another image, type or attributes.
    pub changed: Vec<ChangedComponent>,
}
