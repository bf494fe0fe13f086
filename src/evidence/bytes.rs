//! One bounded reader for the binary formats parsed by hand (registry base blocks and logs, change-journal
//! records, PE certificate tables): every offset and length from a file is checked before use, with arithmetic
//! that cannot overflow, and a failure says where.

use crate::model::ParseError;

/// A window on bytes that knows where it starts in its file, so errors name file offsets.
#[derive(Clone, Copy, Debug)]
pub struct Bytes<'a> {
    data: &'a [u8],
    /// Offset of `data[0]` in the file.
    base: u64,
}

impl<'a> Bytes<'a> {
    /// The whole of `data`, starting at file offset 0.
    pub fn new(data: &'a [u8]) -> Bytes<'a> {
        Bytes { data, base: 0 }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The bytes themselves.
    pub fn as_slice(&self) -> &'a [u8] {
        self.data
    }

    /// File offset of `at` in this window.
    pub fn offset_of(&self, at: usize) -> u64 {
        self.base.saturating_add(at as u64)
    }

    /// `len` bytes at `at`, or an error naming the offset when they run past the end.
    pub fn slice(&self, at: usize, len: usize) -> Result<&'a [u8], ParseError> {
        at.checked_add(len).and_then(|end| self.data.get(at..end)).ok_or_else(|| {
            ParseError::at_offset(
                self.offset_of(at),
                format!(
                    "{len} bytes at offset {:#x} run past the end of the {}-byte structure",
                    self.offset_of(at),
                    self.len()
                ),
            )
        })
    }

    /// A window of `len` bytes at `at`, whose errors still name file offsets.
    pub fn sub(&self, at: usize, len: usize) -> Result<Bytes<'a>, ParseError> {
        Ok(Bytes { data: self.slice(at, len)?, base: self.offset_of(at) })
    }

    /// Everything from `at` on (empty past the end).
    pub fn rest(&self, at: usize) -> Bytes<'a> {
        Bytes { data: self.data.get(at..).unwrap_or_default(), base: self.offset_of(at) }
    }

    fn array<const N: usize>(&self, at: usize) -> Result<[u8; N], ParseError> {
        let s = self.slice(at, N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    /// Little-endian u16 at `at`.
    pub fn u16(&self, at: usize) -> Result<u16, ParseError> {
        self.array(at).map(u16::from_le_bytes)
    }

    /// Little-endian u32 at `at`.
    pub fn u32(&self, at: usize) -> Result<u32, ParseError> {
        self.array(at).map(u32::from_le_bytes)
    }

    /// Little-endian u64 at `at`.
    pub fn u64(&self, at: usize) -> Result<u64, ParseError> {
        self.array(at).map(u64::from_le_bytes)
    }

    /// A u32 from the file used as a length or count: `usize`, never trusted beyond what the bytes hold.
    pub fn len32(&self, at: usize) -> Result<usize, ParseError> {
        self.u32(at).map(|v| v as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_checked_and_errors_name_the_file_offset() {
        let data = [1u8, 0, 0, 0, 2, 0, 0, 0, 0xff, 0xff];
        let b = Bytes::new(&data);
        assert_eq!(b.u32(0).unwrap(), 1);
        let w = b.sub(4, 6).unwrap();
        assert_eq!(w.u32(0).unwrap(), 2);
        assert_eq!(w.u16(4).unwrap(), 0xffff);
        let e = w.u32(4).unwrap_err();
        assert_eq!(e.position.offset, Some(8));
        assert!(e.to_string().contains("4 bytes at offset 0x8 run past the end"), "{e}");
        // Offsets and lengths near usize::MAX do not overflow.
        assert!(b.slice(usize::MAX, 2).is_err());
        assert!(b.slice(2, usize::MAX).is_err());
        assert!(b.rest(100).is_empty());
    }
}
