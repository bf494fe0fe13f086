//! The committed sample is what its generators make: hashes are pinned so any drift is noticed.

mod common;
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
        sums.starts_with("09b1936ec336de751ebbaa98a1f48ff2babd277d6e6187291caa6f8c6ad4873a  iis-compromised-kape.zip")
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
    assert_eq!(inst.inetstp_last_written.as_deref(), Some("2023-03-01T09:41:00.000000Z"));
    assert!(inst.iis_installed);
    let svc = |n: &str| inst.services.iter().find(|s| s.name == n).unwrap();
    assert_eq!(
        (svc("W3SVC").start_mode, svc("W3SVC").last_written.as_str()),
        (Some("auto"), "2023-03-01T09:40:00.000000Z")
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
    assert_eq!(root.last_written, "2023-11-14T22:01:00.000000Z");

    // The legacy filter registration is a component with its key, and the key time is on the timeline.
    let legacy = r.components.iter().find(|c| c.scope.starts_with(r"HKLM\SYSTEM")).unwrap();
    assert_eq!(legacy.name, "SessionFilter");
    assert_eq!(legacy.path.as_ref().map(|p| p.as_str()), Some(r"C:\Windows\Temp\sfilter.dll"));
    assert_eq!(legacy.file.as_ref().map(|f| f.status), Some("present"));
    assert!(rules_of(&r, &legacy.id).contains(&"registry_filter_registration"));
    let row = r.timeline.iter().find(|t| t.source.ends_with(r"Parameters\Filters\SessionFilter")).unwrap();
    assert_eq!(row.timestamp, "2023-11-14T22:05:00.000000Z");
    assert_eq!(row.evidence.file.as_str(), r"C:\Windows\System32\config\SYSTEM");
    assert!(
        r.timeline
            .iter()
            .any(|t| t.timestamp == "2023-11-14T22:01:00.000000Z" && t.description.contains("Microsoft Root"))
    );
}

#[test]
fn sample_module_is_signed_through_the_attackers_root() {
    let r = scan_one(&repo("samples/iis-compromised-kape.zip"));
    let b = r.binaries.iter().find(|b| b.path.as_str().ends_with("cachehttpex.dll")).unwrap();
    let sig = b.signature.as_ref().unwrap();
    assert_eq!(sig.status.as_str(), "valid");
    assert_eq!(sig.trusted_by, Some("host_root_store"));
    assert_eq!(sig.publisher.as_deref(), Some("Microsoft Corporation"));
    assert_eq!(
        sig.root.as_deref(),
        Some("CN=Microsoft Root Certificate Authority 2011, O=Microsoft Corporation, C=US")
    );
    let module = component(&r, "global_module", "HttpCacheModuleEx");
    assert_eq!(module.signature.map(|s| s.as_str()), Some("valid"));
    assert_eq!(
        rules_of(&r, &module.id),
        vec!["fake_microsoft_signer", "host_trusted_root_only", "lookalike_name", "unknown_component"]
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
