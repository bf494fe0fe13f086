//! Disk images as read-only `Read + Seek` disks: raw and split raw, E01 (EWF, split segments too), VHD (fixed,
//! dynamic, differencing), VHDX and VMDK. The format is told by content, never by the file name. Nothing is loaded whole:
//! parsers read what they ask for, through a small block cache.

mod cache;
pub mod partitions;
mod vhd;

pub use cache::BlockCache;
pub use partitions::{Volume, VolumeKind};

use super::ReadSeek;
use crate::model::ParseError;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// A container format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageFormat {
    /// A raw (dd) image.
    Raw,
    /// A raw image split into `.001`, `.002`, ... segments.
    SplitRaw,
    /// Expert Witness (EnCase E01), one or more segments.
    Ewf,
    /// Virtual PC / Hyper-V VHD.
    Vhd,
    /// Hyper-V VHDX.
    Vhdx,
    /// VMware VMDK (sparse, flat or a descriptor with its extents, snapshot chains).
    Vmdk,
}

impl ImageFormat {
    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            ImageFormat::Raw => "raw",
            ImageFormat::SplitRaw => "split raw",
            ImageFormat::Ewf => "E01",
            ImageFormat::Vhd => "VHD",
            ImageFormat::Vhdx => "VHDX",
            ImageFormat::Vmdk => "VMDK",
        }
    }
}

/// An opened image: its virtual disk and what opening it found.
pub struct Disk {
    /// The container format.
    pub format: ImageFormat,
    /// Size of the virtual disk in bytes.
    pub size: u64,
    /// The virtual disk.
    pub reader: Box<dyn ReadSeek>,
    /// What is worth telling: segments, the VHD chain, the EWF media size.
    pub notes: Vec<String>,
    /// What is wrong with it that the analyst must hear (an E01 whose media does not hash to its stored value).
    pub problems: Vec<String>,
}

/// Tells whether a file is a disk image, by its first and last bytes.
pub fn detect(path: &Path) -> io::Result<Option<ImageFormat>> {
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    let mut head = vec![0u8; 4096.min(len as usize)];
    f.read_exact(&mut head)?;
    if head.starts_with(b"EVF\x09\x0d\x0a\xff\x00") || head.starts_with(b"EVF2\x0d\x0a\x81\x00") {
        return Ok(Some(ImageFormat::Ewf));
    }
    if head.starts_with(b"vhdxfile") {
        return Ok(Some(ImageFormat::Vhdx));
    }
    if head.starts_with(b"KDMV") || head.starts_with(b"COWD") || head.starts_with(b"# Disk DescriptorFile") {
        return Ok(Some(ImageFormat::Vmdk));
    }
    if vhd::is_vhd(&mut f)? {
        return Ok(Some(ImageFormat::Vhd));
    }
    // Raw: a boot sector (MBR, protective MBR, or a volume boot record) and a whole number of sectors, or a disk
    // image's name (a cut image ends mid-sector; a fixed VHD cut before its footer is the raw disk it holds).
    let boot = head.len() >= 512 && head[510] == 0x55 && head[511] == 0xaa;
    let named = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["raw", "dd", "img", "001", "vhd", "bin", "image"].iter().any(|x| e.eq_ignore_ascii_case(x)));
    if boot && (len % 512 == 0 || named) {
        let split = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("001"));
        return Ok(Some(if split { ImageFormat::SplitRaw } else { ImageFormat::Raw }));
    }
    Ok(None)
}

/// Opens an image's virtual disk.
pub fn open(path: &Path, format: ImageFormat) -> Result<Disk, ParseError> {
    open_with(path, format, false)
}

/// Opens an image's virtual disk; with `verify`, an E01's media is read whole and hashed against the MD5 and SHA-1
/// stored at acquisition (what `ewfverify` does), else those stored hashes are reported as not verified.
pub fn open_with(path: &Path, format: ImageFormat, verify: bool) -> Result<Disk, ParseError> {
    let mut notes = Vec::new();
    let mut problems = Vec::new();
    let (reader, size): (Box<dyn ReadSeek>, u64) = match format {
        ImageFormat::Raw => {
            let f = std::fs::File::open(path).map_err(|e| e.to_string())?;
            let size = f.metadata().map_err(|e| e.to_string())?.len();
            if size % 512 != 0 {
                problems.push(format!(
                    "{size} bytes, not a whole number of 512-byte sectors: the image is cut (or is not a raw disk)"
                ));
            }
            (Box::new(f), size)
        }
        ImageFormat::SplitRaw => {
            let split = Split::open(path).map_err(|e| e.to_string())?;
            notes.push(format!("split raw image: {} segments", split.parts.len()));
            let size = split.size;
            (Box::new(split), size)
        }
        ImageFormat::Ewf => {
            let r = ewf::EwfReader::open(path).map_err(|e| e.to_string())?;
            let size = r.total_size();
            notes.push(format!("E01: {size} bytes of media"));
            // The acquisition's own hashes and case data: what vouches for the image (it is not re-hashed).
            let hashes = r.stored_hashes();
            if let Some(md5) = hashes.md5 {
                notes.push(format!("E01 acquisition MD5: {}", super::hex(&md5)));
            }
            if let Some(sha1) = hashes.sha1 {
                notes.push(format!("E01 acquisition SHA-1: {}", super::hex(&sha1)));
            }
            match (hashes.md5.is_some() || hashes.sha1.is_some(), verify) {
                (false, _) => notes.push("E01: no acquisition hash stored".into()),
                (true, false) => notes.push(
                    "E01 acquisition hashes not verified in this run (--verify-images reads the whole media and checks them)"
                        .into(),
                ),
                (true, true) => match r.verify() {
                    Ok(v) => {
                        for (what, matched) in [("MD5", v.md5_match), ("SHA-1", v.sha1_match)] {
                            match matched {
                                Some(true) => notes.push(format!("E01 acquisition {what} verified: the media hashes to the stored value")),
                                Some(false) => problems.push(format!(
                                    "E01 acquisition {what} does not match the media (computed MD5 {}): the image changed since acquisition or is damaged",
                                    super::hex(&v.computed_md5)
                                )),
                                None => {}
                            }
                        }
                    }
                    Err(e) => problems.push(format!("E01 acquisition hashes could not be verified: {e}")),
                },
            }
            let m = r.metadata();
            for (what, v) in [
                ("case", &m.case_number),
                ("evidence", &m.evidence_number),
                ("examiner", &m.examiner),
                ("acquired", &m.acquiry_date),
            ] {
                if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                    notes.push(format!("E01 {what}: {v} (as stored)"));
                }
            }
            if !r.acquisition_errors().is_empty() {
                notes.push(format!(
                    "E01: {} sector ranges could not be read at acquisition",
                    r.acquisition_errors().len()
                ));
            }
            (Box::new(r), size)
        }
        ImageFormat::Vhd => {
            let v = vhd::Vhd::open(path).map_err(|e| e.to_string())?;
            notes.push(format!("VHD ({}): {}", v.disk_type, v.chain.join(" -> ")));
            problems.extend(v.cut.iter().cloned());
            let size = v.size();
            (Box::new(v), size)
        }
        ImageFormat::Vhdx => {
            let v = vhdx::VhdxReader::open(path).map_err(|e| e.to_string())?;
            let size = v.virtual_disk_size();
            (Box::new(v), size)
        }
        ImageFormat::Vmdk => {
            let v = vmdk::VmdkChainReader::open(path).map_err(|e| e.to_string())?;
            let size = v.virtual_disk_size();
            (Box::new(v), size)
        }
    };
    Ok(Disk { format, size, reader: Box::new(BlockCache::new(reader, size)), notes, problems })
}

/// The new position of a seek within `size` bytes.
pub(crate) fn seek_to(pos: u64, size: u64, to: SeekFrom) -> io::Result<u64> {
    let target = match to {
        SeekFrom::Start(n) => Some(n),
        SeekFrom::End(d) => size.checked_add_signed(d),
        SeekFrom::Current(d) => pos.checked_add_signed(d),
    };
    target.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))
}

/// A raw image split into numbered segments (`disk.001`, `disk.002`, ...), read as one.
struct Split {
    parts: Vec<(std::fs::File, u64, u64)>,
    size: u64,
    pos: u64,
}

impl Split {
    fn open(first: &Path) -> io::Result<Split> {
        let stem = first.with_extension("");
        let mut parts = Vec::new();
        let mut start = 0;
        for n in 1..10_000 {
            let p: PathBuf = PathBuf::from(format!("{}.{n:03}", stem.display()));
            let Ok(f) = std::fs::File::open(&p) else { break };
            let len = f.metadata()?.len();
            parts.push((f, start, len));
            start += len;
        }
        Ok(Split { parts, size: start, pos: 0 })
    }
}

impl Read for Split {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let pos = self.pos;
        let Some((f, start, len)) = self.parts.iter_mut().find(|(_, s, l)| pos >= *s && pos < *s + *l) else {
            return Ok(0);
        };
        let n = buf.len().min((*start + *len - pos) as usize);
        f.seek(SeekFrom::Start(pos - *start))?;
        let got = f.read(&mut buf[..n])?;
        self.pos += got as u64;
        Ok(got)
    }
}

impl Seek for Split {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.pos = seek_to(self.pos, self.size, to)?;
        Ok(self.pos)
    }
}

/// A window of a disk: one partition, as a volume starting at 0.
pub struct Window<R> {
    inner: R,
    start: u64,
    len: u64,
    pos: u64,
}

impl<R: Read + Seek> Window<R> {
    /// The `len` bytes from `start`.
    pub fn new(inner: R, start: u64, len: u64) -> Window<R> {
        Window { inner, start, len, pos: 0 }
    }
}

impl<R: Read + Seek> Read for Window<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.len {
            return Ok(0);
        }
        let n = buf.len().min((self.len - self.pos) as usize);
        self.inner.seek(SeekFrom::Start(self.start + self.pos))?;
        let got = self.inner.read(&mut buf[..n])?;
        self.pos += got as u64;
        Ok(got)
    }
}

impl<R: Read + Seek> Seek for Window<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.pos = seek_to(self.pos, self.len, to)?;
        Ok(self.pos)
    }
}

/// A disk shared by the volumes read from it, each with its own position.
#[derive(Clone)]
pub struct SharedDisk {
    inner: std::sync::Arc<std::sync::Mutex<Box<dyn ReadSeek>>>,
    size: u64,
    pos: u64,
}

impl SharedDisk {
    /// Shares `disk`.
    pub fn new(disk: Disk) -> SharedDisk {
        SharedDisk { inner: std::sync::Arc::new(std::sync::Mutex::new(disk.reader)), size: disk.size, pos: 0 }
    }
}

impl Read for SharedDisk {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut disk = self.inner.lock().map_err(|_| io::Error::other("disk reader poisoned"))?;
        disk.seek(SeekFrom::Start(self.pos))?;
        let n = disk.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for SharedDisk {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.pos = seek_to(self.pos, self.size, to)?;
        Ok(self.pos)
    }
}

/// What an image holds for the analysis: the NTFS volume with Windows on it (or the first NTFS volume), and
/// what was found on the others.
pub struct Opened {
    /// The volume to analyse.
    pub source: super::NtfsSource,
    /// Notes: format, volumes found, which one was chosen.
    pub notes: Vec<String>,
    /// Problems with the image itself (a stored hash that does not match).
    pub problems: Vec<String>,
}

/// Opens an image and picks its Windows volume. Fails, naming the image and each volume, when none is NTFS.
pub fn open_windows_volume(path: &Path, format: ImageFormat, verify: bool) -> Result<Opened, ParseError> {
    let disk = open_with(path, format, verify)?;
    let mut problems = disk.problems.clone();
    let mut notes = vec![format!("{} image, {} bytes", format.name(), disk.size)];
    notes.extend(disk.notes.iter().cloned());
    let shared = SharedDisk::new(disk);
    let vols = partitions::volumes(&mut shared.clone(), shared.size)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let describe = |v: &Volume| match v.partition {
        Some(n) => format!(
            "partition {n} ({}, {}, at byte {}, {} bytes): {}",
            v.scheme,
            v.label,
            v.start,
            v.len,
            v.kind.name()
        ),
        None => format!("the whole disk (no partition table, {} bytes): {}", v.len, v.kind.name()),
    };
    if vols.is_empty() {
        return Err(format!("{name}: no partition table and no volume found").into());
    }
    // The first NTFS volume, unless a later one holds Windows (and the chosen one does not).
    let mut unreadable = Vec::new();
    let mut chosen: Option<(super::NtfsSource, &Volume, bool)> = None;
    for v in vols.iter().filter(|v| v.kind == VolumeKind::Ntfs) {
        let label = match v.partition {
            Some(n) => format!("{name}, partition {n}"),
            None => name.clone(),
        };
        let window = Window::new(shared.clone(), v.start, v.len);
        let src = match super::NtfsSource::open(Box::new(window), 'C', &label) {
            Ok(s) => s,
            Err(e) => {
                unreadable.push(format!("{}: NTFS volume unreadable: {e}", describe(v)));
                continue;
            }
        };
        let windows = has_windows(&src);
        if chosen.as_ref().is_none_or(|(_, _, had)| windows && !had) {
            chosen = Some((src, v, windows));
        }
    }
    for v in &vols {
        if v.declared_len > v.len {
            problems.push(format!(
                "{}: the partition table gives it {} bytes, the image ends {} bytes into it (the image is cut): what lies past byte {} of the image cannot be read",
                describe(v),
                v.declared_len,
                v.len,
                v.start + v.len
            ));
        }
        let picked = chosen.as_ref().is_some_and(|(_, c, _)| c.start == v.start);
        notes.push(format!("{}{}", describe(v), if picked { " — analysed as C:" } else { "" }));
    }
    match chosen {
        Some((source, _, _)) => {
            notes.extend(unreadable);
            if let Some(label) = source.volume_name() {
                notes.push(format!("volume label: {label}"));
            }
            Ok(Opened { source, notes, problems })
        }
        // No volume to read: everything learnt on the way is the error (a cut image, an unreadable volume).
        None if !unreadable.is_empty() => Err(format!("{name}: {}", [unreadable, problems].concat().join("; ")).into()),
        None => Err(format!(
            "{name}: no NTFS volume ({}); inetsift reads Windows hosts from NTFS only",
            vols.iter().map(describe).collect::<Vec<_>>().join("; ")
        )
        .into()),
    }
}

/// Whether a volume holds `Windows\System32\config`.
fn has_windows(src: &super::NtfsSource) -> bool {
    matches!(
        super::FileSource::metadata(src, &crate::evidence::WinPath::parse(r"C:\Windows\System32\config")),
        Ok(Some(m)) if m.is_dir
    )
}
