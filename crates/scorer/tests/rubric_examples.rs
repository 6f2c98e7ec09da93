//! Every criterion's behaviour is pinned by the `examples: {met: [...], not_met: [...]}`
//! written beside it in its rubric file (as ast-grep keeps a rule's examples with the
//! rule): each `met` reply must meet it and each `not_met` reply must not, judged as
//! `RubricScorer::example_failures` says. A failure names the file and line.

use rapport_scorer::RubricScorer;

#[test]
fn every_rubric_example_behaves_as_its_file_says() {
    let scorer = RubricScorer::builtin();
    let failures = scorer.example_failures();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let mut per_criterion = std::collections::BTreeMap::<&str, (usize, usize)>::new();
    for (criterion, example) in scorer.examples() {
        let entry = per_criterion.entry(criterion).or_default();
        if example.met {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
    }
    for (id, _) in scorer.criteria() {
        let (met, not_met) = per_criterion.get(id).copied().unwrap_or_default();
        assert!(
            met >= 2 && not_met >= 2,
            "{id} needs at least two `met` and two `not_met` examples in its rubric file"
        );
    }
}
