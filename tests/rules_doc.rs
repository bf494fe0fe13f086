//! The rule registry is the one source of docs/rules.md's tables, and every finding names a registered rule.

mod common;

use common::repo;
use inetsift::analysis::rules::{RULES, Section, info, markdown_table};

#[test]
fn docs_rules_md_tables_are_the_registry() {
    let path = repo("docs/rules.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let mut blessed = doc.clone();
    for section in [Section::General, Section::EventLog, Section::Ntfs] {
        let table = markdown_table(section);
        if std::env::var_os("INETSIFT_BLESS").is_some() {
            // Replace the table that starts with the same header and runs to the first blank line after it.
            let anchor = match section {
                Section::General => "# Rules",
                Section::EventLog => "## Event-log rules",
                Section::Ntfs => "## NTFS rules",
            };
            let at = blessed.find(anchor).unwrap();
            let start = at + blessed[at..].find("| rule | severity |").unwrap();
            let end = blessed[start..].find("\n\n").map(|e| start + e + 1).unwrap_or(blessed.len());
            blessed.replace_range(start..end, &table);
        } else {
            assert!(doc.contains(&table), "docs/rules.md lacks the generated {section:?} table:\n{table}");
        }
    }
    if std::env::var_os("INETSIFT_BLESS").is_some() {
        std::fs::write(&path, blessed).unwrap();
    }
}

#[test]
fn rule_ids_are_unique_and_every_finding_names_one() {
    let mut ids: Vec<&str> = RULES.iter().flat_map(|r| r.ids()).map(|i| i.id).collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "a rule id is declared twice");
    assert!(n >= 46, "{n} rule ids");
    let r = common::scan_one(&repo("samples/iis-compromised-kape.zip"));
    assert!(r.findings.len() > 20);
    for f in &r.findings {
        let i = info(f.rule).unwrap_or_else(|| panic!("{} is not registered", f.rule));
        // A finding is never more severe than its rule's default unless the rule says when.
        assert!(f.severity <= i.severity || !i.otherwise.is_empty(), "{} at {:?}", f.rule, f.severity);
    }
}
