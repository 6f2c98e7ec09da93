//! The rubric scorer through its public API: tips, evidence, names, French tips, trainer
//! adjustments (pack files, patches, facts, focus), and properties that must hold for any
//! input. Which criteria the hard cases of `shared/rubric-guide.md` meet (negation,
//! "I understand, but", canned apologies, typos, French replies, ...) is pinned by the
//! examples of the rubric files (`scenarios/rubrics/*.yaml`), where `make train` checks
//! them too.

use std::collections::BTreeMap;
use std::path::PathBuf;

use proptest::prelude::*;
use rapport_model::model::{CriterionDef, Language, RubricPatch};
use rapport_model::score::{
    builtin_criteria, moment_focus, ReplyInput, ReplyScore, RubricId, Scorer, BUILTIN_CRITERIA,
    WRITTEN_CRITERIA,
};
use rapport_scorer::RubricScorer;

mod common;

use common::scorer;

fn score(text: &str) -> ReplyScore {
    scorer().score(&ReplyInput {
        text,
        ..ReplyInput::default()
    })
}

#[test]
fn lists_every_builtin_criterion_in_order() {
    let s = score("Hello");
    let ids: Vec<&str> = s.criteria.iter().map(|c| c.id.as_str()).collect();
    let builtin: Vec<&str> = builtin_criteria(false).map(|(id, _)| id).collect();
    assert_eq!(ids, builtin);
    for (c, (_, rubric)) in s.criteria.iter().zip(builtin_criteria(false)) {
        assert_eq!(c.rubric, rubric);
    }
    // A written message (email) is judged on its form too: every built-in, in order.
    let written = scorer().score(&ReplyInput {
        text: "Hello",
        written: true,
        ..ReplyInput::default()
    });
    let ids: Vec<&str> = written.criteria.iter().map(|c| c.id.as_str()).collect();
    let all: Vec<&str> = BUILTIN_CRITERIA.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, all);
    for (c, (_, rubric)) in written.criteria.iter().zip(BUILTIN_CRITERIA) {
        assert_eq!(c.rubric, rubric);
    }
    assert!(scorer().knows_criterion("rude_tone") && !scorer().knows_criterion("nope"));
}

#[test]
fn tips_show_for_missed_positives_and_present_penalties() {
    let s = score("You should have read the terms.");
    let tip = |id: &str| s.criterion(id).and_then(|c| c.tip.clone());
    assert!(tip("apologize").is_some());
    assert!(tip("blame_customer").is_some());
    assert!(tip("rude_tone").is_none());
    assert!(s.scores.professionalism.is_some_and(|p| p < 100));
}

#[test]
fn personalize_needs_the_right_name() {
    let with = |text: &str, name: Option<&str>| {
        scorer()
            .score(&ReplyInput {
                text,
                customer_name: name,
                ..ReplyInput::default()
            })
            .met("personalize")
    };
    assert!(with("Thanks for your patience, Dana.", Some("Dana")));
    assert!(with("sorry dana", Some("Dana Whitfield")));
    assert!(with("Ms Whitfield, I'm on it.", Some("Dana Whitfield")));
    assert!(!with("Thanks for your patience, Sarah.", Some("Dana")));
    assert!(!with("Thanks for your patience, Dana.", None));
    assert!(!with("Thank you, sir.", Some("Dana")));
}

#[test]
fn evidence_points_at_the_words() {
    let text = "Désolé — I'm so sorry, Dana.";
    let s = scorer().score(&ReplyInput {
        text,
        customer_name: Some("Dana"),
        ..ReplyInput::default()
    });
    let apology = &s.criterion("apologize").unwrap().evidence[0];
    let cut: String = text
        .chars()
        .skip(apology.start)
        .take(apology.end - apology.start)
        .collect();
    assert_eq!(cut, "sorry");
    assert_eq!(apology.text, "sorry");
    let name = &s.criterion("personalize").unwrap().evidence[0];
    assert_eq!((name.start, name.end, name.text.as_str()), (23, 27, "Dana"));
}

// French.

#[test]
fn french_tips_are_in_french() {
    let s = scorer().score(&ReplyInput {
        text: "Bonjour",
        language: Language::Fr,
        ..ReplyInput::default()
    });
    let tip = s
        .criterion("apologize")
        .and_then(|c| c.tip.clone())
        .unwrap();
    assert!(tip.contains("Excusez-vous"), "{tip}");
}

// Trainer adjustments.

fn facts() -> BTreeMap<String, serde_json::Value> {
    [
        ("refund_amount".to_string(), serde_json::json!(64.99)),
        ("delivery_date".to_string(), serde_json::json!("2026-03-14")),
    ]
    .into_iter()
    .collect()
}

fn states(id: &str, phrase: &str) -> CriterionDef {
    CriterionDef {
        id: id.into(),
        rubric: RubricId::ProblemSolving,
        weight: 1.0,
        penalty: false,
        description: String::new(),
        tip: "Name the exact figure ({facts.refund_amount}).".into(),
        phrases: vec![phrase.into()],
    }
}

#[test]
fn patches_add_criteria_phrases_and_weights_with_facts_filled_in() {
    let facts = facts();
    let patch = RubricPatch {
        weights: [("apologize".to_string(), 0.0)].into_iter().collect(),
        phrases: [(
            "offer_solution".to_string(),
            vec!["waive the fee".to_string()],
        )]
        .into_iter()
        .collect(),
        criteria: vec![
            states("states_refund_amount", "{facts.refund_amount}"),
            states("states_delivery_date", "{facts.delivery_date}"),
        ],
    };
    let patches = [&patch];
    let run = |text: &str| {
        scorer().score(&ReplyInput {
            text,
            facts: Some(&facts),
            patches: &patches,
            ..ReplyInput::default()
        })
    };
    let s = run("Sorry! I'll waive the fee and refund $64.99; it arrives on 14 March.");
    let ids: Vec<&str> = s.criteria.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        &ids[BUILTIN_CRITERIA.len() - WRITTEN_CRITERIA.len()..],
        ["states_refund_amount", "states_delivery_date"]
    );
    assert!(s.met("states_refund_amount") && s.met("states_delivery_date"));
    assert!(s.met("offer_solution") && s.met("apologize"));
    assert_eq!(s.scores.empathy, Some(0), "apologize weighs nothing here");

    let s = run("I'll refund $50.00, it arrives on March 15th.");
    let amount = s.criterion("states_refund_amount").unwrap();
    assert!(!amount.met);
    assert_eq!(amount.evidence[0].text, "50.00");
    let tip = amount.tip.as_deref().unwrap();
    assert!(
        tip.starts_with("You said “50.00”, but it is 64.99."),
        "{tip}"
    );
    let date = s.criterion("states_delivery_date").unwrap();
    assert!(
        !date.met && date.evidence[0].text.contains("March 15"),
        "{date:?}"
    );
}

/// Typing the move the moment calls for scored about 55 when every reply was judged on
/// all fourteen criteria: a reply is now measured against its node's focus.
#[test]
fn a_reply_is_measured_against_what_the_moment_calls_for() {
    let focus = vec!["apologize".to_string(), "take_ownership".to_string()];
    let plain = score("I'm sorry. I'll look into it.").scores;
    let focused = scorer()
        .score(&ReplyInput {
            text: "I'm sorry. I'll look into it.",
            focus: &focus,
            ..ReplyInput::default()
        })
        .scores;
    assert!(plain.overall < 50, "{plain:?}");
    assert_eq!(focused.overall, 100, "{focused:?}");
    assert_eq!(
        focused.professionalism, None,
        "no penalty and nothing of it called for"
    );
}

fn temp_pack(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rapport-scorer-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("rubrics")).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join("rubrics").join(file), text).unwrap();
    }
    dir
}

#[test]
fn packs_add_rubric_files_and_report_problems_with_positions() {
    let dir = temp_pack(
        "pack",
        &[
            (
                "a.yaml",
                "rubric: empathy\ncriteria:\n  - id: thank_customer\n    tip: Thank them.\n    phrases: [\"thanks for (your patience|waiting)\"]\n    phrases_fr: [\"merci de votre patience\"]\nphrases:\n  apologize: [\"my sincere regrets\"]\nweights: { reassure: 3 }\n",
            ),
            ("b.yaml", "criteria:\n  - id: broken\n    rubric: empathy\n    phrases: [\"(unclosed\"]\n    tipp: x\nweights: { apologise: 2 }\n"),
        ],
    );
    let (scorer, diags) = RubricScorer::with_pack_dir(&dir);
    let found: Vec<(String, usize, usize)> = diags
        .iter()
        .map(|d| (d.code.clone(), d.line, d.column))
        .collect();
    assert!(found.contains(&("unknown-key".into(), 5, 5)), "{found:?}");
    assert!(found.contains(&("bad-phrase".into(), 4, 25)), "{found:?}");
    assert!(
        found.contains(&("unknown-criterion".into(), 6, 12)),
        "{found:?}"
    );
    let hint = diags
        .iter()
        .find(|d| d.code == "unknown-criterion")
        .and_then(|d| d.hint.clone());
    assert_eq!(hint.as_deref(), Some("did you mean `apologize`?"));

    let s = scorer.score(&ReplyInput {
        text: "Thanks for your patience. My sincere regrets.",
        ..ReplyInput::default()
    });
    assert!(s.met("thank_customer") && s.met("apologize"));
    assert_eq!(
        s.criteria.len(),
        BUILTIN_CRITERIA.len() - WRITTEN_CRITERIA.len() + 2,
        "built-ins (not a written message's), thank_customer, and broken (without its bad phrase)"
    );
    let fr = scorer.score(&ReplyInput {
        text: "Merci de votre patience",
        language: Language::Fr,
        ..ReplyInput::default()
    });
    assert!(fr.met("thank_customer"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_pack_without_rubrics_is_just_the_builtins() {
    let (s, diags) = RubricScorer::with_pack_dir(std::path::Path::new("/nonexistent/pack"));
    assert!(diags.is_empty());
    assert_eq!(s.criteria().count(), BUILTIN_CRITERIA.len());
}

// Properties.

fn check_evidence(text: &str, s: &ReplyScore) {
    let chars: Vec<char> = text.chars().collect();
    for c in &s.criteria {
        for e in &c.evidence {
            assert!(e.start < e.end && e.end <= chars.len(), "{e:?} in {text:?}");
            let cut: String = chars[e.start..e.end].iter().collect();
            assert_eq!(cut, e.text);
        }
    }
    for v in [
        s.scores.empathy,
        s.scores.problem_solving,
        s.scores.professionalism,
        Some(s.scores.overall),
    ]
    .into_iter()
    .flatten()
    {
        assert!(v <= 100);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_text_scores_without_panicking_and_evidence_is_on_char_boundaries(
        text in "\\PC{0,120}",
        customer in proptest::option::of("\\PC{0,60}"),
        name in proptest::option::of("[A-Za-zéü ]{0,12}"),
        fr in any::<bool>(),
    ) {
        let s = scorer().score(&ReplyInput {
            text: &text,
            customer: customer.as_deref(),
            customer_name: name.as_deref(),
            language: if fr { Language::Fr } else { Language::En },
            ..ReplyInput::default()
        });
        check_evidence(&text, &s);
    }

    #[test]
    fn replies_made_of_rubric_words_keep_offsets_right(
        words in proptest::collection::vec(
            proptest::sample::select(vec![
                "I'm", "sorry", "SORRY", "you", "should", "have", "not", "won't", "refund",
                "£64.99", "3-5", "days", "?", "!", "...", "but", "policy", "é", "🙄", "—",
                "frustrasting", "can't", "Dana's", "\n", ",", "calm", "down", "l'erreur",
            ]),
            0..40,
        ),
    ) {
        let text = words.join(" ");
        let s = scorer().score(&ReplyInput { text: &text, customer_name: Some("Dana"), ..ReplyInput::default() });
        check_evidence(&text, &s);
    }
}

#[test]
fn the_scorer_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<RubricScorer>();
}

#[test]
fn scoring_is_deterministic() {
    let text =
        "Dana, I'm so sorry. I'll refund the $64.99 now; you'll see it in 3-5 days. Anything else?";
    let input = ReplyInput {
        text,
        customer_name: Some("Dana"),
        ..ReplyInput::default()
    };
    let a = scorer().score(&input);
    let b = RubricScorer::builtin().score(&input);
    assert_eq!(a, b);
}

/// `met_when_none_of` made a criterion met by what a reply lacked; it is gone (a penalty
/// needs words that commit it), and a pack file that still uses it is told so at the key.
#[test]
fn a_pack_criterion_cannot_be_met_by_what_a_reply_lacks() {
    let dir = temp_pack(
        "none-of",
        &[(
            "a.yaml",
            "criteria:\n  - id: no_next_step\n    rubric: problem_solving\n    penalty: true\n    tip: Say what happens next.\n    met_when_none_of: [set_expectations]\n    phrases: [\"no idea when\"]\n",
        )],
    );
    let (scorer, diags) = RubricScorer::with_pack_dir(&dir);
    let found: Vec<(String, usize)> = diags.iter().map(|d| (d.code.clone(), d.line)).collect();
    assert_eq!(found, [("unknown-key".to_string(), 6)]);
    let met = |text: &str| {
        scorer
            .score(&ReplyInput {
                text,
                ..ReplyInput::default()
            })
            .met("no_next_step")
    };
    assert!(!met("The parcel is at the depot."));
    assert!(met("No idea when it will come."));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 12: a good reply written in English to a French-speaking customer scored 62 and
/// nothing said the language was wrong; and one Quebec "sorry" in a French reply made the
/// whole reply English and the apology was missed.
#[test]
fn a_reply_in_another_language_than_the_customer_s_is_flagged_sentence_by_sentence() {
    let judge = |text: &str, customer_language: Option<Language>| {
        scorer().score(&ReplyInput {
            text,
            customer_name: Some("Dana"),
            language: rapport_scorer::text::reply_language(text, Language::Fr),
            customer_language,
            ..ReplyInput::default()
        })
    };
    let english = judge(
        "I'm so sorry, Dana. I'll refund the duplicate charge today.",
        Some(Language::Fr),
    );
    assert!(english.met("customer_language"), "{english:?}");
    assert!(english
        .criterion("customer_language")
        .and_then(|c| c.tip.as_deref())
        .is_some_and(|t| t.contains("customer's language")));
    let borrowed = judge(
        "Ah, sorry! Je suis désolée, Dana, je vous rembourse aujourd'hui.",
        Some(Language::Fr),
    );
    assert!(!borrowed.met("customer_language"), "{borrowed:?}");
    let quebec = judge("Oh sorry! Je regarde ça tout de suite.", Some(Language::Fr));
    assert!(
        quebec.met("apologize") && !quebec.met("customer_language"),
        "{quebec:?}"
    );
    // A bilingual desk (or a reply out of context) is not judged on its language.
    assert!(!judge("I'll refund the duplicate charge today.", None).met("customer_language"));
}

#[test]
fn a_written_message_is_judged_on_its_greeting_and_sign_off_in_english_and_french() {
    let focus = moment_focus(&["apologize".to_string()], true);
    assert_eq!(focus, ["apologize", "greeting", "sign_off"]);
    let email = |text: &str, language: Language| {
        scorer().score(&ReplyInput {
            text,
            language,
            customer_name: Some("Helen Martin"),
            focus: &focus,
            written: true,
            ..ReplyInput::default()
        })
    };
    let whole = email(
        "Dear Ms Martin,\n\nI'm so sorry for the delay.\n\nKind regards,\nAlex, billing team",
        Language::En,
    );
    assert!(whole.met("greeting") && whole.met("sign_off"), "{whole:?}");
    assert_eq!(whole.scores.professionalism, Some(100));
    let bare = email("I'm so sorry for the delay.", Language::En);
    assert!(!bare.met("greeting") && !bare.met("sign_off"));
    assert!(bare.criterion("greeting").unwrap().tip.is_some());
    assert_eq!(
        bare.scores.professionalism,
        Some(0),
        "on email the form is called for wherever anything is"
    );
    assert!(bare.scores.overall < whole.scores.overall);
    let fr = email(
        "Bonjour Madame Martin,\n\nJe suis désolée pour ce retard.\n\nCordialement,\nJulie",
        Language::Fr,
    );
    assert!(fr.met("greeting") && fr.met("sign_off"), "{fr:?}");
    let fr_bare = email("Bonjour, je suis désolée pour ce retard.", Language::Fr);
    assert!(!fr_bare.met("greeting") && !fr_bare.met("sign_off"));
}

#[test]
fn a_chat_reply_has_no_greeting_or_sign_off_and_scores_as_before() {
    let text = "Dear Ms Martin,\n\nI'm so sorry for the delay.\n\nKind regards,\nAlex";
    let focus = ["apologize".to_string()];
    let chat = scorer().score(&ReplyInput {
        text,
        focus: &focus,
        ..ReplyInput::default()
    });
    for id in WRITTEN_CRITERIA {
        assert!(chat.criterion(id).is_none(), "{id} is judged on email only");
    }
    assert_eq!(chat.scores.professionalism, None, "not assessed, as before");
    assert_eq!(
        moment_focus(&focus, false),
        focus,
        "chat: the node's focus alone"
    );
    assert!(
        moment_focus(&[], true).is_empty(),
        "out of context, everything counts"
    );
    let email = scorer().score(&ReplyInput {
        text,
        focus: &focus,
        written: true,
        ..ReplyInput::default()
    });
    assert_eq!(email.scores.empathy, chat.scores.empathy);
}

#[test]
fn the_written_criteria_are_the_ones_whose_rubric_uses_a_written_only_detector() {
    let s = RubricScorer::builtin();
    let written: Vec<&str> = s
        .criteria()
        .map(|(id, _)| id)
        .filter(|id| {
            scorer()
                .score(&ReplyInput {
                    text: "Hello",
                    ..ReplyInput::default()
                })
                .criterion(id)
                .is_none()
        })
        .collect();
    assert_eq!(written, WRITTEN_CRITERIA);
}
