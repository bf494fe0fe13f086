//! A folder on the analyst's machine: a mounted volume, a KAPE output tree, a copied `C$`, or an unzipped
//! Velociraptor collection.

use super::layout::{Layout, decode_component};
use super::path::{WinPath, eq_fold};
use super::{Completeness, DirEntry, EvidenceError, FileMeta, FileSource, ReadSeek};
use std::fs;
use std::path::{Path, PathBuf};

/// A folder, read through its detected [`Layout`]. Symbolic links are listed but never followed, so a link
/// planted in a collection cannot lead the reader outside it.
pub struct FolderSource {
    root: PathBuf,
    layout: Layout,
}

impl FolderSource {
    /// Opens a folder and detects its layout from the names at its top.
    pub fn open(root: &Path) -> Result<FolderSource, EvidenceError> {
        let top = list_host(root).map_err(|source| EvidenceError::Open { path: root.into(), source })?;
        let own = root.file_name().and_then(|n| n.to_str());
        let layout = Layout::detect(top.iter().map(|(n, _, d, _)| (n.as_str(), *d)), own);
        Ok(FolderSource { root: root.to_path_buf(), layout })
    }

    /// Host folders that hold the top of `drive` (several for Velociraptor: one per accessor).
    fn drive_dirs(&self, drive: Option<char>) -> Vec<PathBuf> {
        match (&self.layout, drive) {
            (_, None) => vec![self.root.clone()],
            (Layout::VolumeRoot(d), Some(x)) if *d == x => vec![self.root.clone()],
            (Layout::DriveFolders, Some(x)) => list_host(&self.root)
                .unwrap_or_default()
                .into_iter()
                .filter(|(n, _, d, _)| *d && (eq_fold(n, &x.to_string()) || eq_fold(n, &format!("{x}$"))))
                .map(|(_, p, _, _)| p)
                .collect(),
            (Layout::Velociraptor, Some(x)) => {
                let mut out = Vec::new();
                let Some((uploads, _)) = find_child(&self.root, "uploads", false) else { return out };
                for (_, accessor, is_dir, _) in list_host(&uploads).unwrap_or_default() {
                    if !is_dir {
                        continue;
                    }
                    for (name, dev, is_dir, _) in list_host(&accessor).unwrap_or_default() {
                        let decoded = WinPath::parse(&decode_component(&name));
                        if is_dir && decoded.drive() == Some(x) && decoded.components().next().is_none() {
                            out.push(dev);
                        }
                    }
                }
                out
            }
            _ => Vec::new(),
        }
    }

    /// Host paths `path` resolves to, case-insensitively (one per accessor folder that holds it), each with
    /// the Windows path as the folder spells it.
    fn resolve_named(&self, path: &WinPath) -> Vec<(PathBuf, WinPath)> {
        let decode = self.layout.encodes_names();
        self.drive_dirs(path.drive())
            .into_iter()
            .filter_map(|mut cur| {
                let mut names = Vec::new();
                for comp in path.components() {
                    let (host, name) = find_child(&cur, comp, decode)?;
                    cur = host;
                    names.push(name);
                }
                Some((cur, WinPath::from_parts(path.drive(), &names)))
            })
            .collect()
    }

    fn resolve(&self, path: &WinPath) -> Vec<PathBuf> {
        self.resolve_named(path).into_iter().map(|(h, _)| h).collect()
    }

    fn entries_of(&self, host: &Path, dir: &WinPath, out: &mut Vec<DirEntry>) {
        let decode = self.layout.encodes_names();
        for (name, _, is_dir, size) in list_host(host).unwrap_or_default() {
            let name = if decode { decode_component(&name) } else { name };
            if out.iter().any(|e| eq_fold(&e.name, &name)) {
                continue;
            }
            out.push(DirEntry { path: dir.child(&name), name, is_dir, size });
        }
    }
}

impl FileSource for FolderSource {
    fn layout(&self) -> Layout {
        self.layout.clone()
    }

    fn completeness(&self) -> Completeness {
        match self.layout {
            Layout::VolumeRoot(_) => Completeness::FullVolume,
            _ => Completeness::Triage,
        }
    }

    fn metadata(&self, path: &WinPath) -> Result<Option<FileMeta>, EvidenceError> {
        Ok(self
            .resolve(path)
            .first()
            .and_then(|p| fs::symlink_metadata(p).ok())
            .map(|m| FileMeta { is_dir: m.is_dir(), size: if m.is_file() { m.len() } else { 0 } }))
    }

    fn recorded_time(&self, path: &WinPath) -> Option<crate::model::Timestamp> {
        let p = self.resolve(path).into_iter().next()?;
        let modified = fs::symlink_metadata(p).ok()?.modified().ok()?;
        let since = modified.duration_since(std::time::UNIX_EPOCH).ok()?;
        let ticks = i64::try_from(since.as_nanos() / 100).ok()?;
        Some(crate::model::Timestamp::from_ticks(ticks))
    }

    fn canonical(&self, path: &WinPath) -> Option<WinPath> {
        self.resolve_named(path).into_iter().next().map(|(_, p)| p)
    }

    fn read_dir(&self, dir: &WinPath) -> Result<Vec<DirEntry>, EvidenceError> {
        let mut out = Vec::new();
        for host in self.resolve(dir) {
            self.entries_of(&host, dir, &mut out);
        }
        out.sort_by_key(|e| e.name.to_lowercase());
        Ok(out)
    }

    fn roots(&self) -> Result<Vec<DirEntry>, EvidenceError> {
        let mut out: Vec<DirEntry> = Vec::new();
        let mut drives: Vec<char> = match &self.layout {
            Layout::VolumeRoot(d) => vec![*d],
            _ => Vec::new(),
        };
        if let Layout::DriveFolders | Layout::Velociraptor = self.layout {
            for d in 'A'..='Z' {
                if !self.drive_dirs(Some(d)).is_empty() {
                    drives.push(d);
                }
            }
        }
        for d in drives {
            let p = WinPath::drive_root(d);
            out.push(DirEntry { name: p.to_string(), path: p, is_dir: true, size: 0 });
        }
        if !matches!(self.layout, Layout::VolumeRoot(_)) {
            let root = WinPath::from_parts::<&str>(None, &[]);
            let mut rel = Vec::new();
            self.entries_of(&self.root, &root, &mut rel);
            rel.retain(|e| match self.layout {
                Layout::DriveFolders => !(e.is_dir && e.name.trim_end_matches('$').len() == 1),
                Layout::Velociraptor => !eq_fold(&e.name, "uploads"),
                _ => true,
            });
            out.extend(rel);
        }
        Ok(out)
    }

    fn open(&self, path: &WinPath, _limit: u64) -> Result<Box<dyn ReadSeek>, EvidenceError> {
        let not_found = || EvidenceError::NotFound { evidence: self.root.display().to_string(), file: path.clone() };
        let host = self.resolve(path).into_iter().next().ok_or_else(not_found)?;
        let meta = fs::symlink_metadata(&host).map_err(|_| not_found())?;
        if meta.is_dir() {
            return Err(EvidenceError::IsFolder { evidence: self.root.display().to_string(), file: path.clone() });
        }
        if !meta.is_file() {
            return Err(EvidenceError::Read {
                evidence: self.root.display().to_string(),
                file: path.clone(),
                reason: "not a regular file (links are not followed)".into(),
            });
        }
        // std's File::open opens read-only: the evidence is never opened for writing.
        let f = fs::File::open(&host).map_err(|e| EvidenceError::Read {
            evidence: self.root.display().to_string(),
            file: path.clone(),
            reason: e.to_string(),
        })?;
        Ok(Box::new(f))
    }
}

/// (name, host path, is_dir, size) of each entry of a host folder; names that are not UTF-8 are kept lossily.
fn list_host(dir: &Path) -> std::io::Result<Vec<(String, PathBuf, bool, u64)>> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir)? {
        let Ok(e) = e else { continue };
        let Ok(ft) = e.file_type() else { continue };
        let size = if ft.is_file() { e.metadata().map(|m| m.len()).unwrap_or(0) } else { 0 };
        out.push((e.file_name().to_string_lossy().into_owned(), e.path(), ft.is_dir(), size));
    }
    Ok(out)
}

/// The child of `dir` whose (decoded) name equals `name` case-insensitively, with its name as spelled on
/// disk. Symbolic links are never resolved through, so a planted link cannot lead outside the evidence.
fn find_child(dir: &Path, name: &str, decode: bool) -> Option<(PathBuf, String)> {
    if !decode {
        let exact = dir.join(name);
        if let Ok(m) = fs::symlink_metadata(&exact) {
            return (!m.file_type().is_symlink()).then(|| (exact, name.to_string()));
        }
    }
    list_host(dir).ok()?.into_iter().find_map(|(n, p, _, _)| {
        let n = if decode { decode_component(&n) } else { n };
        let link = fs::symlink_metadata(&p).map(|m| m.file_type().is_symlink()).unwrap_or(true);
        (eq_fold(&n, name) && !link).then_some((p, n))
    })
}
