//! Which records matter for IIS persistence, and what each one says.
//!
//! [`want`] is the cheap filter the reader applies before rendering; [`extract`] reads a rendered record and
//! says what kind of event it is, what it signals, and which component names and file paths it mentions (for
//! linking to components later). Nothing here decides severity.

use super::reader::{Want, Words};
use super::record::Record;
pub use crate::model::{EventKind, Signal, file_name};

/// Channels that hold IIS-component events, in report order.
pub const CHANNELS: &[&str] = &[
    IIS_CONFIG,
    SECURITY,
    SYSTEM,
    APPLICATION,
    SYSMON,
    "Microsoft-Windows-PowerShell/Operational",
    "PowerShellCore/Operational",
];

/// The IIS configuration audit log (off by default).
pub const IIS_CONFIG: &str = crate::model::IIS_CONFIG_CHANNEL;
const SECURITY: &str = "Security";
const SYSTEM: &str = "System";
const APPLICATION: &str = "Application";
const SYSMON: &str = "Microsoft-Windows-Sysmon/Operational";

const PROCESS_WORDS: &[&str] = &[
    "appcmd",
    "gacutil",
    "powershell",
    "pwsh",
    "w3wp",
    "applicationhost.config",
    "web.config",
    "apphostsvc",
    "w3svc",
    "iisadmin",
    "wevtutil",
    "auditpol",
    "certutil",
];
const FILE_WORDS: &[&str] = &["inetsrv", r"\bin\", "temporary asp.net files", "applicationhost.config"];
const REGISTRY_WORDS: &[&str] =
    &["w3svc", r"services\was", "iisadmin", "inetstp", "isapi", "globalmodules", "fastcgi", "inetsrv"];
const SERVICE_WORDS: &[&str] = &[
    "w3svc",
    "world wide web publishing",
    "windows process activation",
    "apphostsvc",
    "application host helper",
    "iisadmin",
];
const POWERSHELL_WORDS: &[&str] = &[
    "webglobalmodule",
    "webmanagedmodule",
    "add-webconfiguration",
    "set-webconfigurationproperty",
    "gacinstall",
    "appcmd",
];
const OBJECT_WORDS: &[&str] = &["inetsrv", "applicationhost.config"];
const LOAD_FAILURE_WORDS: &[&str] = &[".dll", "module", "filter"];

/// IIS-W3SVC-WP events about module and filter DLLs (learn.microsoft.com, "IIS 7 module events").
const W3SVC_WP_MODULE_EVENTS: &[u32] = &[2214, 2268, 2274, 2280, 2281, 2282, 2293, 2295, 2296, 2298];

static PROCESS: Words = Words::new(PROCESS_WORDS);
static W3WP: Words = Words::new(&["w3wp"]);
static FILES: Words = Words::new(FILE_WORDS);
static REGISTRY: Words = Words::new(REGISTRY_WORDS);
static SERVICES: Words = Words::new(SERVICE_WORDS);
static POWERSHELL: Words = Words::new(POWERSHELL_WORDS);
static OBJECTS: Words = Words::new(OBJECT_WORDS);
static LOAD_FAILURES: Words = Words::new(LOAD_FAILURE_WORDS);

/// Event ids a [`Spec`] covers.
enum Ids {
    /// These ids.
    List(&'static [u32]),
    /// Every id in this range (inclusive).
    Range(u32, u32),
}

/// One kind of record worth reading: its ids, when the reader renders it, which records of those ids it is
/// (by channel and provider), and what is read from them. The one list both [`want`] and [`extract`] use.
struct Spec {
    ids: Ids,
    want: Want,
    /// Channel (as written) and provider (lower case) of the records this spec reads.
    from: fn(&str, &str) -> bool,
    read: fn(&Record) -> Option<Extracted>,
}

fn iis_config(channel: &str, provider: &str) -> bool {
    channel.eq_ignore_ascii_case(IIS_CONFIG) || provider.contains("iis-configuration")
}

fn w3svc_wp(channel: &str, provider: &str) -> bool {
    channel == APPLICATION && provider.contains("iis-w3svc-wp")
}

/// First match wins: the W3SVC-WP module events before the rest of their range.
static SPECS: &[Spec] = &[
    Spec { ids: Ids::List(&[29]), want: Want::Always, from: iis_config, read: |r| Some(config_change(r)) },
    Spec { ids: Ids::List(&[50]), want: Want::Always, from: iis_config, read: |r| Some(config_commit(r)) },
    Spec { ids: Ids::List(&[7045]), want: Want::Always, from: |c, _| c == SYSTEM, read: |r| Some(service_install(r)) },
    Spec {
        ids: Ids::List(&[4688]),
        want: Want::IfContains(&PROCESS),
        from: |c, _| c == SECURITY,
        read: |r| {
            process(
                r.field("NewProcessName"),
                r.field("CommandLine"),
                r.field("ParentProcessName"),
                r.field("SubjectUserName"),
            )
        },
    },
    Spec {
        ids: Ids::List(&[1]),
        want: Want::IfContains(&PROCESS),
        from: |c, _| c == SYSMON,
        read: |r| process(r.field("Image"), r.field("CommandLine"), r.field("ParentImage"), r.field("User")),
    },
    Spec { ids: Ids::List(&[3]), want: Want::IfContains(&W3WP), from: |c, _| c == SYSMON, read: connection },
    Spec { ids: Ids::List(&[7]), want: Want::IfContains(&W3WP), from: |c, _| c == SYSMON, read: image_load },
    Spec { ids: Ids::List(&[8, 10]), want: Want::IfContains(&W3WP), from: |c, _| c == SYSMON, read: process_access },
    Spec { ids: Ids::List(&[11]), want: Want::IfContains(&FILES), from: |c, _| c == SYSMON, read: file_create },
    Spec { ids: Ids::List(&[13]), want: Want::IfContains(&REGISTRY), from: |c, _| c == SYSMON, read: registry_set },
    Spec {
        ids: Ids::List(&[7036, 7040]),
        want: Want::IfContains(&SERVICES),
        from: |c, _| c == SYSTEM,
        read: service_state,
    },
    Spec {
        ids: Ids::List(&[4103, 4104]),
        want: Want::IfContains(&POWERSHELL),
        from: |c, _| c.to_ascii_lowercase().contains("powershell"),
        read: powershell,
    },
    Spec {
        ids: Ids::List(&[4657, 4663, 4907]),
        want: Want::IfContains(&OBJECTS),
        from: |c, _| c == SECURITY,
        read: object_access,
    },
    Spec { ids: Ids::List(W3SVC_WP_MODULE_EVENTS), want: Want::Always, from: w3svc_wp, read: load_failure },
    Spec { ids: Ids::Range(2200, 2299), want: Want::IfContains(&LOAD_FAILURES), from: w3svc_wp, read: load_failure },
];

impl Ids {
    fn contains(&self, id: u32) -> bool {
        match self {
            Ids::List(l) => l.contains(&id),
            Ids::Range(a, b) => (*a..=*b).contains(&id),
        }
    }
}

/// The reader's filter: which event ids to render, and when.
pub fn want(event_id: u32) -> Want {
    SPECS.iter().find(|s| s.ids.contains(event_id)).map_or(Want::No, |s| s.want)
}

/// What [`extract`] read from one record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extracted {
    /// The kind of event.
    pub kind: EventKind,
    /// What it points to, if anything.
    pub signal: Option<Signal>,
    /// One line for the timeline.
    pub description: String,
    /// Component names it mentions.
    pub names: Vec<String>,
    /// File paths (DLLs, images) it mentions, as written.
    pub paths: Vec<String>,
}

impl Extracted {
    fn new(kind: EventKind, description: String) -> Extracted {
        Extracted { kind, signal: None, description, names: Vec::new(), paths: Vec::new() }
    }
}

/// Reads one rendered record; `None` when it is not about IIS components.
pub fn extract(r: &Record) -> Option<Extracted> {
    let provider = r.provider.to_ascii_lowercase();
    let spec = SPECS.iter().find(|s| s.ids.contains(r.event_id) && (s.from)(&r.channel, &provider))?;
    (spec.read)(r)
}

/// Configuration sections that declare extension points, by the path fragment that names them.
const EXTENSION_SECTIONS: &[(&str, &str)] = &[
    ("/globalmodules", "globalModules"),
    ("/modules", "modules"),
    ("/isapifilters", "isapiFilters"),
    ("/handlers", "handlers"),
    ("/isapicgirestriction", "isapiCgiRestriction"),
    ("/fastcgi", "fastCgi"),
];

fn config_change(r: &Record) -> Extracted {
    let path = r.field("Configuration");
    let lower = path.to_ascii_lowercase();
    let code = r.field("EditOperationType");
    let op = match code {
        "1" => "add element".to_string(),
        "3" => "set attribute".to_string(),
        other => format!("operation {other}"),
    };
    let (old, new) = (r.field("OldValue"), r.field("NewValue"));
    let section = EXTENSION_SECTIONS.iter().find(|(frag, _)| lower.contains(frag)).map(|(_, name)| *name);
    let mut e = Extracted::new(
        EventKind::ConfigChange,
        format!(
            "IIS configuration{}: {op} {path} at {}{}{}",
            section.map(|s| format!(" ({s})")).unwrap_or_default(),
            r.field("ConfigPath"),
            if old.is_empty() { String::new() } else { format!(", old value {}", clip(old)) },
            if new.is_empty() { String::new() } else { format!(", new value {}", clip(new)) },
        ),
    );
    if section.is_some() {
        let attribute = lower.rsplit_once("/@").map(|(_, a)| a);
        let binary = ["image", "path", "scriptprocessor", "fullpath", "type"];
        // The element written is the last of the path: a `<remove>` or `<clear/>` takes a component out.
        let last = lower.rsplit('/').find(|p| !p.starts_with('@')).unwrap_or("");
        if attribute.is_none() && (last.starts_with("remove") || last.starts_with("clear")) {
            e.signal = Some(Signal::ExtensionRemoved);
        } else if code == "1" || (attribute.is_none() && lower.contains("/add")) {
            e.signal = Some(Signal::ExtensionAdded);
        } else if attribute.is_some_and(|a| binary.contains(&a)) {
            // On an element added just before (same change), it completes the addition.
            e.signal = Some(if old.is_empty() { Signal::ExtensionAdded } else { Signal::ExtensionChanged });
        }
    }
    let logging = lower.contains("/httplogging") || lower.contains("/logfile");
    let logging_off = (lower.ends_with("@dontlog") && new.eq_ignore_ascii_case("true"))
        || (logging && lower.ends_with("@enabled") && new.eq_ignore_ascii_case("false"));
    if logging_off {
        e.signal = Some(Signal::LoggingDisabled);
    }
    e.names.extend(quoted_attr(path, "name"));
    for v in [old, new] {
        e.names.extend(quoted_attr(v, "name"));
        e.paths.extend(dll_paths(v));
    }
    dedup(&mut e);
    e
}

fn config_commit(r: &Record) -> Extracted {
    Extracted::new(
        EventKind::ConfigCommit,
        format!("IIS configuration changes committed at {}", first_of(r, &["ConfigPath", "PhysicalPath"])),
    )
}

/// Processes that, started by `w3wp.exe`, mean a web shell or hands on the keyboard.
const SHELLS: &[&str] = &[
    "cmd.exe",
    "powershell.exe",
    "pwsh.exe",
    "wscript.exe",
    "cscript.exe",
    "mshta.exe",
    "rundll32.exe",
    "regsvr32.exe",
    "certutil.exe",
    "bitsadmin.exe",
    "whoami.exe",
    "net.exe",
    "net1.exe",
    "ipconfig.exe",
    "systeminfo.exe",
    "tasklist.exe",
    "quser.exe",
    "nltest.exe",
    "reg.exe",
    "sc.exe",
    "schtasks.exe",
    "wmic.exe",
];

/// `appcmd set config` sections that hold extension points.
const APPCMD_SECTIONS: &[&str] =
    &["globalmodules", "modules", "isapifilters", "handlers", "isapicgirestriction", "fastcgi"];

fn process(image: &str, cmd: &str, parent: &str, user: &str) -> Option<Extracted> {
    let name = file_name(image).to_ascii_lowercase();
    let parent_name = file_name(parent).to_ascii_lowercase();
    let lower = cmd.to_ascii_lowercase();
    let mut e = Extracted::new(
        EventKind::ProcessCreation,
        format!("process {image} started by {parent}{}: {}", by(user), clip(cmd)),
    );
    let args = arguments(cmd);
    // PowerShell's -EncodedCommand is read decoded; the description shows both.
    let decoded = if name == "powershell.exe" || name == "pwsh.exe" { encoded_command(&args) } else { None };
    if let Some(d) = &decoded {
        e.description.push_str(&format!(" [decoded -EncodedCommand: {}]", clip(d)));
    }
    let full = match &decoded {
        Some(d) => format!("{cmd} {d}"),
        None => cmd.to_string(),
    };
    let script = full.to_ascii_lowercase();
    if name == "appcmd.exe" {
        let installs = lower.contains("install module")
            || lower.contains("add module")
            || (lower.contains("set config")
                && APPCMD_SECTIONS.iter().any(|s| lower.contains(&format!("section:{s}"))))
            || (lower.contains("set config")
                && APPCMD_SECTIONS.iter().any(|s| lower.contains(&format!("system.webserver/{s}"))));
        let changes = installs || lower.contains("uninstall module") || lower.contains("delete module");
        if !changes {
            return None;
        }
        if installs {
            e.signal = Some(Signal::AppcmdInstall);
        }
        e.names.extend(args.iter().filter_map(|a| switch(a, "name")));
        e.paths.extend(args.iter().filter_map(|a| switch(a, "image")));
        for attr in ["name", "type"] {
            e.names.extend(quoted_attr(cmd, attr));
        }
        for attr in ["image", "path", "scriptprocessor", "fullpath"] {
            e.paths.extend(quoted_attr(cmd, attr));
        }
    } else if name == "gacutil.exe" {
        if !args.iter().any(|a| matches!(a.to_ascii_lowercase().as_str(), "/i" | "-i" | "/if" | "-if")) {
            return None;
        }
        e.signal = Some(Signal::GacInstall);
        e.paths.extend(dll_paths(cmd));
    } else if (name == "powershell.exe" || name == "pwsh.exe") && powershell_install(&script).is_some() {
        e.signal = powershell_install(&script);
        e.names.extend(ps_parameter(&full, "name"));
        e.paths.extend(ps_parameter(&full, "image"));
        e.paths.extend(dll_paths(&full));
    } else if let Some(signal) = tampering(&name, &script) {
        e.signal = Some(signal);
    } else if (name == "powershell.exe" || name == "pwsh.exe") && IIS_SCRIPT_WORDS.iter().any(|w| script.contains(w)) {
        // A script that works on IIS but names no component: context, linked later by the process id its
        // audited configuration writes carry.
        e.names.extend(ps_parameter(&full, "name"));
    } else if EDITORS.contains(&name.as_str())
        && (script.contains("applicationhost.config") || script.contains("web.config"))
    {
        e.signal = Some(Signal::ConfigEditor);
        e.paths.extend(arguments(cmd).into_iter().filter(|a| a.to_ascii_lowercase().ends_with(".config")));
    } else if parent_name != "w3wp.exe" {
        return None;
    }
    if parent_name == "w3wp.exe" && e.signal.is_none() {
        e.signal = Some(if SHELLS.contains(&name.as_str()) { Signal::W3wpShell } else { Signal::W3wpChild });
    }
    dedup(&mut e);
    Some(e)
}

/// Folders `w3wp.exe` loads DLLs from in normal operation.
const LOAD_DIRS: &[&str] = &[
    r"\windows\system32\",
    r"\windows\syswow64\",
    r"\windows\winsxs\",
    r"\windows\microsoft.net\",
    r"\windows\assembly\",
];

fn image_load(r: &Record) -> Option<Extracted> {
    if !file_name(r.field("Image")).eq_ignore_ascii_case("w3wp.exe") {
        return None;
    }
    let dll = r.field("ImageLoaded");
    let lower = dll.to_ascii_lowercase();
    let unsigned = r.field("Signed").eq_ignore_ascii_case("false");
    let outside = !LOAD_DIRS.iter().any(|d| lower.contains(d));
    let writable = crate::model::USER_WRITABLE.iter().any(|d| lower.contains(&d.to_ascii_lowercase()));
    if !(unsigned || outside || writable) {
        return None;
    }
    let mut e = Extracted::new(
        EventKind::ImageLoad,
        format!(
            "w3wp.exe (pid {}) loaded {dll} (signed: {}{})",
            r.field("ProcessId"),
            first_of(r, &["Signed"]),
            match r.field("Signature") {
                "" => String::new(),
                s => format!(", {s}"),
            }
        ),
    );
    e.signal = Some(if writable { Signal::UserWritableLoad } else { Signal::UnusualLoad });
    e.paths.push(dll.to_string());
    Some(e)
}

fn connection(r: &Record) -> Option<Extracted> {
    let image = r.field("Image");
    if !file_name(image).eq_ignore_ascii_case("w3wp.exe") || !r.field("Initiated").eq_ignore_ascii_case("true") {
        return None;
    }
    let mut e = Extracted::new(
        EventKind::NetworkConnection,
        format!(
            "w3wp.exe (pid {}{}) connected from {}:{} to {}:{} ({}{})",
            r.field("ProcessId"),
            by(r.field("User")),
            r.field("SourceIp"),
            r.field("SourcePort"),
            r.field("DestinationIp"),
            r.field("DestinationPort"),
            r.field("Protocol"),
            match r.field("DestinationPortName") {
                "" => String::new(),
                n => format!(", {n}"),
            }
        ),
    );
    e.signal = Some(Signal::W3wpConnection);
    Some(e)
}

fn process_access(r: &Record) -> Option<Extracted> {
    if !file_name(r.field("SourceImage")).eq_ignore_ascii_case("w3wp.exe") {
        return None;
    }
    let target = r.field("TargetImage");
    let mut e = if r.event_id == 8 {
        let mut e = Extracted::new(
            EventKind::ProcessAccess,
            format!(
                "w3wp.exe (pid {}) started a thread in {target} (pid {}) at {}",
                r.field("SourceProcessId"),
                r.field("TargetProcessId"),
                r.field("StartAddress")
            ),
        );
        e.signal = Some(Signal::W3wpRemoteThread);
        e
    } else {
        Extracted::new(
            EventKind::ProcessAccess,
            format!(
                "w3wp.exe (pid {}) opened {target} (pid {}) with access {}",
                r.field("SourceProcessId"),
                r.field("TargetProcessId"),
                r.field("GrantedAccess")
            ),
        )
    };
    e.paths.push(target.to_string());
    Some(e)
}

fn file_create(r: &Record) -> Option<Extracted> {
    let target = r.field("TargetFilename");
    let lower = target.to_ascii_lowercase();
    let relevant = lower.contains(r"\inetsrv\")
        || (lower.contains(r"\bin\") && lower.ends_with(".dll"))
        || lower.contains("temporary asp.net files")
        || lower.ends_with("applicationhost.config");
    if !relevant {
        return None;
    }
    let mut e = Extracted::new(EventKind::FileCreate, format!("{} created {target}", first_of(r, &["Image"])));
    e.paths.push(target.to_string());
    Some(e)
}

fn registry_set(r: &Record) -> Option<Extracted> {
    let key = r.field("TargetObject");
    let lower = key.to_ascii_lowercase();
    if !REGISTRY_WORDS.iter().any(|w| lower.contains(w)) {
        return None;
    }
    let details = r.field("Details");
    let mut e =
        Extracted::new(EventKind::RegistrySet, format!("{} set {key} = {}", first_of(r, &["Image"]), clip(details)));
    e.paths.extend(dll_paths(details));
    Some(e)
}

fn service_install(r: &Record) -> Extracted {
    let image = r.field("ImagePath");
    let mut e = Extracted::new(
        EventKind::ServiceInstall,
        format!(
            "service installed: {} ({image}), start {}, account {}",
            r.field("ServiceName"),
            r.field("StartType"),
            r.field("AccountName")
        ),
    );
    e.paths.push(image.to_string());
    e
}

fn service_state(r: &Record) -> Option<Extracted> {
    let all: String = r.data.values().map(|v| v.to_ascii_lowercase()).collect::<Vec<_>>().join(" ");
    // 7036 keeps the service's key name as UTF-16 in its binary data, which the JSON renders as hex:
    // `W3SVC`, `WAS`, `AppHostSvc`.
    let hex_w3svc = ["5700330053005600430", "570041005300", "41007000700048006f0073007400530076006300"];
    if !SERVICE_WORDS.iter().any(|w| all.contains(w)) && !hex_w3svc.iter().any(|h| all.contains(h)) {
        return None;
    }
    let name = first_of(r, &["param1", "Data1"]);
    let description = if r.event_id == 7036 {
        format!("service {name} entered the {} state", first_of(r, &["param2", "Data2"]))
    } else {
        format!(
            "service {name}: start type changed from {} to {}",
            first_of(r, &["param2", "Data2"]),
            first_of(r, &["param3", "Data3"])
        )
    };
    Some(Extracted::new(EventKind::ServiceState, description))
}

fn load_failure(r: &Record) -> Option<Extracted> {
    let mut paths = Vec::new();
    for v in r.data.values() {
        paths.extend(dll_paths(v));
    }
    let known = W3SVC_WP_MODULE_EVENTS.contains(&r.event_id);
    if !known && paths.is_empty() {
        return None;
    }
    let values: Vec<&str> =
        r.data.iter().filter(|(k, _)| *k != "Binary").map(|(_, v)| v.as_str()).filter(|v| !v.is_empty()).collect();
    let mut e = Extracted::new(
        EventKind::ModuleLoadFailure,
        format!("IIS worker module/filter event {}: {}", r.event_id, clip(&values.join(" | "))),
    );
    e.signal = Some(Signal::LoadFailure);
    e.names.extend(r.data.get("ModuleName").cloned());
    e.paths = paths;
    dedup(&mut e);
    Some(e)
}

fn powershell(r: &Record) -> Option<Extracted> {
    let text = if r.event_id == 4104 {
        r.field("ScriptBlockText").to_string()
    } else {
        format!("{} {}", r.field("ContextInfo"), r.field("Payload"))
    };
    let lower = text.to_ascii_lowercase();
    // The WebAdministration module's own source defines these cmdlets; defining is not calling.
    if lower.contains("function new-webglobalmodule") || lower.contains("function add-webconfiguration") {
        return None;
    }
    let signal = powershell_install(&lower)?;
    let mut e = Extracted::new(EventKind::PowerShell, format!("PowerShell {}: {}", r.event_id, clip(&text)));
    e.signal = Some(signal);
    e.names.extend(ps_parameter(&text, "name"));
    e.paths.extend(ps_parameter(&text, "image"));
    e.paths.extend(dll_paths(&text));
    dedup(&mut e);
    Some(e)
}

/// Whether (lower-cased) PowerShell text installs or changes IIS extension points.
/// Words of a PowerShell script that works on IIS.
const IIS_SCRIPT_WORDS: &[&str] =
    &["webadministration", "iis:\\", "microsoft.web.administration", "applicationhost.config", "inetsrv", "appcmd"];

/// Editors an administrator or an intruder opens a configuration file with.
const EDITORS: &[&str] =
    &["notepad.exe", "notepad++.exe", "code.exe", "wordpad.exe", "write.exe", "powershell_ise.exe", "notepad2.exe"];

/// Commands that stop or reconfigure IIS services, clear or silence the IIS audit log, or add a root
/// certificate: anti-forensic acts and the step that makes a forged signature valid.
fn tampering(image: &str, lower: &str) -> Option<Signal> {
    let iis_service = ["apphostsvc", "w3svc", "iisadmin", " was", "'was'", "\"was\""].iter().any(|s| lower.contains(s));
    let stops = match image {
        "sc.exe" => lower.contains(" stop ") || lower.contains(" config ") || lower.contains(" delete "),
        "net.exe" | "net1.exe" => lower.contains(" stop "),
        "powershell.exe" | "pwsh.exe" => lower.contains("stop-service") || lower.contains("set-service"),
        _ => false,
    };
    if stops && iis_service {
        return Some(Signal::ServiceTampering);
    }
    let audit = match image {
        "wevtutil.exe" => {
            (lower.contains(" cl ")
                || lower.contains(" clear-log")
                || lower.contains(" sl ")
                || lower.contains(" set-log"))
                && (lower.contains("iis-configuration") || lower.contains("security"))
        }
        "auditpol.exe" => lower.contains("/set") || lower.contains("/clear") || lower.contains("/remove"),
        "powershell.exe" | "pwsh.exe" => lower.contains("clear-eventlog") || lower.contains("limit-eventlog"),
        _ => false,
    };
    if audit {
        return Some(Signal::AuditTampering);
    }
    let root = match image {
        "certutil.exe" => lower.contains("-addstore") && lower.contains("root"),
        "powershell.exe" | "pwsh.exe" => lower.contains("import-certificate") && lower.contains("root"),
        _ => false,
    };
    root.then_some(Signal::RootCertificateInstall)
}

/// The script of `powershell -EncodedCommand B64` (also `-enc`, `-e`, any unambiguous prefix): base64 of
/// UTF-16LE text.
fn encoded_command(args: &[String]) -> Option<String> {
    use base64::Engine;
    let at = args.iter().position(|a| {
        let a = a.to_ascii_lowercase();
        let a = a.trim_start_matches(['-', '/']);
        // PowerShell resolves -e, -en, ..., -encodedcommand and -ec to EncodedCommand (-ex is ExecutionPolicy).
        !a.is_empty() && ("encodedcommand".starts_with(a) || a == "ec")
    })?;
    let b64 = args.get(at + 1)?;
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok()?;
    let units: Vec<u16> = bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
    Some(String::from_utf16_lossy(&units))
}

fn powershell_install(lower: &str) -> Option<Signal> {
    const CMDLETS: &[&str] = &[
        "new-webglobalmodule",
        "enable-webglobalmodule",
        "set-webglobalmodule",
        "remove-webglobalmodule",
        "new-webmanagedmodule",
        "add-webconfiguration",
    ];
    let cmdlet = CMDLETS.iter().any(|c| lower.contains(c));
    let property = lower.contains("set-webconfigurationproperty")
        && APPCMD_SECTIONS.iter().any(|s| lower.contains(&format!("/{s}")) || lower.contains(&format!("'{s}")));
    let gac = lower.contains("gacinstall") && lower.contains("enterpriseservices");
    (cmdlet || property || gac).then_some(Signal::PowerShellInstall)
}

fn object_access(r: &Record) -> Option<Extracted> {
    let object = r.field("ObjectName");
    let lower = object.to_ascii_lowercase();
    if !OBJECT_WORDS.iter().any(|w| lower.contains(w)) {
        return None;
    }
    let what = match r.event_id {
        4657 => format!("registry value {} modified", r.field("ObjectValueName")),
        4663 => format!("accessed ({})", first_of(r, &["AccessList", "AccessMask"]).trim()),
        _ => "auditing settings changed".to_string(),
    };
    Some(Extracted::new(
        EventKind::ObjectAccess,
        format!("{object}: {what} by {}{}", first_of(r, &["ProcessName"]), by(r.field("SubjectUserName"))),
    ))
}

fn by(user: &str) -> String {
    if user.is_empty() { String::new() } else { format!(" as {user}") }
}

fn first_of<'a>(r: &'a Record, names: &[&str]) -> &'a str {
    names.iter().map(|n| r.field(n)).find(|v| !v.is_empty()).unwrap_or_default()
}

/// At most 300 characters of attacker-controllable text for a one-line description.
fn clip(s: &str) -> String {
    let one_line: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    match one_line.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None => one_line,
    }
}

/// Splits a command line the way Windows programs do: whitespace outside double quotes; quotes dropped.
fn arguments(cmd: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in cmd.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The value of an `appcmd` switch: `/name:X`, `-name:X`, `/name=X`.
fn switch(arg: &str, name: &str) -> Option<String> {
    let rest = arg.strip_prefix(['/', '-'])?;
    let head = rest.get(..name.len())?;
    if !head.eq_ignore_ascii_case(name) {
        return None;
    }
    let value = rest[name.len()..].strip_prefix([':', '='])?;
    (!value.is_empty()).then(|| value.to_string())
}

/// Every `attr='value'` (or `attr="value"`) in a string, as `appcmd` and configuration paths write them.
fn quoted_attr(s: &str, attr: &str) -> Vec<String> {
    let lower = s.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = lower[from..].find(attr) {
        let at = from + i;
        from = at + attr.len();
        let before_ok = at == 0 || !lower.as_bytes()[at - 1].is_ascii_alphanumeric();
        let rest = &s[from..];
        let Some(rest) = rest.strip_prefix('=') else { continue };
        let Some(q) = rest.chars().next().filter(|c| *c == '\'' || *c == '"') else { continue };
        if let (true, Some(end)) = (before_ok, rest[1..].find(q)) {
            out.push(rest[1..1 + end].to_string());
        }
    }
    out
}

/// Values of a PowerShell parameter: `-Name X`, `-Name 'X'`, `-Name:"X"`.
fn ps_parameter(text: &str, name: &str) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    let key = format!("-{name}");
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = lower[from..].find(&key) {
        let at = from + i + key.len();
        from = at;
        let rest = &text[at..];
        // The parameter name must end here (`-Name`, not `-NameSpace`).
        if rest.chars().next().is_some_and(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        let rest = rest.trim_start_matches(':').trim_start();
        let value = match rest.chars().next() {
            Some(q @ ('\'' | '"')) => rest[1..].split(q).next().unwrap_or_default(),
            Some(_) => rest.split(|c: char| c.is_whitespace() || c == ';' || c == ')').next().unwrap_or_default(),
            None => "",
        };
        if !value.is_empty() && !value.starts_with(['-', '$']) {
            out.push(value.to_string());
        }
    }
    out
}

/// Paths ending in `.dll` inside free text.
fn dll_paths(s: &str) -> Vec<String> {
    let lower = s.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = lower[from..].find(".dll") {
        let end = from + i + 4;
        from = end;
        if lower.as_bytes().get(end).is_some_and(|b| b.is_ascii_alphanumeric()) {
            continue;
        }
        let start = s[..end]
            .rfind(|c: char| matches!(c, '"' | '\'' | '=' | ',' | '[' | '(' | '|') || c.is_control())
            .map(|i| i + 1)
            .unwrap_or(0);
        let candidate = s[start..end].trim();
        // A path may hold spaces (`Program Files`); take it from its drive letter or `%var%` when there is one.
        let from_root = candidate
            .char_indices()
            .find(|&(i, c)| {
                (c == '%' || candidate[i..].get(1..3) == Some(r":\")) && (i == 0 || candidate[..i].ends_with(' '))
            })
            .map(|(i, _)| &candidate[i..]);
        let path = from_root.unwrap_or_else(|| candidate.rsplit(' ').next().unwrap_or(candidate));
        if path.len() > 4 {
            out.push(path.to_string());
        }
    }
    out
}

fn dedup(e: &mut Extracted) {
    for list in [&mut e.names, &mut e.paths] {
        let mut seen = std::collections::BTreeSet::new();
        list.retain(|v| seen.insert(v.to_ascii_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appcmd_switches_and_bracket_attributes_name_the_component() {
        let args = arguments(r#"appcmd.exe install module /name:"Cache Helper" /image:C:\x\a.dll"#);
        assert_eq!(args.iter().filter_map(|a| switch(a, "name")).collect::<Vec<_>>(), ["Cache Helper"]);
        assert_eq!(args.iter().filter_map(|a| switch(a, "image")).collect::<Vec<_>>(), [r"C:\x\a.dll"]);
        let set = r#"appcmd set config /section:isapiFilters /+"[name='Flt',path='C:\f.dll']""#;
        assert_eq!(quoted_attr(set, "name"), ["Flt"]);
        assert_eq!(quoted_attr(set, "path"), [r"C:\f.dll"]);
    }

    #[test]
    fn dll_paths_keep_spaces_from_the_drive_letter() {
        assert_eq!(
            dll_paths(r"The Module DLL C:\Program Files\Evil Co\mod.dll failed to load."),
            [r"C:\Program Files\Evil Co\mod.dll"]
        );
        assert_eq!(dll_paths(r"New-WebGlobalModule -Image %windir%\x.dll"), [r"%windir%\x.dll"]);
        assert!(dll_paths("a.dllx").is_empty());
    }

    #[test]
    fn powershell_parameters_stop_at_the_name() {
        let t = r#"New-WebGlobalModule -Name 'Cache Helper' -Image "C:\w\c.dll"; Get-Item -NameSpace x"#;
        assert_eq!(ps_parameter(t, "name"), ["Cache Helper"]);
        assert_eq!(ps_parameter(t, "image"), [r"C:\w\c.dll"]);
    }
}
