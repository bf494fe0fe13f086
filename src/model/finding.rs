//! Conclusions and problems: findings with their rule and severity, warnings about what could not be read.

use super::{Source, WinPath};
use serde::Serialize;

named_enum! {
    /// How bad a finding is.
    pub enum Severity {
        /// Context worth knowing.
        Info = "info",
        /// Unusual, usually benign.
        Low = "low",
        /// Needs a look.
        Medium = "medium",
        /// Likely malicious or a serious gap.
        High = "high",
        /// Near-certain compromise.
        Critical = "critical",
    }
}

/// A conclusion about a component or the evidence, with the rule that drew it and a plain reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Rule id (see docs/rules.md).
    pub rule: &'static str,
    /// Severity.
    pub severity: Severity,
    /// The component it concerns, if any.
    pub component: Option<String>,
    /// Plain-language reason.
    pub message: String,
    /// Where the fact behind it was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

/// Something that could not be read or understood; the rest of the analysis went on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Warning {
    /// Evidence id, or the evidence path when it could not be opened.
    pub evidence: String,
    /// File inside the evidence, when the problem is in one.
    pub file: Option<WinPath>,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What went wrong.
    pub message: String,
}
