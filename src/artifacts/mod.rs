//! Collectors: one module per kind of artifact. Each turns evidence into model facts with their positions;
//! none of them decides what is suspicious.
//!
//! A scan reads the host first ([`registry::host_stage`]: the hives say what the host is, and every other
//! collector resolves paths with that), then runs [`COLLECTORS`] in order over each piece of evidence. A new
//! collector is one module with a [`Collector`] and one line in [`COLLECTORS`].

pub mod authenticode;
pub mod binaries;
pub mod evtx;
pub mod history;
pub mod iis_config;
pub mod pe;
pub mod registry;
pub mod usn;
pub mod yara;

use crate::evidence::Evidence;
use crate::model::{Facts, HostContext};
use authenticode::trust::TrustSet;

/// What every collector is given besides the evidence: the host, and the analyst's options that change what
/// is read.
pub struct Context<'a> {
    /// The host the evidence comes from.
    pub host: &'a HostContext,
    /// Roots the analyst trusts (`--trust`), besides Microsoft's program and the host's own stores.
    pub user_trust: &'a [TrustSet],
    /// "Now" for signatures without a trustworthy countersignature (seconds since 1970).
    pub now: i64,
    /// The analyst's YARA rules (`--yara`), when given.
    pub yara: Option<&'a yara::Rules>,
}

/// Reads one kind of artifact from one piece of evidence into facts. Collectors run in the order of
/// [`COLLECTORS`] and may use what earlier ones put in `facts` (the binaries collector reads the DLLs the
/// configuration's components reference).
pub trait Collector: Sync {
    /// What it reads, for the progress display.
    fn name(&self) -> &'static str;
    /// Reads its artifacts from `ev`, appending to `facts`.
    fn collect(&self, ev: &Evidence, ctx: &Context, facts: &mut Facts);
}

/// Every collector after the host stage, in the order they run.
pub const COLLECTORS: &[&dyn Collector] = &[
    &iis_config::ConfigCollector,
    &history::HistoryCollector,
    &usn::JournalCollector,
    &evtx::EventLogCollector,
    &binaries::BinaryCollector,
    &yara::YaraCollector,
];
