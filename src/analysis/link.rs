//! Which component each event-log record is about: the one whose name, type or binary the record mentions.

use crate::model::{Component, EventKind, EventRecord, LogEvent, WinEnv, file_name};
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
fn by_process(events: &[LogEvent], links: &mut [Option<String>]) {
    for i in 0..events.len() {
        let e = &events[i];
        if links[i].is_some() || e.kind != EventKind::ProcessCreation {
            continue;
        }
        let Some(pid) = new_process_id(&e.record) else { continue };
        let start = e.record.time.ticks();
        let write = events.iter().zip(links.iter()).find(|(w, l)| {
            l.is_some()
                && w.kind == EventKind::ConfigChange
                && w.source.evidence == e.source.evidence
                && w.record.process_id == Some(pid)
                && (start..=start + PROCESS_WINDOW_TICKS).contains(&w.record.time.ticks())
        });
        if let Some((_, l)) = write {
            links[i] = l.clone();
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
