//! A collected `$MFT` (KAPE, Velociraptor `uploads/ntfs/...`), read with the `mft` crate: it gives the files of a
//! triage collection the same NTFS facts a disk image gives, found by path, and names the folders the change
//! journal refers to by MFT entry.

use super::path::WinPath;
use crate::model::ParseError;
use crate::model::{FileNameTimes, NtfsFacts, NtfsTimes};
use mft::attribute::MftAttributeContent;
use mft::attribute::x30::FileNamespace;
use mft::{MftEntry, MftParser};
use std::collections::HashMap;
use std::io::Cursor;
use std::sync::Mutex;

/// The root folder's MFT entry.
const ROOT: u64 = 5;

/// A parsed `$MFT` and its name index.
pub struct MftIndex {
    parser: Mutex<MftParser<Cursor<Vec<u8>>>>,
    /// (parent entry, lower-case name) → entry, for every non-DOS name of an allocated entry.
    children: HashMap<(u64, String), u64>,
    /// entry → (parent entry, name as spelled).
    names: HashMap<u64, (u64, String)>,
    /// (parent entry, lower-case name) → entry, for the records of deleted files (not in use, still readable).
    deleted: HashMap<(u64, String), u64>,
    drive: char,
    /// Entries that could not be parsed.
    pub unreadable: usize,
}

impl MftIndex {
    /// Parses a `$MFT`'s bytes; its files are those of drive `drive`.
    pub fn parse(bytes: Vec<u8>, drive: char) -> Result<MftIndex, ParseError> {
        let run = || -> Result<MftIndex, ParseError> {
            let mut parser = MftParser::from_buffer(bytes).map_err(|e| e.to_string())?;
            let mut children = HashMap::new();
            let mut names = HashMap::new();
            let mut deleted = HashMap::new();
            let mut unreadable = 0;
            for entry in parser.iter_entries() {
                let Ok(entry) = entry else {
                    unreadable += 1;
                    continue;
                };
                if !entry.header.is_valid() || !entry.header.is_base_record() {
                    continue;
                }
                let number = entry.header.record_number;
                if !entry.is_allocated() {
                    for attr in entry.iter_attributes().filter_map(Result::ok) {
                        if let MftAttributeContent::AttrX30(name) = attr.data
                            && name.namespace != FileNamespace::DOS
                        {
                            deleted.entry((name.parent.entry, name.name.to_string().to_lowercase())).or_insert(number);
                        }
                    }
                    continue;
                }
                for attr in entry.iter_attributes().filter_map(Result::ok) {
                    if let MftAttributeContent::AttrX30(name) = attr.data {
                        if name.namespace == FileNamespace::DOS || number == ROOT {
                            continue;
                        }
                        let spelled = name.name.to_string();
                        children.insert((name.parent.entry, spelled.to_lowercase()), number);
                        names.entry(number).or_insert((name.parent.entry, spelled));
                    }
                }
            }
            Ok(MftIndex { parser: Mutex::new(parser), children, names, deleted, drive, unreadable })
        };
        crate::model::contain(run).unwrap_or_else(|m| Err(format!("the $MFT parser failed on this file ({m})").into()))
    }

    /// The entry of a path on this drive.
    fn entry_of(&self, path: &WinPath) -> Option<u64> {
        if path.drive() != Some(self.drive) {
            return None;
        }
        let mut at = ROOT;
        for c in path.components() {
            // The stream of `file:stream` is the file's.
            let name = c.split_once(':').map(|(n, _)| n).filter(|n| !n.is_empty()).unwrap_or(c);
            at = *self.children.get(&(at, name.to_lowercase()))?;
        }
        Some(at)
    }

    /// The path of an entry, from its names up to the root; `None` when a link is missing.
    pub fn path_of(&self, entry: u64) -> Option<WinPath> {
        let mut parts = Vec::new();
        let mut at = entry;
        while at != ROOT {
            let (parent, name) = self.names.get(&at)?;
            parts.push(name.clone());
            if parts.len() > 255 {
                return None; // a loop of parents
            }
            at = *parent;
        }
        parts.reverse();
        Some(WinPath::from_parts(Some(self.drive), &parts))
    }

    /// The NTFS facts of the file at `path`.
    pub fn facts(&self, path: &WinPath) -> Option<NtfsFacts> {
        self.facts_of(self.entry_of(path)?)
    }

    /// The NTFS facts of a deleted file that was at `path`, when its record is still in the `$MFT`.
    pub fn deleted_facts(&self, path: &WinPath) -> Option<NtfsFacts> {
        let parent = self.entry_of(&path.parent()?)?;
        let entry = *self.deleted.get(&(parent, path.file_name()?.to_lowercase()))?;
        self.facts_of(entry)
    }

    fn facts_of(&self, entry: u64) -> Option<NtfsFacts> {
        let mut parser = self.parser.lock().ok()?;
        let e = crate::model::contain(|| parser.get_entry(entry)).ok()?.ok()?;
        facts(&e)
    }
}

/// FILETIME of a parsed time (`jiff`'s, which `evtx` re-exports; the same crate version in Cargo.lock).
fn filetime(t: &evtx::Timestamp) -> u64 {
    (t.as_nanosecond() / 100 + 116_444_736_000_000_000) as u64
}

fn facts(e: &MftEntry) -> Option<NtfsFacts> {
    let mut si = None;
    let mut file_names = Vec::new();
    let mut streams = Vec::new();
    for attr in e.iter_attributes().filter_map(Result::ok) {
        match &attr.data {
            MftAttributeContent::AttrX10(s) => {
                si = Some(NtfsTimes::from_raw([&s.created, &s.modified, &s.mft_modified, &s.accessed].map(filetime)));
            }
            MftAttributeContent::AttrX30(n) => file_names.push(FileNameTimes {
                name: n.name.to_string(),
                namespace: match n.namespace {
                    FileNamespace::POSIX => "posix",
                    FileNamespace::Win32 => "win32",
                    FileNamespace::DOS => "dos",
                    FileNamespace::Win32AndDos => "win32_and_dos",
                },
                parent_entry: n.parent.entry,
                times: NtfsTimes::from_raw([&n.created, &n.modified, &n.mft_modified, &n.accessed].map(filetime)),
            }),
            _ => {
                if attr.header.type_code == mft::attribute::MftAttributeType::DATA {
                    let name = attr.header.name.to_string();
                    if !name.is_empty() {
                        streams.push(name);
                    }
                }
            }
        }
    }
    Some(NtfsFacts {
        mft_entry: e.header.record_number,
        sequence: e.header.sequence,
        standard_information: si?,
        file_names,
        streams,
    })
}
