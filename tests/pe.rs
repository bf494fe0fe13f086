//! PE facts on real binaries (../shared/corpus/pe); expected values cross-checked with pefile.

mod common;
use common::*;
use inetsift::artifacts::pe::{PeKind, analyse};

fn facts(name: &str) -> inetsift::artifacts::pe::PeFacts {
    analyse(&std::fs::read(corpus(&format!("pe/{name}"))).unwrap()).unwrap()
}

#[test]
fn renamed_system_dll_keeps_its_original_filename() {
    if !common::have_corpus() {
        return;
    }
    let f = facts("velociraptor_wkscli.dll");
    assert_eq!(f.machine, "x64");
    assert!(f.pe32_plus && f.dll);
    assert_eq!(f.timestamp, 2_753_642_075);
    assert_eq!(f.exports.len(), 23);
    assert!(f.exports.contains(&"NetGetJoinInformation".to_string()));
    assert_eq!(f.version.get("OriginalFilename").map(String::as_str), Some("kbdth0.dll"));
    assert_eq!(f.version.get("CompanyName").map(String::as_str), Some("Microsoft Corporation"));
    assert_eq!(f.imphash, None, "no imports");
    assert_eq!(f.kind, PeKind::Other);
    let text = &f.sections[0];
    assert_eq!((text.name.as_str(), text.entropy), (".text", 0.322));
}

#[test]
fn x86_exe_with_imports_has_pefiles_imphash() {
    if !common::have_corpus() {
        return;
    }
    let f = facts("velociraptor_notnbt.exe");
    assert_eq!(f.machine, "x86");
    assert!(!f.pe32_plus && !f.dll);
    assert_eq!(f.version.get("OriginalFilename").map(String::as_str), Some("nbtinfo.exe"));
    assert_eq!(f.imphash.as_deref(), Some("10d9c9b63eacdf526976f5792f2c6ff5"));
    assert_eq!(f.sections.iter().map(|s| s.entropy).collect::<Vec<_>>()[..3], [6.166, 0.22, 4.743]);
}

#[test]
fn signed_microsoft_dll() {
    if !common::have_corpus() {
        return;
    }
    let f = facts("signify_DXCore.dll");
    assert_eq!(f.exports, vec!["DXCoreCreateAdapterFactory"]);
    assert_eq!(f.imphash.as_deref(), Some("2a8133635f33398790f28cb58444eb47"));
    assert_eq!(f.version.get("OriginalFilename").map(String::as_str), Some("DXCore.DLL"));
    // The MANIFEST's hash of the file.
    assert_eq!(f.sha256, "36de2c16a1f88d33f4c77b60b94ce5f276379f8f9195f038608a94889d3680f3");
    assert_eq!(f.md5.len(), 32);
    assert_eq!(f.sha1.len(), 40);
    let kd = facts("signify_kdbazis.dll");
    assert_eq!(kd.imphash.as_deref(), Some("d878eb3ec3e8c66bcb7e28b26baf6ae7"));
    assert_eq!(kd.version.get("CompanyName").map(String::as_str), Some("VirtualKD-Redux"));
    assert_eq!(kd.exports.len(), 12);
}

#[test]
fn managed_exe_has_a_clr_runtime() {
    if !common::have_corpus() {
        return;
    }
    let f = facts("velociraptor_3DBuilder.ResourceResolver.exe");
    assert_eq!(f.kind, PeKind::ManagedAssembly);
    assert_eq!(f.clr_runtime.as_deref(), Some("v4.0.30319"));
    assert_eq!(f.imphash.as_deref(), Some("f34d5f2d4577ed6d9ceec516c1f5a744"));
    assert_eq!(f.imported_dlls, vec!["mscoree.dll"]);
}

#[test]
fn unsigned_pe_and_non_pe() {
    if !common::have_corpus() {
        return;
    }
    let f = facts("uthenticode_32_pegoat.exe");
    assert_eq!(f.imphash.as_deref(), Some("b0a8e7f2fc0f77d1c642d5341a11bce6"));
    assert!(f.version.is_empty());
    let err = analyse(b"MZ but not much else").unwrap_err();
    assert!(err.to_string().starts_with("not a PE file"));
    assert!(analyse(&std::fs::read(corpus("pe/signify_amdacpbtscoext.inf")).unwrap()).is_err());
}

/// A host whose configuration gives DLLs roles their exports do not support. The DLLs are the sample's own
/// mingw-built modules, read out of the sample zip.
#[test]
fn exports_that_do_not_fit_the_role_are_findings() {
    let f = std::fs::File::open(repo("samples/iis-compromised-kape.zip")).unwrap();
    let mut z = zip::ZipArchive::new(f).unwrap();
    let mut read = |n: &str| {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut z.by_name(n).unwrap(), &mut b).unwrap();
        b
    };
    let module = read("C/Windows/System32/inetsrv/cachehttpex.dll");
    let filter = read("C/Windows/Temp/sfilter.dll");
    let cfg = br#"<configuration><system.webServer>
  <globalModules><add name="FilterAsModule" image="%windir%\System32\inetsrv\sfilter.dll" /></globalModules>
  <isapiFilters><filter name="ModuleAsFilter" path="%windir%\System32\inetsrv\mod.dll" /></isapiFilters>
</system.webServer></configuration>"#;
    let dir = tree(&[
        ("Windows/System32/inetsrv/config/applicationHost.config", cfg),
        ("Windows/System32/inetsrv/sfilter.dll", &filter),
        ("Windows/System32/inetsrv/mod.dll", &module),
        ("Windows/System32/inetsrv/spare.dll", &module),
    ]);
    let r = scan_one(dir.path());
    let fam = component(&r, "global_module", "FilterAsModule");
    assert_eq!(fam.pe_kind, Some(PeKind::IsapiFilter));
    assert!(rules_of(&r, &fam.id).contains(&"pe_kind_mismatch"));
    let maf = component(&r, "isapi_filter", "ModuleAsFilter");
    assert_eq!(maf.pe_kind, Some(PeKind::NativeModule));
    let rules = rules_of(&r, &maf.id);
    assert!(rules.contains(&"pe_kind_mismatch") && rules.contains(&"original_filename_mismatch"), "{rules:?}");
    // inetsrv DLLs are examined even when nothing references them.
    let spare = r.binaries.iter().find(|b| b.path.as_str().ends_with("spare.dll")).unwrap();
    assert!(spare.in_inetsrv && spare.components.is_empty());
    assert_eq!(spare.pe.as_ref().unwrap().exports, vec!["RegisterModule"]);
    assert!(r.findings.iter().any(|f| f.rule == "unreferenced_iis_binary" && f.message.contains("spare.dll")));
    assert_eq!(r.binaries.len(), 3);
}

#[test]
fn renamed_corpus_binaries_in_inetsrv_are_flagged() {
    if !common::have_corpus() {
        return;
    }
    let wkscli = std::fs::read(corpus("pe/velociraptor_wkscli.dll")).unwrap();
    let notnbt = std::fs::read(corpus("pe/velociraptor_notnbt.exe")).unwrap();
    let dir = tree(&[
        ("Windows/System32/inetsrv/config/applicationHost.config", b"<configuration/>"),
        ("Windows/System32/inetsrv/wkscli.dll", &wkscli),
        ("Windows/System32/inetsrv/notnbt.dll", &notnbt),
    ]);
    let r = scan_one(dir.path());
    let renamed: Vec<&str> =
        r.findings.iter().filter(|f| f.rule == "original_filename_mismatch").map(|f| f.source.path()).collect();
    assert_eq!(renamed, vec![r"C:\Windows\System32\inetsrv\notnbt.dll", r"C:\Windows\System32\inetsrv\wkscli.dll"]);
    let msg = &r
        .findings
        .iter()
        .find(|f| f.rule == "original_filename_mismatch" && f.message.contains("wkscli.dll"))
        .unwrap()
        .message;
    assert!(msg.contains("kbdth0.dll"), "{msg}");
    // Microsoft-looking but unsigned, and no catalog in this evidence to say otherwise.
    let unsigned: Vec<&str> = r.findings.iter().filter(|f| f.rule == "unsigned").map(|f| f.message.as_str()).collect();
    assert_eq!(unsigned.len(), 2);
    assert!(unsigned.iter().all(|m| m.contains("no catalog was available")));
}

#[test]
fn a_managed_module_assemblys_metadata_is_read() {
    // Built by tests/fixtures/managed/make.sh with mono's mcs from SessionAuth.cs.
    let bytes = std::fs::read(repo("tests/fixtures/managed/Contoso.Portal.Helpers.dll")).unwrap();
    let sums = std::fs::read_to_string(repo("tests/fixtures/managed/SHA256SUMS")).unwrap();
    let sha = inetsift::evidence::hex(&<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    assert_eq!(sums, format!("{sha}  Contoso.Portal.Helpers.dll\n"));
    let facts = analyse(&bytes).unwrap();
    let m = facts.managed.expect("managed metadata");
    assert_eq!(
        (m.name.as_deref(), m.version.as_deref(), m.public_key_token.as_deref()),
        (Some("Contoso.Portal.Helpers"), Some("0.0.0.0"), None)
    );
    assert_eq!(m.handlers, ["Contoso.Portal.SessionAuth : System.Web.IHttpModule"]);
    assert!(m.types.contains(&"Contoso.Portal.Helper".to_string()), "{:?}", m.types);
    assert!(
        m.references.iter().any(|r| r.starts_with("System.Web, Version=4.0.0.0, PublicKeyToken=b03f5f7f11d50a3a")),
        "{:?}",
        m.references
    );
    assert_eq!(
        m.notable,
        [
            "decodes base64 (System.Convert.FromBase64String)",
            "loads code from bytes (System.Reflection.Assembly.Load)",
            "reads request cookies (HttpRequest.Cookies)",
            "reads request headers (HttpRequest.Headers)",
            "starts processes (System.Diagnostics.Process.Start)",
        ]
    );
}
