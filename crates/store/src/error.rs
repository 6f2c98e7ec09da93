//! What can go wrong, one variant per thing a caller can do something about.

use std::io;
use std::path::{Path, PathBuf};

use rusqlite::ffi;
use rusqlite::ErrorCode;

use crate::AttemptId;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Not an SQLite database, or one whose pages are damaged. Left untouched;
    /// [`crate::Store::open_or_set_aside`] moves it away.
    #[error("{}: not a readable Rapport store (damaged, or not a database): {detail}", .path.display())]
    Unreadable { path: PathBuf, detail: String },

    /// Written by a newer Rapport, whose data this version would misread. Left untouched;
    /// [`crate::Store::open_or_set_aside`] moves it away, and the newer Rapport can still
    /// open the moved file.
    #[error(
        "{}: written by a newer Rapport (schema version {found}; this version knows up to {known})",
        .path.display()
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        known: i64,
    },

    /// An SQLite database of some other program sits where the store should be. Left
    /// untouched rather than having Rapport's tables added to it.
    #[error(
        "{}: an SQLite database of another program (application id {application_id:#010x}), not a Rapport store",
        .path.display()
    )]
    Foreign { path: PathBuf, application_id: i32 },

    /// Another process holds the database's lock for longer than we wait. Never moved:
    /// the file is fine, it is only busy.
    #[error(
        "{}: in use by another program that holds its lock (another Rapport?); close it and try again",
        .path.display()
    )]
    Locked { path: PathBuf },

    /// The file, or the folder its journal must be written in, cannot be written.
    #[error("{}: read-only; Rapport will not write to it", .path.display())]
    ReadOnly { path: PathBuf },

    /// The file cannot be reached at all (no permission to read it, a folder in its
    /// place, a disk error).
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },

    #[error("no attempt {0} in the store")]
    UnknownAttempt(AttemptId),

    /// A finished or abandoned attempt is a record; it takes no more writes.
    #[error("attempt {0} has ended and takes no more inputs, events or results")]
    AttemptEnded(AttemptId),

    /// The same attempt, input or event was recorded twice.
    #[error("{0}")]
    Duplicate(String),

    /// A value breaks a rule of the schema (JSON that does not parse, a score above 100,
    /// a malformed SHA-256...).
    #[error("{0}")]
    Invalid(String),

    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),

    #[error("migrating the store's schema: {0}")]
    Migration(#[from] rusqlite_migration::Error),
}

impl StoreError {
    /// True for a file that can never be opened by this version as it is, so moving it
    /// aside and starting afresh loses nothing: damaged, newer, or foreign. A locked or
    /// read-only store is a healthy store and is never moved.
    pub fn can_set_aside(&self) -> bool {
        matches!(
            self,
            StoreError::Unreadable { .. }
                | StoreError::NewerSchema { .. }
                | StoreError::Foreign { .. }
        )
    }

    /// The kind of `e`, for the store at `path`: the SQLite codes a caller can act on
    /// become their own variant, the rest stay [`StoreError::Sqlite`].
    pub(crate) fn from_sqlite(path: &Path, e: rusqlite::Error) -> StoreError {
        let Some(code) = e.sqlite_error_code() else {
            return StoreError::Sqlite(e);
        };
        let path = path.to_path_buf();
        match code {
            ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt => StoreError::Unreadable {
                path,
                detail: e.to_string(),
            },
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => StoreError::Locked { path },
            ErrorCode::ReadOnly => StoreError::ReadOnly { path },
            ErrorCode::ConstraintViolation => {
                let extended = e.sqlite_error().map(|s| s.extended_code);
                if extended == Some(ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
                    || extended == Some(ffi::SQLITE_CONSTRAINT_UNIQUE)
                {
                    StoreError::Duplicate(e.to_string())
                } else {
                    StoreError::Invalid(e.to_string())
                }
            }
            _ => StoreError::Sqlite(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unusable_files_may_be_set_aside() {
        let path = PathBuf::from("s.db");
        let movable = [
            StoreError::Unreadable {
                path: path.clone(),
                detail: String::new(),
            },
            StoreError::NewerSchema {
                path: path.clone(),
                found: 9,
                known: 1,
            },
            StoreError::Foreign {
                path: path.clone(),
                application_id: 1,
            },
        ];
        assert!(movable.iter().all(StoreError::can_set_aside));
        let kept = [
            StoreError::Locked { path: path.clone() },
            StoreError::ReadOnly { path: path.clone() },
            StoreError::Io {
                path,
                source: io::Error::other("x"),
            },
        ];
        assert!(!kept.iter().any(StoreError::can_set_aside));
    }

    #[test]
    fn messages_name_the_file_and_what_to_do() {
        let e = StoreError::NewerSchema {
            path: PathBuf::from("/data/rapport.db"),
            found: 3,
            known: 1,
        };
        assert_eq!(
            e.to_string(),
            "/data/rapport.db: written by a newer Rapport (schema version 3; this version knows up to 1)"
        );
        let e = StoreError::Locked {
            path: PathBuf::from("/data/rapport.db"),
        };
        assert!(e.to_string().contains("close it and try again"));
    }
}
