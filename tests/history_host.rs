//! The history host (tests/fixtures/history, made by its make.py): four components arrived in four ways, and
//! the answers — bounds, method, actor, gaps, verdicts — are the same from the triage zip and from the same
//! files as a folder.

mod common;

use common::{repo, scan_one};
use inetsift::model::{Method, ScanResult, VerdictLevel};
use sha2::{Digest, Sha256};
use std::path::Path;

const ZIP: &str = "tests/fixtures/history/history-host.zip";

#[test]
fn the_fixture_is_the_committed_one() {
    let sums = std::fs::read_to_string(repo("tests/fixtures/history/SHA256SUMS")).unwrap();
    let line = |name: &str| {
        let bytes = std::fs::read(repo(&format!("tests/fixtures/history/{name}"))).unwrap();
        format!("{}  {name}\n", inetsift::evidence::hex(&Sha256::digest(bytes)))
    };
    assert_eq!(sums, line("history-host.zip") + &line("history-host-image.zip") + &line("history-host-mft.zip"));
}

/// The answer for one global module: verdict, method, account, earliest, latest (times as text).
fn answer(r: &ScanResult, name: &str) -> (VerdictLevel, Method, Option<String>, Option<String>, Option<String>) {
    let c = r.components.iter().find(|c| c.kind.as_str() == "global_module" && c.name == name).unwrap();
    let l = c.lifecycle.as_ref().unwrap();
    (
        c.verdict.as_ref().unwrap().level,
        l.method,
        l.actor.as_ref().and_then(|a| a.account.clone()),
        l.added.earliest.as_ref().map(|b| b.time.to_string()),
        l.added.latest.as_ref().map(|b| b.time.to_string()),
    )
}

/// The answers every form must give. On a whole volume the stock modules' DLLs are missing (the fixture holds
/// none), which is a finding of its own, so their verdict is not compared there.
fn check(r: &ScanResult, whole_volume: bool, ntfs: bool) {
    let t = |s: &str| Some(format!("2024-02-10T{s}.0000000Z"));
    let svc = Some(r"CORP\svc_backup".to_string());
    assert_eq!(
        answer(r, "HttpCacheModuleEx"),
        (VerdictLevel::Malicious, Method::Appcmd, svc.clone(), t("09:00:00"), t("10:00:00"))
    );
    assert_eq!(
        answer(r, "UrlAuthModule"),
        (VerdictLevel::Malicious, Method::HandEdit, svc.clone(), t("10:00:00"), t("11:00:00"))
    );
    // Timestomped on the NTFS forms (the look of a planted file), not on the others (no NTFS facts).
    let late_level = if ntfs { VerdictLevel::Malicious } else { VerdictLevel::Suspicious };
    assert_eq!(answer(r, "CacheTokenModule"), (late_level, Method::HandEdit, None, t("11:00:00"), t("12:00:00")));
    let logging = answer(r, "HttpLoggingModule");
    assert_eq!((logging.1, logging.2, logging.3, logging.4), (Method::Installer, None, None, t("09:00:00")));
    if !whole_volume {
        assert_eq!(logging.0, VerdictLevel::Expected);
    }

    let global = |n: &str| r.components.iter().find(|c| c.kind.as_str() == "global_module" && c.name == n).unwrap();
    let appcmd = global("HttpCacheModuleEx").lifecycle.clone().unwrap();
    assert_eq!(appcmd.added.exact.unwrap().time.to_string(), "2024-02-10T09:30:05.1020000Z");
    let notepad = global("UrlAuthModule").lifecycle.clone().unwrap();
    let editor = r"an editor opened its configuration file at 2024-02-10T10:40:12.0000310Z (Security 4688 record 7002, user CORP\svc_backup): the likely moment of a hand edit";
    assert!(notepad.added.inferences.iter().any(|i| i == editor), "{:?}", notepad.added.inferences);
    // Only the component added after the history service was stopped has that stop among its gaps.
    let late = global("CacheTokenModule").lifecycle.clone().unwrap();
    assert!(late.gaps.iter().any(|g| g.contains("(System 7036 record 9101)")), "{:?}", late.gaps);
    assert!(late.gaps.iter().any(|g| g.contains("(Security 4688 record 7003)")));
    assert!(!notepad.gaps.iter().any(|g| g.contains("record 9101")));
    let web = r.components.iter().find(|c| c.name == "TelemetryModule").unwrap().lifecycle.clone().unwrap();
    assert!(web.gaps.iter().any(|g| g.starts_with("declared in a web.config")));
    assert!(r.findings.iter().any(|f| f.rule == "evtx_iis_service_tampering" && f.source.record == Some(7003)));
    // The SOFTWARE hive's ProfileList names the accounts by SID.
    let profiles = &r.registry.installations[0].profiles;
    assert_eq!(profiles.get("S-1-5-21-3623811015-3361044348-30300820-1104").map(String::as_str), Some("svc_backup"));
}

#[test]
fn the_triage_zip_gives_every_components_arrival() {
    check(&scan_one(&repo(ZIP)), false, false);
}

#[test]
fn the_same_files_as_a_folder_give_the_same_answers() {
    // Unpacked the way a collection tool copies files: each keeps its recorded modification time.
    let dir = tempfile::tempdir().unwrap();
    let mut z = zip::ZipArchive::new(std::fs::File::open(repo(ZIP)).unwrap()).unwrap();
    for i in 0..z.len() {
        let mut entry = z.by_index(i).unwrap();
        let path = dir.path().join(entry.name());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut out = std::fs::File::create(&path).unwrap();
        std::io::copy(&mut entry, &mut out).unwrap();
        let t = entry.last_modified().unwrap();
        let secs = chrono_secs(t.year(), t.month(), t.day(), t.hour(), t.minute());
        out.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs)).unwrap();
    }
    let folder = scan_one(Path::new(&dir.path()));
    check(&folder, false, false);
    let zipped = scan_one(&repo(ZIP));
    let snaps = |r: &ScanResult| r.config_history.iter().map(|s| (s.snapshot.clone(), s.time)).collect::<Vec<_>>();
    assert_eq!(snaps(&folder), snaps(&zipped));
}

/// Seconds since 1970 of a UTC date and time.
fn chrono_secs(y: u16, mo: u8, d: u8, h: u8, mi: u8) -> u64 {
    let date = chrono::NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(d)).unwrap();
    date.and_hms_opt(u32::from(h), u32::from(mi), 0).unwrap().and_utc().timestamp() as u64
}

#[test]
fn the_same_host_on_an_ntfs_volume_gives_the_same_answers_and_file_arrivals() {
    let dir = common::unpack("tests/fixtures/history/history-host-image.zip");
    let r = scan_one(&dir.path().join("volume.raw"));
    check(&r, true, true);
    ntfs_answers(&r);
}

#[test]
fn the_triage_zip_with_the_volumes_mft_gives_the_images_answers() {
    let r = scan_one(&repo("tests/fixtures/history/history-host-mft.zip"));
    check(&r, false, true);
    ntfs_answers(&r);
}

/// What NTFS facts add, from an image or a collected $MFT alike.
fn ntfs_answers(r: &ScanResult) {
    // Snapshots dated by their folders' $FILE_NAME creation, the live file by its modification.
    let sources: Vec<&str> = r.config_history.iter().map(|s| s.time_source.as_str()).collect();
    assert_eq!(sources, ["ntfs_folder_created", "ntfs_folder_created", "ntfs_folder_created", "ntfs_file_modified"]);
    let arrived = |n: &str| {
        let c = r.components.iter().find(|c| c.kind.as_str() == "global_module" && c.name == n).unwrap();
        c.lifecycle.as_ref().unwrap().file_arrived.as_ref().map(|b| b.time.to_string())
    };
    assert_eq!(arrived("HttpCacheModuleEx").as_deref(), Some("2024-02-10T09:29:00.0000000Z"));
    assert_eq!(arrived("UrlAuthModule").as_deref(), Some("2024-02-10T10:39:00.0000000Z"));
    // The module removed before the live file: a historical component whose deleted DLL's record remains.
    let legacy =
        r.components.iter().find(|c| c.kind.as_str() == "global_module" && c.name == "LegacyAuthModule").unwrap();
    assert_eq!(legacy.state, inetsift::model::ComponentState::Historical);
    let l = legacy.lifecycle.as_ref().unwrap();
    let deleted = l.file_arrived.as_ref().unwrap();
    assert_eq!(deleted.time.to_string(), "2024-02-10T08:50:00.0000000Z");
    assert!(deleted.source.starts_with("$FILE_NAME created (the file is deleted; MFT entry "), "{}", deleted.source);
    assert_eq!(l.removed.as_ref().unwrap().time.to_string(), "2024-02-10T10:00:00.0000000Z");
    // Its $SI says 2019; its arrival is the $FILE_NAME time, which timestomping does not reach.
    assert_eq!(arrived("CacheTokenModule").as_deref(), Some("2024-02-10T11:44:00.0000000Z"));
    let late =
        r.components.iter().find(|c| c.kind.as_str() == "global_module" && c.name == "CacheTokenModule").unwrap();
    assert!(late.verdict.as_ref().unwrap().reasons.contains(&"ntfs_si_before_fn"));
}

#[test]
fn the_first_screen_names_each_arrival_with_its_bounds_and_method() {
    let r = scan_one(&repo(ZIP));
    let mut out = Vec::new();
    inetsift::report::table::write(&r, Default::default(), &mut out).unwrap();
    let first: String = String::from_utf8(out).unwrap().lines().take(45).collect::<Vec<_>>().join("\n");
    for text in ["HttpCacheModuleE", "UrlAuthModule", "CacheTokenModule", "TelemetryModule", "hand_edit", "appcmd"] {
        assert!(first.contains(text), "{text} not on the first screen:\n{first}");
    }
    assert!(first.contains("IIS component timeline"), "{first}");
}
