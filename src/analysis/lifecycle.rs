//! A lifecycle per component, from every dated fact the fused record holds: audited configuration writes
//! (IIS-Configuration 29), the process that ran them (appcmd, PowerShell), the configuration history, the
//! registry key of a legacy registration, its DLL's NTFS times, and why a source is silent.
//!
//! Bounds are only what the evidence proves: an audited write is exact; a snapshot pair bounds a change made
//! between them; a file's arrival or an install date is said as an inference, never used as a bound.

use super::fuse::Fused;
use crate::model::*;

/// The lifecycle of every component, in the order of `fused.components`.
pub fn lifecycles(f: &Fused) -> Vec<Lifecycle> {
    // The events linked to each component, gathered once (linear in events plus components).
    let mut linked: std::collections::BTreeMap<&str, Vec<&LogEvent>> = Default::default();
    for (e, l) in f.events.iter().zip(&f.links) {
        if let Some(id) = l.as_deref() {
            linked.entry(id).or_default().push(e);
        }
    }
    let mut all: Vec<Lifecycle> =
        f.components.iter().map(|c| lifecycle(f, c, linked.get(c.id.as_str()).cloned().unwrap_or_default())).collect();
    // A native module reference (`modules/add`) is added with its global module (`appcmd install module` writes
    // both): where the reference's own records say nothing, the global module's method, actor and moment hold.
    let mut globals: std::collections::BTreeMap<(&str, String, ComponentState), usize> = Default::default();
    for (i, g) in f.components.iter().enumerate().filter(|(_, g)| g.kind == ComponentKind::GlobalModule) {
        globals.entry((g.source.evidence.as_str(), g.name.to_ascii_lowercase(), g.state)).or_insert(i);
    }
    for (i, c) in f.components.iter().enumerate() {
        if c.kind != ComponentKind::Module || all[i].added.exact.is_some() || all[i].method != Method::Unknown {
            continue;
        }
        let global = globals.get(&(c.source.evidence.as_str(), c.name.to_ascii_lowercase(), c.state)).copied();
        if let Some(g) = global.map(|g| all[g].clone()) {
            let own = &mut all[i];
            own.method = g.method;
            own.actor = g.actor.clone();
            own.added.exact = g.added.exact.clone();
            own.added.inferences = g.added.inferences.clone();
        }
    }
    all
}

fn lifecycle(f: &Fused, c: &Component, events: Vec<&LogEvent>) -> Lifecycle {
    let with = |s: Signal| events.iter().copied().filter(move |e| e.signal == Some(s));
    let audited = with(Signal::ExtensionAdded).min_by_key(|e| e.record.time);
    let appcmd = with(Signal::AppcmdInstall).min_by_key(|e| e.record.time);
    let powershell = with(Signal::PowerShellInstall).min_by_key(|e| e.record.time);

    let mut added = Added { exact: audited.map(event_basis), ..Added::default() };
    let history = history_bounds(f, c);
    // An audited removal is exact (for a component no longer in force; one removed only below its scope stays);
    // else the history's first snapshot without it.
    let gone = matches!(c.state, ComponentState::Removed | ComponentState::Historical);
    let mut removed = with(Signal::ExtensionRemoved).filter(|_| gone).min_by_key(|e| e.record.time).map(event_basis);
    if let Some(h) = &history {
        added.earliest = h.earliest.clone();
        added.latest = h.latest.clone();
        removed = removed.or_else(|| h.removed.clone());
    }
    if c.scope.starts_with(r"HKLM\") {
        // A registration's key was written no earlier than the registration: it existed by the key's time.
        let key_time = c.attributes.get("key_last_written").and_then(|t| Timestamp::parse_rfc3339(t));
        if let Some(time) = key_time {
            added.latest = Some(Basis { source: "registry key last written".into(), time, position: c.source.clone() });
        }
    }
    let (file_arrived, journal_hint) = match file_arrival(f, c).or_else(|| deleted_file(f, c)) {
        Some(b) => (Some(b), None),
        None => journal_arrival(f, c),
    };
    added.inferences.extend(journal_hint);
    if let Some(a) = &file_arrived {
        added.inferences.push(format!("its file was created on the volume at {} ({})", a.time, a.source));
    }
    // An editor counts for the component only inside the window its bounds leave open (a built-in there since
    // the first snapshot was not added by a later edit); with no bounds, only for what the install did not bring.
    let (lo, hi) = (added.earliest.as_ref().map(|b| b.time), added.latest.as_ref().map(|b| b.time));
    let editors: Vec<&LogEvent> = editors_of(f, c)
        .into_iter()
        .filter(|e| match (lo, hi) {
            (None, None) => c.baseline != Baseline::Builtin,
            _ => lo.is_none_or(|t| e.record.time >= t) && hi.is_none_or(|t| e.record.time <= t),
        })
        .collect();
    for e in &editors {
        added.inferences.push(format!(
            "an editor opened its configuration file at {} ({}{}): the likely moment of a hand edit",
            e.record.time,
            e.record.cite(),
            actor(&e.record).and_then(|a| a.account).map(|a| format!(", user {a}")).unwrap_or_default()
        ));
    }
    added.inferences.extend(root_certificate(f, c));
    added.inferences.extend(build_times(f, c));
    let method = match (appcmd, powershell, audited, &history) {
        (Some(_), _, _, _) => Method::Appcmd,
        (None, Some(_), _, _) => Method::Powershell,
        (None, None, Some(_), _) => Method::ConfigApi,
        (None, None, None, Some(h)) if h.changed_between_snapshots && audit_log_present(f, c) => Method::HandEdit,
        (None, None, None, _) if !editors.is_empty() && c.baseline != Baseline::Builtin => Method::HandEdit,
        _ if c.baseline == Baseline::Builtin => Method::Installer,
        _ => Method::Unknown,
    };
    if method == Method::HandEdit && editors.is_empty() {
        added.inferences.push(
            "the configuration history shows the change and the IIS audit log holds no record of it: a hand edit"
                .into(),
        );
    }
    if method == Method::Installer {
        let installed = f.installations.iter().find(|i| i.evidence == c.source.evidence);
        if let Some(t) = installed.and_then(|i| i.inetstp_last_written) {
            added.inferences.push(format!("declared by the IIS install (InetStp key last written {t})"));
        }
    }
    let mut changed: Vec<Basis> = with(Signal::ExtensionChanged).map(event_basis).collect();
    if let Some(h) = &history {
        changed.extend(h.changed.iter().cloned());
    }
    changed.sort();
    let changer = with(Signal::ExtensionChanged).min_by_key(|e| e.record.time);
    // A process start linked to it by the process id its audited writes carry.
    let started = events.iter().copied().filter(|e| e.kind == EventKind::ProcessCreation).min_by_key(|e| e.record.time);
    // The records of one act: the SID from the first that gives one, the account likewise.
    let actors: Vec<Actor> = [appcmd, powershell, audited, changer, started, editors.first().copied()]
        .into_iter()
        .flatten()
        .filter_map(|e| actor(&e.record))
        .collect();
    let mut actor = (!actors.is_empty()).then(|| Actor {
        sid: actors.iter().find_map(|a| a.sid.clone()),
        account: actors.iter().find_map(|a| a.account.clone()),
    });
    // A record that gives only a SID: the host's ProfileList names the account.
    if let Some(a) = actor.as_mut()
        && a.account.is_none()
        && let Some(sid) = &a.sid
    {
        let profiles = f.installations.iter().filter(|i| i.evidence == c.source.evidence);
        a.account = profiles.filter_map(|i| i.profiles.get(sid)).next().map(|u| format!("{u} (ProfileList)"));
    }
    let gaps = gaps(f, c, history.is_some(), added.latest.as_ref().map(|b| b.time));
    Lifecycle { added, method, actor, changed, file_arrived, removed, gaps }
}

/// Editor starts (Security 4688, Sysmon 1) with the component's configuration file on their command line.
fn editors_of<'a>(f: &'a Fused, c: &Component) -> Vec<&'a LogEvent> {
    let Some(declared) = c.source.file.as_ref().and_then(|p| p.file_name()).map(str::to_ascii_lowercase) else {
        return Vec::new();
    };
    f.events
        .iter()
        .filter(|e| e.source.evidence == c.source.evidence && e.signal == Some(Signal::ConfigEditor))
        .filter(|e| e.paths.iter().any(|p| p.to_ascii_lowercase().trim_matches('"').ends_with(&declared)))
        .collect()
}

/// The binary's own times, which it cannot have been used before: its countersigned signing time (when a
/// trusted timestamp vouches for it) and its PE header's build time (often zeroed or forged).
fn build_times(f: &Fused, c: &Component) -> Vec<String> {
    let Some(b) = f.binaries.iter().find(|b| b.components.contains(&c.id)) else { return Vec::new() };
    let mut out = Vec::new();
    if let Some(sig) = &b.signature
        && sig.time_used == Some(TimeUsed::Countersignature)
        && let Some(t) = sig.signed_at
    {
        out.push(format!("its binary was signed at {t} (countersigned): it was not used before that"));
    }
    let built = b.pe.as_ref().map(|p| p.timestamp).filter(|&t| t != 0);
    if let Some(t) = built.and_then(|t| Timestamp::from_unix_seconds(i64::from(t))) {
        out.push(format!("its PE header says it was built at {t} (a time the author sets)"));
    }
    out
}

/// For a component whose binary is valid only through a root of the host's own store: when that root arrived
/// (its registry key) and the command that added one.
fn root_certificate(f: &Fused, c: &Component) -> Vec<String> {
    let host_rooted = f.binaries.iter().any(|b| {
        b.components.contains(&c.id)
            && b.signature.as_ref().is_some_and(|s| s.trusted_by == Some(TrustAnchor::HostRootStore))
    });
    if !host_rooted {
        return Vec::new();
    }
    let mut out = Vec::new();
    let root =
        f.binaries.iter().filter(|b| b.components.contains(&c.id)).find_map(|b| b.signature.as_ref()?.root.clone());
    for r in f.root_certificates.iter().filter(|r| r.evidence == c.source.evidence && r.store == "ROOT") {
        if root.is_some() && r.subject == root {
            out.push(format!(
                "the root its signature chains to ({}) was written into the host's ROOT store at {} (SOFTWARE key {})",
                r.subject.as_deref().unwrap_or("?"),
                r.last_written,
                r.key_name
            ));
        }
    }
    for e in f
        .events
        .iter()
        .filter(|e| e.source.evidence == c.source.evidence && e.signal == Some(Signal::RootCertificateInstall))
    {
        out.push(format!("a root certificate was added by a command at {} ({})", e.record.time, e.record.cite()));
    }
    out
}

fn event_basis(e: &LogEvent) -> Basis {
    Basis { source: e.record.cite(), time: e.record.time, position: e.source.clone() }
}

/// Who ran it: the SID and account the record's event data names (Security's `Subject*`, Sysmon's `User`),
/// else the record's own user SID — except Sysmon's, which is the Sysmon service's own (SYSTEM).
fn actor(r: &EventRecord) -> Option<Actor> {
    let sysmon = r.channel.eq_ignore_ascii_case("Microsoft-Windows-Sysmon/Operational");
    let sid = Some(r.field("SubjectUserSid").to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| if sysmon { None } else { r.user_sid.clone() });
    let user = r.field("SubjectUserName");
    let account = match (r.field("SubjectDomainName"), user, r.field("User")) {
        (d, u, _) if !d.is_empty() && !u.is_empty() => Some(format!(r"{d}\{u}")),
        (_, u, _) if !u.is_empty() => Some(u.to_string()),
        (_, _, u) if !u.is_empty() => Some(u.to_string()),
        _ => None,
    };
    (sid.is_some() || account.is_some()).then_some(Actor { sid, account })
}

/// What the configuration history says of one component.
struct HistoryBounds {
    earliest: Option<Basis>,
    latest: Option<Basis>,
    removed: Option<Basis>,
    /// Snapshots that show it changed.
    changed: Vec<Basis>,
    /// Added between two snapshots (or the newest and the live file), rather than there from the first.
    changed_between_snapshots: bool,
}

/// Bounds from the snapshots: added in snapshot k → after snapshot k-1, by snapshot k; never added but in the
/// first → there by the first; removed in a later one → left by then.
fn history_bounds(f: &Fused, c: &Component) -> Option<HistoryBounds> {
    let key = ComponentIdentity::of(c).key();
    let snaps: Vec<&ConfigSnapshot> =
        f.config_history.iter().filter(|s| s.evidence == c.source.evidence && s.kind != SnapshotKind::Backup).collect();
    let first = snaps.first()?;
    let basis = |s: &ConfigSnapshot| {
        s.time.map(|time| Basis {
            source: format!("configuration {} {} ({})", s.kind, s.snapshot, s.time_source),
            time,
            position: Position::at(&s.evidence, s.path.clone(), None),
        })
    };
    let by_name = |name: &str| snaps.iter().find(|s| s.snapshot == name).copied();
    let added_in = snaps.iter().rev().find(|s| s.added.iter().any(|i| i.key() == key));
    let removed_in = snaps.iter().rev().find(|s| s.removed.iter().any(|i| i.key() == key));
    let in_history =
        c.source.file.as_ref().is_some_and(|p| p.as_str().to_ascii_lowercase().ends_with("applicationhost.config"));
    if !in_history && added_in.is_none() {
        return None;
    }
    let changed =
        snaps.iter().filter(|s| s.changed.iter().any(|ch| ch.identity.key() == key)).filter_map(|s| basis(s)).collect();
    let mut b =
        HistoryBounds { earliest: None, latest: None, removed: None, changed, changed_between_snapshots: false };
    match added_in {
        Some(s) => {
            b.latest = basis(s);
            b.earliest = s.previous.as_deref().and_then(by_name).and_then(basis);
            b.changed_between_snapshots = true;
        }
        None => b.latest = basis(first),
    }
    b.removed = removed_in.and_then(|s| basis(s));
    Some(b)
}

/// Whether the IIS configuration audit log holds records for the component's evidence.
fn audit_log_present(f: &Fused, c: &Component) -> bool {
    f.channels.iter().any(|ch| {
        ch.evidence == c.source.evidence
            && ch.channel == crate::model::IIS_CONFIG_CHANNEL
            && ch.status == ChannelStatus::Present
    })
}

/// When the component's file was named on the volume: its `$FILE_NAME` creation.
fn file_arrival(f: &Fused, c: &Component) -> Option<Basis> {
    let file = f.file_read(&c.source.evidence, c.path.as_ref()?)?;
    let name = file.ntfs.as_ref()?.primary_name()?;
    Some(Basis {
        source: "$FILE_NAME created".into(),
        time: Timestamp::from_filetime(name.times.raw[0])?,
        position: file.position(),
    })
}

/// A deleted file's record that remains in the `$MFT`: when the file was named there.
fn deleted_file(f: &Fused, c: &Component) -> Option<Basis> {
    let key = c.path.as_ref()?.key();
    let d = f.deleted_files.iter().find(|d| d.evidence == c.source.evidence && d.path.key() == key)?;
    Some(Basis {
        source: format!(
            "$FILE_NAME created (the file is deleted; MFT entry {} still holds its record)",
            d.ntfs.mft_entry
        ),
        time: Timestamp::from_filetime(d.ntfs.primary_name()?.times.raw[0])?,
        position: Position::at(&d.evidence, d.path.clone(), None).mft_entry(d.ntfs.mft_entry),
    })
}

/// Without NTFS facts, the change journal: a `FILE_CREATE` of the component's file by its full path (a collected
/// `$MFT` or an image names the folder) dates its arrival; by its name alone it is only a hint.
fn journal_arrival(f: &Fused, c: &Component) -> (Option<Basis>, Option<String>) {
    let Some(path) = &c.path else { return (None, None) };
    let Some(name) = path.file_name() else { return (None, None) };
    let created = |j: &&JournalRecord| j.reasons.contains(&"FILE_CREATE") && j.position.evidence == c.source.evidence;
    let by_path = f.journal.iter().filter(created).filter(|j| j.path.as_ref().is_some_and(|p| p.key() == path.key()));
    if let Some(j) = by_path.min_by_key(|j| j.time) {
        let basis = Basis { source: "change journal FILE_CREATE".into(), time: j.time, position: j.position.clone() };
        return (Some(basis), None);
    }
    let by_name = f.journal.iter().filter(created).filter(|j| j.path.is_none() && j.name.eq_ignore_ascii_case(name));
    let hint = by_name.min_by_key(|j| j.time).map(|j| {
        format!(
            "a file named {} (MFT entry {}) was created at {} (change journal; its folder is not known without the $MFT)",
            j.name, j.entry, j.time
        )
    });
    (None, hint)
}

/// Why a source says nothing about the component, in words for a report.
fn gaps(f: &Fused, c: &Component, covered_by_history: bool, latest: Option<Timestamp>) -> Vec<String> {
    // An act that silences a source hides only what came after it.
    let hides = |t: Timestamp| latest.is_none_or(|l| l > t);
    let ev = &c.source.evidence;
    let mut out = Vec::new();
    let audit = f.channels.iter().find(|ch| &ch.evidence == ev && ch.channel == crate::model::IIS_CONFIG_CHANNEL);
    match audit.map(|a| a.status) {
        Some(ChannelStatus::Present) => {}
        Some(ChannelStatus::Empty) => out.push(
            "the IIS configuration audit log is empty: configuration changes through appcmd, PowerShell or IIS Manager left no audit record"
                .to_string(),
        ),
        _ => out.push(
            "no IIS configuration audit log in the evidence (it is off by default): configuration API changes left no audit record"
                .to_string(),
        ),
    }
    let declared_in = c.source.path().to_ascii_lowercase();
    if declared_in.ends_with("web.config") {
        out.push("declared in a web.config: the configuration history never covers web.config files".into());
    } else if !covered_by_history && !c.scope.starts_with(r"HKLM\") {
        out.push("no configuration history snapshot in the evidence: a hand edit cannot be bounded".into());
    }
    let first = f
        .config_history
        .iter()
        .find(|s| &s.evidence == ev && s.kind == SnapshotKind::History)
        .map(|s| s.snapshot.as_str());
    let number = first.and_then(|s| s.rsplit('_').next()).and_then(|n| n.parse::<u64>().ok());
    if covered_by_history
        && let (Some(first), Some(n)) = (first, number)
        && n > 1
    {
        out.push(format!(
            "the configuration history begins at {first}: {} earlier snapshot{} no longer exist (maxHistories keeps only the newest)",
            n - 1,
            if n == 2 { "" } else { "s" }
        ));
    }
    let disabled = f.config_facts.iter().any(|x| {
        &x.source.evidence == ev
            && x.values.get("section").is_some_and(|s| s == "system.applicationHost/configHistory")
            && x.values.get("enabled").is_some_and(|v| v.eq_ignore_ascii_case("false"))
    });
    if disabled {
        out.push("configuration history is disabled (configHistory enabled=\"false\")".into());
    }
    for e in f.events.iter().filter(|e| &e.source.evidence == ev) {
        let (signal, r) = (e.signal, &e.record);
        if !hides(r.time) {
            continue;
        }
        if signal == Some(Signal::ServiceTampering) && e.description.to_ascii_lowercase().contains("apphostsvc") {
            out.push(format!(
                "a command stopped or reconfigured the Application Host Helper Service at {} ({}): the configuration history may end there",
                r.time,
                r.cite()
            ));
        }
        if signal == Some(Signal::AuditTampering) {
            out.push(format!(
                "an event log was cleared or silenced, or the audit policy changed, at {} ({}): records before it may be gone",
                r.time,
                r.cite()
            ));
        }
    }
    for e in f
        .events
        .iter()
        .filter(|e| &e.source.evidence == ev && e.kind == EventKind::ServiceState && hides(e.record.time))
    {
        let text = e.description.to_ascii_lowercase();
        if (text.contains("application host helper") || text.contains("apphostsvc")) && text.contains("stopped") {
            out.push(format!(
                "the Application Host Helper Service, which writes the configuration history, was stopped at {} ({}): changes after it have no snapshot",
                e.record.time,
                e.record.cite()
            ));
        }
    }
    let file = c.path.as_ref().and_then(|p| f.file_read(ev, p));
    if file.is_some_and(|r| r.ntfs.is_none()) {
        out.push("no NTFS facts for its file (no image and no $MFT collected): when it arrived is unknown".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_audit_record_with_only_a_sid_is_named_through_the_profile_list() {
        let config = WinPath::parse(r"C:\Windows\System32\inetsrv\config\applicationHost.config");
        let mut c = Component::new(
            ComponentKind::GlobalModule,
            "X".into(),
            Some(r"C:\x.dll".into()),
            "MACHINE/WEBROOT/APPHOST".into(),
            Position::at("E1", config, Some(3)),
        );
        c.id = "C0001".into();
        let sid = "S-1-5-21-1-2-3-1104";
        let record = EventRecord {
            record_id: 7,
            time: Timestamp::parse_rfc3339("2024-02-10T09:30:05Z").unwrap(),
            channel: IIS_CONFIG_CHANNEL.into(),
            event_id: 29,
            user_sid: Some(sid.into()),
            ..EventRecord::default()
        };
        let audit = LogEvent {
            source: Position::at("E1", WinPath::parse("iis.evtx"), None).record(7),
            sha256: String::new(),
            record,
            kind: EventKind::ConfigChange,
            signal: Some(Signal::ExtensionAdded),
            description: String::new(),
            names: vec!["X".into()],
            paths: Vec::new(),
        };
        let mut inst = Installation { evidence: "E1".into(), ..Installation::default() };
        inst.profiles.insert(sid.into(), "svc_backup".into());
        let fused = Fused {
            components: vec![c],
            events: vec![audit],
            links: vec![Some("C0001".into())],
            installations: vec![inst],
            ..Fused::default()
        };
        let l = &lifecycles(&fused)[0];
        assert_eq!(l.method, Method::ConfigApi);
        let actor = l.actor.as_ref().unwrap();
        assert_eq!((actor.sid.as_deref(), actor.account.as_deref()), (Some(sid), Some("svc_backup (ProfileList)")));
    }

    #[test]
    fn a_journal_creation_by_full_path_dates_the_files_arrival() {
        let dll = WinPath::parse(r"C:\Windows\System32\inetsrv\cachehttpex.dll");
        let mut c = Component::new(
            ComponentKind::GlobalModule,
            "HttpCacheModuleEx".into(),
            Some(dll.to_string()),
            "MACHINE/WEBROOT/APPHOST".into(),
            Position::at("E1", WinPath::parse(r"C:\Windows\System32\inetsrv\config\applicationHost.config"), Some(9)),
        );
        c.id = "C0001".into();
        c.path = Some(dll.clone());
        let time = Timestamp::parse_rfc3339("2023-11-14T22:01:30.1234567Z").unwrap();
        let record = |path: Option<WinPath>, reasons: Vec<&'static str>| JournalRecord {
            name: "cachehttpex.dll".into(),
            path,
            entry: 81,
            time,
            reasons,
            position: Position::at("E1", WinPath::parse(r"C:\$Extend\$UsnJrnl:$J"), None).offset(4096),
        };
        let fused = Fused {
            components: vec![c],
            journal: vec![record(Some(dll.clone()), vec!["DATA_EXTEND"]), record(Some(dll), vec!["FILE_CREATE"])],
            ..Fused::default()
        };
        let l = &lifecycles(&fused)[0];
        let arrived = l.file_arrived.as_ref().unwrap();
        assert_eq!((arrived.source.as_str(), arrived.time), ("change journal FILE_CREATE", time));
        assert_eq!(arrived.position.offset, Some(4096));
    }
}
