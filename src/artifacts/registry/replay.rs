//! Transaction log replay: applies the `.LOG1`/`.LOG2` (and legacy `.LOG`) of a dirty hive to a copy of its
//! bytes, the way Windows does at load time, so the analysis sees the newest state — often the attacker's
//! changes. Both formats of "Windows registry file format specification" (Maxim Suhanov) are handled: the
//! old one (dirty vector and 512-byte pages, before Windows 8.1) and the new one (`HvLE` log entries with
//! Marvin32 hashes).
//!
//! Written here rather than taken from notatin: notatin replays only new-format logs.

use super::base_block::{self, BASE_BLOCK_LEN, BaseBlock};
use super::marvin32::{REGISTRY_SEED, marvin32};
use crate::evidence::bytes::Bytes;
pub use crate::model::AppliedEntry;
use serde::Serialize;

/// Largest hive bins size accepted from a log (Windows caps hives well below this).
const MAX_HIVE_BINS: u32 = 2 * 1024 * 1024 * 1024 - 4096;

/// A transaction log given to [`recover`].
pub struct LogFile<'a> {
    /// Its name, for the report (`SYSTEM.LOG1`).
    pub name: String,
    /// Its bytes.
    pub bytes: &'a [u8],
}

/// The outcome of recovery.
#[derive(Clone, Debug, Serialize)]
pub struct Recovery {
    /// The hive bytes to parse (the primary's own when nothing was applied).
    #[serde(skip)]
    pub bytes: Vec<u8>,
    /// Whether the primary file was dirty.
    pub dirty: bool,
    /// `old` or `new` when logs were applied.
    pub log_format: Option<&'static str>,
    /// What was applied, in order.
    pub applied: Vec<AppliedEntry>,
    /// What could not be applied, and why.
    pub problems: Vec<String>,
    /// Whether the base block itself was restored from a log (bad checksum in the primary).
    pub base_block_from_log: bool,
}

/// Recovers a hive from its primary bytes (taken, not copied) and whatever logs exist. Fails only when the primary is not a hive
/// at all; every problem with the logs is reported in [`Recovery::problems`] and recovery goes as far as the
/// valid data allows.
pub fn recover(primary: Vec<u8>, logs: &[LogFile]) -> Result<Recovery, crate::model::ParseError> {
    let bb = BaseBlock::parse(&primary)?;
    let len = primary.len();
    let mut r = Recovery {
        bytes: primary,
        dirty: bb.is_dirty(),
        log_format: None,
        applied: Vec::new(),
        problems: Vec::new(),
        base_block_from_log: false,
    };
    let declared = BASE_BLOCK_LEN as u64 + u64::from(bb.hive_bins_size);
    if bb.checksum_ok && (len as u64) < declared {
        r.problems.push(format!(
            "the file is truncated: {len} bytes, but its base block declares {declared}; keys beyond the end are lost"
        ));
    }
    if !r.dirty {
        return Ok(r);
    }
    let mut parsed = Vec::new();
    for log in logs {
        if log.bytes.is_empty() {
            continue;
        }
        match BaseBlock::parse(log.bytes) {
            Ok(lbb) if lbb.checksum_ok => parsed.push((log, lbb)),
            Ok(_) => r.problems.push(format!("{}: base block checksum is wrong; log not used", log.name)),
            Err(e) => r.problems.push(format!("{}: {e}; log not used", log.name)),
        }
    }
    let new: Vec<_> = parsed.iter().filter(|(_, b)| b.file_type == 6).cloned().collect();
    let old: Vec<_> = parsed.iter().filter(|(_, b)| matches!(b.file_type, 1 | 2)).cloned().collect();
    if !new.is_empty() {
        replay_new(&mut r, &bb, new);
    } else if !old.is_empty() {
        replay_old(&mut r, &bb, old);
    } else {
        r.problems
            .push("the hive is dirty and no usable transaction log was found: recent changes may be missing".into());
    }
    Ok(r)
}

/// New format: apply every valid entry from the primary's sequence number on, LOG with the earlier entries
/// first, stopping at the first entry whose hashes or sizes are wrong.
fn replay_new(r: &mut Recovery, bb: &BaseBlock, mut logs: Vec<(&LogFile, BaseBlock)>) {
    logs.sort_by_key(|(_, b)| b.primary_seq);
    let mut start = bb.secondary_seq;
    if !bb.checksum_ok {
        // Only the log with the latest entries is used, and its base block replaces the primary's.
        let Some((log, lbb)) = logs.pop() else { return };
        r.bytes[..512].copy_from_slice(&log.bytes[..512]);
        r.base_block_from_log = true;
        start = lbb.secondary_seq;
        logs = vec![(log, lbb)];
    }
    r.log_format = Some("new");
    // u64: the next sequence after a file's 0xFFFFFFFF must not overflow.
    let mut expected: Option<u64> = None;
    let mut last: Option<(u32, u32)> = None;
    'logs: for (log, _) in &logs {
        let b = Bytes::new(log.bytes);
        let mut at = 512usize;
        while b.slice(at, 4).is_ok_and(|magic| magic == b"HvLE") {
            let Ok(head) = b.sub(at, 40) else { break };
            let (Ok(size), Ok(seq), Ok(bins), Ok(pages)) = (head.len32(4), head.u32(12), head.u32(16), head.len32(20))
            else {
                break;
            };
            let bad = |why: &str| {
                format!("{}: log entry at offset {at:#x} (sequence {seq}) {why}; recovery stops here", log.name)
            };
            let entry = match b.sub(at, size) {
                Ok(e) if size >= 40 && size.is_multiple_of(512) => e,
                _ => {
                    r.problems.push(bad("has an impossible size"));
                    break 'logs;
                }
            };
            if !bins.is_multiple_of(4096) || bins > MAX_HIVE_BINS {
                r.problems.push(bad("has an impossible hive bins size"));
                break 'logs;
            }
            let hashes = (entry.u64(24), entry.u64(32), entry.slice(0, 32));
            let (Ok(hash1), Ok(hash2), Ok(first32)) = hashes else { break 'logs };
            if marvin32(REGISTRY_SEED, entry.rest(40).as_slice()) != hash1 || marvin32(REGISTRY_SEED, first32) != hash2
            {
                r.problems.push(bad("fails its Marvin32 hash check"));
                break 'logs;
            }
            if seq < start {
                at += size; // already in the primary file
                continue;
            }
            if expected.is_some_and(|e| e != u64::from(seq)) {
                r.problems.push(format!(
                    "{}: log entry at offset {at:#x} has sequence {seq}, expected {}; the rest of this log is not applied",
                    log.name,
                    expected.unwrap_or(0)
                ));
                continue 'logs;
            }
            let Some(refs_end) = pages.checked_mul(8).and_then(|n| n.checked_add(40)).filter(|&e| e <= size) else {
                r.problems.push(bad("lists more pages than it holds"));
                break 'logs;
            };
            let hive_end = BASE_BLOCK_LEN + bins as usize;
            let mut data_at = refs_end;
            let mut written = 0;
            ensure_len(&mut r.bytes, hive_end);
            for p in 0..pages {
                // Each page reference: offset in the hive bins, then length; the data follows the references.
                let (Ok(off), Ok(len)) = (entry.len32(40 + p * 8), entry.len32(44 + p * 8)) else { break 'logs };
                let src = entry.slice(data_at, len);
                let dst = BASE_BLOCK_LEN.checked_add(off).filter(|d| d.checked_add(len).is_some_and(|e| e <= hive_end));
                let (Ok(src), Some(dst)) = (src, dst) else {
                    r.problems.push(bad("has a page outside the entry or the hive"));
                    break 'logs;
                };
                r.bytes[dst..dst + len].copy_from_slice(src);
                data_at += len;
                written += len;
            }
            r.applied.push(AppliedEntry {
                log: log.name.clone(),
                offset: at,
                sequence: Some(seq),
                pages,
                bytes: written,
            });
            expected = Some(u64::from(seq) + 1);
            last = Some((seq, bins));
            at += size;
        }
    }
    match last {
        Some((seq, bins)) => finish(r, seq, bins),
        None => r.problems.push("no log entry newer than the primary file was found: nothing applied".into()),
    }
}

/// Old format: one log whose timestamp matches the primary's; its dirty vector says which 512-byte pages of
/// the hive bins data follow, in order.
fn replay_old(r: &mut Recovery, bb: &BaseBlock, logs: Vec<(&LogFile, BaseBlock)>) {
    // A log applies when its last-written time equals the primary's. With a bad checksum the primary's own
    // field may be damaged, so the first hive bin's copy is accepted too (the specification's fallback).
    let mut stamps = vec![bb.last_written];
    if let (false, Ok(stamp)) = (bb.checksum_ok, Bytes::new(&r.bytes).u64(BASE_BLOCK_LEN + 20)) {
        stamps.push(stamp);
    }
    let Some((log, lbb)) =
        logs.iter().find(|(_, l)| l.primary_seq == l.secondary_seq && stamps.contains(&l.last_written))
    else {
        r.problems.push("no old-format log matches the hive's last-written time: logs not applied".into());
        return;
    };
    r.log_format = Some("old");
    if !bb.checksum_ok {
        r.bytes[..512].copy_from_slice(&log.bytes[..512]);
        r.base_block_from_log = true;
    }
    let b = log.bytes;
    if b.len() < 516 || &b[512..516] != b"DIRT" {
        r.problems.push(format!("{}: no dirty vector ('DIRT') at offset 0x200: log not applied", log.name));
        return;
    }
    let bins = lbb.hive_bins_size.min(MAX_HIVE_BINS);
    let bits = bins as usize / 512;
    let bitmap_end = 516 + bits.div_ceil(8);
    if bitmap_end > b.len() {
        r.problems.push(format!("{}: dirty vector is cut short: log not applied", log.name));
        return;
    }
    let bitmap = &b[516..bitmap_end];
    let first_page = bitmap_end.div_ceil(512) * 512;
    ensure_len(&mut r.bytes, BASE_BLOCK_LEN + bins as usize);
    let mut next = first_page;
    let mut pages = 0;
    for i in 0..bits {
        if bitmap[i / 8] & (1 << (i % 8)) == 0 {
            continue;
        }
        if next + 512 > b.len() {
            r.problems.push(format!("{}: dirty page for offset {:#x} is missing (log cut short)", log.name, i * 512));
            break;
        }
        let dst = BASE_BLOCK_LEN + i * 512;
        r.bytes[dst..dst + 512].copy_from_slice(&b[next..next + 512]);
        next += 512;
        pages += 1;
    }
    r.applied.push(AppliedEntry {
        log: log.name.clone(),
        offset: first_page,
        sequence: None,
        pages,
        bytes: pages * 512,
    });
    finish(r, lbb.secondary_seq, bins);
}

/// Sets the recovered base block's sequence numbers and size, and trims the bytes to the hive bins size.
fn finish(r: &mut Recovery, seq: u32, bins: u32) {
    ensure_len(&mut r.bytes, BASE_BLOCK_LEN + bins as usize);
    r.bytes.truncate(BASE_BLOCK_LEN + bins as usize);
    base_block::rewrite(&mut r.bytes, seq, bins);
}

fn ensure_len(v: &mut Vec<u8>, len: usize) {
    if v.len() < len {
        v.resize(len, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A base block (`regf`, sequences, file type, bins size) with a correct checksum.
    fn base_block(primary: u32, secondary: u32, file_type: u32, bins: u32) -> Vec<u8> {
        let mut b = vec![0u8; BASE_BLOCK_LEN];
        b[..4].copy_from_slice(b"regf");
        b[4..8].copy_from_slice(&primary.to_le_bytes());
        b[8..12].copy_from_slice(&secondary.to_le_bytes());
        b[28..32].copy_from_slice(&file_type.to_le_bytes());
        b[40..44].copy_from_slice(&bins.to_le_bytes());
        let c = base_block::checksum(&b);
        b[508..512].copy_from_slice(&c.to_le_bytes());
        b
    }

    /// A new-format log entry writing one 512-byte page of `fill` at hive bins offset 0.
    fn entry(seq: u32, fill: u8) -> Vec<u8> {
        let mut e = vec![0u8; 1024];
        e[..4].copy_from_slice(b"HvLE");
        e[4..8].copy_from_slice(&1024u32.to_le_bytes());
        e[12..16].copy_from_slice(&seq.to_le_bytes());
        e[16..20].copy_from_slice(&4096u32.to_le_bytes());
        e[20..24].copy_from_slice(&1u32.to_le_bytes());
        e[44..48].copy_from_slice(&512u32.to_le_bytes());
        e[48..560].fill(fill);
        let h1 = marvin32(REGISTRY_SEED, &e[40..]);
        e[24..32].copy_from_slice(&h1.to_le_bytes());
        let h2 = marvin32(REGISTRY_SEED, &e[..32]);
        e[32..40].copy_from_slice(&h2.to_le_bytes());
        e
    }

    #[test]
    fn a_log_entry_with_the_last_sequence_number_does_not_overflow() {
        // Dirty: the primary sequence was incremented, the secondary not; the log holds the last number.
        let mut primary = base_block(0xFFFF_FFFF, 0xFFFF_FFFE, 0, 4096);
        primary.resize(BASE_BLOCK_LEN + 4096, 0);
        let mut log = base_block(0xFFFF_FFFF, 0xFFFF_FFFF, 6, 4096);
        log.truncate(512);
        log.extend(entry(0xFFFF_FFFF, 0xAB));
        log.extend(entry(0xFFFF_FFFF, 0xCD)); // a second entry "after" the last number: not in sequence
        let r = recover(primary, &[LogFile { name: "X.LOG1".into(), bytes: &log }]).unwrap();
        assert_eq!(r.log_format, Some("new"));
        assert_eq!(r.applied.len(), 1);
        assert_eq!(r.applied[0].sequence, Some(0xFFFF_FFFF));
        assert_eq!(r.bytes[BASE_BLOCK_LEN], 0xAB);
        assert!(r.problems.iter().any(|p| p.contains("sequence 4294967295, expected 4294967296")), "{:?}", r.problems);
    }
}
