//! Queueing and sending.

use rapport_core::engine::Event;
use rapport_core::history::{AttemptLog, StoredAttempt};
use rapport_store::adapter::StoreLog;
use rapport_store::Store;
use serde::Serialize;
use serde_json::Value;

use crate::client::Client;
use crate::statement;
use crate::XapiError;

/// What one round of sending did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncReport {
    /// Statements the LRS accepted (or already had) in this round.
    pub sent: u32,
    /// Statements still waiting after it.
    pub waiting: u32,
    /// Why the round stopped early, or the last statement refused.
    pub error: Option<String>,
}

/// The outbox as the settings screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncStatus {
    pub waiting: u32,
    pub sent: u32,
    pub last_error: Option<String>,
    /// UTC, when a statement was last accepted.
    pub last_sent: Option<String>,
    /// An endpoint, key and secret are known (saved or from the environment).
    pub configured: bool,
}

/// The events recorded for `attempt`, as the engine's types; an event this version
/// cannot read is skipped (it only lacks from the criteria tally).
pub fn events_of(log: &StoreLog, attempt: &str) -> Result<Vec<Event>, XapiError> {
    Ok(log
        .recorded_events(attempt)
        .map_err(XapiError::History)?
        .iter()
        .filter_map(|json| serde_json::from_str(json).ok())
        .collect())
}

/// Queues the statements of ended attempt `attempt` (nothing for an unfinished one).
pub fn queue_attempt(
    log: &mut StoreLog,
    attempt: &StoredAttempt,
    actor: &Value,
    now_ms: u64,
) -> Result<usize, XapiError> {
    let events = events_of(log, &attempt.id)?;
    let statements: Vec<(String, String)> = statement::statements(attempt, &events, actor)
        .into_iter()
        .map(|s| (s.id, s.json))
        .collect();
    if statements.is_empty() {
        return Ok(0);
    }
    let id = attempt
        .id
        .parse()
        .map_err(|_| XapiError::History(format!("`{}` is not an attempt id", attempt.id)))?;
    Ok(log
        .0
        .queue_statements(id, &statements, now_ms.min(i64::MAX as u64) as i64)?)
}

/// Queues the statements of every ended attempt that has none yet.
pub fn queue_missing(log: &mut StoreLog, actor: &Value, now_ms: u64) -> Result<usize, XapiError> {
    let mut queued = 0;
    for summary in log.0.ended_without_statements()? {
        let id = summary.id.to_string();
        let Some(attempt) = log.attempt(&id).map_err(XapiError::History)? else {
            continue;
        };
        queued += queue_attempt(log, &attempt, actor, now_ms)?;
    }
    Ok(queued)
}

/// Sends every waiting statement in queue order, each marked sent as soon as the LRS
/// accepted it. Stops at the first failure that would fail the rest too (credentials,
/// server, network); a statement the LRS refuses alone is kept and the round goes on.
/// Failures are recorded with the statement, never dropped.
pub fn sync_once(
    store: &mut Store,
    client: &Client,
    now_ms: &dyn Fn() -> u64,
) -> Result<SyncReport, XapiError> {
    let ms = |t: u64| t.min(i64::MAX as u64) as i64;
    let mut report = SyncReport::default();
    let waiting = store.unsent(u32::MAX)?;
    for item in waiting {
        match client.put(&item.id, &item.json) {
            Ok(()) => {
                store.mark_sent(&item.id, ms(now_ms()))?;
                report.sent += 1;
            }
            Err(e) => {
                store.mark_failed(&item.id, &e.to_string(), ms(now_ms()))?;
                report.error = Some(e.to_string());
                if e.stops_the_round() {
                    break;
                }
            }
        }
    }
    report.waiting = store.outbox_status()?.waiting;
    Ok(report)
}
