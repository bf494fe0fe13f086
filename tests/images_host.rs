//! The sample host on an NTFS volume in every container (tests/fixtures/images, made by make.sh with mkntfs,
//! ntfs-3g, sfdisk, qemu-img and ewfacquire) gives what the same files give as a folder.

mod common;

use common::{repo, scan_one};
use inetsift::scan::ScanResult;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

const ZIP: &str = "tests/fixtures/images/iis-host-images.zip";

#[test]
fn fixture_matches_its_recorded_hash() {
    let sums = std::fs::read_to_string(repo("tests/fixtures/images/SHA256SUMS")).unwrap();
    let sha = inetsift::evidence::hex(&Sha256::digest(std::fs::read(repo(ZIP)).unwrap()));
    assert_eq!(sums, format!("{sha}  iis-host-images.zip\n"));
}

/// Unzips the images (and the sample's C: tree as a volume-root folder) into a temporary folder.
fn unpack() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let mut z = zip::ZipArchive::new(std::fs::File::open(repo(ZIP)).unwrap()).unwrap();
    z.extract(dir.path()).unwrap();
    let mut s = zip::ZipArchive::new(std::fs::File::open(repo("samples/iis-compromised-kape.zip")).unwrap()).unwrap();
    let tree = dir.path().join("tree");
    s.extract(&tree).unwrap();
    (dir, tree.join("C"))
}

/// What must not depend on the container: components, findings and timeline, without evidence-level fields.
fn essence(r: &ScanResult) -> (Vec<String>, Vec<String>, Vec<String>) {
    let comps = r
        .components
        .iter()
        .map(|c| {
            format!(
                "{} {} {:?} {:?} {} {}:{:?} {:?} {:?} {:?} {:?}",
                c.id,
                c.kind.as_str(),
                c.image,
                c.path.as_ref().map(|p| p.to_string()),
                c.scope,
                c.source.file,
                c.source.line,
                c.state,
                c.file.as_ref().map(|f| (f.status, f.sha256.clone())),
                c.signature.map(|s| s.as_str()),
                c.pe_kind
            )
        })
        .collect();
    let findings =
        r.findings.iter().map(|f| format!("{} {:?} {:?} {}", f.rule, f.severity, f.component, f.message)).collect();
    let timeline = r
        .timeline
        .iter()
        .map(|t| format!("{} {} {} {:?}", t.timestamp, t.source, t.description, t.component))
        .collect();
    (comps, findings, timeline)
}

fn check(image: &Path, folder: &(Vec<String>, Vec<String>, Vec<String>)) {
    let r = scan_one(image);
    assert_eq!(r.evidence[0].kind, inetsift::evidence::EvidenceKind::Image);
    let got = essence(&r);
    assert_eq!(got.0, folder.0, "{}: components", image.display());
    assert_eq!(got.1, folder.1, "{}: findings", image.display());
    assert_eq!(got.2, folder.2, "{}: timeline", image.display());
}

#[test]
fn every_container_gives_the_folders_components_findings_and_timeline() {
    let (dir, folder) = unpack();
    let want = essence(&scan_one(&folder));
    assert!(want.0.len() > 40 && want.1.len() > 20, "the sample is all there");
    for name in ["mbr.raw", "gpt.raw", "mbr.E01", "mbr.vhd", "gpt.vhdx"] {
        check(&dir.path().join(name), &want);
    }
}
