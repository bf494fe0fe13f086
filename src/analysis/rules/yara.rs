//! The analyst's YARA rules: each match is a finding on the component that loads the file (or on the file alone,
//! for a configuration file or a DLL nothing references), at the severity the rule's `severity` metadata gives.

use super::{Rule, RuleInfo, Section, describe};
use crate::analysis::fuse::Fused;
use crate::model::{Finding, Position, Severity, YaraMatch};

/// The findings of `--yara`.
pub struct YaraRules;

impl Rule for YaraRules {
    fn section(&self) -> Section {
        Section::General
    }

    fn ids(&self) -> &'static [RuleInfo] {
        IDS
    }

    fn check(&self, f: &Fused, out: &mut Vec<Finding>) {
        let Some(y) = &f.yara else { return };
        for m in &y.matches {
            let source = Position::at(&m.evidence, m.path.clone(), None);
            let on: Vec<Option<String>> = match m.components.is_empty() {
                true => vec![None],
                false => m.components.iter().map(|c| Some(c.clone())).collect(),
            };
            for component in on {
                let what = component
                    .as_deref()
                    .and_then(|id| f.components.iter().find(|c| c.id == id))
                    .map(|c| format!("{}: ", describe(c)))
                    .unwrap_or_default();
                out.push(Finding {
                    rule: "yara_match",
                    severity: m.severity,
                    component,
                    message: format!("{what}{}", message(m)),
                    source: source.clone(),
                });
            }
        }
    }
}

/// "YARA rule ns:name matched PATH (SHA-256 ..., signature valid): $a at 0x10, ...; tags ...; meta ...".
fn message(m: &YaraMatch) -> String {
    let strings: Vec<String> = m
        .strings
        .iter()
        .map(|s| {
            let at: Vec<String> = s.offsets.iter().map(|o| format!("0x{o:x}")).collect();
            let more = if s.count > s.offsets.len() {
                format!(" and {} more", s.count - s.offsets.len())
            } else {
                String::new()
            };
            format!("{} at {}{more}", s.id, at.join(", "))
        })
        .collect();
    let mut text = format!(
        "YARA rule {}:{} matched {} (SHA-256 {}, signature {})",
        m.namespace,
        m.rule,
        m.path,
        m.sha256,
        m.signature.map(|s| s.as_str()).unwrap_or("not examined")
    );
    if !strings.is_empty() {
        text.push_str(&format!(": {}", strings.join("; ")));
    }
    if !m.tags.is_empty() {
        text.push_str(&format!("; tags {}", m.tags.join(", ")));
    }
    if !m.meta.is_empty() {
        let meta: Vec<String> = m.meta.iter().map(|(k, v)| format!("{k}={v}")).collect();
        text.push_str(&format!("; meta {}", meta.join(", ")));
    }
    text
}

const IDS: &[RuleInfo] = &[RuleInfo {
    id: "yara_match",
    severity: Severity::Medium,
    otherwise: "the rule's `severity` metadata when it has one (a word, or 0–100: 80 critical, 60 high, 40 medium, 20 low)",
    fires_when: "one of the analyst's YARA rules (`--yara`) matches a component's file, a DLL in `inetsrv` or a configuration file",
}];
