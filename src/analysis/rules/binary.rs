//! Rules on the binaries themselves: their exports against the role the configuration gives them, their
//! version resource, and their signatures.

use super::{Rule, RuleInfo, Section, describe};
use crate::analysis::baseline;
use crate::analysis::classify::{native_image, table_image};
use crate::analysis::fuse::Fused;
use crate::model::{
    Binary, Component, ComponentKind, Finding, PeFacts, PeKind, Position, Severity, Status, TrustAnchor, Verdict,
};

/// Rules on the binaries examined.
pub struct BinaryRules;

impl Rule for BinaryRules {
    fn section(&self) -> Section {
        Section::General
    }

    fn ids(&self) -> &'static [RuleInfo] {
        IDS
    }

    fn check(&self, f: &Fused, out: &mut Vec<Finding>) {
        let (components, binaries) = (&f.components, &f.binaries);
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
                    format!(
                        "{} exports the entry points of several IIS component kinds ({})",
                        b.path,
                        roles.join(", ")
                    ),
                );
            }
            let name = b.path.file_name().unwrap_or("");
            // Microsoft ships binaries whose version resource names another file (isapi.dll says w3isapi.dll):
            // on a binary Microsoft validly signed, the internal name is no sign of a renamed copy.
            let microsoft_signed = b.signature.as_ref().is_some_and(microsoft_trusted);
            if let Some(orig) = pe.version.get("OriginalFilename").map(|o| o.trim()).filter(|o| !o.is_empty()) {
                let orig_base = orig.strip_suffix(".mui").unwrap_or(orig);
                if !orig_base.eq_ignore_ascii_case(name) && !microsoft_signed {
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
    }
}

const IDS: &[RuleInfo] = &[
    RuleInfo {
        id: "pe_kind_mismatch",
        severity: Severity::High,
        otherwise: "medium for ISAPI extension handlers",
        fires_when: "the DLL a global module, ISAPI filter or extension points at lacks the exports that role needs (`RegisterModule`; `GetFilterVersion`+`HttpFilterProc`; `GetExtensionVersion`+`HttpExtensionProc`)",
    },
    RuleInfo {
        id: "not_a_pe",
        severity: Severity::High,
        otherwise: "",
        fires_when: "a component points at a file in the evidence that is not a PE file",
    },
    RuleInfo {
        id: "invalid_signature",
        severity: Severity::High,
        otherwise: "",
        fires_when: "a binary's signature is broken: `bad_digest` (changed after signing), `bad_signature`, `malformed`",
    },
    RuleInfo {
        id: "host_trusted_root_only",
        severity: Severity::High,
        otherwise: "",
        fires_when: "a binary's signature chains only to a root in the host's own store (SOFTWARE `SystemCertificates`), not to Microsoft's root program: a root installed on the host, possibly by the attacker",
    },
    RuleInfo {
        id: "fake_microsoft_signer",
        severity: Severity::High,
        otherwise: "",
        fires_when: "a signature in Microsoft's name (subject or organisation) that does not chain to Microsoft's root program",
    },
    RuleInfo {
        id: "builtin_name_non_microsoft_signer",
        severity: Severity::High,
        otherwise: "",
        fires_when: "a component named like a built-in IIS module or filter whose DLL Microsoft did not sign (valid signature, Microsoft publisher, Microsoft root)",
    },
    RuleInfo {
        id: "multiple_iis_entry_points",
        severity: Severity::Medium,
        otherwise: "",
        fires_when: "one DLL exports the entry points of several IIS component kinds",
    },
    RuleInfo {
        id: "original_filename_mismatch",
        severity: Severity::Medium,
        otherwise: "",
        fires_when: "a DLL's VERSIONINFO `OriginalFilename` is not its file name: a renamed copy (not on binaries Microsoft validly signed, whose internal names may differ by design: `isapi.dll` says `w3isapi.dll`)",
    },
    RuleInfo {
        id: "untrusted_signature",
        severity: Severity::Medium,
        otherwise: "",
        fires_when: "signed, but `untrusted_root`, `self_signed`, `expired` (at the countersigned time, else scan time) or `wrong_eku`",
    },
    RuleInfo {
        id: "unsigned",
        severity: Severity::Medium,
        otherwise: "low when the evidence holds no catalogs, since catalog signing could not be checked",
        fires_when: "no embedded signature and no verified catalog lists the file's hash",
    },
    RuleInfo {
        id: "microsoft_version_info_not_microsoft_signed",
        severity: Severity::Medium,
        otherwise: "",
        fires_when: "VERSIONINFO says Microsoft, Microsoft did not sign it",
    },
    RuleInfo {
        id: "unreferenced_iis_binary",
        severity: Severity::Info,
        otherwise: "",
        fires_when: "a DLL in `inetsrv` exports IIS module/filter/extension entry points but no configuration read references it",
    },
];

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
    let microsoft_trusted = microsoft_trusted(sig);
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

/// Whether Microsoft validly signed a binary: a valid embedded or catalog signature, Microsoft's publisher, and a
/// chain to Microsoft's root program.
fn microsoft_trusted(sig: &Verdict) -> bool {
    matches!(sig.status, Status::Valid | Status::CatalogSigned)
        && sig.trusted_by == Some(TrustAnchor::MicrosoftRootProgram)
        && sig.publisher.as_deref() == Some("Microsoft Corporation")
}
