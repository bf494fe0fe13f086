//! Bounded reading of an NTFS directory index (`$I30`): listing and name lookup.
//!
//! The ntfs crate's own `NtfsIndex::entries` and `NtfsIndexFinder::find` follow subnode references without
//! remembering where they have been: an index record whose entry names that record (or an ancestor) as its subnode
//! makes the finder loop for ever and the iterator grow its stack by hundreds of MB a second, inside one call we
//! cannot interrupt. This walk reads the same structures through the crate's public node API, keeps a set of the
//! index records it has entered, and caps depth and entries, so a damaged index is an error that names the VCN.

use ntfs::indexes::NtfsFileNameIndex;
use ntfs::structured_values::{NtfsIndexAllocation, NtfsIndexRoot};
use ntfs::{
    Ntfs, NtfsAttributeType, NtfsFile, NtfsIndexEntry, NtfsIndexEntryFlags, NtfsIndexNodeEntries, NtfsIndexRecord,
    UpcaseOrd,
};
use std::cmp::Ordering;
use std::collections::HashSet;
use std::io::{Read, Seek};

/// Most entries one directory listing takes from its index (a real directory of an IIS host holds far fewer).
pub const MAX_DIR_ENTRIES: usize = 1_000_000;

/// Most entries one index node may hold: a 4 KB index record holds at most 256 (16 bytes is the smallest entry),
/// so more means an entry of length zero handing out the same entry again.
const MAX_NODE_ENTRIES: usize = 4096;

/// Deepest B-tree the walk descends: real directory indexes are a handful of levels deep even with a million
/// files, and the cap keeps the recursion's stack small whatever the allocation claims.
const MAX_DEPTH: usize = 64;

/// An entry of a directory index.
pub type Entry<'s> = NtfsIndexEntry<'s, NtfsFileNameIndex>;

/// The next entry of a node, checked before anything of it is read: the crate trusts an entry's length and panics
/// on one shorter than its own header, so that panic is turned into a message naming the node, and an entry whose
/// key or subnode reference does not fit in its length is refused.
fn next_entry<'s>(
    entries: &mut NtfsIndexNodeEntries<'s, NtfsFileNameIndex>,
    node: &Node,
    taken: &mut usize,
) -> Result<Option<Entry<'s>>, String> {
    let next = crate::model::contain(|| entries.next())
        .map_err(|_| format!("{node}: an entry shorter than an entry header: damaged"))?;
    let Some(entry) = next else { return Ok(None) };
    // `taken` counts the node's entries: more than a node can hold is one entry handed out again and again.
    *taken += 1;
    if *taken > MAX_NODE_ENTRIES {
        return Err(format!("{node} hands out more than {MAX_NODE_ENTRIES} entries: damaged"));
    }
    let entry = entry.map_err(|e| format!("{node}: {e}"))?;
    let length = entry.index_entry_length() as usize;
    let subnode = if entry.flags().contains(NtfsIndexEntryFlags::HAS_SUBNODE) { 8 } else { 0 };
    let key = if entry.flags().contains(NtfsIndexEntryFlags::LAST_ENTRY) { 0 } else { entry.key_length() as usize };
    if length < 16 + key + subnode {
        let at = entry.position().value().map(|p| format!(" at byte {p} of the volume")).unwrap_or_default();
        return Err(format!(
            "{node}: the entry{at} is {length} bytes, too short for its key ({key}) and references: damaged"
        ));
    }
    Ok(Some(entry))
}

/// Which node of an index a message is about.
#[derive(Clone, Copy)]
enum Node {
    Root,
    Record(i64),
}

impl std::fmt::Display for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Node::Root => f.write_str("its index root"),
            Node::Record(vcn) => write!(f, "its index record at VCN {vcn}"),
        }
    }
}

/// The two attributes of a directory's `$I30` index, read once per walk.
struct Index<'a, 'n, 'f> {
    root: &'a NtfsIndexRoot<'f>,
    allocation: Option<&'a NtfsIndexAllocation<'n, 'f>>,
    record_size: u32,
    /// VCNs of the index records entered so far: a second visit is a loop.
    entered: HashSet<i64>,
}

impl Index<'_, '_, '_> {
    /// Reads the index record at `vcn`, refusing one already entered.
    fn record<T: Read + Seek>(&mut self, fs: &mut T, vcn: ntfs::types::Vcn) -> Result<NtfsIndexRecord, String> {
        if !self.entered.insert(vcn.value()) {
            return Err(format!(
                "its directory index refers back to its index record at VCN {} (a subnode loop): damaged",
                vcn.value()
            ));
        }
        let allocation = self.allocation.ok_or_else(|| {
            format!("its directory index names a subnode (VCN {}) but has no $INDEX_ALLOCATION", vcn.value())
        })?;
        allocation
            .record_from_vcn(fs, self.record_size, vcn)
            .map_err(|e| format!("its index record at VCN {} is unreadable: {e}", vcn.value()))
    }
}

/// Finds the directory's `$I30` attributes and runs `f` on them.
fn with_index<T: Read + Seek, R>(
    dir: &NtfsFile<'_>,
    fs: &mut T,
    f: impl FnOnce(&mut Index<'_, '_, '_>, &mut T) -> Result<R, String>,
) -> Result<R, String> {
    let (mut root_item, mut allocation_item) = (None, None);
    let mut attributes = dir.attributes();
    while let Some(item) = attributes.next(fs) {
        let item = item.map_err(|e| e.to_string())?;
        let (ty, named_i30) = {
            let a = item.to_attribute().map_err(|e| e.to_string())?;
            (a.ty(), a.name().map(|n| n == "$I30").unwrap_or(false))
        };
        match (ty, named_i30) {
            (Ok(NtfsAttributeType::IndexRoot), true) if root_item.is_none() => root_item = Some(item),
            (Ok(NtfsAttributeType::IndexAllocation), true) if allocation_item.is_none() => allocation_item = Some(item),
            _ => {}
        }
    }
    let root_item = root_item.ok_or("the folder has no $I30 index root")?;
    let root_attribute = root_item.to_attribute().map_err(|e| e.to_string())?;
    let root = root_attribute.resident_structured_value::<NtfsIndexRoot>().map_err(|e| e.to_string())?;
    let allocation_attribute = match &allocation_item {
        Some(i) => Some(i.to_attribute().map_err(|e| e.to_string())?),
        None => None,
    };
    let allocation = match &allocation_attribute {
        Some(a) => Some(a.structured_value::<_, NtfsIndexAllocation>(fs).map_err(|e| e.to_string())?),
        None => None,
    };
    let mut index = Index {
        root: &root,
        allocation: allocation.as_ref(),
        record_size: root.index_record_size(),
        entered: HashSet::new(),
    };
    f(&mut index, fs)
}

/// Calls `visit` on every entry of the directory's index in key order (the empty end-of-node entries left out).
pub fn for_each<T: Read + Seek>(
    dir: &NtfsFile<'_>,
    fs: &mut T,
    visit: &mut dyn FnMut(&Entry<'_>, &mut T) -> Result<(), String>,
) -> Result<(), String> {
    with_index(dir, fs, |index, fs| {
        let entries = index.root.entries::<NtfsFileNameIndex>().map_err(|e| e.to_string())?;
        let mut taken = 0usize;
        walk(entries, Node::Root, index, fs, 0, &mut taken, visit)
    })
}

/// In-order walk of one node: each entry's subnode first, then the entry.
fn walk<T: Read + Seek>(
    mut entries: NtfsIndexNodeEntries<'_, NtfsFileNameIndex>,
    node: Node,
    index: &mut Index<'_, '_, '_>,
    fs: &mut T,
    depth: usize,
    taken: &mut usize,
    visit: &mut dyn FnMut(&Entry<'_>, &mut T) -> Result<(), String>,
) -> Result<(), String> {
    let mut n = 0;
    while let Some(entry) = next_entry(&mut entries, &node, &mut n)? {
        if let Some(vcn) = entry.subnode_vcn() {
            let vcn = vcn.map_err(|e| e.to_string())?;
            if depth >= MAX_DEPTH {
                return Err(format!("its directory index is deeper than {MAX_DEPTH} levels: damaged"));
            }
            let record = index.record(fs, vcn)?;
            let sub = record.entries::<NtfsFileNameIndex>().map_err(|e| e.to_string())?;
            walk(sub, Node::Record(vcn.value()), index, fs, depth + 1, taken, visit)?;
        }
        if !entry.flags().contains(NtfsIndexEntryFlags::LAST_ENTRY) {
            *taken += 1;
            if *taken > MAX_DIR_ENTRIES {
                return Err(format!(
                    "its directory index yields more than {MAX_DIR_ENTRIES} entries: damaged; listing stopped"
                ));
            }
            visit(&entry, fs)?;
        }
    }
    Ok(())
}

/// Looks `name` up in the directory's index with the volume's case folding: the file and its name as the volume
/// spells it, `None` when there is no such entry.
pub fn find<'n, T: Read + Seek>(
    dir: &NtfsFile<'n>,
    ntfs: &'n Ntfs,
    fs: &mut T,
    name: &str,
) -> Result<Option<(NtfsFile<'n>, String)>, String> {
    with_index(dir, fs, |index, fs| {
        let mut record: Option<NtfsIndexRecord> = None;
        let mut node = Node::Root;
        for _ in 0..=MAX_DEPTH {
            let mut entries = match &record {
                None => index.root.entries::<NtfsFileNameIndex>(),
                Some(r) => r.entries::<NtfsFileNameIndex>(),
            }
            .map_err(|e| e.to_string())?;
            let mut down = None;
            let mut n = 0;
            while let Some(entry) = next_entry(&mut entries, &node, &mut n)? {
                if let Some(key) = entry.key() {
                    let key = key.map_err(|e| e.to_string())?;
                    match name.upcase_cmp(ntfs, &key.name()) {
                        Ordering::Equal => {
                            let file = entry.to_file(ntfs, fs).map_err(|e| e.to_string())?;
                            return Ok(Some((file, key.name().to_string_lossy())));
                        }
                        Ordering::Greater => continue,
                        Ordering::Less => {}
                    }
                }
                // The name sorts before this entry (or this is the node's end): it can only be in the subnode.
                down = entry.subnode_vcn().transpose().map_err(|e| e.to_string())?;
                break;
            }
            let Some(vcn) = down else { return Ok(None) };
            record = Some(index.record(fs, vcn)?);
            node = Node::Record(vcn.value());
        }
        Err(format!("its directory index is deeper than {MAX_DEPTH} levels: damaged"))
    })
}
