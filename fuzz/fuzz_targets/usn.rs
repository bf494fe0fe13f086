//! The change journal ($UsnJrnl:$J): record versions 2-4, zero runs, cut records.
#![no_main]
#[path = "contained.rs"]
mod contained;
libfuzzer_sys::fuzz_target!(init: contained::only_uncaught_panics_abort(), |data: &[u8]| {
    let _ = inetsift::artifacts::usn::parse(data);
});
