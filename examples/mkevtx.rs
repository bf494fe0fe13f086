//! Writes an EVTX file from a JSON list of events, for `samples/` and test fixtures.
//!
//! usage: cargo run --example mkevtx -- EVENTS.json OUT.evtx
//!
//! Each event: `record_id`, `time` (RFC 3339, UTC), `provider`, optional `guid`, `channel`, `event_id`, optional
//! `qualifiers`, `level`, `task`, `pid`, `tid`, `computer`, `user` (SID), and `data`: a list of `[name, value]`
//! pairs where a string value is a `StringType` and `{"u32": n}`, `{"u64": n}`, `{"bool": b}`, `{"hex": "..."}`
//! (binary) give the other types.

#[path = "../tests/support/evtx_writer.rs"]
#[allow(dead_code)]
mod evtx_writer;

use evtx_writer::{Event, Value};
use serde_json::Value as Json;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: mkevtx EVENTS.json OUT.evtx");
        std::process::exit(2);
    }
    let text = std::fs::read_to_string(&args[1]).unwrap_or_else(|e| fail(&format!("{}: {e}", args[1])));
    let list: Vec<Json> = serde_json::from_str(&text).unwrap_or_else(|e| fail(&format!("{}: {e}", args[1])));
    let events: Vec<Event> = list.iter().map(event).collect();
    std::fs::write(&args[2], evtx_writer::write(&events)).unwrap_or_else(|e| fail(&format!("{}: {e}", args[2])));
}

fn event(j: &Json) -> Event {
    let s = |k: &str| j.get(k).and_then(Json::as_str).unwrap_or_default().to_string();
    let n = |k: &str| j.get(k).and_then(Json::as_u64);
    let time = chrono::DateTime::parse_from_rfc3339(&s("time")).unwrap_or_else(|e| fail(&format!("time: {e}")));
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
    e
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2).filter_map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()).collect()
}

fn fail(m: &str) -> ! {
    eprintln!("mkevtx: {m}");
    std::process::exit(1)
}
