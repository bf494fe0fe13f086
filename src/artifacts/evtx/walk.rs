//! The bare walk over one chunk's bytes: each record's header and the substitution values of its outer template
//! instance, and, per template definition, where the event id is — without building any tree.
//!
//! Why our own reader: the evtx crate (which chunks are read with, and every record we keep is rendered with) has
//! no public way to look at a record's values without first building the record's whole content, and on a large
//! Security log building that content for every record costs several times the parse that `evtx_dump` does. The
//! filter needs three things per record — its id and time, which template it instantiates, the values — and they
//! sit at fixed places of the format ([MS-EVEN6] BinXml: a TemplateInstance token, the definition's offset, the
//! value descriptors and data). Anything this walk does not recognise (a record header it cannot read, a record
//! without a template instance, a definition it cannot follow) is handed back to the crate, so damaged chunks keep
//! the crate's own recovery and reporting.

use std::ops::Range;

/// The chunk header's size, where the first record starts.
const CHUNK_HEADER: usize = 512;
/// A record header: signature, size, record id, time.
const RECORD_HEADER: usize = 24;
/// Most tokens read from one template definition before giving up on it.
const MAX_TOKENS: usize = 4096;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at.checked_add(2)?)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at.checked_add(8)?)?.try_into().ok()?))
}

/// One record as the walk sees it.
#[derive(Debug)]
pub struct RawRecord {
    /// Event record id.
    pub id: u64,
    /// The header's FILETIME.
    pub filetime: u64,
    /// The record's BinXml, as a range of the chunk.
    pub binxml: Range<usize>,
}

/// The records of a chunk, in order, or `None` when something in the walk is not as a clean chunk has it (the
/// caller then reads the chunk with the evtx crate).
pub fn records(chunk: &[u8]) -> Option<Vec<RawRecord>> {
    if chunk.get(..8)? != b"ElfChnk\0" {
        return None;
    }
    let last_id = u64_at(chunk, 0x20)?;
    let live_end = (u32_at(chunk, 0x30)? as usize).min(chunk.len());
    let mut out = Vec::with_capacity(256);
    let mut at = CHUNK_HEADER;
    while at < live_end {
        if chunk.get(at..at + 4)? != b"\x2a\x2a\x00\x00" {
            return None;
        }
        let size = u32_at(chunk, at + 4)? as usize;
        let id = u64_at(chunk, at + 8)?;
        let filetime = u64_at(chunk, at + 16)?;
        // The size covers the header, the BinXml and the size's copy at the end.
        if size < RECORD_HEADER + 4 || at.checked_add(size)? > chunk.len() {
            return None;
        }
        out.push(RawRecord { id, filetime, binxml: at + RECORD_HEADER..at + size - 4 });
        at += size;
        if id == last_id {
            break;
        }
    }
    Some(out)
}

/// A record's outer template instance: which definition it uses and its substitution values.
#[derive(Debug)]
pub struct Instance<'a> {
    /// The definition's offset in the chunk: the template's identity within the chunk.
    pub definition: u32,
    /// Each value's type byte ([MS-EVEN6] value types; `0x80` marks an array) and bytes.
    pub values: Vec<(u8, &'a [u8])>,
}

/// Reads the template instance a record's BinXml starts with (after an optional fragment header); `None` when it
/// does not start with one, or its values do not fit the record.
pub fn instance<'a>(chunk: &'a [u8], binxml: Range<usize>) -> Option<Instance<'a>> {
    let end = binxml.end;
    let mut at = binxml.start;
    if *chunk.get(at)? == 0x0F {
        at += 4; // fragment header: token, major, minor, flags
    }
    if *chunk.get(at)? != 0x0C {
        return None;
    }
    let definition = u32_at(chunk, at + 6)?;
    at += 10; // token, unknown byte, template id, definition offset
    if at == definition as usize {
        // The definition is written here, on its first use in the chunk: skip it.
        let data_size = u32_at(chunk, at + 20)? as usize;
        at = at.checked_add(24)?.checked_add(data_size)?;
    }
    let count = u32_at(chunk, at)? as usize;
    at += 4;
    // Every value has a four-byte descriptor: more than the record holds is not a value table.
    if count > end.checked_sub(at)? / 4 {
        return None;
    }
    let descriptors = at;
    let mut data = at + 4 * count;
    let mut values = Vec::with_capacity(count);
    for i in 0..count {
        let size = u16_at(chunk, descriptors + 4 * i)? as usize;
        let ty = *chunk.get(descriptors + 4 * i + 2)?;
        let next = data.checked_add(size)?;
        if next > end {
            return None;
        }
        values.push((ty, chunk.get(data..next)?));
        data = next;
    }
    Some(Instance { definition, values })
}

/// Where a template keeps its event id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventIdAt {
    /// In this substitution value.
    Value(usize),
    /// Written into the definition itself.
    Fixed(u32),
    /// Could not be told: every record of the template is rendered.
    Unknown,
}

/// Finds the `EventID` element of the template definition at `offset` of the chunk and says where its content
/// comes from.
pub fn event_id_at(chunk: &[u8], offset: u32) -> EventIdAt {
    match element_content(chunk, offset as usize, "EventID") {
        Some(Content::Value(i)) => EventIdAt::Value(i),
        Some(Content::Text(t)) => t.trim().parse().map(EventIdAt::Fixed).unwrap_or(EventIdAt::Unknown),
        None => EventIdAt::Unknown,
    }
}

/// Where a template keeps its channel: written into the definition, or in a substitution value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChannelAt {
    /// The channel's name.
    Fixed(String),
    /// In this substitution value.
    Value(usize),
    /// Could not be told.
    Unknown,
}

/// Finds the `Channel` element of the template definition at `offset` of the chunk.
pub fn channel_at(chunk: &[u8], offset: u32) -> ChannelAt {
    match element_content(chunk, offset as usize, "Channel") {
        Some(Content::Value(i)) => ChannelAt::Value(i),
        Some(Content::Text(t)) => ChannelAt::Fixed(t),
        None => ChannelAt::Unknown,
    }
}

/// A UTF-16 string value as text (without its terminating NUL).
pub fn text(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
    String::from_utf16_lossy(&units).trim_end_matches('\0').to_string()
}

/// What an element of a template holds.
enum Content {
    Text(String),
    Value(usize),
}

/// Finds the first element called `name` in the template definition at `offset` and says what its content is.
/// Follows the BinXml tokens of the definition ([MS-EVEN6] 3.1.4.7): element names are in the chunk's string table
/// or written inline at their first use.
fn element_content(chunk: &[u8], offset: usize, name: &str) -> Option<Content> {
    let data_size = u32_at(chunk, offset + 20)? as usize;
    let mut at = offset + 24;
    let end = at.checked_add(data_size)?.min(chunk.len());
    // Names of the open elements; `true` while the last token was an attribute name (its value follows).
    let mut open: Vec<bool> = Vec::new(); // whether each open element is `EventID`
    let mut pending_start: Option<bool> = None; // an element whose start tag is not yet closed
    let mut in_attribute = false;
    for _ in 0..MAX_TOKENS {
        if at >= end {
            return None;
        }
        let token = *chunk.get(at)?;
        match token & 0x0F {
            0x00 => return None,
            0x0F => at += 4,
            0x01 => {
                // OpenStartElement: token, dependency id, data size, name offset (+ the name inline), attribute
                // list size when the element has attributes.
                let name_offset = u32_at(chunk, at + 7)? as usize;
                at += 11;
                if name_offset == at {
                    at = skip_inline_name(chunk, at)?;
                }
                if token & 0x40 != 0 {
                    at += 4;
                }
                pending_start = Some(name_is(chunk, name_offset, name)?);
                in_attribute = false;
            }
            0x02 => {
                // CloseStartElement: the element is open for content.
                open.push(pending_start.take()?);
                in_attribute = false;
                at += 1;
            }
            0x03 => {
                // CloseEmptyElement.
                pending_start = None;
                in_attribute = false;
                at += 1;
            }
            0x04 => {
                open.pop();
                at += 1;
            }
            0x06 => {
                // Attribute: token, name offset (+ inline name); its value is the next token.
                let name_offset = u32_at(chunk, at + 1)? as usize;
                at += 5;
                if name_offset == at {
                    at = skip_inline_name(chunk, at)?;
                }
                in_attribute = true;
            }
            0x05 => {
                // Value text: token, type, then (for strings, the only type written here) length and characters.
                let ty = *chunk.get(at + 1)?;
                if ty != 0x01 {
                    return None;
                }
                let chars = u16_at(chunk, at + 2)? as usize;
                let bytes = chunk.get(at + 4..at + 4 + 2 * chars)?;
                at += 4 + 2 * chars;
                if !in_attribute && open.last() == Some(&true) {
                    return Some(Content::Text(text(bytes)));
                }
                in_attribute = false;
            }
            0x0D | 0x0E => {
                // Substitution: token, index, type.
                let index = u16_at(chunk, at + 1)? as usize;
                at += 4;
                if !in_attribute && open.last() == Some(&true) {
                    return Some(Content::Value(index));
                }
                in_attribute = false;
            }
            0x07 | 0x0B => {
                // CDATA or processing-instruction data: length and characters.
                let chars = u16_at(chunk, at + 1)? as usize;
                at += 3 + 2 * chars;
                in_attribute = false;
            }
            0x08 => {
                at += 3;
                in_attribute = false;
            }
            0x09 | 0x0A => {
                // Entity reference or processing-instruction target: a name.
                let name_offset = u32_at(chunk, at + 1)? as usize;
                at += 5;
                if name_offset == at {
                    at = skip_inline_name(chunk, at)?;
                }
                in_attribute = false;
            }
            _ => return None,
        }
    }
    None
}

/// Past a name written inline at `at`: next-name offset, hash, length, the characters and their NUL.
fn skip_inline_name(chunk: &[u8], at: usize) -> Option<usize> {
    let chars = u16_at(chunk, at + 6)? as usize;
    Some(at + 8 + 2 * chars + 2)
}

/// Whether the name at `offset` of the chunk is `want` (ASCII).
fn name_is(chunk: &[u8], offset: usize, want: &str) -> Option<bool> {
    let chars = u16_at(chunk, offset + 6)? as usize;
    if chars != want.len() {
        return Some(false);
    }
    let bytes = chunk.get(offset + 8..offset + 8 + 2 * chars)?;
    Some(bytes.chunks_exact(2).zip(want.bytes()).all(|(c, w)| c[0] == w && c[1] == 0))
}

/// A value as a number, when it is one: unsigned integers of any width, and decimal text (forwarded events write
/// the event id as text; a number has at most 10 digits).
pub fn number(ty: u8, bytes: &[u8]) -> Option<u32> {
    match ty {
        0x04 => bytes.first().map(|&b| u32::from(b)),
        0x06 => Some(u32::from(u16::from_le_bytes(bytes.get(..2)?.try_into().ok()?))),
        0x08 | 0x14 => Some(u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?)),
        0x01 if bytes.len() <= 20 => {
            let units: Vec<u16> = bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
            String::from_utf16_lossy(&units).trim_end_matches('\0').trim().parse().ok()
        }
        0x02 if bytes.len() <= 10 => std::str::from_utf8(bytes).ok()?.trim_end_matches('\0').trim().parse().ok(),
        _ => None,
    }
}

/// Whether a value's bytes may hold text worth searching for words: strings (UTF-16 and ANSI, and arrays of
/// them), binary data (classic events keep service names and DLL paths there) and nested fragments (event data
/// of classic events).
pub fn is_text(ty: u8) -> bool {
    matches!(ty & 0x7F, 0x01 | 0x02 | 0x0E | 0x21)
}
