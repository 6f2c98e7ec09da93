//! The formula stage: met criteria and their weights -> rubric scores for one turn.
//!
//! A turn is judged by its moment (`docs/scoring.md` has the same formula in prose):
//!
//! - A rubric the node calls for (its `focus` names one of the rubric's criteria) is
//!   measured against the focus criteria alone: meeting all of them is 100. Other
//!   positive moves of that rubric add credit at half their weight, capped at 100, so
//!   doing more never takes credit away.
//! - A rubric the node does not call for is *not assessed* (`None`), never 0, unless
//!   the reply earns credit in it (a positive criterion met); then it is scored against
//!   the rubric's heaviest criterion (one such move, done unasked, earns it in full) and
//!   counts toward the overall only where it raises it.
//! - Criteria a scenario or node defines count only where the node calls for them.
//! - Penalties always cost: [`PENALTY_POINTS`] per unit of weight off their rubric's
//!   score, and [`OVERALL_PENALTY_POINTS`] per unit off the overall. A rubric not
//!   otherwise assessed is then shown, starting from 100 when it has nothing positive to
//!   earn at this moment (professionalism) and from 0 otherwise (so credit earned there
//!   can never lower it).
//! - With no focus at all (a reply scored out of context), every criterion of the
//!   rubric files is the focus: each rubric is the weighted share of its criteria met.
//!
//! The scores are monotone (a property test below): meeting one more positive criterion
//! never lowers a score or the overall, meeting one more penalty never raises one.

use crate::score::{RubricId, Scores};

/// Points a met penalty of weight 1 takes off its rubric's score.
pub const PENALTY_POINTS: f32 = 35.0;
/// Points a met penalty of weight 1 takes off the turn's overall score.
pub const OVERALL_PENALTY_POINTS: f32 = 20.0;
/// The share of its weight a positive move beyond the focus earns.
pub const BEYOND_FOCUS_CREDIT: f32 = 0.5;

/// One criterion's part in the scores.
#[derive(Debug, Clone, Copy)]
pub struct Judged<'a> {
    pub id: &'a str,
    pub rubric: RubricId,
    pub weight: f32,
    pub penalty: bool,
    pub met: bool,
    /// Defined by the scenario's or node's `rubric:` patch: counts only when in focus.
    pub local: bool,
}

/// One rubric's parts before they are combined.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Parts {
    /// The positive part, 0-100; `None` when the moment does not call for the rubric
    /// and the reply earned nothing in it.
    positive: Option<f32>,
    /// Whether the moment calls for this rubric (so it always counts in the overall).
    called: bool,
    /// Points off for met penalties.
    penalty: f32,
    /// Units of penalty weight met.
    penalty_weight: f32,
    /// Where a rubric the moment does not call for starts when only its penalties are
    /// met: 100 when it has nothing positive to earn here (professionalism), else 0, so
    /// that earning credit there never lowers its score.
    uncalled_base: f32,
}

fn parts(judged: &[Judged<'_>], focus: &[String], r: RubricId) -> Parts {
    let in_focus = |c: &Judged<'_>| focus.iter().any(|f| f == c.id);
    let everything = focus.is_empty();
    let mut called = false;
    let (mut focus_total, mut focus_met) = (0.0f32, 0.0f32);
    let (mut beyond_total, mut beyond_met) = (0.0f32, 0.0f32);
    let mut beyond_heaviest = 0.0f32;
    let mut penalty_weight = 0.0f32;
    for c in judged.iter().filter(|c| c.rubric == r) {
        let focused = in_focus(c) || (everything && !c.local);
        if focused {
            called = true;
        }
        if c.penalty {
            if c.met {
                penalty_weight += c.weight;
            }
            continue;
        }
        if focused {
            focus_total += c.weight;
            if c.met {
                focus_met += c.weight;
            }
        } else if !c.local {
            beyond_total += c.weight;
            beyond_heaviest = beyond_heaviest.max(c.weight);
            if c.met {
                beyond_met += c.weight;
            }
        }
    }
    let positive = if focus_total > 0.0 {
        let earned = focus_met + BEYOND_FOCUS_CREDIT * beyond_met;
        Some((100.0 * earned / focus_total).min(100.0))
    } else if called {
        // Only penalties of this rubric are in focus: nothing to earn, all to lose.
        Some(100.0)
    } else if beyond_met > 0.0 {
        // One move of this rubric's heaviest kind, done unasked, earns it in full: the
        // moment did not call for the rest, so it is not measured against it.
        Some((100.0 * beyond_met / beyond_heaviest).min(100.0))
    } else {
        None
    };
    Parts {
        positive,
        called,
        penalty: PENALTY_POINTS * penalty_weight,
        penalty_weight,
        uncalled_base: if beyond_total > 0.0 { 0.0 } else { 100.0 },
    }
}

/// The scores of one turn. See the module docs for the rules.
pub fn scores(judged: &[Judged<'_>], focus: &[String]) -> Scores {
    let all = RubricId::ALL.map(|r| parts(judged, focus, r));
    let round = |x: f32| x.round().clamp(0.0, 100.0) as u8;
    let shown = |p: &Parts| -> Option<u8> {
        match p.positive {
            Some(v) => Some(round(v - p.penalty)),
            None if p.penalty_weight > 0.0 => Some(round(p.uncalled_base - p.penalty)),
            None => None,
        }
    };
    // The overall: the mean of the called-for rubrics' positive parts, joined by each
    // credit-only rubric that raises it (best first, so the result is the best mean),
    // then the penalties.
    let mut counted: Vec<f32> = all
        .iter()
        .filter(|p| p.called)
        .filter_map(|p| p.positive)
        .collect();
    let mut credit: Vec<f32> = all
        .iter()
        .filter(|p| !p.called)
        .filter_map(|p| p.positive)
        .collect();
    credit.sort_by(|a, b| b.total_cmp(a));
    for c in credit {
        let mean = mean(&counted);
        if counted.is_empty() || c > mean {
            counted.push(c);
        }
    }
    let penalty_weight: f32 = all.iter().map(|p| p.penalty_weight).sum();
    let overall = mean(&counted) - OVERALL_PENALTY_POINTS * penalty_weight;
    Scores {
        empathy: shown(&all[0]),
        problem_solving: shown(&all[1]),
        professionalism: shown(&all[2]),
        overall: round(overall),
    }
}

fn mean(xs: &[f32]) -> f32 {
    if xs.is_empty() {
        0.0
    } else {
        xs.iter().sum::<f32>() / xs.len() as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const IDS: [&str; 8] = ["a", "b", "c", "d", "e", "f", "g", "h"];

    fn judged(spec: &[(u8, f32, bool, bool, bool)]) -> Vec<Judged<'static>> {
        spec.iter()
            .enumerate()
            .map(|(i, &(r, weight, penalty, met, local))| Judged {
                id: IDS[i % IDS.len()],
                rubric: RubricId::ALL[r as usize % 3],
                weight,
                penalty,
                met,
                local,
            })
            .collect()
    }

    fn c(
        id: &'static str,
        rubric: RubricId,
        weight: f32,
        penalty: bool,
        met: bool,
    ) -> Judged<'static> {
        Judged {
            id,
            rubric,
            weight,
            penalty,
            met,
            local: false,
        }
    }

    /// The built-in criteria with their shipped weights, all missed.
    fn builtin() -> Vec<Judged<'static>> {
        use RubricId::*;
        vec![
            c("acknowledge_feelings", Empathy, 1.5, false, false),
            c("apologize", Empathy, 1.0, false, false),
            c("show_understanding", Empathy, 1.5, false, false),
            c("reassure", Empathy, 1.0, false, false),
            c("personalize", Empathy, 0.5, false, false),
            c("clarifying_question", ProblemSolving, 1.0, false, false),
            c("take_ownership", ProblemSolving, 1.5, false, false),
            c("offer_solution", ProblemSolving, 1.5, false, false),
            c("set_expectations", ProblemSolving, 1.0, false, false),
            c("check_resolution", ProblemSolving, 0.5, false, false),
            c("blame_customer", Professionalism, 1.5, true, false),
            c("dismissive", Professionalism, 1.0, true, false),
            c("policy_shield", Professionalism, 1.0, true, false),
            c("rude_tone", Professionalism, 1.5, true, false),
        ]
    }

    fn meet(j: &mut [Judged<'_>], ids: &[&str]) {
        for x in j.iter_mut() {
            if ids.contains(&x.id) {
                x.met = true;
            }
        }
    }

    fn focus(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    proptest! {
        #[test]
        fn meeting_one_more_criterion_moves_scores_one_way(
            spec in proptest::collection::vec((0u8..3, 0.0f32..5.0, any::<bool>(), any::<bool>(), any::<bool>()), 1..12),
            flip in any::<proptest::sample::Index>(),
            focus_mask in any::<u8>(),
        ) {
            let mut before = judged(&spec);
            let i = flip.index(before.len());
            before[i].met = false;
            let mut after = before.clone();
            after[i].met = true;
            let focus: Vec<String> = IDS.iter().enumerate()
                .filter(|(k, _)| focus_mask & (1 << k) != 0)
                .map(|(_, id)| id.to_string())
                .collect();
            let (b, a) = (scores(&before, &focus), scores(&after, &focus));
            let pairs = [
                (b.empathy, a.empathy),
                (b.problem_solving, a.problem_solving),
                (b.professionalism, a.professionalism),
            ];
            if before[i].penalty {
                prop_assert!(a.overall <= b.overall, "a penalty raised the overall: {b:?} -> {a:?}");
                for (x, y) in pairs {
                    if let (Some(x), Some(y)) = (x, y) {
                        prop_assert!(y <= x, "a penalty raised a rubric: {b:?} -> {a:?}");
                    }
                    prop_assert!(!(x.is_some() && y.is_none()), "a penalty unassessed a rubric");
                }
            } else {
                prop_assert!(a.overall >= b.overall, "a positive lowered the overall: {b:?} -> {a:?}");
                for (x, y) in pairs {
                    match (x, y) {
                        (Some(x), Some(y)) => prop_assert!(y >= x, "a positive lowered a rubric: {b:?} -> {a:?}"),
                        (Some(_), None) => prop_assert!(false, "a positive unassessed a rubric"),
                        _ => {}
                    }
                }
            }
        }

        #[test]
        fn meeting_the_whole_focus_and_no_penalty_scores_at_least_90(
            mask in 1u16..(1 << 10),
            extra in any::<u16>(),
        ) {
            let mut j = builtin();
            let positives: Vec<&str> = j.iter().filter(|c| !c.penalty).map(|c| c.id).collect();
            let f: Vec<&str> = positives.iter().enumerate()
                .filter(|(k, _)| mask & (1 << k) != 0).map(|(_, id)| *id).collect();
            let more: Vec<&str> = positives.iter().enumerate()
                .filter(|(k, _)| extra & (1 << k) != 0).map(|(_, id)| *id).collect();
            meet(&mut j, &f);
            meet(&mut j, &more);
            let s = scores(&j, &focus(&f));
            prop_assert!(s.overall >= 90, "{s:?} for focus {f:?}");
        }
    }

    #[test]
    fn a_listening_turn_does_not_assess_problem_solving_or_professionalism() {
        let mut j = builtin();
        meet(&mut j, &["acknowledge_feelings", "show_understanding"]);
        let s = scores(
            &j,
            &focus(&["acknowledge_feelings", "show_understanding", "apologize"]),
        );
        assert_eq!(s.empathy, Some(75), "3 of 4 focus weight");
        assert_eq!(s.problem_solving, None);
        assert_eq!(s.professionalism, None);
        assert_eq!(s.overall, 75);
    }

    #[test]
    fn credit_beyond_the_focus_only_ever_raises() {
        let mut j = builtin();
        meet(&mut j, &["apologize"]);
        let f = focus(&["acknowledge_feelings", "apologize"]);
        let base = scores(&j, &f);
        assert_eq!((base.empathy, base.overall), (Some(40), 40));
        // Reassure is empathy beyond the focus: half its weight, 0.5 of 2.5.
        meet(&mut j, &["reassure"]);
        let s = scores(&j, &f);
        assert_eq!(s.empathy, Some(60));
        // A check is problem solving the moment did not call for: a third of its
        // heaviest move (0.5 of 1.5), 33, which would lower the overall of 60, so it is
        // shown but not counted.
        meet(&mut j, &["check_resolution"]);
        let s = scores(&j, &f);
        assert_eq!(s.problem_solving, Some(33));
        assert_eq!(s.overall, 60);
        // Ownership, done unasked, earns problem solving in full and raises the overall.
        meet(&mut j, &["take_ownership"]);
        let s = scores(&j, &f);
        assert_eq!(s.problem_solving, Some(100));
        assert_eq!(s.overall, 80);
    }

    #[test]
    fn penalties_always_cost() {
        let mut j = builtin();
        meet(&mut j, &["offer_solution", "take_ownership", "dismissive"]);
        let s = scores(&j, &focus(&["offer_solution", "take_ownership"]));
        assert_eq!(s.problem_solving, Some(100));
        assert_eq!(
            s.professionalism,
            Some(65),
            "not called for, but a penalty shows it"
        );
        assert_eq!(s.overall, 80);
    }

    #[test]
    fn a_scenario_criterion_counts_only_where_called_for() {
        let mut j = builtin();
        j.push(Judged {
            id: "sets_boundary",
            rubric: RubricId::Professionalism,
            weight: 1.0,
            penalty: false,
            met: false,
            local: true,
        });
        meet(&mut j, &["acknowledge_feelings", "take_ownership"]);
        let s = scores(&j, &focus(&["acknowledge_feelings", "take_ownership"]));
        assert_eq!(
            s.professionalism, None,
            "sets_boundary is not called for here"
        );
        assert_eq!(s.overall, 100);
        let s = scores(&j, &focus(&["sets_boundary", "acknowledge_feelings"]));
        assert_eq!(s.professionalism, Some(0));
        meet(&mut j, &["sets_boundary"]);
        let s = scores(&j, &focus(&["sets_boundary", "acknowledge_feelings"]));
        assert_eq!(s.professionalism, Some(100));
    }

    #[test]
    fn out_of_context_every_rubric_is_the_focus() {
        let mut j = builtin();
        meet(&mut j, &["acknowledge_feelings", "dismissive"]);
        let s = scores(&j, &[]);
        assert_eq!(
            (s.empathy, s.problem_solving, s.professionalism),
            (Some(27), Some(0), Some(65))
        );
        assert_eq!(s.overall, 22, "(27 + 0 + 100) / 3 - 20");
    }
}
