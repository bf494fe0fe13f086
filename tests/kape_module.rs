//! The KAPE module (docs/kape/inetsift.mkape): parsed as the YAML KAPE reads, its processor's command line is
//! built the way KAPE builds it (variables replaced) and run against the CLI on the sample's KAPE tree.

mod common;

use common::{consumer, python_with, repo};
use std::process::Command;

/// The module file as JSON, read by a YAML parser (PyYAML).
fn module() -> Option<serde_json::Value> {
    let py = python_with("yaml");
    if !consumer("PyYAML (Debian: python3-yaml)", py.is_some()) {
        return None;
    }
    let script = "import json, sys, yaml\nprint(json.dumps(yaml.safe_load(open(sys.argv[1], encoding='utf-8'))))";
    let out = Command::new(py.unwrap()).arg("-c").arg(script).arg(repo("docs/kape/inetsift.mkape")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

#[test]
fn the_kape_module_runs_the_case_output_into_the_module_destination() {
    let Some(m) = module() else { return };
    for key in ["Description", "Category", "Author", "Version", "Id", "ExportFormat", "Processors"] {
        assert!(m.get(key).is_some(), "KAPE needs {key}");
    }
    assert_eq!(m["Id"].as_str().unwrap().len(), 36, "a GUID");
    let p = &m["Processors"][0];
    assert_eq!(p["Executable"], "inetsift.exe");
    let line = p["CommandLine"].as_str().unwrap();
    assert!(line.contains("%sourceDirectory%") && line.contains("%destinationDirectory%"));
    // What KAPE runs: the target output as the source, the module destination as the destination.
    let source = common::unpack("samples/iis-compromised-kape.zip");
    let dest = tempfile::tempdir().unwrap();
    let built = line
        .replace("%sourceDirectory%", &source.path().display().to_string())
        .replace("%destinationDirectory%", &dest.path().display().to_string())
        .replace('\\', "/");
    let args: Vec<&str> = built.split_whitespace().collect();
    let out = Command::new(env!("CARGO_BIN_EXE_inetsift")).args(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{built}: {}", String::from_utf8_lossy(&out.stderr));
    let case = dest.path().join("inetsift");
    for f in ["report.html", "timeline.csv", "timeline.jsonl", "timeline.body", "result.json", "MANIFEST.sha256"] {
        assert!(case.join(f).is_file(), "{f}");
    }
    // The module's export format is the report.
    assert_eq!(p["ExportFormat"], "html");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(case.join("result.json")).unwrap()).unwrap();
    assert!(json["components"].as_array().unwrap().iter().any(|c| c["name"] == "HttpCacheModuleEx"));
}
