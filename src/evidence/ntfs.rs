//! An NTFS volume of a disk image as a file tree, on the `ntfs` crate: the same [`FileSource`] as folders and
//! zips, so every artifact parser reads an image unchanged. The volume is exposed as one drive (`C:`). Lookups go
//! through the directory indexes with NTFS's own case folding ($UpCase); 8.3 names are not listed.

use super::layout::Layout;
use super::ntfs_index;
use super::{Completeness, DirEntry, EvidenceError, FileMeta, FileSource, ReadSeek};
use crate::model::ParseError;
use crate::model::{FileNameTimes, NtfsFacts, NtfsTimes, WinPath};
use ntfs::structured_values::{NtfsFileName, NtfsFileNamespace};
use ntfs::{Ntfs, NtfsAttributeType, NtfsFile, NtfsReadSeek, NtfsTime};
use std::io::Cursor;
use std::sync::{Arc, Mutex};

/// Reads a file's NTFS facts.
fn facts(file: &NtfsFile<'_>, fs: &mut Box<dyn ReadSeek>) -> Result<NtfsFacts, ParseError> {
    let si = file.info().map_err(|e| e.to_string())?;
    let mut out = NtfsFacts {
        mft_entry: file.file_record_number(),
        sequence: file.sequence_number(),
        standard_information: ntfs_times(
            si.creation_time(),
            si.modification_time(),
            si.mft_record_modification_time(),
            si.access_time(),
        ),
        file_names: Vec::new(),
        streams: Vec::new(),
    };
    let mut attributes = file.attributes();
    while let Some(item) = attributes.next(fs) {
        let item = item.map_err(|e| e.to_string())?;
        let attribute = item.to_attribute().map_err(|e| e.to_string())?;
        match attribute.ty() {
            Ok(NtfsAttributeType::FileName) => {
                let name = attribute.structured_value::<_, NtfsFileName>(fs).map_err(|e| e.to_string())?;
                out.file_names.push(FileNameTimes {
                    name: name.name().to_string_lossy(),
                    namespace: match name.namespace() {
                        NtfsFileNamespace::Posix => "posix",
                        NtfsFileNamespace::Win32 => "win32",
                        NtfsFileNamespace::Dos => "dos",
                        NtfsFileNamespace::Win32AndDos => "win32_and_dos",
                    },
                    parent_entry: name.parent_directory_reference().file_record_number(),
                    times: ntfs_times(
                        name.creation_time(),
                        name.modification_time(),
                        name.mft_record_modification_time(),
                        name.access_time(),
                    ),
                });
            }
            Ok(NtfsAttributeType::Data) => {
                let n = attribute.name().map(|n| n.to_string_lossy()).unwrap_or_default();
                if !n.is_empty() {
                    out.streams.push(n);
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The root folder's MFT entry.
const ROOT_ENTRY: u64 = 5;

/// What the parser works on: the volume's bytes and the file system read from them.
struct Volume {
    fs: Box<dyn ReadSeek>,
    ntfs: Ntfs,
}

/// One NTFS volume, read-only.
pub struct NtfsSource {
    volume: Arc<Mutex<Volume>>,
    drive: char,
    /// How messages name the volume: `disk.E01, partition 2`.
    label: String,
}

impl NtfsSource {
    /// Reads the boot sector and $UpCase of the volume `fs` holds, exposed as drive `drive`.
    pub fn open(mut fs: Box<dyn ReadSeek>, drive: char, label: &str) -> Result<NtfsSource, ParseError> {
        let opened = guard(|| {
            let mut ntfs = Ntfs::new(&mut fs).map_err(|e| e.to_string())?;
            ntfs.read_upcase_table(&mut fs).map_err(|e| format!("$UpCase unreadable: {e}"))?;
            Ok(ntfs)
        })?;
        Ok(NtfsSource { volume: Arc::new(Mutex::new(Volume { fs, ntfs: opened })), drive, label: label.to_string() })
    }

    /// The volume label, when it has one.
    pub fn volume_name(&self) -> Option<String> {
        let mut v = self.volume.lock().ok()?;
        let Volume { fs, ntfs } = &mut *v;
        guard(|| Ok(ntfs.volume_name(fs).and_then(Result::ok).map(|n| n.name().to_string_lossy()))).ok().flatten()
    }

    fn err(&self, file: &WinPath, reason: impl std::fmt::Display) -> EvidenceError {
        EvidenceError::Read { evidence: self.label.clone(), file: file.clone(), reason: reason.to_string() }
    }

    /// Runs `f` on the file at `path` (with the names as the volume spells them), `None` when it does not exist.
    fn with_file<R>(
        &self,
        path: &WinPath,
        f: impl FnOnce(&NtfsFile<'_>, &Ntfs, &mut Box<dyn ReadSeek>, Vec<String>) -> Result<R, ParseError>,
    ) -> Result<Option<R>, EvidenceError> {
        if path.drive() != Some(self.drive) {
            return Ok(None);
        }
        let mut v = self.volume.lock().map_err(|_| self.err(path, "volume reader poisoned by an earlier failure"))?;
        let Volume { fs, ntfs } = &mut *v;
        let ntfs = &*ntfs;
        guard(|| {
            let mut file = ntfs.root_directory(fs).map_err(|e| e.to_string())?;
            let mut spelled = Vec::new();
            for name in path.components() {
                if !file.is_directory() {
                    return Ok(None);
                }
                let Some((found, spelling)) = ntfs_index::find(&file, ntfs, fs, name)? else { return Ok(None) };
                spelled.push(spelling);
                file = found;
            }
            f(&file, ntfs, fs, spelled).map(Some)
        })
        .map_err(|e| self.err(path, e))
    }
}

/// `C:\x\file.txt:stream` → (`C:\x\file.txt`, `stream`); a path without a stream gets `""`.
fn split_stream(path: &WinPath) -> (WinPath, String) {
    match (path.parent(), path.file_name().and_then(|n| n.split_once(':'))) {
        (Some(parent), Some((name, stream))) if !name.is_empty() => (parent.child(name), stream.to_string()),
        _ => (path.clone(), String::new()),
    }
}

/// How many bytes at the start of a non-resident value are sparse (no clusters behind them).
fn sparse_head(value: &ntfs::attribute_value::NtfsAttributeValue<'_, '_>) -> u64 {
    let ntfs::attribute_value::NtfsAttributeValue::NonResident(v) = value else { return 0 };
    let mut head = 0;
    for run in v.data_runs() {
        match run {
            Ok(r) if r.data_position().value().is_none() => head += r.allocated_size(),
            _ => break,
        }
    }
    head
}

/// Runs a parser call, turning a panic on hostile bytes into an error.
fn guard<R>(f: impl FnOnce() -> Result<R, ParseError>) -> Result<R, ParseError> {
    crate::model::contain(f).unwrap_or_else(|m| Err(format!("the NTFS parser failed on this structure ({m})").into()))
}

/// Size of a file's data stream (`""` for the unnamed one), `None` when it has no such stream.
fn data_size(file: &NtfsFile<'_>, fs: &mut Box<dyn ReadSeek>, stream: &str) -> Result<Option<u64>, ParseError> {
    match file.data(fs, stream) {
        Some(item) => {
            let item = item.map_err(|e| e.to_string())?;
            Ok(Some(item.to_attribute().map_err(|e| e.to_string())?.value_length()))
        }
        None => Ok(None),
    }
}

impl FileSource for NtfsSource {
    fn layout(&self) -> Layout {
        Layout::VolumeRoot(self.drive)
    }

    fn completeness(&self) -> Completeness {
        Completeness::FullVolume
    }

    fn metadata(&self, path: &WinPath) -> Result<Option<FileMeta>, EvidenceError> {
        let (file_path, stream) = split_stream(path);
        let meta = self.with_file(&file_path, |file, _, fs, _| {
            if !stream.is_empty() {
                return Ok(data_size(file, fs, &stream)?.map(|size| FileMeta { is_dir: false, size }));
            }
            let is_dir = file.is_directory();
            let size = if is_dir { 0 } else { data_size(file, fs, "")?.unwrap_or(0) };
            Ok(Some(FileMeta { is_dir, size }))
        })?;
        Ok(meta.flatten())
    }

    fn path_of_entry(&self, entry: u64) -> Option<WinPath> {
        let mut v = self.volume.lock().ok()?;
        let Volume { fs, ntfs } = &mut *v;
        let ntfs = &*ntfs;
        let names = guard(|| {
            let mut parts = Vec::new();
            let mut at = entry;
            while at != ROOT_ENTRY {
                let file = ntfs.file(fs, at).map_err(|e| e.to_string())?;
                let Some(name) = file.name(fs, None, None) else { return Ok(None) };
                let name = name.map_err(|e| e.to_string())?;
                parts.push(name.name().to_string_lossy());
                at = name.parent_directory_reference().file_record_number();
                if parts.len() > 255 {
                    return Ok(None);
                }
            }
            parts.reverse();
            Ok(Some(parts))
        })
        .ok()??;
        Some(WinPath::from_parts(Some(self.drive), &names))
    }

    fn read_dir(&self, dir: &WinPath) -> Result<Vec<DirEntry>, EvidenceError> {
        let listed = self.with_file(dir, |file, ntfs, fs, _| {
            if !file.is_directory() {
                return Ok(Vec::new());
            }
            let mut out = Vec::new();
            ntfs_index::for_each(file, fs, &mut |entry, fs| {
                let Some(Ok(key)) = entry.key() else { return Ok(()) };
                if key.namespace() == NtfsFileNamespace::Dos {
                    return Ok(());
                }
                let name = key.name().to_string_lossy();
                if name == "." {
                    return Ok(());
                }
                let is_dir = key.is_directory();
                // The index's copy of the size is only updated now and then: read the file's own record.
                let size = if is_dir {
                    0
                } else {
                    match entry.to_file(ntfs, fs) {
                        Ok(f) => data_size(&f, fs, "").map(|n| n.unwrap_or(0)).unwrap_or_else(|_| key.data_size()),
                        Err(_) => key.data_size(),
                    }
                };
                out.push((name, is_dir, size));
                Ok(())
            })?;
            Ok(out)
        })?;
        let mut v: Vec<DirEntry> = listed
            .unwrap_or_default()
            .into_iter()
            .map(|(name, is_dir, size)| DirEntry { path: dir.child(&name), name, is_dir, size })
            .collect();
        v.sort_by_key(|e| e.name.to_lowercase());
        Ok(v)
    }

    fn ntfs_facts(&self, path: &WinPath) -> Option<NtfsFacts> {
        let (file_path, _) = split_stream(path);
        self.with_file(&file_path, |file, _, fs, _| facts(file, fs)).ok().flatten()
    }

    fn roots(&self) -> Result<Vec<DirEntry>, EvidenceError> {
        let root = WinPath::drive_root(self.drive);
        Ok(vec![DirEntry { name: root.to_string(), path: root, is_dir: true, size: 0 }])
    }

    fn canonical(&self, path: &WinPath) -> Option<WinPath> {
        let spelled = self.with_file(path, |_, _, _, spelled| Ok(spelled)).ok().flatten()?;
        Some(WinPath::from_parts(Some(self.drive), &spelled))
    }

    /// Opens a file's data, or one of its alternate data streams with `name:stream` as the last component. Files
    /// up to [`IN_MEMORY`] are read whole; larger ones (event logs, a change journal) are streamed from the
    /// volume, so memory does not grow with their size.
    fn open(&self, path: &WinPath, limit: u64) -> Result<Box<dyn ReadSeek>, EvidenceError> {
        let (file_path, stream) = split_stream(path);
        // One lookup of the file: its data read whole when small, else where to stream it from.
        let opened = self.with_file(&file_path, |file, _, fs, _| {
            if file.is_directory() && stream.is_empty() {
                return Err("is a folder, not a file".into());
            }
            let Some(item) = file.data(fs, &stream) else {
                return if stream.is_empty() {
                    Ok(Opened::Whole(Vec::new()))
                } else {
                    Err(format!("no data stream {stream:?}").into())
                };
            };
            let item = item.map_err(|e| e.to_string())?;
            let attribute = item.to_attribute().map_err(|e| e.to_string())?;
            let len = attribute.value_length();
            let mut value = attribute.value(fs).map_err(|e| e.to_string())?;
            // The change journal's `$J` keeps gigabytes of sparse head that hold nothing: start after it, as
            // collection tools do. Other files are read whole, sparse parts as zeros.
            let skip = if stream.eq_ignore_ascii_case("$J") { sparse_head(&value).min(len) } else { 0 };
            if len - skip > limit {
                return Err(format!("{} bytes, over the {limit}-byte limit for one file", len - skip).into());
            }
            if len - skip > IN_MEMORY {
                return Ok(Opened::Stream { record: file.file_record_number(), start: skip, len: len - skip });
            }
            value.seek(fs, std::io::SeekFrom::Start(skip)).map_err(|e| e.to_string())?;
            let mut out = vec![0u8; (len - skip) as usize];
            value.read_exact(fs, &mut out).map_err(|e| e.to_string())?;
            Ok(Opened::Whole(out))
        })?;
        let bytes = match opened {
            Some(Opened::Stream { record, start, len }) => {
                return Ok(Box::new(NtfsStream { volume: self.volume.clone(), record, stream, start, len, at: 0 }));
            }
            Some(Opened::Whole(b)) => Some(b),
            None => None,
        };
        match bytes {
            Some(b) => Ok(Box::new(Cursor::new(b))),
            None => Err(EvidenceError::NotFound { evidence: self.label.clone(), file: path.clone() }),
        }
    }
}

/// What opening a file of the volume gives: its bytes, or where to stream them from.
enum Opened {
    Whole(Vec<u8>),
    Stream { record: u64, start: u64, len: u64 },
}

/// Largest file read whole into memory from a volume; larger ones are streamed.
const IN_MEMORY: u64 = 64 << 10;

/// A large file of the volume, read where it lies: each read finds the file's record again (the volume is shared
/// with every other reader of the evidence, behind its lock) and reads from its data runs.
struct NtfsStream {
    volume: Arc<Mutex<Volume>>,
    record: u64,
    stream: String,
    /// Where the readable data starts in the attribute value (after a change journal's sparse head).
    start: u64,
    len: u64,
    at: u64,
}

impl std::io::Read for NtfsStream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let want = (buf.len() as u64).min(self.len.saturating_sub(self.at)) as usize;
        if want == 0 {
            return Ok(0);
        }
        let mut v = self.volume.lock().map_err(|_| std::io::Error::other("volume reader poisoned"))?;
        let Volume { fs, ntfs } = &mut *v;
        let ntfs = &*ntfs;
        let (record, stream, at) = (self.record, self.stream.clone(), self.start + self.at);
        let n = guard(|| {
            let file = ntfs.file(fs, record).map_err(|e| e.to_string())?;
            let item = file.data(fs, &stream).ok_or("the data stream is gone")?.map_err(|e| e.to_string())?;
            let attribute = item.to_attribute().map_err(|e| e.to_string())?;
            let mut value = attribute.value(fs).map_err(|e| e.to_string())?;
            value.seek(fs, std::io::SeekFrom::Start(at)).map_err(|e| e.to_string())?;
            value.read(fs, &mut buf[..want]).map_err(|e| e.to_string().into())
        })
        .map_err(|e| std::io::Error::other(e.message))?;
        self.at += n as u64;
        Ok(n)
    }
}

impl std::io::Seek for NtfsStream {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        let to = match pos {
            std::io::SeekFrom::Start(n) => Some(n),
            std::io::SeekFrom::End(d) => self.len.checked_add_signed(d),
            std::io::SeekFrom::Current(d) => self.at.checked_add_signed(d),
        };
        self.at = to.ok_or_else(|| std::io::Error::other("seek before the start"))?;
        Ok(self.at)
    }
}

/// The four times of an attribute as [`NtfsTimes`].
fn ntfs_times(created: NtfsTime, modified: NtfsTime, mft_modified: NtfsTime, accessed: NtfsTime) -> NtfsTimes {
    NtfsTimes::from_raw([created, modified, mft_modified, accessed].map(|t| t.nt_timestamp()))
}
