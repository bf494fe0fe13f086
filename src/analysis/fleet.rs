//! The fleet view: every non-default component identity across the hosts of a run, with the hosts it is on, its
//! arrival on each and its prevalence. One identity is kind, name, file (the resolved path, else the image as
//! configured) and the file's SHA-256 where the evidence held it: the same module name backed by another file on
//! one host is its own entry, which is exactly the lead a fleet view is for.

use crate::model::{Baseline, Component, ComponentKind, FleetEntry, FleetHost, HostResult, Timestamp};
use std::collections::BTreeMap;

/// The identity of a component across hosts.
type Identity = (&'static str, String, String, Option<String>);

fn identity(c: &Component) -> Identity {
    let file =
        c.path.as_ref().map(|p| p.key()).or_else(|| c.image.as_ref().map(|i| i.to_lowercase())).unwrap_or_default();
    (c.kind.as_str(), c.name.to_lowercase(), file, c.file.as_ref().and_then(|f| f.sha256.clone()))
}

/// When a component arrived on its host: the audited moment, else the latest time it is known to be there, else
/// the arrival of its file.
fn arrived(c: &Component) -> Option<Timestamp> {
    let l = c.lifecycle.as_ref()?;
    l.added.exact.as_ref().or(l.added.latest.as_ref()).or(l.file_arrived.as_ref()).map(|b| b.time)
}

/// Whether a component has its own row in the fleet view: not part of the default install, and an extension
/// point of its own (a `modules/add` that only enables a global module for a scope is that module's row).
fn in_fleet_view(c: &Component) -> bool {
    c.baseline != Baseline::Builtin && c.kind != ComponentKind::Module
}

/// The fleet entries of `hosts`, rarest first (then by name): components that are not part of the default
/// install (scope references to global modules left out), one entry per identity, each host counted once however many scopes declare it there.
pub fn prevalence(hosts: &[HostResult]) -> Vec<FleetEntry> {
    let of = hosts.len();
    let mut entries: BTreeMap<Identity, FleetEntry> = BTreeMap::new();
    for h in hosts {
        for c in h.result.components.iter().filter(|c| in_fleet_view(c)) {
            let e = entries.entry(identity(c)).or_insert_with(|| FleetEntry {
                kind: c.kind,
                name: c.name.clone(),
                image: c.image_text(),
                sha256: c.file.as_ref().and_then(|f| f.sha256.clone()),
                baseline: c.baseline,
                hosts: Vec::new(),
                count: 0,
                of,
            });
            let verdict = c.verdict.as_ref().map(|v| v.level);
            match e.hosts.iter_mut().find(|x| x.host == h.host) {
                Some(x) => {
                    x.verdict = x.verdict.max(verdict);
                    x.arrived = match (x.arrived, arrived(c)) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                }
                None => e.hosts.push(FleetHost {
                    host: h.host.clone(),
                    component: c.id.clone(),
                    verdict,
                    arrived: arrived(c),
                }),
            }
        }
    }
    let mut out: Vec<FleetEntry> = entries
        .into_values()
        .map(|mut e| {
            e.hosts.sort_by(|a, b| a.host.cmp(&b.host));
            e.count = e.hosts.len();
            e
        })
        .collect();
    out.sort_by(|a, b| {
        a.count.cmp(&b.count).then_with(|| b.strongest().cmp(&a.strongest())).then_with(|| a.name.cmp(&b.name))
    });
    out
}
