//! Many hosts in one run: every evidence collected on its own (up to `jobs` at a time), then grouped by host and
//! each group fused and judged as one single-host result, and the fleet view computed over them.
//!
//! Grouping: a host is named by the `ComputerName` of the SYSTEM hive in its evidence. Evidence without one
//! joins the only named host when there is exactly one; otherwise a collection (zip, image, folder) is a host of
//! its own, named after the collection, and loose files go with the only host there is, or become hosts of their
//! own by file name when there are several. A run whose evidence forms one host gives the classic result.

use super::{Collected, ScanOptions, collect, judge, now, say};
use crate::evidence::{Evidence, EvidenceError, EvidenceKind};
use crate::model::{EvidenceInfo, FleetEvidence, FleetResult, HostNaming, HostResult, SCHEMA_VERSION};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Opens and collects every evidence with `jobs` workers, each evidence closed as soon as it is read: what the
/// result says of it, and its facts; or why it could not be opened. In evidence order.
pub fn read_all(
    paths: &[std::path::PathBuf],
    opts: &ScanOptions,
    jobs: usize,
) -> Vec<Result<(EvidenceInfo, Collected), EvidenceError>> {
    let now = now(opts);
    let done = AtomicUsize::new(0);
    let numbered: Vec<(usize, &std::path::PathBuf)> = paths.iter().enumerate().collect();
    par_map(numbered, jobs, |(i, p)| {
        say(opts, &format!("E{}: opening {}", i + 1, p.display()));
        let ev = Evidence::open(&format!("E{}", i + 1), p, &opts.open)?;
        let c = collect(&ev, opts, now);
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        say(opts, &format!("collected {n} of {} evidence", paths.len()));
        if let Some(c) = &opts.counted {
            c(n, paths.len());
        }
        Ok((super::info(&ev), c))
    })
}

/// Groups what was read by host and judges each group, `jobs` at a time. One entry per host, sorted by host name.
pub fn analyse_hosts(read: Vec<(EvidenceInfo, Collected)>, jobs: usize, opts: &ScanOptions) -> Vec<HostResult> {
    let (infos, collected): (Vec<EvidenceInfo>, Vec<Collected>) = read.into_iter().unzip();
    let groups = group(&infos, &collected);
    let mut slots: Vec<Option<Collected>> = collected.into_iter().map(Some).collect();
    let work: Vec<(String, HostNaming, Vec<usize>, Vec<Collected>)> = groups
        .into_iter()
        .map(|(host, naming, members)| {
            let taken = members.iter().filter_map(|&i| slots[i].take()).collect();
            (host, naming, members, taken)
        })
        .collect();
    let mut hosts = par_map(work, jobs, |(host, naming, members, taken)| {
        let evs: Vec<EvidenceInfo> = members.iter().map(|&i| infos[i].clone()).collect();
        let ids = evs.iter().map(|e| e.id.clone()).collect();
        let mut result = judge(evs, taken);
        result.host = Some(host.clone());
        say(opts, &format!("judged {host}"));
        HostResult { host, named_by: naming, evidence: ids, result }
    });
    hosts.sort_by(|a, b| a.host.to_lowercase().cmp(&b.host.to_lowercase()).then_with(|| a.host.cmp(&b.host)));
    hosts
}

/// The fleet document over per-host results.
pub fn fleet(evidence: &[EvidenceInfo], hosts: Vec<HostResult>) -> FleetResult {
    let host_of: BTreeMap<&str, &str> =
        hosts.iter().flat_map(|h| h.evidence.iter().map(|e| (e.as_str(), h.host.as_str()))).collect();
    let evidence = evidence
        .iter()
        .map(|ev| FleetEvidence {
            id: ev.id.clone(),
            path: ev.path.clone(),
            host: host_of.get(ev.id.as_str()).copied().unwrap_or_default().to_string(),
        })
        .collect();
    let fleet = crate::analysis::fleet::prevalence(&hosts);
    let tool = hosts.first().map(|h| h.result.tool.clone()).unwrap_or_else(super::tool);
    FleetResult { schema_version: SCHEMA_VERSION, kind: "fleet", tool, evidence, hosts, fleet, run: None }
}

/// The hosts of a run: name, how it was told, and the indexes of its evidence (in evidence order).
fn group(evidence: &[EvidenceInfo], collected: &[Collected]) -> Vec<(String, HostNaming, Vec<usize>)> {
    // Named hosts, case-insensitively, keeping the first spelling.
    let mut named: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    let mut collections = Vec::new();
    let mut loose = Vec::new();
    for (i, (host, _, _)) in collected.iter().enumerate() {
        match host.computer_name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            Some(name) => named.entry(name.to_uppercase()).or_insert_with(|| (name.to_string(), Vec::new())).1.push(i),
            None if matches!(evidence[i].kind, EvidenceKind::Folder | EvidenceKind::Zip | EvidenceKind::Image) => {
                collections.push(i)
            }
            None => loose.push(i),
        }
    }
    let mut groups: BTreeMap<String, (String, HostNaming, Vec<usize>)> =
        named.into_iter().map(|(k, (name, members))| (k, (name, HostNaming::SystemHive, members))).collect();
    let stem = |i: usize| {
        let p = std::path::Path::new(&evidence[i].path);
        p.file_stem()
            .or(p.file_name())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| evidence[i].id.clone())
    };
    let by_name = |groups: &mut BTreeMap<String, (String, HostNaming, Vec<usize>)>, i: usize| {
        let name = stem(i);
        groups.entry(name.to_uppercase()).or_insert_with(|| (name, HostNaming::CollectionName, Vec::new())).2.push(i);
    };
    match (groups.len(), collections.len()) {
        // One named host: unnamed collections are more of its evidence.
        (1, _) => groups.values_mut().for_each(|g| g.2.extend(&collections)),
        // Nothing named and at most one collection: one host, named after the collection when there is one.
        (0, 0 | 1) => loose = collections.iter().chain(&loose).copied().collect(),
        // Several hosts: each unnamed collection is a host of its own.
        _ => collections.iter().for_each(|&i| by_name(&mut groups, i)),
    }
    if groups.len() <= 1 && !loose.is_empty() {
        match groups.values_mut().next() {
            Some(g) => g.2.extend(&loose),
            // Nothing names a host: everything is one host, named after the first evidence.
            None => {
                let first = loose[0];
                groups.insert(String::new(), (stem(first), HostNaming::CollectionName, loose.clone()));
            }
        }
    } else {
        loose.iter().for_each(|&i| by_name(&mut groups, i));
    }
    groups
        .into_values()
        .map(|(name, naming, mut members)| {
            members.sort_unstable();
            (name, naming, members)
        })
        .collect()
}

/// Maps `items` with `jobs` worker threads, keeping their order. Plain threads, not the rayon pool: the event
/// log reader blocks on chunk work it spawns on that pool, so running hosts on it could leave no thread free.
pub(super) fn par_map<T: Send, R: Send>(items: Vec<T>, jobs: usize, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let n = items.len();
    let queue = Mutex::new(items.into_iter().enumerate());
    let out: Mutex<Vec<Option<R>>> = Mutex::new((0..n).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..jobs.clamp(1, n.max(1)) {
            s.spawn(|| {
                loop {
                    let next = queue.lock().ok().and_then(|mut q| q.next());
                    let Some((i, item)) = next else { break };
                    let r = f(item);
                    if let Ok(mut o) = out.lock() {
                        o[i] = Some(r);
                    }
                }
            });
        }
    });
    out.into_inner().unwrap_or_default().into_iter().flatten().collect()
}
