//! One configuration file given on its own.

use super::layout::Layout;
use super::path::WinPath;
use super::{Completeness, DirEntry, EvidenceError, FileMeta, FileSource, ReadSeek};
use std::path::{Path, PathBuf};

/// A single file, exposed at the evidence root under its own name (no drive: where it lived on the host is
/// unknown). A hive brings its transaction logs (`NAME.LOG`, `.LOG1`, `.LOG2`) from the same folder.
pub struct SingleFileSource {
    host: PathBuf,
    path: WinPath,
    size: u64,
    /// Companion files (transaction logs): host path, exposed path, size.
    companions: Vec<(PathBuf, WinPath, u64)>,
}

impl SingleFileSource {
    /// Wraps one file.
    pub fn open(host: &Path) -> Result<SingleFileSource, EvidenceError> {
        let meta = std::fs::metadata(host).map_err(|source| EvidenceError::Open { path: host.into(), source })?;
        let name = host.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "file".into());
        Ok(SingleFileSource {
            host: host.into(),
            path: WinPath::from_parts(None, &[name]),
            size: meta.len(),
            companions: Vec::new(),
        })
    }

    /// Wraps a hive and the transaction logs beside it (matched case-insensitively).
    pub fn open_with_logs(host: &Path) -> Result<SingleFileSource, EvidenceError> {
        let mut src = Self::open(host)?;
        let name = src.path.to_string();
        let dir = host.parent().map(Path::to_path_buf).unwrap_or_default();
        let dir = if dir.as_os_str().is_empty() { PathBuf::from(".") } else { dir };
        if let Ok(entries) = std::fs::read_dir(&dir) {
            let mut found: Vec<(PathBuf, WinPath, u64)> = entries
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter_map(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    let ext = n.get(name.len()..)?;
                    let is_log = n.get(..name.len()).is_some_and(|b| b.eq_ignore_ascii_case(&name))
                        && [".LOG", ".LOG1", ".LOG2"].iter().any(|x| x.eq_ignore_ascii_case(ext));
                    is_log.then(|| {
                        (e.path(), WinPath::from_parts(None, &[n]), e.metadata().map(|m| m.len()).unwrap_or(0))
                    })
                })
                .collect();
            found.sort_by(|a, b| a.1.cmp(&b.1));
            src.companions = found;
        }
        Ok(src)
    }

    fn find(&self, path: &WinPath) -> Option<(&Path, &WinPath, u64)> {
        if path.key() == self.path.key() {
            return Some((&self.host, &self.path, self.size));
        }
        self.companions.iter().find(|(_, p, _)| p.key() == path.key()).map(|(h, p, s)| (h.as_path(), p, *s))
    }

    /// The file itself: its host path, the path it is exposed at, its size.
    pub fn main(&self) -> (&Path, &WinPath, u64) {
        (&self.host, &self.path, self.size)
    }

    /// The path the file is exposed at.
    pub fn file_path(&self) -> &WinPath {
        &self.path
    }
}

impl FileSource for SingleFileSource {
    fn layout(&self) -> Layout {
        Layout::Flat
    }

    fn completeness(&self) -> Completeness {
        Completeness::SingleFile
    }

    fn metadata(&self, path: &WinPath) -> Result<Option<FileMeta>, EvidenceError> {
        Ok(self.find(path).map(|(_, _, size)| FileMeta { is_dir: false, size }))
    }

    fn canonical(&self, path: &WinPath) -> Option<WinPath> {
        self.find(path).map(|(_, p, _)| p.clone())
    }

    fn read_dir(&self, dir: &WinPath) -> Result<Vec<DirEntry>, EvidenceError> {
        Ok(if dir.components().next().is_none() && dir.drive().is_none() { self.roots()? } else { Vec::new() })
    }

    fn roots(&self) -> Result<Vec<DirEntry>, EvidenceError> {
        let main = std::iter::once((&self.path, self.size));
        let all = main.chain(self.companions.iter().map(|(_, p, s)| (p, *s)));
        Ok(all.map(|(p, size)| DirEntry { name: p.to_string(), path: p.clone(), is_dir: false, size }).collect())
    }

    fn open(&self, path: &WinPath, _limit: u64) -> Result<Box<dyn ReadSeek>, EvidenceError> {
        let evidence = self.host.display().to_string();
        let Some((host, _, _)) = self.find(path) else {
            return Err(EvidenceError::NotFound { evidence, file: path.clone() });
        };
        let f = std::fs::File::open(host).map_err(|e| EvidenceError::Read {
            evidence,
            file: path.clone(),
            reason: e.to_string(),
        })?;
        Ok(Box::new(f))
    }
}
