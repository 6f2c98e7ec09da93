//! The `leads_to` stage: a guided choice that names where it should lead must get there.
//!
//! A choice is scored like a typed reply, and its branch is chosen from that score (and
//! from `when: {choice: N}`). A trainer who writes a deliberately bad choice expects the
//! bad branch; if the scorer reads it as a good reply it takes the good one, silently.
//! So each choice with `leads_to:` is scored exactly as the node scores it (through
//! [`engine::score_at`](crate::engine::score_at), as model answers are, after each of the node's line
//! variants, with the customer at their starting mood), the branch it would take is
//! chosen as in play, and a choice that would go elsewhere is a `choice-leads-elsewhere`
//! warning at its `leads_to`, saying where it goes, why, and what the intended branch
//! lacked.

use super::de::Ctx;
use crate::engine::{choose_branch, failed_parts, score_at, OnReply, Rule};
use crate::model::Scenario;
use crate::score::Scorer;
use crate::template;
use crate::yaml::Seg;

/// `leads`: (node id, 0-based choice index, target) for every choice with `leads_to`.
pub(crate) fn check(
    ctx: &mut Ctx,
    scenario: &Scenario,
    leads: &[(String, usize, String)],
    scorer: &dyn Scorer,
) {
    for (id, i, target) in leads {
        let Some(node) = scenario.nodes.get(id) else {
            continue;
        };
        let Some(choice) = node.choices.get(*i) else {
            continue;
        };
        let text = template::render(choice, &scenario.customer);
        let mut went: Option<(String, String, Option<usize>)> = None;
        for line in &node.say {
            let line = template::render(line, &scenario.customer);
            let score = score_at(scenario, node, &text, Some(&line), scorer);
            let seen =
                OnReply::new(&score, &text, scenario.customer.mood, 0).with_choice(Some(i + 1));
            let (rule, then, reason) = choose_branch(node, &seen);
            if then.goto != *target {
                let index = match rule {
                    Rule::Branch { index } => Some(index),
                    _ => None,
                };
                // What the branches leading to the target lacked.
                let lacked: Vec<String> = node
                    .branches
                    .iter()
                    .filter(|b| b.then.goto == *target)
                    .flat_map(|b| failed_parts(&b.when, &seen))
                    .collect();
                let lacked = if lacked.is_empty() {
                    String::new()
                } else {
                    format!(
                        " The branch to `{target}` did not hold: {}.",
                        lacked.join("; ")
                    )
                };
                went = Some((then.goto.clone(), format!("{reason}.{lacked}"), index));
                break;
            }
        }
        if let Some((goto, why, index)) = went {
            let which = match index {
                Some(b) => format!("branch {}", b + 1),
                None => "`otherwise`".to_string(),
            };
            let path = [
                Seg::Key("nodes".into()),
                Seg::Key(id.clone()),
                Seg::Key("choices".into()),
                Seg::Index(*i),
                Seg::Key("leads_to".into()),
            ];
            ctx.warning(
                &path,
                "choice-leads-elsewhere",
                format!(
                    "Choice {} should lead to `{target}`, but as scored it takes {which} to `{goto}` ({}).",
                    i + 1,
                    why.trim_end_matches('.')
                ),
                Some(format!(
                    "branch on the choice itself (`when: {{ choice: {} }}` before the other branches), or reword it; `rapport try` with this node shows how it scores",
                    i + 1
                )),
            );
        }
    }
}
