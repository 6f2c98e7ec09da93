//! The log the `App` records into: the store's adapter, plus queueing an attempt's
//! statements in the outbox the moment it ends.

use std::path::{Path, PathBuf};

use rapport_core::engine::Event;
use rapport_core::history::{AttemptLog, AttemptStart, Step, StoredAttempt};
use rapport_core::model::Outcome;
use rapport_core::score::Scores;
use rapport_store::adapter::{self, StoreLog};

use crate::settings::Settings;
use crate::sync;

/// [`StoreLog`] that also queues the statements of each attempt as it ends (finished or
/// abandoned), with the profile saved at that moment. A failure to queue never fails the
/// recording: the attempt is stored, and the next sync or export queues what is missing.
#[derive(Debug)]
pub struct QueueingLog {
    log: StoreLog,
    dir: PathBuf,
}

impl QueueingLog {
    pub fn new(log: StoreLog, dir: &Path) -> QueueingLog {
        QueueingLog {
            log,
            dir: dir.to_path_buf(),
        }
    }

    fn queue(&mut self, id: &str, now: u64) {
        let actor = Settings::load(&self.dir)
            .unwrap_or_default()
            .profile
            .actor();
        if let Ok(Some(attempt)) = self.log.attempt(id) {
            // Best effort, see the type's docs.
            let _ = sync::queue_attempt(&mut self.log, &attempt, &actor, now);
        }
    }
}

/// The store in the default data folder as the `App`'s log (see
/// [`adapter::open_default`] for the notice).
pub fn open_recording() -> (Option<Box<dyn AttemptLog>>, Option<String>) {
    match adapter::data_dir() {
        Some(dir) => open_recording_in(&dir),
        None => {
            let (_, problem) = adapter::open_default();
            (None, problem)
        }
    }
}

/// [`open_recording`] in `dir`.
pub fn open_recording_in(dir: &Path) -> (Option<Box<dyn AttemptLog>>, Option<String>) {
    let (log, problem) = adapter::open_in(dir);
    (
        log.map(|l| Box::new(QueueingLog::new(l, dir)) as Box<dyn AttemptLog>),
        problem,
    )
}

impl AttemptLog for QueueingLog {
    fn begin(&mut self, start: &AttemptStart<'_>) -> Result<String, String> {
        self.log.begin(start)
    }
    fn record(&mut self, id: &str, seq: u32, at_ms: u64, step: &Step) -> Result<(), String> {
        self.log.record(id, seq, at_ms, step)
    }
    fn events(&mut self, id: &str, from_seq: u32, events: &[Event]) -> Result<(), String> {
        self.log.events(id, from_seq, events)
    }
    fn finish(
        &mut self,
        id: &str,
        at_ms: u64,
        outcome: Outcome,
        scores: &Scores,
    ) -> Result<(), String> {
        self.log.finish(id, at_ms, outcome, scores)?;
        self.queue(id, at_ms);
        Ok(())
    }
    fn abandon(&mut self, id: &str, at_ms: u64) -> Result<(), String> {
        self.log.abandon(id, at_ms)?;
        self.queue(id, at_ms);
        Ok(())
    }
    fn unfinished(&self) -> Result<Option<String>, String> {
        self.log.unfinished()
    }
    fn attempt(&self, id: &str) -> Result<Option<StoredAttempt>, String> {
        self.log.attempt(id)
    }
    fn history(&self) -> Result<Vec<StoredAttempt>, String> {
        self.log.history()
    }
    fn recorded_events(&self, id: &str) -> Result<Vec<String>, String> {
        self.log.recorded_events(id)
    }
}
