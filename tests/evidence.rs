//! Evidence access: folders, zips (KAPE, Velociraptor, protected), safety guards.

mod common;
use common::*;
use inetsift::evidence::{Completeness, Evidence, EvidenceError, OpenOptions, WinPath, ZipLimits};
use std::io::Write;
use zip::write::SimpleFileOptions;

const VR_ZIP: &str = "zips/velociraptor_Collection-WIN-E5K9RC5GU23-2021-11-21T18_05_56-08_00.zip";

fn open(p: &std::path::Path, opts: &OpenOptions) -> Result<Evidence, EvidenceError> {
    Evidence::open("E1", p, opts)
}

#[test]
fn velociraptor_collection_maps_url_encoded_paths_to_drive_c() {
    if !common::have_corpus() {
        return;
    }
    let ev = open(&corpus(VR_ZIP), &OpenOptions::default()).unwrap();
    assert_eq!(ev.source().layout().name(), "velociraptor");
    assert_eq!(ev.source().completeness(), Completeness::Triage);
    assert_eq!(ev.sha256().as_deref(), Some("f1a7c2292874df3436b02206bc90b3be51d400a09a9e49a18541dee03134bb5b"));

    let admin = ev.source().read_dir(&WinPath::parse(r"C:\Users\Administrator")).unwrap();
    let names: Vec<(&str, &str)> = admin.iter().map(|e| (e.name.as_str(), e.path.as_str())).collect();
    assert_eq!(names, vec![("ntuser.dat", r"C:\Users\Administrator\ntuser.dat")]);
    assert_eq!(admin[0].size, 102_400);

    // Case-insensitive, and the ntfs accessor's `\\.\C:` device lands on the same drive.
    let ntuser = ev.read(&WinPath::parse(r"c:\USERS\administrator\NTUSER.DAT"), 1 << 20).unwrap();
    assert_eq!(ntuser.sha256, "72892da885c6a4c64d8a1e5f2369f20f5a1dd4d16fda1d2ed7fb459b96f3ca1a");
    let usn = ev.read(&WinPath::parse(r"C:\$Extend\$UsnJrnl:$J"), 1 << 20).unwrap();
    assert_eq!(usn.bytes.len(), 5120);
    assert_eq!(usn.sha256, "3e9ba2c3610ea0a87889ffe7f36babff9b3524e29690fc4e25ec93858b567abc");

    let roots: Vec<String> = ev.source().roots().unwrap().into_iter().map(|e| e.path.to_string()).collect();
    assert!(roots.contains(&r"C:\".to_string()), "{roots:?}");
    assert!(roots.contains(&"collection_context.json".to_string()), "{roots:?}");
    // Files read are logged with their hash, for provenance.
    let read: Vec<String> = ev.files_read().into_iter().map(|r| r.path.to_string()).collect();
    assert_eq!(read, vec![r"C:\$Extend\$UsnJrnl:$J".to_string(), r"C:\Users\Administrator\ntuser.dat".to_string()]);
}

#[test]
fn velociraptor_collection_scans_without_iis() {
    if !common::have_corpus() {
        return;
    }
    let r = scan_one(&corpus(VR_ZIP));
    assert!(r.components.is_empty());
    let ah = r.coverage.artifacts.iter().find(|a| a.artifact == "applicationHost.config").unwrap();
    assert_eq!(ah.status.as_str(), "not_collected");
    assert_eq!(ah.path.as_str(), r"C:\Windows\System32\inetsrv\config\applicationHost.config");
}

#[test]
fn password_protected_velociraptor_collection() {
    if !common::have_corpus() {
        return;
    }
    let p = corpus("zips/velociraptor_encrypted_collector_password.zip");
    let err = open(&p, &OpenOptions::default()).err().expect("needs a password");
    assert!(matches!(err, EvidenceError::PasswordRequired { .. }));
    let msg = err.to_string();
    assert!(msg.contains("velociraptor_encrypted_collector_password.zip") && msg.contains("--zip-password"), "{msg}");

    let wrong = OpenOptions { zip_password: Some("nope".into()), ..OpenOptions::default() };
    assert!(matches!(open(&p, &wrong), Err(EvidenceError::WrongPassword { .. })));

    let right = OpenOptions { zip_password: Some("hello".into()), ..OpenOptions::default() };
    let ev = open(&p, &right).unwrap();
    assert!(ev.notes.iter().any(|n| n.contains("data.zip")), "{:?}", ev.notes);
    let info = ev.read(&WinPath::parse(r"Generic.Client.Info\BasicInformation.json"), 1 << 20).unwrap();
    // Decrypted with the password and inflated twice (outer AES entry, inner deflate): real JSON comes out.
    assert_eq!(info.sha256, "835c9e401f757dfda7bcc2ac7dd51546284f96bcd5f1d2e9b77e699415da33b0");
    let json: serde_json::Value = serde_json::from_slice(&info.bytes).unwrap();
    assert_eq!(json["Hostname"], "DESKTOP-SU8FH31");
    assert_eq!(json["BuildTime"], "2022-10-10T07:34:08+10:00");
}

#[test]
fn certificate_encrypted_collection_is_named_as_such() {
    if !common::have_corpus() {
        return;
    }
    let p = corpus("zips/velociraptor_encrypted_collector_pki.zip");
    let err = open(&p, &OpenOptions { zip_password: Some("hello".into()), ..OpenOptions::default() }).err().unwrap();
    assert!(matches!(&err, EvidenceError::CertificateEncrypted { scheme, .. } if scheme == "X509"), "{err}");
}

fn write_zip(path: &std::path::Path, entries: &[(&str, &[u8])], password: Option<&str>) {
    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, data) in entries {
        let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        match password {
            Some(pw) => w.start_file(*name, opts.with_aes_encryption(zip::AesMode::Aes256, pw)).unwrap(),
            None => w.start_file(*name, opts).unwrap(),
        }
        w.write_all(data).unwrap();
    }
    w.finish().unwrap();
}

#[test]
fn aes_encrypted_kape_zip_opens_with_its_password() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("kape.zip");
    let cfg = b"<configuration><system.webServer><globalModules><add name=\"X\" image=\"C:\\x.dll\"/></globalModules></system.webServer></configuration>";
    write_zip(&p, &[("C/Windows/System32/inetsrv/config/applicationHost.config", cfg)], Some("infected"));
    assert!(matches!(open(&p, &OpenOptions::default()), Err(EvidenceError::PasswordRequired { .. })));
    let opts = OpenOptions { zip_password: Some("infected".into()), ..OpenOptions::default() };
    let r = inetsift::scan::scan(&[p], &opts).unwrap();
    assert_eq!(r.components.len(), 1);
    assert_eq!(r.components[0].name, "X");
}

#[test]
fn the_zip_password_never_appears_in_a_debug_print_or_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("kape.zip");
    let cfg = b"<configuration><system.webServer><globalModules><add name=\"X\" image=\"C:\\x.dll\"/></globalModules></system.webServer></configuration>";
    write_zip(&p, &[("C/Windows/System32/inetsrv/config/applicationHost.config", cfg)], Some("Hunter2-secret"));
    let opts = OpenOptions { zip_password: Some("Hunter2-secret".into()), ..OpenOptions::default() };
    let shown = format!("{opts:?} {:?}", inetsift::scan::ScanOptions { open: opts.clone(), ..Default::default() });
    assert!(!shown.contains("Hunter2") && shown.contains("<redacted>"), "{shown}");
    let wrong = OpenOptions { zip_password: Some("Wrong-secret".into()), ..OpenOptions::default() };
    let err = open(&p, &wrong).err().unwrap();
    assert!(!format!("{err} {err:?}").contains("Wrong-secret"));
    let r = inetsift::scan::scan(&[p], &opts).unwrap();
    let mut out = Vec::new();
    inetsift::report::json::write(&r, &mut out).unwrap();
    inetsift::report::table::write(&r, Default::default(), &mut out).unwrap();
    assert!(!String::from_utf8_lossy(&out).contains("Hunter2"));
}

#[test]
fn zip_bombs_stop_at_the_limits() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bomb.zip");
    let zeros = vec![0u8; 8 * 1024 * 1024];
    write_zip(&p, &[("C/a.bin", &zeros), ("C/b.bin", &zeros[..600 * 1024]), ("C/c.bin", &zeros[..600 * 1024])], None);
    assert!(std::fs::metadata(&p).unwrap().len() < 100 * 1024, "deflated zeros are tiny");
    let limits = ZipLimits { max_entry: 1024 * 1024, max_total: 1024 * 1024 };
    let ev = open(&p, &OpenOptions { zip_limits: limits, ..OpenOptions::default() }).unwrap();
    let err = ev.read(&WinPath::parse(r"C:\a.bin"), u64::MAX).unwrap_err();
    assert!(matches!(err, EvidenceError::TooLarge { size: 8388608, limit: 1048576, .. }), "{err}");
    assert!(err.to_string().contains(r"C:\a.bin"));
    ev.read(&WinPath::parse(r"C:\b.bin"), u64::MAX).unwrap();
    let err = ev.read(&WinPath::parse(r"C:\c.bin"), u64::MAX).unwrap_err();
    assert!(matches!(err, EvidenceError::InflationLimit { .. }), "{err}");
}

#[test]
fn zip_slip_entries_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("slip.zip");
    write_zip(&p, &[("../../evil.dll", b"MZ"), ("/abs.dll", b"MZ"), ("C/Windows/ok.txt", b"ok")], None);
    let ev = open(&p, &OpenOptions::default()).unwrap();
    assert!(
        ev.problems.iter().any(|n| n.contains("../../evil.dll") && n.contains("outside the evidence")),
        "{:?}",
        ev.problems
    );
    assert!(ev.problems.iter().any(|n| n.contains("/abs.dll")));
    // And the scan says so in its warnings.
    let r = scan_one(&p);
    assert_eq!(r.warnings.len(), 2, "{:#?}", r.warnings);
    assert!(r.warnings.iter().all(|w| w.position.evidence == "E1" && w.message.contains("refused")));
    let all: Vec<String> = ev.source().roots().unwrap().into_iter().map(|e| e.path.to_string()).collect();
    assert_eq!(all, vec![r"C:\".to_string()]);
    assert!(ev.file_exists(&WinPath::parse(r"C:\Windows\ok.txt")));
    assert!(!ev.file_exists(&WinPath::parse("evil.dll")));
}

#[test]
fn kape_zip_inside_a_top_folder_maps_to_drives() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("kape.zip");
    write_zip(
        &p,
        &[("2026-11-01T101010_KapeTriage/C/Windows/System32/drivers/etc/hosts", b"127.0.0.1 localhost")],
        None,
    );
    let ev = open(&p, &OpenOptions::default()).unwrap();
    assert_eq!(ev.source().layout().name(), "drive_folders");
    let hosts = ev.read(&WinPath::parse(r"C:\Windows\System32\drivers\etc\hosts"), 1024).unwrap();
    assert_eq!(hosts.bytes, b"127.0.0.1 localhost");
}

#[test]
fn kape_folder_is_case_insensitive() {
    let dir = tree(&[("C/Windows/System32/inetsrv/config/applicationHost.config", b"<configuration/>")]);
    let ev = open(dir.path(), &OpenOptions::default()).unwrap();
    assert_eq!(ev.source().layout().name(), "drive_folders");
    assert_eq!(ev.source().completeness(), Completeness::Triage);
    assert!(ev.file_exists(&WinPath::parse(r"c:\WINDOWS\system32\INETSRV\Config\APPLICATIONHOST.CONFIG")));
    assert!(!ev.file_exists(&WinPath::parse(r"D:\Windows\System32\inetsrv\config\applicationHost.config")));
}

#[test]
fn admin_share_copy_maps_to_its_drive() {
    let dir = tree(&[("D$/Windows/System32/inetsrv/config/applicationHost.config", b"<configuration/>")]);
    let ev = open(&dir.path().join("D$"), &OpenOptions::default()).unwrap();
    assert_eq!(ev.source().layout().name(), "volume_root");
    assert_eq!(ev.source().completeness(), Completeness::FullVolume);
    assert!(ev.file_exists(&WinPath::parse(r"D:\Windows\System32\inetsrv\config\applicationHost.config")));
}

#[test]
fn unzipped_velociraptor_folder_decodes_names() {
    let dir =
        tree(&[("uploads/auto/C%3A/Windows/System32/inetsrv/config/applicationHost.config", b"<configuration/>")]);
    let ev = open(dir.path(), &OpenOptions::default()).unwrap();
    assert_eq!(ev.source().layout().name(), "velociraptor");
    assert!(ev.file_exists(&WinPath::parse(r"C:\Windows\System32\inetsrv\config\applicationHost.config")));
}

#[test]
fn missing_evidence_is_an_error_naming_it() {
    let err = open(std::path::Path::new("/nonexistent/evidence.zip"), &OpenOptions::default()).err().unwrap();
    assert!(err.to_string().contains("/nonexistent/evidence.zip"));
}

#[test]
fn a_second_copy_of_a_windows_path_in_a_zip_is_said_loudly() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("kape.zip");
    let cfg = "C/Windows/System32/inetsrv/config/applicationHost.config";
    let planted = br#"<configuration><system.webServer><globalModules><add name="Hidden" image="C:\x.dll"/></globalModules></system.webServer></configuration>"#;
    write_zip(&p, &[(cfg, b"<configuration/>"), (&cfg.to_uppercase(), planted)], None);
    let ev = open(&p, &OpenOptions::default()).unwrap();
    assert_eq!(ev.problems.len(), 1, "{:?}", ev.problems);
    let msg = &ev.problems[0];
    assert!(msg.contains(&format!("{:?} ({} bytes)", cfg.to_uppercase(), planted.len())), "{msg}");
    assert!(
        msg.contains(r"(16 bytes): C:\Windows\System32\inetsrv\config\applicationHost.config is read from the first")
    );
    // And it reaches the result as a warning naming the zip.
    let r = common::scan_one(&p);
    assert!(r.warnings.iter().any(|w| w.message.contains("the second is not analysed")), "{:?}", r.warnings);
}

#[test]
fn a_collection_zipped_again_is_opened_and_other_inner_zips_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let inner = dir.path().join("inner.zip");
    let cfg = br#"<configuration><system.webServer><globalModules><add name="Inner" image="%windir%\System32\inetsrv\inner.dll"/></globalModules></system.webServer></configuration>"#;
    write_zip(&inner, &[("C/Windows/System32/inetsrv/config/applicationHost.config", cfg)], None);
    let inner_bytes = std::fs::read(&inner).unwrap();
    // The collection as the one entry of another zip: read through.
    let outer = dir.path().join("mailed.zip");
    write_zip(&outer, &[("KAPE-WEB01.zip", &inner_bytes)], None);
    let r = common::scan_one(&outer);
    assert!(r.evidence[0].notes.iter().any(|n| n == "a zip inside the zip: read the collection inside KAPE-WEB01.zip"));
    assert!(r.components.iter().any(|c| c.name == "Inner"));
    // A zip among the collection's files is not opened, and the result says so.
    let mixed = dir.path().join("mixed.zip");
    write_zip(
        &mixed,
        &[("C/Windows/System32/inetsrv/config/applicationHost.config", cfg), ("C/Users/a/old.zip", &inner_bytes)],
        None,
    );
    let r = common::scan_one(&mixed);
    let w: Vec<&str> = r.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(
        w.iter().any(|m| m.starts_with(r"C:\Users\a\old.zip is a zip inside the collection: it is not opened")),
        "{w:?}"
    );
}

/// A file given alone is hashed whole once: by its own whole read when the scan makes one (a large event log is
/// not read twice), else on first ask; a partial read never stands for the whole file.
#[test]
fn single_file_evidence_hash_is_the_whole_files() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("applicationHost.config");
    let text = "<configuration><system.webServer><globalModules>\
                <add name=\"X\" image=\"C:\\x.dll\" /></globalModules></system.webServer></configuration>";
    std::fs::write(&path, text).unwrap();
    let want = inetsift::evidence::hex(&Sha256::digest(text.as_bytes()));
    let file = WinPath::parse("applicationHost.config");

    // A read cut short (limit 10 bytes) is refused and says nothing of the whole file.
    let ev = open(&path, &OpenOptions::default()).unwrap();
    assert!(ev.read(&file, 10).is_err());
    assert_eq!(ev.sha256().as_deref(), Some(want.as_str()));

    // A whole read's hash is the evidence's.
    let ev = open(&path, &OpenOptions::default()).unwrap();
    assert_eq!(ev.read(&file, 1 << 20).unwrap().sha256, want);
    assert_eq!(ev.sha256().as_deref(), Some(want.as_str()));
    assert_eq!(ev.files_read().len(), 1);
}

/// Velociraptor writes every entry with its sizes after its data (a data descriptor); cut such a collection
/// before its central directory and every entry is still found, the encrypted `data.zip` of a protected one too.
#[test]
fn cut_velociraptor_collections_are_read_from_their_local_headers() {
    if !common::have_corpus() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cut = |name: &str, drop: usize| {
        let full = std::fs::read(corpus(&format!("zips/{name}"))).unwrap();
        let p = dir.path().join(name);
        std::fs::write(&p, &full[..full.len() - drop]).unwrap();
        p
    };
    let p = cut("velociraptor_Collection-WIN-E5K9RC5GU23-2021-11-21T18_05_56-08_00.zip", 30);
    let ev = open(&p, &OpenOptions::default()).unwrap();
    let said = ev.problems.join("\n");
    assert!(said.contains("25 entries read again from their local headers"), "{said}");
    let whole = open(
        &corpus("zips/velociraptor_Collection-WIN-E5K9RC5GU23-2021-11-21T18_05_56-08_00.zip"),
        &OpenOptions::default(),
    )
    .unwrap();
    let j = WinPath::parse(r"C:\$Extend\$UsnJrnl:$J");
    assert_eq!(ev.read(&j, 1 << 24).unwrap().sha256, whole.read(&j, 1 << 24).unwrap().sha256);

    let p = cut("velociraptor_encrypted_collector_password.zip", 30);
    let right = OpenOptions { zip_password: Some("hello".into()), ..OpenOptions::default() };
    let ev = open(&p, &right).unwrap();
    assert!(ev.problems.iter().any(|m| m.contains("1 entry read again")), "{:?}", ev.problems);
    let info = ev.read(&WinPath::parse(r"Generic.Client.Info\BasicInformation.json"), 1 << 20).unwrap();
    assert_eq!(info.sha256, "835c9e401f757dfda7bcc2ac7dd51546284f96bcd5f1d2e9b77e699415da33b0");
}
