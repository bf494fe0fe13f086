//! The command line on the bundled sample and on bad input: JSON contract, exit codes, escaping, determinism.

mod common;
use common::*;
use std::process::Command;

fn inetsift(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_inetsift")).args(args).output().expect("runs")
}

fn sample() -> String {
    repo("samples/iis-compromised-kape.zip").display().to_string()
}

#[test]
fn json_follows_the_contract() {
    let out = inetsift(&["scan", &sample(), "--json", "-"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is only JSON");
    assert_eq!(v["schema_version"], 2);
    assert_eq!(v["tool"]["name"], "inetsift");
    assert_eq!(v["tool"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["evidence"][0]["id"], "E1");
    assert_eq!(v["evidence"][0]["kind"], "zip");
    let sums = std::fs::read_to_string(repo("samples/SHA256SUMS")).unwrap();
    assert_eq!(v["evidence"][0]["sha256"].as_str(), sums.split_whitespace().next());
    for row in v["timeline"].as_array().unwrap() {
        for key in ["timestamp", "timestamp_desc", "source", "description", "evidence"] {
            assert!(row.get(key).is_some(), "timeline row lacks {key}: {row}");
        }
    }
    assert_eq!(v["registry"]["installations"][0]["computer_name"], "WEB01");
    assert!(v["warnings"].as_array().unwrap().is_empty());
    assert!(v["coverage"].is_object());

    let comps = v["components"].as_array().unwrap();
    for c in comps {
        for key in ["id", "kind", "name", "image", "path", "scope", "source"] {
            assert!(c.get(key).is_some(), "component lacks {key}: {c}");
        }
        for key in ["evidence", "file", "line"] {
            assert!(c["source"].get(key).is_some());
        }
    }
    let filter =
        comps.iter().find(|c| c["name"] == "SessionFilter" && c["scope"] == "MACHINE/WEBROOT/APPHOST").unwrap();
    assert_eq!(filter["kind"], "isapi_filter");
    assert_eq!(filter["image"], r"C:\Windows\Temp\sfilter.dll");
    assert_eq!(filter["path"], r"C:\Windows\Temp\sfilter.dll");
    assert_eq!(filter["scope"], "MACHINE/WEBROOT/APPHOST");
    assert_eq!(filter["source"]["file"], r"C:\Windows\System32\inetsrv\config\applicationHost.config");
    assert_eq!(filter["source"]["line"], 68);
    assert_eq!(filter["file"]["status"], "present");
    assert_eq!(filter["file"]["size"], 12288);

    for f in v["findings"].as_array().unwrap() {
        assert!(["info", "low", "medium", "high", "critical"].contains(&f["severity"].as_str().unwrap()));
        for key in ["rule", "severity", "component", "message"] {
            assert!(f.get(key).is_some());
        }
    }
}

#[test]
fn sample_shows_every_planted_component() {
    let r = scan_one(&repo("samples/iis-compromised-kape.zip"));
    let expect = [
        (
            "global_module",
            "CustomErrorModule",
            vec![
                "builtin_name_foreign_image",
                "builtin_name_non_microsoft_signer",
                "evtx_extension_changed",
                "evtx_powershell_install",
                "evtx_w3wp_user_writable_load",
                "image_user_writable",
                "microsoft_version_info_not_microsoft_signed",
                "original_filename_mismatch",
                "unsigned",
            ],
        ),
        (
            "global_module",
            "HttpCacheModuleEx",
            vec![
                "evtx_appcmd_install",
                "evtx_extension_added",
                "fake_microsoft_signer",
                "host_trusted_root_only",
                "lookalike_name",
                "unknown_component",
            ],
        ),
        ("global_module", "DefaultDocumentModule_Atomic", vec!["builtin_image_foreign_name"]),
        (
            "isapi_filter",
            "SessionFilter",
            vec!["evtx_module_load_failure", "image_user_writable", "lookalike_name", "unknown_component"],
        ),
        ("managed_module", "TokenAuthorization", vec!["microsoft_namespace_foreign_assembly"]),
        ("managed_module", "SessionAuthHelper", vec!["unknown_component"]),
        ("global_module", "RewriteModule", vec!["known_third_party"]),
        ("global_module", "UriCacheModule", vec![]),
    ];
    for (kind, name, rules) in expect {
        let c = r
            .components
            .iter()
            .find(|c| c.kind.as_str() == kind && c.name == name && !c.scope.starts_with("HKLM"))
            .unwrap_or_else(|| panic!("{name}"));
        assert_eq!(rules_of(&r, &c.id), rules, "{name}");
    }
    let helper = component(&r, "managed_module", "SessionAuthHelper");
    assert_eq!(helper.scope, "MACHINE/WEBROOT/APPHOST/Default Web Site/portal");
    assert_eq!(helper.source.path(), r"C:\inetpub\portal\web.config");
    let t = helper.managed_type.as_ref().unwrap();
    assert_eq!((t.assembly.as_deref(), t.public_key_token.as_deref()), (Some("Contoso.Portal.Helpers"), Some("null")));
    // The look-alike is removed for /portal only.
    let ex = component(&r, "module", "HttpCacheModuleEx");
    assert_eq!(ex.removed_below.len(), 1);
    assert_eq!(ex.removed_below[0].scope, "MACHINE/WEBROOT/APPHOST/Default Web Site/portal");
    assert!(r.findings.iter().any(|f| f.rule == "http_logging_disabled"));
    assert!(r.findings.iter().any(|f| f.rule == "freb_enabled"));
    let dll = component(&r, "global_module", "HttpCacheModuleEx").file.clone().unwrap();
    assert_eq!(dll.status.as_str(), "present");
    let read = r.coverage.files_read.iter().find(|f| f.path.as_str().ends_with("cachehttpex.dll")).unwrap();
    assert_eq!(dll.sha256.as_deref(), Some(read.sha256.as_str()));
}

#[test]
fn output_is_deterministic() {
    // With SOURCE_DATE_EPOCH the run's times are fixed too: the same bytes.
    let fixed = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_inetsift")).args(args).env("SOURCE_DATE_EPOCH", "1796083200").output().unwrap()
    };
    let a = fixed(&["scan", &sample(), "--json", "-"]);
    let b = fixed(&["scan", &sample(), "--json", "-"]);
    assert_eq!(a.stdout, b.stdout);
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    assert_eq!(v["run"]["started"], "2026-12-01T00:00:00.0000000Z");
    let t1 = inetsift(&["scan", &sample()]);
    let t2 = inetsift(&["scan", &sample()]);
    assert_eq!(t1.stdout, t2.stdout);
}

#[test]
fn table_report_names_findings() {
    let out = inetsift(&["scan", &sample()]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("builtin_name_foreign_image"));
    assert!(text.contains("HttpCacheModuleEx"));
    assert!(text.contains("built-in components not shown"));
}

#[test]
fn unreadable_evidence_exits_2_with_a_clear_message() {
    if !common::have_corpus() {
        return;
    }
    let out = inetsift(&["scan", "/nonexistent/triage.zip"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/triage.zip"));

    let zip = corpus("zips/velociraptor_encrypted_collector_password.zip");
    let out = inetsift(&["scan", zip.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("velociraptor_encrypted_collector_password.zip") && err.contains("password"), "{err}");

    let out = inetsift(&["scan", "--zip-password", "hello", zip.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn bad_usage_exits_2() {
    assert_eq!(inetsift(&["scan"]).status.code(), Some(2));
    assert_eq!(inetsift(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn several_evidence_get_their_own_ids() {
    if !common::have_corpus() {
        return;
    }
    let a = corpus("iisconfig/mattgillard_iis-reverse-proxy_applicationHost.config");
    let out = inetsift(&["scan", &sample(), a.to_str().unwrap(), "--json", "-"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = v["evidence"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["E1", "E2"]);
    let arr = v["components"].as_array().unwrap().iter().find(|c| c["name"] == "ApplicationRequestRouting").unwrap();
    assert_eq!(arr["source"]["evidence"], "E2");
}

#[test]
fn attacker_strings_are_escaped_on_the_terminal() {
    let cfg = "<configuration><system.webServer><globalModules>\
               <add name=\"Evil&#x1b;[2J&#x202e;lld.exe\" image=\"C:\\Windows\\Temp\\e.dll\"/>\
               </globalModules></system.webServer></configuration>";
    let dir = tree(&[("applicationHost.config", cfg.as_bytes())]);
    let p = dir.path().join("applicationHost.config");
    let out = inetsift(&["scan", p.to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\x1b') && !text.contains('\u{202e}'));
    assert!(text.contains(r"Evil\u{1b}[2J\u{202e}lld.exe"), "{text}");
    let out = inetsift(&["scan", p.to_str().unwrap(), "--json", "-"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["components"][0]["name"], "Evil\u{1b}[2J\u{202e}lld.exe");
}

#[test]
fn whole_volume_reports_missing_files() {
    let cfg = br#"<configuration><system.webServer><globalModules>
        <add name="UriCacheModule" image="%windir%\System32\inetsrv\cachuri.dll" />
        <add name="GoneModule" image="%windir%\System32\inetsrv\gone.dll" />
        </globalModules></system.webServer></configuration>"#;
    let dir = tree(&[
        ("Windows/System32/inetsrv/config/applicationHost.config", cfg),
        ("Windows/System32/inetsrv/cachuri.dll", b"MZ"),
    ]);
    let r = scan_one(dir.path());
    assert_eq!(r.evidence[0].layout, "volume_root");
    let gone = component(&r, "global_module", "GoneModule");
    assert_eq!(gone.file.as_ref().unwrap().status.as_str(), "missing");
    assert!(rules_of(&r, &gone.id).contains(&"referenced_file_missing"));
    let uri = component(&r, "global_module", "UriCacheModule");
    assert_eq!(uri.file.as_ref().unwrap().status.as_str(), "present");
    // Two bytes "MZ" are present but cannot be what IIS loads.
    assert_eq!(rules_of(&r, &uri.id), vec!["not_a_pe"]);
    assert_eq!(
        uri.file.as_ref().unwrap().sha256.as_deref(),
        Some("9b8db510ef42b8ed54a3712636fda55a4f8cfcd5493e20b74ab00cd4f3979f2d")
    );
}

#[test]
fn redirection_is_said_loudly() {
    let redir = br#"<configuration><configurationRedirection enabled="true" path="\\fileserver\iisconfig" userName="svc" /></configuration>"#;
    let dir = tree(&[("C/Windows/System32/inetsrv/config/redirection.config", redir)]);
    let r = scan_one(dir.path());
    let f = r.findings.iter().find(|f| f.rule == "redirection_enabled").expect("finding");
    assert_eq!(f.severity.as_str(), "high");
    assert!(f.message.contains(r"\\fileserver\iisconfig"));
}

#[test]
fn setting_rules_fire_on_a_crafted_config() {
    let cfg = br#"<?xml version="1.0"?>
<configuration>
  <system.applicationHost><configHistory enabled="false" /></system.applicationHost>
  <system.webServer>
    <globalModules><add name="authmd4" image="%windir%\System32\inetsrv\authmd4.dll" /></globalModules>
    <modules><add name="NoSuchGlobal" /></modules>
    <handlers accessPolicy="Read, Execute, Script" />
    <security><isapiCgiRestriction notListedIsapisAllowed="true" notListedCgisAllowed="false" /></security>
    <isapiFilters><filter name="f" path="D:\tools\f.dll" /><filter name="f" path="D:\tools\g.dll" /></isapiFilters>
  </system.webServer>
</configuration>"#;
    let dir = tree(&[("applicationHost.config", cfg)]);
    let r = scan_one(&dir.path().join("applicationHost.config"));
    let mut rules: Vec<&str> = r.findings.iter().map(|f| f.rule).collect();
    rules.sort();
    rules.dedup();
    assert_eq!(
        rules,
        vec![
            "cgi_restriction_open",
            "config_history_disabled",
            "duplicate_entry",
            "handler_execute_access",
            "image_outside_system_dirs",
            "lookalike_name",
            "module_without_global_module",
            "unknown_component",
        ]
    );
    let md4 = component(&r, "global_module", "authmd4");
    let f = r.findings.iter().find(|f| f.rule == "lookalike_name" && f.component.as_deref() == Some(md4.id.as_str()));
    assert!(f.unwrap().message.contains("authmd5.dll"));
    let open = r.findings.iter().find(|f| f.rule == "cgi_restriction_open").unwrap();
    assert!(open.message.contains("notListedIsapisAllowed"));
    assert_eq!(open.source.line, Some(8));
    // Execute with unlisted extensions allowed: anything put in the folder runs.
    let exec = r.findings.iter().find(|f| f.rule == "handler_execute_access").unwrap();
    assert_eq!((exec.severity.as_str(), exec.source.line), ("medium", Some(7)));
}

#[test]
fn execute_access_is_weighed_by_the_restriction_list_and_the_folder() {
    let cfg = br#"<configuration>
  <system.applicationHost><sites><site name="web" id="1">
    <application path="/"><virtualDirectory path="/" physicalPath="D:\www" /></application>
    <application path="/Rpc"><virtualDirectory path="/" physicalPath="%windir%\System32\RpcProxy" /></application>
  </site></sites></system.applicationHost>
  <location path="web"><system.webServer><handlers accessPolicy="Read, Execute, Script" /></system.webServer></location>
  <location path="web/Rpc"><system.webServer><handlers accessPolicy="Execute, Script" /></system.webServer></location>
  <location path="web/open"><system.webServer>
    <security><isapiCgiRestriction notListedIsapisAllowed="true" /></security>
  </system.webServer></location>
</configuration>"#;
    let severities = |cfg: &[u8]| {
        let dir = tree(&[("applicationHost.config", cfg)]);
        let r = scan_one(&dir.path().join("applicationHost.config"));
        let mut v: Vec<(String, &'static str)> = r
            .findings
            .iter()
            .filter(|f| f.rule == "handler_execute_access")
            .map(|f| {
                (f.message.split(" at ").nth(1).unwrap().split(':').next().unwrap().to_string(), f.severity.as_str())
            })
            .collect();
        v.sort();
        v
    };
    let apphost = "MACHINE/WEBROOT/APPHOST";
    // Unlisted extensions allowed: a content folder is medium, System32\RpcProxy low (administrators only).
    assert_eq!(severities(cfg), vec![(format!("{apphost}/web"), "medium"), (format!("{apphost}/web/Rpc"), "low")]);
    // The restriction list closed (the default): Execute alone runs only what the list names.
    let closed =
        String::from_utf8_lossy(cfg).replace("notListedIsapisAllowed=\"true\"", "notListedIsapisAllowed=\"false\"");
    assert_eq!(
        severities(closed.as_bytes()),
        vec![(format!("{apphost}/web"), "low"), (format!("{apphost}/web/Rpc"), "low")]
    );
}

#[test]
fn verify_writes_one_object_per_file() {
    if !common::have_corpus() {
        return;
    }
    let pe = |n: &str| corpus(&format!("pe/{n}")).display().to_string();
    let out = inetsift(&[
        "verify",
        &pe("signify_whois.exe"),
        &pe("signify_amdacpbtscoext.inf"),
        &pe("uthenticode_64_pegoat-authenticode.exe"),
        &pe("signify_kdbazis.dll"),
        "--catalog",
        &corpus("pe").display().to_string(),
        "--trust",
        &pe("signify_kdbazis.dll.crt"),
        "--json",
        "-",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    for r in rows {
        for key in [
            "file",
            "sha256",
            "pe_kind",
            "status",
            "publisher",
            "root",
            "trusted_by",
            "signed_at",
            "time_used",
            "reason",
        ] {
            assert!(r.get(key).is_some(), "{key} missing in {r}");
        }
    }
    let status: Vec<&str> = rows.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(status, vec!["valid", "catalog_signed", "self_signed", "valid"]);
    assert_eq!(rows[0]["signed_at"], "2019-12-11T08:40:17.0000000Z");
    assert_eq!(rows[0]["time_used"], "countersignature");
    assert_eq!(rows[1]["pe_kind"], serde_json::Value::Null);
    assert!(rows[1]["catalog"].as_str().unwrap().ends_with("signify_oem89.cat"));
    assert_eq!(rows[3]["trusted_by"], "user");
    // The signer-less catalog is reported, not silently used.
    assert!(String::from_utf8_lossy(&out.stderr).contains("signify_catfiletest.cat is not trusted (unsigned)"));
}

#[test]
fn output_formats_are_chosen_with_format_and_json_is_a_shorthand() {
    let by_format = inetsift(&["scan", &sample(), "--format", "json"]);
    let by_json = inetsift(&["scan", &sample(), "--json", "-"]);
    assert_eq!(by_format.status.code(), Some(0));
    // The same document but for the run (its command line and times).
    let without_run = |bytes: &[u8]| {
        let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        v.as_object_mut().unwrap().remove("run").expect("the run is recorded");
        v
    };
    assert_eq!(without_run(&by_format.stdout), without_run(&by_json.stdout), "--json - is --format json");
    let v: serde_json::Value = serde_json::from_slice(&by_format.stdout).unwrap();
    assert_eq!(v["registry"]["installations"][0]["computer_name"], "WEB01");
    let table = inetsift(&["scan", &sample()]);
    assert!(String::from_utf8_lossy(&table.stdout).starts_with(&format!("inetsift {}", env!("CARGO_PKG_VERSION"))));
    // --json FILE writes the document there and keeps the table on standard output.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.json");
    let both = inetsift(&["scan", &sample(), "--json", file.to_str().unwrap()]);
    assert_eq!(both.stdout, table.stdout);
    assert_eq!(without_run(&std::fs::read(&file).unwrap()), without_run(&by_format.stdout));
    let bad = inetsift(&["scan", &sample(), "--format", "xml"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("possible values: table, json, csv, bodyfile, jsonl"));
}

#[test]
fn verify_refuses_a_missing_file_and_never_writes_over_an_input() {
    let dir = tree(&[("a.dll", b"MZ not really a PE")]);
    let missing = dir.path().join("nope.dll").display().to_string();
    let out = inetsift(&["verify", &missing]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.dll"));
    let a = dir.path().join("a.dll").display().to_string();
    let out = inetsift(&["verify", &a, "--json", &a]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(dir.path().join("a.dll")).unwrap(), b"MZ not really a PE");
}

#[test]
fn scan_never_writes_its_json_over_the_evidence_whatever_the_spelling() {
    let dir = tree(&[("ev/applicationHost.config", b"<configuration/>")]);
    let cfg = dir.path().join("ev/applicationHost.config");
    // The same file through a `..` detour and through a symbolic link.
    let detour = dir.path().join("ev/../ev/applicationHost.config").display().to_string();
    let link = dir.path().join("link.config");
    std::os::unix::fs::symlink(&cfg, &link).unwrap();
    for target in [detour, link.display().to_string()] {
        let out = inetsift(&["scan", cfg.to_str().unwrap(), "--json", &target]);
        assert_eq!(out.status.code(), Some(2), "{target}");
    }
    assert_eq!(std::fs::read(&cfg).unwrap(), b"<configuration/>");
    // A new file inside an evidence folder would change the evidence too; so would --out there.
    let folder = dir.path().join("ev");
    let inside = folder.join("result.json");
    let out = inetsift(&["scan", folder.to_str().unwrap(), "--json", inside.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("evidence is never written to"));
    assert!(!inside.exists());
    let out = inetsift(&["scan", folder.to_str().unwrap(), "--out", folder.join("case").to_str().unwrap()]);
    assert_ne!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 1, "nothing written into the evidence folder");
}

#[test]
fn event_logs_in_a_zip_are_streamed_past_the_in_memory_entry_cap() {
    // With the in-memory cap at 0 MiB every configuration and hive of the sample zip is too large to hold, but its
    // event logs are streamed from the archive block by block and read whole, with the same hashes.
    let sample = sample();
    let capped = inetsift(&["scan", &sample, "--max-zip-entry-mib", "0", "--json", "-"]);
    assert_eq!(capped.status.code(), Some(0), "{}", String::from_utf8_lossy(&capped.stderr));
    let capped: serde_json::Value = serde_json::from_slice(&capped.stdout).unwrap();
    let normal: serde_json::Value =
        serde_json::from_slice(&inetsift(&["scan", &sample, "--json", "-"]).stdout).unwrap();
    let logs = |v: &serde_json::Value| -> Vec<(String, u64, String)> {
        v["event_logs"]["logs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["path"].as_str().unwrap().to_string(),
                    l["records"].as_u64().unwrap(),
                    l["sha256"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(logs(&capped).len(), 6);
    assert_eq!(logs(&capped), logs(&normal));
    assert!(capped["components"].as_array().unwrap().is_empty(), "the configuration was over the cap");
}
