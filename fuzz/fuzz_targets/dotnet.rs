//! .NET metadata (the #~ tables and heaps a managed module's assembly carries).
#![no_main]
#[path = "contained.rs"]
mod contained;
libfuzzer_sys::fuzz_target!(init: contained::only_uncaught_panics_abort(), |data: &[u8]| {
    let _ = inetsift::artifacts::pe::dotnet::read(data);
});
