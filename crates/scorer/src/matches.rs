//! Stage 3, analyse the reply: its words, typo-corrected toward the phrases' words and
//! stemmed ([`crate::pattern::analyse`]), then every phrase of every criterion matched in
//! one walk of the tries; matches inside an `unless` phrase, negated, or outside a
//! question when they need one are dropped, the rest is raw evidence.

use crate::explain::Trace;
use crate::pattern::{self, Hit, Word};
use crate::prepare::Reply;
use crate::rules;
use crate::RubricScorer;

/// What the phrases found, per criterion (token spans).
pub(crate) struct Found {
    /// Evidence before the detectors and the relations.
    pub(crate) raw: Vec<Vec<(usize, usize)>>,
    /// Spans of `unless` phrases.
    pub(crate) unless: Vec<Vec<(usize, usize)>>,
    /// Evidence that counts only when none of `bare_unless` is met.
    pub(crate) bare: Vec<Vec<(usize, usize)>>,
    /// Sentences where a phrase of the criterion was negated: no semantic evidence there.
    pub(crate) negated: Vec<Vec<usize>>,
    /// Whether a phrase the trainer wrote for this scenario or node found it.
    pub(crate) trainer: Vec<bool>,
}

impl Reply<'_> {
    /// The reply's words. The customer's own words are real words, whatever the phrases
    /// say: never "correct" them.
    pub(crate) fn analyse(&self) -> Vec<Word<'_>> {
        pattern::analyse(
            &self.text,
            &self.lang.stemmer,
            &self.lang.vocab,
            &self.extra.vocab,
            |stem| self.customer.as_ref().is_some_and(|c| c.contains(stem)),
        )
    }
}

impl RubricScorer {
    pub(crate) fn phrases(
        &self,
        reply: &Reply<'_>,
        words: &[Word<'_>],
        trace: &mut Option<&mut Trace>,
    ) -> Found {
        let (text, lang, n_crit) = (&reply.text, reply.lang, reply.n_crit);
        let negators = rules::negators(lang.lang);
        let toks = pattern::view(text, words, negators);
        let mut hits: Vec<Hit> = Vec::new();
        lang.index.find(&toks, &mut hits);
        // Hits from here on are the trainer's phrases for this scenario or node.
        let builtin_hits = hits.len();
        reply.extra.index.find(&toks, &mut hits);
        let mut trainer = vec![false; n_crit];

        let mut raw: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n_crit];
        let mut unless: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n_crit];
        let mut bare: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n_crit];
        // Sentences where a criterion's phrase was negated: no semantic evidence there.
        let mut negated: Vec<Vec<usize>> = vec![Vec::new(); n_crit];
        for (i, h) in hits.iter().enumerate() {
            if h.end <= h.first {
                continue;
            }
            let c = h.terminal.criterion as usize;
            // Before `unless`: a `?` holds for an unless phrase too ("No?" asked is no
            // refusal; "No." still is).
            let sentence = &text.sentences[text.tokens[h.first].sentence];
            if h.terminal.question && !sentence.question {
                Trace::dropped(trace, c, || {
                    format!(
                        "{} needs a question, and its sentence is not one",
                        self.phrase_name(h.terminal.source)
                    )
                });
                continue;
            }
            if h.terminal.unless {
                unless[c].push((h.first, h.end));
                Trace::dropped(trace, c, || {
                    format!(
                        "an `unless` {} was said: what it overlaps does not count",
                        self.phrase_name(h.terminal.source)
                    )
                });
                continue;
            }
            if !h.terminal.name && rules::negated(text, h.first, negators) {
                negated[c].push(text.tokens[h.first].sentence);
                Trace::dropped(trace, c, || {
                    format!(
                        "{} is negated (\"not\", \"never\", ... just before it)",
                        self.phrase_name(h.terminal.source)
                    )
                });
                continue;
            }
            Trace::found(trace, c, (h.first, h.end), || {
                self.phrase_name(h.terminal.source)
            });
            if h.terminal.bare {
                bare[c].push((h.first, h.end));
            } else {
                raw[c].push((h.first, h.end));
                trainer[c] |= i >= builtin_hits;
            }
        }
        Found {
            raw,
            unless,
            bare,
            negated,
            trainer,
        }
    }
}
