//! Opening a store without ever losing what is in it, and moving an unusable file aside.
//!
//! The order matters: the file is first looked at through a read-only connection, which
//! cannot change a byte of it (not even a checkpoint on close), and only a file found to
//! be empty or a Rapport store this version understands is then opened for writing and
//! migrated.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use rusqlite_migration::{Migrations, M};

use crate::{Store, StoreError};

/// The schema version this code writes and understands (SQLite's `user_version`).
pub const SCHEMA_VERSION: i64 = 2;

/// `PRAGMA application_id` of a Rapport store ("RAPT"), set by the first migration.
pub const APPLICATION_ID: i32 = 0x5241_5054;

/// How long a write waits for another process's transaction before reporting
/// [`StoreError::Locked`]. Our own transactions last milliseconds, so a wait this long
/// means the other side is holding the lock on purpose.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(2);

/// SQLite's side files of a database, which belong with it wherever it goes. The
/// write-ahead log may hold committed transactions not yet copied into the main file.
const SIDE_FILES: [&str; 3] = ["-wal", "-shm", "-journal"];

/// Every migration, oldest first; migration N takes `user_version` from N-1 to N. Append
/// only: a released migration is never edited, or stores already past it would differ
/// from new ones.
pub(crate) fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../migrations/0001_attempts.sql")),
        M::up(include_str!("../migrations/0002_outbox_tries.sql")),
    ])
}

/// A file that could not be opened and was moved out of the way.
#[derive(Debug)]
pub struct SetAside {
    /// Where the store is expected (a fresh store is there now).
    pub original: PathBuf,
    /// Where the unusable file is now, byte for byte as it was.
    pub moved_to: PathBuf,
    /// Why it could not be opened ([`StoreError::can_set_aside`] holds).
    pub reason: StoreError,
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn side_path(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

pub(crate) fn open(path: &Path) -> Result<Store, StoreError> {
    let sql = |e| StoreError::from_sqlite(path, e);
    let len = match fs::metadata(path) {
        Ok(m) if !m.is_file() => {
            return Err(StoreError::Io {
                path: path.to_path_buf(),
                source: io::Error::other("not a regular file"),
            })
        }
        // Refused even when the process could write anyway (as root): someone marked
        // the file read-only, and a training record is not the thing to overrule that.
        Ok(m) if m.permissions().readonly() => {
            return Err(StoreError::ReadOnly {
                path: path.to_path_buf(),
            })
        }
        Ok(m) => Some(m.len()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_err(path)(e)),
    };
    let existed = len.is_some();
    if len.is_some_and(|l| l > 0) {
        inspect(path)?;
    } else if fs::metadata(side_path(path, "-wal")).is_ok_and(|m| m.len() > 0) {
        // A log without its database: a new database here would replay someone else's
        // pages. Our stores never look like this (switching to WAL writes the main file
        // first), so it is left alone like any other file we cannot read.
        return Err(StoreError::Unreadable {
            path: path.to_path_buf(),
            detail: "a write-ahead log (-wal) without its database".into(),
        });
    }

    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| cannot_open(path, existed, e))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;
    // SQLite quietly falls back to read-only when it may not write the file.
    if conn.is_readonly("main").map_err(sql)? {
        return Err(StoreError::ReadOnly {
            path: path.to_path_buf(),
        });
    }
    // Take the write lock once now: a store that is locked or cannot be written is
    // reported at open, not at the first reply of an attempt.
    conn.execute_batch("BEGIN IMMEDIATE; COMMIT;")
        .map_err(sql)?;
    // WAL: a commit is one append to the log, and a process killed mid-write leaves the
    // log's last transaction incomplete, which SQLite discards on the next open.
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "wal", |r| r.get(0))
        .map_err(sql)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Invalid(format!(
            "{}: SQLite would not use a write-ahead log here (journal mode {mode})",
            path.display()
        )));
    }
    // FULL: each commit is on disk before the call returns, so a power cut, not only a
    // killed process, keeps every committed write. Inputs arrive at human pace.
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(sql)?;
    // Off by default in SQLite, per connection: without it the REFERENCES are comments.
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(sql)?;
    migrate(path, &mut conn)?;
    Ok(Store {
        conn,
        path: path.to_path_buf(),
    })
}

/// The error for a failed `sqlite3_open`, which only says "unable to open".
fn cannot_open(path: &Path, existed: bool, e: rusqlite::Error) -> StoreError {
    if e.sqlite_error_code() != Some(rusqlite::ErrorCode::CannotOpen) {
        return StoreError::from_sqlite(path, e);
    }
    if !existed {
        // Not there, and it cannot be made: the folder is not writable.
        return StoreError::ReadOnly {
            path: path.to_path_buf(),
        };
    }
    // Ask the OS why (no permission...). Only now: closing a descriptor of a database
    // drops every lock this process holds on it, including another connection's, so the
    // file is never opened outside SQLite while it could be in use.
    match fs::File::open(path) {
        Err(source) => StoreError::Io {
            path: path.to_path_buf(),
            source,
        },
        Ok(_) => StoreError::from_sqlite(path, e),
    }
}

/// Looks at an existing, non-empty file read-only and says whether we may write it.
fn inspect(path: &Path) -> Result<(), StoreError> {
    let sql = |e| StoreError::from_sqlite(path, e);
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| cannot_open(path, true, e))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;
    // The header's fields; a file that is not a database fails here.
    let application_id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(sql)?;
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(sql)?;
    let objects: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
        .map_err(sql)?;
    let empty = application_id == 0 && version == 0 && objects == 0;
    if !empty && application_id != APPLICATION_ID {
        return Err(StoreError::Foreign {
            path: path.to_path_buf(),
            application_id,
        });
    }
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found: version,
            known: SCHEMA_VERSION,
        });
    }
    // Reads every page once (a personal store is a few megabytes): damage is found now,
    // while the file can still be set aside whole, not halfway through an attempt.
    let check: String = conn
        .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
        .map_err(sql)?;
    if check != "ok" {
        return Err(StoreError::Unreadable {
            path: path.to_path_buf(),
            detail: check,
        });
    }
    Ok(())
}

fn migrate(path: &Path, conn: &mut Connection) -> Result<(), StoreError> {
    let sql = |e| StoreError::from_sqlite(path, e);
    let migrations = migrations();
    // The migration's transaction then takes the write lock at its start, so a second
    // process migrating at the same moment waits instead of failing half-way.
    conn.set_transaction_behavior(TransactionBehavior::Immediate);
    let result = migrations.to_latest(conn);
    conn.set_transaction_behavior(TransactionBehavior::Deferred);
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(sql)?;
    match result {
        Ok(()) => {}
        // The other process won that race and migrated for us: nothing is missing.
        Err(_) if version == SCHEMA_VERSION => {}
        Err(rusqlite_migration::Error::RusqliteError { err, .. }) => return Err(sql(err)),
        Err(e) => return Err(e.into()),
    }
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found: version,
            known: SCHEMA_VERSION,
        });
    }
    Ok(())
}

pub(crate) fn open_or_set_aside(path: &Path) -> Result<(Store, Option<SetAside>), StoreError> {
    match open(path) {
        Ok(store) => Ok((store, None)),
        Err(reason) if reason.can_set_aside() => {
            let moved_to = set_aside(path, SystemTime::now()).map_err(io_err(path))?;
            let store = open(path)?;
            let set_aside = SetAside {
                original: path.to_path_buf(),
                moved_to,
                reason,
            };
            Ok((store, Some(set_aside)))
        }
        Err(e) => Err(e),
    }
}

/// Moves `path` and its side files to `<name>.<UTC time>.unreadable` (plus `-wal`...), a
/// name no file has yet, and returns the new path of the main file.
///
/// Never deletes and never overwrites: every file is first hard-linked under its new
/// name, which fails rather than replaces when the name is taken, and only when all are
/// linked are the old names removed (side files first, the main file last). A crash at
/// any point leaves every byte under the old names, the new ones, or both.
pub(crate) fn set_aside(path: &Path, now: SystemTime) -> io::Result<PathBuf> {
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::other("the store's path has no file name"))?
        .to_string_lossy()
        .into_owned();
    let stamp = utc_stamp(now);
    let mut present: Vec<&str> = SIDE_FILES
        .into_iter()
        .filter(|s| side_path(path, s).exists())
        .collect();
    if path.exists() {
        present.push("");
    }
    for n in 1u32.. {
        let name = match n {
            1 => format!("{file_name}.{stamp}.unreadable"),
            n => format!("{file_name}.{stamp}-{n}.unreadable"),
        };
        let target = path.with_file_name(name);
        let all_free = std::iter::once("")
            .chain(SIDE_FILES)
            .all(|s| !side_path(&target, s).exists());
        if !all_free {
            continue;
        }
        match link_all(path, &target, &present) {
            Ok(()) => {
                for s in &present {
                    fs::remove_file(side_path(path, s))?;
                }
                return Ok(target);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            // No hard links on this file system (FAT): rename one by one, side files
            // first, into names just checked to be free.
            Err(_) => {
                for s in &present {
                    let to = side_path(&target, s);
                    if to.exists() {
                        return Err(io::Error::new(
                            io::ErrorKind::AlreadyExists,
                            format!("{} appeared while moving files to it", to.display()),
                        ));
                    }
                    fs::rename(side_path(path, s), to)?;
                }
                return Ok(target);
            }
        }
    }
    unreachable!("u32 names run out")
}

/// Links each of `present` (side-file suffixes, "" for the main file, main last) under
/// `target`; on failure, unlinks the new names it made, leaving the old ones as they were.
fn link_all(path: &Path, target: &Path, present: &[&str]) -> io::Result<()> {
    for (i, s) in present.iter().enumerate() {
        if let Err(e) = fs::hard_link(side_path(path, s), side_path(target, s)) {
            for done in &present[..i] {
                // Only the second name of a file we just linked: its data stays.
                let _ = fs::remove_file(side_path(target, done));
            }
            return Err(e);
        }
    }
    Ok(())
}

/// `20260412T101500Z`: UTC, sortable, and valid in a file name on every OS.
pub(crate) fn utc_stamp(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Year, month, day of a day count since 1970-01-01 (Howard Hinnant's algorithm), so no
/// date crate is needed for one file name.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_migrations_are_valid_and_match_the_known_version() {
        let migrations = migrations();
        migrations.validate().unwrap();
        let mut conn = Connection::open_in_memory().unwrap();
        migrations.to_latest(&mut conn).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let id: i32 = conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .unwrap();
        assert_eq!(id, APPLICATION_ID);
    }

    #[test]
    fn stamps_are_utc_calendar_times() {
        let at = |s: u64| utc_stamp(UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(at(0), "19700101T000000Z");
        assert_eq!(at(951_782_400), "20000229T000000Z");
        assert_eq!(at(1_775_989_015), "20260412T101655Z");
        assert_eq!(at(4_102_444_799), "20991231T235959Z");
    }

    #[test]
    fn set_aside_never_takes_a_used_name_and_moves_side_files() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("store.db");
        let now = UNIX_EPOCH + Duration::from_secs(0);
        let first = dir.path().join("store.db.19700101T000000Z.unreadable");
        fs::write(&first, b"an earlier one").unwrap();
        fs::write(&db, b"main").unwrap();
        fs::write(side_path(&db, "-wal"), b"log").unwrap();

        let moved = set_aside(&db, now).unwrap();
        assert_eq!(
            moved,
            dir.path().join("store.db.19700101T000000Z-2.unreadable")
        );
        assert_eq!(fs::read(&first).unwrap(), b"an earlier one");
        assert_eq!(fs::read(&moved).unwrap(), b"main");
        assert_eq!(fs::read(side_path(&moved, "-wal")).unwrap(), b"log");
        assert!(!db.exists());
        assert!(!side_path(&db, "-wal").exists());

        // A taken side-file name makes the whole name taken.
        fs::write(&db, b"again").unwrap();
        fs::write(
            side_path(
                &dir.path().join("store.db.19700101T000000Z-3.unreadable"),
                "-shm",
            ),
            b"x",
        )
        .unwrap();
        let moved = set_aside(&db, now).unwrap();
        assert_eq!(
            moved,
            dir.path().join("store.db.19700101T000000Z-4.unreadable")
        );
        assert_eq!(fs::read(&moved).unwrap(), b"again");
    }
}
