//! A scenario pack: a folder of scenario files and the rubrics that judge them.
//!
//! Opening a pack is the one place that ties the two together: the built-in rubrics plus
//! the pack's own `rubrics/` make the scorer, and the criteria that scorer knows are the
//! ones scenario files may name. The CLI, the app and the tests all open packs this way,
//! so a scenario valid for one is valid for all.
//!
//! Where packs are found is decided here too: the data folder ([`data_dir`]), the folder
//! imported packs are installed in ([`installed_packs_dir`]), and what a pack says about
//! itself ([`PackInfo`], from its optional `pack.yaml`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::diag::Diagnostic;
use crate::load::de::Ctx;
use crate::load::LoadOptions;
use crate::scorer::RubricScorer;
use crate::yaml::{self, FileKind, Seg};

pub struct Pack {
    pub scorer: Arc<RubricScorer>,
    /// Problems in the pack's rubric files (the rest of the rubrics still work).
    pub rubric_diagnostics: Vec<Diagnostic>,
    /// Load options accepting exactly the criteria the pack's rubrics define.
    pub options: LoadOptions,
}

impl Pack {
    /// The rubrics of the pack in `dir` (which need not exist: then only the built-ins).
    pub fn open(dir: &Path) -> Pack {
        let (scorer, rubric_diagnostics) = RubricScorer::with_pack_dir(dir);
        let scorer = Arc::new(scorer);
        let mut options = LoadOptions::with_criteria(scorer.criteria().map(|(id, _)| id));
        options.scorer = Some(scorer.clone());
        Pack {
            scorer,
            rubric_diagnostics,
            options,
        }
    }
}

/// Overrides the folder Rapport keeps its data in (the attempt store, imported packs,
/// settings).
pub const DATA_ENV: &str = "RAPPORT_DATA_DIR";

/// The folder of the data folder that imported packs are installed in, one folder each,
/// named by the pack's id.
pub const PACKS_DIR: &str = "packs";

/// The optional file of a pack folder that says what the pack is (`id`, `title`,
/// `version`, `author`, `description`); it is not a scenario.
pub const PACK_FILE: &str = "pack.yaml";

/// `$RAPPORT_DATA_DIR`, else the platform's per-user data folder plus `rapport`
/// (`$XDG_DATA_HOME/rapport` or `~/.local/share/rapport` on Linux and other Unixes,
/// `~/Library/Application Support/rapport` on macOS, `%APPDATA%\rapport` on Windows).
/// `None` when none of those can be told (no home folder). The one place this is
/// decided: the attempt store and pack import both ask here.
pub fn data_dir() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = var(DATA_ENV) {
        return Some(PathBuf::from(dir));
    }
    let base = if cfg!(windows) {
        var("APPDATA").map(PathBuf::from)
    } else if cfg!(target_os = "macos") {
        var("HOME").map(|h| Path::new(&h).join("Library/Application Support"))
    } else {
        var("XDG_DATA_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| var("HOME").map(|h| Path::new(&h).join(".local/share")))
    };
    base.map(|b| b.join("rapport"))
}

/// Where imported packs live: `packs/` in [`data_dir`].
pub fn installed_packs_dir() -> Option<PathBuf> {
    data_dir().map(|d| d.join(PACKS_DIR))
}

/// What a pack is: its `pack.yaml`, or what can be told without one.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackInfo {
    /// Lowercase letters, digits and `-`: the folder it installs into.
    pub id: String,
    pub title: String,
    #[serde(default = "default_version")]
    pub version: String,
    #[serde(default)]
    pub author: String,
    #[serde(default)]
    pub description: String,
}

fn default_version() -> String {
    "1".into()
}

pub use crate::ids::valid_pack_id;

const PACK_KIND: FileKind = FileKind {
    noun: "pack description",
    start: "pack.yaml holds `id`, `title`, and optionally `version`, `author`, `description`",
    docs: "pack.yaml holds `id`, `title`, and optionally `version`, `author`, `description`",
};

impl PackInfo {
    /// The pack in `dir`: its `pack.yaml` when there is one, else an id and title made
    /// from the folder's name. A `pack.yaml` that cannot be used is an error, with where
    /// and why.
    pub fn read(dir: &Path) -> Result<PackInfo, Diagnostic> {
        let file = dir.join(PACK_FILE);
        if let Err(e) = std::fs::metadata(&file) {
            if e.kind() == std::io::ErrorKind::NotFound {
                return Ok(PackInfo::from_folder_name(dir));
            }
        }
        let bytes = yaml::read_bytes(&file, &PACK_KIND)?;
        Self::parse(&file, yaml::decode(&file, &bytes)?)
    }

    /// Parses the text of a `pack.yaml` (`file` is only used in the diagnostic), through
    /// the same YAML front end and serde reporting as a scenario file; the first problem
    /// (by position) is the error.
    pub fn parse(file: &Path, text: &str) -> Result<PackInfo, Diagnostic> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let (doc, mut diags) = yaml::read(file, text, &PACK_KIND);
        let info = doc.and_then(|doc| {
            // Every field is text: `version: 1.10` is the version "1.10", as written.
            let mut value = doc.value.clone();
            if let serde_yaml::Value::Mapping(map) = &mut value {
                for (k, v) in map.iter_mut() {
                    let written = k
                        .as_str()
                        .and_then(|k| doc.tree.scalar_text(&[Seg::Key(k.into())]));
                    if let (Some(text), false) = (written, v.is_null()) {
                        *v = serde_yaml::Value::String(text.to_string());
                    }
                }
            }
            let mut ctx = Ctx::new(file, &doc.tree, text);
            let (info, _) = ctx.section::<PackInfo>(&[], &value);
            let info = info.filter(|info| {
                let ok = valid_pack_id(&info.id);
                if !ok {
                    ctx.error(
                        &[Seg::Key("id".into())],
                        "invalid-value",
                        format!(
                            "`{}` cannot be a pack id: it uses only lowercase letters, digits and `-`, at most 64.",
                            info.id
                        ),
                        Some("use lowercase letters, digits and `-`, like `billing-basics`".into()),
                    );
                }
                ok
            });
            diags.append(&mut ctx.diags);
            info
        });
        diags.sort_by_key(|d| (d.line, d.column));
        match (info, diags.into_iter().find(Diagnostic::is_error)) {
            (Some(info), None) => Ok(info),
            (_, Some(d)) => Err(d),
            (None, None) => Err(Diagnostic::error(
                file,
                1,
                1,
                "wrong-type",
                "The pack file is not a pack description.",
            )
            .with_hint(PACK_KIND.docs)),
        }
    }

    fn from_folder_name(dir: &Path) -> PackInfo {
        let name = std::fs::canonicalize(dir)
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "pack".into());
        let mut id: String = name
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        id = id.trim_matches('-').chars().take(64).collect();
        if !valid_pack_id(&id) {
            id = "pack".into();
        }
        PackInfo {
            id,
            title: name,
            version: default_version(),
            author: String::new(),
            description: String::new(),
        }
    }
}
