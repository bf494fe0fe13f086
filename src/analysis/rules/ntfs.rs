//! Timestomp indicators on the files components reference, and on the DLLs examined that none references (a
//! DLL planted in `inetsrv` is as interesting as a referenced one).
//!
//! `$STANDARD_INFORMATION` holds the times Explorer shows and `SetFileTime` (and every timestomping tool) changes;
//! `$FILE_NAME` times are set by the kernel when the file is named and are out of reach of those tools. A `$SI`
//! creation earlier than the `$FILE_NAME` creation cannot happen naturally.

use super::{Rule, RuleInfo, Section};
use crate::analysis::fuse::Fused;
use crate::model::{Binary, Component, FileRecord, Finding, NtfsFacts, Severity, component_files_in, index};

/// Rules on NTFS times.
pub struct NtfsRules;

impl Rule for NtfsRules {
    fn section(&self) -> Section {
        Section::Ntfs
    }

    fn ids(&self) -> &'static [RuleInfo] {
        IDS
    }

    fn check(&self, f: &Fused, out: &mut Vec<Finding>) {
        out.extend(findings(&f.components, &f.binaries, &f.files_read));
    }
}

const IDS: &[RuleInfo] = &[
    RuleInfo {
        id: "ntfs_si_before_fn",
        severity: Severity::High,
        otherwise: "",
        fires_when: "`$STANDARD_INFORMATION` creation is earlier than the `$FILE_NAME` creation: the times tools can set were set back (timestomping); the file arrived no earlier than its `$FILE_NAME` time",
    },
    RuleInfo {
        id: "ntfs_si_whole_seconds",
        severity: Severity::Medium,
        otherwise: "",
        fires_when: "`$SI` creation and modification have no fraction of a second while `$FILE_NAME`'s do: Windows never writes such times, time-setting tools do",
    },
    RuleInfo {
        id: "ntfs_si_created_after_modified",
        severity: Severity::Low,
        otherwise: "",
        fires_when: "`$SI` creation is after the modification: copied or extracted with its modification time kept (normal for copies; a sign with others)",
    },
];

/// Timestomp indicators on each component's file, and on the DLLs examined that no component references (a DLL
/// planted in `inetsrv` is as interesting as a referenced one).
fn findings(components: &[Component], binaries: &[Binary], files: &[FileRecord]) -> Vec<Finding> {
    let by_key = index(files);
    let mut out = Vec::new();
    for (f, facts, comps) in component_files_in(components, &by_key) {
        let found = indicators(f, facts);
        for c in comps {
            for (rule, severity, message) in &found {
                out.push(finding(rule, *severity, Some(c.id.clone()), message, f));
            }
        }
    }
    for b in binaries.iter().filter(|b| b.components.is_empty()) {
        let Some(f) = by_key.get(&(b.evidence.clone(), b.path.key())) else { continue };
        let Some(facts) = &f.ntfs else { continue };
        for (rule, severity, message) in indicators(f, facts) {
            out.push(finding(rule, severity, None, &message, f));
        }
    }
    out
}

fn finding(
    rule: &'static str,
    severity: Severity,
    component: Option<String>,
    message: &str,
    f: &FileRecord,
) -> Finding {
    Finding { rule, severity, component, message: message.to_string(), source: f.position() }
}

/// The timestomp indicators of one file.
fn indicators(f: &FileRecord, facts: &NtfsFacts) -> Vec<(&'static str, Severity, String)> {
    let si = &facts.standard_information;
    let Some(name) = facts.primary_name() else { return Vec::new() };
    let fname = &name.times;
    let mut found = Vec::new();
    if si.raw[0] < fname.raw[0] {
        found.push((
            "ntfs_si_before_fn",
            Severity::High,
            format!(
                "{}: $STANDARD_INFORMATION creation {} is earlier than $FILE_NAME creation {}: its times were set \
                 back (timestomping); the file was named on the volume no earlier than {}",
                f.path, si.created, fname.created, fname.created
            ),
        ));
    }
    let whole = |t: u64| t.is_multiple_of(10_000_000);
    if whole(si.raw[0]) && whole(si.raw[1]) && !(whole(fname.raw[0]) && whole(fname.raw[1])) {
        found.push((
            "ntfs_si_whole_seconds",
            Severity::Medium,
            format!(
                "{}: $STANDARD_INFORMATION creation {} and modification {} have no fraction of a second, which \
                 Windows never writes but time-setting tools do",
                f.path, si.created, si.modified
            ),
        ));
    }
    if si.raw[0] > si.raw[1] {
        found.push((
            "ntfs_si_created_after_modified",
            Severity::Low,
            format!(
                "{}: created {} after its last modification {}: copied or extracted with its modification time \
                 kept (normal for installers and copies; with other signs, a planted file)",
                f.path, si.created, si.modified
            ),
        ));
    }
    found
}
