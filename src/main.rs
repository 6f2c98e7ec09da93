//! `rapport`: the command-line side of Rapport.
//!
//! Every subcommand is a thin layer over `rapport-core`: it parses arguments, calls the
//! core, and prints. Exit codes follow `shared/design.md`: 0 success, 1 when the input had
//! errors (invalid scenarios, failed golden tests, bad JSON lines), 2 for usage or I/O
//! failures (clap's own usage errors also exit 2).

mod play;
mod term;
mod wrap;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use rapport_core::app::{App, AppError, AttemptStatus};
use rapport_core::diag::Diagnostic;
use rapport_core::history::AttemptLog;
use rapport_core::load::{self, LoadOptions};
use rapport_core::pack::Pack;
use rapport_core::scorer::text::guess_language;
use rapport_core::scorer::{self, RubricScorer};
use rapport_core::{golden, template, Scenario};
use serde::Serialize;

const SCENARIOS_ENV: &str = "RAPPORT_SCENARIOS_DIR";

#[derive(Parser)]
#[command(
    name = "rapport",
    version,
    about = "Practise difficult customer conversations, and author the scenarios that teach them.",
    long_about = "Practise difficult customer conversations, and author the scenarios that teach them.\n\n\
        Trainees: `rapport list` shows the scenarios, `rapport play ID` plays one in the terminal.\n\
        Trainers: `rapport validate` checks scenario files and points at the exact line of each \
        problem; `rapport test` plays the golden transcripts written in each file's `tests:`; \
        `rapport score` and `rapport eval` run and measure the reply scorer.\n\n\
        Scenarios are read from ./scenarios, or from $RAPPORT_SCENARIOS_DIR when set.",
    after_help = "Examples:\n  rapport list\n  rapport play double-charge --seed 7\n  rapport validate scenarios/my-new-scenario.yaml\n  echo '{\"id\":\"1\",\"text\":\"I am so sorry, let me fix this.\"}' | rapport score"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the scenarios found, with id, title, difficulty and skills.
    List {
        /// Folder to search (recursively). Default: $RAPPORT_SCENARIOS_DIR or ./scenarios.
        dir: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Check scenario files and report every problem with its line and column.
    ///
    /// Prints `path:line:col: severity[code]: message` and a hint line for each problem.
    /// Exits 0 when there are no errors (warnings allowed), 1 when there are errors,
    /// 2 when a path cannot be read.
    Validate {
        /// Files or folders. Default: $RAPPORT_SCENARIOS_DIR or ./scenarios.
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Play a scenario in the terminal: type your replies, get feedback on each.
    ///
    /// Type a reply and press Enter. On a guided moment, type the number of a choice.
    /// `/facts` shows the customer's record, `/quit` abandons. Stay silent past the
    /// customer's patience and they will chase you.
    Play {
        /// A scenario id (searched in the scenarios folder) or a path to a scenario file.
        scenario: String,
        /// Seed for the customer's line variants; the same seed and replies replay exactly.
        #[arg(long)]
        seed: Option<u64>,
        /// Folder to search for the scenario id.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Never run out of patience (no chasing when you take your time).
        #[arg(long)]
        no_timer: bool,
    },
    /// List every attempt recorded on this machine, started last first.
    ///
    /// One entry per attempt: id, scenario, status (unfinished, finished, abandoned),
    /// started and ended (UTC), outcome, scores, inputs and turns. The history lives in
    /// `attempts.sqlite3` in $RAPPORT_DATA_DIR, else the per-user data folder.
    History {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Scenarios folder, to tell whether an attempt can still be resumed.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Export every recorded attempt, for a spreadsheet (csv) or a learning record store
    /// (xapi: a JSON array of xAPI 1.0.3 statements, exactly as `rapport sync` sends them).
    ///
    /// CSV: one table whose first column, `record`, is `attempt` (one row per attempt) or
    /// `turn` (one row per turn, after its attempt); see the README for every column.
    /// Neither format holds the LRS settings.
    Export {
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Write here instead of standard output.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// Send the statements waiting in the outbox to the learning record store.
    ///
    /// --endpoint, --key and --secret are saved (in settings.json in the data folder,
    /// readable only by you) once given; RAPPORT_LRS_ENDPOINT, RAPPORT_LRS_KEY and
    /// RAPPORT_LRS_SECRET override what is saved. Exit 0 when the outbox is empty
    /// afterwards, 1 when statements are still waiting (they stay queued), 2 when no LRS
    /// is configured.
    Sync {
        /// The LRS's xAPI endpoint (e.g. https://lrs.example.org/xAPI/) or base address.
        #[arg(long)]
        endpoint: Option<String>,
        /// Basic-auth key (user name).
        #[arg(long)]
        key: Option<String>,
        /// Basic-auth secret (password).
        #[arg(long)]
        secret: Option<String>,
    },
    /// Continue an unfinished attempt where it stopped (default: the last one).
    ///
    /// The conversation so far is printed first, then replies are read as in `play`.
    /// An attempt whose scenario file changed since cannot be resumed exactly: play it
    /// again instead.
    Resume {
        /// The attempt id, as `rapport history` shows it.
        id: Option<String>,
        /// Folder to search for the attempt's scenario.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Never run out of patience (no chasing when you take your time).
        #[arg(long)]
        no_timer: bool,
    },
    /// Play the golden tests (`tests:` in each scenario file) and report any that fail.
    Test {
        /// Files or folders. Default: $RAPPORT_SCENARIOS_DIR or ./scenarios.
        paths: Vec<PathBuf>,
        /// Print the full transcript of every test, not only of failing ones.
        #[arg(long, short)]
        verbose: bool,
        /// A folder with heads.json and ngrams.bin to use instead of the shipped ones
        /// (`make train` tries its heads on the pack's tests this way).
        #[arg(long)]
        heads: Option<PathBuf>,
    },
    /// Score replies: JSON Lines in on stdin, one JSON line out per line in, in order.
    ///
    /// Input lines: {"id", "text", "customer"?, "customer_name"?, "language"?,
    /// "scenario"?, "node"?}. With `scenario` (an id in the pack) and `node`, the reply
    /// is scored exactly as that node scores it in a conversation (its focus, the
    /// scenario's criteria and phrases, the node's customer line unless `customer` is
    /// given); a rubric the moment does not assess is null.
    /// Output lines: {"id", "scores": {...}, "criteria": [{"id", "rubric", "met",
    /// "evidence": [{"start", "end", "text"}], "tip"}]}, or {"id"?, "error"} for a line
    /// that is not valid input; the run goes on, and exits 1 if any line failed.
    Score {
        /// A scenario pack folder: its `rubrics/` add to the built-in rubrics, and its
        /// scenarios are the ones lines can name (default: the shipped pack).
        #[arg(long)]
        pack: Option<PathBuf>,
        /// Which layers judge: the rubrics' rules alone, every learned head deciding its
        /// criterion (`semantic`), or each criterion as the model chose (the default, what
        /// the app uses).
        #[arg(long, value_enum, default_value_t = Layer::Hybrid)]
        layer: Layer,
        /// A folder with heads.json and ngrams.bin to use instead of the shipped ones (a
        /// `make train --out-dir` output), for comparing models without rebuilding.
        #[arg(long, hide = true)]
        heads: Option<PathBuf>,
    },
    /// Measure the scorer against labelled replies: precision, recall and F1 per criterion.
    Eval {
        /// Labelled replies (JSON Lines with `labels`), e.g. ../shared/eval/dev-replies.jsonl.
        labels: PathBuf,
        /// `rapport score` output for those replies. Default: score them now.
        predictions: Option<PathBuf>,
    },
    /// Print the JSON schema of scenario files, for editors that complete YAML.
    ///
    /// Scenario files start with `# yaml-language-server: $schema=../schema/scenario.schema.json`;
    /// the shipped pack's copy is `schema/scenario.schema.json`. A pack kept elsewhere
    /// writes its own with `rapport schema --write PACK/../schema` (the schema line of its
    /// files then works as it is), or prints it with `rapport schema`. With `--tracks`,
    /// the schema of the pack's `tracks.yaml` (`schema/tracks.schema.json`).
    Schema {
        /// Write `scenario.schema.json` and `tracks.schema.json` into this folder
        /// (created if needed) instead of printing.
        #[arg(long, value_name = "DIR")]
        write: Option<PathBuf>,
        /// Print the schema of `tracks.yaml` instead of a scenario's.
        #[arg(long)]
        tracks: bool,
    },
    /// Every distinct path from the start to an ending (loops cut and said), and which
    /// golden tests cover each branch.
    Paths {
        /// A scenario file (or an id in the scenarios folder).
        scenario: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Draw the scenario: nodes, endings and branch conditions; untested branches dashed.
    Graph {
        /// A scenario file (or an id in the scenarios folder).
        scenario: String,
        #[arg(long, value_enum)]
        format: GraphFormat,
    },
    /// Try a reply at a node of a scenario: scored exactly as at that node, what decided
    /// each criterion, the branch it would take and why each earlier branch did not.
    Try {
        /// A scenario file (or an id in the scenarios folder).
        scenario: String,
        /// The node to answer at.
        #[arg(long)]
        node: String,
        /// The reply.
        reply: String,
        /// The customer's mood before the reply (default: the starting mood).
        #[arg(long)]
        mood: Option<u8>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Explain how a reply is scored: per criterion, met or not, the phrase (with its
    /// file and line), detector or semantic example that decided it, and what was
    /// cancelled and why.
    Explain {
        /// The reply to explain.
        reply: String,
        /// The customer's last line (for mirroring).
        #[arg(long)]
        customer: Option<String>,
        /// The customer's name (for `personalize`).
        #[arg(long)]
        name: Option<String>,
        /// `en` or `fr` (default: guessed from the reply).
        #[arg(long)]
        language: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Share a pack as one file: export a folder to NAME.rapportpack, import one.
    #[command(subcommand)]
    Pack(PackCommand),
    /// Developer tools for the semantic model (`make model`, `make train`).
    #[command(hide = true, subcommand)]
    Model(ModelCommand),
}

#[derive(Subcommand)]
enum PackCommand {
    /// Write the pack in DIR (scenarios, rubrics/, pack.yaml, notes) to one file: a zip
    /// with a manifest (id, title, version, author from pack.yaml; every file with its
    /// SHA-256). A pack with validation errors is not exported.
    Export {
        /// The pack folder.
        dir: PathBuf,
        /// The file to write, e.g. billing.rapportpack.
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Install a pack file into the data folder ($RAPPORT_DATA_DIR, else the per-user data
    /// folder), under packs/ID. It is checked (no links, no paths outside the pack, size
    /// limits, the manifest's SHA-256) and validated before anything is installed.
    Import {
        /// The .rapportpack file.
        file: PathBuf,
        /// Replace an installed pack with the same id (otherwise the import stops and says so).
        #[arg(long)]
        replace: bool,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ExportFormat {
    Csv,
    Xapi,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("rapport: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::List { dir, format } => list(dir, format),
        Command::Validate { paths, format } => validate(paths, format),
        Command::Play {
            scenario,
            seed,
            dir,
            no_timer,
        } => {
            let (scenario, scorer) = find_scenario(&scenario, dir)?;
            let mut app = recording_app(&scenario, scorer);
            play::run(&mut app, &scenario, play::Begin::Fresh { seed }, !no_timer)
        }
        Command::History { format, dir } => history(format, dir),
        Command::Resume { id, dir, no_timer } => resume(id, dir, !no_timer),
        Command::Export { format, out } => export(format, out),
        Command::Sync {
            endpoint,
            key,
            secret,
        } => sync(endpoint, key, secret),
        Command::Test {
            paths,
            verbose,
            heads,
        } => test(paths, verbose, heads.as_deref()),
        Command::Score { pack, layer, heads } => score(pack, layer, heads),
        Command::Model(cmd) => model(cmd),
        Command::Pack(cmd) => pack_command(cmd),
        Command::Paths { scenario, format } => paths(&scenario, format),
        Command::Graph { scenario, format } => {
            let (scenario, scorer) = find_scenario(&scenario, None)?;
            let edges = rapport_core::graph::edges(&scenario, scorer.as_ref());
            match format {
                GraphFormat::Dot => print!("{}", rapport_core::graph::dot(&scenario, &edges)),
                GraphFormat::Mermaid => {
                    print!("{}", rapport_core::graph::mermaid(&scenario, &edges))
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Try {
            scenario,
            node,
            reply,
            mood,
            format,
        } => try_at(&scenario, &node, &reply, mood, format),
        Command::Explain {
            reply,
            customer,
            name,
            language,
            format,
        } => explain(
            &reply,
            customer.as_deref(),
            name.as_deref(),
            language.as_deref(),
            format,
        ),
        Command::Schema {
            write: None,
            tracks,
        } => {
            if tracks {
                println!("{:#}", load::tracks_schema());
            } else {
                println!("{:#}", load::scenario_schema());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema {
            write: Some(dir), ..
        } => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            let file = dir.join("scenario.schema.json");
            std::fs::write(&file, format!("{:#}\n", load::scenario_schema()))
                .with_context(|| format!("cannot write {}", file.display()))?;
            let tracks = dir.join("tracks.schema.json");
            std::fs::write(&tracks, format!("{:#}\n", load::tracks_schema()))
                .with_context(|| format!("cannot write {}", tracks.display()))?;
            println!("wrote {} and {}", file.display(), tracks.display());
            println!(
                "scenario files in a folder beside it start with:\n# yaml-language-server: $schema=../{}/scenario.schema.json",
                dir.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval {
            labels,
            predictions,
        } => eval(&labels, predictions.as_deref()),
    }
}

/// An app over `scenario` alone that records into the attempt store, opened exactly as
/// the desktop app opens it; a store that cannot be opened is reported and play goes on.
fn recording_app(scenario: &Scenario, scorer: Arc<RubricScorer>) -> App {
    let (log, problem) = rapport_xapi::open_recording();
    let library = load::Library {
        scenarios: vec![scenario.clone()],
        reports: Vec::new(),
        tracks: Vec::new(),
        track_files: Vec::new(),
    };
    App::from_library(&scenario.source, library, Box::new(scorer)).with_log(log, problem)
}

/// The attempt store (queueing statements as attempts end), or the reason there is none.
fn open_log() -> Result<Box<dyn AttemptLog>> {
    match rapport_xapi::open_recording() {
        (Some(log), notice) => {
            if let Some(n) = notice {
                eprintln!("rapport: {n}");
            }
            Ok(log)
        }
        (None, problem) => bail!("{}", problem.unwrap_or_default()),
    }
}

fn history(format: Format, dir: Option<PathBuf>) -> Result<ExitCode> {
    let log = open_log()?;
    let app = App::open_pack(&dir.unwrap_or_else(default_dir)).with_log(Some(log), None);
    let entries = app.history()?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&entries)?),
        Format::Text => {
            if entries.is_empty() {
                println!("No attempts yet: `rapport play SCENARIO` starts one.");
            }
            for e in &entries {
                let how = match (&e.outcome, e.status) {
                    (Some(o), _) => o.clone(),
                    (None, AttemptStatus::Unfinished) if e.resumable => {
                        "unfinished (rapport resume continues it)".into()
                    }
                    (None, AttemptStatus::Unfinished) => "unfinished".into(),
                    (None, _) => "abandoned".into(),
                };
                let score = e
                    .scores
                    .map(|s| format!(" | overall {}", s.overall))
                    .unwrap_or_default();
                println!(
                    "{}  {} (v{})  {how}{score} | {} turns | seed {}  {}",
                    e.started, e.scenario, e.scenario_version, e.turns, e.seed, e.id
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn export(format: ExportFormat, out: Option<PathBuf>) -> Result<ExitCode> {
    let results = rapport_xapi::Results::open_default()?;
    let text = match format {
        ExportFormat::Csv => results.export_csv()?,
        ExportFormat::Xapi => results.export_xapi(rapport_xapi::now_ms())?,
    };
    match out {
        Some(path) => std::fs::write(&path, text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => io::stdout().write_all(text.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}

fn sync(endpoint: Option<String>, key: Option<String>, secret: Option<String>) -> Result<ExitCode> {
    let results = rapport_xapi::Results::open_default()?;
    if endpoint.is_some() || key.is_some() || secret.is_some() {
        let mut settings = results.settings()?;
        for (given, saved) in [
            (endpoint, &mut settings.lrs.endpoint),
            (key, &mut settings.lrs.key),
            (secret, &mut settings.lrs.secret),
        ] {
            if given.is_some() {
                *saved = given;
            }
        }
        results.save_settings(&settings)?;
    }
    let Some(lrs) = results.lrs()? else {
        let queued = results.queue_missing(rapport_xapi::now_ms())?;
        let status = results.status()?;
        eprintln!(
            "rapport: {} ({} statement(s) waiting{})",
            rapport_xapi::XapiError::NoLrs,
            status.waiting,
            if queued > 0 { ", just queued" } else { "" }
        );
        return Ok(ExitCode::from(2));
    };
    let report = results.sync(&lrs, &rapport_xapi::now_ms)?;
    println!(
        "sent {} statement(s); {} waiting",
        report.sent, report.waiting
    );
    if let Some(e) = &report.error {
        eprintln!("rapport: {e}");
    }
    Ok(if report.waiting == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn resume(id: Option<String>, dir: Option<PathBuf>, timer: bool) -> Result<ExitCode> {
    let log = open_log()?;
    let id = match id {
        Some(id) => id,
        None => log
            .unfinished()
            .map_err(anyhow::Error::msg)?
            .context("there is no unfinished attempt to resume")?,
    };
    let record = log
        .attempt(&id)
        .map_err(anyhow::Error::msg)?
        .with_context(|| format!("there is no attempt `{id}` in the history"))?;
    let (scenario, scorer) = find_scenario(&record.scenario_id, dir)
        .context("the attempt's scenario was not found (pass --dir)")?;
    let library = load::Library {
        scenarios: vec![scenario.clone()],
        reports: Vec::new(),
        tracks: Vec::new(),
        track_files: Vec::new(),
    };
    let mut app =
        App::from_library(&scenario.source, library, Box::new(scorer)).with_log(Some(log), None);
    match play::run(
        &mut app,
        &scenario,
        play::Begin::Resume { id: Some(id) },
        timer,
    ) {
        Err(e) => match e.downcast_ref::<AppError>() {
            Some(AppError::ScenarioChanged { scenario, .. }) => {
                eprintln!("rapport: {e}");
                eprintln!("  hint: `rapport play {scenario}` starts it afresh");
                Ok(ExitCode::from(1))
            }
            _ => Err(e),
        },
        ok => ok,
    }
}

fn pack_command(cmd: PackCommand) -> Result<ExitCode> {
    use rapport_packfile::{PackError, Replace};
    let result = match cmd {
        PackCommand::Export { dir, out } => rapport_packfile::export(&dir, &out).map(|m| {
            let bytes: u64 = m.files.iter().map(|f| f.size).sum();
            println!(
                "exported {} \"{}\" version {} ({} files, {} KiB) to {}",
                m.id,
                m.title,
                m.version,
                m.files.len(),
                bytes.div_ceil(1024),
                out.display()
            );
        }),
        PackCommand::Import { file, replace } => {
            let packs = rapport_core::pack::installed_packs_dir()
                .context("no data folder to install into (set RAPPORT_DATA_DIR)")?;
            let replace = if replace { Replace::Yes } else { Replace::No };
            rapport_packfile::import(&file, &packs, replace).map(|i| {
                for w in &i.warnings {
                    eprintln!("{w}");
                }
                let was = i
                    .replaced
                    .as_ref()
                    .map(|v| format!(", replacing version {v}"))
                    .unwrap_or_default();
                println!(
                    "installed {} \"{}\" version {} in {}{was}",
                    i.manifest.id,
                    i.manifest.title,
                    i.manifest.version,
                    i.dir.display()
                );
            })
        }
    };
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            eprintln!("rapport: {e}");
            match &e {
                PackError::Invalid { diagnostics, .. } => {
                    for d in diagnostics {
                        eprintln!("{d}");
                    }
                }
                PackError::Exists { .. } => {
                    eprintln!("  hint: `rapport pack import FILE --replace` replaces it")
                }
                _ => {}
            }
            Ok(ExitCode::from(match e {
                PackError::Io { .. } => 2,
                _ => 1,
            }))
        }
    }
}

fn default_dir() -> PathBuf {
    std::env::var_os(SCENARIOS_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("scenarios"))
}

fn paths_or_default(paths: Vec<PathBuf>) -> Result<Vec<PathBuf>> {
    let paths = if paths.is_empty() {
        vec![default_dir()]
    } else {
        paths
    };
    for p in &paths {
        if !p.exists() {
            bail!("{}: no such file or folder", p.display());
        }
    }
    Ok(paths)
}

/// The pack folder a path belongs to: itself if a folder, else its parent.
fn pack_dir(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    }
}

/// The scorer for a pack (built-in rubrics plus the pack's own), its rubric diagnostics,
/// and the load options that know the pack's criteria.
fn pack(dir: &Path) -> (Arc<RubricScorer>, Vec<Diagnostic>, LoadOptions) {
    let Pack {
        scorer,
        rubric_diagnostics,
        options,
    } = Pack::open(dir);
    (scorer, rubric_diagnostics, options)
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GraphFormat {
    Dot,
    Mermaid,
}

fn paths(wanted: &str, format: Format) -> Result<ExitCode> {
    let (scenario, scorer) = find_scenario(wanted, None)?;
    let edges = rapport_core::graph::edges(&scenario, scorer.as_ref());
    let (paths, truncated) = rapport_core::graph::paths(&scenario, &edges);
    if format == Format::Json {
        let json = serde_json::json!({"paths": paths, "truncated": truncated, "edges": edges});
        println!("{json:#}");
        return Ok(ExitCode::SUCCESS);
    }
    for (i, p) in paths.iter().enumerate() {
        let end = match (&p.ending, &p.loops_to) {
            (Some(e), _) => format!(" -> {e} ({})", scenario.endings[e].outcome.as_str()),
            (None, Some(n)) => format!(" -> back to {n} (loop, cut)"),
            _ => String::new(),
        };
        println!("path {}: {}{end}", i + 1, p.nodes.join(" -> "));
    }
    if truncated {
        println!(
            "(more than {} paths: the list stops here)",
            rapport_core::graph::MAX_PATHS
        );
    }
    let covered = edges.iter().filter(|e| !e.covered_by.is_empty()).count();
    println!(
        "\nbranch coverage: {covered} of {} edges taken by a golden test",
        edges.len()
    );
    for e in edges.iter().filter(|e| e.covered_by.is_empty()) {
        println!("  untested: {} -> {} ({})", e.from, e.to, e.label);
    }
    Ok(ExitCode::SUCCESS)
}

fn try_at(
    wanted: &str,
    node: &str,
    reply: &str,
    mood: Option<u8>,
    format: Format,
) -> Result<ExitCode> {
    let (scenario, scorer) = find_scenario(wanted, None)?;
    let t = rapport_core::trial::try_reply(&scenario, &scorer, node, reply, mood)?;
    if format == Format::Json {
        let json = serde_json::json!({
            "scores": t.score.scores,
            "criteria": t.why,
            "branch": t.branch,
            "rejected": t.rejected,
        });
        println!("{json:#}");
        return Ok(ExitCode::SUCCESS);
    }
    println!("{} @{}: {}", scenario.meta.id, t.node, t.customer_line);
    println!("you: {reply}");
    println!("{}", golden::scores_line(&t.score.scores));
    let focus = &scenario.focus_at(&scenario.nodes[node]);
    for why in &t.why {
        let called = if focus.contains(&why.criterion) {
            " (called for here)"
        } else {
            ""
        };
        if !why.met && why.cancelled.is_empty() && called.is_empty() {
            continue;
        }
        println!(
            "{}: {}{called}",
            why.criterion,
            if why.met { "met" } else { "not met" }
        );
        for d in &why.decided_by {
            println!("  by {d}");
        }
        for d in &why.cancelled {
            println!("  not counted: {d}");
        }
    }
    for r in &t.rejected {
        println!(
            "branch {} (to {}) did not hold: {}",
            r.index + 1,
            r.goto,
            r.failed.join("; ")
        );
    }
    match t.branch.index {
        Some(i) => println!(
            "takes branch {} to {} (mood {:+}): {}",
            i + 1,
            t.branch.goto,
            t.branch.mood,
            t.branch.reason
        ),
        None => println!(
            "takes `otherwise` to {} (mood {:+})",
            t.branch.goto, t.branch.mood
        ),
    }
    Ok(ExitCode::SUCCESS)
}

fn explain(
    reply: &str,
    customer: Option<&str>,
    name: Option<&str>,
    language: Option<&str>,
    format: Format,
) -> Result<ExitCode> {
    let language = match language {
        Some("fr") => rapport_core::model::Language::Fr,
        Some("en") => rapport_core::model::Language::En,
        Some(other) => bail!("--language is `en` or `fr`, not `{other}`"),
        None => guess_language(reply),
    };
    let scorer = RubricScorer::builtin();
    let (score, whys) = scorer.explain(&rapport_core::score::ReplyInput {
        text: reply,
        customer,
        customer_name: name,
        language,
        ..Default::default()
    });
    if format == Format::Json {
        let json = serde_json::json!({"scores": score.scores, "criteria": whys});
        println!("{json:#}");
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}", golden::scores_line(&score.scores));
    for (why, c) in whys.iter().zip(&score.criteria) {
        let state = match (c.penalty, why.met) {
            (false, true) => "met",
            (false, false) => "missed",
            (true, true) => "PRESENT (penalty)",
            (true, false) => "avoided",
        };
        println!("{}: {state}", why.criterion);
        for d in &why.decided_by {
            println!("  by {d}");
        }
        for d in &why.cancelled {
            println!("  not counted: {d}");
        }
        // A missed move is easier to learn from an example of it: the rubric file's own.
        if !c.penalty && !why.met {
            let example = scorer
                .examples()
                .find(|&(id, e)| {
                    id == why.criterion && e.met && guess_language(&e.reply) == language
                })
                .map(|(_, e)| (&e.reply, &e.file, e.line));
            if let Some((text, file, line)) = example {
                println!("  for example: \"{text}\" ({file}:{line})");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand)]
enum ModelCommand {
    /// Words on stdin (one a line) -> the tokens the scorer's tokenizer makes of them,
    /// unique and sorted, one a line: the vocabulary the word vectors are made for.
    Vocab,
    /// JSON Lines of replies on stdin ({"id", "text", "customer"?, "language"?}) -> one
    /// line each: {"id", "language", "sentences": [[token, ...], ...], "customer": [...]},
    /// the scorer's own tokens, for training the semantic heads on what it will see.
    Tokens,
    /// The examples every criterion's rubric file pins ({"criterion", "text", "met",
    /// "file", "line"}, one a line): the training script learns them too.
    Examples,
    /// The shipped pack's model answers as examples ({"criterion", "text", "customer",
    /// "customer_name", "language", "met": true, "file", "node"}, one line per answer and
    /// focus criterion): a trainer wrote each to meet its node's focus, so the training
    /// script learns them as it learns the rubric files' examples
    Answers,
}

fn model(cmd: ModelCommand) -> Result<ExitCode> {
    match cmd {
        ModelCommand::Vocab => {
            let mut words = std::collections::BTreeSet::new();
            for line in io::stdin().lines() {
                let line = line.context("reading stdin")?;
                for lang in [
                    rapport_core::model::Language::En,
                    rapport_core::model::Language::Fr,
                ] {
                    for t in scorer::text::tokenize(&line, lang).tokens {
                        if !t.number && t.norm.chars().any(char::is_alphabetic) {
                            words.insert(t.norm);
                        }
                    }
                }
            }
            let mut out = io::BufWriter::new(io::stdout().lock());
            for w in words {
                writeln!(out, "{w}")?;
            }
            Ok(ExitCode::SUCCESS)
        }
        ModelCommand::Examples => {
            let scorer = RubricScorer::builtin();
            let mut out = io::BufWriter::new(io::stdout().lock());
            for (criterion, e) in scorer.examples() {
                let json = serde_json::json!({"criterion": criterion, "text": e.reply, "customer": e.customer, "met": e.met, "file": e.file, "line": e.line});
                writeln!(out, "{json}")?;
            }
            Ok(ExitCode::SUCCESS)
        }
        ModelCommand::Answers => {
            let (_, _, opts) = pack(&default_dir());
            let library = load::load_paths(&[default_dir()], &opts);
            let mut out = io::BufWriter::new(io::stdout().lock());
            for scenario in &library.scenarios {
                let customer = &scenario.customer;
                let language = match scenario.meta.language {
                    rapport_core::model::Language::En => "en",
                    rapport_core::model::Language::Fr => "fr",
                };
                for (id, node) in &scenario.nodes {
                    let line = node.say.first().map(|l| template::render(l, customer));
                    for answer in &node.model_answers {
                        let text = template::render(answer, customer);
                        for criterion in &node.focus {
                            let json = serde_json::json!({"criterion": criterion, "text": text,
                                "customer": line, "customer_name": customer.first_name(),
                                "language": language, "met": true,
                                "file": scenario.meta.id, "node": id});
                            writeln!(out, "{json}")?;
                        }
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ModelCommand::Tokens => {
            let mut out = io::BufWriter::new(io::stdout().lock());
            for line in io::stdin().lines() {
                let v: serde_json::Value =
                    serde_json::from_str(&line.context("reading stdin")?).context("a JSON line")?;
                let text = v["text"].as_str().unwrap_or_default();
                let lang = match v["language"].as_str().or(v["lang"].as_str()) {
                    Some("fr") => rapport_core::model::Language::Fr,
                    Some("en") => rapport_core::model::Language::En,
                    _ => scorer::text::guess_language(text),
                };
                let t = scorer::text::tokenize(text, lang);
                let sentences: Vec<Vec<&str>> = t
                    .sentences
                    .iter()
                    .map(|s| {
                        t.tokens[s.first..s.end]
                            .iter()
                            .map(|k| k.norm.as_str())
                            .collect()
                    })
                    .collect();
                let c = scorer::text::tokenize(v["customer"].as_str().unwrap_or_default(), lang);
                let customer: Vec<&str> = c.tokens.iter().map(|k| k.norm.as_str()).collect();
                let lang = match lang {
                    rapport_core::model::Language::En => "en",
                    rapport_core::model::Language::Fr => "fr",
                };
                let json = serde_json::json!({"id": v["id"], "language": lang, "sentences": sentences, "customer": customer});
                writeln!(out, "{json}")?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[derive(Serialize)]
struct ListItem<'a> {
    id: &'a str,
    title: &'a str,
    summary: &'a str,
    difficulty: u8,
    skills: &'a [String],
    industry: Option<&'a str>,
    channel: rapport_core::model::Channel,
    language: rapport_core::model::Language,
    estimated_minutes: u32,
    /// The ids of the tracks that include it, in track order.
    tracks: Vec<&'a str>,
    file: &'a Path,
}

fn list(dir: Option<PathBuf>, format: Format) -> Result<ExitCode> {
    let dir = paths_or_default(dir.into_iter().collect())?.remove(0);
    let (_, _, opts) = pack(&pack_dir(&dir));
    let library = load::load_paths(std::slice::from_ref(&dir), &opts);
    let items: Vec<ListItem> = library
        .scenarios
        .iter()
        .map(|s| ListItem {
            id: &s.meta.id,
            title: &s.meta.title,
            summary: &s.meta.summary,
            difficulty: s.meta.difficulty,
            skills: &s.meta.skills,
            industry: s.meta.industry.as_deref(),
            channel: s.meta.channel,
            language: s.meta.language,
            estimated_minutes: s.meta.estimated_minutes,
            tracks: library
                .tracks
                .iter()
                .filter(|t| t.scenarios.contains(&s.meta.id))
                .map(|t| t.id.as_str())
                .collect(),
            file: &s.source,
        })
        .collect();
    let mut out = io::stdout().lock();
    match format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&items)?)?,
        Format::Text => {
            let width = items.iter().map(|i| i.id.len()).max().unwrap_or(2).max(2);
            let iw = items
                .iter()
                .filter_map(|i| i.industry.map(str::len))
                .max()
                .unwrap_or(8)
                .max(8);
            writeln!(
                out,
                "{:width$}  {:5}  {:7}  {:4}  {:iw$}  {:40}  SKILLS",
                "ID", "DIFF", "CHANNEL", "LANG", "INDUSTRY", "TITLE"
            )?;
            for i in &items {
                writeln!(
                    out,
                    "{:width$}  {:5}  {:7}  {:4}  {:iw$}  {:40}  {}",
                    i.id,
                    "★".repeat(i.difficulty.into()),
                    format!("{:?}", i.channel).to_lowercase(),
                    format!("{:?}", i.language).to_lowercase(),
                    i.industry.unwrap_or("-"),
                    truncate(i.title, 40),
                    i.skills.join(", ")
                )?;
            }
            let count = |f: &dyn Fn(&ListItem) -> Vec<String>| {
                items
                    .iter()
                    .flat_map(f)
                    .collect::<std::collections::BTreeSet<_>>()
                    .len()
            };
            let french = items
                .iter()
                .filter(|i| i.language == rapport_core::model::Language::Fr)
                .count();
            writeln!(
                out,
                "\n{} scenarios: {} skills, {} industries, {} channels, {} in French",
                items.len(),
                count(&|i| i.skills.to_vec()),
                count(&|i| i.industry.into_iter().map(str::to_string).collect()),
                count(&|i| vec![format!("{:?}", i.channel)]),
                french
            )?;
            if !library.tracks.is_empty() {
                writeln!(out, "\nTracks:")?;
            }
            for t in &library.tracks {
                writeln!(out, "\n{} ({}): {}", t.title, t.id, t.description.trim())?;
                for (n, id) in t.scenarios.iter().enumerate() {
                    let title = library
                        .scenarios
                        .iter()
                        .find(|s| &s.meta.id == id)
                        .map_or("(not loaded)", |s| s.meta.title.as_str());
                    writeln!(out, "  {}. {id}: {title}", n + 1)?;
                }
            }
        }
    }
    let broken = library
        .reports
        .iter()
        .filter(|r| r.scenario.is_none())
        .count();
    if broken > 0 {
        eprintln!(
            "note: {broken} file(s) could not be loaded; run `rapport validate {}` to see why",
            dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

fn validate(paths: Vec<PathBuf>, format: Format) -> Result<ExitCode> {
    let paths = paths_or_default(paths)?;
    let mut diagnostics = Vec::new();
    let mut files = 0;
    let mut track_files = 0;
    let mut packs_seen = std::collections::BTreeSet::new();
    for path in &paths {
        // A rubric file named directly is checked as part of its pack's rubrics.
        let rubric_pack = path
            .parent()
            .filter(|p| path.is_file() && p.file_name().is_some_and(|n| n == "rubrics"))
            .map(|p| p.parent().unwrap_or(Path::new(".")).to_path_buf());
        let root = rubric_pack.clone().unwrap_or_else(|| pack_dir(path));
        let (_, rubric_diags, opts) = pack(&root);
        if packs_seen.insert(root) {
            diagnostics.extend(rubric_diags);
        }
        if rubric_pack.is_some() {
            continue;
        }
        let library = load::load_paths(std::slice::from_ref(path), &opts);
        track_files += library.track_files.len();
        files += library.scenarios.len()
            + library
                .reports
                .iter()
                .filter(|r| r.scenario.is_none() && !load::is_tracks_file(&r.path))
                .count();
        for report in library.reports {
            diagnostics.extend(report.diagnostics);
        }
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let mut out = io::stdout().lock();
    match format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&diagnostics)?)?,
        Format::Text => {
            for d in &diagnostics {
                writeln!(out, "{d}")?;
            }
            let warnings = diagnostics.len() - errors;
            let tracks = match track_files {
                0 => String::new(),
                n => format!(" and {n} tracks file(s)"),
            };
            writeln!(
                out,
                "{files} scenario file(s){tracks} checked: {errors} error(s), {warnings} warning(s)"
            )?;
        }
    }
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A scenario by path or by id in the scenarios folder, with its pack's scorer.
fn find_scenario(wanted: &str, dir: Option<PathBuf>) -> Result<(Scenario, Arc<RubricScorer>)> {
    let as_path = Path::new(wanted);
    let dir = dir.unwrap_or_else(default_dir);
    let (root, file) = if as_path.is_file() {
        (pack_dir(as_path), as_path.to_path_buf())
    } else {
        (dir.clone(), dir.clone())
    };
    let (scorer, _, opts) = pack(&root);
    let library = load::load_paths(&[file], &opts);
    if let Some(s) = library
        .scenarios
        .iter()
        .find(|s| as_path.is_file() || s.meta.id == wanted)
    {
        return Ok((s.clone(), scorer));
    }
    if let Some(report) = library.reports.iter().find(|r| r.scenario.is_none()) {
        if as_path.is_file() {
            for d in &report.diagnostics {
                eprintln!("{d}");
            }
            bail!("{wanted} has errors; fix them and try again");
        }
    }
    let ids: Vec<&str> = library
        .scenarios
        .iter()
        .map(|s| s.meta.id.as_str())
        .collect();
    let hint = rapport_core::diag::suggest(wanted, ids.iter().copied())
        .map(|s| format!(" Did you mean `{s}`?"))
        .unwrap_or_default();
    bail!(
        "no scenario `{wanted}` in {}.{hint} Known: {}",
        dir.display(),
        ids.join(", ")
    )
}

/// Diagnostics that come from scoring the pack's own replies, not from its syntax.
/// `model-answer-penalty` was missing, so `make train` shipped a head that judged a
/// model answer of scam-victim-bank as `blame_customer`.
const SCORER_JUDGED: &[&str] = &[
    "model-answer-misses-focus",
    "model-answer-penalty",
    "choice-leads-elsewhere",
];

fn test(paths: Vec<PathBuf>, verbose: bool, heads: Option<&Path>) -> Result<ExitCode> {
    let paths = paths_or_default(paths)?;
    let (mut passed, mut failed, mut broken) = (0, 0, 0);
    let mut out = io::stdout().lock();
    for path in &paths {
        let (mut scorer, _, mut opts) = pack(&pack_dir(path));
        if let Some(dir) = heads {
            opts.scorer = None;
            let own = Arc::try_unwrap(scorer)
                .map_err(|_| anyhow!("the pack's scorer is shared; cannot swap its heads"))?;
            scorer = Arc::new(own.with_semantic(load_heads(dir)?));
            opts.scorer = Some(scorer.clone());
        }
        let library = load::load_paths(std::slice::from_ref(path), &opts);
        for report in library.reports.iter().filter(|r| r.scenario.is_none()) {
            broken += 1;
            writeln!(
                out,
                "BROKEN {} (run `rapport validate` on it)",
                report.path.display()
            )?;
        }
        // What the scorer itself judges in the files (a model answer that misses its
        // node's focus, a choice whose scored result takes another branch, a rubric
        // example it judges otherwise) is as much a test of the pack as its transcripts:
        // shown here, and `make train` reads it.
        for d in library.reports.iter().flat_map(|r| &r.diagnostics) {
            if SCORER_JUDGED.contains(&d.code.as_str()) {
                writeln!(out, "WARNING {d}")?;
            }
        }
        for failure in scorer.example_failures() {
            writeln!(out, "WARNING example {failure}")?;
        }
        for scenario in &library.scenarios {
            let runs = golden::run_all(scenario, &scorer);
            for run in &runs {
                let ok = run.passed();
                if ok {
                    passed += 1;
                } else {
                    failed += 1;
                }
                // The debrief's scores, so a trainer sees how each scripted run is judged.
                let scores = run
                    .session
                    .debrief(scenario)
                    .map(|d| {
                        let s = d.scores;
                        format!(
                            " (overall {}: empathy {}, problem solving {}, professionalism {})",
                            s.overall,
                            golden::shown(s.empathy),
                            golden::shown(s.problem_solving),
                            golden::shown(s.professionalism)
                        )
                    })
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{} {} :: {}{scores}",
                    if ok { "ok    " } else { "FAILED" },
                    scenario.meta.id,
                    run.name
                )?;
                for f in &run.failures {
                    writeln!(out, "         {f}")?;
                }
                if verbose || !ok {
                    for line in golden::transcript_text(run.session.transcript()).lines() {
                        writeln!(out, "         | {line}")?;
                    }
                }
            }
            let edges = rapport_core::graph::edges_taken_by(scenario, &runs);
            let covered = edges.iter().filter(|e| !e.covered_by.is_empty()).count();
            writeln!(
                out,
                "       {} :: branch coverage {covered} of {} edges (`rapport paths` lists the untested)",
                scenario.meta.id,
                edges.len()
            )?;
        }
    }
    writeln!(
        out,
        "{passed} passed, {failed} failed{}",
        if broken > 0 {
            format!(", {broken} file(s) did not load")
        } else {
            String::new()
        }
    )?;
    Ok(if failed + broken > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The scorer's layers, for comparing them.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Layer {
    Rules,
    Semantic,
    Hybrid,
}

/// The learned heads of a folder (heads.json, ngrams.bin) on the shipped word vectors.
fn load_heads(path: &Path) -> Result<Arc<rapport_core::scorer::semantic::Semantic>> {
    let text = std::fs::read_to_string(path.join("heads.json"))
        .with_context(|| format!("reading {}/heads.json", path.display()))?;
    let ngrams = std::fs::read(path.join("ngrams.bin"))
        .with_context(|| format!("reading {}/ngrams.bin", path.display()))?;
    let model = rapport_core::scorer::semantic::Semantic::builtin()
        .with_heads(&ngrams, &text)
        .with_context(|| format!("{} does not hold a model", path.display()))?;
    Ok(Arc::new(model))
}

fn score(pack_path: Option<PathBuf>, layer: Layer, heads: Option<PathBuf>) -> Result<ExitCode> {
    let (scorer, scenarios_dir) = match pack_path {
        Some(dir) => {
            let (scorer, diagnostics) = RubricScorer::with_pack_dir(&dir);
            for d in &diagnostics {
                eprintln!("{d}");
            }
            if diagnostics.iter().any(Diagnostic::is_error) {
                bail!("the rubrics in {} have errors", dir.display());
            }
            (scorer, dir)
        }
        None => (RubricScorer::builtin(), default_dir()),
    };
    let scorer = match heads {
        Some(path) => scorer.with_semantic(load_heads(&path)?),
        None => scorer,
    };
    let scorer = match layer {
        Layer::Hybrid => scorer,
        Layer::Rules => scorer.without_semantic(),
        Layer::Semantic => scorer.with_semantic_mode(rapport_core::scorer::semantic::Mode::Learned),
    };
    // Scenarios only matter to lines that name one; a missing folder is no error here.
    let scenarios = if scenarios_dir.is_dir() {
        let mut opts = LoadOptions::with_criteria(scorer.criteria().map(|(id, _)| id));
        opts.scorer = None;
        load::load_paths(&[scenarios_dir], &opts).scenarios
    } else {
        Vec::new()
    };
    let stdin = io::stdin().lock();
    let stdout = io::BufWriter::new(io::stdout().lock());
    let failed = rapport_core::jsonl::run_in(stdin, stdout, &scorer, &scenarios)
        .context("reading or writing JSON Lines")?;
    if failed > 0 {
        eprintln!("rapport score: {failed} line(s) were not valid input");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn eval(labels: &Path, predictions: Option<&Path>) -> Result<ExitCode> {
    let read =
        |p: &Path| std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()));
    let labels_text = read(labels)?;
    let predictions_text = match predictions {
        Some(p) => read(p)?,
        None => {
            let mut out = Vec::new();
            rapport_core::jsonl::run(labels_text.as_bytes(), &mut out, &RubricScorer::builtin())?;
            String::from_utf8(out)?
        }
    };
    let report = scorer::eval::evaluate(labels_text.as_bytes(), predictions_text.as_bytes())
        .context("comparing the scores with the labels")?;
    println!("{report}");
    Ok(ExitCode::SUCCESS)
}
