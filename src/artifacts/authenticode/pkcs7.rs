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
    if let Ok(p7) = Pkcs7::from_der(blob)
        && let Some(certs) = p7.signed().and_then(|s| s.certificates())
    {
        for c in certs {
            if let Ok(d) = c.digest(MessageDigest::sha256()) {
                out.insert(crate::evidence::hex(&d), c.to_owned());
            }
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
