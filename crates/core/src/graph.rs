//! The shape of a scenario, for trainers: its edges (every branch, `otherwise`, silence
//! and hang-up), every distinct path from the start to an ending (loops cut and said),
//! which of its golden tests cover each edge, and the scenario drawn as Graphviz DOT or
//! Mermaid (`rapport paths`, `rapport graph`).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Serialize;

use crate::engine::{EventKind, Rule};
use crate::golden;
use crate::model::{Condition, Scenario};
use crate::score::Scorer;

/// What takes the conversation along an edge.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Via {
    /// `branches[index]` (0-based).
    Branch {
        index: usize,
    },
    Otherwise,
    /// The node's `on_silence` target.
    Silence,
    /// The customer hangs up after `max_chases` chases.
    HangUp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub via: Via,
    /// The condition in words ("met apologize; mood >= 40").
    pub label: String,
    /// Names of the golden tests that take this edge.
    pub covered_by: Vec<String>,
}

/// One path from the start; `loops_to` names the node a cut loop went back to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Path {
    pub nodes: Vec<String>,
    pub ending: Option<String>,
    pub loops_to: Option<String>,
}

/// More paths than this are not listed (a scenario with many loops could have millions).
pub const MAX_PATHS: usize = 500;

fn label(c: &Condition) -> String {
    let mut parts = Vec::new();
    for (k, v) in &c.min_score {
        parts.push(format!("{} >= {v}", k.as_str()));
    }
    for (k, v) in &c.max_score {
        parts.push(format!("{} <= {v}", k.as_str()));
    }
    if !c.met.is_empty() {
        parts.push(format!("met {}", c.met.join(" + ")));
    }
    if !c.met_any.is_empty() {
        parts.push(format!("any of {}", c.met_any.join(" / ")));
    }
    if !c.missed.is_empty() {
        parts.push(format!("no {}", c.missed.join(" / ")));
    }
    if !c.says_any.is_empty() {
        parts.push(format!("says {}", c.says_any.join(" / ")));
    }
    if !c.says_none.is_empty() {
        parts.push(format!("never says {}", c.says_none.join(" / ")));
    }
    if let Some(m) = c.mood_at_least {
        parts.push(format!("mood >= {m}"));
    }
    if let Some(m) = c.mood_at_most {
        parts.push(format!("mood <= {m}"));
    }
    if let Some(n) = c.chases_at_least {
        parts.push(format!("chased >= {n}"));
    }
    if let Some(n) = c.chases_at_most {
        parts.push(format!("chased <= {n}"));
    }
    if parts.is_empty() {
        "always".into()
    } else {
        parts.join("; ")
    }
}

/// Every edge of the scenario, in node order, with the tests that take it.
pub fn edges(scenario: &Scenario, scorer: &dyn Scorer) -> Vec<Edge> {
    edges_taken_by(scenario, &golden::run_all(scenario, scorer))
}

/// [`edges`], for test runs already played (`rapport test` has them).
pub fn edges_taken_by(scenario: &Scenario, runs: &[golden::TestRun]) -> Vec<Edge> {
    let mut taken: BTreeSet<(String, Via, String)> = BTreeSet::new();
    for run in runs {
        for e in run.session.transcript() {
            if let EventKind::BranchTaken { from, to, rule, .. } = &e.kind {
                let via = match rule {
                    Rule::Branch { index } => Via::Branch { index: *index },
                    Rule::Otherwise => Via::Otherwise,
                    Rule::Silence
                        if scenario.endings.get(to).is_some_and(|_| {
                            scenario.nodes.get(from).is_some_and(|n| {
                                n.on_silence.as_ref().is_none_or(|s| s.goto.is_none())
                            })
                        }) =>
                    {
                        Via::HangUp
                    }
                    Rule::Silence => Via::Silence,
                };
                taken.insert((from.clone(), via, run.name.clone()));
            }
        }
    }
    let covered = |from: &str, via: &Via| -> Vec<String> {
        taken
            .iter()
            .filter(|(f, v, _)| f == from && v == via)
            .map(|(_, _, t)| t.clone())
            .collect()
    };
    let mut out = Vec::new();
    for (id, node) in &scenario.nodes {
        for (index, b) in node.branches.iter().enumerate() {
            let via = Via::Branch { index };
            out.push(Edge {
                from: id.clone(),
                to: b.then.goto.clone(),
                label: label(&b.when),
                covered_by: covered(id, &via),
                via,
            });
        }
        out.push(Edge {
            from: id.clone(),
            to: node.otherwise.goto.clone(),
            via: Via::Otherwise,
            label: "otherwise".into(),
            covered_by: covered(id, &Via::Otherwise),
        });
        // A written channel has no silence: no chase, no hang-up (see `Channel::is_written`).
        let on_silence = node
            .on_silence
            .as_ref()
            .filter(|_| !scenario.meta.channel.is_written());
        match on_silence.and_then(|s| s.goto.clone()) {
            Some(to) => out.push(Edge {
                from: id.clone(),
                to,
                via: Via::Silence,
                label: "silence".into(),
                covered_by: covered(id, &Via::Silence),
            }),
            None => {
                if let (Some(_), Some(to)) =
                    (scenario.patience_seconds(), scenario.hang_up_ending())
                {
                    out.push(Edge {
                        from: id.clone(),
                        to: to.to_string(),
                        via: Via::HangUp,
                        label: format!("silence after {} chases", scenario.customer.max_chases),
                        covered_by: covered(id, &Via::HangUp),
                    });
                }
            }
        }
    }
    out
}

/// Every distinct path from the start, depth first, a node never twice in one path (the
/// loop is cut and said), at most [`MAX_PATHS`]; and whether the list was cut short.
pub fn paths(scenario: &Scenario, edges: &[Edge]) -> (Vec<Path>, bool) {
    let mut out = Vec::new();
    let mut stack = vec![scenario.start.clone()];
    let mut truncated = false;
    walk(scenario, edges, &mut stack, &mut out, &mut truncated);
    (out, truncated)
}

fn walk(
    scenario: &Scenario,
    edges: &[Edge],
    stack: &mut Vec<String>,
    out: &mut Vec<Path>,
    truncated: &mut bool,
) {
    if out.len() >= MAX_PATHS {
        *truncated = true;
        return;
    }
    let at = stack.last().cloned().unwrap_or_default();
    let mut seen_targets = BTreeSet::new();
    for e in edges.iter().filter(|e| e.from == at) {
        if !seen_targets.insert(e.to.clone()) {
            continue;
        }
        if scenario.endings.contains_key(&e.to) {
            out.push(Path {
                nodes: stack.clone(),
                ending: Some(e.to.clone()),
                loops_to: None,
            });
        } else if stack.contains(&e.to) {
            out.push(Path {
                nodes: stack.clone(),
                ending: None,
                loops_to: Some(e.to.clone()),
            });
        } else {
            stack.push(e.to.clone());
            walk(scenario, edges, stack, out, truncated);
            stack.pop();
        }
        if out.len() >= MAX_PATHS {
            *truncated = true;
            return;
        }
    }
}

fn dot_id(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The scenario as Graphviz DOT: nodes as boxes, endings as ovals named by outcome,
/// untested edges dashed.
pub fn dot(scenario: &Scenario, edges: &[Edge]) -> String {
    let mut out = format!("digraph {} {{\n  rankdir=LR;\n", dot_id(&scenario.meta.id));
    for id in scenario.nodes.keys() {
        let _ = writeln!(out, "  {} [shape=box];", dot_id(id));
    }
    for (id, e) in &scenario.endings {
        let _ = writeln!(
            out,
            "  {} [shape=oval, label={}];",
            dot_id(id),
            dot_id(&format!("{id}\n({})", e.outcome.as_str()))
        );
    }
    for e in edges {
        let style = if e.covered_by.is_empty() {
            ", style=dashed"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {} -> {} [label={}{style}];",
            dot_id(&e.from),
            dot_id(&e.to),
            dot_id(&e.label)
        );
    }
    out.push_str("}\n");
    out
}

fn mermaid_text(s: &str) -> String {
    s.replace('"', "'").replace(['[', ']', '{', '}', '|'], " ")
}

/// The scenario as a Mermaid flowchart; untested edges dotted.
pub fn mermaid(scenario: &Scenario, edges: &[Edge]) -> String {
    let mut out = String::from("flowchart LR\n");
    for id in scenario.nodes.keys() {
        let _ = writeln!(out, "  {id}[\"{}\"]", mermaid_text(id));
    }
    for (id, e) in &scenario.endings {
        let _ = writeln!(
            out,
            "  {id}([\"{} ({})\"])",
            mermaid_text(id),
            e.outcome.as_str()
        );
    }
    for e in edges {
        let arrow = if e.covered_by.is_empty() {
            "-.->"
        } else {
            "-->"
        };
        let _ = writeln!(
            out,
            "  {} {arrow}|\"{}\"| {}",
            e.from,
            mermaid_text(&e.label),
            e.to
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{GoldenTest, TestTurn};
    use crate::testkit::{scenario, WordScorer};

    #[test]
    fn paths_reach_every_ending_and_cut_loops() {
        let sc = scenario();
        let e = edges(&sc, &WordScorer);
        let (paths, truncated) = paths(&sc, &e);
        assert!(!truncated);
        let endings: BTreeSet<_> = paths.iter().filter_map(|p| p.ending.clone()).collect();
        assert_eq!(
            endings,
            ["happy", "hung_up", "meh"].map(String::from).into()
        );
        assert!(
            paths.iter().any(|p| p.loops_to.as_deref() == Some("start")),
            "start's otherwise loops back to itself: {paths:?}"
        );
    }

    #[test]
    fn edges_know_which_tests_take_them() {
        let mut sc = scenario();
        sc.tests.push(GoldenTest {
            name: "sorry twice".into(),
            seed: 0,
            variant: None,
            turns: vec![
                TestTurn::Reply("so sorry".into()),
                TestTurn::Reply("sorry again".into()),
            ],
            path: vec![],
            ending: "happy".into(),
            overall_at_least: None,
            overall_at_most: None,
        });
        let e = edges(&sc, &WordScorer);
        let apology = e
            .iter()
            .find(|e| e.from == "start" && e.via == Via::Branch { index: 1 })
            .unwrap();
        assert!(apology.covered_by.contains(&"sorry twice".to_string()));
        let blame = e
            .iter()
            .find(|e| e.from == "start" && e.via == Via::Branch { index: 0 })
            .unwrap();
        assert!(blame.covered_by.is_empty());
        assert!(
            dot(&sc, &e).contains("style=dashed"),
            "untested edges are dashed"
        );
        assert!(mermaid(&sc, &e).starts_with("flowchart LR"));
        assert!(e.iter().any(|e| e.via == Via::HangUp && e.to == "hung_up"));
    }
}
