//! Windows catalogs (`.cat`) and certificate trust lists (`authroot.stl`): a PKCS#7 SignedData whose content
//! (type 1.3.6.1.4.1.311.10.1, szOID_CTL) lists subjects — file hashes for catalogs, root thumbprints for the
//! STL. Windows' own IIS DLLs are usually catalog-signed, so a DLL without an embedded signature is only
//! "unsigned" once no verified catalog lists its hash.
//!
//! The CTL is walked here by hand with `der` (no crate models it); the signature is checked with OpenSSL and
//! the signer's chain like an embedded signature's.

use super::trust::Trust;
use super::{Status, pkcs7, verify_chain};
use crate::model::ParseError;
use der::asn1::AnyRef;
use der::{Decode, Reader, SliceReader, Tag, Tagged};
use openssl::pkcs7::{Pkcs7, Pkcs7Flags};
use openssl::stack::Stack;
use openssl::x509::X509;
use serde::Serialize;
use std::collections::BTreeMap;

const SPC_INDIRECT_DATA: &str = "1.3.6.1.4.1.311.2.1.4";
const SPC_PE_IMAGE_DATA: &str = "1.3.6.1.4.1.311.2.1.15";
const CTL_CONTENT: &str = "1.3.6.1.4.1.311.10.1";

/// One listed subject.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Member {
    /// Lower-case hex of the hash it is listed by.
    pub hash: String,
    /// `pe` (Authenticode hash of a PE image) or `flat` (hash of the whole file).
    pub kind: &'static str,
}

/// A parsed catalog or trust list.
#[derive(Clone, Debug, Serialize)]
pub struct Catalog {
    /// Where it came from (evidence path or host path).
    pub path: String,
    /// `subjectUsage` OIDs (1.3.6.1.4.1.311.12.1.1 for catalogs).
    pub usage: Vec<String>,
    /// `ctlThisUpdate`, RFC 3339.
    pub this_update: Option<crate::model::Timestamp>,
    /// Listed subjects.
    pub members: Vec<Member>,
    /// The signature's verdict (`valid`, `untrusted_root`, `bad_signature`, `unsigned`, `malformed`...).
    pub status: Status,
    /// Why.
    pub reason: String,
    /// Signer subject.
    pub signer: Option<String>,
    /// Root the signer chains to.
    pub root: Option<String>,
    /// Trust set that anchors it.
    pub trusted_by: Option<crate::model::TrustAnchor>,
}

/// Parses and verifies a catalog; never fails: what cannot be read is in `status` and `reason`.
pub fn read(path: &str, bytes: &[u8], trust: &Trust) -> Catalog {
    let mut c = Catalog {
        path: path.to_string(),
        usage: Vec::new(),
        this_update: None,
        members: Vec::new(),
        status: Status::Malformed,
        reason: String::new(),
        signer: None,
        root: None,
        trusted_by: None,
    };
    let Some(sd) = pkcs7::signed_data(bytes) else {
        c.reason = "not a PKCS#7 SignedData".into();
        return c;
    };
    if sd.encap_content_info.econtent_type.to_string() != CTL_CONTENT {
        c.reason = format!("content type {} is not a certificate trust list", sd.encap_content_info.econtent_type);
        return c;
    }
    let Some(content) = sd.encap_content_info.econtent.as_ref() else {
        c.reason = "the trust list content is missing".into();
        return c;
    };
    // The CTL is wrapped in an OCTET STRING in some writers and is the bare SEQUENCE in others.
    let ctl_der = match content.tag() {
        Tag::OctetString => content.value().to_vec(),
        _ => der::Encode::to_der(content).unwrap_or_default(),
    };
    if let Err(e) = parse_ctl(&ctl_der, &mut c) {
        c.reason = format!("the trust list cannot be read: {e}");
        return c;
    }
    verify_signature(bytes, &ctl_der, &mut c, trust);
    c
}

fn parse_ctl(der: &[u8], c: &mut Catalog) -> der::Result<()> {
    let top = AnyRef::from_der(der)?;
    let mut seen_time = false;
    let mut sequences_after_time = 0;
    for item in children(top.value())? {
        match item.tag() {
            Tag::Sequence if !seen_time => {
                c.usage = children(item.value())?.iter().filter_map(|o| oid_string(o)).collect();
            }
            Tag::UtcTime | Tag::GeneralizedTime => {
                if !seen_time {
                    c.this_update = time_string(&item);
                }
                seen_time = true;
            }
            Tag::Sequence => {
                sequences_after_time += 1;
                if sequences_after_time == 2 {
                    for subject in children(item.value())? {
                        c.members.extend(member(&subject)?);
                    }
                }
            }
            _ => {}
        }
    }
    c.members.sort_by(|a, b| a.hash.cmp(&b.hash));
    c.members.dedup();
    Ok(())
}

/// The hashes one TrustedSubject is listed by: its identifier (raw hash, or a UTF-16 hex tag in older
/// catalogs) and the digest of its SpcIndirectData attribute.
fn member(subject: &AnyRef) -> der::Result<Vec<Member>> {
    let parts = children(subject.value())?;
    let mut out = Vec::new();
    let mut kind = "flat";
    let mut digest = None;
    if let Some(attrs) = parts.get(1) {
        for attr in children(attrs.value())? {
            let a = children(attr.value())?;
            if a.first().and_then(oid_string).as_deref() != Some(SPC_INDIRECT_DATA) {
                continue;
            }
            // SET { SpcIndirectDataContent { SpcAttributeTypeAndOptionalValue { type, .. }, DigestInfo { alg, digest } } }
            let Some(set) = a.get(1) else { continue };
            for content in children(set.value())? {
                let inner = children(content.value())?;
                if let Some(data) = inner.first()
                    && children(data.value())?.first().and_then(oid_string).as_deref() == Some(SPC_PE_IMAGE_DATA)
                {
                    kind = "pe";
                }
                if let Some(info) = inner.get(1)
                    && let Some(d) = children(info.value())?.get(1)
                {
                    digest = Some(crate::evidence::hex(d.value()));
                }
            }
        }
    }
    if let Some(id) = parts.first().filter(|p| p.tag() == Tag::OctetString) {
        let raw = id.value();
        let hash = if matches!(raw.len(), 20 | 32) && digest.as_ref().is_none_or(|d| *d == crate::evidence::hex(raw)) {
            Some(crate::evidence::hex(raw))
        } else {
            utf16_hex(raw)
        };
        if let Some(h) = hash {
            out.push(Member { hash: h, kind });
        }
    }
    if let Some(d) = digest {
        out.push(Member { hash: d, kind });
    }
    Ok(out)
}

/// `"1A2B..."` in UTF-16LE (with or without a trailing NUL) to lower-case hex.
fn utf16_hex(raw: &[u8]) -> Option<String> {
    let units: Vec<u16> = raw.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
    let s = String::from_utf16(&units).ok()?;
    let s = s.trim_end_matches('\0');
    (matches!(s.len(), 40 | 64) && s.chars().all(|c| c.is_ascii_hexdigit())).then(|| s.to_lowercase())
}

fn children(value: &[u8]) -> der::Result<Vec<AnyRef<'_>>> {
    let mut r = SliceReader::new(value)?;
    let mut out = Vec::new();
    while !r.is_finished() {
        out.push(AnyRef::decode(&mut r)?);
    }
    Ok(out)
}

fn oid_string(a: &AnyRef) -> Option<String> {
    a.decode_as::<der::asn1::ObjectIdentifier>().ok().map(|o| o.to_string())
}

fn time_string(a: &AnyRef) -> Option<crate::model::Timestamp> {
    let dt = match a.tag() {
        Tag::UtcTime => a.decode_as::<der::asn1::UtcTime>().ok()?.to_system_time(),
        _ => a.decode_as::<der::asn1::GeneralizedTime>().ok()?.to_system_time(),
    };
    let secs = dt.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs() as i64;
    crate::model::Timestamp::from_unix_seconds(secs)
}

/// Checks the signature over the CTL, then the signer's chain at `ctlThisUpdate` (inside the signed content),
/// since catalogs carry no countersignature.
fn verify_signature(bytes: &[u8], ctl_der: &[u8], c: &mut Catalog, trust: &Trust) {
    let Ok(p7) = Pkcs7::from_der(bytes) else {
        c.reason = "OpenSSL cannot read the PKCS#7 structure".into();
        return;
    };
    let certs: Vec<X509> = pkcs7::certificates(bytes).into_values().collect();
    let Ok(empty) = Stack::<X509>::new() else { return };
    let signers = p7.signers(&empty, Pkcs7Flags::empty()).map(|s| s.iter().map(|x| x.to_owned()).collect::<Vec<_>>());
    let Some(signer) = signers.ok().and_then(|s| s.into_iter().next()) else {
        c.status = Status::Unsigned;
        c.reason = "the catalog has no signer: nothing vouches for its list".into();
        return;
    };
    c.signer = Some(super::name(signer.subject_name()));
    if let Err(e) = signer_info_verifies(bytes, ctl_der, &signer) {
        c.status = Status::BadSignature;
        c.reason = format!("the catalog's signature does not verify: {e}");
        return;
    }
    let at = c.this_update.map(|t| t.unix_seconds()).unwrap_or_default();
    let others: Vec<X509> = certs.into_iter().filter(|x| x.as_ref() != signer.as_ref()).collect();
    let mut last = String::new();
    for set in &trust.sets {
        match verify_chain(&signer, &others, set, at) {
            Ok(chain) => {
                c.status = Status::Valid;
                c.root = chain.last().map(|x| super::name(x.subject_name()));
                c.trusted_by = Some(set.name);
                c.reason = format!(
                    "signed by {}, chains to {} ({})",
                    c.signer.as_deref().unwrap_or("?"),
                    c.root.as_deref().unwrap_or("?"),
                    set.name
                );
                return;
            }
            Err((_, e)) => last = e,
        }
    }
    c.status = Status::UntrustedRoot;
    c.reason = format!("the catalog's signer does not chain to a trusted root: {last}");
}

/// Checks the first SignerInfo: the `messageDigest` attribute against the digest of the CTL (PKCS#7 v1.5
/// digests the content's value, without its SEQUENCE header), then the signature over the signed attributes.
fn signer_info_verifies(bytes: &[u8], ctl_der: &[u8], signer: &X509) -> Result<(), ParseError> {
    use der::Encode;
    let sd = pkcs7::signed_data(bytes).ok_or("unreadable SignedData")?;
    let si = sd.signer_infos.0.iter().next().ok_or("no SignerInfo")?;
    let md = digest_by_oid(&si.digest_alg.oid.to_string())
        .ok_or_else(|| format!("unknown digest algorithm {}", si.digest_alg.oid))?;
    let key = signer.public_key().map_err(|e| e.to_string())?;
    let mut verifier = openssl::sign::Verifier::new(md, &key).map_err(|e| e.to_string())?;
    match &si.signed_attrs {
        Some(attrs) => {
            const MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
            let expected = attrs
                .iter()
                .find(|a| a.oid.to_string() == MESSAGE_DIGEST)
                .and_then(|a| a.values.iter().next())
                .map(|v| v.value().to_vec())
                .ok_or("no messageDigest attribute")?;
            let value = AnyRef::from_der(ctl_der).map(|a| a.value().to_vec()).map_err(|e| e.to_string())?;
            let ok = [value.as_slice(), ctl_der]
                .iter()
                .any(|content| openssl::hash::hash(md, content).is_ok_and(|d| *d == *expected));
            if !ok {
                return Err(
                    "the trust list's digest differs from the signed messageDigest: the list was altered".into()
                );
            }
            let signed = attrs.to_der().map_err(|e| e.to_string())?;
            verifier.update(&signed).map_err(|e| e.to_string())?;
        }
        None => verifier.update(ctl_der).map_err(|e| e.to_string())?,
    }
    match verifier.verify(si.signature.as_bytes()) {
        Ok(true) => Ok(()),
        Ok(false) => Err("the signature value does not match the signer's key".into()),
        Err(e) => Err(e.to_string().into()),
    }
}

fn digest_by_oid(oid: &str) -> Option<openssl::hash::MessageDigest> {
    use openssl::hash::MessageDigest;
    Some(match oid {
        "1.3.14.3.2.26" => MessageDigest::sha1(),
        "2.16.840.1.101.3.4.2.1" => MessageDigest::sha256(),
        "2.16.840.1.101.3.4.2.2" => MessageDigest::sha384(),
        "2.16.840.1.101.3.4.2.3" => MessageDigest::sha512(),
        "1.2.840.113549.2.5" => MessageDigest::md5(),
        _ => return None,
    })
}

/// Member hashes of verified catalogs → the catalogs that list them.
#[derive(Default)]
pub struct Index {
    by_hash: BTreeMap<String, Vec<usize>>,
    /// Every catalog read, valid or not.
    pub catalogs: Vec<Catalog>,
}

impl Index {
    /// Indexes catalogs (all of them are kept; lookups only answer with valid ones).
    pub fn new(catalogs: Vec<Catalog>) -> Index {
        let mut by_hash: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, c) in catalogs.iter().enumerate() {
            for m in &c.members {
                by_hash.entry(m.hash.clone()).or_default().push(i);
            }
        }
        Index { by_hash, catalogs }
    }

    /// The first valid catalog listing any of `hashes`.
    pub fn lookup(&self, hashes: &[&str]) -> Option<&Catalog> {
        hashes
            .iter()
            .flat_map(|h| self.by_hash.get(*h).into_iter().flatten())
            .map(|&i| &self.catalogs[i])
            .find(|c| c.status == Status::Valid)
    }

    /// Any catalog (valid or not) listing one of `hashes`.
    pub fn listed_by_any(&self, hashes: &[&str]) -> Option<&Catalog> {
        hashes.iter().flat_map(|h| self.by_hash.get(*h).into_iter().flatten()).map(|&i| &self.catalogs[i]).next()
    }
}
