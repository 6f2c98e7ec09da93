//! Every criterion's behaviour is pinned by the `examples: {met: [...], not_met: [...]}`
//! written beside it in its rubric file (as ast-grep keeps a rule's examples with the
//! rule): each `met` reply must meet it and each `not_met` reply must not, judged after
//! the example's customer line when it gives one (else out of context) in the language
//! the reply is written in, as replies to an English-speaking
//! customer (which is what `customer_language`'s examples are about), each as one written
//! message (which `greeting` and `sign_off` need). A failure names the file and line.

use rapport_model::model::Language;
use rapport_model::score::{ReplyInput, Scorer};
use rapport_scorer::text::guess_language;
use rapport_scorer::RubricScorer;

#[test]
fn every_rubric_example_behaves_as_its_file_says() {
    let scorer = RubricScorer::builtin();
    let mut failures = Vec::new();
    let mut per_criterion = std::collections::BTreeMap::<&str, (usize, usize)>::new();
    for (criterion, example) in scorer.examples() {
        let (file, line, text, must_meet) = (
            &example.file,
            example.line,
            example.reply.as_str(),
            example.met,
        );
        let entry = per_criterion.entry(criterion).or_default();
        if must_meet {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
        let score = scorer.score(&ReplyInput {
            text,
            customer: example.customer.as_deref(),
            customer_name: Some("Dana"),
            language: guess_language(text),
            customer_language: Some(Language::En),
            // As one written message, so a written message's form (`greeting`,
            // `sign_off`) is judged too; it changes no other criterion.
            written: true,
            ..ReplyInput::default()
        });
        if score.met(criterion) != must_meet {
            failures.push(format!(
                "{file}:{line}: {criterion} should {}be met by {text:?}",
                if must_meet { "" } else { "not " }
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for (id, _) in scorer.criteria() {
        let (met, not_met) = per_criterion.get(id).copied().unwrap_or_default();
        assert!(
            met >= 2 && not_met >= 2,
            "{id} needs at least two `met` and two `not_met` examples in its rubric file"
        );
    }
}
