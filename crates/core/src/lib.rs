//! # rapport-core
//!
//! Everything Rapport does, without a window: the scenario model ([`model`]), the loader
//! and validator that turn a trainer's YAML into that model or into precise diagnostics
//! ([`load`], [`diag`]), the conversation engine ([`engine`]), and the rubric scorer
//! ([`score`]).
//!
//! Rules this crate keeps, and that its callers (the `rapport` CLI, the Tauri shell, the
//! tests) rely on:
//! - No Tauri, no UI, no I/O beyond reading the files it is asked to load.
//! - Bad input is a value, never a panic: a broken file yields diagnostics with line and
//!   column, and loading goes on with the next file.
//! - Randomness and time are inputs (a seed, a [`engine::Clock`]), so the same scenario,
//!   seed and replies give the same transcript, always.
//! - Scoring is deterministic and explainable: every met criterion carries the words
//!   that matched.

pub mod app;
pub mod diag;
pub mod engine;
pub mod golden;
pub mod graph;
pub mod history;
pub mod ids;
pub mod jsonl;
pub mod load;
pub mod model;
pub mod pack;
pub mod progress;
pub mod score;
pub mod scorer;
pub mod studio;
pub mod template;
#[cfg(test)]
mod testkit;
pub mod trial;
pub(crate) mod yaml;

pub use diag::{Diagnostic, Severity};
pub use model::Scenario;
