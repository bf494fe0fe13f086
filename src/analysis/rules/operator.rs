//! Acts of an operator on the host that the process records show: an editor on a configuration file (the
//! likely moment of a hand edit), IIS services stopped or reconfigured, the IIS audit log silenced, a root
//! certificate added. One finding per record, naming it.

use super::{Rule, RuleInfo, Section};
use crate::analysis::fuse::Fused;
use crate::model::{Finding, LogEvent, Severity, Signal};

/// Rules on operator acts.
pub struct OperatorRules;

impl Rule for OperatorRules {
    fn section(&self) -> Section {
        Section::EventLog
    }

    fn ids(&self) -> &'static [RuleInfo] {
        IDS
    }

    fn check(&self, f: &Fused, out: &mut Vec<Finding>) {
        for (e, link) in f.events.iter().zip(&f.links) {
            let (rule, severity, what) = match e.signal {
                Some(Signal::ConfigEditor) => (
                    "evtx_config_editor",
                    Severity::Low,
                    "an editor opened an IIS configuration file (a likely hand edit)",
                ),
                Some(Signal::ServiceTampering) if stops_history(e) => (
                    "evtx_iis_service_tampering",
                    Severity::High,
                    "the Application Host Helper Service was stopped or reconfigured: the configuration history ends silently",
                ),
                Some(Signal::ServiceTampering) => (
                    "evtx_iis_service_tampering",
                    Severity::Medium,
                    "an IIS service was stopped or reconfigured by a command",
                ),
                Some(Signal::AuditTampering) => (
                    "evtx_audit_tampering",
                    Severity::High,
                    "an event log was cleared or silenced, or the audit policy changed",
                ),
                Some(Signal::RootCertificateInstall) => (
                    "evtx_root_certificate_installed",
                    Severity::High,
                    "a certificate was added to the machine's root store by a command: signatures it anchors are valid on this host alone",
                ),
                _ => continue,
            };
            out.push(Finding {
                rule,
                severity,
                component: link.clone(),
                message: format!("{what}: {} ({})", e.description, super::events::provenance(e)),
                source: e.source.clone(),
            });
        }
    }
}

/// Whether a service command concerns the Application Host Helper Service, which writes the history.
fn stops_history(e: &LogEvent) -> bool {
    e.description.to_ascii_lowercase().contains("apphostsvc")
}

const IDS: &[RuleInfo] = &[
    RuleInfo {
        id: "evtx_iis_service_tampering",
        severity: Severity::High,
        otherwise: "medium for W3SVC, WAS or IISADMIN",
        fires_when: "a process start (Security 4688, Sysmon 1) of `sc stop|config|delete`, `net stop`, `Stop-Service` or `Set-Service` on AppHostSvc (which writes the configuration history), W3SVC, WAS or IISADMIN",
    },
    RuleInfo {
        id: "evtx_audit_tampering",
        severity: Severity::High,
        otherwise: "",
        fires_when: "`wevtutil cl|sl` on the IIS configuration or Security log, `auditpol /set|/clear`, `Clear-EventLog`/`Limit-EventLog`",
    },
    RuleInfo {
        id: "evtx_root_certificate_installed",
        severity: Severity::High,
        otherwise: "",
        fires_when: "`certutil -addstore Root` or `Import-Certificate` into `Cert:\\LocalMachine\\Root`: the step that makes a forged signature valid on this host",
    },
    RuleInfo {
        id: "evtx_config_editor",
        severity: Severity::Low,
        otherwise: "",
        fires_when: "an editor (Notepad, Notepad++, VS Code, WordPad, PowerShell ISE) started with `applicationHost.config` or a `web.config` on its command line: the likely moment and method of a hand edit",
    },
];
