//! A disk image given as evidence, told by content: raw with MBR/GPT, E01, VHD, VHDX, VMDK, then NTFS.
#![no_main]
#[path = "common.rs"]
mod common;
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::scan_as("", data, &[]);
});
