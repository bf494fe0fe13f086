//! Rules the event logs alone justify: one finding per rule and what it is about (a component, the program
//! `w3wp.exe` started, the address it connected to), listing the records behind it.

use super::{Rule, RuleInfo, Section};
use crate::analysis::fuse::Fused;
use crate::model::{Baseline, Finding, LogEvent, Severity, Signal, file_name};
use std::collections::BTreeMap;

/// Rules on event-log records.
pub struct EventRules;

impl Rule for EventRules {
    fn section(&self) -> Section {
        Section::EventLog
    }

    fn ids(&self) -> &'static [RuleInfo] {
        IDS
    }

    fn check(&self, f: &Fused, out: &mut Vec<Finding>) {
        out.extend(findings(&f.events, &f.links, &f.components));
    }
}

const IDS: &[RuleInfo] = &[
    RuleInfo {
        id: "evtx_extension_added",
        severity: Severity::High,
        otherwise: "low when the linked component is built in",
        fires_when: "the IIS configuration audit log (event 29) shows an extension point added through the configuration API (appcmd, PowerShell, IIS Manager), with who (SID) and which process",
    },
    RuleInfo {
        id: "evtx_extension_changed",
        severity: Severity::High,
        otherwise: "",
        fires_when: "event 29 shows the image, path or type of an existing extension point changed (a built-in module pointed at another DLL)",
    },
    RuleInfo {
        id: "evtx_http_logging_disabled",
        severity: Severity::High,
        otherwise: "",
        fires_when: "event 29 shows `httpLogging/@dontLog` set to `true` or a `logFile` disabled",
    },
    RuleInfo {
        id: "evtx_appcmd_install",
        severity: Severity::High,
        otherwise: "low when the linked component is built in",
        fires_when: "a process start (Security 4688, Sysmon 1) of `appcmd` installing or adding a module, or `set config` on `globalModules`/`modules`/`isapiFilters`/`handlers`/`isapiCgiRestriction`/`fastCgi`",
    },
    RuleInfo {
        id: "evtx_powershell_install",
        severity: Severity::High,
        otherwise: "",
        fires_when: "PowerShell (process start or script block 4103/4104) calling `New-/Enable-/Set-/Remove-WebGlobalModule`, `New-WebManagedModule`, `Add-WebConfiguration*`, `Set-WebConfigurationProperty` on an extension section, or `Publish.GacInstall`",
    },
    RuleInfo {
        id: "evtx_gacutil_install",
        severity: Severity::Medium,
        otherwise: "",
        fires_when: "`gacutil /i` put an assembly in the GAC",
    },
    RuleInfo {
        id: "evtx_w3wp_shell",
        severity: Severity::High,
        otherwise: "",
        fires_when: "`w3wp.exe` started a shell or reconnaissance tool (`cmd`, `powershell`, `whoami`, `net`, `certutil`...); one finding per program, listing every record",
    },
    RuleInfo {
        id: "evtx_w3wp_connection",
        severity: Severity::High,
        otherwise: "medium unless to loopback, a tunnel through the web server",
        fires_when: "`w3wp.exe` opened a connection (Sysmon 3); one finding per destination",
    },
    RuleInfo {
        id: "evtx_w3wp_remote_thread",
        severity: Severity::High,
        otherwise: "",
        fires_when: "`w3wp.exe` started a thread in another process (Sysmon 8)",
    },
    RuleInfo {
        id: "evtx_w3wp_user_writable_load",
        severity: Severity::High,
        otherwise: "",
        fires_when: "`w3wp.exe` loaded a DLL from a user-writable folder (Sysmon 7)",
    },
    RuleInfo {
        id: "evtx_module_load_failure",
        severity: Severity::Medium,
        otherwise: "",
        fires_when: "the IIS worker process could not load a module or filter DLL (IIS-W3SVC-WP 2295, 2282, ...): a broken or removed implant, or a failed attempt",
    },
];

/// The findings the logs justify on their own, one per rule and what it is about: a component, the program
/// `w3wp.exe` started, the address it connected to. Each lists the records behind it.
fn findings(events: &[LogEvent], links: &[Option<String>], components: &[crate::model::Component]) -> Vec<Finding> {
    let builtin = |link: &Option<String>| {
        link.as_ref()
            .and_then(|id| components.iter().find(|c| &c.id == id))
            .is_some_and(|c| c.baseline == Baseline::Builtin)
    };
    // (rule, evidence, what it is about) -> (severity, what, component, events)
    type Key = (&'static str, String, String);
    type Group<'a> = (Severity, String, Option<String>, Vec<&'a LogEvent>);
    let mut groups: BTreeMap<Key, Group> = BTreeMap::new();
    for (e, link) in events.iter().zip(links) {
        let Some(signal) = e.signal else { continue };
        let install = if builtin(link) { Severity::Low } else { Severity::High };
        let own = || link.clone().unwrap_or_else(|| format!("{}#{}", e.source.path(), e.record.record_id));
        let (rule, severity, what, about) = match signal {
            Signal::ExtensionAdded => (
                "evtx_extension_added",
                install,
                "an IIS extension point was added through the configuration API".to_string(),
                own(),
            ),
            Signal::ExtensionChanged => (
                "evtx_extension_changed",
                Severity::High,
                "the binary or type of an IIS extension point was changed through the configuration API".to_string(),
                own(),
            ),
            Signal::LoggingDisabled => {
                ("evtx_http_logging_disabled", Severity::High, "HTTP logging was switched off".to_string(), own())
            }
            Signal::AppcmdInstall => (
                "evtx_appcmd_install",
                install,
                "appcmd installed or added a module, filter or handler".to_string(),
                own(),
            ),
            Signal::PowerShellInstall => (
                "evtx_powershell_install",
                Severity::High,
                "PowerShell changed IIS modules or the GAC (WebAdministration cmdlets or Publish.GacInstall)"
                    .to_string(),
                own(),
            ),
            Signal::GacInstall => (
                "evtx_gacutil_install",
                Severity::Medium,
                "gacutil installed an assembly into the GAC".to_string(),
                own(),
            ),
            Signal::UserWritableLoad => (
                "evtx_w3wp_user_writable_load",
                Severity::High,
                "the IIS worker process loaded a DLL from a user-writable folder".to_string(),
                own(),
            ),
            Signal::LoadFailure => (
                "evtx_module_load_failure",
                Severity::Medium,
                "the IIS worker process failed to load a module or filter".to_string(),
                own(),
            ),
            Signal::W3wpRemoteThread => (
                "evtx_w3wp_remote_thread",
                Severity::High,
                "the IIS worker process started a thread in another process (injection)".to_string(),
                own(),
            ),
            Signal::W3wpShell => {
                let image = e.record.data.get("NewProcessName").or_else(|| e.record.data.get("Image"));
                let name = image.map(|i| file_name(i).to_ascii_lowercase()).unwrap_or_default();
                let what = format!("the IIS worker process started {name}: a web shell or module running commands");
                ("evtx_w3wp_shell", Severity::High, what, name)
            }
            Signal::W3wpConnection => {
                let to = format!("{}:{}", e.record.field("DestinationIp"), e.record.field("DestinationPort"));
                // A worker process has no business connecting to the host itself: that is a tunnel.
                let loopback = to.starts_with("127.") || to.starts_with("::1");
                let (severity, how) = if loopback {
                    (Severity::High, " (loopback: a tunnel through the web server)")
                } else {
                    (Severity::Medium, "")
                };
                (
                    "evtx_w3wp_connection",
                    severity,
                    format!("the IIS worker process opened connections to {to}{how}"),
                    to,
                )
            }
            Signal::W3wpChild
            | Signal::UnusualLoad
            | Signal::ExtensionRemoved
            | Signal::ConfigEditor
            | Signal::ServiceTampering
            | Signal::AuditTampering
            | Signal::RootCertificateInstall => continue,
        };
        let g = groups
            .entry((rule, e.source.evidence.clone(), about))
            .or_insert_with(|| (severity, what, link.clone(), Vec::new()));
        g.0 = g.0.max(severity);
        g.3.push(e);
    }
    groups
        .into_iter()
        .map(|((rule, _, _), (severity, what, component, group))| {
            let first = group[0];
            let n = group.len();
            let mut message = format!("{what}: {} ({})", first.description, provenance(first));
            if n > 1 {
                let last = group.iter().map(|e| e.record.time).max().unwrap_or(first.record.time);
                let more: Vec<String> = group[1..]
                    .iter()
                    .take(10)
                    .map(|e| {
                        format!(
                            "{} {}",
                            e.source.file.as_ref().and_then(|f| f.file_name()).unwrap_or_default(),
                            e.record.record_id
                        )
                    })
                    .collect();
                message.push_str(&format!(
                    "; {n} events in all, the last at {}: also records {}{}",
                    last,
                    more.join(", "),
                    if n > 11 { ", ..." } else { "" }
                ));
            }
            Finding { rule, severity, component, message, source: first.source.clone() }
        })
        .collect()
}

/// Where an event was read, for a finding's message: file, record, time and who.
pub(super) fn provenance(e: &LogEvent) -> String {
    let r = &e.record;
    format!(
        "{} {} at {}{}",
        e.source.path(),
        r.cite(),
        r.time,
        r.actor().map(|s| format!(", user {s}")).unwrap_or_default()
    )
}
