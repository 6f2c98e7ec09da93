//! What a scorer returns for one reply, and the trait the engine scores through.
//!
//! The shapes here are the `rapport score` JSON contract of `shared/design.md`:
//! serialising a [`ReplyScore`] gives `{"scores": {...}, "criteria": [...]}` exactly.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{Language, RubricPatch, ScoreKey};

/// The three built-in rubrics.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RubricId {
    Empathy,
    ProblemSolving,
    Professionalism,
}

impl RubricId {
    pub const ALL: [RubricId; 3] = [
        RubricId::Empathy,
        RubricId::ProblemSolving,
        RubricId::Professionalism,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RubricId::Empathy => "empathy",
            RubricId::ProblemSolving => "problem_solving",
            RubricId::Professionalism => "professionalism",
        }
    }

    pub fn parse(s: &str) -> Option<RubricId> {
        RubricId::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The fourteen built-in criteria of `shared/rubric-guide.md`, with their rubric.
/// Penalty criteria (professionalism) are "met" when the bad thing is present.
pub const BUILTIN_CRITERIA: [(&str, RubricId); 17] = [
    ("acknowledge_feelings", RubricId::Empathy),
    ("apologize", RubricId::Empathy),
    ("show_understanding", RubricId::Empathy),
    ("reassure", RubricId::Empathy),
    ("personalize", RubricId::Empathy),
    ("clarifying_question", RubricId::ProblemSolving),
    ("take_ownership", RubricId::ProblemSolving),
    ("offer_solution", RubricId::ProblemSolving),
    ("set_expectations", RubricId::ProblemSolving),
    ("check_resolution", RubricId::ProblemSolving),
    ("blame_customer", RubricId::Professionalism),
    ("dismissive", RubricId::Professionalism),
    ("policy_shield", RubricId::Professionalism),
    ("rude_tone", RubricId::Professionalism),
    // Decided by language detection, not learned or labelled: the fourteen above are the
    // labelled ones.
    ("customer_language", RubricId::Professionalism),
    // A written message's form, judged only on a written channel (email) by detectors:
    // absent from the results of a chat or phone reply, and not labelled.
    ("greeting", RubricId::Professionalism),
    ("sign_off", RubricId::Professionalism),
];

/// The built-in criteria of a written message's form: judged only on a written channel
/// (email), absent from the results of any other reply (their rubric entries use the
/// written-only detectors `greeting` and `sign_off`).
pub const WRITTEN_CRITERIA: [&str; 2] = ["greeting", "sign_off"];

/// The built-in criteria a reply's results list, in order: all of them for a written
/// message, all but [`WRITTEN_CRITERIA`] otherwise.
pub fn builtin_criteria(written: bool) -> impl Iterator<Item = (&'static str, RubricId)> {
    BUILTIN_CRITERIA
        .into_iter()
        .filter(move |(id, _)| written || !WRITTEN_CRITERIA.contains(id))
}

/// What a moment calls for: the node's `focus`, and for a written message (email) its
/// form too ([`WRITTEN_CRITERIA`]) wherever the moment calls for anything. An empty focus
/// (a reply out of context, where everything counts) stays empty. The one place this is
/// decided: the scorer's input, the feedback, the debrief, `rapport try` and `validate`
/// read it from here (through `Scenario::focus_at`).
pub fn moment_focus(focus: &[String], written: bool) -> Vec<String> {
    let mut out = focus.to_vec();
    if written && !focus.is_empty() {
        for id in WRITTEN_CRITERIA {
            if !out.iter().any(|f| f == id) {
                out.push(id.to_string());
            }
        }
    }
    out
}

/// Whether `id` is one of the built-in criteria.
pub fn is_builtin_criterion(id: &str) -> bool {
    BUILTIN_CRITERIA.iter().any(|(c, _)| *c == id)
}

/// Rubric scores, 0-100 each. A rubric is `None` (JSON `null`) when the moment did not
/// assess it: the node did not call for it and the reply neither earned credit nor lost
/// points in it. The overall is always a number (see `scorer::formula`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Scores {
    pub empathy: Option<u8>,
    pub problem_solving: Option<u8>,
    pub professionalism: Option<u8>,
    pub overall: u8,
}

impl Scores {
    /// The score a condition reads; `None` for a rubric that was not assessed.
    pub fn get(&self, key: ScoreKey) -> Option<u8> {
        match key {
            ScoreKey::Empathy => self.empathy,
            ScoreKey::ProblemSolving => self.problem_solving,
            ScoreKey::Professionalism => self.professionalism,
            ScoreKey::Overall => Some(self.overall),
        }
    }

    pub fn rubric(&self, r: RubricId) -> Option<u8> {
        match r {
            RubricId::Empathy => self.empathy,
            RubricId::ProblemSolving => self.problem_solving,
            RubricId::Professionalism => self.professionalism,
        }
    }
}

/// A span of the reply that triggered a criterion. Offsets count Unicode scalar values
/// (chars), `end` exclusive, so `text == reply.chars().skip(start).take(end - start)`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// One criterion's verdict on one reply.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionResult {
    pub id: String,
    pub rubric: RubricId,
    /// A penalty criterion (the four of professionalism, or a custom one defined with
    /// `penalty: true`): "met" means the bad thing is present, and it lowers the score.
    pub penalty: bool,
    pub met: bool,
    pub evidence: Vec<Evidence>,
    /// Coaching: for a positive criterion, shown when missed; for a penalty, when present.
    pub tip: Option<String>,
    /// When the semantic stage (not a phrase) found it: the labelled example the reply's
    /// move resembles most, shown as "sounds like: ...".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub sounds_like: Option<String>,
}

/// The scorer's full verdict on one reply.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplyScore {
    pub scores: Scores,
    pub criteria: Vec<CriterionResult>,
}

impl ReplyScore {
    /// Whether the criterion `id` was met (false for an id the scorer did not judge).
    pub fn met(&self, id: &str) -> bool {
        self.criteria.iter().any(|c| c.id == id && c.met)
    }

    pub fn criterion(&self, id: &str) -> Option<&CriterionResult> {
        self.criteria.iter().find(|c| c.id == id)
    }
}

/// Everything a scorer may look at for one reply.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReplyInput<'a> {
    /// The trainee's reply.
    pub text: &'a str,
    /// The customer's last line, for mirroring.
    pub customer: Option<&'a str>,
    /// The customer's name, for `personalize`.
    pub customer_name: Option<&'a str>,
    pub language: Language,
    /// Criteria that matter most at this moment (weigh more in the scores).
    pub focus: &'a [String],
    /// The customer's CRM facts, for checking that the reply states the right fact.
    pub facts: Option<&'a BTreeMap<String, serde_json::Value>>,
    /// Scenario- and node-level rubric adjustments, outermost first.
    pub patches: &'a [&'a RubricPatch],
    /// The language the customer speaks, when the reply should be in it
    /// (`customer_language`); `None` for a bilingual desk or a reply out of context.
    pub customer_language: Option<Language>,
    /// The reply is one written message (an email: see `Channel::is_written`): it is also
    /// judged on its form (`greeting`, `sign_off`; `focus` then names them wherever the
    /// moment calls for anything, see [`moment_focus`]). Elsewhere those criteria are
    /// absent.
    pub written: bool,
}

/// Judges replies. Implementations must be deterministic: same input, same output.
pub trait Scorer {
    fn score(&self, input: &ReplyInput<'_>) -> ReplyScore;

    /// Whether `id` is a criterion this scorer can judge (for validating scenarios).
    fn knows_criterion(&self, id: &str) -> bool {
        is_builtin_criterion(id)
    }

    /// The one-line definition of criterion `id` a trainee can open, in `language`.
    fn definition(&self, _id: &str, _language: Language) -> Option<String> {
        None
    }
}

/// A shared scorer scores like the one it shares (the app, the validator and the CLI
/// use one compiled scorer per pack).
impl<S: Scorer + ?Sized> Scorer for std::sync::Arc<S> {
    fn score(&self, input: &ReplyInput<'_>) -> ReplyScore {
        (**self).score(input)
    }

    fn knows_criterion(&self, id: &str) -> bool {
        (**self).knows_criterion(id)
    }

    fn definition(&self, id: &str, language: Language) -> Option<String> {
        (**self).definition(id, language)
    }
}
