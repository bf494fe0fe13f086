//! The analyst's YARA rules over the files inetsift examines: which rule files were used, what was scanned and
//! what matched, each match with its file and the strings it found.

use super::{Severity, Status, WinPath};
use serde::Serialize;

/// One rule file given with `--yara`, for the record of what was run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct YaraSource {
    /// The path given (or found in the folder given).
    pub path: String,
    /// Lower-case hex SHA-256 of the rule file.
    pub sha256: String,
}

/// One string (pattern) of a rule that matched, with where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct YaraString {
    /// Its identifier (`$a`).
    pub id: String,
    /// Byte offsets of the first matches in the file (at most [`YARA_OFFSETS_KEPT`]).
    pub offsets: Vec<u64>,
    /// How many matches there were in all.
    pub count: usize,
}

/// Most match offsets kept per string.
pub const YARA_OFFSETS_KEPT: usize = 16;

/// A rule that matched a file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct YaraMatch {
    /// Evidence id.
    pub evidence: String,
    /// The file scanned.
    pub path: WinPath,
    /// Lower-case hex SHA-256 of the file.
    pub sha256: String,
    /// Rule name.
    pub rule: String,
    /// Its namespace (`default` unless the rules say otherwise).
    pub namespace: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// Its metadata, values written as text.
    pub meta: Vec<(String, String)>,
    /// The strings that matched (none for a rule matching on its condition alone).
    pub strings: Vec<YaraString>,
    /// The severity its `severity` metadata gives, `medium` when it gives none.
    pub severity: Severity,
    /// The file's signature status, when it was examined as a PE (filled in by the fusion stage).
    pub signature: Option<Status>,
    /// The components that load the file (filled in by the fusion stage).
    pub components: Vec<String>,
}

/// What `--yara` did in one scan: the rules used, how many files were scanned, and what matched.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct YaraOutput {
    /// The rule files, in the order given.
    pub sources: Vec<YaraSource>,
    /// Rules compiled.
    pub rules: usize,
    /// Files scanned in full.
    pub files_scanned: usize,
    /// Files not scanned or not scanned to the end (over the size cap, timed out), each said in the warnings.
    pub files_skipped: usize,
    /// The matches, by evidence, path, namespace and rule.
    pub matches: Vec<YaraMatch>,
}

/// The severity a rule's `severity` metadata names: one of inetsift's words (`info` ... `critical`), or a
/// number from 0 to 100 (as some rule sets score): 80 and above critical, 60 high, 40 medium, 20 low, else info.
pub fn yara_severity(value: &str) -> Option<Severity> {
    let v = value.trim();
    if let Some(s) = Severity::ALL.iter().find(|s| s.as_str().eq_ignore_ascii_case(v)) {
        return Some(*s);
    }
    let n: u32 = v.parse().ok()?;
    Some(match n {
        80.. => Severity::Critical,
        60..=79 => Severity::High,
        40..=59 => Severity::Medium,
        20..=39 => Severity::Low,
        _ => Severity::Info,
    })
}
