//! A SYSTEM hive: base block, bins, cells, key walk and the facts read from it.
#![no_main]
#[path = "common.rs"]
mod common;
#[path = "contained.rs"]
mod contained;
libfuzzer_sys::fuzz_target!(init: contained::only_uncaught_panics_abort(), |data: &[u8]| {
    common::scan_as("Windows/System32/config/SYSTEM", data, &[]);
});
