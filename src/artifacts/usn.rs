//! The NTFS change journal (`$Extend\$UsnJrnl:$J`) as collected by triage tools: which files were created,
//! renamed, written or deleted, and when.
//!
//! Parsed here rather than with `usnrs`: that crate reads version 2 records only, panics on a malformed record
//! and never returns on a journal holding no record, and a collected journal is often cut or zero-filled. Layout
//! after Microsoft's USN_RECORD_V2/V3: a length-prefixed record, 8-byte aligned, the file and parent references
//! (64-bit in v2, 128-bit in v3), the USN, a FILETIME, the reason flags and the UTF-16 name. Zero runs (the sparse
//! head of the stream) are skipped; an implausible record is reported and the walk resyncs on the next one.

use crate::evidence::bytes::Bytes;
use crate::evidence::{Evidence, WinPath};
use crate::model::ParseError;
use crate::model::{JournalRecord, Position, TimelineEvent, Timestamp, Warning};
use serde::Serialize;

/// Where collections put the journal: Velociraptor keeps the stream name, KAPE writes `$J`.
const JOURNAL_PATHS: &[&str] = &[r"C:\$Extend\$UsnJrnl:$J", r"C:\$Extend\$J", r"C:\$Extend\$UsnJrnl$J"];
/// A collected journal is the stream's live part: tens to hundreds of MiB.
const JOURNAL_LIMIT: u64 = 1 << 30;
/// Problems reported per journal; the rest are counted.
const MAX_PROBLEMS: usize = 10;

/// One change-journal record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UsnRecord {
    /// Byte offset in the journal file.
    pub offset: u64,
    /// Record version (2 or 3).
    pub version: u16,
    /// Update sequence number.
    pub usn: u64,
    /// When, UTC.
    pub timestamp: Timestamp,
    /// MFT entry and sequence of the file.
    pub entry: u64,
    /// Sequence number of the file's entry.
    pub sequence: u16,
    /// MFT entry of the parent folder.
    pub parent_entry: u64,
    /// File name (no path).
    pub name: String,
    /// Reason flags by name (`FILE_CREATE`, `RENAME_NEW_NAME`, `CLOSE`...).
    pub reasons: Vec<&'static str>,
    /// The raw reason flags.
    #[serde(skip)]
    pub reason_bits: u32,
}

const REASONS: &[(u32, &str)] = &[
    (0x1, "DATA_OVERWRITE"),
    (0x2, "DATA_EXTEND"),
    (0x4, "DATA_TRUNCATION"),
    (0x10, "NAMED_DATA_OVERWRITE"),
    (0x20, "NAMED_DATA_EXTEND"),
    (0x40, "NAMED_DATA_TRUNCATION"),
    (0x100, "FILE_CREATE"),
    (0x200, "FILE_DELETE"),
    (0x400, "EA_CHANGE"),
    (0x800, "SECURITY_CHANGE"),
    (0x1000, "RENAME_OLD_NAME"),
    (0x2000, "RENAME_NEW_NAME"),
    (0x4000, "INDEXABLE_CHANGE"),
    (0x8000, "BASIC_INFO_CHANGE"),
    (0x10000, "HARD_LINK_CHANGE"),
    (0x20000, "COMPRESSION_CHANGE"),
    (0x40000, "ENCRYPTION_CHANGE"),
    (0x80000, "OBJECT_ID_CHANGE"),
    (0x100000, "REPARSE_POINT_CHANGE"),
    (0x200000, "STREAM_CHANGE"),
    (0x400000, "TRANSACTED_CHANGE"),
    (0x800000, "INTEGRITY_CHANGE"),
    (0x80000000, "CLOSE"),
];

/// Parses a journal's bytes: its records, and what could not be read.
pub fn parse(bytes: &[u8]) -> (Vec<UsnRecord>, Vec<String>) {
    let mut records = Vec::new();
    let mut problems = Vec::new();
    let mut bad = 0usize;
    let mut at = 0usize;
    while at + 8 <= bytes.len() {
        let len = u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize;
        if len == 0 {
            // The sparse head and the slack between pages are zeros. A zero length with other bytes after it
            // in the same 8-byte word is no record either: always move on by at least one word.
            at = match bytes[at..].iter().position(|&b| b != 0) {
                Some(p) => ((at + p) & !7).max(at + 8),
                None => bytes.len(),
            };
            continue;
        }
        if len.is_multiple_of(8) && (60..=4096).contains(&len) && at + len > bytes.len() {
            problems.push(format!("the journal ends inside a {len}-byte record at offset {at} (a cut copy?)"));
            break;
        }
        match record(bytes, at, len) {
            Ok(Some(r)) => {
                records.push(r);
                at += len;
            }
            Ok(None) => at += len, // a version 4 (range tracking) record: not about names
            Err(e) => {
                bad += 1;
                if problems.len() < MAX_PROBLEMS {
                    problems.push(format!("{e}; resynchronised on the next record"));
                }
                at += 8;
            }
        }
    }
    if bad > MAX_PROBLEMS {
        problems.push(format!("{} more unreadable spots", bad - MAX_PROBLEMS));
    }
    (records, problems)
}

fn record(b: &[u8], at: usize, len: usize) -> Result<Option<UsnRecord>, ParseError> {
    if !len.is_multiple_of(8) || !(60..=4096).contains(&len) {
        return Err(ParseError::at_offset(at as u64, format!("implausible record length {len}")));
    }
    let r = Bytes::new(b).sub(at, len)?;
    let (major, minor) = (r.u16(4)?, r.u16(6)?);
    // v3 widens both references to 128 bits; everything after them moves by 16 bytes.
    let (file_ref, parent_ref, rest) = match major {
        2 => (r.u64(8)?, r.u64(16)?, 24),
        3 if len >= 76 => (r.u64(8)?, r.u64(24)?, 40),
        4 => return Ok(None),
        _ => return Err(ParseError::at_offset(at as u64, format!("unknown record version {major}.{minor}"))),
    };
    let usn = r.u64(rest)?;
    let time = r.u64(rest + 8)?;
    let reason_bits = r.u32(rest + 16)?;
    let (name_len, name_off) = (usize::from(r.u16(rest + 32)?), usize::from(r.u16(rest + 34)?));
    if name_off < rest + 36 || name_len % 2 != 0 {
        return Err(ParseError::at_offset(
            at as u64,
            format!("name outside the record (offset {name_off}, {name_len} bytes)"),
        ));
    }
    let units: Vec<u16> =
        r.slice(name_off, name_len)?.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
    let timestamp = Timestamp::from_filetime(time).ok_or_else(|| format!("timestamp {time} out of range"))?;
    Ok(Some(UsnRecord {
        offset: at as u64,
        version: major,
        usn,
        timestamp,
        entry: file_ref & 0xffff_ffff_ffff,
        sequence: (file_ref >> 48) as u16,
        parent_entry: parent_ref & 0xffff_ffff_ffff,
        name: String::from_utf16_lossy(&units),
        reasons: REASONS.iter().filter(|(bit, _)| reason_bits & bit != 0).map(|(_, n)| *n).collect(),
        reason_bits,
    }))
}

/// What the journal of one evidence gave.
#[derive(Debug, Default)]
pub struct Journal {
    /// Timeline rows for the changes that matter.
    pub timeline: Vec<TimelineEvent>,
    /// Records parsed, and records kept.
    pub records: usize,
    /// Problems.
    pub warnings: Vec<Warning>,
    /// The journal's path, when one was found.
    pub path: Option<WinPath>,
    /// The records kept, as facts.
    pub records_kept: Vec<JournalRecord>,
}

/// The collector of the change journal.
pub struct JournalCollector;

impl super::Collector for JournalCollector {
    fn name(&self) -> &'static str {
        "change journal"
    }

    fn collect(&self, ev: &Evidence, _ctx: &super::Context, facts: &mut crate::model::Facts) {
        let journal = collect(ev);
        facts.warnings.extend(journal.warnings);
        facts.timeline.extend(journal.timeline);
        facts.journal.extend(journal.records_kept);
        if let Some(p) = &journal.path {
            facts.notes.push(format!(
                "{}: change journal {p}: {} records read; {}",
                ev.id,
                journal.records,
                if ev.knows_entries() {
                    "its folders are named through the volume's $MFT"
                } else {
                    "without the volume's $MFT its folders are known by MFT entry only"
                }
            ));
        }
    }
}

/// Reasons that change what a file is: created, renamed, written, deleted.
const CHANGES: u32 = 0x1 | 0x2 | 0x4 | 0x100 | 0x200 | 0x1000 | 0x2000;

/// Whether a name is one IIS loads or reads: a DLL or a configuration file.
fn relevant(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".dll") || lower.ends_with(".config")
}

/// Folders whose DLLs and configuration IIS loads: `inetsrv`, site content (`inetpub`, `bin`), compiled ASP.NET.
fn relevant_folder(folder: &WinPath) -> bool {
    let lower = folder.as_str().to_ascii_lowercase() + "\\";
    [r"\inetsrv\", r"\inetpub\", r"\bin\", r"\temporary asp.net files\", r"\microsoft.net\framework"]
        .iter()
        .any(|f| lower.contains(f))
}

/// Reads the evidence's change journal, when collected, into timeline rows for the DLL and configuration files
/// created, renamed, written or deleted. With the collection's `$MFT` each folder is named and only IIS folders
/// are kept; without it the folder is known only by its MFT entry, and every DLL and configuration file is kept.
pub fn collect(ev: &Evidence) -> Journal {
    let mut out = Journal::default();
    let Some(path) = JOURNAL_PATHS.iter().map(|p| WinPath::parse(p)).find(|p| ev.file_exists(p)) else {
        return out;
    };
    out.path = Some(path.clone());
    let data = match ev.read(&path, JOURNAL_LIMIT) {
        Ok(d) => d,
        Err(e) => {
            out.warnings.push(Warning::in_file(&ev.id, Some(path), None, e.to_string()));
            return out;
        }
    };
    let (records, problems) = parse(&data.bytes);
    out.records = records.len();
    for p in problems {
        out.warnings.push(Warning::in_file(&ev.id, Some(data.path.clone()), None, format!("change journal: {p}")));
    }
    let named = ev.knows_entries();
    for r in records.iter().filter(|r| r.reason_bits & CHANGES != 0 && relevant(&r.name)) {
        let folder = if named { ev.path_of_entry(r.parent_entry) } else { None };
        let position = Position::at(&ev.id, data.path.clone(), None).offset(r.offset).mft_entry(r.entry);
        let place = match &folder {
            Some(f) if !relevant_folder(f) => continue,
            Some(f) => f.child(&r.name).to_string(),
            None if named => format!("{} (folder entry {} no longer in the $MFT)", r.name, r.parent_entry),
            None => format!("{} (in folder entry {})", r.name, r.parent_entry),
        };
        out.records_kept.push(JournalRecord {
            name: r.name.clone(),
            path: folder.as_ref().map(|f| f.child(&r.name)),
            entry: r.entry,
            time: r.timestamp,
            reasons: r.reasons.clone(),
            position: position.clone(),
        });
        out.timeline.push(TimelineEvent {
            timestamp: r.timestamp,
            timestamp_desc: "Change journal record".into(),
            source: "NTFS $UsnJrnl".into(),
            description: format!(
                "{place} (MFT entry {}-{}, USN {}): {}",
                r.entry,
                r.sequence,
                r.usn,
                r.reasons.join(" | ")
            ),
            evidence: position,
            component: None,
            sha256: Some(data.sha256.clone()),
            event: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v2(name: &str, reason: u32) -> Vec<u8> {
        let units: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let len = (60 + units.len()).div_ceil(8) * 8;
        let mut r = vec![0u8; len];
        r[0..4].copy_from_slice(&(len as u32).to_le_bytes());
        r[4..6].copy_from_slice(&2u16.to_le_bytes());
        r[8..16].copy_from_slice(&((5u64 << 48) | 73_625).to_le_bytes());
        r[16..24].copy_from_slice(&243_846u64.to_le_bytes());
        r[24..32].copy_from_slice(&4096u64.to_le_bytes());
        r[32..40].copy_from_slice(&133_000_000_000_000_000u64.to_le_bytes());
        r[40..44].copy_from_slice(&reason.to_le_bytes());
        r[56..58].copy_from_slice(&(units.len() as u16).to_le_bytes());
        r[58..60].copy_from_slice(&60u16.to_le_bytes());
        r[60..60 + units.len()].copy_from_slice(&units);
        r
    }

    #[test]
    fn zero_runs_are_skipped_and_a_broken_record_resyncs() {
        let mut j = vec![0u8; 4096];
        j.extend(v2("evil.dll", 0x100));
        j.extend([0xff, 0xff, 0, 0, 2, 0, 0, 0]); // a record length of 65535: not a record
        j.extend(v2("evil.dll", 0x8000_0002));
        let (records, problems) = parse(&j);
        assert_eq!(records.len(), 2);
        assert_eq!((records[0].offset, records[0].entry, records[0].sequence), (4096, 73_625, 5));
        assert_eq!(records[0].reasons, ["FILE_CREATE"]);
        assert_eq!(records[1].reasons, ["DATA_EXTEND", "CLOSE"]);
        assert_eq!(records[0].timestamp.to_string(), "2022-06-18T04:26:40.0000000Z");
        assert_eq!(problems.len(), 1);
        assert!(parse(&[0u8; 100]).0.is_empty(), "a journal of zeros holds nothing and ends");
        // Found by fuzzing: a zero length followed by non-zero bytes in the same word looped for ever.
        assert_eq!(parse(&[0, 0, 0, 0, 1, 2, 3, 4]), (Vec::new(), Vec::new()));
        assert_eq!(parse(&[0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0]).0.len(), 0);
    }
}
