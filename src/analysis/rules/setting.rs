//! Rules on configuration settings that are not components: shared configuration, open restrictions, execute
//! access, logging, configuration history, failed-request tracing.

use super::{Rule, RuleInfo, Section};
use crate::analysis::classify::admin_only_dir;
use crate::analysis::fuse::Fused;
use crate::model::config::{folder_of_scope, scope_folders};
use crate::model::{ConfigFact, ConfigFactKind, Finding, Severity, WinPath};
use std::collections::BTreeMap;

/// Rules on configuration settings.
pub struct SettingRules;

impl Rule for SettingRules {
    fn section(&self) -> Section {
        Section::General
    }

    fn ids(&self) -> &'static [RuleInfo] {
        IDS
    }

    fn check(&self, f: &Fused, out: &mut Vec<Finding>) {
        // What every fact of one evidence shares, gathered once per evidence (not once per fact).
        let mut per_evidence: BTreeMap<&str, EvidenceContext> = BTreeMap::new();
        for c in &f.components {
            // IIS Express (images under %IIS_BIN%) ships open restrictions as its developer defaults.
            if c.image.as_deref().is_some_and(|i| i.to_ascii_uppercase().contains("%IIS_BIN%")) {
                per_evidence.entry(c.source.evidence.as_str()).or_default().iis_express = true;
            }
        }
        for v in &f.config_facts {
            // Execute lets a requested .dll/.exe run only if isapiCgiRestriction lets unlisted ones run.
            let open = v.values.get("section").is_some_and(|s| s == "system.webServer/security/isapiCgiRestriction")
                && ["notListedIsapisAllowed", "notListedCgisAllowed"]
                    .iter()
                    .any(|k| v.values.get(*k).is_some_and(|x| x.eq_ignore_ascii_case("true")));
            per_evidence.entry(v.source.evidence.as_str()).or_default().open_restriction |= open;
        }
        for (ev, ctx) in per_evidence.iter_mut() {
            let facts = f.config_facts.iter().filter(|v| v.source.evidence == *ev);
            ctx.folders = scope_folders(facts, f.env(ev));
        }
        let none = EvidenceContext::default();
        for fact in &f.config_facts {
            let ctx = per_evidence.get(fact.source.evidence.as_str()).unwrap_or(&none);
            let env = f.env(&fact.source.evidence);
            let execute = ExecuteContext {
                open_restriction: ctx.open_restriction,
                // Where the scope's files are: only administrators write to System32 or Program Files.
                protected_folder: folder_of_scope(&ctx.folders, &fact.scope)
                    .filter(|d| admin_only_dir(d, env).is_some())
                    .cloned(),
            };
            fact_findings(fact, ctx.iis_express, &execute, out);
        }
    }
}

/// What the facts of one evidence share.
#[derive(Default)]
struct EvidenceContext {
    /// Its components are IIS Express's (images under `%IIS_BIN%`).
    iis_express: bool,
    /// `notListedIsapisAllowed` or `notListedCgisAllowed` is true somewhere in it.
    open_restriction: bool,
    /// Its virtual directories' folders by configuration path.
    folders: Vec<(String, WinPath)>,
}

/// What decides how much `Execute` access at a scope matters.
struct ExecuteContext {
    /// `notListedIsapisAllowed` or `notListedCgisAllowed` is true somewhere in the same evidence.
    open_restriction: bool,
    /// The scope's folder, when it is one only administrators write to.
    protected_folder: Option<WinPath>,
}

const IDS: &[RuleInfo] = &[
    RuleInfo {
        id: "redirection_enabled",
        severity: Severity::High,
        otherwise: "",
        fires_when: "`redirection.config` enables shared configuration: the configuration IIS really uses is elsewhere",
    },
    RuleInfo {
        id: "cgi_restriction_open",
        severity: Severity::Medium,
        otherwise: "low on IIS Express, whose developer defaults they are",
        fires_when: "`notListedIsapisAllowed` or `notListedCgisAllowed` is `true`",
    },
    RuleInfo {
        id: "handler_execute_access",
        severity: Severity::Medium,
        otherwise: "low unless `isapiCgiRestriction` also lets unlisted extensions run, and low where the scope's folder is one only administrators write to (System32, Program Files: Exchange's `owa/auth`, RD Gateway's `Rpc`)",
        fires_when: "`handlers accessPolicy` includes `Execute`: requested `.dll`/`.exe` files may run",
    },
    RuleInfo {
        id: "http_logging_disabled",
        severity: Severity::Low,
        otherwise: "",
        fires_when: "`httpLogging dontLog=\"true\"`",
    },
    RuleInfo {
        id: "config_history_disabled",
        severity: Severity::Low,
        otherwise: "",
        fires_when: "`configHistory enabled=\"false\"`",
    },
    RuleInfo {
        id: "freb_enabled",
        severity: Severity::Info,
        otherwise: "",
        fires_when: "failed-request tracing is on for a site or by default (context for FREB-hooking implants)",
    },
];

fn fact_findings(f: &ConfigFact, iis_express: bool, execute: &ExecuteContext, out: &mut Vec<Finding>) {
    let v = |k: &str| f.values.get(k).map(String::as_str);
    let is_true = |k: &str| v(k).is_some_and(|x| x.eq_ignore_ascii_case("true"));
    let mut push = |rule, severity, message: String| {
        out.push(Finding { rule, severity, component: None, message, source: f.source.clone() });
    };
    match (f.kind, v("section")) {
        (ConfigFactKind::Setting, Some("configurationRedirection")) if is_true("enabled") => push(
            "redirection_enabled",
            Severity::High,
            format!(
                "shared configuration is enabled: IIS reads its real configuration from {} — that file is not in this evidence, so the components listed here may not be the ones IIS loads",
                v("path").unwrap_or("(no path)")
            ),
        ),
        (ConfigFactKind::Setting, Some("system.webServer/security/isapiCgiRestriction")) => {
            for (attr, what) in [("notListedIsapisAllowed", "ISAPI extension"), ("notListedCgisAllowed", "CGI program")]
            {
                if is_true(attr) {
                    push(
                        "cgi_restriction_open",
                        if iis_express { Severity::Low } else { Severity::Medium },
                        format!("{attr}=\"true\" at {}: any {what} may run, listed or not", f.scope),
                    );
                }
            }
        }
        (ConfigFactKind::Setting, Some("system.webServer/handlers"))
            if v("accessPolicy").is_some_and(|p| p.to_lowercase().contains("execute")) =>
        {
            // Execute lets a requested .dll/.exe run through the ISAPI-dll/CGI-exe handlers, but IIS still
            // refuses one that isapiCgiRestriction does not list unless unlisted ones are allowed; and a
            // product's own folder (Exchange's owa/auth, RD Gateway's RpcProxy, a connector under Program Files)
            // takes an administrator to add a file to.
            let policy = v("accessPolicy").unwrap_or("");
            let (severity, why) = match (&execute.protected_folder, execute.open_restriction) {
                (Some(dir), _) => (Severity::Low, format!("the folder ({dir}) is writable by administrators only")),
                (None, true) => (
                    Severity::Medium,
                    "and isapiCgiRestriction lets unlisted extensions run: a .dll or .exe put in this folder runs when requested".to_string(),
                ),
                (None, false) => (
                    Severity::Low,
                    "only those isapiCgiRestriction lists (unlisted ones are refused)".to_string(),
                ),
            };
            push(
                "handler_execute_access",
                severity,
                format!(
                    "handlers accessPolicy=\"{policy}\" at {}: requested .dll and .exe files may execute; {why}",
                    f.scope
                ),
            )
        }
        // A setting, not an act: the audited switch-off (evtx_http_logging_disabled) is what is high.
        (ConfigFactKind::Setting, Some("system.webServer/httpLogging")) if is_true("dontLog") => push(
            "http_logging_disabled",
            Severity::Low,
            format!("HTTP logging is disabled (dontLog=\"true\") at {}", f.scope),
        ),
        (ConfigFactKind::Setting, Some("system.applicationHost/configHistory"))
            if v("enabled").is_some_and(|x| x.eq_ignore_ascii_case("false")) =>
        {
            push(
                "config_history_disabled",
                Severity::Low,
                "IIS configuration history is disabled: no snapshots of earlier configurations were kept".to_string(),
            )
        }
        (ConfigFactKind::FrebLogging, _)
        | (ConfigFactKind::Setting, Some("system.applicationHost/sites/siteDefaults/traceFailedRequestsLogging"))
            if is_true("enabled") =>
        {
            push(
                "freb_enabled",
                Severity::Info,
                format!("failed-request tracing is enabled at {} (FREB is what Frebniis-style implants hook)", f.scope),
            )
        }
        _ => {}
    }
}
