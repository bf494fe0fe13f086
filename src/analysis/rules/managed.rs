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
            if let Some(days) = dropped_later(f, c) {
                push(
                    "managed_assembly_added_later",
                    Severity::Medium,
                    format!(
                        "{what}: its assembly {} was named on the volume {days} days after the application's web.config: added to the site later, not with it",
                        b.path
                    ),
                );
            }
        }
    }
}

/// Days between the `$FILE_NAME` creation of the application's `web.config` (that declares the module) and of its
/// assembly in `bin`, when the assembly came more than [`LATER_DAYS`] later; both need NTFS facts.
fn dropped_later(f: &Fused, c: &crate::model::Component) -> Option<i64> {
    let created = |path: &crate::model::WinPath| {
        let file = f.file_read(&c.source.evidence, path)?;
        Some(file.ntfs.as_ref()?.primary_name()?.times.raw[0])
    };
    let config =
        c.source.file.as_ref().filter(|p| p.file_name().is_some_and(|n| n.eq_ignore_ascii_case("web.config")))?;
    let assembly = c.path.as_ref().filter(|p| p.components().any(|x| x.eq_ignore_ascii_case("bin")))?;
    let (site, dll) = (created(config)?, created(assembly)?);
    let days = (dll.saturating_sub(site) / 864_000_000_000) as i64;
    (dll > site && days > LATER_DAYS).then_some(days)
}

/// How much later than its application an assembly may arrive before it is worth a look (deployments copy both
/// within hours; updates replace the file, which keeps its name's creation only when deleted first).
const LATER_DAYS: i64 = 7;

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
        id: "managed_assembly_added_later",
        severity: Severity::Medium,
        otherwise: "",
        fires_when: "with NTFS facts, a managed module's assembly in `bin` was named on the volume more than 7 days after the `web.config` that declares it: added to the site later",
    },
    RuleInfo {
        id: "managed_assembly_not_found",
        severity: Severity::Medium,
        otherwise: "",
        fires_when: "on a whole volume, an unknown managed module's assembly is in neither its application's bin folder nor the GAC",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    fn record(path: &WinPath, created: &str) -> FileRecord {
        let t = Timestamp::parse_rfc3339(created).unwrap().ticks() as u64 + 116_444_736_000_000_000;
        let times = NtfsTimes::from_raw([t, t, t, t]);
        let name = FileNameTimes {
            name: path.file_name().unwrap().into(),
            namespace: "win32",
            parent_entry: 5,
            times: times.clone(),
        };
        let ntfs = NtfsFacts {
            mft_entry: 40,
            sequence: 1,
            standard_information: times,
            file_names: vec![name],
            streams: Vec::new(),
        };
        FileRecord { evidence: "E1".into(), path: path.clone(), size: 1, sha256: String::new(), ntfs: Some(ntfs) }
    }

    #[test]
    fn an_assembly_named_weeks_after_its_application_is_a_later_addition() {
        let config = WinPath::parse(r"C:\inetpub\wwwroot\web.config");
        let dll = WinPath::parse(r"C:\inetpub\wwwroot\bin\Contoso.Portal.Helpers.dll");
        let mut c = Component::new(
            ComponentKind::ManagedModule,
            "SessionAuth".into(),
            Some("Contoso.Portal.SessionAuth, Contoso.Portal.Helpers".into()),
            "MACHINE/WEBROOT/APPHOST/Default Web Site".into(),
            Position::at("E1", config.clone(), Some(3)),
        );
        c.id = "C0001".into();
        c.path = Some(dll.clone());
        c.managed_type = Some(ManagedType {
            class: "Contoso.Portal.SessionAuth".into(),
            assembly: Some("Contoso.Portal.Helpers".into()),
            ..ManagedType::default()
        });
        let managed =
            ManagedAssembly { types: vec!["Contoso.Portal.SessionAuth".into()], ..ManagedAssembly::default() };
        let pe = PeFacts {
            machine: "x86".into(),
            pe32_plus: false,
            dll: true,
            timestamp: 0,
            image_size: 0,
            export_name: None,
            exports: Vec::new(),
            imported_dlls: Vec::new(),
            imports_of_interest: Vec::new(),
            version: Default::default(),
            md5: String::new(),
            sha1: String::new(),
            sha256: String::new(),
            imphash: None,
            clr_runtime: Some("v4.0.30319".into()),
            sections: Vec::new(),
            managed: Some(managed),
            kind: PeKind::ManagedAssembly,
            roles: Vec::new(),
            problems: Vec::new(),
        };
        let binary = Binary {
            evidence: "E1".into(),
            path: dll.clone(),
            size: 1,
            sha256: String::new(),
            in_inetsrv: false,
            components: vec!["C0001".into()],
            pe: Some(pe),
            problem: None,
            signature: None,
            catalog: None,
        };
        let fused = |dll_created: &str| Fused {
            components: vec![c.clone()],
            binaries: vec![binary.clone()],
            files_read: vec![record(&config, "2024-01-02T10:00:00Z"), record(&dll, dll_created)],
            ..Fused::default()
        };
        let rules = |f: &Fused| {
            let mut out = Vec::new();
            ManagedRules.check(f, &mut out);
            out.into_iter().map(|x| (x.rule, x.message)).collect::<Vec<_>>()
        };
        let later = rules(&fused("2024-02-10T11:44:00Z"));
        let found = later.iter().find(|(r, _)| *r == "managed_assembly_added_later").expect("fires");
        assert!(found.1.contains("39 days after"), "{}", found.1);
        assert!(!rules(&fused("2024-01-02T10:05:00Z")).iter().any(|(r, _)| *r == "managed_assembly_added_later"));
    }
}
