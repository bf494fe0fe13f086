//! Precision: real configurations of benign servers (../shared/corpus/iisconfig-benign, and the stock Exchange
//! and reverse-proxy configurations of ../shared/corpus/iisconfig) raise nothing an analyst must look at — no
//! finding of medium or higher, no suspicious or malicious verdict.

mod common;

use common::{corpus, have_corpus, scan_one};
use inetsift::model::{Severity, VerdictLevel};

fn check(rel: &str) -> Vec<String> {
    let r = scan_one(&corpus(rel));
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

#[test]
fn benign_servers_raise_nothing_an_analyst_must_look_at() {
    if !have_corpus() {
        return;
    }
    let mut files: Vec<String> = std::fs::read_dir(corpus("iisconfig-benign"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".config"))
        .map(|n| format!("iisconfig-benign/{n}"))
        .collect();
    files.sort();
    assert!(files.len() >= 9, "{files:?}");
    files.extend(
        [
            "iisconfig/cssexchange_E16_applicationHost.config",
            "iisconfig/cssexchange_E19_applicationHost_Default.config",
            "iisconfig/mattgillard_iis-reverse-proxy_applicationHost.config",
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
    assert_eq!(n, 5);
    assert!(problems.is_empty(), "medium-or-higher on benign web.config files:\n{}", problems.join("\n"));
}
