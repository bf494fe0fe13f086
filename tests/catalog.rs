//! Catalogs and trust lists (../shared/corpus/pe/*.cat, ../shared/reference/trust/authroot.stl).

mod common;
use common::*;
use inetsift::artifacts::authenticode::{Status, catalog, trust, verify_pe};

fn read(path: &std::path::Path) -> catalog::Catalog {
    catalog::read(&path.display().to_string(), &std::fs::read(path).unwrap(), &trust::Trust::microsoft())
}

#[test]
fn dxcore_is_both_embedded_signed_and_a_catalog_member() {
    if !common::have_corpus() {
        return;
    }
    let cat = read(&corpus("pe/signify_115fe8649854ad531fb7ecd1318fbee6b33c9cbd78f02ed582092a96d5eb5899.cat"));
    assert_eq!(cat.status, Status::Valid, "{}", cat.reason);
    assert_eq!(cat.trusted_by.map(|t| t.as_str()), Some("microsoft_root_program"));
    assert!(cat.signer.as_deref().unwrap().contains("CN=Microsoft Windows"));
    assert!(cat.root.as_deref().unwrap().contains("Microsoft Root Certificate Authority 2010"));
    let mut dll = std::fs::read(corpus("pe/signify_DXCore.dll")).unwrap();
    let v = verify_pe(&dll, &trust::Trust::microsoft(), 0);
    let hash = v.authenticode_sha256.unwrap();
    let index = catalog::Index::new(vec![cat]);
    let hit = index.lookup(&[hash.as_str()]).expect("listed");
    assert!(hit.members.iter().any(|m| m.hash == hash && m.kind == "pe"));
    // One flipped byte in the hashed range: the hash is no longer listed.
    dll[0x1000] ^= 1;
    let tampered = verify_pe(&dll, &trust::Trust::microsoft(), 0).authenticode_sha256.unwrap();
    assert!(index.lookup(&[tampered.as_str()]).is_none());
}

#[test]
fn driver_catalog_lists_its_inf_as_a_flat_file() {
    if !common::have_corpus() {
        return;
    }
    let cat = read(&corpus("pe/signify_oem89.cat"));
    assert_eq!(cat.status, Status::Valid, "{}", cat.reason);
    assert!(cat.signer.as_deref().unwrap().contains("Microsoft Windows Hardware Compatibility Publisher"));
    assert_eq!(cat.this_update.map(|t| t.to_string()), Some("2022-06-30T07:24:34.0000000Z".to_string()));
    // SHA-1 of the whole INF file (sha1sum prints the same).
    let sha1 = "b1e795b69b4c2a901a8bc8e8b36e988c6c05d836";
    assert!(cat.members.iter().any(|m| m.hash == sha1 && m.kind == "flat"), "{:?}", cat.members);
}

#[test]
fn catalog_without_signer_vouches_for_nothing() {
    if !common::have_corpus() {
        return;
    }
    let cat = read(&corpus("pe/signify_catfiletest.cat"));
    assert_eq!(cat.status, Status::Unsigned);
    assert!(cat.reason.contains("no signer"));
    assert_eq!(cat.members.len(), 1);
    let index = catalog::Index::new(vec![cat]);
    let h = index.catalogs[0].members[0].hash.clone();
    assert!(index.lookup(&[h.as_str()]).is_none(), "an unsigned catalog must not make anything catalog-signed");
    assert!(index.listed_by_any(&[h.as_str()]).is_some());
}

#[test]
fn windows_catalog_has_eighteen_members() {
    if !common::have_corpus() {
        return;
    }
    let cat = read(&corpus("pe/velociraptor_ntexe.cat"));
    assert_eq!(cat.status, Status::Valid, "{}", cat.reason);
    assert_eq!(cat.usage, vec!["1.3.6.1.4.1.311.12.1.1"]);
    let distinct: std::collections::BTreeSet<&str> = cat.members.iter().map(|m| m.hash.as_str()).collect();
    assert_eq!(distinct.len(), 18);
}

#[test]
fn microsofts_authroot_stl_is_a_signed_ctl_of_roots() {
    if !common::have_reference() {
        return;
    }
    let stl = read(&common::reference_dir().join("trust/authroot.stl"));
    assert_eq!(stl.status, Status::Valid, "{}", stl.reason);
    assert_eq!(stl.usage, vec!["1.3.6.1.4.1.311.10.3.9"]);
    assert_eq!(stl.members.len(), 555);
    assert!(stl.signer.as_deref().unwrap().contains("Microsoft Certificate Trust List Publisher"));
    // Its subjects are the SHA-1 thumbprints of the shipped Microsoft roots.
    let roots = trust::microsoft_set();
    let thumb = inetsift::evidence::hex(&roots.roots[0].digest(openssl::hash::MessageDigest::sha1()).unwrap());
    assert!(stl.members.iter().any(|m| m.hash == thumb));
}

#[test]
fn an_altered_trust_list_fails_its_signature() {
    if !common::have_corpus() {
        return;
    }
    let mut bytes = std::fs::read(corpus("pe/velociraptor_ntexe.cat")).unwrap();
    // Inside the first member's identifier (offset 135 + 2 header bytes, per `openssl asn1parse`).
    bytes[140] ^= 0xFF;
    let cat = catalog::read("altered.cat", &bytes, &trust::Trust::microsoft());
    assert_eq!(cat.status, Status::BadSignature);
    assert!(cat.reason.contains("altered"), "{}", cat.reason);
}
