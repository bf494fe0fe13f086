//! The terminal report: evidence, findings, components and coverage as tables.

use super::escape::terminal;
use crate::model::ScanResult;
use crate::model::{Baseline, Component, ComponentState, ConfigFactKind, Lifecycle, Signal, TrustAnchor, VerdictLevel};
use comfy_table::{Cell, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use std::collections::BTreeSet;
use std::io::{self, Write};

/// What the table report shows.
pub use super::PrintOptions as TableOptions;

/// The terminal printer.
pub struct TablePrinter(pub TableOptions);

impl super::Printer for TablePrinter {
    fn print(&self, result: &ScanResult, out: &mut dyn Write) -> io::Result<()> {
        write(result, self.0, out)
    }
}

/// A rule firing on this many components judged expected is shown as one line.
const GROUP_AT: usize = 4;

/// Most rows one terminal table shows: laying out tens of thousands of rows takes the table seconds and says
/// nothing a person reads; the rest is counted, and the JSON and the case files hold every row.
const MAX_ROWS: usize = 1000;

/// A terminal table that shows at most [`MAX_ROWS`] rows and says how many it left out.
struct Rows {
    table: Table,
    shown: usize,
    left_out: usize,
}

impl Rows {
    fn add_row(&mut self, row: Vec<Cell>) {
        if self.shown < MAX_ROWS {
            self.table.add_row(row);
            self.shown += 1;
        } else {
            self.left_out += 1;
        }
    }
}

impl std::fmt::Display for Rows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.table)?;
        if self.left_out > 0 {
            write!(
                f,
                "\n… {} more rows not shown here (every row is in --json and the --out case files)",
                self.left_out
            )?;
        }
        Ok(())
    }
}

fn table(header: &[&str]) -> Rows {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    if !header.is_empty() {
        t.set_header(header.to_vec());
    }
    if t.width().is_none() {
        t.set_width(160);
    }
    Rows { table: t, shown: 0, left_out: 0 }
}

/// Longest cell text shown on the terminal: the table wraps cells word by word, and a hostile 100,000-character
/// name would take it seconds; the JSON and the case files carry the whole text.
const CELL_CHARS: usize = 400;

fn cell(s: &str) -> Cell {
    let safe = terminal(s);
    match safe.char_indices().nth(CELL_CHARS) {
        Some((cut, _)) => {
            let more = safe[cut..].chars().count();
            Cell::new(format!("{}… ({more} more characters; whole in --json)", &safe[..cut]))
        }
        None => Cell::new(safe),
    }
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
    answer(result, &mut out)?;
    component_timeline(result, &mut out)?;

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

    for inst in &result.registry.installations {
        installation(&mut out, result, inst)?;
    }

    if result.findings.is_empty() {
        writeln!(out, "Findings: none\n")?;
    } else {
        let mut t = table(&["Severity", "Rule", "Component", "Reason"]);
        // A rule that fires on many components judged expected (dozens of built-in DLLs not collected, say) is
        // one line with a count; everything else is a line of its own, most severe first.
        let expected: BTreeSet<&str> = result
            .components
            .iter()
            .filter(|c| c.verdict.as_ref().is_some_and(|v| v.level == VerdictLevel::Expected))
            .map(|c| c.id.as_str())
            .collect();
        let routine = |f: &&crate::model::Finding| f.component.as_deref().is_some_and(|c| expected.contains(c));
        let mut per_rule: std::collections::BTreeMap<&str, Vec<&crate::model::Finding>> = Default::default();
        for f in result.findings.iter().filter(routine) {
            per_rule.entry(f.rule).or_default().push(f);
        }
        let mut grouped = BTreeSet::new();
        for f in &result.findings {
            let group = per_rule.get(f.rule).filter(|g| g.len() >= GROUP_AT && routine(&f));
            match group {
                Some(g) if grouped.insert(f.rule) => {
                    let ids: Vec<&str> = g.iter().filter_map(|f| f.component.as_deref()).take(12).collect();
                    let more = if g.len() > ids.len() { ", ..." } else { "" };
                    t.add_row(vec![
                        cell(f.severity.as_str()),
                        cell(f.rule),
                        cell(&format!("{} components", g.len())),
                        cell(&format!("{} (and the same for {}{more}; each in --json)", f.message, ids.join(", "))),
                    ]);
                }
                Some(_) => {}
                None => {
                    t.add_row(vec![
                        cell(f.severity.as_str()),
                        cell(f.rule),
                        cell(f.component.as_deref().unwrap_or("-")),
                        cell(&f.message),
                    ]);
                }
            }
        }
        writeln!(out, "Findings\n{t}\n")?;
    }

    let flagged: BTreeSet<&str> = result.findings.iter().filter_map(|f| f.component.as_deref()).collect();
    let shown: Vec<&Component> = result
        .components
        .iter()
        .filter(|c| opts.all_components || c.baseline != Baseline::Builtin || flagged.contains(c.id.as_str()))
        .collect();
    let mut t = table(&[
        "ID",
        "Kind",
        "Name",
        "Image / type",
        "Scope",
        "State",
        "File",
        "PE exports",
        "Signature",
        "Declared at",
    ]);
    for c in &shown {
        let state = match c.state {
            ComponentState::Effective if !c.removed_below.is_empty() => "effective (removed below)",
            ComponentState::Effective => "effective",
            state => state.as_str(),
        };
        let image = c.image_text().unwrap_or_else(|| "-".into());
        let declared = format!("{}:{}:{}", c.source.evidence, c.source.path(), c.source.line.unwrap_or(0));
        t.add_row(vec![
            cell(&c.id),
            cell(c.kind.as_str()),
            cell(&c.name),
            cell(&image),
            cell(&c.scope),
            cell(state),
            cell(c.file.as_ref().map(|f| f.status.as_str()).unwrap_or("-")),
            cell(c.pe_kind.map(|k| k.as_str()).unwrap_or("-")),
            cell(c.signature.map(|s| s.as_str()).unwrap_or("-")),
            cell(&declared),
        ]);
    }
    let hidden = result.components.len() - shown.len();
    if shown.is_empty() {
        writeln!(out, "Components: none{}", if hidden > 0 { " outside the built-in ones" } else { "" })?;
    } else {
        writeln!(out, "Components{}\n{t}", if opts.all_components { "" } else { " (non-default or flagged)" })?;
    }
    if hidden > 0 {
        writeln!(out, "{hidden} built-in components not shown (--all shows them)")?;
    }
    writeln!(out)?;

    let vdirs: Vec<_> = result.config_facts.iter().filter(|f| f.kind == ConfigFactKind::VirtualDirectory).collect();
    if !vdirs.is_empty() {
        let mut t = table(&["Evidence", "Site", "Virtual path", "Physical path"]);
        for f in vdirs {
            let v = |k: &str| f.values.get(k).map(String::as_str).unwrap_or("");
            t.add_row(vec![cell(&f.source.evidence), cell(v("site")), cell(v("path")), cell(v("physicalPath"))]);
        }
        writeln!(out, "Sites\n{t}\n")?;
    }

    ntfs_times(result, &mut out)?;
    managed_assemblies(result, &mut out)?;
    events(result, &mut out)?;

    let mut t = table(&["Evidence", "Artifact", "Path", "Status"]);
    for a in &result.coverage.artifacts {
        t.add_row(vec![cell(&a.evidence), cell(&a.artifact), cell(a.path.as_str()), cell(a.status.as_str())]);
    }
    writeln!(out, "Coverage\n{t}")?;
    if !result.binaries.is_empty() {
        let inetsrv = result.binaries.iter().filter(|b| b.in_inetsrv).count();
        writeln!(out, "  binaries examined: {} ({inetsrv} in inetsrv; details in --json)", result.binaries.len())?;
    }
    for n in &result.coverage.notes {
        writeln!(out, "  note: {}", terminal(n))?;
    }
    if !result.warnings.is_empty() {
        writeln!(out, "\nWarnings (could not be read; the rest of the analysis went on)")?;
        for w in &result.warnings {
            writeln!(out, "  {}: {}", terminal(&w.position.short()), terminal(&w.message))?;
        }
    }
    Ok(())
}

/// The answer first: one line per component that does not belong or needs a look, most severe first.
fn answer(result: &ScanResult, out: &mut impl Write) -> io::Result<()> {
    let mut flagged: Vec<&Component> = result.components.iter().filter(|c| c.stands_out()).collect();
    flagged.sort_by(|a, b| b.level().cmp(&a.level()).then_with(|| a.id.cmp(&b.id)));
    if flagged.is_empty() {
        let n = result.components.len();
        return writeln!(
            out,
            "Verdict: none of the {n} components stands out: each is built in or a known add-on with nothing against it\n"
        );
    }
    let mut t =
        table(&["Verdict", "ID", "Kind", "Name", "Scope", "DLL / type", "Added (UTC)", "Method", "Actor", "Reasons"]);
    for c in &flagged {
        let l = c.lifecycle.as_ref();
        let image = c.image_text().unwrap_or_else(|| "-".into());
        let actor = l.and_then(|l| l.actor.as_ref()).and_then(|a| a.account.clone().or_else(|| a.sid.clone()));
        let reasons = c.verdict.as_ref().map(|v| v.reasons.iter().take(3).copied().collect::<Vec<_>>().join(", "));
        t.add_row(vec![
            cell(c.level().as_str()),
            cell(&c.id),
            cell(c.kind.as_str()),
            cell(&c.name),
            cell(&c.scope),
            cell(&image),
            cell(&l.map(Lifecycle::added_text).unwrap_or_else(|| "unknown".into())),
            cell(l.map(|l| l.method.as_str()).unwrap_or("unknown")),
            cell(actor.as_deref().unwrap_or("-")),
            cell(reasons.as_deref().unwrap_or("")),
        ]);
    }
    writeln!(
        out,
        "Verdict: {} of {} components do not belong or need a look\n{t}\n",
        flagged.len(),
        result.components.len()
    )
}

/// The IIS component timeline: installs, changes, removals and file arrivals of the components that stand out.
fn component_timeline(result: &ScanResult, out: &mut impl Write) -> io::Result<()> {
    let standing_out: BTreeSet<&str> =
        result.components.iter().filter(|c| c.stands_out()).map(|c| c.id.as_str()).collect();
    let install = |t: &crate::model::TimelineEvent| {
        t.source.starts_with("IIS ")
            || t.timestamp_desc == "$FILE_NAME created"
            || t.event.as_ref().is_some_and(|e| {
                matches!(
                    e.signal,
                    Some(
                        Signal::ExtensionAdded
                            | Signal::ExtensionChanged
                            | Signal::AppcmdInstall
                            | Signal::PowerShellInstall
                            | Signal::GacInstall
                    )
                )
            })
    };
    let rows: Vec<_> = result
        .timeline
        .iter()
        .filter(|t| t.component.as_deref().is_some_and(|c| standing_out.contains(c)) && install(t))
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let mut t = table(&["Time (UTC)", "Component", "What", "Source"]);
    for r in rows {
        let text: String = r.description.chars().take(160).collect();
        t.add_row(vec![
            cell(&r.timestamp.to_string()),
            cell(r.component.as_deref().unwrap_or("")),
            cell(&text),
            cell(&r.source),
        ]);
    }
    writeln!(out, "IIS component timeline\n{t}\n")
}

/// The "Managed module assemblies" section: where each managed module's assembly was found, who it says it is,
/// its module types and the calls an implant needs.
fn managed_assemblies(result: &ScanResult, out: &mut impl Write) -> io::Result<()> {
    let mut t = table(&["Component", "Assembly file", "Identity", "Module / handler types", "Notable calls"]);
    let mut rows = 0;
    for b in &result.binaries {
        let Some(m) = b.pe.as_ref().and_then(|p| p.managed.as_ref()) else { continue };
        if b.components.is_empty() {
            continue;
        }
        let identity = format!(
            "{} {} (PublicKeyToken={})",
            m.name.as_deref().unwrap_or("?"),
            m.version.as_deref().unwrap_or("?"),
            m.public_key_token.as_deref().unwrap_or("null")
        );
        t.add_row(vec![
            cell(&b.components.join(", ")),
            cell(b.path.as_str()),
            cell(&identity),
            cell(&m.handlers.join("\n")),
            cell(&m.notable.join("\n")),
        ]);
        rows += 1;
    }
    if rows == 0 {
        return Ok(());
    }
    writeln!(out, "Managed module assemblies\n{t}\n")
}

/// The "NTFS times" section: MFT entry, `$SI` and `$FILE_NAME` times of each file a component references, for
/// evidence read from a file system.
fn ntfs_times(result: &ScanResult, out: &mut impl Write) -> io::Result<()> {
    let files = result.component_files();
    if files.is_empty() {
        return Ok(());
    }
    let mut t = table(&["Evidence", "File", "MFT entry", "$SI created", "$SI modified", "$FN created"]);
    for (f, n, _) in files {
        let fname = n.primary_name();
        t.add_row(vec![
            cell(&f.evidence),
            cell(f.path.as_str()),
            cell(&format!("{}-{}", n.mft_entry, n.sequence)),
            cell(&n.standard_information.created),
            cell(&n.standard_information.modified),
            cell(fname.map(|x| x.times.created.as_str()).unwrap_or("")),
        ]);
    }
    writeln!(out, "NTFS times of component files (UTC)\n{t}\n")
}

/// The "Events" and "Event log channels" sections: events that point somewhere or concern a component, and
/// which channels the logs cover.
fn events(result: &ScanResult, out: &mut impl Write) -> io::Result<()> {
    let rows: Vec<_> = result
        .timeline
        .iter()
        .filter_map(|t| t.event.as_ref().map(|e| (t, e)))
        .filter(|(t, e)| {
            t.component.is_some() || !matches!(e.signal, None | Some(Signal::W3wpChild | Signal::UnusualLoad))
        })
        .collect();
    let all = result.timeline.iter().filter(|t| t.event.is_some()).count();
    if !rows.is_empty() {
        let mut t = table(&["Time (UTC)", "Log", "Record", "Component", "Signal", "Event"]);
        for (row, e) in &rows {
            let text: String = row.description.chars().take(160).collect();
            t.add_row(vec![
                cell(&row.timestamp.to_string()),
                cell(&format!("{} {}", e.channel, e.event_id)),
                cell(&format!("{}:{}", row.evidence.evidence, e.record_id)),
                cell(row.component.as_deref().unwrap_or("")),
                cell(e.signal.map(Signal::as_str).unwrap_or("")),
                cell(&text),
            ]);
        }
        writeln!(out, "Events (from event logs)\n{t}")?;
    }
    if all > rows.len() {
        writeln!(out, "{} more event-log rows of context on the timeline (--json)", all - rows.len())?;
    }
    if !rows.is_empty() || all > 0 {
        writeln!(out)?;
    }
    if !result.event_logs.channels.is_empty() {
        let mut t = table(&["Evidence", "Channel", "Status", "Logs", "Records", "First (UTC)", "Last (UTC)"]);
        for c in &result.event_logs.channels {
            t.add_row(vec![
                cell(&c.evidence),
                cell(c.channel),
                cell(c.status.as_str()),
                cell(&c.logs.len().to_string()),
                cell(&c.records.to_string()),
                cell(&c.first.map(|t| t.to_string()).unwrap_or_default()),
                cell(&c.last.map(|t| t.to_string()).unwrap_or_default()),
            ]);
        }
        let read = result.event_logs.logs.len();
        writeln!(out, "Event log channels ({read} log{} read)\n{t}\n", if read == 1 { "" } else { "s" })?;
    }
    Ok(())
}

/// The "IIS installation" section: what the hives say about the host and its IIS.
fn installation(out: &mut impl Write, result: &ScanResult, inst: &crate::model::Installation) -> io::Result<()> {
    let mut t = table(&[]);
    let row = |t: &mut Rows, k: &str, v: Option<&str>| {
        if let Some(v) = v {
            t.add_row(vec![cell(k), cell(v)]);
        }
    };
    row(&mut t, "Computer name", inst.computer_name.as_deref());
    row(&mut t, "Windows", inst.os.as_deref());
    row(&mut t, "Time zone", inst.time_zone.as_deref());
    row(&mut t, "Control set", inst.control_set.as_deref());
    let iis = match (&inst.iis_version, &inst.iis_version_string, inst.iis_installed) {
        (Some(v), Some(s), _) => format!("{v} ({s})"),
        (Some(v), None, _) => v.clone(),
        (None, _, true) => "installed (no InetStp version)".into(),
        (None, _, false) => "not installed (no InetStp version, no registered W3SVC)".into(),
    };
    row(&mut t, "IIS", Some(&iis));
    row(&mut t, "Install path", inst.install_path.as_deref());
    row(&mut t, "Web root", inst.wwwroot.as_deref());
    row(&mut t, "InetStp last written", inst.inetstp_last_written.map(|t| t.to_string()).as_deref());
    if !inst.components.is_empty() {
        row(&mut t, "IIS features", Some(&inst.components.join(", ")));
    }
    for s in &inst.services {
        let state = if s.installed {
            format!(
                "{} — {}{} (key last written {})",
                s.start_mode.unwrap_or("start mode unknown"),
                s.service_dll.as_deref().or(s.image_path.as_deref()).unwrap_or("-"),
                s.object_name.as_deref().map(|o| format!(" as {o}")).unwrap_or_default(),
                s.last_written
            )
        } else {
            format!("not registered (leftover key, last written {})", s.last_written)
        };
        row(&mut t, &format!("Service {}", s.name), Some(&state));
    }
    for a in &inst.addons {
        row(&mut t, "Add-on", Some(a));
    }
    for h in result.registry.hives.iter().filter(|h| h.evidence == inst.evidence) {
        let state = match (h.dirty, h.applied.len()) {
            (false, _) => "clean".to_string(),
            (true, 0) => "dirty, no log applied: newest changes may be missing".to_string(),
            (true, 1) => format!("dirty: 1 log entry replayed ({} format)", h.log_format.unwrap_or("?")),
            (true, n) => format!("dirty: {n} log entries replayed ({} format)", h.log_format.unwrap_or("?")),
        };
        row(&mut t, &format!("{} hive", h.hive), Some(&format!("{} — {state}", h.path)));
    }
    for r in result.registry.root_certificates.iter().filter(|r| r.store == "ROOT" && r.evidence == inst.evidence) {
        let who = r.subject.as_deref().unwrap_or(&r.key_name);
        row(&mut t, "Machine root certificate", Some(&format!("{who} (key last written {})", r.last_written)));
    }
    writeln!(out, "IIS installation ({})\n{t}\n", inst.evidence)
}

/// The `verify` report: one row per file.
pub fn write_verdicts(verdicts: &[crate::model::FileVerdict], mut out: impl Write) -> io::Result<()> {
    let mut t = table(&["File", "PE", "Status", "Publisher", "Root", "Trusted by", "Signed at", "Reason"]);
    for v in verdicts {
        t.add_row(vec![
            cell(&v.file),
            cell(v.pe_kind.map(|k| k.as_str()).unwrap_or("-")),
            cell(v.verdict.status.as_str()),
            cell(v.verdict.publisher.as_deref().unwrap_or("-")),
            cell(v.verdict.root.as_deref().unwrap_or("-")),
            cell(v.verdict.trusted_by.map(TrustAnchor::as_str).unwrap_or("-")),
            cell(&v.verdict.signed_at.map(|t| t.to_string()).unwrap_or_else(|| "-".into())),
            cell(&v.verdict.reason),
        ]);
    }
    writeln!(out, "{t}")
}

/// The terminal report of a run over many hosts: the hosts, the components that stand out on each, and the fleet
/// view of every non-default component, rarest first.
pub fn write_fleet(f: &crate::model::FleetResult, mut out: impl Write) -> io::Result<()> {
    let out = &mut out;
    let standing: usize = f.hosts.iter().map(|h| h.result.components.iter().filter(|c| c.stands_out()).count()).sum();
    writeln!(
        out,
        "inetsift {} — {} hosts, {} evidence, {} components stand out, {} non-default components across the fleet\n",
        f.tool.version,
        f.hosts.len(),
        f.evidence.len(),
        standing,
        f.fleet.len()
    )?;
    let mut t = table(&["Host", "Named by", "Evidence", "Components", "Stand out", "Findings", "Warnings"]);
    for h in &f.hosts {
        let r = &h.result;
        t.add_row(vec![
            cell(&h.host),
            cell(h.named_by.as_str()),
            cell(&h.evidence.join(", ")),
            cell(&r.components.len().to_string()),
            cell(&r.components.iter().filter(|c| c.stands_out()).count().to_string()),
            cell(&r.findings.len().to_string()),
            cell(&r.warnings.len().to_string()),
        ]);
    }
    writeln!(out, "Hosts\n{t}\n")?;
    let mut t = table(&["Host", "Verdict", "ID", "Kind", "Name", "DLL / type", "Added (UTC)", "Reasons"]);
    let mut any = false;
    for h in &f.hosts {
        let mut flagged: Vec<&Component> = h.result.components.iter().filter(|c| c.stands_out()).collect();
        flagged.sort_by(|a, b| b.level().cmp(&a.level()).then_with(|| a.id.cmp(&b.id)));
        for c in flagged {
            any = true;
            let reasons = c.verdict.as_ref().map(|v| v.reasons.iter().take(3).copied().collect::<Vec<_>>().join(", "));
            t.add_row(vec![
                cell(&h.host),
                cell(c.level().as_str()),
                cell(&c.id),
                cell(c.kind.as_str()),
                cell(&c.name),
                cell(&c.image_text().unwrap_or_else(|| "-".into())),
                cell(&c.lifecycle.as_ref().map(Lifecycle::added_text).unwrap_or_else(|| "unknown".into())),
                cell(reasons.as_deref().unwrap_or("")),
            ]);
        }
    }
    if any {
        writeln!(out, "Components that stand out, per host\n{t}\n")?;
    } else {
        writeln!(out, "Components that stand out: none on any host\n")?;
    }
    let mut t = table(&["Prevalence", "Kind", "Name", "DLL / type", "SHA-256", "Strongest verdict", "Hosts"]);
    for e in &f.fleet {
        let hosts = e.hosts.iter().map(|h| h.host.as_str()).collect::<Vec<_>>().join(", ");
        let strongest = crate::model::FleetEntry::strongest(e).map(|v| v.as_str()).unwrap_or("-");
        t.add_row(vec![
            cell(&format!("{} of {}", e.count, e.of)),
            cell(e.kind.as_str()),
            cell(&e.name),
            cell(e.image.as_deref().unwrap_or("-")),
            cell(e.sha256.as_deref().map(|s| &s[..s.len().min(16)]).unwrap_or("-")),
            cell(strongest),
            cell(&hosts),
        ]);
    }
    writeln!(out, "Fleet: components not part of the default install, rarest first\n{t}")
}
