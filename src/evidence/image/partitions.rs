//! The volumes of a disk: an MBR (with its extended partitions), a GPT, or a bare volume with no partition table.
//! Tables are read with `mbrman` and `gpt`; each volume's first bytes then tell its file system.

use crate::evidence::ReadSeek;
use crate::model::ParseError;
use serde::Serialize;
use std::io::{self, Read, Seek, SeekFrom, Write};

const SECTOR: u64 = 512;

/// The file system a volume holds, from its boot sector or superblock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VolumeKind {
    /// NTFS (`NTFS    ` OEM id).
    Ntfs,
    /// FAT12/16/32 or exFAT.
    Fat,
    /// ext2/3/4.
    Ext,
    /// Anything else.
    Unknown,
}

impl VolumeKind {
    /// The name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            VolumeKind::Ntfs => "NTFS",
            VolumeKind::Fat => "FAT",
            VolumeKind::Ext => "ext2/3/4",
            VolumeKind::Unknown => "unknown data",
        }
    }
}

/// One volume of a disk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Volume {
    /// Partition number (1-based, MBR logical partitions from 5), `None` for a bare volume.
    pub partition: Option<usize>,
    /// `mbr`, `gpt` or `none`.
    pub scheme: &'static str,
    /// Byte offset on the disk.
    pub start: u64,
    /// Length in bytes the image holds (less than `declared_len` when the image is cut inside the volume).
    pub len: u64,
    /// Length in bytes the partition table gives it.
    pub declared_len: u64,
    /// What it holds.
    pub kind: VolumeKind,
    /// The partition type (MBR type byte or GPT type name) or GPT partition name.
    pub label: String,
}

/// Finds the volumes of a disk of `size` bytes. A disk whose first sector is a volume boot record is one bare
/// volume; otherwise its partition table is read. Table parsers run behind `catch_unwind`: hostile tables give an
/// error, not a crash.
pub fn volumes(disk: &mut dyn ReadSeek, size: u64) -> Result<Vec<Volume>, ParseError> {
    let bare = kind_at(disk, 0)?;
    if bare != VolumeKind::Unknown {
        let label = "no partition table".to_string();
        let declared_len = size;
        return Ok(vec![Volume {
            partition: None,
            scheme: "none",
            start: 0,
            len: size,
            declared_len,
            kind: bare,
            label,
        }]);
    }
    let mbr = crate::model::contain(|| mbrman::MBR::read_from(disk, SECTOR as u32))
        .map_err(|m| format!("the MBR parser failed on this disk ({m})"))?
        .map_err(|e| format!("no partition table or volume found ({e})"))?;
    let mut found = Vec::new();
    if mbr.iter().any(|(_, p)| p.sys == 0xee) {
        let gpt = crate::model::contain(|| {
            gpt::GptConfig::new()
                .writable(false)
                .logical_block_size(gpt::disk::LogicalBlockSize::Lb512)
                .open_from_device(ReadOnly(&mut *disk))
                .map(|g| g.partitions().clone())
        })
        .map_err(|m| format!("the GPT parser failed on this disk ({m})"))?
        .map_err(|e| format!("protective MBR but no readable GPT: {e}"))?;
        for (n, p) in gpt {
            let (start, end) = (p.first_lba * SECTOR, (p.last_lba + 1) * SECTOR);
            // A partition running past the image's end is kept (a cut image): what the image holds of it is read.
            if p.first_lba == 0 || end <= start || start >= size {
                continue;
            }
            let label = if p.name.is_empty() { format!("{:?}", p.part_type_guid.os) } else { p.name.clone() };
            let kind = kind_at(disk, start)?;
            let (len, declared_len) = (end.min(size) - start, end - start);
            found.push(Volume { partition: Some(n as usize), scheme: "gpt", start, len, declared_len, kind, label });
        }
    } else {
        for (n, p) in mbr.iter() {
            // Extended containers hold logical partitions, which mbrman lists on their own (5 and up).
            if p.is_unused() || matches!(p.sys, 0x05 | 0x0f | 0x85) {
                continue;
            }
            let start = u64::from(p.starting_lba) * SECTOR;
            let len = u64::from(p.sectors) * SECTOR;
            if start == 0 || start >= size {
                continue;
            }
            let kind = kind_at(disk, start)?;
            let declared_len = len;
            let len = len.min(size - start);
            found.push(Volume {
                partition: Some(n),
                scheme: "mbr",
                start,
                len,
                declared_len,
                kind,
                label: format!("type 0x{:02x}", p.sys),
            });
        }
    }
    found.sort_by_key(|v| v.start);
    Ok(found)
}

/// What file system starts at `offset`.
fn kind_at(disk: &mut dyn ReadSeek, offset: u64) -> Result<VolumeKind, ParseError> {
    let mut head = Vec::with_capacity(2048);
    disk.seek(SeekFrom::Start(offset)).map_err(|e| e.to_string())?;
    disk.take(2048).read_to_end(&mut head).map_err(|e| e.to_string())?;
    let got = head.len();
    if got < 512 {
        return Ok(VolumeKind::Unknown);
    }
    let boot = head[510] == 0x55 && head[511] == 0xaa;
    Ok(if &head[3..11] == b"NTFS    " {
        VolumeKind::Ntfs
    } else if boot && (&head[54..57] == b"FAT" || &head[82..87] == b"FAT32" || &head[3..11] == b"EXFAT   ") {
        VolumeKind::Fat
    } else if got >= 1082 && head[1080] == 0x53 && head[1081] == 0xef {
        VolumeKind::Ext
    } else {
        VolumeKind::Unknown
    })
}

/// The `gpt` crate wants a writable device even to read; this one refuses every write.
struct ReadOnly<'a>(&'a mut dyn ReadSeek);

impl std::fmt::Debug for ReadOnly<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("read-only disk")
    }
}

impl Read for ReadOnly<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Seek for ReadOnly<'_> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.0.seek(to)
    }
}

impl Write for ReadOnly<'_> {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::new(io::ErrorKind::PermissionDenied, "evidence is read-only"))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
