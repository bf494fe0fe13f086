//! A parsed hive: keys by path, their last-write times and values, read through notatin from bytes that
//! [`super::replay`] already recovered.
//!
//! notatin is a forensic parser but keeps a few `expect()`s on paths bad bytes can reach; every call into it
//! goes through [`guard`], so a hostile hive becomes a warning, never a crash of the scan.

use crate::model::ParseError;
pub use crate::model::RegistryData as Data;
use chrono::{DateTime, Utc};
use notatin::cell_key_node::CellKeyNode;
use notatin::cell_value::CellValue;
use notatin::parser::Parser;
use notatin::parser_builder::ParserBuilder;
use serde::Serialize;
use std::io::Cursor;

/// A named value of a key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Value {
    /// Value name (empty for the default value).
    pub name: String,
    /// Its data.
    pub data: Data,
}

/// A key, without its subkeys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    /// Path below the root key, `\`-separated, as the hive spells it.
    pub path: String,
    /// Last-write time (UTC).
    pub last_written: DateTime<Utc>,
    /// Values in hive order.
    pub values: Vec<Value>,
    /// Names of the subkeys, in hive order.
    pub subkeys: Vec<String>,
    /// What the parser could not read in this key (bad cells, undecodable values).
    pub problems: Vec<String>,
}

impl Key {
    /// A value by name, case-insensitively (as Windows looks them up).
    pub fn value(&self, name: &str) -> Option<&Data> {
        self.values.iter().find(|v| v.name.eq_ignore_ascii_case(name)).map(|v| &v.data)
    }
}

/// A parsed hive.
pub struct Hive {
    parser: Parser,
    root_path: String,
    /// Damage met outside notatin: index lists made safe before parsing, loops and caps met walking.
    damage: Vec<String>,
}

/// Runs notatin code, turning a panic into an error message.
pub fn guard<T>(f: impl FnOnce() -> T) -> Result<T, ParseError> {
    crate::model::contain(f)
        .map_err(|msg| ParseError::new(format!("the registry parser failed on these bytes ({msg})")))
}

impl Hive {
    /// Parses recovered hive bytes.
    pub fn parse(mut bytes: Vec<u8>) -> Result<Hive, ParseError> {
        // notatin follows `ri` index lists recursively: one that lists itself overflows the stack, which no
        // panic guard catches. Such lists are made safe in this in-memory copy first, and said.
        let damage = super::index_lists::make_safe(&mut bytes);
        let mut parser = guard(|| ParserBuilder::from_file(Cursor::new(bytes)).build())?.map_err(|e| e.to_string())?;
        let root = guard(|| parser.get_root_key())?.map_err(|e| e.to_string())?;
        let root_path = root.map(|r| r.path).ok_or("the hive has no readable root key")?;
        Ok(Hive { parser, root_path, damage })
    }

    /// The key at `path` (below the root, `\`-separated, case-insensitive).
    pub fn key(&mut self, path: &str) -> Option<Key> {
        let parser = &mut self.parser;
        let node = guard(|| parser.get_key(path, false)).ok()?.ok()??;
        if node.cell_state.is_deleted() {
            return None;
        }
        let root_len = self.root_path.len();
        guard(|| to_key(parser, node, root_len)).ok()
    }

    /// What the parser reported about the hive as a whole (base block, hive bins). Its note that a dirty
    /// hive "requires recovery" is left out: recovery is [`super::replay`]'s job and reported there.
    pub fn problems(&self) -> Vec<String> {
        let logs = self.parser.get_parse_logs().get().cloned().unwrap_or_default();
        logs.iter()
            .filter(|l| !l.text.contains("requires recovery"))
            .map(|l| format!("{:?}: {}", l.code, l.text))
            .chain(self.damage.iter().cloned())
            .collect()
    }

    /// Names of the subkeys of `path`.
    pub fn subkeys(&mut self, path: &str) -> Vec<String> {
        self.key(path).map(|k| k.subkeys).unwrap_or_default()
    }

    /// Visits `path` and every key below it, depth-first in hive order, each key once, up to `max_keys` keys.
    /// A subkey list that points back at a key already visited (a loop) is not followed, and a walk cut by the
    /// cap or a parser failure is said in [`Hive::problems`]. Returns false when the walk was cut short.
    pub fn walk(&mut self, path: &str, max_keys: usize, visit: &mut dyn FnMut(&Key)) -> bool {
        let parser = &mut self.parser;
        let root_len = self.root_path.len();
        let Some(Some(start)) = guard(|| parser.get_key(path, false)).ok().and_then(Result::ok) else { return true };
        let mut seen = std::collections::BTreeSet::from([start.file_offset_absolute]);
        let mut stack = vec![start];
        let mut looped = None;
        let mut visited = 0;
        while let Some(node) = stack.pop() {
            visited += 1;
            if visited > max_keys {
                self.damage.push(format!(
                    "walk of {path} stopped after {max_keys} keys: keys below it were not searched for IIS extension DLLs"
                ));
                return false;
            }
            let offset = node.file_offset_absolute;
            let Ok((key, children)) = guard(|| to_key_and_children(parser, node, root_len)) else {
                self.damage.push(format!(
                    "the key at hive offset {offset:#x} below {path} could not be read; the walk stopped there"
                ));
                return false;
            };
            visit(&key);
            for child in children.into_iter().rev() {
                if seen.insert(child.file_offset_absolute) {
                    stack.push(child);
                } else if looped.is_none() {
                    looped = Some(format!(
                        "a subkey list of {} points back at a key already read (hive offset {:#x}): a loop Windows never writes; not followed",
                        key.path, child.file_offset_absolute
                    ));
                }
            }
        }
        self.damage.extend(looped);
        true
    }
}

fn to_key(parser: &mut Parser, node: CellKeyNode, root_len: usize) -> Key {
    to_key_and_children(parser, node, root_len).0
}

fn to_key_and_children(parser: &mut Parser, mut node: CellKeyNode, root_len: usize) -> (Key, Vec<CellKeyNode>) {
    let path = node.path.get(root_len..).unwrap_or("").trim_start_matches('\\').to_string();
    let values = node
        .value_iter()
        .filter(|v| !v.cell_state.is_deleted())
        .map(|v| Value { name: v.get_pretty_name(), data: convert(v.get_content().0) })
        .collect();
    let children: Vec<CellKeyNode> =
        node.read_sub_keys(parser).into_iter().filter(|k| !k.cell_state.is_deleted()).collect();
    let subkeys = children.iter().map(|k| k.key_name.clone()).collect();
    let problems =
        node.logs.get().map(|l| l.iter().map(|l| format!("{:?}: {}", l.code, l.text)).collect()).unwrap_or_default();
    (Key { path, last_written: node.last_key_written_date_and_time(), values, subkeys, problems }, children)
}

fn convert(v: CellValue) -> Data {
    match v {
        CellValue::None => Data::None,
        CellValue::Binary(b) => Data::Binary(b),
        CellValue::String(s) => Data::String(s),
        CellValue::MultiString(v) => Data::MultiString(v),
        CellValue::U32(n) => Data::Dword(n),
        CellValue::I32(n) => Data::Dword(n as u32),
        CellValue::U64(n) => Data::Qword(n),
        CellValue::I64(n) => Data::Qword(n as u64),
        CellValue::Error => Data::Unreadable,
    }
}
