//! Stage 6, the semantics: the learned heads ([`crate::semantic`]) confirm, overrule or
//! add to what the rules found, per criterion, under the same relations.

use crate::explain::Trace;
use crate::prepare::Extra;
use crate::relations::{cancelled_by_relation, overlaps};
use crate::rubric::Rule;
use crate::semantic::{self, Mode};
use crate::text::Text;
use crate::RubricScorer;

/// Which criterion each head judges, and which criterion's rules verdict each of the
/// model's inputs reads (`None`: the rubrics do not define it).
#[derive(Debug, Clone)]
pub(crate) struct LearnedMap {
    pub(crate) heads: Vec<Option<usize>>,
    pub(crate) inputs: Vec<Option<usize>>,
}

/// What the rules leave for the learned stage to read, per criterion.
pub(crate) struct RulesView<'a> {
    /// Evidence after the relations.
    pub(crate) kept: &'a mut [Vec<(usize, usize)>],
    /// Sentences where a phrase of the criterion was negated.
    pub(crate) negated: &'a [Vec<usize>],
    /// Spans of `unless` phrases.
    pub(crate) unless: &'a [Vec<(usize, usize)>],
    /// Whether a phrase the trainer wrote for this scenario or node found it.
    pub(crate) trainer: &'a [bool],
    /// Per sentence, whether it takes up a content word of the customer's line (`None`:
    /// no customer line to compare with).
    pub(crate) grounded: Option<Vec<bool>>,
}

impl RubricScorer {
    /// The learned stage: each head in `learned` mode decides its criterion, reading the
    /// rules' verdicts among its features. A phrase the trainer wrote for this scenario or
    /// node always counts (the author's word for this moment). Met by the head where the
    /// rules found nothing: the sentence that carries the move is the evidence, if the
    /// rules leave it eligible (no negated phrase of the criterion, no `unless`, a
    /// question where one is needed). Returns, per criterion, the labelled example its
    /// evidence resembles, and traces what the head added or overruled.
    pub(crate) fn learned(
        &self,
        text: &Text,
        customer: Option<&Text>,
        extra: &Extra,
        view: RulesView<'_>,
        trace: &mut Option<&mut Trace>,
    ) -> Vec<Option<String>> {
        let mut sounds = vec![None; view.kept.len()];
        let Some((semantic, map)) = &self.semantic else {
            return sounds;
        };
        if text.tokens.is_empty() || semantic.heads().iter().all(|h| h.mode == Mode::Rules) {
            return sounds;
        }
        let prepared = semantic.prepare(text, customer);
        let rules_met: Vec<bool> = map
            .inputs
            .iter()
            .map(|c| c.is_some_and(|c| !view.kept[c].is_empty()))
            .collect();
        for (h, head) in semantic.heads().iter().enumerate() {
            let Some(c) = map.heads[h] else { continue };
            if head.mode == Mode::Rules {
                continue;
            }
            let crit = self.criterion(extra, c);
            let needs_question = crit.rules.contains(&Rule::AnyQuestion);
            // Saying back what happened means the customer's own specifics: where there is
            // a customer line, such a criterion's sentence must take up one of its words.
            let needs_echo = crit.rules.contains(&Rule::MirrorCustomer);
            let eligible = |k: usize| {
                let s = &text.sentences[k];
                !view.negated[c].contains(&k)
                    && !view.unless[c]
                        .iter()
                        .any(|&u| overlaps(u, (s.first, s.end)))
                    && (!needs_question || s.question)
                    && (!needs_echo || view.grounded.as_ref().is_none_or(|g| g[k]))
            };
            if !view.kept[c].is_empty() {
                // The rules found it: the head confirms or overrules, the phrase stays the
                // evidence.
                if head.mode == Mode::Learned
                    && semantic.z(h, &prepared, &rules_met) + head.veto < 0
                    && !view.trainer[c]
                {
                    view.kept[c].clear();
                    Trace::dropped(trace, c, || {
                        "the learned head judged the phrases out of place here (it reads \
                         the words around them and the other criteria)"
                            .to_string()
                    });
                }
                continue;
            }
            let verdict = semantic.judge(h, text, &prepared, &rules_met, eligible, crit.penalty);
            if let semantic::Verdict::Met(found) = verdict {
                // The relations hold for the head's evidence as for a phrase's ("our
                // policy is 30 days, but I can offer store credit" is no policy shield).
                if cancelled_by_relation(crit, view.kept, found.span) {
                    Trace::dropped(trace, c, || {
                        "the learned head found it, and another criterion cancels it here"
                            .to_string()
                    });
                    continue;
                }
                view.kept[c].push(found.span);
                if let Some(like) = &found.sounds_like {
                    Trace::found(trace, c, found.span, || {
                        format!("the learned head (sounds like: \"{like}\")")
                    });
                }
                sounds[c] = found.sounds_like;
            }
        }
        sounds
    }
}
