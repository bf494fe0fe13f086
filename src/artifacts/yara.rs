//! The analyst's own YARA rules (`scan --yara RULES`) over every file inetsift examines for components: the
//! binaries (native modules, ISAPI DLLs, managed assemblies, CGI/FastCGI executables, every DLL in `inetsrv`)
//! and the configuration files read. Each match is a fact with the rule's name, namespace, tags, metadata and
//! the strings it found; the analysis ties it to the component that loads the file.
//!
//! The engine is VirusTotal's yara-x, behind the optional `yara` cargo feature (it is by far the heaviest
//! build). Without the feature, [`Rules::load`] says how to get it and the collector has nothing to run.

use super::{Collector, Context};
use crate::evidence::{Evidence, WinPath};
use crate::model::{Facts, Warning, YaraOutput, YaraSource};
use std::path::{Path, PathBuf};

/// Default cap on one file scanned (IIS modules are kilobytes to a few megabytes).
pub const DEFAULT_MAX_FILE: u64 = 64 * 1024 * 1024;
/// Default time one file's scan may take.
pub const DEFAULT_TIMEOUT_SECS: u64 = 10;
/// Files held in memory at once while scanning in parallel, and their most bytes (a batch is scanned when
/// either is reached).
const BATCH_FILES: usize = 16;
const BATCH_BYTES: usize = 128 * 1024 * 1024;

/// A problem with the rules: the scan is refused.
#[derive(Debug, thiserror::Error)]
pub enum YaraError {
    /// This build has no YARA engine.
    #[error(
        "this inetsift was built without YARA support; build it with `cargo build --release --features yara` (see README, \"YARA rules\")"
    )]
    NotBuilt,
    /// A rule file or folder could not be read.
    #[error("{path}: {reason}")]
    Read {
        /// The path given.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// A rule file does not compile: the engine's message names the file, line and column.
    #[error("YARA rules do not compile:\n{0}")]
    Compile(String),
    /// No rule file was found in what was given.
    #[error("{0}: no .yar or .yara file")]
    Empty(PathBuf),
}

/// Compiled rules, with the record of the files they came from.
pub struct Rules {
    /// The rule files, in the order given, with their hashes.
    pub sources: Vec<YaraSource>,
    /// Rules compiled.
    pub count: usize,
    /// Cap on one file scanned, in bytes.
    pub max_file: u64,
    /// Time one file's scan may take.
    pub timeout: std::time::Duration,
    #[cfg(feature = "yara")]
    compiled: yara_x::Rules,
}

impl std::fmt::Debug for Rules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rules").field("sources", &self.sources).field("count", &self.count).finish_non_exhaustive()
    }
}

/// The rule files a path names: the file itself, or every `.yar`/`.yara` file of a folder (not its subfolders),
/// by name.
fn rule_files(path: &Path) -> Result<Vec<PathBuf>, YaraError> {
    let err = |e: std::io::Error| YaraError::Read { path: path.into(), reason: e.to_string() };
    if !path.is_dir() {
        std::fs::metadata(path).map_err(err)?;
        return Ok(vec![path.into()]);
    }
    let mut out: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(err)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| {
            p.extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| x.eq_ignore_ascii_case("yar") || x.eq_ignore_ascii_case("yara"))
        })
        .collect();
    out.sort();
    if out.is_empty() {
        return Err(YaraError::Empty(path.into()));
    }
    Ok(out)
}

impl Rules {
    /// Reads and compiles the rule files and folders given (each file in its own namespace, named after the
    /// file, so two files may name a rule alike). Any compile error refuses the whole set: running part of an
    /// analyst's rules would read as "nothing matched".
    pub fn load(paths: &[PathBuf], max_file: u64, timeout: std::time::Duration) -> Result<Rules, YaraError> {
        let mut files = Vec::new();
        for p in paths {
            files.extend(rule_files(p)?);
        }
        let mut texts = Vec::new();
        for f in &files {
            let bytes = std::fs::read(f).map_err(|e| YaraError::Read { path: f.clone(), reason: e.to_string() })?;
            texts.push((f.clone(), bytes));
        }
        let sources = texts
            .iter()
            .map(|(p, b)| YaraSource {
                path: p.display().to_string(),
                sha256: crate::model::hex(&openssl::sha::sha256(b)),
            })
            .collect();
        Self::compile(sources, &texts, max_file, timeout)
    }

    #[cfg(not(feature = "yara"))]
    fn compile(
        _sources: Vec<YaraSource>,
        _texts: &[(PathBuf, Vec<u8>)],
        _max_file: u64,
        _timeout: std::time::Duration,
    ) -> Result<Rules, YaraError> {
        Err(YaraError::NotBuilt)
    }

    #[cfg(feature = "yara")]
    fn compile(
        sources: Vec<YaraSource>,
        texts: &[(PathBuf, Vec<u8>)],
        max_file: u64,
        timeout: std::time::Duration,
    ) -> Result<Rules, YaraError> {
        let mut compiler = yara_x::Compiler::new();
        compiler.colorize_errors(false);
        let mut errors = Vec::new();
        for (path, bytes) in texts {
            let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            // A namespace is an identifier: the file's stem with anything else made `_`.
            let ns: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
            let ns = if ns.starts_with(|c: char| c.is_ascii_alphabetic()) { ns } else { format!("r_{ns}") };
            compiler.new_namespace(&ns);
            let src = yara_x::SourceCode::from(bytes.as_slice()).with_origin(path.display().to_string());
            if let Err(e) = compiler.add_source(src) {
                errors.push(e.to_string());
            }
        }
        if !errors.is_empty() {
            return Err(YaraError::Compile(errors.join("\n")));
        }
        let compiled = compiler.build();
        let count = compiled.iter().len();
        Ok(Rules { sources, count, max_file, timeout, compiled })
    }

    /// The rules' matches on one file's bytes; `Err` when the scan timed out (or the engine refused the data).
    #[cfg(feature = "yara")]
    fn scan(&self, bytes: &[u8]) -> Result<Vec<Found>, String> {
        use crate::model::{YARA_OFFSETS_KEPT, YaraString, yara_severity};
        let mut scanner = yara_x::Scanner::new(&self.compiled);
        scanner.set_timeout(self.timeout);
        let results = scanner.scan(bytes).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        for rule in results.matching_rules() {
            let meta: Vec<(String, String)> = rule
                .metadata()
                .map(|(k, v)| {
                    let v = match v {
                        yara_x::MetaValue::Integer(i) => i.to_string(),
                        yara_x::MetaValue::Float(f) => f.to_string(),
                        yara_x::MetaValue::Bool(b) => b.to_string(),
                        yara_x::MetaValue::String(s) => s.to_string(),
                        yara_x::MetaValue::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
                    };
                    (k.to_string(), v)
                })
                .collect();
            let severity = meta
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("severity"))
                .and_then(|(_, v)| yara_severity(v))
                .unwrap_or(crate::model::Severity::Medium);
            let strings = rule
                .patterns()
                .filter_map(|p| {
                    let m = p.matches();
                    let count = m.len();
                    (count > 0).then(|| YaraString {
                        id: p.identifier().to_string(),
                        offsets: p.matches().take(YARA_OFFSETS_KEPT).map(|m| m.range().start as u64).collect(),
                        count,
                    })
                })
                .collect();
            out.push(Found {
                rule: rule.identifier().to_string(),
                namespace: rule.namespace().to_string(),
                tags: rule.tags().map(|t| t.identifier().to_string()).collect(),
                meta,
                strings,
                severity,
            });
        }
        Ok(out)
    }

    #[cfg(not(feature = "yara"))]
    fn scan(&self, _bytes: &[u8]) -> Result<Vec<Found>, String> {
        Err(YaraError::NotBuilt.to_string())
    }
}

/// A rule that matched, before it is placed on its file.
#[cfg_attr(not(feature = "yara"), allow(dead_code))]
struct Found {
    rule: String,
    namespace: String,
    tags: Vec<String>,
    meta: Vec<(String, String)>,
    strings: Vec<crate::model::YaraString>,
    severity: crate::model::Severity,
}

/// The YARA collector: runs after the binaries collector, over the binaries it examined and the configuration
/// files read so far.
pub struct YaraCollector;

impl Collector for YaraCollector {
    fn name(&self) -> &'static str {
        "YARA rules"
    }

    fn collect(&self, ev: &Evidence, ctx: &Context, facts: &mut Facts) {
        let Some(rules) = ctx.yara else { return };
        let mut paths: Vec<WinPath> =
            facts.binaries.iter().filter(|b| b.evidence == ev.id).map(|b| b.path.clone()).collect();
        paths.extend(
            ev.files_read()
                .into_iter()
                .map(|f| f.path)
                .filter(|p| p.as_str().to_ascii_lowercase().ends_with(".config")),
        );
        let mut keys: Vec<(String, WinPath)> = paths.into_iter().map(|p| (p.key(), p)).collect();
        keys.sort_by(|a, b| a.0.cmp(&b.0));
        keys.dedup_by(|a, b| a.0 == b.0);
        let mut out = YaraOutput { sources: rules.sources.clone(), rules: rules.count, ..YaraOutput::default() };
        let mut batch = Vec::new();
        let mut held = 0usize;
        for (_, path) in &keys {
            if let crate::evidence::Lookup::File(size) = ev.lookup(path)
                && size > rules.max_file
            {
                out.files_skipped += 1;
                let cap = rules.max_file >> 20;
                let why = format!("not scanned with YARA: {size} bytes, over the {cap} MiB cap (--yara-max-mib)");
                facts.warnings.push(Warning::in_file(&ev.id, Some(path.clone()), None, why));
                continue;
            }
            match ev.read(path, rules.max_file) {
                Ok(d) => {
                    held += d.bytes.len();
                    batch.push(d);
                }
                Err(e) => {
                    out.files_skipped += 1;
                    let why = format!("not scanned with YARA: {e}");
                    facts.warnings.push(Warning::in_file(&ev.id, Some(path.clone()), None, why));
                }
            }
            if batch.len() >= BATCH_FILES || held >= BATCH_BYTES {
                scan_batch(rules, ev, std::mem::take(&mut batch), &mut out, &mut facts.warnings);
                held = 0;
            }
        }
        scan_batch(rules, ev, batch, &mut out, &mut facts.warnings);
        facts.notes.push(format!(
            "{}: YARA: {} rules from {} files over {} files, {} matches{}",
            ev.id,
            out.rules,
            out.sources.len(),
            out.files_scanned,
            out.matches.len(),
            match out.files_skipped {
                0 => String::new(),
                n => format!(", {n} files not scanned in full (see warnings)"),
            }
        ));
        facts.yara = Some(out);
    }
}

/// Scans a batch of files read, in parallel, into `out`; a scan cut short is a warning on its file.
fn scan_batch(
    rules: &Rules,
    ev: &Evidence,
    batch: Vec<crate::evidence::FileData>,
    out: &mut YaraOutput,
    warnings: &mut Vec<Warning>,
) {
    use rayon::prelude::*;
    let scanned: Vec<_> = batch.into_par_iter().map(|d| (rules.scan(&d.bytes), d.path, d.sha256)).collect();
    for (result, path, sha256) in scanned {
        match result {
            Ok(found) => {
                out.files_scanned += 1;
                out.matches.extend(found.into_iter().map(|f| crate::model::YaraMatch {
                    evidence: ev.id.clone(),
                    path: path.clone(),
                    sha256: sha256.clone(),
                    rule: f.rule,
                    namespace: f.namespace,
                    tags: f.tags,
                    meta: f.meta,
                    strings: f.strings,
                    severity: f.severity,
                    signature: None,
                    components: Vec::new(),
                }));
            }
            Err(e) => {
                out.files_skipped += 1;
                warnings.push(Warning::in_file(
                    &ev.id,
                    Some(path),
                    None,
                    format!(
                        "YARA scan not finished ({e}; limit {} s per file, --yara-timeout): rules that had not matched by then are unknown",
                        rules.timeout.as_secs()
                    ),
                ));
            }
        }
    }
}
