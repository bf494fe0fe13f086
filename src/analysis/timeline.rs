//! Timeline rows the fusion stage derives: one per event-log record, and the NTFS times of each component's
//! file (when it arrived, and what its times say).

use crate::model::LogEvent;
use crate::model::{
    Component, ComponentIdentity, ConfigSnapshot, EventFields, FileRecord, Position, TimelineEvent, Timestamp,
    component_files,
};
use std::collections::BTreeMap;

/// Raw event fields longer than this are cut in the timeline (script blocks can be megabytes).
const FIELD_LIMIT: usize = 16 * 1024;

/// One timeline row per event, linked to its component.
pub fn events(events: &[LogEvent], links: &[Option<String>]) -> Vec<TimelineEvent> {
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

/// When each component's file arrived: its `$SI` creation and modification and its `$FILE_NAME` creation.
pub fn ntfs(components: &[Component], files: &[FileRecord]) -> Vec<TimelineEvent> {
    let mut out = Vec::new();
    for (f, facts, comps) in component_files(components, files) {
        let id = comps.first().map(|c| c.id.clone());
        let si = &facts.standard_information;
        let mut rows = vec![
            (si.raw[0], "$STANDARD_INFORMATION created", "NTFS $SI"),
            (si.raw[1], "$STANDARD_INFORMATION modified", "NTFS $SI"),
        ];
        if let Some(name) = facts.primary_name() {
            rows.push((name.times.raw[0], "$FILE_NAME created", "NTFS $FN"));
        }
        for (t, desc, source) in rows {
            out.push(TimelineEvent {
                timestamp: Timestamp::from_filetime(t).unwrap_or_default(),
                timestamp_desc: desc.to_string(),
                source: source.to_string(),
                description: format!("{desc}: {} (MFT entry {}, sequence {})", f.path, facts.mft_entry, facts.sequence),
                evidence: Position::at(&f.evidence, f.path.clone(), None),
                component: id.clone(),
                sha256: Some(f.sha256.clone()),
                event: None,
            });
        }
    }
    out
}

fn cut(v: &str) -> String {
    match v.char_indices().nth(FIELD_LIMIT) {
        Some((i, _)) => format!("{}… [{} more bytes]", &v[..i], v.len() - i),
        None => v.to_string(),
    }
}

/// One row per component added, removed or changed between two configuration snapshots, at the later
/// snapshot's time (the change was made between the two), linked to the component with the same identity.
pub fn history(snapshots: &[ConfigSnapshot], components: &[Component]) -> Vec<TimelineEvent> {
    let by_identity: BTreeMap<_, &Component> =
        components.iter().rev().map(|c| ((c.source.evidence.clone(), ComponentIdentity::of(c).key()), c)).collect();
    let times: BTreeMap<(&str, &str), &ConfigSnapshot> =
        snapshots.iter().map(|s| ((s.evidence.as_str(), s.snapshot.as_str()), s)).collect();
    let mut out = Vec::new();
    for s in snapshots {
        let (Some(time), Some(prev)) = (s.time, s.previous.as_deref()) else { continue };
        let before = times
            .get(&(s.evidence.as_str(), prev))
            .map(|p| match p.time {
                Some(t) => format!("{prev} ({t})"),
                None => prev.to_string(),
            })
            .unwrap_or_else(|| prev.to_string());
        let rows = s
            .added
            .iter()
            .map(|i| (i, "added".to_string()))
            .chain(s.removed.iter().map(|i| (i, "removed".to_string())))
            .chain(s.changed.iter().map(|c| (&c.identity, format!("changed ({})", c.change))));
        for (identity, what) in rows {
            let component = by_identity.get(&(s.evidence.clone(), identity.key())).map(|c| c.id.clone());
            out.push(TimelineEvent {
                timestamp: time,
                timestamp_desc: format!("Configuration snapshot taken ({})", s.time_source),
                source: format!("IIS {}", s.kind),
                description: format!("{} {what}: in {} ({time}), not so in {before}", identity.describe(), s.snapshot),
                evidence: Position::at(&s.evidence, s.path.clone(), None),
                component,
                sha256: s.sha256.clone(),
                event: None,
            });
        }
    }
    out
}
