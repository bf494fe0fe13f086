//! IIS configuration parsing on the real configuration files of ../shared/corpus/iisconfig.

mod common;
use common::*;
use inetsift::model::{ComponentKind, ComponentState, Severity};

#[test]
fn reverse_proxy_arr_module_resolves_to_program_files() {
    if !common::have_corpus() {
        return;
    }
    let r = scan_one(&corpus("iisconfig/mattgillard_iis-reverse-proxy_applicationHost.config"));
    let arr = component(&r, "global_module", "ApplicationRequestRouting");
    assert_eq!(arr.image.as_deref(), Some(r"%ProgramFiles%\IIS\Application Request Routing\requestRouter.dll"));
    assert_eq!(
        arr.path.as_ref().map(|p| p.as_str()),
        Some(r"C:\Program Files\IIS\Application Request Routing\requestRouter.dll")
    );
    assert_eq!(arr.scope, "MACHINE/WEBROOT/APPHOST");
    assert_eq!(arr.source.evidence, "E1");
    assert_eq!(arr.source.line, Some(240));
    assert_eq!(arr.baseline.as_str(), "known_third_party");
    assert_eq!(arr.product, Some("IIS Application Request Routing"));
    // A single file cannot say whether the DLL exists.
    assert_eq!(arr.file.as_ref().map(|f| f.status.as_str()), Some("not_collected"));
    assert_eq!(rules_of(&r, &arr.id), vec!["known_third_party"]);

    let uri = component(&r, "global_module", "UriCacheModule");
    assert_eq!(uri.baseline.as_str(), "builtin");
    assert!(rules_of(&r, &uri.id).is_empty());
    assert!(r.findings.iter().all(|f| f.severity == Severity::Info), "{:#?}", r.findings);
}

#[test]
fn exchange_isapi_filters_live_under_location_with_clear() {
    if !common::have_corpus() {
        return;
    }
    let r = scan_one(&corpus("iisconfig/cssexchange_E16_applicationHost.config"));
    let owa = r
        .components
        .iter()
        .find(|c| c.kind == ComponentKind::IsapiFilter && c.scope == "MACHINE/WEBROOT/APPHOST/Default Web Site")
        .expect("filter under <location path=\"Default Web Site\">");
    assert_eq!(owa.name, "Exchange OWA Cookie Authentication ISAPI Filter");
    assert_eq!(
        owa.path.as_ref().map(|p| p.as_str()),
        Some(r"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\bin\owaauth.dll")
    );
    assert_eq!(owa.source.line, Some(1307));
    assert_eq!(owa.attributes.get("enabled").map(String::as_str), Some("true"));
    assert_eq!(owa.baseline.as_str(), "known_third_party");

    // The default ASP.NET filter is cleared at both Exchange sites, and still effective elsewhere.
    let asp = component(&r, "isapi_filter", "ASP.Net_4.0_64bit");
    assert_eq!(asp.state, ComponentState::Effective);
    let cleared: Vec<(&str, &str, Option<usize>)> =
        asp.removed_below.iter().map(|x| (x.scope.as_str(), x.op.as_str(), x.source.line)).collect();
    assert_eq!(
        cleared,
        vec![
            ("MACHINE/WEBROOT/APPHOST/Default Web Site", "clear", Some(1306)),
            ("MACHINE/WEBROOT/APPHOST/Exchange Back End", "clear", Some(1401)),
        ]
    );

    // Exchange's own native modules are known, not flagged as malicious.
    for name in ["kerbauth", "exppw", "cafe_exppw"] {
        let c = component(&r, "global_module", name);
        assert_eq!(c.baseline.as_str(), "known_third_party", "{name}");
        assert_eq!(c.product, Some("Microsoft Exchange"));
    }
    assert_eq!(component(&r, "global_module", "PasswordExpiryModule").baseline.as_str(), "known_third_party");
    assert!(r.findings.iter().all(|f| f.severity < Severity::High), "{:#?}", r.findings);
    assert_eq!(r.components.iter().filter(|c| c.kind == ComponentKind::GlobalModule).count(), 33);
}

#[test]
fn mixed_exchange_config_flags_modules_loaded_from_temp() {
    if !common::have_corpus() {
        return;
    }
    let r = scan_one(&corpus("iisconfig/cssexchange_E16_applicationHost_Mixed.config"));
    let c = component(&r, "global_module", "Test-Unsigned");
    assert_eq!(c.path.as_ref().map(|p| p.as_str()), Some(r"C:\Temp\Test-Unsigned.dll"));
    assert_eq!(rules_of(&r, &c.id), vec!["image_user_writable", "unknown_component"]);
    let high: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| f.severity == Severity::High)
        .filter_map(|f| f.component.as_deref())
        .map(|id| r.components.iter().find(|c| c.id == id).map(|c| c.name.as_str()).unwrap_or(""))
        .collect();
    assert_eq!(high, vec!["Test-SignedBy3rdParty", "Test-Unsigned", "Test-UnsignedInvalid"]);
}

#[test]
fn bad_exchange_config_gives_a_located_error_and_keeps_its_components() {
    if !common::have_corpus() {
        return;
    }
    let r = scan_one(&corpus("iisconfig/cssexchange_E19_BadApplicationHost.config"));
    assert_eq!(r.warnings.len(), 1, "{:#?}", r.warnings);
    let w = &r.warnings[0];
    assert_eq!(w.position.file.as_ref().map(|f| f.as_str()), Some("cssexchange_E19_BadApplicationHost.config"));
    assert_eq!(w.position.line, Some(128));
    assert!(w.message.contains("</configSections>"), "{}", w.message);
    assert!(r.findings.iter().any(|f| f.rule == "config_malformed"));
    assert_eq!(r.coverage.artifacts[0].status.as_str(), "parsed_with_errors");
    // The damage is in <configSections>; everything after it is still read.
    assert_eq!(r.components.len(), 150);
    component(&r, "global_module", "kerbauth");
}

#[test]
fn truncated_config_warns_with_line_and_keeps_what_was_read() {
    if !common::have_corpus() {
        return;
    }
    let full = std::fs::read_to_string(corpus("iisconfig/cssexchange_E16_applicationHost.config")).unwrap();
    // Cut in the middle of the <add> on line 580 (inside <globalModules>, which starts at line 564).
    let line_580 = full.lines().take(579).map(|l| l.len() + 1).sum::<usize>();
    let cut = &full.as_bytes()[..line_580 + 30];
    let dir = tree(&[("applicationHost.config", cut)]);
    let r = scan_one(&dir.path().join("applicationHost.config"));
    assert_eq!(r.warnings.len(), 1, "{:#?}", r.warnings);
    assert_eq!(r.warnings[0].position.line, Some(580));
    assert_eq!(r.warnings[0].position.file.as_ref().map(|f| f.as_str()), Some("applicationHost.config"));
    let globals: Vec<&str> =
        r.components.iter().filter(|c| c.kind == ComponentKind::GlobalModule).map(|c| c.name.as_str()).collect();
    assert_eq!(globals.len(), 15);
    assert_eq!(globals.first(), Some(&"HttpLoggingModule"));
    assert_eq!(globals.last(), Some(&"BasicAuthenticationModule"));
}

#[test]
fn every_corpus_config_scans() {
    if !common::have_corpus() {
        return;
    }
    for entry in std::fs::read_dir(corpus("iisconfig")).unwrap() {
        let p = entry.unwrap().path();
        let r = scan_one(&p);
        assert!(!r.coverage.artifacts.is_empty(), "{}", p.display());
        assert!(r.components.iter().all(|c| !c.id.is_empty()));
    }
}

#[test]
fn site_web_config_given_alone_reads_as_a_web_config() {
    if !common::have_corpus() {
        return;
    }
    let r = scan_one(&corpus("iisconfig/mattgillard_iis-reverse-proxy_web.config"));
    assert_eq!(r.coverage.artifacts[0].artifact, "web.config");
    assert!(r.warnings.is_empty());
}
