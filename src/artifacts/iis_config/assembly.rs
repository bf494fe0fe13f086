//! Where ASP.NET finds a managed module's assembly: the application's `bin` folder (beside the `web.config`
//! that declares it), else, for a strong-named assembly, the Global Assembly Cache — .NET 4's
//! `Microsoft.NET\assembly\GAC_MSIL|GAC_32|GAC_64\<name>\v4.0_<version>__<token>\` and .NET 2's
//! `assembly\GAC_MSIL|GAC_32|GAC_64|GAC\<name>\<version>__<token>\`.

use crate::evidence::{Completeness, Evidence, WinPath};
use crate::model::{Component, ComponentKind, FileCheck, FileStatus, WinEnv};

/// Resolves each managed module of `components` to its assembly file where the evidence holds it; where it was
/// looked for on a whole volume and is not there, says where in the `assembly_not_found` attribute.
pub fn resolve(ev: &Evidence, env: &WinEnv, components: &mut [Component]) {
    for c in components.iter_mut().filter(|c| c.kind == ComponentKind::ManagedModule && c.path.is_none()) {
        let Some(t) = &c.managed_type else { continue };
        let Some(name) = t.assembly.as_deref().map(str::trim).filter(|n| !n.is_empty()) else { continue };
        let candidates = candidates(c, env, name, t.version.as_deref(), t.public_key_token.as_deref());
        match candidates.iter().find(|p| ev.file_exists(p)) {
            Some(found) => {
                let size = ev.source().metadata(found).ok().flatten().map(|m| m.size);
                c.path = Some(ev.source().canonical(found).unwrap_or_else(|| found.clone()));
                c.file = Some(FileCheck { status: FileStatus::Present, size, sha256: None });
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
