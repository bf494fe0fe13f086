//! Registry hives: SYSTEM and SOFTWARE, dirty ones replayed from their transaction logs, and the IIS facts
//! they hold with their keys' last-write times.

pub mod base_block;
pub mod hive;
pub mod marvin32;
pub mod replay;
