//! Conclusions and problems: findings with their rule and severity, warnings about what could not be read.

use super::{Position, WinPath};
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
    pub source: Position,
}

/// Something that could not be read or understood; the rest of the analysis went on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Warning {
    /// Where: the evidence, the file and the place in it.
    #[serde(flatten)]
    pub position: Position,
    /// What went wrong.
    pub message: String,
}

impl Warning {
    /// A warning at a place.
    pub fn new(position: Position, message: impl Into<String>) -> Warning {
        Warning { position, message: message.into() }
    }

    /// A warning about a file (or the evidence as a whole), at a line when there is one.
    pub fn in_file(evidence: &str, file: Option<WinPath>, line: Option<usize>, message: impl Into<String>) -> Warning {
        Warning::new(Position::in_file(evidence, file, line), message)
    }
}

/// One rule id as documented: its default severity, when it is lower or higher, and when it fires. The rule
/// registry (`analysis::rules`) holds them; a result carries those of the rules that fired, as its glossary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    /// The id findings carry.
    pub id: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// When the severity differs from the default (empty when never).
    #[serde(skip_serializing_if = "str::is_empty")]
    pub otherwise: &'static str,
    /// When it fires.
    pub fires_when: &'static str,
}
