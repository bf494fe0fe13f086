//! Where a fact was read: the evidence, the file inside it, and the place in the file — the reference a
//! court-ready report gives for every fact, finding and warning.

use super::WinPath;
use serde::Serialize;

/// Where a fact was read: evidence id, path inside the evidence, and the place in that file as the format
/// knows it — a line (and column) in text, a byte offset in a binary file, an event record id (and its chunk)
/// in an event log, an MFT entry on an NTFS volume, a key path in a hive. Fields that do not apply are absent
/// from the JSON (`line` is always written, `null` when it does not apply).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Position {
    /// Evidence id (`E1`), or the evidence path when it could not be opened.
    pub evidence: String,
    /// File inside the evidence; `null` for the evidence as a whole.
    pub file: Option<WinPath>,
    /// 1-based line, when the file is text.
    pub line: Option<usize>,
    /// 1-based column on that line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// Byte offset in the file, for binary formats.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// Event record id, when the file is an event log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<u64>,
    /// Event log chunk number (0-based), when the record could not be told.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chunk: Option<u64>,
    /// MFT entry of the file on its NTFS volume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mft_entry: Option<u64>,
    /// Registry key path, when the file is a hive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

impl Position {
    /// A place in a file, at a line when there is one.
    pub fn at(evidence: &str, file: WinPath, line: Option<usize>) -> Position {
        Position { evidence: evidence.to_string(), file: Some(file), line, ..Position::default() }
    }

    /// The evidence as a whole (a problem met opening it).
    pub fn evidence(evidence: &str) -> Position {
        Position { evidence: evidence.to_string(), ..Position::default() }
    }

    /// A file, or the evidence as a whole when there is none, at a line when there is one.
    pub fn in_file(evidence: &str, file: Option<WinPath>, line: Option<usize>) -> Position {
        Position { evidence: evidence.to_string(), file, line, ..Position::default() }
    }

    /// The same place with a byte offset.
    pub fn offset(mut self, offset: u64) -> Position {
        self.offset = Some(offset);
        self
    }

    /// The same place with an event record id.
    pub fn record(mut self, record: u64) -> Position {
        self.record = Some(record);
        self
    }

    /// The same place with an event log chunk.
    pub fn chunk(mut self, chunk: u64) -> Position {
        self.chunk = Some(chunk);
        self
    }

    /// The same place with an MFT entry.
    pub fn mft_entry(mut self, entry: u64) -> Position {
        self.mft_entry = Some(entry);
        self
    }

    /// The same place with a registry key path.
    pub fn key(mut self, key: impl Into<String>) -> Position {
        self.key = Some(key.into());
        self
    }

    /// The file's path as text; empty for the evidence as a whole.
    pub fn path(&self) -> &str {
        self.file.as_ref().map(WinPath::as_str).unwrap_or("")
    }

    /// `E1:C:\path:12` — evidence, file and line, as the table shows it.
    pub fn short(&self) -> String {
        let mut s = self.evidence.clone();
        if let Some(f) = &self.file {
            s.push(':');
            s.push_str(f.as_str());
        }
        if let Some(l) = self.line {
            s.push_str(&format!(":{l}"));
        }
        if let Some(r) = self.record {
            s.push_str(&format!(" record {r}"));
        }
        if let Some(o) = self.offset {
            s.push_str(&format!(" offset {o:#x}"));
        }
        if let Some(k) = &self.key {
            s.push_str(&format!(" key {k}"));
        }
        s
    }
}
