//! Where each component stands against the baseline of a default install: built-in, a known add-on, or
//! unknown — and the lookups of the baseline tables the rules share.

use super::baseline::{self, ThirdParty};
use crate::model::{Baseline, Component, ComponentKind, WinEnv, WinPath};

/// Places each component against the baseline: sets `baseline` and `product`.
pub fn classify(c: &mut Component, env: &WinEnv) {
    let (class, product) = match c.kind {
        ComponentKind::GlobalModule => match native_image(&c.name) {
            Some(img) if same_path(c.path.as_ref(), img, env) => (Baseline::Builtin, None),
            Some(_) => (Baseline::Unknown, None),
            None => third_party(c),
        },
        ComponentKind::Module => {
            if native_image(&c.name).is_some() {
                (Baseline::Builtin, None)
            } else {
                third_party(c)
            }
        }
        ComponentKind::ManagedModule => classify_managed(c),
        ComponentKind::IsapiFilter => match table_image(baseline::ISAPI_FILTERS, &c.name) {
            Some(img) if same_path(c.path.as_ref(), img, env) => (Baseline::Builtin, None),
            Some(_) => (Baseline::Unknown, None),
            None => third_party(c),
        },
        ComponentKind::IsapiExtension | ComponentKind::Cgi | ComponentKind::Fastcgi if c.image.is_none() => {
            if baseline::DEFAULT_HANDLERS.iter().any(|h| h.eq_ignore_ascii_case(&c.name)) {
                (Baseline::Builtin, None)
            } else {
                (Baseline::Unknown, None)
            }
        }
        _ => {
            // A restriction entry or other reference to a built-in module's or filter's own image (WebDAV's
            // webdav.dll, ASP.NET's webengine4.dll) is part of the install, whatever it is called.
            if default_binary(c.path.as_ref(), env) || builtin_owner_of_image(c.path.as_ref(), env).is_some() {
                (Baseline::Builtin, None)
            } else {
                third_party(c)
            }
        }
    };
    c.baseline = class;
    c.product = product;
}

fn classify_managed(c: &Component) -> (Baseline, Option<&'static str>) {
    let Some(t) = &c.managed_type else { return (Baseline::Unknown, None) };
    let ms_token = t.public_key_token.as_deref().is_some_and(|k| baseline::MICROSOFT_TOKENS.contains(&k));
    let trusted_token = t.public_key_token.is_none() || ms_token;
    let expected = table_image(baseline::MANAGED_MODULES, &c.name);
    if expected.is_some_and(|cls| cls == t.class) && trusted_token {
        (Baseline::Builtin, None)
    } else if ms_token && expected.is_none() {
        (Baseline::KnownThirdParty, Some("Microsoft (strong-named assembly)"))
    } else {
        (Baseline::Unknown, None)
    }
}

fn third_party(c: &Component) -> (Baseline, Option<&'static str>) {
    let file = c.path.as_ref().and_then(|p| p.file_name()).unwrap_or("");
    let hit = baseline::THIRD_PARTY.iter().find(|t: &&ThirdParty| {
        (t.name == "*" || t.name.eq_ignore_ascii_case(&c.name)) && t.file.eq_ignore_ascii_case(file)
    });
    match hit {
        Some(t) => (Baseline::KnownThirdParty, Some(t.product)),
        None => (Baseline::Unknown, None),
    }
}

pub fn native_image(name: &str) -> Option<&'static str> {
    table_image(baseline::NATIVE_MODULES, name)
}

pub fn table_image(table: &'static [(&'static str, &'static str)], name: &str) -> Option<&'static str> {
    table.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| *v)
}

pub fn same_path(actual: Option<&WinPath>, expected: &str, env: &WinEnv) -> bool {
    let Some(actual) = actual else { return false };
    // The file names first: most comparisons end there, without expanding and parsing the expected path.
    if !same_file_name(actual, expected) {
        return false;
    }
    actual.key() == WinPath::parse(&env.expand(expected).0).key()
}

/// Whether `path` ends in the file name `expected` ends in (case-insensitive).
fn same_file_name(path: &WinPath, expected: &str) -> bool {
    let name = expected.rsplit('\\').next().unwrap_or(expected);
    path.file_name().is_some_and(|n| n.eq_ignore_ascii_case(name))
}

/// True when `path` is one of the default binaries (`*` matches one folder).
pub fn default_binary(path: Option<&WinPath>, env: &WinEnv) -> bool {
    let Some(path) = path else { return false };
    let actual: Vec<String> = path.components().map(str::to_lowercase).collect();
    baseline::DEFAULT_BINARIES.iter().filter(|pattern| same_file_name(path, pattern)).any(|pattern| {
        let p = WinPath::parse(&env.expand(pattern).0);
        let expected: Vec<String> = p.components().map(str::to_lowercase).collect();
        p.drive() == path.drive()
            && expected.len() == actual.len()
            && expected.iter().zip(&actual).all(|(e, a)| e == "*" || e == a)
    })
}

/// The built-in module whose image `path` is, if any.
pub fn builtin_owner_of_image(path: Option<&WinPath>, env: &WinEnv) -> Option<&'static str> {
    baseline::NATIVE_MODULES
        .iter()
        .chain(baseline::ISAPI_FILTERS)
        .find(|(_, img)| same_path(path, img, env))
        .map(|(n, _)| *n)
}

pub fn in_expected_dir(path: &WinPath, env: &WinEnv) -> bool {
    baseline::EXPECTED_DIRS.iter().any(|d| path.starts_with(&WinPath::parse(&env.expand(d).0)))
}

/// The administrators-only folder of the baseline (`baseline::ADMIN_ONLY_DIRS`, expanded) that holds `path`.
pub fn admin_only_dir(path: &WinPath, env: &WinEnv) -> Option<WinPath> {
    baseline::ADMIN_ONLY_DIRS.iter().map(|d| WinPath::parse(&env.expand(d).0)).find(|d| path.starts_with(d))
}
