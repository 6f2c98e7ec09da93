//! The App recording into the real SQLite store (rapport-store's adapter) in a temp data
//! folder: recording as it happens, resume rebuilding exactly, a changed scenario refused,
//! and a store that cannot be opened not stopping practice.

use std::path::Path;

use rapport_core::app::{App, AttemptStatus, SessionView};
use rapport_core::engine::{EventKind, ManualClock};
use rapport_store::adapter::{open_in, STORE_FILE};
use rapport_store::Store;

/// Four turns, each customer line with variants, so the seed matters and a resume can be
/// told apart from a fresh start.
const SCENARIO: &str = r#"
id: four-turns
title: Four turns
summary: A fixture for the attempt history.
difficulty: 1
skills: [testing]
channel: chat
estimated_minutes: 1
author: Rapport tests
version: "2"
customer:
  name: Robin Vale
  persona: Patient.
  mood: 50
nodes:
  one:
    say: ["One A.", "One B.", "One C.", "One D."]
    otherwise: { goto: two }
  two:
    say: ["Two A.", "Two B.", "Two C.", "Two D."]
    otherwise: { goto: three }
  three:
    say: ["Three A.", "Three B.", "Three C.", "Three D."]
    otherwise: { goto: four }
  four:
    say: ["Four A.", "Four B.", "Four C.", "Four D."]
    otherwise: { goto: done }
endings:
  done:
    outcome: success
    say: "Bye."
    lesson: "Keep going."
"#;

struct Fixture {
    pack: tempfile::TempDir,
    data: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let pack = tempfile::tempdir().unwrap();
    std::fs::write(pack.path().join("four-turns.yaml"), SCENARIO).unwrap();
    Fixture {
        pack,
        data: tempfile::tempdir().unwrap(),
    }
}

impl Fixture {
    fn app(&self) -> App {
        let (log, problem) = open_in(self.data.path());
        assert_eq!(problem, None);
        App::open_pack(self.pack.path()).with_log(log.map(|l| Box::new(l) as _), problem)
    }
}

fn customer_lines(view: &SessionView) -> Vec<String> {
    view.transcript
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::CustomerLine { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

const T0: u64 = 1_775_989_015_000;

#[test]
fn an_attempt_is_recorded_as_it_happens_and_finished_with_its_scores() {
    let f = fixture();
    let mut app = f.app();
    let clock = ManualClock::new(T0);
    let v = app.start("four-turns", Some(7), &clock).unwrap();
    let id = v.attempt_id.clone().expect("recorded");
    for reply in ["hello", "I'm sorry", "let me fix that"] {
        clock.advance(2_000);
        app.reply(reply, &clock).unwrap();
    }
    // Read back through a second connection, as another process would.
    let other = Store::open(f.data.path().join(STORE_FILE)).unwrap();
    let rec = other.attempt(id.parse().unwrap()).unwrap().unwrap();
    assert_eq!(rec.summary.scenario_id, "four-turns");
    assert_eq!(rec.summary.scenario_version, "2");
    assert_eq!(rec.summary.seed, 7);
    assert_eq!(rec.summary.started_at_ms, T0 as i64);
    assert_eq!(rec.summary.ended_at_ms, None);
    assert_eq!(rec.summary.scenario_sha256.len(), 64);
    let times: Vec<i64> = rec.inputs.iter().map(|i| i.at_ms).collect();
    assert_eq!(
        times,
        [T0 + 2_000, T0 + 4_000, T0 + 6_000].map(|t| t as i64)
    );
    assert_eq!(
        rec.inputs[1].payload,
        r#"{"type":"reply","text":"I'm sorry"}"#
    );
    let events = other.events(rec.summary.id).unwrap();
    assert_eq!(events.len(), app.view(&clock).unwrap().transcript.len());

    clock.advance(2_000);
    let end = app.reply("done", &clock).unwrap();
    assert!(end.ending.is_some());
    let h = app.history().unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].status, AttemptStatus::Finished);
    assert_eq!(h[0].outcome.as_deref(), Some("success"));
    assert_eq!(h[0].turns, 4);
    let debrief = app.debrief().unwrap();
    assert_eq!(h[0].scores, Some(debrief.scores));
    assert_eq!(app.unfinished().unwrap(), None);
}

#[test]
fn resume_rebuilds_the_session_exactly_and_carries_on_recording() {
    let f = fixture();
    let clock = ManualClock::new(T0);
    let (before, id) = {
        let mut app = f.app();
        let v = app.start("four-turns", Some(11), &clock).unwrap();
        clock.advance(3_000);
        app.reply("first", &clock).unwrap();
        clock.advance(3_000);
        let v2 = app.reply("second", &clock).unwrap();
        // The process "dies" here: the App is dropped without abandoning.
        (v2, v.attempt_id.unwrap())
    };
    let mut app = f.app();
    let offer = app.unfinished().unwrap().expect("offered");
    assert_eq!(offer.id, id);
    assert!(offer.resumable && !offer.scenario_changed);
    assert_eq!(offer.turns, 2);
    clock.advance(60_000);
    let resumed = app.resume(None, &clock).unwrap();
    assert_eq!(resumed.transcript, before.transcript, "rebuilt exactly");
    assert_eq!(resumed.node, "three");
    assert_eq!(resumed.attempt_id.as_deref(), Some(id.as_str()));
    clock.advance(1_000);
    let after = app.reply("third", &clock).unwrap();

    // The same seed and replies in one go give the same customer lines.
    let mut fresh = App::open_pack(f.pack.path());
    let c = ManualClock::new(T0);
    fresh.start("four-turns", Some(11), &c).unwrap();
    fresh.reply("first", &c).unwrap();
    fresh.reply("second", &c).unwrap();
    let straight = fresh.reply("third", &c).unwrap();
    assert_eq!(customer_lines(&after), customer_lines(&straight));

    // Recording went on: the resume itself, then the third reply.
    let h = app.history().unwrap();
    assert_eq!((h[0].turns, h[0].inputs), (3, 4));
    assert_eq!(h[0].status, AttemptStatus::Unfinished);
    // And it can be resumed again, to the same place.
    drop(app);
    let mut again = f.app();
    clock.advance(1_000);
    assert_eq!(
        again.resume(Some(&id), &clock).unwrap().transcript,
        after.transcript
    );
}

#[test]
fn a_changed_scenario_is_not_resumed() {
    let f = fixture();
    let clock = ManualClock::new(T0);
    let id = {
        let mut app = f.app();
        let v = app.start("four-turns", Some(1), &clock).unwrap();
        clock.advance(1_000);
        app.reply("hello", &clock).unwrap();
        v.attempt_id.unwrap()
    };
    let path = f.pack.path().join("four-turns.yaml");
    std::fs::write(&path, SCENARIO.replace("One A.", "One A, edited.")).unwrap();
    let mut app = f.app();
    let offer = app.unfinished().unwrap().unwrap();
    assert!(!offer.resumable && offer.scenario_changed);
    let err = app.resume(None, &clock).unwrap_err();
    assert_eq!(err.kind(), "scenario_changed", "{err}");
    assert!(err.to_string().contains("start it again"), "{err}");
    // A fresh start is still offered and works.
    clock.advance(1_000);
    let v = app.start("four-turns", Some(1), &clock).unwrap();
    assert_ne!(v.attempt_id.as_deref(), Some(id.as_str()));
}

#[test]
fn restart_and_abandon_mark_the_attempt_abandoned() {
    let f = fixture();
    let mut app = f.app();
    let clock = ManualClock::new(T0);
    let first = app.start("four-turns", Some(2), &clock).unwrap();
    clock.advance(1_000);
    app.reply("hi", &clock).unwrap();
    clock.advance(1_000);
    let second = app.restart(&clock).unwrap();
    clock.advance(1_000);
    app.abandon(&clock);
    let h = app.history().unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].id, second.attempt_id.unwrap());
    assert_eq!(h[1].id, first.attempt_id.unwrap());
    assert!(h
        .iter()
        .all(|e| e.status == AttemptStatus::Abandoned && e.outcome.is_none()));
    assert_eq!(app.unfinished().unwrap(), None);
    assert_eq!(
        app.resume(None, &clock).unwrap_err().kind(),
        "nothing_to_resume"
    );
}

#[test]
fn a_store_that_cannot_be_opened_is_reported_and_practice_goes_on() {
    let f = fixture();
    // A folder where the store file should be: it can neither be opened nor moved aside.
    std::fs::create_dir(f.data.path().join(STORE_FILE)).unwrap();
    let (log, problem) = open_in(f.data.path());
    assert!(log.is_none());
    let problem = problem.expect("reported");
    let mut app = App::open_pack(f.pack.path()).with_log(None, Some(problem.clone()));
    assert_eq!(
        app.library().history_problem.as_deref(),
        Some(problem.as_str())
    );
    let clock = ManualClock::new(T0);
    let v = app.start("four-turns", Some(3), &clock).unwrap();
    assert_eq!(v.attempt_id, None);
    app.reply("hello", &clock).unwrap();
    assert_eq!(app.history().unwrap_err().kind(), "no_history");
    assert!(
        Path::new(&f.data.path().join(STORE_FILE)).is_dir(),
        "left as it was"
    );
}

/// A scorer that judges every reply the same: a stand-in for rubric files or a model
/// that changed between the attempt and its resume.
struct Flat;

impl rapport_core::score::Scorer for Flat {
    fn score(&self, _: &rapport_core::score::ReplyInput<'_>) -> rapport_core::score::ReplyScore {
        rapport_core::score::ReplyScore {
            scores: rapport_core::score::Scores {
                overall: 1,
                ..Default::default()
            },
            criteria: Vec::new(),
        }
    }
}

#[test]
fn a_resume_that_would_score_differently_is_refused() {
    let f = fixture();
    let clock = ManualClock::new(T0);
    {
        let mut app = f.app();
        app.start("four-turns", Some(4), &clock).unwrap();
        clock.advance(1_000);
        app.reply("I'm so sorry about this", &clock).unwrap();
    }
    let (log, _) = open_in(f.data.path());
    let mut app = App::open(
        f.pack.path(),
        Box::new(Flat),
        &rapport_core::load::LoadOptions::default(),
    )
    .with_log(log.map(|l| Box::new(l) as _), None);
    clock.advance(1_000);
    let err = app.resume(None, &clock).unwrap_err();
    assert_eq!(err.kind(), "replay_failed", "{err}");
    assert!(err.to_string().contains("scoring"), "{err}");
}

#[test]
fn progress_lists_finished_attempts_and_a_past_attempt_opens_as_its_debrief() {
    let f = fixture();
    let mut app = f.app();
    let clock = ManualClock::new(T0);
    let mut seen = Vec::new();
    for seed in [3, 4] {
        let v = app.start("four-turns", Some(seed), &clock).unwrap();
        for reply in ["hello", "I'm sorry", "let me fix that", "done"] {
            clock.advance(1_000);
            app.reply(reply, &clock).unwrap();
        }
        seen.push((v.attempt_id.unwrap(), app.debrief().unwrap()));
    }
    // An unfinished one is not on the time line.
    app.start("four-turns", Some(5), &clock).unwrap();
    let p = app.progress().unwrap();
    let ids: Vec<&str> = p.attempts.iter().map(|a| a.attempt_id.as_str()).collect();
    assert_eq!(
        ids,
        [seen[0].0.as_str(), seen[1].0.as_str()],
        "oldest first"
    );
    assert_eq!(p.attempts[0].title, "Four turns");
    assert_eq!(p.recent, 2);
    // Reopened from another app over the same store: the same debrief, from the record.
    let other = f.app();
    for (id, debrief) in &seen {
        assert_eq!(&other.past_debrief(id).unwrap(), debrief);
    }
    let unfinished = app.unfinished().unwrap().unwrap().id;
    assert_eq!(
        other.past_debrief(&unfinished).unwrap_err().kind(),
        "not_ended"
    );
}
