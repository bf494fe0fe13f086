//! Offline Authenticode: every embedded signature of a PE (nested ones too), its digest and signature
//! (authenticode-parser), its certificate chain built and verified to a trust set at the countersigned time
//! (OpenSSL), the leaf's code-signing EKU, and one verdict per file.

pub mod catalog;
pub mod pe_hash;
pub mod pkcs7;
pub mod trust;

use crate::artifacts::registry::certs::name;
pub use crate::model::{SignatureReport, Status, TimeUsed, Verdict};
use authenticode_parser::{AuthenticodeVerify, CounterSignatureVerify, InitializationToken};
use openssl::asn1::Asn1Time;
use openssl::hash::MessageDigest;
use openssl::stack::Stack;
use openssl::x509::{X509, X509StoreContext, X509VerifyResult};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use trust::{Trust, TrustSet};

/// OpenSSL's verification error codes for a certificate outside its validity period.
const X509_V_ERR_CERT_NOT_YET_VALID: i32 = 9;
const X509_V_ERR_CERT_HAS_EXPIRED: i32 = 10;

fn token() -> &'static InitializationToken {
    static TOKEN: OnceLock<InitializationToken> = OnceLock::new();
    // SAFETY: the parser's one-time global initialisation, done once per process through OnceLock.
    TOKEN.get_or_init(|| unsafe { InitializationToken::new() })
}

/// Verifies the embedded signatures of a PE file against `trust`, judging certificates at the countersigned
/// time (or `now`, seconds since 1970, when there is no trustworthy countersignature).
pub fn verify_pe(bytes: &[u8], trust: &Trust, now: i64) -> Verdict {
    let hex = |d: Option<Vec<u8>>| d.map(|d| crate::evidence::hex(&d));
    let mut v = Verdict {
        status: Status::Unsigned,
        publisher: None,
        root: None,
        trusted_by: None,
        signed_at: None,
        time_used: None,
        reason: "no embedded signature".into(),
        authenticode_sha1: hex(pe_hash::digest(bytes, MessageDigest::sha1())),
        authenticode_sha256: hex(pe_hash::digest(bytes, MessageDigest::sha256())),
        signatures: Vec::new(),
    };
    let blobs = pe_hash::signature_blobs(bytes);
    if blobs.is_empty() {
        if pe_hash::layout(bytes).is_some_and(|l| l.cert_table.is_some()) {
            v.status = Status::Malformed;
            v.reason = "the certificate table holds no PKCS#7 signature".into();
        }
        return v;
    }
    let mut certs: BTreeMap<String, X509> = BTreeMap::new();
    for b in &blobs {
        certs.extend(pkcs7::certificates(b));
    }
    let Some(arr) = authenticode_parser::parse_pe(token(), bytes) else {
        v.status = Status::Malformed;
        v.reason = "the signature cannot be parsed".into();
        return v;
    };
    for (index, s) in arr.signatures().iter().enumerate() {
        v.signatures.push(judge(index, s, &certs, trust, now));
    }
    let deciding = if let Some(bad) = v.signatures.iter().find(|s| s.status == Status::BadDigest) {
        bad.clone()
    } else {
        match v.signatures.iter().min_by_key(|s| (s.status, s.index)) {
            Some(s) => s.clone(),
            None => {
                v.status = Status::Malformed;
                v.reason = "the signature holds no SignerInfo".into();
                return v;
            }
        }
    };
    v.status = deciding.status;
    v.reason = deciding.reason.clone();
    v.publisher = deciding.publisher.clone();
    v.root = deciding.root.clone();
    v.trusted_by = deciding.trusted_by;
    v.signed_at = deciding.signed_at;
    v.time_used = Some(deciding.time_used);
    v
}

/// The verdict once catalogs are consulted: a file without a good embedded signature is `catalog_signed` when
/// a verified catalog lists its Authenticode hash (PE) or its plain SHA-1/SHA-256 (any file).
pub fn with_catalogs(
    mut v: Verdict,
    flat_sha1: &str,
    flat_sha256: &str,
    index: &catalog::Index,
) -> (Verdict, Option<String>) {
    let hashes: Vec<&str> =
        [v.authenticode_sha1.as_deref(), v.authenticode_sha256.as_deref(), Some(flat_sha1), Some(flat_sha256)]
            .into_iter()
            .flatten()
            .collect();
    let Some(cat) = index.lookup(&hashes) else {
        if v.status == Status::Unsigned {
            v.reason = if index.catalogs.is_empty() {
                "no embedded signature, and no catalog was available to check".into()
            } else {
                format!(
                    "no embedded signature, and none of the {} catalogs checked lists its hash",
                    index.catalogs.len()
                )
            };
        }
        return (v, None);
    };
    let path = cat.path.clone();
    if matches!(v.status, Status::Unsigned | Status::Malformed) {
        v.status = Status::CatalogSigned;
        v.publisher = cat.signer.as_deref().map(publisher_of);
        v.root = cat.root.clone();
        v.trusted_by = cat.trusted_by;
        v.time_used = Some(TimeUsed::CatalogUpdate);
        v.reason = format!("listed by catalog {path}, {}", cat.reason);
    }
    (v, Some(path))
}

/// `O=...` of a subject line, else its `CN=...`.
fn publisher_of(subject: &str) -> String {
    let field = |k: &str| subject.split(", ").find_map(|p| p.strip_prefix(k)).map(str::to_string);
    field("O=").or_else(|| field("CN=")).unwrap_or_else(|| subject.to_string())
}

fn text(b: Option<&[u8]>) -> Option<String> {
    b.map(|b| String::from_utf8_lossy(b).into_owned()).filter(|s| !s.is_empty())
}

fn judge(
    index: usize,
    s: &authenticode_parser::Authenticode,
    certs: &BTreeMap<String, X509>,
    trust: &Trust,
    now: i64,
) -> SignatureReport {
    let signer = s.signer();
    let chain_meta: Vec<_> = signer.as_ref().map(|x| x.certificate_chain().iter().collect()).unwrap_or_default();
    let leaf_meta = chain_meta.first();
    let mut r = SignatureReport {
        index,
        status: Status::Malformed,
        reason: String::new(),
        digest_algorithm: text(s.digest_alg()),
        subject: leaf_meta.and_then(|c| text(c.subject())),
        issuer: leaf_meta.and_then(|c| text(c.issuer())),
        serial: leaf_meta.and_then(|c| text(c.serial())),
        publisher: leaf_meta.and_then(|c| {
            let a = c.subject_attrs();
            text(a.organization()).or_else(|| text(a.common_name()))
        }),
        program_name: signer.as_ref().and_then(|x| text(x.program_name())),
        chain: Vec::new(),
        root: None,
        trusted_by: None,
        signed_at: None,
        countersignature: None,
        time_used: TimeUsed::ScanTime,
    };
    match s.verify_flags() {
        Some(AuthenticodeVerify::Valid) => {}
        Some(AuthenticodeVerify::WrongFileDigest) => {
            r.status = Status::BadDigest;
            r.reason =
                "the file's Authenticode hash differs from the signed one: the file was modified after signing".into();
            return r;
        }
        Some(AuthenticodeVerify::Invalid) => {
            r.status = Status::BadSignature;
            r.reason = "the signature over the signed content does not verify".into();
            return r;
        }
        other => {
            r.reason = format!("the signature cannot be checked: {other:?}");
            return r;
        }
    }

    let fingerprint = |c: &authenticode_parser::Certificate| c.sha256().map(crate::evidence::hex);

    // The time to judge certificates at: a countersignature's, when it verifies and its timestamping
    // authority chains to a trusted root at that time (a self-made TSA could otherwise backdate anything);
    // else now.
    let mut at = now;
    for cs in s.countersigs() {
        let when = crate::model::Timestamp::from_unix_seconds(cs.sign_time());
        r.signed_at = when;
        if cs.verify_flags() != Some(CounterSignatureVerify::Valid) {
            r.countersignature = Some(format!("{:?}", cs.verify_flags()).to_lowercase());
            continue;
        }
        let tsa = cs.certificate_chain().first().and_then(&fingerprint).and_then(|f| certs.get(&f));
        let tsa_others: Vec<X509> = certs.values().cloned().collect();
        let trusted = tsa.is_some_and(|leaf| {
            trust.sets.iter().any(|set| verify_chain(leaf, &tsa_others, set, cs.sign_time()).is_ok())
        });
        if trusted {
            r.countersignature = Some("valid".into());
            r.time_used = TimeUsed::Countersignature;
            at = cs.sign_time();
            break;
        }
        r.countersignature =
            Some("valid signature, but its timestamping authority is not trusted: time ignored".into());
    }

    let leaf = leaf_meta.and_then(|c| fingerprint(c)).and_then(|f| certs.get(&f));
    let Some(leaf) = leaf else {
        r.reason = "the signer's certificate is not in the signature".into();
        return r;
    };
    let others: Vec<X509> = certs.values().filter(|c| c.as_ref() != leaf.as_ref()).cloned().collect();
    let weak = match r.digest_algorithm.as_deref() {
        Some("md5") => " (weak MD5 file digest: current Windows rejects it)",
        Some("sha1") => " (SHA-1 file digest)",
        _ => "",
    };
    let self_signed = leaf.subject_name().to_der().ok() == leaf.issuer_name().to_der().ok();
    let mut last_error = String::new();
    for set in &trust.sets {
        match verify_chain(leaf, &others, set, at) {
            Ok(chain) => {
                r.chain = chain.iter().map(|c| name(c.subject_name())).collect();
                r.root = chain.last().map(|c| name(c.subject_name()));
                r.trusted_by = Some(set.name);
                if !code_signing_allowed(leaf) {
                    r.status = Status::WrongEku;
                    r.reason = "the chain is trusted but the leaf certificate is not for code signing".into();
                } else {
                    r.status = Status::Valid;
                    r.reason = format!(
                        "signed by {}, chains to {} ({}){weak}",
                        r.publisher.as_deref().unwrap_or("?"),
                        r.root.as_deref().unwrap_or("?"),
                        set.name
                    );
                }
                return r;
            }
            Err((X509_V_ERR_CERT_NOT_YET_VALID | X509_V_ERR_CERT_HAS_EXPIRED, msg)) => {
                r.status = Status::Expired;
                r.trusted_by = Some(set.name);
                r.reason = format!("a certificate of the chain was not valid at the {} ({msg}){weak}", r.time_used);
                return r;
            }
            Err((_, msg)) => last_error = msg,
        }
    }
    if self_signed {
        r.status = Status::SelfSigned;
        r.reason = format!("signed with a self-signed certificate ({}){weak}", r.subject.as_deref().unwrap_or("?"));
    } else {
        r.status = Status::UntrustedRoot;
        let top = chain_meta.last().and_then(|c| text(c.issuer())).unwrap_or_default();
        r.reason = format!("the chain does not reach a trusted root: {last_error} (top issuer {top}){weak}");
    }
    r
}

/// Builds and verifies the chain of `leaf` to the roots of `set`, then checks every certificate's validity
/// period at `time`; returns the chain, leaf first, or the error (with OpenSSL's code for time errors).
pub(crate) fn verify_chain(
    leaf: &X509,
    others: &[X509],
    set: &TrustSet,
    time: i64,
) -> Result<Vec<X509>, (i32, String)> {
    let internal = |e: openssl::error::ErrorStack| (X509VerifyResult::APPLICATION_VERIFICATION.as_raw(), e.to_string());
    let mut untrusted = Stack::new().map_err(internal)?;
    for c in others {
        untrusted.push(c.clone()).map_err(internal)?;
    }
    let mut ctx = X509StoreContext::new().map_err(internal)?;
    let chain = ctx
        .init(&set.store, leaf, &untrusted, |c| {
            Ok(if c.verify_cert()? {
                Ok(c.chain().map(|s| s.iter().map(|x| x.to_owned()).collect::<Vec<_>>()).unwrap_or_default())
            } else {
                Err((c.error().as_raw(), c.error().error_string().to_string()))
            })
        })
        .map_err(internal)??;
    let at = Asn1Time::from_unix(time).map_err(internal)?;
    for cert in &chain {
        let who = name(cert.subject_name());
        if cert.not_before().compare(&at).is_ok_and(|o| o == Ordering::Greater) {
            return Err((X509_V_ERR_CERT_NOT_YET_VALID, format!("certificate is not yet valid: {who}")));
        }
        if cert.not_after().compare(&at).is_ok_and(|o| o == Ordering::Less) {
            return Err((X509_V_ERR_CERT_HAS_EXPIRED, format!("certificate has expired: {who}")));
        }
    }
    Ok(chain)
}

/// Whether the leaf may sign code: no EKU extension, or one listing code signing or any purpose.
fn code_signing_allowed(leaf: &X509) -> bool {
    use x509_cert::der::Decode as _;
    let Ok(der) = leaf.to_der() else { return false };
    let Ok(cert) = x509_cert::Certificate::from_der(&der) else { return true };
    const EKU: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("2.5.29.37");
    const CODE_SIGNING: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.3");
    const ANY: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("2.5.29.37.0");
    let Some(ext) = cert.tbs_certificate.extensions.iter().flatten().find(|e| e.extn_id == EKU) else { return true };
    match x509_cert::ext::pkix::ExtendedKeyUsage::from_der(ext.extn_value.as_bytes()) {
        Ok(eku) => eku.0.iter().any(|o| *o == CODE_SIGNING || *o == ANY),
        Err(_) => false,
    }
}
