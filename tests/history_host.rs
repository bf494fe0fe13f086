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
    let sha = inetsift::evidence::hex(&Sha256::digest(std::fs::read(repo(ZIP)).unwrap()));
    assert_eq!(sums, format!("{sha}  history-host.zip\n"));
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

fn check(r: &ScanResult) {
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
    assert_eq!(
        answer(r, "CacheTokenModule"),
        (VerdictLevel::Suspicious, Method::HandEdit, None, t("11:00:00"), t("12:00:00"))
    );
    assert_eq!(answer(r, "HttpLoggingModule"), (VerdictLevel::Expected, Method::Installer, None, None, t("09:00:00")));

    let global = |n: &str| r.components.iter().find(|c| c.kind.as_str() == "global_module" && c.name == n).unwrap();
    let appcmd = global("HttpCacheModuleEx").lifecycle.clone().unwrap();
    assert_eq!(appcmd.added.exact.unwrap().time.to_string(), "2024-02-10T09:30:05.1020000Z");
    let notepad = global("UrlAuthModule").lifecycle.clone().unwrap();
    assert_eq!(
        notepad.added.inferences,
        [
            r"an editor opened its configuration file at 2024-02-10T10:40:12.0000310Z (Security 4688 record 7002, user CORP\svc_backup): the likely moment of a hand edit"
        ]
    );
    // Only the component added after the history service was stopped has that stop among its gaps.
    let late = global("CacheTokenModule").lifecycle.clone().unwrap();
    assert!(late.gaps.iter().any(|g| g.contains("(System 7036 record 9101)")), "{:?}", late.gaps);
    assert!(late.gaps.iter().any(|g| g.contains("(Security 4688 record 7003)")));
    assert!(!notepad.gaps.iter().any(|g| g.contains("record 9101")));
    let web = r.components.iter().find(|c| c.name == "TelemetryModule").unwrap().lifecycle.clone().unwrap();
    assert!(web.gaps.iter().any(|g| g.starts_with("declared in a web.config")));
    assert!(r.findings.iter().any(|f| f.rule == "evtx_iis_service_tampering" && f.source.record == Some(7003)));
}

#[test]
fn the_triage_zip_gives_every_components_arrival() {
    check(&scan_one(&repo(ZIP)));
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
    check(&folder);
    let zipped = scan_one(&repo(ZIP));
    let snaps = |r: &ScanResult| r.config_history.iter().map(|s| (s.snapshot.clone(), s.time)).collect::<Vec<_>>();
    assert_eq!(snaps(&folder), snaps(&zipped));
}

/// Seconds since 1970 of a UTC date and time.
fn chrono_secs(y: u16, mo: u8, d: u8, h: u8, mi: u8) -> u64 {
    let date = chrono::NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(d)).unwrap();
    date.and_hms_opt(u32::from(h), u32::from(mi), 0).unwrap().and_utc().timestamp() as u64
}
