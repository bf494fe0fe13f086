//! PE facts (pelite): machine, timestamps, exports and imports, VERSIONINFO, hashes and imphash, .NET header,
//! section entropy — and what kind of IIS component the exports say the binary is.

pub mod dotnet;
mod ordinals;

use crate::evidence::hex;
use crate::model::ParseError;
pub use crate::model::{PeFacts, PeKind, Section};
use openssl::hash::{MessageDigest, hash};
use pelite::PeFile;
use pelite::Wrap;
use pelite::pe64::imports::Import;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The VERSIONINFO strings kept.
const VERSION_KEYS: &[&str] = &[
    "CompanyName",
    "FileDescription",
    "FileVersion",
    "ProductName",
    "OriginalFilename",
    "InternalName",
    "LegalCopyright",
];

/// Imports that matter in a web server extension.
const INTERESTING_IMPORTS: &[&str] = &[
    "CreateProcessA",
    "CreateProcessW",
    "CreateProcessAsUserA",
    "CreateProcessAsUserW",
    "WinExec",
    "ShellExecuteA",
    "ShellExecuteW",
    "ShellExecuteExW",
    "CreateRemoteThread",
    "WriteProcessMemory",
    "VirtualAllocEx",
    "LoadLibraryA",
    "LoadLibraryW",
    "GetProcAddress",
    "WSAStartup",
    "connect",
    "InternetOpenA",
    "InternetOpenW",
    "WinHttpOpen",
    "URLDownloadToFileA",
    "URLDownloadToFileW",
    "CryptDecrypt",
    "CryptEncrypt",
    "BCryptDecrypt",
    "BCryptEncrypt",
    "LogonUserA",
    "LogonUserW",
    "ImpersonateLoggedOnUser",
    "CreatePipe",
    "HttpFilterProc",
];

/// Most imported functions read from one file (real DLLs import a few thousand).
const MAX_IMPORTS: usize = 65_536;

/// Most problems said of one file; past it, one line says how many more there were.
const MAX_PROBLEMS: usize = 50;

/// Analyses a PE file's bytes. pelite indexes some structures without checking them (a version resource whose
/// lengths overrun its block panics inside the crate, found by fuzzing): each part is read inside
/// [`crate::model::contain`], so such a file loses that part, said, and the scan goes on.
pub fn analyse(bytes: &[u8]) -> Result<PeFacts, ParseError> {
    crate::model::contain(|| analyse_parts(bytes))
        .unwrap_or_else(|m| Err(ParseError::new(format!("the PE parser failed on this file ({m})"))))
}

fn analyse_parts(bytes: &[u8]) -> Result<PeFacts, ParseError> {
    let pe = PeFile::from_bytes(bytes).map_err(|e| ParseError::new(format!("not a PE file: {e}")))?;
    let mut problems = Vec::new();
    // A file cut short (a partial copy, a damaged collection) still parses from its headers; say so.
    for sh in pe.section_headers() {
        let end = u64::from(sh.PointerToRawData) + u64::from(sh.SizeOfRawData);
        if end > bytes.len() as u64 {
            problems.push(format!(
                "section {} ends at byte {end}, past the end of the file ({} bytes): the file is cut short",
                sh.name().unwrap_or("?"),
                bytes.len()
            ));
        }
    }
    let fh = pe.file_header();
    let (image_size, pe32_plus) = match pe.optional_header() {
        Wrap::T32(o) => (o.SizeOfImage, false),
        Wrap::T64(o) => (o.SizeOfImage, true),
    };

    let mut exports = Vec::new();
    let mut export_name = None;
    if let Ok(exp) = pe.exports() {
        export_name = exp.dll_name().ok().map(|n| n.to_string());
        match exp.by() {
            Ok(by) => {
                for (name, _) in by.iter_names() {
                    if let Ok(n) = name {
                        exports.push(n.to_string());
                    }
                }
            }
            Err(e) => problems.push(format!("export table: {e}")),
        }
    }
    exports.sort();
    exports.dedup();

    let mut imported_dlls = Vec::new();
    let mut interesting = Vec::new();
    let mut imphash_items = Vec::new();
    match pe.imports() {
        Ok(imports) => {
            'descriptors: for desc in imports {
                let Ok(dll) = desc.dll_name() else {
                    problems.push("import descriptor with an unreadable DLL name".into());
                    continue;
                };
                let dll = dll.to_string().to_lowercase();
                let lib = match dll.rsplit_once('.') {
                    Some((stem, "dll" | "ocx" | "sys")) => stem.to_string(),
                    _ => dll.clone(),
                };
                match desc.int() {
                    Ok(names) => {
                        for import in names {
                            // A forged table can name the same long list from many descriptors: bounded.
                            if imphash_items.len() >= MAX_IMPORTS {
                                problems.push(format!(
                                    "the import table lists more than {MAX_IMPORTS} functions: the rest were not read (damaged or forged)"
                                ));
                                break 'descriptors;
                            }
                            let func = match import {
                                Ok(Import::ByName { name, .. }) => {
                                    let n = name.to_string();
                                    if INTERESTING_IMPORTS.contains(&n.as_str()) {
                                        interesting.push(format!("{dll}!{n}"));
                                    }
                                    n.to_lowercase()
                                }
                                Ok(Import::ByOrdinal { ord }) => match ordinals::name(&dll, ord) {
                                    Some(n) => n.to_lowercase(),
                                    None => format!("ord{ord}"),
                                },
                                Err(e) => {
                                    if problems.len() < MAX_PROBLEMS {
                                        problems.push(format!("import from {dll}: {e}"));
                                    }
                                    continue;
                                }
                            };
                            imphash_items.push(format!("{lib}.{func}"));
                        }
                    }
                    Err(e) => problems.push(format!("imports of {dll}: {e}")),
                }
                imported_dlls.push(dll);
            }
        }
        Err(pelite::Error::Null) => {}
        Err(e) => problems.push(format!("import table: {e}")),
    }
    imported_dlls.sort();
    imported_dlls.dedup();
    interesting.sort();
    interesting.dedup();
    let imphash = (!imphash_items.is_empty()).then(|| md5_hex(imphash_items.join(",").as_bytes()));

    let mut version = BTreeMap::new();
    match pe.resources().map(|r| r.version_info()) {
        Ok(Ok(vi)) => {
            let read = crate::model::contain(|| {
                if let Some(lang) = vi.translation().first().copied() {
                    vi.strings(lang, |k, v| {
                        if VERSION_KEYS.contains(&k) {
                            version.insert(k.to_string(), v.trim_end_matches('\0').to_string());
                        }
                    });
                }
            });
            if let Err(m) = read {
                version.clear();
                problems.push(format!("version resource unreadable: its lengths overrun it (the parser failed: {m})"));
            }
        }
        Ok(Err(_)) | Err(pelite::Error::Null) => {}
        Err(e) => problems.push(format!("resources: {e}")),
    }

    let sections = pe
        .section_headers()
        .iter()
        .map(|s| {
            let range = s.file_range();
            let raw = bytes.get(range.start as usize..(range.end as usize).min(bytes.len())).unwrap_or(&[]);
            Section {
                name: String::from_utf8_lossy(s.name_bytes()).trim_end_matches('\0').to_string(),
                virtual_size: s.VirtualSize,
                raw_size: s.SizeOfRawData,
                entropy: (entropy(raw) * 1000.0).round() / 1000.0,
            }
        })
        .collect();

    let clr_runtime = clr_runtime(&pe);
    let has = |n: &str| exports.iter().any(|e| e == n);
    let mut roles = Vec::new();
    if has("RegisterModule") {
        roles.push(PeKind::NativeModule);
    }
    if has("GetFilterVersion") && has("HttpFilterProc") {
        roles.push(PeKind::IsapiFilter);
    }
    if has("GetExtensionVersion") && has("HttpExtensionProc") {
        roles.push(PeKind::IsapiExtension);
    }
    let kind = match (roles.first(), &clr_runtime) {
        (Some(k), _) => *k,
        (None, Some(_)) => PeKind::ManagedAssembly,
        (None, None) => PeKind::Other,
    };

    if problems.len() > MAX_PROBLEMS {
        let more = problems.len() - MAX_PROBLEMS;
        problems.truncate(MAX_PROBLEMS);
        problems.push(format!("{more} more problems not listed"));
    }
    Ok(PeFacts {
        machine: machine_name(fh.Machine),
        pe32_plus,
        dll: fh.Characteristics & 0x2000 != 0,
        timestamp: fh.TimeDateStamp,
        image_size,
        export_name,
        exports,
        imported_dlls,
        imports_of_interest: interesting,
        version,
        md5: md5_hex(bytes),
        sha1: hash(MessageDigest::sha1(), bytes).map(|d| hex(&d)).unwrap_or_default(),
        sha256: hex(&Sha256::digest(bytes)),
        imphash,
        managed: clr_runtime.as_ref().and_then(|_| clr_metadata(&pe)).and_then(dotnet::read),
        clr_runtime,
        sections,
        kind,
        roles,
        problems,
    })
}

fn md5_hex(b: &[u8]) -> String {
    hash(MessageDigest::md5(), b).map(|d| hex(&d)).unwrap_or_default()
}

/// The bytes of the CLR metadata (the COR20 header's metadata directory), bounded.
fn clr_metadata<'a>(pe: &PeFile<'a>) -> Option<&'a [u8]> {
    let dir = pe.data_directory().get(14)?;
    let cor20 = pe.derva_slice::<u32>(dir.VirtualAddress, 4).ok()?;
    let (rva, size) = (cor20[2], cor20[3] as usize);
    pe.derva_slice::<u8>(rva, size.min(dotnet::METADATA_LIMIT)).ok()
}

/// The runtime version string of the CLR metadata root (`BSJB` signature), when the PE is managed.
fn clr_runtime(pe: &PeFile) -> Option<String> {
    let dir = pe.data_directory().get(14)?;
    if dir.VirtualAddress == 0 {
        return None;
    }
    let cor20 = pe.derva_slice::<u32>(dir.VirtualAddress, 4).ok()?;
    let meta = pe.derva_slice::<u8>(cor20[2], 16).ok()?;
    if meta[..4] != [0x42, 0x53, 0x4A, 0x42] {
        return Some(String::from("(CLR header without metadata)"));
    }
    let len = u32::from_le_bytes([meta[12], meta[13], meta[14], meta[15]]) as usize;
    let full = pe.derva_slice::<u8>(cor20[2], 16 + len.min(255)).ok()?;
    Some(String::from_utf8_lossy(&full[16..]).trim_end_matches('\0').to_string())
}

fn machine_name(m: u16) -> String {
    match m {
        0x8664 => "x64".into(),
        0x014c => "x86".into(),
        0xAA64 => "arm64".into(),
        0x01c4 => "arm".into(),
        0x0200 => "ia64".into(),
        other => format!("{other:#06x}"),
    }
}

/// Shannon entropy in bits per byte.
pub fn entropy(b: &[u8]) -> f64 {
    if b.is_empty() {
        return 0.0;
    }
    let mut counts = [0u64; 256];
    for &x in b {
        counts[x as usize] += 1;
    }
    let n = b.len() as f64;
    counts.iter().filter(|&&c| c > 0).map(|&c| c as f64 / n).map(|p| -p * p.log2()).sum()
}

#[cfg(test)]
mod tests {
    use super::entropy;

    #[test]
    fn entropy_bounds() {
        assert_eq!(entropy(&[]), 0.0);
        assert_eq!(entropy(&[7; 100]), 0.0);
        let all: Vec<u8> = (0..=255).collect();
        assert!((entropy(&all) - 8.0).abs() < 1e-9);
    }
}
