//! Read-only access to acquired evidence: folders, zips and single files behind one trait with Windows path
//! semantics.
//!
//! Every source hands out bytes by [`WinPath`]; artifact parsers never learn whether the bytes came from a KAPE
//! folder, a Velociraptor zip or a loose `applicationHost.config`. Every file read through [`Evidence::read`] is
//! hashed (SHA-256) and logged, so the report can list exactly which bytes each fact came from.

pub mod bytes;
pub mod collections;
mod folder;
pub mod image;
pub mod layout;
pub mod mft;
mod ntfs;
mod ntfs_index;
mod single;
mod zip;
mod zip_salvage;

pub use crate::model::{
    Completeness, EvidenceKind, FileNameTimes, FileRecord, NtfsFacts, NtfsTimes, WinPath, hex, path,
};
pub use folder::FolderSource;
pub use layout::Layout;
pub use mft::MftIndex;
pub use ntfs::NtfsSource;
pub use single::SingleFileSource;
pub use zip::{ZipLimits, ZipSource};

use std::collections::BTreeMap;
use std::io::{self, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Errors raised while opening or reading evidence. Each names the evidence file and, where it applies, the
/// path inside it.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error("{path}: cannot open evidence: {source}")]
    Open { path: PathBuf, source: io::Error },
    #[error("{path}: not a file, folder or zip inetsift can read")]
    Unsupported { path: PathBuf },
    #[error("{path}: not a readable zip archive: {reason}")]
    BadZip { path: PathBuf, reason: String },
    #[error("{path}: the zip is password-protected; give the password with --zip-password")]
    PasswordRequired { path: PathBuf },
    #[error("{path}: wrong zip password (--zip-password) for entry {entry}")]
    WrongPassword { path: PathBuf, entry: String },
    #[error("{path}: the collection is encrypted to a certificate ({scheme}); it can only be opened with that key")]
    CertificateEncrypted { path: PathBuf, scheme: String },
    #[error("{evidence}: {file} is not in the evidence")]
    NotFound { evidence: String, file: WinPath },
    #[error("{evidence}: {file} is a folder, not a file")]
    IsFolder { evidence: String, file: WinPath },
    #[error("{evidence}: {file} is {size} bytes, over the {limit}-byte limit for one file")]
    TooLarge { evidence: String, file: WinPath, size: u64, limit: u64 },
    #[error("{evidence}: reading {file} would inflate the zip past {limit} bytes in total (zip bomb guard)")]
    InflationLimit { evidence: String, file: WinPath, limit: u64 },
    #[error("{evidence}: cannot read {file}: {reason}")]
    Read { evidence: String, file: WinPath, reason: String },
    #[error("{path}: {reason}")]
    Image { path: PathBuf, reason: String },
}

/// Anything that reads and seeks; what [`FileSource::open`] hands out.
pub trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

/// One entry of a folder listing.
#[derive(Clone, Debug)]
pub struct DirEntry {
    /// The name as the evidence spells it (decoded where the layout encodes names).
    pub name: String,
    /// The full path of the entry.
    pub path: WinPath,
    /// True for folders.
    pub is_dir: bool,
    /// Size in bytes (0 for folders).
    pub size: u64,
}

/// Metadata of one file or folder.
#[derive(Clone, Debug)]
pub struct FileMeta {
    /// True for folders.
    pub is_dir: bool,
    /// Size in bytes (uncompressed, for zip entries).
    pub size: u64,
}

/// A read-only file tree with Windows semantics: case-insensitive lookup, drive letters, listing, metadata and
/// reads. Implementations never write to the evidence.
pub trait FileSource: Send + Sync {
    /// How the tree was laid out.
    fn layout(&self) -> Layout;
    /// Whether this is a whole volume or a selection.
    fn completeness(&self) -> Completeness;
    /// Metadata of a path, `None` when it does not exist.
    fn metadata(&self, path: &WinPath) -> Result<Option<FileMeta>, EvidenceError>;
    /// The entries of a folder, sorted by name; empty when the folder does not exist.
    fn read_dir(&self, dir: &WinPath) -> Result<Vec<DirEntry>, EvidenceError>;
    /// The top-level entries: drive roots (`C:\`) and files that belong to no drive.
    fn roots(&self) -> Result<Vec<DirEntry>, EvidenceError>;
    /// The path as the evidence spells it (`c:\USERS\x` → `C:\Users\x`), `None` when it does not exist.
    fn canonical(&self, path: &WinPath) -> Option<WinPath>;
    /// Opens a file for reading. `limit` caps what a source may have to hold in memory for it.
    fn open(&self, path: &WinPath, limit: u64) -> Result<Box<dyn ReadSeek>, EvidenceError>;
    /// Opens a file to be read once from its start, at most `limit` bytes: sources that would otherwise hold a
    /// whole file in memory (a zip entry) stream it instead.
    fn open_stream(&self, path: &WinPath, limit: u64) -> Result<Box<dyn Read + Send>, EvidenceError> {
        Ok(Box::new(self.open(path, limit)?))
    }
    /// The file's NTFS record (entry, times, streams), for sources that read a file system.
    fn ntfs_facts(&self, _path: &WinPath) -> Option<NtfsFacts> {
        None
    }
    /// The path of an MFT entry, for sources that read a file system.
    fn path_of_entry(&self, _entry: u64) -> Option<WinPath> {
        None
    }
    /// The modification time the container recorded for a file: a zip entry's time, a copied file's time on
    /// the analyst's disk. Weaker than NTFS facts (a zip's DOS time has no zone and two-second steps).
    fn recorded_time(&self, _path: &WinPath) -> Option<crate::model::Timestamp> {
        None
    }
}

/// Options that change how evidence is opened. Its `Debug` form never shows the zip password.
#[derive(Clone, Default)]
pub struct OpenOptions {
    /// Password for encrypted zips (ZipCrypto or WinZip AES).
    pub zip_password: Option<String>,
    /// Zip bomb guards.
    pub zip_limits: ZipLimits,
    /// Read E01 images whole to check their stored acquisition hashes.
    pub verify_images: bool,
}

impl std::fmt::Debug for OpenOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenOptions")
            .field("zip_password", &self.zip_password.as_ref().map(|_| "<redacted>"))
            .field("zip_limits", &self.zip_limits)
            .field("verify_images", &self.verify_images)
            .finish()
    }
}

/// What a path leads to in the evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// A file of this size.
    File(u64),
    /// A folder.
    Folder,
    /// Nothing: the evidence does not hold it.
    Absent,
    /// The structures on the way could not be read: whether it is there is unknown.
    Damaged(String),
}

/// A file read from the evidence: its bytes and their hash.
#[derive(Clone, Debug)]
pub struct FileData {
    /// Where it was read.
    pub path: WinPath,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Lower-case hex SHA-256 of `bytes`.
    pub sha256: String,
}

/// One piece of evidence given on the command line.
pub struct Evidence {
    /// Short id used in every reference (`E1`, `E2`, ...).
    pub id: String,
    /// The path given by the analyst.
    pub path: PathBuf,
    /// Container kind.
    pub kind: EvidenceKind,
    /// How the container file's SHA-256 is had (see [`Evidence::sha256`]).
    whole: WholeHash,
    /// Notes from opening (layout, duplicates).
    pub notes: Vec<String>,
    /// Problems met while opening (zip entries refused as unsafe or unreadable); the rest is read.
    pub problems: Vec<String>,
    source: Box<dyn FileSource>,
    reads: Mutex<BTreeMap<String, FileRecord>>,
    /// The collection's own `$MFT`, when it holds one: NTFS facts for its files.
    mft: Option<MftIndex>,
    /// An image's `$MFT`, read on first need (deleted files' records).
    image_mft: std::sync::OnceLock<Option<MftIndex>>,
}

/// Cap on a collected `$MFT` (a million-file volume's is about 1 GiB).
const MFT_LIMIT: u64 = 2 << 30;

/// Default cap on one file read into memory: large enough for any config, hive or event log of an IIS server.
pub const DEFAULT_READ_LIMIT: u64 = 512 * 1024 * 1024;

impl Evidence {
    /// Opens evidence read-only, detecting a folder, a zip (by its signature, not its name) or a single file.
    pub fn open(id: &str, path: &Path, opts: &OpenOptions) -> Result<Evidence, EvidenceError> {
        let meta = std::fs::metadata(path).map_err(|source| EvidenceError::Open { path: path.into(), source })?;
        let mut problems = Vec::new();
        let (kind, whole, source, notes): (_, _, Box<dyn FileSource>, _) = if meta.is_dir() {
            let src = FolderSource::open(path)?;
            let notes = vec![format!("folder layout: {}", src.layout().name())];
            (EvidenceKind::Folder, WholeHash::None, Box::new(src), notes)
        } else if meta.is_file() {
            if is_zip(path)? {
                let src = ZipSource::open(path, opts)?;
                let notes = src.notes().to_vec();
                problems = src.problems().to_vec();
                (EvidenceKind::Zip, WholeHash::Known(hash_file(path)?), Box::new(src), notes)
            } else if has_magic(path, b"ElfFile\0")? {
                let src = SingleFileSource::open(path)?;
                (EvidenceKind::EventLog, WholeHash::single(&src), Box::new(src), Vec::new())
            } else if is_hive(path)? {
                let src = SingleFileSource::open_with_logs(path)?;
                (EvidenceKind::HiveFile, WholeHash::single(&src), Box::new(src), Vec::new())
            } else if let Some(format) =
                image::detect(path).map_err(|source| EvidenceError::Open { path: path.into(), source })?
            {
                // Images are not hashed whole here: their acquisition hash (an E01's stored MD5, checked with
                // --verify-images) vouches for them, and every file read from them is hashed.
                let opened = image::open_windows_volume(path, format, opts.verify_images)
                    .map_err(|e| EvidenceError::Image { path: path.into(), reason: e.to_string() })?;
                problems = opened.problems;
                (EvidenceKind::Image, WholeHash::None, Box::new(opened.source), opened.notes)
            } else {
                let src = SingleFileSource::open(path)?;
                (EvidenceKind::ConfigFile, WholeHash::single(&src), Box::new(src), Vec::new())
            }
        } else {
            return Err(EvidenceError::Unsupported { path: path.into() });
        };
        let mut ev = Evidence {
            id: id.to_string(),
            path: path.into(),
            kind,
            whole,
            notes,
            problems,
            source,
            reads: Mutex::default(),
            mft: None,
            image_mft: std::sync::OnceLock::new(),
        };
        ev.load_mft();
        Ok(ev)
    }

    /// SHA-256 of the container file (a zip or a single file); `None` for folders and images. A single file is
    /// hashed by its own read when the scan reads it whole (a large event log is then read and hashed once, not
    /// twice), else here, on first ask.
    pub fn sha256(&self) -> Option<String> {
        match &self.whole {
            WholeHash::None => None,
            WholeHash::Known(h) => Some(h.clone()),
            WholeHash::Single { path, host, size, hash } => hash
                .get_or_init(|| match self.file_read(path) {
                    Some(r) if r.size == *size => Some(r.sha256),
                    _ => hash_file(host).ok(),
                })
                .clone(),
        }
    }

    /// Reads a triage collection's `C:\$MFT`, when it has one, so its files get their NTFS facts.
    fn load_mft(&mut self) {
        if self.source.completeness() != Completeness::Triage {
            return;
        }
        let path = WinPath::parse(r"C:\$MFT");
        if !self.file_exists(&path) {
            return;
        }
        match self
            .read(&path, MFT_LIMIT)
            .map_err(|e| crate::model::ParseError::new(e.to_string()))
            .and_then(|d| MftIndex::parse(d.bytes, 'C'))
        {
            Ok(index) => {
                self.notes.push(format!(
                    "$MFT collected: NTFS entries and times for the collected files{}",
                    match index.unreadable {
                        0 => String::new(),
                        n => format!(" ({n} entries unreadable)"),
                    }
                ));
                self.mft = Some(index);
            }
            Err(e) => self.problems.push(format!("{path}: $MFT not usable: {e}")),
        }
    }

    /// The collection's `$MFT`, when it held one.
    pub fn mft(&self) -> Option<&MftIndex> {
        self.mft.as_ref()
    }

    /// Whether MFT entries can be named: an image's file system, or a collected `$MFT`.
    pub fn knows_entries(&self) -> bool {
        self.mft.is_some() || self.kind == EvidenceKind::Image
    }

    /// The path of an MFT entry, from the image's file system or the collected `$MFT`.
    pub fn path_of_entry(&self, entry: u64) -> Option<WinPath> {
        self.source.path_of_entry(entry).or_else(|| self.mft.as_ref().and_then(|m| m.path_of(entry)))
    }

    /// NTFS facts of a file or folder: from the file system of an image, else from a collected `$MFT`.
    pub fn ntfs_facts(&self, path: &WinPath) -> Option<NtfsFacts> {
        self.source.ntfs_facts(path).or_else(|| self.mft.as_ref().and_then(|m| m.facts(path)))
    }

    /// The NTFS facts of a deleted file that was at `path`, when its MFT record remains: from a collected `$MFT`,
    /// or an image's (read, and hashed like every read, the first time one is asked for).
    pub fn deleted_facts(&self, path: &WinPath) -> Option<NtfsFacts> {
        if let Some(m) = &self.mft {
            return m.deleted_facts(path);
        }
        if self.kind != EvidenceKind::Image {
            return None;
        }
        let index = self.image_mft.get_or_init(|| {
            let drive = path.drive().unwrap_or('C');
            let mft = WinPath::parse(&format!(r"{drive}:\$MFT"));
            self.read(&mft, MFT_LIMIT).ok().and_then(|d| MftIndex::parse(d.bytes, drive).ok())
        });
        index.as_ref()?.deleted_facts(path)
    }

    /// The file source behind this evidence.
    pub fn source(&self) -> &dyn FileSource {
        self.source.as_ref()
    }

    /// Whether a file (not a folder) exists at `path`.
    pub fn file_exists(&self, path: &WinPath) -> bool {
        matches!(self.lookup(path), Lookup::File(_))
    }

    /// What is at `path`: a file, a folder, nothing — or damage on the way there (a torn MFT record, a broken
    /// directory index), which is never to be reported as absence.
    pub fn lookup(&self, path: &WinPath) -> Lookup {
        match self.source.metadata(path) {
            Ok(Some(m)) if m.is_dir => Lookup::Folder,
            Ok(Some(m)) => Lookup::File(m.size),
            Ok(None) => Lookup::Absent,
            Err(e) => Lookup::Damaged(e.to_string()),
        }
    }

    /// Reads a whole file (at most `limit` bytes), hashing it and logging the read.
    pub fn read(&self, path: &WinPath, limit: u64) -> Result<FileData, EvidenceError> {
        let path = &self.source.canonical(path).unwrap_or_else(|| path.clone());
        let mut reader = self.source.open(path, limit)?;
        let mut bytes = Vec::new();
        (&mut reader).take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(|e| EvidenceError::Read {
            evidence: self.id.clone(),
            file: path.clone(),
            reason: e.to_string(),
        })?;
        if bytes.len() as u64 > limit {
            return Err(EvidenceError::TooLarge {
                evidence: self.id.clone(),
                file: path.clone(),
                size: bytes.len() as u64,
                limit,
            });
        }
        let sha256 = sha256_hex(&bytes);
        self.log(self.record(path, bytes.len() as u64, sha256.clone()));
        Ok(FileData { path: path.clone(), bytes, sha256 })
    }

    /// Reads a file once, front to back, in blocks (`first` bytes, then `block` bytes each): `consume` gets the blocks in order while a
    /// second thread hashes the very same blocks (one read of every byte, the hash beside the parse); whatever
    /// `consume` leaves is read and hashed after it. The read is logged like [`Evidence::read`]. A read error
    /// ends the blocks `consume` sees; it is returned after `consume`'s result, with the hash of what was read.
    pub fn stream_blocks<T>(
        &self,
        path: &WinPath,
        limit: u64,
        (first, block): (usize, usize),
        consume: impl FnOnce(&mut dyn Iterator<Item = std::sync::Arc<Vec<u8>>>) -> T,
    ) -> Result<(T, FileRecord, Option<String>), EvidenceError> {
        let path = &self.source.canonical(path).unwrap_or_else(|| path.clone());
        let mut reader = self.source.open_stream(path, limit)?.take(limit.saturating_add(1));
        let (tx, rx) = std::sync::mpsc::sync_channel::<std::sync::Arc<Vec<u8>>>(16);
        let mut failed = None;
        let (out, (size, sha256)) = std::thread::scope(|s| {
            // OpenSSL's SHA-256 (see `sha256_hex`).
            let hasher = s.spawn(move || {
                let mut h = openssl::sha::Sha256::new();
                let mut size = 0u64;
                for b in rx {
                    h.update(&b[..]);
                    size += b.len() as u64;
                }
                (size, hex(&h.finish()))
            });
            let mut want = first;
            let mut next = || -> Option<std::sync::Arc<Vec<u8>>> {
                let mut buf = vec![0u8; want];
                let mut filled = 0;
                while filled < buf.len() {
                    match reader.read(&mut buf[filled..]) {
                        Ok(0) => break,
                        Ok(n) => filled += n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => {
                            failed = Some(e.to_string());
                            break;
                        }
                    }
                }
                if filled == 0 {
                    return None;
                }
                buf.truncate(filled);
                want = block;
                let b = std::sync::Arc::new(buf);
                tx.send(b.clone()).ok()?;
                Some(b)
            };
            let mut blocks = std::iter::from_fn(&mut next);
            let out = consume(&mut blocks);
            blocks.for_each(drop);
            drop(tx);
            (out, hasher.join().unwrap_or((0, String::new())))
        });
        if size > limit {
            return Err(EvidenceError::TooLarge { evidence: self.id.clone(), file: path.clone(), size, limit });
        }
        let record = self.record(path, size, sha256);
        self.log(record.clone());
        Ok((out, record, failed))
    }

    /// The provenance record of a file read: its size, hash and, where there are some, its NTFS facts.
    fn record(&self, path: &WinPath, size: u64, sha256: String) -> FileRecord {
        FileRecord { evidence: self.id.clone(), path: path.clone(), size, sha256, ntfs: self.ntfs_facts(path) }
    }

    /// Adds a read to the list the report gives.
    fn log(&self, record: FileRecord) {
        if let Ok(mut reads) = self.reads.lock() {
            reads.insert(record.path.key(), record);
        }
    }

    /// The record of a file read so far.
    pub fn file_read(&self, path: &WinPath) -> Option<FileRecord> {
        self.reads.lock().ok()?.get(&path.key()).cloned()
    }

    /// Every file read so far, sorted by path.
    pub fn files_read(&self) -> Vec<FileRecord> {
        self.reads.lock().map(|r| r.values().cloned().collect()).unwrap_or_default()
    }

    /// Walks a folder tree depth-first (sorted), up to `max_depth` levels below `dir` and `max_entries` entries,
    /// calling `visit` for each file. Returns false when the entry cap cut the walk short.
    pub fn walk_files(
        &self,
        dir: &WinPath,
        max_depth: usize,
        max_entries: usize,
        visit: &mut dyn FnMut(&DirEntry),
    ) -> Result<bool, EvidenceError> {
        let mut seen = 0usize;
        let mut stack = vec![(dir.clone(), 0usize)];
        while let Some((d, depth)) = stack.pop() {
            let mut entries = self.source.read_dir(&d)?;
            entries.reverse();
            for e in entries {
                seen += 1;
                if seen > max_entries {
                    return Ok(false);
                }
                if e.is_dir {
                    if depth < max_depth {
                        stack.push((e.path.clone(), depth + 1));
                    }
                } else {
                    visit(&e);
                }
            }
        }
        Ok(true)
    }
}

/// How an evidence's container hash is had.
enum WholeHash {
    /// Not hashed as a whole (a folder, an image: every file read from it is).
    None,
    /// Hashed on opening (a zip).
    Known(String),
    /// One file given alone: the hash of its whole read, else hashed on first ask.
    Single { path: WinPath, host: PathBuf, size: u64, hash: std::sync::OnceLock<Option<String>> },
}

impl WholeHash {
    fn single(src: &SingleFileSource) -> WholeHash {
        let (host, path, size) = src.main();
        WholeHash::Single { path: path.clone(), host: host.to_path_buf(), size, hash: std::sync::OnceLock::new() }
    }
}

/// SHA-256 of bytes, lower-case hex. OpenSSL's (already linked for Authenticode): a fifth faster than the sha2
/// crate on this machine, which counts on hives, zips and large logs.
fn sha256_hex(bytes: &[u8]) -> String {
    hex(&openssl::sha::sha256(bytes))
}

/// SHA-256 of a file on the analyst's machine, streamed.
fn hash_file(path: &Path) -> Result<String, EvidenceError> {
    let err = |source| EvidenceError::Open { path: path.into(), source };
    let mut f = std::fs::File::open(path).map_err(err)?;
    let mut h = openssl::sha::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => h.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(err(e)),
        }
    }
    Ok(hex(&h.finish()))
}

/// True when the file starts with `regf`, or is named like a hive (then the registry reader says what is
/// wrong with it rather than the configuration reader).
fn is_hive(path: &Path) -> Result<bool, EvidenceError> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(has_magic(path, b"regf")? || crate::model::HIVE_NAMES.iter().any(|h| h.eq_ignore_ascii_case(&name)))
}

/// True when the file starts with `magic`.
fn has_magic(path: &Path, magic: &[u8]) -> Result<bool, EvidenceError> {
    starts_with_any(path, &[magic])
}

/// True when the file starts with one of `magics` (its head is read once).
fn starts_with_any(path: &Path, magics: &[&[u8]]) -> Result<bool, EvidenceError> {
    let open_err = |source| EvidenceError::Open { path: path.into(), source };
    let len = magics.iter().map(|m| m.len()).max().unwrap_or(0);
    let mut head = Vec::with_capacity(len);
    std::fs::File::open(path).map_err(open_err)?.take(len as u64).read_to_end(&mut head).map_err(open_err)?;
    Ok(magics.iter().any(|m| head.starts_with(m)))
}

/// True when the file starts with a zip local header or end-of-central-directory signature.
fn is_zip(path: &Path) -> Result<bool, EvidenceError> {
    starts_with_any(path, &[b"PK\x03\x04", b"PK\x05\x06"])
}
