//! The phrase stage: every phrase a scenario's or node's `rubric:` patch adds is checked
//! where it is written, at its line, as the rubric files' phrases are when they load.
//!
//! Two problems: a phrase the phrase language cannot read (`invalid-phrase`, an error: it
//! would be dropped and never match), and a phrase that reads but can never match
//! (`phrase-never-matches`, a warning): one that starts or ends with a gap (`*`, `*N`),
//! which the matcher never anchors on, such as `"* {facts.order_id}"`. Lists (`@name`)
//! belong to the pack's rubric files, which the scorer checks; here any list name reads.
//! Placeholders are checked by the text stage (`unknown-placeholder`).

use std::collections::BTreeMap;

use super::de::Ctx;
use crate::diag::Severity;
use crate::model::Language;
use crate::scorer::pattern::{self, Resolve};
use crate::yaml::Seg;

/// Every placeholder stands for a word here: which ones exist is another stage's job.
struct AnyName;

impl Resolve for AnyName {
    fn resolve(&self, _: &str) -> Option<Vec<String>> {
        Some(vec!["x".to_string()])
    }
}

/// The list names a phrase uses (`@feelings`), each standing for one word.
fn lists_in(phrase: &str) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let mut rest = phrase;
    while let Some(at) = rest.find('@') {
        rest = &rest[at + 1..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        if !name.is_empty() {
            out.insert(name, vec!["x".to_string()]);
        }
    }
    out
}

/// Whether the phrase's first or last element is a gap (`*` or `*N` standing alone).
fn edge_gap(phrase: &str) -> bool {
    let gap = |t: &str| {
        t.strip_prefix('*')
            .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
    };
    let words: Vec<&str> = phrase
        .split_whitespace()
        .filter(|w| !matches!(*w, "^" | "$" | "?"))
        .collect();
    let first = words.first().map(|w| w.trim_start_matches('^'));
    let last = words.last().map(|w| w.trim_end_matches(['?', '$']));
    first.is_some_and(gap) || last.is_some_and(gap)
}

/// Checks one phrase written at `path`.
pub(crate) fn check(ctx: &mut Ctx, path: &[Seg], phrase: &str, lang: Language) {
    let pos = ctx.tree.locate(path);
    if let Err(e) = pattern::parse(phrase, lang, &lists_in(phrase), &AnyName) {
        ctx.report(
            Severity::Error,
            pos,
            "invalid-phrase",
            format!(
                "This phrase cannot be read: {} (at character {} of \"{phrase}\"); it would never match.",
                e.message,
                e.at + 1
            ),
            Some("see the phrase syntax in docs/rubric-guide.md: `(a | b)` alternatives, `[a]` optional, `*` a gap, `@list`".into()),
        );
        return;
    }
    if edge_gap(phrase) {
        ctx.report(
            Severity::Warning,
            pos,
            "phrase-never-matches",
            format!("\"{phrase}\" starts or ends with a gap (`*`), so it can never match."),
            Some("a gap only works between words: take it out, or put words on both sides".into()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_at_the_edges_are_found() {
        assert!(edge_gap("* {facts.x}"));
        assert!(edge_gap("refund *3"));
        assert!(edge_gap("^ * sorry ?"));
        assert!(!edge_gap("sorry * about"));
        assert!(!edge_gap("frustrat*"));
        assert_eq!(lists_in("so @feelings and @x-y").len(), 2);
    }
}
