//! # rapport-model
//!
//! The vocabulary every other Rapport crate speaks, and nothing else: the validated
//! scenario model ([`model`]), what a scorer is asked and what it answers ([`score`]: the
//! [`score::Scorer`] trait, [`score::ReplyInput`], the verdict types and
//! [`score::BUILTIN_CRITERIA`]), diagnostics ([`diag`]), placeholders ([`template`]), the
//! id rule ([`ids`]) and the one YAML front end with source positions ([`yaml`]).
//!
//! Rules this crate keeps:
//! - It is a leaf: it depends on no other Rapport crate. The scorer (`rapport-scorer`)
//!   and the core (`rapport-core`: loader, engine, app) depend on it, never the reverse,
//!   so there is no cycle between them.
//! - No scorer and no engine here: types, their invariants and pure functions over them.
//! - No I/O of its own: the only file it reads is one a caller names to [`yaml::read`]
//!   (with the size limit and diagnostics every YAML file gets).
//! - Bad input is a value (a [`Diagnostic`]), never a panic.

pub mod diag;
pub mod ids;
pub mod model;
pub mod score;
pub mod template;
// Shared by the loader (rapport-core) and the rubric compiler (rapport-scorer); not a
// stable interface for anyone else.
#[doc(hidden)]
pub mod yaml;

pub use diag::{Diagnostic, Severity};
pub use model::Scenario;
