//! Registry facts from the real hives of ../shared/corpus/hives, and bad input.

mod common;
use common::*;
use inetsift::artifacts::registry::hive::{Data, Hive};
use inetsift::artifacts::registry::replay::{LogFile, recover};

#[test]
fn clean_win7_system_hive_gives_host_facts_and_no_iis() {
    if !common::have_corpus() {
        return;
    }
    let r = scan_one(&corpus("hives/regipy/SYSTEM"));
    assert_eq!(r.evidence[0].kind, inetsift::evidence::EvidenceKind::HiveFile);
    let h = &r.registry.hives[0];
    assert_eq!((h.hive, h.status.as_str(), h.dirty), ("SYSTEM", "parsed", false));
    assert!(h.applied.is_empty());
    let inst = &r.registry.installations[0];
    assert_eq!(inst.computer_name.as_deref(), Some("WKS-WIN732BITA"));
    assert_eq!(inst.control_set.as_deref(), Some("ControlSet001"));
    assert_eq!(inst.time_zone.as_deref(), Some("Eastern Standard Time (UTC-05:00)"));
    // W3SVC\Parameters\ADCLaunch is an MDAC remnant, not an IIS install.
    assert!(!inst.iis_installed);
    let w3svc = inst.services.iter().find(|s| s.name == "W3SVC").unwrap();
    assert!(!w3svc.installed);
    assert_eq!(w3svc.last_written.to_string(), "2009-07-14T04:37:09.6323690Z");
    assert!(r.findings.is_empty(), "{:#?}", r.findings);

    let name = r.registry.facts.iter().find(|f| f.value.as_deref() == Some("ComputerName")).unwrap();
    assert_eq!(name.key, r"ControlSet001\Control\ComputerName\ComputerName");
    assert_eq!(name.last_written.to_string(), "2010-11-10T17:18:08.7187500Z");
    assert_eq!(name.data, Some(Data::String("WKS-WIN732BITA".into())));
    let row =
        r.timeline.iter().find(|t| t.source == r"SYSTEM\ControlSet001\Control\ComputerName\ComputerName").unwrap();
    assert_eq!(row.timestamp.to_string(), "2010-11-10T17:18:08.7187500Z");
    assert_eq!(row.evidence.evidence, "E1");
    // Sorted by time.
    let times: Vec<String> = r.timeline.iter().map(|t| t.timestamp.to_string()).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);
}

#[test]
fn dirty_win10_system_hive_is_replayed_from_its_logs() {
    if !common::have_corpus() {
        return;
    }
    let r = scan_one(&corpus("hives/regipy/SYSTEM_B"));
    let h = &r.registry.hives[0];
    assert!(h.dirty);
    assert_eq!(h.log_format, Some("new"));
    assert_eq!(h.logs.iter().map(|l| l.path.as_str()).collect::<Vec<_>>(), vec!["SYSTEM_B.LOG1", "SYSTEM_B.LOG2"]);
    assert_eq!(h.applied.len(), 24);
    assert_eq!((h.applied[0].log.as_str(), h.applied[0].sequence), ("SYSTEM_B.LOG1", Some(2107)));
    assert_eq!((h.applied[23].log.as_str(), h.applied[23].sequence), ("SYSTEM_B.LOG2", Some(2130)));
    assert!(h.problems.is_empty(), "{:?}", h.problems);
    assert!(r.coverage.notes.iter().any(|n| n.contains("24 transaction log entries applied (new format)")));
    assert_eq!(r.registry.installations[0].computer_name.as_deref(), Some("DESKTOP-PM6C56D"));
}

#[test]
fn replay_brings_keys_the_primary_file_lacks() {
    if !common::have_corpus() {
        return;
    }
    let read = |n: &str| std::fs::read(corpus(&format!("hives/regipy/{n}"))).unwrap();
    let (p, l1, l2) = (read("SYSTEM_B"), read("SYSTEM_B.LOG1"), read("SYSTEM_B.LOG2"));
    let key = r"ControlSet001\Control\Class\{4d36e967-e325-11ce-bfc1-08002be10318}\0003";
    let before = recover(p.clone(), &[]).unwrap();
    assert!(Hive::parse(before.bytes).unwrap().key(key).is_none());
    let logs =
        [LogFile { name: "SYSTEM_B.LOG1".into(), bytes: &l1 }, LogFile { name: "SYSTEM_B.LOG2".into(), bytes: &l2 }];
    let after = recover(p, &logs).unwrap();
    let k = Hive::parse(after.bytes).unwrap().key(key).expect("added by the logs");
    assert_eq!(
        inetsift::model::Timestamp::from_chrono(&k.last_written).unwrap().to_string(),
        "2018-04-06T12:35:08.6597798Z"
    );
}

#[test]
fn dirty_hive_without_logs_is_read_with_a_warning() {
    if !common::have_corpus() {
        return;
    }
    let r = scan_one(&corpus("hives/regipy/SYSTEM_WIN_10_1709"));
    assert!(r.registry.hives[0].dirty);
    assert_eq!(r.registry.installations[0].computer_name.as_deref(), Some("DESKTOP-2KGM189"));
    assert_eq!(r.warnings.len(), 1, "{:#?}", r.warnings);
    assert!(r.warnings[0].message.contains("recent changes may be missing"));
    assert_eq!(r.warnings[0].position.file.as_ref().map(|f| f.as_str()), Some("SYSTEM_WIN_10_1709"));
}

#[test]
fn damaged_hives_never_panic_and_say_what_is_wrong() {
    if !common::have_corpus() {
        return;
    }
    for (hive, expect) in [
        ("hives/yarp/BadLogHive3/BadLogHive", "base block checksum is wrong"),
        ("hives/yarp/TruncatedDirtyHive", "recent changes may be missing"),
        ("hives/yarp/TruncatedHive", "the file is truncated: 12288 bytes"),
        ("hives/yarp/System_Delta", "neither a SYSTEM nor a SOFTWARE hive"),
        ("hives/yarp/BogusKeyNamesHive", "neither a SYSTEM nor a SOFTWARE hive"),
    ] {
        let r = scan_one(&corpus(hive));
        assert_eq!(r.registry.hives.len(), 1, "{hive}");
        assert!(r.warnings.iter().any(|w| w.message.contains(expect)), "{hive}: {:#?}", r.warnings);
    }
    // The corrupted SYSTEM hive still yields what is readable; its damage is outside the keys read.
    let r = scan_one(&corpus("hives/regipy/corrupted_system_hive"));
    assert_eq!(r.registry.hives[0].hive, "SYSTEM");
    assert_eq!(r.registry.installations[0].computer_name.as_deref(), Some("GINEVRA"));
    assert!(!r.registry.installations[0].iis_installed);
}

#[test]
fn a_text_file_named_system_is_not_a_hive() {
    let dir = tree(&[("SYSTEM", b"this is not a registry hive\n")]);
    let r = scan_one(&dir.path().join("SYSTEM"));
    assert_eq!(r.registry.hives[0].status.as_str(), "not_a_hive");
    assert_eq!(r.warnings.len(), 1);
    assert!(r.warnings[0].message.starts_with("not a registry hive: no 'regf' signature"), "{}", r.warnings[0].message);
    assert_eq!(r.warnings[0].position.file.as_ref().map(|f| f.as_str()), Some("SYSTEM"));
}

#[test]
fn key_names_with_control_characters_are_escaped() {
    if !common::have_corpus() {
        return;
    }
    let mut h = Hive::parse(std::fs::read(corpus("hives/yarp/BogusKeyNamesHive")).unwrap()).unwrap();
    let mut names = Vec::new();
    h.walk("", 1000, &mut |k| names.push(k.path.clone()));
    let bogus: Vec<&String> = names.iter().filter(|n| n.chars().any(char::is_control)).collect();
    assert_eq!(bogus.len(), 2, "{names:?}");
    let shown: Vec<String> = bogus.iter().map(|n| inetsift::report::escape::terminal(n)).collect();
    assert!(shown.iter().any(|s| s.ends_with(r"testnew\u{d}\u{a}ne")), "{shown:?}");
    assert!(shown.iter().any(|s| s.ends_with(r"testnu\u{0}l")), "{shown:?}");
    assert!(shown.iter().all(|s| !s.chars().any(char::is_control)));
}
