//! IIS configuration: `applicationHost.config`, `administration.config`, `redirection.config`, every site's
//! `web.config` files and the .NET `machine.config` / root `web.config`, merged into the effective set of
//! extension points per configuration path.

pub mod assembly;
pub mod effective;
pub mod managed_type;
pub mod sections;
pub mod xml;

use crate::evidence::{Evidence, EvidenceKind, Lookup, WinPath};
use crate::model::WinEnv;
use crate::model::{
    ArtifactStatus, Component, ComponentKind, ConfigFact, FileCheck, FileStatus, Position, ReadState, Warning,
};
use std::collections::{BTreeMap, BTreeSet};

pub use crate::model::config::APPHOST;

/// Largest configuration file read (real ones are well under 1 MiB).
const CONFIG_LIMIT: u64 = 64 * 1024 * 1024;
/// How deep and how wide the web.config search goes below each site folder.
const WEB_CONFIG_DEPTH: usize = 12;
const WEB_CONFIG_ENTRIES: usize = 200_000;

/// Everything the configuration of one piece of evidence says.
#[derive(Default)]
pub struct IisConfig {
    /// Declared extension points, in (file, line) order.
    pub components: Vec<Component>,
    /// Settings, sites, FREB, redirection, config history, IIS Manager providers.
    pub facts: Vec<ConfigFact>,
    /// What could not be read.
    pub warnings: Vec<Warning>,
    /// Which configuration files were found.
    pub artifacts: Vec<ArtifactStatus>,
}

/// The collector of the IIS configuration: applicationHost.config and its companions, site and application
/// The collector of the IIS configuration: `applicationHost.config` and its companions, site and application
/// `web.config` files, the .NET root configuration.
pub struct ConfigCollector;

impl super::Collector for ConfigCollector {
    fn name(&self) -> &'static str {
        "IIS configuration"
    }

    fn collect(&self, ev: &Evidence, ctx: &super::Context, facts: &mut crate::model::Facts) {
        let mut cfg = collect(ev, &ctx.host.env);
        assembly::resolve(ev, &ctx.host.env, &cfg.facts, &mut cfg.components);
        facts.components.extend(cfg.components);
        facts.config_facts.extend(cfg.facts);
        facts.warnings.extend(cfg.warnings);
        facts.artifacts.extend(cfg.artifacts);
    }
}

/// What a configuration file is, which decides its configuration path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    AppHost,
    Administration,
    Redirection,
    Machine,
    RootWeb,
    Web,
}

impl Role {
    fn artifact(self) -> &'static str {
        match self {
            Role::AppHost => "applicationHost.config",
            Role::Administration => "administration.config",
            Role::Redirection => "redirection.config",
            Role::Machine => "machine.config",
            Role::RootWeb => "root web.config",
            Role::Web => "web.config",
        }
    }
}

struct Collector<'a> {
    ev: &'a Evidence,
    env: &'a WinEnv,
    out: IisConfig,
    keys: Vec<String>,
    ops: Vec<effective::Op>,
    vdirs: Vec<sections::VirtualDir>,
    order: usize,
    read: BTreeSet<String>,
}

/// Reads every IIS configuration file of one piece of evidence.
pub fn collect(ev: &Evidence, env: &WinEnv) -> IisConfig {
    let mut c = Collector::new(ev, env);
    match ev.kind {
        EvidenceKind::ConfigFile => c.single_file(),
        EvidenceKind::HiveFile | EvidenceKind::EventLog => {}
        EvidenceKind::Folder | EvidenceKind::Zip | EvidenceKind::Image => c.host_files(),
    }
    c.finish()
}

impl<'a> Collector<'a> {
    fn new(ev: &'a Evidence, env: &'a WinEnv) -> Collector<'a> {
        Collector {
            ev,
            env,
            out: IisConfig::default(),
            keys: Vec::new(),
            ops: Vec::new(),
            vdirs: Vec::new(),
            order: 0,
            read: BTreeSet::new(),
        }
    }

    /// A configuration file given on its own: its role comes from its content, then its name.
    fn single_file(&mut self) {
        let Ok(roots) = self.ev.source().roots() else { return };
        let Some(entry) = roots.into_iter().next() else { return };
        let data = match self.ev.read(&entry.path, CONFIG_LIMIT) {
            Ok(d) => d,
            Err(e) => {
                self.warn(Some(&entry.path), None, e.to_string());
                return;
            }
        };
        let text = self.decode(&entry.path, &data.bytes);
        let lower_name = entry.name.to_lowercase();
        let role = if text.contains("<system.applicationHost") {
            Role::AppHost
        } else if text.contains("<configurationRedirection") {
            Role::Redirection
        } else if text.contains("<moduleProviders") {
            Role::Administration
        } else if lower_name.ends_with("machine.config") {
            Role::Machine
        } else {
            Role::Web
        };
        let base = match role {
            Role::Machine => "MACHINE".to_string(),
            Role::Web => format!("{APPHOST}/(site unknown: {})", entry.name),
            _ => APPHOST.to_string(),
        };
        self.parse_text(&entry.path, &text, role, &base);
        // A loose applicationHost.config names site folders, but their web.config files are not here.
    }

    /// A host's file tree: the IIS config folder, site folders, .NET config folders.
    fn host_files(&mut self) {
        let inetsrv_config = WinPath::parse(&self.env.expand(r"%windir%\System32\inetsrv\config").0);
        for (name, role) in [
            ("applicationHost.config", Role::AppHost),
            ("administration.config", Role::Administration),
            ("redirection.config", Role::Redirection),
        ] {
            self.parse_file(&inetsrv_config.join(name), role, APPHOST);
        }

        // Site folders named by applicationHost.config, then the default web root even when no site names it.
        let vdirs = std::mem::take(&mut self.vdirs);
        let mut roots: Vec<(WinPath, String)> = Vec::new();
        for v in &vdirs {
            match self.env.resolve_folder(&v.physical_path) {
                Some(p) => {
                    let scope = sections::join_scope(
                        APPHOST,
                        &format!("{}/{}", v.site, v.virtual_path.trim_start_matches('/')),
                    );
                    roots.push((p, scope));
                }
                None => self.warn(
                    v.source.file.as_ref(),
                    v.source.line,
                    format!("physicalPath {:?} of site {:?} cannot be resolved to a folder", v.physical_path, v.site),
                ),
            }
        }
        let wwwroot = WinPath::parse(&self.env.expand(r"%SystemDrive%\inetpub\wwwroot").0);
        if !roots.iter().any(|(p, _)| p.key() == wwwroot.key()) {
            roots.push((wwwroot.clone(), format!("{APPHOST}/(folder not mapped to a site: {wwwroot})")));
        }
        // Deeper virtual directories first, so a nested application's web.config gets its own scope.
        roots.sort_by_key(|(p, _)| std::cmp::Reverse(p.components().count()));
        for (root, scope) in roots {
            self.site_folder(&root, &scope);
        }

        // .NET Framework machine-wide configuration.
        for fw in ["Framework", "Framework64"] {
            let dir = WinPath::parse(&self.env.expand(&format!(r"%windir%\Microsoft.NET\{fw}")).0);
            let Ok(versions) = self.ev.source().read_dir(&dir) else { continue };
            for v in versions.into_iter().filter(|v| v.is_dir) {
                let machine = format!("MACHINE({fw}\\{})", v.name);
                let cfg = v.path.join("Config");
                self.parse_file(&cfg.join("machine.config"), Role::Machine, &machine);
                self.parse_file(&cfg.join("web.config"), Role::RootWeb, &format!("{machine}/WEBROOT"));
            }
        }
    }

    /// Every web.config at or below a site folder.
    fn site_folder(&mut self, root: &WinPath, scope: &str) {
        let mut found = Vec::new();
        let complete = self.ev.walk_files(root, WEB_CONFIG_DEPTH, WEB_CONFIG_ENTRIES, &mut |e| {
            if e.name.eq_ignore_ascii_case("web.config") {
                found.push(e.path.clone());
            }
        });
        match complete {
            Ok(false) => self.warn(
                Some(root),
                None,
                format!("more than {WEB_CONFIG_ENTRIES} entries: web.config search cut short"),
            ),
            Err(e) => self.warn(Some(root), None, e.to_string()),
            Ok(true) => {}
        }
        if found.is_empty() {
            self.status(Role::Web, root.join("web.config"), self.ev.source().completeness().absent_status().into());
        }
        for path in found {
            let rel: Vec<&str> = path.components().skip(root.components().count()).collect();
            let sub = rel[..rel.len().saturating_sub(1)].join("/");
            self.parse_file(&path, Role::Web, &sections::join_scope(scope, &sub));
        }
    }

    fn parse_file(&mut self, path: &WinPath, role: Role, base: &str) {
        if !self.read.insert(path.key()) {
            return;
        }
        match self.ev.lookup(path) {
            Lookup::File(_) => {}
            Lookup::Damaged(why) => {
                // Damage is not absence: the file may well be there.
                self.status(role, path.clone(), ReadState::Unreadable);
                self.warn(Some(path), None, format!("could not look for it: {why}"));
                return;
            }
            Lookup::Folder | Lookup::Absent => {
                // A site folder's missing web.config is normal; the others are worth a line in the coverage.
                if role != Role::Web {
                    self.status(role, path.clone(), self.ev.source().completeness().absent_status().into());
                }
                return;
            }
        }
        match self.ev.read(path, CONFIG_LIMIT) {
            Ok(data) => {
                let text = self.decode(path, &data.bytes);
                self.parse_text(path, &text, role, base);
            }
            Err(e) => {
                self.status(role, path.clone(), ReadState::Unreadable);
                self.warn(Some(path), None, e.to_string());
            }
        }
    }

    /// The file's text; bytes that are not valid in its encoding are said with the offset of the first.
    fn decode(&mut self, path: &WinPath, bytes: &[u8]) -> String {
        let d = xml::decode(bytes);
        if let Some(at) = d.first_invalid {
            let mut w = Warning::in_file(
                &self.ev.id,
                Some(path.clone()),
                None,
                format!(
                    "{} sequence(s) not valid {} (the first at byte {at}): read as U+FFFD; a strict XML reader refuses such a file",
                    d.invalid, d.encoding
                ),
            );
            w.position.offset = Some(at);
            self.out.warnings.push(w);
        }
        d.text
    }

    fn parse_text(&mut self, path: &WinPath, text: &str, role: Role, base: &str) {
        let source = Position::at(&self.ev.id, path.clone(), None);
        let facts = sections::read(text, base, self.order, &source, self.env);
        self.order += 1;
        let offset = self.out.components.len();
        for p in &facts.problems {
            self.warn(Some(path), Some(p.line), p.message.clone());
        }
        self.status(
            role,
            path.clone(),
            if facts.problems.is_empty() { ReadState::Parsed } else { ReadState::ParsedWithErrors },
        );
        self.out.components.extend(facts.components);
        self.keys.extend(facts.keys);
        self.ops.extend(facts.ops.into_iter().map(|mut op| {
            if let effective::OpKind::Add(i) = &mut op.kind {
                *i += offset;
            }
            op
        }));
        self.out.facts.extend(facts.facts);
        self.vdirs.extend(facts.vdirs);
    }

    fn status(&mut self, role: Role, path: WinPath, status: ReadState) {
        self.out.artifacts.push(ArtifactStatus {
            evidence: self.ev.id.clone(),
            artifact: role.artifact().to_string(),
            path,
            status,
        });
    }

    fn warn(&mut self, file: Option<&WinPath>, line: Option<usize>, message: String) {
        self.out.warnings.push(Warning::in_file(&self.ev.id, file.cloned(), line, message));
    }

    /// Merges the collections, links native module references to their global modules, and checks the files
    /// components reference.
    fn finish(mut self) -> IisConfig {
        effective::apply(&mut self.out.components, &self.keys, &self.ops);
        let globals: BTreeMap<String, usize> = self
            .out
            .components
            .iter()
            .enumerate()
            .filter(|(_, c)| c.kind == ComponentKind::GlobalModule)
            .map(|(i, c)| (c.name.to_lowercase(), i))
            .collect();
        let mut checked: BTreeMap<String, FileCheck> = BTreeMap::new();
        let ev = self.ev;
        for c in &mut self.out.components {
            if c.kind == ComponentKind::Module && !globals.contains_key(&c.name.to_lowercase()) {
                c.attributes.insert("global_module".into(), "(none declared)".into());
            }
            c.file = match (&c.path, &c.image, c.managed_type.is_some()) {
                (_, _, true) | (None, None, _) => None,
                (None, Some(_), _) => Some(FileCheck { status: FileStatus::Unresolved, size: None, sha256: None }),
                (Some(p), _, _) => Some(checked.entry(p.key()).or_insert_with(|| file_check(ev, p)).clone()),
            };
        }
        self.out
    }
}

/// The components one `applicationHost.config` declares (a configuration history snapshot or an `appcmd`
/// backup), read and merged by the same code as the live file.
pub fn apphost_file(ev: &Evidence, env: &WinEnv, path: &WinPath) -> IisConfig {
    let mut c = Collector::new(ev, env);
    c.parse_file(path, Role::AppHost, APPHOST);
    c.finish()
}

/// Resolves the images of components found outside the configuration (the registry) and checks their files.
pub fn resolve_and_check(ev: &Evidence, env: &WinEnv, components: &mut [Component]) {
    for c in components {
        if c.path.is_none() {
            c.path = c.image.as_deref().and_then(|i| env.resolve_binary(i));
        }
        c.file = match (&c.path, &c.image) {
            (Some(p), _) => Some(file_check(ev, p)),
            (None, Some(_)) => Some(FileCheck { status: FileStatus::Unresolved, size: None, sha256: None }),
            _ => None,
        };
    }
}

/// Whether a referenced binary is in the evidence (its bytes are read once, later, by
/// [`crate::artifacts::binaries`]).
fn file_check(ev: &Evidence, path: &WinPath) -> FileCheck {
    match ev.lookup(path) {
        Lookup::File(size) => FileCheck { status: FileStatus::Present, size: Some(size), sha256: None },
        Lookup::Damaged(_) => FileCheck { status: FileStatus::Unreadable, size: None, sha256: None },
        Lookup::Folder | Lookup::Absent => {
            FileCheck { status: ev.source().completeness().absent_status(), size: None, sha256: None }
        }
    }
}
