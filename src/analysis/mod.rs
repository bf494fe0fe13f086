//! From facts to findings: the baseline comparison and the rules that say what does not belong.

pub mod baseline;
pub mod events;
pub mod ntfs;
pub mod rules;
pub mod similarity;
