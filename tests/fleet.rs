//! Many hosts in one run (issue 16): the fleet fixture (`tests/fixtures/fleet`, six collections made by its
//! make.py: WEB01–WEB05 named by their SYSTEM hives, WEB02 the compromised sample, and one collection without a
//! hive) scanned as a folder of collections. Per-host results, the prevalence view, `--jobs` independence, the
//! fleet case folder opened by its consumers, and the single-host behaviour kept.

mod common;

use common::{consumer, python_with, repo, scan_one};
use std::path::Path;
use std::process::Command;

/// 2026-12-01T00:00:00Z.
const EPOCH: &str = "1796083200";

fn run(cwd: &Path, args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_inetsift"))
        .current_dir(cwd)
        .args(args)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    out
}

fn fleet_json(jobs: &str) -> (Vec<u8>, serde_json::Value) {
    let out = run(&repo("."), &["scan", "tests/fixtures/fleet", "--json", "-", "--jobs", jobs]);
    let v = serde_json::from_slice(&out.stdout).unwrap();
    (out.stdout, v)
}

#[test]
fn the_fleet_fixtures_match_their_recorded_hashes() {
    common::check_sha256sums(&repo("tests/fixtures/fleet"));
}

#[test]
fn a_folder_of_collections_gives_one_result_per_host_and_the_prevalence_of_each_component() {
    let (_, f) = fleet_json("2");
    assert_eq!(f["kind"], "fleet");
    let hosts: Vec<(&str, &str, &str)> = f["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["host"].as_str().unwrap(), h["named_by"].as_str().unwrap(), h["evidence"][0].as_str().unwrap()))
        .collect();
    assert_eq!(
        hosts,
        [
            ("web-configs-only", "collection_name", "E6"),
            ("WEB01", "system_hive", "E1"),
            ("WEB02", "system_hive", "E2"),
            ("WEB03", "system_hive", "E3"),
            ("WEB04", "system_hive", "E4"),
            ("WEB05", "system_hive", "E5"),
        ]
    );
    let host = |name: &str| f["hosts"].as_array().unwrap().iter().find(|h| h["host"] == name).unwrap();
    // Each host's result is that host's alone: the compromised node is the sample, the others are clean.
    let web02 = &host("WEB02")["result"];
    let alone = scan_one(&repo("tests/fixtures/fleet/WEB02.zip"));
    assert_eq!(web02["components"].as_array().unwrap().len(), alone.components.len());
    assert_eq!(web02["findings"].as_array().unwrap().len(), alone.findings.len());
    assert_eq!(web02["host"], "WEB02");
    for clean in ["WEB01", "WEB03", "WEB04", "WEB05", "web-configs-only"] {
        let comps = host(clean)["result"]["components"].as_array().unwrap();
        assert!(comps.iter().all(|c| c["verdict"]["level"] == "expected"), "{clean} is clean");
    }
    // The prevalence view: the planted filter on one host of six, with its file and arrival; URL Rewrite on all.
    let entry = |name: &str| f["fleet"].as_array().unwrap().iter().find(|e| e["name"] == name).unwrap();
    let filter = entry("SessionFilter");
    assert_eq!(
        (filter["kind"].as_str(), filter["count"].as_u64(), filter["of"].as_u64()),
        (Some("isapi_filter"), Some(1), Some(6))
    );
    assert_eq!(filter["image"], r"C:\Windows\Temp\sfilter.dll");
    assert!(filter["sha256"].as_str().unwrap().starts_with("23c191d2a0c4fd88"));
    assert_eq!(filter["hosts"][0]["host"], "WEB02");
    assert_eq!(filter["hosts"][0]["verdict"], "malicious");
    assert_eq!(filter["hosts"][0]["arrived"], "2023-11-14T22:05:00.0000000Z");
    let rewrite = entry("RewriteModule");
    assert_eq!((rewrite["count"].as_u64(), rewrite["baseline"].as_str()), (Some(6), Some("known_third_party")));
    assert_eq!(entry("ApplicationRequestRouting")["count"], 5, "the compromised node runs no ARR");
    // Rarest first; scope references to global modules have no row of their own.
    let counts: Vec<u64> = f["fleet"].as_array().unwrap().iter().map(|e| e["count"].as_u64().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
    assert!(f["fleet"].as_array().unwrap().iter().all(|e| e["kind"] != "module"));
    // Every evidence is given to its host.
    assert_eq!(f["evidence"][1]["host"], "WEB02");
}

#[test]
fn the_fleet_document_is_the_same_whatever_the_number_of_jobs() {
    // Apart from the command line each result records.
    let without_run = |mut v: serde_json::Value| {
        v.as_object_mut().unwrap().remove("run");
        for h in v["hosts"].as_array_mut().unwrap() {
            h["result"].as_object_mut().unwrap().remove("run");
        }
        serde_json::to_string(&v).unwrap()
    };
    let (_, one) = fleet_json("1");
    let (_, four) = fleet_json("4");
    assert!(without_run(one) == without_run(four), "--jobs 1 and --jobs 4 give different documents");
}

#[test]
fn the_fleet_case_folder_holds_a_case_folder_per_host_and_one_manifest_over_all() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = repo("tests/fixtures/fleet").display().to_string();
    run(dir.path(), &["scan", &fleet, "--out", "case", "--case", "IR-7", "--jobs", "2"]);
    let case = dir.path().join("case");
    for f in [
        "report.html",
        "fleet.json",
        "fleet.csv",
        "MANIFEST.sha256",
        "hosts/WEB02/report.html",
        "hosts/WEB02/MANIFEST.sha256",
        "hosts/web-configs-only/timeline.jsonl",
    ] {
        assert!(case.join(f).is_file(), "{f}");
    }
    let manifest = std::fs::read_to_string(case.join("MANIFEST.sha256")).unwrap();
    // Six hosts of eight files each (their manifests included), and the three fleet files.
    assert_eq!(manifest.lines().count(), 6 * 8 + 3);
    let out = Command::new("sha256sum").arg("-c").arg("MANIFEST.sha256").current_dir(&case).output();
    if consumer("sha256sum", out.is_ok()) {
        let out = out.unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    }
    let host_manifest =
        Command::new("sha256sum").arg("-c").arg("MANIFEST.sha256").current_dir(case.join("hosts/WEB02")).output();
    if let Ok(out) = host_manifest {
        assert!(out.status.success(), "a host's folder verifies on its own");
    }
    // The host's timeline is tagged with its name, for a Timesketch sketch of many hosts.
    let jsonl = std::fs::read_to_string(case.join("hosts/WEB02/timeline.jsonl")).unwrap();
    for line in jsonl.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["host"], "WEB02");
    }
    // Timesketch's importer takes each host's JSONL as it is: every line has its mandatory fields, a `datetime`
    // Python reads as ISO 8601 and the same instant as `timestamp` (microseconds), and the host.
    if let Some(py) = python_with("json") {
        let script = r#"
import datetime, json, sys
n = 0
for path in sys.argv[1:]:
    for line in open(path, encoding='utf-8'):
        e = json.loads(line)
        assert e['message'] and e['timestamp_desc'] and e['host'], e
        t = datetime.datetime.fromisoformat(e['datetime'].replace('Z', '+00:00'))
        assert abs(t.timestamp() * 1e6 - e['timestamp']) < 1, e
        n += 1
print(n)
"#;
        let paths: Vec<_> =
            std::fs::read_dir(case.join("hosts")).unwrap().map(|e| e.unwrap().path().join("timeline.jsonl")).collect();
        let out = Command::new(py).arg("-c").arg(script).args(&paths).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).trim().parse::<usize>().unwrap() > 10);
    }
    // The fleet CSV and the index page open in their consumers.
    let Some(py) = python_with("html5lib") else {
        consumer("python3 with html5lib", false);
        return;
    };
    let script = r#"
import csv, html5lib, sys
rows = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))
doc = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(open(sys.argv[2], 'rb').read())
links = [a.get('href') for a in doc.iter('a')]
print(len(rows) - 1, rows[1][3], rows[1][0], rows[1][1], ';'.join(links))
"#;
    let out = Command::new(py)
        .arg("-c")
        .arg(script)
        .arg(case.join("fleet.csv"))
        .arg(case.join("report.html"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    let f: serde_json::Value = serde_json::from_slice(&std::fs::read(case.join("fleet.json")).unwrap()).unwrap();
    let first = &f["fleet"][0];
    assert!(
        said.starts_with(&format!("{} {} 1 6 ", f["fleet"].as_array().unwrap().len(), first["name"].as_str().unwrap())),
        "{said}"
    );
    assert!(said.contains("hosts/WEB02/report.html") && said.contains("hosts/web-configs-only/report.html"), "{said}");
}

#[test]
fn evidence_of_one_host_still_gives_the_single_host_result() {
    // The sample collection and one of its logs given again on its own: one host, the classic document.
    let dir = tempfile::tempdir().unwrap();
    let mut z = zip::ZipArchive::new(std::fs::File::open(repo("samples/iis-compromised-kape.zip")).unwrap()).unwrap();
    let mut log = Vec::new();
    std::io::Read::read_to_end(&mut z.by_name("C/Windows/System32/winevt/Logs/System.evtx").unwrap(), &mut log)
        .unwrap();
    std::fs::write(dir.path().join("System.evtx"), log).unwrap();
    let sample = repo("samples/iis-compromised-kape.zip").display().to_string();
    let out = run(dir.path(), &["scan", &sample, "System.evtx", "--json", "-"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.get("kind").is_none() && v["host"] == "WEB01", "the single-host document");
    assert_eq!(v["evidence"].as_array().unwrap().len(), 2);
}

#[test]
fn a_folder_of_files_copied_off_a_server_is_read_file_by_file_as_one_host() {
    // applicationHost.config, the SYSTEM hive and a Security log side by side, as an analyst copies them: before,
    // nothing sat where Windows keeps it and the folder gave no component at all.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(repo("samples/host/applicationHost.config"), dir.path().join("applicationHost.config")).unwrap();
    std::fs::copy(repo("samples/hives/SYSTEM"), dir.path().join("SYSTEM")).unwrap();
    std::fs::write(dir.path().join("case notes.txt"), b"copied by hand").unwrap();
    let out = run(dir.path(), &["scan", ".", "--json", "-"]);
    let folder: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = inetsift::scan::scan(
        &[dir.path().join("SYSTEM"), dir.path().join("applicationHost.config")],
        &inetsift::evidence::OpenOptions::default(),
    )
    .unwrap();
    let count = |k: &str| folder[k].as_array().unwrap().len();
    assert!(count("components") > 0);
    assert_eq!(count("components"), files.components.len());
    assert_eq!(count("findings"), files.findings.len());
    assert_eq!(count("evidence"), 2, "the notes are not evidence");
    assert_eq!(folder["host"], "WEB01");
}

#[test]
fn the_fleet_timeline_csv_has_one_header_and_rows_of_every_host() {
    let out = run(&repo("."), &["scan", "tests/fixtures/fleet", "--format", "csv"]);
    let Some(py) = python_with("csv") else {
        consumer("python3", false);
        return;
    };
    let script = "import csv, sys, json\nrows = list(csv.reader(sys.stdin))\nprint(json.dumps(rows))";
    let mut child = Command::new(py)
        .arg("-c")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), &out.stdout).unwrap();
    let parsed = child.wait_with_output().unwrap();
    let rows: Vec<Vec<String>> = serde_json::from_slice(&parsed.stdout).unwrap();
    assert_eq!(rows[0], inetsift::report::timeline_csv::COLUMNS);
    assert_eq!(rows.iter().filter(|r| r[0] == "Timestamp").count(), 1, "one header row");
    let host = rows[0].iter().position(|c| c == "Host").unwrap();
    let hosts: std::collections::BTreeSet<&str> = rows[1..].iter().map(|r| r[host].as_str()).collect();
    assert_eq!(hosts.into_iter().collect::<Vec<_>>(), ["WEB01", "WEB02", "WEB03", "WEB04", "WEB05"]);
}

#[test]
fn collections_without_hives_are_hosts_named_after_them() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["app-a.zip", "app-b.zip"] {
        std::fs::copy(repo("tests/fixtures/fleet/web-configs-only.zip"), dir.path().join(name)).unwrap();
    }
    let out = run(dir.path(), &["scan", ".", "--json", "-"]);
    let f: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hosts: Vec<(&str, &str)> = f["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["host"].as_str().unwrap(), h["named_by"].as_str().unwrap()))
        .collect();
    assert_eq!(hosts, [("app-a", "collection_name"), ("app-b", "collection_name")]);
    // The same configuration on both: every non-default component is on 2 of 2.
    assert!(f["fleet"].as_array().unwrap().iter().all(|e| e["count"] == 2 && e["of"] == 2));
}
