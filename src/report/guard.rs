//! The one rule for every path inetsift writes (`--json`, `--out` and the files in it): it is never evidence.
//! Evidence is read-only, whatever the spelling of the output path (`..`, case of a link, a symbolic or hard
//! link to an evidence file, a file not yet created inside an evidence folder).

use std::path::{Path, PathBuf};

/// Whether writing `out` would touch evidence: `out` is one of `inputs` (the same file by any name) or lies
/// inside an input folder.
pub fn touches_evidence(out: &Path, inputs: &[PathBuf]) -> bool {
    let target = resolved(out);
    inputs.iter().any(|input| {
        let input_resolved = resolved(input);
        target == input_resolved
            || (input_resolved.is_dir() && target.starts_with(&input_resolved))
            || same_inode(out, input)
    })
}

/// The same file on disk under two names (a hard link): same device and inode.
#[cfg(unix)]
fn same_inode(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_inode(_: &Path, _: &Path) -> bool {
    false
}

/// The path made absolute and resolved as far as it exists (a file not yet created keeps its last parts).
fn resolved(p: &Path) -> PathBuf {
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return abs,
        }
    }
    let mut out = existing.canonicalize().unwrap_or_else(|_| existing.to_path_buf());
    out.extend(rest.iter().rev());
    out
}

#[cfg(test)]
mod tests {
    use super::touches_evidence;

    #[test]
    fn any_spelling_of_an_evidence_path_or_a_place_inside_an_evidence_folder_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let folder = d.path().join("triage");
        std::fs::create_dir(&folder).unwrap();
        let zip = d.path().join("host.zip");
        std::fs::write(&zip, b"PK").unwrap();
        std::fs::hard_link(&zip, d.path().join("hard.zip")).unwrap();
        std::os::unix::fs::symlink(&folder, d.path().join("link")).unwrap();
        let inputs = [folder.clone(), zip.clone()];
        for bad in [
            zip.clone(),
            d.path().join("triage/../host.zip"),
            d.path().join("hard.zip"),
            folder.join("result.json"),
            folder.join("new/case"),
            d.path().join("link/result.json"),
            folder.clone(),
        ] {
            assert!(touches_evidence(&bad, &inputs), "{}", bad.display());
        }
        for good in [d.path().join("result.json"), d.path().join("case"), d.path().join("triage2/x")] {
            assert!(!touches_evidence(&good, &inputs), "{}", good.display());
        }
    }
}
