//! Reads one event log with the `evtx` crate, rendering only the records worth rendering.
//!
//! Building a record's content is cheap; rendering it to JSON and parsing that back is what costs. So every
//! record is built, its typed substitution values are looked at, and only records whose event id is wanted (and
//! whose strings hold one of the wanted words, where the id asks for that) are rendered. Which substitution holds
//! the event id is learnt per template, per chunk: the first record of each template is always rendered, and the
//! value equal to its `EventID` marks the slot. A template whose slot cannot be told apart renders every record.

use super::record::{self, Record};
use super::walk;
use crate::model::ParseError;
use crate::model::Timestamp;
use evtx::binxml::value_variant::BinXmlValue;
use evtx::{EvtxRecord, ParserSettings};
use memchr::memmem::Finder;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

/// What the caller wants rendered for an event id.
#[derive(Clone, Copy, Debug)]
pub enum Want {
    /// Not of interest: skip without rendering.
    No,
    /// Always render.
    Always,
    /// Render when one of the record's strings contains one of these words.
    IfContains(&'static Words),
}

/// Words searched for, ignoring ASCII case, as UTF-16LE in a record's raw value bytes.
#[derive(Debug)]
pub struct Words {
    list: &'static [&'static str],
    finders: OnceLock<Vec<Finder<'static>>>,
}

impl Words {
    /// A word list (lower-case ASCII).
    pub const fn new(list: &'static [&'static str]) -> Words {
        Words { list, finders: OnceLock::new() }
    }

    /// Whether the texts may hold one of the words of any of the lists as UTF-16LE, at any byte offset (strings
    /// inside a nested fragment need not be aligned). The bytes are folded once: NULs dropped, ASCII lower-cased,
    /// so the UTF-16 of `W3WP` becomes `w3wp`. The fold can only add matches (bytes that were never text), and a
    /// false match costs one record rendered; it never loses one.
    pub fn any_found_in(lists: &[&Words], texts: &[&[u8]]) -> bool {
        FOLD.with_borrow_mut(|folded| {
            folded.clear();
            for t in texts {
                folded.extend(t.iter().filter(|&&b| b != 0).map(u8::to_ascii_lowercase));
                folded.push(b'\n'); // no match across two values
            }
            lists.iter().any(|w| {
                let finders = w.finders.get_or_init(|| w.list.iter().map(|x| Finder::new(x.as_bytes())).collect());
                finders.iter().any(|f| f.find(folded).is_some())
            })
        })
    }
}

thread_local! {
    /// The folding buffer, reused record after record.
    static FOLD: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Everything read from one log.
#[derive(Debug, Default)]
pub struct LogRead {
    /// Records walked (rendered or not).
    pub records: u64,
    /// Records rendered in full.
    pub rendered: u64,
    /// Earliest and latest record time.
    pub span: Option<(Timestamp, Timestamp)>,
    /// Channels named by the rendered records.
    pub channels: BTreeSet<String>,
    /// The channel of the first record rendered: the log's own channel.
    pub first_channel: Option<String>,
    /// Rendered records the caller wanted.
    pub wanted: Vec<Record>,
    /// Chunks and records that could not be read, each with its chunk, record or file offset where the parser
    /// told it.
    pub problems: Vec<ParseError>,
}

/// Where a template's event id is.
#[derive(Clone, Debug)]
enum Slot {
    /// In one of these substitution values (Sysmon's `Task` always equals its `EventID`, so there can be two).
    Values(Vec<usize>),
    /// Written into the template itself: the same for every record.
    Fixed(u32),
}

/// Reads a whole log from its blocks: the 4 KiB file header, then one 64 KiB chunk per block, in file order (the
/// caller reads the file once and hashes the same blocks). A clean chunk is walked bare ([`walk`]): each
/// record's time is noted and its values looked at, and only the records to keep — plus the log's first, for its
/// channel — are rendered, by the evtx crate, from that chunk. A chunk the bare walk does not recognise is read
/// record by record by the crate, so its damage is recovered from and reported the crate's way; an all-zero
/// chunk is unused space, a chunk with a bad signature is said, a short last block is a torn chunk the caller
/// reports. Memory stays at a few chunks whatever the log's size.
pub fn read(blocks: &mut dyn Iterator<Item = Arc<Vec<u8>>>, want: fn(u32) -> Want) -> Result<LogRead, ParseError> {
    let header = blocks.next().unwrap_or_default();
    if header.len() < 8 || &header[..8] != b"ElfFile\0" {
        return Err(ParseError::new("not an event log: invalid EVTX file header signature"));
    }
    let settings = Arc::new(
        ParserSettings::new().num_threads(1).separate_json_attributes(true).indent(false).validate_checksums(false),
    );
    let mut out = LogRead::default();
    let mut first = true;
    for (number, block) in blocks.enumerate() {
        let number = number as u64;
        if block.len() < CHUNK_SIZE as usize || block.iter().all(|&b| b == 0) {
            continue;
        }
        match walk::records(&block) {
            Some(records) => {
                let mut slots: HashMap<u32, Template> = HashMap::new();
                let mut marked = Vec::new();
                for r in &records {
                    out.note(Timestamp::from_filetime(r.filetime).unwrap_or_default());
                    if keep(&block, r, &mut slots, want, &mut out.channels) | std::mem::take(&mut first) {
                        marked.push(r.id);
                    }
                }
                if !marked.is_empty()
                    && let Some(mut chunk) = chunk_data(&block, number, &mut out)
                {
                    render_marked(&mut chunk, &settings, &marked, want, &mut out);
                }
            }
            None => {
                if let Some(mut chunk) = chunk_data(&block, number, &mut out) {
                    read_by_crate(&mut chunk, &settings, want, &mut out, &mut first);
                }
            }
        }
    }
    Ok(out)
}

/// The crate's view of a chunk, or the problem with its header.
fn chunk_data(block: &[u8], number: u64, out: &mut LogRead) -> Option<evtx::EvtxChunkData> {
    match evtx::EvtxChunkData::new(block.to_vec(), false) {
        Ok(mut c) => {
            c.number = Some(number);
            Some(c)
        }
        Err(e) => {
            out.problems.push(chunk_problem(number, e));
            None
        }
    }
}

/// Where a template of a chunk keeps a record's event id and channel, found once per chunk.
struct Template {
    event_id: walk::EventIdAt,
    channel: walk::ChannelAt,
    /// The channel value last noted, as bytes (most records of a template repeat it).
    last_channel: Vec<u8>,
}

/// Whether a record of a clean chunk must be rendered: its event id (from the slot its template keeps it in) is
/// wanted, and its strings hold one of the words where the id asks for that. What cannot be told is rendered.
/// The record's channel is noted on the way (a forwarded-events log holds several).
fn keep(
    chunk: &[u8],
    r: &walk::RawRecord,
    slots: &mut HashMap<u32, Template>,
    want: fn(u32) -> Want,
    channels: &mut BTreeSet<String>,
) -> bool {
    let Some(inst) = walk::instance(chunk, r.binxml.clone()) else { return true };
    let t = slots.entry(inst.definition).or_insert_with(|| {
        let channel = walk::channel_at(chunk, inst.definition);
        if let walk::ChannelAt::Fixed(c) = &channel {
            channels.insert(c.clone());
        }
        Template { event_id: walk::event_id_at(chunk, inst.definition), channel, last_channel: Vec::new() }
    });
    if let walk::ChannelAt::Value(i) = t.channel
        && let Some(&(0x01, bytes)) = inst.values.get(i)
        && bytes != t.last_channel.as_slice()
    {
        t.last_channel = bytes.to_vec();
        channels.insert(walk::text(bytes));
    }
    let id = match t.event_id {
        walk::EventIdAt::Value(i) => match inst.values.get(i).and_then(|&(ty, b)| walk::number(ty, b)) {
            Some(id) => id,
            None => return true,
        },
        walk::EventIdAt::Fixed(id) => id,
        walk::EventIdAt::Unknown => return true,
    };
    match want(id) {
        Want::No => false,
        Want::Always => true,
        Want::IfContains(words) => {
            let texts: Vec<&[u8]> = inst.values.iter().filter(|(ty, _)| walk::is_text(*ty)).map(|&(_, b)| b).collect();
            Words::any_found_in(&[words], &texts)
        }
    }
}

/// The crate's parse of a chunk, or the problem with it.
fn parse_chunk<'c>(
    chunk: &'c mut evtx::EvtxChunkData,
    settings: &Arc<ParserSettings>,
    out: &mut LogRead,
) -> Option<evtx::EvtxChunk<'c>> {
    let number = chunk.number.unwrap_or_default();
    chunk.parse(settings.clone()).map_err(|e| out.problems.push(chunk_problem(number, e))).ok()
}

/// A chunk the crate cannot take, placed like the crate's own chunk errors.
fn chunk_problem(number: u64, e: evtx::err::ChunkError) -> ParseError {
    located(&evtx::err::EvtxError::FailedToParseChunk { chunk_id: number, source: Box::new(e) })
}

/// A record header's time, kept to 100 ns.
fn record_time(rec: &EvtxRecord<'_>) -> Timestamp {
    i64::try_from(rec.timestamp.as_nanosecond() / 100).map(Timestamp::from_ticks).unwrap_or_default()
}

/// Renders the marked records of a clean chunk with the crate.
fn render_marked(
    chunk: &mut evtx::EvtxChunkData,
    settings: &Arc<ParserSettings>,
    marked: &[u64],
    want: fn(u32) -> Want,
    out: &mut LogRead,
) {
    let Some(mut parsed) = parse_chunk(chunk, settings, out) else { return };
    for rec in parsed.iter() {
        match rec {
            Ok(rec) if marked.contains(&rec.event_record_id) => {
                let at = record_time(&rec);
                let id = rec.event_record_id;
                match rec.into_json_value() {
                    Ok(json) => out.keep(record::from_json(&json.data, id, at), want),
                    Err(e) => out.problems.push(located(&e)),
                }
            }
            Ok(_) => {}
            Err(e) => out.problems.push(located(&e)),
        }
    }
}

/// Reads a chunk the bare walk did not recognise record by record with the crate: every record built, its values
/// looked at, the first of each template rendered to learn where its event id is.
fn read_by_crate(
    chunk: &mut evtx::EvtxChunkData,
    settings: &Arc<ParserSettings>,
    want: fn(u32) -> Want,
    out: &mut LogRead,
    first: &mut bool,
) {
    let Some(mut parsed) = parse_chunk(chunk, settings, out) else { return };
    let mut slots: HashMap<u32, Slot> = HashMap::new();
    for rec in parsed.iter() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                out.problems.push(located(&e));
                continue;
            }
        };
        let at = record_time(&rec);
        out.note(at);
        let id = rec.event_record_id;
        let values = first_instance(&rec);
        let render = std::mem::take(first)
            || match values.as_ref().and_then(|(def, v)| slots.get(def).map(|s| (s, v))) {
                Some((slot, v)) => decide(slot, v, want),
                None => true,
            };
        if !render {
            continue;
        }
        let learned = values.map(|(def, v)| (def, v.numbers, v.typed));
        match rec.into_json_value() {
            Ok(json) => {
                let r = record::from_json(&json.data, id, at);
                if let Some((def, numbers, typed)) = learned {
                    slots.entry(def).or_insert_with(|| learn(&numbers, &typed, r.event_id));
                }
                out.keep(r, want);
            }
            Err(e) => out.problems.push(located(&e)),
        }
    }
}

impl LogRead {
    /// A rendered record: counted, its channel noted, kept when its id is wanted.
    fn keep(&mut self, r: Record, want: fn(u32) -> Want) {
        self.rendered += 1;
        self.channels.insert(r.channel.clone());
        if self.first_channel.is_none() && !r.channel.is_empty() {
            self.first_channel = Some(r.channel.clone());
        }
        if !matches!(want(r.event_id), Want::No) {
            self.wanted.push(r);
        }
    }

    fn note(&mut self, at: Timestamp) {
        self.records += 1;
        // A zero header time (1601) is a record whose header was never stamped, not a time the log covers.
        if at.ticks() <= 0 {
            return;
        }
        self.span = Some(match self.span {
            Some((a, b)) => (a.min(at), b.max(at)),
            None => (at, at),
        });
    }
}

/// The substitution values of a record's outer template that the filter needs.
struct Values<'a> {
    /// Each value read as a number, where it is one.
    numbers: Vec<Option<u32>>,
    /// Whether each value is a plain number type (event ids are `UInt16`).
    typed: Vec<bool>,
    /// The raw bytes of string, binary and nested-fragment values, searched for words as UTF-16LE.
    texts: Vec<&'a [u8]>,
}

fn first_instance<'a>(rec: &EvtxRecord<'a>) -> Option<(u32, Values<'a>)> {
    let instances = rec.template_instances().ok()?;
    let first = instances.into_iter().next()?;
    let mut v = Values { numbers: Vec::new(), typed: Vec::new(), texts: Vec::new() };
    for value in &first.values {
        let (n, typed) = match value {
            BinXmlValue::UInt16Type(x) => (Some(u32::from(*x)), true),
            BinXmlValue::UInt8Type(x) => (Some(u32::from(*x)), false),
            BinXmlValue::UInt32Type(x) => (Some(*x), false),
            BinXmlValue::StringType(s) => {
                // Forwarded events write the event id as text; a number has at most 10 digits.
                let n = if s.num_chars() <= 10 { s.to_string().ok().and_then(|t| t.trim().parse().ok()) } else { None };
                v.texts.push(s.as_bytes());
                (n, false)
            }
            BinXmlValue::AnsiStringType(s) => {
                v.texts.push(s.as_bytes());
                (s.trim().parse::<u32>().ok(), false)
            }
            // Event data lives in a nested fragment (its own template instance), and classic events keep
            // service names and DLL paths as UTF-16 in their binary data: search those bytes as they are.
            BinXmlValue::BinaryType(b) | BinXmlValue::BinXmlType(b) => {
                v.texts.push(b);
                (None, false)
            }
            BinXmlValue::StringArrayType(items) => {
                v.texts.extend(items.iter().map(|s| s.as_bytes()));
                (None, false)
            }
            _ => (None, false),
        };
        v.numbers.push(n);
        v.typed.push(typed);
    }
    Some((first.template_def_offset, v))
}

/// Whether a record whose template is known must be rendered.
fn decide(slot: &Slot, v: &Values<'_>, want: fn(u32) -> Want) -> bool {
    let ids: Vec<Option<u32>> = match slot {
        Slot::Values(at) => at.iter().map(|&i| v.numbers.get(i).copied().flatten()).collect(),
        Slot::Fixed(id) => vec![Some(*id)],
    };
    let mut words: Vec<&Words> = Vec::new();
    for id in ids {
        match id.map(want) {
            None | Some(Want::Always) => return true,
            Some(Want::No) => {}
            Some(Want::IfContains(w)) => words.push(w),
        }
    }
    !words.is_empty() && Words::any_found_in(&words, &v.texts)
}

/// Finds which values may hold `event_id`: the `UInt16` values equal to it, else the values of any type equal
/// to it; none means the template spells the id out.
fn learn(numbers: &[Option<u32>], typed_values: &[bool], event_id: u32) -> Slot {
    let equal: Vec<usize> = (0..numbers.len()).filter(|&i| numbers[i] == Some(event_id)).collect();
    let typed: Vec<usize> = equal.iter().copied().filter(|&i| typed_values[i]).collect();
    match (typed.is_empty(), equal.is_empty()) {
        (false, _) => Slot::Values(typed),
        (true, false) => Slot::Values(equal),
        (true, true) => Slot::Fixed(event_id),
    }
}

/// An error with its causes, on one line.
/// The parser's error with the place it names: a chunk (and its file offset), a record's offset in the file, or a
/// record id.
fn located(e: &evtx::err::EvtxError) -> ParseError {
    use evtx::err::EvtxError as E;
    let chunk_at = |chunk: u64| chunk.saturating_mul(CHUNK_SIZE).saturating_add(HEADER_SIZE);
    let mut p = ParseError::new(chain(e));
    match e {
        E::FailedToParseChunk { chunk_id, .. } => {
            p.position.chunk = Some(*chunk_id);
            p.position.offset = Some(chunk_at(*chunk_id));
        }
        E::FailedToReadRecordAt { chunk, offset, .. } => {
            p.position.chunk = *chunk;
            p.position.offset = chunk.map(|c| chunk_at(c).saturating_add(*offset));
        }
        E::FailedToParseRecord { record_id, .. } => p.position.record = Some(*record_id),
        _ => {}
    }
    p
}

/// Size of the file header and of each chunk (the format's constants).
const HEADER_SIZE: u64 = 4096;
const CHUNK_SIZE: u64 = 65536;

fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cause = c.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::Words;

    #[test]
    fn words_match_utf16_at_any_offset_ignoring_case() {
        static W: Words = Words::new(&["w3wp", "appcmd"]);
        static X: Words = Words::new(&["appcmd"]);
        let mut bytes = vec![0x41u8];
        bytes.extend("C:\\Windows\\W3WP.exe".encode_utf16().flat_map(u16::to_le_bytes));
        assert!(Words::any_found_in(&[&W], &[&bytes]));
        assert!(!Words::any_found_in(&[&X], &[&bytes]));
        assert!(Words::any_found_in(&[&X, &W], &[b"x", &bytes]));
        // Two values side by side do not make a word between them.
        let (a, b): (Vec<u8>, Vec<u8>) = (
            "w3".encode_utf16().flat_map(u16::to_le_bytes).collect(),
            "wp".encode_utf16().flat_map(u16::to_le_bytes).collect(),
        );
        assert!(!Words::any_found_in(&[&W], &[&a, &b]));
    }
}
