//! .NET metadata of a managed assembly (ECMA-335), read with `clrmeta` (small, no PE dependency, maintained;
//! `dotscope` does far more — a type system, IL — at many times the build cost): its identity, the types that
//! implement `IHttpModule`/`IHttpHandler`, the assemblies it references, and the framework members it calls that
//! an IIS implant needs (process starts, loading code from bytes, base64, cookies and headers, web requests).

use crate::model::ManagedAssembly;
use clrmeta::Metadata;
use openssl::hash::{MessageDigest, hash};

/// Largest metadata read (real assemblies have kilobytes to a few megabytes).
pub const METADATA_LIMIT: usize = 64 * 1024 * 1024;

/// Framework members an IIS implant uses, by the type they belong to and the member name; what each means.
const NOTABLE: &[(&str, &str, &str)] = &[
    ("System.Diagnostics.Process", "Start", "starts processes (System.Diagnostics.Process.Start)"),
    ("System.Reflection.Assembly", "Load", "loads code from bytes (System.Reflection.Assembly.Load)"),
    ("System.Convert", "FromBase64String", "decodes base64 (System.Convert.FromBase64String)"),
    ("System.Web.HttpRequest", "get_Cookies", "reads request cookies (HttpRequest.Cookies)"),
    ("System.Web.HttpRequest", "get_Headers", "reads request headers (HttpRequest.Headers)"),
    ("System.Web.HttpRequest", "get_Form", "reads posted form fields (HttpRequest.Form)"),
    ("System.Net.WebClient", "", "makes web requests (System.Net.WebClient)"),
    ("System.Net.HttpWebRequest", "", "makes web requests (System.Net.HttpWebRequest)"),
    ("System.Net.Http.HttpClient", "", "makes web requests (System.Net.Http.HttpClient)"),
];

/// Reads the metadata of a managed assembly; `None` when the bytes are not readable metadata (the parser is
/// guarded: a panic on hostile bytes is a `None`, not a crash).
pub fn read(metadata: &[u8]) -> Option<ManagedAssembly> {
    if metadata.len() > METADATA_LIMIT {
        return None;
    }
    let parsed = std::panic::catch_unwind(|| Metadata::parse(metadata).ok()).ok().flatten()?;
    let assembly = parsed.assembly();
    let typedef_name = |index: u32| {
        let row = parsed.get_type_def(index)?;
        let name = parsed.strings.get(row.type_name).ok()?;
        let ns = parsed.strings.get(row.type_namespace).unwrap_or("");
        Some(if ns.is_empty() { name.to_string() } else { format!("{ns}.{name}") })
    };
    let mut handlers = Vec::new();
    for i in &parsed.interface_impls {
        let Some(interface) = parsed.resolve_type(&i.interface).map(|t| t.full_name()) else { continue };
        if matches!(
            interface.as_str(),
            "System.Web.IHttpModule" | "System.Web.IHttpHandler" | "System.Web.IHttpAsyncHandler"
        ) && let Some(class) = typedef_name(i.class)
        {
            handlers.push(format!("{class} : {interface}"));
        }
    }
    handlers.sort();
    handlers.dedup();
    let mut notable: Vec<String> = Vec::new();
    for m in &parsed.member_refs {
        let Some(owner) = parsed.resolve_type(&m.class).map(|t| t.full_name()) else { continue };
        let name = parsed.strings.get(m.name).unwrap_or("");
        for (ty, member, what) in NOTABLE {
            if owner == *ty && (member.is_empty() || name == *member) && !notable.iter().any(|n| n == what) {
                notable.push((*what).to_string());
            }
        }
    }
    notable.sort();
    let mut references: Vec<String> = parsed
        .assembly_refs()
        .into_iter()
        .map(|r| {
            let token = r.public_key_token.as_deref().map(crate::evidence::hex).unwrap_or_else(|| "null".into());
            format!(
                "{}, Version={}.{}.{}.{}, PublicKeyToken={token}",
                r.name, r.version.0, r.version.1, r.version.2, r.version.3
            )
        })
        .collect();
    references.sort();
    Some(ManagedAssembly {
        name: assembly.as_ref().map(|a| a.name.clone()),
        version: assembly.as_ref().map(|a| format!("{}.{}.{}.{}", a.version.0, a.version.1, a.version.2, a.version.3)),
        public_key_token: assembly.as_ref().and_then(|a| a.public_key.as_deref()).filter(|k| !k.is_empty()).map(token),
        types: parsed.types().into_iter().map(|t| t.full_name()).filter(|n| n != "<Module>").collect(),
        handlers,
        references,
        notable,
    })
}

/// The public key token of a public key: the last 8 bytes of its SHA-1, reversed (ECMA-335 II.6.2.1.3).
fn token(public_key: &[u8]) -> String {
    let Ok(digest) = hash(MessageDigest::sha1(), public_key) else { return String::new() };
    let mut last: Vec<u8> = digest[digest.len() - 8..].to_vec();
    last.reverse();
    crate::evidence::hex(&last)
}
