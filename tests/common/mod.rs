//! Helpers shared by the integration tests.
#![allow(dead_code)]

use inetsift::evidence::OpenOptions;
use inetsift::model::Component;
use inetsift::scan::{ScanResult, scan};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The shared corpus of real evidence: `INETSIFT_CORPUS`, else `../shared/corpus` beside the checkout.
pub fn corpus_dir() -> PathBuf {
    match std::env::var_os("INETSIFT_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
    }
}

/// The shared reference material (`../shared/reference`, or `INETSIFT_REFERENCE`): Microsoft's trust list.
pub fn reference_dir() -> PathBuf {
    match std::env::var_os("INETSIFT_REFERENCE") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference"),
    }
}

/// Whether the shared reference material is there; skips like [`have_corpus`] when it is not.
pub fn have_reference() -> bool {
    present(&reference_dir(), "INETSIFT_REFERENCE")
}

/// Whether the corpus is there. A test that reads it returns early when it is not, saying so in one line; with
/// `INETSIFT_REQUIRE_CORPUS` set (CI) a missing corpus fails the test instead.
pub fn have_corpus() -> bool {
    present(&corpus_dir(), "INETSIFT_CORPUS")
}

fn present(dir: &Path, variable: &str) -> bool {
    if dir.is_dir() {
        return true;
    }
    let test = std::thread::current().name().unwrap_or("?").to_string();
    assert!(
        std::env::var_os("INETSIFT_REQUIRE_CORPUS").is_none(),
        "{test}: {} is required (INETSIFT_REQUIRE_CORPUS) but missing",
        dir.display()
    );
    // Straight to the process's stderr, past the test harness's capture, so the skip shows in every run.
    let _ = writeln!(std::io::stderr(), "skipped {test}: no {} (set {variable})", dir.display());
    false
}

/// A file of the shared corpus, read in place.
pub fn corpus(rel: &str) -> PathBuf {
    let p = corpus_dir().join(rel);
    assert!(p.exists(), "corpus file missing: {}", p.display());
    p
}

/// A file of this repository.
pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Unzips a committed fixture archive (images, collections) into a fresh temporary folder.
pub fn unpack(rel: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut z = zip::ZipArchive::new(std::fs::File::open(repo(rel)).expect("fixture")).expect("a zip");
    z.extract(dir.path()).expect("extracts");
    dir
}

/// Scans one piece of evidence with default options.
pub fn scan_one(p: &Path) -> ScanResult {
    scan(&[p.to_path_buf()], &OpenOptions::default()).expect("evidence opens")
}

/// The first component with this kind and name.
pub fn component<'a>(r: &'a ScanResult, kind: &str, name: &str) -> &'a Component {
    r.components
        .iter()
        .find(|c| c.kind.as_str() == kind && c.name == name)
        .unwrap_or_else(|| panic!("no {kind} named {name:?}"))
}

/// Rules fired for one component.
pub fn rules_of(r: &ScanResult, id: &str) -> Vec<&'static str> {
    let mut v: Vec<&'static str> =
        r.findings.iter().filter(|f| f.component.as_deref() == Some(id)).map(|f| f.rule).collect();
    v.sort();
    v
}

/// Writes files into a temporary folder: (relative path with `/`, contents).
pub fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (rel, bytes) in files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, bytes).expect("write");
    }
    dir
}

/// A version 3 change-journal record (128-bit references) the way Windows writes it: `file` is (MFT entry,
/// sequence), `time` a FILETIME.
pub fn usn_v3(name: &str, file: (u64, u16), parent: u64, usn: u64, time: u64, reason: u32) -> Vec<u8> {
    let units: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let len = (76 + units.len()).div_ceil(8) * 8;
    let mut r = vec![0u8; len];
    r[0..4].copy_from_slice(&(len as u32).to_le_bytes());
    r[4..6].copy_from_slice(&3u16.to_le_bytes());
    r[8..16].copy_from_slice(&((u64::from(file.1) << 48) | file.0).to_le_bytes());
    r[24..32].copy_from_slice(&parent.to_le_bytes());
    r[40..48].copy_from_slice(&usn.to_le_bytes());
    r[48..56].copy_from_slice(&time.to_le_bytes());
    r[56..60].copy_from_slice(&reason.to_le_bytes());
    r[72..74].copy_from_slice(&(units.len() as u16).to_le_bytes());
    r[74..76].copy_from_slice(&76u16.to_le_bytes());
    r[76..76 + units.len()].copy_from_slice(&units);
    r
}

/// Checks a fixture folder against its `SHA256SUMS` (the `sha256sum` format): every listed file has its hash, and
/// every file of the folder but the generator and its README is listed.
pub fn check_sha256sums(dir: &Path) {
    use sha2::{Digest, Sha256};
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    let mut listed = Vec::new();
    for line in sums.lines() {
        let (hash, name) = line.split_once("  ").unwrap();
        let bytes = std::fs::read(dir.join(name)).unwrap();
        assert_eq!(inetsift::evidence::hex(&Sha256::digest(bytes)), hash, "{name} is not the committed file");
        listed.push(name.to_string());
    }
    let mut present: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !matches!(n.as_str(), "SHA256SUMS" | "README.md" | "make.py" | "make.sh"))
        .collect();
    present.sort();
    listed.sort();
    assert_eq!(present, listed);
}

/// Whether an output consumer (a program the tests read outputs with) can be used. When it cannot, the test
/// skips saying so, unless `INETSIFT_REQUIRE_CONSUMERS` is set (CI installs them all), where it fails.
pub fn consumer(name: &str, available: bool) -> bool {
    if !available {
        assert!(
            std::env::var_os("INETSIFT_REQUIRE_CONSUMERS").is_none(),
            "{name} is required (INETSIFT_REQUIRE_CONSUMERS) but not installed"
        );
        eprintln!("skipped: {name} is not installed");
    }
    available
}

/// A Python interpreter that has `module`: Debian's own first (where apt's python3-* packages go), then the
/// one on PATH.
pub fn python_with(module: &str) -> Option<&'static str> {
    ["/usr/bin/python3", "python3"].into_iter().find(|py| {
        std::process::Command::new(py)
            .args(["-c", &format!("import {module}")])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}
