//! The IIS facts a SYSTEM or SOFTWARE hive holds, each with its key, last-write time and evidence reference.
//!
//! Only the keys that matter are visited (services, InetStp, IIS extensions, add-on uninstall entries, root
//! stores, the OS identity), never the whole hive: a 15 MB SYSTEM hive is read in milliseconds.

use super::certs::{self, RootCertificate};
use super::hive::{Data, Hive, Key};
use crate::model::{Component, ComponentKind, Position, Timestamp};
pub use crate::model::{Installation, RegistryFact, ServiceInfo};
use std::collections::BTreeMap;

/// Everything read from one hive.
#[derive(Default)]
pub struct Extracted {
    /// Facts.
    pub facts: Vec<RegistryFact>,
    /// Components registered in the hive (legacy filters, hunt hits).
    pub components: Vec<Component>,
    /// Root certificates.
    pub roots: Vec<RootCertificate>,
    /// Problems.
    pub problems: Vec<String>,
}

/// The services IIS is made of.
const SERVICES: &[&str] = &["W3SVC", "WAS", "AppHostSvc", "HTTP", "IISADMIN", "W3LOGSVC"];

/// Names of values the seed hunting query looks at (compared without spaces, case-insensitively).
const HUNT_VALUES: &[&str] = &["FilterDLLs", "Path", "ImagePath", "DLL", "Filename"];
/// Key path fragments the seed hunting query looks under.
const HUNT_KEYS: &[&str] =
    &["w3svc", "isapi filter", "isapi extension", "globalmodules", r"iis\fastcgi", r"system32\inetsrv"];
/// Display names of IIS add-ons in the uninstall entries.
const ADDONS: &[&str] = &[
    "IIS URL Rewrite",
    "Application Request Routing",
    "ASP.NET Core",
    "IIS ",
    "Web Deploy",
    "Web Platform Installer",
    "External Cache",
];

struct Ctx<'a> {
    hive: &'static str,
    source: &'a Position,
    out: Extracted,
}

impl Ctx<'_> {
    fn fact(&mut self, k: &Key, value: Option<&str>, category: &'static str) {
        for p in &k.problems {
            let msg = format!(r"{}\{}: {p}", self.hive, k.path);
            if !self.out.problems.contains(&msg) {
                self.out.problems.push(msg);
            }
        }
        let data = value.and_then(|v| k.value(v)).cloned();
        if value.is_some() && data.is_none() {
            return;
        }
        self.out.facts.push(RegistryFact {
            hive: self.hive,
            key: k.path.clone(),
            value: value.map(str::to_string),
            data,
            last_written: ts(&k.last_written),
            category,
            source: self.source.clone().key(k.path.clone()),
        });
    }
}

fn text(k: &Key, name: &str) -> Option<String> {
    k.value(name).map(Data::text).filter(|s| !s.is_empty())
}

/// Reads the SYSTEM hive's IIS facts into `inst`.
pub fn system(h: &mut Hive, source: &Position, inst: &mut Installation) -> Extracted {
    let mut c = Ctx { hive: "SYSTEM", source, out: Extracted::default() };
    let current = h.key("Select").and_then(|k| {
        c.fact(&k, Some("Current"), "control_set");
        k.value("Current").and_then(Data::number)
    });
    let ccs = match current {
        Some(n) => format!("ControlSet{n:03}"),
        None => {
            c.out.problems.push("Select\\Current is missing: ControlSet001 is assumed".into());
            "ControlSet001".into()
        }
    };
    inst.control_set = Some(ccs.clone());

    if let Some(k) = h.key(&format!(r"{ccs}\Control\ComputerName\ComputerName")) {
        c.fact(&k, Some("ComputerName"), "computer");
        inst.computer_name = text(&k, "ComputerName");
    }
    if let Some(k) = h.key(&format!(r"{ccs}\Control\TimeZoneInformation")) {
        for v in ["TimeZoneKeyName", "StandardName", "Bias", "ActiveTimeBias"] {
            c.fact(&k, Some(v), "time_zone");
        }
        let name = text(&k, "TimeZoneKeyName").or_else(|| text(&k, "StandardName"));
        let bias = k.value("Bias").and_then(Data::number).map(|b| b as u32 as i32);
        inst.time_zone = match (name, bias) {
            (Some(n), Some(b)) => Some(format!("{n} (UTC{:+03}:{:02})", -b / 60, (b % 60).abs())),
            (n, _) => n,
        };
    }

    for name in SERVICES {
        let path = format!(r"{ccs}\Services\{name}");
        let Some(k) = h.key(&path) else { continue };
        let params = h.key(&format!(r"{path}\Parameters"));
        let installed = k.value("ImagePath").is_some() || k.value("Type").is_some();
        for v in ["ImagePath", "Start", "ObjectName", "Type", "ServiceDll"] {
            c.fact(&k, Some(v), "service");
        }
        if !installed {
            c.fact(&k, None, "service");
        }
        let mut service_dll = text(&k, "ServiceDll");
        if let Some(p) = &params {
            c.fact(p, Some("ServiceDll"), "service");
            service_dll = text(p, "ServiceDll").or(service_dll);
        }
        let start = k.value("Start").and_then(Data::number).map(|n| n as u32);
        inst.services.push(ServiceInfo {
            name: name.to_string(),
            key: path.clone(),
            source: c.source.clone().key(path.clone()),
            installed,
            start,
            start_mode: start.map(start_mode),
            image_path: text(&k, "ImagePath"),
            service_dll,
            object_name: text(&k, "ObjectName"),
            last_written: ts(&k.last_written),
        });
    }
    legacy_filters(h, &mut c, &ccs);
    hunt(
        h,
        &mut c,
        &[format!(r"{ccs}\Services\W3SVC"), format!(r"{ccs}\Services\IISADMIN"), format!(r"{ccs}\Services\WAS")],
    );
    c.out
}

/// IIS 6 registered filters in the registry; IIS 7+ ignores them, but their presence is worth a line.
fn legacy_filters(h: &mut Hive, c: &mut Ctx, ccs: &str) {
    let params = format!(r"{ccs}\Services\W3SVC\Parameters");
    let Some(p) = h.key(&params) else { return };
    for v in ["Filter DLLs", "FilterDLLs"] {
        if let Some(list) = text(&p, v) {
            c.fact(&p, Some(v), "legacy_filter");
            for dll in list.split([',', ';']).map(str::trim).filter(|d| !d.is_empty()) {
                let comp = component(c, ComponentKind::IsapiFilter, dll, dll, &p, v);
                c.out.components.push(comp);
            }
        }
    }
    for name in h.subkeys(&format!(r"{params}\Filters")) {
        let Some(f) = h.key(&format!(r"{params}\Filters\{name}")) else { continue };
        c.fact(&f, Some("FilterPath"), "legacy_filter");
        if let Some(path) = text(&f, "FilterPath") {
            let comp = component(c, ComponentKind::IsapiFilter, &name, &path, &f, "FilterPath");
            c.out.components.push(comp);
        }
    }
}

/// The seed hunting query: DLL-valued `FilterDLLs`/`Path`/`ImagePath`/`DLL`/`Filename` values under keys that
/// mention IIS extension points. Hits not already reported as legacy filters become `other_dll` components.
fn hunt(h: &mut Hive, c: &mut Ctx, roots: &[String]) {
    let mut hits: Vec<(Key, String)> = Vec::new();
    for root in roots {
        h.walk(root, 20_000, &mut |k| {
            let lower = k.path.to_lowercase();
            if !HUNT_KEYS.iter().any(|m| lower.contains(m)) {
                return;
            }
            for v in &k.values {
                let squashed: String = v.name.chars().filter(|c| !c.is_whitespace()).collect();
                if HUNT_VALUES.iter().any(|n| n.eq_ignore_ascii_case(&squashed))
                    && v.data.text().to_lowercase().contains(".dll")
                {
                    hits.push((k.clone(), v.name.clone()));
                }
            }
        });
    }
    for (k, value) in hits {
        c.fact(&k, Some(&value), "hunt");
        let legacy = value.replace(' ', "").eq_ignore_ascii_case("FilterDLLs");
        if !legacy {
            let data = text(&k, &value).unwrap_or_default();
            let comp = component(c, ComponentKind::OtherDll, &value, &data, &k, &value);
            c.out.components.push(comp);
        }
    }
}

fn component(c: &Ctx, kind: ComponentKind, name: &str, image: &str, k: &Key, value: &str) -> Component {
    let mut attributes = BTreeMap::new();
    attributes.insert("registry_value".to_string(), value.to_string());
    attributes.insert("key_last_written".to_string(), ts(&k.last_written).to_string());
    let mut comp = Component::new(
        kind,
        name.to_string(),
        Some(image.to_string()),
        format!(r"HKLM\{}\{}", c.hive, k.path),
        c.source.clone().key(k.path.clone()),
    );
    comp.attributes = attributes;
    comp
}

/// Reads the SOFTWARE hive's IIS facts into `inst`.
pub fn software(h: &mut Hive, source: &Position, inst: &mut Installation) -> Extracted {
    let mut c = Ctx { hive: "SOFTWARE", source, out: Extracted::default() };
    if let Some(k) = h.key(r"Microsoft\Windows NT\CurrentVersion") {
        for v in [
            "ProductName",
            "DisplayVersion",
            "ReleaseId",
            "CurrentBuild",
            "UBR",
            "EditionID",
            "InstallDate",
            "SystemRoot",
            "RegisteredOwner",
        ] {
            c.fact(&k, Some(v), "os");
        }
        let build = text(&k, "CurrentBuild").map(|b| match k.value("UBR").and_then(Data::number) {
            Some(u) => format!("{b}.{u}"),
            None => b,
        });
        let parts: Vec<String> = [
            text(&k, "ProductName"),
            text(&k, "DisplayVersion").or_else(|| text(&k, "ReleaseId")),
            build.map(|b| format!("build {b}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        inst.os = (!parts.is_empty()).then(|| parts.join(", "));
        inst.system_root = text(&k, "SystemRoot");
    }
    if let Some(k) = h.key(r"Microsoft\Windows\CurrentVersion") {
        inst.program_files = text(&k, "ProgramFilesDir");
    }
    // Accounts that logged on: SID -> profile folder, which names the account a record gives only by SID.
    const PROFILES: &str = r"Microsoft\Windows NT\CurrentVersion\ProfileList";
    for sid in h.subkeys(PROFILES).into_iter().take(10_000) {
        if let Some(k) = h.key(&format!(r"{PROFILES}\{sid}"))
            && let Some(path) = text(&k, "ProfileImagePath")
        {
            let user = path.rsplit(['\\', '/']).next().unwrap_or(&path).to_string();
            inst.profiles.insert(sid, user);
        }
    }
    if let Some(k) = h.key(r"Microsoft\InetStp") {
        for v in [
            "MajorVersion",
            "MinorVersion",
            "InstallPath",
            "PathWWWRoot",
            "SetupString",
            "VersionString",
            "IISProgramFiles",
        ] {
            c.fact(&k, Some(v), "iis_install");
        }
        let major = k.value("MajorVersion").and_then(Data::number);
        let minor = k.value("MinorVersion").and_then(Data::number);
        inst.iis_version = major.map(|m| format!("{m}.{}", minor.unwrap_or(0)));
        inst.iis_version_string = text(&k, "VersionString").or_else(|| text(&k, "SetupString"));
        inst.install_path = text(&k, "InstallPath");
        inst.wwwroot = text(&k, "PathWWWRoot");
        inst.inetstp_last_written = Some(ts(&k.last_written));
        inst.iis_installed |= major.is_some();
    }
    if let Some(k) = h.key(r"Microsoft\InetStp\Components") {
        c.fact(&k, None, "iis_component");
        inst.components =
            k.values.iter().filter(|v| v.data.number().is_some_and(|n| n != 0)).map(|v| v.name.clone()).collect();
    }
    for node in ["Microsoft", r"WOW6432Node\Microsoft"] {
        for ext in h.subkeys(&format!(r"{node}\IIS Extensions")) {
            if let Some(k) = h.key(&format!(r"{node}\IIS Extensions\{ext}")) {
                c.fact(&k, None, "iis_extension");
                let version = text(&k, "Version").map(|v| format!(" {v}")).unwrap_or_default();
                inst.addons.push(format!("{ext}{version} (IIS Extensions key, last written {})", ts(&k.last_written)));
            }
        }
        let uninstall = format!(r"{node}\Windows\CurrentVersion\Uninstall");
        for entry in h.subkeys(&uninstall) {
            let Some(k) = h.key(&format!(r"{uninstall}\{entry}")) else { continue };
            let Some(name) = text(&k, "DisplayName") else { continue };
            if !ADDONS.iter().any(|a| name.starts_with(a) || name.contains(a.trim())) {
                continue;
            }
            for v in ["DisplayName", "DisplayVersion", "Publisher", "InstallDate", "InstallLocation"] {
                c.fact(&k, Some(v), "addon");
            }
            let date = text(&k, "InstallDate").map(|d| format!(", installed {d}")).unwrap_or_default();
            let version = text(&k, "DisplayVersion").map(|v| format!(" {v}")).unwrap_or_default();
            inst.addons.push(format!("{name}{version}{date}"));
        }
    }
    for store in ["ROOT", "AuthRoot"] {
        let base = format!(r"Microsoft\SystemCertificates\{store}\Certificates");
        for thumb in h.subkeys(&base) {
            let Some(k) = h.key(&format!(r"{base}\{thumb}")) else { continue };
            c.out.roots.push(root_cert(&source.evidence, store, &thumb, &k));
        }
    }
    hunt(
        h,
        &mut c,
        &[
            r"Microsoft\InetStp".into(),
            r"Microsoft\IIS Extensions".into(),
            r"Microsoft\IIS".into(),
            r"WOW6432Node\Microsoft\InetStp".into(),
        ],
    );
    c.out
}

fn root_cert(evidence: &str, store: &'static str, thumb: &str, k: &Key) -> RootCertificate {
    let mut rc = RootCertificate {
        evidence: evidence.to_string(),
        store,
        key_name: thumb.to_string(),
        sha1: None,
        subject: None,
        issuer: None,
        last_written: ts(&k.last_written),
        der: None,
        problem: None,
    };
    let der = match k.value("Blob") {
        Some(Data::Binary(b)) => certs::cert_from_blob(b),
        _ => Err("no Blob value".into()),
    };
    match der.and_then(|d| certs::describe(&d).map(|names| (d, names))) {
        Ok((d, (sha1, subject, issuer))) => {
            if !sha1.eq_ignore_ascii_case(thumb) {
                rc.problem = Some(format!("the certificate's SHA-1 is {sha1}, not the key name: the blob was altered"));
            }
            rc.sha1 = Some(sha1);
            rc.subject = Some(subject);
            rc.issuer = Some(issuer);
            rc.der = Some(d);
        }
        Err(e) => rc.problem = Some(e.to_string()),
    }
    rc
}

/// `Start` value to its name.
pub fn start_mode(n: u32) -> &'static str {
    match n {
        0 => "boot",
        1 => "system",
        2 => "auto",
        3 => "manual",
        4 => "disabled",
        _ => "unknown",
    }
}

/// A key's last-write time as the model's timestamp.
fn ts(t: &chrono::DateTime<chrono::Utc>) -> Timestamp {
    Timestamp::from_chrono(t).unwrap_or_default()
}
