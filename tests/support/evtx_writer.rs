//! Test support: writes EVTX files the way Windows lays them out, for fixtures the corpus lacks.
//!
//! Each record is a fragment holding one template instance, laid out as Windows 10 writes it: the template is
//! the `System` element with 18 typed substitutions in Windows' order (`Level` `UInt8`, `Opcode`, `Task` and
//! `EventID` `UInt16`, `Qualifiers`, `Keywords` `HexInt64`, `TimeCreated` `FILETIME`, ..., `EventRecordID`
//! `UInt64`, `Version`, the user as a `SID`, provider name and GUID, `Channel`) with only `Computer` spelled
//! out, and its last substitution is a nested BinXML fragment: a second template instance for `EventData`, one
//! `Data` element per field. A template is written in full on its first use in a chunk and referenced by offset
//! afterwards, names are written once per chunk and referenced after, and the file header, chunk header and
//! record checksums are computed. Layout after MS-EVEN6, a real Sysmon log of the corpus and the fixture-tools
//! recipe; written here because no crate writes EVTX.

use serde_json::Value as Json;
use std::collections::HashMap;

/// A typed substitution value.
#[derive(Clone, Debug)]
pub enum Value {
    /// `StringType` (UTF-16LE).
    Str(String),
    /// `UInt8Type`.
    U8(u8),
    /// `UInt16Type`.
    U16(u16),
    /// `UInt32Type`.
    U32(u32),
    /// `UInt64Type`.
    U64(u64),
    /// `HexInt64Type`.
    Hex64(u64),
    /// `FileTimeType` (100 ns since 1601).
    FileTime(u64),
    /// `SidType`, from its `S-1-...` form.
    Sid(String),
    /// `BoolType`.
    Bool(bool),
    /// `BinaryType`.
    Binary(Vec<u8>),
    /// `GuidType`.
    Guid([u8; 16]),
    /// `NullType` (an optional substitution that is left out).
    Null,
}

/// One event to write.
#[derive(Clone, Debug)]
pub struct Event {
    /// `EventRecordID` (also the record header's id).
    pub record_id: u64,
    /// Seconds since 1970 UTC, and the 100 ns ticks within the second.
    pub time: (i64, u32),
    /// `Provider/@Name`.
    pub provider: String,
    /// `Provider/@Guid`, braces included; `None` for classic providers.
    pub provider_guid: Option<String>,
    /// `EventID`.
    pub event_id: u16,
    /// `EventID/@Qualifiers` (classic providers).
    pub qualifiers: Option<u16>,
    /// `Level`.
    pub level: u8,
    /// `Task`.
    pub task: u16,
    /// `Keywords`.
    pub keywords: u64,
    /// `Execution/@ProcessID`.
    pub process_id: u32,
    /// `Execution/@ThreadID`.
    pub thread_id: u32,
    /// `Channel`.
    pub channel: String,
    /// `Computer`.
    pub computer: String,
    /// `Security/@UserID`.
    pub user_sid: Option<String>,
    /// `EventData/Data[@Name]`, in order.
    pub data: Vec<(String, Value)>,
}

impl Event {
    /// An event with the usual defaults (level 4, task 0, the audit-success keywords of modern providers).
    pub fn new(record_id: u64, time: (i64, u32), provider: &str, channel: &str, event_id: u16) -> Event {
        Event {
            record_id,
            time,
            provider: provider.to_string(),
            provider_guid: None,
            event_id,
            qualifiers: None,
            level: 4,
            task: 0,
            keywords: 0x8000_0000_0000_0000,
            process_id: 4,
            thread_id: 8,
            channel: channel.to_string(),
            computer: "WEB01".to_string(),
            user_sid: None,
            data: Vec::new(),
        }
    }

    /// Adds a string `Data` field.
    pub fn data(mut self, name: &str, value: &str) -> Event {
        self.data.push((name.to_string(), Value::Str(value.to_string())));
        self
    }

    /// Adds a typed `Data` field.
    pub fn typed(mut self, name: &str, value: Value) -> Event {
        self.data.push((name.to_string(), value));
        self
    }
}

/// An event from its JSON description (see examples/mkevtx.rs for the fields).
pub fn from_json(j: &Json) -> Result<Event, String> {
    let s = |k: &str| j.get(k).and_then(Json::as_str).unwrap_or_default().to_string();
    let n = |k: &str| j.get(k).and_then(Json::as_u64);
    let time = chrono::DateTime::parse_from_rfc3339(&s("time")).map_err(|e| format!("time {:?}: {e}", s("time")))?;
    let mut e = Event::new(
        n("record_id").unwrap_or(1),
        (time.timestamp(), time.timestamp_subsec_nanos() / 100),
        &s("provider"),
        &s("channel"),
        n("event_id").unwrap_or(0) as u16,
    );
    e.provider_guid = j.get("guid").and_then(Json::as_str).map(str::to_string);
    e.qualifiers = n("qualifiers").map(|q| q as u16);
    e.level = n("level").unwrap_or(4) as u8;
    e.task = n("task").unwrap_or(0) as u16;
    if let Some(k) = n("keywords") {
        e.keywords = k;
    }
    e.process_id = n("pid").unwrap_or(4) as u32;
    e.thread_id = n("tid").unwrap_or(8) as u32;
    if let Some(c) = j.get("computer").and_then(Json::as_str) {
        e.computer = c.to_string();
    }
    e.user_sid = j.get("user").and_then(Json::as_str).map(str::to_string);
    for pair in j.get("data").and_then(Json::as_array).into_iter().flatten() {
        let name = pair.get(0).and_then(Json::as_str).unwrap_or_default();
        let value = match pair.get(1) {
            Some(Json::String(v)) => Value::Str(v.clone()),
            Some(Json::Object(o)) if o.contains_key("u32") => Value::U32(o["u32"].as_u64().unwrap_or(0) as u32),
            Some(Json::Object(o)) if o.contains_key("u64") => Value::U64(o["u64"].as_u64().unwrap_or(0)),
            Some(Json::Object(o)) if o.contains_key("bool") => Value::Bool(o["bool"].as_bool().unwrap_or(false)),
            Some(Json::Object(o)) if o.contains_key("hex") => Value::Binary(hex(o["hex"].as_str().unwrap_or(""))),
            _ => Value::Null,
        };
        e.data.push((name.to_string(), value));
    }
    Ok(e)
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2).filter_map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()).collect()
}

const CHUNK_SIZE: usize = 0x10000;
const CHUNK_HEADER: usize = 512;

/// Writes a whole EVTX file.
pub fn write(events: &[Event]) -> Vec<u8> {
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let mut chunk = Chunk::new();
    for e in events {
        if !chunk.push(e) {
            chunks.push(chunk.finish());
            chunk = Chunk::new();
            assert!(chunk.push(e), "event {} does not fit in an empty chunk", e.record_id);
        }
    }
    if !chunk.records.is_empty() || chunks.is_empty() {
        chunks.push(chunk.finish());
    }
    let next_id = events.iter().map(|e| e.record_id).max().unwrap_or(0) + 1;
    let mut header = vec![0u8; 4096];
    header[0..8].copy_from_slice(b"ElfFile\0");
    put_u64(&mut header, 8, 0);
    put_u64(&mut header, 16, chunks.len() as u64 - 1);
    put_u64(&mut header, 24, next_id);
    put_u32(&mut header, 32, 128);
    put_u16(&mut header, 36, 1);
    put_u16(&mut header, 38, 3);
    put_u16(&mut header, 40, 4096);
    put_u16(&mut header, 42, chunks.len() as u16);
    put_u32(&mut header, 120, 0);
    let crc = crc32(&header[0..120]);
    put_u32(&mut header, 124, crc);
    let mut out = header;
    for c in chunks {
        out.extend(c);
    }
    out
}

/// A chunk being filled: its bytes, the names and templates already written in it.
struct Chunk {
    data: Vec<u8>,
    names: HashMap<String, u32>,
    templates: HashMap<String, (u32, u32)>,
    records: Vec<(u64, usize)>,
    /// Where the size of each open element goes.
    stack: Vec<usize>,
}

impl Chunk {
    fn new() -> Chunk {
        Chunk {
            data: vec![0u8; CHUNK_HEADER],
            names: HashMap::new(),
            templates: HashMap::new(),
            records: Vec::new(),
            stack: Vec::new(),
        }
    }

    /// Appends a record; false (and the chunk untouched) when it does not fit.
    fn push(&mut self, e: &Event) -> bool {
        let saved = (self.data.len(), self.names.clone(), self.templates.clone());
        let start = self.data.len();
        self.data.extend_from_slice(&[0x2a, 0x2a, 0, 0]);
        self.data.extend_from_slice(&[0; 4]);
        self.data.extend_from_slice(&e.record_id.to_le_bytes());
        self.data.extend_from_slice(&filetime(e.time).to_le_bytes());
        self.record_binxml(e);
        let size = (self.data.len() - start + 4) as u32;
        self.data.extend_from_slice(&size.to_le_bytes());
        put_u32(&mut self.data, start + 4, size);
        if self.data.len() > CHUNK_SIZE {
            self.data.truncate(saved.0);
            self.names = saved.1;
            self.templates = saved.2;
            return false;
        }
        self.records.push((e.record_id, start));
        true
    }

    fn record_binxml(&mut self, e: &Event) {
        self.data.extend_from_slice(&[0x0f, 0x01, 0x01, 0x00]);
        let shape = format!("system|{}", e.computer);
        self.instance(&shape, |c, id| c.system_template(e, id));
        let values = system_values(e);
        // The event data is the last value: a fragment of its own, written where it lands in the chunk.
        let count = values.len() + 1;
        self.data.extend_from_slice(&(count as u32).to_le_bytes());
        let encoded: Vec<(u8, Vec<u8>)> = values.iter().map(encode).collect();
        for (code, bytes) in &encoded {
            self.data.extend_from_slice(&(bytes.len() as u16).to_le_bytes());
            self.data.push(*code);
            self.data.push(0);
        }
        let nested_size_at = self.data.len();
        self.data.extend_from_slice(&[0, 0, 0x21, 0]);
        for (_, bytes) in encoded {
            self.data.extend_from_slice(&bytes);
        }
        let start = self.data.len();
        self.event_data(e);
        let size = (self.data.len() - start) as u16;
        put_u16(&mut self.data, nested_size_at, size);
    }

    /// A template instance: a reference to the chunk's template for `shape`, written in full on first use.
    fn instance(&mut self, shape: &str, define: impl FnOnce(&mut Chunk, u32)) {
        self.data.push(0x0c);
        self.data.push(0x01);
        match self.templates.get(shape).copied() {
            Some((id, offset)) => {
                self.data.extend_from_slice(&id.to_le_bytes());
                self.data.extend_from_slice(&offset.to_le_bytes());
            }
            None => {
                let id = 0x1000 + self.templates.len() as u32;
                self.data.extend_from_slice(&id.to_le_bytes());
                // Resident: the definition starts right after its own offset.
                let offset = (self.data.len() + 4) as u32;
                self.data.extend_from_slice(&offset.to_le_bytes());
                self.data.extend_from_slice(&0u32.to_le_bytes()); // next template in the bucket
                let mut guid = id.to_le_bytes().to_vec();
                guid.extend_from_slice(&[0x5a; 12]);
                self.data.extend_from_slice(&guid);
                let size_at = self.data.len();
                self.data.extend_from_slice(&[0; 4]);
                let body = self.data.len();
                self.data.extend_from_slice(&[0x0f, 0x01, 0x01, 0x00]);
                define(self, id);
                self.data.push(0x00);
                let size = (self.data.len() - body) as u32;
                put_u32(&mut self.data, size_at, size);
                self.templates.insert(shape.to_string(), (id, offset));
            }
        }
    }

    /// The nested `EventData` fragment: its own template (one `Data` per field) and values.
    fn event_data(&mut self, e: &Event) {
        self.data.extend_from_slice(&[0x0f, 0x01, 0x01, 0x00]);
        let shape = format!("data|{:?}", e.data.iter().map(|(n, v)| (n.as_str(), type_code(v))).collect::<Vec<_>>());
        self.instance(&shape, |c, _| {
            c.open("EventData", &[]);
            for (i, (name, v)) in e.data.iter().enumerate() {
                c.sub_element_opt("Data", &[("Name", Attr::Text(name))], i as u16, type_code(v), true);
            }
            c.close();
        });
        self.data.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
        let encoded: Vec<(u8, Vec<u8>)> = e.data.iter().map(|(_, v)| encode(v)).collect();
        for (code, bytes) in &encoded {
            self.data.extend_from_slice(&(bytes.len() as u16).to_le_bytes());
            self.data.push(*code);
            self.data.push(0);
        }
        for (_, bytes) in encoded {
            self.data.extend_from_slice(&bytes);
        }
    }

    fn system_template(&mut self, e: &Event, _id: u32) {
        let ns = [("xmlns", Attr::Text("http://schemas.microsoft.com/win/2004/08/events/event"))];
        self.open("Event", &ns);
        self.open("System", &[]);
        self.empty(
            "Provider",
            &[("Name", Attr::Sub(SUB_PROVIDER, 0x01, true)), ("Guid", Attr::Sub(SUB_PROVIDER_GUID, 0x0f, true))],
        );
        self.sub_element("EventID", &[("Qualifiers", Attr::Sub(SUB_QUALIFIERS, 0x06, true))], SUB_EVENT_ID, 0x06);
        self.sub_element("Version", &[], SUB_VERSION, 0x04);
        self.sub_element("Level", &[], SUB_LEVEL, 0x04);
        self.sub_element("Task", &[], SUB_TASK, 0x06);
        self.sub_element("Opcode", &[], SUB_OPCODE, 0x04);
        self.sub_element("Keywords", &[], SUB_KEYWORDS, 0x15);
        self.empty("TimeCreated", &[("SystemTime", Attr::Sub(SUB_TIME, 0x11, false))]);
        self.sub_element("EventRecordID", &[], SUB_RECORD_ID, 0x0a);
        self.empty(
            "Correlation",
            &[
                ("ActivityID", Attr::Sub(SUB_ACTIVITY, 0x0f, true)),
                ("RelatedActivityID", Attr::Sub(SUB_RELATED, 0x0f, true)),
            ],
        );
        self.empty(
            "Execution",
            &[("ProcessID", Attr::Sub(SUB_PROCESS, 0x08, false)), ("ThreadID", Attr::Sub(SUB_THREAD, 0x08, false))],
        );
        self.sub_element("Channel", &[], SUB_CHANNEL, 0x01);
        self.text_element("Computer", &e.computer);
        self.empty("Security", &[("UserID", Attr::Sub(SUB_USER, 0x13, true))]);
        self.close();
        self.sub(SUB_EVENT_DATA, 0x21, true);
        self.close();
    }

    /// Writes a name reference, and the name itself on its first use in the chunk.
    fn name(&mut self, name: &str) {
        if let Some(&at) = self.names.get(name) {
            self.data.extend_from_slice(&at.to_le_bytes());
            return;
        }
        let at = (self.data.len() + 4) as u32;
        self.data.extend_from_slice(&at.to_le_bytes());
        self.data.extend_from_slice(&0u32.to_le_bytes());
        self.data.extend_from_slice(&name_hash(name).to_le_bytes());
        let units: Vec<u16> = name.encode_utf16().collect();
        self.data.extend_from_slice(&(units.len() as u16).to_le_bytes());
        for u in units {
            self.data.extend_from_slice(&u.to_le_bytes());
        }
        self.data.extend_from_slice(&[0, 0]);
        self.names.insert(name.to_string(), at);
    }

    /// Opens an element; the caller closes it with [`Chunk::close`] (content) or it is empty.
    fn start(&mut self, tag: &str, attrs: &[(&str, Attr)]) -> usize {
        self.data.push(if attrs.is_empty() { 0x01 } else { 0x41 });
        self.data.extend_from_slice(&0xffffu16.to_le_bytes()); // dependency id: none
        let size_at = self.data.len();
        self.data.extend_from_slice(&[0; 4]);
        self.name(tag);
        if !attrs.is_empty() {
            let list_at = self.data.len();
            self.data.extend_from_slice(&[0; 4]);
            let list = self.data.len();
            for (i, (name, value)) in attrs.iter().enumerate() {
                self.data.push(if i + 1 < attrs.len() { 0x46 } else { 0x06 });
                self.name(name);
                self.attr_value(value);
            }
            let len = (self.data.len() - list) as u32;
            put_u32(&mut self.data, list_at, len);
        }
        size_at
    }

    fn attr_value(&mut self, v: &Attr) {
        match v {
            Attr::Text(t) => self.text(t),
            Attr::Sub(id, code, optional) => self.sub(*id, *code, *optional),
        }
    }

    fn open(&mut self, tag: &str, attrs: &[(&str, Attr)]) {
        let size_at = self.start(tag, attrs);
        self.data.push(0x02);
        self.stack.push(size_at);
    }

    fn close(&mut self) {
        self.data.push(0x04);
        if let Some(size_at) = self.stack.pop() {
            self.end_size(size_at);
        }
    }

    fn empty(&mut self, tag: &str, attrs: &[(&str, Attr)]) {
        let size_at = self.start(tag, attrs);
        self.data.push(0x03);
        self.end_size(size_at);
    }

    fn text_element(&mut self, tag: &str, text: &str) {
        let size_at = self.start(tag, &[]);
        self.data.push(0x02);
        self.text(text);
        self.data.push(0x04);
        self.end_size(size_at);
    }

    fn sub_element(&mut self, tag: &str, attrs: &[(&str, Attr)], id: u16, code: u8) {
        self.sub_element_opt(tag, attrs, id, code, false);
    }

    fn sub_element_opt(&mut self, tag: &str, attrs: &[(&str, Attr)], id: u16, code: u8, optional: bool) {
        let size_at = self.start(tag, attrs);
        self.data.push(0x02);
        self.sub(id, code, optional);
        self.data.push(0x04);
        self.end_size(size_at);
    }

    fn end_size(&mut self, size_at: usize) {
        let size = (self.data.len() - size_at - 4) as u32;
        put_u32(&mut self.data, size_at, size);
    }

    fn text(&mut self, t: &str) {
        let units: Vec<u16> = t.encode_utf16().collect();
        self.data.push(0x05);
        self.data.push(0x01);
        self.data.extend_from_slice(&(units.len() as u16).to_le_bytes());
        for u in units {
            self.data.extend_from_slice(&u.to_le_bytes());
        }
    }

    fn sub(&mut self, id: u16, code: u8, optional: bool) {
        self.data.push(if optional { 0x0e } else { 0x0d });
        self.data.extend_from_slice(&id.to_le_bytes());
        self.data.push(code);
    }

    fn finish(mut self) -> Vec<u8> {
        let free = self.data.len();
        self.data.resize(CHUNK_SIZE, 0);
        let d = &mut self.data;
        d[0..8].copy_from_slice(b"ElfChnk\0");
        let (first, last) = match (self.records.first(), self.records.last()) {
            (Some(f), Some(l)) => (f.0, l.0),
            _ => (0, 0),
        };
        put_u64(d, 8, first);
        put_u64(d, 16, last);
        put_u64(d, 24, first);
        put_u64(d, 32, last);
        put_u32(d, 40, 128);
        put_u32(d, 44, self.records.last().map(|r| r.1 as u32).unwrap_or(0));
        put_u32(d, 48, free as u32);
        let records_crc = crc32(&d[CHUNK_HEADER..free]);
        put_u32(d, 52, records_crc);
        let mut covered = d[0..120].to_vec();
        covered.extend_from_slice(&d[128..CHUNK_HEADER]);
        let crc = crc32(&covered);
        put_u32(d, 124, crc);
        self.data
    }
}

/// An attribute value: literal text, or a substitution (id, value type, optional).
enum Attr<'a> {
    Text(&'a str),
    Sub(u16, u8, bool),
}

// Windows' order of the `System` substitutions.
const SUB_LEVEL: u16 = 0;
const SUB_OPCODE: u16 = 1;
const SUB_TASK: u16 = 2;
const SUB_EVENT_ID: u16 = 3;
const SUB_QUALIFIERS: u16 = 4;
const SUB_KEYWORDS: u16 = 5;
const SUB_TIME: u16 = 6;
const SUB_ACTIVITY: u16 = 7;
const SUB_PROCESS: u16 = 8;
const SUB_THREAD: u16 = 9;
const SUB_RECORD_ID: u16 = 10;
const SUB_VERSION: u16 = 11;
const SUB_USER: u16 = 12;
const SUB_RELATED: u16 = 13;
const SUB_PROVIDER: u16 = 14;
const SUB_PROVIDER_GUID: u16 = 15;
const SUB_CHANNEL: u16 = 16;
const SUB_EVENT_DATA: u16 = 17;

/// Values 0 to 16 of the `System` template (17, the event data, is written by the caller).
fn system_values(e: &Event) -> Vec<Value> {
    vec![
        Value::U8(e.level),
        Value::U8(0),
        Value::U16(e.task),
        Value::U16(e.event_id),
        e.qualifiers.map(Value::U16).unwrap_or(Value::Null),
        Value::Hex64(e.keywords),
        Value::FileTime(filetime(e.time)),
        Value::Null,
        Value::U32(e.process_id),
        Value::U32(e.thread_id),
        Value::U64(e.record_id),
        Value::U8(0),
        e.user_sid.clone().map(Value::Sid).unwrap_or(Value::Null),
        Value::Null,
        Value::Str(e.provider.clone()),
        e.provider_guid.as_deref().map(|g| Value::Guid(guid(g))).unwrap_or(Value::Null),
        Value::Str(e.channel.clone()),
    ]
}

/// `{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}` in its mixed-endian binary form.
fn guid(s: &str) -> [u8; 16] {
    let hex: String = s.chars().filter(char::is_ascii_hexdigit).collect();
    let b: Vec<u8> = (0..hex.len() / 2).filter_map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()).collect();
    let mut out = [0u8; 16];
    if b.len() == 16 {
        out[0..4].copy_from_slice(&[b[3], b[2], b[1], b[0]]);
        out[4..6].copy_from_slice(&[b[5], b[4]]);
        out[6..8].copy_from_slice(&[b[7], b[6]]);
        out[8..16].copy_from_slice(&b[8..16]);
    }
    out
}

fn type_code(v: &Value) -> u8 {
    match v {
        Value::Null => 0x00,
        Value::Str(_) => 0x01,
        Value::U8(_) => 0x04,
        Value::U16(_) => 0x06,
        Value::U32(_) => 0x08,
        Value::U64(_) => 0x0a,
        Value::Bool(_) => 0x0d,
        Value::Binary(_) => 0x0e,
        Value::Guid(_) => 0x0f,
        Value::FileTime(_) => 0x11,
        Value::Sid(_) => 0x13,
        Value::Hex64(_) => 0x15,
    }
}

fn encode(v: &Value) -> (u8, Vec<u8>) {
    let bytes = match v {
        Value::Null => Vec::new(),
        Value::Str(s) => s.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        Value::U8(x) => vec![*x],
        Value::U16(x) => x.to_le_bytes().to_vec(),
        Value::U32(x) => x.to_le_bytes().to_vec(),
        Value::U64(x) | Value::Hex64(x) | Value::FileTime(x) => x.to_le_bytes().to_vec(),
        Value::Bool(b) => u32::from(*b).to_le_bytes().to_vec(),
        Value::Binary(b) => b.clone(),
        Value::Guid(g) => g.to_vec(),
        Value::Sid(s) => sid(s),
    };
    (type_code(v), bytes)
}

/// `S-1-5-21-1-2-3-500` as a binary SID.
fn sid(s: &str) -> Vec<u8> {
    let parts: Vec<u64> = s.trim_start_matches("S-").split('-').filter_map(|p| p.parse().ok()).collect();
    let (revision, authority, subs) = match parts.as_slice() {
        [r, a, subs @ ..] => (*r as u8, *a, subs),
        _ => (1, 0, &[][..]),
    };
    let mut out = vec![revision, subs.len() as u8];
    out.extend_from_slice(&authority.to_be_bytes()[2..]);
    for sub in subs {
        out.extend_from_slice(&(*sub as u32).to_le_bytes());
    }
    out
}

fn filetime((secs, ticks): (i64, u32)) -> u64 {
    ((secs + 11_644_473_600) as u64) * 10_000_000 + u64::from(ticks)
}

fn name_hash(s: &str) -> u16 {
    let mut h: u32 = 0;
    for u in s.encode_utf16() {
        h = h.wrapping_mul(65599).wrapping_add(u32::from(u));
    }
    (h & 0xffff) as u16
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn put_u16(d: &mut [u8], at: usize, v: u16) {
    d[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

fn put_u32(d: &mut [u8], at: usize, v: u32) {
    d[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn put_u64(d: &mut [u8], at: usize, v: u64) {
    d[at..at + 8].copy_from_slice(&v.to_le_bytes());
}
