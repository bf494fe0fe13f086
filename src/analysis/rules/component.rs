//! Rules on each component as declared: against the baseline, its name, its image and where that lies.

use super::{Rule, RuleInfo, Section, describe};
use crate::analysis::baseline;
use crate::analysis::classify::{builtin_owner_of_image, in_expected_dir, native_image, table_image};
use crate::analysis::fuse::Fused;
use crate::analysis::similarity::looks_like_lower;
use crate::model::{Baseline, Component, ComponentKind, ComponentState, FileStatus, Finding, Severity, WinEnv};

/// Rules on each component's declaration.
pub struct ComponentRules;

impl Rule for ComponentRules {
    fn section(&self) -> Section {
        Section::General
    }

    fn ids(&self) -> &'static [RuleInfo] {
        IDS
    }

    fn check(&self, f: &Fused, out: &mut Vec<Finding>) {
        for c in &f.components {
            component_findings(c, f.env(&c.source.evidence), out);
        }
    }
}

const IDS: &[RuleInfo] = &[
    RuleInfo {
        id: "builtin_name_foreign_image",
        severity: Severity::High,
        otherwise: "",
        fires_when: "a component uses the name of a built-in module or filter, but its image (or managed type) differs from the built-in one",
    },
    RuleInfo {
        id: "builtin_image_foreign_name",
        severity: Severity::High,
        otherwise: "",
        fires_when: "a built-in image is loaded under a non-built-in name (Atomic Red Team's `DefaultDocumentModule_Atomic` on `defdoc.dll`)",
    },
    RuleInfo {
        id: "lookalike_name",
        severity: Severity::High,
        otherwise: "",
        fires_when: "an unknown component's name is within two edits of a built-in name, or a built-in name with a short prefix/suffix (`HttpCacheModuleEx`); or its DLL's name is one edit from a built-in DLL (`authmd4.dll`, `stati.dll`)",
    },
    RuleInfo {
        id: "microsoft_namespace_foreign_assembly",
        severity: Severity::High,
        otherwise: "",
        fires_when: "a managed module's class is in `System.*`/`Microsoft.*` but its assembly is not signed with a Microsoft key",
    },
    RuleInfo {
        id: "image_user_writable",
        severity: Severity::High,
        otherwise: "",
        fires_when: "the binary lives where users or the web application can write: `\\Users\\`, `\\ProgramData\\`, `\\Temp\\`, `\\AppData\\`, `\\inetpub\\wwwroot\\`, ...",
    },
    RuleInfo {
        id: "unknown_component",
        severity: Severity::Medium,
        otherwise: "low for CGI/FastCGI, restrictions, images under Program Files and an application's own managed modules in its web.config, info for denied restrictions",
        fires_when: "not built in and not a known third-party component",
    },
    RuleInfo {
        id: "image_outside_system_dirs",
        severity: Severity::Medium,
        otherwise: "low for CGI/FastCGI",
        fires_when: "an unknown component's binary is outside `%windir%\\System32\\inetsrv`, the .NET Framework folders and Program Files",
    },
    RuleInfo {
        id: "referenced_file_missing",
        severity: Severity::Medium,
        otherwise: "",
        fires_when: "the evidence is a whole volume and the referenced binary is not on it (on triage collections absence proves nothing and is only recorded as `not_collected`)",
    },
    RuleInfo {
        id: "registry_filter_registration",
        severity: Severity::Medium,
        otherwise: "",
        fires_when: "an ISAPI filter registered the IIS 6 way (`W3SVC\\Parameters\\Filter DLLs` or `Filters\\*\\FilterPath`); IIS 7+ loads filters only from the configuration, so this is a leftover or a decoy",
    },
    RuleInfo {
        id: "duplicate_entry",
        severity: Severity::Low,
        otherwise: "",
        fires_when: "the same key is added twice in one scope (IIS rejects such a configuration)",
    },
    RuleInfo {
        id: "module_without_global_module",
        severity: Severity::Low,
        otherwise: "",
        fires_when: "`modules/add` enables a native module that no `globalModules` entry declares",
    },
    RuleInfo {
        id: "known_third_party",
        severity: Severity::Info,
        otherwise: "",
        fires_when: "a legitimate non-default component (URL Rewrite, ARR, ANCM, Exchange, RPC proxy, WinRM...): reported, never called malicious on its name alone",
    },
];

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
            // An installed product's folder (an EDR's filters, a vendor's module): unfamiliar is not suspicious;
            // the signature and location rules still judge the file.
            _ if in_program_files(c.path.as_ref(), env) => Severity::Low,
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
    let strong = match (t.assembly.as_deref(), token) {
        (None, _) => "no assembly given: ASP.NET compiles it from the application's App_Code",
        (Some(_), None | Some("null")) => {
            "its assembly is not strong-named (ASP.NET loads it from the application's bin)"
        }
        (Some(_), Some(_)) => "its assembly is strong-named with a non-Microsoft key",
    };
    // An application's own module, declared in its web.config, is what every ASP.NET site has: low. Declared for
    // the whole server (applicationHost.config, a .NET root configuration), it runs in every application: medium.
    let in_web_config = c
        .source
        .file
        .as_ref()
        .and_then(|f| f.file_name())
        .is_some_and(|n| n.to_ascii_lowercase().ends_with("web.config"))
        && !c.scope.starts_with("MACHINE(");
    let severity = if in_web_config { Severity::Low } else { Severity::Medium };
    push("unknown_component", severity, format!("{what} is not a default ASP.NET module; {strong}"));
}

/// The built-in names and DLL stems look-alikes are compared with, in lower case, computed once.
struct KnownNames {
    /// (name as written, lower case).
    names: Vec<(&'static str, String)>,
    /// Stems of the built-in and default DLLs, lower case.
    stems: Vec<String>,
}

fn known_names() -> &'static KnownNames {
    static KNOWN: std::sync::OnceLock<KnownNames> = std::sync::OnceLock::new();
    KNOWN.get_or_init(|| {
        let names = baseline::NATIVE_MODULES
            .iter()
            .chain(baseline::MANAGED_MODULES)
            .chain(baseline::ISAPI_FILTERS)
            .map(|(n, _)| *n)
            .chain(baseline::THIRD_PARTY.iter().map(|t| t.name).filter(|n| *n != "*"))
            .map(|n| (n, n.to_lowercase()))
            .collect();
        let stems = baseline::NATIVE_MODULES
            .iter()
            .chain(baseline::ISAPI_FILTERS)
            .map(|(_, i)| *i)
            .chain(baseline::DEFAULT_BINARIES.iter().copied())
            .filter_map(|i| i.rsplit('\\').next())
            .map(stem)
            .collect();
        KnownNames { names, stems }
    })
}

/// A file name without its extension, in lower case.
fn stem(f: &str) -> String {
    f.rsplit_once('.').map(|(s, _)| s.to_lowercase()).unwrap_or_else(|| f.to_lowercase())
}

/// The built-in name or image this component imitates.
fn lookalike(c: &Component) -> Option<String> {
    let known = known_names();
    let name = c.name.to_lowercase();
    if !known.names.iter().any(|(_, k)| *k == name)
        && let Some((n, _)) = known.names.iter().find(|(_, k)| looks_like_lower(&name, k, 2))
    {
        return Some(n.to_string());
    }
    let file = c.path.as_ref().and_then(|p| p.file_name()).map(stem)?;
    if known.stems.contains(&file) {
        return None;
    }
    known.stems.iter().find(|i| looks_like_lower(&file, i, 1)).map(|i| format!("{i}.dll"))
}

/// Whether a path lies under the host's Program Files folders.
fn in_program_files(path: Option<&crate::model::WinPath>, env: &WinEnv) -> bool {
    let Some(path) = path else { return false };
    ["%ProgramFiles%", "%ProgramFiles(x86)%"]
        .iter()
        .any(|d| path.starts_with(&crate::model::WinPath::parse(&env.expand(d).0)))
}
