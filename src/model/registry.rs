//! What the registry hives say: each hive read and replayed, facts with key times, the IIS installation and
//! its services, the host's root certificates.

use super::{FileRecord, Position, Timestamp, WinPath};
use serde::Serialize;

/// One registry fact: a key, or one value of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RegistryFact {
    /// `SYSTEM` or `SOFTWARE`.
    pub hive: &'static str,
    /// Key path below the hive root (`ControlSet001\Services\W3SVC`).
    pub key: String,
    /// Value name, when the fact is a value.
    pub value: Option<String>,
    /// Its data.
    pub data: Option<RegistryData>,
    /// The key's last-write time (UTC).
    pub last_written: Timestamp,
    /// What kind of fact: `control_set`, `computer`, `time_zone`, `service`, `iis_install`, `iis_component`,
    /// `iis_extension`, `addon`, `os`, `legacy_filter`, `hunt`.
    pub category: &'static str,
    /// Where it was read.
    pub source: Position,
}

/// A Windows service that IIS runs on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServiceInfo {
    /// Service name (`W3SVC`).
    pub name: String,
    /// Key path.
    pub key: String,
    /// Where it was read: the SYSTEM hive and the service's key.
    pub source: Position,
    /// Whether the service is registered (has `ImagePath` or `Type`), not merely a leftover key.
    pub installed: bool,
    /// `Start` value.
    pub start: Option<u32>,
    /// `boot`, `system`, `auto`, `manual`, `disabled`.
    pub start_mode: Option<&'static str>,
    /// `ImagePath`.
    pub image_path: Option<String>,
    /// `Parameters\ServiceDll` (or the service key's own `ServiceDll`).
    pub service_dll: Option<String>,
    /// `ObjectName` (the account).
    pub object_name: Option<String>,
    /// Key last-write time.
    pub last_written: Timestamp,
}

/// What the hives say about the host and its IIS installation.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Installation {
    /// Evidence id.
    pub evidence: String,
    /// `ComputerName`.
    pub computer_name: Option<String>,
    /// Time zone key name and bias.
    pub time_zone: Option<String>,
    /// Windows product name, version and build.
    pub os: Option<String>,
    /// The control set in use (`ControlSet001`), from `Select\Current`.
    pub control_set: Option<String>,
    /// Whether IIS is installed (InetStp version or a registered W3SVC).
    pub iis_installed: bool,
    /// `MajorVersion.MinorVersion`.
    pub iis_version: Option<String>,
    /// `VersionString`/`SetupString`.
    pub iis_version_string: Option<String>,
    /// `InstallPath`.
    pub install_path: Option<String>,
    /// `PathWWWRoot`.
    pub wwwroot: Option<String>,
    /// Last-write time of `InetStp`.
    pub inetstp_last_written: Option<Timestamp>,
    /// Accounts with a profile on the host: SID to the profile folder's name (`ProfileList`).
    pub profiles: std::collections::BTreeMap<String, String>,
    /// Installed IIS features (`InetStp\Components` values set to non-zero).
    pub components: Vec<String>,
    /// IIS services.
    pub services: Vec<ServiceInfo>,
    /// IIS add-ons from the uninstall entries and `IIS Extensions`.
    pub addons: Vec<String>,
    /// `SystemRoot` of the host.
    #[serde(skip)]
    pub system_root: Option<String>,
    /// `ProgramFilesDir` of the host.
    #[serde(skip)]
    pub program_files: Option<String>,
}

/// What became of one hive.
#[derive(Clone, Debug, Serialize)]
pub struct HiveReport {
    /// Evidence id.
    pub evidence: String,
    /// `SYSTEM`, `SOFTWARE`, or `unknown` for a hive given directly that is neither.
    pub hive: &'static str,
    /// Path inside the evidence.
    pub path: WinPath,
    /// SHA-256 of the primary file.
    pub sha256: Option<String>,
    /// Transaction logs found beside it.
    pub logs: Vec<FileRecord>,
    /// `parsed`, `parsed_with_errors`, `not_a_hive`, `unreadable`.
    pub status: super::ReadState,
    /// Whether the primary file was dirty (sequence numbers differ or bad checksum).
    pub dirty: bool,
    /// `old` or `new` when log entries were applied.
    pub log_format: Option<&'static str>,
    /// The log entries applied, in order.
    pub applied: Vec<AppliedEntry>,
    /// Whether the base block was restored from a log.
    pub base_block_from_log: bool,
    /// What could not be read or applied.
    pub problems: Vec<String>,
}

/// One log entry (new format) or dirty vector (old format) that was applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AppliedEntry {
    /// The log it came from.
    pub log: String,
    /// Byte offset of the entry (or of the first dirty page) in the log.
    pub offset: usize,
    /// Sequence number of a new-format entry.
    pub sequence: Option<u32>,
    /// Pages written into the hive.
    pub pages: usize,
    /// Bytes written into the hive.
    pub bytes: usize,
}

/// A certificate found in a root store.
#[derive(Clone, Debug, Serialize)]
pub struct RootCertificate {
    /// Evidence id.
    pub evidence: String,
    /// `ROOT` (machine roots, including ones an administrator or attacker added) or `AuthRoot` (Microsoft's
    /// automatic root update).
    pub store: &'static str,
    /// The key name: Windows names the key by the certificate's SHA-1 thumbprint.
    pub key_name: String,
    /// SHA-1 of the certificate bytes, computed here (differs from `key_name` only if the blob was altered).
    pub sha1: Option<String>,
    /// Subject, `CN=..., O=...` style.
    pub subject: Option<String>,
    /// Issuer, same style.
    pub issuer: Option<String>,
    /// Last-write time of the certificate's key (UTC, RFC 3339).
    pub last_written: Timestamp,
    /// The DER certificate (for signature chain checks).
    #[serde(skip)]
    pub der: Option<Vec<u8>>,
    /// What could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// A value's data, typed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum RegistryData {
    /// REG_NONE or an empty value.
    None,
    /// REG_SZ, REG_EXPAND_SZ, REG_LINK.
    String(String),
    /// REG_MULTI_SZ.
    MultiString(Vec<String>),
    /// REG_DWORD.
    Dword(u32),
    /// REG_QWORD.
    Qword(u64),
    /// REG_BINARY and anything else, as bytes.
    #[serde(serialize_with = "as_hex")]
    Binary(Vec<u8>),
    /// Data notatin could not decode.
    Unreadable,
}

fn as_hex<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&super::hex(b))
}

impl RegistryData {
    /// The data as text: strings as they are, numbers in decimal, multi-strings joined by `;`.
    pub fn text(&self) -> String {
        match self {
            RegistryData::None | RegistryData::Unreadable => String::new(),
            RegistryData::String(s) => s.clone(),
            RegistryData::MultiString(v) => v.join(";"),
            RegistryData::Dword(n) => n.to_string(),
            RegistryData::Qword(n) => n.to_string(),
            RegistryData::Binary(b) => super::hex(b),
        }
    }

    /// The data as a number, when it is one.
    pub fn number(&self) -> Option<u64> {
        match self {
            RegistryData::Dword(n) => Some(u64::from(*n)),
            RegistryData::Qword(n) => Some(*n),
            _ => None,
        }
    }
}

/// File names that are hives when given on their own.
pub const HIVE_NAMES: &[&str] = &["SYSTEM", "SOFTWARE", "SAM", "SECURITY", "DEFAULT", "NTUSER.DAT", "UsrClass.dat"];
