//! The certificates a signature carries: those of the outer PKCS#7 SignedData, of nested signatures
//! (unsigned attribute 1.3.6.1.4.1.311.2.4.1) and of RFC 3161 timestamp tokens (1.3.6.1.4.1.311.3.3.1).
//!
//! OpenSSL reads the certificate sets (it tolerates the BER some old signers wrote); the `cms` crate walks the
//! signer infos to reach nested blobs, which OpenSSL's Rust API does not expose.

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::{Decode, Encode, oid::ObjectIdentifier};
use openssl::hash::MessageDigest;
use openssl::pkcs7::Pkcs7;
use openssl::x509::X509;
use std::collections::BTreeMap;

/// Microsoft's nested signature attribute.
pub const NESTED_SIGNATURE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.2.4.1");
/// Microsoft's RFC 3161 timestamp token attribute.
pub const RFC3161_TIMESTAMP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.3.3.1");
/// PKCS#7 signed-data content type.
pub const SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");

/// Every certificate in `blob` and the blobs nested in it, keyed by lower-case hex SHA-256 of the DER.
pub fn certificates(blob: &[u8]) -> BTreeMap<String, X509> {
    let mut out = BTreeMap::new();
    walk(blob, &mut out, 0);
    out
}

fn walk(blob: &[u8], out: &mut BTreeMap<String, X509>, depth: usize) {
    if depth > 4 {
        return; // nesting deeper than any signer writes: hostile input
    }
    let mut add = |c: X509| {
        if let Ok(d) = c.digest(MessageDigest::sha256()) {
            out.entry(crate::evidence::hex(&d)).or_insert(c);
        }
    };
    if let Ok(p7) = Pkcs7::from_der(blob)
        && let Some(certs) = p7.signed().and_then(|s| s.certificates())
    {
        certs.iter().for_each(|c| add(c.to_owned()));
    }
    // OpenSSL and `cms` refuse a whole certificate set when one entry is not a plain certificate (timestamp
    // tokens carry such entries): walk the set and take each certificate on its own.
    for der in certificate_set(blob) {
        if let Ok(x) = X509::from_der(der) {
            add(x);
        }
    }
    for nested in nested_blobs(blob) {
        walk(&nested, out, depth + 1);
    }
}

/// The DER of nested signatures and timestamp tokens in the signer infos' unsigned attributes.
pub fn nested_blobs(blob: &[u8]) -> Vec<Vec<u8>> {
    let Some(sd) = signed_data(blob) else { return Vec::new() };
    let mut out = Vec::new();
    for si in sd.signer_infos.0.iter() {
        for attr in si.unsigned_attrs.iter().flat_map(|a| a.iter()) {
            if attr.oid == NESTED_SIGNATURE || attr.oid == RFC3161_TIMESTAMP {
                out.extend(attr.values.iter().filter_map(|v| v.to_der().ok()));
            }
        }
    }
    out
}

/// The SignedData of a ContentInfo blob, when it is one and is DER. Bytes after the value are ignored: the
/// certificate table pads each signature to 8 bytes.
pub fn signed_data(blob: &[u8]) -> Option<SignedData> {
    let mut reader = der::SliceReader::new(blob).ok()?;
    let ci = ContentInfo::decode(&mut reader).ok()?;
    if ci.content_type != SIGNED_DATA {
        return None;
    }
    ci.content.decode_as::<SignedData>().ok()
}

/// The DER of each plain certificate in a SignedData's `certificates [0]` set, read leniently: other choices
/// (attribute certificates, `[1]`...) are skipped rather than failing the set.
fn certificate_set(blob: &[u8]) -> Vec<&[u8]> {
    fn children(value: &[u8]) -> Vec<(der::Tag, &[u8], &[u8])> {
        use der::{Reader, Tagged};
        let mut out = Vec::new();
        let Ok(mut r) = der::SliceReader::new(value) else { return out };
        while !r.is_finished() {
            let start = r.position();
            let Ok(any) = der::asn1::AnyRef::decode(&mut r) else { break };
            let end = r.position();
            let (Ok(s), Ok(e)) = (usize::try_from(start), usize::try_from(end)) else { break };
            out.push((any.tag(), any.value(), &value[s..e]));
        }
        out
    }
    // ContentInfo { contentType, [0] { SignedData { version, digestAlgorithms, encapContentInfo, [0] certs ... } } }
    let Some((_, ci, _)) = children(blob).into_iter().next() else { return Vec::new() };
    let Some((_, explicit, _)) = children(ci).into_iter().nth(1) else { return Vec::new() };
    let Some((_, sd, _)) = children(explicit).into_iter().next() else { return Vec::new() };
    let Some((_, certs, _)) =
        children(sd).into_iter().find(|(t, _, _)| t.is_context_specific() && t.number().value() == 0)
    else {
        return Vec::new();
    };
    children(certs).into_iter().filter(|(t, _, _)| *t == der::Tag::Sequence).map(|(_, _, full)| full).collect()
}
