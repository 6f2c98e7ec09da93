//! # rapport-packfile
//!
//! A scenario pack travels as one file: `NAME.rapportpack`, a zip (deflate only) of the
//! pack folder with a `manifest.json` at its root ([`Manifest`]: the pack's id, title,
//! version and author, from its `pack.yaml` when it has one, and every file with its size
//! and SHA-256).
//!
//! [`export`] writes one; [`import`] installs one into `packs/ID/` of the data folder
//! ([`rapport_core::pack::installed_packs_dir`]). An import trusts nothing in the file:
//! before anything is installed it refuses names that climb out of the pack (`..`),
//! absolute names, links, files over [`MAX_FILE_BYTES`], packs over [`MAX_TOTAL_BYTES`] or
//! [`MAX_ENTRIES`] files, entries that inflate more than [`MAX_RATIO`] times (zip bombs),
//! files the manifest does not list or whose SHA-256 differs, and packs whose scenarios
//! or rubrics do not pass the validator, loaded from a staging folder exactly as the app
//! loads packs. An installed pack is replaced only when asked ([`Replace::Yes`]).
//!
//! This crate writes files (the archive, the installed pack), which the core never does;
//! the CLI and the desktop shell both call it.

use std::fs;
use std::io::{self, Read, Seek, Write};
use std::path::{Component, Path, PathBuf};

use rapport_core::diag::Diagnostic;
use rapport_core::pack::{valid_pack_id, Pack, PackInfo, PACK_FILE};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The manifest's name at the root of the archive.
pub const MANIFEST: &str = "manifest.json";
/// The file extension of a pack file.
pub const EXTENSION: &str = "rapportpack";
/// The manifest format this version writes and reads.
pub const FORMAT: u32 = 1;
/// The largest file a pack may hold: the loader's own limit for a scenario file.
pub const MAX_FILE_BYTES: u64 = rapport_core::load::MAX_FILE_BYTES;
/// The most a pack may hold, all files together, unpacked; also the largest pack file.
pub const MAX_TOTAL_BYTES: u64 = 16 * 1024 * 1024;
/// The most files a pack may hold.
pub const MAX_ENTRIES: usize = 500;
/// The most an entry may inflate (unpacked / packed size). YAML compresses about 4 to 8
/// times; a zip bomb does thousands of times.
pub const MAX_RATIO: u64 = 100;

/// What a pack file says it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: u32,
    pub id: String,
    pub title: String,
    pub version: String,
    pub author: String,
    #[serde(default)]
    pub description: String,
    pub files: Vec<FileEntry>,
}

/// One file of the pack: its path inside the pack (`/`-separated), size and SHA-256 (hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

impl Manifest {
    pub fn info(&self) -> PackInfo {
        PackInfo {
            id: self.id.clone(),
            title: self.title.clone(),
            version: self.version.clone(),
            author: self.author.clone(),
            description: self.description.clone(),
        }
    }
}

/// Why an export or import did not happen. [`PackError::kind`] is a stable name.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{0} is not a pack file: {1}")]
    NotAPack(PathBuf, String),
    #[error("the pack file is unsafe and was not imported: {0}")]
    Unsafe(String),
    #[error("the pack is too large and was not imported: {0}")]
    TooLarge(String),
    #[error("the pack's manifest does not match its files: {0}")]
    Manifest(String),
    #[error("the pack `{id}` does not pass validation ({} problem{}); first: {}", .diagnostics.len(), if .diagnostics.len() == 1 { "" } else { "s" }, .diagnostics.first().map(Diagnostic::to_string).unwrap_or_default())]
    Invalid {
        id: String,
        diagnostics: Vec<Diagnostic>,
    },
    #[error("a pack `{id}` (version {installed_version}) is already installed; replace it with version {new_version}?")]
    Exists {
        id: String,
        installed_version: String,
        new_version: String,
    },
    #[error("{0}")]
    Export(String),
}

impl PackError {
    /// Stable: `io`, `not_a_pack`, `unsafe`, `too_large`, `manifest`, `invalid`, `exists`,
    /// `export`.
    pub fn kind(&self) -> &'static str {
        match self {
            PackError::Io { .. } => "io",
            PackError::NotAPack(..) => "not_a_pack",
            PackError::Unsafe(_) => "unsafe",
            PackError::TooLarge(_) => "too_large",
            PackError::Manifest(_) => "manifest",
            PackError::Invalid { .. } => "invalid",
            PackError::Exists { .. } => "exists",
            PackError::Export(_) => "export",
        }
    }
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> PackError + '_ {
    move |source| PackError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Files of a pack folder that travel: scenario and rubric YAML, `pack.yaml`, and notes
/// (`.md`, `.txt`). Hidden files and folders stay behind.
fn travels(name: &str) -> bool {
    !name.starts_with('.')
        && [".yaml", ".yml", ".md", ".txt"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

/// Every file of `dir` that travels, as (`/`-separated path inside the pack, full path),
/// sorted. A link is refused: an import would refuse it too.
fn pack_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, PackError> {
    let mut out = Vec::new();
    let mut pending = vec![(String::new(), dir.to_path_buf())];
    while let Some((prefix, folder)) = pending.pop() {
        for entry in fs::read_dir(&folder).map_err(io_err(&folder))? {
            let entry = entry.map_err(io_err(&folder))?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let kind = entry.file_type().map_err(io_err(&path))?;
            let inner = format!("{prefix}{name}");
            if kind.is_symlink() {
                return Err(PackError::Export(format!(
                    "{} is a link; a pack holds only plain files (copy the file in instead)",
                    path.display()
                )));
            } else if kind.is_dir() {
                if !name.starts_with('.') {
                    pending.push((format!("{inner}/"), path));
                }
            } else if travels(&name) {
                out.push((inner, path));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Writes the pack in `dir` to `out` and returns its manifest. The pack is validated first
/// (as an import would): a pack with errors is not exported.
pub fn export(dir: &Path, out: &Path) -> Result<Manifest, PackError> {
    if !dir.is_dir() {
        return Err(PackError::Export(format!(
            "{} is not a folder",
            dir.display()
        )));
    }
    let info = PackInfo::read(dir).map_err(|d| PackError::Invalid {
        id: dir.display().to_string(),
        diagnostics: vec![d],
    })?;
    let travelling = pack_files(dir)?;
    let problems = validate(dir);
    if problems.iter().any(Diagnostic::is_error) {
        return Err(PackError::Invalid {
            id: info.id,
            diagnostics: problems.into_iter().filter(Diagnostic::is_error).collect(),
        });
    }
    let mut files = Vec::new();
    let mut contents = Vec::new();
    let mut total = 0;
    for (inner, path) in travelling {
        let bytes = fs::read(&path).map_err(io_err(&path))?;
        let size = bytes.len() as u64;
        if size > MAX_FILE_BYTES {
            return Err(PackError::Export(format!(
                "{} is {} KiB, over the {} KiB limit for a file in a pack",
                path.display(),
                size.div_ceil(1024),
                MAX_FILE_BYTES / 1024
            )));
        }
        total += size;
        files.push(FileEntry {
            path: inner.clone(),
            size,
            sha256: sha256_hex(&bytes),
        });
        contents.push((inner, bytes));
    }
    if total > MAX_TOTAL_BYTES {
        return Err(PackError::Export(format!(
            "the pack's files add up to {} KiB, over the {} KiB limit",
            total.div_ceil(1024),
            MAX_TOTAL_BYTES / 1024
        )));
    }
    let manifest = Manifest {
        format: FORMAT,
        id: info.id,
        title: info.title,
        version: info.version,
        author: info.author,
        description: info.description,
        files,
    };
    let file = fs::File::create(out).map_err(io_err(out))?;
    write_zip(file, &manifest, &contents).map_err(|e| PackError::Io {
        path: out.to_path_buf(),
        source: io::Error::other(e),
    })?;
    Ok(manifest)
}

fn write_zip<W: Write + Seek>(
    w: W,
    manifest: &Manifest,
    contents: &[(String, Vec<u8>)],
) -> zip::result::ZipResult<()> {
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    let mut zip = zip::ZipWriter::new(w);
    zip.start_file(MANIFEST, options)?;
    let json = serde_json::to_vec_pretty(manifest).map_err(io::Error::other)?;
    zip.write_all(&json)?;
    for (name, bytes) in contents {
        zip.start_file(name.as_str(), options)?;
        zip.write_all(bytes)?;
    }
    zip.finish()?;
    Ok(())
}

/// Every problem in the pack folder `dir`, as the app would find them: its `pack.yaml`,
/// rubric files and scenario files. A pack without a single scenario is a problem too.
pub fn validate(dir: &Path) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Err(d) = PackInfo::read(dir) {
        out.push(d);
    }
    let pack = Pack::open(dir);
    out.extend(pack.rubric_diagnostics);
    let library = rapport_core::load::load_paths(&[dir.to_path_buf()], &pack.options);
    out.extend(library.diagnostics().cloned());
    if library.scenarios.is_empty() && !library.has_errors() {
        out.push(
            Diagnostic::error(dir, 0, 0, "empty-pack", "The pack has no scenario in it.")
                .with_hint("a pack is a folder of scenario files (and optionally rubrics/)"),
        );
    }
    out
}

/// Whether to replace a pack that is already installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    No,
    Yes,
}

/// A pack that was installed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Installed {
    pub manifest: Manifest,
    /// Where it was installed: `packs/ID` of the data folder.
    pub dir: PathBuf,
    /// The version it replaced, if one was installed.
    pub replaced: Option<String>,
    /// Warnings the validator had (errors refuse the import).
    pub warnings: Vec<Diagnostic>,
}

/// Checks an entry's name: a relative path of plain parts, `/`-separated.
fn safe_name(name: &str) -> Result<(), PackError> {
    let unsafe_ = |why: &str| Err(PackError::Unsafe(format!("`{name}` {why}")));
    if name.starts_with('/') || name.starts_with('\\') || name.get(1..2) == Some(":") {
        return unsafe_("is an absolute path");
    }
    if name.contains('\\') || name.contains('\0') {
        return unsafe_("has a backslash or NUL in its name");
    }
    if name.split('/').any(|part| part == "..") {
        return unsafe_("climbs out of the pack folder (`..`)");
    }
    let path = Path::new(name);
    if !path.components().all(|c| matches!(c, Component::Normal(_))) {
        return unsafe_("is not a plain relative path");
    }
    Ok(())
}

/// The files of a pack, as (path inside the pack, bytes).
type Files = Vec<(String, Vec<u8>)>;

/// Reads and checks every entry of the archive (names, kinds, sizes, ratio, the manifest
/// and the SHA-256 of each file) without writing anything.
fn read_archive<R: Read + Seek>(reader: R, file: &Path) -> Result<(Manifest, Files), PackError> {
    let mut zip = zip::ZipArchive::new(reader)
        .map_err(|e| PackError::NotAPack(file.to_path_buf(), e.to_string()))?;
    if zip.len() > MAX_ENTRIES + 1 {
        return Err(PackError::TooLarge(format!(
            "it holds {} entries, over the limit of {MAX_ENTRIES} files",
            zip.len()
        )));
    }
    let mut manifest_bytes = None;
    let mut contents: Vec<(String, Vec<u8>)> = Vec::new();
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| PackError::NotAPack(file.to_path_buf(), e.to_string()))?;
        let name = entry.name().to_string();
        safe_name(&name)?;
        if entry.is_symlink() {
            return Err(PackError::Unsafe(format!(
                "`{name}` is a link; a pack holds only plain files"
            )));
        }
        if entry.is_dir() {
            continue;
        }
        if let Some(mode) = entry.unix_mode() {
            let kind = mode & 0o170000;
            if kind != 0 && kind != 0o100000 {
                return Err(PackError::Unsafe(format!(
                    "`{name}` is not a plain file (mode {mode:o})"
                )));
            }
        }
        let declared = entry.size();
        if declared > MAX_FILE_BYTES {
            return Err(PackError::TooLarge(format!(
                "`{name}` is {} KiB unpacked, over the {} KiB limit for a file",
                declared.div_ceil(1024),
                MAX_FILE_BYTES / 1024
            )));
        }
        let packed = entry.compressed_size().max(1);
        if declared > 4096 && declared / packed > MAX_RATIO {
            return Err(PackError::TooLarge(format!(
                "`{name}` inflates {} times (a zip bomb?); the limit is {MAX_RATIO}",
                declared / packed
            )));
        }
        // The declared size can lie: read at most one byte past the limit and look.
        let mut bytes = Vec::new();
        (&mut entry)
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| PackError::NotAPack(file.to_path_buf(), format!("`{name}`: {e}")))?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(PackError::TooLarge(format!(
                "`{name}` is over the {} KiB limit for a file",
                MAX_FILE_BYTES / 1024
            )));
        }
        total += bytes.len() as u64;
        if total > MAX_TOTAL_BYTES {
            return Err(PackError::TooLarge(format!(
                "its files add up to more than {} KiB",
                MAX_TOTAL_BYTES / 1024
            )));
        }
        if name == MANIFEST {
            manifest_bytes = Some(bytes);
        } else {
            contents.push((name, bytes));
        }
    }
    let manifest_bytes = manifest_bytes.ok_or_else(|| {
        PackError::NotAPack(
            file.to_path_buf(),
            format!("it has no {MANIFEST} (was it made by `rapport pack export`?)"),
        )
    })?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| PackError::Manifest(format!("{MANIFEST} cannot be read: {e}")))?;
    if manifest.format != FORMAT {
        return Err(PackError::Manifest(format!(
            "format {} is not known to this Rapport (it reads format {FORMAT})",
            manifest.format
        )));
    }
    if !valid_pack_id(&manifest.id) {
        return Err(PackError::Manifest(format!(
            "`{}` cannot be a pack id",
            manifest.id
        )));
    }
    check_manifest(&manifest, &contents)?;
    Ok((manifest, contents))
}

fn check_manifest(manifest: &Manifest, contents: &[(String, Vec<u8>)]) -> Result<(), PackError> {
    let listed: std::collections::BTreeMap<&str, &FileEntry> = manifest
        .files
        .iter()
        .map(|f| (f.path.as_str(), f))
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for (name, bytes) in contents {
        let Some(entry) = listed.get(name.as_str()) else {
            return Err(PackError::Manifest(format!(
                "`{name}` is in the pack but not in its manifest"
            )));
        };
        if !seen.insert(name.as_str()) {
            return Err(PackError::Manifest(format!(
                "`{name}` is in the pack twice"
            )));
        }
        if sha256_hex(bytes) != entry.sha256 || bytes.len() as u64 != entry.size {
            return Err(PackError::Manifest(format!(
                "`{name}` is not the file the manifest lists (its SHA-256 differs): the pack was changed or damaged"
            )));
        }
    }
    if let Some(missing) = listed.keys().find(|p| !seen.contains(*p)) {
        return Err(PackError::Manifest(format!(
            "the manifest lists `{missing}`, which is not in the pack"
        )));
    }
    Ok(())
}

/// Writes `contents` under `dir` (names already checked by [`safe_name`]).
fn unpack(dir: &Path, contents: &[(String, Vec<u8>)]) -> Result<(), PackError> {
    for (name, bytes) in contents {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        fs::write(&path, bytes).map_err(io_err(&path))?;
    }
    Ok(())
}

/// The installed pack `id` under `packs_dir`, if there is one.
pub fn installed(packs_dir: &Path, id: &str) -> Option<PackInfo> {
    let dir = packs_dir.join(id);
    dir.is_dir().then(|| PackInfo::read(&dir).ok()).flatten()
}

/// Imports the pack file `file` into `packs_dir` (normally
/// [`rapport_core::pack::installed_packs_dir`]): checked, unpacked into a staging folder
/// there, validated, and only then moved into `packs_dir/ID`. An installed pack with the
/// same id is an [`PackError::Exists`] unless `replace` says yes.
pub fn import(file: &Path, packs_dir: &Path, replace: Replace) -> Result<Installed, PackError> {
    let meta = fs::metadata(file).map_err(io_err(file))?;
    if !meta.is_file() {
        return Err(PackError::NotAPack(
            file.to_path_buf(),
            "it is not a file".into(),
        ));
    }
    if meta.len() > MAX_TOTAL_BYTES {
        return Err(PackError::TooLarge(format!(
            "the file is {} KiB, over the {} KiB limit",
            meta.len().div_ceil(1024),
            MAX_TOTAL_BYTES / 1024
        )));
    }
    let reader = fs::File::open(file).map_err(io_err(file))?;
    let (mut manifest, contents) = read_archive(io::BufReader::new(reader), file)?;

    fs::create_dir_all(packs_dir).map_err(io_err(packs_dir))?;
    let staging = tempfile::Builder::new()
        .prefix(".import-")
        .tempdir_in(packs_dir)
        .map_err(io_err(packs_dir))?;
    unpack(staging.path(), &contents)?;
    // The pack file in the archive must agree with the manifest: the manifest names the
    // folder, the pack.yaml is what the library shows.
    if contents.iter().any(|(n, _)| n == PACK_FILE) {
        let info = PackInfo::read(staging.path()).map_err(|d| PackError::Invalid {
            id: manifest.id.clone(),
            diagnostics: vec![relative(d, staging.path())],
        })?;
        if info.id != manifest.id {
            return Err(PackError::Manifest(format!(
                "the manifest says the pack is `{}` but its {PACK_FILE} says `{}`",
                manifest.id, info.id
            )));
        }
    } else {
        // Keep what the manifest says about the pack once it is installed.
        let info = manifest.info();
        let yaml = format!(
            "id: {}\ntitle: {}\nversion: {}\nauthor: {}\n",
            info.id,
            serde_json::to_string(&info.title).unwrap_or_default(),
            serde_json::to_string(&info.version).unwrap_or_default(),
            serde_json::to_string(&info.author).unwrap_or_default()
        );
        fs::write(staging.path().join(PACK_FILE), yaml)
            .map_err(io_err(&staging.path().join(PACK_FILE)))?;
    }
    let problems: Vec<Diagnostic> = validate(staging.path())
        .into_iter()
        .map(|d| relative(d, staging.path()))
        .collect();
    let (errors, warnings): (Vec<_>, Vec<_>) = problems.into_iter().partition(Diagnostic::is_error);
    if !errors.is_empty() {
        return Err(PackError::Invalid {
            id: manifest.id,
            diagnostics: errors,
        });
    }
    let dest = packs_dir.join(&manifest.id);
    let before = installed(packs_dir, &manifest.id).map(|i| i.version);
    let exists = dest.exists();
    if exists && replace == Replace::No {
        return Err(PackError::Exists {
            id: manifest.id,
            installed_version: before.unwrap_or_else(|| "unknown".into()),
            new_version: manifest.version,
        });
    }
    let staged = staging.keep();
    if exists {
        // Move the old one aside first, so a failure leaves one of the two in place.
        let old = packs_dir.join(format!(".replaced-{}", manifest.id));
        let _ = fs::remove_dir_all(&old);
        fs::rename(&dest, &old).map_err(io_err(&dest))?;
        if let Err(e) = fs::rename(&staged, &dest) {
            let _ = fs::rename(&old, &dest);
            let _ = fs::remove_dir_all(&staged);
            return Err(PackError::Io {
                path: dest,
                source: e,
            });
        }
        let _ = fs::remove_dir_all(&old);
    } else if let Err(e) = fs::rename(&staged, &dest) {
        let _ = fs::remove_dir_all(&staged);
        return Err(PackError::Io {
            path: dest,
            source: e,
        });
    }
    manifest.files.retain(|f| f.path != MANIFEST);
    Ok(Installed {
        manifest,
        dir: dest,
        replaced: if exists { before } else { None },
        warnings,
    })
}

/// A diagnostic about a staged file, with the path as written in the pack.
fn relative(mut d: Diagnostic, staging: &Path) -> Diagnostic {
    if let Ok(rel) = d.file.strip_prefix(staging) {
        d.file = rel.to_path_buf();
    }
    d
}

/// The manifest of the pack file `file`, checked as an import checks it, without
/// installing anything (what the app shows before asking to replace).
pub fn inspect(file: &Path) -> Result<Manifest, PackError> {
    let reader = fs::File::open(file).map_err(io_err(file))?;
    read_archive(io::BufReader::new(reader), file).map(|(m, _)| m)
}
