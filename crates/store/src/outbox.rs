//! The outbox: xAPI statements waiting for a learning record store, kept as the exact
//! JSON text first produced (table `outbox`, schema version 1).
//!
//! Rules:
//! - **Frozen at queue time.** A statement is inserted once; queueing the same id again
//!   is a no-op, never an update, so every resend is byte-identical to the first send and
//!   the LRS can tell it is the same statement.
//! - **Nothing is deleted.** A delivered statement keeps its row with `sent_at_ms` set.
//! - A failed send only counts the try and keeps why, so a statement is never lost
//!   whatever the LRS answers.

use rusqlite::{params, OptionalExtension};

use crate::{AttemptId, AttemptSummary, Store, StoreError, SUMMARY_COLUMNS};

/// One statement in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    /// The statement's id (a UUID, hyphenated lower case).
    pub id: String,
    pub attempt_id: AttemptId,
    /// The statement exactly as queued.
    pub json: String,
    pub queued_at_ms: i64,
    pub sent_at_ms: Option<i64>,
    /// Sends tried so far.
    pub tries: u32,
    pub last_error: Option<String>,
}

/// What the outbox holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutboxStatus {
    /// Statements not yet accepted by an LRS.
    pub waiting: u32,
    /// Statements accepted.
    pub sent: u32,
    /// Why the most recently tried statement that is still waiting failed.
    pub last_error: Option<String>,
    /// When a statement was last accepted.
    pub last_sent_at_ms: Option<i64>,
}

impl Store {
    /// Queues `statements` (id, exact JSON text) about attempt `attempt`, all or none. An
    /// id already in the outbox keeps its first text (see the module docs). Returns how
    /// many were new.
    pub fn queue_statements(
        &mut self,
        attempt: AttemptId,
        statements: &[(String, String)],
        queued_at_ms: i64,
    ) -> Result<usize, StoreError> {
        self.write(|tx, path| {
            let mut insert = tx
                .prepare(
                    "INSERT INTO outbox (id, attempt_id, json, queued_at_ms) \
                     VALUES (?1, ?2, ?3, ?4) ON CONFLICT (id) DO NOTHING",
                )
                .map_err(|e| StoreError::from_sqlite(path, e))?;
            let mut new = 0;
            for (id, json) in statements {
                new += insert
                    .execute(params![id, attempt, json, queued_at_ms])
                    .map_err(|e| match StoreError::from_sqlite(path, e) {
                        StoreError::Invalid(m) => {
                            StoreError::Invalid(format!("statement {id}: {m}"))
                        }
                        other => other,
                    })?;
            }
            Ok(new)
        })
    }

    /// Ended attempts (finished or abandoned) with nothing in the outbox yet, started
    /// first first: those whose statements still have to be made.
    pub fn ended_without_statements(&self) -> Result<Vec<AttemptSummary>, StoreError> {
        self.conn
            .prepare(&format!(
                "SELECT {SUMMARY_COLUMNS} FROM attempts a WHERE ended_at_ms IS NOT NULL \
                 AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.attempt_id = a.id) \
                 ORDER BY started_at_ms, id"
            ))
            .and_then(|mut s| s.query_map([], crate::summary)?.collect())
            .map_err(|e| self.err(e))
    }

    /// Up to `limit` statements still waiting, queued first first.
    pub fn unsent(&self, limit: u32) -> Result<Vec<OutboxItem>, StoreError> {
        self.items(
            "WHERE sent_at_ms IS NULL ORDER BY queued_at_ms, rowid LIMIT ?1",
            limit,
        )
    }

    /// Every statement in the outbox, sent or not, queued first first.
    pub fn outbox(&self) -> Result<Vec<OutboxItem>, StoreError> {
        self.items("WHERE ?1 >= 0 ORDER BY queued_at_ms, rowid", 0)
    }

    fn items(&self, tail: &str, n: u32) -> Result<Vec<OutboxItem>, StoreError> {
        self.conn
            .prepare(&format!(
                "SELECT id, attempt_id, json, queued_at_ms, sent_at_ms, attempts, last_error \
                 FROM outbox {tail}"
            ))
            .and_then(|mut s| {
                s.query_map([n], |r| {
                    Ok(OutboxItem {
                        id: r.get(0)?,
                        attempt_id: r.get(1)?,
                        json: r.get(2)?,
                        queued_at_ms: r.get(3)?,
                        sent_at_ms: r.get(4)?,
                        tries: r.get(5)?,
                        last_error: r.get(6)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// Records that the LRS accepted statement `id` (or already had it). Marking a
    /// statement already sent keeps its first time.
    pub fn mark_sent(&mut self, id: &str, at_ms: i64) -> Result<(), StoreError> {
        self.write(|tx, path| {
            tx.execute(
                "UPDATE outbox SET sent_at_ms = ?2, last_tried_at_ms = ?2, attempts = attempts + 1 \
                 WHERE id = ?1 AND sent_at_ms IS NULL",
                params![id, at_ms],
            )
            .map_err(|e| StoreError::from_sqlite(path, e))?;
            Ok(())
        })
    }

    /// Records a failed try at sending statement `id`; it stays waiting.
    pub fn mark_failed(&mut self, id: &str, error: &str, at_ms: i64) -> Result<(), StoreError> {
        self.write(|tx, path| {
            tx.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, \
                 last_tried_at_ms = ?3 WHERE id = ?1 AND sent_at_ms IS NULL",
                params![id, error, at_ms],
            )
            .map_err(|e| StoreError::from_sqlite(path, e))?;
            Ok(())
        })
    }

    /// How many statements wait, how many were sent, and the last failure.
    pub fn outbox_status(&self) -> Result<OutboxStatus, StoreError> {
        let (waiting, sent, last_sent_at_ms) = self
            .conn
            .query_row(
                "SELECT count(*) FILTER (WHERE sent_at_ms IS NULL), \
                        count(*) FILTER (WHERE sent_at_ms IS NOT NULL), \
                        max(sent_at_ms) FROM outbox",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .map_err(|e| self.err(e))?;
        let last_error = self
            .conn
            .query_row(
                "SELECT last_error FROM outbox WHERE sent_at_ms IS NULL \
                 AND last_error IS NOT NULL ORDER BY last_tried_at_ms DESC, rowid DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(OutboxStatus {
            waiting,
            sent,
            last_error,
            last_sent_at_ms,
        })
    }
}
