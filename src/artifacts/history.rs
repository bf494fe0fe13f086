//! The IIS configuration history: the snapshots of `applicationHost.config` the Application Host Helper Service
//! keeps (`<configHistory path>`, by default `%SystemDrive%\inetpub\history\CFGHISTORY_NNNNNNNNNN`) and the
//! backups `appcmd add backup` writes (`%windir%\System32\inetsrv\backup\<name>`). Each is read by the same
//! inventory code as the live file, dated as well as the evidence allows, and compared with the one before:
//! the only record of hand edits, which no log holds.

use super::{Collector, Context, iis_config};
use crate::evidence::{Evidence, EvidenceKind, WinPath};
use crate::model::{
    ChangedComponent, Component, ComponentIdentity, ComponentState, ConfigFactKind, ConfigSnapshot, Facts,
    SnapshotKind, SnapshotTimeSource, Timestamp, Warning,
};
use std::collections::BTreeMap;

/// Where IIS keeps history when `<configHistory path>` says nothing.
const DEFAULT_HISTORY: &str = r"%SystemDrive%\inetpub\history";
/// Where `appcmd add backup` writes.
const BACKUPS: &str = r"%windir%\System32\inetsrv\backup";
/// Snapshots read at the most (IIS keeps 10 by default, `maxHistories` up to 1000).
const MAX_SNAPSHOTS: usize = 2000;

/// The collector of the configuration history and backups. Runs after the configuration collector, whose
/// `configHistory` setting and live components it reads.
pub struct HistoryCollector;

impl Collector for HistoryCollector {
    fn name(&self) -> &'static str {
        "configuration history"
    }

    fn collect(&self, ev: &Evidence, ctx: &Context, facts: &mut Facts) {
        if !matches!(ev.kind, EvidenceKind::Folder | EvidenceKind::Zip | EvidenceKind::Image) {
            return;
        }
        let env = &ctx.host.env;
        let configured = facts
            .config_facts
            .iter()
            .filter(|f| f.source.evidence == ev.id && f.kind == ConfigFactKind::Setting)
            .filter(|f| f.values.get("section").is_some_and(|s| s == "system.applicationHost/configHistory"))
            .find_map(|f| f.values.get("path").cloned());
        let dir = WinPath::parse(&env.expand(configured.as_deref().unwrap_or(DEFAULT_HISTORY)).0);
        let mut history = folders(ev, &dir, |n| n.to_ascii_uppercase().starts_with("CFGHISTORY_"));
        // CFGHISTORY_ numbers grow with each snapshot: their order is the order the snapshots were taken.
        history.sort_by_key(|(name, _)| name.to_ascii_uppercase());
        let backups = folders(ev, &WinPath::parse(&env.expand(BACKUPS).0), |_| true);

        let mut previous: Option<(String, Vec<Component>)> = None;
        let mut count = 0;
        // Every declaration any snapshot held, by identity: the newest one seen.
        let mut seen: BTreeMap<_, Component> = BTreeMap::new();
        for (name, folder) in history.iter().take(MAX_SNAPSHOTS) {
            let Some((snap, components)) = snapshot(ev, ctx, facts, name, folder, SnapshotKind::History) else {
                continue;
            };
            count += 1;
            seen.extend(components.iter().map(|c| (ComponentIdentity::of(c).key(), c.clone())));
            facts.config_history.push(compared(snap, previous.as_ref(), &components));
            previous = Some((name.clone(), components));
        }
        if history.len() > MAX_SNAPSHOTS {
            facts.warnings.push(Warning::in_file(
                &ev.id,
                Some(dir.clone()),
                None,
                format!("{} history snapshots; the first {MAX_SNAPSHOTS} were read", history.len()),
            ));
        }
        for (name, folder) in &backups {
            if let Some((snap, _)) = snapshot(ev, ctx, facts, name, folder, SnapshotKind::Backup) {
                facts.config_history.push(snap);
            }
        }
        if let Some(prev) = &previous {
            let live = live(ev, env, facts, prev);
            // Added and removed again: still a component of the report, declared where the history last held it.
            let current: std::collections::BTreeSet<_> = facts
                .components
                .iter()
                .filter(|c| c.source.evidence == ev.id)
                .map(|c| ComponentIdentity::of(c).key())
                .collect();
            for (key, mut c) in seen {
                if !current.contains(&key) {
                    c.state = ComponentState::Historical;
                    // Its DLL may be gone while its MFT record is not.
                    let gone = c.file.as_ref().is_some_and(|f| f.status != crate::model::FileStatus::Present);
                    if let Some(path) = c.path.clone().filter(|_| gone)
                        && let Some(ntfs) = ev.deleted_facts(&path)
                    {
                        facts.deleted_files.push(crate::model::DeletedFile { evidence: ev.id.clone(), path, ntfs });
                    }
                    facts.components.push(c);
                }
            }
            facts.config_history.push(live);
        }
        facts.notes.push(match (count, configured.is_some()) {
            (0, _) => format!(
                "{}: no configuration history snapshot at {dir}: hand edits of applicationHost.config cannot be \
                 bounded by snapshots",
                ev.id
            ),
            (n, _) => format!(
                "{}: configuration history {dir}: {n} snapshot{} read; it covers applicationHost.config only, never \
                 web.config files",
                ev.id,
                if n == 1 { "" } else { "s" }
            ),
        });
    }
}

/// The subfolders of `dir` whose names `keep` accepts: (name, path).
fn folders(ev: &Evidence, dir: &WinPath, keep: impl Fn(&str) -> bool) -> Vec<(String, WinPath)> {
    let entries = ev.source().read_dir(dir).unwrap_or_default();
    entries.into_iter().filter(|e| e.is_dir && keep(&e.name)).map(|e| (e.name, e.path)).collect()
}

/// Reads one snapshot folder's `applicationHost.config`; `None` (with a warning) when it holds none.
fn snapshot(
    ev: &Evidence,
    ctx: &Context,
    facts: &mut Facts,
    name: &str,
    folder: &WinPath,
    kind: SnapshotKind,
) -> Option<(ConfigSnapshot, Vec<Component>)> {
    let path = folder.join("applicationHost.config");
    if !ev.file_exists(&path) {
        facts.warnings.push(Warning::in_file(
            &ev.id,
            Some(folder.clone()),
            None,
            format!("{} {name} holds no applicationHost.config", kind.as_str()),
        ));
        return None;
    }
    let cfg = iis_config::apphost_file(ev, &ctx.host.env, &path);
    facts.warnings.extend(cfg.warnings);
    facts.artifacts.extend(cfg.artifacts.into_iter().map(|mut a| {
        a.artifact = format!("{} applicationHost.config", kind.as_str());
        a
    }));
    let components: Vec<Component> =
        cfg.components.into_iter().filter(|c| c.state == ComponentState::Effective).collect();
    let path = ev.source().canonical(&path).unwrap_or(path);
    Some((taken(ev, name, kind, Some(folder), path, components.len()), components))
}

/// A snapshot as read, dated, not yet compared.
fn taken(
    ev: &Evidence,
    name: &str,
    kind: SnapshotKind,
    folder: Option<&WinPath>,
    path: WinPath,
    components: usize,
) -> ConfigSnapshot {
    let (time, time_source) = when(ev, folder, &path);
    ConfigSnapshot {
        evidence: ev.id.clone(),
        snapshot: name.to_string(),
        kind,
        time,
        time_source,
        sha256: ev.file_read(&path).map(|r| r.sha256),
        path,
        components,
        previous: None,
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
    }
}

/// The live `applicationHost.config` against the newest snapshot.
fn live(ev: &Evidence, env: &crate::model::WinEnv, facts: &Facts, prev: &(String, Vec<Component>)) -> ConfigSnapshot {
    let path = WinPath::parse(&env.expand(r"%windir%\System32\inetsrv\config\applicationHost.config").0);
    let path = ev.source().canonical(&path).unwrap_or(path);
    let components: Vec<Component> = facts
        .components
        .iter()
        .filter(|c| c.source.evidence == ev.id && c.source.file.as_ref().is_some_and(|f| f.key() == path.key()))
        .filter(|c| c.state == ComponentState::Effective)
        .cloned()
        .collect();
    let snap = taken(ev, "live", SnapshotKind::Live, None, path, components.len());
    compared(snap, Some(prev), &components)
}

/// When a snapshot was taken, and from what: the folder's NTFS creation (`$FILE_NAME`), the file's NTFS
/// modification, the time the collection recorded, or nothing.
fn when(ev: &Evidence, folder: Option<&WinPath>, file: &WinPath) -> (Option<Timestamp>, SnapshotTimeSource) {
    let created = folder
        .and_then(|f| ev.ntfs_facts(f))
        .and_then(|n| n.primary_name().and_then(|name| Timestamp::from_filetime(name.times.raw[0])));
    if let Some(t) = created {
        return (Some(t), SnapshotTimeSource::NtfsFolderCreated);
    }
    if let Some(t) = ev.ntfs_facts(file).and_then(|n| Timestamp::from_filetime(n.standard_information.raw[1])) {
        return (Some(t), SnapshotTimeSource::NtfsFileModified);
    }
    match ev.source().recorded_time(file) {
        Some(t) => (Some(t), SnapshotTimeSource::CollectionFileTime),
        None => (None, SnapshotTimeSource::Unknown),
    }
}

/// A snapshot with its differences from the one before it.
fn compared(mut snap: ConfigSnapshot, prev: Option<&(String, Vec<Component>)>, now: &[Component]) -> ConfigSnapshot {
    let Some((prev_name, before)) = prev else { return snap };
    snap.previous = Some(prev_name.clone());
    let index = |cs: &[Component]| -> BTreeMap<_, Component> {
        cs.iter().map(|c| (ComponentIdentity::of(c).key(), c.clone())).collect()
    };
    let (old, new) = (index(before), index(now));
    let mut added: Vec<&Component> = new.iter().filter(|(k, _)| !old.contains_key(*k)).map(|(_, c)| c).collect();
    let mut removed: Vec<&Component> = old.iter().filter(|(k, _)| !new.contains_key(*k)).map(|(_, c)| c).collect();
    for (k, c) in &new {
        if let Some(o) = old.get(k)
            && let Some(change) = difference(o, c)
        {
            snap.changed.push(ChangedComponent { identity: ComponentIdentity::of(c), change });
        }
    }
    // The same kind and name at another path: moved (between applicationHost.config and a <location>).
    let mut moved = Vec::new();
    added.retain(|a| match removed.iter().position(|r| r.kind == a.kind && r.name.eq_ignore_ascii_case(&a.name)) {
        Some(i) => {
            moved.push((removed.remove(i).scope.clone(), (*a).clone()));
            false
        }
        None => true,
    });
    for (from, c) in moved {
        snap.changed
            .push(ChangedComponent { change: format!("moved from {from}"), identity: ComponentIdentity::of(&c) });
    }
    snap.added = added.into_iter().map(ComponentIdentity::of).collect();
    snap.removed = removed.into_iter().map(ComponentIdentity::of).collect();
    snap.changed.sort();
    snap
}

/// What differs between two declarations of the same component: its image, its type, its attributes.
fn difference(old: &Component, new: &Component) -> Option<String> {
    let mut parts = Vec::new();
    if !old.image.as_deref().unwrap_or("").eq_ignore_ascii_case(new.image.as_deref().unwrap_or("")) {
        parts.push(format!(
            "image {} -> {}",
            old.image.as_deref().unwrap_or("(none)"),
            new.image.as_deref().unwrap_or("(none)")
        ));
    }
    let keys: std::collections::BTreeSet<&String> = old.attributes.keys().chain(new.attributes.keys()).collect();
    for k in keys {
        let (a, b) = (old.attributes.get(k), new.attributes.get(k));
        if a != b {
            parts.push(format!("{k} {} -> {}", a.map_or("(none)", |s| s), b.map_or("(none)", |s| s)));
        }
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}
