//! `inetsift verify`: the signature verdict on single files given by the analyst.

use crate::artifacts::authenticode::{self, Status, catalog, trust::Trust};
use crate::artifacts::pe;
use crate::evidence::hex;
pub use crate::model::FileVerdict;
use crate::model::ParseError;
use sha2::{Digest, Sha256};
use std::path::Path;

/// Largest file verified.
const LIMIT: u64 = 512 * 1024 * 1024;

/// Reads catalogs from files or folders (every `*.cat` inside), in parallel.
pub fn load_catalogs(paths: &[std::path::PathBuf], trust: &Trust) -> Result<catalog::Index, ParseError> {
    use rayon::prelude::*;
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let entries = std::fs::read_dir(p).map_err(|e| format!("{}: {e}", p.display()))?;
            let mut cats: Vec<_> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|f| f.extension().is_some_and(|x| x.eq_ignore_ascii_case("cat")))
                .collect();
            cats.sort();
            files.extend(cats);
        } else {
            files.push(p.clone());
        }
    }
    let catalogs: Vec<catalog::Catalog> = files
        .par_iter()
        .map(|f| match std::fs::read(f) {
            Ok(b) => catalog::read(&f.display().to_string(), &b, trust),
            Err(e) => {
                let mut c = catalog::read(&f.display().to_string(), &[], trust);
                c.reason = format!("cannot read: {e}");
                c
            }
        })
        .collect();
    Ok(catalog::Index::new(catalogs))
}

/// Verifies one file from the analyst's disk.
pub fn verify_file(path: &Path, trust: &Trust, now: i64, catalogs: &catalog::Index) -> FileVerdict {
    let mut v = FileVerdict {
        file: path.display().to_string(),
        sha256: String::new(),
        pe_kind: None,
        catalog: None,
        verdict: authenticode::verify_pe(&[], trust, now),
    };
    let bytes = match std::fs::File::open(path).and_then(|f| {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut std::io::Read::take(f, LIMIT + 1), &mut b).map(|_| b)
    }) {
        Ok(b) if b.len() as u64 > LIMIT => {
            v.verdict.status = Status::Malformed;
            v.verdict.reason = format!("larger than {LIMIT} bytes: not verified");
            return v;
        }
        Ok(b) => b,
        Err(e) => {
            v.verdict.status = Status::Malformed;
            v.verdict.reason = format!("cannot read: {e}");
            return v;
        }
    };
    v.sha256 = hex(&Sha256::digest(&bytes));
    let (d, sha1) = match pe::analyse(&bytes) {
        Ok(f) => {
            v.pe_kind = Some(f.kind);
            (authenticode::verify_pe(&bytes, trust, now), f.sha1)
        }
        Err(e) => {
            // Not a PE: only a catalog can vouch for it (a flat-file member, like a driver's .inf).
            let mut d = authenticode::verify_pe(&[], trust, now);
            d.reason = e.to_string();
            let sha1 = openssl::hash::hash(openssl::hash::MessageDigest::sha1(), &bytes).map(|d| hex(&d));
            (d, sha1.unwrap_or_default())
        }
    };
    let (d, cat) = authenticode::with_catalogs(d, &sha1, &v.sha256, catalogs);
    v.catalog = cat;
    v.verdict = d;
    v
}
