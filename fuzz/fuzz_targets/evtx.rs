//! An event log given as evidence (recognised by its signature): file header, chunks, BinXML, templates.
#![no_main]
#[path = "common.rs"]
mod common;
#[path = "contained.rs"]
mod contained;
libfuzzer_sys::fuzz_target!(init: contained::only_uncaught_panics_abort(), |data: &[u8]| {
    common::scan_as("Windows/System32/winevt/Logs/Security.evtx", data, &[]);
});
