//! A triage zip (KAPE, Velociraptor, nested data.zip) given as evidence.
#![no_main]
#[path = "common.rs"]
mod common;
#[path = "contained.rs"]
mod contained;
libfuzzer_sys::fuzz_target!(init: contained::only_uncaught_panics_abort(), |data: &[u8]| {
    common::scan_as("", data, &[]);
});
