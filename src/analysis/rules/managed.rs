//! Rules on managed modules and the assemblies they resolve to: the assembly ASP.NET would load, its identity
//! against what the configuration claims, the module type in it, and what its code calls.

use super::{Rule, RuleInfo, Section, describe};
use crate::analysis::fuse::Fused;
use crate::model::{Baseline, ComponentKind, Finding, ManagedAssembly, Severity};

/// Rules on managed modules' assemblies.
pub struct ManagedRules;

impl Rule for ManagedRules {
    fn section(&self) -> Section {
        Section::General
    }

    fn ids(&self) -> &'static [RuleInfo] {
        IDS
    }

    fn check(&self, f: &Fused, out: &mut Vec<Finding>) {
        for c in f.components.iter().filter(|c| c.kind == ComponentKind::ManagedModule) {
            let what = describe(c);
            let mut push = |rule, severity, message: String| {
                out.push(Finding { rule, severity, component: Some(c.id.clone()), message, source: c.source.clone() });
            };
            if c.baseline == Baseline::Unknown
                && let Some(looked) = c.attributes.get("assembly_not_found")
            {
                push(
                    "managed_assembly_not_found",
                    Severity::Medium,
                    format!("{what}: its assembly is on none of the paths ASP.NET would load it from ({looked})"),
                );
            }
            if let Some(source) = c.attributes.get("app_code_source") {
                let calls: Vec<String> = c
                    .attributes
                    .get("app_code_calls")
                    .map(|v| v.split("; ").map(str::to_string).collect())
                    .unwrap_or_default();
                let compiled = ManagedAssembly { notable: calls, ..ManagedAssembly::default() };
                notable(&what, &format!("(compiled from {source})"), &compiled, &mut push);
            }
            let Some(t) = &c.managed_type else { continue };
            let binary = f.binaries.iter().find(|b| b.components.contains(&c.id));
            let Some((b, m)) = binary.and_then(|b| Some((b, b.pe.as_ref()?.managed.as_ref()?))) else { continue };
            let claimed = t.public_key_token.as_deref().filter(|k| !k.eq_ignore_ascii_case("null"));
            if let Some(claimed) = claimed
                && m.public_key_token.as_deref() != Some(&claimed.to_ascii_lowercase())
            {
                push(
                    "managed_token_mismatch",
                    Severity::High,
                    format!(
                        "{what} claims PublicKeyToken={claimed}, but {} is {}: not the assembly the configuration names",
                        b.path,
                        m.public_key_token
                            .as_deref()
                            .map(|k| format!("signed with key token {k}"))
                            .unwrap_or_else(|| "not strong-named".into())
                    ),
                );
            }
            if !m.types.iter().any(|ty| ty == &t.class) {
                push(
                    "managed_type_not_in_assembly",
                    Severity::High,
                    format!(
                        "{what} names type {}, which {} does not define: a decoy, or not the file ASP.NET loads",
                        t.class, b.path
                    ),
                );
            }
            let name = m.name.as_deref().unwrap_or("");
            let microsoft_name = ["Microsoft.", "System."].iter().any(|p| name.starts_with(p));
            if microsoft_name && m.public_key_token.is_none() {
                push(
                    "managed_microsoft_name_not_strong_named",
                    Severity::High,
                    format!(
                        "{} calls itself {name}, a Microsoft assembly name, but is not strong-named: Microsoft signs its assemblies",
                        b.path
                    ),
                );
            }
            notable(&what, b.path.as_str(), m, &mut push);
        }
    }
}

/// What an assembly's code calls, when it is what an implant needs.
fn notable(what: &str, path: &str, m: &ManagedAssembly, push: &mut dyn FnMut(&'static str, Severity, String)) {
    if m.notable.is_empty() {
        return;
    }
    // Running code it was sent (loading bytes, starting processes) with reading the request is a backdoor's shape.
    let runs = m.notable.iter().any(|n| n.contains("loads code from bytes") || n.contains("starts processes"));
    let listens = m.notable.iter().any(|n| n.contains("reads request"));
    let severity = if runs && listens { Severity::High } else { Severity::Low };
    push("managed_notable_calls", severity, format!("{what}: {path} {}", m.notable.join("; ")));
}

const IDS: &[RuleInfo] = &[
    RuleInfo {
        id: "managed_token_mismatch",
        severity: Severity::High,
        otherwise: "",
        fires_when: "a managed module's assembly, as found in bin or the GAC, is not signed with the public key token its `type` names",
    },
    RuleInfo {
        id: "managed_type_not_in_assembly",
        severity: Severity::High,
        otherwise: "",
        fires_when: "the module's type is not defined in the assembly it resolves to",
    },
    RuleInfo {
        id: "managed_microsoft_name_not_strong_named",
        severity: Severity::High,
        otherwise: "",
        fires_when: "an assembly named `Microsoft.*` or `System.*` that is not strong-named",
    },
    RuleInfo {
        id: "managed_notable_calls",
        severity: Severity::High,
        otherwise: "low unless it both reads the request (cookies, headers, form) and runs what it gets (loads code from bytes, starts processes)",
        fires_when: "a managed module's assembly calls what an implant needs: process starts, `Assembly.Load`, base64 decoding, request cookies/headers/form, web requests",
    },
    RuleInfo {
        id: "managed_assembly_not_found",
        severity: Severity::Medium,
        otherwise: "",
        fires_when: "on a whole volume, an unknown managed module's assembly is in neither its application's bin folder nor the GAC",
    },
];
