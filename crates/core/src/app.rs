//! The facade the desktop app drives: one method per command of the Tauri shell.
//!
//! [`App`] owns the loaded library (playable scenarios and the files that failed to
//! load), the scorer, and at most one conversation in progress. Every method returns a
//! plain, serialisable view ([`LibraryView`], [`SessionView`], [`Debrief`]) so the shell
//! only forwards it over IPC, and the same calls can be made from a test with no window.
//!
//! Time is an input here too: methods that move the conversation take a [`Clock`], so the
//! shell passes the wall clock and tests pass a manual one. The customer's patience timer
//! itself lives in the shell (a tokio task); it asks [`App::silence_if_due`], which checks
//! the deadline again under the same lock as the replies, so a reply that lands just
//! before the timer fires can never be followed by a stale "are you still there?".
//!
//! History: an `App` may hold an [`AttemptLog`] ([`App::with_log`]). Then every attempt
//! is recorded as it happens, here and nowhere else, so the desktop app and `rapport
//! play` record the same way: the start (scenario id, version, SHA-256 of the file, seed,
//! time) and the opening lines, each input once the engine took it (with its time and the
//! events it caused), the outcome and scores at the ending; a restart, a new start or
//! [`App::abandon`] marks an unfinished attempt abandoned. [`App::resume`] rebuilds an
//! unfinished attempt exactly, from its seed and inputs replayed at their recorded times,
//! unless the scenario file changed since. A log that fails is reported
//! ([`LibraryView::history_problem`]) and the conversation goes on unrecorded: practice
//! never depends on history. See [`crate::history`] for why the log is a trait.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::diag::Diagnostic;
use crate::engine::{Clock, Debrief, EngineError, Event, EventKind, Input, ManualClock, Session};
use crate::history::{utc_text, AttemptLog, AttemptStart, Step, StoredAttempt};
use crate::load::{self, Library, LoadOptions};
use crate::model::{Customer, Meta, Node, Outcome, Scenario, Track, VariantCard};
use crate::pack::{Pack, PackInfo};
use crate::progress::{self, ProgressView};
use crate::score::{Scorer, Scores};
use crate::template;

/// What went wrong with a command. [`AppError::kind`] is the stable name the UI switches on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppError {
    #[error("there is no scenario `{0}` in the library")]
    UnknownScenario(String),
    #[error("no conversation is in progress")]
    NoSession,
    #[error("the conversation has not ended yet, so there is no debrief")]
    NotEnded,
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("there is no attempt history: {0}")]
    NoHistory(String),
    #[error("the attempt history could not be read: {0}")]
    History(String),
    #[error("there is no unfinished attempt to resume")]
    NothingToResume,
    #[error("there is no attempt `{0}` in the history")]
    UnknownAttempt(String),
    #[error("attempt `{0}` has already ended; start the scenario again instead")]
    AttemptEnded(String),
    #[error(
        "scenario `{scenario}` has changed since attempt `{attempt}` started, so it cannot \
         be resumed exactly; start it again instead"
    )]
    ScenarioChanged { attempt: String, scenario: String },
    #[error("attempt `{attempt}` could not be replayed: {reason}")]
    Replay { attempt: String, reason: String },
}

impl AppError {
    /// `not_found`, `no_session`, `not_ended`, `ended`, `invalid_input`, `no_history`,
    /// `history`, `nothing_to_resume`, `scenario_changed` or `replay_failed`.
    pub fn kind(&self) -> &'static str {
        match self {
            AppError::UnknownScenario(_) | AppError::UnknownAttempt(_) => "not_found",
            AppError::NoSession => "no_session",
            AppError::NotEnded => "not_ended",
            AppError::Engine(EngineError::Ended) | AppError::AttemptEnded(_) => "ended",
            AppError::Engine(_) => "invalid_input",
            AppError::NoHistory(_) => "no_history",
            AppError::History(_) => "history",
            AppError::NothingToResume => "nothing_to_resume",
            AppError::ScenarioChanged { .. } => "scenario_changed",
            AppError::Replay { .. } => "replay_failed",
        }
    }
}

/// A scenario file that could not be loaded, with every problem found in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LoadError {
    pub file: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// The library screen: the playable scenarios and the files that failed to load.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LibraryView {
    /// Where the scenarios were loaded from.
    pub source: String,
    /// Sorted by difficulty, then title.
    pub scenarios: Vec<Meta>,
    /// Every skill tag of the playable scenarios, sorted, for the filter.
    pub skills: Vec<String>,
    /// Every line of business (`industry`) of the playable scenarios, sorted, for the filter.
    pub industries: Vec<String>,
    /// The pack's learning tracks (`tracks.yaml`), in order; each lists scenario ids in
    /// the order to practise them (only playable ones).
    pub tracks: Vec<Track>,
    pub load_errors: Vec<LoadError>,
    /// The packs the scenarios come from, in the order loaded (the app's own pack first,
    /// then the imported ones), each with the ids of its playable scenarios.
    pub packs: Vec<PackGroup>,
    /// Why attempts are not being recorded (the store could not be opened, or a write
    /// failed), or what was done about an unreadable store; `None` when all is well.
    pub history_problem: Option<String>,
}

/// A pack in the library: what it says it is, where it was loaded from, and its
/// playable scenarios (ids, sorted as [`LibraryView::scenarios`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PackGroup {
    pub info: PackInfo,
    pub source: String,
    /// Imported into the data folder (not the pack the app was opened on).
    pub installed: bool,
    pub scenarios: Vec<String>,
}

/// The customer as the persona card shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CustomerCard {
    pub name: String,
    pub persona: String,
    /// Seconds of silence before they chase; `None` when they wait forever.
    pub patience_seconds: Option<u32>,
    /// Which of the scenario's persona variants this customer is (picked by the seed);
    /// `None` when the scenario has none.
    pub variant: Option<VariantCard>,
}

/// One line of the CRM panel. Nested facts are flattened to dotted keys (`card.last4`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Fact {
    pub key: String,
    pub value: String,
    /// The author's label, in the scenario's language (`None`: show the key in words).
    pub label: Option<String>,
    /// This moment needs it (the node lists it, or its model answers use it): such facts
    /// come first.
    pub needed: bool,
}

/// How the conversation ended, for the last bubble and the debrief button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EndingView {
    pub id: String,
    pub outcome: Outcome,
    pub closing_line: String,
    pub lesson: String,
}

/// Everything the conversation screen shows, after any command.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SessionView {
    /// Changes on every start and restart, so the page can drop news of an older session.
    pub session_id: u64,
    pub seed: u64,
    pub scenario: Meta,
    pub customer: CustomerCard,
    pub facts: Vec<Fact>,
    /// 0 furious to 100 delighted.
    pub mood: u8,
    /// The current node (the ending once ended).
    pub node: String,
    /// Guided mode: the choices to pick from, in the order shown (shuffled with the
    /// seed unless the node pins them), numbered from 1 for [`App::choose`]; empty when
    /// typing.
    pub choices: Vec<String>,
    /// Every event so far. The page animates the ones it has not shown yet.
    pub transcript: Vec<Event>,
    /// The criteria that mattered most for the latest reply (its node's `focus`), so the
    /// feedback can lead with them.
    pub last_reply_focus: Vec<String>,
    pub ending: Option<EndingView>,
    /// Milliseconds left before the customer chases, when they have a patience.
    pub patience_left_ms: Option<u64>,
    /// The trainee is typing and the customer's patience is on hold: they are waiting.
    pub customer_waiting: bool,
    /// One-line definitions of the criteria the last reply was judged on, in the
    /// scenario's language, for the trainee to open.
    pub definitions: Vec<Definition>,
    /// The attempt's id in the history, when it is being recorded.
    pub attempt_id: Option<String>,
}

/// Where an attempt in the history stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AttemptStatus {
    Unfinished,
    Finished,
    Abandoned,
}

/// One attempt, as the history lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HistoryEntry {
    pub id: String,
    /// The scenario id.
    pub scenario: String,
    pub scenario_version: String,
    pub seed: u64,
    pub status: AttemptStatus,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub started: String,
    pub ended: Option<String>,
    pub started_at_ms: u64,
    pub ended_at_ms: Option<u64>,
    /// The engine's outcome name; `None` while unfinished and when abandoned.
    pub outcome: Option<String>,
    pub scores: Option<Scores>,
    /// Everything recorded: turns, and when the page had shown the customer's lines.
    pub inputs: usize,
    /// Replies, choices and chased silences.
    pub turns: usize,
    /// Unfinished, and the library has this scenario with the same text.
    pub resumable: bool,
    /// The library's file for this scenario is not the text played (or is gone).
    pub scenario_changed: bool,
}

/// What a criterion means, as the rubric files say it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Definition {
    pub id: String,
    pub text: String,
}

struct Active {
    id: u64,
    scenario: usize,
    session: Session,
    /// The attempt's id in the log; `None` when not recorded.
    attempt: Option<String>,
    /// Steps recorded so far: the next step's number.
    steps: u32,
}

/// The app's whole state: library, scorer, and the conversation in progress.
pub struct App {
    source: PathBuf,
    scenarios: Vec<Scenario>,
    tracks: Vec<Track>,
    load_errors: Vec<LoadError>,
    /// SHA-256 of each scenario's file, in the order of `scenarios`.
    sha256: Vec<String>,
    scorer: Box<dyn Scorer + Send>,
    active: Option<Active>,
    sessions_started: u64,
    log: Option<Box<dyn AttemptLog>>,
    log_problem: Option<String>,
    /// The packs loaded, the first being the one the app was opened on (scored by
    /// `scorer`); see [`App::add_pack`].
    packs: Vec<LoadedPack>,
    /// For each scenario, its pack's index in `packs`.
    pack_of: Vec<usize>,
}

struct LoadedPack {
    info: PackInfo,
    source: PathBuf,
    installed: bool,
    /// `None` for the first pack, whose scorer is `App::scorer`.
    scorer: Option<Box<dyn Scorer + Send>>,
}

/// The scorer of scenario `index` (a free function, so it borrows only these fields).
fn scorer_of<'a>(
    first: &'a dyn Scorer,
    packs: &'a [LoadedPack],
    pack_of: &[usize],
    index: usize,
) -> &'a dyn Scorer {
    pack_of
        .get(index)
        .and_then(|&p| packs.get(p))
        .and_then(|p| p.scorer.as_deref())
        .map_or(first, |s| s as &dyn Scorer)
}

impl App {
    /// Loads every scenario under `dir`. A missing folder is reported as a load error, so
    /// the app still opens and says why the library is empty.
    pub fn open(dir: &Path, scorer: Box<dyn Scorer + Send>, opts: &LoadOptions) -> App {
        let library = if dir.is_dir() {
            load::load_paths(&[dir.to_path_buf()], opts)
        } else {
            Library {
                scenarios: Vec::new(),
                reports: vec![load::FileReport {
                    path: dir.to_path_buf(),
                    scenario: None,
                    diagnostics: vec![Diagnostic::error(
                        dir,
                        0,
                        0,
                        "io",
                        "the scenarios folder does not exist",
                    )
                    .with_hint("set RAPPORT_SCENARIOS_DIR to a folder of scenario files")],
                }],
                tracks: Vec::new(),
                track_files: Vec::new(),
            }
        };
        App::from_library(dir, library, scorer)
    }

    /// Loads the pack in `dir` the way the CLI does: the built-in rubrics plus the pack's
    /// own `rubrics/`, then every scenario, checked against the criteria those define.
    /// Rubric files with errors join the load errors.
    pub fn open_pack(dir: &Path) -> App {
        let pack = Pack::open(dir);
        let mut app = App::open(dir, Box::new(pack.scorer), &pack.options);
        let mut by_file: BTreeMap<PathBuf, Vec<Diagnostic>> = BTreeMap::new();
        for d in pack.rubric_diagnostics {
            by_file.entry(d.file.clone()).or_default().push(d);
        }
        for (file, diagnostics) in by_file {
            app.report(&file, diagnostics);
        }
        app
    }

    /// An app over an already loaded library (`source` is only shown to the trainee).
    pub fn from_library(source: &Path, library: Library, scorer: Box<dyn Scorer + Send>) -> App {
        let mut scenarios = library.scenarios;
        scenarios.sort_by(|a, b| {
            (a.meta.difficulty, &a.meta.title, &a.meta.id).cmp(&(
                b.meta.difficulty,
                &b.meta.title,
                &b.meta.id,
            ))
        });
        let load_errors = library
            .reports
            .into_iter()
            .filter(|r| r.scenario.is_none() && r.diagnostics.iter().any(Diagnostic::is_error))
            .map(|r| LoadError {
                file: r.path.display().to_string(),
                diagnostics: r.diagnostics,
            })
            .collect();
        let sha256 = scenarios.iter().map(scenario_sha256).collect();
        let info = PackInfo::read(source).unwrap_or_else(|_| PackInfo {
            id: "pack".into(),
            title: source.display().to_string(),
            version: String::new(),
            author: String::new(),
            description: String::new(),
        });
        let pack_of = vec![0; scenarios.len()];
        App {
            source: source.to_path_buf(),
            scenarios,
            tracks: library.tracks,
            load_errors,
            sha256,
            scorer,
            active: None,
            sessions_started: 0,
            log: None,
            log_problem: None,
            packs: vec![LoadedPack {
                info,
                source: source.to_path_buf(),
                installed: false,
                scorer: None,
            }],
            pack_of,
        }
    }

    /// Records every attempt in `log` from now on. `problem` is what the opener has to
    /// report about the history (a store set aside, or why there is no log at all); it
    /// is shown in [`LibraryView::history_problem`].
    pub fn with_log(mut self, log: Option<Box<dyn AttemptLog>>, problem: Option<String>) -> App {
        self.log = log;
        self.log_problem = problem;
        self
    }

    /// Why attempts are not being recorded, or what happened to an unreadable store.
    pub fn history_problem(&self) -> Option<&str> {
        self.log_problem.as_deref()
    }

    /// Adds problems found outside scenario files (a pack's rubric files, say).
    pub fn report(&mut self, file: &Path, diagnostics: Vec<Diagnostic>) {
        if diagnostics.iter().any(Diagnostic::is_error) {
            self.load_errors.push(LoadError {
                file: file.display().to_string(),
                diagnostics,
            });
        }
    }

    pub fn library(&self) -> LibraryView {
        let skills: BTreeSet<&String> =
            self.scenarios.iter().flat_map(|s| &s.meta.skills).collect();
        let industries: BTreeSet<&String> = self
            .scenarios
            .iter()
            .filter_map(|s| s.meta.industry.as_ref())
            .collect();
        let playable: BTreeSet<&str> = self.scenarios.iter().map(|s| s.meta.id.as_str()).collect();
        let tracks = self
            .tracks
            .iter()
            .map(|t| Track {
                scenarios: t
                    .scenarios
                    .iter()
                    .filter(|id| playable.contains(id.as_str()))
                    .cloned()
                    .collect(),
                ..t.clone()
            })
            .collect();
        LibraryView {
            source: self.source.display().to_string(),
            scenarios: {
                let mut all: Vec<Meta> = self.scenarios.iter().map(|s| s.meta.clone()).collect();
                all.sort_by(|a, b| {
                    (a.difficulty, &a.title, &a.id).cmp(&(b.difficulty, &b.title, &b.id))
                });
                all
            },
            skills: skills.into_iter().cloned().collect(),
            industries: industries.into_iter().cloned().collect(),
            tracks,
            load_errors: self.load_errors.clone(),
            packs: self.pack_groups(),
            history_problem: self.log_problem.clone(),
        }
    }

    /// Starts `scenario_id`, replacing any conversation in progress. Without a seed one is
    /// taken from the clock; the view carries it so the run can be replayed.
    pub fn start(
        &mut self,
        scenario_id: &str,
        seed: Option<u64>,
        clock: &dyn Clock,
    ) -> Result<SessionView, AppError> {
        let index = self
            .scenarios
            .iter()
            .position(|s| s.meta.id == scenario_id)
            .ok_or_else(|| AppError::UnknownScenario(scenario_id.to_string()))?;
        // One reading of the clock for the whole operation: the session and the record must
        // agree to the millisecond, or a resumed attempt would not replay exactly.
        let now = clock.now_ms();
        let fixed = ManualClock::new(now);
        let seed = seed.unwrap_or(now % 1_000_000);
        self.close_active(now);
        let session = Session::start(&self.scenarios[index], seed, &fixed);
        let attempt = self.begin_attempt(index, &session, now);
        self.sessions_started += 1;
        self.active = Some(Active {
            id: self.sessions_started,
            scenario: index,
            session,
            attempt,
            steps: 0,
        });
        self.view(clock)
    }

    /// Records the start of `session` (of scenario `index`) and its opening events;
    /// `None` when there is no log or it failed (then reported).
    fn begin_attempt(&mut self, index: usize, session: &Session, now: u64) -> Option<String> {
        let log = self.log.as_mut()?;
        let meta = &self.scenarios[index].meta;
        let result = log
            .begin(&AttemptStart {
                scenario_id: &meta.id,
                scenario_version: &meta.version,
                scenario_sha256: &self.sha256[index],
                seed: session.seed(),
                started_at_ms: now,
            })
            .and_then(|id| log.events(&id, 0, session.transcript()).map(|()| id));
        match result {
            Ok(id) => Some(id),
            Err(e) => {
                self.log_problem = Some(format!("this attempt is not being recorded: {e}"));
                None
            }
        }
    }

    /// Marks the attempt in progress abandoned if it is recorded and has not ended.
    fn close_active(&mut self, now: u64) {
        let Some(active) = self.active.as_mut() else {
            return;
        };
        if active.session.is_ended() {
            return;
        }
        if let (Some(log), Some(id)) = (self.log.as_mut(), active.attempt.take()) {
            if let Err(e) = log.abandon(&id, now) {
                self.log_problem = Some(format!("attempt {id} could not be closed: {e}"));
            }
        }
    }

    /// Records `step`, just taken at `at_ms`, with the events from `events_from` on, and
    /// the ending if it ended the conversation. On a failure the attempt stops being
    /// recorded (what is stored stays a prefix that replays exactly) and it is reported.
    fn record_step(&mut self, step: &Step, events_from: usize, at_ms: u64) {
        let (Some(log), Some(active)) = (self.log.as_mut(), self.active.as_mut()) else {
            return;
        };
        let Some(id) = active.attempt.clone() else {
            return;
        };
        let scenario = &self.scenarios[active.scenario];
        let new = &active.session.transcript()[events_from..];
        let mut result = log.record(&id, active.steps, at_ms, step);
        if result.is_ok() {
            active.steps += 1;
            if !new.is_empty() {
                result = u32::try_from(events_from)
                    .map_err(|_| "too many events".to_string())
                    .and_then(|from| log.events(&id, from, new));
            }
        }
        if result.is_ok() {
            if let Some(d) = active.session.debrief(scenario) {
                result = log.finish(&id, at_ms, d.outcome, &d.scores);
            }
        }
        if let Err(e) = result {
            active.attempt = None;
            self.log_problem = Some(format!("attempt {id} stopped being recorded: {e}"));
        }
    }

    /// Every recorded attempt, started last first.
    pub fn history(&self) -> Result<Vec<HistoryEntry>, AppError> {
        let log = self.log()?;
        let attempts = log.history().map_err(AppError::History)?;
        Ok(attempts.iter().map(|a| self.entry(a)).collect())
    }

    /// The unfinished attempt started last, to offer to resume at start-up. Its
    /// `resumable` says whether it can be; when the scenario changed, offer a fresh start.
    pub fn unfinished(&self) -> Result<Option<HistoryEntry>, AppError> {
        let log = self.log()?;
        let Some(id) = log.unfinished().map_err(AppError::History)? else {
            return Ok(None);
        };
        Ok(log
            .attempt(&id)
            .map_err(AppError::History)?
            .map(|a| self.entry(&a)))
    }

    /// Continues attempt `id` (default: the unfinished one started last) where it
    /// stopped: the session is rebuilt from its seed and inputs replayed at their
    /// recorded times, so the transcript is the one the trainee saw. The customer's
    /// patience starts again now. Refused when the scenario's file is no longer the text
    /// played ([`AppError::ScenarioChanged`]): start it afresh instead.
    pub fn resume(&mut self, id: Option<&str>, clock: &dyn Clock) -> Result<SessionView, AppError> {
        let log = self.log()?;
        let id = match id {
            Some(id) => id.to_string(),
            None => log
                .unfinished()
                .map_err(AppError::History)?
                .ok_or(AppError::NothingToResume)?,
        };
        let record = log
            .attempt(&id)
            .map_err(AppError::History)?
            .ok_or_else(|| AppError::UnknownAttempt(id.clone()))?;
        if record.ended_at_ms.is_some() {
            return Err(AppError::AttemptEnded(id));
        }
        let index = self
            .scenarios
            .iter()
            .position(|s| s.meta.id == record.scenario_id)
            .ok_or_else(|| AppError::UnknownScenario(record.scenario_id.clone()))?;
        if self.sha256[index] != record.scenario_sha256 {
            return Err(AppError::ScenarioChanged {
                attempt: id,
                scenario: record.scenario_id,
            });
        }
        let scorer = scorer_of(self.scorer.as_ref(), &self.packs, &self.pack_of, index);
        let mut session = rebuild(&self.scenarios[index], scorer, &record)?;
        // Same text, same inputs; but the scoring (rubric files, the model) may have
        // changed since, and then the rebuilt conversation is not the one the trainee had.
        let recorded = log.recorded_events(&id).map_err(AppError::History)?;
        if let Some(n) = first_difference(session.transcript(), &recorded) {
            return Err(AppError::Replay {
                attempt: id,
                reason: format!(
                    "event {n} comes out differently now (has the scoring changed since?); \
                     start the scenario again instead"
                ),
            });
        }
        let now = clock.now_ms();
        if self.active.as_ref().and_then(|a| a.attempt.as_deref()) != Some(id.as_str()) {
            self.close_active(now);
        }
        // The trainee is back now: the customer's patience runs from here. Recorded like
        // the page's acknowledgement, so a later replay waits the same.
        session.restart_patience(now);
        let shown = session.transcript().len();
        self.sessions_started += 1;
        self.active = Some(Active {
            id: self.sessions_started,
            scenario: index,
            session,
            attempt: Some(id),
            steps: record.steps.len() as u32,
        });
        self.record_step(&Step::LinesShown { shown }, shown, now);
        self.view(clock)
    }

    /// The trainee's progress over every recorded attempt (see [`crate::progress`]).
    pub fn progress(&self) -> Result<ProgressView, AppError> {
        let log = self.log()?;
        let attempts = log.history().map_err(AppError::History)?;
        let events = |id: &str| recorded(log, id);
        Ok(progress::progress(&attempts, &events, &self.scenarios))
    }

    /// Finished attempt `id` as its debrief, from its events as recorded: the replies,
    /// scores and mood the trainee had, not scored again. Focus and model answers come
    /// from the library's copy of the scenario (the text played, or a newer one).
    pub fn past_debrief(&self, id: &str) -> Result<Debrief, AppError> {
        let log = self.log()?;
        let record = log
            .attempt(id)
            .map_err(AppError::History)?
            .ok_or_else(|| AppError::UnknownAttempt(id.to_string()))?;
        if record.outcome.is_none() {
            return Err(AppError::NotEnded);
        }
        let scenario = self
            .scenarios
            .iter()
            .find(|s| s.meta.id == record.scenario_id)
            .ok_or_else(|| AppError::UnknownScenario(record.scenario_id.clone()))?;
        crate::engine::debrief_of(scenario, &recorded(log, id)).ok_or_else(|| AppError::Replay {
            attempt: id.to_string(),
            reason: "its recorded events do not reach an ending of the scenario as it is now"
                .into(),
        })
    }

    fn log(&self) -> Result<&dyn AttemptLog, AppError> {
        self.log.as_deref().ok_or_else(|| {
            AppError::NoHistory(
                self.log_problem
                    .clone()
                    .unwrap_or_else(|| "this app was opened without one".into()),
            )
        })
    }

    fn entry(&self, a: &StoredAttempt) -> HistoryEntry {
        let status = match (a.ended_at_ms, &a.outcome) {
            (None, _) => AttemptStatus::Unfinished,
            (Some(_), Some(_)) => AttemptStatus::Finished,
            (Some(_), None) => AttemptStatus::Abandoned,
        };
        let same_text = self
            .scenarios
            .iter()
            .zip(&self.sha256)
            .any(|(s, sha)| s.meta.id == a.scenario_id && *sha == a.scenario_sha256);
        HistoryEntry {
            id: a.id.clone(),
            scenario: a.scenario_id.clone(),
            scenario_version: a.scenario_version.clone(),
            seed: a.seed,
            status,
            started: utc_text(a.started_at_ms),
            ended: a.ended_at_ms.map(utc_text),
            started_at_ms: a.started_at_ms,
            ended_at_ms: a.ended_at_ms,
            outcome: a.outcome.clone(),
            scores: a.scores,
            inputs: a.steps.len(),
            turns: a.steps.iter().filter(|s| s.step.is_turn()).count(),
            resumable: status == AttemptStatus::Unfinished && same_text,
            scenario_changed: !same_text,
        }
    }

    /// Plays the same scenario again from the start, with the same seed, so the customer
    /// says the same lines and a second attempt can be compared with the first.
    pub fn restart(&mut self, clock: &dyn Clock) -> Result<SessionView, AppError> {
        let active = self.active.as_ref().ok_or(AppError::NoSession)?;
        let id = self.scenarios[active.scenario].meta.id.clone();
        let seed = active.session.seed();
        self.start(&id, Some(seed), clock)
    }

    /// Drops the conversation in progress, if any; an unfinished recorded attempt is
    /// marked abandoned.
    pub fn abandon(&mut self, clock: &dyn Clock) {
        self.close_active(clock.now_ms());
        self.active = None;
    }

    pub fn reply(&mut self, text: &str, clock: &dyn Clock) -> Result<SessionView, AppError> {
        self.advance(
            &Input::Reply {
                text: text.to_string(),
            },
            clock,
        )
    }

    /// Picks guided choice `number` (1-based, as on screen).
    pub fn choose(&mut self, number: usize, clock: &dyn Clock) -> Result<SessionView, AppError> {
        self.advance(&Input::Choice { number }, clock)
    }

    /// The trainee has been silent: the customer chases. Unconditional; the timer uses
    /// [`App::silence_if_due`].
    pub fn silence(&mut self, clock: &dyn Clock) -> Result<SessionView, AppError> {
        self.advance(&Input::Silence, clock)
    }

    /// Fires the customer's patience for session `session_id` only if it is still the
    /// session in progress and its deadline has passed; `None` means nothing happened.
    pub fn silence_if_due(&mut self, session_id: u64, clock: &dyn Clock) -> Option<SessionView> {
        let (id, deadline) = self.patience_deadline()?;
        if id != session_id || clock.now_ms() < deadline {
            return None;
        }
        self.silence(clock).ok()
    }

    /// The page has finished showing the customer's lines of session `session_id`, whose
    /// transcript then held `shown` events: the customer's patience starts now. Ignored
    /// when the page is behind (another session, or a reply already moved it on), so a
    /// late acknowledgement cannot restart the wait for a line the trainee answered.
    pub fn lines_shown(
        &mut self,
        session_id: u64,
        shown: usize,
        clock: &dyn Clock,
    ) -> Result<SessionView, AppError> {
        let active = self.active.as_mut().ok_or(AppError::NoSession)?;
        if active.id == session_id
            && active.session.transcript().len() == shown
            && !active.session.is_ended()
        {
            let now = clock.now_ms();
            active.session.restart_patience(now);
            self.record_step(&Step::LinesShown { shown }, shown, now);
        }
        self.view(clock)
    }

    /// The trainee changed their draft in session `session_id`: the customer waits while
    /// they type (see `engine::patience`). Ignored for any other session.
    pub fn typing(&mut self, session_id: u64, clock: &dyn Clock) -> Result<SessionView, AppError> {
        let active = self.active.as_mut().ok_or(AppError::NoSession)?;
        if active.id == session_id {
            active.session.typing(clock.now_ms());
        }
        self.view(clock)
    }

    /// The session in progress and when (on the clock) its customer runs out of patience.
    pub fn patience_deadline(&self) -> Option<(u64, u64)> {
        let active = self.active.as_ref()?;
        let deadline = active
            .session
            .patience_deadline_ms(&self.scenarios[active.scenario])?;
        Some((active.id, deadline))
    }

    pub fn view(&self, clock: &dyn Clock) -> Result<SessionView, AppError> {
        let active = self.active.as_ref().ok_or(AppError::NoSession)?;
        let scenario = &self.scenarios[active.scenario];
        let session = &active.session;
        // The customer this session meets: its persona variant applied.
        let played = session.played(scenario);
        let customer = &played.customer;
        // In the order the trainee sees them (shuffled with the seed unless pinned).
        let choices = session
            .node(scenario)
            .map(|n| {
                session
                    .choice_order(n)
                    .into_iter()
                    .map(|i| template::render(&n.choices[i], customer))
                    .collect()
            })
            .unwrap_or_default();
        let ending = session.ending(scenario).map(|(id, e)| EndingView {
            id: id.to_string(),
            outcome: e.outcome,
            closing_line: session.closing_line().unwrap_or_default().to_string(),
            // The variant chosen when the conversation ended, matching what happened.
            lesson: session
                .transcript()
                .iter()
                .rev()
                .find_map(|ev| match &ev.kind {
                    EventKind::Ended { lesson, .. } => Some(lesson.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| template::render(&e.lesson, customer)),
        });
        Ok(SessionView {
            session_id: active.id,
            seed: session.seed(),
            scenario: scenario.meta.clone(),
            customer: CustomerCard {
                name: customer.name.clone(),
                persona: customer.persona.clone(),
                patience_seconds: played.patience_seconds(),
                variant: customer.variant.clone(),
            },
            facts: record(customer, session.node(scenario)),
            mood: session.mood(),
            node: session.current().to_string(),
            choices,
            transcript: session.transcript().to_vec(),
            last_reply_focus: session
                .transcript()
                .iter()
                .rev()
                .find_map(|e| match &e.kind {
                    EventKind::AgentReply { node, .. } => scenario.nodes.get(node),
                    _ => None,
                })
                .map(|n| played.focus_at(n))
                .unwrap_or_default(),
            ending,
            patience_left_ms: session
                .patience_deadline_ms(scenario)
                .map(|d| d.saturating_sub(clock.now_ms())),
            customer_waiting: session.is_typing(clock.now_ms()),
            definitions: self.definitions(active.scenario, session),
            attempt_id: active.attempt.clone(),
        })
    }

    /// The definitions of every criterion the latest reply was judged on: the rubric
    /// files' text, or a scenario criterion's own `description`.
    fn definitions(&self, index: usize, session: &Session) -> Vec<Definition> {
        let scenario = &self.scenarios[index];
        let scorer = scorer_of(self.scorer.as_ref(), &self.packs, &self.pack_of, index);
        let Some(score) = session
            .transcript()
            .iter()
            .rev()
            .find_map(|e| match &e.kind {
                EventKind::AgentReply { score, .. } => Some(score),
                _ => None,
            })
        else {
            return Vec::new();
        };
        let own = |id: &str| {
            scenario
                .rubric
                .criteria
                .iter()
                .chain(scenario.nodes.values().flat_map(|n| &n.rubric.criteria))
                .find(|c| c.id == id && !c.description.is_empty())
                .map(|c| c.description.clone())
        };
        score
            .criteria
            .iter()
            .filter_map(|c| {
                let text =
                    own(&c.id).or_else(|| scorer.definition(&c.id, scenario.meta.language))?;
                Some(Definition {
                    id: c.id.clone(),
                    text,
                })
            })
            .collect()
    }

    pub fn debrief(&self) -> Result<Debrief, AppError> {
        let active = self.active.as_ref().ok_or(AppError::NoSession)?;
        active
            .session
            .debrief(&self.scenarios[active.scenario])
            .ok_or(AppError::NotEnded)
    }

    fn advance(&mut self, input: &Input, clock: &dyn Clock) -> Result<SessionView, AppError> {
        let active = self.active.as_mut().ok_or(AppError::NoSession)?;
        let scenario = &self.scenarios[active.scenario];
        let before = active.session.transcript().len();
        // One reading of the clock, shared by the engine and the record (see `start`).
        let now = clock.now_ms();
        let scorer = scorer_of(
            self.scorer.as_ref(),
            &self.packs,
            &self.pack_of,
            active.scenario,
        );
        active
            .session
            .advance(scenario, scorer, input, &ManualClock::new(now))?;
        // Recorded once the engine took it: a refused input is never stored, so the
        // stored inputs always replay.
        self.record_step(&Step::from_input(input), before, now);
        self.view(clock)
    }
}

/// More than one pack: the packs imported into the data folder, listed beside the app's
/// own, each scored by its own rubrics.
impl App {
    /// Loads the pack in `dir` (its rubrics, scenarios and `pack.yaml`) into the library
    /// beside the others. A scenario whose id another pack already has is not added and
    /// is reported as a load error; problems in the pack's files join the load errors.
    pub fn add_pack(&mut self, dir: &Path, installed: bool) {
        let info = match PackInfo::read(dir) {
            Ok(info) => info,
            Err(d) => {
                self.report(&d.file.clone(), vec![d]);
                return;
            }
        };
        let pack = Pack::open(dir);
        let library = load::load_paths(&[dir.to_path_buf()], &pack.options);
        let index = self.packs.len();
        let mut by_file: BTreeMap<PathBuf, Vec<Diagnostic>> = BTreeMap::new();
        for d in pack.rubric_diagnostics {
            by_file.entry(d.file.clone()).or_default().push(d);
        }
        for (file, diagnostics) in by_file {
            self.report(&file, diagnostics);
        }
        for r in library.reports {
            if r.scenario.is_none() {
                self.report(&r.path, r.diagnostics);
            }
        }
        for scenario in library.scenarios {
            if let Some(other) = self
                .scenarios
                .iter()
                .position(|s| s.meta.id == scenario.meta.id)
            {
                let owner = &self.packs[self.pack_of[other]].info.title;
                let d = Diagnostic::error(
                    &scenario.source,
                    0,
                    0,
                    "duplicate-id",
                    format!(
                        "The pack \"{owner}\" already has a scenario `{}`; this one is not listed.",
                        scenario.meta.id
                    ),
                )
                .with_hint("scenario ids must be unique across installed packs: rename one");
                self.report(&scenario.source.clone(), vec![d]);
                continue;
            }
            self.sha256.push(scenario_sha256(&scenario));
            self.scenarios.push(scenario);
            self.pack_of.push(index);
        }
        self.packs.push(LoadedPack {
            info,
            source: dir.to_path_buf(),
            installed,
            scorer: Some(Box::new(pack.scorer)),
        });
    }

    /// Adds every pack installed under `packs_dir` (one folder each, in name order;
    /// hidden folders, such as an import being staged, are skipped). A missing folder
    /// means none is installed.
    pub fn add_installed_packs(&mut self, packs_dir: &Path) {
        let Ok(entries) = std::fs::read_dir(packs_dir) else {
            return;
        };
        let mut dirs: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        for dir in dirs {
            self.add_pack(&dir, true);
        }
    }

    /// Takes the installed pack `id` out of the library (before it is replaced). A
    /// conversation in one of its scenarios is abandoned. The app's own pack stays.
    pub fn remove_pack(&mut self, id: &str, clock: &dyn Clock) {
        let Some(index) = self
            .packs
            .iter()
            .position(|p| p.installed && p.info.id == id)
        else {
            return;
        };
        if let Some(active) = &self.active {
            if self.pack_of[active.scenario] == index {
                self.close_active(clock.now_ms());
                self.active = None;
            }
        }
        let source = self.packs[index].source.display().to_string();
        self.load_errors.retain(|e| !e.file.starts_with(&source));
        let active_id = self
            .active
            .as_ref()
            .map(|a| self.scenarios[a.scenario].meta.id.clone());
        let kept: Vec<(Scenario, String, usize)> = std::mem::take(&mut self.scenarios)
            .into_iter()
            .zip(std::mem::take(&mut self.sha256))
            .zip(std::mem::take(&mut self.pack_of))
            .filter(|(_, p)| *p != index)
            .map(|((s, h), p)| (s, h, if p > index { p - 1 } else { p }))
            .collect();
        for (scenario, sha, pack) in kept {
            self.scenarios.push(scenario);
            self.sha256.push(sha);
            self.pack_of.push(pack);
        }
        self.packs.remove(index);
        if let (Some(active), Some(id)) = (self.active.as_mut(), active_id) {
            if let Some(new) = self.scenarios.iter().position(|s| s.meta.id == id) {
                active.scenario = new;
            }
        }
    }

    fn pack_groups(&self) -> Vec<PackGroup> {
        let mut order: Vec<usize> = (0..self.scenarios.len()).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&self.scenarios[a].meta, &self.scenarios[b].meta);
            (a.difficulty, &a.title, &a.id).cmp(&(b.difficulty, &b.title, &b.id))
        });
        self.packs
            .iter()
            .enumerate()
            .map(|(i, p)| PackGroup {
                info: p.info.clone(),
                source: p.source.display().to_string(),
                installed: p.installed,
                scenarios: order
                    .iter()
                    .filter(|&&s| self.pack_of[s] == i)
                    .map(|&s| self.scenarios[s].meta.id.clone())
                    .collect(),
            })
            .collect()
    }
}

/// The session of `record` rebuilt exactly: started at its time with its seed, then each
/// recorded step replayed on a clock set to the time it happened.
pub fn rebuild(
    scenario: &Scenario,
    scorer: &dyn Scorer,
    record: &StoredAttempt,
) -> Result<Session, AppError> {
    let mut session = Session::start(
        scenario,
        record.seed,
        &ManualClock::new(record.started_at_ms),
    );
    for (seq, timed) in record.steps.iter().enumerate() {
        let clock = ManualClock::new(timed.at_ms);
        match timed.step.input() {
            Some(input) => {
                session
                    .advance(scenario, scorer, &input, &clock)
                    .map_err(|e| AppError::Replay {
                        attempt: record.id.clone(),
                        reason: format!("input {seq}: {e}"),
                    })?;
            }
            None => {
                if let Step::LinesShown { shown } = timed.step {
                    if session.transcript().len() == shown {
                        session.restart_patience(timed.at_ms);
                    }
                }
            }
        }
    }
    Ok(session)
}

/// The events recorded for attempt `id` that this version reads (none on a failure).
fn recorded(log: &dyn AttemptLog, id: &str) -> Vec<Event> {
    log.recorded_events(id)
        .unwrap_or_default()
        .iter()
        .filter_map(|json| serde_json::from_str(json).ok())
        .collect()
}

/// The first event of `rebuilt` that is not the `recorded` one (as JSON text), if any.
/// `recorded` may be shorter (a write that failed stopped the recording), never longer.
fn first_difference(rebuilt: &[Event], recorded: &[String]) -> Option<usize> {
    if recorded.len() > rebuilt.len() {
        return Some(rebuilt.len());
    }
    recorded
        .iter()
        .zip(rebuilt)
        .position(|(json, event)| serde_json::to_string(event).ok().as_deref() != Some(json))
}

/// SHA-256 of the file `scenario` was loaded from, lower-case hex. A scenario built in
/// memory (or whose file is gone) is hashed from its JSON form instead, so it still has a
/// stable identity.
fn scenario_sha256(scenario: &Scenario) -> String {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(&scenario.source)
        .ok()
        .filter(|_| !scenario.source.as_os_str().is_empty())
        .unwrap_or_else(|| serde_json::to_vec(scenario).unwrap_or_default());
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The customer record as the panel shows it: first the facts this moment needs (those
/// the node lists, then those its model answers use), then the rest, each group in the
/// author's order; nested facts flattened to dotted keys (`card.last4`).
pub fn record(customer: &Customer, node: Option<&Node>) -> Vec<Fact> {
    fn walk(
        prefix: String,
        label: Option<String>,
        value: &serde_json::Value,
        needed: bool,
        out: &mut Vec<Fact>,
    ) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    let sub = label.as_ref().map(|l| format!("{l} · {k}"));
                    walk(format!("{prefix}.{k}"), sub, v, needed, out);
                }
            }
            other => out.push(Fact {
                key: prefix,
                value: template::fact_text(other),
                label,
                needed,
            }),
        }
    }
    // The author's order; facts without one (built in memory) by name after them.
    let mut order: Vec<&String> = customer
        .fact_order
        .iter()
        .filter(|k| customer.facts.contains_key(*k))
        .collect();
    order.extend(
        customer
            .facts
            .keys()
            .filter(|k| !customer.fact_order.contains(k)),
    );
    let mut needed: Vec<&str> = Vec::new();
    if let Some(node) = node {
        needed.extend(node.facts.iter().map(String::as_str));
        for answer in &node.model_answers {
            for piece in template::pieces(answer) {
                if let template::Piece::Placeholder(name, _) = piece {
                    if let Some(fact) = name.strip_prefix("facts.") {
                        let top = fact.split('.').next().unwrap_or(fact);
                        if !needed.contains(&top) {
                            needed.push(top);
                        }
                    }
                }
            }
        }
    }
    let (mut first, mut rest) = (Vec::new(), Vec::new());
    // Needed ones: those the node lists in its order, then the answers' in author order.
    let listed = node.map_or(&[][..], |n| &n.facts[..]);
    let mut in_front: Vec<&String> = listed
        .iter()
        .filter_map(|f| order.iter().copied().find(|k| *k == f))
        .collect();
    in_front.extend(
        order
            .iter()
            .copied()
            .filter(|k| needed.contains(&k.as_str()) && !listed.contains(k)),
    );
    for k in &in_front {
        walk(
            (*k).clone(),
            customer.fact_labels.get(*k).cloned(),
            &customer.facts[*k],
            true,
            &mut first,
        );
    }
    for k in order.iter().filter(|k| !in_front.contains(k)) {
        walk(
            (*k).clone(),
            customer.fact_labels.get(*k).cloned(),
            &customer.facts[*k],
            false,
            &mut rest,
        );
    }
    first.extend(rest);
    first
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{EventKind, ManualClock};
    use crate::load::FileReport;
    use crate::testkit::{scenario, WordScorer};

    fn app() -> App {
        let mut sc = scenario();
        sc.trainer_notes = "TRAINERS ONLY: the swearing is softened.".into();
        sc.customer.facts = [
            ("order_id".to_string(), serde_json::json!("A-1")),
            ("card".to_string(), serde_json::json!({"last4": "4242"})),
        ]
        .into_iter()
        .collect();
        let mut easy = scenario();
        easy.meta.id = "easy".into();
        easy.meta.title = "A gentle one".into();
        easy.meta.skills = vec!["billing".into(), "de-escalation".into()];
        easy.meta.industry = Some("telecom".into());
        let broken = Path::new("broken.yaml");
        let library = Library {
            scenarios: vec![sc, easy],
            reports: vec![
                FileReport {
                    path: broken.into(),
                    scenario: None,
                    diagnostics: vec![Diagnostic::error(broken, 3, 1, "yaml-syntax", "bad")],
                },
                FileReport {
                    path: "warned.yaml".into(),
                    scenario: None,
                    diagnostics: vec![Diagnostic::warning(
                        Path::new("warned.yaml"),
                        1,
                        1,
                        "unreachable",
                        "x",
                    )],
                },
            ],
            tracks: vec![crate::model::Track {
                id: "start-here".into(),
                title: "Start here".into(),
                description: "The gentle one first.".into(),
                scenarios: vec!["easy".into(), "gone".into(), "t".into()],
            }],
            track_files: vec![],
        };
        App::from_library(Path::new("pack"), library, Box::new(WordScorer))
    }

    fn lines(view: &SessionView) -> Vec<&str> {
        view.transcript
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::CustomerLine { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Issue 12: trainer notes never reach the trainee: not in the library, not in the
    /// session view (the persona card), not in the debrief.
    #[test]
    fn trainer_notes_are_not_sent_to_the_trainee() {
        let mut app = app();
        let clock = ManualClock::new(0);
        let lib = serde_json::to_string(&app.library()).unwrap();
        let view = serde_json::to_string(&app.start("t", Some(1), &clock).unwrap()).unwrap();
        for payload in [lib, view] {
            assert!(!payload.contains("TRAINERS ONLY"), "{payload}");
        }
    }

    /// Issue 12: the record follows the author's order, not the alphabet, with the facts
    /// the moment needs first (the node's list, then what its model answers use) and the
    /// author's labels.
    #[test]
    fn the_record_shows_what_the_moment_needs_first_in_the_authors_order() {
        let mut sc = scenario();
        let c = &mut sc.customer;
        for (k, v) in [
            ("zeta", serde_json::json!("z")),
            ("history", serde_json::json!(["one"])),
            ("card", serde_json::json!({"last4": "4242"})),
            ("refund_reference", serde_json::json!("RF-1")),
            ("alpha", serde_json::json!("a")),
        ] {
            c.facts.insert(k.into(), v);
            c.fact_order.push(k.into());
        }
        c.fact_labels
            .insert("history".into(), "Contacts précédents".into());
        c.fact_labels.insert("card".into(), "Carte".into());
        let node = sc.nodes.get_mut("start").unwrap();
        node.facts = vec!["alpha".into()];
        node.model_answers =
            vec!["Reference {facts.refund_reference}, card {facts.card.last4}.".into()];
        let keys = |facts: &[Fact]| facts.iter().map(|f| f.key.clone()).collect::<Vec<_>>();
        let shown = record(&sc.customer, sc.nodes.get("start"));
        assert_eq!(
            keys(&shown),
            ["alpha", "card.last4", "refund_reference", "zeta", "history"]
        );
        assert_eq!(
            shown.iter().map(|f| f.needed).collect::<Vec<_>>(),
            [true, true, true, false, false]
        );
        assert_eq!(shown[1].label.as_deref(), Some("Carte · last4"));
        assert_eq!(shown[4].label.as_deref(), Some("Contacts précédents"));
        let calm = record(&sc.customer, sc.nodes.get("calmer"));
        assert_eq!(
            keys(&calm),
            ["zeta", "history", "card.last4", "refund_reference", "alpha"],
            "elsewhere, the author's order"
        );
    }

    #[test]
    fn the_library_lists_cards_skills_and_only_files_that_failed() {
        let lib = app().library();
        let ids: Vec<&str> = lib.scenarios.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["easy", "t"], "sorted by difficulty, then title");
        assert_eq!(lib.skills, ["billing", "de-escalation"]);
        assert_eq!(lib.industries, ["telecom"]);
        assert_eq!(lib.tracks.len(), 1);
        assert_eq!(
            lib.tracks[0].scenarios,
            ["easy", "t"],
            "a track lists only playable scenarios, in its order"
        );
        assert_eq!(lib.load_errors.len(), 1);
        assert_eq!(lib.load_errors[0].file, "broken.yaml");
        assert_eq!(lib.load_errors[0].diagnostics[0].code, "yaml-syntax");
    }

    #[test]
    fn a_missing_folder_is_a_load_error_not_a_crash() {
        let app = App::open(
            Path::new("/no/such/folder"),
            Box::new(WordScorer),
            &LoadOptions::default(),
        );
        let lib = app.library();
        assert!(lib.scenarios.is_empty());
        assert_eq!(lib.load_errors[0].diagnostics[0].code, "io");
    }

    #[test]
    fn a_conversation_runs_to_its_debrief() {
        let mut app = app();
        let clock = ManualClock::new(0);
        assert_eq!(app.view(&clock), Err(AppError::NoSession));
        let v = app.start("t", Some(3), &clock).unwrap();
        assert_eq!(v.session_id, 1);
        assert_eq!(v.seed, 3);
        assert_eq!(v.mood, 30);
        assert_eq!(v.customer.name, "Dana Whitfield");
        assert_eq!(
            v.facts,
            [
                Fact {
                    key: "card.last4".into(),
                    value: "4242".into(),
                    label: None,
                    needed: false,
                },
                Fact {
                    key: "order_id".into(),
                    value: "A-1".into(),
                    label: None,
                    needed: false,
                }
            ]
        );
        assert_eq!(v.patience_left_ms, Some(20_000));
        assert_eq!(app.debrief(), Err(AppError::NotEnded));
        clock.advance(5_000);
        let v = app.reply("I'm so sorry", &clock).unwrap();
        assert_eq!(v.node, "calmer");
        assert_eq!(v.last_reply_focus, ["apologize"]);
        assert_eq!(v.mood, 50);
        let v = app.reply("sorry again", &clock).unwrap();
        let ending = v.ending.unwrap();
        assert_eq!(
            (ending.id.as_str(), ending.outcome),
            ("happy", Outcome::Success)
        );
        assert_eq!(v.patience_left_ms, None);
        let err = app.reply("hello?", &clock).unwrap_err();
        assert_eq!(err.kind(), "ended");
        let d = app.debrief().unwrap();
        assert_eq!(d.turns.len(), 2);
        assert_eq!(d.mood_curve, [30, 50, 80]);
    }

    #[test]
    fn errors_have_stable_kinds_and_change_nothing() {
        let mut app = app();
        let clock = ManualClock::new(0);
        assert_eq!(
            app.start("nope", None, &clock).unwrap_err().kind(),
            "not_found"
        );
        assert_eq!(app.reply("hi", &clock).unwrap_err().kind(), "no_session");
        app.start("t", None, &clock).unwrap();
        let before = app.view(&clock).unwrap();
        assert_eq!(
            app.reply("   ", &clock).unwrap_err().kind(),
            "invalid_input"
        );
        assert_eq!(app.choose(1, &clock).unwrap_err().kind(), "invalid_input");
        assert_eq!(app.view(&clock).unwrap(), before);
    }

    /// Regression: the patience countdown used to start when the backend produced the
    /// customer's line, before the page's typing pause had even shown it.
    #[test]
    fn patience_starts_when_the_page_has_shown_the_line() {
        let mut app = app();
        let clock = ManualClock::new(0);
        let v = app.start("t", Some(0), &clock).unwrap();
        clock.advance(1_400);
        let shown = app
            .lines_shown(v.session_id, v.transcript.len(), &clock)
            .unwrap();
        assert_eq!(shown.patience_left_ms, Some(20_000));
        assert_eq!(app.patience_deadline(), Some((v.session_id, 21_400)));

        // A stale acknowledgement (older session, or a transcript the trainee has since
        // answered) changes nothing.
        clock.advance(1_000);
        app.lines_shown(v.session_id + 1, v.transcript.len(), &clock)
            .unwrap();
        let after = app.reply("so sorry", &clock).unwrap();
        let deadline = app.patience_deadline();
        clock.advance(1_000);
        app.lines_shown(v.session_id, v.transcript.len(), &clock)
            .unwrap();
        assert_eq!(app.patience_deadline(), deadline);
        assert_eq!(
            app.lines_shown(after.session_id, after.transcript.len(), &clock)
                .unwrap()
                .patience_left_ms,
            Some(20_000)
        );
    }

    #[test]
    fn an_email_customer_shows_no_timer_and_is_never_chased() {
        let mut sc = scenario();
        sc.meta.channel = crate::model::Channel::Email;
        assert!(sc.customer.patience.is_some());
        let library = Library {
            scenarios: vec![sc],
            reports: vec![],
            tracks: vec![],
            track_files: vec![],
        };
        let mut app = App::from_library(Path::new("pack"), library, Box::new(WordScorer));
        let clock = ManualClock::new(0);
        let v = app.start("t", Some(0), &clock).unwrap();
        assert_eq!(v.customer.patience_seconds, None, "no patience bar");
        assert_eq!(v.patience_left_ms, None);
        assert_eq!(app.patience_deadline(), None, "no timer in the shell");
        clock.advance(3_600_000);
        assert!(app.silence_if_due(v.session_id, &clock).is_none());
        let v = app.reply("so sorry", &clock).unwrap();
        assert_eq!(v.patience_left_ms, None);
    }

    #[test]
    fn the_timer_fires_only_when_due_and_only_for_its_session() {
        let mut app = app();
        let clock = ManualClock::new(0);
        let id = app.start("t", Some(0), &clock).unwrap().session_id;
        assert_eq!(app.patience_deadline(), Some((id, 20_000)));
        clock.advance(19_999);
        assert!(app.silence_if_due(id, &clock).is_none(), "not yet");
        clock.advance(1);
        assert!(
            app.silence_if_due(id + 1, &clock).is_none(),
            "another session"
        );
        let v = app.silence_if_due(id, &clock).expect("due");
        assert_eq!(lines(&v).last(), Some(&"Hello? Are you still there?"));
        assert_eq!(v.mood, 20);
        assert_eq!(app.patience_deadline(), Some((id, 40_000)), "restarted");
        clock.advance(10_000);
        app.reply("so sorry", &clock).unwrap();
        assert_eq!(
            app.patience_deadline(),
            Some((id, 50_000)),
            "a reply resets it"
        );
    }

    #[test]
    fn restart_replays_the_same_customer_and_abandon_ends_it() {
        let mut app = app();
        let clock = ManualClock::new(0);
        let first = app.start("t", None, &clock).unwrap();
        app.reply("hm", &clock).unwrap();
        let again = app.restart(&clock).unwrap();
        assert_eq!(again.session_id, first.session_id + 1);
        assert_eq!(again.seed, first.seed);
        assert_eq!(again.transcript, first.transcript);
        app.abandon(&clock);
        assert_eq!(app.view(&clock), Err(AppError::NoSession));
        assert_eq!(app.restart(&clock).unwrap_err().kind(), "no_session");
    }

    #[test]
    fn guided_choices_are_rendered_and_chosen_by_number() {
        let mut sc = scenario();
        sc.nodes.get_mut("start").unwrap().choices = vec![
            "It's your fault.".into(),
            "I'm so sorry, {customer.first_name}.".into(),
        ];
        let library = Library {
            scenarios: vec![sc],
            reports: vec![],
            tracks: vec![],
            track_files: vec![],
        };
        let mut app = App::from_library(Path::new("p"), library, Box::new(WordScorer));
        let clock = ManualClock::new(0);
        // Shown in the seed's order: pick the apology by its number on screen.
        let v = app.start("t", Some(1), &clock).unwrap();
        let mut shown = v.choices.clone();
        shown.sort();
        assert_eq!(shown, ["I'm so sorry, Dana.", "It's your fault."]);
        let sorry = v
            .choices
            .iter()
            .position(|c| c.starts_with("I'm so sorry"))
            .unwrap();
        let v = app.choose(sorry + 1, &clock).unwrap();
        assert_eq!(v.node, "calmer");
        assert!(v.choices.is_empty());
        // The recorded choice is the author's number, whatever the screen showed.
        assert!(v.transcript.iter().any(|e| matches!(
            &e.kind,
            EventKind::AgentReply {
                choice: Some(2),
                ..
            }
        )));
    }

    #[test]
    fn a_pack_loads_with_its_rubrics_and_the_real_scorer() {
        let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures"));
        let mut app = App::open_pack(dir);
        let lib = app.library();
        assert!(lib.scenarios.iter().any(|s| s.id == "impatient"), "{lib:?}");
        assert!(lib
            .load_errors
            .iter()
            .any(|e| e.file.ends_with("misspelled-target.yaml")));
        let clock = ManualClock::new(0);
        app.start("impatient", Some(0), &clock).unwrap();
        let v = app.reply("I'm so sorry, Sam.", &clock).unwrap();
        let score = v
            .transcript
            .iter()
            .find_map(|e| match &e.kind {
                EventKind::AgentReply { score, .. } => Some(score),
                _ => None,
            })
            .unwrap();
        assert!(score.met("apologize"), "{score:?}");
    }

    #[test]
    fn rubric_problems_join_the_load_errors() {
        let mut app = app();
        let f = Path::new("rubrics/x.yaml");
        app.report(f, vec![Diagnostic::warning(f, 1, 1, "w", "only a warning")]);
        assert_eq!(app.library().load_errors.len(), 1);
        app.report(f, vec![Diagnostic::error(f, 1, 1, "e", "an error")]);
        assert_eq!(app.library().load_errors.len(), 2);
    }
}
