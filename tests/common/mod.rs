//! Helpers shared by the integration tests.
#![allow(dead_code)]

use inetsift::evidence::OpenOptions;
use inetsift::model::Component;
use inetsift::scan::{ScanResult, scan};
use std::path::{Path, PathBuf};

/// A file of the shared corpus, read in place.
pub fn corpus(rel: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus").join(rel);
    assert!(p.exists(), "corpus file missing: {}", p.display());
    p
}

/// A file of this repository.
pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
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
