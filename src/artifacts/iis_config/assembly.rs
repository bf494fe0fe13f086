//! Where ASP.NET finds a managed module's assembly: the application's `bin` folder (beside the `web.config`
//! that declares it), else, for a strong-named assembly, the Global Assembly Cache — .NET 4's
//! `Microsoft.NET\assembly\GAC_MSIL|GAC_32|GAC_64\<name>\v4.0_<version>__<token>\` and .NET 2's
//! `assembly\GAC_MSIL|GAC_32|GAC_64|GAC\<name>\<version>__<token>\`. A type without an assembly is compiled
//! from the application's `App_Code` source: the file that defines the class is found and its calls read.

use crate::artifacts::pe::dotnet::CALLS;
use crate::evidence::{Completeness, Evidence, Lookup, WinPath};
use crate::model::config::{folder_of_scope, scope_folders};
use crate::model::{Component, ComponentKind, ConfigFact, FileCheck, FileStatus, WinEnv};

/// Resolves each managed module of `components` to its assembly file where the evidence holds it; where it was
/// looked for on a whole volume and is not there, says where in the `assembly_not_found` attribute.
pub fn resolve(ev: &Evidence, env: &WinEnv, facts: &[ConfigFact], components: &mut [Component]) {
    let apps = scope_folders(facts, env);
    for c in components.iter_mut().filter(|c| c.kind == ComponentKind::ManagedModule && c.path.is_none()) {
        let Some(t) = &c.managed_type else { continue };
        let Some(name) = t.assembly.as_deref().map(str::trim).filter(|n| !n.is_empty()) else {
            app_code(ev, c);
            continue;
        };
        let mut candidates = candidates(c, env, name, t.version.as_deref(), t.public_key_token.as_deref());
        // Declared for an application in applicationHost.config (`<location path="Site/app">`): that
        // application's bin folder, the deepest application that holds the scope.
        let app = folder_of_scope(&apps, &c.scope);
        if let Some(folder) = app {
            candidates.insert(0, folder.join("bin").join(&format!("{name}.dll")));
        }
        let mut seen = std::collections::BTreeSet::new();
        candidates.retain(|p| seen.insert(p.key()));
        let found = candidates.iter().find_map(|p| match ev.lookup(p) {
            Lookup::File(size) => Some((p, size)),
            _ => None,
        });
        match found {
            Some((found, size)) => {
                c.path = Some(ev.source().canonical(found).unwrap_or_else(|| found.clone()));
                c.file = Some(FileCheck { status: FileStatus::Present, size: Some(size), sha256: None });
            }
            None if ev.source().completeness() == Completeness::FullVolume && !candidates.is_empty() => {
                let looked: Vec<String> = candidates.iter().map(|p| p.to_string()).collect();
                c.attributes.insert("assembly_not_found".into(), looked.join("; "));
            }
            None => {}
        }
    }
}

fn candidates(c: &Component, env: &WinEnv, name: &str, version: Option<&str>, token: Option<&str>) -> Vec<WinPath> {
    let file = format!("{name}.dll");
    let mut out = Vec::new();
    // A web.config's own application: its bin folder.
    if let Some(cfg) =
        c.source.file.as_ref().filter(|f| f.file_name().is_some_and(|n| n.eq_ignore_ascii_case("web.config")))
        && let Some(folder) = cfg.parent()
    {
        out.push(folder.join("bin").join(&file));
    }
    // Strong-named: the GAC, when the version and token are given.
    if let (Some(v), Some(t)) = (version, token.filter(|t| !t.eq_ignore_ascii_case("null"))) {
        let t = t.to_ascii_lowercase();
        for gac in ["GAC_MSIL", "GAC_64", "GAC_32"] {
            let dir = format!(r"%windir%\Microsoft.NET\assembly\{gac}\{name}\v4.0_{v}__{t}");
            out.push(WinPath::parse(&env.expand(&dir).0).join(&file));
        }
        for gac in ["GAC_MSIL", "GAC_64", "GAC_32", "GAC"] {
            let dir = format!(r"%windir%\assembly\{gac}\{name}\{v}__{t}");
            out.push(WinPath::parse(&env.expand(&dir).0).join(&file));
        }
    }
    out
}

/// Source files read from an `App_Code` folder at the most, and their largest size.
const APP_CODE_FILES: usize = 2_000;
const SOURCE_LIMIT: u64 = 4 * 1024 * 1024;

/// A module type with no assembly, declared in a `web.config`: ASP.NET compiles it from the application's
/// `App_Code`. The source file that declares the class and implements `IHttpModule` is named in the
/// `app_code_source` attribute, the calls it makes in `app_code_calls`.
fn app_code(ev: &Evidence, c: &mut Component) {
    let Some(t) = &c.managed_type else { return };
    let Some(cfg) =
        c.source.file.as_ref().filter(|f| f.file_name().is_some_and(|n| n.eq_ignore_ascii_case("web.config")))
    else {
        return;
    };
    let Some(dir) = cfg.parent().map(|p| p.join("App_Code")) else { return };
    let class = t.class.rsplit('.').next().unwrap_or(&t.class).to_string();
    let mut sources = Vec::new();
    let _ = ev.walk_files(&dir, 8, APP_CODE_FILES, &mut |e| {
        let lower = e.name.to_ascii_lowercase();
        if lower.ends_with(".cs") || lower.ends_with(".vb") {
            sources.push(e.path.clone());
        }
    });
    for path in sources {
        let Ok(data) = ev.read(&path, SOURCE_LIMIT) else { continue };
        let text = String::from_utf8_lossy(&data.bytes);
        let declares = text.contains(&format!("class {class}")) || text.contains(&format!("Class {class}"));
        if declares && text.contains("IHttpModule") {
            let calls: Vec<&str> =
                CALLS.iter().filter(|c| c.source.is_some_and(|w| text.contains(w))).map(|c| c.what).collect();
            c.attributes.insert("app_code_source".into(), data.path.to_string());
            if !calls.is_empty() {
                c.attributes.insert("app_code_calls".into(), calls.join("; "));
            }
            return;
        }
    }
}
