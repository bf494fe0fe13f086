//! Disk images of the corpus, read in place: containers (E01 single and split, raw, VHD chains, VHDX), partition
//! tables and bare volumes, NTFS volumes as file trees, and clear refusals for images without NTFS.

mod common;

use common::corpus;
use inetsift::evidence::image::{self, ImageFormat, VolumeKind};
use inetsift::evidence::{Evidence, EvidenceKind, OpenOptions, WinPath};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

fn disk(p: &Path) -> image::Disk {
    let format = image::detect(p).unwrap().unwrap_or_else(|| panic!("{} not detected", p.display()));
    image::open(p, format).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// SHA-256 of the whole virtual disk.
fn disk_sha256(d: &mut image::Disk) -> String {
    use sha2::{Digest, Sha256};
    d.reader.seek(SeekFrom::Start(0)).unwrap();
    let mut h = Sha256::new();
    std::io::copy(&mut d.reader, &mut h).unwrap();
    inetsift::evidence::hex(&h.finalize())
}

fn open(p: &Path) -> Evidence {
    Evidence::open("E1", p, &OpenOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn names(ev: &Evidence, dir: &str) -> Vec<String> {
    ev.source().read_dir(&WinPath::parse(dir)).unwrap().into_iter().map(|e| e.name).collect()
}

fn text(ev: &Evidence, path: &str) -> String {
    String::from_utf8(ev.read(&WinPath::parse(path), 1 << 20).unwrap().bytes).unwrap()
}

#[test]
fn e01_of_a_bare_ntfs_volume_lists_reads_and_opens_streams() {
    if !common::have_corpus() {
        return;
    }
    let p = corpus("images/velociraptor_test.ntfs.dd.E01");
    let mut d = disk(&p);
    assert_eq!((d.format, d.size), (ImageFormat::Ewf, 10_485_760));
    // ewfexport -f raw of the same file gives this media hash.
    assert_eq!(disk_sha256(&mut d), "4efccac3f92a14da89ae9bca7231644ba25c65c09772c1f06b4e490e691f28ca");
    let ev = open(&p);
    assert_eq!(ev.kind, EvidenceKind::Image);
    assert!(ev.notes.iter().any(|n| n == "the whole disk (no partition table, 10485760 bytes): NTFS — analysed as C:"));
    assert!(ev.notes.iter().any(|n| n == "volume label: Test Volume"));
    // ewfinfo: MD5 8b4382280340597b7930b4b34742afba, case number 12, examiner foobar.
    for note in [
        "E01 acquisition MD5: 8b4382280340597b7930b4b34742afba",
        "E01 case: 12 (as stored)",
        "E01 examiner: foobar (as stored)",
    ] {
        assert!(ev.notes.iter().any(|n| n == note), "{note} in {:?}", ev.notes);
    }
    let root = names(&ev, r"C:\");
    for n in ["$MFT", "Folder A", "ones.bin", "just_a_file.txt", "System Volume Information"] {
        assert!(root.contains(&n.to_string()), "{n} in {root:?}");
    }
    let hello = r"C:\Folder A\Folder B\Hello world text document.txt";
    assert_eq!(text(&ev, hello), "Hello world!");
    // Lookups fold case the NTFS way, and report the name as the volume spells it.
    let lower = WinPath::parse(r"c:\folder a\FOLDER B\hello WORLD text document.TXT");
    assert_eq!(ev.source().canonical(&lower).map(|p| p.to_string()).as_deref(), Some(hello));
    // icat (sleuthkit) on the exported media, inode 46-128-5, gives the same stream.
    assert_eq!(text(&ev, &format!("{hello}:goodbye.txt")), "Goodbye cruel world.");
    let meta = ev.source().metadata(&WinPath::parse(r"C:\ones.bin")).unwrap().unwrap();
    assert_eq!((meta.is_dir, meta.size), (false, 2_949_120));
    assert!(ev.source().metadata(&WinPath::parse(r"C:\no such file")).unwrap().is_none());
}

#[test]
fn raw_ntfs_with_resident_sparse_and_indexed_folders() {
    if !common::have_corpus() {
        return;
    }
    let p = corpus("images/ColinFinck_ntfs_testfs1.raw");
    let ev = open(&p);
    assert_eq!(text(&ev, r"C:\file-with-12345"), "12345");
    let thousand = ev.read(&WinPath::parse(r"C:\1000-bytes-file"), 4096).unwrap();
    assert_eq!(thousand.bytes.len(), 1000);
    let sparse = ev.read(&WinPath::parse(r"C:\sparse-file"), 1 << 20).unwrap();
    assert_eq!(sparse.bytes.len(), 500_005);
    assert_eq!(ev.read(&WinPath::parse(r"C:\empty-file"), 16).unwrap().bytes.len(), 0);
    // 512 subfolders: the index spills into INDEX_ALLOCATION blocks.
    let subdirs = ev.source().read_dir(&WinPath::parse(r"C:\many_subdirs")).unwrap();
    assert_eq!(subdirs.len(), 512);
    assert!(subdirs.iter().all(|e| e.is_dir));
    assert!(ev.notes.iter().any(|n| n == "volume label: mylabel"));
}

#[test]
fn vhdx_with_gpt_finds_the_ntfs_partition_at_sector_128() {
    if !common::have_corpus() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut z =
        zip::ZipArchive::new(std::fs::File::open(corpus("images/velociraptor_test.vhdx.zip")).unwrap()).unwrap();
    let mut inner = z.by_name("test.vhdx").unwrap();
    let vhdx = dir.path().join("test.vhdx");
    std::io::copy(&mut inner, &mut std::fs::File::create(&vhdx).unwrap()).unwrap();
    let mut d = disk(&vhdx);
    assert_eq!((d.format, d.size), (ImageFormat::Vhdx, 5 * 1024 * 1024));
    let vols = image::partitions::volumes(&mut d.reader, d.size).unwrap();
    assert_eq!(vols.len(), 1);
    assert_eq!(
        (vols[0].scheme, vols[0].partition, vols[0].start, vols[0].kind),
        ("gpt", Some(1), 128 * 512, VolumeKind::Ntfs)
    );
    let ev = open(&vhdx);
    let root = names(&ev, r"C:\");
    assert!(root.contains(&"Users".to_string()) && root.contains(&"Windows".to_string()), "{root:?}");
    assert!(names(&ev, r"C:\Users").contains(&"Administrator".to_string()));
    assert_eq!(text(&ev, r"C:\Hello.txt.txt").len(), 11);
}

#[test]
fn containers_without_ntfs_are_read_then_refused_clearly() {
    if !common::have_corpus() {
        return;
    }
    // ewfexport of the single-segment and the split set give the same media.
    for rel in ["images/dfvfs_ext2.E01", "images/dfvfs_ext2.split.E01"] {
        let mut d = disk(&corpus(rel));
        assert_eq!((d.format, d.size), (ImageFormat::Ewf, 4_194_304));
        assert_eq!(disk_sha256(&mut d), "a6c2f0e39afe6c6ab432ca5465349fcefe8dc944398e97b2d957d3f89dbb5d80", "{rel}");
    }
    let cases = [
        (
            "images/dfvfs_ext2.split.E01",
            "no NTFS volume (the whole disk (no partition table, 4194304 bytes): ext2/3/4)",
        ),
        (
            "images/velociraptor_fat_very_small.dd",
            "no NTFS volume (the whole disk (no partition table, 51200 bytes): FAT)",
        ),
        (
            "images/dfvfs_vhd_chain/image-differential.vhd",
            "no NTFS volume (the whole disk (no partition table, 104448 bytes): ext2/3/4)",
        ),
    ];
    for (rel, message) in cases {
        let p = corpus(rel);
        let err = Evidence::open("E1", &p, &OpenOptions::default()).err().unwrap_or_else(|| panic!("{rel} opened"));
        let m = err.to_string();
        assert!(m.contains(message), "{rel}: {m}");
        assert!(m.contains(p.file_name().unwrap().to_str().unwrap()), "{m}");
    }
}

#[test]
fn a_differencing_vhd_reads_through_its_parent_found_by_name() {
    if !common::have_corpus() {
        return;
    }
    let child = corpus("images/dfvfs_vhd_chain/image-differential.vhd");
    let mut d = disk(&child);
    assert_eq!((d.format, d.size), (ImageFormat::Vhd, 104_448));
    assert_eq!(d.notes, ["VHD (differencing): image-differential.vhd -> image.vhd"]);
    let sha = disk_sha256(&mut d);
    let mut parent = disk(&corpus("images/dfvfs_vhd_chain/image.vhd"));
    assert_eq!(parent.notes, ["VHD (dynamic): image.vhd"]);
    // The child's one block has every sector bit set, and holds the parent's bytes: the same disk.
    assert_eq!(sha, disk_sha256(&mut parent));
    let mut superblock = [0u8; 2];
    d.reader.seek(SeekFrom::Start(1024 + 56)).unwrap();
    d.reader.read_exact(&mut superblock).unwrap();
    assert_eq!(superblock, [0x53, 0xef], "ext2 magic");

    // Alone, the child names the parent it needs.
    let dir = tempfile::tempdir().unwrap();
    let alone = dir.path().join("image-differential.vhd");
    std::fs::copy(&child, &alone).unwrap();
    let err = image::open(&alone, ImageFormat::Vhd).err().unwrap();
    assert!(err.message.contains(r#"its parent disk "image.vhd" is not beside it"#), "{err}");
}

/// A differencing VHD over `parent` (by file name) whose one block holds only `sectors`, each filled with a byte.
fn differencing_child(parent: &str, size: u64, sectors: &[(usize, u8)]) -> Vec<u8> {
    const BLOCK: usize = 2 * 1024 * 1024;
    let mut footer = vec![0u8; 512];
    footer[..8].copy_from_slice(b"conectix");
    footer[8..12].copy_from_slice(&2u32.to_be_bytes());
    footer[12..16].copy_from_slice(&0x0001_0000u32.to_be_bytes());
    footer[16..24].copy_from_slice(&512u64.to_be_bytes());
    footer[40..48].copy_from_slice(&size.to_be_bytes());
    footer[48..56].copy_from_slice(&size.to_be_bytes());
    footer[60..64].copy_from_slice(&4u32.to_be_bytes());
    let mut header = vec![0u8; 1024];
    header[..8].copy_from_slice(b"cxsparse");
    header[8..16].copy_from_slice(&u64::MAX.to_be_bytes());
    header[16..24].copy_from_slice(&1536u64.to_be_bytes());
    header[24..28].copy_from_slice(&0x0001_0000u32.to_be_bytes());
    header[28..32].copy_from_slice(&1u32.to_be_bytes());
    header[32..36].copy_from_slice(&(BLOCK as u32).to_be_bytes());
    for (i, u) in parent.encode_utf16().enumerate() {
        header[64 + 2 * i..66 + 2 * i].copy_from_slice(&u.to_be_bytes());
    }
    let mut bat = vec![0xffu8; 512];
    bat[..4].copy_from_slice(&4u32.to_be_bytes()); // block 0 at sector 4
    let mut block = vec![0u8; 512 + BLOCK];
    for &(s, fill) in sectors {
        block[s / 8] |= 0x80 >> (s % 8);
        block[512 + s * 512..512 + (s + 1) * 512].fill(fill);
    }
    [footer.clone(), header, bat, block, footer].concat()
}

#[test]
fn a_differencing_vhd_takes_its_own_sectors_and_the_rest_from_its_parent() {
    if !common::have_corpus() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(corpus("images/dfvfs_vhd_chain/image.vhd"), dir.path().join("Base.vhd")).unwrap();
    let child = dir.path().join("child.vhd");
    std::fs::write(&child, differencing_child("base.vhd", 104_448, &[(2, 0xaa), (3, 0xbb)])).unwrap();
    let mut base = disk(&dir.path().join("Base.vhd"));
    let mut expected = Vec::new();
    base.reader.read_to_end(&mut expected).unwrap();
    expected[1024..1536].fill(0xaa);
    expected[1536..2048].fill(0xbb);
    let mut d = disk(&child);
    // The parent is found by name, case-insensitively, beside the child.
    assert_eq!(d.notes, ["VHD (differencing): child.vhd -> Base.vhd"]);
    let mut got = Vec::new();
    d.reader.read_to_end(&mut got).unwrap();
    assert_eq!(got.len(), 104_448);
    assert!(got == expected, "sectors 2 and 3 from the child, the rest from the parent");
}
