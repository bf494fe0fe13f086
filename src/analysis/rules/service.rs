//! Rules on the Windows services IIS runs as, from the SYSTEM hive.

use super::{Rule, RuleInfo, Section};
use crate::analysis::fuse::Fused;
use crate::model::{Finding, Severity};

/// Rules on the IIS services the registry registers.
pub struct ServiceRules;

impl Rule for ServiceRules {
    fn section(&self) -> Section {
        Section::General
    }

    fn ids(&self) -> &'static [RuleInfo] {
        IDS
    }

    fn check(&self, f: &Fused, out: &mut Vec<Finding>) {
        let installations = &f.installations;
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
    }
}

const IDS: &[RuleInfo] = &[RuleInfo {
    id: "service_binary_unexpected",
    severity: Severity::High,
    otherwise: "",
    fires_when: "an IIS service (W3SVC, WAS, AppHostSvc, W3LOGSVC) runs something other than `svchost.exe`, or its `ServiceDll` is outside `System32\\inetsrv`",
}];
