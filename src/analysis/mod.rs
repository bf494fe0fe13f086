//! From facts to findings: the fusion stage joins what the collectors read, the baseline places each component,
//! the rules say what does not belong.
//!
//! [`fuse::fuse`] → [`rules::evaluate`]. The analysis sees model facts only, never a parser's own types.

pub mod baseline;
pub mod classify;
pub mod fuse;
pub mod link;
pub mod rules;
pub mod similarity;
pub mod timeline;
