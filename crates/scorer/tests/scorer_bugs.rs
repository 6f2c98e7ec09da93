//! Regression tests for bugs the scenario authors found that a rubric example cannot pin
//! (the customer's name, a pack's own criteria), one test per bug, named after it; and the
//! `penalty` flag of each criterion result. A bug that is only about which criteria a
//! sentence meets is pinned as examples of those criteria in the rubric files
//! (`scenarios/rubrics/*.yaml`, under a `# bug: ...` comment).

use rapport_model::model::{CriterionDef, Language, RubricPatch};
use rapport_model::score::{ReplyInput, RubricId, Scorer};

mod common;

use common::{run, scorer};

#[test]
fn criterion_results_say_which_are_penalties() {
    let s = run("Hello", None, Language::En);
    for c in &s.criteria {
        assert_eq!(
            c.penalty,
            c.rubric == RubricId::Professionalism,
            "{}: penalty flag",
            c.id
        );
    }
    let patch = RubricPatch {
        criteria: vec![
            CriterionDef {
                id: "mentions_competitor".into(),
                rubric: RubricId::Professionalism,
                weight: 1.0,
                penalty: true,
                description: String::new(),
                tip: String::new(),
                phrases: vec!["acme".into()],
            },
            CriterionDef {
                id: "thanks_customer".into(),
                rubric: RubricId::Empathy,
                weight: 1.0,
                penalty: false,
                description: String::new(),
                tip: String::new(),
                phrases: vec!["thank you".into()],
            },
        ],
        ..RubricPatch::default()
    };
    let patches = [&patch];
    let s = scorer().score(&ReplyInput {
        text: "Thank you, Acme is worse.",
        patches: &patches,
        ..ReplyInput::default()
    });
    let c = |id: &str| s.criterion(id).unwrap();
    assert!(c("mentions_competitor").penalty && c("mentions_competitor").met);
    assert!(!c("thanks_customer").penalty && c("thanks_customer").met);
}

/// "no keisha," and "nothing more, karim" lost the name: the negation before it unsaid
/// it. A name is said, not claimed (found on the training corpus, round 6).
#[test]
fn a_name_after_no_or_nothing_still_names_the_customer() {
    use rapport_model::model::Language;
    use rapport_model::score::{ReplyInput, Scorer};
    let scorer = rapport_scorer::RubricScorer::builtin();
    for (text, name, lang) in [
        (
            "No Keisha, that's not right, I'll fix it.",
            "Keisha",
            Language::En,
        ),
        ("Nothing more, Karim, it's all done.", "Karim", Language::En),
        ("Non Nadia, ce n'est pas normal.", "Nadia", Language::Fr),
    ] {
        let s = scorer.score(&ReplyInput {
            text,
            customer_name: Some(name),
            language: lang,
            ..ReplyInput::default()
        });
        assert!(s.met("personalize"), "{text}");
    }
    let s = scorer.score(&ReplyInput {
        text: "I'm not sorry.",
        customer_name: Some("Keisha"),
        ..ReplyInput::default()
    });
    assert!(!s.met("apologize"), "other phrases are still negated");
}
