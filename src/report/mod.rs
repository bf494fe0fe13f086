//! Renderers of a [`crate::scan::ScanResult`]: each turns the same result into one output format.

pub mod escape;
pub mod json;
pub mod table;
