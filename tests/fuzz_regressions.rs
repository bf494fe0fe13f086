//! Every input fuzzing found a crash or hang with, kept under tests/fuzz/TARGET/ and run through the same call
//! as its target in fuzz/ (docs/fuzzing.md). Each must end without a panic; what it found is fixed at the root
//! and has its own named test too.

mod common;

use std::path::Path;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = common::repo(&format!("tests/fuzz/{target}"));
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut v: Vec<(String, Vec<u8>)> = entries
        .filter_map(Result::ok)
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect();
    v.sort();
    v
}

// The file-level targets' own helper, so a kept input goes through exactly the target's call.
#[path = "../fuzz/fuzz_targets/common.rs"]
mod fuzz_common;
use fuzz_common::scan_as;

#[test]
fn every_kept_fuzz_input_ends_without_a_panic() {
    let mut n = 0;
    let run = |target: &str, f: &dyn Fn(&[u8])| {
        inputs(target)
            .into_iter()
            .map(|(name, bytes)| {
                let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&bytes))).is_ok();
                assert!(ok, "tests/fuzz/{target}/{name} panics");
            })
            .count()
    };
    n += run("usn", &|b| {
        inetsift::artifacts::usn::parse(b);
    });
    n += run("mft", &|b| {
        let _ = inetsift::evidence::mft::MftIndex::parse(b.to_vec(), 'C');
    });
    n += run("dotnet", &|b| {
        inetsift::artifacts::pe::dotnet::read(b);
    });
    n += run("pe", &|b| {
        let _ = inetsift::artifacts::pe::analyse(b);
    });
    n += run("config_xml", &|b| {
        scan_as(
            "Windows/System32/inetsrv/config/applicationHost.config",
            b,
            &[("inetpub/history/CFGHISTORY_0000000001/applicationHost.config", b), ("inetpub/wwwroot/web.config", b)],
        )
    });
    n += run("hive", &|b| scan_as("Windows/System32/config/SYSTEM", b, &[]));
    n += run("evtx", &|b| scan_as("Windows/System32/winevt/Logs/Security.evtx", b, &[]));
    n += run("zip", &|b| scan_as("", b, &[]));
    n += run("image", &|b| scan_as("", b, &[]));
    assert!(n >= 1, "the kept inputs are found");
    assert!(Path::new(&common::repo("tests/fuzz/usn/zero-length-then-bytes")).is_file());
}
