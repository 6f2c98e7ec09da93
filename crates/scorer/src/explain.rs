//! Why a reply scored as it did: what each stage found and dropped, collected while
//! scoring for `rapport explain` and trainers' tools (nothing is collected otherwise).

use crate::score::{ReplyInput, ReplyScore};
use crate::text::tokenize;
use crate::verdict::CharIndex;
use crate::{lang_index, RubricScorer};

/// Why one criterion came out as it did, for `rapport explain` and trainers' tools.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Why {
    pub criterion: String,
    pub met: bool,
    /// What found it: a phrase with the file and line it is written at, a detector, the
    /// semantic head and the example the reply resembles, or a relation.
    pub decided_by: Vec<String>,
    /// What was found and did not count, and why.
    pub cancelled: Vec<String>,
}

/// What `explain` collects while scoring; nothing is collected in plain scoring.
#[derive(Default)]
pub(crate) struct Trace {
    /// (criterion, token span) -> what put that evidence there.
    pub(crate) found: std::collections::BTreeMap<(usize, (usize, usize)), String>,
    /// Per criterion, what was found and dropped before the relations.
    pub(crate) dropped: Vec<Vec<String>>,
}

impl Trace {
    pub(crate) fn found(
        t: &mut Option<&mut Trace>,
        c: usize,
        span: (usize, usize),
        why: impl FnOnce() -> String,
    ) {
        if let Some(t) = t {
            t.found.entry((c, span)).or_insert_with(why);
        }
    }

    pub(crate) fn dropped(t: &mut Option<&mut Trace>, c: usize, why: impl FnOnce() -> String) {
        if let Some(t) = t {
            if t.dropped.len() <= c {
                t.dropped.resize(c + 1, Vec::new());
            }
            let why = why();
            if !t.dropped[c].contains(&why) {
                t.dropped[c].push(why);
            }
        }
    }
}

impl RubricScorer {
    /// Scores the reply and says, per criterion, what decided it and what was cancelled.
    pub fn explain(&self, input: &ReplyInput<'_>) -> (ReplyScore, Vec<Why>) {
        let mut trace = Trace::default();
        let score = self.judge(input, Some(&mut trace));
        let text = tokenize(input.text, self.langs[lang_index(input.language)].lang);
        let chars = CharIndex::new(input.text);
        let quote = |span: (usize, usize)| {
            chars
                .evidence(&text, vec![span])
                .first()
                .map(|e| e.text.clone())
                .unwrap_or_default()
        };
        let whys = score
            .criteria
            .iter()
            .enumerate()
            .map(|(c, r)| {
                let inside = |span: &(usize, usize)| {
                    let (a, b) = (text.tokens[span.0].start, text.tokens[span.1 - 1].end);
                    r.met && r.evidence.iter().any(|e| e.start <= a && b <= e.end)
                };
                let mut decided_by = Vec::new();
                let mut cancelled: Vec<String> = trace.dropped.get(c).cloned().unwrap_or_default();
                for ((_, span), why) in trace.found.range((c, (0, 0))..(c + 1, (0, 0))) {
                    if inside(span) {
                        decided_by.push(format!("{why}: \"{}\"", quote(*span)));
                    } else {
                        cancelled.push(format!(
                            "{why}: \"{}\", cancelled by another criterion (`undone_by`, `yields_to`, `excluded_by`)",
                            quote(*span)
                        ));
                    }
                }
                if r.met && decided_by.is_empty() {
                    decided_by.push(
                        "implied by another criterion's evidence (`implied_by`, `bare`)".into(),
                    );
                }
                Why {
                    criterion: r.id.clone(),
                    met: r.met,
                    decided_by,
                    cancelled,
                }
            })
            .collect();
        (score, whys)
    }

    pub(crate) fn phrase_name(&self, source: u32) -> String {
        match self.sources.get(source as usize) {
            Some((file, line, text)) => format!("phrase \"{text}\" ({file}:{line})"),
            None => "a phrase of the scenario's or node's `rubric:`".to_string(),
        }
    }
}
