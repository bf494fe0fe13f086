//! Event-log events against the components: which component each event is about, the timeline rows, and the
//! findings the logs alone justify.

use crate::artifacts::evtx::LogEvent;
use crate::artifacts::evtx::extract::{Signal, file_name};
use crate::artifacts::winenv::WinEnv;
use crate::model::{Component, EventFields, Finding, Severity, TimelineEvent, rfc3339};
use std::collections::BTreeMap;

/// Raw event fields longer than this are cut in the timeline (script blocks can be megabytes).
const FIELD_LIMIT: usize = 16 * 1024;

/// Links each event to a component: the first (by id) whose name or binary the event mentions, preferring the
/// event's own evidence, then any evidence (a log given on its own next to a collection).
pub fn link(events: &[LogEvent], components: &[Component], envs: &BTreeMap<String, WinEnv>) -> Vec<Option<String>> {
    let default = WinEnv::default();
    events
        .iter()
        .map(|e| {
            let env = envs.get(&e.source.evidence).unwrap_or(&default);
            let matches = |c: &&Component| mentions(e, c, env);
            let own = components.iter().filter(|c| c.source.evidence == e.source.evidence).find(matches);
            own.or_else(|| components.iter().find(matches)).map(|c| c.id.clone())
        })
        .collect()
}

fn mentions(e: &LogEvent, c: &Component, env: &WinEnv) -> bool {
    if e.names.iter().any(|n| n.eq_ignore_ascii_case(&c.name)) {
        return true;
    }
    let class = c.managed_type.as_ref().map(|t| t.class.as_str());
    if class.is_some_and(|class| e.names.iter().any(|n| n.split(',').next().is_some_and(|n| n.trim() == class))) {
        return true;
    }
    let Some(path) = &c.path else { return false };
    e.paths.iter().any(|p| {
        let bare = !p.contains(['\\', '/']);
        if bare {
            return path.file_name().is_some_and(|f| f.eq_ignore_ascii_case(file_name(p)));
        }
        env.resolve_binary(p).is_some_and(|resolved| resolved.key() == path.key())
    })
}

/// One timeline row per event.
pub fn timeline(events: &[LogEvent], links: &[Option<String>]) -> Vec<TimelineEvent> {
    events
        .iter()
        .zip(links)
        .map(|(e, link)| {
            let r = &e.record;
            TimelineEvent {
                timestamp: time(r.time_us),
                timestamp_desc: "Event logged".into(),
                source: format!("EVTX {} {}", r.channel, r.event_id),
                description: e.description.clone(),
                evidence: e.source.clone(),
                component: link.clone(),
                sha256: Some(e.sha256.clone()),
                event: Some(EventFields {
                    channel: r.channel.clone(),
                    provider: r.provider.clone(),
                    event_id: r.event_id,
                    record_id: r.record_id,
                    computer: r.computer.clone(),
                    user_sid: r.user_sid.clone(),
                    process_id: r.process_id,
                    kind: e.kind.as_str(),
                    signal: e.signal.map(signal_name),
                    fields: r.data.iter().map(|(k, v)| (k.clone(), cut(v))).collect(),
                }),
            }
        })
        .collect()
}

/// The findings the logs justify on their own. Shell starts by `w3wp.exe` are grouped per evidence and image.
pub fn findings(events: &[LogEvent], links: &[Option<String>], components: &[Component]) -> Vec<Finding> {
    let builtin = |link: &Option<String>| {
        link.as_ref().and_then(|id| components.iter().find(|c| &c.id == id)).is_some_and(|c| c.baseline == "builtin")
    };
    let mut out = Vec::new();
    // Repeated behaviour of the worker process is one finding per evidence and what it did, not one per record.
    let mut groups: BTreeMap<(&'static str, String, String), Vec<&LogEvent>> = BTreeMap::new();
    for (e, link) in events.iter().zip(links) {
        let Some(signal) = e.signal else { continue };
        let install_severity = if builtin(link) { Severity::Low } else { Severity::High };
        let (rule, severity, what) = match signal {
            Signal::ExtensionAdded => (
                "evtx_extension_added",
                install_severity,
                "an IIS extension point was added through the configuration API",
            ),
            Signal::LoggingDisabled => ("evtx_http_logging_disabled", Severity::High, "HTTP logging was switched off"),
            Signal::AppcmdInstall => {
                ("evtx_appcmd_install", install_severity, "appcmd installed or added a module, filter or handler")
            }
            Signal::PowerShellInstall => (
                "evtx_powershell_install",
                install_severity,
                "PowerShell changed IIS modules or the GAC (WebAdministration cmdlets or Publish.GacInstall)",
            ),
            Signal::GacInstall => {
                ("evtx_gacutil_install", Severity::Medium, "gacutil installed an assembly into the GAC")
            }
            Signal::UserWritableLoad => (
                "evtx_w3wp_user_writable_load",
                Severity::High,
                "the IIS worker process loaded a DLL from a user-writable folder",
            ),
            Signal::LoadFailure => (
                "evtx_module_load_failure",
                Severity::Medium,
                "the IIS worker process failed to load a module or filter",
            ),
            Signal::W3wpShell => {
                let image = e.record.data.get("NewProcessName").or_else(|| e.record.data.get("Image"));
                let key = image.map(|i| file_name(i).to_ascii_lowercase()).unwrap_or_default();
                groups.entry(("evtx_w3wp_shell", e.source.evidence.clone(), key)).or_default().push(e);
                continue;
            }
            Signal::W3wpConnection => {
                let to = format!("{}:{}", e.record.field("DestinationIp"), e.record.field("DestinationPort"));
                groups.entry(("evtx_w3wp_connection", e.source.evidence.clone(), to)).or_default().push(e);
                continue;
            }
            Signal::W3wpRemoteThread => (
                "evtx_w3wp_remote_thread",
                Severity::High,
                "the IIS worker process started a thread in another process (injection)",
            ),
            Signal::W3wpChild | Signal::UnusualLoad => continue,
        };
        out.push(Finding {
            rule,
            severity,
            component: link.clone(),
            message: format!("{what}: {} ({})", e.description, provenance(e)),
            source: Some(e.source.clone()),
        });
    }
    for ((rule, _, key), group) in groups {
        let first = group[0];
        let n = group.len();
        let records: Vec<String> = group.iter().take(10).map(|e| e.record.record_id.to_string()).collect();
        let (severity, what) = if rule == "evtx_w3wp_shell" {
            (Severity::High, format!("the IIS worker process started {key}: a web shell or module running commands"))
        } else {
            // A worker process has no business opening connections to the host itself: that is a tunnel.
            let loopback = key.starts_with("127.") || key.starts_with("::1") || key.starts_with("[::1]");
            let severity = if loopback { Severity::High } else { Severity::Medium };
            (
                severity,
                format!(
                    "the IIS worker process opened connections to {key}{}",
                    if loopback { " (loopback: a tunnel through the web server)" } else { "" }
                ),
            )
        };
        out.push(Finding {
            rule,
            severity,
            component: None,
            message: format!(
                "{what}, {n} time{} from {} to {} (records {}{}); first: {}",
                if n == 1 { "" } else { "s" },
                time(first.record.time_us),
                time(group.iter().map(|e| e.record.time_us).max().unwrap_or(first.record.time_us)),
                records.join(", "),
                if n > 10 { ", ..." } else { "" },
                first.description
            ),
            source: Some(first.source.clone()),
        });
    }
    out
}

/// Where an event was read, for a finding's message.
fn provenance(e: &LogEvent) -> String {
    let r = &e.record;
    format!(
        "{} {} {} record {} at {}{}",
        e.source.file,
        r.channel,
        r.event_id,
        r.record_id,
        time(r.time_us),
        r.actor().map(|s| format!(", user {s}")).unwrap_or_default()
    )
}

/// The name a signal has in reports.
pub fn signal_name(s: Signal) -> &'static str {
    match s {
        Signal::ExtensionAdded => "extension_added",
        Signal::LoggingDisabled => "logging_disabled",
        Signal::AppcmdInstall => "appcmd_install",
        Signal::PowerShellInstall => "powershell_install",
        Signal::GacInstall => "gac_install",
        Signal::W3wpShell => "w3wp_shell",
        Signal::W3wpChild => "w3wp_child",
        Signal::UserWritableLoad => "user_writable_load",
        Signal::UnusualLoad => "unusual_load",
        Signal::LoadFailure => "load_failure",
        Signal::W3wpConnection => "w3wp_connection",
        Signal::W3wpRemoteThread => "w3wp_remote_thread",
    }
}

fn time(us: i64) -> String {
    chrono::DateTime::from_timestamp_micros(us).map(|t| rfc3339(&t)).unwrap_or_default()
}

fn cut(v: &str) -> String {
    match v.char_indices().nth(FIELD_LIMIT) {
        Some((i, _)) => format!("{}… [{} more bytes]", &v[..i], v.len() - i),
        None => v.to_string(),
    }
}
