//! The case folder (`scan --out`), opened by its real consumers: `sha256sum -c` on the manifest, a strict HTML5
//! parser (html5lib) and headless Chromium on the report, Python's csv module on the CSV files, a JSON parser on
//! the JSON and JSONL; two runs with `SOURCE_DATE_EPOCH` compared byte for byte; hostile names made inert.

mod common;

use common::{consumer, python_with, repo};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// 2026-12-01T00:00:00Z.
const EPOCH: &str = "1796083200";

/// Runs inetsift in `cwd` (so relative paths on its command line are the same in every run).
fn run(cwd: &Path, args: &[&str], epoch: Option<&str>) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_inetsift"));
    cmd.current_dir(cwd).args(args).env_remove("SOURCE_DATE_EPOCH");
    if let Some(e) = epoch {
        cmd.env("SOURCE_DATE_EPOCH", e);
    }
    cmd.output().expect("runs")
}

fn ok(out: std::process::Output) -> std::process::Output {
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    out
}

/// Every file of a folder by name.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect()
}

/// The sample's case folder, written by a run in a fresh folder with `--out case`.
fn sample_case(epoch: Option<&str>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let sample = repo("samples/iis-compromised-kape.zip").display().to_string();
    ok(run(
        dir.path(),
        &["scan", &sample, "--out", "case", "--case", "IR-2026-042", "--examiner", "A. Analyst", "--notes", "node 2"],
        epoch,
    ));
    let case = dir.path().join("case");
    (dir, case)
}

#[test]
fn the_case_folder_holds_every_output_and_its_manifest_verifies_with_sha256sum() {
    let (_keep, case) = sample_case(Some(EPOCH));
    let names: Vec<String> = files(&case).into_keys().collect();
    assert_eq!(
        names,
        [
            "MANIFEST.sha256",
            "components.csv",
            "findings.csv",
            "report.html",
            "result.json",
            "timeline.body",
            "timeline.csv",
            "timeline.jsonl"
        ]
    );
    let manifest = std::fs::read_to_string(case.join("MANIFEST.sha256")).unwrap();
    assert_eq!(manifest.lines().count(), 7, "every file but the manifest itself");
    let out = Command::new("sha256sum").arg("-c").arg("MANIFEST.sha256").current_dir(&case).output();
    if consumer("sha256sum", out.is_ok()) {
        let out = out.unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
        assert_eq!(String::from_utf8_lossy(&out.stdout).matches(": OK").count(), 7);
    }
    // Every file opens in its consumer as it is: the bodyfile in mactime, the JSON files in a JSON parser.
    let mactime =
        Command::new("mactime").args(["-b", "timeline.body", "-d", "-y", "-z", "UTC"]).current_dir(&case).output();
    if consumer("mactime (Debian: sleuthkit)", mactime.is_ok()) {
        let out = mactime.unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    serde_json::from_slice::<serde_json::Value>(&std::fs::read(case.join("result.json")).unwrap()).unwrap();
    for line in std::fs::read_to_string(case.join("timeline.jsonl")).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["message"].is_string() && v["datetime"].is_string() && v["timestamp_desc"].is_string());
    }
    // A changed byte is caught.
    let mut html = std::fs::read(case.join("report.html")).unwrap();
    html[100] ^= 1;
    std::fs::write(case.join("report.html"), html).unwrap();
    if let Ok(out) = Command::new("sha256sum").arg("-c").arg("MANIFEST.sha256").current_dir(&case).output() {
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("report.html: FAILED"));
    }
}

#[test]
fn two_runs_with_source_date_epoch_write_identical_folders() {
    let (_a, one) = sample_case(Some(EPOCH));
    let (_b, two) = sample_case(Some(EPOCH));
    let (a, b) = (files(&one), files(&two));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        assert!(bytes == &b[name], "{name} differs between two runs");
    }
    let json: serde_json::Value = serde_json::from_slice(&a["result.json"]).unwrap();
    assert_eq!(json["run"]["started"], "2026-12-01T00:00:00.0000000Z");
    assert_eq!(json["run"]["ended"], "2026-12-01T00:00:00.0000000Z");
    assert_eq!(json["run"]["clock"], "source_date_epoch");
    assert_eq!(json["run"]["case_id"], "IR-2026-042");
    assert_eq!(
        json["run"]["command_line"][2].as_str().unwrap(),
        repo("samples/iis-compromised-kape.zip").display().to_string()
    );
}

#[test]
fn without_source_date_epoch_only_the_run_times_differ() {
    let (_a, one) = sample_case(None);
    let (_b, two) = sample_case(None);
    let (a, b) = (files(&one), files(&two));
    for name in ["components.csv", "findings.csv", "timeline.csv", "timeline.jsonl", "timeline.body"] {
        assert!(a[name] == b[name], "{name} differs");
    }
    let strip = |bytes: &[u8]| {
        let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        assert_eq!(v["run"]["clock"], "system");
        v["run"]["started"] = serde_json::Value::Null;
        v["run"]["ended"] = serde_json::Value::Null;
        v
    };
    assert_eq!(strip(&a["result.json"]), strip(&b["result.json"]));
    let lines = |bytes: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(bytes)
            .lines()
            .filter(|l| !l.contains("Run started") && !l.contains("Run ended"))
            .map(String::from)
            .collect()
    };
    assert_eq!(lines(&a["report.html"]), lines(&b["report.html"]));
}

/// What a strict HTML5 parse of the report finds, as JSON: parse errors fail it.
const HTML5: &str = r#"
import html5lib, json, sys
doc = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(open(sys.argv[1], 'rb').read())
tables = {t.get('id'): [[''.join(td.itertext()) for td in tr.findall('td')] for tr in t.iter('tr') if tr.findall('td')]
          for t in doc.iter('table')}
print(json.dumps({
    'title': doc.find('head/title').text,
    'scripts': len(list(doc.iter('script'))),
    'external': [e.get('src') or e.get('href') for e in doc.iter() if (e.get('src') or (e.tag == 'link' and e.get('href')))],
    'handlers': [k for e in doc.iter() for k in e.keys() if k.lower().startswith('on')],
    'tables': tables,
    'text': ''.join(doc.find('body').itertext()),
}))
"#;

fn parse_html(path: &Path) -> Option<serde_json::Value> {
    let py = python_with("html5lib");
    if !consumer("html5lib (Debian: python3-html5lib)", py.is_some()) {
        return None;
    }
    let out = Command::new(py.unwrap()).arg("-c").arg(HTML5).arg(path).output().unwrap();
    assert!(out.status.success(), "html5lib refused the report: {}", String::from_utf8_lossy(&out.stderr));
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

#[test]
fn the_report_is_valid_html5_with_the_verdicts_findings_and_evidence() {
    let (_keep, case) = sample_case(Some(EPOCH));
    let Some(doc) = parse_html(&case.join("report.html")) else { return };
    let result: serde_json::Value = serde_json::from_slice(&std::fs::read(case.join("result.json")).unwrap()).unwrap();
    assert_eq!(doc["title"], "inetsift report — case IR-2026-042");
    assert_eq!(doc["scripts"], 0);
    assert_eq!(doc["external"], serde_json::json!([]), "nothing is loaded from elsewhere");
    let table = |id: &str| doc["tables"][id].as_array().unwrap_or_else(|| panic!("no table {id}")).clone();
    let case_rows = table("case-facts");
    let value = |k: &str| case_rows.iter().find(|r| r[0] == k).map(|r| r[1].as_str().unwrap().to_string()).unwrap();
    assert_eq!(value("Examiner"), "A. Analyst");
    assert!(value("Tool").starts_with("inetsift 0.1.0 (commit "));
    assert!(value("Baseline").starts_with("iis10-"));
    assert_eq!(
        value("Run started (UTC)"),
        "2026-12-01T00:00:00.0000000Z (SOURCE_DATE_EPOCH: a fixed time for reproducible output)"
    );
    assert!(value("Times").contains("W. Europe Standard Time"), "{}", value("Times"));
    // One findings row per finding, each with its evidence reference and the source file's hash.
    let findings = table("findings-table");
    assert_eq!(findings.len(), result["findings"].as_array().unwrap().len());
    let lookalike = findings
        .iter()
        .find(|r| r[1] == "lookalike_name" && r[3].as_str().unwrap().contains("HttpCacheModuleEx"))
        .unwrap();
    assert!(lookalike[4].as_str().unwrap().contains(r"applicationHost.config:"), "{lookalike:?}");
    assert!(lookalike[4].as_str().unwrap().contains("SHA-256 "), "{lookalike:?}");
    // The verdict table names the audited install and who did it.
    let verdicts = table("verdicts");
    let ex = verdicts.iter().find(|r| r[3] == "HttpCacheModuleEx").unwrap();
    assert_eq!(
        (ex[0].as_str().unwrap(), ex[6].as_str().unwrap(), ex[7].as_str().unwrap()),
        ("malicious", "2023-11-14T22:02:05.4310000Z (audited)", "appcmd")
    );
    // Every evidence item with its hash; every file read.
    let ev = table("evidence-table");
    assert_eq!(ev[0][4], result["evidence"][0]["sha256"]);
    assert_eq!(table("files-read").len(), result["coverage"]["files_read"].as_array().unwrap().len());
    let text = doc["text"].as_str().unwrap();
    for part in [
        "Method and limitations",
        "Glossary of rules",
        "hand edit of a configuration file is never logged",
        "lookalike_name",
    ] {
        assert!(text.contains(part), "{part}");
    }
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()))
}

#[test]
fn headless_chromium_renders_the_report_and_prints_it_to_pdf() {
    let browser = chromium();
    if !consumer("Chromium (Debian: chromium)", browser.is_some()) {
        return;
    }
    let (_keep, case) = sample_case(Some(EPOCH));
    let url = format!("file://{}", case.join("report.html").display());
    let headless = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions"];
    let profile = tempfile::tempdir().unwrap();
    let user = format!("--user-data-dir={}", profile.path().display());
    let out = Command::new(browser.unwrap()).args(headless).arg(&user).arg("--dump-dom").arg(&url).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("<table id=\"verdicts\">") && dom.contains("HttpCacheModuleEx"), "{dom:.400}");
    assert!(!dom.contains("<script"));
    let pdf = case.join("report.pdf");
    let out = Command::new(browser.unwrap())
        .args(headless)
        .arg(&user)
        .arg("--no-pdf-header-footer")
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-") && bytes.len() > 20_000, "{} bytes", bytes.len());
}

#[test]
fn hostile_names_are_inert_in_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let config = repo("tests/fixtures/hostile/applicationHost.config").display().to_string();
    let out = ok(run(dir.path(), &["scan", &config, "--out", "case"], Some(EPOCH)));
    // The terminal table: no escape or bell byte reaches it.
    assert!(!out.stdout.iter().any(|&b| b == 0x1b || b == 0x07), "a control byte reached the terminal");
    assert!(String::from_utf8_lossy(&out.stdout).contains(r"\u{1b}[31mRedModule"));
    let case = dir.path().join("case");
    // CSV: no cell a spreadsheet would run.
    if let Some(py) = python_with("csv") {
        for name in ["components.csv", "findings.csv", "timeline.csv"] {
            let script = "import csv, json, sys\nprint(json.dumps(list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))))";
            let o = Command::new(py).arg("-c").arg(script).arg(case.join(name)).output().unwrap();
            let rows: Vec<Vec<String>> = serde_json::from_slice(&o.stdout).unwrap();
            assert!(rows.iter().all(|r| r.len() == rows[0].len()), "{name}: ragged rows");
            for cell in rows.iter().flatten() {
                assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{name}: live cell {cell:?}");
            }
            if name == "components.csv" {
                assert!(rows.iter().any(|r| r[2] == "'=HYPERLINK(\"http://evil.example/x\",\"open\")"), "{rows:?}");
                assert!(rows.iter().any(|r| r[2] == "'+cmd|' /C calc'!A0"));
                assert!(rows.iter().any(|r| r[2] == "'@SUM(1+1)*cmd|' /C calc'!A0"));
                assert!(rows.iter().any(|r| r[3] == "'-2+3.dll"));
            }
        }
    }
    // HTML: the markup is text, no element or handler came from the evidence.
    if let Some(doc) = parse_html(&case.join("report.html")) {
        assert_eq!(doc["scripts"], 0);
        assert_eq!(doc["handlers"], serde_json::json!([]));
        let text = doc["text"].as_str().unwrap();
        assert!(text.contains("<script>alert(document.domain)</script>"));
        assert!(text.contains("<img src=x onerror=alert(1)>.dll"));
        assert!(!text.contains('\u{1b}'));
    }
    // JSON and JSONL keep the text as it is (JSON escapes it), and parse.
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(case.join("result.json")).unwrap()).unwrap();
    let names: Vec<&str> = json["components"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"\u{1b}[31mRedModule\u{1b}[0m"), "{names:?}");
    for line in std::fs::read_to_string(case.join("timeline.jsonl")).unwrap().lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap();
    }
}

#[test]
fn the_case_folder_is_never_written_over_or_into_the_evidence() {
    let dir = common::tree(&[("evidence/applicationHost.config", b"<configuration/>"), ("used/old.txt", b"x")]);
    let ev = dir.path().join("evidence");
    let ev_s = ev.display().to_string();
    // Inside the evidence folder.
    let out = run(dir.path(), &["scan", &ev_s, "--out", "evidence/case"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("outside the evidence"));
    assert!(!ev.join("case").exists());
    // A folder that already holds files, without --force.
    let out = run(dir.path(), &["scan", &ev_s, "--out", "used"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not empty"));
    assert!(!dir.path().join("used/report.html").exists());
    // With --force: written, the stranger left alone and outside the manifest.
    ok(run(dir.path(), &["scan", &ev_s, "--out", "used", "--force"], None));
    assert_eq!(std::fs::read(dir.path().join("used/old.txt")).unwrap(), b"x");
    let manifest = std::fs::read_to_string(dir.path().join("used/MANIFEST.sha256")).unwrap();
    assert!(!manifest.contains("old.txt"));
    // --json onto an evidence file.
    let cfg = ev.join("applicationHost.config").display().to_string();
    let out = run(dir.path(), &["scan", &cfg, "--json", &cfg], None);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(ev.join("applicationHost.config")).unwrap(), b"<configuration/>");
}
