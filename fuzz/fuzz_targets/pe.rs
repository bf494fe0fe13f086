//! PE files: headers, exports, version resource, .NET metadata, and their Authenticode signature.
#![no_main]
#[path = "contained.rs"]
mod contained;
use std::sync::OnceLock;
libfuzzer_sys::fuzz_target!(init: contained::only_uncaught_panics_abort(), |data: &[u8]| {
    static TRUST: OnceLock<inetsift::artifacts::authenticode::trust::Trust> = OnceLock::new();
    let trust = TRUST.get_or_init(inetsift::artifacts::authenticode::trust::Trust::microsoft);
    let _ = inetsift::artifacts::pe::analyse(data);
    let _ = inetsift::artifacts::authenticode::verify_pe(data, trust, 1_796_083_200);
});
