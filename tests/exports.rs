//! The timeline exports read by their consumers' parsers: the CSV by Python's `csv` module (what Timeline
//! Explorer and spreadsheets expect of RFC 4180), the JSONL line by line as Timesketch imports it.

mod common;

use common::{repo, scan_one, tree, usn_v3};
use std::process::Command;

fn inetsift(args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_inetsift")).args(args).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// The rows Python's csv module reads from `csv` (as JSON), or `None` when there is no python3.
fn python_rows(csv: &[u8]) -> Option<Vec<Vec<String>>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    std::fs::write(&path, csv).unwrap();
    let script =
        "import csv, json, sys\nprint(json.dumps(list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))))";
    let py = common::python_with("csv");
    if !common::consumer("python3", py.is_some()) {
        return None;
    }
    let out = Command::new(py?).arg("-c").arg(script).arg(&path).output().ok()?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

#[test]
fn the_samples_timeline_csv_is_read_back_by_a_csv_reader() {
    let sample = repo("samples/iis-compromised-kape.zip").display().to_string();
    let csv = inetsift(&["scan", &sample, "--format", "csv"]);
    let r = scan_one(&repo("samples/iis-compromised-kape.zip"));
    let Some(rows) = python_rows(&csv) else { return };
    assert_eq!(rows[0], inetsift::report::timeline_csv::COLUMNS);
    assert_eq!(rows.len(), r.timeline.len() + 1);
    assert!(rows.iter().all(|row| row.len() == rows[0].len()));
    let times: Vec<&String> = rows[1..].iter().map(|row| &row[0]).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "sorted by time");
    // The audited install of the look-alike, with its record id and the log's hash.
    let audit = rows.iter().find(|row| row[3] == "29" && row[4] == "1").expect("the audit record");
    let col = |name: &str| rows[0].iter().position(|c| c == name).unwrap();
    assert_eq!(audit[0], "2023-11-14T22:02:05.4310000Z");
    assert!(audit[col("File")].ends_with(r"Microsoft-IIS-Configuration%4Operational.evtx"));
    // Every row names its host (Timeline Explorer and Timesketch keep hosts apart by it).
    assert!(rows[1..].iter().all(|row| row[col("Host")] == "WEB01"));
}

#[test]
fn a_hostile_file_name_is_inert_in_the_csv_and_intact_in_the_jsonl() {
    // A change-journal record for a DLL named like a spreadsheet formula: without the $MFT its row starts with it.
    let hostile = r#"=HYPERLINK("http://evil.example/x","open").dll"#;
    let dir = tree(&[("C/Windows/System32/inetsrv/config/applicationHost.config", b"<configuration/>")]);
    let ext = dir.path().join("C").join("$Extend");
    std::fs::create_dir_all(&ext).unwrap();
    let t = (1_699_999_290 + 11_644_473_600) * 10_000_000;
    let mut j = vec![0u8; 4096];
    j.extend(usn_v3(hostile, (81, 2), 80, 777, t, 0x100));
    std::fs::write(ext.join("$J"), j).unwrap();
    let folder = dir.path().display().to_string();
    let csv = inetsift(&["scan", &folder, "--format", "csv"]);
    if let Some(rows) = python_rows(&csv) {
        let row = rows.iter().find(|row| row[6].contains("HYPERLINK")).expect("the journal row");
        assert!(row[6].starts_with("'=HYPERLINK("), "{}", row[6]);
    }
    let jsonl = inetsift(&["scan", &folder, "--format", "jsonl"]);
    let lines: Vec<serde_json::Value> =
        String::from_utf8(jsonl).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let line = lines.iter().find(|l| l["message"].as_str().is_some_and(|m| m.contains("HYPERLINK"))).unwrap();
    assert!(line["message"].as_str().unwrap().starts_with(hostile), "JSON carries the text as it is");
    for key in ["message", "datetime", "timestamp_desc"] {
        assert!(line.get(key).is_some(), "Timesketch needs {key}");
    }
    assert_eq!(line["datetime"], "2023-11-14T22:01:30.0000000Z");
}

#[test]
fn the_bodyfile_is_read_by_sleuth_kits_mactime() {
    let dir = common::unpack("tests/fixtures/images/iis-host-images.zip");
    let image = dir.path().join("mbr.raw").display().to_string();
    let body = inetsift(&["scan", &image, "--format", "bodyfile"]);
    let path = dir.path().join("timeline.body");
    std::fs::write(&path, &body).unwrap();
    let out = Command::new("mactime").args(["-b", path.to_str().unwrap(), "-d", "-y", "-z", "UTC"]).output();
    if !common::consumer("mactime (Debian: sleuthkit)", out.is_ok()) {
        return;
    }
    let out = out.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("Date,Size,Type,Mode,UID,GID,Meta,File Name"), "{text}");
    // The timestomped look-alike: its $SI birth set back to 2019, its $FILE_NAME birth where the copy happened.
    let stomped = text
        .lines()
        .find(|l| {
            l.starts_with("2019-03-05T10:11:12Z") && l.contains(r"inetsrv\cachehttpex.dll") && !l.contains("$FILE_NAME")
        })
        .unwrap_or_else(|| panic!("no 2019 $SI row for the look-alike:\n{text}"));
    assert!(stomped.contains(",macb,") || stomped.contains("b,"), "{stomped}");
    assert!(text.lines().any(|l| l.contains(r"inetsrv\cachehttpex.dll ($FILE_NAME)") && !l.starts_with("2019")));
}
