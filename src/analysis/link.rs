//! Which component each event-log record is about: the one whose name, type or binary the record mentions.

use crate::model::{Component, LogEvent, WinEnv, file_name};
use std::collections::BTreeMap;

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
