//! The base block (file header) of a hive or of a transaction log, as described in "Windows registry file
//! format specification" (Maxim Suhanov), section "Base block".

use crate::evidence::bytes::Bytes;
use crate::model::ParseError;

/// Length of a primary file's base block; hive bins data starts here.
pub const BASE_BLOCK_LEN: usize = 4096;
/// Offset of the XOR-32 checksum, which covers the 508 bytes before it.
const CHECKSUM_OFFSET: usize = 508;

/// The base block fields inetsift uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseBlock {
    /// Incremented at the start of a write.
    pub primary_seq: u32,
    /// Incremented at the end of a write; differs from `primary_seq` in a dirty hive.
    pub secondary_seq: u32,
    /// FILETIME of the last write.
    pub last_written: u64,
    /// 0 primary file, 1 transaction log (old format), 6 transaction log (new format).
    pub file_type: u32,
    /// Size of the hive bins data in bytes.
    pub hive_bins_size: u32,
    /// Whether the stored checksum matches.
    pub checksum_ok: bool,
}

impl BaseBlock {
    /// Reads the base block at the start of `bytes` (only the first sector is needed: logs hold no more).
    pub fn parse(bytes: &[u8]) -> Result<BaseBlock, ParseError> {
        if let Some(sig) = bytes.get(..4).map(|s| [s[0], s[1], s[2], s[3]])
            && &sig != b"regf"
        {
            return Err(ParseError::at_offset(
                0,
                format!("no 'regf' signature (found {sig:02x?}): not a registry hive"),
            ));
        }
        if bytes.len() < 512 {
            return Err(ParseError::new(format!("{} bytes: too short to hold a registry base block", bytes.len())));
        }
        let b = Bytes::new(bytes);
        Ok(BaseBlock {
            primary_seq: b.u32(4)?,
            secondary_seq: b.u32(8)?,
            last_written: b.u64(12)?,
            file_type: b.u32(28)?,
            hive_bins_size: b.u32(40)?,
            checksum_ok: checksum(bytes) == b.u32(CHECKSUM_OFFSET)?,
        })
    }

    /// A hive is dirty when its sequence numbers differ or its checksum is wrong.
    pub fn is_dirty(&self) -> bool {
        self.primary_seq != self.secondary_seq || !self.checksum_ok
    }
}

/// XOR-32 of the first 508 bytes. Per the specification, 0 becomes 1 and 0xFFFFFFFF becomes 0xFFFFFFFE.
pub fn checksum(bytes: &[u8]) -> u32 {
    let c = bytes[..CHECKSUM_OFFSET]
        .chunks_exact(4)
        .fold(0u32, |acc, w| acc ^ u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
    match c {
        0 => 1,
        u32::MAX => u32::MAX - 1,
        c => c,
    }
}

/// Writes the fields recovery changes (sequence numbers, bins size, file type) and a fresh checksum.
pub fn rewrite(bytes: &mut [u8], seq: u32, hive_bins_size: u32) {
    bytes[4..8].copy_from_slice(&seq.to_le_bytes());
    bytes[8..12].copy_from_slice(&seq.to_le_bytes());
    bytes[28..32].copy_from_slice(&0u32.to_le_bytes());
    bytes[40..44].copy_from_slice(&hive_bins_size.to_le_bytes());
    let c = checksum(bytes);
    bytes[CHECKSUM_OFFSET..CHECKSUM_OFFSET + 4].copy_from_slice(&c.to_le_bytes());
}
