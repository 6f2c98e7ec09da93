//! Opening files that are not healthy stores, and surviving a killed writer: nothing that
//! was there may be lost, and a healthy store is never moved.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use rapport_store::{InputKind, NewAttempt, Scores, Store, StoreError, SCHEMA_VERSION};
use rusqlite::Connection;

const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

fn new(seed: u64, started_at_ms: i64) -> NewAttempt<'static> {
    NewAttempt {
        scenario_id: "double-charge",
        scenario_version: "1",
        scenario_sha256: SHA,
        seed,
        started_at_ms,
    }
}

/// A store at `dir/store.db` holding one finished attempt, closed.
fn healthy_store(dir: &Path) -> PathBuf {
    let path = dir.join("store.db");
    let mut store = Store::open(&path).unwrap();
    let id = store.begin_attempt(&new(1, 1_000)).unwrap();
    store
        .record_input(id, 0, 1_100, InputKind::Reply, r#"{"text":"hello"}"#)
        .unwrap();
    let scores = Scores {
        overall: 70,
        ..Scores::default()
    };
    store.finish_attempt(id, 2_000, "success", &scores).unwrap();
    path
}

/// Pseudo-random bytes (xorshift), the same on every run.
fn noise(len: usize, mut state: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `store.db.<YYYYMMDDTHHMMSSZ>.unreadable`, in the same folder.
fn assert_set_aside_name(original: &Path, moved_to: &Path) {
    assert_eq!(moved_to.parent(), original.parent());
    let name = moved_to.file_name().unwrap().to_str().unwrap();
    let stamp = name
        .strip_prefix("store.db.")
        .and_then(|s| s.strip_suffix(".unreadable"))
        .unwrap_or_else(|| panic!("{name}"));
    assert_eq!(stamp.len(), 16, "{name}");
    assert!(
        stamp.ends_with('Z') && stamp.as_bytes()[8] == b'T',
        "{name}"
    );
}

fn assert_fresh_store_at(store: &mut Store, path: &Path) {
    assert_eq!(store.path(), path);
    assert!(store.history().unwrap().is_empty());
    store.begin_attempt(&new(9, 9_000)).unwrap();
}

#[test]
fn a_file_of_random_bytes_is_refused_then_set_aside_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let bytes = noise(64 * 1024, 0x9e37_79b9_7f4a_7c15);
    fs::write(&path, &bytes).unwrap();

    let e = Store::open(&path).unwrap_err();
    assert!(matches!(e, StoreError::Unreadable { .. }), "{e}");
    assert!(
        e.to_string().starts_with(&path.display().to_string()),
        "{e}"
    );
    assert_eq!(
        fs::read(&path).unwrap(),
        bytes,
        "a refused file is untouched"
    );

    let (mut store, set_aside) = Store::open_or_set_aside(&path).unwrap();
    let set_aside = set_aside.expect("the file was set aside");
    assert_eq!(set_aside.original, path);
    assert!(matches!(set_aside.reason, StoreError::Unreadable { .. }));
    assert_set_aside_name(&path, &set_aside.moved_to);
    assert_eq!(fs::read(&set_aside.moved_to).unwrap(), bytes);
    assert_fresh_store_at(&mut store, &path);
}

#[test]
fn a_store_with_damaged_pages_is_refused_and_set_aside() {
    let dir = tempfile::tempdir().unwrap();
    let path = healthy_store(dir.path());
    let mut bytes = fs::read(&path).unwrap();
    assert!(bytes.len() > 8192, "more than two pages");
    // Keep the header page, so the file still looks like a Rapport store at first sight.
    let len = bytes.len();
    bytes[4096..len].copy_from_slice(&noise(len - 4096, 42));
    fs::write(&path, &bytes).unwrap();

    let e = Store::open(&path).unwrap_err();
    assert!(matches!(e, StoreError::Unreadable { .. }), "{e}");
    assert_eq!(fs::read(&path).unwrap(), bytes);
    let (_store, set_aside) = Store::open_or_set_aside(&path).unwrap();
    assert_eq!(fs::read(set_aside.unwrap().moved_to).unwrap(), bytes);
}

#[test]
fn a_store_from_a_newer_schema_is_refused_and_set_aside() {
    let dir = tempfile::tempdir().unwrap();
    let path = healthy_store(dir.path());
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 5)
            .unwrap();
        conn.execute_batch("CREATE TABLE from_the_future (x)")
            .unwrap();
    }
    let bytes = fs::read(&path).unwrap();

    let e = Store::open(&path).unwrap_err();
    match &e {
        StoreError::NewerSchema { found, known, .. } => {
            assert_eq!((*found, *known), (SCHEMA_VERSION + 5, SCHEMA_VERSION));
        }
        other => panic!("{other}"),
    }
    assert!(e.to_string().contains("newer Rapport"), "{e}");
    assert_eq!(
        fs::read(&path).unwrap(),
        bytes,
        "a refused file is untouched"
    );

    let (mut store, set_aside) = Store::open_or_set_aside(&path).unwrap();
    let set_aside = set_aside.unwrap();
    assert!(matches!(set_aside.reason, StoreError::NewerSchema { .. }));
    assert_set_aside_name(&path, &set_aside.moved_to);
    assert_eq!(fs::read(&set_aside.moved_to).unwrap(), bytes);
    // The newer Rapport can still read its data there.
    let moved = Connection::open(&set_aside.moved_to).unwrap();
    let attempts: i64 = moved
        .query_row("SELECT count(*) FROM attempts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(attempts, 1);
    assert_fresh_store_at(&mut store, &path);
}

#[test]
fn another_programs_database_is_refused_and_set_aside() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE notes (text); INSERT INTO notes VALUES ('mine');")
        .unwrap();
    let bytes = fs::read(&path).unwrap();
    let e = Store::open(&path).unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::Foreign {
                application_id: 0,
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(fs::read(&path).unwrap(), bytes);
    let (_store, set_aside) = Store::open_or_set_aside(&path).unwrap();
    assert_eq!(fs::read(set_aside.unwrap().moved_to).unwrap(), bytes);
}

#[test]
fn a_write_ahead_log_without_its_database_is_set_aside_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let wal = dir.path().join("store.db-wal");
    fs::write(&wal, b"someone's log").unwrap();
    let e = Store::open(&path).unwrap_err();
    assert!(matches!(e, StoreError::Unreadable { .. }), "{e}");
    let (_store, set_aside) = Store::open_or_set_aside(&path).unwrap();
    let mut moved_wal = set_aside.unwrap().moved_to.into_os_string();
    moved_wal.push("-wal");
    assert_eq!(fs::read(moved_wal).unwrap(), b"someone's log");
}

#[test]
fn an_empty_file_becomes_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    fs::write(&path, b"").unwrap();
    let (mut store, set_aside) = Store::open_or_set_aside(&path).unwrap();
    assert!(set_aside.is_none());
    assert_fresh_store_at(&mut store, &path);
}

#[test]
fn a_read_only_store_is_reported_and_not_moved() {
    let dir = tempfile::tempdir().unwrap();
    let path = healthy_store(dir.path());
    let bytes = fs::read(&path).unwrap();
    let mut perms = fs::metadata(&path).unwrap().permissions();
    perms.set_readonly(true);
    fs::set_permissions(&path, perms).unwrap();
    let before = files_in(dir.path());

    let e = Store::open(&path).unwrap_err();
    assert!(matches!(e, StoreError::ReadOnly { .. }), "{e}");
    assert!(e.to_string().contains("read-only"), "{e}");
    let e = Store::open_or_set_aside(&path).unwrap_err();
    assert!(matches!(e, StoreError::ReadOnly { .. }), "{e}");
    assert_eq!(files_in(dir.path()), before);
    assert_eq!(fs::read(&path).unwrap(), bytes);
}

#[test]
fn a_store_held_in_exclusive_locking_mode_is_reported_as_locked() {
    let dir = tempfile::tempdir().unwrap();
    let path = healthy_store(dir.path());
    let holder = Connection::open(&path).unwrap();
    // The connection keeps its lock until it closes, and no one else can even read.
    holder
        .execute_batch(
            "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; \
             UPDATE attempts SET scenario_version = scenario_version; COMMIT;",
        )
        .unwrap();
    let before = files_in(dir.path());

    let e = Store::open(&path).unwrap_err();
    assert!(matches!(e, StoreError::Locked { .. }), "{e}");
    let e = Store::open_or_set_aside(&path).unwrap_err();
    assert!(matches!(e, StoreError::Locked { .. }), "{e}");
    assert_eq!(files_in(dir.path()), before, "a locked store is not moved");

    drop(holder);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.history().unwrap().len(), 1);
}

#[test]
fn a_store_whose_write_lock_is_held_is_reported_as_locked() {
    let dir = tempfile::tempdir().unwrap();
    let path = healthy_store(dir.path());
    let holder = Connection::open(&path).unwrap();
    // In WAL mode readers still read; the write lock is what a store cannot do without.
    holder.execute_batch("BEGIN EXCLUSIVE;").unwrap();
    let e = Store::open(&path).unwrap_err();
    assert!(matches!(e, StoreError::Locked { .. }), "{e}");
    holder.execute_batch("COMMIT;").unwrap();
    Store::open(&path).unwrap();
}

/// Set in the child process that writes until it is killed.
const WRITER_ENV: &str = "RAPPORT_STORE_TEST_WRITER";
const KILLED_TEST: &str = "a_writer_killed_mid_write_keeps_every_committed_input";

fn payload(seq: u32) -> String {
    // Large enough that a write spans several pages, so the kill often lands inside one.
    format!(
        r#"{{"seq":{seq},"text":"{}"}}"#,
        "x".repeat(6000 + seq as usize % 97)
    )
}

/// The child: records inputs forever, saying on stdout which are committed.
fn writer(path: &Path) {
    let mut store = Store::open(path).unwrap();
    let id = store.begin_attempt(&new(7, 1_000)).unwrap();
    println!("begun {id}");
    for seq in 0..1_000_000u32 {
        store
            .record_input(
                id,
                seq,
                1_000 + i64::from(seq),
                InputKind::Typing,
                &payload(seq),
            )
            .unwrap();
        store
            .record_events(id, seq, &[format!(r#"{{"n":{seq}}}"#)])
            .unwrap();
        println!("committed {seq}");
    }
}

#[test]
fn a_writer_killed_mid_write_keeps_every_committed_input() {
    if let Some(path) = std::env::var_os(WRITER_ENV) {
        writer(Path::new(&path));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([KILLED_TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(WRITER_ENV, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut last_committed = None;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some(n) = line.strip_prefix("committed ") {
            let n: u32 = n.parse().unwrap();
            last_committed = Some(n);
            if n >= 150 {
                // SIGKILL on Unix: no destructor, no checkpoint, no goodbye.
                child.kill().unwrap();
                break;
            }
        }
    }
    let status = child.wait().unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(9), "the writer was killed: {status}");
    }
    let last = last_committed.expect("the writer committed something");
    assert!(last >= 150);

    let store = Store::open(&path).unwrap();
    let unfinished = store
        .unfinished()
        .unwrap()
        .expect("the attempt is resumable");
    let record = store.attempt(unfinished.id).unwrap().unwrap();
    // Every input reported committed is there, in order, with its bytes; at most the one
    // in flight is beyond (if its commit reached the log before the kill).
    assert!(
        record.inputs.len() > last as usize,
        "{} inputs, {last} committed",
        record.inputs.len()
    );
    for (i, input) in record.inputs.iter().enumerate() {
        assert_eq!(input.seq as usize, i);
        assert_eq!(input.payload, payload(input.seq));
    }
    let events = store.events(unfinished.id).unwrap();
    assert!(events.len() > last as usize);
    drop(store);
    let conn = Connection::open(&path).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}
