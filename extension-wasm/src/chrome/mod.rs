//! `extern "C"` bindings to `chrome.*`, one file per namespace, using the Promise-returning forms.
//! Invariant: only this module names `chrome.*` (the shims aside).

pub mod action;
pub mod alarms;
pub mod debugger;
pub mod native;
pub mod runtime;
pub mod storage;
pub mod tabs;
pub mod windows;
