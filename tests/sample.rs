//! The committed sample is what its generator makes: its hash is pinned so any drift is noticed.

mod common;
use common::repo;
use sha2::{Digest, Sha256};

#[test]
fn sample_zip_matches_its_recorded_hash() {
    let sums = std::fs::read_to_string(repo("samples/SHA256SUMS")).unwrap();
    let (hash, name) = sums.trim().split_once("  ").unwrap();
    let bytes = std::fs::read(repo("samples").join(name)).unwrap();
    assert_eq!(inetsift::evidence::hex(&Sha256::digest(&bytes)), hash);
    assert_eq!(hash, "189613f5d190e22c385103695e5a339ff2ab8d202a59ad76d3622a99f9af9d07");
}

#[test]
fn sample_sources_match_the_zip() {
    // The configuration inside the zip is the one in samples/host, byte for byte.
    let f = std::fs::File::open(repo("samples/iis-compromised-kape.zip")).unwrap();
    let mut z = zip::ZipArchive::new(f).unwrap();
    let mut inner = Vec::new();
    std::io::Read::read_to_end(
        &mut z.by_name("C/Windows/System32/inetsrv/config/applicationHost.config").unwrap(),
        &mut inner,
    )
    .unwrap();
    assert_eq!(inner, std::fs::read(repo("samples/host/applicationHost.config")).unwrap());
}
