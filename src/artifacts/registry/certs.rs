//! The machine's trusted root stores as the SOFTWARE hive keeps them:
//! `Microsoft\SystemCertificates\{ROOT,AuthRoot}\Certificates\<SHA-1>\Blob`.
//!
//! A `Blob` is a list of certificate properties — (id u32, reserved u32, length u32, data) — one of which
//! (id 32, CERT_CERT_PROP_ID) is the DER certificate itself.

use crate::model::ParseError;
pub use crate::model::RootCertificate;
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::x509::X509;

/// Property id of the encoded certificate in a store blob.
const CERT_PROP_ID: u32 = 32;

/// The DER certificate inside a store blob.
pub fn cert_from_blob(blob: &[u8]) -> Result<Vec<u8>, ParseError> {
    let mut at = 0usize;
    while at + 12 <= blob.len() {
        let id = u32::from_le_bytes([blob[at], blob[at + 1], blob[at + 2], blob[at + 3]]);
        let len = u32::from_le_bytes([blob[at + 8], blob[at + 9], blob[at + 10], blob[at + 11]]) as usize;
        let start = at + 12;
        let end = start.checked_add(len).filter(|e| *e <= blob.len()).ok_or_else(|| {
            format!("property {id} at offset {at:#x} claims {len} bytes, past the end of the {}-byte blob", blob.len())
        })?;
        if id == CERT_PROP_ID {
            return Ok(blob[start..end].to_vec());
        }
        at = end;
    }
    Err("no certificate property (id 32) in the blob".into())
}

/// Reads a certificate's names and thumbprint.
pub fn describe(der: &[u8]) -> Result<(String, String, String), ParseError> {
    let x = X509::from_der(der).map_err(|e| format!("not a DER certificate: {e}"))?;
    let sha1 = x.digest(MessageDigest::sha1()).map_err(|e| e.to_string())?;
    Ok((crate::evidence::hex(&sha1), name(x.subject_name()), name(x.issuer_name())))
}

/// `CN=..., O=..., C=...` from an X.509 name.
pub fn name(n: &openssl::x509::X509NameRef) -> String {
    n.entries()
        .map(|e| {
            let key = e.object().nid().short_name().unwrap_or("?");
            let key = if e.object().nid() == Nid::UNDEF { "OID" } else { key };
            let val = e.data().to_string().unwrap_or_default();
            format!("{key}={val}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_certificate_property() {
        let mut blob = Vec::new();
        for (id, data) in [(3u32, &b"sha1-hash-prop"[..]), (32, &b"\x30\x03\x02\x01\x00"[..])] {
            blob.extend(id.to_le_bytes());
            blob.extend(1u32.to_le_bytes());
            blob.extend((data.len() as u32).to_le_bytes());
            blob.extend(data);
        }
        assert_eq!(cert_from_blob(&blob).unwrap(), b"\x30\x03\x02\x01\x00");
        blob.truncate(blob.len() - 2);
        assert!(cert_from_blob(&blob).unwrap_err().message.contains("past the end"));
    }
}
