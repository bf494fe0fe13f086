//! The change journal ($UsnJrnl:$J): record versions 2-4, zero runs, cut records.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = inetsift::artifacts::usn::parse(data);
});
