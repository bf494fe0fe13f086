//! The IIS configuration history: snapshots found where `<configHistory>` says (or the default), read by the
//! same inventory code as the live file, dated, and compared one after the other and with the live file.

mod common;

use common::{scan_one, tree};
use inetsift::model::{SnapshotKind, SnapshotTimeSource, Timestamp};
use sha2::{Digest, Sha256};
use std::time::{Duration, UNIX_EPOCH};

/// An applicationHost.config with these global modules (name, image) and an optional history path.
fn apphost(modules: &[(&str, &str)], history: Option<&str>) -> Vec<u8> {
    let adds: String = modules.iter().map(|(n, i)| format!("      <add name=\"{n}\" image=\"{i}\" />\n")).collect();
    let hist = history.map(|p| format!("    <configHistory path=\"{p}\" />\n")).unwrap_or_default();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<configuration>\n  <system.applicationHost>\n{hist}  </system.applicationHost>\n  <system.webServer>\n    <globalModules>\n{adds}    </globalModules>\n  </system.webServer>\n</configuration>\n"
    )
    .into_bytes()
}

const LOG: (&str, &str) = ("HttpLoggingModule", r"%windir%\System32\inetsrv\loghttp.dll");
const ERR: (&str, &str) = ("CustomErrorModule", r"%windir%\System32\inetsrv\custerr.dll");
const ERR_SWAPPED: (&str, &str) = ("CustomErrorModule", r"C:\ProgramData\Microsoft\Network\custerr.dll");
const EVIL: (&str, &str) = ("HttpCacheModuleEx", r"%windir%\System32\inetsrv\cachehttpex.dll");
const OLD: (&str, &str) = ("LegacyModule", r"%windir%\System32\inetsrv\legacy.dll");

/// Sets a file's modification time (what a folder collection records for it).
fn touch(path: &std::path::Path, secs: u64) {
    let f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.set_modified(UNIX_EPOCH + Duration::from_secs(secs)).unwrap();
}

#[test]
fn snapshots_are_read_dated_and_compared_with_the_one_before_and_the_live_file() {
    let live = apphost(&[LOG, ERR_SWAPPED, EVIL], None);
    let s1 = apphost(&[LOG, ERR, OLD], None);
    let s2 = apphost(&[LOG, ERR], None);
    let s3 = apphost(&[LOG, ERR, EVIL], None);
    let dir = tree(&[
        ("Windows/System32/inetsrv/config/applicationHost.config", &live),
        ("inetpub/history/CFGHISTORY_0000000001/applicationHost.config", &s1),
        ("inetpub/history/CFGHISTORY_0000000002/applicationHost.config", &s2),
        ("inetpub/history/CFGHISTORY_0000000003/applicationHost.config", &s3),
        ("inetpub/history/CFGHISTORY_0000000004/notes.txt", b"no snapshot here"),
    ]);
    // 2023-11-14T10:00:00Z, +1 h, +2 h; the live file +3 h.
    let base = 1_699_956_000;
    for (i, name) in ["0000000001", "0000000002", "0000000003"].iter().enumerate() {
        touch(
            &dir.path().join(format!("inetpub/history/CFGHISTORY_{name}/applicationHost.config")),
            base + 3600 * i as u64,
        );
    }
    touch(&dir.path().join("Windows/System32/inetsrv/config/applicationHost.config"), base + 3 * 3600);
    let r = scan_one(dir.path());

    let h = &r.config_history;
    let names: Vec<&str> = h.iter().map(|s| s.snapshot.as_str()).collect();
    assert_eq!(names, ["CFGHISTORY_0000000001", "CFGHISTORY_0000000002", "CFGHISTORY_0000000003", "live"]);
    assert_eq!(h[0].kind, SnapshotKind::History);
    assert_eq!((h[0].previous.as_deref(), h[0].components), (None, 3));
    assert_eq!(h[0].path.as_str(), r"C:\inetpub\history\CFGHISTORY_0000000001\applicationHost.config");
    assert_eq!(h[0].sha256.as_deref(), Some(inetsift::evidence::hex(&Sha256::digest(&s1)).as_str()));
    assert_eq!(h[0].time_source, SnapshotTimeSource::CollectionFileTime);
    assert_eq!(h[1].time, Timestamp::from_unix_seconds(base as i64 + 3600));
    // 1 -> 2: LegacyModule left; 2 -> 3: the look-alike arrived; 3 -> live: CustomErrorModule repointed.
    let ids = |v: &[inetsift::model::ComponentIdentity]| v.iter().map(|i| i.name.clone()).collect::<Vec<_>>();
    assert_eq!((ids(&h[1].removed), ids(&h[1].added)), (vec!["LegacyModule".to_string()], vec![]));
    assert_eq!(
        (ids(&h[2].added), h[2].previous.as_deref()),
        (vec!["HttpCacheModuleEx".to_string()], Some("CFGHISTORY_0000000002"))
    );
    assert!(h[2].removed.is_empty() && h[2].changed.is_empty());
    assert_eq!(h[3].kind, SnapshotKind::Live);
    assert_eq!(h[3].changed.len(), 1);
    assert_eq!(h[3].changed[0].identity.name, "CustomErrorModule");
    assert_eq!(
        h[3].changed[0].change,
        r"image %windir%\System32\inetsrv\custerr.dll -> C:\ProgramData\Microsoft\Network\custerr.dll"
    );
    assert_eq!(h[3].time, Timestamp::from_unix_seconds(base as i64 + 3 * 3600));
    // The folder without an applicationHost.config is named, not skipped silently.
    assert!(r.warnings.iter().any(|w| w.message.contains("CFGHISTORY_0000000004 holds no applicationHost.config")));

    // Timeline: the arrival, bounded by the two snapshots, linked to the live component.
    let evil = common::component(&r, "global_module", "HttpCacheModuleEx");
    let row = r
        .timeline
        .iter()
        .find(|t| t.source == "IIS config_history" && t.description.contains("HttpCacheModuleEx"))
        .expect("a history row for the look-alike");
    assert_eq!(row.component.as_deref(), Some(evil.id.as_str()));
    assert_eq!(row.timestamp.to_string(), "2023-11-14T12:00:00.0000000Z");
    assert!(row.description.contains("added: in CFGHISTORY_0000000003 (2023-11-14T12:00:00.0000000Z), not so in CFGHISTORY_0000000002 (2023-11-14T11:00:00.0000000Z)"), "{}", row.description);
    assert!(r.coverage.notes.iter().any(|n| n.contains(r"configuration history C:\inetpub\history: 3 snapshots read")));

    // Its lifecycle: added after snapshot 2 and by snapshot 3; with no audit log the method stays unknown.
    let l = evil.lifecycle.as_ref().unwrap();
    let (earliest, latest) = (l.added.earliest.as_ref().unwrap(), l.added.latest.as_ref().unwrap());
    assert_eq!(earliest.time.to_string(), "2023-11-14T11:00:00.0000000Z");
    assert_eq!(earliest.source, "configuration config_history CFGHISTORY_0000000002 (collection_file_time)");
    assert_eq!(latest.time.to_string(), "2023-11-14T12:00:00.0000000Z");
    assert_eq!(latest.position.path(), r"C:\inetpub\history\CFGHISTORY_0000000003\applicationHost.config");
    assert!(l.added.exact.is_none());
    assert_eq!(l.method, inetsift::model::Method::Unknown);
    assert!(l.gaps.iter().any(|g| g.starts_with("no IIS configuration audit log in the evidence")), "{:?}", l.gaps);
    // Added and removed again: still a component, declared where the history last held it.
    let legacy = common::component(&r, "global_module", "LegacyModule");
    assert_eq!(legacy.state, inetsift::model::ComponentState::Historical);
    assert_eq!(legacy.source.path(), r"C:\inetpub\history\CFGHISTORY_0000000001\applicationHost.config");
    let l = legacy.lifecycle.as_ref().unwrap();
    assert_eq!(l.added.latest.as_ref().unwrap().time.to_string(), "2023-11-14T10:00:00.0000000Z");
    assert_eq!(l.removed.as_ref().unwrap().time.to_string(), "2023-11-14T11:00:00.0000000Z");
    assert!(common::rules_of(&r, &legacy.id).contains(&"referenced_file_missing"));
    // The repointed built-in: there since the first snapshot, changed in the live file.
    let err = common::component(&r, "global_module", "CustomErrorModule").lifecycle.as_ref().unwrap();
    assert_eq!(err.added.latest.as_ref().unwrap().time.to_string(), "2023-11-14T10:00:00.0000000Z");
    assert!(err.added.earliest.is_none());
    assert_eq!(err.changed[0].time.to_string(), "2023-11-14T13:00:00.0000000Z");
}

/// A managed module declared in a `<location>` of the default site, or for the whole server.
fn with_managed(mut config: Vec<u8>, in_location: bool) -> Vec<u8> {
    let module = "<modules><add name=\"Telemetry\" type=\"Acme.Telemetry, Acme\" /></modules>";
    let text = String::from_utf8(config.clone()).unwrap();
    let extra = if in_location {
        format!(
            "  <location path=\"Default Web Site\"><system.webServer>{module}</system.webServer></location>\n</configuration>"
        )
    } else {
        format!("  <system.webServer>{module}</system.webServer>\n</configuration>")
    };
    config = text.replace("</configuration>", &extra).into_bytes();
    config
}

#[test]
fn the_history_folder_is_where_config_history_says_and_moves_are_changes() {
    let live = with_managed(apphost(&[LOG], Some(r"D:\iishist")), false);
    let s1 = with_managed(apphost(&[LOG, EVIL], None), true);
    let dir = tree(&[
        ("C/Windows/System32/inetsrv/config/applicationHost.config", &live),
        ("D/iishist/CFGHISTORY_0000000001/applicationHost.config", &s1),
        // The default folder is not read when the configuration names another.
        ("C/inetpub/history/CFGHISTORY_0000000009/applicationHost.config", &s1),
    ]);
    let r = scan_one(dir.path());
    let names: Vec<&str> = r.config_history.iter().map(|s| s.snapshot.as_str()).collect();
    assert_eq!(names, ["CFGHISTORY_0000000001", "live"]);
    assert_eq!(r.config_history[0].path.as_str(), r"D:\iishist\CFGHISTORY_0000000001\applicationHost.config");
    assert_eq!(r.config_history[1].removed.len(), 1);
    assert_eq!(r.config_history[1].removed[0].name, "HttpCacheModuleEx");
    // The managed module moved from the site's <location> to the whole server: a change, not a removal.
    let moved = &r.config_history[1].changed;
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert_eq!(
        (moved[0].identity.name.as_str(), moved[0].identity.scope.as_str()),
        ("Telemetry", "MACHINE/WEBROOT/APPHOST")
    );
    assert_eq!(moved[0].change, "moved from MACHINE/WEBROOT/APPHOST/Default Web Site");
}

#[test]
fn no_history_is_said() {
    let dir = tree(&[("Windows/System32/inetsrv/config/applicationHost.config", &apphost(&[LOG], None))]);
    let r = scan_one(dir.path());
    assert!(r.config_history.is_empty());
    assert!(r.coverage.notes.iter().any(|n| n.contains(r"no configuration history snapshot at C:\inetpub\history")));
}

#[test]
fn in_a_triage_zip_snapshots_are_dated_by_their_zip_entries() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kape.zip");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let entries: [(&str, Vec<u8>, u8); 3] = [
        ("C/Windows/System32/inetsrv/config/applicationHost.config", apphost(&[LOG, EVIL], None), 12),
        ("C/inetpub/history/CFGHISTORY_0000000001/applicationHost.config", apphost(&[LOG], None), 10),
        ("C/inetpub/history/CFGHISTORY_0000000002/applicationHost.config", apphost(&[LOG, EVIL], None), 11),
    ];
    for (name, bytes, hour) in &entries {
        let time = zip::DateTime::from_date_and_time(2023, 11, 14, *hour, 0, 0).unwrap();
        let opts = zip::write::SimpleFileOptions::default().last_modified_time(time);
        w.start_file(*name, opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap();
    let r = scan_one(&path);
    let h = &r.config_history;
    assert_eq!(h.len(), 3);
    assert_eq!(h[1].time_source, SnapshotTimeSource::CollectionFileTime);
    assert_eq!(h[1].time.map(|t| t.to_string()).as_deref(), Some("2023-11-14T11:00:00.0000000Z"));
    assert_eq!(h[1].added[0].name, "HttpCacheModuleEx");
    let l = common::component(&r, "global_module", "HttpCacheModuleEx").lifecycle.clone().unwrap();
    assert_eq!(l.added.earliest.unwrap().time.to_string(), "2023-11-14T10:00:00.0000000Z");
    assert_eq!(l.added.latest.unwrap().time.to_string(), "2023-11-14T11:00:00.0000000Z");
}

#[test]
fn a_history_cut_short_by_max_histories_is_a_gap() {
    let dir = tree(&[
        ("Windows/System32/inetsrv/config/applicationHost.config", &apphost(&[LOG, EVIL], None)),
        ("inetpub/history/CFGHISTORY_0000000005/applicationHost.config", &apphost(&[LOG], None)),
        ("inetpub/history/CFGHISTORY_0000000006/applicationHost.config", &apphost(&[LOG], None)),
    ]);
    let r = scan_one(dir.path());
    let l = common::component(&r, "global_module", "HttpCacheModuleEx").lifecycle.clone().unwrap();
    assert!(
        l.gaps.iter().any(|g| g
            == "the configuration history begins at CFGHISTORY_0000000005: 4 earlier snapshots no longer exist (maxHistories keeps only the newest)"),
        "{:?}",
        l.gaps
    );
}
