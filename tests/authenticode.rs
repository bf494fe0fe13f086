//! Offline Authenticode verdicts on the real signed and unsigned binaries of ../shared/corpus/pe.

mod common;
use common::*;
use inetsift::artifacts::authenticode::{Status, Verdict, trust, verify_pe};

/// 2026-11-23T00:00:00Z: "now" for files without a trustworthy countersignature.
const NOW: i64 = 1_795_392_000;

fn verdict(name: &str) -> Verdict {
    verify_pe(&std::fs::read(corpus(&format!("pe/{name}"))).unwrap(), &trust::Trust::microsoft(), NOW)
}

#[test]
fn microsoft_signed_files_are_valid_at_their_countersigned_time() {
    if !common::have_corpus() {
        return;
    }
    for (file, root, signed_at) in [
        ("signify_whois.exe", "Microsoft Root Certificate Authority 2011", "2019-12-11T08:40:17.0000000Z"),
        ("signify_DXCore.dll", "Microsoft Root Certificate Authority 2010", "2025-07-15T23:47:21.0000000Z"),
        ("signify_sigcheck.exe", "CN=Microsoft Root Certificate Authority", "2017-11-16T22:05:36.0000000Z"),
    ] {
        let v = verdict(file);
        assert_eq!(v.status, Status::Valid, "{file}: {}", v.reason);
        assert_eq!(v.publisher.as_deref(), Some("Microsoft Corporation"), "{file}");
        assert!(v.root.as_deref().unwrap().contains(root), "{file}: {:?}", v.root);
        assert_eq!(v.trusted_by.map(|t| t.as_str()), Some("microsoft_root_program"));
        assert_eq!(v.signed_at.map(|t| t.to_string()).as_deref(), Some(signed_at), "{file}");
        // The leaves of whois and sigcheck have long expired: judged at the countersigned time, as Windows does.
        assert_eq!(v.time_used.map(|t| t.as_str()), Some("countersignature"));
    }
}

#[test]
fn dual_signed_files_verify_both_signatures() {
    if !common::have_corpus() {
        return;
    }
    let v = verdict("signify_sigcheck.exe");
    let algs: Vec<Option<&str>> = v.signatures.iter().map(|s| s.digest_algorithm.as_deref()).collect();
    assert_eq!(algs, vec![Some("sha1"), Some("sha256")]);
    assert!(v.signatures.iter().all(|s| s.status == Status::Valid), "{:#?}", v.signatures);
    let w = verdict("velociraptor_winpmem_x64.sys");
    assert_eq!(w.publisher.as_deref(), Some("Binalyze LLC"));
    assert!(w.root.as_deref().unwrap().contains("GlobalSign Root CA"));
    assert_eq!(w.signatures[1].publisher.as_deref(), Some("Microsoft Corporation"));
    assert!(w.signatures[1].subject.as_deref().unwrap().contains("Microsoft Windows Hardware Compatibility Publisher"));
    assert_eq!(w.signatures[1].status, Status::Valid);
}

#[test]
fn old_and_weak_signatures_say_so() {
    if !common::have_corpus() {
        return;
    }
    let apple = verdict("signify_SoftwareUpdate.exe");
    assert_eq!(apple.signatures[0].digest_algorithm.as_deref(), Some("md5"));
    assert!(apple.reason.contains("weak MD5"), "{}", apple.reason);
    assert!(apple.root.as_deref().unwrap().contains("VeriSign"));
    assert_eq!(apple.signed_at.map(|t| t.to_string()).as_deref(), Some("2008-07-25T22:21:53.0000000Z"));
    let spotify = verdict("signify_spotify_sample.exe");
    assert_eq!(spotify.publisher.as_deref(), Some("Spotify AB"));
    assert!(spotify.reason.contains("SHA-1"), "{}", spotify.reason);
}

#[test]
fn untrusted_self_signed_and_unsigned() {
    if !common::have_corpus() {
        return;
    }
    for f in ["uthenticode_32_pegoat-authenticode.exe", "uthenticode_64_pegoat-authenticode.exe"] {
        let v = verdict(f);
        assert_eq!(v.status, Status::SelfSigned, "{f}");
        assert_eq!(v.publisher.as_deref(), Some("contact@trailofbits.com"));
        assert_eq!(v.time_used.map(|t| t.as_str()), Some("scan time"));
    }
    let nested = verdict("uthenticode_64_pegoat-authenticode-nested.exe");
    assert_eq!(nested.signatures.len(), 2);
    assert_eq!(nested.signatures[1].subject.as_deref(), Some("/CN=A SHA-256 cert"));
    assert_eq!(verdict("uthenticode_32_pegoat-authenticode_duplicated.exe").status, Status::SelfSigned);
    let plain = verdict("uthenticode_32_pegoat.exe");
    assert_eq!(plain.status, Status::Unsigned);
    assert!(plain.signatures.is_empty());
    let tec = verdict("signify____2A6E.tmp");
    assert_eq!(tec.status, Status::UntrustedRoot);
    assert!(tec.reason.contains("VeriSign Class 3 Code Signing 2010 CA"), "{}", tec.reason);
}

#[test]
fn private_ca_is_trusted_only_when_the_analyst_says_so() {
    if !common::have_corpus() {
        return;
    }
    let bytes = std::fs::read(corpus("pe/signify_kdbazis.dll")).unwrap();
    let v = verify_pe(&bytes, &trust::Trust::microsoft(), NOW);
    assert_eq!(v.status, Status::UntrustedRoot);
    let user = trust::from_pem(
        inetsift::model::TrustAnchor::User,
        &std::fs::read(corpus("pe/signify_kdbazis.dll.crt")).unwrap(),
    )
    .unwrap();
    let v = verify_pe(&bytes, &trust::Trust::microsoft().with(user), NOW);
    assert_eq!(v.status, Status::Valid, "{}", v.reason);
    assert_eq!(v.trusted_by.map(|t| t.as_str()), Some("user"));
    assert_eq!(v.root.as_deref(), Some("CN=VirtualKD-Redux CA"));
    assert_eq!(v.signed_at.map(|t| t.to_string()).as_deref(), Some("2021-03-22T00:35:22.0000000Z"));
}

#[test]
fn one_flipped_byte_is_a_bad_digest() {
    if !common::have_corpus() {
        return;
    }
    let mut bytes = std::fs::read(corpus("pe/signify_DXCore.dll")).unwrap();
    let good = verify_pe(&bytes, &trust::Trust::microsoft(), NOW);
    bytes[0x1000] ^= 0x01; // inside .text, inside the hashed range
    let bad = verify_pe(&bytes, &trust::Trust::microsoft(), NOW);
    assert_eq!(bad.status, Status::BadDigest);
    assert!(bad.reason.contains("modified after signing"));
    assert_ne!(good.authenticode_sha256, bad.authenticode_sha256);
}

#[test]
fn authenticode_hash_matches_osslsigncode() {
    if !common::have_corpus() {
        return;
    }
    // `osslsigncode verify` prints this as the calculated message digest of signify_DXCore.dll.
    let v = verdict("signify_DXCore.dll");
    assert_eq!(
        v.authenticode_sha256.as_deref(),
        Some("06fa542ca0a1626e11e99e79896c9eaa79b5cfc3f9ad0ac8b84d4b2e8c5a292c")
    );
}

#[test]
fn authenticode_hash_matches_the_signed_digest() {
    if !common::have_corpus() {
        return;
    }
    // The digest a signature carries is the Authenticode hash of the file: ours must agree.
    for (file, alg) in
        [("signify_DXCore.dll", "sha256"), ("signify_pciide.sys", "sha1"), ("signify_whois.exe", "sha256")]
    {
        let v = verdict(file);
        assert_eq!(v.status, Status::Valid, "{file}");
        let ours = if alg == "sha1" { v.authenticode_sha1 } else { v.authenticode_sha256 };
        let bytes = std::fs::read(corpus(&format!("pe/{file}"))).unwrap();
        let tok = unsafe { authenticode_parser::InitializationToken::new() };
        let arr = authenticode_parser::parse_pe(&tok, &bytes).unwrap();
        let signed = arr.signatures()[0].file_digest().map(inetsift::evidence::hex);
        assert_eq!(ours, signed, "{file}");
    }
}
