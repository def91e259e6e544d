//! The opendevbrowser CLI and daemon (module map is written by the CLI work).

pub mod launcher;
