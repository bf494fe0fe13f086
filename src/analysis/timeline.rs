//! Timeline rows the fusion stage derives: one per event-log record, and the NTFS times of each component's
//! file (when it arrived, and what its times say).

use crate::model::LogEvent;
use crate::model::{Component, EventFields, FileRecord, Position, TimelineEvent, Timestamp, component_files};

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
