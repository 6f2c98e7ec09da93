//! # rapport-xapi
//!
//! Results for the team: every ended attempt in the store becomes xAPI 1.0.3 statements
//! ([`statement`]), frozen as exact JSON in the store's outbox when the attempt ends
//! ([`QueueingLog`]), exported as a JSON array or as CSV ([`export`]), and sent to a
//! learning record store over HTTP ([`client`], [`sync`]).
//!
//! Where it sits: above `rapport-store` (the outbox table) and `rapport-core` (the types
//! of what was recorded), below the CLI and the desktop shell, which both go through
//! [`Results`] and [`open_recording`] and nothing else here. Core stays pure: no HTTP, no
//! settings file, no clock.
//!
//! Rules:
//! - **Offline first.** Queueing never needs the network; a failed send (LRS down, slow,
//!   credentials refused, 5xx) only counts the try and keeps why; nothing is dropped.
//! - **Exactly once.** A statement's id is derived from the attempt and the verb, its
//!   text is frozen when queued, and each is sent with `PUT ?statementId=`; an LRS that
//!   already has it answers 204 or 409, both count as delivered.
//! - **Secrets stay in the settings file** (`settings.json` in the data folder, mode 0600),
//!   never in an export, a statement or an error message.

pub mod client;
pub mod export;
mod log;
pub mod settings;
pub mod statement;
pub mod sync;

use std::path::{Path, PathBuf};

pub use log::{open_recording, open_recording_in, QueueingLog};
pub use settings::{Lrs, Profile, Settings, SettingsInput, SettingsView};
pub use sync::{SyncReport, SyncStatus};

use rapport_store::adapter::{self, StoreLog};

/// What can go wrong outside a send (a send's failure is a [`client::SendError`], kept
/// in the outbox).
#[derive(Debug, thiserror::Error)]
pub enum XapiError {
    #[error("no folder for Rapport's data (set {})", adapter::DATA_ENV)]
    NoDataDir,
    #[error(transparent)]
    Store(#[from] rapport_store::StoreError),
    #[error("{0}")]
    History(String),
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a settings file this version reads: {detail}", .path.display())]
    Settings { path: PathBuf, detail: String },
    #[error("no learning record store is configured: give --endpoint, --key and --secret (or set RAPPORT_LRS_ENDPOINT, RAPPORT_LRS_KEY, RAPPORT_LRS_SECRET)")]
    NoLrs,
    #[error("{0}")]
    Invalid(String),
}

/// The results of one data folder: settings, export, outbox and sync. Each call opens the
/// store afresh (SQLite keeps concurrent openers consistent), so the app's recording
/// connection and a sync never share a lock.
#[derive(Debug, Clone)]
pub struct Results {
    dir: PathBuf,
}

impl Results {
    /// The default data folder (`$RAPPORT_DATA_DIR`, else the per-user one).
    pub fn open_default() -> Result<Results, XapiError> {
        adapter::data_dir()
            .map(Results::in_dir)
            .ok_or(XapiError::NoDataDir)
    }

    pub fn in_dir(dir: impl Into<PathBuf>) -> Results {
        Results { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn log(&self) -> Result<StoreLog, XapiError> {
        let path = self.dir.join(adapter::STORE_FILE);
        Ok(StoreLog(rapport_store::Store::open(path)?))
    }

    /// The saved settings (defaults when there is no file yet).
    pub fn settings(&self) -> Result<Settings, XapiError> {
        Settings::load(&self.dir)
    }

    /// Saves `settings`, readable only by the user.
    pub fn save_settings(&self, settings: &Settings) -> Result<(), XapiError> {
        settings.save(&self.dir)
    }

    /// The LRS to send to: the saved one with each `RAPPORT_LRS_*` variable that is set
    /// taking precedence. `None` when the endpoint, key or secret is missing.
    pub fn lrs(&self) -> Result<Option<Lrs>, XapiError> {
        Ok(self.settings()?.lrs_with_env())
    }

    /// Queues the statements of every ended attempt that has none yet (attempts from
    /// before this version, or one whose queueing failed), with the profile as it is now.
    pub fn queue_missing(&self, now_ms: u64) -> Result<usize, XapiError> {
        let mut log = self.log()?;
        let actor = self.settings()?.profile.actor();
        sync::queue_missing(&mut log, &actor, now_ms)
    }

    /// CSV, one row per attempt and one per turn (layout: [`export::CSV_HEADER`]).
    pub fn export_csv(&self) -> Result<String, XapiError> {
        export::csv(&self.log()?)
    }

    /// Every statement as queued, as a JSON array: after queueing the missing ones, so the
    /// file holds exactly the text an LRS receives.
    pub fn export_xapi(&self, now_ms: u64) -> Result<String, XapiError> {
        self.queue_missing(now_ms)?;
        export::xapi(&self.log()?)
    }

    /// Sends what waits in the outbox to `lrs`, stopping at the first failure that is not
    /// about one statement alone (see [`sync::sync_once`]).
    pub fn sync(&self, lrs: &Lrs, now_ms: &dyn Fn() -> u64) -> Result<SyncReport, XapiError> {
        self.queue_missing(now_ms())?;
        let mut log = self.log()?;
        let client = client::Client::new(lrs, client::DEFAULT_TIMEOUT);
        sync::sync_once(&mut log.0, &client, now_ms)
    }

    /// What waits and the last error, for the settings screen and `rapport sync`.
    pub fn status(&self) -> Result<SyncStatus, XapiError> {
        let log = self.log()?;
        let status = log.0.outbox_status()?;
        let settings = self.settings()?;
        Ok(SyncStatus {
            waiting: status.waiting,
            sent: status.sent,
            last_error: status.last_error,
            last_sent: status
                .last_sent_at_ms
                .map(|t| rapport_core::history::utc_text(t.max(0) as u64)),
            configured: settings.lrs_with_env().is_some(),
        })
    }
}

/// Milliseconds since the Unix epoch, now (the callers' clock; tests pass their own).
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
