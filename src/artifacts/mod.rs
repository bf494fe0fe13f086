//! Artifact parsers: one module per kind of artifact. Each takes evidence and returns typed facts with their
//! provenance; none of them decides what is suspicious.

pub mod authenticode;
pub mod binaries;
pub mod evtx;
pub mod iis_config;
pub mod pe;
pub mod registry;
pub mod usn;
