//! Event-log events against the components: which component each event is about, the timeline rows, and the
//! findings the logs alone justify.

use crate::model::WinEnv;
use crate::model::{Baseline, Component, EventFields, Finding, Severity, TimelineEvent};
use crate::model::{LogEvent, Signal, file_name};
use std::collections::BTreeMap;

/// Raw event fields longer than this are cut in the timeline (script blocks can be megabytes).
const FIELD_LIMIT: usize = 16 * 1024;

/// Links each event to a component whose name or binary the event mentions: from the event's own evidence, else
/// any evidence (a log given on its own next to a collection); configuration before registry, then by id.
pub fn link(events: &[LogEvent], components: &[Component], envs: &BTreeMap<String, WinEnv>) -> Vec<Option<String>> {
    let default = WinEnv::default();
    events
        .iter()
        .map(|e| {
            let env = envs.get(&e.source.evidence).unwrap_or(&default);
            // The configuration's component before a registry record of the same binary.
            let rank = |c: &&Component| (c.scope.starts_with("HKLM"), c.id.clone());
            let matches = |c: &&Component| mentions(e, c, env);
            let own =
                components.iter().filter(|c| c.source.evidence == e.source.evidence).filter(matches).min_by_key(rank);
            own.or_else(|| components.iter().filter(matches).min_by_key(rank)).map(|c| c.id.clone())
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
                timestamp: r.time,
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
                    kind: e.kind,
                    signal: e.signal,
                    fields: r.data.iter().map(|(k, v)| (k.clone(), cut(v))).collect(),
                }),
            }
        })
        .collect()
}

/// The findings the logs justify on their own, one per rule and what it is about: a component, the program
/// `w3wp.exe` started, the address it connected to. Each lists the records behind it.
pub fn findings(events: &[LogEvent], links: &[Option<String>], components: &[Component]) -> Vec<Finding> {
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
            Signal::W3wpChild | Signal::UnusualLoad => continue,
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

/// Where an event was read, for a finding's message.
fn provenance(e: &LogEvent) -> String {
    let r = &e.record;
    format!(
        "{} {} {} record {} at {}{}",
        e.source.path(),
        r.channel,
        r.event_id,
        r.record_id,
        r.time,
        r.actor().map(|s| format!(", user {s}")).unwrap_or_default()
    )
}

fn cut(v: &str) -> String {
    match v.char_indices().nth(FIELD_LIMIT) {
        Some((i, _)) => format!("{}… [{} more bytes]", &v[..i], v.len() - i),
        None => v.to_string(),
    }
}
