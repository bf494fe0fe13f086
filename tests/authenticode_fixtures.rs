//! Verdicts on the synthetic signed DLLs of tests/fixtures/authenticode (made by its make.sh with mingw-w64 and
//! osslsigncode), compared with osslsigncode's own verdicts recorded there.

mod common;
use common::repo;
use inetsift::artifacts::authenticode::{Status, trust, verify_pe};
use inetsift::artifacts::pe::{PeKind, analyse};
use sha2::{Digest, Sha256};

/// 2026-12-01T00:00:01Z, after the fixture certificates were made.
const NOW: i64 = 1_796_083_201;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(repo("tests/fixtures/authenticode").join(name)).unwrap()
}

fn trust_set() -> trust::Trust {
    trust::Trust::microsoft()
        .with(trust::from_pem(inetsift::model::TrustAnchor::User, &fixture("pki/root.pem")).unwrap())
}

#[test]
fn fixtures_are_the_committed_ones() {
    let sums = String::from_utf8(fixture("SHA256SUMS")).unwrap();
    assert_eq!(sums.lines().count(), 11);
    for line in sums.lines() {
        let (hash, name) = line.split_once("  ").unwrap();
        assert_eq!(inetsift::evidence::hex(&Sha256::digest(fixture(name))), hash, "{name}");
    }
}

#[test]
fn verdicts_agree_with_osslsigncode() {
    let oracle = String::from_utf8(fixture("osslsigncode-verdicts.txt")).unwrap();
    let t = trust_set();
    for line in oracle.lines() {
        let (name, theirs) = line.split_once(' ').unwrap();
        let v = verify_pe(&fixture(&format!("dll/{name}")), &t, NOW);
        let ours = if v.status == Status::Valid { "ok" } else { "fail" };
        if name == "module-backdated-ts.dll" {
            // The 2023 timestamp comes from a TSA whose certificate did not exist yet: its time is ignored, and
            // the signature is judged at the scan time instead (where it is valid, as osslsigncode also says).
            assert_eq!(v.time_used.map(|t| t.as_str()), Some("scan time"));
            assert!(
                v.signatures[0].countersignature.as_deref().unwrap().contains("not trusted"),
                "{:?}",
                v.signatures[0]
            );
        }
        assert_eq!(ours, theirs, "{name}: {:?} {}", v.status, v.reason);
    }
}

#[test]
fn each_fixture_gets_its_verdict() {
    let t = trust_set();
    let v = |n: &str| verify_pe(&fixture(&format!("dll/{n}")), &t, NOW);
    let signed = v("module-signed.dll");
    assert_eq!(
        (signed.status, signed.trusted_by.map(|t| t.as_str()), signed.time_used.map(|t| t.as_str())),
        (Status::Valid, Some("user"), Some("scan time"))
    );
    assert_eq!(signed.publisher.as_deref(), Some("Contoso Ltd"));
    assert_eq!(signed.root.as_deref(), Some("CN=inetsift Test Root CA, O=inetsift fixtures"));
    let ts = v("module-signed-ts.dll");
    assert_eq!((ts.status, ts.time_used.map(|t| t.as_str())), (Status::Valid, Some("countersignature")));
    assert_eq!(ts.signed_at.map(|t| t.to_string()).as_deref(), Some("2026-12-01T00:00:00.0000000Z"));
    let dual = v("module-dual.dll");
    let each: Vec<Status> = dual.signatures.iter().map(|s| s.status).collect();
    assert_eq!(each, vec![Status::Valid, Status::SelfSigned]);
    assert_eq!(dual.status, Status::Valid);
    assert_eq!(v("module-tampered.dll").status, Status::BadDigest);
    assert_eq!(v("module-wrong-eku.dll").status, Status::WrongEku);
    assert_eq!(v("filter-selfsigned.dll").status, Status::SelfSigned);
    assert_eq!(v("unsigned.dll").status, Status::Unsigned);
    let ext = v("extension-signed.dll");
    assert_eq!(ext.signatures[0].digest_algorithm.as_deref(), Some("sha1"));
    assert_eq!(ext.status, Status::Valid);
    // Without the test root, the same signature is untrusted.
    let untrusted = verify_pe(&fixture("dll/module-signed-ts.dll"), &trust::Trust::microsoft(), NOW);
    assert_eq!(untrusted.status, Status::UntrustedRoot);
    // ...and its timestamp, from a TSA no trust set anchors, is not used.
    assert_eq!(untrusted.time_used.map(|t| t.as_str()), Some("scan time"));
    // Judged far in the future, an untimestamped signature has expired; a timestamped one has not.
    let later = 2_900_000_000;
    assert_eq!(verify_pe(&fixture("dll/module-signed.dll"), &t, later).status, Status::Expired);
    assert_eq!(verify_pe(&fixture("dll/module-signed-ts.dll"), &t, later).status, Status::Valid);
}

#[test]
fn kinds_come_from_the_exports() {
    let kind = |n: &str| analyse(&fixture(&format!("dll/{n}"))).unwrap().kind;
    assert_eq!(kind("module-signed.dll"), PeKind::NativeModule);
    assert_eq!(kind("filter-signed-ts.dll"), PeKind::IsapiFilter);
    assert_eq!(kind("extension-signed.dll"), PeKind::IsapiExtension);
}

#[test]
fn catalogs_are_read_through_the_hashed_read_log() {
    // A whole volume with one global module and one (not a real) catalog in CatRoot: the catalog's bytes are
    // part of the evidence record, with their SHA-256, like every other file read.
    let cfg = br#"<configuration><system.webServer><globalModules><add name="Mod" image="%windir%\System32\inetsrv\mod.dll"/></globalModules></system.webServer></configuration>"#;
    let cat = b"not a real catalog, but evidence bytes all the same";
    let dir = common::tree(&[
        ("Windows/System32/inetsrv/config/applicationHost.config", cfg),
        ("Windows/System32/inetsrv/mod.dll", &fixture("dll/unsigned.dll")),
        ("Windows/System32/CatRoot/{F750E6C3-38EE-11D1-85E5-00C04FC295EE}/oem1.cat", cat),
    ]);
    let r = common::scan_one(dir.path());
    let read = r
        .coverage
        .files_read
        .iter()
        .find(|f| f.path.to_string().ends_with("oem1.cat"))
        .expect("the catalog is in the read log");
    assert_eq!(read.sha256, inetsift::evidence::hex(&Sha256::digest(cat)));
    assert_eq!(read.size, cat.len() as u64);
}
