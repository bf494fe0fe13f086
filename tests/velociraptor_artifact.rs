//! The Velociraptor server artifact (docs/velociraptor/Server.Analysis.Inetsift.yaml): parsed as the YAML
//! Velociraptor loads, its `execve` command line rebuilt from the VQL (string literals and parameters joined by
//! `+`) and run against the CLI on a host collection, then the upload step's folder checked.

mod common;

use common::{consumer, python_with, repo};
use std::collections::BTreeMap;
use std::process::Command;

fn artifact() -> Option<serde_json::Value> {
    let py = python_with("yaml");
    if !consumer("PyYAML (Debian: python3-yaml)", py.is_some()) {
        return None;
    }
    let script = "import json, sys, yaml\nprint(json.dumps(yaml.safe_load(open(sys.argv[1], encoding='utf-8'))))";
    let path = repo("docs/velociraptor/Server.Analysis.Inetsift.yaml");
    let out = Command::new(py.unwrap()).arg("-c").arg(script).arg(path).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// The elements of the first `execve(argv=[...])` list of `vql`, each a `+`-joined run of string literals and
/// names, evaluated with `vars`.
fn argv(vql: &str, vars: &BTreeMap<&str, String>) -> Vec<String> {
    let start = vql.find("argv=[").expect("an execve argv") + "argv=[".len();
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = vql[start..].chars().peekable();
    let mut name = String::new();
    let flush_name = |name: &mut String, current: &mut String| {
        if !name.is_empty() {
            current.push_str(vars.get(name.as_str()).unwrap_or_else(|| panic!("unknown name {name}")));
            name.clear();
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                for c in chars.by_ref() {
                    if c == '"' {
                        break;
                    }
                    current.push(c);
                }
            }
            ',' | ']' => {
                flush_name(&mut name, &mut current);
                out.push(std::mem::take(&mut current));
                if c == ']' {
                    break;
                }
            }
            '+' => flush_name(&mut name, &mut current),
            c if c.is_alphanumeric() || c == '_' => name.push(c),
            _ => flush_name(&mut name, &mut current),
        }
    }
    out
}

#[test]
fn the_velociraptor_artifact_runs_inetsift_on_each_flow_and_uploads_the_case_folder() {
    let Some(a) = artifact() else { return };
    assert_eq!(a["name"], "Server.Analysis.Inetsift");
    assert_eq!(a["type"], "SERVER");
    assert!(a["required_permissions"].as_array().unwrap().iter().any(|p| p == "EXECVE"));
    let params: Vec<&str> = a["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(params, ["HuntId", "InetsiftPath", "CaseId", "Examiner"]);
    let vql = a["sources"][0]["query"].as_str().unwrap();
    for plugin in ["hunt_flows(", "create_flow_download(", "file_store(", "execve(", "upload(", "glob("] {
        assert!(vql.contains(plugin), "{plugin}");
    }
    // The command line as the server would run it for one flow: the exported collection as evidence.
    let work = tempfile::tempdir().unwrap();
    let out_dir = work.path().join("case");
    let vars: BTreeMap<&str, String> = [
        ("InetsiftPath", env!("CARGO_BIN_EXE_inetsift").to_string()),
        ("Zip", repo("tests/fixtures/fleet/WEB02.zip").display().to_string()),
        ("Out", out_dir.display().to_string()),
        ("CaseId", "IR-2026-7".into()),
        ("Examiner", String::new()), // a parameter left at its empty default
        ("HuntId", "H.CT1".into()),
        ("ClientId", "C.0a1b".into()),
        ("FlowId", "F.CT2".into()),
    ]
    .into_iter()
    .collect();
    let args = argv(vql, &vars);
    assert_eq!(args[0], vars["InetsiftPath"]);
    assert_eq!(args[1], "scan");
    let out = Command::new(&args[0]).args(&args[1..]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    // What the upload step globs: the case folder's files, the manifest among them.
    let names: Vec<String> =
        std::fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    for f in ["report.html", "timeline.jsonl", "result.json", "MANIFEST.sha256"] {
        assert!(names.iter().any(|n| n == f), "{f}: {names:?}");
    }
    let result: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("result.json")).unwrap()).unwrap();
    assert_eq!(result["host"], "WEB02");
    assert_eq!(result["run"]["case_id"], "IR-2026-7");
    assert!(result["run"].get("examiner").is_none_or(|e| e.is_null()), "an empty parameter is no examiner");
    assert_eq!(result["run"]["notes"], "Velociraptor hunt H.CT1, client C.0a1b, flow F.CT2");
}
