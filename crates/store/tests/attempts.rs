//! Recording and reading attempts through the public API, on real files.

use rapport_store::{
    AttemptId, FinishedAttempt, Input, InputKind, NewAttempt, Scores, Store, StoreError,
    APPLICATION_ID, SCHEMA_VERSION,
};
use rusqlite::Connection;

const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

fn new(scenario_id: &str, seed: u64, started_at_ms: i64) -> NewAttempt<'_> {
    NewAttempt {
        scenario_id,
        scenario_version: "1.2.0",
        scenario_sha256: SHA,
        seed,
        started_at_ms,
    }
}

fn scores(overall: u8) -> Scores {
    Scores {
        overall,
        empathy: Some(overall),
        problem_solving: None,
        professionalism: Some(100),
    }
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("store.db")).unwrap();
    (dir, store)
}

#[test]
fn a_new_store_is_created_and_migrated_from_empty() {
    let dir = tempfile::tempdir().unwrap();
    // The folder does not exist yet either.
    let path = dir.path().join("data").join("rapport.db");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.path(), path);
    assert!(store.history().unwrap().is_empty());
    assert!(store.per_scenario().unwrap().is_empty());
    assert_eq!(store.unfinished().unwrap(), None);
    // Switching to WAL wrote the main file: a store is never a bare log.
    assert!(std::fs::metadata(&path).unwrap().len() > 0);

    let conn = Connection::open(&path).unwrap();
    let pragma = |name: &str| -> i64 { conn.pragma_query_value(None, name, |r| r.get(0)).unwrap() };
    assert_eq!(pragma("user_version"), SCHEMA_VERSION);
    assert_eq!(pragma("application_id"), i64::from(APPLICATION_ID));
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let mut tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables.sort();
    assert_eq!(tables, ["attempts", "events", "inputs", "outbox"]);
    drop(conn);

    // Opening again is a no-op migration and keeps what is there.
    drop(store);
    let mut store = Store::open(&path).unwrap();
    store.begin_attempt(&new("s", 1, 10)).unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.history().unwrap().len(), 1);
}

#[test]
fn an_attempt_round_trips_with_its_inputs_and_events() {
    let (dir, mut store) = store();
    let id = store
        .begin_attempt(&new("double-charge", u64::MAX, 1_000))
        .unwrap();
    assert_eq!(id, AttemptId::derive("double-charge", SHA, u64::MAX, 1_000));

    // Payloads come back byte for byte, spacing and non-ASCII included.
    let inputs = [
        (0, 1_100, InputKind::LinesShown, r#"{"lines": 2}"#),
        (1, 1_900, InputKind::Typing, r#"{"typing":true}"#),
        (
            2,
            4_200,
            InputKind::Reply,
            r#"{"text":"Je suis désolé — let me check.  "}"#,
        ),
        (3, 9_000, InputKind::Silence, r#"{"ms":4800}"#),
        (4, 9_500, InputKind::Choice, r#"{"option":"refund"}"#),
    ];
    for (seq, at, kind, payload) in inputs {
        store.record_input(id, seq, at, kind, payload).unwrap();
    }
    store
        .record_events(id, 0, &[r#"{"said":"hello"}"#, r#"{"mood":-1}"#])
        .unwrap();
    store
        .record_events(id, 2, &[String::from(r#"{"ended":"success"}"#)])
        .unwrap();
    let s = Scores {
        overall: 87,
        empathy: Some(90),
        problem_solving: Some(80),
        professionalism: None,
    };
    store.finish_attempt(id, 10_000, "success", &s).unwrap();
    drop(store);

    let store = Store::open(dir.path().join("store.db")).unwrap();
    let record = store.attempt(id).unwrap().unwrap();
    let summary = &record.summary;
    assert_eq!(summary.id, id);
    assert_eq!(summary.scenario_id, "double-charge");
    assert_eq!(summary.scenario_version, "1.2.0");
    assert_eq!(summary.scenario_sha256, SHA);
    assert_eq!(summary.seed, u64::MAX);
    assert_eq!(summary.started_at_ms, 1_000);
    assert_eq!(summary.ended_at_ms, Some(10_000));
    assert_eq!(summary.outcome.as_deref(), Some("success"));
    assert_eq!(summary.scores, Some(s));
    let want: Vec<Input> = inputs
        .iter()
        .map(|&(seq, at_ms, kind, payload)| Input {
            seq,
            at_ms,
            kind,
            payload: payload.to_string(),
        })
        .collect();
    assert_eq!(record.inputs, want);
    let events: Vec<(u32, String)> = store
        .events(id)
        .unwrap()
        .into_iter()
        .map(|e| (e.seq, e.json))
        .collect();
    assert_eq!(
        events,
        [
            (0, r#"{"said":"hello"}"#.to_string()),
            (1, r#"{"mood":-1}"#.to_string()),
            (2, r#"{"ended":"success"}"#.to_string()),
        ]
    );
    let other = AttemptId::derive("nope", SHA, 0, 0);
    assert_eq!(store.attempt(other).unwrap(), None);
    assert!(store.events(other).unwrap().is_empty());
}

#[test]
fn the_unfinished_attempt_is_the_latest_one_not_ended() {
    let (_dir, mut store) = store();
    assert_eq!(store.unfinished().unwrap(), None);
    let a = store.begin_attempt(&new("a", 1, 1_000)).unwrap();
    let b = store.begin_attempt(&new("b", 1, 2_000)).unwrap();
    assert_eq!(store.unfinished().unwrap().unwrap().id, b);
    store
        .finish_attempt(b, 2_500, "partial", &scores(50))
        .unwrap();
    assert_eq!(store.unfinished().unwrap().unwrap().id, a);
    let c = store.begin_attempt(&new("a", 2, 3_000)).unwrap();
    let found = store.unfinished().unwrap().unwrap();
    assert_eq!(
        (found.id, found.ended_at_ms, found.outcome),
        (c, None, None)
    );
    // Abandoned: ended, without an outcome, and no longer offered.
    store.abandon_attempt(c, 3_100).unwrap();
    assert_eq!(store.unfinished().unwrap().unwrap().id, a);
    let c = store.attempt(c).unwrap().unwrap().summary;
    assert_eq!(
        (c.ended_at_ms, c.outcome, c.scores),
        (Some(3_100), None, None)
    );
    store
        .finish_attempt(a, 5_000, "failure", &scores(10))
        .unwrap();
    assert_eq!(store.unfinished().unwrap(), None);
}

#[test]
fn history_is_newest_first() {
    let (_dir, mut store) = store();
    // Recorded out of order: the order is the start time, not the order of writes.
    let mid = store.begin_attempt(&new("x", 1, 2_000)).unwrap();
    let old = store.begin_attempt(&new("y", 1, 1_000)).unwrap();
    let new_ = store.begin_attempt(&new("x", 2, 3_000)).unwrap();
    store
        .finish_attempt(old, 1_500, "success", &scores(70))
        .unwrap();
    let tie_a = store.begin_attempt(&new("z", 1, 500)).unwrap();
    let tie_b = store.begin_attempt(&new("z", 2, 500)).unwrap();
    let ids: Vec<AttemptId> = store.history().unwrap().into_iter().map(|s| s.id).collect();
    let mut ties = [tie_a, tie_b];
    ties.sort_by_key(|id| std::cmp::Reverse(id.to_string()));
    assert_eq!(ids, [new_, mid, old, ties[0], ties[1]]);
    // Asking again gives the same order.
    let again: Vec<AttemptId> = store.history().unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(again, ids);
}

#[test]
fn per_scenario_counts_and_finds_the_best_and_the_last() {
    let (_dir, mut store) = store();
    let mut play = |seed: u64, at: i64, end: Option<(&str, u8)>| {
        let id = store.begin_attempt(&new("refund", seed, at)).unwrap();
        if let Some((outcome, overall)) = end {
            store
                .finish_attempt(id, at + 100, outcome, &scores(overall))
                .unwrap();
        }
        id
    };
    play(1, 1_000, Some(("partial", 40)));
    let first_80 = play(2, 2_000, Some(("success", 80)));
    play(3, 3_000, Some(("success", 80)));
    let last = play(4, 4_000, Some(("escalated", 60)));
    play(5, 5_000, None);
    let abandoned = play(6, 6_000, None);
    store.abandon_attempt(abandoned, 6_100).unwrap();
    store.begin_attempt(&new("angry-caller", 1, 500)).unwrap();

    let stats = store.per_scenario().unwrap();
    assert_eq!(stats.len(), 2);
    let angry = &stats[0];
    assert_eq!(angry.scenario_id, "angry-caller");
    assert_eq!((angry.attempts, angry.finished), (1, 0));
    assert_eq!((&angry.best, &angry.last), (&None, &None));
    let refund = &stats[1];
    assert_eq!(refund.scenario_id, "refund");
    assert_eq!((refund.attempts, refund.finished), (6, 4));
    assert_eq!(
        refund.best,
        Some(FinishedAttempt {
            id: first_80,
            started_at_ms: 2_000,
            outcome: "success".into(),
            overall: 80,
        })
    );
    assert_eq!(
        refund.last,
        Some(FinishedAttempt {
            id: last,
            started_at_ms: 4_000,
            outcome: "escalated".into(),
            overall: 60,
        })
    );
}

#[test]
fn bad_writes_are_refused_with_their_kind() {
    let (_dir, mut store) = store();
    let id = store.begin_attempt(&new("s", 1, 1_000)).unwrap();
    let unknown = AttemptId::derive("t", SHA, 1, 1);

    let e = store.begin_attempt(&new("s", 1, 1_000)).unwrap_err();
    assert!(matches!(e, StoreError::Duplicate(_)), "{e}");
    let mut bad_sha = new("s", 2, 1_000);
    bad_sha.scenario_sha256 = "ABC";
    let e = store.begin_attempt(&bad_sha).unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e}");

    let e = store
        .record_input(unknown, 0, 1, InputKind::Reply, "{}")
        .unwrap_err();
    assert!(
        matches!(e, StoreError::UnknownAttempt(x) if x == unknown),
        "{e}"
    );
    let e = store
        .record_input(id, 0, 1, InputKind::Reply, "{not json")
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e}");
    store
        .record_input(id, 0, 1, InputKind::Reply, "{}")
        .unwrap();
    let e = store
        .record_input(id, 0, 2, InputKind::Reply, "{}")
        .unwrap_err();
    assert!(matches!(e, StoreError::Duplicate(_)), "{e}");
    assert!(e.to_string().contains("input 0"), "{e}");

    // A batch of events is all or nothing.
    let e = store.record_events(id, 0, &["{}", "nope"]).unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e}");
    assert!(store.events(id).unwrap().is_empty());

    let e = store
        .finish_attempt(id, 2_000, "success", &scores(101))
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e}");
    let e = store
        .finish_attempt(id, 999, "success", &scores(50))
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Invalid(_)),
        "ended before it started: {e}"
    );

    store
        .finish_attempt(id, 2_000, "success", &scores(50))
        .unwrap();
    let ended = [
        store.record_input(id, 1, 3, InputKind::Reply, "{}"),
        store.record_events(id, 0, &["{}"]),
        store.finish_attempt(id, 3_000, "failure", &scores(0)),
        store.abandon_attempt(id, 3_000),
    ];
    for e in ended {
        assert!(
            matches!(e, Err(StoreError::AttemptEnded(x)) if x == id),
            "{e:?}"
        );
    }
    // What was refused left the record as the debrief showed it.
    let record = store.attempt(id).unwrap().unwrap();
    assert_eq!(record.inputs.len(), 1);
    assert_eq!(record.summary.scores, Some(scores(50)));
}

#[test]
fn two_handles_on_one_file_see_each_others_writes() {
    // The CLI may read and write while the app has the store open.
    let (dir, mut app) = store();
    let mut cli = Store::open(dir.path().join("store.db")).unwrap();
    let id = app.begin_attempt(&new("s", 1, 1_000)).unwrap();
    cli.record_input(id, 0, 1_001, InputKind::Reply, "{}")
        .unwrap();
    app.record_input(id, 1, 1_002, InputKind::Reply, "{}")
        .unwrap();
    assert_eq!(cli.attempt(id).unwrap().unwrap().inputs.len(), 2);
    assert_eq!(app.unfinished().unwrap().unwrap().id, id);
}

#[test]
fn the_outbox_freezes_statements_and_never_loses_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("s.db")).unwrap();
    let id = store
        .begin_attempt(&NewAttempt {
            scenario_id: "s",
            scenario_version: "1",
            scenario_sha256: &"0".repeat(64),
            seed: 1,
            started_at_ms: 10,
        })
        .unwrap();
    assert!(store.ended_without_statements().unwrap().is_empty());
    store
        .finish_attempt(id, 20, "success", &Scores::default())
        .unwrap();
    assert_eq!(store.ended_without_statements().unwrap().len(), 1);
    let first = vec![("a".to_string(), r#"{"v":1}"#.to_string())];
    assert_eq!(store.queue_statements(id, &first, 30).unwrap(), 1);
    // Queued again with other text: the first text stays.
    let again = vec![
        ("a".to_string(), r#"{"v":2}"#.to_string()),
        ("b".to_string(), r#"{"v":3}"#.to_string()),
    ];
    assert_eq!(store.queue_statements(id, &again, 40).unwrap(), 1);
    assert!(store.ended_without_statements().unwrap().is_empty());
    let unsent = store.unsent(10).unwrap();
    assert_eq!(unsent.len(), 2);
    assert_eq!(unsent[0].json, r#"{"v":1}"#);
    store.mark_failed("a", "LRS answered 503", 50).unwrap();
    store
        .mark_failed("b", "LRS refused the credentials (401)", 60)
        .unwrap();
    let status = store.outbox_status().unwrap();
    assert_eq!((status.waiting, status.sent), (2, 0));
    assert_eq!(
        status.last_error.as_deref(),
        Some("LRS refused the credentials (401)")
    );
    store.mark_sent("a", 70).unwrap();
    store.mark_sent("a", 80).unwrap();
    let status = store.outbox_status().unwrap();
    assert_eq!((status.waiting, status.sent), (1, 1));
    assert_eq!(status.last_sent_at_ms, Some(70));
    assert_eq!(store.unsent(10).unwrap()[0].id, "b");
    assert_eq!(store.outbox().unwrap()[0].tries, 2);
    // Not JSON: refused at the door.
    assert!(store
        .queue_statements(id, &[("c".into(), "{nope".into())], 90)
        .is_err());
}
