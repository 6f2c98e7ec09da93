//! xAPI 1.0.3 statements about one attempt.
//!
//! - Every ended attempt has an **attempted** statement (timestamp: its start); an
//!   abandoned one carries `result.completion: false` and the time spent.
//! - A finished attempt also has a **completed** statement (timestamp: its end) with
//!   `result.score` (`scaled` = overall / 100, `raw` 0-100), `success` (the outcome was
//!   `success`), `completion: true`, `duration` (ISO 8601), and as result extensions the
//!   outcome, the rubric scores and, for each criterion, in how many turns it was
//!   assessed and met (for a penalty criterion, "met" means it was committed).
//! - The object is the scenario as an Activity: `{ACTIVITY_BASE}{scenario id}`, with the
//!   version played (and the file's SHA-256) as definition extensions.
//! - `context.registration` is the attempt id, so an LRS groups the statements of one
//!   attempt; statement ids are UUID v5 of the attempt id and the verb
//!   ([`statement_id`]), so the same attempt always yields the same ids.
//!
//! The JSON text is made once, when queued, and kept byte for byte (see the store's
//! outbox); serde_json writes object keys in sorted order, so it is deterministic anyway.

use std::collections::BTreeMap;

use rapport_core::engine::{Event, EventKind};
use rapport_core::history::{utc_text, StoredAttempt};
use rapport_core::score::RubricId;
use serde_json::{json, Map, Value};
use uuid::Uuid;

pub const XAPI_VERSION: &str = "1.0.3";
pub const VERB_ATTEMPTED: &str = "http://adlnet.gov/expapi/verbs/attempted";
pub const VERB_COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";
pub const ACTIVITY_TYPE: &str = "http://adlnet.gov/expapi/activities/simulation";
/// Scenario activity ids are this plus the scenario id (percent-encoded).
pub const ACTIVITY_BASE: &str = "https://rapport.invalid/xapi/scenarios/";
/// Extension keys are this plus a name.
pub const EXTENSION_BASE: &str = "https://rapport.invalid/xapi/extensions/";

/// The namespace of statement ids. Fixed forever: changing it would resend every
/// statement under a new id, and the LRS would hold each attempt twice.
pub const STATEMENT_NAMESPACE: Uuid = Uuid::from_u128(0x2f0a_61c9_5b7e_4d3a_9c1e_83a4_d6f0_b215);

/// One statement ready to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub id: String,
    pub json: String,
}

/// The id of the `verb` statement (`attempted`, `completed`) about attempt `attempt_id`.
pub fn statement_id(attempt_id: &str, verb: &str) -> String {
    Uuid::new_v5(
        &STATEMENT_NAMESPACE,
        format!("{attempt_id}\n{verb}").as_bytes(),
    )
    .hyphenated()
    .to_string()
}

/// `ms` since the epoch as an ISO 8601 UTC timestamp with milliseconds.
pub fn timestamp(ms: u64) -> String {
    let text = utc_text(ms);
    format!("{}.{:03}Z", text.trim_end_matches('Z'), ms % 1000)
}

/// `ms` as an ISO 8601 duration (`PT65.250S`).
pub fn duration(ms: u64) -> String {
    format!("PT{}.{:03}S", ms / 1000, ms % 1000)
}

fn ext(name: &str) -> String {
    format!("{EXTENSION_BASE}{name}")
}

/// The activity id of scenario `id`.
pub fn activity_id(id: &str) -> String {
    let mut out = String::from(ACTIVITY_BASE);
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// How one criterion did over an attempt's replies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub rubric: RubricId,
    pub penalty: bool,
    /// Replies in which its rubric was assessed.
    pub assessed: u32,
    /// Of those, replies in which it was met (committed, for a penalty).
    pub met: u32,
}

/// Every criterion the replies were judged on, by id.
pub fn tally(events: &[Event]) -> BTreeMap<String, Tally> {
    let mut out: BTreeMap<String, Tally> = BTreeMap::new();
    for e in events {
        let EventKind::AgentReply { score, .. } = &e.kind else {
            continue;
        };
        for c in &score.criteria {
            if score.scores.rubric(c.rubric).is_none() {
                continue;
            }
            let t = out.entry(c.id.clone()).or_insert(Tally {
                rubric: c.rubric,
                penalty: c.penalty,
                assessed: 0,
                met: 0,
            });
            t.assessed += 1;
            t.met += u32::from(c.met);
        }
    }
    out
}

pub fn rubric_name(r: RubricId) -> &'static str {
    match r {
        RubricId::Empathy => "empathy",
        RubricId::ProblemSolving => "problem_solving",
        RubricId::Professionalism => "professionalism",
    }
}

/// The statements about `attempt` (none while it is unfinished), `events` being what
/// was recorded for it and `actor` the Agent ([`crate::Profile::actor`]).
pub fn statements(attempt: &StoredAttempt, events: &[Event], actor: &Value) -> Vec<Statement> {
    let Some(ended) = attempt.ended_at_ms else {
        return Vec::new();
    };
    let spent = duration(ended.saturating_sub(attempt.started_at_ms));
    let object = json!({
        "objectType": "Activity",
        "id": activity_id(&attempt.scenario_id),
        "definition": {
            "type": ACTIVITY_TYPE,
            "name": {"und": attempt.scenario_id},
            "extensions": {
                ext("scenario-version"): attempt.scenario_version,
                ext("scenario-sha256"): attempt.scenario_sha256,
            },
        },
    });
    let context = json!({
        "registration": attempt.id,
        "platform": "Rapport",
        "extensions": {
            ext("attempt-id"): attempt.id,
            ext("seed"): attempt.seed.to_string(),
        },
    });
    let statement = |verb: &str, verb_iri: &str, at: u64, result: Option<Value>| {
        let mut s = Map::new();
        s.insert("id".into(), json!(statement_id(&attempt.id, verb)));
        s.insert("version".into(), json!(XAPI_VERSION));
        s.insert("actor".into(), actor.clone());
        s.insert(
            "verb".into(),
            json!({"id": verb_iri, "display": {"en-US": verb}}),
        );
        s.insert("object".into(), object.clone());
        s.insert("context".into(), context.clone());
        s.insert("timestamp".into(), json!(timestamp(at)));
        if let Some(r) = result {
            s.insert("result".into(), r);
        }
        let value = Value::Object(s);
        Statement {
            id: statement_id(&attempt.id, verb),
            json: serde_json::to_string(&value).expect("a statement serialises"),
        }
    };
    let mut out = Vec::new();
    match (&attempt.outcome, &attempt.scores) {
        (Some(outcome), Some(scores)) => {
            out.push(statement(
                "attempted",
                VERB_ATTEMPTED,
                attempt.started_at_ms,
                None,
            ));
            let rubrics: Map<String, Value> = RubricId::ALL
                .iter()
                .filter_map(|r| {
                    scores
                        .rubric(*r)
                        .map(|v| (rubric_name(*r).into(), json!(v)))
                })
                .collect();
            let criteria: Map<String, Value> = tally(events)
                .into_iter()
                .map(|(id, t)| {
                    (
                        id,
                        json!({
                            "rubric": rubric_name(t.rubric),
                            "penalty": t.penalty,
                            "assessed": t.assessed,
                            "met": t.met,
                        }),
                    )
                })
                .collect();
            let result = json!({
                "score": {
                    "scaled": f64::from(scores.overall) / 100.0,
                    "raw": scores.overall,
                    "min": 0,
                    "max": 100,
                },
                "success": outcome == "success",
                "completion": true,
                "duration": spent,
                "extensions": {
                    ext("outcome"): outcome,
                    ext("rubric-scores"): rubrics,
                    ext("criteria"): criteria,
                    ext("turns"): attempt.steps.iter().filter(|s| s.step.is_turn()).count(),
                },
            });
            out.push(statement("completed", VERB_COMPLETED, ended, Some(result)));
        }
        _ => out.push(statement(
            "attempted",
            VERB_ATTEMPTED,
            attempt.started_at_ms,
            Some(json!({"completion": false, "duration": spent})),
        )),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rapport_core::history::{Step, TimedStep};
    use rapport_core::score::Scores;

    fn attempt(finished: bool) -> StoredAttempt {
        StoredAttempt {
            id: "5d1a3c57-0a0e-5d4c-9c39-0c6e8f7b9a11".into(),
            scenario_id: "double-charge".into(),
            scenario_version: "1.2.0".into(),
            scenario_sha256: "ab".repeat(32),
            seed: 7,
            started_at_ms: 1_775_989_015_123,
            ended_at_ms: Some(1_775_989_080_373),
            outcome: finished.then(|| "success".into()),
            scores: finished.then_some(Scores {
                overall: 80,
                empathy: Some(90),
                problem_solving: None,
                professionalism: Some(70),
            }),
            steps: vec![TimedStep {
                at_ms: 1_775_989_020_000,
                step: Step::Reply { text: "hi".into() },
            }],
        }
    }

    #[test]
    fn a_finished_attempt_is_attempted_then_completed() {
        let actor = json!({"objectType": "Agent", "name": "Ana", "mbox": "mailto:a@example.org"});
        let s = statements(&attempt(true), &[], &actor);
        assert_eq!(s.len(), 2);
        let done: Value = serde_json::from_str(&s[1].json).unwrap();
        assert_eq!(done["id"], s[1].id);
        assert_eq!(done["verb"]["id"], VERB_COMPLETED);
        assert_eq!(done["result"]["score"]["scaled"], 0.8);
        assert_eq!(done["result"]["success"], true);
        assert_eq!(done["result"]["completion"], true);
        assert_eq!(done["result"]["duration"], "PT65.250S");
        assert_eq!(done["timestamp"], "2026-04-12T10:18:00.373Z");
        assert_eq!(
            done["object"]["id"],
            "https://rapport.invalid/xapi/scenarios/double-charge"
        );
        let exts = &done["result"]["extensions"];
        assert_eq!(exts[ext("outcome")], "success");
        assert_eq!(exts[ext("rubric-scores")]["empathy"], 90);
        assert!(exts[ext("rubric-scores")].get("problem_solving").is_none());
        assert_eq!(
            done["object"]["definition"]["extensions"][ext("scenario-version")],
            "1.2.0"
        );
        assert_eq!(done["context"]["registration"], attempt(true).id);
        // Same attempt, same bytes and ids.
        assert_eq!(statements(&attempt(true), &[], &actor), s);
        assert_ne!(s[0].id, s[1].id);
    }

    #[test]
    fn an_abandoned_attempt_is_attempted_and_not_completed() {
        let s = statements(&attempt(false), &[], &json!({"name": "x"}));
        assert_eq!(s.len(), 1);
        let v: Value = serde_json::from_str(&s[0].json).unwrap();
        assert_eq!(v["verb"]["id"], VERB_ATTEMPTED);
        assert_eq!(v["result"]["completion"], false);
        let mut open = attempt(false);
        open.ended_at_ms = None;
        assert!(statements(&open, &[], &json!({})).is_empty());
    }

    #[test]
    fn activity_ids_are_percent_encoded() {
        assert_eq!(
            activity_id("a b/é"),
            "https://rapport.invalid/xapi/scenarios/a%20b%2F%C3%A9"
        );
    }
}
