//! An event log given as evidence (recognised by its signature): file header, chunks, BinXML, templates.
#![no_main]
#[path = "common.rs"]
mod common;
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::scan_as("Windows/System32/winevt/Logs/Security.evtx", data, &[]);
});
