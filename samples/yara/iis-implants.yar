// Example rules for `inetsift scan --yara samples/yara` on the bundled sample: each names something the
// sample's planted files really hold (strings, a byte pattern, PE exports), the way a vendor's or a team's
// rules for IIS implants do.

import "pe"

rule native_module_claims_microsoft
{
    meta:
        description = "IIS native module whose version resource claims Microsoft while its export table names another DLL"
        author = "inetsift sample"
        severity = "high"
    strings:
        $company = "Microsoft Corporation" wide
        // The export directory's own name and its one export, side by side: what the mingw build wrote.
        $export_dir = { 6E 61 74 69 76 65 5F 6D 6F 64 75 6C 65 2E 64 6C 6C 00 52 65 67 69 73 74 65 72 4D 6F 64 75 6C 65 00 }
    condition:
        pe.is_dll() and pe.exports("RegisterModule") and $company and $export_dir
}

rule isapi_session_filter : isapi filter
{
    meta:
        description = "ISAPI filter describing itself as a session filter"
        severity = 70
    strings:
        $desc = "session filter" ascii
    condition:
        pe.exports("HttpFilterProc") and pe.exports("GetFilterVersion") and $desc
}

rule config_module_from_programdata : config
{
    meta:
        description = "IIS configuration loading a module image from ProgramData"
    strings:
        $image = /image="%ProgramData%\\[^"]+\.dll"/ nocase
    condition:
        $image
}
