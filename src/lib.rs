pub mod artifacts;
pub mod evidence;
pub mod model;
