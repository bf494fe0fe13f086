//! The binaries an IIS host loads: every DLL a component references and every DLL in `inetsrv`, each read once
//! from the evidence, hashed and analysed as a PE file.

use crate::artifacts::pe::{self, PeFacts};
use crate::artifacts::winenv::WinEnv;
use crate::evidence::{Evidence, WinPath};
use crate::model::Warning;
use serde::Serialize;

/// Largest binary read (IIS modules are kilobytes to a few megabytes).
const BINARY_LIMIT: u64 = 256 * 1024 * 1024;

/// One binary examined.
#[derive(Clone, Debug, Serialize)]
pub struct Binary {
    /// Evidence id.
    pub evidence: String,
    /// Path inside the evidence, as the evidence spells it.
    pub path: WinPath,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Whether it lies in `System32\inetsrv` (or `SysWOW64\inetsrv`).
    pub in_inetsrv: bool,
    /// Components that reference it.
    pub components: Vec<String>,
    /// PE facts, or why there are none.
    pub pe: Option<PeFacts>,
    /// Why the file is not a readable PE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// The DLLs in the host's `inetsrv` folders.
pub fn inetsrv_dlls(ev: &Evidence, env: &WinEnv) -> Vec<WinPath> {
    let mut out = Vec::new();
    for dir in [r"%windir%\System32\inetsrv", r"%windir%\SysWOW64\inetsrv"] {
        let dir = WinPath::parse(&env.expand(dir).0);
        if let Ok(entries) = ev.source().read_dir(&dir) {
            out.extend(
                entries.into_iter().filter(|e| !e.is_dir && e.name.to_lowercase().ends_with(".dll")).map(|e| e.path),
            );
        }
    }
    out
}

/// Reads and analyses each path once (duplicates by case-folded path are merged).
pub fn examine(ev: &Evidence, env: &WinEnv, paths: &[WinPath]) -> (Vec<Binary>, Vec<Warning>) {
    let inetsrv: Vec<WinPath> = [r"%windir%\System32\inetsrv", r"%windir%\SysWOW64\inetsrv"]
        .iter()
        .map(|d| WinPath::parse(&env.expand(d).0))
        .collect();
    let mut keys: Vec<(String, &WinPath)> = paths.iter().map(|p| (p.key(), p)).collect();
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    keys.dedup_by(|a, b| a.0 == b.0);
    let mut binaries = Vec::new();
    let mut warnings = Vec::new();
    for (_, path) in keys {
        if !ev.file_exists(path) {
            continue;
        }
        let data = match ev.read(path, BINARY_LIMIT) {
            Ok(d) => d,
            Err(e) => {
                warnings.push(Warning {
                    evidence: ev.id.clone(),
                    file: Some(path.clone()),
                    line: None,
                    message: e.to_string(),
                });
                continue;
            }
        };
        let (pe, problem) = match pe::analyse(&data.bytes) {
            Ok(f) => (Some(f), None),
            Err(e) => (None, Some(e.to_string())),
        };
        binaries.push(Binary {
            evidence: ev.id.clone(),
            in_inetsrv: inetsrv.iter().any(|d| data.path.parent().is_some_and(|p| p.key() == d.key())),
            path: data.path,
            size: data.bytes.len() as u64,
            sha256: data.sha256,
            components: Vec::new(),
            pe,
            problem,
        });
    }
    (binaries, warnings)
}
