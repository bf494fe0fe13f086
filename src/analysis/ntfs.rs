//! NTFS times of the files components reference: when each one arrived, and whether its times were forged.
//!
//! `$STANDARD_INFORMATION` holds the times Explorer shows and `SetFileTime` (and every timestomping tool) changes;
//! `$FILE_NAME` times are set by the kernel when the file is named and are out of reach of those tools. A `$SI`
//! creation earlier than the `$FILE_NAME` creation cannot happen naturally.

use crate::model::{Binary, FileRecord, NtfsFacts};
use crate::model::{Component, Finding, Position, Severity, TimelineEvent, Timestamp};

use crate::model::{component_files, component_files_in, index};

/// Timestomp indicators on each component's file, and on the DLLs examined that no component references (a DLL
/// planted in `inetsrv` is as interesting as a referenced one).
pub fn findings(components: &[Component], binaries: &[Binary], files: &[FileRecord]) -> Vec<Finding> {
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

/// When each component's file arrived: its `$SI` creation and modification and its `$FILE_NAME` creation.
pub fn timeline(components: &[Component], files: &[FileRecord]) -> Vec<TimelineEvent> {
    let mut out = Vec::new();
    for (f, facts, comps) in component_files(components, files) {
        let id = comps.first().map(|c| c.id.clone());
        let si = &facts.standard_information;
        let mut rows = vec![
            (si.raw[0], "$STANDARD_INFORMATION created", "NTFS $SI"),
            (si.raw[1], "$STANDARD_INFORMATION modified", "NTFS $SI"),
        ];
        if let Some(name) = facts.primary_name() {
            rows.push((name.times.raw[0], "$FILE_NAME created", "NTFS $FN"));
        }
        for (t, desc, source) in rows {
            out.push(TimelineEvent {
                timestamp: Timestamp::from_filetime(t).unwrap_or_default(),
                timestamp_desc: desc.to_string(),
                source: source.to_string(),
                description: format!("{desc}: {} (MFT entry {}, sequence {})", f.path, facts.mft_entry, facts.sequence),
                evidence: Position::at(&f.evidence, f.path.clone(), None),
                component: id.clone(),
                sha256: Some(f.sha256.clone()),
                event: None,
            });
        }
    }
    out
}
