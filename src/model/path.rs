//! Windows paths inside evidence: case-insensitive, drive-aware, separator-agnostic.

use std::fmt;

/// A normalised path inside a piece of evidence, with Windows semantics.
///
/// `C:\Windows\System32` and `c:/windows/system32/` are the same path. A path either starts with a drive
/// (`C:`) or is relative to the evidence root (files of a triage collection that belong to no drive, such as
/// Velociraptor's `results\*.json`). `.` and `..` are resolved lexically and never climb above the root, so a
/// hostile `..\..\` cannot point outside the evidence.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WinPath {
    /// Display form: `C:\Windows\System32`, or `results\x.json`. Never ends with `\` except the bare drive `C:\`.
    text: String,
}

impl WinPath {
    /// Parses a path written with `\` or `/`, with or without a drive, `\\?\` or `\\.\` prefixes.
    pub fn parse(raw: &str) -> WinPath {
        let mut s = raw.trim();
        for prefix in [r"\\?\", r"\\.\", "//?/", "//./", r"\??\"] {
            if let Some(rest) = s.strip_prefix(prefix) {
                s = rest;
                break;
            }
        }
        let mut parts = s.split(['\\', '/']).peekable();
        let mut drive = None;
        if let Some(first) = parts.peek() {
            let b = first.as_bytes();
            if b.len() == 2 && b[1] == b':' && b[0].is_ascii_alphabetic() {
                drive = Some(b[0].to_ascii_uppercase() as char);
                parts.next();
            }
        }
        let mut comps: Vec<&str> = Vec::new();
        for p in parts {
            match p {
                "" | "." => {}
                ".." => {
                    comps.pop();
                }
                other => comps.push(other),
            }
        }
        Self::from_parts(drive, &comps)
    }

    /// Builds a path from a drive (or none) and already-split components.
    pub fn from_parts<S: AsRef<str>>(drive: Option<char>, comps: &[S]) -> WinPath {
        let mut text = String::new();
        if let Some(d) = drive {
            text.push(d.to_ascii_uppercase());
            text.push(':');
            if comps.is_empty() {
                text.push('\\');
            }
        }
        for (i, c) in comps.iter().enumerate() {
            if i > 0 || drive.is_some() {
                text.push('\\');
            }
            text.push_str(c.as_ref());
        }
        WinPath { text }
    }

    /// The root of a drive, `C:\`.
    pub fn drive_root(drive: char) -> WinPath {
        Self::from_parts::<&str>(Some(drive), &[])
    }

    /// The path as Windows writes it.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The drive letter, upper case, if the path has one.
    pub fn drive(&self) -> Option<char> {
        let b = self.text.as_bytes();
        (b.len() >= 2 && b[1] == b':').then(|| b[0] as char)
    }

    /// The components after the drive.
    pub fn components(&self) -> impl Iterator<Item = &str> {
        let rest = if self.drive().is_some() { &self.text[2..] } else { &self.text[..] };
        rest.split('\\').filter(|c| !c.is_empty())
    }

    /// The case-folded form used for lookups and comparisons.
    pub fn key(&self) -> String {
        self.text.to_lowercase()
    }

    /// The last component, if any.
    pub fn file_name(&self) -> Option<&str> {
        self.components().last()
    }

    /// The parent folder, if the path has components.
    pub fn parent(&self) -> Option<WinPath> {
        let comps: Vec<&str> = self.components().collect();
        if comps.is_empty() {
            return None;
        }
        Some(Self::from_parts(self.drive(), &comps[..comps.len() - 1]))
    }

    /// Appends one or more components (`a\b` is split).
    pub fn join(&self, rest: &str) -> WinPath {
        let mut s = self.text.clone();
        s.push('\\');
        s.push_str(rest);
        Self::parse(&s)
    }

    /// Appends one component verbatim (a decoded name may hold characters that are separators elsewhere).
    pub fn child(&self, name: &str) -> WinPath {
        let comps: Vec<&str> = self.components().chain(std::iter::once(name)).collect();
        Self::from_parts(self.drive(), &comps)
    }

    /// True when `self` is `ancestor` or lies below it (case-insensitive, whole components).
    pub fn starts_with(&self, ancestor: &WinPath) -> bool {
        if self.drive() != ancestor.drive() {
            return false;
        }
        let mut mine = self.components();
        ancestor.components().all(|a| mine.next().is_some_and(|m| eq_fold(a, m)))
    }

    /// True when the path starts with a drive letter.
    pub fn is_absolute(&self) -> bool {
        self.drive().is_some()
    }
}

impl fmt::Display for WinPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl serde::Serialize for WinPath {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// Case-insensitive comparison of two path components, the way NTFS compares names (close enough: Unicode
/// simple lower-casing).
pub fn eq_fold(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.eq_ignore_ascii_case(b) || a.to_lowercase() == b.to_lowercase()
}

/// The file name part of a Windows path.
pub fn file_name(path: &str) -> &str {
    path.trim_matches('"').rsplit(['\\', '/']).next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_separators_prefixes_and_dots() {
        let p = WinPath::parse(r"\\?\c:/Windows\System32\.\inetsrv\..\inetsrv\cachuri.dll");
        assert_eq!(p.as_str(), r"C:\Windows\System32\inetsrv\cachuri.dll");
        assert_eq!(p.drive(), Some('C'));
        assert_eq!(p.file_name(), Some("cachuri.dll"));
        assert_eq!(p.parent().unwrap().as_str(), r"C:\Windows\System32\inetsrv");
    }

    #[test]
    fn dot_dot_never_climbs_above_the_root() {
        assert_eq!(WinPath::parse(r"C:\..\..\Temp\x.dll").as_str(), r"C:\Temp\x.dll");
        assert_eq!(WinPath::parse("../../etc/passwd").as_str(), r"etc\passwd");
    }

    #[test]
    fn compares_case_insensitively() {
        let a = WinPath::parse(r"C:\WINDOWS\system32\InetSrv\x.dll");
        let b = WinPath::parse(r"c:\windows\System32\inetsrv");
        assert!(a.starts_with(&b));
        assert!(!b.starts_with(&a));
        assert!(!WinPath::parse(r"C:\Windows\System32\inetsrvX").starts_with(&b));
        assert_eq!(a.key(), r"c:\windows\system32\inetsrv\x.dll");
    }

    #[test]
    fn relative_paths_have_no_drive() {
        let p = WinPath::parse("results/Windows.KapeFiles.Targets.json");
        assert_eq!(p.drive(), None);
        assert_eq!(p.as_str(), r"results\Windows.KapeFiles.Targets.json");
        assert_eq!(WinPath::drive_root('c').as_str(), r"C:\");
    }
}
