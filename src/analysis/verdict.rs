//! One calibrated verdict per component from its findings and lifecycle (docs/rules.md, "Verdicts").
//!
//! Findings are grouped in families of independent evidence — the signature, the name, the file's place, its
//! NTFS times, what the worker process did, the binary's shape. `malicious` needs two strong families to agree
//! (or a look-alike name on a binary without a trustworthy signature); one strong signal is `suspicious`; what
//! an analyst should read but proves nothing is `unusual`; the install's own components and known add-ons with
//! nothing against them are `expected`.

use crate::model::{
    Baseline, Component, ComponentKind, ComponentVerdict, Finding, Lifecycle, Method, Severity, VerdictLevel,
};
use std::collections::BTreeSet;

/// Independent kinds of evidence against a component.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Family {
    /// Its signature: broken, spoofed, anchored only by the host, absent.
    Signature,
    /// Its name or identity: a look-alike, a built-in name on a foreign image, a renamed copy.
    Name,
    /// Where its file lives.
    Location,
    /// Its file's NTFS times.
    Timestomp,
    /// What the worker process did (event logs).
    Behaviour,
    /// How it was installed (event logs): an action, not a signal by itself.
    Install,
    /// The binary's shape against its role.
    Shape,
    /// What the binary's code calls (a managed module reading the request and running what it gets).
    Code,
    /// What the file holds, by the analyst's own YARA rules.
    Content,
    /// Anything else (unknown to the baseline, missing files, legacy registrations).
    Other,
}

fn family(rule: &str) -> Family {
    match rule {
        "invalid_signature"
        | "fake_microsoft_signer"
        | "host_trusted_root_only"
        | "builtin_name_non_microsoft_signer"
        | "untrusted_signature"
        | "unsigned"
        | "microsoft_version_info_not_microsoft_signed" => Family::Signature,
        "lookalike_name"
        | "builtin_name_foreign_image"
        | "builtin_image_foreign_name"
        | "microsoft_namespace_foreign_assembly"
        | "original_filename_mismatch"
        | "managed_token_mismatch"
        | "managed_microsoft_name_not_strong_named" => Family::Name,
        "image_user_writable" | "image_outside_system_dirs" => Family::Location,
        r if r.starts_with("ntfs_") => Family::Timestomp,
        "evtx_extension_added" | "evtx_appcmd_install" | "evtx_powershell_install" | "evtx_gacutil_install" => {
            Family::Install
        }
        r if r.starts_with("evtx_") => Family::Behaviour,
        "pe_kind_mismatch" | "not_a_pe" | "multiple_iis_entry_points" | "managed_type_not_in_assembly" => Family::Shape,
        "managed_notable_calls" => Family::Code,
        "yara_match" => Family::Content,
        "managed_assembly_added_later" => Family::Timestomp,
        _ => Family::Other,
    }
}

/// The verdict of every component, in the order of `components`.
pub fn verdicts(components: &[Component], findings: &[Finding], lifecycles: &[Lifecycle]) -> Vec<ComponentVerdict> {
    // Each component's findings, gathered once (a scan per component is quadratic on a config with thousands).
    let mut by_component: std::collections::BTreeMap<&str, Vec<&Finding>> = Default::default();
    for f in findings {
        if let Some(id) = f.component.as_deref() {
            by_component.entry(id).or_default().push(f);
        }
    }
    components
        .iter()
        .zip(lifecycles)
        .map(|(c, l)| verdict(c, by_component.get(c.id.as_str()).map(Vec::as_slice).unwrap_or(&[]), l))
        .collect()
}

fn verdict(c: &Component, findings: &[&Finding], lifecycle: &Lifecycle) -> ComponentVerdict {
    let at_least = |s: Severity| findings.iter().filter(move |f| f.severity >= s);
    let strong: BTreeSet<Family> =
        at_least(Severity::High).map(|f| family(f.rule)).filter(|f| *f != Family::Install).collect();
    let signature_doubt = at_least(Severity::Medium).any(|f| family(f.rule) == Family::Signature);
    let medium_families: BTreeSet<Family> = at_least(Severity::Medium).map(|f| family(f.rule)).collect();
    let high = at_least(Severity::High).next().is_some();
    let level = if strong.len() >= 2 || (strong.contains(&Family::Name) && signature_doubt) {
        VerdictLevel::Malicious
    } else if high || medium_families.len() >= 2 {
        VerdictLevel::Suspicious
    } else if at_least(Severity::Medium).next().is_some()
        || (c.baseline == Baseline::Unknown && !findings.is_empty())
        // A module reference's hand edit is its global module's, which carries the verdict.
        || (c.baseline != Baseline::Builtin && c.kind != ComponentKind::Module && lifecycle.method == Method::HandEdit)
    {
        VerdictLevel::Unusual
    } else {
        VerdictLevel::Expected
    };
    let mut ranked: Vec<&&Finding> = findings.iter().filter(|f| f.severity >= Severity::Low).collect();
    // Strongest first: by severity, then evidence about the component itself before how it was installed.
    let weak = |f: &Finding| matches!(family(f.rule), Family::Install | Family::Other);
    ranked.sort_by(|a, b| {
        b.severity.cmp(&a.severity).then_with(|| weak(a).cmp(&weak(b))).then_with(|| a.rule.cmp(b.rule))
    });
    let mut reasons: Vec<&'static str> = Vec::new();
    for f in ranked {
        if !reasons.contains(&f.rule) {
            reasons.push(f.rule);
        }
    }
    ComponentVerdict { level, reasons }
}
