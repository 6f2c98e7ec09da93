//! Helpers shared by the scorer's integration tests (each test file compiles this module
//! on its own, so not every file uses every helper).
#![allow(dead_code)]

use std::sync::OnceLock;

use rapport_model::model::Language;
use rapport_model::score::{ReplyInput, ReplyScore, Scorer};
use rapport_scorer::RubricScorer;

/// The built-in scorer, built once per test binary.
pub fn scorer() -> &'static RubricScorer {
    static SCORER: OnceLock<RubricScorer> = OnceLock::new();
    SCORER.get_or_init(RubricScorer::builtin)
}

pub fn run(text: &str, customer: Option<&str>, language: Language) -> ReplyScore {
    scorer().score(&ReplyInput {
        text,
        customer,
        language,
        ..ReplyInput::default()
    })
}

/// The ids of the criteria `score` met.
pub fn met_ids(score: &ReplyScore) -> Vec<String> {
    score
        .criteria
        .iter()
        .filter(|c| c.met)
        .map(|c| c.id.clone())
        .collect()
}

/// `yes` are all among the criteria `score` met for `text`, and `no` none of them.
#[track_caller]
pub fn check(score: &ReplyScore, text: &str, yes: &[&str], no: &[&str]) {
    let got = met_ids(score);
    for id in yes {
        assert!(
            got.iter().any(|g| g == id),
            "{text:?}: expected {id}, got {got:?}"
        );
    }
    for id in no {
        assert!(
            !got.iter().any(|g| g == id),
            "{text:?}: did not expect {id}, got {got:?}"
        );
    }
}

#[track_caller]
pub fn assert_met(text: &str, yes: &[&str], no: &[&str]) {
    check(&run(text, None, Language::En), text, yes, no);
}

#[track_caller]
pub fn assert_met_fr(text: &str, yes: &[&str], no: &[&str]) {
    check(&run(text, None, Language::Fr), text, yes, no);
}
