//! The trainee's progress over their recorded attempts: scores over time, how each
//! criterion has gone in the recent attempts, the weakest ones, and the scenario that
//! practises them. Pure: it reads what was recorded (the scores in the events as the
//! trainee saw them) and the loaded scenarios; nothing is scored again.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::{Event, EventKind};
use crate::history::{utc_text, StoredAttempt};
use crate::model::Scenario;
use crate::score::{RubricId, Scores};

/// How many of the latest finished attempts the criterion rates cover.
pub const RECENT_ATTEMPTS: usize = 10;
/// A criterion judged in fewer turns than this is not named among the weakest.
pub const MIN_TURNS_FOR_WEAKEST: u32 = 2;
/// How many weakest criteria are named.
pub const WEAKEST: usize = 3;

/// One finished attempt on the time line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProgressPoint {
    pub attempt_id: String,
    pub scenario: String,
    /// The scenario's title when it is in the library, else its id.
    pub title: String,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub started: String,
    pub started_at_ms: u64,
    pub outcome: String,
    pub scores: Scores,
}

/// How one criterion went in the recent attempts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CriterionRate {
    pub id: String,
    pub rubric: RubricId,
    /// A penalty criterion goes well when it is not committed.
    pub penalty: bool,
    /// Turns in which its rubric was assessed.
    pub judged: u32,
    /// Of those, turns in which it went well (met; for a penalty, avoided).
    pub went_well: u32,
    /// `went_well / judged` in percent, rounded.
    pub rate: u8,
}

/// A scenario to play next, and which of the weakest criteria its moments call for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Suggestion {
    pub scenario: String,
    pub title: String,
    pub practises: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProgressView {
    /// Finished attempts, oldest first.
    pub attempts: Vec<ProgressPoint>,
    /// Over the last [`RECENT_ATTEMPTS`] finished attempts, by rubric then id.
    pub criteria: Vec<CriterionRate>,
    /// How many attempts `criteria` covers.
    pub recent: u32,
    /// Up to [`WEAKEST`] criterion ids, weakest first.
    pub weakest: Vec<String>,
    pub suggestion: Option<Suggestion>,
}

/// The progress over `attempts` (any order; unfinished and abandoned ones are left
/// out), `events` giving the recorded events of an attempt by id.
pub fn progress(
    attempts: &[StoredAttempt],
    events: &dyn Fn(&str) -> Vec<Event>,
    scenarios: &[Scenario],
) -> ProgressView {
    let title = |id: &str| {
        scenarios
            .iter()
            .find(|s| s.meta.id == id)
            .map_or_else(|| id.to_string(), |s| s.meta.title.clone())
    };
    let mut finished: Vec<&StoredAttempt> = attempts
        .iter()
        .filter(|a| a.outcome.is_some() && a.scores.is_some())
        .collect();
    finished.sort_by(|a, b| (a.started_at_ms, &a.id).cmp(&(b.started_at_ms, &b.id)));
    let points = finished
        .iter()
        .map(|a| ProgressPoint {
            attempt_id: a.id.clone(),
            scenario: a.scenario_id.clone(),
            title: title(&a.scenario_id),
            started: utc_text(a.started_at_ms),
            started_at_ms: a.started_at_ms,
            outcome: a.outcome.clone().unwrap_or_default(),
            scores: a.scores.unwrap_or_default(),
        })
        .collect();
    let recent = &finished[finished.len().saturating_sub(RECENT_ATTEMPTS)..];
    let mut tally: BTreeMap<(RubricId, String), (bool, u32, u32)> = BTreeMap::new();
    for a in recent {
        for e in events(&a.id) {
            let EventKind::AgentReply { score, .. } = &e.kind else {
                continue;
            };
            for c in &score.criteria {
                if score.scores.rubric(c.rubric).is_none() {
                    continue;
                }
                let t = tally
                    .entry((c.rubric, c.id.clone()))
                    .or_insert((c.penalty, 0, 0));
                t.1 += 1;
                t.2 += u32::from(c.met != c.penalty);
            }
        }
    }
    let criteria: Vec<CriterionRate> = tally
        .into_iter()
        .map(
            |((rubric, id), (penalty, judged, went_well))| CriterionRate {
                id,
                rubric,
                penalty,
                judged,
                went_well,
                rate: (f64::from(went_well) * 100.0 / f64::from(judged.max(1))).round() as u8,
            },
        )
        .collect();
    let mut candidates: Vec<&CriterionRate> = criteria
        .iter()
        .filter(|c| c.judged >= MIN_TURNS_FOR_WEAKEST && c.rate < 100)
        .collect();
    candidates.sort_by(|a, b| {
        (a.rate, std::cmp::Reverse(a.judged), &a.id).cmp(&(
            b.rate,
            std::cmp::Reverse(b.judged),
            &b.id,
        ))
    });
    let weakest: Vec<String> = candidates
        .iter()
        .take(WEAKEST)
        .map(|c| c.id.clone())
        .collect();
    ProgressView {
        attempts: points,
        recent: recent.len() as u32,
        suggestion: suggest(&weakest, scenarios, &finished),
        criteria,
        weakest,
    }
}

/// The scenario whose moments call for most of `weakest` (the weakest counting most);
/// among equals the one played least, then the easier one.
fn suggest(
    weakest: &[String],
    scenarios: &[Scenario],
    finished: &[&StoredAttempt],
) -> Option<Suggestion> {
    let mut best: Option<(usize, usize, u8, &Scenario, Vec<String>)> = None;
    for s in scenarios {
        let practises: Vec<String> = weakest
            .iter()
            .filter(|c| s.nodes.values().any(|n| n.focus.iter().any(|f| f == *c)))
            .cloned()
            .collect();
        if practises.is_empty() {
            continue;
        }
        let weight: usize = weakest
            .iter()
            .enumerate()
            .filter(|(_, c)| practises.contains(c))
            .map(|(i, _)| weakest.len() - i)
            .sum();
        let played = finished
            .iter()
            .filter(|a| a.scenario_id == s.meta.id)
            .count();
        let better = match &best {
            None => true,
            Some((w, p, d, _, _)) => {
                (
                    weight,
                    std::cmp::Reverse(played),
                    std::cmp::Reverse(s.meta.difficulty),
                ) > (*w, std::cmp::Reverse(*p), std::cmp::Reverse(*d))
            }
        };
        if better {
            best = Some((weight, played, s.meta.difficulty, s, practises));
        }
    }
    best.map(|(_, _, _, s, practises)| Suggestion {
        scenario: s.meta.id.clone(),
        title: s.meta.title.clone(),
        practises,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::{CriterionResult, ReplyScore};
    use crate::testkit::scenario;

    fn criterion(id: &str, rubric: RubricId, penalty: bool, met: bool) -> CriterionResult {
        CriterionResult {
            id: id.into(),
            rubric,
            penalty,
            met,
            evidence: Vec::new(),
            tip: None,
            sounds_like: None,
        }
    }

    fn reply(apologised: bool, blamed: bool) -> Event {
        Event {
            at_ms: 0,
            kind: EventKind::AgentReply {
                node: "n".into(),
                text: "t".into(),
                choice: None,
                score: ReplyScore {
                    scores: Scores {
                        empathy: Some(50),
                        problem_solving: None,
                        professionalism: Some(100),
                        overall: 50,
                    },
                    criteria: vec![
                        criterion("apologize", RubricId::Empathy, false, apologised),
                        criterion("blame", RubricId::Professionalism, true, blamed),
                        // Its rubric was not assessed: not counted.
                        criterion("offer_solution", RubricId::ProblemSolving, false, false),
                    ],
                },
            },
        }
    }

    fn attempt(id: &str, at: u64, finished: bool) -> StoredAttempt {
        StoredAttempt {
            id: id.into(),
            scenario_id: "test".into(),
            scenario_version: "1".into(),
            scenario_sha256: String::new(),
            seed: 1,
            started_at_ms: at,
            ended_at_ms: Some(at + 1),
            outcome: finished.then(|| "success".into()),
            scores: finished.then_some(Scores {
                overall: 50,
                ..Scores::default()
            }),
            steps: Vec::new(),
        }
    }

    #[test]
    fn rates_count_assessed_turns_and_name_the_weakest_with_a_scenario_for_it() {
        let mut sc = scenario();
        sc.meta.id = "test".into();
        let attempts = vec![
            attempt("b", 2_000, true),
            attempt("a", 1_000, true),
            attempt("x", 3_000, false),
        ];
        let events = |id: &str| match id {
            "a" => vec![reply(false, false), reply(true, false)],
            "b" => vec![reply(false, true)],
            _ => vec![reply(true, true)],
        };
        let p = progress(&attempts, &events, std::slice::from_ref(&sc));
        let order: Vec<&str> = p.attempts.iter().map(|a| a.attempt_id.as_str()).collect();
        assert_eq!(order, ["a", "b"], "finished only, oldest first");
        assert_eq!(p.recent, 2);
        let rate = |id: &str| p.criteria.iter().find(|c| c.id == id).cloned();
        let apologize = rate("apologize").unwrap();
        assert_eq!(
            (apologize.judged, apologize.went_well, apologize.rate),
            (3, 1, 33)
        );
        // A penalty goes well when avoided.
        let blame = rate("blame").unwrap();
        assert_eq!((blame.judged, blame.went_well, blame.rate), (3, 2, 67));
        assert!(rate("offer_solution").is_none());
        assert_eq!(p.weakest, ["apologize", "blame"]);
        let s = p
            .suggestion
            .expect("the test scenario's node calls for apologize");
        assert_eq!(s.scenario, "test");
        assert!(s.practises.contains(&"apologize".to_string()));
    }
}
