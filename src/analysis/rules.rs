//! The rules. Each finding carries a rule id (documented in docs/rules.md), a severity and a plain reason.
//!
//! Components are first placed against the baseline (built-in, known third-party, unknown); the rules then
//! look at names, images, locations and the evidence's files.

use super::baseline::{self, ThirdParty};
use super::similarity::looks_like;
use crate::model::WinEnv;
use crate::model::WinPath;
use crate::model::{
    ArtifactStatus, Component, ComponentKind, ComponentState, ConfigFact, ConfigFactKind, Finding, Position, Severity,
};
use crate::model::{
    Baseline, Binary, FileStatus, Installation, PeFacts, PeKind, ReadState, Status, TrustAnchor, Verdict,
};
use std::collections::BTreeMap;

/// Places each component against the baseline: sets `baseline` and `product`.
pub fn classify(c: &mut Component, env: &WinEnv) {
    let (class, product) = match c.kind {
        ComponentKind::GlobalModule => match native_image(&c.name) {
            Some(img) if same_path(c.path.as_ref(), img, env) => (Baseline::Builtin, None),
            Some(_) => (Baseline::Unknown, None),
            None => third_party(c),
        },
        ComponentKind::Module => {
            if native_image(&c.name).is_some() {
                (Baseline::Builtin, None)
            } else {
                third_party(c)
            }
        }
        ComponentKind::ManagedModule => classify_managed(c),
        ComponentKind::IsapiFilter => match table_image(baseline::ISAPI_FILTERS, &c.name) {
            Some(img) if same_path(c.path.as_ref(), img, env) => (Baseline::Builtin, None),
            Some(_) => (Baseline::Unknown, None),
            None => third_party(c),
        },
        ComponentKind::IsapiExtension | ComponentKind::Cgi | ComponentKind::Fastcgi if c.image.is_none() => {
            if baseline::DEFAULT_HANDLERS.iter().any(|h| h.eq_ignore_ascii_case(&c.name)) {
                (Baseline::Builtin, None)
            } else {
                (Baseline::Unknown, None)
            }
        }
        _ => {
            if default_binary(c.path.as_ref(), env) {
                (Baseline::Builtin, None)
            } else {
                third_party(c)
            }
        }
    };
    c.baseline = class;
    c.product = product;
}

fn classify_managed(c: &Component) -> (Baseline, Option<&'static str>) {
    let Some(t) = &c.managed_type else { return (Baseline::Unknown, None) };
    let ms_token = t.public_key_token.as_deref().is_some_and(|k| baseline::MICROSOFT_TOKENS.contains(&k));
    let trusted_token = t.public_key_token.is_none() || ms_token;
    let expected = table_image(baseline::MANAGED_MODULES, &c.name);
    if expected.is_some_and(|cls| cls == t.class) && trusted_token {
        (Baseline::Builtin, None)
    } else if ms_token && expected.is_none() {
        (Baseline::KnownThirdParty, Some("Microsoft (strong-named assembly)"))
    } else {
        (Baseline::Unknown, None)
    }
}

fn third_party(c: &Component) -> (Baseline, Option<&'static str>) {
    let file = c.path.as_ref().and_then(|p| p.file_name()).unwrap_or("");
    let hit = baseline::THIRD_PARTY.iter().find(|t: &&ThirdParty| {
        (t.name == "*" || t.name.eq_ignore_ascii_case(&c.name)) && t.file.eq_ignore_ascii_case(file)
    });
    match hit {
        Some(t) => (Baseline::KnownThirdParty, Some(t.product)),
        None => (Baseline::Unknown, None),
    }
}

fn native_image(name: &str) -> Option<&'static str> {
    table_image(baseline::NATIVE_MODULES, name)
}

fn table_image(table: &'static [(&'static str, &'static str)], name: &str) -> Option<&'static str> {
    table.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| *v)
}

fn same_path(actual: Option<&WinPath>, expected: &str, env: &WinEnv) -> bool {
    let expected = WinPath::parse(&env.expand(expected).0);
    actual.is_some_and(|a| a.key() == expected.key())
}

/// True when `path` is one of the default binaries (`*` matches one folder).
fn default_binary(path: Option<&WinPath>, env: &WinEnv) -> bool {
    let Some(path) = path else { return false };
    let actual: Vec<String> = path.components().map(str::to_lowercase).collect();
    baseline::DEFAULT_BINARIES.iter().any(|pattern| {
        let p = WinPath::parse(&env.expand(pattern).0);
        let expected: Vec<String> = p.components().map(str::to_lowercase).collect();
        p.drive() == path.drive()
            && expected.len() == actual.len()
            && expected.iter().zip(&actual).all(|(e, a)| e == "*" || e == a)
    })
}

/// Every finding about the components and settings of one result. `envs` holds each evidence's environment.
pub fn evaluate(
    components: &[Component],
    facts: &[ConfigFact],
    artifacts: &[ArtifactStatus],
    envs: &BTreeMap<String, WinEnv>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let default_env = WinEnv::default();
    for c in components {
        component_findings(c, envs.get(&c.source.evidence).unwrap_or(&default_env), &mut out);
    }
    for f in facts {
        fact_findings(f, &mut out);
    }
    for a in artifacts {
        if a.status == ReadState::ParsedWithErrors {
            out.push(Finding {
                rule: "config_malformed",
                severity: Severity::Medium,
                component: None,
                message: format!(
                    "{} ({}) is not well-formed XML: IIS would refuse to load it as is, and what follows the error may be missing here",
                    a.artifact, a.path
                ),
                source: Position::at(&a.evidence, a.path.clone(), None),
            });
        }
    }
    sort(&mut out);
    out
}

/// Most severe first, then by component and rule: the order every report shows.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.component.cmp(&b.component))
            .then_with(|| a.rule.cmp(b.rule))
            .then_with(|| a.message.cmp(&b.message))
    });
}

/// Findings about the IIS services the registry registers.
pub fn registry_findings(installations: &[Installation]) -> Vec<Finding> {
    let mut out = Vec::new();
    for inst in installations {
        for s in inst.services.iter().filter(|s| s.installed) {
            let svchost_hosted = matches!(s.name.as_str(), "W3SVC" | "WAS" | "AppHostSvc" | "W3LOGSVC");
            if let Some(img) = &s.image_path
                && svchost_hosted
                && !img.to_ascii_lowercase().contains(r"\system32\svchost.exe")
            {
                out.push(Finding {
                    rule: "service_binary_unexpected",
                    severity: Severity::High,
                    component: None,
                    message: format!(
                        "service {} runs {img} instead of svchost.exe ({}: {})",
                        s.name, inst.evidence, s.key
                    ),
                    source: s.source.clone(),
                });
            }
            if let Some(dll) = &s.service_dll
                && !dll.to_ascii_lowercase().contains(r"\system32\inetsrv")
            {
                out.push(Finding {
                    rule: "service_binary_unexpected",
                    severity: Severity::High,
                    component: None,
                    message: format!(
                        "service {} loads ServiceDll {dll}, outside System32\\inetsrv ({}: {})",
                        s.name, inst.evidence, s.key
                    ),
                    source: s.source.clone(),
                });
            }
        }
    }
    out
}

fn component_findings(c: &Component, env: &WinEnv, out: &mut Vec<Finding>) {
    let mut push = |rule, severity, message: String| {
        out.push(Finding { rule, severity, component: Some(c.id.clone()), message, source: c.source.clone() });
    };
    let what = describe(c);

    match c.baseline {
        Baseline::KnownThirdParty => push(
            "known_third_party",
            Severity::Info,
            format!(
                "{what} is not part of a default IIS install; it matches {}",
                c.product.unwrap_or("a known product")
            ),
        ),
        Baseline::Unknown => unknown_findings(c, env, &what, &mut push),
        _ => {}
    }

    if c.scope.starts_with(r"HKLM\") && c.kind == ComponentKind::IsapiFilter {
        push(
            "registry_filter_registration",
            Severity::Medium,
            format!(
                "{what} is registered in the registry ({}), the IIS 6 way; IIS 7 and later load filters only from the configuration",
                c.scope
            ),
        );
    }
    if c.state == ComponentState::Duplicate {
        push(
            "duplicate_entry",
            Severity::Low,
            format!("{what} is declared twice in the same scope ({}); IIS rejects such a configuration", c.scope),
        );
    }
    if let Some(path) = &c.path {
        let text = format!(r"\{}\", path.components().collect::<Vec<_>>().join(r"\")).to_lowercase();
        if let Some(frag) = baseline::USER_WRITABLE.iter().find(|f| text.contains(&f.to_lowercase())) {
            push(
                "image_user_writable",
                Severity::High,
                format!("{what} loads {path}, in a user-writable place ({})", frag.trim_matches('\\')),
            );
        } else if c.baseline == Baseline::Unknown && !in_expected_dir(path, env) {
            let severity = if matches!(c.kind, ComponentKind::Cgi | ComponentKind::Fastcgi) {
                Severity::Low
            } else {
                Severity::Medium
            };
            push(
                "image_outside_system_dirs",
                severity,
                format!(
                    r"{what} loads {path}, outside %windir%\System32\inetsrv, the .NET Framework folders and Program Files"
                ),
            );
        }
    }
    if c.file.as_ref().is_some_and(|f| f.status == FileStatus::Missing) {
        push(
            "referenced_file_missing",
            Severity::Medium,
            format!(
                "{what} references {}, which is not on the volume: deleted after install, or the configuration points at another host's file",
                c.path.as_ref().map(|p| p.to_string()).unwrap_or_default()
            ),
        );
    }
    if c.kind == ComponentKind::Module && c.attributes.get("global_module").is_some_and(|v| v == "(none declared)") {
        push(
            "module_without_global_module",
            Severity::Low,
            format!(
                "native module '{}' is enabled in {} but no global module of that name is declared",
                c.name, c.scope
            ),
        );
    }
}

fn unknown_findings(c: &Component, env: &WinEnv, what: &str, push: &mut dyn FnMut(&'static str, Severity, String)) {
    let builtin_name = match c.kind {
        ComponentKind::GlobalModule | ComponentKind::Module => native_image(&c.name),
        ComponentKind::IsapiFilter => table_image(baseline::ISAPI_FILTERS, &c.name),
        ComponentKind::ManagedModule => table_image(baseline::MANAGED_MODULES, &c.name),
        _ => None,
    };
    if c.kind == ComponentKind::Module {
        // The global module it enables carries the findings.
        return;
    }
    if let Some(expected) = builtin_name {
        let actual = c.image.as_deref().unwrap_or("(none)");
        push(
            "builtin_name_foreign_image",
            Severity::High,
            format!("{what} uses the name of a built-in component, which is {expected}, but points at {actual}"),
        );
        return;
    }
    if c.kind == ComponentKind::ManagedModule {
        managed_findings(c, what, push);
    } else if let Some(owner) = builtin_owner_of_image(c.path.as_ref(), env) {
        push(
            "builtin_image_foreign_name",
            Severity::High,
            format!(
                "{what} loads the built-in image of '{owner}' under another name: a renamed copy of a default module"
            ),
        );
    } else {
        let severity = match c.kind {
            ComponentKind::CgiRestriction
                if c.attributes.get("allowed").is_some_and(|v| v.eq_ignore_ascii_case("false")) =>
            {
                Severity::Info
            }
            ComponentKind::Cgi | ComponentKind::Fastcgi | ComponentKind::CgiRestriction => Severity::Low,
            _ => Severity::Medium,
        };
        push(
            "unknown_component",
            severity,
            format!("{what} is not part of a default IIS install and not a known third-party component"),
        );
    }
    if let Some(k) = lookalike(c) {
        push("lookalike_name", Severity::High, format!("{what} imitates the built-in '{k}'"));
    }
}

fn managed_findings(c: &Component, what: &str, push: &mut dyn FnMut(&'static str, Severity, String)) {
    let Some(t) = &c.managed_type else { return };
    let token = t.public_key_token.as_deref();
    let ms_namespace = t.class.starts_with("System.") || t.class.starts_with("Microsoft.");
    if ms_namespace && token.is_some() && !token.is_some_and(|k| baseline::MICROSOFT_TOKENS.contains(&k)) {
        push(
            "microsoft_namespace_foreign_assembly",
            Severity::High,
            format!(
                "{what} claims the Microsoft namespace '{}' but its assembly is not signed with a Microsoft key (PublicKeyToken={})",
                t.class,
                token.unwrap_or("")
            ),
        );
        return;
    }
    let strong = match token {
        None => "no assembly given: ASP.NET loads it from the application's bin or App_Code",
        Some("null") => "its assembly is not strong-named (PublicKeyToken=null)",
        Some(_) => "its assembly is strong-named with a non-Microsoft key",
    };
    push("unknown_component", Severity::Medium, format!("{what} is not a default ASP.NET module; {strong}"));
}

/// The built-in module whose image `path` is, if any.
fn builtin_owner_of_image(path: Option<&WinPath>, env: &WinEnv) -> Option<&'static str> {
    baseline::NATIVE_MODULES
        .iter()
        .chain(baseline::ISAPI_FILTERS)
        .find(|(_, img)| same_path(path, img, env))
        .map(|(n, _)| *n)
}

/// The built-in name or image this component imitates.
fn lookalike(c: &Component) -> Option<String> {
    let names = baseline::NATIVE_MODULES
        .iter()
        .chain(baseline::MANAGED_MODULES)
        .chain(baseline::ISAPI_FILTERS)
        .map(|(n, _)| *n);
    let names = names.chain(baseline::THIRD_PARTY.iter().map(|t| t.name).filter(|n| *n != "*"));
    let mut known_names = names.clone();
    if !known_names.any(|n| n.eq_ignore_ascii_case(&c.name))
        && let Some(n) = names.clone().find(|n| looks_like(&c.name, n, 2))
    {
        return Some(n.to_string());
    }
    let stem = |f: &str| f.rsplit_once('.').map(|(s, _)| s.to_lowercase()).unwrap_or_else(|| f.to_lowercase());
    let file = c.path.as_ref().and_then(|p| p.file_name()).map(stem)?;
    let images = baseline::NATIVE_MODULES.iter().chain(baseline::ISAPI_FILTERS).map(|(_, i)| *i);
    let images: Vec<String> = images
        .chain(baseline::DEFAULT_BINARIES.iter().copied())
        .filter_map(|i| i.rsplit('\\').next())
        .map(stem)
        .collect();
    if images.contains(&file) {
        return None;
    }
    images.into_iter().find(|i| looks_like(&file, i, 1)).map(|i| format!("{i}.dll"))
}

fn in_expected_dir(path: &WinPath, env: &WinEnv) -> bool {
    baseline::EXPECTED_DIRS.iter().any(|d| path.starts_with(&WinPath::parse(&env.expand(d).0)))
}

/// `global module 'X'`, `ISAPI filter 'Y'` ...
fn describe(c: &Component) -> String {
    let kind = match c.kind {
        ComponentKind::GlobalModule => "global module",
        ComponentKind::Module => "native module",
        ComponentKind::ManagedModule => "managed module",
        ComponentKind::IsapiFilter => "ISAPI filter",
        ComponentKind::IsapiExtension => "ISAPI extension handler",
        ComponentKind::Cgi => "CGI handler",
        ComponentKind::Fastcgi => "FastCGI application",
        ComponentKind::CgiRestriction => "ISAPI/CGI restriction entry",
        ComponentKind::OtherDll => "DLL reference",
    };
    format!("{kind} '{}'", c.name)
}

fn fact_findings(f: &ConfigFact, out: &mut Vec<Finding>) {
    let v = |k: &str| f.values.get(k).map(String::as_str);
    let is_true = |k: &str| v(k).is_some_and(|x| x.eq_ignore_ascii_case("true"));
    let mut push = |rule, severity, message: String| {
        out.push(Finding { rule, severity, component: None, message, source: f.source.clone() });
    };
    match (f.kind, v("section")) {
        (ConfigFactKind::Setting, Some("configurationRedirection")) if is_true("enabled") => push(
            "redirection_enabled",
            Severity::High,
            format!(
                "shared configuration is enabled: IIS reads its real configuration from {} — that file is not in this evidence, so the components listed here may not be the ones IIS loads",
                v("path").unwrap_or("(no path)")
            ),
        ),
        (ConfigFactKind::Setting, Some("system.webServer/security/isapiCgiRestriction")) => {
            for (attr, what) in [("notListedIsapisAllowed", "ISAPI extension"), ("notListedCgisAllowed", "CGI program")]
            {
                if is_true(attr) {
                    push(
                        "cgi_restriction_open",
                        Severity::Medium,
                        format!("{attr}=\"true\" at {}: any {what} may run, listed or not", f.scope),
                    );
                }
            }
        }
        (ConfigFactKind::Setting, Some("system.webServer/handlers"))
            if v("accessPolicy").is_some_and(|p| p.to_lowercase().contains("execute")) =>
        {
            push(
                "handler_execute_access",
                Severity::Medium,
                format!(
                    "handlers accessPolicy=\"{}\" at {}: requested .dll and .exe files may execute",
                    v("accessPolicy").unwrap_or(""),
                    f.scope
                ),
            )
        }
        (ConfigFactKind::Setting, Some("system.webServer/httpLogging")) if is_true("dontLog") => push(
            "http_logging_disabled",
            Severity::Medium,
            format!("HTTP logging is disabled (dontLog=\"true\") at {}", f.scope),
        ),
        (ConfigFactKind::Setting, Some("system.applicationHost/configHistory"))
            if v("enabled").is_some_and(|x| x.eq_ignore_ascii_case("false")) =>
        {
            push(
                "config_history_disabled",
                Severity::Low,
                "IIS configuration history is disabled: no snapshots of earlier configurations were kept".to_string(),
            )
        }
        (ConfigFactKind::FrebLogging, _)
        | (ConfigFactKind::Setting, Some("system.applicationHost/sites/siteDefaults/traceFailedRequestsLogging"))
            if is_true("enabled") =>
        {
            push(
                "freb_enabled",
                Severity::Info,
                format!("failed-request tracing is enabled at {} (FREB is what Frebniis-style implants hook)", f.scope),
            )
        }
        _ => {}
    }
}

/// Findings from the binaries themselves: exports that do not fit the role the configuration gives them,
/// several IIS entry points in one DLL, a version resource naming another file, IIS binaries nobody references.
pub fn binary_findings(components: &[Component], binaries: &[Binary]) -> Vec<Finding> {
    let mut out = Vec::new();
    for b in binaries {
        let comps: Vec<&Component> =
            b.components.iter().filter_map(|id| components.iter().find(|c| &c.id == id)).collect();
        let source = Position::at(&b.evidence, b.path.clone(), None);
        let first = comps.first().map(|c| c.id.clone());
        let mut push = |rule: &'static str, severity, component: Option<String>, message: String| {
            out.push(Finding { rule, severity, component, message, source: source.clone() });
        };
        let Some(pe) = &b.pe else {
            for c in &comps {
                push(
                    "not_a_pe",
                    Severity::High,
                    Some(c.id.clone()),
                    format!(
                        "{} points at {}, which is not a loadable PE file ({})",
                        describe(c),
                        b.path,
                        b.problem.as_deref().unwrap_or("?")
                    ),
                );
            }
            continue;
        };
        for c in &comps {
            let expected = match c.kind {
                ComponentKind::GlobalModule => Some((PeKind::NativeModule, "RegisterModule", Severity::High)),
                ComponentKind::IsapiFilter => {
                    Some((PeKind::IsapiFilter, "GetFilterVersion/HttpFilterProc", Severity::High))
                }
                ComponentKind::IsapiExtension => {
                    Some((PeKind::IsapiExtension, "GetExtensionVersion/HttpExtensionProc", Severity::Medium))
                }
                _ => None,
            };
            if let Some((role, exports, severity)) = expected
                && !pe.roles.contains(&role)
            {
                push(
                    "pe_kind_mismatch",
                    severity,
                    Some(c.id.clone()),
                    format!(
                        "{} loads {}, which does not export {exports} (its exports make it {}): IIS cannot use it this way — a decoy, or not the file IIS loads",
                        describe(c),
                        b.path,
                        pe.kind.as_str()
                    ),
                );
            }
        }
        if pe.roles.len() > 1 {
            let roles: Vec<&str> = pe.roles.iter().map(|r| r.as_str()).collect();
            push(
                "multiple_iis_entry_points",
                Severity::Medium,
                first.clone(),
                format!("{} exports the entry points of several IIS component kinds ({})", b.path, roles.join(", ")),
            );
        }
        let name = b.path.file_name().unwrap_or("");
        if let Some(orig) = pe.version.get("OriginalFilename").map(|o| o.trim()).filter(|o| !o.is_empty()) {
            let orig_base = orig.strip_suffix(".mui").unwrap_or(orig);
            if !orig_base.eq_ignore_ascii_case(name) {
                push(
                    "original_filename_mismatch",
                    Severity::Medium,
                    first.clone(),
                    format!("{} says in its version resource that it is {orig}: a renamed copy", b.path),
                );
            }
        }
        if let Some(sig) = &b.signature {
            signature_findings(b, sig, pe, &comps, &mut push);
        }
        if comps.is_empty() && b.in_inetsrv && !pe.roles.is_empty() {
            push(
                "unreferenced_iis_binary",
                Severity::Info,
                None,
                format!(
                    "{} is an IIS {} in inetsrv that no configuration read here references",
                    b.path,
                    pe.kind.as_str()
                ),
            );
        }
    }
    out
}

/// What the signature of a binary says: unsigned, invalid, untrusted, anchored only by the host's own root
/// store, a Microsoft look-alike, a built-in name on a binary Microsoft did not sign.
fn signature_findings(
    b: &Binary,
    sig: &Verdict,
    pe: &PeFacts,
    comps: &[&Component],
    push: &mut dyn FnMut(&'static str, Severity, Option<String>, String),
) {
    let first = comps.first().map(|c| c.id.clone());
    let referenced = !comps.is_empty();
    let microsoft_trusted = matches!(sig.status, Status::Valid | Status::CatalogSigned)
        && sig.trusted_by == Some(TrustAnchor::MicrosoftRootProgram)
        && sig.publisher.as_deref() == Some("Microsoft Corporation");
    match sig.status {
        Status::Unsigned => {
            let no_catalogs = sig.reason.contains("no catalog was available");
            let severity = match (no_catalogs, referenced) {
                (true, _) => Severity::Low,
                (false, true) => Severity::Medium,
                (false, false) => Severity::Medium,
            };
            push("unsigned", severity, first.clone(), format!("{} is not signed: {}", b.path, sig.reason));
        }
        Status::BadDigest | Status::BadSignature | Status::Malformed => push(
            "invalid_signature",
            Severity::High,
            first.clone(),
            format!("{} has a broken signature ({}): {}", b.path, sig.status.as_str(), sig.reason),
        ),
        Status::UntrustedRoot | Status::SelfSigned | Status::Expired | Status::WrongEku => push(
            "untrusted_signature",
            Severity::Medium,
            first.clone(),
            format!("{} is signed but not trusted ({}): {}", b.path, sig.status.as_str(), sig.reason),
        ),
        Status::Valid | Status::CatalogSigned => {}
    }
    if sig.trusted_by == Some(TrustAnchor::HostRootStore) {
        push(
            "host_trusted_root_only",
            Severity::High,
            first.clone(),
            format!(
                "{} is signed ({}) by a chain that ends at {}, a root only the host's own store trusts, not Microsoft's root program: a root installed on the host, possibly by the attacker",
                b.path,
                sig.publisher.as_deref().unwrap_or("?"),
                sig.root.as_deref().unwrap_or("?")
            ),
        );
    }
    let claims_microsoft = sig.signatures.iter().any(|s| {
        s.subject.as_deref().is_some_and(|x| x.contains("Microsoft"))
            || s.publisher.as_deref().is_some_and(|x| x.contains("Microsoft"))
    });
    if claims_microsoft && !microsoft_trusted {
        push(
            "fake_microsoft_signer",
            Severity::High,
            first.clone(),
            format!(
                "{} is signed in Microsoft's name but the signature does not chain to Microsoft's root program ({}: {})",
                b.path,
                sig.status.as_str(),
                sig.reason
            ),
        );
    } else if pe.version.get("CompanyName").is_some_and(|c| c.contains("Microsoft")) && !microsoft_trusted {
        push(
            "microsoft_version_info_not_microsoft_signed",
            Severity::Medium,
            first.clone(),
            format!(
                "{} says \"Microsoft\" in its version resource, but Microsoft did not sign it ({})",
                b.path,
                sig.status.as_str()
            ),
        );
    }
    for c in comps {
        let builtin_name = match c.kind {
            ComponentKind::GlobalModule | ComponentKind::Module => native_image(&c.name).is_some(),
            ComponentKind::IsapiFilter => table_image(baseline::ISAPI_FILTERS, &c.name).is_some(),
            _ => false,
        };
        if builtin_name && !microsoft_trusted {
            push(
                "builtin_name_non_microsoft_signer",
                Severity::High,
                Some(c.id.clone()),
                format!(
                    "{} carries the name of a built-in IIS component, but its DLL {} is not signed by Microsoft ({}{})",
                    describe(c),
                    b.path,
                    sig.status.as_str(),
                    sig.publisher.as_deref().map(|p| format!(", publisher {p}")).unwrap_or_default()
                ),
            );
        }
    }
}
