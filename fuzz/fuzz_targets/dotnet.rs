//! .NET metadata (the #~ tables and heaps a managed module's assembly carries).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = inetsift::artifacts::pe::dotnet::read(data);
});
