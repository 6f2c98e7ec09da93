//! The model-answer stage: a trainer's "strong reply" must be exemplary at its own node.
//!
//! Each model answer is scored exactly as the node scores a trainee's reply (through
//! [`engine::score_at`](crate::engine::score_at)), once after each of the node's line
//! variants. A focus criterion it misses (`model-answer-misses-focus`) or a penalty it
//! commits (`model-answer-penalty`) is a warning at the answer: trainees would copy it
//! and be told they did badly, which teaches them to distrust the feedback.

use super::de::Ctx;
use crate::engine::score_at;
use crate::model::Scenario;
use crate::score::Scorer;
use crate::template;
use crate::yaml::Seg;

pub(crate) fn check(ctx: &mut Ctx, scenario: &Scenario, scorer: &dyn Scorer) {
    // With persona variants, the answers are scored for the first one (its facts).
    let first = (!scenario.customer.variants.is_empty()).then_some(0);
    let played = scenario.with_variant(first);
    let scenario = &*played;
    for (id, node) in &scenario.nodes {
        let at = [
            Seg::Key("nodes".into()),
            Seg::Key(id.clone()),
            Seg::Key("model_answer".into()),
        ];
        let list = ctx.tree.is_list(&at);
        let focus = scenario.focus_at(node);
        for (i, answer) in node.model_answers.iter().enumerate() {
            let text = template::render(answer, &scenario.customer);
            let mut missed: Vec<&str> = Vec::new();
            let mut penalties: Vec<String> = Vec::new();
            for line in &node.say {
                let line = template::render(line, &scenario.customer);
                let score = score_at(scenario, node, &text, Some(&line), scorer);
                for f in &focus {
                    let penalty = score.criterion(f).is_some_and(|c| c.penalty);
                    if !penalty && !score.met(f) && !missed.contains(&f.as_str()) {
                        missed.push(f);
                    }
                }
                for c in score.criteria.iter().filter(|c| c.penalty && c.met) {
                    if !penalties.contains(&c.id) {
                        penalties.push(c.id.clone());
                    }
                }
            }
            let mut path = at.to_vec();
            if list {
                path.push(Seg::Index(i));
            }
            if !missed.is_empty() {
                ctx.warning(
                    &path,
                    "model-answer-misses-focus",
                    format!(
                        "This model answer misses what `{id}` calls for: {}. A trainee who types it would be told so.",
                        missed.join(", ")
                    ),
                    Some("reword the answer so it clearly makes that move, or take the criterion out of `focus`".into()),
                );
            }
            if !penalties.is_empty() {
                ctx.warning(
                    &path,
                    "model-answer-penalty",
                    format!(
                        "This model answer is scored as {}: it would cost a trainee who copies it.",
                        penalties.join(", ")
                    ),
                    Some("reword the answer; `rapport score` with this scenario and node shows the words that trigger it".into()),
                );
            }
        }
    }
}
