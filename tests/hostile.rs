//! Hostile evidence (issue 15): inputs shaped to make a parser loop, blow up or hide damage. Each found defect
//! has its regression here, built by the test itself: the run ends, the damage is named, the rest is read.
//! Time is not asserted here (benchmarks measure it); an endless or quadratic run shows as a test that never ends.

mod common;

use common::{scan_one, tree};
use inetsift::model::ScanResult;
use std::process::Command;

fn config(body: &str) -> tempfile::TempDir {
    tree(&[(
        "applicationHost.config",
        format!("<configuration><system.webServer>{body}</system.webServer></configuration>").as_bytes(),
    )])
}

#[test]
fn sixty_thousand_nesting_levels_stop_at_the_depth_limit_with_a_warning() {
    let dir = config(&format!(
        "<globalModules><add name=\"Before\" image=\"C:\\\\b.dll\"/></globalModules>{}{}",
        "<a>".repeat(60_000),
        "</a>".repeat(60_000)
    ));
    let r = scan_one(&dir.path().join("applicationHost.config"));
    assert!(r.components.iter().any(|c| c.name == "Before"), "what came before the damage is kept");
    let w = r.warnings.iter().find(|w| w.message.contains("nested more than 256 levels")).expect("the warning");
    assert_eq!(w.position.line, Some(1));
    assert!(w.position.path().ends_with("applicationHost.config"));
}

#[test]
fn a_hundred_thousand_character_name_is_clipped_on_the_terminal_and_whole_in_json() {
    let name = "A".repeat(100_000);
    let dir = config(&format!("<globalModules><add name=\"{name}\" image=\"C:\\\\x.dll\"/></globalModules>"));
    let cfg = dir.path().join("applicationHost.config");
    let out = Command::new(env!("CARGO_BIN_EXE_inetsift")).arg("scan").arg(&cfg).output().unwrap();
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("… (99600 more"), "{:.300}", table);
    assert!(table.len() < 100_000, "the table does not carry the whole name");
    let r = scan_one(&cfg);
    assert_eq!(r.components[0].name.len(), 100_000);
}

#[test]
fn thousands_of_modules_are_all_read_and_the_table_says_what_it_leaves_out() {
    let n = 5_000;
    let mods: String =
        (0..n).map(|i| format!("<add name=\"M{i}\" image=\"%windir%\\System32\\inetsrv\\m{i}.dll\"/>")).collect();
    let dir = config(&format!("<globalModules>{mods}</globalModules>"));
    let cfg = dir.path().join("applicationHost.config");
    let r = scan_one(&cfg);
    assert_eq!(r.components.len(), n);
    assert!(r.components.iter().any(|c| c.name == format!("M{}", n - 1)));
    let out = Command::new(env!("CARGO_BIN_EXE_inetsift")).arg("scan").arg(&cfg).output().unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains(&format!("… {} more rows not shown here", n - 1000)), "{:.400}", table);
}

#[test]
fn an_eight_byte_journal_with_a_zero_length_ends() {
    // Found by fuzzing: the zero-run skip did not advance past a zero length followed by other bytes.
    let dir = tree(&[
        ("C/Windows/System32/inetsrv/config/applicationHost.config", b"<configuration/>"),
        ("C/$Extend/$J", &[0, 0, 0, 0, 1, 2, 3, 4]),
    ]);
    let r = scan_one(dir.path());
    assert!(r.timeline.iter().all(|t| !t.source.contains("journal")), "{:?}", r.timeline);
}

/// The key-node cells of a hive: (name, cell offset from the bins, absolute data offset), read the way the
/// format lays them out (bins after the 4 KiB base block, cells with a size, `nk` data with its name at 0x4C).
fn key_nodes(b: &[u8]) -> Vec<(String, u32, usize)> {
    let u32_at = |at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
    let mut out = Vec::new();
    let mut bin = 4096;
    while b.get(bin..bin + 4) == Some(b"hbin") {
        let size = u32_at(bin + 8) as usize;
        let mut cell = bin + 32;
        while cell + 8 <= bin + size {
            let len = (u32_at(cell) as i32).unsigned_abs() as usize;
            if len < 8 {
                break;
            }
            if &b[cell + 4..cell + 6] == b"nk" {
                let data = cell + 4;
                let n = u16::from_le_bytes([b[data + 0x48], b[data + 0x49]]) as usize;
                out.push((
                    String::from_utf8_lossy(&b[data + 0x4C..data + 0x4C + n]).into_owned(),
                    (cell - 4096) as u32,
                    data,
                ));
            }
            cell += len;
        }
        bin += size;
    }
    out
}

fn system_hive_with(edit: impl Fn(&mut Vec<u8>, &[(String, u32, usize)])) -> tempfile::TempDir {
    let mut b = std::fs::read(common::repo("samples/hives/SYSTEM")).unwrap();
    let nodes = key_nodes(&b);
    edit(&mut b, &nodes);
    tree(&[
        ("C/Windows/System32/config/SYSTEM", &b),
        ("C/Windows/System32/inetsrv/config/applicationHost.config", b"<configuration/>"),
    ])
}

fn node<'a>(nodes: &'a [(String, u32, usize)], name: &str) -> &'a (String, u32, usize) {
    nodes.iter().find(|(n, _, _)| n == name).unwrap_or_else(|| panic!("no key {name}"))
}

#[test]
fn an_index_root_list_naming_itself_is_made_safe_and_said() {
    // Found by fuzzing: notatin recursed into an `ri` list that names itself until the stack overflowed, which
    // aborts the process. Here the subkey list of W3SVC's Parameters becomes such a list.
    let dir = system_hive_with(|b, nodes| {
        let data = node(nodes, "Parameters").2;
        let list = u32::from_le_bytes(b[data + 0x1C..data + 0x20].try_into().unwrap());
        let cell = 4096 + list as usize;
        b[cell + 4..cell + 6].copy_from_slice(b"ri");
        b[cell + 6..cell + 8].copy_from_slice(&1u16.to_le_bytes());
        b[cell + 8..cell + 12].copy_from_slice(&list.to_le_bytes());
    });
    let r = scan_one(dir.path());
    let h = &r.registry.hives[0];
    assert_eq!((h.hive, h.status.as_str()), ("SYSTEM", "parsed_with_errors"), "{:?} {:?}", r.warnings, h.problems);
    assert!(r.warnings.iter().any(|w| w.message.contains("index-root subkey list at hive offset")), "{:?}", r.warnings);
    // The rest of the hive is read: the computer name, from another branch.
    assert_eq!(r.registry.installations[0].computer_name.as_deref(), Some("WEB01"));
}

#[test]
fn a_subkey_list_pointing_back_at_an_ancestor_is_walked_once_and_said() {
    // Found by fuzzing: a subkey list naming an ancestor sent the walk round the loop until its cap, with gigabytes
    // of pending keys and no warning. Here the Filters key lists W3SVC, its own grandparent.
    let dir = system_hive_with(|b, nodes| {
        let w3svc = node(nodes, "W3SVC").1;
        let data = node(nodes, "Filters").2;
        let list = 4096 + u32::from_le_bytes(b[data + 0x1C..data + 0x20].try_into().unwrap()) as usize;
        assert!(matches!(&b[list + 4..list + 6], b"lf" | b"lh"));
        b[list + 8..list + 12].copy_from_slice(&w3svc.to_le_bytes());
    });
    let r = scan_one(dir.path());
    let w: Vec<&str> = r.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(w.iter().any(|m| m.contains("points back at a key already read")), "{w:?}");
    assert_eq!(r.registry.installations[0].computer_name.as_deref(), Some("WEB01"));
}

/// The byte offset of MFT entry `entry` on the NTFS volume that starts at `part` of a raw image, from the boot
/// sector (the fixture's MFT is contiguous, as on any freshly made volume).
fn mft_record_offset(img: &[u8], part: usize, entry: u64) -> usize {
    let bps = u16::from_le_bytes([img[part + 0x0B], img[part + 0x0C]]) as usize;
    let cluster = bps * img[part + 0x0D] as usize;
    let mft_lcn = u64::from_le_bytes(img[part + 0x30..part + 0x38].try_into().unwrap()) as usize;
    let raw = img[part + 0x40] as i8;
    let record = if raw < 0 { 1usize << (-raw) } else { raw as usize * cluster };
    part + mft_lcn * cluster + entry as usize * record
}

/// The fixture's MBR image unpacked, and the MFT entry its scan reads applicationHost.config from.
fn image_and_config_entry() -> (tempfile::TempDir, std::path::PathBuf, u64) {
    let dir = common::unpack("tests/fixtures/images/iis-host-images.zip");
    let image = dir.path().join("mbr.raw");
    let entry = scan_one(&image)
        .coverage
        .files_read
        .iter()
        .find(|f| f.path.as_str().ends_with(r"inetsrv\config\applicationHost.config"))
        .and_then(|f| f.ntfs.as_ref())
        .expect("the configuration is read from the intact image")
        .mft_entry;
    (dir, image, entry)
}

#[test]
fn a_torn_mft_record_is_damage_not_absence() {
    // Found by fuzzing: bad magic in the MFT record of the configuration made the report say it is missing
    // from the volume. Here the fixture image's applicationHost.config record loses its FILE magic.
    let (_dir, image, entry) = image_and_config_entry();
    let mut img = std::fs::read(&image).unwrap();
    let at = mft_record_offset(&img, 1 << 20, entry);
    assert_eq!(&img[at..at + 4], b"FILE");
    img[at..at + 4].copy_from_slice(b"BAAD");
    std::fs::write(&image, &img).unwrap();
    let r = scan_one(&image);
    let status = r
        .coverage
        .artifacts
        .iter()
        .find(|a| a.path.as_str().ends_with(r"inetsrv\config\applicationHost.config"))
        .map(|a| a.status.as_str());
    assert_eq!(status, Some("unreadable"), "{:?}", r.coverage.artifacts);
    let w = r.warnings.iter().find(|w| w.message.starts_with("could not look for it")).expect("a warning");
    assert!(w.position.path().ends_with("applicationHost.config"));
    // The rest of the volume is still read: the hives give the host.
    assert_eq!(r.registry.installations[0].computer_name.as_deref(), Some("WEB01"));
}

/// One file of the sample collection, by its path in the zip.
fn sample_file(name: &str) -> Vec<u8> {
    let mut z =
        zip::ZipArchive::new(std::fs::File::open(common::repo("samples/iis-compromised-kape.zip")).unwrap()).unwrap();
    let mut f = z.by_name(name).unwrap();
    let mut v = Vec::new();
    std::io::Read::read_to_end(&mut f, &mut v).unwrap();
    v
}

/// The bad-input matrix: each kind of evidence file, truncated at several places, with a zero-filled region and
/// with runs of 0xFF (every length and count at its maximum), placed where the collection holds it and scanned.
/// Every variant ends, and a cut in half is always named in a warning on that file.
#[test]
fn the_bad_input_matrix_ends_and_names_the_damage() {
    let kinds = [
        ("C/Windows/System32/inetsrv/config/applicationHost.config", "applicationHost.config"),
        ("C/Windows/System32/config/SYSTEM", "SYSTEM"),
        ("C/Windows/System32/winevt/Logs/Security.evtx", "Security.evtx"),
        ("C/Windows/System32/inetsrv/cachehttpex.dll", "cachehttpex.dll"),
    ];
    for (rel, short) in kinds {
        let good = sample_file(rel);
        let n = good.len();
        let mut variants: Vec<(String, Vec<u8>)> = [n / 4, n / 2, 3 * n / 4, n - 1]
            .into_iter()
            .map(|cut| (format!("cut at {cut}"), good[..cut].to_vec()))
            .collect();
        let mut zeroed = good.clone();
        zeroed[n / 3..(n / 3 + 512).min(n)].fill(0);
        variants.push(("zero-filled".into(), zeroed));
        for at in [0, 0x20, 0x40, 0x1000, n / 2] {
            let mut ff = good.clone();
            let end = (at + 64).min(n);
            ff[at.min(n)..end].fill(0xFF);
            variants.push((format!("0xFF at {at}"), ff));
        }
        for (what, bytes) in variants {
            // The collection's other files stay, so the scan has a host to analyse around the damage.
            let mut files: Vec<(&str, Vec<u8>)> = vec![(rel, bytes.clone())];
            if !rel.ends_with("applicationHost.config") {
                files.push((
                    "C/Windows/System32/inetsrv/config/applicationHost.config",
                    sample_file("C/Windows/System32/inetsrv/config/applicationHost.config"),
                ));
            }
            let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (*p, b.as_slice())).collect();
            let dir = tree(&refs);
            let r = scan_one(dir.path());
            if what == format!("cut at {}", n / 2) {
                assert!(
                    r.warnings.iter().any(|w| w.position.path().ends_with(short)),
                    "{short} {what}: no warning names it: {:?}",
                    r.warnings
                );
            }
        }
    }
}

#[test]
fn an_import_table_that_repeats_one_long_list_is_read_to_a_bound() {
    // Found by fuzzing (pe target, out of memory): descriptors naming the same long name table made the import
    // walk collect millions of entries from a 300 KB file. Kept as tests/fuzz/pe/oom-import-table-repeated.
    let bytes = std::fs::read(common::repo("tests/fuzz/pe/oom-import-table-repeated")).unwrap();
    let facts = inetsift::artifacts::pe::analyse(&bytes).expect("the headers still parse");
    let said: Vec<&String> = facts.problems.iter().filter(|p| p.contains("import")).collect();
    assert!(!said.is_empty(), "{:?}", facts.problems);
    assert!(facts.problems.len() <= 60, "{:?}", facts.problems);
}

/// The start of the directory index record (INDX) of the image's NTFS volume at `part` that holds `name`, with
/// the record's bytes after the update-sequence fixups (so fields at sector ends read true).
fn index_record_holding(img: &[u8], part: usize, name: &str) -> (usize, Vec<u8>) {
    let utf16: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
    (part..img.len() - 4096)
        .step_by(4096)
        .filter(|&at| &img[at..at + 4] == b"INDX")
        .map(|at| {
            let mut rec = img[at..at + 4096].to_vec();
            unfix(&mut rec);
            (at, rec)
        })
        .find(|(_, rec)| rec.windows(utf16.len()).any(|w| w == utf16.as_slice()))
        .expect("an index record holding the name")
}

/// Offsets (in the record) of the entries of an INDX record's node, up to and including the end entry.
fn index_entries(rec: &[u8]) -> Vec<usize> {
    let first = 0x18 + u32::from_le_bytes(rec[0x18..0x1C].try_into().unwrap()) as usize;
    let mut out = vec![first];
    loop {
        let at = *out.last().unwrap();
        let flags = u16::from_le_bytes([rec[at + 12], rec[at + 13]]);
        if flags & 2 != 0 {
            return out;
        }
        out.push(at + u16::from_le_bytes([rec[at + 8], rec[at + 9]]) as usize);
    }
}

/// Writes `value` at `offset` of the INDX record starting at `at`, away from the sector ends the fixups own.
fn poke(img: &mut [u8], at: usize, offset: usize, value: &[u8]) {
    assert!(value.len() + offset % 512 <= 510, "field at {offset} crosses a sector end");
    img[at + offset..at + offset + value.len()].copy_from_slice(value);
}

#[test]
fn a_directory_index_that_loops_ends_with_the_damage_named() {
    // Found by fuzzing: two changed bytes in an INDX record (the has-subnode flag, an entry length) made the ntfs
    // crate's lookup loop for ever or its listing grow memory without bound. The fixture's only directory with an
    // index record besides the root is winevt\Logs: its end entry is made to name its own record as the subnode,
    // then (second case) its first entry gets length zero.
    let dir = common::unpack("tests/fixtures/images/iis-host-images.zip");
    let image = dir.path().join("mbr.raw");
    let pristine = std::fs::read(&image).unwrap();
    let (at, rec) = index_record_holding(&pristine, 1 << 20, "Security.evtx");
    let vcn = u64::from_le_bytes(rec[0x10..0x18].try_into().unwrap());
    let entries = index_entries(&rec);
    let end = *entries.last().unwrap();
    assert_eq!(u16::from_le_bytes([rec[end + 8], rec[end + 9]]), 16, "a plain end entry");
    let used = u32::from_le_bytes(rec[0x1C..0x20].try_into().unwrap());

    let mut looped = pristine.clone();
    poke(&mut looped, at, end + 8, &24u16.to_le_bytes());
    poke(&mut looped, at, end + 12, &3u16.to_le_bytes()); // last entry, has a subnode
    poke(&mut looped, at, end + 16, &vcn.to_le_bytes());
    poke(&mut looped, at, 0x1C, &(used + 8).to_le_bytes());
    poke(&mut looped, at, 0x24, &[1]); // the node has children

    let mut zero = pristine.clone();
    poke(&mut zero, at, entries[0] + 8, &0u16.to_le_bytes());

    for (case, bytes) in [("subnode loop", looped), ("zero-length entry", zero)] {
        std::fs::write(&image, &bytes).unwrap();
        let r = scan_one(&image);
        let said: Vec<&str> = r.warnings.iter().map(|w| w.message.as_str()).collect();
        assert!(
            r.warnings.iter().any(|w| w.position.path().contains(r"winevt\Logs")
                && (w.message.contains(&format!("VCN {vcn}")) || w.message.contains("entries"))),
            "{case}: the damaged folder is named: {said:#?}"
        );
        // The rest of the volume is still read: configuration and hives.
        let names: Vec<&str> = r.components.iter().map(|c| c.name.as_str()).collect();
        assert!(names.contains(&"SessionFilter"), "{case}: {names:?}");
        // The event logs behind the damaged folder are unreadable, not missing.
        let logs: Vec<_> =
            r.coverage.artifacts.iter().filter(|a| a.artifact == "event logs").map(|a| a.status.as_str()).collect();
        assert_eq!(logs, ["unreadable"], "{case}");
        assert_eq!(r.registry.installations[0].computer_name.as_deref(), Some("WEB01"), "{case}");
    }
}

#[test]
fn text_that_is_not_valid_in_its_encoding_is_read_and_said() {
    // Invalid UTF-8 in a module name: the module is still inventoried, the bytes shown as U+FFFD, the place said.
    let utf8 = b"<configuration><system.webServer><globalModules><add name=\"Evil\xFF\xFEMod\" image=\"C:\\x.dll\" /></globalModules></system.webServer></configuration>";
    let at = utf8.windows(2).position(|w| w == b"\xFF\xFE").unwrap() as u64;
    // The same as UTF-16LE with an unpaired surrogate where the two bytes were.
    let mut utf16 = vec![0xFF, 0xFE];
    let text = String::from_utf8_lossy(utf8).replace("\u{FFFD}\u{FFFD}", "\u{1}");
    for u in text.encode_utf16() {
        utf16.extend(if u == 1 { 0xDC00 } else { u }.to_le_bytes());
    }
    for (bytes, encoding, offset, name) in
        [(utf8.to_vec(), "UTF-8", at, "Evil\u{FFFD}\u{FFFD}Mod"), (utf16, "UTF-16LE", 2 + 2 * at, "Evil\u{FFFD}Mod")]
    {
        let dir = tree(&[("applicationHost.config", &bytes)]);
        let r = scan_one(&dir.path().join("applicationHost.config"));
        assert!(r.components.iter().any(|c| c.name == name), "{encoding}: {:?}", r.components);
        let w = r.warnings.iter().find(|w| w.message.contains(&format!("not valid {encoding}"))).expect(encoding);
        assert_eq!(w.position.offset, Some(offset), "{encoding}");
        assert!(w.position.path().ends_with("applicationHost.config"));
    }
    // A hive key name stored as UTF-16 with an unpaired surrogate: the hive is still read around it.
    let dir = system_hive_with(|b, nodes| {
        let data = node(nodes, "Parameters").2;
        let flags = u16::from_le_bytes([b[data + 2], b[data + 3]]) & !0x20; // no longer a compressed (Latin-1) name
        b[data + 2..data + 4].copy_from_slice(&flags.to_le_bytes());
        for (i, u) in [0xD800u16, 0x61, 0x72, 0x61, 0x6D].into_iter().enumerate() {
            b[data + 0x4C + 2 * i..data + 0x4E + 2 * i].copy_from_slice(&u.to_le_bytes());
        }
    });
    let r = scan_one(dir.path());
    assert_eq!(r.registry.installations[0].computer_name.as_deref(), Some("WEB01"));
}

/// An MFT or index record with its update-sequence fixups undone (the sector ends hold their true bytes).
fn unfix(rec: &mut [u8]) {
    let usa = u16::from_le_bytes([rec[4], rec[5]]) as usize;
    let count = u16::from_le_bytes([rec[6], rec[7]]) as usize;
    for i in 1..count {
        let end = i * 512 - 2;
        rec[end] = rec[usa + 2 * i];
        rec[end + 1] = rec[usa + 2 * i + 1];
    }
}

/// The fixups put back: each sector end saved in the array and replaced by the update sequence number.
fn mft_refix(rec: &mut [u8]) {
    let usa = u16::from_le_bytes([rec[4], rec[5]]) as usize;
    let count = u16::from_le_bytes([rec[6], rec[7]]) as usize;
    for i in 1..count {
        let end = i * 512 - 2;
        rec[usa + 2 * i] = rec[end];
        rec[usa + 2 * i + 1] = rec[end + 1];
        rec[end] = rec[usa];
        rec[end + 1] = rec[usa + 1];
    }
}

/// Adds a resident `$ATTRIBUTE_LIST` with one entry (a `$DATA` attribute of `record`, instance `instance`) to
/// the MFT record at `at` of the image, after `$STANDARD_INFORMATION` (attributes are in type order).
fn add_attribute_list(img: &mut [u8], at: usize, record: u64, instance: u16) {
    let mut rec = img[at..at + 1024].to_vec();
    unfix(&mut rec);
    let u16_at = |r: &[u8], o: usize| u16::from_le_bytes([r[o], r[o + 1]]) as usize;
    let u32_at = |r: &[u8], o: usize| u32::from_le_bytes(r[o..o + 4].try_into().unwrap()) as usize;
    let first = u16_at(&rec, 0x14);
    assert_eq!(u32_at(&rec, first), 0x10, "$STANDARD_INFORMATION first");
    let end = first + u32_at(&rec, first + 4);
    let mut entry = Vec::new();
    entry.extend(0x80u32.to_le_bytes()); // type: $DATA
    entry.extend(32u16.to_le_bytes()); // entry length
    entry.extend([0, 0x1A]); // no name; name offset
    entry.extend(0u64.to_le_bytes()); // starting VCN
    entry.extend((record | 1 << 48).to_le_bytes()); // file reference (sequence 1)
    entry.extend(instance.to_le_bytes());
    entry.resize(32, 0);
    let id = u16_at(&rec, 0x28) as u16;
    let mut attr = Vec::new();
    attr.extend(0x20u32.to_le_bytes()); // $ATTRIBUTE_LIST
    attr.extend(56u32.to_le_bytes());
    attr.extend([0, 0]); // resident, no name
    attr.extend(0x18u16.to_le_bytes());
    attr.extend(0u16.to_le_bytes());
    attr.extend(id.to_le_bytes());
    attr.extend(32u32.to_le_bytes()); // value length
    attr.extend(0x18u16.to_le_bytes()); // value offset
    attr.extend([0, 0]);
    attr.extend(&entry);
    let used = u32_at(&rec, 0x18);
    assert!(used + 56 <= u32_at(&rec, 0x1C), "room in the record");
    rec.splice(end..end, attr);
    rec.truncate(1024);
    rec[0x18..0x1C].copy_from_slice(&((used + 56) as u32).to_le_bytes());
    rec[0x28..0x2A].copy_from_slice(&(id + 1).to_le_bytes());
    mft_refix(&mut rec);
    img[at..at + 1024].copy_from_slice(&rec);
}

#[test]
fn an_attribute_list_pointing_at_its_own_record_or_nowhere_ends() {
    // The configuration's MFT record gets an attribute list: first naming an attribute of the record itself (read
    // as it is), then one naming an attribute that is not in the record it names (damage, said as such).
    let (_dir, image, entry) = image_and_config_entry();
    let pristine = std::fs::read(&image).unwrap();
    let at = mft_record_offset(&pristine, 1 << 20, entry);
    let config_status = |r: &ScanResult| {
        r.coverage
            .artifacts
            .iter()
            .find(|a| a.path.as_str().ends_with(r"inetsrv\config\applicationHost.config"))
            .map(|a| a.status.as_str().to_string())
    };

    let mut own = pristine.clone();
    add_attribute_list(&mut own, at, entry, 0);
    std::fs::write(&image, &own).unwrap();
    let r = scan_one(&image);
    assert!(r.components.iter().any(|c| c.name == "SessionFilter"), "{:?}", r.warnings);

    let mut nowhere = pristine.clone();
    add_attribute_list(&mut nowhere, at, 0, 0x7777);
    std::fs::write(&image, &nowhere).unwrap();
    let r = scan_one(&image);
    assert_eq!(config_status(&r).as_deref(), Some("unreadable"), "{:?}", r.warnings);
    assert!(r.warnings.iter().any(|w| w.position.path().ends_with("applicationHost.config")));
    assert_eq!(r.registry.installations[0].computer_name.as_deref(), Some("WEB01"));
}

/// A PE32+ DLL whose import directory has `descriptors` descriptors, all naming the same list of `functions`
/// entries (which all name one function): the shape of the fuzz find above, small.
fn pe_with_repeated_imports(descriptors: u32, functions: u32) -> Vec<u8> {
    let (section_rva, section_at) = (0x1000u32, 0x200usize);
    let mut data = Vec::new();
    let ilt = section_rva;
    let hint_name = ilt + 8 * (functions + 1);
    let dll_name = hint_name + 8;
    let table = dll_name + 8;
    for _ in 0..functions {
        data.extend(u64::from(hint_name).to_le_bytes());
    }
    data.extend(0u64.to_le_bytes());
    data.extend(b"\0\0fn0\0\0\0"); // hint 0, "fn0", padded to 8
    data.extend(b"a.dll\0\0\0");
    for _ in 0..descriptors {
        for v in [ilt, 0, 0, dll_name, ilt] {
            data.extend(v.to_le_bytes());
        }
    }
    data.extend([0u8; 20]);
    let raw = data.len().div_ceil(0x200) * 0x200;
    data.resize(raw, 0);
    let mut pe = vec![0u8; section_at];
    pe[..2].copy_from_slice(b"MZ");
    pe[0x3C..0x40].copy_from_slice(&0x40u32.to_le_bytes());
    pe[0x40..0x44].copy_from_slice(b"PE\0\0");
    let coff = 0x44;
    pe[coff..coff + 2].copy_from_slice(&0x8664u16.to_le_bytes());
    pe[coff + 2..coff + 4].copy_from_slice(&1u16.to_le_bytes());
    pe[coff + 16..coff + 18].copy_from_slice(&0xF0u16.to_le_bytes());
    pe[coff + 18..coff + 20].copy_from_slice(&0x2022u16.to_le_bytes());
    let opt = coff + 20;
    let put32 = |pe: &mut Vec<u8>, at: usize, v: u32| pe[at..at + 4].copy_from_slice(&v.to_le_bytes());
    pe[opt..opt + 2].copy_from_slice(&0x20Bu16.to_le_bytes());
    pe[opt + 24..opt + 32].copy_from_slice(&0x1_8000_0000u64.to_le_bytes()); // image base
    put32(&mut pe, opt + 32, 0x1000); // section alignment
    put32(&mut pe, opt + 36, 0x200); // file alignment
    pe[opt + 40..opt + 42].copy_from_slice(&6u16.to_le_bytes()); // OS version
    pe[opt + 48..opt + 50].copy_from_slice(&6u16.to_le_bytes()); // subsystem version
    let image = section_rva + (raw as u32).div_ceil(0x1000) * 0x1000;
    put32(&mut pe, opt + 56, image); // size of image
    put32(&mut pe, opt + 60, 0x200); // size of headers
    pe[opt + 68..opt + 70].copy_from_slice(&2u16.to_le_bytes()); // GUI subsystem
    put32(&mut pe, opt + 108, 16); // data directories
    put32(&mut pe, opt + 112 + 8, table); // import directory
    put32(&mut pe, opt + 112 + 12, 20 * (descriptors + 1));
    let sec = opt + 0xF0;
    pe[sec..sec + 8].copy_from_slice(b".idata\0\0");
    put32(&mut pe, sec + 8, raw as u32);
    put32(&mut pe, sec + 12, section_rva);
    put32(&mut pe, sec + 16, raw as u32);
    put32(&mut pe, sec + 20, section_at as u32);
    put32(&mut pe, sec + 36, 0xC000_0040);
    pe.extend(data);
    pe
}

#[test]
fn a_small_file_whose_import_descriptors_repeat_one_list_stops_at_the_import_bound() {
    // The fuzz find above, rebuilt small (8 KB): 300 descriptors naming one list of 300 entries are 90,000 imports.
    let pe = pe_with_repeated_imports(300, 300);
    assert!(pe.len() < 16 * 1024, "{}", pe.len());
    let facts = inetsift::artifacts::pe::analyse(&pe).expect("a well-formed PE");
    assert!(
        facts.problems.iter().any(|p| p.contains("the import table lists more than 65536 functions")),
        "{:?}",
        facts.problems
    );
    // Below the bound the same shape is read whole and nothing is said.
    let small = inetsift::artifacts::pe::analyse(&pe_with_repeated_imports(3, 4)).expect("a well-formed PE");
    assert!(small.problems.is_empty(), "{:?}", small.problems);
}

#[test]
fn a_hive_whose_root_key_has_a_64_kib_name_is_read_in_bounded_memory() {
    // Found by fuzzing (hive target, out of memory: 2 GB and 19 s from 530 KB): notatin gave every entry of a
    // subkey list a copy of its parent's path, and the root key's name was 65,535 bytes. Windows' limit is 255.
    let bytes = std::fs::read(common::repo("tests/fuzz/hive/oom-root-name-64k-and-repeated-list")).unwrap();
    let dir = tree(&[("C/Windows/System32/config/SYSTEM", &bytes)]);
    let r = scan_one(dir.path());
    assert!(
        r.warnings.iter().any(|w| w.message.contains("is 65535 bytes, longer than Windows allows")),
        "{:?}",
        r.warnings
    );
}

/// A triage zip cut short (an upload that stopped, a disk that filled): its central directory is gone, so its
/// entries are found again from their local headers. Every whole entry is analysed; the entry the archive ends
/// inside is there but unreadable (damage, not absence), and both are said with their offsets.
#[test]
fn a_cut_triage_zip_keeps_its_whole_entries_and_names_the_cut_one() {
    let full = std::fs::read(common::repo("samples/iis-compromised-kape.zip")).unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(full.clone())).unwrap();
    let (config_at, config_data) = {
        let f = z.by_name("C/Windows/System32/inetsrv/config/applicationHost.config").unwrap();
        (f.header_start(), f.data_start())
    };
    let whole = scan_one(&common::repo("samples/iis-compromised-kape.zip"));
    let dir = tempfile::tempdir().unwrap();
    let n = full.len();
    for cut in [n / 4, n / 2, 3 * n / 4, n - 1, config_data as usize + 100] {
        let p = dir.path().join(format!("cut-{cut}.zip"));
        std::fs::write(&p, &full[..cut]).unwrap();
        let r = scan_one(&p);
        assert!(
            r.warnings.iter().any(|w| w.message.contains("central directory is unreadable")),
            "cut at {cut}: {:?}",
            r.warnings
        );
        let status = |name: &str| {
            r.coverage.artifacts.iter().find(|a| a.artifact == name).map(|a| a.status.as_str().to_string())
        };
        if cut == n - 1 {
            // Only the central directory is lost: the analysis is the intact archive's.
            assert_eq!(r.components.len(), whole.components.len());
            assert_eq!(r.findings.len(), whole.findings.len());
        }
        if cut == config_data as usize + 100 {
            assert_eq!(status("applicationHost.config").as_deref(), Some("unreadable"));
            let said =
                format!("\"C/Windows/System32/inetsrv/config/applicationHost.config\" at offset {config_at} is cut");
            assert!(r.warnings.iter().any(|w| w.message.contains(&said)), "{:?}", r.warnings);
            // What came before the cut is read: the hives are ahead of it in the archive.
            assert_eq!(status("SYSTEM hive").as_deref(), Some("parsed"));
            assert_eq!(r.registry.installations[0].computer_name.as_deref(), Some("WEB01"));
        }
    }
}

/// Disk images cut short (an acquisition or a copy that stopped): the partition table, a dynamic VHD's block
/// table and the length say so, what the image holds is analysed, and a file whose MFT record lies past the end
/// is unreadable, not missing. A fixed VHD cut before its footer is the raw disk it holds.
#[test]
fn a_cut_disk_image_says_so_and_reads_what_it_holds() {
    let (dir, image, entry) = image_and_config_entry();
    let img = std::fs::read(&image).unwrap();
    let cut_at = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        scan_one(&p)
    };
    let said = |r: &ScanResult, what: &str| r.warnings.iter().any(|w| w.message.contains(what));

    // Cut inside the volume's MFT: nothing to analyse, and the error says why.
    let record = mft_record_offset(&img, 1 << 20, entry);
    let p = dir.path().join("cut-mft.raw");
    std::fs::write(&p, &img[..record + 100]).unwrap();
    let Err(err) = inetsift::scan::scan(&[p], &inetsift::evidence::OpenOptions::default()) else {
        panic!("a volume was found in a cut MFT")
    };
    let msg = err.to_string();
    assert!(msg.contains("NTFS volume unreadable") && msg.contains("the image is cut"), "{msg}");

    // Cut past the half: the partition table and the length say so, and the host is analysed.
    let r = cut_at("cut-half.raw", &img[..img.len() / 2 + 100]);
    assert!(said(&r, "the partition table gives it 8388608 bytes, the image ends"), "{:?}", r.warnings);
    assert!(said(&r, "not a whole number of 512-byte sectors"), "{:?}", r.warnings);
    assert_eq!(r.registry.installations[0].computer_name.as_deref(), Some("WEB01"));

    // A dynamic VHD: blocks its table places past the file's end are counted and said.
    let vhd = std::fs::read(dir.path().join("mbr.vhd")).unwrap();
    let r = cut_at("cut.vhd", &vhd[..vhd.len() / 2]);
    assert!(said(&r, "cut.vhd: 3 of its 5 allocated blocks lie past the file's end"), "{:?}", r.warnings);

    // A fixed VHD without its footer: read as the raw disk, cut.
    let fixed = std::fs::read(dir.path().join("gpt-fixed.vhd")).unwrap();
    let r = cut_at("cut-fixed.vhd", &fixed[..fixed.len() - 1000]);
    assert_eq!(r.evidence[0].kind.as_str(), "image");
    assert!(said(&r, "not a whole number of 512-byte sectors"), "{:?}", r.warnings);
    assert_eq!(r.registry.installations[0].computer_name.as_deref(), Some("WEB01"));
}

/// Found by fuzzing: a version-resource string whose length leaves no room for the padding after its odd-length
/// name made pelite slice past its end and panic, which took the whole scan down from one DLL in `inetsrv`.
/// Built here from the sample's own DLL: its `CompanyName` string (11 characters) given 15 words in all.
#[test]
fn a_version_string_without_room_for_its_padding_loses_the_version_not_the_scan() {
    let mut dll = sample_file("C/Windows/System32/inetsrv/cachehttpex.dll");
    let key: Vec<u8> = "CompanyName".encode_utf16().flat_map(u16::to_le_bytes).collect();
    let at = dll.windows(key.len()).position(|w| w == key).expect("the sample DLL has a CompanyName string") - 6;
    let intact = inetsift::artifacts::pe::analyse(&dll).unwrap();
    assert!(intact.version.contains_key("CompanyName"), "{:?}", intact.version);
    dll[at..at + 2].copy_from_slice(&30u16.to_le_bytes());
    let facts = inetsift::artifacts::pe::analyse(&dll).expect("the rest of the file is read");
    assert!(facts.problems.iter().any(|p| p.starts_with("version resource unreadable")), "{:?}", facts.problems);
    assert!(facts.exports.iter().any(|e| e == "RegisterModule"), "{:?}", facts.exports);

    // Through the whole scan, as a planted DLL in inetsrv: a warning on that file, and the host still analysed.
    let mut files: Vec<(&str, Vec<u8>)> = vec![("C/Windows/System32/inetsrv/cachehttpex.dll", dll)];
    for f in ["C/Windows/System32/inetsrv/config/applicationHost.config", "C/Windows/System32/config/SYSTEM"] {
        files.push((f, sample_file(f)));
    }
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (*p, b.as_slice())).collect();
    let r = scan_one(tree(&refs).path());
    assert!(
        r.warnings
            .iter()
            .any(|w| w.position.path().ends_with("cachehttpex.dll") && w.message.contains("version resource")),
        "{:?}",
        r.warnings
    );
    assert_eq!(r.registry.installations[0].computer_name.as_deref(), Some("WEB01"));
}
