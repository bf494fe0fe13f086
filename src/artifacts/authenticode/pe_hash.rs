//! The Authenticode hash of a PE file (what a signature or a catalog vouches for): the file's bytes except the
//! header checksum, the certificate-table directory entry and the certificate table itself.

use crate::evidence::bytes::Bytes;
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
    let r = Bytes::new(b);
    if r.slice(0, 2).ok()? != b"MZ" {
        return None;
    }
    let nt = r.len32(0x3C).ok()?;
    if r.slice(nt, 4).ok()? != b"PE\0\0" {
        return None;
    }
    let opt = nt.checked_add(24)?;
    let dirs = match r.u16(opt).ok()? {
        0x10b => opt.checked_add(96)?,
        0x20b => opt.checked_add(112)?,
        _ => return None,
    };
    let cert_dir = dirs.checked_add(4 * 8)?;
    let (off, size) = (r.len32(cert_dir).ok()?, r.len32(cert_dir.checked_add(4)?).ok()?);
    let cert_table = (off != 0 && size != 0 && r.slice(off, size).is_ok()).then_some((off, size));
    Some(Layout { checksum: opt.checked_add(64)?, cert_dir, cert_table })
}

/// The Authenticode digest of `b` with `md` (SHA-1 and SHA-256 are what signatures and catalogs use).
pub fn digest(b: &[u8], md: MessageDigest) -> Option<Vec<u8>> {
    let l = layout(b)?;
    let end = l.cert_table.map(|(off, _)| off).unwrap_or(b.len());
    let mut h = Hasher::new(md).ok()?;
    h.update(b.get(..l.checksum)?).ok()?;
    h.update(b.get(l.checksum.checked_add(4)?..l.cert_dir)?).ok()?;
    h.update(b.get(l.cert_dir.checked_add(8)?..end)?).ok()?;
    h.finish().ok().map(|d| d.to_vec())
}

/// The WIN_CERTIFICATE entries of type PKCS_SIGNED_DATA (2) in the certificate table: the signature blobs.
pub fn signature_blobs(b: &[u8]) -> Vec<&[u8]> {
    let Some((off, size)) = layout(b).and_then(|l| l.cert_table) else { return Vec::new() };
    let Ok(table) = Bytes::new(b).sub(off, size) else { return Vec::new() };
    let mut out = Vec::new();
    let mut at = 0usize;
    // Each entry: length (u32, header included), revision (u16), type (u16), then the blob; 8-byte aligned.
    while let (Ok(len), Ok(kind)) = (table.len32(at), table.u16(at.saturating_add(6))) {
        let Ok(entry) = table.slice(at, len) else { break };
        if len < 8 {
            break;
        }
        if kind == 2 {
            out.push(&entry[8..]);
        }
        let Some(next) = len.div_ceil(8).checked_mul(8).and_then(|l| at.checked_add(l)) else { break };
        at = next;
    }
    out
}
