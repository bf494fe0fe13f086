//! The Authenticode hash of a PE file (what a signature or a catalog vouches for): the file's bytes except the
//! header checksum, the certificate-table directory entry and the certificate table itself.

use openssl::hash::{Hasher, MessageDigest};

/// Where a PE keeps the fields Authenticode skips.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Offset of the 4-byte header checksum.
    pub checksum: usize,
    /// Offset of the 8-byte certificate-table data directory entry.
    pub cert_dir: usize,
    /// File offset and size of the certificate table, when present and inside the file.
    pub cert_table: Option<(usize, usize)>,
}

/// Finds the skipped fields; `None` when the headers are not those of a PE.
pub fn layout(b: &[u8]) -> Option<Layout> {
    let rd32 = |at: usize| b.get(at..at + 4).map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]));
    if b.get(..2)? != b"MZ" {
        return None;
    }
    let nt = rd32(0x3C)? as usize;
    if b.get(nt..nt + 4)? != b"PE\0\0" {
        return None;
    }
    let opt = nt + 24;
    let magic = u16::from_le_bytes([*b.get(opt)?, *b.get(opt + 1)?]);
    let dirs = match magic {
        0x10b => opt + 96,
        0x20b => opt + 112,
        _ => return None,
    };
    let cert_dir = dirs + 4 * 8;
    let (off, size) = (rd32(cert_dir)? as usize, rd32(cert_dir + 4)? as usize);
    let cert_table =
        (off != 0 && size != 0 && off.checked_add(size).is_some_and(|e| e <= b.len())).then_some((off, size));
    Some(Layout { checksum: opt + 64, cert_dir, cert_table })
}

/// The Authenticode digest of `b` with `md` (SHA-1 and SHA-256 are what signatures and catalogs use).
pub fn digest(b: &[u8], md: MessageDigest) -> Option<Vec<u8>> {
    let l = layout(b)?;
    let end = l.cert_table.map(|(off, _)| off).unwrap_or(b.len());
    if l.cert_dir + 8 > end {
        return None;
    }
    let mut h = Hasher::new(md).ok()?;
    h.update(&b[..l.checksum]).ok()?;
    h.update(&b[l.checksum + 4..l.cert_dir]).ok()?;
    h.update(&b[l.cert_dir + 8..end]).ok()?;
    h.finish().ok().map(|d| d.to_vec())
}

/// The WIN_CERTIFICATE entries of type PKCS_SIGNED_DATA (2) in the certificate table: the signature blobs.
pub fn signature_blobs(b: &[u8]) -> Vec<&[u8]> {
    let Some((mut at, size)) = layout(b).and_then(|l| l.cert_table) else { return Vec::new() };
    let end = at + size;
    let mut out = Vec::new();
    while at + 8 <= end {
        let len = u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as usize;
        let kind = u16::from_le_bytes([b[at + 6], b[at + 7]]);
        if len < 8 || at + len > end {
            break;
        }
        if kind == 2 {
            out.push(&b[at + 8..at + len]);
        }
        at += len.div_ceil(8) * 8;
    }
    out
}
