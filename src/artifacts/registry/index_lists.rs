//! Makes a hive's subkey lists and key names safe for notatin before it parses them.
//!
//! An `ri` list names other subkey lists, and Windows only ever points it at leaf lists (`li`, `lf`, `lh`).
//! notatin follows `ri` entries recursively without a depth limit, so an `ri` that names itself (or another
//! `ri`) recurses until the stack overflows — an abort no panic guard catches. This pass walks the hive bins
//! once, linearly, and in the in-memory copy drops every `ri` entry that does not name a leaf list, keeping the
//! good ones in order; each change is reported with its hive offset. Written here because notatin exposes no
//! hook before it follows the lists, and the rule is one line of the format.
//!
//! notatin also materialises every entry of a leaf list as a key carrying its whole path: a list that names the
//! same key thousands of times under a key whose name is 64 KiB long (Windows allows 255 characters) took 2 GB
//! and 19 s from a 530 KB hive. The same pass keeps each key once per leaf list and cuts names to Windows' limit.

/// Where the hive bins start: after the 4 KiB base block. List entries are offsets from here.
const BINS: usize = 4096;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at.checked_add(2)?).map(|s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at.checked_add(4)?).map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// Whether the cell at bins-relative `offset` is a leaf subkey list.
fn is_leaf_list(b: &[u8], offset: u32) -> bool {
    let Some(data) = BINS.checked_add(offset as usize).and_then(|c| c.checked_add(4)) else { return false };
    matches!(b.get(data..data + 2), Some(b"li" | b"lf" | b"lh"))
}

/// Rewrites unsafe `ri` lists in `bytes`; returns what was changed, one line per list.
pub fn make_safe(bytes: &mut [u8]) -> Vec<String> {
    let mut changed = Vec::new();
    let mut bin = BINS;
    // Hive bins one after the other; each holds cells one after the other. Sizes come from the file, so every
    // step is checked and must move forward.
    while bytes.get(bin..bin + 4) == Some(b"hbin") {
        let Some(size) = u32_at(bytes, bin + 8).map(|s| s as usize).filter(|s| *s >= 32 && s % 4096 == 0) else {
            break;
        };
        let end = bin.saturating_add(size).min(bytes.len());
        let mut cell = bin + 32;
        while cell + 8 <= end {
            let Some(raw) = u32_at(bytes, cell).map(|v| v as i32) else { break };
            let len = raw.unsigned_abs() as usize;
            if len < 8 || cell + len > end {
                break;
            }
            match bytes.get(cell + 4..cell + 6) {
                Some(b"ri") if raw < 0 => fix_index_root(bytes, cell, len, &mut changed),
                Some(b"lf" | b"lh") if raw < 0 => dedupe_leaf(bytes, cell, len, 8, &mut changed),
                Some(b"li") if raw < 0 => dedupe_leaf(bytes, cell, len, 4, &mut changed),
                Some(b"nk") if raw < 0 => cut_long_name(bytes, cell, &mut changed),
                _ => {}
            }
            cell += len;
        }
        bin += size;
    }
    changed
}

/// Windows' longest key name, in characters.
const MAX_NAME_CHARS: u16 = 255;

/// Keeps each key once in a leaf list (`step`: 8 bytes an entry for `lf`/`lh`, 4 for `li`), in order.
fn dedupe_leaf(bytes: &mut [u8], cell: usize, len: usize, step: usize, changed: &mut Vec<String>) {
    let count = usize::from(u16_at(bytes, cell + 6).unwrap_or(0)).min((len - 8) / step);
    let mut seen = std::collections::HashSet::with_capacity(count);
    let mut kept = 0;
    for i in 0..count {
        let at = cell + 8 + step * i;
        let Some(offset) = u32_at(bytes, at) else { break };
        if seen.insert(offset) {
            if kept != i {
                bytes.copy_within(at..at + step, cell + 8 + step * kept);
            }
            kept += 1;
        }
    }
    if kept < count {
        bytes[cell + 6..cell + 8].copy_from_slice(&(kept as u16).to_le_bytes());
        changed.push(format!(
            "subkey list at hive offset {cell:#x} names {count} keys but only {kept} different ones: each is read once"
        ));
    }
}

/// Cuts a key name longer than Windows allows to that length (the name field of an `nk` cell: its length at
/// 0x48 of the cell data, in bytes; ASCII names — flag 0x20 — one byte a character, others UTF-16).
fn cut_long_name(bytes: &mut [u8], cell: usize, changed: &mut Vec<String>) {
    let data = cell + 4;
    let (Some(flags), Some(name_len)) = (u16_at(bytes, data + 2), u16_at(bytes, data + 0x48)) else { return };
    let max = if flags & 0x20 != 0 { MAX_NAME_CHARS } else { MAX_NAME_CHARS * 2 };
    if name_len > max {
        bytes[data + 0x48..data + 0x4A].copy_from_slice(&max.to_le_bytes());
        changed.push(format!(
            "key name at hive offset {cell:#x} is {name_len} bytes, longer than Windows allows: read as its first {MAX_NAME_CHARS} characters"
        ));
    }
}

fn fix_index_root(bytes: &mut [u8], cell: usize, len: usize, changed: &mut Vec<String>) {
    let count = usize::from(u16_at(bytes, cell + 6).unwrap_or(0));
    // Entries the cell really holds, whatever its count says.
    let room = (len - 8) / 4;
    let declared = count.min(room);
    let entries: Vec<u32> = (0..declared).filter_map(|i| u32_at(bytes, cell + 8 + 4 * i)).collect();
    let good: Vec<u32> = entries.iter().copied().filter(|&e| is_leaf_list(bytes, e)).collect();
    if good.len() == count {
        return;
    }
    for (i, e) in good.iter().enumerate() {
        bytes[cell + 8 + 4 * i..cell + 12 + 4 * i].copy_from_slice(&e.to_le_bytes());
    }
    bytes[cell + 6..cell + 8].copy_from_slice(&(good.len() as u16).to_le_bytes());
    changed.push(format!(
        "index-root subkey list at hive offset {cell:#x} names {} entries of which {} are not leaf lists (itself, another index or no list) and {} do not fit its cell: those were not followed, and keys only they lead to are not read",
        count,
        entries.len() - good.len(),
        count - declared
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hive with one bin: an `lf` list at bins offset 0x20, and an `ri` at 0x40 naming the `lf`, itself and
    /// an offset past the end.
    fn hive() -> Vec<u8> {
        let mut b = vec![0u8; BINS + 4096];
        b[BINS..BINS + 4].copy_from_slice(b"hbin");
        b[BINS + 8..BINS + 12].copy_from_slice(&4096u32.to_le_bytes());
        let lf = BINS + 0x20;
        b[lf..lf + 4].copy_from_slice(&(-32i32).to_le_bytes());
        b[lf + 4..lf + 6].copy_from_slice(b"lf");
        let ri = BINS + 0x40;
        b[ri..ri + 4].copy_from_slice(&(-24i32).to_le_bytes());
        b[ri + 4..ri + 6].copy_from_slice(b"ri");
        b[ri + 6..ri + 8].copy_from_slice(&3u16.to_le_bytes());
        for (i, e) in [0x20u32, 0x40, 0xFFFF_0000].iter().enumerate() {
            b[ri + 8 + 4 * i..ri + 12 + 4 * i].copy_from_slice(&e.to_le_bytes());
        }
        // The rest of the bin: one free cell.
        let free = BINS + 0x58;
        b[free..free + 4].copy_from_slice(&(4096i32 - 0x58).to_le_bytes());
        b
    }

    #[test]
    fn an_index_root_that_names_itself_keeps_only_its_leaf_lists() {
        let mut b = hive();
        let changed = make_safe(&mut b);
        assert_eq!(changed.len(), 1);
        assert!(changed[0].starts_with("index-root subkey list at hive offset 0x1040 names 3 entries of which 2"));
        let ri = BINS + 0x40;
        assert_eq!(u16_at(&b, ri + 6), Some(1));
        assert_eq!(u32_at(&b, ri + 8), Some(0x20));
        // A second pass finds nothing left to change.
        assert!(make_safe(&mut b).is_empty());
    }

    #[test]
    fn a_leaf_list_naming_one_key_again_and_again_keeps_it_once() {
        let mut b = hive();
        // The lf at 0x20 (cell of 32 bytes: 3 entries of 8) names 0x100, 0x100, 0x200.
        let lf = BINS + 0x20;
        b[lf + 6..lf + 8].copy_from_slice(&3u16.to_le_bytes());
        for (i, e) in [0x100u32, 0x100, 0x200].iter().enumerate() {
            b[lf + 8 + 8 * i..lf + 12 + 8 * i].copy_from_slice(&e.to_le_bytes());
        }
        let changed = make_safe(&mut b);
        assert!(
            changed
                .iter()
                .any(|c| c
                    == "subkey list at hive offset 0x1020 names 3 keys but only 2 different ones: each is read once"),
            "{changed:?}"
        );
        assert_eq!((u16_at(&b, lf + 6), u32_at(&b, lf + 8), u32_at(&b, lf + 16)), (Some(2), Some(0x100), Some(0x200)));
    }

    #[test]
    fn a_key_name_longer_than_windows_allows_is_cut() {
        let mut b = hive();
        // An nk cell in the free space: ASCII name flag, name length 65535.
        let nk = BINS + 0x100;
        b[nk..nk + 4].copy_from_slice(&(-0x60i32).to_le_bytes());
        b[nk + 4..nk + 6].copy_from_slice(b"nk");
        b[nk + 6..nk + 8].copy_from_slice(&0x20u16.to_le_bytes());
        b[nk + 4 + 0x48..nk + 4 + 0x4A].copy_from_slice(&u16::MAX.to_le_bytes());
        let free = BINS + 0x160;
        b[free..free + 4].copy_from_slice(&(4096i32 - 0x160).to_le_bytes());
        let gap = BINS + 0x58;
        b[gap..gap + 4].copy_from_slice(&(0x100i32 - 0x58).to_le_bytes());
        let changed = make_safe(&mut b);
        assert!(changed.iter().any(|c| c.starts_with("key name at hive offset 0x1100 is 65535 bytes")), "{changed:?}");
        assert_eq!(u16_at(&b, nk + 4 + 0x48), Some(255));
    }

    #[test]
    fn garbage_sizes_end_the_scan() {
        let mut b = hive();
        b[BINS + 8..BINS + 12].copy_from_slice(&u32::MAX.to_le_bytes());
        make_safe(&mut b);
        let mut short = vec![0u8; 10];
        assert!(make_safe(&mut short).is_empty());
        let mut zero_cell = hive();
        zero_cell[BINS + 0x20..BINS + 0x24].copy_from_slice(&0i32.to_le_bytes());
        assert!(make_safe(&mut zero_cell).is_empty(), "a zero-sized cell stops the bin's scan");
    }
}
