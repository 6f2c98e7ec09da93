//! The store behind rapport-core's [`App`](rapport_core::app::App) (feature `core`).
//!
//! Core defines the [`AttemptLog`] trait and records through it; this adapter implements
//! it over a [`Store`], converting the engine's types to the store's own (steps to
//! [`InputKind`] and their JSON payload, outcomes to their names, scores field by field).
//! It also knows where the store lives, so the desktop shell and the CLI open the same
//! file the same way ([`open_default`]) and then hand it to the one `App`.

use std::path::Path;

use rapport_core::engine::Event;
use rapport_core::history::{AttemptLog, AttemptStart, Step, StoredAttempt, TimedStep};
use rapport_core::model::Outcome;
use rapport_core::score;

use crate::{AttemptId, AttemptSummary, InputKind, NewAttempt, Scores, Store};

/// Overrides the folder Rapport keeps its data in (decided in the core, with the
/// folder imported packs go to).
pub use rapport_core::pack::DATA_ENV;

/// The attempt store's file name in the data folder.
pub const STORE_FILE: &str = "attempts.sqlite3";

/// `$RAPPORT_DATA_DIR`, else the platform's per-user data folder plus `rapport`; see
/// [`rapport_core::pack::data_dir`], the one place this is decided.
pub use rapport_core::pack::data_dir;

/// The attempt store in [`data_dir`], opened with [`Store::open_or_set_aside`], as a log
/// for the `App`, and what to tell the trainee about it: a store set aside (kept, renamed)
/// or one that could not be opened at all (then there is no log, and practice goes on
/// without history).
pub fn open_default() -> (Option<StoreLog>, Option<String>) {
    match data_dir() {
        Some(dir) => open_in(&dir),
        None => (
            None,
            Some(format!(
                "no folder for the attempt history (set {DATA_ENV}); attempts are not recorded"
            )),
        ),
    }
}

/// [`open_default`] in `dir`.
pub fn open_in(dir: &Path) -> (Option<StoreLog>, Option<String>) {
    let path = dir.join(STORE_FILE);
    match Store::open_or_set_aside(&path) {
        Ok((store, set_aside)) => {
            let notice = set_aside.map(|s| {
                format!(
                    "{} could not be read ({}); it was kept as {} and a new history started",
                    s.original.display(),
                    s.reason,
                    s.moved_to.display()
                )
            });
            (Some(StoreLog(store)), notice)
        }
        Err(e) => (
            None,
            Some(format!(
                "attempts are not recorded: {e} (the file is left as it is)"
            )),
        ),
    }
}

/// A [`Store`] as core's [`AttemptLog`].
#[derive(Debug)]
pub struct StoreLog(pub Store);

fn id(text: &str) -> Result<AttemptId, String> {
    text.parse()
        .map_err(|_| format!("`{text}` is not an attempt id"))
}

/// Milliseconds as the store keeps them (signed).
fn ms(at: u64) -> Result<i64, String> {
    i64::try_from(at).map_err(|_| format!("time {at} ms is out of range"))
}

fn scores(s: &score::Scores) -> Scores {
    Scores {
        overall: s.overall,
        empathy: s.empathy,
        problem_solving: s.problem_solving,
        professionalism: s.professionalism,
    }
}

fn kind(step: &Step) -> InputKind {
    match step {
        Step::Reply { .. } => InputKind::Reply,
        Step::Choice { .. } => InputKind::Choice,
        Step::Silence => InputKind::Silence,
        Step::LinesShown { .. } => InputKind::LinesShown,
    }
}

impl StoreLog {
    fn stored(&self, summary: AttemptSummary) -> Result<StoredAttempt, String> {
        let record = self
            .0
            .attempt(summary.id)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("attempt {} vanished while being read", summary.id))?;
        let steps = record
            .inputs
            .iter()
            .map(|i| {
                let step: Step = serde_json::from_str(&i.payload).map_err(|e| {
                    format!(
                        "input {} of attempt {} is not one this version reads: {e}",
                        i.seq, summary.id
                    )
                })?;
                Ok(TimedStep {
                    at_ms: i.at_ms.max(0) as u64,
                    step,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(StoredAttempt {
            id: summary.id.to_string(),
            scenario_id: summary.scenario_id,
            scenario_version: summary.scenario_version,
            scenario_sha256: summary.scenario_sha256,
            seed: summary.seed,
            started_at_ms: summary.started_at_ms.max(0) as u64,
            ended_at_ms: summary.ended_at_ms.map(|t| t.max(0) as u64),
            outcome: summary.outcome,
            scores: summary.scores.map(|s| score::Scores {
                overall: s.overall,
                empathy: s.empathy,
                problem_solving: s.problem_solving,
                professionalism: s.professionalism,
            }),
            steps,
        })
    }
}

impl AttemptLog for StoreLog {
    fn begin(&mut self, start: &AttemptStart<'_>) -> Result<String, String> {
        self.0
            .begin_attempt(&NewAttempt {
                scenario_id: start.scenario_id,
                scenario_version: start.scenario_version,
                scenario_sha256: start.scenario_sha256,
                seed: start.seed,
                started_at_ms: ms(start.started_at_ms)?,
            })
            .map(|id| id.to_string())
            .map_err(|e| e.to_string())
    }

    fn record(&mut self, attempt: &str, seq: u32, at_ms: u64, step: &Step) -> Result<(), String> {
        let payload = serde_json::to_string(step).map_err(|e| e.to_string())?;
        self.0
            .record_input(id(attempt)?, seq, ms(at_ms)?, kind(step), &payload)
            .map_err(|e| e.to_string())
    }

    fn events(&mut self, attempt: &str, from_seq: u32, events: &[Event]) -> Result<(), String> {
        let json = events
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        self.0
            .record_events(id(attempt)?, from_seq, &json)
            .map_err(|e| e.to_string())
    }

    fn finish(
        &mut self,
        attempt: &str,
        at_ms: u64,
        outcome: Outcome,
        s: &score::Scores,
    ) -> Result<(), String> {
        self.0
            .finish_attempt(id(attempt)?, ms(at_ms)?, outcome.as_str(), &scores(s))
            .map_err(|e| e.to_string())
    }

    fn abandon(&mut self, attempt: &str, at_ms: u64) -> Result<(), String> {
        self.0
            .abandon_attempt(id(attempt)?, ms(at_ms)?)
            .map_err(|e| e.to_string())
    }

    fn unfinished(&self) -> Result<Option<String>, String> {
        self.0
            .unfinished()
            .map(|a| a.map(|a| a.id.to_string()))
            .map_err(|e| e.to_string())
    }

    fn attempt(&self, attempt: &str) -> Result<Option<StoredAttempt>, String> {
        let Ok(attempt) = attempt.parse::<AttemptId>() else {
            return Ok(None);
        };
        match self.0.attempt(attempt).map_err(|e| e.to_string())? {
            Some(record) => self.stored(record.summary).map(Some),
            None => Ok(None),
        }
    }

    fn recorded_events(&self, attempt: &str) -> Result<Vec<String>, String> {
        self.0
            .events(id(attempt)?)
            .map(|events| events.into_iter().map(|e| e.json).collect())
            .map_err(|e| e.to_string())
    }

    fn history(&self) -> Result<Vec<StoredAttempt>, String> {
        self.0
            .history()
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|s| self.stored(s))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_opens_in_the_data_folder() {
        // Only the variable's case: the others read the real environment of this process.
        let dir = tempfile::tempdir().unwrap();
        let (log, problem) = open_in(dir.path());
        assert!(log.is_some(), "{problem:?}");
        assert_eq!(problem, None);
        assert!(dir.path().join(STORE_FILE).is_file());
    }

    #[test]
    fn an_unreadable_store_is_set_aside_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(STORE_FILE), b"not a database at all").unwrap();
        let (log, problem) = open_in(dir.path());
        assert!(log.is_some());
        let problem = problem.expect("reported");
        assert!(problem.contains("kept as"), "{problem}");
        let kept: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".unreadable"))
            .collect();
        assert_eq!(kept.len(), 1);
        assert_eq!(
            std::fs::read(kept[0].path()).unwrap(),
            b"not a database at all"
        );
    }
}
