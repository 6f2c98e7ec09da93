//! Golden tests: a trainer's scripted runs through a scenario (`tests:` in the YAML),
//! played by the real engine and scorer, and the plain-text transcript they produce.
//!
//! The same runner serves `rapport test`, the workspace's golden-transcript tests and
//! `rapport play`'s output format, so what a trainer checks is what a trainee sees.

use std::fmt::Write as _;

use crate::engine::{Clock, Event, EventKind, Input, ManualClock, Rule, Session};
use crate::model::{GoldenTest, Scenario, TestTurn};
use crate::score::{ReplyScore, Scorer};

/// Seconds a scripted reply takes, so transcripts show plausible times.
const REPLY_SECONDS: u64 = 20;

/// One golden test's result.
#[derive(Debug, Clone)]
pub struct TestRun {
    pub name: String,
    /// What differed from the test's expectations; empty when it passed.
    pub failures: Vec<String>,
    pub session: Session,
}

impl TestRun {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Plays `test` on `scenario` with a manual clock starting at 0.
pub fn run(scenario: &Scenario, test: &GoldenTest, scorer: &dyn Scorer) -> TestRun {
    let clock = ManualClock::new(0);
    let mut session = Session::start(scenario, test.seed, &clock);
    let mut failures = Vec::new();
    for (i, turn) in test.turns.iter().enumerate() {
        if session.is_ended() {
            failures.push(format!(
                "turn {}: the conversation already ended at `{}`",
                i + 1,
                session.current()
            ));
            break;
        }
        let input = match turn {
            TestTurn::Reply(text) => {
                clock.advance(REPLY_SECONDS * 1000);
                Input::Reply { text: text.clone() }
            }
            TestTurn::Choice(number) => {
                clock.advance(REPLY_SECONDS * 1000);
                // A test numbers choices as written; the session may show them shuffled.
                let shown = session
                    .node(scenario)
                    .and_then(|n| session.screen_number(n, *number))
                    .unwrap_or(*number);
                Input::Choice { number: shown }
            }
            TestTurn::Silence => {
                let deadline = session
                    .patience_deadline_ms(scenario)
                    .unwrap_or(clock.now_ms() + 60_000);
                clock.advance(deadline.saturating_sub(clock.now_ms()) + 1000);
                Input::Silence
            }
        };
        if let Err(e) = session.advance(scenario, scorer, &input, &clock) {
            failures.push(format!("turn {} at `{}`: {e}", i + 1, session.current()));
            break;
        }
    }
    if let Some(want) = &test.variant {
        if session.variant() != Some(want.as_str()) {
            failures.push(format!(
                "expected the persona variant `{want}`, met `{}`",
                session.variant().unwrap_or("none")
            ));
        }
    }
    if !session.is_ended() {
        failures.push(format!(
            "the script ran out at node `{}` before any ending",
            session.current()
        ));
    } else if session.current() != test.ending {
        failures.push(format!(
            "expected ending `{}`, reached `{}`",
            test.ending,
            session.current()
        ));
    }
    if let Some(d) = session.debrief(scenario) {
        let overall = d.scores.overall;
        if test.overall_at_least.is_some_and(|min| overall < min) {
            failures.push(format!(
                "expected a debrief overall of at least {}, got {overall}",
                test.overall_at_least.unwrap_or_default()
            ));
        }
        if test.overall_at_most.is_some_and(|max| overall > max) {
            failures.push(format!(
                "expected a debrief overall of at most {}, got {overall}",
                test.overall_at_most.unwrap_or_default()
            ));
        }
    }
    if !test.path.is_empty() && session.path() != test.path.as_slice() {
        // The headline is where the path first left the expected one and why, not the
        // last symptom (a failure used to be reported at turn 4 when turn 2 went wrong).
        if let Some(why) = divergence(scenario, &session, &test.path) {
            failures.insert(0, why);
        }
        failures.push(format!(
            "expected path [{}], took [{}]",
            test.path.join(", "),
            session.path().join(", ")
        ));
    }
    TestRun {
        name: test.name.clone(),
        failures,
        session,
    }
}

/// Where the session's path first left `expected`: the turn, the branch it took and, for
/// each branch of that node leading where the test expected, the parts that failed.
fn divergence(scenario: &Scenario, session: &Session, expected: &[String]) -> Option<String> {
    let taken = session.path();
    let at = (1..taken.len().min(expected.len())).find(|&i| taken[i] != expected[i])?;
    let mut transitions = 0;
    let mut turn = 0;
    let mut mood = session.played(scenario).customer.mood;
    let mut mood_before = mood;
    let mut last_reply: Option<(&str, &crate::score::ReplyScore)> = None;
    for e in session.transcript() {
        match &e.kind {
            EventKind::AgentReply { text, score, .. } => {
                turn += 1;
                mood_before = mood;
                last_reply = Some((text, score));
            }
            EventKind::AgentSilent { .. } => {
                turn += 1;
                mood_before = mood;
                last_reply = None;
            }
            EventKind::MoodChanged { to, .. } => mood = *to,
            EventKind::BranchTaken {
                from, rule, reason, ..
            } => {
                transitions += 1;
                if transitions < at {
                    continue;
                }
                let node = scenario.nodes.get(from)?;
                let how = match rule {
                    Rule::Branch { index } => format!("branch {}", index + 1),
                    Rule::Otherwise => "otherwise".to_string(),
                    Rule::Silence => "on silence".to_string(),
                };
                let mut out = format!(
                    "the path left the expected one at turn {turn} (`{from}`): it took `{}` by {how} ({reason}), the test expected `{}`",
                    taken[at], expected[at]
                );
                if let Some((text, score)) = last_reply {
                    let seen = crate::engine::OnReply::new(score, text, mood_before, 0);
                    for (i, b) in node.branches.iter().enumerate() {
                        if b.then.goto == expected[at] {
                            let failed = crate::engine::failed_parts(&b.when, &seen);
                            let _ = write!(
                                out,
                                "; branch {} to `{}` failed: {}",
                                i + 1,
                                b.then.goto,
                                failed.join(", ")
                            );
                        }
                    }
                }
                return Some(out);
            }
            _ => {}
        }
    }
    None
}

/// The debrief overall a run of the trainer's own model answers must reach.
pub const MODEL_RUN_MIN_OVERALL: u8 = 85;
/// Turns after which a model-answer run that has not ended is cut (a loop).
const MODEL_RUN_MAX_TURNS: usize = 40;

/// Plays the scenario's own model answers, node after node (the first answer; at a
/// guided node the choice that scores best there), and checks that they reach a
/// success ending with a debrief overall of at least [`MODEL_RUN_MIN_OVERALL`]: the
/// trainer's strong replies must be rewarded as strong.
pub fn model_answer_run(scenario: &Scenario, scorer: &dyn Scorer) -> TestRun {
    let clock = ManualClock::new(0);
    let mut session = Session::start(scenario, 0, &clock);
    // Model answers are rendered with the facts of the customer this seed meets.
    let played = session.played(scenario);
    let mut failures = Vec::new();
    for turn in 0..MODEL_RUN_MAX_TURNS {
        let Some(node) = session.node(scenario) else {
            break;
        };
        let input = if node.choices.is_empty() {
            match node.model_answers.first() {
                Some(a) => Input::Reply {
                    text: crate::template::render(a, &played.customer),
                },
                None => {
                    failures.push(format!(
                        "turn {}: `{}` has no model answer",
                        turn + 1,
                        session.current()
                    ));
                    break;
                }
            }
        } else {
            let line = session
                .transcript()
                .iter()
                .rev()
                .find_map(|e| match &e.kind {
                    EventKind::CustomerLine { text, .. } => Some(text.clone()),
                    _ => None,
                });
            let best = (1..=node.choices.len())
                .max_by_key(|&n| {
                    let text = crate::template::render(&node.choices[n - 1], &played.customer);
                    let s = crate::engine::score_at(&played, node, &text, line.as_deref(), scorer);
                    // Ties go to the first choice listed.
                    (s.scores.overall, std::cmp::Reverse(n))
                })
                .unwrap_or(1);
            Input::Choice {
                number: session.screen_number(node, best).unwrap_or(best),
            }
        };
        clock.advance(REPLY_SECONDS * 1000);
        if let Err(e) = session.advance(scenario, scorer, &input, &clock) {
            failures.push(format!("turn {} at `{}`: {e}", turn + 1, session.current()));
            break;
        }
    }
    match session.debrief(scenario) {
        None => failures.push(format!(
            "the model answers never reach an ending (stopped at `{}`)",
            session.current()
        )),
        Some(d) => {
            if d.outcome != crate::model::Outcome::Success {
                failures.push(format!(
                    "the model answers reach `{}` ({}), not a success",
                    d.ending,
                    d.outcome.as_str()
                ));
            }
            if d.scores.overall < MODEL_RUN_MIN_OVERALL {
                failures.push(format!(
                    "the model answers score {} overall in the debrief, under {MODEL_RUN_MIN_OVERALL}",
                    d.scores.overall
                ));
            }
        }
    }
    TestRun {
        name: "model answers".to_string(),
        failures,
        session,
    }
}

/// Runs every golden test of a scenario, then the run of its model answers.
pub fn run_all(scenario: &Scenario, scorer: &dyn Scorer) -> Vec<TestRun> {
    let mut runs: Vec<TestRun> = scenario
        .tests
        .iter()
        .map(|t| run(scenario, t, scorer))
        .collect();
    runs.push(model_answer_run(scenario, scorer));
    runs
}

/// The whole transcript as text, one event per block, stable for golden files.
pub fn transcript_text(events: &[Event]) -> String {
    let mut out = String::new();
    for e in events {
        out.push_str(&event_text(e));
    }
    out
}

/// One event as text lines (each ending in a newline).
pub fn event_text(event: &Event) -> String {
    let mut out = String::new();
    let t = event.at_ms / 1000;
    let stamp = format!("[{:02}:{:02}]", t / 60, t % 60);
    let _ = match &event.kind {
        EventKind::CustomerLine { node, text, chase } => {
            let who = if *chase {
                "customer (chasing)"
            } else {
                "customer"
            };
            writeln!(out, "{stamp} {who} @{node}: {text}")
        }
        EventKind::AgentReply {
            text,
            choice,
            score,
            ..
        } => {
            let how = choice.map(|n| format!(" (choice {n})")).unwrap_or_default();
            let _ = writeln!(out, "{stamp} agent{how}: {text}");
            out.push_str(&score_text(score, "        "));
            Ok(())
        }
        EventKind::AgentSilent { waited_ms, .. } => {
            writeln!(out, "{stamp} agent: (silent for {} s)", waited_ms / 1000)
        }
        EventKind::BranchTaken {
            from,
            to,
            rule,
            reason,
        } => {
            let rule = match rule {
                Rule::Branch { index } => format!("branch {}", index + 1),
                Rule::Otherwise => "otherwise".to_string(),
                Rule::Silence => "on silence".to_string(),
            };
            writeln!(out, "        -> {from} to {to} by {rule}: {reason}")
        }
        EventKind::MoodChanged { from, to, delta } => {
            writeln!(out, "        mood {from} -> {to} ({delta:+})")
        }
        EventKind::Ended {
            ending,
            outcome,
            lesson,
        } => writeln!(
            out,
            "{stamp} ended: {ending} ({})\n        lesson: {lesson}",
            outcome.as_str()
        ),
    };
    out
}

/// A rubric score as text: "-" when the moment did not assess it.
pub fn shown(score: Option<u8>) -> String {
    score.map_or_else(|| "-".to_string(), |v| v.to_string())
}

/// "scores: empathy 80 / problem solving - / professionalism - / overall 80".
pub fn scores_line(s: &crate::score::Scores) -> String {
    format!(
        "scores: empathy {} / problem solving {} / professionalism {} / overall {}",
        shown(s.empathy),
        shown(s.problem_solving),
        shown(s.professionalism),
        s.overall
    )
}

/// Scores, then each met criterion with its evidence, then missed ones with their tip.
pub fn score_text(score: &ReplyScore, indent: &str) -> String {
    let mut out = format!("{indent}{}\n", scores_line(&score.scores));
    for c in &score.criteria {
        if c.met {
            let quotes: Vec<String> = c
                .evidence
                .iter()
                .map(|e| format!("\"{}\"", e.text))
                .collect();
            let _ = writeln!(out, "{indent}  + {}: {}", c.id, quotes.join(", "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EventKind;
    use crate::model::Outcome;

    #[test]
    fn formats_each_kind_of_event() {
        let e = |at_ms, kind| Event { at_ms, kind };
        let text = transcript_text(&[
            e(
                0,
                EventKind::CustomerLine {
                    node: "a".into(),
                    text: "Hi".into(),
                    chase: false,
                },
            ),
            e(
                65_000,
                EventKind::AgentSilent {
                    node: "a".into(),
                    waited_ms: 65_000,
                },
            ),
            e(
                65_000,
                EventKind::BranchTaken {
                    from: "a".into(),
                    to: "b".into(),
                    rule: Rule::Silence,
                    reason: "silent for 65 s".into(),
                },
            ),
            e(
                65_000,
                EventKind::MoodChanged {
                    from: 50,
                    to: 40,
                    delta: -10,
                },
            ),
            e(
                65_000,
                EventKind::Ended {
                    ending: "b".into(),
                    outcome: Outcome::HungUp,
                    lesson: "Answer.".into(),
                },
            ),
        ]);
        assert_eq!(
            text,
            "[00:00] customer @a: Hi\n\
             [01:05] agent: (silent for 65 s)\n        \
             -> a to b by on silence: silent for 65 s\n        \
             mood 50 -> 40 (-10)\n\
             [01:05] ended: b (hung_up)\n        lesson: Answer.\n"
        );
    }

    fn test(turns: Vec<TestTurn>, path: &[&str], ending: &str) -> GoldenTest {
        GoldenTest {
            name: "t".into(),
            seed: 3,
            variant: None,
            turns,
            path: path.iter().map(|s| s.to_string()).collect(),
            ending: ending.into(),
            overall_at_least: None,
            overall_at_most: None,
        }
    }

    #[test]
    fn a_script_that_reaches_the_expected_ending_passes() {
        let sc = crate::testkit::scenario();
        let t = test(
            vec![
                TestTurn::Silence,
                TestTurn::Reply("I'm so sorry".into()),
                TestTurn::Reply("Sorry again".into()),
            ],
            &["start", "calmer", "happy"],
            "happy",
        );
        let run = run(&sc, &t, &crate::testkit::WordScorer);
        assert!(run.passed(), "{:?}", run.failures);
        let text = transcript_text(run.session.transcript());
        assert!(text.contains("[00:21] agent: (silent for 21 s)"), "{text}");
        assert!(text.contains("ended: happy (success)"), "{text}");
    }

    #[test]
    fn wrong_ending_wrong_path_and_leftover_turns_are_reported() {
        let sc = crate::testkit::scenario();
        let t = test(
            vec![
                TestTurn::Reply("it is your fault".into()),
                TestTurn::Reply("hello?".into()),
            ],
            &["start", "calmer", "happy"],
            "happy",
        );
        let run = run(&sc, &t, &crate::testkit::WordScorer);
        assert_eq!(run.failures.len(), 4, "{:?}", run.failures);
        // The headline says where and why the path left the expected one.
        assert!(
            run.failures[0].contains("left the expected one at turn 1 (`start`)")
                && run.failures[0].contains("branch 2 to `calmer` failed: apologize missed"),
            "{}",
            run.failures[0]
        );
        assert!(run.failures[1].contains("already ended at `hung_up`"));
        assert!(run.failures[2].contains("expected ending `happy`, reached `hung_up`"));
        assert!(run.failures[3].contains("took [start, hung_up]"));
    }

    #[test]
    fn a_script_that_stops_early_fails() {
        let sc = crate::testkit::scenario();
        let run = run(
            &sc,
            &test(vec![], &[], "happy"),
            &crate::testkit::WordScorer,
        );
        assert_eq!(
            run.failures,
            ["the script ran out at node `start` before any ending"]
        );
    }
}
