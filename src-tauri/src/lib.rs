//! # rapport-app
//!
//! The Tauri v2 shell of Rapport. It stays thin on purpose: each command is one call into
//! [`rapport_core::app::App`], whose state lives in `app.manage`; errors cross IPC as
//! `{kind, message}` ([`CommandError`]). The one thing the shell adds is time: the
//! customer's patience runs on a tokio timer here (not in the page, which may be throttled
//! or reloaded), which asks the core whether the silence is still due and, if it was,
//! pushes the new view to the page as a [`SESSION_EVENT`].
//!
//! Scenarios come from `$RAPPORT_SCENARIOS_DIR` when set, else from the bundled pack.
//! Attempts are recorded by the core `App` into the store that
//! [`rapport_store::adapter::open_default`] opens (`$RAPPORT_DATA_DIR`, else the per-user
//! data folder), the same call the CLI makes; a store that cannot be opened leaves the
//! app working without history and says why in the library view.

pub mod bindings;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rapport_core::app::{App, AppError, HistoryEntry, LibraryView, SessionView};
use rapport_core::engine::{Clock, Debrief, SystemClock};
use rapport_core::progress::ProgressView;
use rapport_core::studio::{ScenarioGraph, Studio, StudioView, TestResult, TrialView};
use rapport_packfile::{PackError, Replace};
use rapport_xapi::{Results, SettingsInput, SettingsView, SyncReport, SyncStatus};
use serde::Serialize;
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

/// The event the page listens to for changes it did not ask for (the customer chasing).
/// Its payload is a [`SessionView`].
pub const SESSION_EVENT: &str = "session-updated";

/// Where scenarios come from when `RAPPORT_SCENARIOS_DIR` is not set is decided by
/// [`scenarios_dir`]; this names the variable.
pub const SCENARIOS_ENV: &str = "RAPPORT_SCENARIOS_DIR";

/// The event the Studio listens to: the pack folder changed on disk and was reloaded.
/// Its payload is a [`StudioView`].
pub const STUDIO_EVENT: &str = "studio-updated";

/// How long the folder must stay quiet after a change before the pack is reloaded (an
/// editor's save is often several writes).
pub const STUDIO_DEBOUNCE: Duration = Duration::from_millis(250);

/// When set to a number, every conversation starts with this seed, so an end-to-end test
/// or a demo meets the same customer lines every time.
pub const SEED_ENV: &str = "RAPPORT_SEED";

/// What a failed command sends back to the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct CommandError {
    /// Stable: `not_found`, `no_session`, `not_ended`, `ended`, `invalid_input`,
    /// `no_history`, `history`, `nothing_to_resume`, `scenario_changed`, `replay_failed`,
    /// `no_lrs` (sync with no LRS configured), `internal`; for a pack import `pack_` and
    /// [`PackError::kind`] (`pack_exists`: ask, then import again with `replace`).
    pub kind: String,
    pub message: String,
}

impl From<PackError> for CommandError {
    fn from(e: PackError) -> Self {
        let mut message = e.to_string();
        if let PackError::Invalid { diagnostics, .. } = &e {
            for d in diagnostics.iter().skip(1).take(9) {
                message.push('\n');
                message.push_str(&d.to_string());
            }
        }
        CommandError {
            kind: format!("pack_{}", e.kind()),
            message,
        }
    }
}

impl From<AppError> for CommandError {
    fn from(e: AppError) -> Self {
        CommandError {
            kind: e.kind().to_string(),
            message: e.to_string(),
        }
    }
}

type CmdResult<T> = Result<T, CommandError>;

/// The managed state: the core facade, the clock it reads, the pending patience timer,
/// and the results folder (settings, outbox, sync) with the background sender's state.
pub struct AppState {
    app: Mutex<App>,
    clock: Arc<dyn Clock + Send + Sync>,
    timer: Mutex<Option<JoinHandle<()>>>,
    fixed_seed: Option<u64>,
    /// Where imported packs are installed; `None`: importing is not possible.
    packs_dir: Option<PathBuf>,
    /// The pack open in the Studio and the watcher that reloads it.
    studio: Arc<Mutex<Option<Studio>>>,
    watcher: Mutex<Option<notify::RecommendedWatcher>>,
    results: Option<Results>,
    sync: Arc<SyncState>,
}

/// The background sender: the last round's report, and a bell to ring for a round now.
#[derive(Default)]
pub struct SyncState {
    last: Mutex<Option<SyncReport>>,
    wake: tokio::sync::Notify,
}

/// Back-off of the background sender: the first wait after a failure, doubling up to
/// the longest; with nothing failing it looks again every `IDLE`.
const BACKOFF_FIRST: Duration = Duration::from_secs(5);
const BACKOFF_MAX: Duration = Duration::from_secs(600);
const IDLE: Duration = Duration::from_secs(60);

impl AppState {
    pub fn new(app: App) -> AppState {
        AppState {
            app: Mutex::new(app),
            clock: Arc::new(SystemClock),
            timer: Mutex::new(None),
            fixed_seed: None,
            packs_dir: None,
            studio: Arc::new(Mutex::new(None)),
            watcher: Mutex::new(None),
            results: None,
            sync: Arc::default(),
        }
    }

    /// Reads `clock` instead of the wall clock (tests: a clock that does not move never
    /// lets the customer's patience run out, however slow the machine).
    pub fn with_clock(mut self, clock: Arc<dyn Clock + Send + Sync>) -> AppState {
        self.clock = clock;
        self
    }

    /// Settings, export and sync work on `results` (the data folder the log records in).
    pub fn with_results(mut self, results: Option<Results>) -> AppState {
        self.results = results;
        self
    }

    fn results(&self) -> CmdResult<&Results> {
        self.results.as_ref().ok_or_else(|| CommandError {
            kind: "no_history".into(),
            message: "there is no data folder (set RAPPORT_DATA_DIR)".into(),
        })
    }

    /// Installs imported packs in `dir` (and lists those already there: see
    /// [`App::add_installed_packs`], called by [`run`]).
    pub fn with_packs_dir(mut self, dir: Option<PathBuf>) -> AppState {
        self.packs_dir = dir;
        self
    }

    /// Starts every conversation with `seed` unless the page asks for another.
    pub fn with_fixed_seed(mut self, seed: Option<u64>) -> AppState {
        self.fixed_seed = seed;
        self
    }

    fn app(&self) -> CmdResult<MutexGuard<'_, App>> {
        // A panic while holding the lock would be a bug in core; report it, do not die.
        self.app.lock().map_err(|_| CommandError {
            kind: "internal".into(),
            message: "the app state is unusable after an internal error; restart Rapport".into(),
        })
    }
}

/// Loads the pack in `dir` with its scorer (no attempt history: see [`open_recording`]).
pub fn open_pack(dir: &Path) -> App {
    App::open_pack(dir)
}

/// Loads the pack in `dir` and records attempts in the default store.
/// Finished attempts queue their xAPI statements in the store's outbox as they end.
pub fn open_recording(dir: &Path) -> App {
    let (log, problem) = rapport_xapi::open_recording();
    if let Some(p) = &problem {
        eprintln!("rapport-app: {p}");
    }
    App::open_pack(dir).with_log(log, problem)
}

fn xapi_error(e: rapport_xapi::XapiError) -> CommandError {
    let kind = match e {
        rapport_xapi::XapiError::Invalid(_) => "invalid_input",
        rapport_xapi::XapiError::NoLrs => "no_lrs",
        _ => "history",
    };
    CommandError {
        kind: kind.into(),
        message: e.to_string(),
    }
}

/// `$RAPPORT_SCENARIOS_DIR`, else the first existing of: the pack bundled next to the
/// installed binary, `scenarios/` of the source tree the binary was built in (so
/// `target/*/rapport-app` runs from a checkout), `./scenarios`.
pub fn scenarios_dir(resource_dir: Option<PathBuf>) -> PathBuf {
    if let Some(dir) = std::env::var_os(SCENARIOS_ENV) {
        return PathBuf::from(dir);
    }
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf));
    let candidates = [
        resource_dir.map(|d| d.join("scenarios")),
        exe_dir.map(|d| d.join("../../scenarios")),
        Some(PathBuf::from("scenarios")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|d| d.is_dir())
        .unwrap_or_else(|| PathBuf::from("scenarios"))
}

#[tauri::command]
fn library(state: State<'_, AppState>) -> CmdResult<LibraryView> {
    Ok(state.app()?.library())
}

/// What an import did, and the library now.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct PackImported {
    pub id: String,
    pub title: String,
    pub version: String,
    /// The version it replaced, if that pack was installed.
    pub replaced: Option<String>,
    /// The validator's warnings (errors refuse the import), as `file:line:col: ...` text.
    pub warnings: Vec<String>,
    pub library: LibraryView,
}

/// Imports the pack file at `path` into the data folder and lists it. Fails with
/// `pack_exists` when that pack is installed and `replace` is not true: ask the trainer,
/// then call again with `replace`.
#[tauri::command]
fn import_pack(state: State<'_, AppState>, path: String, replace: bool) -> CmdResult<PackImported> {
    let packs = state.packs_dir.as_ref().ok_or_else(|| CommandError {
        kind: "pack_io".into(),
        message: "there is no data folder to install packs into (set RAPPORT_DATA_DIR)".into(),
    })?;
    let replace = if replace { Replace::Yes } else { Replace::No };
    let installed = rapport_packfile::import(Path::new(&path), packs, replace)?;
    let mut app = state.app()?;
    let id = installed.manifest.id.clone();
    app.remove_pack(&id, state.clock.as_ref());
    app.add_pack(&installed.dir, true);
    Ok(PackImported {
        id,
        title: installed.manifest.title,
        version: installed.manifest.version,
        replaced: installed.replaced,
        warnings: installed.warnings.iter().map(|d| d.to_string()).collect(),
        library: app.library(),
    })
}

#[tauri::command]
fn start_scenario<R: Runtime>(
    handle: AppHandle<R>,
    state: State<'_, AppState>,
    scenario_id: String,
    seed: Option<u64>,
) -> CmdResult<SessionView> {
    let seed = seed.or(state.fixed_seed);
    let view = state
        .app()?
        .start(&scenario_id, seed, state.clock.as_ref())?;
    schedule_patience(&handle);
    Ok(view)
}

#[tauri::command]
fn send_reply<R: Runtime>(
    handle: AppHandle<R>,
    state: State<'_, AppState>,
    text: String,
) -> CmdResult<SessionView> {
    let view = state.app()?.reply(&text, state.clock.as_ref())?;
    schedule_patience(&handle);
    if view.ending.is_some() {
        state.sync.wake.notify_one();
    }
    Ok(view)
}

#[tauri::command]
fn choose<R: Runtime>(
    handle: AppHandle<R>,
    state: State<'_, AppState>,
    number: usize,
) -> CmdResult<SessionView> {
    let view = state.app()?.choose(number, state.clock.as_ref())?;
    schedule_patience(&handle);
    if view.ending.is_some() {
        state.sync.wake.notify_one();
    }
    Ok(view)
}

/// The page has finished showing the customer's lines: their patience starts now.
#[tauri::command]
fn lines_shown<R: Runtime>(
    handle: AppHandle<R>,
    state: State<'_, AppState>,
    session_id: u64,
    shown: usize,
) -> CmdResult<SessionView> {
    let view = state
        .app()?
        .lines_shown(session_id, shown, state.clock.as_ref())?;
    schedule_patience(&handle);
    Ok(view)
}

/// The trainee changed their draft: the customer's patience holds while they type.
#[tauri::command]
fn typing<R: Runtime>(
    handle: AppHandle<R>,
    state: State<'_, AppState>,
    session_id: u64,
) -> CmdResult<SessionView> {
    let view = state.app()?.typing(session_id, state.clock.as_ref())?;
    schedule_patience(&handle);
    Ok(view)
}

#[tauri::command]
fn session(state: State<'_, AppState>) -> CmdResult<SessionView> {
    Ok(state.app()?.view(state.clock.as_ref())?)
}

#[tauri::command]
fn debrief(state: State<'_, AppState>) -> CmdResult<Debrief> {
    Ok(state.app()?.debrief()?)
}

#[tauri::command]
fn restart<R: Runtime>(handle: AppHandle<R>, state: State<'_, AppState>) -> CmdResult<SessionView> {
    let view = state.app()?.restart(state.clock.as_ref())?;
    schedule_patience(&handle);
    Ok(view)
}

#[tauri::command]
fn abandon<R: Runtime>(handle: AppHandle<R>, state: State<'_, AppState>) -> CmdResult<()> {
    state.app()?.abandon(state.clock.as_ref());
    schedule_patience(&handle);
    Ok(())
}

/// Every recorded attempt, started last first.
#[tauri::command]
fn history(state: State<'_, AppState>) -> CmdResult<Vec<HistoryEntry>> {
    Ok(state.app()?.history()?)
}

/// The unfinished attempt to offer at start-up, if any (`resumable` false: offer a fresh
/// start instead).
#[tauri::command]
fn unfinished(state: State<'_, AppState>) -> CmdResult<Option<HistoryEntry>> {
    Ok(state.app()?.unfinished()?)
}

/// Continues attempt `attempt_id` (default: the last unfinished one) where it stopped.
#[tauri::command]
fn resume<R: Runtime>(
    handle: AppHandle<R>,
    state: State<'_, AppState>,
    attempt_id: Option<String>,
) -> CmdResult<SessionView> {
    let view = state
        .app()?
        .resume(attempt_id.as_deref(), state.clock.as_ref())?;
    schedule_patience(&handle);
    Ok(view)
}

fn studio_error(message: String) -> CommandError {
    CommandError {
        kind: "studio".into(),
        message,
    }
}

/// Runs `f` on the pack open in the Studio.
fn with_studio<T>(state: &AppState, f: impl FnOnce(&Studio) -> Result<T, String>) -> CmdResult<T> {
    let guard = state
        .studio
        .lock()
        .map_err(|_| studio_error("the Studio is unusable after an internal error".into()))?;
    let studio = guard
        .as_ref()
        .ok_or_else(|| studio_error("no pack is open in the Studio".into()))?;
    f(studio).map_err(studio_error)
}

/// Opens the pack folder `path` in the Studio and watches it: every change on disk
/// reloads it (debounced) and pushes the new view as a [`STUDIO_EVENT`].
#[tauri::command]
fn studio_open<R: Runtime>(
    handle: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
) -> CmdResult<StudioView> {
    let dir = PathBuf::from(path.trim());
    if !dir.is_dir() {
        return Err(studio_error(format!(
            "{} is not a folder: give the folder of a pack (its scenario files)",
            dir.display()
        )));
    }
    let studio = Studio::open(&dir, 1);
    let view = studio.view().clone();
    if let Ok(mut slot) = state.studio.lock() {
        *slot = Some(studio);
    }
    // Without a watcher the Studio still works; it just does not reload by itself.
    let watcher = watch(handle, state.studio.clone(), &dir)
        .inspect_err(|e| {
            eprintln!(
                "rapport-app: {} is not watched for changes: {e}",
                dir.display()
            )
        })
        .ok();
    if let Ok(mut slot) = state.watcher.lock() {
        // Replacing the old watcher drops it, which ends its thread.
        *slot = watcher;
    }
    Ok(view)
}

/// A watcher on `dir` whose thread reloads the Studio's pack after each quiet spell.
fn watch<R: Runtime>(
    handle: AppHandle<R>,
    studio: Arc<Mutex<Option<Studio>>>,
    dir: &Path,
) -> notify::Result<notify::RecommendedWatcher> {
    use notify::Watcher;
    let (tx, rx) = std::sync::mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(tx)?;
    watcher.watch(dir, notify::RecursiveMode::Recursive)?;
    let dir = dir.to_path_buf();
    std::thread::spawn(move || {
        let changed = |e: &notify::Result<notify::Event>| {
            e.as_ref()
                .is_ok_and(|e| !matches!(e.kind, notify::EventKind::Access(_)))
        };
        // Ends when the watcher (the sender) is dropped.
        while let Ok(event) = rx.recv() {
            if !changed(&event) {
                continue;
            }
            while rx.recv_timeout(STUDIO_DEBOUNCE).is_ok() {}
            let view = {
                let Ok(mut slot) = studio.lock() else { return };
                match slot.as_ref() {
                    Some(open) if open.dir() == dir => {
                        let next = Studio::open(&dir, open.view().revision + 1);
                        let view = next.view().clone();
                        *slot = Some(next);
                        view
                    }
                    _ => return,
                }
            };
            let _ = handle.emit(STUDIO_EVENT, &view);
        }
    });
    Ok(watcher)
}

/// The pack open in the Studio, as last loaded.
#[tauri::command]
fn studio_view(state: State<'_, AppState>) -> CmdResult<StudioView> {
    with_studio(&state, |s| Ok(s.view().clone()))
}

/// The graph of scenario `scenario` of the Studio's pack.
#[tauri::command]
fn studio_graph(state: State<'_, AppState>, scenario: String) -> CmdResult<ScenarioGraph> {
    with_studio(&state, |s| s.graph(&scenario))
}

/// Runs the golden tests of scenario `scenario`.
#[tauri::command]
fn studio_tests(state: State<'_, AppState>, scenario: String) -> CmdResult<Vec<TestResult>> {
    with_studio(&state, |s| s.run_tests(&scenario))
}

/// `reply` tried at `node` of `scenario`: what `rapport try` prints, as a view.
#[tauri::command]
fn studio_try(
    state: State<'_, AppState>,
    scenario: String,
    node: String,
    reply: String,
    mood: Option<u8>,
) -> CmdResult<TrialView> {
    with_studio(&state, |s| s.try_reply(&scenario, &node, &reply, mood))
}

/// The trainee's progress: scores over time, criteria rates, weakest, a suggestion.
#[tauri::command]
fn progress(state: State<'_, AppState>) -> CmdResult<ProgressView> {
    Ok(state.app()?.progress()?)
}

/// A finished attempt's debrief, from what was recorded (not scored again).
#[tauri::command]
fn past_debrief(state: State<'_, AppState>, attempt_id: String) -> CmdResult<Debrief> {
    Ok(state.app()?.past_debrief(&attempt_id)?)
}

/// The profile and LRS settings (never the secret itself).
#[tauri::command]
fn settings(state: State<'_, AppState>) -> CmdResult<SettingsView> {
    Ok(state.results()?.settings().map_err(xapi_error)?.view())
}

/// Saves the settings; the background sender tries the new LRS at once.
#[tauri::command]
fn save_settings(state: State<'_, AppState>, settings: SettingsInput) -> CmdResult<SettingsView> {
    let results = state.results()?;
    let saved = results.settings().map_err(xapi_error)?.with(&settings);
    results.save_settings(&saved).map_err(xapi_error)?;
    state.sync.wake.notify_one();
    Ok(saved.view())
}

/// What waits in the outbox, and the last error (of the last round, else of the outbox).
#[tauri::command]
fn sync_status(state: State<'_, AppState>) -> CmdResult<SyncStatus> {
    let mut status = state.results()?.status().map_err(xapi_error)?;
    if let Some(Some(e)) = state
        .sync
        .last
        .lock()
        .ok()
        .and_then(|l| l.as_ref().map(|r| r.error.clone()))
    {
        status.last_error = Some(e);
    }
    Ok(status)
}

/// Sends what waits now (off the main thread); the page stays usable meanwhile.
#[tauri::command]
async fn sync_now(state: State<'_, AppState>) -> CmdResult<SyncReport> {
    let results = state.results()?.clone();
    let report = tauri::async_runtime::spawn_blocking(move || sync_round(&results))
        .await
        .map_err(|e| CommandError {
            kind: "internal".into(),
            message: e.to_string(),
        })?
        .map_err(xapi_error)?;
    if let Ok(mut last) = state.sync.last.lock() {
        *last = Some(report.clone());
    }
    Ok(report)
}

/// One round: queue what is missing; send, if an LRS is configured.
fn sync_round(results: &Results) -> Result<SyncReport, rapport_xapi::XapiError> {
    match results.lrs()? {
        Some(lrs) => results.sync(&lrs, &rapport_xapi::now_ms),
        None => {
            results.queue_missing(rapport_xapi::now_ms())?;
            Err(rapport_xapi::XapiError::NoLrs)
        }
    }
}

/// The background sender: a round at start, after each attempt ends, when the settings
/// change, and every minute; after a failure it waits 5 s, then twice as long each time
/// up to 10 minutes (a new attempt or new settings still ring it at once). Practice never
/// waits for it: rounds run on the blocking pool, and the store is opened per round.
pub fn spawn_sender(results: Results, sync: Arc<SyncState>) {
    tauri::async_runtime::spawn(async move {
        let mut failed: Option<Duration> = None;
        loop {
            let r = results.clone();
            let round = tauri::async_runtime::spawn_blocking(move || sync_round(&r)).await;
            let report = match round {
                Ok(Ok(report)) => report,
                Ok(Err(rapport_xapi::XapiError::NoLrs)) => SyncReport::default(),
                Ok(Err(e)) => SyncReport {
                    error: Some(e.to_string()),
                    ..SyncReport::default()
                },
                Err(e) => SyncReport {
                    error: Some(e.to_string()),
                    ..SyncReport::default()
                },
            };
            failed = match (&report.error, failed) {
                (None, _) => None,
                (Some(_), None) => Some(BACKOFF_FIRST),
                (Some(_), Some(d)) => Some((d * 2).min(BACKOFF_MAX)),
            };
            if let Ok(mut last) = sync.last.lock() {
                *last = Some(report);
            }
            let wait = failed.unwrap_or(IDLE);
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = sync.wake.notified() => {}
            }
        }
    });
}

/// Replaces the pending patience timer with one for the session now in progress. Called
/// after every command that changes the session, and by the timer itself after it fired
/// (the customer's patience restarts after a chase that stays on the node).
fn schedule_patience<R: Runtime>(handle: &AppHandle<R>) {
    let state = handle.state::<AppState>();
    let next = state.app.lock().ok().and_then(|a| a.patience_deadline());
    let Ok(mut timer) = state.timer.lock() else {
        return;
    };
    if let Some(old) = timer.take() {
        old.abort();
    }
    let Some((session_id, deadline)) = next else {
        return;
    };
    let wait = Duration::from_millis(deadline.saturating_sub(state.clock.now_ms()));
    let handle = handle.clone();
    *timer = Some(tauri::async_runtime::spawn(async move {
        tokio::time::sleep(wait).await;
        let state = handle.state::<AppState>();
        let view = match state.app.lock() {
            Ok(mut app) => app.silence_if_due(session_id, state.clock.as_ref()),
            Err(_) => return,
        };
        if let Some(view) = view {
            let _ = handle.emit(SESSION_EVENT, &view);
        }
        // Whether it fired or a reply moved the deadline meanwhile, wait for the next one.
        schedule_patience(&handle);
    }));
}

/// The builder with Rapport's state and commands; `run` and the tests share it.
pub fn builder<R: Runtime>(builder: tauri::Builder<R>, state: AppState) -> tauri::Builder<R> {
    builder
        .manage(state)
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(tauri::generate_handler![
            library,
            import_pack,
            studio_open,
            studio_view,
            studio_graph,
            studio_tests,
            studio_try,
            start_scenario,
            send_reply,
            choose,
            lines_shown,
            typing,
            session,
            debrief,
            restart,
            abandon,
            history,
            unfinished,
            resume,
            progress,
            past_debrief,
            settings,
            save_settings,
            sync_status,
            sync_now
        ])
}

/// Opens the window and runs until it closes.
pub fn run() {
    let context = tauri::generate_context!();
    // The resource folder is only known once the app is built; resolve it the way Tauri
    // will, from the context, before building.
    let resource_dir =
        tauri::utils::platform::resource_dir(context.package_info(), &tauri::utils::Env::default())
            .ok();
    let dir = scenarios_dir(resource_dir);
    let fixed_seed = std::env::var(SEED_ENV)
        .ok()
        .and_then(|s| s.trim().parse().ok());
    let packs_dir = rapport_core::pack::installed_packs_dir();
    let mut app = open_recording(&dir);
    if let Some(packs) = &packs_dir {
        app.add_installed_packs(packs);
    }
    let results = Results::open_default().ok();
    let state = AppState::new(app)
        .with_fixed_seed(fixed_seed)
        .with_packs_dir(packs_dir)
        .with_results(results.clone());
    let sync = state.sync.clone();
    let app = builder(tauri::Builder::default(), state).setup(move |_| {
        if let Some(results) = results {
            spawn_sender(results, sync);
        }
        Ok(())
    });
    if let Err(e) = app.run(context) {
        eprintln!("rapport-app: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests;
