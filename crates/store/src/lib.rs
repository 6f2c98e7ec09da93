//! # rapport-store
//!
//! The local record of a person's attempts: which scenario text they played with which
//! seed, everything they did in order (enough to replay the attempt through the engine),
//! what the engine emitted, how it ended and how it scored, and an outbox of xAPI
//! statements for a learning record store. One SQLite file per person, opened with
//! [`Store::open`] or, by the app at start-up, [`Store::open_or_set_aside`].
//!
//! Rules this crate keeps, and that the app layer relies on:
//! - **A leaf.** Its types are its own ([`Scores`], [`InputKind`], outcomes as text); no
//!   dependency on `rapport-core`, so the schema cannot change because an engine type did.
//!   The app converts: with the `core` feature, `adapter` implements core's
//!   `AttemptLog` over a [`Store`] and finds the per-user data folder; the schema and
//!   this crate's own API do not change with it.
//! - **Every write is one committed transaction**, in a write-ahead log with
//!   `synchronous=FULL`: when a call returns `Ok`, the write survives a killed process
//!   (and a power cut); a process killed during a call loses that one write, nothing
//!   before it, and the file opens cleanly next time.
//! - **Opening never loses data.** A file is first read through a read-only connection;
//!   one that is damaged or not a database ([`StoreError::Unreadable`]), from a newer
//!   schema ([`StoreError::NewerSchema`]) or another program's database
//!   ([`StoreError::Foreign`]) is refused untouched, and [`Store::open_or_set_aside`]
//!   renames it (with its `-wal`/`-shm` side files) to `<name>.<UTC time>.unreadable`,
//!   never deleting and never overwriting, before starting a fresh store. A store that is
//!   locked by another process ([`StoreError::Locked`]) or read-only
//!   ([`StoreError::ReadOnly`]) is healthy and is only reported.
//! - **The schema is versioned** in SQLite's `user_version` and only moves forward, by
//!   the append-only migrations in `migrations/` (see [`SCHEMA_VERSION`]). Tables are
//!   STRICT, JSON columns are checked with `json_valid`, foreign keys are enforced.
//! - **Records are immutable once ended**: a finished or abandoned attempt takes no more
//!   writes, and nothing is ever deleted.
//! - **Ids are derived**, not random ([`AttemptId::derive`]): the same attempt has the
//!   same id in every copy of the store and in every statement sent about it.
//!
//! ```
//! use rapport_store::{InputKind, NewAttempt, Scores, Store};
//!
//! let dir = tempfile::tempdir()?;
//! let (mut store, set_aside) = Store::open_or_set_aside(dir.path().join("rapport.db"))?;
//! if let Some(s) = set_aside {
//!     eprintln!("{} could not be read ({}); kept as {}", s.original.display(), s.reason,
//!               s.moved_to.display());
//! }
//! let id = store.begin_attempt(&NewAttempt {
//!     scenario_id: "double-charge",
//!     scenario_version: "1.0.0",
//!     scenario_sha256: &"ab".repeat(32),
//!     seed: 42,
//!     started_at_ms: 1_775_989_015_000,
//! })?;
//! store.record_input(id, 0, 1_775_989_020_000, InputKind::Reply, r#"{"text":"Sorry!"}"#)?;
//! assert_eq!(store.unfinished()?.map(|a| a.id), Some(id));
//! let scores = Scores { overall: 80, empathy: Some(90), ..Scores::default() };
//! store.finish_attempt(id, 1_775_989_100_000, "success", &scores)?;
//! assert_eq!(store.history()?[0].outcome.as_deref(), Some("success"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A [`Store`] is one connection: `Send`, not `Sync`; the app keeps it behind a mutex.
//! Other processes (the CLI while the app is open) may open the same file: SQLite's
//! locking keeps them consistent, and a write waits up to two seconds for the other's.

#[cfg(feature = "core")]
pub mod adapter;
mod error;
mod open;
mod outbox;
mod types;

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction, TransactionBehavior};

pub use error::StoreError;
pub use open::{SetAside, APPLICATION_ID, SCHEMA_VERSION};
pub use outbox::{OutboxItem, OutboxStatus};
pub use types::{
    AttemptId, AttemptRecord, AttemptSummary, FinishedAttempt, Input, InputKind, NewAttempt,
    ScenarioStats, Scores, StoredEvent, ATTEMPT_NAMESPACE,
};

/// An open attempt store.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

pub(crate) const SUMMARY_COLUMNS: &str =
    "id, scenario_id, scenario_version, scenario_sha256, seed, \
     started_at_ms, ended_at_ms, outcome, overall, empathy, problem_solving, professionalism";

pub(crate) fn summary(row: &Row<'_>) -> rusqlite::Result<AttemptSummary> {
    let outcome: Option<String> = row.get(7)?;
    let overall: Option<u8> = row.get(8)?;
    let scores = match overall {
        Some(overall) => Some(Scores {
            overall,
            empathy: row.get(9)?,
            problem_solving: row.get(10)?,
            professionalism: row.get(11)?,
        }),
        None => None,
    };
    Ok(AttemptSummary {
        id: row.get(0)?,
        scenario_id: row.get(1)?,
        scenario_version: row.get(2)?,
        scenario_sha256: row.get(3)?,
        // Stored bit for bit: SQLite integers are signed.
        seed: row.get::<_, i64>(4)? as u64,
        started_at_ms: row.get(5)?,
        ended_at_ms: row.get(6)?,
        outcome,
        scores,
    })
}

/// Columns `id, started_at_ms, outcome, overall` from `at`, when `id` is not NULL.
fn finished_at(row: &Row<'_>, at: usize) -> rusqlite::Result<Option<FinishedAttempt>> {
    let Some(id) = row.get::<_, Option<AttemptId>>(at)? else {
        return Ok(None);
    };
    Ok(Some(FinishedAttempt {
        id,
        started_at_ms: row.get(at + 1)?,
        outcome: row.get(at + 2)?,
        overall: row.get(at + 3)?,
    }))
}

impl Store {
    /// Opens the store at `path`, creating it (and its folder) if there is none, and
    /// migrating it to [`SCHEMA_VERSION`]. A file that cannot be used is left exactly as
    /// it was and reported; see [`StoreError`] for each case.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        open::open(path.as_ref())
    }

    /// [`Store::open`], and when the file can never be opened by this version
    /// ([`StoreError::can_set_aside`]), moves it aside and opens a fresh store in its
    /// place, saying where it went and why. Locked, read-only and unreachable stores are
    /// still errors: moving them would hide a healthy store.
    pub fn open_or_set_aside(
        path: impl AsRef<Path>,
    ) -> Result<(Store, Option<SetAside>), StoreError> {
        open::open_or_set_aside(path.as_ref())
    }

    /// The file this store reads and writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one IMMEDIATE transaction and commits it. IMMEDIATE takes the write
    /// lock first, so a busy store makes us wait (up to the busy timeout) instead of
    /// failing at the first write of a transaction that has already read.
    pub(crate) fn write<T>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>, &Path) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let path = &self.path;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| StoreError::from_sqlite(path, e))?;
        let value = f(&tx, path)?;
        tx.commit().map_err(|e| StoreError::from_sqlite(path, e))?;
        Ok(value)
    }

    /// Records the start of an attempt and returns its id ([`NewAttempt::id`]).
    pub fn begin_attempt(&mut self, new: &NewAttempt<'_>) -> Result<AttemptId, StoreError> {
        let id = new.id();
        self.write(|tx, path| {
            tx.execute(
                "INSERT INTO attempts \
                 (id, scenario_id, scenario_version, scenario_sha256, seed, started_at_ms) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    id,
                    new.scenario_id,
                    new.scenario_version,
                    new.scenario_sha256,
                    new.seed as i64,
                    new.started_at_ms
                ],
            )
            .map_err(|e| match StoreError::from_sqlite(path, e) {
                StoreError::Duplicate(_) => StoreError::Duplicate(format!(
                    "attempt {id} is already in the store (same scenario, seed and start)"
                )),
                other => other,
            })?;
            Ok(id)
        })
    }

    /// Records what the person did as input `seq` of attempt `id`, `payload` being JSON
    /// text kept exactly as given.
    pub fn record_input(
        &mut self,
        id: AttemptId,
        seq: u32,
        at_ms: i64,
        kind: InputKind,
        payload: &str,
    ) -> Result<(), StoreError> {
        self.write(|tx, path| {
            ensure_open(tx, path, id)?;
            tx.execute(
                "INSERT INTO inputs (attempt_id, seq, at_ms, kind, payload) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, seq, at_ms, kind.as_str(), payload],
            )
            .map_err(|e| match StoreError::from_sqlite(path, e) {
                StoreError::Duplicate(_) => StoreError::Duplicate(format!(
                    "input {seq} of attempt {id} is already recorded"
                )),
                StoreError::Invalid(m) => {
                    StoreError::Invalid(format!("input {seq} of attempt {id}: {m}"))
                }
                other => other,
            })?;
            Ok(())
        })
    }

    /// Records `events` (each the engine's JSON text) as events `from_seq`, `from_seq+1`...
    /// of attempt `id`, all or none.
    pub fn record_events<S: AsRef<str>>(
        &mut self,
        id: AttemptId,
        from_seq: u32,
        events: &[S],
    ) -> Result<(), StoreError> {
        self.write(|tx, path| {
            ensure_open(tx, path, id)?;
            let mut insert = tx
                .prepare("INSERT INTO events (attempt_id, seq, json) VALUES (?1, ?2, ?3)")
                .map_err(|e| StoreError::from_sqlite(path, e))?;
            for (i, json) in events.iter().enumerate() {
                let seq = u32::try_from(i)
                    .ok()
                    .and_then(|i| from_seq.checked_add(i))
                    .ok_or_else(|| StoreError::Invalid("event numbers past u32::MAX".into()))?;
                insert
                    .execute(params![id, seq, json.as_ref()])
                    .map_err(|e| match StoreError::from_sqlite(path, e) {
                        StoreError::Duplicate(_) => StoreError::Duplicate(format!(
                            "event {seq} of attempt {id} is already recorded"
                        )),
                        StoreError::Invalid(m) => {
                            StoreError::Invalid(format!("event {seq} of attempt {id}: {m}"))
                        }
                        other => other,
                    })?;
            }
            Ok(())
        })
    }

    /// Records how attempt `id` ended: the engine's outcome name and the debrief's scores.
    pub fn finish_attempt(
        &mut self,
        id: AttemptId,
        ended_at_ms: i64,
        outcome: &str,
        scores: &Scores,
    ) -> Result<(), StoreError> {
        self.write(|tx, path| {
            ensure_open(tx, path, id)?;
            tx.execute(
                "UPDATE attempts SET ended_at_ms = ?2, outcome = ?3, overall = ?4, \
                 empathy = ?5, problem_solving = ?6, professionalism = ?7 WHERE id = ?1",
                params![
                    id,
                    ended_at_ms,
                    outcome,
                    scores.overall,
                    scores.empathy,
                    scores.problem_solving,
                    scores.professionalism
                ],
            )
            .map_err(|e| match StoreError::from_sqlite(path, e) {
                StoreError::Invalid(m) => {
                    StoreError::Invalid(format!("the end of attempt {id}: {m}"))
                }
                other => other,
            })?;
            Ok(())
        })
    }

    /// Records that attempt `id` ended without an outcome: the person chose not to resume
    /// it. It stays in the history, and [`Store::unfinished`] stops offering it.
    pub fn abandon_attempt(&mut self, id: AttemptId, ended_at_ms: i64) -> Result<(), StoreError> {
        self.write(|tx, path| {
            ensure_open(tx, path, id)?;
            tx.execute(
                "UPDATE attempts SET ended_at_ms = ?2 WHERE id = ?1",
                params![id, ended_at_ms],
            )
            .map_err(|e| StoreError::from_sqlite(path, e))?;
            Ok(())
        })
    }

    /// The attempt started last among those that have not ended, if any: the one to
    /// offer to resume after a crash.
    pub fn unfinished(&self) -> Result<Option<AttemptSummary>, StoreError> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {SUMMARY_COLUMNS} FROM attempts WHERE ended_at_ms IS NULL \
                     ORDER BY started_at_ms DESC, id DESC LIMIT 1"
                ),
                [],
                summary,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Attempt `id` with its inputs in order, or `None` if there is no such attempt.
    pub fn attempt(&self, id: AttemptId) -> Result<Option<AttemptRecord>, StoreError> {
        let Some(summary) = self
            .conn
            .query_row(
                &format!("SELECT {SUMMARY_COLUMNS} FROM attempts WHERE id = ?1"),
                [id],
                summary,
            )
            .optional()
            .map_err(|e| self.err(e))?
        else {
            return Ok(None);
        };
        let inputs = self
            .conn
            .prepare(
                "SELECT seq, at_ms, kind, payload FROM inputs WHERE attempt_id = ?1 ORDER BY seq",
            )
            .and_then(|mut s| {
                s.query_map([id], |r| {
                    Ok(Input {
                        seq: r.get(0)?,
                        at_ms: r.get(1)?,
                        kind: r.get(2)?,
                        payload: r.get(3)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(|e| self.err(e))?;
        Ok(Some(AttemptRecord { summary, inputs }))
    }

    /// The events of attempt `id` in order (none for an unknown attempt).
    pub fn events(&self, id: AttemptId) -> Result<Vec<StoredEvent>, StoreError> {
        self.conn
            .prepare("SELECT seq, json FROM events WHERE attempt_id = ?1 ORDER BY seq")
            .and_then(|mut s| {
                s.query_map([id], |r| {
                    Ok(StoredEvent {
                        seq: r.get(0)?,
                        json: r.get(1)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// Every attempt, started last first; attempts started in the same millisecond come
    /// in a fixed (id) order.
    pub fn history(&self) -> Result<Vec<AttemptSummary>, StoreError> {
        self.conn
            .prepare(&format!(
                "SELECT {SUMMARY_COLUMNS} FROM attempts ORDER BY started_at_ms DESC, id DESC"
            ))
            .and_then(|mut s| s.query_map([], summary)?.collect())
            .map_err(|e| self.err(e))
    }

    /// For each scenario played (all versions together), by scenario id: how many
    /// attempts, how many finished, the best one and the last finished one.
    pub fn per_scenario(&self) -> Result<Vec<ScenarioStats>, StoreError> {
        const SQL: &str = "
            WITH finished AS (
                SELECT scenario_id, id, started_at_ms, outcome, overall,
                       row_number() OVER (PARTITION BY scenario_id
                                          ORDER BY overall DESC, started_at_ms, id) AS best,
                       row_number() OVER (PARTITION BY scenario_id
                                          ORDER BY started_at_ms DESC, id DESC) AS last
                FROM attempts WHERE outcome IS NOT NULL
            ),
            counts AS (
                SELECT scenario_id, count(*) AS attempts, count(outcome) AS finished
                FROM attempts GROUP BY scenario_id
            )
            SELECT c.scenario_id, c.attempts, c.finished,
                   b.id, b.started_at_ms, b.outcome, b.overall,
                   l.id, l.started_at_ms, l.outcome, l.overall
            FROM counts c
            LEFT JOIN finished b ON b.scenario_id = c.scenario_id AND b.best = 1
            LEFT JOIN finished l ON l.scenario_id = c.scenario_id AND l.last = 1
            ORDER BY c.scenario_id";
        self.conn
            .prepare(SQL)
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok(ScenarioStats {
                        scenario_id: r.get(0)?,
                        attempts: r.get(1)?,
                        finished: r.get(2)?,
                        best: finished_at(r, 3)?,
                        last: finished_at(r, 7)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    pub(crate) fn err(&self, e: rusqlite::Error) -> StoreError {
        StoreError::from_sqlite(&self.path, e)
    }
}

/// Fails unless `id` exists and has not ended: a write to an ended attempt is a bug in
/// the caller, and refusing it keeps the record what the debrief showed.
fn ensure_open(tx: &Transaction<'_>, path: &Path, id: AttemptId) -> Result<(), StoreError> {
    let ended = tx
        .query_row(
            "SELECT ended_at_ms FROM attempts WHERE id = ?1",
            [id],
            |r| r.get::<_, Option<i64>>(0),
        )
        .optional()
        .map_err(|e| StoreError::from_sqlite(path, e))?;
    match ended {
        None => Err(StoreError::UnknownAttempt(id)),
        Some(Some(_)) => Err(StoreError::AttemptEnded(id)),
        Some(None) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_enforces_foreign_keys_and_syncs_every_commit() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("s.db")).unwrap();
        let pragma = |name: &str| -> i64 {
            store
                .conn
                .pragma_query_value(None, name, |r| r.get(0))
                .unwrap()
        };
        assert_eq!(pragma("foreign_keys"), 1);
        assert_eq!(pragma("synchronous"), 2, "FULL");
        // Below the API's own checks, SQLite itself refuses an orphan row.
        let e = store
            .conn
            .execute(
                "INSERT INTO inputs VALUES ('nope', 0, 0, 'reply', '{}')",
                [],
            )
            .unwrap_err();
        assert_eq!(
            e.sqlite_error().map(|e| e.extended_code),
            Some(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY)
        );
    }
}
