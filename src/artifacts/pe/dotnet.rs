//! .NET metadata of a managed assembly (ECMA-335), read with `clrmeta` (small, no PE dependency, maintained;
//! `dotscope` does far more — a type system, IL — at many times the build cost): its identity, the types that
//! implement `IHttpModule`/`IHttpHandler`, the assemblies it references, and the framework members it calls that
//! an IIS implant needs (process starts, loading code from bytes, base64, cookies and headers, web requests).

use crate::evidence::bytes::Bytes;
use crate::model::ManagedAssembly;
use clrmeta::Metadata;
use openssl::hash::{MessageDigest, hash};

/// Largest metadata read (real assemblies have kilobytes to a few megabytes).
pub const METADATA_LIMIT: usize = 16 * 1024 * 1024;

/// A framework call an IIS implant needs: the type and member as metadata names them (an empty member: any use
/// of the type), how it reads in C# or VB source (`None`: not looked for in source), and what it means.
pub struct Call {
    /// Declaring type's full name.
    pub owner: &'static str,
    /// Member name, or empty for any member.
    pub member: &'static str,
    /// Its spelling in source code.
    pub source: Option<&'static str>,
    /// What it means, in the report's words.
    pub what: &'static str,
}

/// The calls looked for in assemblies' metadata and in `App_Code` source.
pub const CALLS: &[Call] = &[
    Call {
        owner: "System.Diagnostics.Process",
        member: "Start",
        source: Some("Process.Start"),
        what: "starts processes (System.Diagnostics.Process.Start)",
    },
    Call {
        owner: "System.Reflection.Assembly",
        member: "Load",
        source: Some("Assembly.Load"),
        what: "loads code from bytes (System.Reflection.Assembly.Load)",
    },
    Call {
        owner: "System.Convert",
        member: "FromBase64String",
        source: Some("FromBase64String"),
        what: "decodes base64 (System.Convert.FromBase64String)",
    },
    Call {
        owner: "System.Web.HttpRequest",
        member: "get_Cookies",
        source: Some("Request.Cookies"),
        what: "reads request cookies (HttpRequest.Cookies)",
    },
    Call {
        owner: "System.Web.HttpRequest",
        member: "get_Headers",
        source: Some("Request.Headers"),
        what: "reads request headers (HttpRequest.Headers)",
    },
    Call {
        owner: "System.Web.HttpRequest",
        member: "get_Form",
        source: Some("Request.Form"),
        what: "reads posted form fields (HttpRequest.Form)",
    },
    Call {
        owner: "System.Net.WebClient",
        member: "",
        source: Some("WebClient"),
        what: "makes web requests (System.Net.WebClient)",
    },
    Call {
        owner: "System.Net.HttpWebRequest",
        member: "",
        source: Some("HttpWebRequest"),
        what: "makes web requests (System.Net.HttpWebRequest)",
    },
    Call {
        owner: "System.Net.Http.HttpClient",
        member: "",
        source: None,
        what: "makes web requests (System.Net.Http.HttpClient)",
    },
];

/// Reads the metadata of a managed assembly; `None` when the bytes are not readable metadata (the parser is
/// guarded: a panic on hostile bytes is a `None`, not a crash).
pub fn read(metadata: &[u8]) -> Option<ManagedAssembly> {
    if metadata.len() > METADATA_LIMIT || !row_counts_plausible(metadata) {
        return None;
    }
    let parsed = crate::model::contain(|| Metadata::parse(metadata).ok()).ok().flatten()?;
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
        for call in CALLS {
            let matches = owner == call.owner && (call.member.is_empty() || name == call.member);
            if matches && !notable.iter().any(|n| n == call.what) {
                notable.push(call.what.to_string());
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

/// Whether the table row counts fit the tables stream: every row takes at least two bytes. The parser sizes
/// its tables from these counts before reading a row, so a hostile count would ask for gigabytes; checked here,
/// by the bounded reader, before the parser sees the bytes.
fn row_counts_plausible(metadata: &[u8]) -> bool {
    fn check(m: &[u8]) -> Result<bool, crate::model::ParseError> {
        let b = Bytes::new(m);
        if b.slice(0, 4)? != b"BSJB" {
            return Ok(false);
        }
        let version_len = b.len32(12)?;
        let mut at = 16usize.checked_add(version_len).ok_or("metadata version length out of range")?;
        at = at.checked_add(2).ok_or("metadata header out of range")?; // flags
        let streams = b.u16(at)?;
        at += 2;
        for _ in 0..streams {
            let (offset, size) = (b.len32(at)?, b.len32(at + 4)?);
            let name_start = at + 8;
            let name_len =
                b.rest(name_start).as_slice().iter().position(|&c| c == 0).ok_or("stream name without end")?;
            let name = b.slice(name_start, name_len)?;
            at = name_start + (name_len + 1).div_ceil(4) * 4;
            if name != b"#~" && name != b"#-" {
                continue;
            }
            let tables = b.sub(offset, size)?;
            let valid = tables.u64(8)?;
            let mut rows = 0u64;
            for i in 0..u64::from(valid.count_ones()) {
                rows += u64::from(tables.u32(24 + 4 * i as usize)?);
            }
            return Ok(rows.saturating_mul(2) <= size as u64);
        }
        Ok(false)
    }
    check(metadata).unwrap_or(false)
}

/// The public key token of a public key: the last 8 bytes of its SHA-1, reversed (ECMA-335 II.6.2.1.3).
fn token(public_key: &[u8]) -> String {
    let Ok(digest) = hash(MessageDigest::sha1(), public_key) else { return String::new() };
    let mut last: Vec<u8> = digest[digest.len() - 8..].to_vec();
    last.reverse();
    crate::evidence::hex(&last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hostile_row_count_is_refused_before_the_parser_sizes_its_tables() {
        // The fixture assembly's metadata, from its CLR header, with the first table's row count set huge.
        let bytes =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/managed/Contoso.Portal.Helpers.dll"))
                .unwrap();
        let at = bytes.windows(4).position(|w| w == b"BSJB").unwrap();
        let metadata = &bytes[at..];
        assert!(row_counts_plausible(metadata));
        assert!(read(metadata).is_some());
        let tables = metadata.windows(3).position(|w| w == b"#~\0").unwrap();
        let header = u32::from_le_bytes(metadata[tables - 8..tables - 4].try_into().unwrap()) as usize;
        let mut hostile = metadata.to_vec();
        hostile[header + 24..header + 28].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(!row_counts_plausible(&hostile));
        assert!(read(&hostile).is_none());
    }
}
