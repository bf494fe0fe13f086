//! A triage zip (KAPE, Velociraptor, nested data.zip) given as evidence.
#![no_main]
#[path = "common.rs"]
mod common;
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::scan_as("", data, &[]);
});
