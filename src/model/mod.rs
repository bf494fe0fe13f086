//! The vocabulary every layer speaks: evidence descriptors, components, facts with their positions, findings,
//! warnings and the result document. It imports nothing else of the crate; every type that crosses a layer
//! lives here, so collectors, the analysis and the printers agree on one set of words.

#[macro_use]
mod names;

pub mod binary;
pub mod component;
pub mod config;
pub mod error;
pub mod events;
pub mod evidence;
pub mod facts;
pub mod finding;
pub mod fleet;
pub mod history;
pub mod host;
pub mod lifecycle;
pub mod path;
pub mod position;
pub mod registry;
pub mod result;
pub mod run;
pub mod time;
pub mod yara;

pub use binary::*;
pub use component::*;
pub use config::*;
pub use error::*;
pub use events::*;
pub use evidence::*;
pub use facts::*;
pub use finding::*;
pub use fleet::*;
pub use history::*;
pub use host::*;
pub use lifecycle::*;
pub use path::*;
pub use position::*;
pub use registry::*;
pub use result::*;
pub use run::*;
pub use time::*;
pub use yara::*;
