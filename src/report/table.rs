//! The terminal report: evidence, findings, components and coverage as tables.

use super::escape::terminal;
use crate::model::{Component, ComponentState};
use crate::scan::ScanResult;
use comfy_table::{Cell, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use std::collections::BTreeSet;
use std::io::{self, Write};

/// What the table report shows.
#[derive(Clone, Copy, Debug, Default)]
pub struct TableOptions {
    /// Show built-in components too (by default only non-default ones and those with findings).
    pub all_components: bool,
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic).set_header(header.to_vec());
    if t.width().is_none() {
        t.set_width(160);
    }
    t
}

fn cell(s: &str) -> Cell {
    Cell::new(terminal(s))
}

/// Writes the report.
pub fn write(result: &ScanResult, opts: TableOptions, mut out: impl Write) -> io::Result<()> {
    let effective = result.components.iter().filter(|c| c.state == ComponentState::Effective).count();
    writeln!(
        out,
        "{} {} — {} evidence, {} components ({} effective), {} findings, {} warnings\n",
        result.tool.name,
        result.tool.version,
        result.evidence.len(),
        result.components.len(),
        effective,
        result.findings.len(),
        result.warnings.len()
    )?;

    let mut t = table(&["Evidence", "Kind", "Layout", "Path", "SHA-256"]);
    for e in &result.evidence {
        let kind = serde_json::to_value(e.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        t.add_row(vec![
            cell(&e.id),
            cell(&kind),
            cell(e.layout),
            cell(&e.path),
            cell(e.sha256.as_deref().unwrap_or("-")),
        ]);
    }
    writeln!(out, "Evidence\n{t}\n")?;

    if result.findings.is_empty() {
        writeln!(out, "Findings: none\n")?;
    } else {
        let mut t = table(&["Severity", "Rule", "Component", "Reason"]);
        for f in &result.findings {
            t.add_row(vec![
                cell(f.severity.as_str()),
                cell(f.rule),
                cell(f.component.as_deref().unwrap_or("-")),
                cell(&f.message),
            ]);
        }
        writeln!(out, "Findings\n{t}\n")?;
    }

    let flagged: BTreeSet<&str> = result.findings.iter().filter_map(|f| f.component.as_deref()).collect();
    let shown: Vec<&Component> = result
        .components
        .iter()
        .filter(|c| opts.all_components || c.baseline != "builtin" || flagged.contains(c.id.as_str()))
        .collect();
    let mut t = table(&["ID", "Kind", "Name", "Image / type", "Scope", "State", "File", "Declared at"]);
    for c in &shown {
        let state = match c.state {
            ComponentState::Effective if !c.removed_below.is_empty() => "effective (removed below)",
            ComponentState::Effective => "effective",
            ComponentState::Removed => "removed",
            ComponentState::Duplicate => "duplicate",
        };
        let image = c.path.as_ref().map(|p| p.to_string()).or_else(|| c.image.clone()).unwrap_or_else(|| "-".into());
        let declared = format!("{}:{}:{}", c.source.evidence, c.source.file, c.source.line.unwrap_or(0));
        t.add_row(vec![
            cell(&c.id),
            cell(c.kind.as_str()),
            cell(&c.name),
            cell(&image),
            cell(&c.scope),
            cell(state),
            cell(c.file.as_ref().map(|f| f.status).unwrap_or("-")),
            cell(&declared),
        ]);
    }
    let hidden = result.components.len() - shown.len();
    writeln!(out, "Components{}\n{t}", if opts.all_components { "" } else { " (non-default or flagged)" })?;
    if hidden > 0 {
        writeln!(out, "{hidden} built-in components not shown (--all shows them)")?;
    }
    writeln!(out)?;

    let vdirs: Vec<_> = result.config_facts.iter().filter(|f| f.kind == "virtual_directory").collect();
    if !vdirs.is_empty() {
        let mut t = table(&["Evidence", "Site", "Virtual path", "Physical path"]);
        for f in vdirs {
            let v = |k: &str| f.values.get(k).map(String::as_str).unwrap_or("");
            t.add_row(vec![cell(&f.source.evidence), cell(v("site")), cell(v("path")), cell(v("physicalPath"))]);
        }
        writeln!(out, "Sites\n{t}\n")?;
    }

    let mut t = table(&["Evidence", "Artifact", "Path", "Status"]);
    for a in &result.coverage.artifacts {
        t.add_row(vec![cell(&a.evidence), cell(&a.artifact), cell(a.path.as_str()), cell(a.status)]);
    }
    writeln!(out, "Coverage\n{t}")?;
    for n in &result.coverage.notes {
        writeln!(out, "  note: {}", terminal(n))?;
    }
    if !result.warnings.is_empty() {
        writeln!(out, "\nWarnings (could not be read; the rest of the analysis went on)")?;
        for w in &result.warnings {
            let place = match (&w.file, w.line) {
                (Some(f), Some(l)) => format!("{}:{f}:{l}", w.evidence),
                (Some(f), None) => format!("{}:{f}", w.evidence),
                _ => w.evidence.clone(),
            };
            writeln!(out, "  {}: {}", terminal(&place), terminal(&w.message))?;
        }
    }
    Ok(())
}
