//! Escaping of attacker-controlled text (module names, paths, type strings, event data) for each output: the
//! terminal, CSV cells and HTML.

/// Makes a string safe to print on a terminal: control characters (C0, DEL, C1) and bidirectional overrides,
/// which can hide or reorder text, are shown as `\u{..}` escapes instead of being interpreted.
pub fn terminal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        let cp = ch as u32;
        let dangerous =
            ch.is_control() || matches!(cp, 0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069 | 0x061C | 0xFEFF);
        if dangerous {
            out.push_str(&format!("\\u{{{cp:x}}}"));
        } else {
            out.push(ch);
        }
    }
    out
}

/// One CSV cell (RFC 4180) that a spreadsheet will not execute: a leading `=`, `+`, `-`, `@`, tab or carriage
/// return (a formula to Excel, LibreOffice and Timeline Explorer's export) is made text with a leading `'`; quotes
/// are doubled and the cell quoted when it holds a comma, quote or line break.
pub fn csv_cell(s: &str) -> String {
    let inert = match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    };
    if inert.contains([',', '"', '\n', '\r']) { format!("\"{}\"", inert.replace('"', "\"\"")) } else { inert }
}

/// Text for an HTML element or a quoted attribute: `&`, `<`, `>`, `"` and `'` become character references, and
/// control characters and bidirectional overrides are shown as `\u{..}` escapes (as on the terminal), so no
/// markup and no hidden text from the evidence reaches the page.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in terminal(s).chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::terminal;

    #[test]
    fn escapes_controls_and_bidi_overrides() {
        assert_eq!(terminal("evil\x1b[2Jmod"), "evil\\u{1b}[2Jmod");
        assert_eq!(terminal("a\u{202e}lld.exe"), "a\\u{202e}lld.exe");
        assert_eq!(terminal("line\nbreak"), "line\\u{a}break");
        assert_eq!(terminal(r"C:\Windows\System32\inetsrv\cachuri.dll"), r"C:\Windows\System32\inetsrv\cachuri.dll");
    }

    #[test]
    fn html_text_carries_no_markup() {
        assert_eq!(super::html("<script>alert('x')</script>"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
        assert_eq!(super::html("a\" onmouseover=\"x"), "a&quot; onmouseover=&quot;x");
        assert_eq!(super::html("\x1b[31mred"), "\\u{1b}[31mred");
    }

    #[test]
    fn csv_cells_are_inert_and_quoted() {
        assert_eq!(super::csv_cell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        assert_eq!(super::csv_cell("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
        assert_eq!(super::csv_cell("a,b"), "\"a,b\"");
        assert_eq!(super::csv_cell("plain"), "plain");
        assert_eq!(super::csv_cell("-1"), "'-1");
    }
}
