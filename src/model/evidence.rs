//! The evidence as the result describes it: its kind and completeness, every file read with its hash and NTFS
//! facts.

use super::WinPath;
use super::time::filetime_rfc3339 as ft;
use serde::Serialize;

named_enum! {
    /// How much of the host's file system a source holds. A file missing from a whole volume is missing on the
    /// host; a file missing from a triage collection was merely not collected.
    pub enum Completeness {
        /// A whole volume (mounted folder or image).
        FullVolume = "full_volume",
        /// A selection of files (KAPE, Velociraptor, CyLR).
        Triage = "triage",
        /// One file given on its own.
        SingleFile = "single_file",
    }
}

impl Completeness {
    /// What the absence of a file means: `missing` from a whole volume, `not_collected` from a selection.
    pub fn absent_status(self) -> super::FileStatus {
        match self {
            Completeness::FullVolume => super::FileStatus::Missing,
            Completeness::Triage | Completeness::SingleFile => super::FileStatus::NotCollected,
        }
    }
}

named_enum! {
    /// What kind of container the evidence is.
    pub enum EvidenceKind {
        /// A folder on the analyst's machine.
        Folder = "folder",
        /// A zip archive (KAPE, CyLR, Velociraptor).
        Zip = "zip",
        /// A single configuration file.
        ConfigFile = "config_file",
        /// A registry hive given on its own (with its transaction logs beside it).
        HiveFile = "hive_file",
        /// A Windows event log (`.evtx`) given on its own, recognised by its `ElfFile` signature.
        EventLog = "event_log",
        /// A disk image (raw, split raw, E01, VHD, VHDX), read through its NTFS volume.
        Image = "image",
    }
}

/// A record of one file read, for the report's provenance list.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct FileRecord {
    /// Evidence id (`E1`).
    pub evidence: String,
    /// Path inside the evidence.
    pub path: WinPath,
    /// Bytes read.
    pub size: u64,
    /// SHA-256 of the bytes.
    pub sha256: String,
    /// The file's MFT entry, times and streams, when it was read from an NTFS volume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ntfs: Option<NtfsFacts>,
}

/// The MFT record of a deleted file a component referenced: the file is gone, its record (names, times) is not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeletedFile {
    /// Evidence id.
    pub evidence: String,
    /// Where the file was.
    pub path: WinPath,
    /// What its record still says.
    pub ntfs: NtfsFacts,
}

/// A change-journal record about a DLL or configuration file: what the journal says was done to it, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JournalRecord {
    /// The file's name.
    pub name: String,
    /// Its full path, when the folder is named (an image, a collected `$MFT`).
    pub path: Option<WinPath>,
    /// Its MFT entry.
    pub entry: u64,
    /// When.
    pub time: super::Timestamp,
    /// `FILE_CREATE`, `DATA_EXTEND`, `RENAME_NEW_NAME`...
    pub reasons: Vec<&'static str>,
    /// The record: the journal file and the record's offset in it.
    pub position: super::Position,
}

impl FileRecord {
    /// Where this file is: evidence, path and, on NTFS, its MFT entry.
    pub fn position(&self) -> super::Position {
        let p = super::Position::at(&self.evidence, self.path.clone(), None);
        match &self.ntfs {
            Some(n) => p.mft_entry(n.mft_entry),
            None => p,
        }
    }
}

/// Lower-case hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The four times of a `$STANDARD_INFORMATION` or `$FILE_NAME` attribute, in UTC with NTFS's 100 ns precision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NtfsTimes {
    /// Creation (B).
    pub created: String,
    /// Content last modified (M).
    pub modified: String,
    /// MFT record last changed (C).
    pub mft_modified: String,
    /// Last access (A).
    pub accessed: String,
    /// The same as FILETIMEs (100 ns since 1601), in that order.
    #[serde(skip)]
    pub raw: [u64; 4],
}

/// One `$FILE_NAME` of a file: a name in a folder, with the times Windows wrote when it named the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileNameTimes {
    /// The name.
    pub name: String,
    /// `win32`, `dos`, `win32_and_dos`, `posix`.
    pub namespace: &'static str,
    /// MFT entry of the parent folder.
    pub parent_entry: u64,
    /// Its times.
    pub times: NtfsTimes,
}

/// What NTFS records about a file: where its record is, its times, its streams.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NtfsFacts {
    /// MFT entry (file record) number.
    pub mft_entry: u64,
    /// Its sequence number (how often the entry was reused).
    pub sequence: u16,
    /// `$STANDARD_INFORMATION` times: what Explorer shows, and what timestomping tools change.
    pub standard_information: NtfsTimes,
    /// Every `$FILE_NAME`: set by the kernel when the file is named, out of reach of the usual tools.
    pub file_names: Vec<FileNameTimes>,
    /// Alternate data stream names.
    pub streams: Vec<String>,
}

impl NtfsFacts {
    /// The file's own name record: its Win32 (or POSIX) `$FILE_NAME`, not the 8.3 alias.
    pub fn primary_name(&self) -> Option<&FileNameTimes> {
        self.file_names.iter().find(|n| n.namespace != "dos").or(self.file_names.first())
    }
}

impl NtfsTimes {
    /// From FILETIMEs: created, modified, MFT modified, accessed.
    pub fn from_raw(raw: [u64; 4]) -> NtfsTimes {
        NtfsTimes { created: ft(raw[0]), modified: ft(raw[1]), mft_modified: ft(raw[2]), accessed: ft(raw[3]), raw }
    }
}

/// A piece of evidence as the result describes it.
#[derive(Clone, Debug, Serialize)]
pub struct EvidenceInfo {
    /// `E1`, `E2`, ...
    pub id: String,
    /// The path the analyst gave.
    pub path: String,
    /// `folder`, `zip`, `config_file`.
    pub kind: EvidenceKind,
    /// `volume_root`, `drive_folders`, `velociraptor`, `flat`.
    pub layout: &'static str,
    /// Whole volume or selection.
    pub completeness: Completeness,
    /// SHA-256 of the container file (zip, single file).
    pub sha256: Option<String>,
    /// What opening it found worth telling.
    pub notes: Vec<String>,
}
