//! The store's own types. They mirror the engine's on purpose without depending on it:
//! the app layer converts, and this crate stays a leaf that builds and tests alone.

use std::fmt;
use std::str::FromStr;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use uuid::Uuid;

/// The id of one attempt: a UUID v5, so the same attempt always gets the same id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttemptId(Uuid);

/// The namespace of attempt ids. Fixed forever: changing it would give every attempt
/// played again a different id from the one already stored or sent to an LRS.
pub const ATTEMPT_NAMESPACE: Uuid = Uuid::from_u128(0x6cd7ea34_96bb_43c7_8b63_7f2b1e41e7cc);

impl AttemptId {
    /// The id of an attempt at `scenario_sha256` with `seed`, started at `started_at_ms`.
    ///
    /// Derived rather than random so that a replay, an import or a retried write names the
    /// same attempt, and so that another tool can recompute it: the UUID v5 in
    /// [`ATTEMPT_NAMESPACE`] of `"{scenario_id}\n{scenario_sha256}\n{seed}\n{started_at_ms}"`
    /// (numbers in decimal). Two attempts only share an id if they started in the same
    /// millisecond on the same scenario text with the same seed, which is the same attempt.
    pub fn derive(
        scenario_id: &str,
        scenario_sha256: &str,
        seed: u64,
        started_at_ms: i64,
    ) -> AttemptId {
        let name = format!("{scenario_id}\n{scenario_sha256}\n{seed}\n{started_at_ms}");
        AttemptId(Uuid::new_v5(&ATTEMPT_NAMESPACE, name.as_bytes()))
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl fmt::Display for AttemptId {
    /// Hyphenated lower case, the form stored in the database.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl FromStr for AttemptId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(AttemptId)
    }
}

impl ToSql for AttemptId {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.to_string()))
    }
}

impl FromSql for AttemptId {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        value
            .as_str()?
            .parse()
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

/// What a new attempt is an attempt at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewAttempt<'a> {
    pub scenario_id: &'a str,
    pub scenario_version: &'a str,
    /// SHA-256 of the scenario file as played, 64 lower-case hex digits.
    pub scenario_sha256: &'a str,
    pub seed: u64,
    pub started_at_ms: i64,
}

impl NewAttempt<'_> {
    pub fn id(&self) -> AttemptId {
        AttemptId::derive(
            self.scenario_id,
            self.scenario_sha256,
            self.seed,
            self.started_at_ms,
        )
    }
}

/// What kind of thing the person did; the payload's shape is the app's business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputKind {
    /// A free-text reply was sent.
    Reply,
    /// A scripted choice was picked.
    Choice,
    /// The person let the customer wait.
    Silence,
    /// The person started or stopped typing (the customer can react to it).
    Typing,
    /// Lines of the customer were shown; recorded so a replay paces the same.
    LinesShown,
}

impl InputKind {
    pub const ALL: [InputKind; 5] = [
        InputKind::Reply,
        InputKind::Choice,
        InputKind::Silence,
        InputKind::Typing,
        InputKind::LinesShown,
    ];

    /// The name stored in `inputs.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::Reply => "reply",
            InputKind::Choice => "choice",
            InputKind::Silence => "silence",
            InputKind::Typing => "typing",
            InputKind::LinesShown => "lines_shown",
        }
    }

    pub fn parse(s: &str) -> Option<InputKind> {
        InputKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for InputKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromSql for InputKind {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let s = value.as_str()?;
        InputKind::parse(s).ok_or_else(|| FromSqlError::Other(format!("input kind {s:?}").into()))
    }
}

/// The debrief's scores, 0 to 100; a rubric not assessed in the scenario is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scores {
    pub overall: u8,
    pub empathy: Option<u8>,
    pub problem_solving: Option<u8>,
    pub professionalism: Option<u8>,
}

/// One attempt as listed in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptSummary {
    pub id: AttemptId,
    pub scenario_id: String,
    pub scenario_version: String,
    pub scenario_sha256: String,
    pub seed: u64,
    pub started_at_ms: i64,
    /// `None` while the attempt is unfinished.
    pub ended_at_ms: Option<i64>,
    /// `None` while unfinished, and for an attempt that was abandoned.
    pub outcome: Option<String>,
    /// `Some` exactly when `outcome` is.
    pub scores: Option<Scores>,
}

impl AttemptSummary {
    pub fn is_finished(&self) -> bool {
        self.ended_at_ms.is_some()
    }
}

/// One thing the person did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub seq: u32,
    pub at_ms: i64,
    pub kind: InputKind,
    /// The JSON text exactly as recorded.
    pub payload: String,
}

/// One event the engine emitted, as the JSON text recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub seq: u32,
    pub json: String,
}

/// An attempt with everything the person did, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    pub summary: AttemptSummary,
    pub inputs: Vec<Input>,
}

/// A finished attempt, as the per-scenario view shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishedAttempt {
    pub id: AttemptId,
    pub started_at_ms: i64,
    pub outcome: String,
    pub overall: u8,
}

/// How a person has done on one scenario, over all its versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioStats {
    pub scenario_id: String,
    /// Attempts started, finished or not.
    pub attempts: u32,
    /// Attempts that reached an outcome (not abandoned, not unfinished).
    pub finished: u32,
    /// The highest overall score; on a tie, the first attempt that reached it.
    pub best: Option<FinishedAttempt>,
    /// The finished attempt started last.
    pub last: Option<FinishedAttempt>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "0000000000000000000000000000000000000000000000000000000000000000";

    #[test]
    fn attempt_ids_are_derived_and_differ_by_each_part() {
        let a = AttemptId::derive("double-charge", SHA, 7, 1_000);
        assert_eq!(a, AttemptId::derive("double-charge", SHA, 7, 1_000));
        assert_eq!(a.as_uuid().get_version_num(), 5);
        let others = [
            AttemptId::derive("double-charge-2", SHA, 7, 1_000),
            AttemptId::derive("double-charge", &SHA.replace('0', "1"), 7, 1_000),
            AttemptId::derive("double-charge", SHA, 8, 1_000),
            AttemptId::derive("double-charge", SHA, 7, 1_001),
        ];
        for o in others {
            assert_ne!(a, o);
        }
    }

    #[test]
    fn attempt_id_text_round_trips() {
        let a = AttemptId::derive("s", SHA, u64::MAX, -1);
        let text = a.to_string();
        assert_eq!(text.len(), 36);
        assert_eq!(text, text.to_lowercase());
        assert_eq!(text.parse::<AttemptId>().unwrap(), a);
    }

    #[test]
    fn input_kinds_round_trip_their_names() {
        for k in InputKind::ALL {
            assert_eq!(InputKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(InputKind::parse("Reply"), None);
    }
}
