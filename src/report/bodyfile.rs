//! NTFS times as a Sleuth Kit bodyfile (3.x: `MD5|name|inode|mode|UID|GID|size|atime|mtime|ctime|crtime`, times
//! in whole seconds since 1970), for `mactime -b`: one line for each file read from NTFS with its
//! `$STANDARD_INFORMATION` times, and one for its `$FILE_NAME` times (named `... ($FILE_NAME)`, as fls does).

use crate::model::{NtfsTimes, ScanResult, Timestamp};
use std::io::{self, Write};

/// The bodyfile printer.
pub struct Bodyfile;

impl super::Printer for Bodyfile {
    fn print(&self, result: &ScanResult, out: &mut dyn Write) -> io::Result<()> {
        for f in &result.coverage.files_read {
            let Some(n) = &f.ntfs else { continue };
            // `|` separates fields: a name holding one keeps its place with `_`.
            let name = format!("{}:{}", f.evidence, f.path).replace('|', "_");
            let inode = format!("{}-{}", n.mft_entry, n.sequence);
            line(out, &name, &inode, f.size, &n.standard_information)?;
            if let Some(fname) = n.primary_name() {
                line(out, &format!("{name} ($FILE_NAME)"), &inode, f.size, &fname.times)?;
            }
        }
        Ok(())
    }
}

fn line(out: &mut dyn Write, name: &str, inode: &str, size: u64, t: &NtfsTimes) -> io::Result<()> {
    let secs = |ft: u64| Timestamp::from_filetime(ft).map(|t| t.unix_seconds().max(0)).unwrap_or(0);
    // raw: created, modified, MFT modified, accessed; the bodyfile wants atime, mtime, ctime (MFT change), crtime.
    writeln!(
        out,
        "0|{name}|{inode}|r/rrwxrwxrwx|0|0|{size}|{}|{}|{}|{}",
        secs(t.raw[3]),
        secs(t.raw[1]),
        secs(t.raw[2]),
        secs(t.raw[0])
    )
}
