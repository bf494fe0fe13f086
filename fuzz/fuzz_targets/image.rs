//! A disk image given as evidence, told by content: raw with MBR/GPT, E01, VHD, VHDX, VMDK, then NTFS.
#![no_main]
#[path = "common.rs"]
mod common;
#[path = "contained.rs"]
mod contained;
libfuzzer_sys::fuzz_target!(init: contained::only_uncaught_panics_abort(), |data: &[u8]| {
    common::scan_as("", data, &[]);
});
