//! Configuration XML: applicationHost.config (with its history snapshot and a site web.config sharing the bytes),
//! merged and judged by the rules.
#![no_main]
#[path = "common.rs"]
mod common;
#[path = "contained.rs"]
mod contained;
libfuzzer_sys::fuzz_target!(init: contained::only_uncaught_panics_abort(), |data: &[u8]| {
    common::scan_as(
        "Windows/System32/inetsrv/config/applicationHost.config",
        data,
        &[("inetpub/history/CFGHISTORY_0000000001/applicationHost.config", data), ("inetpub/wwwroot/web.config", data)],
    );
});
