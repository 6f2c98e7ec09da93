//! Loading scenario files: bytes -> diagnostics and, when there is no error, a validated
//! [`Scenario`].
//!
//! The steps, each able to stop only its own file: read at most [`MAX_FILE_BYTES`]
//! (`io`, `too-large`), decode UTF-8 (`not-utf8`), parse YAML into a tree that knows
//! where every key and value is ([`crate::yaml`]; `yaml-syntax`, `empty-file`, repeated keys),
//! deserialise each part with serde_yaml into raw types ([`raw`], [`de`]), then check
//! what types cannot say and build the model ([`check`]). Every problem found along the
//! way is kept; [`load_paths`] adds the checks that span files (ids used twice).

mod answers;
mod check;
pub(crate) mod de;
mod leads_to;
mod phrases;
mod raw;
mod shadow;
mod tracks;

pub use tracks::{
    is_tracks_file, load_tracks_file, load_tracks_str, tracks_schema, TracksReport, TRACKS_FILE,
};

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use crate::model::{Scenario, Track};
use crate::score::{Scorer, BUILTIN_CRITERIA};
use std::sync::Arc;

use crate::yaml::{self, FileKind, Pos};

const SCENARIO_FILE: FileKind = FileKind {
    noun: "scenario",
    start: "start with `id: my-scenario`; see docs/scenario-format.md",
    docs: "see docs/scenario-format.md for the shape of a scenario file",
};

/// The JSON schema of a scenario file, for editors: with the
/// `# yaml-language-server: $schema=...` first line they complete keys and explain each
/// one. The validator stays the judge; the schema only helps while typing.
pub fn scenario_schema() -> serde_json::Value {
    schemars::schema_for!(raw::ScenarioFile).to_value()
}

pub use crate::yaml::MAX_FILE_BYTES;

/// What the validator needs to know beyond the file itself.
#[derive(Clone)]
pub struct LoadOptions {
    /// Criterion ids the rubrics define (built-in plus the pack's own).
    pub known_criteria: BTreeSet<String>,
    /// The pack's scorer, to check that model answers are exemplary at their node
    /// (`model-answer-*` warnings); without one that stage is skipped.
    pub scorer: Option<Arc<dyn Scorer + Send + Sync>>,
}

impl std::fmt::Debug for LoadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadOptions")
            .field("known_criteria", &self.known_criteria)
            .field("scorer", &self.scorer.is_some())
            .finish()
    }
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions::with_criteria(BUILTIN_CRITERIA.iter().map(|(id, _)| *id))
    }
}

impl LoadOptions {
    /// Options that accept exactly these criterion ids (a pack's rubrics define them).
    pub fn with_criteria<'a>(ids: impl IntoIterator<Item = &'a str>) -> Self {
        LoadOptions {
            known_criteria: ids.into_iter().map(str::to_string).collect(),
            scorer: None,
        }
    }
}

/// The result of loading one file: its diagnostics, and the scenario when none is an error.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub path: PathBuf,
    pub scenario: Option<Scenario>,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Every scenario found under some paths, and a report for every file that had diagnostics.
#[derive(Debug, Clone, Default)]
pub struct Library {
    pub scenarios: Vec<Scenario>,
    pub reports: Vec<FileReport>,
    /// The learning tracks of every `tracks.yaml` found, in file order.
    pub tracks: Vec<Track>,
    /// The tracks files read.
    pub track_files: Vec<PathBuf>,
}

impl Library {
    /// Every diagnostic of every file, in file order.
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.reports.iter().flat_map(|r| &r.diagnostics)
    }

    pub fn has_errors(&self) -> bool {
        self.reports.iter().any(FileReport::has_errors)
    }
}

/// A file's report plus the id it declares, for the cross-file duplicate check.
struct Loaded {
    report: FileReport,
    id: Option<(String, Pos)>,
}

/// Loads one scenario from text; `path` is used only in diagnostics.
pub fn load_str(path: &Path, text: &str, opts: &LoadOptions) -> FileReport {
    load_text(path, text, opts).report
}

/// Loads one scenario from the raw bytes of a file; `path` is used only in diagnostics.
pub fn load_bytes(path: &Path, bytes: &[u8], opts: &LoadOptions) -> FileReport {
    load_bytes_inner(path, bytes, opts).report
}

/// Loads one scenario file.
pub fn load_file(path: &Path, opts: &LoadOptions) -> FileReport {
    load_file_inner(path, opts).report
}

fn whole_file_error(path: &Path, d: Diagnostic) -> Loaded {
    Loaded {
        report: FileReport {
            path: path.to_path_buf(),
            scenario: None,
            diagnostics: vec![d],
        },
        id: None,
    }
}

fn load_file_inner(path: &Path, opts: &LoadOptions) -> Loaded {
    match yaml::read_bytes(path, &SCENARIO_FILE) {
        Ok(bytes) => load_bytes_inner(path, &bytes, opts),
        Err(d) => whole_file_error(path, d),
    }
}

fn load_bytes_inner(path: &Path, bytes: &[u8], opts: &LoadOptions) -> Loaded {
    match yaml::decode(path, bytes) {
        Ok(text) => load_text(path, text, opts),
        Err(d) => whole_file_error(path, d),
    }
}

fn load_text(path: &Path, text: &str, opts: &LoadOptions) -> Loaded {
    // A byte-order mark is invisible in editors; YAML allows it, so quietly skip it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut report = FileReport {
        path: path.to_path_buf(),
        scenario: None,
        diagnostics: Vec::new(),
    };
    let (doc, yaml_diags) = yaml::read(path, text, &SCENARIO_FILE);
    let Some(doc) = doc else {
        report.diagnostics = yaml_diags;
        return Loaded { report, id: None };
    };
    let mut ctx = de::Ctx::new(path, &doc.tree, text);
    ctx.diags = yaml_diags;
    let checked = check::check(&mut ctx, &doc.value, opts);
    let mut diagnostics = ctx.diags;
    // Stable: problems at one spot keep the order they were found in.
    diagnostics.sort_by_key(|d| (d.line, d.column));
    report.scenario = if diagnostics.iter().any(Diagnostic::is_error) {
        None
    } else {
        checked.scenario
    };
    report.diagnostics = diagnostics;
    Loaded {
        report,
        id: checked.id,
    }
}

/// Loads every scenario file under `paths` (files, or directories searched recursively,
/// skipping `rubrics/` and `pack.yaml`), checking ids are unique across files.
///
/// Files named directly are loaded whatever their extension; in directories only
/// `.yaml` and `.yml` files are. Files load in sorted path order, so results and the
/// "second file" of a duplicate id are deterministic.
pub fn load_paths(paths: &[PathBuf], opts: &LoadOptions) -> Library {
    let mut library = Library::default();
    let mut files = Vec::new();
    for path in paths {
        collect_files(path, &mut files, &mut library.reports);
    }
    files.sort();
    files.dedup();
    // `tracks.yaml` is the pack's, not a scenario: read once the scenario ids are known.
    let (track_files, files): (Vec<PathBuf>, Vec<PathBuf>) =
        files.into_iter().partition(|f| is_tracks_file(f));
    let mut first_with_id: HashMap<String, PathBuf> = HashMap::new();
    for file in files {
        let Loaded { mut report, id } = load_file_inner(&file, opts);
        if let Some((id, pos)) = id {
            match first_with_id.get(&id) {
                Some(first) => {
                    report.diagnostics.push(
                        Diagnostic::error(
                            &file,
                            pos.line,
                            pos.col,
                            "duplicate-id",
                            format!("Another scenario already has the id `{id}`; ids must be unique across the pack."),
                        )
                        .with_hint(format!("{} uses it too; rename one of them", first.display())),
                    );
                    report.diagnostics.sort_by_key(|d| (d.line, d.column));
                    report.scenario = None;
                }
                None => {
                    first_with_id.insert(id, file.clone());
                }
            }
        }
        if !report.diagnostics.is_empty() {
            library.reports.push(report.clone());
        }
        if let Some(scenario) = report.scenario {
            library.scenarios.push(scenario);
        }
    }
    // Every id a file declares counts, loaded or not: a broken scenario is reported in
    // its own file, not again as an unknown one in a track.
    let mut ids: BTreeSet<String> = first_with_id.into_keys().collect();
    for file in track_files {
        // A tracks file named on its own is checked against the scenarios beside it.
        let dir = file.parent().unwrap_or(Path::new("."));
        if !paths.iter().any(|p| p.is_dir() && dir.starts_with(p)) {
            let mut beside = Vec::new();
            collect_files(dir, &mut beside, &mut Vec::new());
            for f in beside.iter().filter(|f| !is_tracks_file(f)) {
                if let Some((id, _)) = load_file_inner(f, &LoadOptions::default()).id {
                    ids.insert(id);
                }
            }
        }
        let report = load_tracks_file(&file, &ids);
        library.track_files.push(file.clone());
        library.tracks.extend(report.tracks);
        if !report.diagnostics.is_empty() {
            library.reports.push(FileReport {
                path: file,
                scenario: None,
                diagnostics: report.diagnostics,
            });
        }
    }
    library
}

/// Adds `path` (a file) or the scenario files below it (a directory) to `files`; what
/// cannot be read becomes an `io` report.
fn collect_files(path: &Path, files: &mut Vec<PathBuf>, reports: &mut Vec<FileReport>) {
    let io_error = |p: &Path, e: std::io::Error| FileReport {
        path: p.to_path_buf(),
        scenario: None,
        diagnostics: vec![Diagnostic::error(
            p,
            0,
            0,
            "io",
            format!("Cannot read this path: {e}."),
        )],
    };
    match fs::metadata(path) {
        Err(e) => return reports.push(io_error(path, e)),
        Ok(meta) if !meta.is_dir() => return files.push(path.to_path_buf()),
        Ok(_) => {}
    }
    // Iterative, and each directory is entered once, so symlink loops cannot trap it.
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut pending = vec![path.to_path_buf()];
    while let Some(dir) = pending.pop() {
        if !seen.insert(fs::canonicalize(&dir).unwrap_or_else(|_| dir.clone())) {
            continue;
        }
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) => {
                reports.push(io_error(&dir, e));
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    reports.push(io_error(&dir, e));
                    continue;
                }
            };
            let p = entry.path();
            // `metadata` follows symlinks, so a linked folder or file counts as what it points to.
            let Ok(meta) = fs::metadata(&p) else { continue };
            if meta.is_dir() {
                if entry.file_name() != "rubrics" {
                    pending.push(p);
                }
            } else if entry.file_name() == crate::pack::PACK_FILE {
                // What the pack is (crate::pack::PackInfo), not a scenario.
            } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
                files.push(p);
            }
        }
    }
}
