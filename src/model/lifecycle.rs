//! A component's life as the evidence tells it — when it was added, how and by whom, when its file arrived,
//! when it left, and why a source says nothing — and the one verdict an analyst reads first.

use super::{Position, Timestamp};
use serde::Serialize;

/// One dated fact a bound or an inference rests on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Basis {
    /// What the fact is (`IIS-Configuration 29`, `config history CFGHISTORY_0000000003`, `$FILE_NAME created`...).
    pub source: String,
    /// Its time.
    pub time: Timestamp,
    /// Where it was read.
    pub position: Position,
}

/// When a component was added to the configuration: the tightest bounds the evidence proves, each with its
/// basis. `exact` is an audited write; otherwise `earliest`/`latest` bound it (either may be unknown).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Added {
    /// The audited moment, when an IIS configuration audit record (event 29) shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exact: Option<Basis>,
    /// It was not there yet at this time (the last snapshot without it).
    pub earliest: Option<Basis>,
    /// It was there by this time (the first snapshot with it, or the configuration file's own write).
    pub latest: Option<Basis>,
    /// Facts that point at a moment without proving it (an editor opened on the file, the DLL's arrival).
    pub inferences: Vec<String>,
}

named_enum! {
    /// How a component was added.
    pub enum Method {
        /// `appcmd.exe` (a process start names it).
        Appcmd = "appcmd",
        /// An audited write through the configuration API by another process (IIS Manager, a script).
        ConfigApi = "config_api",
        /// PowerShell's WebAdministration cmdlets.
        Powershell = "powershell",
        /// An editor on the configuration file, or a change the history shows and no audit record does.
        HandEdit = "hand_edit",
        /// Declared by the IIS or .NET install itself.
        Installer = "installer",
        /// The evidence does not say.
        Unknown = "unknown",
    }
}

/// Who added it: the security identifier the records give, and the account name where they give one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Actor {
    /// SID.
    pub sid: Option<String>,
    /// `DOMAIN\user` or the user name.
    pub account: Option<String>,
}

/// A component's lifecycle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lifecycle {
    /// When it was added.
    pub added: Added,
    /// How.
    pub method: Method,
    /// By whom, when a record says.
    pub actor: Option<Actor>,
    /// When its image, type or attributes were changed (audited writes, configuration history), oldest first.
    pub changed: Vec<Basis>,
    /// When its DLL or assembly was created on the volume (`$FILE_NAME` creation, else the change journal).
    pub file_arrived: Option<Basis>,
    /// When it left the configuration, if it did.
    pub removed: Option<Basis>,
    /// Why a source is silent about it, in words for a report.
    pub gaps: Vec<String>,
}

impl Lifecycle {
    /// When it was added, in words: the audited moment, else the bounds the evidence proves, else what dates
    /// anything about it (a change, its file's arrival).
    pub fn added_text(&self) -> String {
        let a = &self.added;
        match (&a.exact, &a.earliest, &a.latest) {
            (Some(e), _, _) => format!("{} (audited)", e.time),
            (None, Some(e), Some(l)) => format!("between {} and {}", e.time, l.time),
            (None, None, Some(l)) => format!("by {}", l.time),
            (None, Some(e), None) => format!("after {}", e.time),
            (None, None, None) => match (self.changed.first(), &self.file_arrived) {
                (Some(c), _) => format!("unknown; changed {}", c.time),
                (None, Some(f)) => format!("unknown (its file arrived {})", f.time),
                (None, None) => "unknown".into(),
            },
        }
    }
}

named_enum! {
    /// How much a component stands out, from its findings and lifecycle.
    pub enum VerdictLevel {
        /// Part of the install, or a known add-on, and nothing points against it.
        Expected = "expected",
        /// Not default, or with findings an analyst should read, but nothing strong.
        Unusual = "unusual",
        /// A strong signal: an analyst must look.
        Suspicious = "suspicious",
        /// Independent strong signals agree.
        Malicious = "malicious",
    }
}

/// The one verdict per component, with the rule ids behind it (strongest first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ComponentVerdict {
    /// The level.
    pub level: VerdictLevel,
    /// Rule ids of the findings that decided it.
    pub reasons: Vec<&'static str>,
}
