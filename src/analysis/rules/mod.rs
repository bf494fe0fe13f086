//! The rules: each looks at the fused record of the scan and draws findings, with a rule id (documented in
//! docs/rules.md, whose tables come from [`RULES`]), a severity and a plain reason.
//!
//! A new rule is one file with a [`Rule`] and one line in [`RULES`].

mod artifact;
mod binary;
mod component;
mod events;
mod managed;
mod ntfs;
mod operator;
mod service;
mod setting;
mod yara;

use super::fuse::Fused;
use crate::model::{Component, ComponentKind, Finding};

/// Which table of docs/rules.md a rule belongs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    /// Configuration, registry and binaries.
    General,
    /// Event-log records.
    EventLog,
    /// NTFS times.
    Ntfs,
}

pub use crate::model::RuleInfo;

/// A set of related rule ids drawn from the same facts.
pub trait Rule: Sync {
    /// The docs/rules.md table its ids are listed in.
    fn section(&self) -> Section;
    /// The ids it may emit.
    fn ids(&self) -> &'static [RuleInfo];
    /// Appends its findings.
    fn check(&self, fused: &Fused, out: &mut Vec<Finding>);
}

/// Every rule, in the order they run.
pub const RULES: &[&dyn Rule] = &[
    &component::ComponentRules,
    &setting::SettingRules,
    &artifact::ArtifactRules,
    &service::ServiceRules,
    &binary::BinaryRules,
    &managed::ManagedRules,
    &events::EventRules,
    &operator::OperatorRules,
    &ntfs::NtfsRules,
    &yara::YaraRules,
];

/// Every finding of every rule, most severe first.
pub fn evaluate(fused: &Fused) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in RULES {
        rule.check(fused, &mut out);
    }
    debug_assert!(out.iter().all(|f| info(f.rule).is_some()), "a finding with an undeclared rule id");
    sort(&mut out);
    out
}

/// The docs/rules.md table of one section, generated from [`RULES`]: most severe first, then in registry
/// order.
pub fn markdown_table(section: Section) -> String {
    let mut infos: Vec<&RuleInfo> = RULES.iter().filter(|r| r.section() == section).flat_map(|r| r.ids()).collect();
    infos.sort_by_key(|i| std::cmp::Reverse(i.severity));
    let mut out = String::from("| rule | severity | fires when |\n|---|---|---|\n");
    for i in infos {
        let severity = match i.otherwise {
            "" => i.severity.as_str().to_string(),
            other => format!("{} ({other})", i.severity.as_str()),
        };
        out.push_str(&format!("| `{}` | {severity} | {} |\n", i.id, i.fires_when));
    }
    out
}

/// The documentation of a rule id, `None` for an id no rule declares.
pub fn info(id: &str) -> Option<&'static RuleInfo> {
    RULES.iter().flat_map(|r| r.ids()).find(|i| i.id == id)
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

/// `global module 'X'`, `ISAPI filter 'Y'` ...
pub fn describe(c: &Component) -> String {
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
