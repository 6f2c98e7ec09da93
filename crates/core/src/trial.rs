//! Trying a reply at any node, for trainers (`rapport try`): the reply scored exactly as
//! that node scores it, what decided each criterion, the branch it would take and, for
//! every earlier branch, the parts of its condition that failed.

use serde::Serialize;

use crate::engine::{choose_branch, failed_parts, with_input_at, OnReply, Rule};
use crate::model::Scenario;
use crate::score::ReplyScore;
use crate::scorer::{RubricScorer, Why};

/// The branch a reply takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Taken {
    /// The branch's place (0-based) in the node's `branches`; `None` for `otherwise`.
    pub index: Option<usize>,
    pub goto: String,
    pub mood: i32,
    pub reason: String,
}

/// An earlier branch that did not hold, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejected {
    pub index: usize,
    pub goto: String,
    pub failed: Vec<String>,
}

/// What trying a reply at a node shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trial {
    pub node: String,
    /// The customer line the reply answers (the node's first).
    pub customer_line: String,
    #[serde(flatten)]
    pub score: ReplyScore,
    pub why: Vec<Why>,
    pub branch: Taken,
    pub rejected: Vec<Rejected>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TrialError {
    #[error("`{node}` is not a node of `{scenario}` (nodes: {known})")]
    NoSuchNode {
        scenario: String,
        node: String,
        known: String,
    },
}

/// Scores `reply` at `node_id` with the customer at `mood` (the scenario's starting
/// mood when `None`) and no chase yet.
pub fn try_reply(
    scenario: &Scenario,
    scorer: &RubricScorer,
    node_id: &str,
    reply: &str,
    mood: Option<u8>,
) -> Result<Trial, TrialError> {
    let node = scenario
        .nodes
        .get(node_id)
        .ok_or_else(|| TrialError::NoSuchNode {
            scenario: scenario.meta.id.clone(),
            node: node_id.to_string(),
            known: scenario
                .nodes
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    let line = crate::engine::first_line(scenario, node);
    let (mut score, why) = with_input_at(scenario, node, reply, Some(&line), |input| {
        scorer.explain(input)
    });
    crate::engine::own_tips(scenario, node, &mut score);
    let mood = mood.unwrap_or(scenario.customer.mood);
    let seen = OnReply::new(&score, reply, mood, 0);
    let (rule, then, reason) = choose_branch(node, &seen);
    let index = match rule {
        Rule::Branch { index } => Some(index),
        _ => None,
    };
    let rejected = node
        .branches
        .iter()
        .enumerate()
        .take(index.unwrap_or(node.branches.len()))
        .map(|(i, b)| Rejected {
            index: i,
            goto: b.then.goto.clone(),
            failed: failed_parts(&b.when, &seen),
        })
        .collect();
    Ok(Trial {
        node: node_id.to_string(),
        customer_line: line,
        score,
        why,
        branch: Taken {
            index,
            goto: then.goto.clone(),
            mood: then.mood,
            reason,
        },
        rejected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::scenario;

    /// A trainer could not try a reply against a node: `rapport score` ignored its focus
    /// and branches. Trying shows the branch and why the earlier ones failed.
    #[test]
    fn a_tried_reply_shows_its_branch_and_why_earlier_ones_failed() {
        let sc = scenario();
        let scorer = RubricScorer::builtin();
        let t = try_reply(&sc, &scorer, "start", "I'm so sorry, Dana.", None).unwrap();
        assert_eq!(t.branch.index, Some(1));
        assert_eq!(t.branch.goto, "calmer");
        assert_eq!(t.rejected.len(), 1);
        assert_eq!(t.rejected[0].failed, ["blame_customer missed"]);
        assert!(t.why.iter().any(|w| w.criterion == "apologize" && w.met));
        let t = try_reply(&sc, &scorer, "start", "hmm", None).unwrap();
        assert_eq!(t.branch.index, None, "otherwise");
        assert_eq!(t.rejected.len(), 2);
        assert!(matches!(
            try_reply(&sc, &scorer, "nope", "x", None),
            Err(TrialError::NoSuchNode { .. })
        ));
    }
}
