//! The debrief: the whole conversation added up honestly, and the ending explained.
//!
//! - Each rubric is the mean over the turns that assessed it (`None` if none did).
//! - The overall is the mean of the turns' overall scores, where a silence the customer
//!   had to chase is a turn scoring 0: saying nothing to an upset customer costs.
//! - `decided_by` names the turn whose branch led to the ending, with what the moment
//!   called for that it met and missed, and the mood there.

use serde::{Deserialize, Serialize};

use super::condition::{words, OnConversation};
use super::{EventKind, Rule, Session};
use crate::model::{Outcome, Scenario};
use crate::score::{ReplyScore, RubricId, Scores};
use crate::template;

/// The whole conversation, summed up for the debrief screen and `play`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Debrief {
    pub scenario_id: String,
    pub title: String,
    pub ending: String,
    pub outcome: Outcome,
    pub closing_line: String,
    /// The lesson that matches what happened (the ending's first variant that holds).
    pub lesson: String,
    /// Each rubric: the mean over the turns that assessed it. Overall: the mean of
    /// every turn's overall, a chased silence counting 0.
    pub scores: Scores,
    /// The mood at the start and after each turn.
    pub mood_curve: Vec<u8>,
    pub turns: Vec<DebriefTurn>,
    /// The turn and branch that led to the ending.
    pub decided_by: Option<Decision>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DebriefTurn {
    pub node: String,
    /// What the customer said before the trainee answered.
    pub customer_line: String,
    /// `None` when the trainee stayed silent.
    pub reply: Option<String>,
    pub choice: Option<usize>,
    pub score: Option<ReplyScore>,
    pub focus: Vec<String>,
    pub model_answers: Vec<String>,
    pub mood_after: u8,
}

/// Why the conversation ended where it did.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// Index into `turns`.
    pub turn: usize,
    pub node: String,
    pub rule: Rule,
    /// The branch condition that held, in words.
    pub reason: String,
    /// What the moment called for (its focus) that the reply met, and missed.
    pub met: Vec<String>,
    pub missed: Vec<String>,
    /// The mood when the trainee answered.
    pub mood: u8,
}

/// Mean of whole scores, rounded; `None` for none.
fn mean(xs: impl Iterator<Item = u8>) -> Option<u8> {
    let (sum, n) = xs.fold((0u32, 0u32), |(s, n), x| (s + u32::from(x), n + 1));
    (n > 0).then(|| (f64::from(sum) / f64::from(n)).round() as u8)
}

/// The debrief's scores over its turns, `None` for a silence (see the module docs).
pub fn add_up(turns: &[Option<&Scores>]) -> Scores {
    let rubric = |r: RubricId| mean(turns.iter().flatten().filter_map(|s| s.rubric(r)));
    Scores {
        empathy: rubric(RubricId::Empathy),
        problem_solving: rubric(RubricId::ProblemSolving),
        professionalism: rubric(RubricId::Professionalism),
        overall: mean(turns.iter().map(|t| t.map_or(0, |s| s.overall))).unwrap_or(0),
    }
}

impl Session {
    /// The debrief, once the conversation has ended.
    pub fn debrief(&self, scenario: &Scenario) -> Option<Debrief> {
        let played = self.played(scenario);
        let scenario = &*played;
        let (ending_id, ending) = self.ending(scenario)?;
        Some(sum_up(scenario, &self.transcript, ending_id, ending))
    }
}

/// The debrief of a recorded conversation, from its events as recorded (the scores in
/// them are the ones the trainee saw; nothing is scored again). `None` when the events
/// do not reach an ending of `scenario`.
pub fn debrief_of(scenario: &Scenario, transcript: &[super::Event]) -> Option<Debrief> {
    let ending_id = transcript.iter().rev().find_map(|e| match &e.kind {
        EventKind::Ended { ending, .. } => Some(ending.as_str()),
        _ => None,
    })?;
    let (ending_id, ending) = scenario.endings.get_key_value(ending_id)?;
    Some(sum_up(scenario, transcript, ending_id, ending))
}

fn sum_up(
    scenario: &Scenario,
    transcript: &[super::Event],
    ending_id: &str,
    ending: &crate::model::Ending,
) -> Debrief {
    {
        let mut turns: Vec<DebriefTurn> = Vec::new();
        let mut mood = scenario.customer.mood;
        let mut mood_curve = vec![mood];
        let mut last_line = String::new();
        let mut decided_by = None;
        let mut lesson = None;
        for event in transcript {
            match &event.kind {
                EventKind::CustomerLine { text, .. } => last_line = text.clone(),
                EventKind::MoodChanged { to, .. } => {
                    mood = *to;
                    if let Some(t) = turns.last_mut() {
                        t.mood_after = mood;
                        if let Some(m) = mood_curve.last_mut() {
                            *m = mood;
                        }
                    }
                }
                EventKind::AgentReply {
                    node,
                    text,
                    choice,
                    score,
                } => {
                    turns.push(turn(
                        scenario,
                        node,
                        &last_line,
                        Some(text.clone()),
                        *choice,
                        Some(score.clone()),
                        mood,
                    ));
                    mood_curve.push(mood);
                }
                EventKind::AgentSilent { node, .. } => {
                    turns.push(turn(scenario, node, &last_line, None, None, None, mood));
                    mood_curve.push(mood);
                }
                EventKind::BranchTaken {
                    from,
                    to,
                    rule,
                    reason,
                } if to == ending_id => {
                    let at = turns.len().saturating_sub(1);
                    let (met, missed) = turns
                        .get(at)
                        .map(|t| {
                            t.focus
                                .iter()
                                .cloned()
                                .partition(|c| t.score.as_ref().is_some_and(|s| s.met(c)))
                        })
                        .unwrap_or_default();
                    // The mood when the trainee answered: before this turn's change.
                    let mood_then = mood_curve
                        .len()
                        .checked_sub(2)
                        .map_or(mood, |i| mood_curve[i]);
                    decided_by = Some(Decision {
                        turn: at,
                        node: from.clone(),
                        rule: rule.clone(),
                        reason: reason.clone(),
                        met,
                        missed,
                        mood: mood_then,
                    });
                }
                EventKind::Ended { lesson: l, .. } => lesson = Some(l.clone()),
                _ => {}
            }
        }
        Debrief {
            scenario_id: scenario.meta.id.clone(),
            title: scenario.meta.title.clone(),
            ending: ending_id.to_string(),
            outcome: ending.outcome,
            // The line actually said at the ending (it may follow the reply that led there).
            closing_line: transcript
                .iter()
                .rev()
                .find_map(|e| match &e.kind {
                    EventKind::CustomerLine { node, text, .. } if node == ending_id => {
                        Some(text.clone())
                    }
                    _ => None,
                })
                .unwrap_or_default(),
            lesson: lesson.unwrap_or_else(|| template::render(&ending.lesson, &scenario.customer)),
            scores: add_up(
                &turns
                    .iter()
                    .map(|t| t.score.as_ref().map(|s| &s.scores))
                    .collect::<Vec<_>>(),
            ),
            mood_curve,
            turns,
            decided_by,
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn turn(
    scenario: &Scenario,
    node: &str,
    customer_line: &str,
    reply: Option<String>,
    choice: Option<usize>,
    score: Option<ReplyScore>,
    mood: u8,
) -> DebriefTurn {
    let n = scenario.nodes.get(node);
    DebriefTurn {
        node: node.to_string(),
        customer_line: customer_line.to_string(),
        reply,
        choice,
        score,
        focus: n.map(|n| scenario.focus_at(n)).unwrap_or_default(),
        model_answers: n
            .map(|n| {
                n.model_answers
                    .iter()
                    .map(|a| template::render(a, &scenario.customer))
                    .collect()
            })
            .unwrap_or_default(),
        mood_after: mood,
    }
}

impl Session {
    /// The lesson of `ending_id` that matches the conversation so far plus `pending`
    /// events (those of the input being handled), with the final mood `mood`.
    pub(super) fn lesson_for(
        &self,
        scenario: &Scenario,
        ending_id: &str,
        pending: &[super::Event],
    ) -> String {
        let Some(ending) = scenario.endings.get(ending_id) else {
            return String::new();
        };
        let mut replies = Vec::new();
        let mut turns = Vec::new();
        let mut chases = 0;
        for e in self.transcript.iter().chain(pending) {
            match &e.kind {
                EventKind::AgentReply { text, score, .. } => {
                    replies.push((score, words(text)));
                    turns.push(Some(&score.scores));
                }
                EventKind::AgentSilent { .. } => {
                    chases += 1;
                    turns.push(None);
                }
                _ => {}
            }
        }
        let seen = OnConversation {
            replies,
            scores: add_up(&turns),
            final_mood: self.mood,
            chases,
        };
        let text = ending
            .lesson_variants
            .iter()
            .find(|v| super::condition::holds(&v.when, &seen).is_some())
            .map_or(ending.lesson.as_str(), |v| v.text.as_str());
        template::render(text, &scenario.customer)
    }
}
