//! A zip archive read in place: KAPE and CyLR zips, Velociraptor offline collections (plain, or
//! password-protected with the collection inside `data.zip`).
//!
//! Nothing is extracted to disk. An entry is inflated into memory only when read, under a per-entry cap and a
//! cap on the total inflated for the whole archive, so a zip bomb stops with an error naming the entry.

use super::layout::Layout;
use super::path::WinPath;
use super::{Completeness, DirEntry, EvidenceError, FileMeta, FileSource, OpenOptions, ReadSeek};
use crate::model::Timestamp;
use std::collections::BTreeMap;
use std::io::{self as io, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use zip::ZipArchive;
use zip::result::ZipError;

/// Zip bomb guards.
#[derive(Clone, Copy, Debug)]
pub struct ZipLimits {
    /// Largest single entry inflated into memory.
    pub max_entry: u64,
    /// Most bytes inflated from one archive over the whole scan.
    pub max_total: u64,
}

impl Default for ZipLimits {
    fn default() -> Self {
        ZipLimits { max_entry: 512 * 1024 * 1024, max_total: 8 * 1024 * 1024 * 1024 }
    }
}

#[derive(Clone, Debug)]
struct Entry {
    index: usize,
    raw_name: String,
    size: u64,
    is_dir: bool,
    /// The entry's DOS date and time (no zone; taken as written).
    modified: Option<Timestamp>,
    /// Why the entry cannot be read though it is there (the archive ends inside it).
    damage: Option<String>,
}

/// The reading end of an entry inflated by another thread.
struct QueueReader {
    rx: std::sync::mpsc::Receiver<io::Result<Vec<u8>>>,
    block: Vec<u8>,
    at: usize,
}

impl Read for QueueReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.block.len() {
            match self.rx.recv() {
                Ok(block) => {
                    self.block = block?;
                    self.at = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.block.len() - self.at);
        buf[..n].copy_from_slice(&self.block[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// A zip archive as a [`FileSource`].
pub struct ZipSource {
    path: PathBuf,
    archive: Arc<Mutex<ZipArchive<Box<dyn ReadSeek>>>>,
    layout: Layout,
    /// Files by the case-folded Windows path.
    files: BTreeMap<String, (WinPath, Entry)>,
    /// Folder key → (case-folded child name → entry), for listings. Folders are implied by file paths.
    dirs: BTreeMap<String, BTreeMap<String, DirEntry>>,
    password: Option<Vec<u8>>,
    limits: ZipLimits,
    inflated: Arc<AtomicU64>,
    notes: Vec<String>,
    problems: Vec<String>,
    /// Leading components dropped from every entry name (a collection zipped inside one top folder).
    strip: usize,
}

impl ZipSource {
    /// Opens a zip, indexes its entries and detects its layout.
    pub fn open(path: &Path, opts: &OpenOptions) -> Result<ZipSource, EvidenceError> {
        let file = std::fs::File::open(path).map_err(|source| EvidenceError::Open { path: path.into(), source })?;
        let bad = |e: ZipError| EvidenceError::BadZip { path: path.into(), reason: e.to_string() };
        let password = opts.zip_password.as_ref().map(|p| p.as_bytes().to_vec());
        let mut notes = Vec::new();
        let mut problems = Vec::new();
        let reopen = || file.try_clone().map(|f| Box::new(f) as Box<dyn ReadSeek>);
        let mut cut = None;
        let mut archive = open_archive(&reopen, &mut problems, &mut cut).map_err(bad)?;

        // Velociraptor's protected collections: the real collection is `data.zip`, encrypted with a password or
        // to a certificate described in `metadata.json`.
        let names: Vec<String> = archive.file_names().map(str::to_string).collect();
        if names.iter().any(|n| n == "data.zip") && names.iter().all(|n| n == "data.zip" || n == "metadata.json") {
            if names.iter().any(|n| n == "metadata.json") {
                let meta = read_entry_by_name(&mut archive, "metadata.json", None, 1 << 20).map_err(bad)?;
                if let Some(scheme) = certificate_scheme(&meta) {
                    return Err(EvidenceError::CertificateEncrypted { path: path.into(), scheme });
                }
            }
            let inner = read_inner_zip(&mut archive, "data.zip", password.as_deref(), opts, path)?;
            notes.push("Velociraptor protected collection: read the collection inside data.zip".to_string());
            archive = open_inner(inner, &mut problems, &mut cut).map_err(bad)?;
        } else if let [only] = names.iter().filter(|n| !n.ends_with('/')).collect::<Vec<_>>().as_slice()
            && only.to_ascii_lowercase().ends_with(".zip")
        {
            // A collection zipped again (mailed, or uploaded through a portal): its one entry is the collection.
            // Read in memory like data.zip, one level only.
            let inner = read_inner_zip(&mut archive, only, password.as_deref(), opts, path)?;
            notes.push(format!("a zip inside the zip: read the collection inside {only}"));
            archive = open_inner(inner, &mut problems, &mut cut).map_err(bad)?;
        }

        let mut entries = Vec::new();
        let mut first_encrypted = None;
        for index in 0..archive.len() {
            let Ok(f) = archive.by_index_raw(index) else {
                problems.push(format!("zip entry #{index}: unreadable local header, skipped"));
                continue;
            };
            let raw_name = f.name().to_string();
            if !is_safe_name(&raw_name) {
                problems.push(format!("zip entry {raw_name:?} refused: its path points outside the evidence"));
                continue;
            }
            if f.encrypted() && first_encrypted.is_none() && !f.is_dir() {
                first_encrypted = Some((index, raw_name.clone()));
            }
            entries.push(Entry {
                index,
                raw_name,
                size: f.size(),
                is_dir: f.is_dir(),
                modified: dos_time(f.last_modified()),
                damage: None,
            });
        }
        // The entry a cut archive ends inside is there, unreadable: damage, not absence.
        if let Some((raw_name, offset, size)) = cut.filter(|(n, _, _)| is_safe_name(n)) {
            let damage = format!("the archive ends inside this entry (its local header is at offset {offset})");
            entries.push(Entry {
                index: usize::MAX,
                raw_name,
                size,
                is_dir: false,
                modified: None,
                damage: Some(damage),
            });
        }
        if let Some((index, name)) = first_encrypted {
            let Some(pw) = password.as_deref() else {
                return Err(EvidenceError::PasswordRequired { path: path.into() });
            };
            let check = archive.by_index_decrypt(index, pw).and_then(|mut f| {
                let mut buf = [0u8; 1];
                f.read(&mut buf).map_err(ZipError::Io)
            });
            if let Err(ZipError::InvalidPassword) = check {
                return Err(EvidenceError::WrongPassword { path: path.into(), entry: name });
            }
        }

        // A collection zipped inside one top folder (`KAPE_2024-01-01/C/Windows/...`) is read below that folder.
        let mut strip = 0;
        let mut layout = detect(&entries, 0);
        if layout == Layout::Flat && single_top_folder(&entries) {
            let inner = detect(&entries, 1);
            if inner != Layout::Flat {
                strip = 1;
                layout = inner;
                notes.push("collection read below its single top-level folder".to_string());
            }
        }
        notes.insert(0, format!("zip layout: {}", layout.name()));

        let mut src = ZipSource {
            path: path.into(),
            archive: Arc::new(Mutex::new(archive)),
            layout,
            files: BTreeMap::new(),
            dirs: BTreeMap::new(),
            password,
            limits: opts.zip_limits,
            inflated: Arc::new(AtomicU64::new(0)),
            notes,
            problems,
            strip,
        };
        for e in entries {
            src.index(e);
        }
        // Zips left inside the collection are not opened: say so rather than let their contents look absent.
        let nested: Vec<String> = src
            .files
            .values()
            .filter(|(p, _)| p.file_name().is_some_and(|n| n.to_ascii_lowercase().ends_with(".zip")))
            .map(|(p, _)| p.to_string())
            .collect();
        for p in nested {
            src.problems.push(format!(
                "{p} is a zip inside the collection: it is not opened; give it as evidence of its own to analyse it"
            ));
        }
        Ok(src)
    }

    /// What opening found worth telling (layout, duplicates).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Entries that could not be taken (unsafe names, unreadable headers).
    pub fn problems(&self) -> &[String] {
        &self.problems
    }

    fn index(&mut self, e: Entry) {
        let raw: Vec<&str> = components(&e.raw_name).skip(self.strip).collect();
        if raw.is_empty() {
            return;
        }
        let path = self.layout.map(&raw);
        // Register every ancestor folder so listings work even when the zip has no folder entries.
        let mut dir = path.clone();
        let mut child_is_dir = e.is_dir;
        let mut child_size = e.size;
        while let Some(parent) = dir.parent() {
            let name = dir.file_name().unwrap_or_default().to_string();
            let slot = self.dirs.entry(parent.key()).or_default();
            let fresh = !slot.contains_key(&name.to_lowercase());
            slot.entry(name.to_lowercase()).or_insert_with(|| DirEntry {
                name: name.clone(),
                path: dir.clone(),
                is_dir: child_is_dir,
                size: child_size,
            });
            if !fresh {
                break;
            }
            dir = parent;
            child_is_dir = true;
            child_size = 0;
        }
        if e.is_dir {
            return;
        }
        let key = path.key();
        if let Some((first_path, first)) = self.files.get(&key) {
            // Not something a collector writes: a second copy of the same Windows path (exactly or in another
            // case) may be planted to hide. Loud, with both names and sizes.
            self.problems.push(format!(
                "entry {:?} ({} bytes) has the same Windows path as entry {:?} ({} bytes): {first_path} is read from the first; the second is not analysed",
                e.raw_name, e.size, first.raw_name, first.size
            ));
            return;
        }
        self.files.insert(key, (path, e));
    }

    fn display(&self) -> String {
        self.path.display().to_string()
    }
}

impl FileSource for ZipSource {
    fn layout(&self) -> Layout {
        self.layout.clone()
    }

    fn completeness(&self) -> Completeness {
        Completeness::Triage
    }

    fn metadata(&self, path: &WinPath) -> Result<Option<FileMeta>, EvidenceError> {
        if let Some((_, e)) = self.files.get(&path.key()) {
            return Ok(Some(FileMeta { is_dir: false, size: e.size }));
        }
        Ok(self.dirs.contains_key(&path.key()).then_some(FileMeta { is_dir: true, size: 0 }))
    }

    fn canonical(&self, path: &WinPath) -> Option<WinPath> {
        self.files.get(&path.key()).map(|(p, _)| p.clone())
    }

    fn recorded_time(&self, path: &WinPath) -> Option<Timestamp> {
        self.files.get(&path.key()).and_then(|(_, e)| e.modified)
    }

    fn read_dir(&self, dir: &WinPath) -> Result<Vec<DirEntry>, EvidenceError> {
        let mut v: Vec<DirEntry> = self.dirs.get(&dir.key()).map(|m| m.values().cloned().collect()).unwrap_or_default();
        v.sort_by_key(|e| e.name.to_lowercase());
        Ok(v)
    }

    fn roots(&self) -> Result<Vec<DirEntry>, EvidenceError> {
        let mut out = Vec::new();
        for d in 'A'..='Z' {
            let root = WinPath::drive_root(d);
            if self.dirs.contains_key(&root.key()) {
                out.push(DirEntry { name: root.to_string(), path: root, is_dir: true, size: 0 });
            }
        }
        out.extend(self.read_dir(&WinPath::from_parts::<&str>(None, &[]))?);
        Ok(out)
    }

    fn open(&self, path: &WinPath, limit: u64) -> Result<Box<dyn ReadSeek>, EvidenceError> {
        let evidence = self.display();
        let Some((_, e)) = self.files.get(&path.key()) else {
            return Err(if self.dirs.contains_key(&path.key()) {
                EvidenceError::IsFolder { evidence, file: path.clone() }
            } else {
                EvidenceError::NotFound { evidence, file: path.clone() }
            });
        };
        if let Some(why) = &e.damage {
            return Err(EvidenceError::Read { evidence, file: path.clone(), reason: why.clone() });
        }
        let cap = limit.min(self.limits.max_entry);
        if e.size > cap {
            return Err(EvidenceError::TooLarge { evidence, file: path.clone(), size: e.size, limit: cap });
        }
        let read_err = |reason: String| EvidenceError::Read { evidence: self.display(), file: path.clone(), reason };
        let mut archive =
            self.archive.lock().map_err(|_| read_err("zip reader poisoned by an earlier panic".into()))?;
        let mut f = match &self.password {
            Some(pw) => archive.by_index_decrypt(e.index, pw),
            None => archive.by_index(e.index),
        }
        .map_err(|err| read_err(err.to_string()))?;
        // The declared size may lie: cap what is actually inflated, entry by entry and in total.
        let mut bytes = Vec::with_capacity(e.size.min(cap) as usize);
        (&mut f).take(cap + 1).read_to_end(&mut bytes).map_err(|err| read_err(err.to_string()))?;
        if bytes.len() as u64 > cap {
            return Err(EvidenceError::TooLarge { evidence, file: path.clone(), size: bytes.len() as u64, limit: cap });
        }
        let total = self.inflated.fetch_add(bytes.len() as u64, Ordering::Relaxed) + bytes.len() as u64;
        if total > self.limits.max_total {
            return Err(EvidenceError::InflationLimit { evidence, file: path.clone(), limit: self.limits.max_total });
        }
        Ok(Box::new(Cursor::new(bytes)))
    }

    /// Streams an entry: a thread inflates it block by block into a small queue (the archive locked meanwhile),
    /// so an entry of any size up to `limit` is read in bounded memory; the per-entry cap that bounds in-memory
    /// reads does not apply, the archive's total inflation cap does.
    fn open_stream(&self, path: &WinPath, limit: u64) -> Result<Box<dyn Read + Send>, EvidenceError> {
        let evidence = self.display();
        let Some((_, e)) = self.files.get(&path.key()) else {
            return Err(EvidenceError::NotFound { evidence, file: path.clone() });
        };
        if let Some(why) = &e.damage {
            return Err(EvidenceError::Read { evidence, file: path.clone(), reason: why.clone() });
        }
        if e.size > limit {
            return Err(EvidenceError::TooLarge { evidence, file: path.clone(), size: e.size, limit });
        }
        let (index, archive, password) = (e.index, self.archive.clone(), self.password.clone());
        let (inflated, max_total) = (self.inflated.clone(), self.limits.max_total);
        let (tx, rx) = std::sync::mpsc::sync_channel::<io::Result<Vec<u8>>>(4);
        std::thread::spawn(move || {
            let Ok(mut archive) = archive.lock() else {
                let _ = tx.send(Err(io::Error::other("zip reader poisoned by an earlier panic")));
                return;
            };
            let opened = match &password {
                Some(pw) => archive.by_index_decrypt(index, pw),
                None => archive.by_index(index),
            };
            let mut f = match opened {
                Ok(f) => f.take(limit.saturating_add(1)),
                Err(err) => {
                    let _ = tx.send(Err(io::Error::other(err.to_string())));
                    return;
                }
            };
            loop {
                let mut buf = vec![0u8; 64 << 10];
                match f.read(&mut buf) {
                    Ok(0) => return,
                    Ok(n) => {
                        buf.truncate(n);
                        // The whole archive's inflation cap counts what is really inflated, not declared sizes.
                        if inflated.fetch_add(n as u64, Ordering::Relaxed) + n as u64 > max_total {
                            let _ = tx.send(Err(io::Error::other(format!(
                                "the archive inflates to more than {max_total} bytes in all (zip bomb guard)"
                            ))));
                            return;
                        }
                        if tx.send(Ok(buf)).is_err() {
                            return; // the reader stopped early
                        }
                    }
                    Err(err) => {
                        let _ = tx.send(Err(err));
                        return;
                    }
                }
            }
        });
        Ok(Box::new(QueueReader { rx, block: Vec::new(), at: 0 }))
    }
}

fn components(name: &str) -> impl Iterator<Item = &str> {
    name.split(['/', '\\']).filter(|p| !p.is_empty())
}

/// Detects the layout from the entries' top names after dropping `strip` leading components.
fn detect(entries: &[Entry], strip: usize) -> Layout {
    Layout::detect(
        entries.iter().filter_map(|e| {
            let mut parts = components(&e.raw_name).skip(strip);
            let first = parts.next()?;
            Some((first, e.is_dir || parts.next().is_some()))
        }),
        None,
    )
}

/// True when every entry lies below one and the same top-level folder.
fn single_top_folder(entries: &[Entry]) -> bool {
    let mut tops = entries.iter().map(|e| {
        let mut parts = components(&e.raw_name);
        (parts.next(), e.is_dir || parts.next().is_some())
    });
    let Some((Some(first), true)) = tops.next() else { return false };
    tops.all(|(t, below)| t == Some(first) && below)
}

/// Rejects entry names that are absolute, carry a drive, or climb with `..` (zip slip).
fn is_safe_name(name: &str) -> bool {
    if name.starts_with(['/', '\\']) || name.contains('\0') {
        return false;
    }
    let b = name.as_bytes();
    if b.len() >= 2 && b[1] == b':' {
        return false;
    }
    !name.split(['/', '\\']).any(|c| c == "..")
}

/// Opens an archive by its central directory; one that cannot be read that way (cut, or a damaged tail) is read
/// again from its local headers (`zip_salvage`), and what that lost is said in `problems`. `open` gives a fresh
/// reader over the same bytes each time.
fn open_archive(
    open: &dyn Fn() -> io::Result<Box<dyn ReadSeek>>,
    problems: &mut Vec<String>,
    cut: &mut Option<(String, u64, u64)>,
) -> Result<ZipArchive<Box<dyn ReadSeek>>, ZipError> {
    *cut = None;
    let err = match ZipArchive::new(open()?) {
        Ok(archive) => return Ok(archive),
        Err(e) => e,
    };
    let found = match super::zip_salvage::salvage(open()?)? {
        Ok(found) => found,
        Err(lost) if lost.is_empty() => return Err(err),
        Err(lost) => {
            let why = match &err {
                ZipError::InvalidArchive(m) => m.to_string(),
                e => e.to_string(),
            };
            return Err(ZipError::InvalidArchive(
                format!("{why}; read from its local headers: {}", lost.join("; ")).into(),
            ));
        }
    };
    let n = found.entries;
    problems.push(format!(
        "the archive's central directory is unreadable ({err}): {n} {} read again from their local headers",
        if n == 1 { "entry" } else { "entries" }
    ));
    problems.extend(found.problems);
    *cut = found.cut;
    ZipArchive::new(found.reader)
}

/// An inner collection held in memory, shared by the readers over it.
struct Shared(Arc<Vec<u8>>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// Opens a collection held in memory (see [`open_archive`]).
fn open_inner(
    inner: Vec<u8>,
    problems: &mut Vec<String>,
    cut: &mut Option<(String, u64, u64)>,
) -> Result<ZipArchive<Box<dyn ReadSeek>>, ZipError> {
    let inner = Arc::new(inner);
    open_archive(&|| Ok(Box::new(Cursor::new(Shared(inner.clone()))) as Box<dyn ReadSeek>), problems, cut)
}

fn read_entry_by_name(
    archive: &mut ZipArchive<Box<dyn ReadSeek>>,
    name: &str,
    password: Option<&[u8]>,
    cap: u64,
) -> Result<Vec<u8>, ZipError> {
    let idx = archive.index_for_name(name).ok_or(ZipError::FileNotFound)?;
    let mut f = match password {
        Some(pw) => archive.by_index_decrypt(idx, pw)?,
        None => archive.by_index(idx)?,
    };
    let mut out = Vec::new();
    (&mut f).take(cap + 1).read_to_end(&mut out)?;
    if out.len() as u64 > cap {
        return Err(ZipError::UnsupportedArchive("inner collection larger than the entry size limit"));
    }
    Ok(out)
}

/// The encryption scheme named in Velociraptor's `metadata.json`, when the collection is encrypted to a key.
fn certificate_scheme(meta: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(meta).ok()?;
    let first = v.as_array().and_then(|a| a.first()).unwrap_or(&v);
    first.get("EncryptedPass")?;
    Some(first.get("Scheme").and_then(|s| s.as_str()).unwrap_or("unknown").to_string())
}

/// A zip entry's DOS date and time as a timestamp (the zone is unknown: it is taken as written).
fn dos_time(t: Option<zip::DateTime>) -> Option<Timestamp> {
    let t = t?;
    let date = chrono::NaiveDate::from_ymd_opt(i32::from(t.year()), u32::from(t.month()), u32::from(t.day()))?;
    let time = date.and_hms_opt(u32::from(t.hour()), u32::from(t.minute()), u32::from(t.second()))?;
    Timestamp::from_chrono(&time.and_utc())
}

/// Reads a zip entry that is itself the collection (Velociraptor's `data.zip`, a collection zipped again) into
/// memory, bounded by the largest entry allowed; a password problem is named as such.
fn read_inner_zip(
    archive: &mut ZipArchive<Box<dyn ReadSeek>>,
    name: &str,
    password: Option<&[u8]>,
    opts: &OpenOptions,
    path: &Path,
) -> Result<Vec<u8>, EvidenceError> {
    match read_entry_by_name(archive, name, password, opts.zip_limits.max_entry) {
        Ok(b) => Ok(b),
        Err(ZipError::UnsupportedArchive(m)) if m == ZipError::PASSWORD_REQUIRED => {
            Err(EvidenceError::PasswordRequired { path: path.into() })
        }
        Err(ZipError::InvalidPassword) => Err(EvidenceError::WrongPassword { path: path.into(), entry: name.into() }),
        Err(e) => Err(EvidenceError::BadZip { path: path.into(), reason: e.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use super::is_safe_name;

    #[test]
    fn rejects_zip_slip_names() {
        assert!(is_safe_name("C/Windows/System32/config/SYSTEM"));
        assert!(is_safe_name("uploads/auto/C%3A/x"));
        assert!(!is_safe_name("../evil.dll"));
        assert!(!is_safe_name("C/../../evil.dll"));
        assert!(!is_safe_name("/etc/passwd"));
        assert!(!is_safe_name("\\Windows\\x"));
        assert!(!is_safe_name("C:/Windows/x"));
    }
}
