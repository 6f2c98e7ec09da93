//! # rapport-core
//!
//! Everything Rapport does, without a window: the loader and validator that turn a
//! trainer's YAML into the scenario model or into precise diagnostics ([`load`]), the
//! conversation engine ([`engine`]), packs, progress and the [`app`] facade the CLI and
//! the Tauri shell drive.
//!
//! Three crates make the core, each depending only on the ones above it:
//! - `rapport-model` (re-exported here as [`model`], [`score`], [`diag`], [`template`],
//!   [`ids`]): the shared vocabulary: the scenario model, the [`score::Scorer`] contract
//!   and its verdict types, diagnostics, placeholders, ids, the YAML front end. A leaf.
//! - `rapport-scorer` (re-exported as [`scorer`]): the rubric scorer, its stages and its
//!   model artifacts (`crates/scorer/model/`). Depends on rapport-model only.
//! - `rapport-core` (this crate): loader, engine, app; scores through the
//!   [`score::Scorer`] trait and builds the scorer a pack asks for.
//!
//! Every path that named these modules before the split (`rapport_core::model::...`,
//! `rapport_core::scorer::RubricScorer`, ...) still works through the re-exports.
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

pub(crate) use rapport_model::yaml;
pub use rapport_model::{diag, ids, model, score, template};
pub use rapport_scorer as scorer;

pub mod app;
pub mod engine;
pub mod golden;
pub mod graph;
pub mod history;
pub mod jsonl;
pub mod load;
pub mod pack;
pub mod progress;
pub mod studio;
#[cfg(test)]
mod testkit;
pub mod trial;

pub use diag::{Diagnostic, Severity};
pub use model::Scenario;
