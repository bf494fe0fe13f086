//! Which component each event-log record is about: the one whose name, type or binary the record mentions.

use crate::model::{Component, ComponentKind, EventKind, EventRecord, IIS_CONFIG_CHANNEL, LogEvent, WinEnv, file_name};
use std::collections::BTreeMap;

/// Links each event to a component whose name or binary the event mentions: from the event's own evidence, else
/// any evidence (a log given on its own next to a collection); configuration before registry, then by id.
pub fn link(events: &[LogEvent], components: &[Component], envs: &BTreeMap<String, WinEnv>) -> Vec<Option<String>> {
    let mut links = by_mention(events, components, envs);
    by_process(events, &mut links);
    links
}

/// How long after a process started its configuration writes are still taken as its own.
const PROCESS_WINDOW_TICKS: i64 = 3600 * 10_000_000;

/// A process start that names no component is about the component its own configuration writes name: the
/// IIS configuration audit record (event 29) carries the writing process's id, the process start its new id.
/// An audited write: its time (100 ns ticks) and the component it is linked to.
type Write = (i64, Option<String>);

fn by_process(events: &[LogEvent], links: &mut [Option<String>]) {
    // The linked audit records by (evidence, writing process id), in time order: one pass, then a lookup per start.
    let mut writes: BTreeMap<(&str, u32), Vec<Write>> = BTreeMap::new();
    for (w, l) in events.iter().zip(links.iter()) {
        if let (Some(_), EventKind::ConfigChange, Some(pid)) = (l, w.kind, w.record.process_id) {
            writes.entry((w.source.evidence.as_str(), pid)).or_default().push((w.record.time.ticks(), l.clone()));
        }
    }
    for list in writes.values_mut() {
        list.sort_by_key(|(t, _)| *t);
    }
    for (e, link) in events.iter().zip(links.iter_mut()) {
        if link.is_some() || e.kind != EventKind::ProcessCreation {
            continue;
        }
        let Some(pid) = new_process_id(&e.record) else { continue };
        let Some(list) = writes.get(&(e.source.evidence.as_str(), pid)) else { continue };
        let start = e.record.time.ticks();
        // The first write of that process at or after its start, within the window.
        let i = list.partition_point(|(t, _)| *t < start);
        if let Some((t, l)) = list.get(i)
            && *t <= start + PROCESS_WINDOW_TICKS
        {
            *link = l.clone();
        }
    }
}

/// The id of the process a start record reports: Security 4688 `NewProcessId` (hex, `0x1844`) or Sysmon 1
/// `ProcessId` (decimal).
fn new_process_id(r: &EventRecord) -> Option<u32> {
    let text = match r.field("NewProcessId") {
        "" => r.field("ProcessId"),
        v => v,
    }
    .trim();
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

fn by_mention(events: &[LogEvent], components: &[Component], envs: &BTreeMap<String, WinEnv>) -> Vec<Option<String>> {
    let default = WinEnv::default();
    events
        .iter()
        .map(|e| {
            let env = envs.get(&e.source.evidence).unwrap_or(&default);
            // An audit record names its component by identity: the kind its section declares and the
            // configuration path it wrote; then the configuration's component before a registry record of the
            // same binary.
            let (kinds, scope) = audited_identity(&e.record);
            let rank = |c: &&Component| {
                (
                    !kinds.is_empty() && !kinds.contains(&c.kind),
                    scope.as_deref().is_some_and(|s| !c.scope.eq_ignore_ascii_case(s)),
                    c.scope.starts_with("HKLM"),
                    c.id.clone(),
                )
            };
            let matches = |c: &&Component| mentions(e, c, env);
            let own =
                components.iter().filter(|c| c.source.evidence == e.source.evidence).filter(matches).min_by_key(rank);
            own.or_else(|| components.iter().filter(matches).min_by_key(rank)).map(|c| c.id.clone())
        })
        .collect()
}

/// The kinds an IIS configuration audit record's section declares, and the configuration path it wrote
/// (`ConfigPath`, with `EffectiveLocationPath` when the write went into a `<location>`).
fn audited_identity(r: &EventRecord) -> (&'static [ComponentKind], Option<String>) {
    if r.event_id != 29 || !r.channel.eq_ignore_ascii_case(IIS_CONFIG_CHANNEL) {
        return (&[], None);
    }
    let lower = r.field("Configuration").to_ascii_lowercase();
    let kinds: &'static [ComponentKind] = if lower.contains("/globalmodules/") {
        &[ComponentKind::GlobalModule]
    } else if lower.contains("/modules/") || lower.contains("/httpmodules/") {
        &[ComponentKind::Module, ComponentKind::ManagedModule]
    } else if lower.contains("/isapifilters/") {
        &[ComponentKind::IsapiFilter]
    } else if lower.contains("/handlers/") {
        &[ComponentKind::IsapiExtension, ComponentKind::Cgi, ComponentKind::Fastcgi]
    } else if lower.contains("/isapicgirestriction/") {
        &[ComponentKind::CgiRestriction]
    } else if lower.contains("/fastcgi/") {
        &[ComponentKind::Fastcgi]
    } else {
        &[]
    };
    let config = r.field("ConfigPath").trim_end_matches('/');
    let location = r.field("EffectiveLocationPath").trim_matches('/');
    let scope = match (config.is_empty(), location.is_empty()) {
        (true, _) => None,
        (false, true) => Some(config.to_string()),
        (false, false) => Some(format!("{config}/{location}")),
    };
    (kinds, scope)
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
