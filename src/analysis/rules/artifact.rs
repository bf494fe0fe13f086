//! Rules on the configuration files themselves.

use super::{Rule, RuleInfo, Section};
use crate::analysis::fuse::Fused;
use crate::model::{Finding, Position, ReadState, Severity};

/// Rules on configuration files as files.
pub struct ArtifactRules;

impl Rule for ArtifactRules {
    fn section(&self) -> Section {
        Section::General
    }

    fn ids(&self) -> &'static [RuleInfo] {
        IDS
    }

    fn check(&self, f: &Fused, out: &mut Vec<Finding>) {
        let artifacts = &f.artifacts;
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
    }
}

const IDS: &[RuleInfo] = &[RuleInfo {
    id: "config_malformed",
    severity: Severity::Medium,
    otherwise: "",
    fires_when: "a configuration file is not well-formed XML: IIS would refuse it, and what follows the error may be missing",
}];
