//! Test fixtures shared by the unit tests of several modules.

use std::collections::BTreeMap;

use crate::model::{
    Branch, Channel, Condition, Customer, Ending, Language, Meta, Node, Outcome, RubricPatch,
    Scenario, Transition,
};
use crate::score::{CriterionResult, ReplyInput, ReplyScore, RubricId, Scorer, Scores};

/// Meets `apologize` on "sorry" and `blame_customer` on "your fault"; empathy 80 when
/// apologising. Enough to drive branches without depending on the real scorer.
pub struct WordScorer;

impl Scorer for WordScorer {
    fn score(&self, input: &ReplyInput<'_>) -> ReplyScore {
        let text = input.text.to_lowercase();
        let crit = |id: &str, rubric, met| CriterionResult {
            id: id.into(),
            rubric,
            penalty: rubric == RubricId::Professionalism,
            met,
            evidence: vec![],
            tip: None,
            sounds_like: None,
        };
        let sorry = text.contains("sorry");
        let blame = text.contains("your fault");
        ReplyScore {
            scores: Scores {
                empathy: Some(if sorry { 80 } else { 10 }),
                problem_solving: Some(50),
                professionalism: Some(if blame { 20 } else { 100 }),
                overall: 50,
            },
            criteria: vec![
                crit("apologize", RubricId::Empathy, sorry),
                crit("blame_customer", RubricId::Professionalism, blame),
            ],
        }
    }
}

fn node(say: &[&str], branches: Vec<Branch>, otherwise: (&str, i32)) -> Node {
    Node {
        say: say.iter().map(|s| s.to_string()).collect(),
        say_when: vec![],
        tips: BTreeMap::new(),
        facts: vec![],
        focus: vec!["apologize".into()],
        model_answers: vec!["I'm so sorry, {customer.first_name}.".into()],
        choices: vec![],
        shuffle: true,
        rubric: RubricPatch::default(),
        branches,
        otherwise: Transition {
            goto: otherwise.0.into(),
            mood: otherwise.1,
        },
        on_silence: None,
    }
}

fn branch(when: Condition, goto: &str, mood: i32) -> Branch {
    Branch {
        when,
        then: Transition {
            goto: goto.into(),
            mood,
        },
    }
}

fn ending(outcome: Outcome, say: &str) -> Ending {
    Ending {
        outcome,
        say: vec![say.into()],
        say_when: vec![],
        lesson: format!("lesson of {say}"),
        lesson_variants: vec![],
    }
}

/// start --(apologize)--> calmer --(sorry again)--> happy; blame -> hangs_up.
pub fn scenario() -> Scenario {
    let apologise = Condition {
        met: vec!["apologize".into()],
        ..Condition::default()
    };
    let blame = Condition {
        met: vec!["blame_customer".into()],
        ..Condition::default()
    };
    let nodes: BTreeMap<String, Node> = [
        (
            "start".to_string(),
            node(
                &[
                    "I was charged twice!",
                    "Why did you charge me twice?",
                    "Two charges, {customer.first_name} is not amused.",
                ],
                vec![
                    branch(blame.clone(), "hung_up", -40),
                    branch(apologise.clone(), "calmer", 20),
                ],
                ("start", -10),
            ),
        ),
        (
            "calmer".to_string(),
            node(
                &["OK. So what now?", "Fine. What will you do?"],
                vec![branch(apologise, "happy", 30)],
                ("meh", 0),
            ),
        ),
    ]
    .into_iter()
    .collect();
    Scenario {
        meta: Meta {
            id: "t".into(),
            title: "Test".into(),
            summary: String::new(),
            difficulty: 1,
            skills: vec![],
            industry: None,
            channel: Channel::Phone,
            language: Language::En,
            locale: "en".into(),
            bilingual: false,
            estimated_minutes: 1,
            author: String::new(),
            version: "1".into(),
        },
        customer: Customer {
            name: "Dana Whitfield".into(),
            persona: String::new(),
            mood: 30,
            patience: Some(20),
            max_chases: crate::model::DEFAULT_MAX_CHASES,
            facts: BTreeMap::new(),
            language: Language::En,
            variants: vec![],
            variant: None,
            fact_order: vec![],
            fact_labels: std::collections::BTreeMap::new(),
        },
        start: "start".into(),
        nodes,
        endings: [
            ("happy".to_string(), ending(Outcome::Success, "Thanks!")),
            ("meh".to_string(), ending(Outcome::Partial, "Whatever.")),
            ("hung_up".to_string(), ending(Outcome::HungUp, "*click*")),
        ]
        .into_iter()
        .collect(),
        rubric: RubricPatch::default(),
        tests: vec![],
        trainer_notes: String::new(),
        tips: BTreeMap::new(),
        source: Default::default(),
    }
}
