//! The sample host on an NTFS volume in every container (tests/fixtures/images, made by make.sh with mkntfs,
//! ntfs-3g, sfdisk, qemu-img and ewfacquire) gives what the same files give as a folder.

mod common;

use common::{repo, scan_one, usn_v3};
use inetsift::scan::ScanResult;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

const ZIP: &str = "tests/fixtures/images/iis-host-images.zip";

#[test]
fn fixtures_match_their_recorded_hashes() {
    let sums = std::fs::read_to_string(repo("tests/fixtures/images/SHA256SUMS")).unwrap();
    let line = |name: &str| {
        let sha = inetsift::evidence::hex(&Sha256::digest(
            std::fs::read(repo(&format!("tests/fixtures/images/{name}"))).unwrap(),
        ));
        format!("{sha}  {name}\n")
    };
    assert_eq!(sums, line("iis-host-images.zip") + &line("mbr-logical.zip"));
}

#[test]
fn the_windows_volume_may_be_a_logical_partition() {
    let dir = tempfile::tempdir().unwrap();
    let mut z =
        zip::ZipArchive::new(std::fs::File::open(repo("tests/fixtures/images/mbr-logical.zip")).unwrap()).unwrap();
    z.extract(dir.path()).unwrap();
    let disk_path = dir.path().join("disk.raw");
    let mut d = inetsift::evidence::image::open(&disk_path, inetsift::evidence::image::ImageFormat::Raw).unwrap();
    let vols = inetsift::evidence::image::partitions::volumes(&mut d.reader, d.size).unwrap();
    // sfdisk -d: 1 FAT at sector 2048, 2 extended at 4096 (not a volume), 5 NTFS at 6144.
    let got: Vec<_> = vols.iter().map(|v| (v.partition, v.scheme, v.start / 512, v.len / 512, v.kind.name())).collect();
    assert_eq!(got, [(Some(1), "mbr", 2048, 2048, "FAT"), (Some(5), "mbr", 6144, 4096, "NTFS")]);
    let ev = inetsift::evidence::Evidence::open("E1", &disk_path, &Default::default()).unwrap();
    assert!(
        ev.notes.iter().any(|n| n.starts_with("partition 5 (mbr, type 0x07") && n.ends_with("NTFS — analysed as C:"))
    );
    assert!(ev.notes.iter().any(|n| n.starts_with("partition 1 (mbr, type 0x06") && n.ends_with(": FAT")));
    let marker = ev.read(&inetsift::evidence::WinPath::parse(r"C:\Windows\System32\config\README.txt"), 64).unwrap();
    assert_eq!(marker.bytes, b"marker\n");
}

/// Unzips the images (and the sample's C: tree as a volume-root folder) into a temporary folder.
fn unpack() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let mut z = zip::ZipArchive::new(std::fs::File::open(repo(ZIP)).unwrap()).unwrap();
    z.extract(dir.path()).unwrap();
    let mut s = zip::ZipArchive::new(std::fs::File::open(repo("samples/iis-compromised-kape.zip")).unwrap()).unwrap();
    let tree = dir.path().join("tree");
    s.extract(&tree).unwrap();
    // make.sh also drops a copy of the ISAPI filter in inetsrv under another name: so does the folder form.
    let c = tree.join("C");
    std::fs::copy(c.join(r"Windows/Temp/sfilter.dll"), c.join(r"Windows/System32/inetsrv/iisutil2.dll")).unwrap();
    (dir, c)
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
                c.source.path(),
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

/// Checks an image against the folder; returns its NTFS-only findings and timeline rows (a folder has none).
fn check(image: &Path, folder: &(Vec<String>, Vec<String>, Vec<String>)) -> (Vec<String>, Vec<String>) {
    let r = scan_one(image);
    assert_eq!(r.evidence[0].kind, inetsift::evidence::EvidenceKind::Image);
    let got = essence(&r);
    let (ntfs_findings, findings): (Vec<String>, Vec<String>) = got.1.into_iter().partition(|f| f.starts_with("ntfs_"));
    let (ntfs_rows, rows): (Vec<String>, Vec<String>) = got.2.into_iter().partition(|t| t.contains(" NTFS $"));
    assert_eq!(got.0, folder.0, "{}: components", image.display());
    assert_eq!(findings, folder.1, "{}: findings", image.display());
    assert_eq!(rows, folder.2, "{}: timeline", image.display());
    (ntfs_findings, ntfs_rows)
}

#[test]
fn every_container_gives_the_folders_components_findings_and_timeline() {
    let (dir, folder) = unpack();
    let want = essence(&scan_one(&folder));
    assert!(want.0.len() > 40 && want.1.len() > 20, "the sample is all there");
    let first = check(&dir.path().join("mbr.raw"), &want);
    // A split raw image: mbr.raw cut into 4 MiB segments.
    let raw = std::fs::read(dir.path().join("mbr.raw")).unwrap();
    for (i, part) in raw.chunks(4 << 20).enumerate() {
        std::fs::write(dir.path().join(format!("split.{:03}", i + 1)), part).unwrap();
    }
    for name in ["gpt.raw", "mbr.E01", "mbr.vhd", "gpt-fixed.vhd", "gpt.vhdx", "gpt.vmdk", "split.001"] {
        assert_eq!(check(&dir.path().join(name), &want), first, "{name}: NTFS times and findings");
    }
    let formats: Vec<String> = ["split.001", "gpt-fixed.vhd", "gpt.vmdk"]
        .iter()
        .map(|n| scan_one(&dir.path().join(n)).evidence[0].notes[0].clone())
        .collect();
    // qemu-img rounds a VHD's size up to whole CHS cylinders: the footer says 10514432.
    assert_eq!(formats, ["split raw image, 10485760 bytes", "VHD image, 10514432 bytes", "VMDK image, 10485760 bytes"]);
    assert!(
        scan_one(&dir.path().join("split.001")).evidence[0].notes.iter().any(|n| n == "split raw image: 3 segments")
    );
    // The backdated look-alike module: $SI set to 2019-03-05 10:11:12, $FILE_NAME kept from the copy.
    let module = first.0.iter().filter(|f| f.contains("cachehttpex.dll")).collect::<Vec<_>>();
    assert_eq!(module.len(), 2, "{module:?}");
    assert!(
        module[0].starts_with("ntfs_si_before_fn High")
            && module[0].contains("creation 2019-03-05T10:11:12.0000000Z is earlier")
    );
    assert!(module[1].starts_with("ntfs_si_whole_seconds Medium"));
    assert!(first.1.iter().any(|t| t.starts_with("2019-03-05T10:11:12.0000000Z NTFS $SI $STANDARD_INFORMATION created: C:\\Windows\\System32\\inetsrv\\cachehttpex.dll")));
    // The unreferenced DLL dropped in inetsrv is flagged too, on no component; no other file is.
    let dropped: Vec<_> = first.0.iter().filter(|f| f.contains("iisutil2.dll")).collect();
    assert_eq!(dropped.len(), 2, "{dropped:?}");
    assert!(dropped[0].starts_with("ntfs_si_before_fn High None"));
    assert!(first.0.iter().all(|f| f.contains("cachehttpex.dll") || f.contains("iisutil2.dll")), "{:?}", first.0);
}

#[test]
fn files_read_from_an_image_carry_their_mft_record_and_times() {
    let (dir, _) = unpack();
    let r = scan_one(&dir.path().join("mbr.E01"));
    let f = r.coverage.files_read.iter().find(|f| f.path.as_str().ends_with("cachehttpex.dll")).unwrap();
    let n = f.ntfs.as_ref().expect("NTFS facts");
    // sleuthkit: `ifind -n /Windows/System32/inetsrv/cachehttpex.dll` on the volume gives entry 81.
    assert_eq!((n.mft_entry, n.sequence), (81, 1));
    assert_eq!(n.standard_information.created, "2019-03-05T10:11:12.0000000Z");
    assert_eq!(n.file_names.len(), 1);
    assert_eq!(n.file_names[0].name, "cachehttpex.dll");
    assert!(n.file_names[0].times.created > n.standard_information.created);
    // Every file read from the image has its facts; the hives and logs too.
    assert!(r.coverage.files_read.iter().all(|f| f.ntfs.is_some()));
    assert!(r.coverage.files_read.iter().any(|f| f.path.as_str().ends_with(r"config\SOFTWARE")));
}

#[test]
fn the_table_shows_ntfs_times_and_the_timestomp() {
    let (dir, _) = unpack();
    let r = scan_one(&dir.path().join("gpt.vhdx"));
    let mut out = Vec::new();
    inetsift::report::table::write(&r, inetsift::report::table::TableOptions { all_components: false }, &mut out)
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("NTFS times of component files (UTC)"));
    assert!(text.contains("81-1") && text.contains("2019-03-05T10:11:12.0000000Z"));
    assert!(text.contains("ntfs_si_before_fn"));
    let note = "partition 1 (gpt, Basic data partition, at byte 1048576, 8388608 bytes): NTFS — analysed as C:";
    assert!(r.evidence[0].notes.iter().any(|n| n == note), "{:?}", r.evidence[0].notes);
}

#[test]
fn a_triage_collection_with_the_volumes_mft_gets_the_same_ntfs_facts() {
    let (dir, folder) = unpack();
    // The image, read by the `ntfs` crate.
    let image = scan_one(&dir.path().join("mbr.raw"));
    let from_image = |r: &ScanResult| {
        r.coverage
            .files_read
            .iter()
            .find(|f| f.path.as_str().ends_with("cachehttpex.dll"))
            .and_then(|f| f.ntfs.clone())
            .unwrap()
    };
    // A KAPE-style collection of the same files, with the volume's $MFT (copied out of the image) and a journal.
    let ev = inetsift::evidence::Evidence::open("E1", &dir.path().join("mbr.raw"), &Default::default()).unwrap();
    let mft = ev.read(&inetsift::evidence::WinPath::parse(r"C:\$MFT"), 64 << 20).unwrap().bytes;
    let kape = dir.path().join("kape");
    std::fs::create_dir_all(kape.join("C").join("$Extend")).unwrap();
    copy_tree(&folder, &kape.join("C"));
    std::fs::write(kape.join("C").join("$MFT"), mft).unwrap();
    let module = from_image(&image);
    let (entry, inetsrv) = (module.mft_entry, module.file_names[0].parent_entry);
    let t = (1_699_999_290 + 11_644_473_600) * 10_000_000;
    let mut j = usn_v3("cachehttpex.dll", (entry, 1), inetsrv, 0, t, 0x100);
    j.extend(usn_v3("notes.dll", (5000, 1), 5, 0, t, 0x100)); // at the root of C: — not an IIS folder
    std::fs::write(kape.join("C").join("$Extend").join("$J"), j).unwrap();

    let r = scan_one(&kape);
    assert!(r.evidence[0].notes.iter().any(|n| n.starts_with("$MFT collected")), "{:?}", r.evidence[0].notes);
    assert!(r.coverage.notes.iter().any(|n| n.ends_with("its folders are named through the volume's $MFT")));
    // The `mft` crate on the collected $MFT agrees with the `ntfs` crate on the volume.
    assert_eq!(from_image(&r), module);
    assert_eq!(module.standard_information.created, "2019-03-05T10:11:12.0000000Z");
    assert!(r.findings.iter().any(|f| f.rule == "ntfs_si_before_fn" && f.message.contains("cachehttpex.dll")));
    // The journal's folder is named through the $MFT, and only IIS folders are kept.
    let rows: Vec<&str> =
        r.timeline.iter().filter(|t| t.source == "NTFS $UsnJrnl").map(|t| t.description.as_str()).collect();
    assert_eq!(
        rows,
        [format!(r"C:\Windows\System32\inetsrv\cachehttpex.dll (MFT entry {entry}-1, USN 0): FILE_CREATE")]
    );
}

fn copy_tree(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn an_image_names_mft_entries_and_sees_streams_as_files() {
    let (dir, _) = unpack();
    let ev = inetsift::evidence::Evidence::open("E1", &dir.path().join("gpt.vhdx"), &Default::default()).unwrap();
    assert!(ev.knows_entries());
    let module =
        ev.read(&inetsift::evidence::WinPath::parse(r"C:\Windows\System32\inetsrv\cachehttpex.dll"), 1 << 20).unwrap();
    let facts = ev.file_read(&module.path).and_then(|f| f.ntfs).unwrap();
    assert_eq!(
        ev.path_of_entry(facts.mft_entry).map(|p| p.to_string()).as_deref(),
        Some(r"C:\Windows\System32\inetsrv\cachehttpex.dll")
    );
    assert_eq!(
        ev.path_of_entry(facts.file_names[0].parent_entry).map(|p| p.to_string()).as_deref(),
        Some(r"C:\Windows\System32\inetsrv")
    );
    // `$Secure:$SDS` is a named stream of a metafile: found as `file:stream` like any alternate data stream.
    let sds = ev.source().metadata(&inetsift::evidence::WinPath::parse(r"C:\$Secure:$SDS")).unwrap().unwrap();
    assert!(!sds.is_dir && sds.size > 0);
    assert!(ev.source().metadata(&inetsift::evidence::WinPath::parse(r"C:\$Secure:$NoSuch")).unwrap().is_none());
}

#[test]
fn verify_images_checks_an_e01_against_its_stored_acquisition_hash() {
    let dir = common::unpack(ZIP);
    let good = dir.path().join("mbr.E01");
    let opts = inetsift::evidence::OpenOptions { verify_images: true, ..Default::default() };
    let notes = |r: &ScanResult| r.evidence[0].notes.clone();
    // Without the option the stored hash is shown and said to be unverified.
    let plain = scan_one(&good);
    assert!(notes(&plain).contains(&"E01 acquisition MD5: 414e913010bf2b5b2ff5650610695530".to_string()));
    assert!(notes(&plain).iter().any(|n| n.starts_with("E01 acquisition hashes not verified in this run")));
    let r = inetsift::scan::scan(std::slice::from_ref(&good), &opts).unwrap();
    assert!(notes(&r).contains(&"E01 acquisition MD5 verified: the media hashes to the stored value".to_string()));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    // The stored MD5 changed by one bit: the media no longer hashes to it, and the warning says what it does hash to.
    let mut bytes = std::fs::read(&good).unwrap();
    let md5 = [0x41, 0x4e, 0x91, 0x30, 0x10, 0xbf, 0x2b, 0x5b, 0x2f, 0xf5, 0x65, 0x06, 0x10, 0x69, 0x55, 0x30];
    let at = bytes.windows(16).position(|w| w == md5).expect("the stored MD5 in the hash section");
    bytes[at] ^= 1;
    let bad = dir.path().join("bad.E01");
    std::fs::write(&bad, bytes).unwrap();
    let r = inetsift::scan::scan(&[bad], &opts).unwrap();
    let w: Vec<&str> = r.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        w,
        [
            "E01 acquisition MD5 does not match the media (computed MD5 414e913010bf2b5b2ff5650610695530): the image changed since acquisition or is damaged"
        ]
    );
}
