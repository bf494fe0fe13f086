//! The one parse error: what was wrong with the bytes, and where — the same [`Position`] a warning and a
//! finding carry, so a problem found deep in a parser reaches the report with its evidence, file and place.

use super::{Position, Warning, WinPath};
use std::fmt;

/// Bytes that could not be read as what they should be. Parsers that only see bytes fill the place they know
/// (an offset, a line, a record); the caller that knows the evidence and the file adds them with
/// [`ParseError::in_file`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Where (boxed: errors travel in `Result`s, which stay small).
    pub position: Box<Position>,
    /// What was wrong, in plain words.
    pub message: String,
}

impl ParseError {
    /// A problem at a place not yet known.
    pub fn new(message: impl Into<String>) -> ParseError {
        ParseError { position: Box::default(), message: message.into() }
    }

    /// A problem at a byte offset of the file being parsed.
    pub fn at_offset(offset: u64, message: impl Into<String>) -> ParseError {
        ParseError { position: Box::new(Position::default().offset(offset)), message: message.into() }
    }

    /// A problem at a 1-based line of a text file.
    pub fn at_line(line: usize, message: impl Into<String>) -> ParseError {
        ParseError { position: Box::new(Position { line: Some(line), ..Position::default() }), message: message.into() }
    }

    /// The same problem, placed in a file of an evidence (keeping the offset, line or record already known).
    pub fn in_file(mut self, evidence: &str, file: &WinPath) -> ParseError {
        self.position.evidence = evidence.to_string();
        self.position.file = Some(file.clone());
        self
    }

    /// The warning the report gives for it.
    pub fn into_warning(self) -> Warning {
        Warning::new(*self.position, self.message)
    }
}

impl fmt::Display for ParseError {
    /// The message, then the place inside the file when one is known (`at offset 0x200`, `line 12`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        let p = &self.position;
        match (p.offset, p.line, p.record) {
            (Some(o), _, _) => write!(f, " (at offset {o:#x})"),
            (_, Some(l), _) => write!(f, " (line {l})"),
            (_, _, Some(r)) => write!(f, " (record {r})"),
            _ => Ok(()),
        }
    }
}

impl std::error::Error for ParseError {}

impl From<String> for ParseError {
    fn from(message: String) -> ParseError {
        ParseError::new(message)
    }
}

impl From<&str> for ParseError {
    fn from(message: &str) -> ParseError {
        ParseError::new(message)
    }
}

std::thread_local! {
    /// How many [`contain`] calls the current thread is inside.
    static CONTAINED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Runs a third-party parser on evidence bytes, turning a panic inside it into the panic's message. The crates
/// we build on trust lengths and offsets in places; a panic there is damage in one file, not the end of the run.
/// While inside, [`panic_is_contained`] is true, so the program's panic hook can stay quiet (the caller says it).
pub fn contain<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    CONTAINED.with(|c| c.set(c.get() + 1));
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CONTAINED.with(|c| c.set(c.get().saturating_sub(1)));
    out.map_err(|p| {
        p.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no detail".into())
    })
}

/// True while the current thread runs inside [`contain`]: a panic now is caught and reported by its caller.
pub fn panic_is_contained() -> bool {
    CONTAINED.with(|c| c.get() > 0)
}
