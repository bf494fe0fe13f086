//! A SYSTEM hive: base block, bins, cells, key walk and the facts read from it.
#![no_main]
#[path = "common.rs"]
mod common;
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::scan_as("Windows/System32/config/SYSTEM", data, &[]);
});
