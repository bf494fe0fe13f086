//! Event logs of the shared corpus, read in place: web-shell traces from real Sysmon logs, the Exchange near-miss,
//! corrupt files, and channel detection from records rather than names.

mod common;

use common::{corpus, scan_one};
use inetsift::model::TimelineEvent;
use inetsift::scan::ScanResult;

fn evtx(name: &str) -> ScanResult {
    scan_one(&corpus(&format!("evtx/{name}")))
}

/// The timeline row of one record.
fn row(r: &ScanResult, record: u64) -> &TimelineEvent {
    r.timeline
        .iter()
        .find(|t| t.event.as_ref().is_some_and(|e| e.record_id == record))
        .unwrap_or_else(|| panic!("no timeline row for record {record}"))
}

fn event_records(r: &ScanResult) -> Vec<u64> {
    r.timeline.iter().filter_map(|t| t.event.as_ref().map(|e| e.record_id)).collect()
}

fn evtx_rules(r: &ScanResult) -> Vec<&'static str> {
    r.findings.iter().map(|f| f.rule).filter(|r| r.starts_with("evtx_")).collect()
}

#[test]
fn webshell_child_processes_of_w3wp_are_extracted_with_their_fields() {
    if !common::have_corpus() {
        return;
    }
    let r = evtx("sbousseaden_LM_typical_IIS_webshell_sysmon_1_10_traces.evtx");
    // 1044: w3wp -> cmd /c net user; 1045: w3wp opens cmd; 1046/1047 (cmd -> net -> net1) are not w3wp's.
    assert_eq!(event_records(&r), [1044, 1045]);
    let t = row(&r, 1044);
    let e = t.event.as_ref().unwrap();
    assert_eq!(e.channel, "Microsoft-Windows-Sysmon/Operational");
    assert_eq!((e.event_id, e.computer.as_str(), e.user_sid.as_deref()), (1, "IEWIN7", Some("S-1-5-18")));
    assert_eq!((e.kind.as_str(), e.signal.map(|s| s.as_str())), ("process_creation", Some("w3wp_shell")));
    assert_eq!(e.fields["CommandLine"], r#""c:\windows\system32\cmd.exe" /c net user"#);
    assert_eq!(e.fields["ParentImage"], r"C:\Windows\System32\inetsrv\w3wp.exe");
    assert_eq!(e.fields["User"], r"IIS APPPOOL\DefaultAppPool");
    // The record's TimeCreated (evtx_dump: 01:33:53.1124866Z), not its header's time: this exported log's
    // headers carry the next record's time, and its last header none at all.
    assert_eq!(t.timestamp.to_string(), "2019-05-24T01:33:53.1124866Z");
    assert_eq!(t.evidence.record, Some(1044));
    assert_eq!(t.sha256.as_deref(), Some("6f1cb3c435389d961261ccfbb2c4562b156d4160319fe4736ce1506a43327c7b"));
    assert_eq!(row(&r, 1045).event.as_ref().unwrap().kind.as_str(), "process_access");
    let f = r.findings.iter().find(|f| f.rule == "evtx_w3wp_shell").expect("shell finding");
    assert!(f.message.contains("cmd.exe") && f.message.contains("record 1044 at"), "{}", f.message);
    assert_eq!(f.source.record, Some(1044));
}

#[test]
fn reconnaissance_through_w3wp_is_one_finding_with_every_record() {
    if !common::have_corpus() {
        return;
    }
    let r = evtx("sbousseaden_exec_sysmon_webshell_w3wp_enum.evtx");
    assert_eq!(event_records(&r), [3408, 3410, 3416]);
    let commands: Vec<&str> = [3408, 3410, 3416]
        .iter()
        .map(|&id| row(&r, id).event.as_ref().unwrap().fields["CommandLine"].as_str())
        .collect();
    assert_eq!(
        commands,
        [
            r#""c:\windows\system32\cmd.exe" /c whoami"#,
            r#""c:\windows\system32\cmd.exe" /c systeminfo"#,
            r#""c:\windows\system32\cmd.exe" /c dir"#
        ]
    );
    let shells: Vec<_> = r.findings.iter().filter(|f| f.rule == "evtx_w3wp_shell").collect();
    assert_eq!(shells.len(), 1);
    let m = &shells[0].message;
    assert!(m.contains("record 3408 at") && m.contains("3 events in all"), "{m}");
    assert!(m.contains("w3wp_enum.evtx 3410, sbousseaden_exec_sysmon_webshell_w3wp_enum.evtx 3416"), "{m}");
    // Only the three w3wp children were rendered in full, not the image loads of systeminfo and WmiPrvSE.
    let log = &r.event_logs.logs[0];
    assert_eq!((log.records, log.events), (9, 3));
    assert!(log.rendered < log.records, "rendered {} of {}", log.rendered, log.records);
}

#[test]
fn tunnelling_through_w3wp_groups_connections_by_destination() {
    if !common::have_corpus() {
        return;
    }
    let r = evtx("sbousseaden_tunna_iis_rdp_smb_tunneling_sysmon_3.evtx");
    assert_eq!(event_records(&r), [35076, 35079, 35202, 35205]);
    let e = row(&r, 35076).event.as_ref().unwrap();
    assert_eq!((e.kind.as_str(), e.signal.map(|s| s.as_str())), ("network_connection", Some("w3wp_connection")));
    assert_eq!((e.fields["DestinationIp"].as_str(), e.fields["DestinationPort"].as_str()), ("127.0.0.1", "3389"));
    assert_eq!(e.fields["Initiated"], "true");
    let tunnels: Vec<&str> =
        r.findings.iter().filter(|f| f.rule == "evtx_w3wp_connection").map(|f| f.message.as_str()).collect();
    assert_eq!(tunnels.len(), 2);
    assert!(
        tunnels
            .iter()
            .any(|m| m.contains("127.0.0.1:3389") && m.contains("record 35076 ") && m.contains(".evtx 35079"))
    );
    assert!(
        tunnels.iter().any(|m| m.contains("127.0.0.1:445") && m.contains("record 35202 ") && m.contains(".evtx 35205"))
    );
    // The last record's header carries no time (FILETIME 0): the log's span ignores it.
    let log = &r.event_logs.logs[0];
    assert_eq!(log.first.map(|t| t.to_string()), Some("2019-09-03T11:04:07.2071312Z".to_string()));
    assert_eq!(log.last.map(|t| t.to_string()), Some("2019-09-03T11:36:26.0054939Z".to_string()));
    assert!(r.findings.iter().filter(|f| f.rule == "evtx_w3wp_connection").all(|f| f.severity.as_str() == "high"));
}

#[test]
fn thread_injection_from_w3wp_is_a_finding_and_a_plain_child_is_not() {
    if !common::have_corpus() {
        return;
    }
    let r = evtx("sbousseaden_privesc_rotten_potato_from_webshell_metasploit_sysmon_1_8_3.evtx");
    assert_eq!(event_records(&r), [5408, 5409, 5410, 5411]);
    assert_eq!(row(&r, 5408).event.as_ref().unwrap().signal.map(|s| s.as_str()), Some("w3wp_child"));
    let t = row(&r, 5411).event.as_ref().unwrap();
    assert_eq!((t.event_id, t.signal.map(|s| s.as_str())), (8, Some("w3wp_remote_thread")));
    assert_eq!(t.fields["StartAddress"], "0x005A28D0");
    assert_eq!(evtx_rules(&r), ["evtx_w3wp_remote_thread"]);
}

#[test]
fn exchange_transport_agent_logs_give_no_iis_module_finding() {
    if !common::have_corpus() {
        return;
    }
    for name in [
        "mdecrevoisier_T1505_ID6_failed_exchange_transport_agent.evtx",
        "mdecrevoisier_T1505_ID11_exchange_transport_config_modified.evtx",
    ] {
        let r = evtx(name);
        assert!(evtx_rules(&r).is_empty(), "{name}: {:?}", evtx_rules(&r));
        assert!(event_records(&r).is_empty(), "{name}");
        assert!(r.components.is_empty());
        assert!(r.event_logs.logs[0].records > 0, "{name} was read");
    }
}

/// Each corrupt file: every readable record is used, the problem is named with the file, nothing panics.
#[test]
fn corrupt_logs_keep_every_readable_record_and_say_where_they_broke() {
    if !common::have_corpus() {
        return;
    }
    let cases: &[(&str, u64, &str, Option<&str>)] = &[
        ("omerbenamram_sysmon.evtx", 358, "parsed_with_errors", Some("chunk number 16")),
        ("omerbenamram_sample_with_a_bad_chunk_magic.evtx", 301, "parsed_with_errors", Some("chunk number 10")),
        ("omerbenamram_security_bad_string_cache.evtx", 2261, "parsed", None),
        (
            "omerbenamram_sample-with-zero-data-size-event.evtx",
            449,
            "parsed_with_errors",
            Some("offset 0x820 of chunk 0"),
        ),
        ("omerbenamram_Application_no_crc32.evtx", 17, "parsed", None),
        ("python-evtx_dns_log_malformed.evtx", 5, "parsed", None),
    ];
    for &(name, records, status, problem) in cases {
        let r = evtx(name);
        let log = &r.event_logs.logs[0];
        assert_eq!((log.records, log.status.as_str()), (records, status), "{name}");
        if let Some(p) = problem {
            assert!(log.problems.iter().any(|m| m.contains(p)), "{name}: {:?}", log.problems);
            let w = r.warnings.iter().find(|w| w.message.contains(p)).unwrap_or_else(|| panic!("{name}: no warning"));
            assert_eq!(w.position.file.as_ref().map(|f| f.to_string()).as_deref(), Some(name));
        }
    }
    // Each damaged chunk or record is its own warning, placed by chunk number and file offset.
    let r = evtx("omerbenamram_sample_with_a_bad_chunk_magic.evtx");
    let mut placed: Vec<(Option<u64>, Option<u64>)> =
        r.warnings.iter().map(|w| (w.position.chunk, w.position.offset)).collect();
    placed.sort();
    assert_eq!(placed, [(Some(6), Some(0x61000)), (Some(7), Some(0x73060)), (Some(10), Some(0xA1000))]);
    let r = evtx("omerbenamram_sample-with-zero-data-size-event.evtx");
    let w = r.warnings.iter().find(|w| w.message.contains("offset 0x820 of chunk 0")).unwrap();
    assert_eq!((w.position.chunk, w.position.offset), (Some(0), Some(0x1820)));
    // The zero-size record sits in a System log whose readable part still gives its service installs.
    let r = evtx("omerbenamram_sample-with-zero-data-size-event.evtx");
    assert!(r.timeline.iter().filter_map(|t| t.event.as_ref()).any(|e| e.event_id == 7045));
}

#[test]
fn channel_comes_from_the_records_not_the_file_name() {
    if !common::have_corpus() {
        return;
    }
    let r = evtx("velociraptor_Microsoft-Windows-Sysmon%4Operational.evtx");
    assert_eq!(r.event_logs.logs[0].channel.as_deref(), Some("Microsoft-Windows-Sysmon/Operational"));
    assert_eq!(r.event_logs.logs[0].records, 7);

    // The same bytes under a name that says nothing: still a Sysmon log.
    let dir = tempfile::tempdir().unwrap();
    let renamed = dir.path().join("export-0001.dat");
    std::fs::copy(corpus("evtx/velociraptor_Microsoft-Windows-Sysmon%4Operational.evtx"), &renamed).unwrap();
    let r = scan_one(&renamed);
    assert_eq!(r.evidence[0].kind, inetsift::evidence::EvidenceKind::EventLog);
    let log = &r.event_logs.logs[0];
    assert_eq!(log.channel.as_deref(), Some("Microsoft-Windows-Sysmon/Operational"));
    assert_eq!((log.first.map(|t| t.to_string()), log.records), (r.event_logs.logs[0].first.map(|t| t.to_string()), 7));
    let sysmon = r.event_logs.channels.iter().find(|c| c.channel == "Microsoft-Windows-Sysmon/Operational").unwrap();
    assert_eq!((sysmon.status.as_str(), sysmon.records), ("present", 7));
    let iis = r.event_logs.channels.iter().find(|c| c.channel == "Microsoft-IIS-Configuration/Operational").unwrap();
    assert_eq!(iis.status.as_str(), "absent");
    assert!(r.coverage.notes.iter().any(|n| n.contains("off by default")));
    assert!(r.coverage.notes.iter().any(|n| n.contains("never logs hand edits")));
}

#[test]
fn a_folder_of_logs_reads_each_with_its_own_channel_and_span() {
    if !common::have_corpus() {
        return;
    }
    let r = scan_one(&corpus("evtx"));
    let log = |n: &str| r.event_logs.logs.iter().find(|l| l.path.to_string() == n).unwrap();
    let system = log("omerbenamram_system.evtx");
    assert_eq!((system.channel.as_deref(), system.records), (Some("System"), 1881));
    assert_eq!(log("omerbenamram_security.evtx").records, 2261);
    // evtx_dump gives 12:32:35.1476848Z and 12:35:06.7254935Z for the same log (100 ns ticks; we keep µs).
    let rdp = log("velociraptor_RDPAuth_Security.evtx");
    assert_eq!(rdp.first.map(|t| t.to_string()), Some("2021-02-12T12:32:35.1476848Z".to_string()));
    assert_eq!(rdp.last.map(|t| t.to_string()), Some("2021-02-12T12:35:06.7254935Z".to_string()));
    let sec = r.event_logs.channels.iter().find(|c| c.channel == "Security").unwrap();
    assert_eq!(sec.status.as_str(), "present");
    assert!(sec.logs.len() >= 8, "{:?}", sec.logs);
    // Every EVTX the evidence holds is listed with its hash.
    assert!(r.coverage.files_read.iter().any(|f| f.path.to_string() == "omerbenamram_sysmon.evtx"
        && f.sha256 == "e1817fd7241ad2b5b9660e179adec878d157f1fa25333e52aef263c69bcd970b"));
}

#[test]
fn a_fake_and_a_truncated_log_are_named_and_the_rest_is_read() {
    if !common::have_corpus() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.evtx"), b"not an event log at all").unwrap();
    let whole = std::fs::read(corpus("evtx/omerbenamram_security.evtx")).unwrap();
    // Cut in the middle of the third chunk: two whole chunks and a torn one.
    std::fs::write(dir.path().join("Security.evtx"), &whole[..4096 + 2 * 65536 + 30_000]).unwrap();
    std::fs::copy(
        corpus("evtx/sbousseaden_LM_typical_IIS_webshell_sysmon_1_10_traces.evtx"),
        dir.path().join("Sysmon.evtx"),
    )
    .unwrap();
    let r = scan_one(dir.path());
    let log = |n: &str| r.event_logs.logs.iter().find(|l| l.path.to_string() == n).unwrap();
    let fake = log("notes.evtx");
    assert_eq!((fake.status.as_str(), fake.records), ("not_evtx", 0));
    assert!(r.warnings.iter().any(|w| w.position.file.as_ref().is_some_and(|f| f.to_string() == "notes.evtx")));
    let cut = log("Security.evtx");
    assert_eq!(cut.channel.as_deref(), Some("Security"));
    assert_eq!((cut.records, cut.status.as_str()), (177, "parsed_with_errors"));
    assert!(cut.problems.iter().any(|p| p.contains("ends 30000 bytes into chunk 2")), "{:?}", cut.problems);
    let torn = r.warnings.iter().find(|w| w.message.contains("ends 30000 bytes into chunk 2")).unwrap();
    assert_eq!((torn.position.chunk, torn.position.offset), (Some(2), Some(4096 + 2 * 65536)));
    // The web-shell trace beside them is still found.
    assert!(r.findings.iter().any(|f| f.rule == "evtx_w3wp_shell"));
}
