//! A transaction log replayed onto the sample's dirty SOFTWARE hive: log base block, dirty pages, sequence
//! numbers, checksums, replay.
#![no_main]
#[path = "common.rs"]
mod common;
#[path = "contained.rs"]
mod contained;
const PRIMARY: &[u8] = include_bytes!("../../samples/hives/SOFTWARE");
libfuzzer_sys::fuzz_target!(init: contained::only_uncaught_panics_abort(), |data: &[u8]| {
    common::scan_as("Windows/System32/config/SOFTWARE", PRIMARY, &[("Windows/System32/config/SOFTWARE.LOG1", data)]);
});
