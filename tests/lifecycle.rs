//! Lifecycles and verdicts on the sample and the image fixtures: when, how and by whom each planted component
//! arrived, and the one verdict an analyst reads first.

mod common;

use common::{repo, scan_one};
use inetsift::model::{Method, VerdictLevel};

fn global<'a>(r: &'a inetsift::model::ScanResult, name: &str) -> &'a inetsift::model::Component {
    r.components.iter().find(|c| c.kind.as_str() == "global_module" && c.name == name).unwrap()
}

#[test]
fn the_sample_answers_which_when_how_and_by_whom() {
    let r = scan_one(&repo("samples/iis-compromised-kape.zip"));
    // The look-alike: installed with appcmd, audited to the 100 ns, by the svc_backup account.
    let m = global(&r, "HttpCacheModuleEx");
    let (l, v) = (m.lifecycle.as_ref().unwrap(), m.verdict.as_ref().unwrap());
    assert_eq!(v.level, VerdictLevel::Malicious);
    assert_eq!(v.reasons[..3], ["fake_microsoft_signer", "host_trusted_root_only", "lookalike_name"]);
    assert_eq!(l.method, Method::Appcmd);
    let exact = l.added.exact.as_ref().unwrap();
    assert_eq!(exact.time.to_string(), "2023-11-14T22:02:05.4310000Z");
    assert_eq!(exact.source, "Microsoft-IIS-Configuration/Operational 29 record 1");
    assert_eq!(exact.position.record, Some(1));
    let actor = l.actor.as_ref().unwrap();
    assert_eq!(actor.sid.as_deref(), Some("S-1-5-21-3623811015-3361044348-30300820-1104"));
    assert_eq!(actor.account.as_deref(), Some(r"CORP\svc_backup"));
    assert!(l.gaps.iter().any(|g| g.starts_with("no configuration history snapshot")));

    // The built-in module repointed at ProgramData with PowerShell: the change is dated, the add is the install's.
    let e = global(&r, "CustomErrorModule");
    let (l, v) = (e.lifecycle.as_ref().unwrap(), e.verdict.as_ref().unwrap());
    assert_eq!((v.level, l.method), (VerdictLevel::Malicious, Method::Powershell));
    assert_eq!(l.changed[0].time.to_string(), "2023-11-14T22:03:41.1180000Z");
    assert_eq!(l.changed[0].source, "Microsoft-IIS-Configuration/Operational 29 record 4");

    // Built-ins are expected and dated to the install.
    let logging = global(&r, "HttpLoggingModule");
    let l = logging.lifecycle.as_ref().unwrap();
    assert_eq!((logging.verdict.as_ref().unwrap().level, l.method), (VerdictLevel::Expected, Method::Installer));
    assert_eq!(
        l.added.inferences,
        ["declared by the IIS install (InetStp key last written 2023-03-01T09:41:00.0000000Z)"]
    );

    // Every planted component stands out; nothing else does.
    let mut flagged: Vec<(String, &str)> = r
        .components
        .iter()
        .filter(|c| c.verdict.as_ref().unwrap().level != VerdictLevel::Expected)
        .map(|c| (c.name.clone(), c.verdict.as_ref().unwrap().level.as_str()))
        .collect();
    flagged.sort();
    assert_eq!(
        flagged,
        [
            ("CustomErrorModule".to_string(), "malicious"),
            ("DefaultDocumentModule_Atomic".to_string(), "suspicious"),
            ("HttpCacheModuleEx".to_string(), "malicious"),
            ("SessionAuthHelper".to_string(), "unusual"),
            ("SessionFilter".to_string(), "malicious"),
            ("SessionFilter".to_string(), "malicious"),
            ("TokenAuthorization".to_string(), "suspicious"),
        ]
    );
}

#[test]
fn the_first_screen_of_the_table_names_every_planted_component_with_its_verdict() {
    let r = scan_one(&repo("samples/iis-compromised-kape.zip"));
    let mut out = Vec::new();
    inetsift::report::table::write(&r, Default::default(), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let first: String = text.lines().take(60).collect::<Vec<_>>().join("\n");
    assert!(first.contains("Verdict: 7 of 48 components do not belong or need a look"), "{first}");
    for name in ["C0012", "C0025", "C0029", "C0030", "C0032", "C0047", "C0048"] {
        assert!(first.contains(name), "{name} not on the first screen");
    }
    assert!(first.contains("2023-11-14T22:02:05.4310000Z"));
    assert!(text.contains("IIS component timeline"));
}

#[test]
fn on_an_image_the_look_alikes_file_arrival_is_its_file_name_creation() {
    let dir = common::unpack("tests/fixtures/images/iis-host-images.zip");
    let r = scan_one(&dir.path().join("mbr.raw"));
    let m = global(&r, "HttpCacheModuleEx");
    let arrived = m.lifecycle.as_ref().unwrap().file_arrived.as_ref().expect("NTFS facts give the arrival");
    assert_eq!(arrived.source, "$FILE_NAME created");
    // $SI was set back to 2019 (timestomped); the arrival is the $FILE_NAME time, which tools do not reach.
    assert!(arrived.time > inetsift::model::Timestamp::parse_rfc3339("2019-03-05T10:11:12Z").unwrap());
    let file = r.coverage.files_read.iter().find(|f| f.path.as_str().ends_with("cachehttpex.dll")).unwrap();
    let fname = file.ntfs.as_ref().unwrap().primary_name().unwrap();
    assert_eq!(arrived.time.to_string(), fname.times.created);
    assert_eq!(arrived.position.mft_entry, Some(file.ntfs.as_ref().unwrap().mft_entry));
    assert_eq!(m.verdict.as_ref().unwrap().level, VerdictLevel::Malicious);
    assert!(m.verdict.as_ref().unwrap().reasons.contains(&"ntfs_si_before_fn"));
}

#[test]
fn on_an_image_folders_have_ntfs_facts_that_date_history_snapshots() {
    // The history collector dates a snapshot by its folder's $FILE_NAME creation: folders have NTFS facts too.
    let dir = common::unpack("tests/fixtures/images/iis-host-images.zip");
    let ev = inetsift::evidence::Evidence::open("E1", &dir.path().join("gpt.vhdx"), &Default::default()).unwrap();
    let folder = ev.ntfs_facts(&inetsift::model::WinPath::parse(r"C:\Windows\System32\inetsrv")).expect("folder facts");
    let name = folder.primary_name().unwrap();
    assert_eq!(name.name, "inetsrv");
    assert!(inetsift::model::Timestamp::from_filetime(name.times.raw[0]).is_some());
}
