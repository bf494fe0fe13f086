//! The change journal of the corpus Velociraptor collection (`$Extend\$UsnJrnl:$J`, collected raw).

mod common;

use common::{corpus, scan_one, usn_v3};
use inetsift::artifacts::usn;
use inetsift::evidence::{Evidence, OpenOptions, WinPath};

const ZIP: &str = "zips/velociraptor_Collection-WIN-E5K9RC5GU23-2021-11-21T18_05_56-08_00.zip";

#[test]
fn velociraptor_journal_records_parse_with_names_and_reasons() {
    if !common::have_corpus() {
        return;
    }
    let ev = Evidence::open("E1", &corpus(ZIP), &OpenOptions::default()).unwrap();
    let data = ev.read(&WinPath::parse(r"C:\$Extend\$UsnJrnl:$J"), 1 << 20).unwrap();
    let (records, problems) = usn::parse(&data.bytes);
    // An independent walk of the same bytes (Python struct) finds 50 version 2 records; the collected copy is cut
    // 32 bytes into a 51st.
    assert_eq!(records.len(), 50);
    assert_eq!(problems, ["the journal ends inside a 96-byte record at offset 5088 (a cut copy?)"]);
    let first = &records[0];
    assert_eq!((first.offset, first.version, first.usn), (0, 2, 637_534_208));
    assert_eq!((first.entry, first.sequence, first.parent_entry), (73_625, 12, 243_846));
    assert_eq!((first.name.as_str(), first.reasons.as_slice()), ("2024-08-14.json.tidx", &["DATA_EXTEND"][..]));
    assert_eq!(first.timestamp.to_string(), "2024-08-14T15:29:55.2392370Z");
    assert_eq!(records[4].reasons, ["DATA_EXTEND", "CLOSE"]);
    let last = records.last().unwrap();
    assert_eq!((last.offset, last.usn, last.name.as_str()), (4992, 637_539_200, "Scheduled Start"));
    assert_eq!((last.entry, last.timestamp.to_string().as_str()), (95_673, "2024-08-14T15:30:10.9219487Z"));
    assert_eq!(last.reasons, ["DATA_EXTEND", "DATA_TRUNCATION"]); // reason 0x6

    // None of its files is a DLL or a configuration file: nothing on the timeline, but the journal is counted.
    let r = scan_one(&corpus(ZIP));
    assert!(r.timeline.iter().all(|t| t.source != "NTFS $UsnJrnl"));
    assert!(r.coverage.notes.iter().any(|n| n.contains(r"change journal C:\$Extend\$UsnJrnl:$J: 50 records read")));
    assert!(r.warnings.iter().any(|w| w.message.contains("ends inside a 96-byte record")));
}

#[test]
fn a_kape_journal_puts_dll_creations_on_the_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let ext = dir.path().join("C").join("$Extend");
    std::fs::create_dir_all(&ext).unwrap();
    let t = (1_699_999_290 + 11_644_473_600) * 10_000_000; // 2023-11-14T22:01:30Z
    let mut j = vec![0u8; 8192];
    j.extend(usn_v3("cachehttpex.dll", (81, 2), 80, 777, t, 0x100));
    j.extend(usn_v3("cachehttpex.dll", (81, 2), 80, 777, t, 0x8000_0102));
    j.extend(usn_v3("readme.txt", (90, 2), 80, 777, t, 0x100));
    std::fs::write(ext.join("$J"), j).unwrap();
    let r = scan_one(dir.path());
    let rows: Vec<&str> =
        r.timeline.iter().filter(|t| t.source == "NTFS $UsnJrnl").map(|t| t.description.as_str()).collect();
    assert_eq!(
        rows,
        [
            "cachehttpex.dll (in folder entry 80) (MFT entry 81-2, USN 777): FILE_CREATE",
            "cachehttpex.dll (in folder entry 80) (MFT entry 81-2, USN 777): DATA_EXTEND | FILE_CREATE | CLOSE"
        ]
    );
    assert!(
        r.timeline
            .iter()
            .any(|t| t.source == "NTFS $UsnJrnl" && t.timestamp.to_string() == "2023-11-14T22:01:30.0000000Z")
    );
    // Each row names its record: the journal's offset of it and the file's MFT entry.
    let first = r.timeline.iter().find(|t| t.source == "NTFS $UsnJrnl").unwrap();
    assert_eq!((first.evidence.offset, first.evidence.mft_entry), (Some(8192), Some(81)));
}

#[test]
fn without_the_mft_a_journal_creation_of_a_components_file_is_a_hint_of_its_arrival() {
    let config = br#"<configuration><system.webServer><globalModules><add name="HttpCacheModuleEx" image="%windir%\System32\inetsrv\cachehttpex.dll"/></globalModules></system.webServer></configuration>"#;
    let dir = common::tree(&[("C/Windows/System32/inetsrv/config/applicationHost.config", config)]);
    let ext = dir.path().join("C").join("$Extend");
    std::fs::create_dir_all(&ext).unwrap();
    let t = (1_699_999_290 + 11_644_473_600) * 10_000_000; // 2023-11-14T22:01:30Z
    let mut j = vec![0u8; 4096];
    j.extend(usn_v3("CacheHttpEx.dll", (81, 2), 80, 777, t, 0x100));
    std::fs::write(ext.join("$J"), j).unwrap();
    let r = scan_one(dir.path());
    let l = common::component(&r, "global_module", "HttpCacheModuleEx").lifecycle.clone().unwrap();
    assert!(l.file_arrived.is_none(), "a name alone does not place the file");
    assert!(
        l.added.inferences.iter().any(|i| i
            == "a file named CacheHttpEx.dll (MFT entry 81) was created at 2023-11-14T22:01:30.0000000Z (change journal; its folder is not known without the $MFT)"),
        "{:?}",
        l.added.inferences
    );
}
