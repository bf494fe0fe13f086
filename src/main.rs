//! The `inetsift` command line: argument parsing and output at the edge; the work is in the library.

use clap::{Parser, Subcommand};
use inetsift::evidence::{OpenOptions, ZipLimits};
use inetsift::report::guard::touches_evidence;
use inetsift::report::{PrintOptions, json, table};
use std::io::IsTerminal;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Offline analyzer of IIS server persistence (MITRE ATT&CK T1505.004).
#[derive(Parser)]
#[command(name = "inetsift", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Inventory every IIS extension point in the evidence and report what does not belong.
    Scan {
        /// Evidence: a folder (mounted volume, KAPE tree, unzipped collection), a triage zip, or a single
        /// applicationHost.config / web.config. Several may be given; each gets an id (E1, E2, ...).
        #[arg(required = true)]
        evidence: Vec<PathBuf>,
        /// Output format on standard output.
        #[arg(long, value_name = "FORMAT", default_value = "table",
              value_parser = clap::builder::PossibleValuesParser::new(inetsift::report::formats()))]
        format: String,
        /// Also write the full result as JSON to FILE (`-`: the same as `--format json`).
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
        /// Password of encrypted zips (ZipCrypto or AES, e.g. Velociraptor's protected collections).
        #[arg(long, value_name = "PASSWORD")]
        zip_password: Option<String>,
        /// Show built-in components too, not only non-default and flagged ones.
        #[arg(long)]
        all: bool,
        /// Also trust the roots in this PEM file for signatures (repeatable).
        #[arg(long, value_name = "PEM")]
        trust: Vec<PathBuf>,
        /// Largest zip entry inflated into memory, in MiB (zip bomb guard); event logs are streamed instead.
        #[arg(long, value_name = "MIB", default_value_t = 512)]
        max_zip_entry_mib: u64,
        /// Read E01 images whole and check them against their stored acquisition MD5/SHA-1 (slow on big images).
        #[arg(long)]
        verify_images: bool,
        /// Write the case folder to DIR: report.html, timeline.csv, components.csv, findings.csv,
        /// timeline.jsonl, timeline.body, result.json and MANIFEST.sha256 (README: "The case folder").
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Case identifier, written in the report.
        #[arg(long = "case", value_name = "ID")]
        case_id: Option<String>,
        /// Examiner's name, written in the report.
        #[arg(long, value_name = "NAME")]
        examiner: Option<String>,
        /// Free-text notes, written in the report.
        #[arg(long, value_name = "TEXT")]
        notes: Option<String>,
        /// Write into an --out folder that is not empty (its case files are replaced).
        #[arg(long)]
        force: bool,
        /// Evidence opened and hosts analysed at once (default: the number of cores). Evidence of several hosts
        /// (told by the SYSTEM hive's computer name, else by collection) gives one result per host and a fleet view.
        #[arg(long, value_name = "N")]
        jobs: Option<usize>,
        /// Run these YARA rules (a .yar file, or a folder of .yar/.yara files; repeatable) over every component
        /// file, every DLL in inetsrv and the configuration files; each match is a finding on its component.
        /// Needs a build with `--features yara`.
        #[arg(long, value_name = "RULES")]
        yara: Vec<PathBuf>,
        /// Largest file scanned with YARA, in MiB (larger ones are said in the warnings).
        #[arg(long, value_name = "MIB", default_value_t = inetsift::artifacts::yara::DEFAULT_MAX_FILE >> 20)]
        yara_max_mib: u64,
        /// Longest one file's YARA scan may take, in seconds (a scan cut short is said in the warnings).
        #[arg(long, value_name = "SECS", default_value_t = inetsift::artifacts::yara::DEFAULT_TIMEOUT_SECS)]
        yara_timeout: u64,
    },
    /// Verify the Authenticode signatures of PE files offline.
    Verify {
        /// PE files (DLL, EXE, SYS).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Also trust the roots in this PEM file (repeatable).
        #[arg(long, value_name = "PEM")]
        trust: Vec<PathBuf>,
        /// Catalog files, or folders of `*.cat` (repeatable): a file they list is `catalog_signed`.
        #[arg(long, value_name = "CAT|DIR")]
        catalog: Vec<PathBuf>,
        /// Write the verdicts as a JSON array to FILE (`-` for standard output).
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    // A parser panic on hostile bytes is caught where it happens and reported as a warning on that file: keep the
    // default hook's "thread panicked" text for real defects only.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !inetsift::model::panic_is_contained() {
            default_hook(info)
        }
    }));
    let cli = Cli::parse();
    match cli.command {
        Command::Verify { files, trust, catalog, json: json_out } => {
            verify(&files, &trust, &catalog, json_out.as_deref())
        }
        Command::Scan {
            evidence,
            format,
            json: json_out,
            zip_password,
            all,
            trust,
            max_zip_entry_mib,
            verify_images,
            out,
            case_id,
            examiner,
            notes,
            force,
            jobs,
            yara,
            yara_max_mib,
            yara_timeout,
        } => {
            let (started, clock) = run_clock();
            if let Some(p) = json_out.as_ref().filter(|p| p.as_os_str() != "-")
                && touches_evidence(p, &evidence)
            {
                eprintln!("inetsift: --json {} is evidence or inside it; evidence is never written to", p.display());
                return ExitCode::from(2);
            }
            let open = OpenOptions {
                zip_password,
                zip_limits: ZipLimits {
                    max_entry: max_zip_entry_mib.saturating_mul(1024 * 1024),
                    ..ZipLimits::default()
                },
                verify_images,
            };
            let mut user_trust = Vec::new();
            for f in &trust {
                match inetsift::artifacts::authenticode::trust::user_roots(f) {
                    Ok(set) => user_trust.push(set),
                    Err(e) => {
                        eprintln!("inetsift: {e}");
                        return ExitCode::from(2);
                    }
                }
            }
            // The rules are compiled once, before any evidence is read: a rule that does not compile refuses the
            // scan (part of an analyst's rules silently not run would read as "nothing matched").
            let yara = match yara.is_empty() {
                true => None,
                false => match inetsift::artifacts::yara::Rules::load(
                    &yara,
                    yara_max_mib.saturating_mul(1024 * 1024),
                    std::time::Duration::from_secs(yara_timeout.max(1)),
                ) {
                    Ok(r) => Some(std::sync::Arc::new(r)),
                    Err(e) => {
                        // The engine's report spans lines (file:line:column, the rule's text, a caret): kept, each line
                        // neutralised.
                        let text = e.to_string();
                        let lines: Vec<String> = text.lines().map(inetsift::report::escape::terminal).collect();
                        eprintln!("inetsift: {}", lines.join("\n"));
                        return ExitCode::from(2);
                    }
                },
            };
            // A spinner on stderr, only when a person watches it: images and large collections take a while.
            let bar = std::io::stderr().is_terminal().then(|| {
                let bar = indicatif::ProgressBar::new_spinner();
                bar.enable_steady_tick(std::time::Duration::from_millis(120));
                bar
            });
            let progress = bar.clone().map(|b| -> inetsift::scan::Progress {
                std::sync::Arc::new(move |stage: &str| b.set_message(inetsift::report::escape::terminal(stage)))
            });
            // Many evidence: the spinner becomes a count of the evidence read (a host is done when its evidence is).
            let counted = bar.clone().map(|b| -> inetsift::scan::Counted {
                std::sync::Arc::new(move |done: usize, of: usize| {
                    if b.length() != Some(of as u64) {
                        b.set_length(of as u64);
                        if let Ok(style) =
                            indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} evidence read  {wide_msg}")
                        {
                            b.set_style(style);
                        }
                    }
                    b.set_position(done as u64);
                })
            });
            let opts = inetsift::scan::ScanOptions { open, user_trust, now: None, progress, counted, yara };
            let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
            let scanned = inetsift::scan::scan_hosts(&evidence, &opts, jobs.max(1));
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            let outcome = match scanned {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("inetsift: {e}");
                    return ExitCode::from(2);
                }
            };
            let ended = match clock {
                inetsift::model::RunClock::SourceDateEpoch => started,
                inetsift::model::RunClock::System => run_clock().0,
            };
            // An empty value (a template's unset parameter) is no value.
            let given = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
            let run = inetsift::model::Run {
                case_id: given(case_id),
                examiner: given(examiner),
                notes: given(notes),
                command_line: inetsift::model::Run::masked_command_line(std::env::args()),
                started,
                ended,
                clock,
            };
            let mut result = match outcome {
                inetsift::scan::Outcome::One(r) => *r,
                inetsift::scan::Outcome::Fleet(mut f) => {
                    f.run = Some(run.clone());
                    for h in &mut f.hosts {
                        h.result.run = Some(run.clone());
                    }
                    return emit_fleet(&f, &evidence, out.as_deref(), force, json_out.as_deref(), &format, all);
                }
            };
            result.run = Some(run);
            if let Some(dir) = &out {
                match inetsift::report::case::write(&result, dir, &evidence, force) {
                    Ok(written) => {
                        eprintln!(
                            "inetsift: case folder {}: {} files, manifest {}",
                            dir.display(),
                            written.len(),
                            inetsift::report::case::MANIFEST
                        );
                    }
                    Err(e) => {
                        eprintln!("inetsift: cannot write the case folder: {e}");
                        return ExitCode::from(2);
                    }
                }
            }
            // `--json -` is `--format json`; `--json FILE` writes the JSON there besides the chosen format.
            let format = match &json_out {
                Some(p) if p.as_os_str() == "-" => "json",
                _ => format.as_str(),
            };
            let Some(printer) = inetsift::report::printer(format, PrintOptions { all_components: all }) else {
                eprintln!("inetsift: unknown format {format}");
                return ExitCode::from(2);
            };
            let stdout = std::io::stdout();
            let to_file = match &json_out {
                Some(p) if p.as_os_str() != "-" => {
                    std::fs::File::create(p).and_then(|f| json::write(&result, std::io::BufWriter::new(f)))
                }
                _ => Ok(()),
            };
            // Buffered: printers write many small pieces.
            let mut buffered = std::io::BufWriter::new(stdout.lock());
            let written = to_file.and_then(|_| printer.print(&result, &mut buffered)).and_then(|_| buffered.flush());
            drop(buffered);
            if let Err(e) = written.and_then(|_| stdout.lock().flush())
                && e.kind() != std::io::ErrorKind::BrokenPipe
            {
                eprintln!("inetsift: cannot write the report: {e}");
                return ExitCode::from(2);
            }
            ExitCode::SUCCESS
        }
    }
}

/// The outputs of a run over many hosts: the fleet case folder, the fleet JSON, the chosen format.
fn emit_fleet(
    f: &inetsift::model::FleetResult,
    evidence: &[PathBuf],
    out: Option<&std::path::Path>,
    force: bool,
    json_out: Option<&std::path::Path>,
    format: &str,
    all: bool,
) -> ExitCode {
    use inetsift::report::fleet;
    if let Some(dir) = out {
        match fleet::write_case(f, dir, evidence, force) {
            Ok(written) => eprintln!(
                "inetsift: fleet case folder {}: {} hosts, {} files, manifest {}",
                dir.display(),
                f.hosts.len(),
                written.len(),
                inetsift::report::case::MANIFEST
            ),
            Err(e) => {
                eprintln!("inetsift: cannot write the case folder: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let format = match json_out {
        Some(p) if p.as_os_str() == "-" => "json",
        _ => format,
    };
    if let Some(p) = json_out.filter(|p| p.as_os_str() != "-")
        && let Err(e) = std::fs::File::create(p).and_then(|file| fleet::write_json(f, std::io::BufWriter::new(file)))
    {
        eprintln!("inetsift: cannot write {}: {e}", p.display());
        return ExitCode::from(2);
    }
    let stdout = std::io::stdout();
    let mut buffered = std::io::BufWriter::new(stdout.lock());
    let Some(printed) = fleet::print(format, f, PrintOptions { all_components: all }, &mut buffered) else {
        eprintln!("inetsift: unknown format {format}");
        return ExitCode::from(2);
    };
    if let Err(e) = printed.and_then(|_| buffered.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("inetsift: cannot write the report: {e}");
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

/// Now, or `SOURCE_DATE_EPOCH` when set (the reproducible-builds convention: whole seconds since 1970), and which.
fn run_clock() -> (inetsift::model::Timestamp, inetsift::model::RunClock) {
    use inetsift::model::{RunClock, Timestamp};
    let fixed = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|v| v.trim().parse::<i64>().ok());
    if let Some(t) = fixed.and_then(Timestamp::from_unix_seconds) {
        return (t, RunClock::SourceDateEpoch);
    }
    let now = chrono::Utc::now();
    (Timestamp::from_chrono(&now).unwrap_or_default(), RunClock::System)
}

/// Whether two paths name the same existing file.
fn verify(
    files: &[PathBuf],
    trust_files: &[PathBuf],
    catalogs: &[PathBuf],
    json_out: Option<&std::path::Path>,
) -> ExitCode {
    use inetsift::artifacts::authenticode::trust;
    // A file that is not there is a usage error, not a verdict: say so and stop, as `scan` does.
    let missing: Vec<String> = files.iter().filter(|f| !f.is_file()).map(|f| f.display().to_string()).collect();
    if !missing.is_empty() {
        eprintln!("inetsift: not a readable file: {}", missing.join(", "));
        return ExitCode::from(2);
    }
    if let Some(p) = json_out.filter(|p| p.as_os_str() != "-")
        && touches_evidence(p, &files.iter().chain(catalogs).chain(trust_files).cloned().collect::<Vec<_>>())
    {
        eprintln!("inetsift: --json {} is one of the input files; it is never overwritten", p.display());
        return ExitCode::from(2);
    }
    let mut t = trust::Trust::microsoft();
    for f in trust_files {
        match trust::user_roots(f) {
            Ok(set) => t = t.with(set),
            Err(e) => {
                eprintln!("inetsift: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let index = match inetsift::verify::load_catalogs(catalogs, &t) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("inetsift: {e}");
            return ExitCode::from(2);
        }
    };
    for c in index.catalogs.iter().filter(|c| c.status != inetsift::artifacts::authenticode::Status::Valid) {
        eprintln!("inetsift: catalog {} is not trusted ({}): {}", c.path, c.status.as_str(), c.reason);
    }
    let verdicts: Vec<_> = files.iter().map(|f| inetsift::verify::verify_file(f, &t, now, &index)).collect();
    let stdout = std::io::stdout();
    let written = match json_out {
        Some(p) if p.as_os_str() == "-" => {
            serde_json::to_writer_pretty(stdout.lock(), &verdicts).map_err(std::io::Error::from)
        }
        Some(p) => std::fs::File::create(p)
            .and_then(|f| {
                serde_json::to_writer_pretty(std::io::BufWriter::new(f), &verdicts).map_err(std::io::Error::from)
            })
            .and_then(|_| table::write_verdicts(&verdicts, stdout.lock())),
        None => table::write_verdicts(&verdicts, stdout.lock()),
    };
    if let Err(e) = written
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("inetsift: cannot write the report: {e}");
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}
