//! How a collection lays out the drives it copied: a volume root, KAPE/CyLR drive folders, or Velociraptor's
//! URL-encoded `uploads/<accessor>/<device>` tree.

use super::path::{WinPath, eq_fold};
use percent_encoding::percent_decode_str;

/// The layout of a folder or zip, detected from its top-level names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    /// The tree is one volume, mounted or copied: `Windows\System32\...` at the top. The drive is `C` unless the
    /// folder itself is named after a drive (`D`, `D$`).
    VolumeRoot(char),
    /// One folder per drive at the top: KAPE (`C\Windows\...`), CyLR (`C/...`), copied admin shares (`C$`).
    DriveFolders,
    /// A Velociraptor collection: `uploads/auto/C%3A/...`, `uploads/ntfs/%5C%5C.%5CC%3A/...`, names URL-encoded.
    Velociraptor,
    /// None of the above: paths stay relative to the evidence root.
    Flat,
}

impl Layout {
    /// The name used in reports.
    pub fn name(&self) -> &'static str {
        match self {
            Layout::VolumeRoot(_) => "volume_root",
            Layout::DriveFolders => "drive_folders",
            Layout::Velociraptor => "velociraptor",
            Layout::Flat => "flat",
        }
    }

    /// Detects the layout from the names at the top of the tree. `own_name` is the name of the folder itself
    /// (a folder called `C$` or `D` holding `Windows` is that drive).
    pub fn detect<'a>(top: impl IntoIterator<Item = (&'a str, bool)>, own_name: Option<&str>) -> Layout {
        let mut volume = false;
        let mut drives = false;
        let mut uploads = false;
        for (name, is_dir) in top {
            if is_dir && eq_fold(name, "uploads") {
                uploads = true;
            }
            if VOLUME_MARKERS.iter().any(|m| eq_fold(m, name)) {
                volume = true;
            }
            if is_dir && drive_folder(name).is_some() {
                drives = true;
            }
        }
        if uploads {
            Layout::Velociraptor
        } else if volume {
            Layout::VolumeRoot(own_name.and_then(drive_folder).unwrap_or('C'))
        } else if drives {
            Layout::DriveFolders
        } else {
            Layout::Flat
        }
    }

    /// Maps the raw components of a path relative to the tree's top to the Windows path it stands for.
    pub fn map(&self, raw: &[&str]) -> WinPath {
        match self {
            Layout::VolumeRoot(d) => WinPath::from_parts(Some(*d), raw),
            Layout::DriveFolders => match raw.split_first() {
                Some((first, rest)) => match drive_folder(first) {
                    Some(d) => WinPath::from_parts(Some(d), rest),
                    None => WinPath::from_parts(None, raw),
                },
                None => WinPath::from_parts::<&str>(None, &[]),
            },
            Layout::Velociraptor => {
                let decoded: Vec<String> = raw.iter().map(|c| decode_component(c)).collect();
                if decoded.len() >= 3
                    && eq_fold(&decoded[0], "uploads")
                    && let Some(d) = device_drive(&decoded[2])
                {
                    return WinPath::from_parts(Some(d), &decoded[3..]);
                }
                WinPath::from_parts(None, &decoded)
            }
            Layout::Flat => WinPath::from_parts(None, raw),
        }
    }

    /// Whether names in this layout are URL-encoded (only Velociraptor's are: elsewhere a `%4` in
    /// `Microsoft-Windows-PowerShell%4Admin.evtx` is part of the real name).
    pub fn encodes_names(&self) -> bool {
        matches!(self, Layout::Velociraptor)
    }
}

/// Top-level names that only a Windows volume has.
const VOLUME_MARKERS: &[&str] = &["Windows", "inetpub", "Program Files", "Users", "$MFT", "ProgramData"];

/// `C`, `c`, `C$` → `C`.
fn drive_folder(name: &str) -> Option<char> {
    let b = name.as_bytes();
    match b {
        [l] | [l, b'$'] if l.is_ascii_alphabetic() => Some(l.to_ascii_uppercase() as char),
        _ => None,
    }
}

/// `C:`, `\\.\C:`, `\\?\C:` → `C`. Shadow-copy devices and the like have no drive.
fn device_drive(device: &str) -> Option<char> {
    let d = device.trim_start_matches(['\\', '.', '?']);
    let b = d.as_bytes();
    (b.len() == 2 && b[1] == b':' && b[0].is_ascii_alphabetic()).then(|| b[0].to_ascii_uppercase() as char)
}

/// Decodes one Velociraptor path component (`C%3A` → `C:`, `$UsnJrnl%3A$J` → `$UsnJrnl:$J`). Invalid UTF-8
/// after decoding is kept lossily rather than dropped: a name is evidence even when it is odd.
pub fn decode_component(c: &str) -> String {
    percent_decode_str(c).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn velociraptor_devices_map_to_drives() {
        let l = Layout::Velociraptor;
        let p = l.map(&["uploads", "auto", "C%3A", "Users", "Administrator", "ntuser.dat"]);
        assert_eq!(p.as_str(), r"C:\Users\Administrator\ntuser.dat");
        let p = l.map(&["uploads", "ntfs", "%5C%5C.%5CC%3A", "$Extend", "$UsnJrnl%3A$J"]);
        assert_eq!(p.as_str(), r"C:\$Extend\$UsnJrnl:$J");
        assert_eq!(l.map(&["results", "a%2Fb.json"]).as_str(), r"results\a/b.json");
    }

    #[test]
    fn detects_layouts() {
        assert_eq!(Layout::detect([("Windows", true), ("pagefile.sys", false)], None), Layout::VolumeRoot('C'));
        assert_eq!(Layout::detect([("Windows", true)], Some("D$")), Layout::VolumeRoot('D'));
        assert_eq!(Layout::detect([("C", true), ("D", true)], None), Layout::DriveFolders);
        assert_eq!(Layout::detect([("uploads", true), ("log.json", false)], None), Layout::Velociraptor);
        assert_eq!(Layout::detect([("notes.txt", false)], None), Layout::Flat);
    }

    #[test]
    fn kape_names_are_not_url_decoded() {
        let p = Layout::DriveFolders.map(&["C", "Windows", "Microsoft-Windows-PowerShell%4Admin.evtx"]);
        assert_eq!(p.as_str(), r"C:\Windows\Microsoft-Windows-PowerShell%4Admin.evtx");
    }
}
