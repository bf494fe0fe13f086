//! Security catalogs (CTL inside PKCS#7) and bare PKCS#7 blobs.
#![no_main]
#[path = "contained.rs"]
mod contained;
use std::sync::OnceLock;
libfuzzer_sys::fuzz_target!(init: contained::only_uncaught_panics_abort(), |data: &[u8]| {
    static TRUST: OnceLock<inetsift::artifacts::authenticode::trust::Trust> = OnceLock::new();
    let trust = TRUST.get_or_init(inetsift::artifacts::authenticode::trust::Trust::microsoft);
    let _ = inetsift::artifacts::authenticode::catalog::read("fuzz.cat", data, trust);
    let _ = inetsift::artifacts::authenticode::pkcs7::nested_blobs(data);
});
