//! Windows event logs: every record about IIS components, with the log's coverage.
//!
//! Logs are found in `Windows\System32\winevt\Logs`, anywhere in a triage collection (by the `.evtx` name), or
//! given directly. A log's channel is read from its records, never from its file name: collections rename files
//! (`%4` for `/`), and analysts copy them around. Small logs are read in parallel; large ones one at a time with
//! their chunks in parallel.

pub mod extract;
pub mod reader;
pub mod record;
pub mod walk;

use crate::evidence::{Completeness, Evidence, EvidenceKind, WinPath};
use crate::model::{ArtifactStatus, ParseError, Position, Warning};
pub use crate::model::{ChannelCoverage, LogEvent, LogReport};
use crate::model::{ChannelStatus, ReadState};
use rayon::prelude::*;

/// How deep and how wide the walk of a triage collection goes looking for `.evtx` files.
const WALK_DEPTH: usize = 24;
const WALK_ENTRIES: usize = 500_000;
/// Cap on one event log; Windows' own maximum log size is far larger, but a server's logs are rarely over 1 GiB.
const EVTX_LIMIT: u64 = 4 << 30;
/// EVTX file header and chunk sizes.
const EVTX_HEADER: u64 = 4096;
const EVTX_CHUNK: u64 = 65536;
/// Problems kept per log; the rest are counted.
const MAX_PROBLEMS: usize = 20;

/// Everything the event logs of one piece of evidence gave.
#[derive(Debug, Default)]
pub struct EventLogs {
    /// Each log read.
    pub logs: Vec<LogReport>,
    /// Extracted events, in file then record order.
    pub events: Vec<LogEvent>,
    /// What could not be read.
    pub warnings: Vec<Warning>,
    /// Where logs were looked for.
    pub artifacts: Vec<ArtifactStatus>,
}

/// The collector of the event logs.
pub struct EventLogCollector;

impl super::Collector for EventLogCollector {
    fn name(&self) -> &'static str {
        "event logs"
    }

    fn collect(&self, ev: &Evidence, _ctx: &super::Context, facts: &mut crate::model::Facts) {
        let logs = collect(ev);
        facts.warnings.extend(logs.warnings);
        facts.artifacts.extend(logs.artifacts);
        facts.events.extend(logs.events);
        if !matches!(ev.kind, EvidenceKind::ConfigFile | EvidenceKind::HiveFile) {
            let channels = channel_coverage(&ev.id, &logs.logs);
            facts.notes.extend(log_notes(&ev.id, &logs.logs, &channels));
            facts.channels.extend(channels);
        }
        facts.logs.extend(logs.logs);
    }
}

/// What the reader must know about one evidence's logs: absent channels and what no log can show.
fn log_notes(id: &str, logs: &[LogReport], channels: &[ChannelCoverage]) -> Vec<String> {
    let mut notes = Vec::new();
    if logs.is_empty() {
        notes
            .push(format!("{id}: no event log in the evidence: who installed what, and how, cannot be told from logs"));
        return notes;
    }
    let absent: Vec<&str> = channels.iter().filter(|c| c.status != ChannelStatus::Present).map(|c| c.channel).collect();
    if !absent.is_empty() {
        notes.push(format!("{id}: event log channels absent or empty: {}", absent.join(", ")));
    }
    if channels.iter().any(|c| c.channel == extract::IIS_CONFIG && c.status != ChannelStatus::Present) {
        notes.push(format!(
            "{id}: no IIS configuration audit log ({}): it is off by default, so configuration changes made through \
             appcmd, PowerShell or IIS Manager left no audit record",
            extract::IIS_CONFIG
        ));
    }
    notes.push(format!(
        "{id}: IIS never logs hand edits of applicationHost.config or web.config files; only the configuration \
         history, file times and process or file-creation events can show them"
    ));
    notes
}

/// The coverage of every channel that matters, for one evidence's logs.
pub fn channel_coverage(evidence: &str, logs: &[LogReport]) -> Vec<ChannelCoverage> {
    extract::CHANNELS
        .iter()
        .map(|&channel| {
            let holds = |l: &&LogReport| {
                l.evidence == evidence
                    && (l.channel.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(channel))
                        || l.other_channels.iter().any(|c| c.eq_ignore_ascii_case(channel)))
            };
            let mine: Vec<&LogReport> = logs.iter().filter(holds).collect();
            let records = mine.iter().map(|l| l.records).sum();
            ChannelCoverage {
                evidence: evidence.to_string(),
                channel,
                status: match (mine.is_empty(), records) {
                    (true, _) => ChannelStatus::Absent,
                    (false, 0) => ChannelStatus::Empty,
                    _ => ChannelStatus::Present,
                },
                logs: mine.iter().map(|l| l.path.clone()).collect(),
                records,
                first: mine.iter().filter_map(|l| l.first).min(),
                last: mine.iter().filter_map(|l| l.last).max(),
            }
        })
        .collect()
}

/// Finds and reads every event log in the evidence.
pub fn collect(ev: &Evidence) -> EventLogs {
    let mut out = EventLogs::default();
    let files = find(ev, &mut out);
    // Logs in parallel; each is read once by one thread while another hashes the same blocks.
    let mut results: Vec<(LogReport, Vec<LogEvent>, Vec<ParseError>)> =
        files.par_iter().map(|p| read_log(ev, p)).collect();
    results.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    for (report, events, located) in results {
        let file = Some(report.path.clone());
        let warn = |m: String| Warning::in_file(&ev.id, file.clone(), None, m);
        match report.status {
            ReadState::Parsed | ReadState::Empty => {}
            ReadState::ParsedWithErrors => {
                // One warning per damaged chunk or record, placed where the parser met it.
                for p in &located {
                    let mut position = (*p.position).clone();
                    position.evidence = ev.id.clone();
                    position.file = file.clone();
                    out.warnings.push(Warning::new(
                        position,
                        format!("event log partly unreadable, every readable record was used: {}", p.message),
                    ));
                }
                if let Some(more) = report.problems.get(located.len()) {
                    out.warnings.push(warn(format!("event log partly unreadable: {more}")));
                }
            }
            _ => out.warnings.push(warn(format!("event log not read: {}", report.problems.join("; ")))),
        }
        out.events.extend(events);
        out.logs.push(report);
    }
    out
}

/// The logs to read, sorted by path.
fn find(ev: &Evidence, out: &mut EventLogs) -> Vec<WinPath> {
    let src = ev.source();
    let mut found = std::collections::BTreeMap::new();
    if ev.kind == EvidenceKind::EventLog {
        for e in src.roots().unwrap_or_default() {
            found.insert(e.path.key(), e.path);
        }
        return found.into_values().collect();
    }
    if matches!(ev.kind, EvidenceKind::ConfigFile | EvidenceKind::HiveFile) {
        return Vec::new();
    }
    let logs = WinPath::parse(r"C:\Windows\System32\winevt\Logs");
    match src.read_dir(&logs) {
        Ok(entries) if !entries.is_empty() => {
            for e in entries.into_iter().filter(|e| !e.is_dir) {
                found.insert(e.path.key(), e.path);
            }
        }
        Ok(_) => out.artifacts.push(ArtifactStatus {
            evidence: ev.id.clone(),
            artifact: "event logs".into(),
            path: logs.clone(),
            status: src.completeness().absent_status().into(),
        }),
        Err(e) => {
            // Damage is not absence: the folder is there but its listing could not be read.
            out.warnings.push(Warning::in_file(&ev.id, Some(logs.clone()), None, e.to_string()));
            out.artifacts.push(ArtifactStatus {
                evidence: ev.id.clone(),
                artifact: "event logs".into(),
                path: logs.clone(),
                status: ReadState::Unreadable,
            });
        }
    }
    if src.completeness() == Completeness::Triage {
        // Collections put logs anywhere (Velociraptor's EVTX artifacts, CyLR's flat folders): go by the name.
        for root in src.roots().unwrap_or_default() {
            let visit = &mut |e: &crate::evidence::DirEntry| {
                if e.name.to_ascii_lowercase().ends_with(".evtx") {
                    found.entry(e.path.key()).or_insert_with(|| e.path.clone());
                }
            };
            if root.is_dir {
                let complete = ev.walk_files(&root.path, WALK_DEPTH, WALK_ENTRIES, visit).unwrap_or(true);
                if !complete {
                    out.warnings.push(Warning::in_file(
                        &ev.id,
                        Some(root.path.clone()),
                        None,
                        format!("over {WALK_ENTRIES} entries: the search for event logs stopped early"),
                    ));
                }
            } else {
                visit(&root);
            }
        }
    }
    found.into_values().collect()
}

/// Reads one log: its report and its extracted events. Never fails; problems go into the report.
fn read_log(ev: &Evidence, path: &WinPath) -> (LogReport, Vec<LogEvent>, Vec<ParseError>) {
    let mut report = LogReport {
        evidence: ev.id.clone(),
        path: path.clone(),
        sha256: None,
        size: 0,
        channel: None,
        other_channels: Vec::new(),
        records: 0,
        rendered: 0,
        events: 0,
        first: None,
        last: None,
        status: ReadState::Unreadable,
        problems: Vec::new(),
    };
    // The parser must never take the scan down: a panic on hostile bytes becomes a problem of this log.
    let parse = |blocks: &mut dyn Iterator<Item = std::sync::Arc<Vec<u8>>>| {
        crate::model::contain(|| reader::read(blocks, extract::want))
    };
    let (read, file, failed) =
        match ev.stream_blocks(path, EVTX_LIMIT, (EVTX_HEADER as usize, EVTX_CHUNK as usize), parse) {
            Ok(r) => r,
            Err(e) => {
                report.problems.push(e.to_string());
                return (report, Vec::new(), Vec::new());
            }
        };
    report.sha256 = Some(file.sha256.clone());
    report.size = file.size;
    let read = match read {
        Ok(Ok(read)) => read,
        Ok(Err(e)) => {
            report.status =
                if file.size == 0 || e.message.contains("header") { ReadState::NotEvtx } else { ReadState::Unreadable };
            report.problems.push(e.to_string());
            return (report, Vec::new(), Vec::new());
        }
        Err(_) => {
            report.problems.push("the EVTX parser failed on this file (internal error); no record used".into());
            return (report, Vec::new(), Vec::new());
        }
    };
    report.records = read.records;
    report.rendered = read.rendered;
    report.first = read.span.map(|(a, _)| a);
    report.last = read.span.map(|(_, b)| b);
    report.channel = read.first_channel.clone();
    report.other_channels =
        read.channels.iter().filter(|c| !c.is_empty() && Some(*c) != read.first_channel.as_ref()).cloned().collect();
    let mut problems = read.problems;
    if let Some(failed) = failed {
        problems.push(ParseError::at_offset(file.size, format!("the file could not be read to its end: {failed}")));
    }
    // The parser reads whole 64 KiB chunks only: a copy cut short loses its last, torn chunk without a word.
    let torn = file.size.saturating_sub(EVTX_HEADER) % EVTX_CHUNK;
    if torn != 0 && file.size > EVTX_HEADER {
        let chunk = (file.size - EVTX_HEADER) / EVTX_CHUNK;
        let mut p = ParseError::at_offset(
            EVTX_HEADER + chunk * EVTX_CHUNK,
            format!(
                "the file ends {torn} bytes into chunk {chunk} (truncated copy?): that chunk's records were not read"
            ),
        );
        p.position.chunk = Some(chunk);
        problems.push(p);
    }
    let dropped = problems.len().saturating_sub(MAX_PROBLEMS);
    problems.truncate(MAX_PROBLEMS);
    report.problems = problems.iter().map(|p| p.message.clone()).collect();
    if dropped > 0 {
        report.problems.push(format!("{dropped} more problems"));
    }
    let located = problems.clone();
    let read = reader::LogRead { problems, ..read };
    report.status = match (report.problems.is_empty(), report.records) {
        (true, 0) => ReadState::Empty,
        (true, _) => ReadState::Parsed,
        (false, _) => ReadState::ParsedWithErrors,
    };
    let events: Vec<LogEvent> = read
        .wanted
        .into_iter()
        .filter_map(|r| {
            let x = extract::extract(&r)?;
            Some(LogEvent {
                source: Position { record: Some(r.record_id), ..Position::at(&ev.id, file.path.clone(), None) },
                sha256: file.sha256.clone(),
                record: r,
                kind: x.kind,
                signal: x.signal,
                description: x.description,
                names: x.names,
                paths: x.paths,
            })
        })
        .collect();
    report.events = events.len() as u64;
    (report, events, located)
}
