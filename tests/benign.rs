//! Precision: real configurations of benign servers (../shared/corpus/iisconfig-benign, and the stock Exchange
//! and reverse-proxy configurations of ../shared/corpus/iisconfig) and the servers of tests/fixtures/benign-host
//! (kinds the corpus lacks: Server Core, IIS 7.5 and 8.5, SharePoint, ARR, WSUS, iisnode/wfastcgi, AD CS and
//! RD Gateway, a Tomcat connector) raise nothing an analyst must look at — no finding of medium or higher, no
//! suspicious or malicious verdict.

mod common;

use common::{corpus, have_corpus, scan_one};
use inetsift::model::{Severity, VerdictLevel};

fn check(rel: &str) -> Vec<String> {
    let path = match rel.strip_prefix("fixture:") {
        Some(f) => common::repo(f),
        None => corpus(rel),
    };
    let r = scan_one(&path);
    let mut problems: Vec<String> = r
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Medium)
        .map(|f| format!("{rel}:{}: {} ({}): {}", f.source.line.unwrap_or(0), f.rule, f.severity, f.message))
        .collect();
    problems.extend(
        r.components.iter().filter(|c| c.verdict.as_ref().is_some_and(|v| v.level >= VerdictLevel::Suspicious)).map(
            |c| {
                format!(
                    "{rel}:{}: {} '{}' judged {}",
                    c.source.line.unwrap_or(0),
                    c.kind,
                    c.name,
                    c.verdict.as_ref().unwrap().level
                )
            },
        ),
    );
    problems
}

/// The `.config` files of a folder, sorted.
fn configs(dir: &std::path::Path) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".config"))
        .collect();
    files.sort();
    files
}

#[test]
fn benign_server_fixtures_are_the_pinned_files_and_raise_nothing() {
    let dir = common::repo("tests/fixtures/benign-host");
    common::check_sha256sums(&dir);
    let files = configs(&dir);
    assert_eq!(files.len(), 9, "{files:?}");
    let problems: Vec<String> =
        files.iter().flat_map(|f| check(&format!("fixture:tests/fixtures/benign-host/{f}"))).collect();
    assert!(problems.is_empty(), "medium-or-higher on benign servers:\n{}", problems.join("\n"));
}

#[test]
fn the_benign_set_holds_twenty_servers_and_ten_applications() {
    if !have_corpus() {
        return;
    }
    let hosts =
        configs(&corpus("iisconfig-benign")).len() + 3 + configs(&common::repo("tests/fixtures/benign-host")).len();
    let apps = configs(&common::repo("tests/fixtures/benign-web")).len() + 1;
    assert!(hosts >= 20 && apps >= 10, "{hosts} servers, {apps} applications");
}

#[test]
fn benign_servers_raise_nothing_an_analyst_must_look_at() {
    if !have_corpus() {
        return;
    }
    let mut files: Vec<String> =
        configs(&corpus("iisconfig-benign")).into_iter().map(|n| format!("iisconfig-benign/{n}")).collect();
    assert!(files.len() >= 9, "{files:?}");
    files.extend(
        [
            "iisconfig/cssexchange_E16_applicationHost.config",
            "iisconfig/cssexchange_E19_applicationHost_Default.config",
            "iisconfig/mattgillard_iis-reverse-proxy_applicationHost.config",
            "iisconfig/mattgillard_iis-reverse-proxy_web.config",
        ]
        .map(String::from),
    );
    let problems: Vec<String> = files.iter().flat_map(|f| check(f)).collect();
    assert!(problems.is_empty(), "medium-or-higher on benign servers:\n{}", problems.join("\n"));
}

#[test]
fn a_validly_microsoft_signed_binary_is_not_a_renamed_copy_because_of_its_internal_name() {
    if !have_corpus() {
        return;
    }
    let config = br#"<configuration><system.webServer><globalModules>
<add name="SignedModule" image="%windir%\System32\inetsrv\signedmod.dll" />
<add name="UnsignedModule" image="%windir%\System32\inetsrv\plainmod.dll" />
</globalModules></system.webServer></configuration>"#;
    let signed = std::fs::read(corpus("pe/signify_DXCore.dll")).unwrap();
    let plain = std::fs::read(corpus("pe/velociraptor_wkscli.dll")).unwrap();
    let dir = common::tree(&[
        ("Windows/System32/inetsrv/config/applicationHost.config", config),
        ("Windows/System32/inetsrv/signedmod.dll", &signed),
        ("Windows/System32/inetsrv/plainmod.dll", &plain),
    ]);
    let r = scan_one(dir.path());
    let rules = |name: &str| common::rules_of(&r, &common::component(&r, "global_module", name).id);
    assert!(!rules("SignedModule").contains(&"original_filename_mismatch"), "{:?}", rules("SignedModule"));
    assert!(rules("UnsignedModule").contains(&"original_filename_mismatch"), "{:?}", rules("UnsignedModule"));
}

#[test]
fn benign_application_web_configs_raise_nothing_an_analyst_must_look_at() {
    // tests/fixtures/benign-web: the kinds of web.config benign sites carry (see its README).
    let dir = common::repo("tests/fixtures/benign-web");
    let mut problems = Vec::new();
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".config") {
            continue;
        }
        n += 1;
        let r = scan_one(&entry.path());
        problems.extend(
            r.findings
                .iter()
                .filter(|f| f.severity >= Severity::Medium)
                .map(|f| format!("{name}:{}: {} ({}): {}", f.source.line.unwrap_or(0), f.rule, f.severity, f.message)),
        );
        problems.extend(
            r.components
                .iter()
                .filter(|c| c.verdict.as_ref().is_some_and(|v| v.level >= VerdictLevel::Suspicious))
                .map(|c| format!("{name}: {} '{}'", c.kind, c.name)),
        );
    }
    assert_eq!(n, 10);
    assert!(problems.is_empty(), "medium-or-higher on benign web.config files:\n{}", problems.join("\n"));
}
