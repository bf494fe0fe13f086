//! From facts to findings: the fusion stage joins what the collectors read, the baseline places each component,
//! the rules say what does not belong.
//!
//! [`fuse::fuse`] → [`rules::evaluate`] → [`lifecycle::lifecycles`] and [`verdict::verdicts`]. The analysis sees model facts only, never a parser's own types.

pub mod baseline;
pub mod classify;
pub mod fleet;
pub mod fuse;
pub mod lifecycle;
pub mod link;
pub mod rules;
pub mod similarity;
pub mod timeline;
pub mod verdict;
