//! Writes an EVTX file from a JSON list of events, for `samples/` and test fixtures.
//!
//! usage: cargo run --example mkevtx -- EVENTS.json OUT.evtx
//!
//! Each event: `record_id`, `time` (RFC 3339, UTC), `provider`, optional `guid`, `channel`, `event_id`, optional
//! `qualifiers`, `level`, `task`, `keywords`, `pid`, `tid`, `computer`, `user` (SID), and `data`: a list of `[name, value]`
//! pairs where a string value is a `StringType` and `{"u32": n}`, `{"u64": n}`, `{"bool": b}`, `{"hex": "..."}`
//! (binary) give the other types.

#[path = "../tests/support/evtx_writer.rs"]
#[allow(dead_code)]
mod evtx_writer;

use serde_json::Value as Json;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: mkevtx EVENTS.json OUT.evtx");
        std::process::exit(2);
    }
    let text = std::fs::read_to_string(&args[1]).unwrap_or_else(|e| fail(&format!("{}: {e}", args[1])));
    let list: Vec<Json> = serde_json::from_str(&text).unwrap_or_else(|e| fail(&format!("{}: {e}", args[1])));
    let events = list.iter().map(evtx_writer::from_json).collect::<Result<Vec<_>, _>>().unwrap_or_else(|e| fail(&e));
    std::fs::write(&args[2], evtx_writer::write(&events)).unwrap_or_else(|e| fail(&format!("{}: {e}", args[2])));
}

fn fail(m: &str) -> ! {
    eprintln!("mkevtx: {m}");
    std::process::exit(1)
}
