//! The TypeScript side of the IPC contract, generated from the Rust types with ts-rs.
//!
//! `ui/src/ipc/bindings.ts` is committed so the UI builds without Rust; the test below
//! fails when it no longer matches these types (run it with `UPDATE_BINDINGS=1` to
//! rewrite the file), which is how `make test` catches drift.

use rapport_core::app::{
    AttemptStatus, CustomerCard, Definition, EndingView, Fact, HistoryEntry, LibraryView,
    LoadError, PackGroup, SessionView,
};
use rapport_core::diag::{Diagnostic, Severity};
use rapport_core::engine::{Debrief, DebriefTurn, Decision, Event, EventKind, Rule};
use rapport_core::model::{Channel, Language, Meta, Outcome, Track, VariantCard};
use rapport_core::pack::PackInfo;
use rapport_core::progress::{CriterionRate, ProgressPoint, ProgressView, Suggestion};
use rapport_core::score::{CriterionResult, Evidence, ReplyScore, RubricId, Scores};
use rapport_core::studio::{
    GraphEdge, GraphNode, ScenarioGraph, StudioFile, StudioView, TestResult, TrialView,
    TriedCriterion, TriedRejected,
};
use rapport_xapi::{SettingsInput, SettingsView, SyncReport, SyncStatus};
use ts_rs::{Config, TS};

use crate::{CommandError, PackImported};

/// Where the generated file lives, relative to this crate.
pub const BINDINGS_PATH: &str = "../ui/src/ipc/bindings.ts";

/// The whole generated file.
pub fn typescript() -> String {
    // serde_json writes u64 as a plain number; the page never sees values past 2^53.
    let cfg = Config::new().with_large_int("number");
    let decls = [
        CommandError::decl(&cfg),
        LibraryView::decl(&cfg),
        PackGroup::decl(&cfg),
        PackInfo::decl(&cfg),
        PackImported::decl(&cfg),
        StudioView::decl(&cfg),
        StudioFile::decl(&cfg),
        ScenarioGraph::decl(&cfg),
        GraphNode::decl(&cfg),
        GraphEdge::decl(&cfg),
        TestResult::decl(&cfg),
        TrialView::decl(&cfg),
        TriedCriterion::decl(&cfg),
        TriedRejected::decl(&cfg),
        Meta::decl(&cfg),
        Track::decl(&cfg),
        Channel::decl(&cfg),
        Language::decl(&cfg),
        LoadError::decl(&cfg),
        Diagnostic::decl(&cfg),
        Severity::decl(&cfg),
        SessionView::decl(&cfg),
        CustomerCard::decl(&cfg),
        VariantCard::decl(&cfg),
        Fact::decl(&cfg),
        EndingView::decl(&cfg),
        Outcome::decl(&cfg),
        Event::decl(&cfg),
        EventKind::decl(&cfg),
        Rule::decl(&cfg),
        ReplyScore::decl(&cfg),
        Scores::decl(&cfg),
        CriterionResult::decl(&cfg),
        RubricId::decl(&cfg),
        Evidence::decl(&cfg),
        Debrief::decl(&cfg),
        DebriefTurn::decl(&cfg),
        Decision::decl(&cfg),
        Definition::decl(&cfg),
        HistoryEntry::decl(&cfg),
        AttemptStatus::decl(&cfg),
        ProgressView::decl(&cfg),
        ProgressPoint::decl(&cfg),
        CriterionRate::decl(&cfg),
        Suggestion::decl(&cfg),
        SettingsView::decl(&cfg),
        SettingsInput::decl(&cfg),
        SyncStatus::decl(&cfg),
        SyncReport::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust types by `rapport-app` (src-tauri/src/bindings.rs). Do not edit:\n\
         // run `make bindings` after changing a type that crosses IPC.\n",
    );
    for decl in decls {
        out.push('\n');
        out.push_str("export ");
        out.push_str(&decl);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn committed_bindings_match_the_rust_types() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(super::BINDINGS_PATH);
        let fresh = super::typescript();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &fresh).expect("write bindings");
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "{} is out of date with the Rust types: run `make bindings` and commit it",
            path.display()
        );
    }
}
