//! VHD (Virtual PC / Hyper-V generation 1) images: fixed, dynamic and differencing, read in place.
//!
//! Written here rather than on the `vhd` crate: that crate reads the whole image into memory on open and refuses
//! differencing disks, and KAPE and Hyper-V both produce differencing chains. Layout after Microsoft's "Virtual
//! Hard Disk Image Format Specification": a 512-byte big-endian footer at the end (`conectix`), for dynamic and
//! differencing disks a 1 KiB header (`cxsparse`) with the block allocation table; each allocated block starts with a
//! sector bitmap. In a differencing disk, a clear bit (or an unallocated block) means "read the parent".

use crate::evidence::ReadSeek;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

const SECTOR: u64 = 512;
/// Chains deeper than this are refused (a loop of parents, or a hostile image).
const MAX_DEPTH: usize = 16;
/// Block allocation tables larger than this are refused (2 TiB of 2 MiB blocks is 1 Mi entries).
const MAX_BAT_ENTRIES: u32 = 1 << 22;

/// Problems with a VHD file.
#[derive(Debug, thiserror::Error)]
pub enum VhdError {
    #[error("{0}: not a VHD (no `conectix` footer)")]
    NotVhd(PathBuf),
    #[error("{path}: {reason}")]
    Bad { path: PathBuf, reason: String },
    #[error("{child}: its parent disk {parent:?} is not beside it (a differencing VHD needs its whole chain)")]
    MissingParent { child: PathBuf, parent: String },
    #[error("{0}: I/O error: {1}")]
    Io(PathBuf, io::Error),
}

/// Whether the file ends (or, for dynamic disks, starts) with a VHD footer.
pub fn is_vhd(f: &mut dyn ReadSeek) -> io::Result<bool> {
    let len = f.seek(SeekFrom::End(0))?;
    if len < SECTOR {
        return Ok(false);
    }
    let mut cookie = [0u8; 8];
    f.seek(SeekFrom::Start(len - SECTOR))?;
    f.read_exact(&mut cookie)?;
    if &cookie == b"conectix" {
        return Ok(true);
    }
    f.seek(SeekFrom::Start(0))?;
    f.read_exact(&mut cookie)?;
    Ok(&cookie == b"conectix")
}

enum Kind {
    Fixed,
    Sparse { bat: Vec<u32>, block_size: u64, bitmap_size: u64, parent: Option<Box<Vhd>> },
}

/// A VHD's virtual disk as `Read + Seek`.
pub struct Vhd {
    file: std::fs::File,
    kind: Kind,
    size: u64,
    pos: u64,
    /// The sector bitmap of the last block read: (block, bitmap).
    bitmap: Option<(u64, Vec<u8>)>,
    /// Disk type, for the report: `fixed`, `dynamic`, `differencing`.
    pub disk_type: &'static str,
    /// The chain below this disk, parents last (file names).
    pub chain: Vec<String>,
    /// For each file of the chain cut short: which of its blocks lie past its end (they read as the end of the disk).
    pub cut: Vec<String>,
}

impl Vhd {
    /// Opens a VHD and, for a differencing disk, its parents (found by name in the same folder).
    pub fn open(path: &Path) -> Result<Vhd, VhdError> {
        Self::open_depth(path, 0)
    }

    fn open_depth(path: &Path, depth: usize) -> Result<Vhd, VhdError> {
        let io_err = |e| VhdError::Io(path.into(), e);
        let bad = |reason: String| VhdError::Bad { path: path.into(), reason };
        let mut file = std::fs::File::open(path).map_err(io_err)?;
        let len = file.seek(SeekFrom::End(0)).map_err(io_err)?;
        if len < SECTOR {
            return Err(VhdError::NotVhd(path.into()));
        }
        let mut footer = [0u8; 512];
        file.seek(SeekFrom::Start(len - SECTOR)).map_err(io_err)?;
        file.read_exact(&mut footer).map_err(io_err)?;
        if &footer[..8] != b"conectix" {
            // A dynamic disk whose tail was lost still has the footer's copy at its start.
            file.seek(SeekFrom::Start(0)).map_err(io_err)?;
            file.read_exact(&mut footer).map_err(io_err)?;
            if &footer[..8] != b"conectix" {
                return Err(VhdError::NotVhd(path.into()));
            }
        }
        let size = be64(&footer, 48);
        let disk_type = be32(&footer, 60);
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if disk_type == 2 {
            let cut = (len < size.saturating_add(SECTOR))
                .then(|| format!("{name}: a fixed disk of {size} bytes, but the file holds {len}: the image is cut"))
                .into_iter()
                .collect();
            return Ok(Vhd {
                file,
                kind: Kind::Fixed,
                size,
                pos: 0,
                bitmap: None,
                disk_type: "fixed",
                chain: vec![name],
                cut,
            });
        }
        if disk_type != 3 && disk_type != 4 {
            return Err(bad(format!("unknown disk type {disk_type}")));
        }
        let mut header = [0u8; 1024];
        file.seek(SeekFrom::Start(be64(&footer, 16))).map_err(io_err)?;
        file.read_exact(&mut header).map_err(|e| bad(format!("dynamic header unreadable: {e}")))?;
        if &header[..8] != b"cxsparse" {
            return Err(bad("no dynamic disk header (`cxsparse`)".into()));
        }
        let entries = be32(&header, 28);
        let block_size = u64::from(be32(&header, 32));
        if entries > MAX_BAT_ENTRIES || block_size < SECTOR || !block_size.is_power_of_two() {
            return Err(bad(format!("implausible block table: {entries} entries of {block_size} bytes")));
        }
        let mut raw = vec![0u8; entries as usize * 4];
        file.seek(SeekFrom::Start(be64(&header, 16))).map_err(io_err)?;
        file.read_exact(&mut raw).map_err(|e| bad(format!("block table unreadable: {e}")))?;
        let bat: Vec<u32> = raw.chunks_exact(4).map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]])).collect();
        let bitmap_size = (block_size / SECTOR).div_ceil(8).div_ceil(SECTOR) * SECTOR;
        // Blocks the table places past the file's end: the file was cut (a copy or an upload that stopped).
        let past = bat.iter().filter(|&&e| e != u32::MAX && u64::from(e) * SECTOR + bitmap_size + block_size > len);
        let (lost, first) = past.fold((0usize, u64::MAX), |(n, f), &e| (n + 1, f.min(u64::from(e) * SECTOR)));
        let mut cut = Vec::new();
        if lost > 0 {
            let used = bat.iter().filter(|&&e| e != u32::MAX).count();
            cut.push(format!(
                "{name}: {lost} of its {used} allocated blocks lie past the file's end ({len} bytes; the first at byte {first}): the image is cut, and what they held cannot be read"
            ));
        }
        let mut chain = vec![name];
        let parent = if disk_type == 4 {
            if depth >= MAX_DEPTH {
                return Err(bad(format!("differencing chain deeper than {MAX_DEPTH}")));
            }
            let parent_name = parent_name(&header);
            let dir = path.parent().unwrap_or(Path::new("."));
            let found = std::fs::read_dir(dir).ok().and_then(|entries| {
                entries.filter_map(Result::ok).map(|e| e.path()).find(|p| {
                    p.file_name().is_some_and(|n| n.to_string_lossy().eq_ignore_ascii_case(&parent_name)) && p != path
                })
            });
            let Some(parent_path) = found else {
                return Err(VhdError::MissingParent { child: path.into(), parent: parent_name });
            };
            let parent = Vhd::open_depth(&parent_path, depth + 1)?;
            chain.extend(parent.chain.iter().cloned());
            cut.extend(parent.cut.iter().cloned());
            Some(Box::new(parent))
        } else {
            None
        };
        Ok(Vhd {
            file,
            kind: Kind::Sparse { bat, block_size, bitmap_size, parent },
            size,
            pos: 0,
            bitmap: None,
            disk_type: if disk_type == 4 { "differencing" } else { "dynamic" },
            chain,
            cut,
        })
    }

    /// The virtual disk size.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Reads at the current position, within one block.
    fn read_here(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let pos = self.pos;
        let (bat, block_size, bitmap_size, parent) = match &mut self.kind {
            Kind::Fixed => {
                self.file.seek(SeekFrom::Start(pos))?;
                return self.file.read(buf);
            }
            Kind::Sparse { bat, block_size, bitmap_size, parent } => (bat, *block_size, *bitmap_size, parent),
        };
        let block = pos / block_size;
        let within = pos % block_size;
        // One sector at a time in differencing disks (each sector may come from either disk); up to the block's
        // end otherwise.
        let span = if parent.is_some() { SECTOR - within % SECTOR } else { block_size - within };
        let n = buf.len().min(span as usize);
        let entry = bat.get(block as usize).copied().unwrap_or(u32::MAX);
        if entry == u32::MAX {
            return match parent {
                Some(p) => read_parent(p, pos, &mut buf[..n]),
                None => {
                    buf[..n].fill(0);
                    Ok(n)
                }
            };
        }
        let block_start = u64::from(entry) * SECTOR;
        if let Some(p) = parent {
            if self.bitmap.as_ref().is_none_or(|(b, _)| *b != block) {
                let mut bm = vec![0u8; bitmap_size as usize];
                self.file.seek(SeekFrom::Start(block_start))?;
                self.file.read_exact(&mut bm)?;
                self.bitmap = Some((block, bm));
            }
            let sector = (within / SECTOR) as usize;
            let here = self
                .bitmap
                .as_ref()
                .is_some_and(|(_, bm)| bm.get(sector / 8).is_some_and(|b| b & (0x80 >> (sector % 8)) != 0));
            if !here {
                return read_parent(p, pos, &mut buf[..n]);
            }
        }
        self.file.seek(SeekFrom::Start(block_start + bitmap_size + within))?;
        self.file.read(&mut buf[..n])
    }
}

fn read_parent(parent: &mut Vhd, pos: u64, buf: &mut [u8]) -> io::Result<usize> {
    parent.seek(SeekFrom::Start(pos))?;
    parent.read(buf)
}

impl Read for Vhd {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.size || buf.is_empty() {
            return Ok(0);
        }
        let max = ((self.size - self.pos) as usize).min(buf.len());
        let n = self.read_here(&mut buf[..max])?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Vhd {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.pos = super::seek_to(self.pos, self.size, to)?;
        Ok(self.pos)
    }
}

/// The parent's file name: the header's Unicode name (UTF-16BE), else a platform locator's path.
fn parent_name(header: &[u8]) -> String {
    let units: Vec<u16> =
        header[64..576].chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).take_while(|&u| u != 0).collect();
    let name = String::from_utf16_lossy(&units);
    name.rsplit(['\\', '/']).next().unwrap_or(&name).to_string()
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn be64(b: &[u8], at: usize) -> u64 {
    u64::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3], b[at + 4], b[at + 5], b[at + 6], b[at + 7]])
}
