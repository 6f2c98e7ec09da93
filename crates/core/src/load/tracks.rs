//! The pack's learning tracks: `tracks.yaml` beside the scenarios, read through the same
//! positioned YAML front end as a scenario ([`crate::yaml`], [`super::de`]), so a problem
//! is reported at its line and column with the same codes.
//!
//! ```yaml
//! tracks:
//!   - id: first-week
//!     title: "First week"
//!     description: "Gentle calls: listen first, then help."
//!     scenarios: [thank-you-call, late-birthday-gift]
//! ```
//!
//! Checked: the shape (unknown keys, missing keys, wrong types), ids (valid, unique),
//! a title and a description, at least one scenario, and that every scenario named is in
//! the pack (`unknown-scenario`, with the closest id as a hint).

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use schemars::JsonSchema;
use serde::Deserialize;

use super::de::Ctx;
use crate::diag::Diagnostic;
use crate::ids::{bad_id_message, id_hint, is_valid_id};
use crate::model::Track;
use crate::yaml::{self, FileKind, Seg};

const TRACKS_KIND: FileKind = FileKind {
    noun: "list of tracks",
    start: "start with `tracks:` and a list of tracks; see docs/scenario-format.md",
    docs: "see docs/scenario-format.md for the shape of a tracks file",
};

/// The file name a pack's tracks are read from (`.yml` works too).
pub const TRACKS_FILE: &str = "tracks.yaml";

/// Whether `path` names a tracks file rather than a scenario.
pub fn is_tracks_file(path: &Path) -> bool {
    matches!(
        path.file_name().and_then(|n| n.to_str()),
        Some("tracks.yaml" | "tracks.yml")
    )
}

/// The whole file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "Rapport learning tracks",
    description = "The pack's learning tracks. Reference: docs/scenario-format.md"
)]
#[allow(dead_code)]
pub(crate) struct RawTracks {
    /// The tracks, in the order the library shows them.
    pub tracks: Vec<RawTrack>,
}

/// One track: scenarios to practise in order.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTrack {
    /// Unique: lowercase letters, digits, `_` and `-`.
    #[schemars(regex(pattern = r"^[a-z0-9_-]+$"))]
    pub id: String,
    /// Shown as the track's heading, e.g. "First week".
    pub title: String,
    /// A sentence or two on what the track practises.
    pub description: String,
    /// Scenario ids, in the order to practise them.
    #[schemars(length(min = 1))]
    pub scenarios: Vec<String>,
}

/// The JSON schema of a tracks file, for editors.
pub fn tracks_schema() -> serde_json::Value {
    schemars::schema_for!(RawTracks).to_value()
}

/// What reading one tracks file gives: the tracks (only when there is no error) and
/// every problem found.
#[derive(Debug, Clone, Default)]
pub struct TracksReport {
    pub tracks: Vec<Track>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads a tracks file's text; `scenarios` are the ids of the pack's scenarios.
pub fn load_tracks_str(path: &Path, text: &str, scenarios: &BTreeSet<String>) -> TracksReport {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut report = TracksReport::default();
    let (doc, yaml_diags) = yaml::read(path, text, &TRACKS_KIND);
    let Some(doc) = doc else {
        report.diagnostics = yaml_diags;
        return report;
    };
    let mut ctx = Ctx::new(path, &doc.tree, text);
    ctx.diags = yaml_diags;
    let raw = read(&mut ctx, &doc.value);
    if let Some(raw) = &raw {
        check(&mut ctx, raw, scenarios);
    }
    let mut diagnostics = ctx.diags;
    diagnostics.sort_by_key(|d| (d.line, d.column));
    if !diagnostics.iter().any(Diagnostic::is_error) {
        if let Some(raw) = raw {
            report.tracks = raw
                .into_iter()
                .map(|(_, t)| Track {
                    id: t.id,
                    title: t.title,
                    description: t.description,
                    scenarios: t.scenarios,
                })
                .collect();
        }
    }
    report.diagnostics = diagnostics;
    report
}

/// Reads a tracks file; a file that cannot be read is an `io` error.
pub fn load_tracks_file(path: &Path, scenarios: &BTreeSet<String>) -> TracksReport {
    let text = yaml::read_bytes(path, &TRACKS_KIND).and_then(|bytes| {
        Ok(load_tracks_str(
            path,
            yaml::decode(path, &bytes)?,
            scenarios,
        ))
    });
    text.unwrap_or_else(|d| TracksReport {
        tracks: Vec::new(),
        diagnostics: vec![d],
    })
}

/// The top level by hand and each track on its own, so one broken track does not hide
/// the problems of the others.
fn read(ctx: &mut Ctx, value: &serde_yaml::Value) -> Option<Vec<(usize, RawTrack)>> {
    let serde_yaml::Value::Mapping(top) = value else {
        ctx.error(
            &[],
            "wrong-type",
            "A tracks file must be a map with `tracks:`, a list of tracks.".into(),
            Some("start the file with `tracks:` on its own line".into()),
        );
        return None;
    };
    let mut tracks = None;
    for (k, v) in top {
        match k.as_str() {
            Some("tracks") => match v {
                serde_yaml::Value::Sequence(items) => {
                    let read: Vec<Option<RawTrack>> = items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| ctx.section(&[key("tracks"), Seg::Index(i)], item).0)
                        .collect();
                    tracks = Some(read);
                }
                _ => ctx.error(
                    &[key("tracks")],
                    "wrong-type",
                    "`tracks` should be a list of tracks (each starting with `- id:`).".into(),
                    None,
                ),
            },
            Some(other) => ctx.error_at_key(
                &[key(other)],
                "unknown-key",
                format!("`{other}` is not a key of a tracks file."),
                Some("the file has one key, `tracks`".into()),
            ),
            None => ctx.error(&[], "unknown-key", "Keys must be text.".into(), None),
        }
    }
    if top.get("tracks").is_none() {
        ctx.missing_key(&[], "tracks");
    }
    let tracks = tracks?;
    Some(
        tracks
            .into_iter()
            .enumerate()
            .filter_map(|(i, t)| Some((i, t?)))
            .collect(),
    )
}

fn key(k: &str) -> Seg {
    Seg::Key(k.to_string())
}

fn check(ctx: &mut Ctx, raw: &[(usize, RawTrack)], scenarios: &BTreeSet<String>) {
    let mut ids: HashSet<&str> = HashSet::new();
    if raw.is_empty() && !ctx.has_errors() {
        ctx.error(
            &[key("tracks")],
            "empty-lines",
            "There are no tracks in the list.".into(),
            Some("add a track, or remove the file".into()),
        );
    }
    for (i, t) in raw.iter().map(|(i, t)| (*i, t)) {
        let at = [key("tracks"), Seg::Index(i)];
        let id_path = [key("tracks"), Seg::Index(i), key("id")];
        if !is_valid_id(&t.id) {
            ctx.error(
                &id_path,
                "invalid-value",
                bad_id_message("track", &t.id),
                Some(id_hint(&t.id)),
            );
        }
        if !ids.insert(&t.id) {
            ctx.error(
                &id_path,
                "duplicate-id",
                format!("Another track already has the id `{}`.", t.id),
                Some("give each track its own id".into()),
            );
        }
        for (name, text) in [("title", &t.title), ("description", &t.description)] {
            if text.trim().is_empty() {
                ctx.error(
                    &[key("tracks"), Seg::Index(i), key(name)],
                    "invalid-value",
                    format!(
                        "The track `{}` has an empty `{name}`, but the library shows it.",
                        t.id
                    ),
                    None,
                );
            }
        }
        if t.scenarios.is_empty() {
            ctx.error_at_key(
                &[at[0].clone(), at[1].clone(), key("scenarios")],
                "empty-lines",
                format!("The track `{}` lists no scenario.", t.id),
                None,
            );
        }
        let mut seen: HashSet<&str> = HashSet::new();
        for (j, s) in t.scenarios.iter().enumerate() {
            let p = [
                key("tracks"),
                Seg::Index(i),
                key("scenarios"),
                Seg::Index(j),
            ];
            if !scenarios.contains(s) {
                let hint = ctx
                    .suggest(s, scenarios.iter().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`?"));
                ctx.error(
                    &p,
                    "unknown-scenario",
                    format!("`{s}` is not a scenario of this pack (or it failed to load)."),
                    hint,
                );
            } else if !seen.insert(s) {
                ctx.warning(
                    &p,
                    "duplicate-id",
                    format!("`{s}` is listed twice in the track `{}`.", t.id),
                    Some("list each scenario once".into()),
                );
            }
        }
    }
}
