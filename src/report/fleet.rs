//! Outputs of a run over many hosts: the fleet document in every `--format`, and the fleet case folder — one
//! complete case folder per host under `hosts/`, the fleet view beside them, and one manifest over everything.

use super::case::{self, Written};
use super::escape::csv_cell;
use super::guard::touches_evidence;
use super::{PrintOptions, printer};
use crate::model::FleetResult;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes the fleet document as pretty-printed JSON followed by a newline.
pub fn write_json(f: &FleetResult, mut out: impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut out, f)?;
    out.write_all(b"\n")
}

/// Prints the fleet in `format`: the terminal tables, the JSON document, or each host's timeline one after the
/// other (`csv` with one header row, `jsonl` and `bodyfile` line by line; each row names its host). `None` for a
/// format that does not exist.
pub fn print(format: &str, f: &FleetResult, opts: PrintOptions, out: &mut dyn Write) -> Option<io::Result<()>> {
    match format {
        "table" => return Some(super::table::write_fleet(f, out)),
        "json" => return Some(write_json(f, out)),
        _ => {}
    }
    let p = printer(format, opts)?;
    Some((|| {
        for (i, h) in f.hosts.iter().enumerate() {
            let mut bytes = Vec::new();
            p.print(&h.result, &mut bytes)?;
            // The CSV's header row once, at the top.
            let body = match (format, i) {
                ("csv", 1..) => bytes.iter().position(|&b| b == b'\n').map(|n| &bytes[n + 1..]).unwrap_or(&[]),
                _ => &bytes[..],
            };
            out.write_all(body)?;
        }
        Ok(())
    })())
}

/// The columns of `fleet.csv`, one row per fleet entry.
pub const FLEET_COLUMNS: &[&str] =
    &["Count", "Of", "Kind", "Name", "Image", "SHA256", "Baseline", "StrongestVerdict", "FirstArrival", "Hosts"];

/// The fleet view as CSV (RFC 4180, inert cells).
pub fn fleet_csv(f: &FleetResult, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", FLEET_COLUMNS.join(","))?;
    for e in &f.fleet {
        let first = e.hosts.iter().filter_map(|h| h.arrived).min().map(|t| t.to_string()).unwrap_or_default();
        let hosts = e.hosts.iter().map(|h| h.host.as_str()).collect::<Vec<_>>().join(";");
        let cells = [
            e.count.to_string(),
            e.of.to_string(),
            e.kind.as_str().to_string(),
            e.name.clone(),
            e.image.clone().unwrap_or_default(),
            e.sha256.clone().unwrap_or_default(),
            e.baseline.as_str().to_string(),
            e.strongest().map(|v| v.as_str().to_string()).unwrap_or_default(),
            first,
            hosts,
        ];
        writeln!(out, "{}", cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","))?;
    }
    Ok(())
}

/// The folder of each host under `hosts/`: its name made safe for any file system (host names come from the
/// evidence), unique in the run.
pub fn host_folders(f: &FleetResult) -> Vec<String> {
    let mut taken: Vec<String> = Vec::new();
    for h in &f.hosts {
        let mut safe: String = h
            .host
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') { c } else { '_' })
            .take(64)
            .collect();
        if safe.is_empty() {
            safe = "host".into();
        }
        let base = safe.clone();
        let mut n = 2;
        while taken.iter().any(|t| t.eq_ignore_ascii_case(&safe)) {
            safe = format!("{base}-{n}");
            n += 1;
        }
        taken.push(safe);
    }
    taken
}

/// Writes the fleet case folder `dir`: `report.html` (the fleet index), `fleet.json` (the whole fleet document),
/// `fleet.csv`, and `hosts/HOST/` with each host's complete case folder (its own manifest included); then
/// `MANIFEST.sha256` over every file, by path relative to `dir`.
pub fn write_case(f: &FleetResult, dir: &Path, evidence: &[PathBuf], force: bool) -> io::Result<Written> {
    case::prepare(dir, evidence, force)?;
    let put = |rel: &str, bytes: &[u8]| -> io::Result<(String, String)> {
        let path = dir.join(rel);
        if touches_evidence(&path, evidence) {
            return Err(io::Error::other(format!("{} is evidence: not written", path.display())));
        }
        case::write_file(&path, rel, bytes)
    };
    let mut written = Vec::new();
    let folders = host_folders(f);
    for (h, folder) in f.hosts.iter().zip(&folders) {
        let host_dir = dir.join("hosts").join(folder);
        std::fs::create_dir_all(&host_dir)?;
        let mut own = Vec::new();
        for (name, bytes) in case::render(&h.result)? {
            let (_, hash) = put(&format!("hosts/{folder}/{name}"), &bytes)?;
            own.push((name.to_string(), hash.clone()));
            written.push((format!("hosts/{folder}/{name}"), hash));
        }
        let (_, hash) = case::write_manifest(&host_dir, &own)?;
        written.push((format!("hosts/{folder}/{}", case::MANIFEST), hash));
    }
    let mut json = Vec::new();
    write_json(f, &mut json)?;
    written.push(put("fleet.json", &json)?);
    let mut csv = Vec::new();
    fleet_csv(f, &mut csv)?;
    written.push(put("fleet.csv", &csv)?);
    written.push(put("report.html", super::html::render_fleet(f, &folders).as_bytes())?);
    written.sort();
    written.push(case::write_manifest(dir, &written)?);
    Ok(written)
}
