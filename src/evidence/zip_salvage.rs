//! A zip whose central directory cannot be read (a collection cut off during upload, a damaged tail) is read
//! again from its local headers: each entry found in order, up to the first one that is cut, and a central
//! directory written for those in memory, so the archive then reads through the zip crate as usual (encryption,
//! data descriptors, the caps). Nothing is written to the evidence or to disk.
//!
//! Written here because the zip crate's streaming reader refuses entries whose sizes follow their data (a data
//! descriptor), which is how Velociraptor writes every entry, and no maintained crate recovers a cut archive.

use super::ReadSeek;
use std::io::{self, Read, Seek, SeekFrom};

const LOCAL: &[u8; 4] = b"PK\x03\x04";
const CENTRAL: &[u8; 4] = b"PK\x01\x02";
const DESCRIPTOR: &[u8; 4] = b"PK\x07\x08";
const END: &[u8; 4] = b"PK\x05\x06";
const END64: &[u8; 4] = b"PK\x06\x06";
/// Most entries recovered from one archive (a real triage collection holds tens of thousands).
const MAX_ENTRIES: usize = 1_000_000;
/// Bytes read at once while looking for a data descriptor or the next header.
const BLOCK: usize = 1 << 20;

/// An archive read again from its local headers.
pub struct Salvaged {
    /// The evidence up to the end of the last whole entry, followed by the central directory written for it.
    pub reader: Box<dyn ReadSeek>,
    /// Entries recovered.
    pub entries: usize,
    /// What was lost, each with its offset in the archive.
    pub problems: Vec<String>,
    /// The entry the archive ends inside: its name, the offset of its local header and its size where known.
    pub cut: Option<(String, u64, u64)>,
}

/// One entry found from its local header.
struct Found {
    offset: u64,
    /// Local header fields, from "version needed" to the uncompressed size (22 bytes), sizes as found.
    version: u16,
    flags: u16,
    method: u16,
    time: u16,
    date: u16,
    crc: u32,
    csize: u64,
    usize: u64,
    name: Vec<u8>,
    /// The local extra field without its zip64 record (written again where the sizes need it).
    extra: Vec<u8>,
}

/// Finds the entries of `src` from their local headers. When not even one whole entry is there: what was found
/// instead (empty when nothing looked like a zip entry).
pub fn salvage(mut src: Box<dyn ReadSeek>) -> io::Result<Result<Salvaged, Vec<String>>> {
    let len = src.seek(SeekFrom::End(0))?;
    let mut found: Vec<Found> = Vec::new();
    let mut problems = Vec::new();
    let mut cut = None;
    let mut at = 0u64;
    let mut end = 0u64;
    while at < len {
        if found.len() >= MAX_ENTRIES {
            problems.push(format!("more than {MAX_ENTRIES} entries: the rest, from offset {at}, not recovered"));
            break;
        }
        let mut head = [0u8; 30];
        let got = read_at(&mut src, at, &mut head)?;
        let sig = &head[..got.min(4)];
        if sig == CENTRAL || sig == END || sig == END64 {
            break; // the damaged central directory itself: the entries end here
        }
        if got < 30 || sig != LOCAL {
            if got < 30 && sig == &LOCAL[..sig.len()] {
                problems.push(format!("the archive is cut inside a local header at offset {at}"));
                break;
            }
            // Bytes that are no header: look for the next one, and say what was passed over.
            match find(&mut src, at + 1, len, &[LOCAL])? {
                Some((next, _)) => {
                    problems.push(format!("offsets {at}..{next} are not a zip entry: passed over"));
                    at = next;
                    continue;
                }
                None => {
                    problems.push(format!("offsets {at}..{len} are not a zip entry: passed over"));
                    break;
                }
            }
        }
        let u16_at = |i: usize| u16::from_le_bytes([head[i], head[i + 1]]);
        let u32_at = |i: usize| u32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
        let (nlen, xlen) = (u64::from(u16_at(26)), u64::from(u16_at(28)));
        let data = at + 30 + nlen + xlen;
        if data > len {
            problems.push(format!("the archive is cut inside the local header at offset {at}"));
            break;
        }
        let mut name = vec![0u8; nlen as usize];
        read_at(&mut src, at + 30, &mut name)?;
        let mut raw_extra = vec![0u8; xlen as usize];
        read_at(&mut src, at + 30 + nlen, &mut raw_extra)?;
        let (extra, zip64) = split_zip64(&raw_extra);
        let mut e = Found {
            offset: at,
            version: u16_at(4),
            flags: u16_at(6),
            method: u16_at(8),
            time: u16_at(10),
            date: u16_at(12),
            crc: u32_at(14),
            csize: u64::from(u32_at(18)),
            usize: u64::from(u32_at(22)),
            name,
            extra,
        };
        if let Some((u, c)) = zip64 {
            (e.usize, e.csize) = (u, c);
        }
        let shown = String::from_utf8_lossy(&e.name).into_owned();
        let next = if e.flags & 0x08 == 0 {
            data.checked_add(e.csize).filter(|&n| n <= len)
        } else {
            match descriptor(&mut src, data, len)? {
                Some((crc, csize, usize, after)) => {
                    (e.crc, e.csize, e.usize) = (crc, csize, usize);
                    Some(after)
                }
                None => None,
            }
        };
        let Some(next) = next else {
            problems.push(format!("entry {shown:?} at offset {at} is cut: the archive ends inside its data"));
            cut = Some((shown, at, e.usize));
            break;
        };
        found.push(e);
        (at, end) = (next, next);
    }
    if found.is_empty() {
        return Ok(Err(problems));
    }
    if end < len && problems.is_empty() {
        problems.push(format!("the central directory from offset {end} is unreadable"));
    }
    let entries = found.len();
    let tail = central_directory(&found, end);
    Ok(Ok(Salvaged { reader: Box::new(Spliced { src, cut: end, tail, pos: 0 }), entries, problems, cut }))
}

/// Reads at `offset` as much of `buf` as the source holds; returns how much was read.
fn read_at(src: &mut Box<dyn ReadSeek>, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
    src.seek(SeekFrom::Start(offset))?;
    let mut n = 0;
    while n < buf.len() {
        match src.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// The first offset at or after `from` where one of `sigs` starts, and which one.
fn find(src: &mut Box<dyn ReadSeek>, from: u64, len: u64, sigs: &[&[u8; 4]]) -> io::Result<Option<(u64, usize)>> {
    let mut buf = vec![0u8; BLOCK + 3];
    let mut at = from;
    while at < len {
        let n = read_at(src, at, &mut buf)?;
        if n < 4 {
            return Ok(None);
        }
        for i in memchr::memchr_iter(b'P', &buf[..n - 3]) {
            if let Some(k) = sigs.iter().position(|s| buf[i..i + 4] == s[..]) {
                return Ok(Some((at + i as u64, k)));
            }
        }
        at += (n - 3) as u64;
    }
    Ok(None)
}

/// For an entry whose sizes follow its data: the data descriptor that closes it — (crc, compressed size,
/// size, offset after it) — found as the first signature-led descriptor, or next header preceded by one, whose
/// compressed size is exactly the distance from `data`. Either in 32- or 64-bit sizes.
fn descriptor(src: &mut Box<dyn ReadSeek>, data: u64, len: u64) -> io::Result<Option<(u32, u64, u64, u64)>> {
    let mut from = data;
    while let Some((p, which)) = find(src, from, len, &[DESCRIPTOR, LOCAL, CENTRAL])? {
        let mut b = [0u8; 24];
        if which == 0 {
            let n = read_at(src, p, &mut b)?;
            let le32 = |i: usize| u64::from(u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]));
            let le64 = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap_or([0; 8]));
            let crc = le32(4) as u32;
            if n >= 16 && le32(8) == p - data {
                return Ok(Some((crc, le32(8), le32(12), p + 16)));
            }
            if n >= 24 && le64(8) == p - data {
                return Ok(Some((crc, le64(8), le64(16), p + 24)));
            }
        } else {
            // A descriptor without its signature, just before the next header.
            for (size, wide) in [(12u64, false), (20, true)] {
                if p < data + size {
                    continue;
                }
                let n = read_at(src, p - size, &mut b[..size as usize])?;
                if n < size as usize {
                    continue;
                }
                let le32 = |i: usize| u64::from(u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]));
                let le64 = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap_or([0; 8]));
                let (c, u) = if wide { (le64(4), le64(12)) } else { (le32(4), le32(8)) };
                if c == p - size - data {
                    return Ok(Some((le32(0) as u32, c, u, p)));
                }
            }
        }
        from = p + 1;
    }
    Ok(None)
}

/// Splits a local extra field into the rest and the sizes of its zip64 record (0x0001), when it has both.
fn split_zip64(extra: &[u8]) -> (Vec<u8>, Option<(u64, u64)>) {
    let mut rest = Vec::with_capacity(extra.len());
    let mut sizes = None;
    let mut i = 0;
    while i + 4 <= extra.len() {
        let id = u16::from_le_bytes([extra[i], extra[i + 1]]);
        let n = usize::from(u16::from_le_bytes([extra[i + 2], extra[i + 3]]));
        let Some(body) = extra.get(i + 4..i + 4 + n) else { break };
        if id == 1 && n >= 16 {
            let u = u64::from_le_bytes(body[0..8].try_into().unwrap_or([0; 8]));
            let c = u64::from_le_bytes(body[8..16].try_into().unwrap_or([0; 8]));
            sizes = Some((u, c));
        } else if id != 1 {
            rest.extend_from_slice(&extra[i..i + 4 + n]);
        }
        i += 4 + n;
    }
    (rest, sizes)
}

/// A central directory and end record (zip64 where the numbers need it) for `found`, placed at `at`.
fn central_directory(found: &[Found], at: u64) -> Vec<u8> {
    const MAX32: u64 = 0xFFFF_FFFF;
    let mut cd = Vec::new();
    for e in found {
        let mut z64 = Vec::new();
        let mut field = |v: u64| {
            if v >= MAX32 {
                z64.extend_from_slice(&v.to_le_bytes());
                MAX32 as u32
            } else {
                v as u32
            }
        };
        let (usize, csize, offset) = (field(e.usize), field(e.csize), field(e.offset));
        let mut extra = e.extra.clone();
        if !z64.is_empty() {
            extra.extend_from_slice(&1u16.to_le_bytes());
            extra.extend_from_slice(&(z64.len() as u16).to_le_bytes());
            extra.extend_from_slice(&z64);
        }
        let extra = &extra[..extra.len().min(0xFFFF)];
        let dir = e.name.last() == Some(&b'/');
        cd.extend_from_slice(CENTRAL);
        for v in [45u16, e.version.max(if z64.is_empty() { 0 } else { 45 }), e.flags, e.method, e.time, e.date] {
            cd.extend_from_slice(&v.to_le_bytes());
        }
        for v in [e.crc, csize, usize] {
            cd.extend_from_slice(&v.to_le_bytes());
        }
        for v in [e.name.len() as u16, extra.len() as u16, 0, 0, 0] {
            cd.extend_from_slice(&v.to_le_bytes());
        }
        cd.extend_from_slice(&(if dir { 0x10u32 } else { 0 }).to_le_bytes());
        cd.extend_from_slice(&offset.to_le_bytes());
        cd.extend_from_slice(&e.name);
        cd.extend_from_slice(extra);
    }
    let (n, size) = (found.len() as u64, cd.len() as u64);
    if n >= 0xFFFF || size >= MAX32 || at >= MAX32 {
        let end64 = at + size;
        cd.extend_from_slice(END64);
        cd.extend_from_slice(&44u64.to_le_bytes());
        cd.extend_from_slice(&45u16.to_le_bytes());
        cd.extend_from_slice(&45u16.to_le_bytes());
        cd.extend_from_slice(&[0u8; 8]);
        for v in [n, n, size, at] {
            cd.extend_from_slice(&v.to_le_bytes());
        }
        cd.extend_from_slice(b"PK\x06\x07");
        cd.extend_from_slice(&0u32.to_le_bytes());
        cd.extend_from_slice(&end64.to_le_bytes());
        cd.extend_from_slice(&1u32.to_le_bytes());
    }
    cd.extend_from_slice(END);
    cd.extend_from_slice(&[0u8; 4]);
    let n16 = n.min(0xFFFF) as u16;
    cd.extend_from_slice(&n16.to_le_bytes());
    cd.extend_from_slice(&n16.to_le_bytes());
    cd.extend_from_slice(&(size.min(MAX32) as u32).to_le_bytes());
    cd.extend_from_slice(&(at.min(MAX32) as u32).to_le_bytes());
    cd.extend_from_slice(&0u16.to_le_bytes());
    cd
}

/// The evidence's first `cut` bytes followed by `tail`, as one reader.
struct Spliced {
    src: Box<dyn ReadSeek>,
    cut: u64,
    tail: Vec<u8>,
    pos: u64,
}

impl Read for Spliced {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos < self.cut {
            let want = buf.len().min((self.cut - self.pos).min(usize::MAX as u64) as usize);
            self.src.seek(SeekFrom::Start(self.pos))?;
            let n = self.src.read(&mut buf[..want])?;
            if n == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the evidence shrank while read"));
            }
            self.pos += n as u64;
            return Ok(n);
        }
        let at = (self.pos - self.cut).min(self.tail.len() as u64) as usize;
        let n = buf.len().min(self.tail.len() - at);
        buf[..n].copy_from_slice(&self.tail[at..at + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Spliced {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let total = self.cut + self.tail.len() as u64;
        let new = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => total.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = new.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    /// Three entries, written with their sizes after their data (a stream, as Velociraptor writes) or before.
    fn archive(descriptors: bool) -> Vec<u8> {
        let opts = zip::write::SimpleFileOptions::default();
        let files = [("C/a.txt", b"first".as_slice()), ("C/b.txt", &[7u8; 3000]), ("C/c.txt", b"third")];
        if descriptors {
            let mut w = zip::ZipWriter::new_stream(Vec::new());
            for (name, body) in files {
                w.start_file(name, opts).unwrap();
                w.write_all(body).unwrap();
            }
            w.finish().unwrap().into_inner()
        } else {
            let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
            for (name, body) in files {
                w.start_file(name, opts).unwrap();
                w.write_all(body).unwrap();
            }
            w.finish().unwrap().into_inner()
        }
    }

    fn names(bytes: Vec<u8>) -> (Vec<String>, Vec<String>) {
        let s = salvage(Box::new(Cursor::new(bytes))).unwrap().expect("entries recovered");
        let mut z = zip::ZipArchive::new(s.reader).unwrap();
        let mut out = Vec::new();
        for i in 0..z.len() {
            let mut f = z.by_index(i).unwrap();
            let mut body = Vec::new();
            f.read_to_end(&mut body).unwrap();
            out.push(format!("{}:{}", f.name(), body.len()));
        }
        (out, s.problems)
    }

    #[test]
    fn a_cut_archive_gives_its_whole_entries_back() {
        for descriptors in [true, false] {
            cut_archive(archive(descriptors));
        }
        assert_eq!(archive(true)[6] & 0x08, 0x08, "the stream writer puts sizes after the data");
    }

    fn cut_archive(full: Vec<u8>) {
        let third = full.windows(4).rposition(|w| w == LOCAL).unwrap();
        let (got, problems) = names(full[..third + 40].to_vec());
        assert_eq!(got, ["C/a.txt:5", "C/b.txt:3000"]);
        assert!(problems[0].contains(&format!("\"C/c.txt\" at offset {third} is cut")), "{problems:?}");
        let s = salvage(Box::new(Cursor::new(full[..third + 40].to_vec()))).unwrap().expect("entries recovered");
        assert_eq!(s.cut.map(|c| (c.0, c.1)), Some(("C/c.txt".to_string(), third as u64)));
        // Whole but for the central directory: every entry, and the damage said with its offset.
        let cd = full.windows(4).position(|w| w == CENTRAL).unwrap();
        let (got, problems) = names(full[..cd + 10].to_vec());
        assert_eq!(got.len(), 3);
        assert_eq!(problems, [format!("the central directory from offset {cd} is unreadable")]);
    }

    #[test]
    fn nothing_whole_is_none_and_junk_ends() {
        let full = archive(true);
        let first = salvage(Box::new(Cursor::new(full[..40].to_vec()))).unwrap().err().unwrap();
        assert_eq!(first, ["entry \"C/a.txt\" at offset 0 is cut: the archive ends inside its data"]);
        let junk = salvage(Box::new(Cursor::new(vec![b'P'; 5000]))).unwrap().err().unwrap();
        assert_eq!(junk, ["offsets 0..5000 are not a zip entry: passed over"]);
    }
}
