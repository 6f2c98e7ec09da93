//! The attempt history as the [`App`](crate::app::App) sees it: a small trait,
//! [`AttemptLog`], and plain types, so the core records every attempt without knowing
//! how or where.
//!
//! Why a trait here and the SQLite adapter elsewhere: recording must happen in one place
//! for the desktop app and the CLI, and the one place both go through is `App`. Putting
//! the SQLite calls in the openers (src-tauri, the CLI) would make two code paths that
//! drift; putting them in core would give core a database. So `App` holds an optional
//! `Box<dyn AttemptLog>`, and `rapport-store` implements it in an adapter
//! (`rapport_store::adapter`, behind its `core` feature), converting to its own types.
//! Core stays pure (it never opens the store, reads the environment or the clock) and
//! does not depend on the store; the store's schema stays its own.
//!
//! A log's errors are text: the app never branches on them, it reports them and the
//! trainee keeps practising without history.
//!
//! What is recorded is what the engine needs to rebuild a session: replies, choices,
//! chased silences, and when the page had shown the customer's lines (the start of a
//! silence's wait). Keystrokes ("typing") are not: they only hold the patience deadline
//! of the turn in progress, which a resume starts afresh anyway.

use serde::{Deserialize, Serialize};

use crate::engine::{Event, Input};
use crate::model::Outcome;
use crate::score::Scores;

/// One thing the trainee (or the page) did that the engine must see again to rebuild the
/// session exactly. Serialised as the payload of an input record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Step {
    Reply {
        text: String,
    },
    Choice {
        number: usize,
    },
    Silence,
    /// The page had shown the first `shown` events: the customer's patience ran from then
    /// (it decides how long a later silence waited).
    LinesShown {
        shown: usize,
    },
}

impl Step {
    /// The engine input, for the steps that are one.
    pub fn input(&self) -> Option<Input> {
        match self {
            Step::Reply { text } => Some(Input::Reply { text: text.clone() }),
            Step::Choice { number } => Some(Input::Choice { number: *number }),
            Step::Silence => Some(Input::Silence),
            Step::LinesShown { .. } => None,
        }
    }

    pub fn from_input(input: &Input) -> Step {
        match input {
            Input::Reply { text } => Step::Reply { text: text.clone() },
            Input::Choice { number } => Step::Choice { number: *number },
            Input::Silence => Step::Silence,
        }
    }

    /// A turn of the conversation (a reply, a choice or a chased silence).
    pub fn is_turn(&self) -> bool {
        !matches!(self, Step::LinesShown { .. })
    }
}

/// A step and when (on the session's clock) it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimedStep {
    pub at_ms: u64,
    pub step: Step,
}

/// What a new attempt is an attempt at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptStart<'a> {
    pub scenario_id: &'a str,
    pub scenario_version: &'a str,
    /// SHA-256 of the scenario file's bytes, lower-case hex.
    pub scenario_sha256: &'a str,
    pub seed: u64,
    pub started_at_ms: u64,
}

/// One stored attempt with everything done in it, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAttempt {
    pub id: String,
    pub scenario_id: String,
    pub scenario_version: String,
    pub scenario_sha256: String,
    pub seed: u64,
    pub started_at_ms: u64,
    /// `None` while unfinished.
    pub ended_at_ms: Option<u64>,
    /// `None` while unfinished and for an abandoned attempt.
    pub outcome: Option<String>,
    pub scores: Option<Scores>,
    pub steps: Vec<TimedStep>,
}

/// Where attempts are recorded. Every call that returns `Ok` has been committed.
pub trait AttemptLog: Send {
    /// Records the start of an attempt and returns its id.
    fn begin(&mut self, start: &AttemptStart<'_>) -> Result<String, String>;
    /// Records step number `seq` (from 0) of attempt `id`.
    fn record(&mut self, id: &str, seq: u32, at_ms: u64, step: &Step) -> Result<(), String>;
    /// Records `events` as events `from_seq`, `from_seq + 1`... of attempt `id`.
    fn events(&mut self, id: &str, from_seq: u32, events: &[Event]) -> Result<(), String>;
    /// Records how attempt `id` ended.
    fn finish(
        &mut self,
        id: &str,
        at_ms: u64,
        outcome: Outcome,
        scores: &Scores,
    ) -> Result<(), String>;
    /// Records that attempt `id` ended without an outcome.
    fn abandon(&mut self, id: &str, at_ms: u64) -> Result<(), String>;
    /// The id of the unfinished attempt started last, if any.
    fn unfinished(&self) -> Result<Option<String>, String>;
    /// Attempt `id`, if there is one.
    fn attempt(&self, id: &str) -> Result<Option<StoredAttempt>, String>;
    /// Every attempt, started last first.
    fn history(&self) -> Result<Vec<StoredAttempt>, String>;
    /// The events recorded for attempt `id`, in order, as the JSON text written.
    fn recorded_events(&self, id: &str) -> Result<Vec<String>, String>;
}

/// `ms` since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ` (UTC), for history listings.
pub fn utc_text(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's days-to-civil, for days since 1970-01-01.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_text_formats_known_instants() {
        assert_eq!(utc_text(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_text(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(utc_text(1_775_989_015_123), "2026-04-12T10:16:55Z");
    }

    #[test]
    fn steps_serialise_as_tagged_payloads() {
        let s = Step::Reply { text: "hi".into() };
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"type":"reply","text":"hi"}"#
        );
        let back: Step = serde_json::from_str(r#"{"type":"lines_shown","shown":3}"#).unwrap();
        assert_eq!(back, Step::LinesShown { shown: 3 });
        assert!(!back.is_turn());
    }
}
