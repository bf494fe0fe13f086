//! A folder of collections: one evidence argument that holds one collection per host (KAPE or Velociraptor zips,
//! disk images, collection folders), as an incident with many web servers arrives. Such a folder is expanded into
//! its collections; a folder that is itself a collection (a Windows tree, drive folders, an unzipped
//! Velociraptor collection) or holds only loose files is left as it is.

use super::layout::Layout;
use std::path::{Path, PathBuf};

/// The collections in `dir`, sorted by name, when `dir` is a folder of collections; `None` otherwise. Symbolic
/// links are not followed. Later segments of a split image (`.E02`, `-s001.vmdk`, `.002`) are not collections of
/// their own: their first segment opens them.
pub fn collections_in(dir: &Path) -> Option<Vec<PathBuf>> {
    let top = flat_top(dir)?;
    let mut found: Vec<PathBuf> = top
        .into_iter()
        .filter(|(name, path, is_dir, is_file)| {
            if *is_dir {
                is_collection_folder(path)
            } else {
                *is_file && !is_later_segment(name) && is_collection_file(path)
            }
        })
        .map(|(_, p, _, _)| p)
        .collect();
    found.sort();
    (!found.is_empty()).then_some(found)
}

/// The loose artifacts at the top of `dir`, sorted by name, when `dir` is a plain folder (no Windows tree, drive
/// folders or collection layout) holding copied files: IIS configuration files, registry hives, event logs. Each is
/// then read as the single file it is, so that a folder of files copied off a server is analysed instead of being
/// a triage collection in which nothing sits where Windows keeps it. A hive's transaction logs are read with
/// the hive, not on their own. `None` when the folder holds none of them.
pub fn loose_files_in(dir: &Path) -> Option<Vec<PathBuf>> {
    let top = flat_top(dir)?;
    let mut found: Vec<PathBuf> = top
        .into_iter()
        .filter(|(name, _, _, is_file)| *is_file && is_loose_artifact(name))
        .map(|(_, p, _, _)| p)
        .collect();
    found.sort();
    (!found.is_empty()).then_some(found)
}

/// A file name inetsift reads on its own: IIS and .NET configuration files, the SYSTEM and SOFTWARE hives, event
/// logs.
fn is_loose_artifact(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "applicationhost.config" | "administration.config" | "redirection.config" | "web.config" | "machine.config"
    ) || crate::model::HIVE_NAMES.iter().any(|h| h.eq_ignore_ascii_case(name))
        || lower.ends_with(".evtx")
}

/// The entries at the top of `dir` (name, path, is a folder, is a file) when it is a plain folder: no Windows
/// tree, drive folders or collection layout of its own. Symbolic links are neither folders nor files here.
fn flat_top(dir: &Path) -> Option<Vec<(String, PathBuf, bool, bool)>> {
    let mut top = Vec::new();
    for e in std::fs::read_dir(dir).ok()?.flatten() {
        let Ok(ft) = e.file_type() else { continue };
        top.push((e.file_name().to_string_lossy().into_owned(), e.path(), ft.is_dir(), ft.is_file()));
    }
    let own = dir.file_name().and_then(|n| n.to_str());
    (Layout::detect(top.iter().map(|(n, _, d, _)| (n.as_str(), *d)), own) == Layout::Flat).then_some(top)
}

/// A folder laid out as a collection: a Windows tree, drive folders, or an unzipped Velociraptor collection.
fn is_collection_folder(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else { return false };
    let top: Vec<(String, bool)> = entries
        .flatten()
        .filter_map(|e| Some((e.file_name().to_string_lossy().into_owned(), e.file_type().ok()?.is_dir())))
        .collect();
    let own = dir.file_name().and_then(|n| n.to_str());
    Layout::detect(top.iter().map(|(n, d)| (n.as_str(), *d)), own) != Layout::Flat
}

/// A zip or a disk image, by its first bytes.
fn is_collection_file(path: &Path) -> bool {
    let mut head = [0u8; 4];
    let zip = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok_and(|_| &head == b"PK\x03\x04" || &head == b"PK\x05\x06");
    zip || matches!(super::image::detect(path), Ok(Some(_)))
}

/// A segment that only its first segment opens: `.E02`…`.EZZ`, `.Ex02`…, `.002`…, VMDK extents.
fn is_later_segment(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let ewf = (ext.len() == 3 && ext.starts_with('e') || ext.len() == 4 && ext.starts_with("ex"))
        && ext != "e01"
        && ext != "ex01";
    let ewf = ewf && ext[1..].chars().all(|c| c.is_ascii_alphanumeric()) && ext != "exe";
    let split_raw = ext.len() == 3 && ext.chars().all(|c| c.is_ascii_digit()) && ext != "001";
    let vmdk_extent = ext == "vmdk"
        && lower.rsplit_once('-').is_some_and(|(_, tail)| {
            let stem = tail.trim_end_matches(".vmdk");
            stem == "flat"
                || (stem.len() == 4
                    && (stem.starts_with('s') || stem.starts_with('f'))
                    && stem[1..].chars().all(|c| c.is_ascii_digit()))
        });
    ewf || split_raw || vmdk_extent
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_segments_are_told_from_first_ones() {
        for later in [
            "disk.E02",
            "disk.e10",
            "disk.EAA",
            "disk.Ex02",
            "disk.002",
            "disk-s001.vmdk",
            "disk-flat.vmdk",
            "d-f002.vmdk",
        ] {
            assert!(is_later_segment(later), "{later}");
        }
        for first in
            ["disk.E01", "disk.Ex01", "disk.001", "disk.vmdk", "web-01.vmdk", "WEB01.zip", "setup.exe", "disk.vhdx"]
        {
            assert!(!is_later_segment(first), "{first}");
        }
    }

    #[test]
    fn a_folder_of_zips_and_collection_folders_is_expanded_and_a_collection_folder_is_not() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("WEB01.zip"), b"PK\x05\x06 rest of an empty zip").unwrap();
        std::fs::write(d.path().join("notes.txt"), b"chain of custody").unwrap();
        std::fs::create_dir_all(d.path().join("WEB02/C/Windows")).unwrap();
        std::fs::create_dir_all(d.path().join("misc")).unwrap();
        let found = collections_in(d.path()).unwrap();
        let names: Vec<_> = found.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["WEB01.zip", "WEB02"]);
        assert_eq!(collections_in(&d.path().join("WEB02")), None, "drive folders are one collection");
        assert_eq!(collections_in(&d.path().join("misc")), None, "nothing in it");
    }

    #[test]
    fn a_folder_of_copied_files_is_read_file_by_file_and_a_tree_is_not() {
        let d = tempfile::tempdir().unwrap();
        for f in ["applicationHost.config", "SYSTEM", "SYSTEM.LOG1", "Security.evtx", "notes.txt"] {
            std::fs::write(d.path().join(f), b"x").unwrap();
        }
        let names: Vec<String> = loose_files_in(d.path())
            .unwrap()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["SYSTEM", "Security.evtx", "applicationHost.config"]);
        std::fs::create_dir(d.path().join("Windows")).unwrap();
        assert_eq!(loose_files_in(d.path()), None, "a volume root is one evidence");
    }
}
