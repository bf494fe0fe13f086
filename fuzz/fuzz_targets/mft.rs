//! A collected $MFT: records, fix-ups, attribute lists, names and times.
#![no_main]
#[path = "contained.rs"]
mod contained;
libfuzzer_sys::fuzz_target!(init: contained::only_uncaught_panics_abort(), |data: &[u8]| {
    let _ = inetsift::evidence::mft::MftIndex::parse(data.to_vec(), 'C');
});
