//! Shared by the file-level targets: the input written as one file of a temporary evidence folder (or as the
//! evidence itself), then the whole scan run on it, as an analyst would.

use std::path::Path;

/// Scans `bytes` placed at `rel` inside a fresh folder; with `rel` empty the file itself is the evidence.
pub fn scan_as(rel: &str, bytes: &[u8], extra: &[(&str, &[u8])]) {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = if rel.is_empty() { dir.path().join("evidence.bin") } else { dir.path().join(rel) };
    write(&target, bytes);
    for (r, b) in extra {
        write(&dir.path().join(r), b);
    }
    let evidence = if rel.is_empty() { target } else { dir.path().to_path_buf() };
    let _ = inetsift::scan::scan(&[evidence], &inetsift::evidence::OpenOptions::default());
}

fn write(p: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, bytes).expect("write");
}
