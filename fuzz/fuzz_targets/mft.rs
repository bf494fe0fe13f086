//! A collected $MFT: records, fix-ups, attribute lists, names and times.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = inetsift::evidence::mft::MftIndex::parse(data.to_vec(), 'C');
});
