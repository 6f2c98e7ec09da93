//! Stage 5, the relations between criteria: `excluded_by`, `yields_to` and `undone_by`
//! cancel evidence, `implied_by` and `bare` add it (see `docs/scoring.md`). One rule for
//! a phrase's evidence and a learned head's ([`cancelled_by_relation`]).

use crate::prepare::Extra;
use crate::{Criterion, RubricScorer};

impl RubricScorer {
    /// Applies the relations between criteria to their raw matches: `excluded_by`,
    /// `yields_to` and `undone_by` read the raw matches of the others; `implied_by`
    /// reads what survived that first pass, so the order of criteria never matters, and so
    /// do `bare` matches (they count only when none of `bare_unless` is met). Evidence of
    /// an `implied_only_stated` criterion inside a question (`asked`) implies nothing: a
    /// blaming question still invites an answer. Nothing is ever met for what a reply
    /// lacks: a penalty needs words that commit it.
    pub(crate) fn relate(
        &self,
        extra: &Extra,
        raw: &[Vec<(usize, usize)>],
        bare: &[Vec<(usize, usize)>],
        asked: impl Fn((usize, usize)) -> bool,
    ) -> Vec<Vec<(usize, usize)>> {
        let n_crit = raw.len();
        let kept: Vec<Vec<(usize, usize)>> = (0..n_crit)
            .map(|c| {
                let crit = self.criterion(extra, c);
                raw[c]
                    .iter()
                    .copied()
                    .filter(|&h| !cancelled_by_relation(crit, raw, h))
                    .collect()
            })
            .collect();
        // Implied evidence reads the first pass only, so the order of criteria never matters.
        let implied: Vec<Vec<(usize, usize)>> = (0..n_crit)
            .map(|c| {
                let crit = self.criterion(extra, c);
                let met = |list: &[usize]| list.iter().any(|&o| !kept[o].is_empty());
                let mut more = Vec::new();
                if !met(&crit.bare_unless) {
                    more.extend(bare[c].iter().copied());
                }
                if !met(&crit.implied_unless) {
                    more.extend(crit.implied_by.iter().flat_map(|&o| {
                        let stated = crit.implied_only_stated.contains(&o);
                        let asked = &asked;
                        kept[o]
                            .iter()
                            .copied()
                            .filter(move |&h| !stated || !asked(h))
                    }));
                }
                more
            })
            .collect();
        kept.into_iter()
            .zip(implied)
            .map(|(mut k, more)| {
                k.extend(more);
                k
            })
            .collect()
    }
}

/// Token ranges overlap.
pub(crate) fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Whether another criterion's `evidence` cancels `span` of `crit`: one of its
/// `excluded_by` criteria is met at all, a `yields_to` one overlaps it, or an `undone_by`
/// one comes after it. One rule for a phrase's evidence and a learned head's.
pub(crate) fn cancelled_by_relation(
    crit: &Criterion,
    evidence: &[Vec<(usize, usize)>],
    span: (usize, usize),
) -> bool {
    crit.excluded_by.iter().any(|&o| !evidence[o].is_empty())
        || crit
            .yields_to
            .iter()
            .any(|&o| evidence[o].iter().any(|&u| overlaps(span, u)))
        || crit
            .undone_by
            .iter()
            .any(|&o| evidence[o].iter().any(|&u| u.0 >= span.1))
}
