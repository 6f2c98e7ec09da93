//! Stage 7, the verdicts and the formula: per criterion, met or not with its evidence
//! cut from the reply and its tip (a wrong amount or date named); then the rubric scores
//! from the met criteria and their weights ([`crate::formula`]).

use crate::formula::{self, Judged};
use crate::prepare::{wrong_mentions, Extra, Reply};
use crate::score::{CriterionResult, Evidence, ReplyInput, ReplyScore};
use crate::text::Text;
use crate::{lang_index, RubricScorer};

impl RubricScorer {
    pub(crate) fn verdicts(
        &self,
        input: &ReplyInput<'_>,
        reply: &Reply<'_>,
        kept: Vec<Vec<(usize, usize)>>,
        sounds_like: &[Option<String>],
    ) -> ReplyScore {
        let (text, lang, n_crit, fill) = (&reply.text, reply.lang, reply.n_crit, &reply.fill);
        let extra: &Extra = &reply.extra;
        let chars = CharIndex::new(input.text);
        let li = lang_index(lang.lang);
        let mut results = Vec::with_capacity(n_crit);
        // Which criterion each result is (a written message's form is judged only on a
        // written channel: elsewhere it is left out, so it changes no score).
        let mut judged_ids = Vec::with_capacity(n_crit);
        for (c, spans) in kept.into_iter().enumerate() {
            let crit = self.criterion(extra, c);
            if !input.written && crit.rules.iter().any(|r| r.written_only()) {
                continue;
            }
            judged_ids.push(c);
            let mut evidence = chars.evidence(text, spans);
            let met = !evidence.is_empty();
            let mut tip = None;
            if met == crit.penalty {
                let base = if crit.tip[li].is_empty() {
                    &crit.tip[0]
                } else {
                    &crit.tip[li]
                };
                let mut t = if base.contains('{') {
                    fill.render(base)
                } else {
                    base.clone()
                };
                if !met {
                    for (_, shape) in extra.facts.iter().filter(|(fc, _)| *fc == c) {
                        let wrong = chars.evidence(text, wrong_mentions(text, shape));
                        if let Some(first) = wrong.first() {
                            t = format!(
                                "You said “{}”, but it is {}. {t}",
                                first.text,
                                shape.display(lang.lang)
                            );
                        }
                        evidence.extend(wrong);
                    }
                }
                tip = (!t.is_empty()).then_some(t);
            }
            results.push(CriterionResult {
                id: crit.id.clone(),
                rubric: crit.rubric,
                penalty: crit.penalty,
                met,
                evidence,
                tip,
                sounds_like: if met { sounds_like[c].clone() } else { None },
            });
        }
        let judged: Vec<Judged<'_>> = results
            .iter()
            .zip(judged_ids.iter().copied())
            .map(|(r, c)| Judged {
                id: &r.id,
                rubric: r.rubric,
                weight: extra.weights[c],
                penalty: self.criterion(extra, c).penalty,
                met: r.met,
                local: c >= self.criteria.len(),
            })
            .collect();
        let scores = formula::scores(&judged, input.focus);
        ReplyScore {
            scores,
            criteria: results,
        }
    }
}

/// Char offset -> byte offset of the reply, to cut evidence on character boundaries.
pub(crate) struct CharIndex<'a> {
    text: &'a str,
    bytes: Vec<usize>,
}

impl<'a> CharIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        bytes.push(text.len());
        CharIndex { text, bytes }
    }

    /// Evidence for token ranges: sorted, overlapping ones merged.
    pub(crate) fn evidence(&self, text: &Text, mut spans: Vec<(usize, usize)>) -> Vec<Evidence> {
        spans.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (first, end) in spans {
            let (start, stop) = (text.tokens[first].start, text.tokens[end - 1].end);
            match merged.last_mut() {
                Some(last) if start < last.1 => last.1 = last.1.max(stop),
                _ => merged.push((start, stop)),
            }
        }
        merged
            .into_iter()
            .map(|(start, end)| Evidence {
                start,
                end,
                text: self.text[self.bytes[start]..self.bytes[end]].to_string(),
            })
            .collect()
    }
}
