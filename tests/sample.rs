//! The committed sample is what its generators make: hashes are pinned so any drift is noticed.

mod common;
#[path = "support/evtx_writer.rs"]
#[allow(dead_code)]
mod evtx_writer;
use common::*;
use sha2::{Digest, Sha256};

#[test]
fn sample_files_match_their_recorded_hashes() {
    let sums = std::fs::read_to_string(repo("samples/SHA256SUMS")).unwrap();
    let mut names = Vec::new();
    for line in sums.lines() {
        let (hash, name) = line.split_once("  ").unwrap();
        let bytes = std::fs::read(repo("samples").join(name)).unwrap();
        assert_eq!(inetsift::evidence::hex(&Sha256::digest(&bytes)), hash, "{name}");
        names.push(name);
    }
    assert_eq!(
        names,
        vec![
            "iis-compromised-kape.zip",
            "hives/SYSTEM",
            "hives/SOFTWARE",
            "hives/SOFTWARE.LOG1",
            "hives/SOFTWARE.LOG2"
        ]
    );
    assert!(
        sums.starts_with("916fb2e0846e70d765dc8a45ea7e2baab0a08c4f3a6f18c5b6b48ec7268d3bcc  iis-compromised-kape.zip")
    );
}

#[test]
fn sample_sources_match_the_zip() {
    // The files inside the zip are the ones in samples/host and samples/hives, byte for byte.
    let f = std::fs::File::open(repo("samples/iis-compromised-kape.zip")).unwrap();
    let mut z = zip::ZipArchive::new(f).unwrap();
    for (inner, outer) in [
        ("C/Windows/System32/inetsrv/config/applicationHost.config", "samples/host/applicationHost.config"),
        ("C/Windows/System32/config/SOFTWARE.LOG1", "samples/hives/SOFTWARE.LOG1"),
        ("C/Windows/System32/config/SYSTEM", "samples/hives/SYSTEM"),
    ] {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut z.by_name(inner).unwrap(), &mut bytes).unwrap();
        assert_eq!(bytes, std::fs::read(repo(outer)).unwrap(), "{inner}");
    }
}

#[test]
fn sample_hives_give_the_planted_registry_facts() {
    let r = scan_one(&repo("samples/iis-compromised-kape.zip"));
    let inst = &r.registry.installations[0];
    assert_eq!(inst.computer_name.as_deref(), Some("WEB01"));
    assert_eq!(inst.time_zone.as_deref(), Some("W. Europe Standard Time (UTC+01:00)"));
    assert_eq!(inst.os.as_deref(), Some("Windows Server 2019 Standard, 1809, build 17763.4974"));
    assert_eq!(inst.iis_version.as_deref(), Some("10.0"));
    assert_eq!(inst.install_path.as_deref(), Some(r"C:\Windows\system32\inetsrv"));
    assert_eq!(inst.inetstp_last_written.map(|t| t.to_string()).as_deref(), Some("2023-03-01T09:41:00.0000000Z"));
    assert!(inst.iis_installed);
    let svc = |n: &str| inst.services.iter().find(|s| s.name == n).unwrap();
    assert_eq!(
        (svc("W3SVC").start_mode, svc("W3SVC").last_written.to_string().as_str()),
        (Some("auto"), "2023-03-01T09:40:00.0000000Z")
    );
    assert_eq!(svc("W3SVC").service_dll.as_deref(), Some(r"%windir%\system32\inetsrv\iisw3adm.dll"));
    assert_eq!(svc("WAS").start_mode, Some("manual"));
    assert_eq!(svc("AppHostSvc").service_dll.as_deref(), Some(r"%windir%\system32\inetsrv\apphostsvc.dll"));

    // SOFTWARE is dirty: the attacker's root exists only after replaying SOFTWARE.LOG1.
    let software = r.registry.hives.iter().find(|h| h.hive == "SOFTWARE").unwrap();
    assert!(software.dirty);
    assert_eq!(software.applied.len(), 1);
    assert_eq!((software.applied[0].sequence, software.applied[0].pages), (Some(5), 3));
    let root = &r.registry.root_certificates[0];
    assert_eq!(root.key_name, "CB5E644493FB25C7E94F269A3C3619F968570C61");
    assert_eq!(
        root.subject.as_deref(),
        Some("CN=Microsoft Root Certificate Authority 2011, O=Microsoft Corporation, C=US")
    );
    assert_eq!(root.last_written.to_string(), "2023-11-14T22:01:00.0000000Z");

    // The legacy filter registration is a component with its key, and the key time is on the timeline.
    let legacy = r.components.iter().find(|c| c.scope.starts_with(r"HKLM\SYSTEM")).unwrap();
    assert_eq!(legacy.name, "SessionFilter");
    assert_eq!(legacy.path.as_ref().map(|p| p.as_str()), Some(r"C:\Windows\Temp\sfilter.dll"));
    assert_eq!(legacy.file.as_ref().map(|f| f.status.as_str()), Some("present"));
    assert!(rules_of(&r, &legacy.id).contains(&"registry_filter_registration"));
    let row = r.timeline.iter().find(|t| t.source.ends_with(r"Parameters\Filters\SessionFilter")).unwrap();
    assert_eq!(row.timestamp.to_string(), "2023-11-14T22:05:00.0000000Z");
    assert_eq!(row.evidence.path(), r"C:\Windows\System32\config\SYSTEM");
    assert!(
        r.timeline
            .iter()
            .any(|t| t.timestamp.to_string() == "2023-11-14T22:01:00.0000000Z"
                && t.description.contains("Microsoft Root"))
    );
}

#[test]
fn sample_module_is_signed_through_the_attackers_root() {
    let r = scan_one(&repo("samples/iis-compromised-kape.zip"));
    let b = r.binaries.iter().find(|b| b.path.as_str().ends_with("cachehttpex.dll")).unwrap();
    let sig = b.signature.as_ref().unwrap();
    assert_eq!(sig.status.as_str(), "valid");
    assert_eq!(sig.trusted_by.map(|t| t.as_str()), Some("host_root_store"));
    assert_eq!(sig.publisher.as_deref(), Some("Microsoft Corporation"));
    assert_eq!(
        sig.root.as_deref(),
        Some("CN=Microsoft Root Certificate Authority 2011, O=Microsoft Corporation, C=US")
    );
    let module = component(&r, "global_module", "HttpCacheModuleEx");
    assert_eq!(module.signature.map(|s| s.as_str()), Some("valid"));
    assert_eq!(
        rules_of(&r, &module.id),
        vec![
            "evtx_appcmd_install",
            "evtx_extension_added",
            "fake_microsoft_signer",
            "host_trusted_root_only",
            "lookalike_name",
            "unknown_component"
        ]
    );
    // Without the host's store (the SOFTWARE log not replayed), the same file would be untrusted: verify alone.
    let only_ms = inetsift::artifacts::authenticode::verify_pe(
        &{
            let f = std::fs::File::open(repo("samples/iis-compromised-kape.zip")).unwrap();
            let mut z = zip::ZipArchive::new(f).unwrap();
            let mut b = Vec::new();
            std::io::Read::read_to_end(&mut z.by_name("C/Windows/System32/inetsrv/cachehttpex.dll").unwrap(), &mut b)
                .unwrap();
            b
        },
        &inetsift::artifacts::authenticode::trust::Trust::microsoft(),
        1_795_392_000,
    );
    assert_eq!(only_ms.status.as_str(), "untrusted_root");
}

#[test]
fn sample_logs_are_the_writers_output_for_their_specs() {
    // Each EVTX in the zip is what tests/support/evtx_writer.rs makes of samples/logs/NAME.json, byte for byte.
    let f = std::fs::File::open(repo("samples/iis-compromised-kape.zip")).unwrap();
    let mut z = zip::ZipArchive::new(f).unwrap();
    let mut specs: Vec<_> = std::fs::read_dir(repo("samples/logs")).unwrap().map(|e| e.unwrap().path()).collect();
    specs.sort();
    assert_eq!(specs.len(), 6);
    for spec in specs {
        let list: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(&spec).unwrap()).unwrap();
        let events: Vec<_> = list.iter().map(|j| evtx_writer::from_json(j).unwrap()).collect();
        let name = format!("C/Windows/System32/winevt/Logs/{}.evtx", spec.file_stem().unwrap().to_string_lossy());
        let mut inner = Vec::new();
        std::io::Read::read_to_end(&mut z.by_name(&name).unwrap(), &mut inner).unwrap();
        assert!(inner == evtx_writer::write(&events), "{name} differs from its spec");
    }
}

#[test]
fn sample_logs_tell_who_installed_the_module_and_how() {
    let r = scan_one(&repo("samples/iis-compromised-kape.zip"));
    let module = component(&r, "global_module", "HttpCacheModuleEx");
    let linked: Vec<(u64, &str, Option<&str>)> = r
        .timeline
        .iter()
        .filter(|t| t.component.as_deref() == Some(module.id.as_str()))
        .filter_map(|t| t.event.as_ref().map(|e| (e.record_id, e.channel.as_str(), e.signal.map(|s| s.as_str()))))
        .collect();
    assert_eq!(
        linked,
        [
            (9120, "Microsoft-Windows-Sysmon/Operational", None),
            (48212, "Security", Some("appcmd_install")),
            (1, "Microsoft-IIS-Configuration/Operational", Some("extension_added")),
            (2, "Microsoft-IIS-Configuration/Operational", Some("extension_added")),
        ]
    );
    let appcmd = r.findings.iter().find(|f| f.rule == "evtx_appcmd_install").unwrap();
    assert!(appcmd.message.contains("S-1-5-21-3623811015-3361044348-30300820-1104"), "{}", appcmd.message);
    let off = r.findings.iter().find(|f| f.rule == "evtx_http_logging_disabled").unwrap();
    assert_eq!(
        Some((off.source.path(), off.source.record)),
        Some((r"C:\Windows\System32\winevt\Logs\Microsoft-IIS-Configuration%4Operational.evtx", Some(5)))
    );
    // Six logs, every channel of interest but PowerShell 7's present.
    assert_eq!(r.event_logs.logs.len(), 6);
    let absent: Vec<&str> =
        r.event_logs.channels.iter().filter(|c| c.status.as_str() != "present").map(|c| c.channel).collect();
    assert_eq!(absent, ["PowerShellCore/Operational"]);
}
