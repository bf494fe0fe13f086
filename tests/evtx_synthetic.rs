//! Synthetic event logs the corpus lacks (IIS configuration audit, appcmd, PowerShell, Sysmon image loads, IIS
//! worker load failures), written the way Windows writes them by tests/support/evtx_writer.rs, in a KAPE-style
//! folder next to an applicationHost.config, so events link to the components they install.

mod common;
#[path = "support/evtx_writer.rs"]
#[allow(dead_code)]
mod evtx_writer;

use common::{component, scan_one};
use evtx_writer::{Event, Value, write};
use inetsift::model::{EventFields, TimelineEvent};
use inetsift::scan::ScanResult;
use std::path::Path;

const APPHOST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.webServer>
    <globalModules>
      <add name="HttpLoggingModule" image="%windir%\System32\inetsrv\loghttp.dll" />
      <add name="CustomErrorModule" image="%ProgramData%\Microsoft\Network\custerr.dll" />
      <add name="HttpCacheModuleEx" image="%windir%\System32\inetsrv\cachehttpex.dll" />
    </globalModules>
    <isapiFilters>
      <filter name="SessionFilter" path="C:\Windows\Temp\sfilter.dll" />
    </isapiFilters>
  </system.webServer>
</configuration>
"#;

/// 2023-11-14T22:00:00Z plus `s` seconds.
fn at(s: i64) -> (i64, u32) {
    (1_699_999_200 + s, 1_234_567)
}

const ATTACKER: &str = "S-1-5-21-3623811015-3361044348-30300820-1104";
const IIS_CONFIG: &str = "Microsoft-IIS-Configuration/Operational";
const SYSMON: &str = "Microsoft-Windows-Sysmon/Operational";

fn config_change(id: u64, s: i64, path: &str, op: u32, new: &str) -> Event {
    let mut e = Event::new(id, at(s), "Microsoft-Windows-IIS-Configuration", IIS_CONFIG, 29);
    e.provider_guid = Some("{DC0B8E51-4863-407A-BC3C-1B479B2978AC}".into());
    e.user_sid = Some(ATTACKER.into());
    e.process_id = 5120;
    e.data("PhysicalPath", r"\\?\C:\Windows\system32\inetsrv\config\applicationHost.config")
        .data("ConfigPath", "MACHINE/WEBROOT/APPHOST")
        .data("EffectiveLocationPath", "")
        .data("Configuration", path)
        .typed("EditOperationType", Value::U32(op))
        .data("OldValue", "")
        .data("NewValue", new)
}

fn security_4688(id: u64, s: i64, image: &str, cmd: &str, parent: &str) -> Event {
    let mut e = Event::new(id, at(s), "Microsoft-Windows-Security-Auditing", "Security", 4688);
    e.task = 13312;
    e.data("SubjectUserSid", ATTACKER)
        .data("SubjectUserName", "svc_backup")
        .typed("NewProcessId", Value::U64(0x1a2c))
        .data("NewProcessName", image)
        .data("CommandLine", cmd)
        .data("ParentProcessName", parent)
}

fn sysmon(id: u64, s: i64, event_id: u16) -> Event {
    let mut e = Event::new(id, at(s), "Microsoft-Windows-Sysmon", SYSMON, event_id);
    e.provider_guid = Some("{5770385F-C22A-43E0-BF4C-06F5698FFBD9}".into());
    e.task = event_id;
    e.user_sid = Some("S-1-5-18".into());
    e
}

/// A KAPE-style folder: the config, and one log per channel with the attack's events among routine ones.
fn host(dir: &Path) {
    let logs = layout(dir);
    let put = |name: &str, events: &[Event]| std::fs::write(logs.join(name), write(events)).unwrap();

    put(
        "Microsoft-IIS-Configuration%4Operational.evtx",
        &[
            config_change(101, 60, "/system.webServer/globalModules/add[@name='HttpCacheModuleEx']", 1, ""),
            config_change(
                102,
                60,
                "/system.webServer/globalModules/add[@name='HttpCacheModuleEx']/@image",
                3,
                r"%windir%\System32\inetsrv\cachehttpex.dll",
            ),
            config_change(103, 61, "/system.webServer/httpLogging/@dontLog", 3, "true"),
            {
                let mut e = Event::new(104, at(61), "Microsoft-Windows-IIS-Configuration", IIS_CONFIG, 50);
                e.data.push(("ConfigPath".into(), Value::Str("MACHINE/WEBROOT/APPHOST".into())));
                e
            },
        ],
    );

    // Routine process starts around the attack's, so the filter has something to skip.
    let mut security: Vec<Event> = (0..400)
        .map(|i| {
            security_4688(
                1000 + i,
                i as i64,
                r"C:\Windows\System32\svchost.exe",
                "svchost.exe -k netsvcs",
                r"C:\Windows\System32\services.exe",
            )
        })
        .collect();
    security.push(security_4688(
        1400,
        59,
        r"C:\Windows\System32\inetsrv\appcmd.exe",
        r#"appcmd.exe install module /name:HttpCacheModuleEx /image:"%windir%\System32\inetsrv\cachehttpex.dll""#,
        r"C:\Windows\System32\cmd.exe",
    ));
    security.push(security_4688(
        1401,
        300,
        r"C:\Windows\System32\cmd.exe",
        "cmd.exe /c whoami /all",
        r"C:\Windows\System32\inetsrv\w3wp.exe",
    ));
    let mut access = Event::new(1402, at(58), "Microsoft-Windows-Security-Auditing", "Security", 4663);
    access = access
        .data("SubjectUserName", "svc_backup")
        .data("ObjectName", r"C:\Windows\System32\inetsrv\config\applicationHost.config")
        .data("AccessList", "%%4417")
        .data("ProcessName", r"C:\Windows\System32\inetsrv\appcmd.exe");
    security.push(access);
    put("Security.evtx", &security);

    put(
        "Microsoft-Windows-Sysmon%4Operational.evtx",
        &[
            sysmon(201, 40, 11)
                .data("Image", r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe")
                .data("TargetFilename", r"C:\Windows\System32\inetsrv\cachehttpex.dll"),
            sysmon(202, 62, 1)
                .data("Image", r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe")
                .data(
                    "CommandLine",
                    r#"powershell.exe -c "Set-WebConfigurationProperty -pspath 'MACHINE/WEBROOT/APPHOST' -filter 'system.webServer/globalModules/add[@name=''CustomErrorModule'']' -name image -value '%ProgramData%\Microsoft\Network\custerr.dll'""#,
                )
                .data("ParentImage", r"C:\Windows\System32\cmd.exe")
                .data("User", r"CORP\svc_backup"),
            sysmon(203, 120, 7)
                .data("Image", r"C:\Windows\System32\inetsrv\w3wp.exe")
                .data("ProcessId", "4412")
                .data("ImageLoaded", r"C:\ProgramData\Microsoft\Network\custerr.dll")
                .data("Signed", "false")
                .data("SignatureStatus", "Unavailable"),
            sysmon(204, 120, 7)
                .data("Image", r"C:\Windows\System32\inetsrv\w3wp.exe")
                .data("ImageLoaded", r"C:\Windows\System32\inetsrv\loghttp.dll")
                .data("Signed", "true")
                .data("Signature", "Microsoft Windows"),
        ],
    );

    let mut failure = Event::new(301, at(30), "Microsoft-Windows-IIS-W3SVC-WP", "Application", 2295);
    failure.qualifiers = Some(49152);
    failure.level = 2;
    put(
        "Application.evtx",
        &[failure.data("Data1", r"C:\Windows\Temp\sfilter.dll").typed("Binary", Value::Binary(vec![0x7f, 0, 0, 0]))],
    );

    let mut block =
        Event::new(401, at(62), "Microsoft-Windows-PowerShell", "Microsoft-Windows-PowerShell/Operational", 4104);
    block.user_sid = Some(ATTACKER.into());
    put(
        "Microsoft-Windows-PowerShell%4Operational.evtx",
        &[block
            .typed("MessageNumber", Value::U32(1))
            .typed("MessageTotal", Value::U32(1))
            .data(
                "ScriptBlockText",
                "Set-WebConfigurationProperty -pspath 'MACHINE/WEBROOT/APPHOST' -filter \
                 \"system.webServer/globalModules/add[@name='CustomErrorModule']\" -name image \
                 -value '%ProgramData%\\Microsoft\\Network\\custerr.dll'",
            )
            .data("ScriptBlockId", "{5d8f3c2e-0000-4000-8000-000000000001}")
            .data("Path", "")],
    );

    let mut stop = Event::new(501, at(63), "Service Control Manager", "System", 7036);
    stop.qualifiers = Some(16384);
    let mut start = stop.clone();
    start.record_id = 502;
    start.time = at(64);
    let w3svc = "570033005300560043002f0031000000";
    let bin =
        (0..w3svc.len() / 2).map(|i| u8::from_str_radix(&w3svc[2 * i..2 * i + 2], 16).unwrap()).collect::<Vec<_>>();
    put(
        "System.evtx",
        &[
            stop.data("param1", "World Wide Web Publishing Service")
                .data("param2", "stopped")
                .typed("Binary", Value::Binary(bin.clone())),
            start
                .data("param1", "World Wide Web Publishing Service")
                .data("param2", "running")
                .typed("Binary", Value::Binary(bin)),
        ],
    );
}

fn scanned() -> (tempfile::TempDir, ScanResult) {
    let dir = tempfile::tempdir().unwrap();
    host(dir.path());
    let r = scan_one(dir.path());
    (dir, r)
}

fn rows<'a>(r: &'a ScanResult, channel: &str, event_id: u32) -> Vec<(&'a TimelineEvent, &'a EventFields)> {
    r.timeline
        .iter()
        .filter_map(|t| t.event.as_ref().map(|e| (t, e)))
        .filter(|(_, e)| e.channel == channel && e.event_id == event_id)
        .collect()
}

#[test]
fn configuration_audit_events_link_to_the_module_they_added() {
    let (_d, r) = scanned();
    let module = component(&r, "global_module", "HttpCacheModuleEx");
    let changes = rows(&r, IIS_CONFIG, 29);
    assert_eq!(changes.len(), 3);
    let (add, e) = changes[0];
    assert_eq!((e.record_id, e.user_sid.as_deref(), e.process_id), (101, Some(ATTACKER), Some(5120)));
    assert_eq!(e.fields["Configuration"], "/system.webServer/globalModules/add[@name='HttpCacheModuleEx']");
    assert_eq!(e.fields["EditOperationType"], "1");
    assert_eq!((e.kind.as_str(), e.signal.map(|s| s.as_str())), ("config_change", Some("extension_added")));
    assert_eq!(add.component.as_deref(), Some(module.id.as_str()));
    assert_eq!(add.timestamp.to_string(), "2023-11-14T22:01:00.1234567Z");
    assert_eq!(
        add.evidence.path().to_string(),
        r"C:\Windows\System32\winevt\Logs\Microsoft-IIS-Configuration%4Operational.evtx"
    );
    // The @image change links through the DLL path it names.
    assert_eq!(changes[1].0.component.as_deref(), Some(module.id.as_str()));
    assert_eq!(rows(&r, IIS_CONFIG, 50).len(), 1);

    let added: Vec<_> = r.findings.iter().filter(|f| f.rule == "evtx_extension_added").collect();
    assert!(!added.is_empty());
    assert!(added.iter().all(|f| f.component.as_deref() == Some(module.id.as_str())));
    assert_eq!(added[0].severity.as_str(), "high");
    let off = r.findings.iter().find(|f| f.rule == "evtx_http_logging_disabled").expect("logging finding");
    assert_eq!(off.source.record, Some(103));
}

#[test]
fn appcmd_install_is_found_among_routine_process_starts() {
    let (_d, r) = scanned();
    let module = component(&r, "global_module", "HttpCacheModuleEx");
    let starts = rows(&r, "Security", 4688);
    let ids: Vec<u64> = starts.iter().map(|(_, e)| e.record_id).collect();
    assert_eq!(ids, [1400, 1401]);
    assert_eq!(starts[0].1.signal.map(|s| s.as_str()), Some("appcmd_install"));
    assert_eq!(starts[0].0.component.as_deref(), Some(module.id.as_str()));
    let f = r.findings.iter().find(|f| f.rule == "evtx_appcmd_install").unwrap();
    assert!(f.message.contains("record 1400") && f.message.contains(ATTACKER), "{}", f.message);
    assert_eq!(starts[1].1.signal.map(|s| s.as_str()), Some("w3wp_shell"));
    // The 400 routine starts were skipped without being rendered.
    let log = r.event_logs.logs.iter().find(|l| l.channel.as_deref() == Some("Security")).unwrap();
    assert_eq!(log.records, 403);
    assert!(log.rendered < 20, "rendered {}", log.rendered);
    // Object access on applicationHost.config is context, never an install finding of its own.
    let access = rows(&r, "Security", 4663);
    assert_eq!((access.len(), access[0].1.kind.as_str()), (1, "object_access"));
    assert!(r.findings.iter().all(|f| f.source.record != Some(1402)));
}

#[test]
fn sysmon_and_powershell_show_the_swap_of_a_builtin_module_image() {
    let (_d, r) = scanned();
    let custerr = component(&r, "global_module", "CustomErrorModule");
    let load = rows(&r, SYSMON, 7);
    assert_eq!(load.len(), 1, "the signed load from inetsrv is not an event");
    assert_eq!((load[0].1.record_id, load[0].1.signal.map(|s| s.as_str())), (203, Some("user_writable_load")));
    assert_eq!(load[0].0.component.as_deref(), Some(custerr.id.as_str()));
    let f = r.findings.iter().find(|f| f.rule == "evtx_w3wp_user_writable_load").unwrap();
    assert_eq!(f.component.as_deref(), Some(custerr.id.as_str()));

    let created = rows(&r, SYSMON, 11);
    assert_eq!(
        created[0].0.component.as_deref(),
        Some(component(&r, "global_module", "HttpCacheModuleEx").id.as_str())
    );
    let ps = rows(&r, SYSMON, 1);
    assert_eq!(ps[0].1.signal.map(|s| s.as_str()), Some("powershell_install"));
    let block = rows(&r, "Microsoft-Windows-PowerShell/Operational", 4104);
    assert_eq!((block[0].1.record_id, block[0].1.signal.map(|s| s.as_str())), (401, Some("powershell_install")));
    assert_eq!(block[0].0.component.as_deref(), Some(custerr.id.as_str()));
    // The process start and its script block are one finding about the module, naming both records.
    let ps: Vec<_> = r.findings.iter().filter(|f| f.rule == "evtx_powershell_install").collect();
    assert_eq!(ps.len(), 1);
    assert_eq!(ps[0].component.as_deref(), Some(custerr.id.as_str()));
    assert!(ps[0].message.contains("2 events in all"), "{}", ps[0].message);
}

#[test]
fn worker_load_failures_and_service_restarts_are_on_the_timeline() {
    let (_d, r) = scanned();
    let fail = rows(&r, "Application", 2295);
    assert_eq!(fail.len(), 1);
    let filter = component(&r, "isapi_filter", "SessionFilter");
    assert_eq!(fail[0].0.component.as_deref(), Some(filter.id.as_str()));
    assert_eq!(fail[0].1.fields["Data1"], r"C:\Windows\Temp\sfilter.dll");
    let f = r.findings.iter().find(|f| f.rule == "evtx_module_load_failure").unwrap();
    assert_eq!(f.severity.as_str(), "medium");
    let states: Vec<&str> = rows(&r, "System", 7036).iter().map(|(t, _)| t.description.as_str()).collect();
    assert_eq!(
        states,
        [
            "service World Wide Web Publishing Service entered the stopped state",
            "service World Wide Web Publishing Service entered the running state"
        ]
    );
    // Every relevant channel is present, so the only note left is the one about hand edits.
    assert!(
        r.event_logs
            .channels
            .iter()
            .filter(|c| c.channel != "PowerShellCore/Operational")
            .all(|c| c.status.as_str() == "present")
    );
    assert!(!r.coverage.notes.iter().any(|n| n.contains("off by default")));
}

#[test]
fn logs_larger_than_a_chunk_keep_every_record() {
    // Over 8 MiB, so the log is read with its chunks spread over the threads.
    let events: Vec<Event> = (1..=45_000)
        .map(|i| {
            security_4688(
                i,
                i as i64,
                r"C:\Windows\System32\svchost.exe",
                "svchost.exe -k netsvcs",
                r"C:\Windows\System32\services.exe",
            )
        })
        .chain(std::iter::once(security_4688(
            45_001,
            50_000,
            r"C:\Windows\System32\inetsrv\appcmd.exe",
            r"appcmd set config /section:isapiFilters /+[name='SessionFilter',path='C:\Windows\Temp\sfilter.dll']",
            r"C:\Windows\System32\cmd.exe",
        )))
        .collect();
    let bytes = write(&events);
    assert!(bytes.len() > 8 << 20, "over 8 MiB: {}", bytes.len());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Security.evtx");
    std::fs::write(&path, bytes).unwrap();
    let r = scan_one(&path);
    let log = &r.event_logs.logs[0];
    assert_eq!((log.records, log.events, log.status.as_str()), (45_001, 1, "parsed"));
    assert_eq!(log.first.map(|t| t.to_string()), Some("2023-11-14T22:00:01.1234567Z".to_string()));
    let e = rows(&r, "Security", 4688)[0].1;
    assert_eq!((e.record_id, e.signal.map(|s| s.as_str())), (45_001, Some("appcmd_install")));
    assert_eq!(log.last.map(|t| t.to_string()), Some("2023-11-15T11:53:20.1234567Z".to_string()));
}

#[test]
fn the_other_event_kinds_are_extracted_from_their_channels() {
    let mut sysmon13 = sysmon(1, 10, 13)
        .data("EventType", "SetValue")
        .data("Image", r"C:\Windows\regedit.exe")
        .data("TargetObject", r"HKLM\System\CurrentControlSet\Services\W3SVC\Parameters\Filter DLLs")
        .data("Details", r"C:\Windows\Temp\sfilter.dll");
    sysmon13.record_id = 601;
    let mut install = Event::new(602, at(11), "Service Control Manager", "System", 7045);
    install.qualifiers = Some(16384);
    let install = install
        .data("ServiceName", "WebHelperSvc")
        .data("ImagePath", r"C:\ProgramData\web\helper.exe")
        .data("ServiceType", "user mode service")
        .data("StartType", "auto start")
        .data("AccountName", "LocalSystem");
    let mut start_type = Event::new(603, at(12), "Service Control Manager", "System", 7040);
    start_type.qualifiers = Some(16384);
    let start_type = start_type
        .data("param1", "Windows Process Activation Service")
        .data("param2", "demand start")
        .data("param3", "auto start")
        .data("param4", "WAS");
    let pipeline = Event::new(604, at(13), "PowerShellCore", "PowerShellCore/Operational", 4103)
        .data("ContextInfo", "Host Application = pwsh.exe")
        .data(
            "Payload",
            r#"CommandInvocation(Invoke-Expression): "[System.EnterpriseServices.Internal.Publish]::new().GacInstall('C:\Users\Public\Helper.dll')""#,
        );
    let gacutil = security_4688(
        605,
        14,
        r"C:\Tools\gacutil.exe",
        r"gacutil.exe /i C:\Users\Public\Helper.dll",
        r"C:\Windows\System32\cmd.exe",
    );
    let audit = Event::new(606, at(15), "Microsoft-Windows-Security-Auditing", "Security", 4907)
        .data("ObjectName", r"C:\Windows\System32\inetsrv\config\applicationHost.config")
        .data("ProcessName", r"C:\Windows\System32\TiWorker.exe")
        .data("SubjectUserName", "WEB01$");
    let dir = tempfile::tempdir().unwrap();
    for (name, events) in [
        ("sysmon.evtx", vec![sysmon13]),
        ("system.evtx", vec![install, start_type]),
        ("pwsh.evtx", vec![pipeline]),
        ("security.evtx", vec![gacutil, audit]),
    ] {
        std::fs::write(dir.path().join(name), write(&events)).unwrap();
    }
    let r = scan_one(dir.path());
    let kinds: Vec<(u64, &str, Option<&str>)> = r
        .timeline
        .iter()
        .filter_map(|t| t.event.as_ref())
        .map(|e| (e.record_id, e.kind.as_str(), e.signal.map(|s| s.as_str())))
        .collect();
    assert_eq!(
        kinds,
        [
            (601, "registry_set", None),
            (602, "service_install", None),
            (603, "service_state", None),
            (604, "powershell", Some("powershell_install")),
            (605, "process_creation", Some("gac_install")),
            (606, "object_access", None),
        ]
    );
    let row = |id: u64| r.timeline.iter().find(|t| t.event.as_ref().is_some_and(|e| e.record_id == id)).unwrap();
    assert_eq!(
        row(603).description,
        "service Windows Process Activation Service: start type changed from demand start to auto start"
    );
    assert!(row(602).description.contains(r"WebHelperSvc (C:\ProgramData\web\helper.exe)"));
    let mut rules: Vec<&str> = r.findings.iter().map(|f| f.rule).filter(|r| r.starts_with("evtx_")).collect();
    rules.sort();
    assert_eq!(rules, ["evtx_gacutil_install", "evtx_powershell_install"]);
}

/// Writes the configuration of a KAPE-style folder and makes its log folder, which it returns.
fn layout(dir: &Path) -> std::path::PathBuf {
    let c = dir.join("C");
    let inetsrv = c.join("Windows/System32/inetsrv/config");
    std::fs::create_dir_all(&inetsrv).unwrap();
    std::fs::write(inetsrv.join("applicationHost.config"), APPHOST).unwrap();
    let logs = c.join("Windows/System32/winevt/Logs");
    std::fs::create_dir_all(&logs).unwrap();
    logs
}

/// A KAPE-style folder with the configuration and an empty log folder: (the folder, its log folder).
fn bare_host() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let logs = layout(dir.path());
    (dir, logs)
}

#[test]
fn a_process_start_is_linked_to_the_component_its_own_audited_writes_name() {
    let (dir, logs) = bare_host();
    // An encoded script names no module; the audit records it wrote (process 5120 = 0x1400) do.
    let script = "Import-Module WebAdministration; . C:\\Users\\Public\\s.ps1";
    let units: Vec<u8> = script.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, units);
    let mut start = Event::new(301, at(50), "Microsoft-Windows-Security-Auditing", "Security", 4688);
    start.task = 13312;
    let start = start
        .data("SubjectUserSid", ATTACKER)
        .data("SubjectUserName", "svc_backup")
        .data("NewProcessId", "0x1400")
        .data("NewProcessName", r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe")
        .data("CommandLine", &format!("powershell.exe -NoProfile -enc {b64}"))
        .data("ParentProcessName", r"C:\Windows\System32\cmd.exe");
    std::fs::write(logs.join("Security.evtx"), write(&[start])).unwrap();
    let add = config_change(302, 60, "/system.webServer/globalModules/add[@name='HttpCacheModuleEx']", 1, "");
    std::fs::write(logs.join("Microsoft-IIS-Configuration%4Operational.evtx"), write(&[add])).unwrap();
    let r = scan_one(dir.path());
    let module = component(&r, "global_module", "HttpCacheModuleEx");
    let start = r.timeline.iter().find(|t| t.event.as_ref().is_some_and(|e| e.record_id == 301)).unwrap();
    assert_eq!(start.component.as_deref(), Some(module.id.as_str()));
    assert!(
        start
            .description
            .ends_with(r"[decoded -EncodedCommand: Import-Module WebAdministration; . C:\Users\Public\s.ps1]"),
        "{}",
        start.description
    );
    let l = module.lifecycle.as_ref().unwrap();
    assert_eq!(l.added.exact.as_ref().unwrap().source, "Microsoft-IIS-Configuration/Operational 29 record 302");
    assert_eq!(l.actor.as_ref().unwrap().account.as_deref(), Some("svc_backup"));
}

#[test]
fn editors_service_stops_audit_tampering_and_root_certificates_are_found_and_cited() {
    let (dir, logs) = bare_host();
    let cmd = r"C:\Windows\System32\cmd.exe";
    let events = [
        security_4688(401, 10, r"C:\Windows\System32\sc.exe", r"sc.exe stop AppHostSvc", cmd),
        security_4688(
            402,
            20,
            r"C:\Windows\System32\certutil.exe",
            r"certutil.exe -addstore -f Root C:\Users\Public\r.cer",
            cmd,
        ),
        security_4688(
            403,
            30,
            r"C:\Windows\System32\notepad.exe",
            r#""C:\Windows\System32\notepad.exe" C:\Windows\System32\inetsrv\config\applicationHost.config"#,
            r"C:\Windows\explorer.exe",
        ),
        security_4688(
            404,
            40,
            r"C:\Windows\System32\wevtutil.exe",
            r"wevtutil.exe sl Microsoft-IIS-Configuration/Operational /e:false",
            cmd,
        ),
    ];
    std::fs::write(logs.join("Security.evtx"), write(&events)).unwrap();
    let r = scan_one(dir.path());
    let rule = |id: &str| r.findings.iter().find(|f| f.rule == id).unwrap_or_else(|| panic!("no {id}"));
    assert_eq!(rule("evtx_iis_service_tampering").severity, inetsift::model::Severity::High);
    assert_eq!(rule("evtx_iis_service_tampering").source.record, Some(401));
    assert_eq!(rule("evtx_root_certificate_installed").source.record, Some(402));
    assert_eq!(rule("evtx_config_editor").severity, inetsift::model::Severity::Low);
    assert_eq!(rule("evtx_audit_tampering").source.record, Some(404));
    // The look-alike declared in applicationHost.config, with no audit record: a hand edit, its editor cited,
    // and the service stop in its gaps.
    let l = component(&r, "global_module", "HttpCacheModuleEx").lifecycle.clone().unwrap();
    assert_eq!(l.method, inetsift::model::Method::HandEdit);
    assert!(l.added.inferences.iter().any(|i| i.starts_with("an editor opened its configuration file at 2023-11-14T22:00:30.1234567Z (Security 4688 record 403, user svc_backup)")), "{:?}", l.added.inferences);
    assert!(
        l.gaps.iter().any(|g| g.starts_with(
            "a command stopped or reconfigured the Application Host Helper Service at 2023-11-14T22:00:10.1234567Z"
        )),
        "{:?}",
        l.gaps
    );
    assert!(l.gaps.iter().any(|g| g.contains("record 404")));
}

#[test]
fn writing_a_remove_element_is_a_removal_not_an_addition() {
    let (dir, logs) = bare_host();
    let remove = config_change(501, 70, "/system.webServer/globalModules/remove[@name='HttpCacheModuleEx']", 1, "");
    std::fs::write(logs.join("Microsoft-IIS-Configuration%4Operational.evtx"), write(&[remove])).unwrap();
    let r = scan_one(dir.path());
    let row = r.timeline.iter().find(|t| t.event.as_ref().is_some_and(|e| e.record_id == 501)).unwrap();
    assert_eq!(row.event.as_ref().unwrap().signal.map(|s| s.as_str()), Some("extension_removed"));
    assert!(!r.findings.iter().any(|f| f.rule == "evtx_extension_added"));
}

#[test]
fn an_audit_record_links_by_identity_kind_name_and_path() {
    // The same name twice: a global module for the server, a managed module for one site.
    let config = r#"<configuration>
  <system.webServer>
    <globalModules><add name="Telemetry" image="C:\Program Files\Acme\telemetry.dll" /></globalModules>
  </system.webServer>
  <location path="Default Web Site">
    <system.webServer><modules><add name="Telemetry" type="Acme.Telemetry, Acme" /></modules></system.webServer>
  </location>
</configuration>
"#;
    let (dir, logs) = bare_host();
    std::fs::write(dir.path().join("C/Windows/System32/inetsrv/config/applicationHost.config"), config).unwrap();
    let write_for = |id: u64, path: &str, location: &str| {
        let mut e = Event::new(id, at(60), "Microsoft-Windows-IIS-Configuration", IIS_CONFIG, 29);
        e.user_sid = Some(ATTACKER.into());
        e.data("PhysicalPath", r"\\?\C:\Windows\system32\inetsrv\config\applicationHost.config")
            .data("ConfigPath", "MACHINE/WEBROOT/APPHOST")
            .data("EffectiveLocationPath", location)
            .data("Configuration", path)
            .typed("EditOperationType", Value::U32(1))
            .data("OldValue", "")
            .data("NewValue", "")
    };
    let events = [
        write_for(601, "/system.webServer/modules/add[@name='Telemetry']", "Default Web Site"),
        write_for(602, "/system.webServer/globalModules/add[@name='Telemetry']", ""),
    ];
    std::fs::write(logs.join("Microsoft-IIS-Configuration%4Operational.evtx"), write(&events)).unwrap();
    let r = scan_one(dir.path());
    let linked = |record: u64| {
        let row = r.timeline.iter().find(|t| t.event.as_ref().is_some_and(|e| e.record_id == record)).unwrap();
        let id = row.component.clone().unwrap();
        let c = r.components.iter().find(|c| c.id == id).unwrap();
        (c.kind.as_str(), c.scope.clone())
    };
    assert_eq!(linked(601), ("managed_module", "MACHINE/WEBROOT/APPHOST/Default Web Site".to_string()));
    assert_eq!(linked(602), ("global_module", "MACHINE/WEBROOT/APPHOST".to_string()));
}
