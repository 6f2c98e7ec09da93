//! The broad phrase families of the third and later scorer rounds, on sentences written
//! for them (none copied from the evaluation sets), are pinned as examples beside their
//! criteria in the rubric files (`scenarios/rubrics/*.yaml`, each group under a comment
//! naming its family), where `make train` checks them too. What stays here is what an
//! example, judged in the language guessed from its text, cannot pin.

mod common;

/// "Ces frais sont non remboursables." states a French rule as the answer, but it has too
/// few common French words for `guess_language`, which takes it for English (where no
/// phrase matches it): as a rubric example it would be judged as English.
#[test]
fn the_standard_or_the_process_given_as_the_answer_is_policy_shield() {
    common::assert_met_fr("Ces frais sont non remboursables.", &["policy_shield"], &[]);
}
