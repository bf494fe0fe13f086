//! Managed modules resolved to their assemblies the way ASP.NET does (bin, GAC) and read: identity, module types,
//! what the code calls — on a real assembly built by mono's mcs (tests/fixtures/managed).

mod common;

use common::{component, repo, rules_of, scan_one, tree};
use inetsift::model::VerdictLevel;

fn assembly() -> Vec<u8> {
    std::fs::read(repo("tests/fixtures/managed/Contoso.Portal.Helpers.dll")).unwrap()
}

const WEB_CONFIG: &[u8] = br#"<configuration><system.webServer><modules>
<add name="SessionAuthHelper" type="Contoso.Portal.SessionAuth, Contoso.Portal.Helpers, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" />
<add name="Ghost" type="Contoso.Portal.Ghost, Contoso.Portal.Helpers" />
<add name="Elsewhere" type="Contoso.Missing, Contoso.Missing.Assembly" />
</modules></system.webServer></configuration>"#;

#[test]
fn a_module_in_a_sites_bin_folder_is_read_and_judged() {
    let dir = tree(&[
        ("Windows/System32/inetsrv/config/applicationHost.config", b"<configuration/>"),
        ("inetpub/wwwroot/web.config", WEB_CONFIG),
        ("inetpub/wwwroot/bin/Contoso.Portal.Helpers.dll", &assembly()),
    ]);
    let r = scan_one(dir.path());
    let m = component(&r, "managed_module", "SessionAuthHelper");
    assert_eq!(m.path.as_ref().map(|p| p.as_str()), Some(r"C:\inetpub\wwwroot\bin\Contoso.Portal.Helpers.dll"));
    let b = r.binaries.iter().find(|b| b.components.contains(&m.id)).expect("the assembly was examined");
    let meta = b.pe.as_ref().unwrap().managed.as_ref().unwrap();
    assert_eq!(meta.handlers, ["Contoso.Portal.SessionAuth : System.Web.IHttpModule"]);
    let rules = rules_of(&r, &m.id);
    assert!(rules.contains(&"managed_notable_calls"), "{rules:?}");
    assert!(!rules.contains(&"managed_type_not_in_assembly"), "{rules:?}");
    let calls = r
        .findings
        .iter()
        .find(|f| f.rule == "managed_notable_calls" && f.component.as_deref() == Some(m.id.as_str()))
        .unwrap();
    assert_eq!(calls.severity, inetsift::model::Severity::High);
    assert!(calls.message.contains("loads code from bytes"), "{}", calls.message);
    assert!(m.verdict.as_ref().unwrap().level >= VerdictLevel::Suspicious);
    // A type the assembly does not define.
    let ghost = component(&r, "managed_module", "Ghost");
    assert!(rules_of(&r, &ghost.id).contains(&"managed_type_not_in_assembly"));
    // Not in bin (and no key for the GAC): on a whole volume, said.
    let missing = component(&r, "managed_module", "Elsewhere");
    assert!(rules_of(&r, &missing.id).contains(&"managed_assembly_not_found"), "{:?}", rules_of(&r, &missing.id));
}

#[test]
fn a_gac_assembly_that_is_not_signed_with_the_claimed_key_is_a_mismatch() {
    let apphost = br#"<configuration><system.webServer><modules>
<add name="OwaAuth" type="Contoso.Portal.SessionAuth, Contoso.Portal.Helpers, Version=1.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35" />
</modules></system.webServer></configuration>"#;
    let gac = r"Windows/Microsoft.NET/assembly/GAC_MSIL/Contoso.Portal.Helpers/v4.0_1.0.0.0__31bf3856ad364e35/Contoso.Portal.Helpers.dll";
    let dir = tree(&[("Windows/System32/inetsrv/config/applicationHost.config", apphost), (gac, &assembly())]);
    let r = scan_one(dir.path());
    let m = component(&r, "managed_module", "OwaAuth");
    assert!(m.path.as_ref().is_some_and(|p| p.as_str().contains(r"GAC_MSIL\Contoso.Portal.Helpers")), "{:?}", m.path);
    let rules = rules_of(&r, &m.id);
    assert!(rules.contains(&"managed_token_mismatch"), "{rules:?}");
    assert_eq!(m.verdict.as_ref().unwrap().level, VerdictLevel::Malicious);
}

#[test]
fn a_module_compiled_from_app_code_is_found_in_its_source() {
    let web = br#"<configuration><system.webServer><modules>
<add name="SessionAuth" type="Contoso.Portal.SessionAuth" />
</modules></system.webServer></configuration>"#;
    let source = std::fs::read(repo("tests/fixtures/managed/SessionAuth.cs")).unwrap();
    let dir = tree(&[
        ("Windows/System32/inetsrv/config/applicationHost.config", b"<configuration/>"),
        ("inetpub/wwwroot/web.config", web),
        ("inetpub/wwwroot/App_Code/Auth/SessionAuth.cs", &source),
    ]);
    let r = scan_one(dir.path());
    let m = component(&r, "managed_module", "SessionAuth");
    assert_eq!(
        m.attributes.get("app_code_source").map(String::as_str),
        Some(r"C:\inetpub\wwwroot\App_Code\Auth\SessionAuth.cs")
    );
    let f =
        r.findings.iter().find(|f| f.rule == "managed_notable_calls" && f.component.as_deref() == Some(m.id.as_str()));
    let f = f.expect("the source's calls are judged");
    assert_eq!(f.severity, inetsift::model::Severity::High);
    assert!(f.message.contains(r"(compiled from C:\inetpub\wwwroot\App_Code\Auth\SessionAuth.cs)"), "{}", f.message);
    // The source file was read through the hashed log.
    assert!(r.coverage.files_read.iter().any(|x| x.path.as_str().ends_with("SessionAuth.cs")));
}

#[test]
fn a_module_declared_for_a_site_in_application_host_is_found_in_that_sites_bin() {
    let apphost = br#"<configuration>
<system.applicationHost><sites>
<site name="Portal" id="2"><application path="/"><virtualDirectory path="/" physicalPath="D:\Sites\portal" /></application></site>
</sites></system.applicationHost>
<location path="Portal"><system.webServer><modules>
<add name="SessionAuthHelper" type="Contoso.Portal.SessionAuth, Contoso.Portal.Helpers" />
</modules></system.webServer></location>
</configuration>"#;
    let dir = tree(&[
        ("C/Windows/System32/inetsrv/config/applicationHost.config", apphost),
        ("D/Sites/portal/bin/Contoso.Portal.Helpers.dll", &assembly()),
    ]);
    let r = scan_one(dir.path());
    let m = component(&r, "managed_module", "SessionAuthHelper");
    assert_eq!(m.scope, "MACHINE/WEBROOT/APPHOST/Portal");
    assert_eq!(m.path.as_ref().map(|p| p.as_str()), Some(r"D:\Sites\portal\bin\Contoso.Portal.Helpers.dll"));
    assert!(rules_of(&r, &m.id).contains(&"managed_notable_calls"));
}

#[test]
fn the_table_shows_a_managed_modules_assembly_identity_types_and_calls() {
    let dir = tree(&[
        ("Windows/System32/inetsrv/config/applicationHost.config", b"<configuration/>"),
        ("inetpub/wwwroot/web.config", WEB_CONFIG),
        ("inetpub/wwwroot/bin/Contoso.Portal.Helpers.dll", &assembly()),
    ]);
    let r = scan_one(dir.path());
    let mut out = Vec::new();
    inetsift::report::table::write(&r, Default::default(), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let section = &text[text.find("Managed module assemblies").expect("the section")..];
    for needle in ["Contoso.Portal.Helpers 0.0.0.0", "PublicKeyToken=null", "System.Web.IHttpModule", "loads code from"]
    {
        assert!(section.contains(needle), "{needle} missing:\n{section}");
    }
}
