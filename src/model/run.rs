//! The run that produced a result: who asked, for which case, with which command, when. Filled by the command
//! line for case output and `--json`; absent from results made through the library.

use super::Timestamp;
use serde::Serialize;

named_enum! {
    /// Where the run's start and end times come from.
    pub enum RunClock {
        /// The system clock.
        System = "system",
        /// `SOURCE_DATE_EPOCH` (the reproducible-builds convention): both times are that instant, so two runs on
        /// the same evidence write the same bytes.
        SourceDateEpoch = "source_date_epoch",
    }
}

/// The run: case details the examiner gave, the exact command line and the run's times.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Run {
    /// `--case`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    /// `--examiner`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub examiner: Option<String>,
    /// `--notes`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// The command line as given (the zip password replaced by `********`).
    pub command_line: Vec<String>,
    /// When the scan started (UTC).
    pub started: Timestamp,
    /// When the outputs were written (UTC).
    pub ended: Timestamp,
    /// Where the two times come from.
    pub clock: RunClock,
}

impl Run {
    /// The command line with any password value masked: the argument after `--zip-password`, or the value of
    /// `--zip-password=...`.
    pub fn masked_command_line(args: impl IntoIterator<Item = String>) -> Vec<String> {
        let mut out = Vec::new();
        let mut mask_next = false;
        for a in args {
            if mask_next {
                out.push("********".to_string());
                mask_next = false;
            } else if a == "--zip-password" {
                out.push(a);
                mask_next = true;
            } else if a.starts_with("--zip-password=") {
                out.push("--zip-password=********".to_string());
            } else {
                out.push(a);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_command_line_written() {
        let args = ["inetsift", "scan", "x.zip", "--zip-password", "infected", "--zip-password=s3cret"];
        let got = Run::masked_command_line(args.map(String::from));
        assert_eq!(got, ["inetsift", "scan", "x.zip", "--zip-password", "********", "--zip-password=********"]);
    }
}
