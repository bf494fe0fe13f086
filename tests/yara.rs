//! `scan --yara`: the analyst's rules over the component files, with the matches in the table, the JSON and the
//! case folder, feeding the verdicts; bad rules refused; the size cap and the timeout said. Without the `yara`
//! feature, `--yara` is refused with how to get it.

mod common;

use common::repo;
use std::path::Path;
use std::process::Command;

fn inetsift(cwd: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_inetsift"))
        .current_dir(cwd)
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1796083200")
        .output()
        .expect("runs")
}

fn sample() -> String {
    repo("samples/iis-compromised-kape.zip").display().to_string()
}

#[cfg(not(feature = "yara"))]
#[test]
fn yara_without_the_feature_says_how_to_get_it() {
    let dir = tempfile::tempdir().unwrap();
    let rules = repo("samples/yara").display().to_string();
    let out = inetsift(dir.path(), &["scan", &sample(), "--yara", &rules]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--features yara"), "{err}");
    assert!(out.stdout.is_empty());
}

#[cfg(feature = "yara")]
mod with_engine {
    use super::*;

    fn ok(out: std::process::Output) -> std::process::Output {
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        out
    }

    fn json(path: &Path) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    /// (namespace:rule, path) of every match.
    fn matches(v: &serde_json::Value) -> Vec<(String, String)> {
        v["yara"]["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    format!("{}:{}", m["namespace"].as_str().unwrap(), m["rule"].as_str().unwrap()),
                    m["path"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn sample_planted_files_are_flagged_in_table_json_and_case() {
        let dir = tempfile::tempdir().unwrap();
        let rules = repo("samples/yara").display().to_string();
        let out = ok(inetsift(
            dir.path(),
            &["scan", &sample(), "--yara", &rules, "--json", "r.json", "--out", "case", "--format", "table"],
        ));
        let table = String::from_utf8_lossy(&out.stdout);
        for rule in ["native_module_claims_microsoft", "isapi_session_filter", "config_module_from_programdata"] {
            assert!(table.contains(rule), "table lacks {rule}:\n{table}");
        }
        let v = json(&dir.path().join("r.json"));
        let y = &v["yara"];
        assert_eq!(
            y["sources"][0]["path"].as_str().unwrap(),
            repo("samples/yara/iis-implants.yar").display().to_string()
        );
        let rule_bytes = std::fs::read(repo("samples/yara/iis-implants.yar")).unwrap();
        assert_eq!(
            y["sources"][0]["sha256"].as_str().unwrap(),
            inetsift::model::hex(&openssl_free_sha256(&rule_bytes))
        );
        assert_eq!(y["rules"], 3);
        assert_eq!(
            matches(&v),
            vec![
                (
                    "iis_implants:native_module_claims_microsoft".into(),
                    r"C:\ProgramData\Microsoft\Network\custerr.dll".into()
                ),
                // The look-alike module in inetsrv is the same build, signed under the attacker's root.
                (
                    "iis_implants:native_module_claims_microsoft".into(),
                    r"C:\Windows\System32\inetsrv\cachehttpex.dll".into()
                ),
                (
                    "iis_implants:config_module_from_programdata".into(),
                    r"C:\Windows\System32\inetsrv\config\applicationHost.config".into()
                ),
                ("iis_implants:isapi_session_filter".into(), r"C:\Windows\Temp\sfilter.dll".into()),
            ]
        );
        let by_rule = |r: &str| y["matches"].as_array().unwrap().iter().find(|m| m["rule"] == r).unwrap().clone();
        // The native module: rule metadata, both strings at their offsets, the file's hash, the component.
        let native = by_rule("native_module_claims_microsoft");
        assert_eq!(native["severity"], "high");
        assert_eq!(native["signature"], "unsigned");
        let strings: Vec<(&str, u64)> = native["strings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["id"].as_str().unwrap(), s["offsets"][0].as_u64().unwrap()))
            .collect();
        assert_eq!(strings, vec![("$company", 12048), ("$export_dir", 9266)]);
        let comp_id = native["components"][0].as_str().unwrap().to_string();
        let component = v["components"].as_array().unwrap().iter().find(|c| c["id"] == comp_id.as_str()).unwrap();
        assert_eq!(component["name"], "CustomErrorModule");
        assert!(component["verdict"]["reasons"].as_array().unwrap().iter().any(|r| r == "yara_match"));
        // The ISAPI filter: a numeric severity, tags.
        let filter = by_rule("isapi_session_filter");
        assert_eq!(filter["severity"], "high");
        assert_eq!(filter["tags"], serde_json::json!(["isapi", "filter"]));
        // The configuration file: a finding with no component, medium by default.
        let config = by_rule("config_module_from_programdata");
        assert_eq!(config["severity"], "medium");
        assert_eq!(config["components"], serde_json::json!([]));
        let findings: Vec<&serde_json::Value> =
            v["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "yara_match").collect();
        // One per component that loads a matched file (the filter is registered twice), one for the config.
        assert_eq!(findings.len(), 5);
        assert_eq!(y["matches"][1]["signature"], "valid");
        assert_eq!(y["matches"][1]["severity"], "high");
        assert!(findings.iter().any(|f| f["component"] == comp_id.as_str()
            && f["message"].as_str().unwrap().contains("iis_implants:native_module_claims_microsoft")));

        // The case folder: the findings CSV (read by Python's csv module) and the HTML report name the rules.
        let case = dir.path().join("case");
        let csv = case.join("findings.csv");
        if let Some(py) = common::python_with("csv") {
            let script = "import csv, sys\nprint('\\n'.join(r['Message'] for r in csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')) if r['Rule'] == 'yara_match'))";
            let out = Command::new(py).args(["-c", script]).arg(&csv).output().unwrap();
            let rows = String::from_utf8_lossy(&out.stdout);
            assert!(rows.contains("native_module_claims_microsoft") && rows.contains("isapi_session_filter"), "{rows}");
        }
        let html = std::fs::read_to_string(case.join("report.html")).unwrap();
        assert!(html.contains("isapi_session_filter"));
        assert_eq!(json(&case.join("result.json"))["yara"]["matches"].as_array().unwrap().len(), 4);
    }

    /// SHA-256 computed by the test without the crate's code path.
    fn openssl_free_sha256(b: &[u8]) -> Vec<u8> {
        use sha2::{Digest, Sha256};
        Sha256::digest(b).to_vec()
    }

    #[test]
    fn a_rule_with_a_syntax_error_refuses_the_scan_naming_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let rules = repo("tests/fixtures/yara/broken.yar").display().to_string();
        let out = inetsift(dir.path(), &["scan", &sample(), "--yara", &rules, "--json", "r.json"]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&format!("{rules}:6:")), "{err}");
        assert!(!dir.path().join("r.json").exists(), "nothing is written for a refused scan");
    }

    #[test]
    fn a_slow_rule_is_stopped_by_the_timeout_and_said() {
        let dir = tempfile::tempdir().unwrap();
        let rules = repo("tests/fixtures/yara/slow.yar").display().to_string();
        let started = std::time::Instant::now();
        ok(inetsift(dir.path(), &["scan", &sample(), "--yara", &rules, "--yara-timeout", "1", "--json", "r.json"]));
        // Five DLLs and six configuration files at most one second each, not hours.
        assert!(started.elapsed() < std::time::Duration::from_secs(60));
        let v = json(&dir.path().join("r.json"));
        let warned: Vec<&str> = v["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|w| w["message"].as_str())
            .filter(|m| m.starts_with("YARA scan not finished (timeout"))
            .collect();
        assert!(!warned.is_empty());
        assert_eq!(v["yara"]["files_skipped"].as_u64().unwrap() as usize, warned.len());
        let dll = v["warnings"].as_array().unwrap().iter().find(|w| {
            w["file"] == r"C:\Windows\Temp\sfilter.dll"
                && w["message"].as_str().unwrap().starts_with("YARA scan not finished")
        });
        assert!(dll.is_some(), "the 12 KB filter DLL takes far longer than a second");
    }

    #[test]
    fn files_over_the_size_cap_are_not_scanned_and_said() {
        let dir = tempfile::tempdir().unwrap();
        let rules = repo("samples/yara").display().to_string();
        ok(inetsift(dir.path(), &["scan", &sample(), "--yara", &rules, "--yara-max-mib", "0", "--json", "r.json"]));
        let v = json(&dir.path().join("r.json"));
        assert_eq!(v["yara"]["files_scanned"], 0);
        assert_eq!(v["yara"]["matches"], serde_json::json!([]));
        assert!(v["warnings"].as_array().unwrap().iter().any(|w| w["file"] == r"C:\Windows\Temp\sfilter.dll"
            && w["message"] == "not scanned with YARA: 12288 bytes, over the 0 MiB cap (--yara-max-mib)"));
    }

    #[test]
    fn a_match_on_a_microsoft_signed_binary_carries_its_signature_status() {
        if !common::have_corpus() {
            return;
        }
        let vol = tempfile::tempdir().unwrap();
        let inetsrv = vol.path().join("Windows/System32/inetsrv");
        std::fs::create_dir_all(&inetsrv).unwrap();
        std::fs::copy(common::corpus("pe/signify_DXCore.dll"), inetsrv.join("DXCore.dll")).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let rules = repo("tests/fixtures/yara/microsoft.yar").display().to_string();
        let evidence = vol.path().display().to_string();
        ok(inetsift(dir.path(), &["scan", &evidence, "--yara", &rules, "--json", "r.json"]));
        let v = json(&dir.path().join("r.json"));
        let m = &v["yara"]["matches"][0];
        assert_eq!(m["rule"], "dxcore_version_resource");
        assert_eq!(m["path"], r"C:\Windows\System32\inetsrv\DXCore.dll");
        assert_eq!(m["sha256"], "36de2c16a1f88d33f4c77b60b94ce5f276379f8f9195f038608a94889d3680f3");
        assert_eq!(m["signature"], "valid");
        assert_eq!(m["severity"], "low");
        let f = v["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "yara_match").unwrap();
        assert!(f["message"].as_str().unwrap().contains("signature valid"), "{f}");
    }
}
