//! The trainer's Studio, without a window: a pack folder opened as the app shows it.
//!
//! [`Studio::open`] loads a pack exactly as `rapport validate` does (its rubrics, then
//! every scenario file) and keeps every file with its diagnostics ([`StudioView`]); the
//! shell reopens it when a file changes on disk. For one scenario it gives the graph the
//! Studio draws ([`ScenarioGraph`]: nodes, endings, edges with their conditions and
//! whether a golden test takes them), its golden tests run ([`TestResult`]), and a reply
//! tried at any node ([`Studio::try_reply`], the code path of `rapport try`).
//! Pure: it reads the files of the folder it is given, nothing else.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::diag::Diagnostic;
use crate::golden;
use crate::graph::{self, Via};
use crate::load::{self, Library};
use crate::model::{Outcome, Scenario};
use crate::pack::{Pack, PackInfo};
use crate::score::Scores;
use crate::trial::{self, TrialError};

/// One file of the pack and what the validator says about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StudioFile {
    /// Relative to the pack folder, `/`-separated.
    pub path: String,
    /// The scenario it defines, when it loaded.
    pub scenario_id: Option<String>,
    pub errors: usize,
    pub warnings: usize,
    pub diagnostics: Vec<Diagnostic>,
}

/// The pack as the Studio lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StudioView {
    pub dir: String,
    /// What the pack says it is (its `pack.yaml`), when that can be read.
    pub info: Option<PackInfo>,
    /// Every scenario, rubric and pack file, sorted by path.
    pub files: Vec<StudioFile>,
    /// Increases with every reload, so the page can tell a new view from an old one.
    pub revision: u64,
}

/// A node or ending of the graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GraphNode {
    pub id: String,
    /// `None` for a node; the outcome for an ending.
    pub outcome: Option<Outcome>,
    pub start: bool,
    /// The node's first line (or the ending's closing line), for a tooltip.
    pub say: String,
    /// Guided nodes: the choices, as written.
    pub choices: Vec<String>,
}

/// An edge of the graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GraphEdge {
    pub from: String,
    pub to: String,
    /// `branch N` (1-based), `otherwise`, `silence` or `hang up`.
    pub via: String,
    /// The condition in words.
    pub label: String,
    /// The golden tests that take it; empty: untested.
    pub covered_by: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ScenarioGraph {
    pub scenario: String,
    pub title: String,
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
}

/// One golden test's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TestResult {
    pub name: String,
    pub passed: bool,
    /// What differed from the test's expectations (the first turn that left the
    /// expected path comes first).
    pub failures: Vec<String>,
    /// The run as `rapport test --verbose` prints it.
    pub transcript: String,
}

/// One criterion of a tried reply and what decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TriedCriterion {
    pub id: String,
    pub met: bool,
    /// Called for at this node (its `focus`).
    pub focus: bool,
    pub decided_by: Vec<String>,
    pub cancelled: Vec<String>,
}

/// A branch a tried reply did not take, and the parts of its condition that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TriedRejected {
    /// 1-based, as the Studio numbers branches.
    pub branch: usize,
    pub goto: String,
    pub failed: Vec<String>,
}

/// A reply tried at a node: `rapport try` as a view.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TrialView {
    pub node: String,
    pub customer_line: String,
    pub scores: Scores,
    pub criteria: Vec<TriedCriterion>,
    /// `branch N` or `otherwise`.
    pub via: String,
    pub goto: String,
    pub mood: i32,
    pub reason: String,
    pub rejected: Vec<TriedRejected>,
}

/// A pack folder opened for authoring.
pub struct Studio {
    dir: PathBuf,
    pack: Pack,
    library: Library,
    view: StudioView,
}

impl Studio {
    /// Loads the pack in `dir`; `revision` is carried into the view.
    pub fn open(dir: &Path, revision: u64) -> Studio {
        let pack = Pack::open(dir);
        let library = load::load_paths(&[dir.to_path_buf()], &pack.options);
        let rel = |p: &Path| {
            p.strip_prefix(dir)
                .unwrap_or(p)
                .to_string_lossy()
                .replace('\\', "/")
        };
        let mut files: BTreeMap<String, StudioFile> = BTreeMap::new();
        let mut entry = |path: &Path, id: Option<&str>| {
            let key = rel(path);
            let f = files.entry(key.clone()).or_insert_with(|| StudioFile {
                path: key,
                scenario_id: None,
                errors: 0,
                warnings: 0,
                diagnostics: Vec::new(),
            });
            if let Some(id) = id {
                f.scenario_id = Some(id.to_string());
            }
        };
        for s in &library.scenarios {
            entry(&s.source, Some(&s.meta.id));
        }
        for r in &library.reports {
            entry(&r.path, None);
        }
        for name in rubric_files(dir) {
            entry(&name, None);
        }
        if dir.join(crate::pack::PACK_FILE).is_file() {
            entry(&dir.join(crate::pack::PACK_FILE), None);
        }
        let (info, info_problem) = match PackInfo::read(dir) {
            Ok(info) => (Some(info), None),
            Err(d) => (None, Some(d)),
        };
        let all: Vec<&Diagnostic> = library
            .diagnostics()
            .chain(&pack.rubric_diagnostics)
            .chain(info_problem.as_ref())
            .collect();
        for d in &all {
            entry(&d.file, None);
        }
        for d in all {
            if let Some(f) = files.get_mut(&rel(&d.file)) {
                if d.is_error() {
                    f.errors += 1;
                } else {
                    f.warnings += 1;
                }
                f.diagnostics.push(d.clone());
            }
        }
        let view = StudioView {
            dir: dir.display().to_string(),
            info,
            files: files.into_values().collect(),
            revision,
        };
        Studio {
            dir: dir.to_path_buf(),
            pack,
            library,
            view,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn view(&self) -> &StudioView {
        &self.view
    }

    fn scenario(&self, id: &str) -> Result<&Scenario, String> {
        self.library
            .scenarios
            .iter()
            .find(|s| s.meta.id == id)
            .ok_or_else(|| {
                format!("there is no loadable scenario `{id}` in this pack (fix its errors first)")
            })
    }

    /// The graph of scenario `id`, each edge with the golden tests that take it.
    pub fn graph(&self, id: &str) -> Result<ScenarioGraph, String> {
        let scenario = self.scenario(id)?;
        let edges = graph::edges(scenario, self.pack.scorer.as_ref());
        let mut nodes: Vec<GraphNode> = scenario
            .nodes
            .iter()
            .map(|(nid, n)| GraphNode {
                id: nid.clone(),
                outcome: None,
                start: *nid == scenario.start,
                say: n.say.first().cloned().unwrap_or_default(),
                choices: n.choices.clone(),
            })
            .collect();
        nodes.extend(scenario.endings.iter().map(|(eid, e)| GraphNode {
            id: eid.clone(),
            outcome: Some(e.outcome),
            start: false,
            say: e.say.first().cloned().unwrap_or_default(),
            choices: Vec::new(),
        }));
        Ok(ScenarioGraph {
            scenario: id.to_string(),
            title: scenario.meta.title.clone(),
            nodes,
            edges: edges
                .into_iter()
                .map(|e| GraphEdge {
                    via: match e.via {
                        Via::Branch { index } => format!("branch {}", index + 1),
                        Via::Otherwise => "otherwise".into(),
                        Via::Silence => "silence".into(),
                        Via::HangUp => "hang up".into(),
                    },
                    from: e.from,
                    to: e.to,
                    label: e.label,
                    covered_by: e.covered_by,
                })
                .collect(),
        })
    }

    /// Runs scenario `id`'s golden tests (and its model answers' run).
    pub fn run_tests(&self, id: &str) -> Result<Vec<TestResult>, String> {
        let scenario = self.scenario(id)?;
        Ok(golden::run_all(scenario, self.pack.scorer.as_ref())
            .into_iter()
            .map(|run| TestResult {
                passed: run.passed(),
                transcript: golden::transcript_text(run.session.transcript()),
                name: run.name,
                failures: run.failures,
            })
            .collect())
    }

    /// `reply` tried at `node` of scenario `id`, with the customer at `mood` (default:
    /// the starting mood): the same call as `rapport try`.
    pub fn try_reply(
        &self,
        id: &str,
        node: &str,
        reply: &str,
        mood: Option<u8>,
    ) -> Result<TrialView, String> {
        let scenario = self.scenario(id)?;
        let t = trial::try_reply(scenario, &self.pack.scorer, node, reply, mood)
            .map_err(|e: TrialError| e.to_string())?;
        let focus = &scenario.nodes[node].focus;
        Ok(TrialView {
            node: t.node,
            customer_line: t.customer_line,
            scores: t.score.scores,
            criteria: t
                .why
                .into_iter()
                .map(|w| TriedCriterion {
                    focus: focus.contains(&w.criterion),
                    id: w.criterion,
                    met: w.met,
                    decided_by: w.decided_by,
                    cancelled: w.cancelled,
                })
                .collect(),
            via: match t.branch.index {
                Some(i) => format!("branch {}", i + 1),
                None => "otherwise".into(),
            },
            goto: t.branch.goto,
            mood: t.branch.mood,
            reason: t.branch.reason,
            rejected: t
                .rejected
                .into_iter()
                .map(|r| TriedRejected {
                    branch: r.index + 1,
                    goto: r.goto,
                    failed: r.failed,
                })
                .collect(),
        })
    }
}

/// The YAML files of the pack's `rubrics/` folder.
fn rubric_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir.join("rubrics")) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
    }

    #[test]
    fn the_shipped_pack_opens_with_every_file_and_no_problem() {
        let studio = Studio::open(&shipped(), 1);
        let v = studio.view();
        assert_eq!(v.info.as_ref().unwrap().id, "rapport-starter");
        let paths: Vec<&str> = v.files.iter().map(|f| f.path.as_str()).collect();
        assert!(paths.contains(&"double-charge.yaml"), "{paths:?}");
        assert!(paths.contains(&"rubrics/empathy.yaml"), "{paths:?}");
        assert!(paths.contains(&"pack.yaml"), "{paths:?}");
        assert!(v.files.iter().all(|f| f.errors == 0), "{v:#?}");
        let dc = v
            .files
            .iter()
            .find(|f| f.path == "double-charge.yaml")
            .unwrap();
        assert_eq!(dc.scenario_id.as_deref(), Some("double-charge"));
    }

    #[test]
    fn graph_tests_and_try_for_one_scenario() {
        let studio = Studio::open(&shipped(), 1);
        let g = studio.graph("double-charge").unwrap();
        assert!(g.nodes.iter().any(|n| n.start));
        assert!(g.nodes.iter().any(|n| n.outcome.is_some()));
        assert!(g.edges.iter().any(|e| !e.covered_by.is_empty()));
        let tests = studio.run_tests("double-charge").unwrap();
        assert!(
            !tests.is_empty() && tests.iter().all(|t| t.passed),
            "{tests:#?}"
        );
        let start = g.nodes.iter().find(|n| n.start).unwrap().id.clone();
        let t = studio
            .try_reply(
                "double-charge",
                &start,
                "I'm so sorry, let me refund that now.",
                None,
            )
            .unwrap();
        assert!(t.criteria.iter().any(|c| c.id == "apologize" && c.met));
        assert!(!t.goto.is_empty());
        assert!(studio
            .try_reply("double-charge", "nope", "x", None)
            .is_err());
        assert!(studio.graph("nope").is_err());
    }

    #[test]
    fn a_broken_file_is_listed_with_its_diagnostics() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bad.yaml"), "id: bad\ntitle: [unclosed\n").unwrap();
        let studio = Studio::open(dir.path(), 2);
        let v = studio.view();
        assert_eq!(v.revision, 2);
        let bad = &v.files[0];
        assert_eq!(bad.path, "bad.yaml");
        assert!(bad.errors > 0 && bad.scenario_id.is_none(), "{bad:#?}");
    }
}
