//! Command tests through Tauri's mock runtime, with the app's real config and ACL: what
//! the page can call, what it gets back, and the patience timer's push.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use rapport_core::app::App;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Listener, WebviewWindow, WebviewWindowBuilder};

use crate::{builder, open_pack, AppState, SESSION_EVENT};

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures"))
}

fn window_over(app: App) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
    window_with(AppState::new(app))
}

fn window_with(state: AppState) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let app = builder(mock_builder(), state)
        .build(tauri::generate_context!())
        .expect("build the mock app");
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("open the mock window");
    (app, window)
}

fn call(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().unwrap())
}

#[test]
fn the_library_lists_the_pack_and_the_files_that_failed() {
    let (_app, w) = window_over(open_pack(fixtures()));
    let lib = call(&w, "library", json!({})).unwrap();
    let ids: Vec<&str> = lib["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"impatient"), "{lib}");
    let broken = lib["load_errors"].as_array().unwrap();
    assert!(
        broken.iter().any(|e| e["file"]
            .as_str()
            .unwrap()
            .ends_with("misspelled-target.yaml")
            && e["diagnostics"][0]["code"] == "unknown-target"),
        "{lib}"
    );
}

#[test]
fn errors_cross_as_kind_and_message() {
    let (_app, w) = window_over(open_pack(fixtures()));
    let err = call(&w, "start_scenario", json!({"scenarioId": "nope"})).unwrap_err();
    assert_eq!(err["kind"], "not_found");
    assert_eq!(err["message"], "there is no scenario `nope` in the library");
    let err = call(&w, "send_reply", json!({"text": "hello"})).unwrap_err();
    assert_eq!(err["kind"], "no_session");
    let err = call(&w, "debrief", json!({})).unwrap_err();
    assert_eq!(err["kind"], "no_session");
}

#[test]
fn a_scenario_plays_to_its_debrief_and_restarts() {
    let (_app, w) = window_over(open_pack(fixtures()));
    let view = call(
        &w,
        "start_scenario",
        json!({"scenarioId": "impatient", "seed": 4}),
    )
    .unwrap();
    assert_eq!(view["seed"], 4);
    assert_eq!(view["customer"]["name"], "Sam Lee");
    assert_eq!(view["transcript"][0]["type"], "customer_line");
    assert_eq!(view["transcript"][0]["text"], "Hello?");
    let err = call(&w, "send_reply", json!({"text": "  "})).unwrap_err();
    assert_eq!(err["kind"], "invalid_input");
    let view = call(&w, "send_reply", json!({"text": "Hi Sam, how can I help?"})).unwrap();
    assert_eq!(view["ending"]["id"], "thanks");
    assert_eq!(view["ending"]["outcome"], "success");
    let debrief = call(&w, "debrief", json!({})).unwrap();
    assert_eq!(debrief["outcome"], "success");
    assert_eq!(debrief["turns"].as_array().unwrap().len(), 1);
    let again = call(&w, "restart", json!({})).unwrap();
    assert_eq!(again["seed"], 4);
    assert!(again["ending"].is_null());
    call(&w, "abandon", json!({})).unwrap();
    assert_eq!(
        call(&w, "session", json!({})).unwrap_err()["kind"],
        "no_session"
    );
}

/// A clock that never moves: the impatient fixture's one-second patience never runs out
/// while a loaded machine runs the tests (the shell's timer still fires, finds nothing
/// due, and waits again).
struct Frozen(u64);

impl rapport_core::engine::Clock for Frozen {
    fn now_ms(&self) -> u64 {
        self.0
    }
}

fn frozen(app: App) -> AppState {
    AppState::new(app).with_clock(std::sync::Arc::new(Frozen(1_775_989_015_000)))
}

fn recording_app(data: &Path) -> App {
    let (log, problem) = rapport_store::adapter::open_in(data);
    assert_eq!(problem, None);
    open_pack(fixtures()).with_log(log.map(|l| Box::new(l) as _), None)
}

#[test]
fn attempts_are_listed_and_an_unfinished_one_resumes() {
    let data = tempfile::tempdir().unwrap();
    let started = {
        let (_app, w) = window_with(frozen(recording_app(data.path())));
        assert_eq!(
            call(&w, "resume", json!({})).unwrap_err()["kind"],
            "nothing_to_resume"
        );
        call(
            &w,
            "start_scenario",
            json!({"scenarioId": "impatient", "seed": 4}),
        )
        .unwrap()
    };
    let id = started["attempt_id"]
        .as_str()
        .expect("recorded")
        .to_string();
    let (_app, w) = window_with(frozen(recording_app(data.path())));
    let offer = call(&w, "unfinished", json!({})).unwrap();
    assert_eq!(offer["id"], id.as_str());
    assert_eq!(offer["resumable"], true);
    let history = call(&w, "history", json!({})).unwrap();
    assert_eq!(history[0]["status"], "unfinished");
    let resumed = call(&w, "resume", json!({"attemptId": id})).unwrap();
    assert_eq!(resumed["transcript"], started["transcript"]);
    let end = call(&w, "send_reply", json!({"text": "Hi Sam, how can I help?"})).unwrap();
    assert_eq!(end["ending"]["outcome"], "success");
    let history = call(&w, "history", json!({})).unwrap();
    assert_eq!(history[0]["status"], "finished");
    assert_eq!(history[0]["outcome"], "success");
    assert_eq!(history[0]["turns"], 1);
    assert!(call(&w, "unfinished", json!({})).unwrap().is_null());
}

#[test]
fn a_fixed_seed_applies_unless_the_page_picks_one() {
    let state = AppState::new(open_pack(fixtures())).with_fixed_seed(Some(42));
    let (_app, w) = window_with(state);
    let start = |args| call(&w, "start_scenario", args).unwrap()["seed"].clone();
    assert_eq!(start(json!({"scenarioId": "impatient"})), 42);
    assert_eq!(start(json!({"scenarioId": "impatient", "seed": 5})), 5);
}

/// The views the backend pushes to the page on its own (the patience timer's chase).
fn pushes(app: &tauri::App<MockRuntime>) -> mpsc::Receiver<Value> {
    let (tx, rx) = mpsc::channel();
    app.listen_any(SESSION_EVENT, move |event| {
        let _ = tx.send(serde_json::from_str::<Value>(event.payload()).unwrap());
    });
    rx
}

#[test]
fn a_silent_trainee_is_chased_by_the_backend_timer() {
    let (app, w) = window_over(open_pack(fixtures()));
    let rx = pushes(&app);
    call(&w, "start_scenario", json!({"scenarioId": "impatient"})).unwrap();
    // The fixture's customer has one second of patience, then hangs up.
    let pushed = rx
        .recv_timeout(Duration::from_secs(5))
        .expect("the timer pushes the chase");
    let lines: Vec<&str> = pushed["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "customer_line" && e["chase"] == true)
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert_eq!(lines, ["Hello?? Anyone there, Sam is waiting!"]);
    assert_eq!(pushed["ending"]["outcome"], "hung_up");
    assert_eq!(
        call(&w, "session", json!({})).unwrap()["ending"]["id"],
        "hung_up"
    );
}

#[test]
fn a_reply_in_time_cancels_the_chase() {
    let (app, w) = window_over(open_pack(fixtures()));
    let rx = pushes(&app);
    call(&w, "start_scenario", json!({"scenarioId": "impatient"})).unwrap();
    call(&w, "send_reply", json!({"text": "Hi Sam!"})).unwrap();
    assert!(rx.recv_timeout(Duration::from_millis(1500)).is_err());
}

/// Regression: the patience countdown used to start before the page's typing pause had
/// shown the customer's line, so a short-fused customer chased a line just revealed.
#[test]
fn patience_restarts_once_the_page_has_shown_the_line() {
    let (app, w) = window_over(open_pack(fixtures()));
    let rx = pushes(&app);
    let v = call(&w, "start_scenario", json!({"scenarioId": "impatient"})).unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let args = json!({
        "sessionId": v["session_id"],
        "shown": v["transcript"].as_array().unwrap().len(),
    });
    let shown = call(&w, "lines_shown", args).unwrap();
    let left = shown["patience_left_ms"].as_u64().unwrap();
    assert!((900..=1000).contains(&left), "{left} ms left");
    // Without the acknowledgement the one-second customer would chase 300 ms from now.
    assert!(rx.recv_timeout(Duration::from_millis(700)).is_err());
    rx.recv_timeout(Duration::from_secs(5))
        .expect("the chase still comes, a second after the line was shown");
}

#[test]
fn only_the_apps_own_commands_are_reachable() {
    let (_app, w) = window_over(open_pack(fixtures()));
    let err = call(&w, "plugin:window|close", json!({})).unwrap_err();
    assert!(
        err.to_string().contains("not allowed") || err.to_string().contains("not found"),
        "{err}"
    );
}

#[test]
fn a_pack_file_imports_asks_before_replacing_and_lists_by_pack() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("billing");
    std::fs::create_dir_all(&folder).unwrap();
    let text = std::fs::read_to_string(fixtures().join("impatient.yaml")).unwrap();
    std::fs::write(
        folder.join("billing-impatient.yaml"),
        text.replacen("id: impatient", "id: billing-impatient", 1),
    )
    .unwrap();
    std::fs::write(folder.join("pack.yaml"), "id: billing\ntitle: Billing\n").unwrap();
    let file = tmp.path().join("billing.rapportpack");
    rapport_packfile::export(&folder, &file).unwrap();

    let packs = tmp.path().join("data/packs");
    let state = AppState::new(open_pack(fixtures())).with_packs_dir(Some(packs.clone()));
    let (_app, w) = window_with(state);
    let args = json!({"path": file.to_str().unwrap(), "replace": false});
    let done = call(&w, "import_pack", args.clone()).unwrap();
    assert_eq!(done["id"], "billing");
    assert_eq!(done["replaced"], Value::Null);
    let groups = done["library"]["packs"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "{done}");
    assert_eq!(groups[1]["info"]["title"], "Billing");
    assert_eq!(groups[1]["installed"], true);
    assert_eq!(groups[1]["scenarios"], json!(["billing-impatient"]));
    assert!(packs.join("billing/billing-impatient.yaml").is_file());

    // Never overwritten without asking: the page gets `pack_exists` and asks.
    let err = call(&w, "import_pack", args).unwrap_err();
    assert_eq!(err["kind"], "pack_exists", "{err}");
    let again = call(
        &w,
        "import_pack",
        json!({"path": file.to_str().unwrap(), "replace": true}),
    )
    .unwrap();
    assert_eq!(again["replaced"], "1");
    assert_eq!(again["library"]["packs"].as_array().unwrap().len(), 2);

    // A file that is not a pack is refused with a clear message.
    let notes = tmp.path().join("notes.rapportpack");
    std::fs::write(&notes, "hello").unwrap();
    let err = call(
        &w,
        "import_pack",
        json!({"path": notes.to_str().unwrap(), "replace": false}),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "pack_not_a_pack", "{err}");
}

/// The Studio: open a pack by path, see every file with its diagnostics, edit a file on
/// disk and get the reloaded view pushed without asking, try a reply, run the tests.
#[test]
fn the_studio_opens_a_pack_reloads_on_save_and_tries_a_reply() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = tmp.path().join("pack");
    std::fs::create_dir_all(&pack).unwrap();
    let good = std::fs::read_to_string(fixtures().join("impatient.yaml")).unwrap();
    std::fs::write(pack.join("impatient.yaml"), &good).unwrap();
    let (app, w) = window_over(open_pack(fixtures()));
    let (tx, rx) = mpsc::channel();
    app.listen_any(crate::STUDIO_EVENT, move |event| {
        let _ = tx.send(serde_json::from_str::<Value>(event.payload()).unwrap());
    });

    let err = call(&w, "studio_view", json!({})).unwrap_err();
    assert_eq!(err["kind"], "studio");
    let view = call(&w, "studio_open", json!({"path": pack.to_str().unwrap()})).unwrap();
    assert_eq!(view["files"][0]["path"], "impatient.yaml");
    assert_eq!(view["files"][0]["errors"], 0);
    assert_eq!(view["files"][0]["scenario_id"], "impatient");

    let graph = call(&w, "studio_graph", json!({"scenario": "impatient"})).unwrap();
    assert!(graph["nodes"].as_array().unwrap().len() >= 2, "{graph}");
    let tried = call(
        &w,
        "studio_try",
        json!({"scenario": "impatient", "node": "opening", "reply": "Hi Sam, how can I help?"}),
    )
    .unwrap();
    assert_eq!(tried["via"], "otherwise");
    assert_eq!(tried["goto"], "thanks");
    let tests = call(&w, "studio_tests", json!({"scenario": "impatient"})).unwrap();
    assert!(tests.is_array());

    // A broken edit on disk: the reloaded view arrives by itself, with the diagnostic.
    std::fs::write(
        pack.join("impatient.yaml"),
        good.replace("goto: thanks", "goto: thanx"),
    )
    .unwrap();
    let pushed = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the Studio reloads on save");
    assert!(pushed["revision"].as_u64().unwrap() > 1);
    assert_eq!(pushed["files"][0]["errors"], 1, "{pushed}");
    assert_eq!(
        pushed["files"][0]["diagnostics"][0]["code"],
        "unknown-target"
    );
    let view = call(&w, "studio_view", json!({})).unwrap();
    assert_eq!(view["revision"], pushed["revision"]);
}

#[test]
fn progress_past_debriefs_settings_and_the_outbox_are_reachable_from_the_page() {
    let data = tempfile::tempdir().unwrap();
    let (log, _) = rapport_xapi::open_recording_in(data.path());
    let state = frozen(open_pack(fixtures()).with_log(log, None))
        .with_results(Some(rapport_xapi::Results::in_dir(data.path())));
    let (_app, w) = window_with(state);
    let started = call(
        &w,
        "start_scenario",
        json!({"scenarioId": "impatient", "seed": 4}),
    )
    .unwrap();
    let id = started["attempt_id"].as_str().unwrap().to_string();
    let end = call(&w, "send_reply", json!({"text": "Hi Sam, how can I help?"})).unwrap();
    let seen = call(&w, "debrief", json!({})).unwrap();
    assert_eq!(end["ending"]["outcome"], "success");

    let progress = call(&w, "progress", json!({})).unwrap();
    assert_eq!(progress["attempts"][0]["attempt_id"], id.as_str());
    assert_eq!(progress["recent"], 1);
    assert_eq!(
        call(&w, "past_debrief", json!({"attemptId": id})).unwrap(),
        seen
    );
    assert_eq!(
        call(&w, "past_debrief", json!({"attemptId": "nope"})).unwrap_err()["kind"],
        "not_found"
    );

    // The statements were queued as the attempt ended; nothing is configured to send to.
    let status = call(&w, "sync_status", json!({})).unwrap();
    assert_eq!(status["waiting"], 2);
    assert_eq!(status["configured"], false);
    assert_eq!(
        call(&w, "sync_now", json!({})).unwrap_err()["kind"],
        "no_lrs"
    );

    let input = json!({"settings": {
        "name": "Ana", "email": "ana@example.org", "home_page": "", "account": "",
        "endpoint": "http://127.0.0.1:9", "key": "k", "secret": "s3cret"
    }});
    let saved = call(&w, "save_settings", input).unwrap();
    assert_eq!(saved["secret_saved"], true);
    assert!(!saved.to_string().contains("s3cret"), "{saved}");
    let view = call(&w, "settings", json!({})).unwrap();
    assert_eq!(view["email"], "ana@example.org");
    // Nothing listens on port 9: the round fails, keeps everything and says why.
    let report = call(&w, "sync_now", json!({})).unwrap();
    assert_eq!(report["waiting"], 2);
    assert!(report["error"]
        .as_str()
        .unwrap()
        .contains("could not be reached"));
    let status = call(&w, "sync_status", json!({})).unwrap();
    assert!(status["last_error"]
        .as_str()
        .unwrap()
        .contains("could not be reached"));
    let bad = json!({"settings": {
        "name": "", "email": "not an email", "home_page": "", "account": "",
        "endpoint": "", "key": "", "secret": null
    }});
    assert_eq!(
        call(&w, "save_settings", bad).unwrap_err()["kind"],
        "invalid_input"
    );
}

#[test]
fn the_background_sender_runs_at_start_and_keeps_what_it_cannot_send() {
    let data = tempfile::tempdir().unwrap();
    let (log, _) = rapport_xapi::open_recording_in(data.path());
    let results = rapport_xapi::Results::in_dir(data.path());
    let state =
        frozen(open_pack(fixtures()).with_log(log, None)).with_results(Some(results.clone()));
    let sync = state.sync.clone();
    let (_app, w) = window_with(state);
    call(
        &w,
        "start_scenario",
        json!({"scenarioId": "impatient", "seed": 4}),
    )
    .unwrap();
    call(&w, "send_reply", json!({"text": "Hi Sam, how can I help?"})).unwrap();
    results
        .save_settings(&rapport_xapi::Settings {
            lrs: rapport_xapi::settings::LrsSettings {
                endpoint: Some("http://127.0.0.1:9".into()),
                key: Some("k".into()),
                secret: Some("s".into()),
            },
            ..Default::default()
        })
        .unwrap();
    crate::spawn_sender(results.clone(), sync.clone());
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let report = loop {
        if let Some(r) = sync.last.lock().unwrap().clone() {
            break r;
        }
        assert!(std::time::Instant::now() < deadline, "no round ran");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        report
            .error
            .as_deref()
            .unwrap_or("")
            .contains("could not be reached"),
        "{report:?}"
    );
    assert_eq!(report.waiting, 2);
    assert_eq!(results.status().unwrap().waiting, 2);
}
