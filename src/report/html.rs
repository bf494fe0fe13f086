//! The case report as one self-contained HTML file: inline CSS, no script, nothing loaded from the network; it
//! reads in any browser and prints to PDF. The answer comes first (verdicts and lifecycles), then the findings
//! with their evidence references, the evidence and what was read from it, coverage, method and limitations,
//! and a glossary of the rules. Every string from the evidence goes through [`escape::html`].

use super::escape::html as esc;
use crate::model::{
    Baseline, Basis, Component, ComponentState, Finding, Index, Lifecycle, Position, ScanResult, index,
};
use std::fmt::Write as _;
use std::io::{self, Write};

/// The HTML report printer.
pub struct HtmlReport;

impl super::Printer for HtmlReport {
    fn print(&self, result: &ScanResult, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(render(result).as_bytes())
    }
}

const STYLE: &str = "
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;max-width:84em;padding:0 1em;color:#1b1b1b}
h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:2px solid #444;margin-top:2em;padding-bottom:.1em}
h3{margin-bottom:.3em}table{border-collapse:collapse;width:100%;margin:.5em 0 1em}
th,td{border:1px solid #bbb;padding:.25em .45em;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#eee}td.k{width:14em;font-weight:600;background:#f6f6f6}
code,.mono{font-family:ui-monospace,Consolas,monospace;font-size:.92em}
.malicious{background:#f4c7c3}.suspicious{background:#fce8b2}.review{background:#fff6d5}
.critical,.high{font-weight:700;color:#a50e0e}.medium{color:#8a4b00}.muted{color:#666}
.lifecycle{border:1px solid #bbb;padding:.3em 1em;margin:1em 0;page-break-inside:avoid}
#verdicts td:nth-child(-n+2),#verdicts td:nth-child(8),#findings-table td:first-child,#component-timeline td:nth-child(-n+3){white-space:nowrap}
@media print{body{margin:0;max-width:none;font-size:11px}h2{page-break-after:avoid}tr{page-break-inside:avoid}}
";

/// The document's start: head with the content policy (nothing loaded, no script), style, title, heading.
fn page_head(h: &mut String, title: &str) {
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n"
    );
}

/// The whole page.
pub fn render(r: &ScanResult) -> String {
    let files = index(&r.coverage.files_read);
    let mut h = String::with_capacity(64 * 1024);
    let case = r.run.as_ref().and_then(|run| run.case_id.as_deref());
    let title = match case {
        Some(c) => format!("inetsift report — case {}", esc(c)),
        None => "inetsift report".to_string(),
    };
    page_head(&mut h, &title);
    case_section(&mut h, r);
    answer(&mut h, r, &files);
    component_timeline(&mut h, r);
    findings(&mut h, r, &files);
    yara(&mut h, r);
    components(&mut h, r);
    evidence(&mut h, r);
    coverage(&mut h, r);
    method(&mut h);
    glossary(&mut h, r);
    h.push_str("</body>\n</html>\n");
    h
}

/// A table of already-escaped cells.
fn table(h: &mut String, id: &str, header: &[&str], rows: &[Vec<String>]) {
    let _ = write!(h, "<table id=\"{id}\">\n<thead><tr>");
    for c in header {
        let _ = write!(h, "<th>{c}</th>");
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        h.push_str("<tr>");
        for c in row {
            let _ = write!(h, "<td>{c}</td>");
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
}

/// Key/value rows (keys are ours, values already escaped).
fn facts(h: &mut String, id: &str, rows: &[(&str, String)]) {
    let _ = write!(h, "<table id=\"{id}\">\n<tbody>\n");
    for (k, v) in rows {
        let _ = writeln!(h, "<tr><td class=\"k\">{k}</td><td>{v}</td></tr>");
    }
    h.push_str("</tbody>\n</table>\n");
}

fn opt(v: Option<&str>) -> String {
    v.map(esc).unwrap_or_else(|| "<span class=\"muted\">not given</span>".into())
}

/// A reference to the evidence bytes: evidence, file, line / record / offset / MFT entry / key, and the SHA-256 of
/// the file as read.
fn reference(p: &Position, files: &Index<'_>) -> String {
    let mut s = format!("<span class=\"mono\">{}</span>", esc(&p.short()));
    if let Some(m) = p.mft_entry {
        let _ = write!(s, " MFT entry {m}");
    }
    if let Some(f) = p.file.as_ref().and_then(|f| files.get(&(p.evidence.clone(), f.key()))) {
        let _ = write!(s, "<br><span class=\"mono muted\">SHA-256 {}</span>", esc(&f.sha256));
    }
    s
}

fn case_section(h: &mut String, r: &ScanResult) {
    h.push_str("<h2 id=\"case\">Case</h2>\n");
    let run = r.run.as_ref();
    let zones: Vec<String> = r
        .registry
        .installations
        .iter()
        .map(|i| {
            format!(
                "{} ({}): {}",
                esc(i.computer_name.as_deref().unwrap_or("computer name unknown")),
                esc(&i.evidence),
                esc(i.time_zone.as_deref().unwrap_or("time zone unknown"))
            )
        })
        .collect();
    let time = |t: Option<crate::model::Timestamp>| t.map(|t| esc(&t.to_string())).unwrap_or_else(|| opt(None));
    let clock = run.map(|r| match r.clock {
        crate::model::RunClock::SourceDateEpoch => " (SOURCE_DATE_EPOCH: a fixed time for reproducible output)",
        crate::model::RunClock::System => " (system clock)",
    });
    facts(
        h,
        "case-facts",
        &[
            ("Case", opt(run.and_then(|r| r.case_id.as_deref()))),
            ("Examiner", opt(run.and_then(|r| r.examiner.as_deref()))),
            ("Notes", opt(run.and_then(|r| r.notes.as_deref()))),
            (
                "Tool",
                format!(
                    "{} {} (commit <span class=\"mono\">{}</span>)",
                    esc(r.tool.name),
                    esc(r.tool.version),
                    esc(r.tool.commit)
                ),
            ),
            ("Baseline", format!("<span class=\"mono\">{}</span>", esc(r.tool.baseline))),
            ("JSON schema", r.schema_version.to_string()),
            (
                "Command line",
                run.map(|r| format!("<code>{}</code>", esc(&r.command_line.join(" ")))).unwrap_or_else(|| opt(None)),
            ),
            ("Run started (UTC)", time(run.map(|r| r.started)) + clock.unwrap_or("")),
            ("Run ended (UTC)", time(run.map(|r| r.ended))),
            (
                "Times",
                format!(
                    "All times are UTC. Host time zone: {}",
                    if zones.is_empty() { "not known (no SYSTEM hive read)".to_string() } else { zones.join("; ") }
                ),
            ),
        ],
    );
}

/// What a component loads, empty when nothing is named.
fn image(c: &Component) -> String {
    c.image_text().unwrap_or_default()
}

fn basis(b: &Basis, files: &Index<'_>) -> String {
    format!("{} — {}<br>{}", esc(&b.time.to_string()), esc(&b.source), reference(&b.position, files))
}

/// The answer first: the verdict per component that stands out, then each one's lifecycle and reasons.
fn answer(h: &mut String, r: &ScanResult, files: &Index<'_>) {
    h.push_str("<h2 id=\"verdict\">Verdict</h2>\n");
    let mut flagged: Vec<&Component> = r.components.iter().filter(|c| c.stands_out()).collect();
    flagged.sort_by(|a, b| b.level().cmp(&a.level()).then_with(|| a.id.cmp(&b.id)));
    if flagged.is_empty() {
        let _ = writeln!(
            h,
            "<p>None of the {} components stands out: each is built in or a known add-on with nothing against it.</p>",
            r.components.len()
        );
        return;
    }
    let _ = writeln!(
        h,
        "<p><strong>{} of {} components do not belong or need a look.</strong></p>",
        flagged.len(),
        r.components.len()
    );
    let rows: Vec<Vec<String>> = flagged
        .iter()
        .map(|c| {
            let l = c.lifecycle.as_ref();
            let actor = l.and_then(|l| l.actor.as_ref()).and_then(|a| a.account.clone().or_else(|| a.sid.clone()));
            vec![
                format!("<span class=\"{0}\">{0}</span>", c.level().as_str()),
                format!("<a href=\"#c-{0}\">{0}</a>", esc(&c.id)),
                esc(c.kind.as_str()),
                esc(&c.name),
                esc(&c.scope),
                format!("<span class=\"mono\">{}</span>", esc(&image(c))),
                esc(&l.map(Lifecycle::added_text).unwrap_or_else(|| "unknown".into())),
                esc(l.map(|l| l.method.as_str()).unwrap_or("unknown")),
                esc(actor.as_deref().unwrap_or("")),
            ]
        })
        .collect();
    table(
        h,
        "verdicts",
        &["Verdict", "ID", "Kind", "Name", "Scope", "DLL / type", "Added (UTC)", "Method", "Actor"],
        &rows,
    );
    for c in flagged {
        lifecycle(h, r, c, files);
    }
}

fn lifecycle(h: &mut String, r: &ScanResult, c: &Component, files: &Index<'_>) {
    let _ = writeln!(
        h,
        "<div class=\"lifecycle {lv}\" id=\"c-{id}\">\n<h3>{id}: {kind} '{name}' — {lv}</h3>",
        id = esc(&c.id),
        kind = esc(c.kind.as_str()),
        name = esc(&c.name),
        lv = c.level().as_str()
    );
    let mut rows: Vec<(&str, String)> = vec![
        ("Declared at", reference(&c.source, files)),
        ("Scope", esc(&c.scope)),
        ("DLL / type", format!("<span class=\"mono\">{}</span>", esc(&image(c)))),
    ];
    if let Some(f) = &c.file {
        rows.push((
            "File",
            format!(
                "{}{}",
                esc(f.status.as_str()),
                f.sha256
                    .as_deref()
                    .map(|s| format!(", SHA-256 <span class=\"mono\">{}</span>", esc(s)))
                    .unwrap_or_default()
            ),
        ));
    }
    if let Some(s) = c.signature {
        rows.push(("Signature", esc(s.as_str())));
    }
    if let Some(v) = &c.verdict {
        rows.push(("Reasons", esc(&v.reasons.join(", "))));
    }
    if let Some(l) = &c.lifecycle {
        let a = &l.added;
        for (what, b) in
            [("Added (audited)", &a.exact), ("Added, not before", &a.earliest), ("Added, not after", &a.latest)]
        {
            if let Some(b) = b {
                rows.push((what, basis(b, files)));
            }
        }
        if !a.inferences.is_empty() {
            rows.push(("Inferred", a.inferences.iter().map(|i| esc(i)).collect::<Vec<_>>().join("<br>")));
        }
        rows.push(("Method", esc(l.method.as_str())));
        if let Some(actor) = &l.actor {
            let who = [actor.account.as_deref(), actor.sid.as_deref()].into_iter().flatten().collect::<Vec<_>>();
            rows.push(("Actor", esc(&who.join(" / "))));
        }
        for b in &l.changed {
            rows.push(("Changed", basis(b, files)));
        }
        if let Some(b) = &l.file_arrived {
            rows.push(("File arrived", basis(b, files)));
        }
        if let Some(b) = &l.removed {
            rows.push(("Removed", basis(b, files)));
        }
        if !l.gaps.is_empty() {
            rows.push(("Gaps", l.gaps.iter().map(|g| esc(g)).collect::<Vec<_>>().join("<br>")));
        }
    }
    let own: Vec<String> = r
        .findings
        .iter()
        .filter(|f| f.component.as_deref() == Some(c.id.as_str()))
        .map(|f| {
            format!(
                "<span class=\"{0}\">{0}</span> <code>{1}</code>: {2}",
                f.severity.as_str(),
                esc(f.rule),
                esc(&f.message)
            )
        })
        .collect();
    if !own.is_empty() {
        rows.push(("Findings", own.join("<br>")));
    }
    facts(h, &format!("c-{}-facts", esc(&c.id)), &rows);
    h.push_str("</div>\n");
}

fn component_timeline(h: &mut String, r: &ScanResult) {
    let standing_out: std::collections::BTreeSet<&str> =
        r.components.iter().filter(|c| c.stands_out()).map(|c| c.id.as_str()).collect();
    let rows: Vec<Vec<String>> = r
        .timeline
        .iter()
        .filter(|t| t.component.as_deref().is_some_and(|c| standing_out.contains(c)))
        .map(|t| {
            vec![
                esc(&t.timestamp.to_string()),
                esc(&t.timestamp_desc),
                esc(t.component.as_deref().unwrap_or("")),
                esc(&t.description),
                esc(&t.source),
                format!("<span class=\"mono\">{}</span>", esc(&t.evidence.short())),
            ]
        })
        .collect();
    h.push_str("<h2 id=\"timeline\">Component timeline</h2>\n");
    if rows.is_empty() {
        h.push_str("<p>No dated event concerns a component that stands out.</p>\n");
        return;
    }
    table(h, "component-timeline", &["Time (UTC)", "Meaning", "Component", "What", "Source", "Evidence"], &rows);
    h.push_str("<p class=\"muted\">The whole timeline is in timeline.csv, timeline.jsonl and result.json.</p>\n");
}

fn findings(h: &mut String, r: &ScanResult, files: &Index<'_>) {
    let _ = writeln!(h, "<h2 id=\"findings\">Findings ({})</h2>", r.findings.len());
    if r.findings.is_empty() {
        h.push_str("<p>None.</p>\n");
        return;
    }
    let row = |f: &Finding| {
        vec![
            format!("<span class=\"{0}\">{0}</span>", f.severity.as_str()),
            format!("<a href=\"#rule-{0}\"><code>{0}</code></a>", esc(f.rule)),
            f.component.as_deref().map(|c| format!("<a href=\"#c-{0}\">{0}</a>", esc(c))).unwrap_or_default(),
            esc(&f.message),
            reference(&f.source, files),
        ]
    };
    let rows: Vec<Vec<String>> = r.findings.iter().map(row).collect();
    table(h, "findings-table", &["Severity", "Rule", "Component", "Reason", "Evidence"], &rows);
}

/// The analyst's YARA rules: the files run, with their hashes (which rules were run is part of the record), and
/// every match with the strings it found.
fn yara(h: &mut String, r: &ScanResult) {
    let Some(y) = &r.yara else { return };
    let _ = writeln!(
        h,
        "<h2 id=\"yara\">YARA ({} rules from {} files over {} files; {} matches)</h2>",
        y.rules,
        y.sources.len(),
        y.files_scanned,
        y.matches.len()
    );
    let sources: Vec<Vec<String>> =
        y.sources.iter().map(|s| vec![esc(&s.path), format!("<code>{}</code>", esc(&s.sha256))]).collect();
    table(h, "yara-sources", &["Rule file", "SHA-256"], &sources);
    if y.files_skipped > 0 {
        let _ = writeln!(
            h,
            "<p>{} files not scanned in full (over the size cap or timed out): see the warnings.</p>",
            y.files_skipped
        );
    }
    let rows: Vec<Vec<String>> = y
        .matches
        .iter()
        .map(|m| {
            let strings: Vec<String> = m
                .strings
                .iter()
                .map(|s| {
                    let at: Vec<String> = s.offsets.iter().map(|o| format!("0x{o:x}")).collect();
                    format!("<code>{}</code> at {} ({} in all)", esc(&s.id), at.join(", "), s.count)
                })
                .collect();
            vec![
                format!("<span class=\"{0}\">{0}</span>", m.severity.as_str()),
                format!("<code>{}:{}</code>", esc(&m.namespace), esc(&m.rule)),
                m.components
                    .iter()
                    .map(|c| format!("<a href=\"#c-{0}\">{0}</a>", esc(c)))
                    .collect::<Vec<_>>()
                    .join(" "),
                format!("{} {}<br><code>{}</code>", esc(&m.evidence), esc(m.path.as_str()), esc(&m.sha256)),
                m.signature.map(|s| s.as_str()).unwrap_or("not examined").to_string(),
                strings.join("<br>"),
                esc(&m.tags.join(", ")),
                m.meta.iter().map(|(k, v)| format!("{}={}", esc(k), esc(v))).collect::<Vec<_>>().join("<br>"),
            ]
        })
        .collect();
    table(
        h,
        "yara-matches",
        &["Severity", "Rule", "Components", "File", "Signature", "Strings", "Tags", "Metadata"],
        &rows,
    );
}

fn components(h: &mut String, r: &ScanResult) {
    let _ = writeln!(h, "<h2 id=\"components\">Components ({})</h2>", r.components.len());
    let shown: Vec<&Component> =
        r.components.iter().filter(|c| c.baseline != Baseline::Builtin || c.stands_out()).collect();
    let rows: Vec<Vec<String>> = shown
        .iter()
        .map(|c| {
            let state = match c.state {
                ComponentState::Effective if !c.removed_below.is_empty() => "effective (removed below)",
                s => s.as_str(),
            };
            vec![
                format!("<span id=\"comp-{0}\">{0}</span>", esc(&c.id)),
                esc(c.kind.as_str()),
                esc(&c.name),
                format!("<span class=\"mono\">{}</span>", esc(&image(c))),
                esc(&c.scope),
                esc(state),
                esc(c.baseline.as_str()),
                esc(c.product.unwrap_or("")),
                esc(c.signature.map(|s| s.as_str()).unwrap_or("")),
                format!("<span class=\"{0}\">{0}</span>", c.level().as_str()),
            ]
        })
        .collect();
    table(
        h,
        "components-table",
        &["ID", "Kind", "Name", "Image / type", "Scope", "State", "Baseline", "Product", "Signature", "Verdict"],
        &rows,
    );
    let hidden = r.components.len() - shown.len();
    if hidden > 0 {
        let _ = writeln!(
            h,
            "<p class=\"muted\">{hidden} built-in components with nothing against them are listed in components.csv.</p>"
        );
    }
}

fn evidence(h: &mut String, r: &ScanResult) {
    h.push_str("<h2 id=\"evidence\">Evidence</h2>\n");
    let rows: Vec<Vec<String>> = r
        .evidence
        .iter()
        .map(|e| {
            let read: Vec<_> = r.coverage.files_read.iter().filter(|f| f.evidence == e.id).collect();
            let bytes: u64 = read.iter().map(|f| f.size).sum();
            let notes: Vec<String> = e.notes.iter().map(|n| esc(n)).collect();
            vec![
                esc(&e.id),
                esc(e.kind.as_str()),
                esc(e.completeness.as_str()),
                format!("<span class=\"mono\">{}</span>", esc(&e.path)),
                format!(
                    "<span class=\"mono\">{}</span>",
                    esc(e.sha256.as_deref().unwrap_or("not hashed as a whole (an image or folder: each file read is)"))
                ),
                format!("{} files, {bytes} bytes", read.len()),
                notes.join("<br>"),
            ]
        })
        .collect();
    table(h, "evidence-table", &["ID", "Kind", "Completeness", "Path", "SHA-256", "Read from it", "Notes"], &rows);
    let _ = writeln!(h, "<h3>Files read ({})</h3>", r.coverage.files_read.len());
    let rows: Vec<Vec<String>> = r
        .coverage
        .files_read
        .iter()
        .map(|f| {
            vec![
                esc(&f.evidence),
                format!("<span class=\"mono\">{}</span>", esc(f.path.as_str())),
                f.size.to_string(),
                f.ntfs.as_ref().map(|n| n.mft_entry.to_string()).unwrap_or_default(),
                format!("<span class=\"mono\">{}</span>", esc(&f.sha256)),
            ]
        })
        .collect();
    table(h, "files-read", &["Evidence", "Path", "Bytes", "MFT entry", "SHA-256"], &rows);
}

fn coverage(h: &mut String, r: &ScanResult) {
    h.push_str("<h2 id=\"coverage\">Coverage: what was absent or unreadable</h2>\n");
    let rows: Vec<Vec<String>> = r
        .coverage
        .artifacts
        .iter()
        .map(|a| {
            vec![
                esc(&a.evidence),
                esc(&a.artifact),
                format!("<span class=\"mono\">{}</span>", esc(a.path.as_str())),
                esc(a.status.as_str()),
            ]
        })
        .collect();
    table(h, "artifacts", &["Evidence", "Artifact", "Path", "Status"], &rows);
    h.push_str(
        "<p><code>not_collected</code>: a triage collection did not include it, which proves nothing about the host; \
         <code>missing</code>: the evidence is a whole volume and the file is not on it; <code>unreadable</code>: it \
         is there and could not be read (see the warnings).</p>\n",
    );
    let rows: Vec<Vec<String>> = r
        .event_logs
        .channels
        .iter()
        .map(|c| {
            let t = |t: Option<crate::model::Timestamp>| t.map(|t| esc(&t.to_string())).unwrap_or_default();
            vec![esc(&c.evidence), esc(c.channel), esc(c.status.as_str()), c.records.to_string(), t(c.first), t(c.last)]
        })
        .collect();
    if !rows.is_empty() {
        h.push_str("<h3>Event-log channels</h3>\n");
        table(h, "channels", &["Evidence", "Channel", "Status", "Records", "First (UTC)", "Last (UTC)"], &rows);
    }
    if !r.coverage.notes.is_empty() {
        h.push_str("<h3>Notes</h3>\n<ul>\n");
        for n in &r.coverage.notes {
            let _ = writeln!(h, "<li>{}</li>", esc(n));
        }
        h.push_str("</ul>\n");
    }
    let _ =
        writeln!(h, "<h3>Warnings ({}): could not be read; the rest of the analysis went on</h3>", r.warnings.len());
    if r.warnings.is_empty() {
        h.push_str("<p>None.</p>\n");
    } else {
        let rows: Vec<Vec<String>> = r
            .warnings
            .iter()
            .map(|w| vec![format!("<span class=\"mono\">{}</span>", esc(&w.position.short())), esc(&w.message)])
            .collect();
        table(h, "warnings", &["Where", "What"], &rows);
    }
}

fn method(h: &mut String) {
    h.push_str(
        "<h2 id=\"method\">Method and limitations</h2>\n<ul>\n\
         <li>The evidence was opened read-only; nothing was extracted to disk, and every byte read was hashed (the \
         files-read table). Each fact names the evidence, the file, and the line, event record, byte offset, MFT \
         entry or registry key it was read from.</li>\n\
         <li>Components come from applicationHost.config, the .NET root web.config and machine.config, each site's \
         and application's web.config, and the configuration history; they are compared with the baseline named \
         above (a default IIS 10 / .NET 4 install and known add-ons).</li>\n\
         <li>Dates come from audited configuration writes, process creation records, configuration-history \
         snapshots, registry last-write times and NTFS times; where no record dates an act, the report gives the \
         bounds the evidence proves rather than a guess.</li>\n\
         <li>A hand edit of a configuration file is never logged by Windows: such an addition is dated only by \
         snapshots and file times. web.config files are outside IIS configuration history. NTFS and registry times \
         can be set by an intruder; the report says when a time looks set by a tool.</li>\n\
         <li>Event logs cover only what was enabled and kept: a channel that is absent or rolled over cannot show \
         an act (see the channel table). A triage collection holds only what was collected.</li>\n\
         <li>A verdict weighs independent families of findings; <em>expected</em> means nothing in this evidence \
         speaks against the component, not that it was proven harmless.</li>\n</ul>\n",
    );
}

fn glossary(h: &mut String, r: &ScanResult) {
    h.push_str("<h2 id=\"glossary\">Glossary of rules</h2>\n");
    if r.rules.is_empty() {
        h.push_str("<p>No rule fired.</p>\n");
        return;
    }
    h.push_str("<dl>\n");
    for rule in &r.rules {
        let _ = writeln!(
            h,
            "<dt id=\"rule-{id}\"><code>{id}</code> ({sev}{other})</dt><dd>{when}</dd>",
            id = esc(rule.id),
            sev = rule.severity.as_str(),
            other = if rule.otherwise.is_empty() { String::new() } else { format!("; {}", esc(rule.otherwise)) },
            when = esc(rule.fires_when)
        );
    }
    h.push_str("</dl>\n");
}

/// The index page of a fleet case folder: the hosts (each linking to its own report), what stands out on each,
/// and the fleet view. `folders` gives each host's folder under `hosts/`.
pub fn render_fleet(f: &crate::model::FleetResult, folders: &[String]) -> String {
    let mut h = String::with_capacity(16 * 1024);
    let case = f.run.as_ref().and_then(|run| run.case_id.as_deref());
    let title = match case {
        Some(c) => format!("inetsift fleet report — case {}", esc(c)),
        None => "inetsift fleet report".to_string(),
    };
    page_head(&mut h, &title);
    let _ = write!(
        h,
        "<p>{} hosts, {} evidence; tool {} (baseline {}). Each host's full report, timeline and manifest are in its \
         folder under <code>hosts/</code>.</p>\n<h2 id=\"hosts\">Hosts</h2>\n<table>\n<thead><tr><th>Host</th>\
         <th>Named by</th><th>Evidence</th><th>Components</th><th>Stand out</th><th>Findings</th><th>Warnings</th>\
         </tr></thead>\n<tbody>\n",
        f.hosts.len(),
        f.evidence.len(),
        esc(f.tool.version),
        esc(f.tool.baseline)
    );
    for (host, folder) in f.hosts.iter().zip(folders) {
        let r = &host.result;
        let _ = writeln!(
            h,
            "<tr><td><a href=\"hosts/{}/report.html\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(folder),
            esc(&host.host),
            host.named_by.as_str(),
            esc(&host.evidence.join(", ")),
            r.components.len(),
            r.components.iter().filter(|c| c.stands_out()).count(),
            r.findings.len(),
            r.warnings.len()
        );
    }
    h.push_str(
        "</tbody>\n</table>\n<h2 id=\"fleet\">Fleet: components not part of the default install, rarest first</h2>\n",
    );
    h.push_str(
        "<table>\n<thead><tr><th>Prevalence</th><th>Kind</th><th>Name</th><th>DLL / type</th><th>SHA-256</th>\
         <th>Strongest verdict</th><th>Hosts (verdict, arrived UTC)</th></tr></thead>\n<tbody>\n",
    );
    for e in &f.fleet {
        let hosts: Vec<String> = e
            .hosts
            .iter()
            .map(|x| {
                let arrived = x.arrived.map(|t| t.to_string()).unwrap_or_else(|| "unknown".into());
                let verdict = x.verdict.map(|v| v.as_str()).unwrap_or("-");
                format!("{} ({verdict}, {arrived})", esc(&x.host))
            })
            .collect();
        let _ = writeln!(
            h,
            "<tr><td>{} of {}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            e.count,
            e.of,
            e.kind.as_str(),
            esc(&e.name),
            esc(e.image.as_deref().unwrap_or("-")),
            esc(e.sha256.as_deref().unwrap_or("-")),
            e.strongest().map(|v| v.as_str()).unwrap_or("-"),
            hosts.join("<br>")
        );
    }
    h.push_str("</tbody>\n</table>\n</body>\n</html>\n");
    h
}
