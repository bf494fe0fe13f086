//! One configuration file given on its own.

use super::layout::Layout;
use super::path::WinPath;
use super::{Completeness, DirEntry, EvidenceError, FileMeta, FileSource, ReadSeek};
use std::path::{Path, PathBuf};

/// A single file, exposed at the evidence root under its own name (no drive: where it lived on the host is
/// unknown).
pub struct SingleFileSource {
    host: PathBuf,
    path: WinPath,
    size: u64,
}

impl SingleFileSource {
    /// Wraps one file.
    pub fn open(host: &Path) -> Result<SingleFileSource, EvidenceError> {
        let meta = std::fs::metadata(host).map_err(|source| EvidenceError::Open { path: host.into(), source })?;
        let name = host.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "file".into());
        Ok(SingleFileSource { host: host.into(), path: WinPath::from_parts(None, &[name]), size: meta.len() })
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
        Ok((path.key() == self.path.key()).then_some(FileMeta { is_dir: false, size: self.size }))
    }

    fn canonical(&self, path: &WinPath) -> Option<WinPath> {
        (path.key() == self.path.key()).then(|| self.path.clone())
    }

    fn read_dir(&self, dir: &WinPath) -> Result<Vec<DirEntry>, EvidenceError> {
        Ok(if dir.components().next().is_none() && dir.drive().is_none() { self.roots()? } else { Vec::new() })
    }

    fn roots(&self) -> Result<Vec<DirEntry>, EvidenceError> {
        let name = self.path.to_string();
        Ok(vec![DirEntry { name, path: self.path.clone(), is_dir: false, size: self.size }])
    }

    fn open(&self, path: &WinPath, _limit: u64) -> Result<Box<dyn ReadSeek>, EvidenceError> {
        let evidence = self.host.display().to_string();
        if path.key() != self.path.key() {
            return Err(EvidenceError::NotFound { evidence, file: path.clone() });
        }
        let f = std::fs::File::open(&self.host).map_err(|e| EvidenceError::Read {
            evidence,
            file: path.clone(),
            reason: e.to_string(),
        })?;
        Ok(Box::new(f))
    }
}
