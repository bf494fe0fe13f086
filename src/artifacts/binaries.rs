//! The binaries an IIS host loads: every DLL a component references and every DLL in `inetsrv`, each read once
//! from the evidence, hashed and analysed as a PE file.

use crate::artifacts::authenticode::trust;
use crate::artifacts::authenticode::{self, catalog, trust::Trust};
use crate::artifacts::pe::{self};
use crate::evidence::{Evidence, WinPath};
pub use crate::model::Binary;
use crate::model::WinEnv;
use crate::model::{Facts, FileStatus, Status, TrustAnchor, Warning};
use rayon::prelude::*;

/// Largest binary read (IIS modules are kilobytes to a few megabytes).
const BINARY_LIMIT: u64 = 256 * 1024 * 1024;
/// Largest catalog read (the biggest Windows catalogs are a few megabytes).
const CATALOG_LIMIT: u64 = 64 * 1024 * 1024;

/// The collector of binaries: every DLL in `inetsrv` and every file a component of this evidence references
/// that is present, each read once, analysed as a PE and checked against the trust sets and the evidence's
/// catalogs. Linking them to components is the fusion stage's job.
pub struct BinaryCollector;

impl super::Collector for BinaryCollector {
    fn name(&self) -> &'static str {
        "binaries and signatures"
    }

    fn collect(&self, ev: &Evidence, ctx: &super::Context, facts: &mut Facts) {
        let env = &ctx.host.env;
        let mut paths = inetsrv_dlls(ev, env);
        paths.extend(
            facts
                .components
                .iter()
                .filter(|c| {
                    c.source.evidence == ev.id && c.file.as_ref().is_some_and(|f| f.status == FileStatus::Present)
                })
                .filter_map(|c| c.path.clone()),
        );
        if paths.is_empty() {
            return; // nothing to examine: no trust store or catalog needed
        }
        // Microsoft's program first, then the host's own stores, then the analyst's roots.
        let host = trust::from_der(
            TrustAnchor::HostRootStore,
            facts.root_certificates.iter().filter(|r| r.evidence == ev.id).filter_map(|r| r.der.as_deref()),
        );
        let mut t = Trust::microsoft().with(host);
        for u in ctx.user_trust {
            t = t.with(u.clone());
        }
        let (index, w) = catalogs(ev, env, &t);
        facts.warnings.extend(w);
        let valid = index.catalogs.iter().filter(|c| c.status == Status::Valid).count();
        facts.notes.push(match index.catalogs.len() {
            0 => format!(
                "{}: no catalog (CatRoot) in the evidence: files without an embedded signature cannot be shown catalog-signed",
                ev.id
            ),
            n => format!("{}: {n} catalogs read from CatRoot, {valid} with a trusted signature", ev.id),
        });
        for c in index.catalogs.iter().filter(|c| c.status != Status::Valid) {
            facts.warnings.push(Warning::in_file(
                &ev.id,
                Some(WinPath::parse(&c.path)),
                None,
                format!("catalog not trusted ({}): {}", c.status.as_str(), c.reason),
            ));
        }
        let sig = SignatureContext { trust: &t, catalogs: &index, now: ctx.now };
        let (found, w) = examine(ev, env, &paths, &sig);
        facts.warnings.extend(w);
        facts.binaries.extend(found);
    }
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

/// What signature checks need: the trust sets, the evidence's catalogs, and "now" for untimestamped
/// signatures.
pub struct SignatureContext<'a> {
    /// Microsoft's program, the host's stores, the analyst's roots.
    pub trust: &'a Trust,
    /// The evidence's catalogs.
    pub catalogs: &'a catalog::Index,
    /// Seconds since 1970.
    pub now: i64,
}

/// How many files are held in memory at once while checking them in parallel.
const CHUNK: usize = 64;

/// Reads and analyses each path once (duplicates by case-folded path are merged): hash, PE facts, signature
/// verdict. Files are read in chunks and checked in parallel, so memory stays bounded by the chunk.
pub fn examine(ev: &Evidence, env: &WinEnv, paths: &[WinPath], sig: &SignatureContext) -> (Vec<Binary>, Vec<Warning>) {
    let inetsrv: Vec<WinPath> = [r"%windir%\System32\inetsrv", r"%windir%\SysWOW64\inetsrv"]
        .iter()
        .map(|d| WinPath::parse(&env.expand(d).0))
        .collect();
    let mut keys: Vec<(String, &WinPath)> = paths.iter().map(|p| (p.key(), p)).collect();
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    keys.dedup_by(|a, b| a.0 == b.0);
    let present: Vec<&WinPath> = keys.into_iter().map(|(_, p)| p).filter(|p| ev.file_exists(p)).collect();
    let mut binaries = Vec::new();
    let mut warnings = Vec::new();
    for chunk in present.chunks(CHUNK) {
        let mut read = Vec::new();
        for path in chunk {
            match ev.read(path, BINARY_LIMIT) {
                Ok(d) => read.push(d),
                Err(e) => warnings.push(Warning::in_file(&ev.id, Some((*path).clone()), None, e.to_string())),
            }
        }
        let checked: Vec<Binary> = read
            .into_par_iter()
            .map(|data| {
                let (pe, problem) = match pe::analyse(&data.bytes) {
                    Ok(f) => (Some(f), None),
                    Err(e) => (None, Some(e.to_string())),
                };
                let (signature, catalog) = match &pe {
                    Some(facts) => {
                        let v = authenticode::verify_pe(&data.bytes, sig.trust, sig.now);
                        let (v, cat) = authenticode::with_catalogs(v, &facts.sha1, &data.sha256, sig.catalogs);
                        (Some(v), cat)
                    }
                    None => (None, None),
                };
                Binary {
                    evidence: ev.id.clone(),
                    in_inetsrv: inetsrv.iter().any(|d| data.path.parent().is_some_and(|p| p.key() == d.key())),
                    size: data.bytes.len() as u64,
                    path: data.path,
                    sha256: data.sha256,
                    components: Vec::new(),
                    pe,
                    problem,
                    signature,
                    catalog,
                }
            })
            .collect::<Vec<Binary>>();
        // What could not be read in a binary is damage to name, like any other file's.
        for b in &checked {
            let problems = b.problem.iter().chain(b.pe.iter().flat_map(|p| p.problems.iter()));
            for p in problems {
                warnings.push(Warning::in_file(&ev.id, Some(b.path.clone()), None, format!("PE: {p}")));
            }
        }
        binaries.extend(checked);
    }
    (binaries, warnings)
}

/// The evidence's Windows catalogs (`CatRoot\{F750E6C3-38EE-11D1-85E5-00C04FC295EE}\*.cat`), read in chunks
/// and parsed and verified in parallel.
pub fn catalogs(ev: &Evidence, env: &WinEnv, trust: &Trust) -> (catalog::Index, Vec<Warning>) {
    let dir = WinPath::parse(&env.expand(r"%windir%\System32\CatRoot\{F750E6C3-38EE-11D1-85E5-00C04FC295EE}").0);
    let files: Vec<WinPath> = ev
        .source()
        .read_dir(&dir)
        .unwrap_or_default()
        .into_iter()
        .filter(|e| !e.is_dir && e.name.to_lowercase().ends_with(".cat"))
        .map(|e| e.path)
        .collect();
    let mut all = Vec::new();
    let mut warnings = Vec::new();
    for chunk in files.chunks(CHUNK) {
        let mut read = Vec::new();
        for p in chunk {
            // Through the hashed read log, like every other file: the catalogs vouch for binaries, so their bytes
            // belong in the evidence record.
            match ev.read(p, CATALOG_LIMIT).map(|d| d.bytes) {
                Ok(b) => read.push((p.clone(), b)),
                Err(e) => warnings.push(Warning::in_file(&ev.id, Some(p.clone()), None, e.to_string())),
            }
        }
        all.extend(read.into_par_iter().map(|(p, b)| catalog::read(p.as_str(), &b, trust)).collect::<Vec<_>>());
    }
    (catalog::Index::new(all), warnings)
}
