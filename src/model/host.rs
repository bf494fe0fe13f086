//! Windows environment variables as IIS expands them in `image=`, `path=`, `scriptProcessor=` and
//! `physicalPath=`, and the step from such a string to a file path.

use super::WinPath;

/// The values used to expand `%VAR%` references. Defaults are those of a standard Windows Server install on
/// `C:`; the registry issue feeds the host's own values when its hives are in the evidence.
#[derive(Clone, Debug)]
pub struct WinEnv {
    vars: Vec<(String, String)>,
}

impl Default for WinEnv {
    fn default() -> Self {
        Self::for_system_root(r"C:\Windows")
    }
}

impl WinEnv {
    /// The standard variables for a Windows folder (`C:\Windows`) on its system drive.
    pub fn for_system_root(system_root: &str) -> WinEnv {
        let drive = system_root.get(..2).unwrap_or("C:").to_string();
        let vars = [
            ("SystemRoot", system_root.to_string()),
            ("windir", system_root.to_string()),
            ("SystemDrive", drive.clone()),
            ("ProgramFiles", format!(r"{drive}\Program Files")),
            ("ProgramFiles(x86)", format!(r"{drive}\Program Files (x86)")),
            ("ProgramW6432", format!(r"{drive}\Program Files")),
            ("CommonProgramFiles", format!(r"{drive}\Program Files\Common Files")),
            ("CommonProgramFiles(x86)", format!(r"{drive}\Program Files (x86)\Common Files")),
            ("ProgramData", format!(r"{drive}\ProgramData")),
            ("ALLUSERSPROFILE", format!(r"{drive}\ProgramData")),
            ("PUBLIC", format!(r"{drive}\Users\Public")),
            ("IIS_BIN", format!(r"{system_root}\System32\inetsrv")),
            ("IIS_USER_HOME", format!(r"{drive}\inetpub\wwwroot")),
            ("IIS_SITES_HOME", format!(r"{drive}\inetpub\wwwroot")),
            ("TEMP", format!(r"{system_root}\Temp")),
            ("TMP", format!(r"{system_root}\Temp")),
        ];
        WinEnv { vars: vars.into_iter().map(|(k, v)| (k.to_string(), v)).collect() }
    }

    /// Sets (or overrides) a variable.
    pub fn set(&mut self, name: &str, value: &str) {
        self.vars.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.vars.push((name.to_string(), value.to_string()));
    }

    /// Expands `%VAR%` references case-insensitively. Unknown variables are left as written and returned in
    /// the second value, so the caller can say the path could not be resolved.
    pub fn expand(&self, s: &str) -> (String, Vec<String>) {
        let mut out = String::with_capacity(s.len());
        let mut unknown = Vec::new();
        let mut rest = s;
        while let Some(start) = rest.find('%') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            match after.find('%') {
                Some(end) => {
                    let name = &after[..end];
                    match self.vars.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)) {
                        Some((_, v)) => out.push_str(v),
                        None => {
                            out.push('%');
                            out.push_str(name);
                            out.push('%');
                            if !name.is_empty() {
                                unknown.push(name.to_string());
                            }
                        }
                    }
                    rest = &after[end + 1..];
                }
                None => {
                    out.push_str(&rest[start..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        (out, unknown)
    }

    /// Resolves a binary reference to an absolute path: expands variables, drops surrounding quotes and
    /// command-line arguments (`"C:\php\php-cgi.exe" -c x`, `php-cgi.exe|-d x`). `None` when the result is not
    /// absolute (relative names, unknown variables).
    pub fn resolve_binary(&self, raw: &str) -> Option<WinPath> {
        // Arguments first: `perl.exe %s %s` must not be read as a variable named `s `.
        let (expanded, unknown) = self.expand(strip_arguments(raw));
        if !unknown.is_empty() {
            return None;
        }
        let p = WinPath::parse(&expanded);
        p.is_absolute().then_some(p)
    }

    /// Resolves a folder reference (`physicalPath`).
    pub fn resolve_folder(&self, raw: &str) -> Option<WinPath> {
        let (expanded, unknown) = self.expand(raw.trim());
        let p = WinPath::parse(expanded.trim_matches('"'));
        (unknown.is_empty() && p.is_absolute()).then_some(p)
    }
}

/// The program part of a command line: the quoted part, else up to the first `|` (FastCGI arguments) or up to
/// the end of the first `.exe`/`.dll` followed by a space.
fn strip_arguments(cmd: &str) -> &str {
    let cmd = cmd.trim();
    if let Some(rest) = cmd.strip_prefix('"') {
        return rest.split('"').next().unwrap_or(rest);
    }
    let cmd = cmd.split('|').next().unwrap_or(cmd).trim();
    let lower = cmd.to_ascii_lowercase();
    for ext in [".exe ", ".dll "] {
        if let Some(i) = lower.find(ext) {
            return &cmd[..i + ext.len() - 1];
        }
    }
    cmd
}

/// Path fragments of places any user or the web application itself can write to. A component loaded from
/// there is what web shells and droppers leave behind.
pub const USER_WRITABLE: &[&str] = &[
    r"\Users\",
    r"\ProgramData\",
    r"\Temp\",
    r"\Tmp\",
    r"\AppData\",
    r"\inetpub\wwwroot\",
    r"\inetpub\temp\",
    r"\Windows\Tasks\",
    r"\Windows\tracing\",
    r"\Windows\debug\",
    r"\$Recycle.Bin\",
    r"\PerfLogs\",
    r"\Temporary ASP.NET Files\",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_known_variables_in_any_case() {
        let env = WinEnv::default();
        assert_eq!(env.expand(r"%WinDir%\System32\inetsrv\x.dll").0, r"C:\Windows\System32\inetsrv\x.dll");
        assert_eq!(env.expand(r"%SYSTEMDRIVE%\inetpub").0, r"C:\inetpub");
        assert_eq!(env.expand(r"%ProgramFiles(x86)%\a").0, r"C:\Program Files (x86)\a");
        assert_eq!(env.expand(r"%IIS_BIN%\rewrite.dll").0, r"C:\Windows\System32\inetsrv\rewrite.dll");
        let (s, unknown) = env.expand(r"%NOPE%\x.dll");
        assert_eq!(s, r"%NOPE%\x.dll");
        assert_eq!(unknown, vec!["NOPE".to_string()]);
    }

    #[test]
    fn resolves_command_lines_to_binaries() {
        let env = WinEnv::default();
        let r = |s| env.resolve_binary(s).map(|p| p.to_string());
        assert_eq!(
            r(r#""C:\Program Files\PHP\php-cgi.exe" -c x"#).as_deref(),
            Some(r"C:\Program Files\PHP\php-cgi.exe")
        );
        assert_eq!(r(r"C:\php\php-cgi.exe|-d open_basedir=C:\").as_deref(), Some(r"C:\php\php-cgi.exe"));
        assert_eq!(r(r"C:\perl\bin\perl.exe %s %s").as_deref(), Some(r"C:\perl\bin\perl.exe"));
        assert_eq!(r(r"%windir%\system32\inetsrv\..\..\Temp\x.dll").as_deref(), Some(r"C:\Windows\Temp\x.dll"));
        assert_eq!(r("evil.dll"), None);
    }
}
