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

/// The file-level targets: the input placed in an evidence folder (or as the evidence) and scanned.
fn scan_as(rel: &str, bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let target = if rel.is_empty() { dir.path().join("evidence.bin") } else { dir.path().join(rel) };
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::write(&target, bytes).unwrap();
    let evidence = if rel.is_empty() { target } else { dir.path().to_path_buf() };
    let _ = inetsift::scan::scan(&[evidence], &inetsift::evidence::OpenOptions::default());
}

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
    n += run("config_xml", &|b| scan_as("Windows/System32/inetsrv/config/applicationHost.config", b));
    n += run("hive", &|b| scan_as("Windows/System32/config/SYSTEM", b));
    n += run("evtx", &|b| scan_as("Windows/System32/winevt/Logs/Security.evtx", b));
    n += run("zip", &|b| scan_as("", b));
    n += run("image", &|b| scan_as("", b));
    assert!(n >= 1, "the kept inputs are found");
    assert!(Path::new(&common::repo("tests/fuzz/usn/zero-length-then-bytes")).is_file());
}
