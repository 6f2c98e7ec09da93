//! Regression tests for false positives and negatives the scenario authors found, one test
//! per bug, named after it; and the `penalty` flag of each criterion result.

use rapport_model::model::{CriterionDef, Language, RubricPatch};
use rapport_model::score::{ReplyInput, RubricId, Scorer};

mod common;

use common::{assert_met, assert_met_fr, check, run, scorer};

#[track_caller]
fn assert_met_with(customer: &str, text: &str, yes: &[&str], no: &[&str]) {
    check(&run(text, Some(customer), Language::En), text, yes, no);
}

#[test]
fn oh_thank_you_is_not_rude_tone() {
    for text in [
        "Oh, thank you for waiting, I'll check that now.",
        "Oh thank you so much for your patience.",
        "Oh thanks, that's really helpful.",
    ] {
        assert_met(text, &[], &["rude_tone", "dismissive"]);
    }
    // Sarcasm is still rude.
    assert_met("Oh great, another one of these.", &["rude_tone"], &[]);
    assert_met("Thanks for nothing.", &["rude_tone"], &[]);
}

#[test]
fn negated_blame_is_not_blame_and_does_not_cancel_the_apology() {
    assert_met(
        "You shouldn't have to chase us. I'm sorry about this.",
        &["apologize"],
        &["blame_customer", "dismissive"],
    );
    assert_met(
        "I'm so sorry, none of this is your fault.",
        &["apologize", "reassure"],
        &["blame_customer", "dismissive"],
    );
    assert_met(
        "Sorry, you shouldn't have had to call three times.",
        &["apologize"],
        &["blame_customer"],
    );
    assert_met(
        "I don't think it's your fault at all.",
        &[],
        &["blame_customer"],
    );
    // Blame as such is still blame.
    assert_met(
        "You shouldn't have opened the box.",
        &["blame_customer"],
        &[],
    );
    assert_met("That's your own fault.", &["blame_customer"], &[]);
}

#[test]
fn french_regle_settled_is_not_policy_shield() {
    for text in [
        "Votre problème est réglé, je vous confirme le remboursement.",
        "C'est réglé.",
        "Je la règle tout de suite.",
    ] {
        assert_met_fr(text, &[], &["policy_shield"]);
    }
    // A rule is still a rule.
    assert_met_fr(
        "Les règles de l'entreprise ne le permettent pas.",
        &["policy_shield"],
        &[],
    );
    assert_met_fr(
        "C'est notre politique, je ne peux rien y faire.",
        &["policy_shield"],
        &[],
    );
}

#[test]
fn french_je_vais_counts_as_take_ownership() {
    for text in [
        "Je vais transférer votre dossier au service technique.",
        "Je vais demander un geste commercial pour vous.",
        "Je vais vous renvoyer la commande.",
        "Je vais m'en charger personnellement.",
        "Je vais mettre à jour votre adresse.",
    ] {
        assert_met_fr(text, &["take_ownership"], &[]);
    }
    // Not a commitment to act.
    for text in [
        "Je vais être honnête avec vous.",
        "Je ne vais pas rembourser cette commande.",
        "Nous allons transférer votre dossier.",
    ] {
        assert_met_fr(text, &[], &["take_ownership"]);
    }
}

#[test]
fn condolences_and_hard_situations_acknowledge_feelings() {
    for text in [
        "Please accept my condolences.",
        "I'm so sorry for your loss.",
        "Losing your job is tough.",
        "Dealing with all of this on top of a move must be really hard.",
        "Your situation sounds really difficult.",
    ] {
        assert_met(text, &["acknowledge_feelings"], &[]);
    }
    // "hard to say" names no feeling.
    assert_met(
        "It's hard to say when it will arrive.",
        &[],
        &["acknowledge_feelings"],
    );
}

#[test]
fn mirroring_needs_a_restatement_not_an_instruction() {
    let customer = "My internet keeps dropping and I've restarted the router three times.";
    for text in [
        "Can you unplug the router and restart it?",
        "Unplug the router and restart it.",
        "Could you tell me which lights are on the router when the internet drops?",
        "I'll restart the router from our end.",
    ] {
        assert_met_with(customer, text, &[], &["show_understanding"]);
    }
    assert_met_with(
        customer,
        "So you've restarted the router three times and it's still down.",
        &["show_understanding"],
        &[],
    );
    assert_met_with(
        customer,
        "You've restarted the router three times and the internet still drops, is that right?",
        &["show_understanding"],
        &[],
    );
}

#[test]
fn youre_right_alone_is_not_show_understanding() {
    // The guide needs the customer's specific facts or point restated.
    assert_met("You're right.", &[], &["show_understanding"]);
    assert_met("You're absolutely right.", &[], &["show_understanding"]);
    assert_met_with(
        "You charged me twice for the same order!",
        "You're right, we charged you twice for that order.",
        &["show_understanding"],
        &[],
    );
}

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
