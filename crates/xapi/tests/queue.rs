//! Statements are queued by the recording log the moment an attempt ends, frozen: a
//! later change of profile does not change what is sent or exported for it.

use std::path::Path;

use rapport_core::app::App;
use rapport_core::engine::ManualClock;
use rapport_store::adapter::STORE_FILE;
use rapport_store::Store;
use rapport_xapi::{Profile, Results, Settings};

fn pack() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures"))
}

#[test]
fn an_ended_attempt_is_queued_at_once_and_its_statements_stay_as_queued() {
    let data = tempfile::tempdir().unwrap();
    let results = Results::in_dir(data.path());
    results
        .save_settings(&Settings {
            profile: Profile {
                name: Some("Ana".into()),
                email: Some("ana@example.org".into()),
                ..Profile::default()
            },
            ..Settings::default()
        })
        .unwrap();
    let (log, problem) = rapport_xapi::open_recording_in(data.path());
    assert_eq!(problem, None);
    let mut app = App::open_pack(pack()).with_log(log, None);
    let clock = ManualClock::new(1_775_989_015_000);
    app.start("impatient", Some(1), &clock).unwrap();
    // Abandoned by starting again: one `attempted` statement.
    clock.advance(1_000);
    app.start("impatient", Some(2), &clock).unwrap();
    clock.advance(2_000);
    let end = app
        .reply("Sorry for the wait, how can I help?", &clock)
        .unwrap();
    assert!(end.ending.is_some());

    // Queued without any sync or export having run.
    let store = Store::open(data.path().join(STORE_FILE)).unwrap();
    let queued = store.outbox().unwrap();
    assert_eq!(queued.len(), 3, "{queued:?}");
    assert!(queued
        .iter()
        .all(|q| q.json.contains("mailto:ana@example.org")));
    let verbs: Vec<String> = queued
        .iter()
        .map(|q| {
            let v: serde_json::Value = serde_json::from_str(&q.json).unwrap();
            v["verb"]["display"]["en-US"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(verbs, ["attempted", "attempted", "completed"]);

    // A new profile changes nothing already queued: the export is the queued text.
    let before = results.export_xapi(0).unwrap();
    results.save_settings(&Settings::default()).unwrap();
    assert_eq!(results.export_xapi(0).unwrap(), before);
    let exported: Vec<serde_json::Value> = serde_json::from_str(&before).unwrap();
    assert_eq!(exported.len(), 3);
    let status = results.status().unwrap();
    assert_eq!(
        (status.waiting, status.sent, status.configured),
        (3, 0, false)
    );

    // CSV: an attempt row and a turn row per finished attempt, an attempt row for the other.
    let csv = results.export_csv().unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], rapport_xapi::export::CSV_HEADER);
    let kinds: Vec<&str> = rows[1..]
        .iter()
        .map(|r| r.split(',').next().unwrap())
        .collect();
    assert_eq!(kinds, ["attempt", "turn", "attempt"]);
    assert!(rows[1].contains(",finished,"), "{}", rows[1]);
    assert!(
        rows[2].contains("\"Sorry for the wait, how can I help?\""),
        "{}",
        rows[2]
    );
    assert!(rows[3].contains(",abandoned,"), "{}", rows[3]);
    assert!(!csv.contains("ana@example.org"));
}
