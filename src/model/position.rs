//! Where a fact was read: the evidence, the file inside it, and the place in the file.

use super::WinPath;
use serde::Serialize;

/// Where a fact was read: evidence id, path inside the evidence, line (1-based) where it applies.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Source {
    /// Evidence id (`E1`).
    pub evidence: String,
    /// File inside the evidence.
    pub file: WinPath,
    /// 1-based line of the element, when the source is text.
    pub line: Option<usize>,
    /// Event record id, when the source is an event log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<u64>,
}

impl Source {
    /// A place in a file, at a line when there is one.
    pub fn at(evidence: &str, file: WinPath, line: Option<usize>) -> Source {
        Source { evidence: evidence.to_string(), file, line, record: None }
    }
}
