//! A streaming walk over an XML configuration file that tolerates the damage real evidence has: a BOM or
//! UTF-16, mismatched end tags, truncation. Elements are handed to a visitor as they are read, with their
//! line and the names of their ancestors.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// One element as the visitor sees it.
pub struct Element<'a> {
    /// Names from the document root down to this element, inclusive.
    pub names: &'a [String],
    /// Attributes, unescaped, in document order.
    pub attrs: Vec<(String, String)>,
    /// 1-based line of the element's `<`.
    pub line: usize,
}

impl Element<'_> {
    /// The element's own name.
    pub fn name(&self) -> &str {
        self.names.last().map(String::as_str).unwrap_or("")
    }

    /// An attribute value by name (case-sensitive, as IIS reads it).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// A problem found while reading, with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlProblem {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// A configuration file's text and what could not be decoded.
pub struct Decoded {
    /// The text, with U+FFFD where the bytes were not valid in the file's encoding.
    pub text: String,
    /// The encoding read: `UTF-8`, `UTF-16LE` or `UTF-16BE`.
    pub encoding: &'static str,
    /// How many invalid sequences (bytes of UTF-8, unpaired surrogates of UTF-16) were replaced.
    pub invalid: usize,
    /// Byte offset in the file of the first of them.
    pub first_invalid: Option<u64>,
}

/// Decodes the file's bytes to text: UTF-8 (BOM or not) or UTF-16 with a BOM, as Windows writes configs.
/// Invalid sequences are replaced and counted, never dropped silently.
pub fn decode(bytes: &[u8]) -> Decoded {
    let mut out = Decoded { text: String::new(), encoding: "UTF-8", invalid: 0, first_invalid: None };
    let utf16 = |rest: &[u8], le: bool, out: &mut Decoded| {
        let units = rest
            .chunks_exact(2)
            .map(|c| if le { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) });
        let mut at = 2u64;
        out.text.reserve(rest.len() / 2);
        for r in char::decode_utf16(units) {
            match r {
                Ok(c) => {
                    at += c.len_utf16() as u64 * 2;
                    out.text.push(c);
                }
                Err(_) => {
                    out.invalid += 1;
                    out.first_invalid.get_or_insert(at);
                    at += 2;
                    out.text.push(char::REPLACEMENT_CHARACTER);
                }
            }
        }
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        out.encoding = "UTF-16LE";
        utf16(rest, true, &mut out);
        return out;
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        out.encoding = "UTF-16BE";
        utf16(rest, false, &mut out);
        return out;
    }
    let (rest, mut at) = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => (rest, 3u64),
        None => (bytes, 0),
    };
    out.text.reserve(rest.len());
    for chunk in rest.utf8_chunks() {
        out.text.push_str(chunk.valid());
        at += chunk.valid().len() as u64;
        if !chunk.invalid().is_empty() {
            out.invalid += 1;
            out.first_invalid.get_or_insert(at);
            at += chunk.invalid().len() as u64;
            out.text.push(char::REPLACEMENT_CHARACTER);
        }
    }
    out
}

/// [`decode`]'s text alone.
pub fn decode_text(bytes: &[u8]) -> String {
    decode(bytes).text
}

/// Deepest element nesting read. Real IIS configuration is about a dozen levels deep; past this a file is
/// hostile or broken, and every deeper level would make each element's path longer (quadratic work).
pub const MAX_DEPTH: usize = 256;

/// Walks `text`, calling `visit` for every start or empty element. Returns the problems met; on a syntax error
/// the walk stops there, and everything visited before it stands.
pub fn walk(text: &str, visit: &mut dyn FnMut(&Element)) -> Vec<XmlProblem> {
    let newlines: Vec<usize> = text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i).collect();
    let line_of = |pos: usize| newlines.partition_point(|&nl| nl < pos) + 1;

    let mut reader = Reader::from_str(text);
    // End names are checked here rather than by quick-xml, so a stray tag is reported and the walk goes on.
    reader.config_mut().check_end_names = false;
    let mut problems = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut opened_at: Vec<usize> = Vec::new();
    loop {
        let event = reader.read_event();
        let end = reader.buffer_position() as usize;
        match event {
            Ok(Event::Start(e)) if names.len() >= MAX_DEPTH => {
                problems.push(XmlProblem {
                    line: line_of(end.saturating_sub(e.len() + 2)),
                    message: format!(
                        "elements nested more than {MAX_DEPTH} levels deep: reading stopped here (IIS configuration is never this deep)"
                    ),
                });
                break;
            }
            Ok(Event::Start(e)) => {
                let line = line_of(end.saturating_sub(e.len() + 2));
                names.push(tag_name(&e));
                opened_at.push(line);
                let attrs = attributes(&e, line, &mut problems);
                visit(&Element { names: &names, attrs, line });
            }
            Ok(Event::Empty(e)) => {
                let line = line_of(end.saturating_sub(e.len() + 3));
                names.push(tag_name(&e));
                let attrs = attributes(&e, line, &mut problems);
                visit(&Element { names: &names, attrs, line });
                names.pop();
            }
            Ok(Event::End(e)) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let line = line_of(end.saturating_sub(e.len() + 3));
                match names.iter().rposition(|n| *n == name) {
                    Some(i) if i + 1 == names.len() => {
                        names.pop();
                        opened_at.pop();
                    }
                    Some(i) => {
                        let unclosed = &names[i + 1..];
                        problems.push(XmlProblem {
                            line,
                            message: format!(
                                "</{name}> closes <{name}> while <{}> (line {}) is still open; IIS rejects this file",
                                unclosed.join("><"),
                                opened_at[i + 1]
                            ),
                        });
                        names.truncate(i);
                        opened_at.truncate(i);
                    }
                    None => problems.push(XmlProblem {
                        line,
                        message: format!("</{name}> has no matching start tag; IIS rejects this file"),
                    }),
                }
            }
            Ok(Event::Eof) => {
                if let (Some(name), Some(line)) = (names.last(), opened_at.last()) {
                    problems.push(XmlProblem {
                        line: line_of(text.len()),
                        message: format!("file ends inside <{name}> opened at line {line}: truncated or incomplete"),
                    });
                }
                break;
            }
            Ok(_) => {}
            Err(e) => {
                problems.push(XmlProblem {
                    line: line_of(reader.error_position() as usize),
                    message: format!("malformed XML, reading stopped here: {e}"),
                });
                break;
            }
        }
    }
    problems
}

fn tag_name(e: &BytesStart) -> String {
    String::from_utf8_lossy(e.name().as_ref()).into_owned()
}

fn attributes(e: &BytesStart, line: usize, problems: &mut Vec<XmlProblem>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for a in e.attributes().with_checks(false) {
        match a {
            Ok(a) => {
                let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
                let value = match a.unescape_value() {
                    Ok(v) => v.into_owned(),
                    Err(_) => String::from_utf8_lossy(&a.value).into_owned(),
                };
                out.push((key, value));
            }
            Err(err) => {
                problems.push(XmlProblem { line, message: format!("bad attribute in <{}>: {err}", tag_name(e)) });
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(text: &str) -> (Vec<(String, usize)>, Vec<XmlProblem>) {
        let mut seen = Vec::new();
        let problems = walk(text, &mut |e| seen.push((e.names.join("/"), e.line)));
        (seen, problems)
    }

    #[test]
    fn reports_lines_and_paths() {
        let (seen, problems) = collect("<a>\n  <b x=\"1\"/>\n  <c>\n    <d/>\n  </c>\n</a>\n");
        assert!(problems.is_empty());
        assert_eq!(seen, vec![("a".into(), 1), ("a/b".into(), 2), ("a/c".into(), 3), ("a/c/d".into(), 4)]);
    }

    #[test]
    fn recovers_from_a_stray_start_tag() {
        let (seen, problems) = collect("<a>\n<b>\n<x>\n</b>\n<c/>\n</a>");
        assert_eq!(seen.last().unwrap(), &("a/c".to_string(), 5));
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 4);
        assert!(problems[0].message.contains("<x> (line 3)"));
    }

    #[test]
    fn nesting_past_the_limit_stops_with_a_problem_and_keeps_what_was_read() {
        let deep = format!("<a>\n<b/>\n{}{}</a>", "<x>".repeat(60_000), "</x>".repeat(60_000));
        let (seen, problems) = collect(&deep);
        assert_eq!(seen.len(), MAX_DEPTH + 1, "a, b and the x elements up to the limit");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 3);
        assert!(problems[0].message.starts_with("elements nested more than 256 levels deep"));
    }

    #[test]
    fn truncation_keeps_what_was_read() {
        let (seen, problems) = collect("<a>\n<b n=\"1\"/>\n<c n=\"2");
        assert_eq!(seen.len(), 2);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 3);
    }

    #[test]
    fn decodes_utf16_and_bom() {
        let mut b = vec![0xFF, 0xFE];
        for u in "<a/>".encode_utf16() {
            b.extend(u.to_le_bytes());
        }
        assert_eq!(decode_text(&b), "<a/>");
        assert_eq!(decode_text(b"\xEF\xBB\xBF<a/>"), "<a/>");
    }

    #[test]
    fn invalid_sequences_are_replaced_counted_and_placed() {
        let d = decode(b"\xEF\xBB\xBF<a n=\"x\xFF\xFEy\"/>\xC3");
        assert_eq!(
            (d.text.as_str(), d.invalid, d.first_invalid),
            ("<a n=\"x\u{FFFD}\u{FFFD}y\"/>\u{FFFD}", 3, Some(10))
        );
        let mut b = vec![0xFF, 0xFE];
        for u in [u16::from(b'<'), 0xD800, u16::from(b'a'), u16::from(b'/'), u16::from(b'>')] {
            b.extend(u.to_le_bytes());
        }
        let d = decode(&b);
        assert_eq!((d.text.as_str(), d.encoding, d.invalid, d.first_invalid), ("<\u{FFFD}a/>", "UTF-16LE", 1, Some(4)));
    }
}
