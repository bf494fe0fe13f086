//! The case folder (`scan --out DIR`): every output of one run beside a `sha256sum -c` manifest of them.
//!
//! Each file is rendered in memory, written once and hashed from the same bytes, so the manifest vouches for
//! exactly what was written. The folder is refused when it is not empty (unless forced) and when it lies in, or
//! is, any evidence: the case output never writes beside or over the evidence.

use super::guard::touches_evidence;
use super::{PrintOptions, printer};
use crate::model::ScanResult;
use sha2::{Digest, Sha256};
use std::io;
use std::path::{Path, PathBuf};

/// The files of a case folder and the format each is written in, in manifest order (the manifest is last;
/// README's "The case folder" says what each is for).
pub const FILES: &[(&str, &str)] = &[
    ("components.csv", "components-csv"),
    ("findings.csv", "findings-csv"),
    ("report.html", "html"),
    ("result.json", "json"),
    ("timeline.body", "bodyfile"),
    ("timeline.csv", "csv"),
    ("timeline.jsonl", "jsonl"),
];

/// The manifest's name.
pub const MANIFEST: &str = "MANIFEST.sha256";

/// What was written: each file's name and SHA-256, the manifest last.
pub type Written = Vec<(String, String)>;

/// Writes the case folder `dir` for `result`. `evidence` are the evidence paths the analyst gave (the folder
/// must not lie in any of them); `force` allows a folder that already holds files (the case files in it are
/// replaced, other files are left alone and are not in the manifest).
pub fn write(result: &ScanResult, dir: &Path, evidence: &[PathBuf], force: bool) -> io::Result<Written> {
    prepare(dir, evidence, force)?;
    let mut written = Vec::new();
    for (name, bytes) in render(result)? {
        written.push(write_file(&dir.join(name), name, &bytes)?);
    }
    written.push(write_manifest(dir, &written)?);
    Ok(written)
}

/// The case files of one result, rendered: each name with its bytes, in [`FILES`] order.
pub fn render(result: &ScanResult) -> io::Result<Vec<(&'static str, Vec<u8>)>> {
    let mut out = Vec::new();
    for (name, format) in FILES {
        let p = printer(format, PrintOptions::default())
            .ok_or_else(|| io::Error::other(format!("no printer for {format}")))?;
        let mut bytes = Vec::new();
        p.print(result, &mut bytes)?;
        out.push((*name, bytes));
    }
    Ok(out)
}

/// Writes `MANIFEST.sha256` of `written` (names relative to `dir`) into `dir`.
pub fn write_manifest(dir: &Path, written: &[(String, String)]) -> io::Result<(String, String)> {
    let mut manifest = String::new();
    for (name, hash) in written {
        manifest.push_str(&format!("{hash}  {name}\n"));
    }
    write_file(&dir.join(MANIFEST), MANIFEST, manifest.as_bytes())
}

/// Checks and creates the case folder: outside the evidence, and empty unless `force`.
pub fn prepare(dir: &Path, evidence: &[PathBuf], force: bool) -> io::Result<()> {
    refuse_evidence(dir, evidence)?;
    if dir.exists() {
        if !dir.is_dir() {
            return Err(io::Error::other(format!("{} exists and is not a folder", dir.display())));
        }
        let not_empty = std::fs::read_dir(dir)?.next().is_some();
        if not_empty && !force {
            return Err(io::Error::other(format!(
                "{} is not empty: choose a new folder for the case, or give --force to replace its case files",
                dir.display()
            )));
        }
    }
    std::fs::create_dir_all(dir)
}

/// Writes one file of a case folder; `name` is how the manifest names it.
pub fn write_file(path: &Path, name: &str, bytes: &[u8]) -> io::Result<(String, String)> {
    std::fs::write(path, bytes).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    Ok((name.to_string(), crate::model::hex(&Sha256::digest(bytes))))
}

/// Refuses a case folder that is an evidence path or lies inside an evidence folder, and one whose case files
/// would replace an evidence file (evidence kept in the folder under a case file's name).
fn refuse_evidence(dir: &Path, evidence: &[PathBuf]) -> io::Result<()> {
    let names = FILES.iter().map(|(name, _)| *name).chain([MANIFEST]);
    if touches_evidence(dir, evidence) || names.into_iter().any(|n| touches_evidence(&dir.join(n), evidence)) {
        return Err(io::Error::other(format!(
            "{} is evidence or inside it: the case folder must be outside the evidence",
            dir.display()
        )));
    }
    Ok(())
}
