//! The scenario file as serde reads it, before any check: close to the YAML, lenient
//! about numbers (any whole number, so a range check can say "out of range" instead of
//! serde's "expected u8"), strict about keys.
//!
//! The top level, `nodes`, `endings` and `tests` are walked by hand in `check`, and each
//! part is deserialised on its own, so that one broken node does not hide the others.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::model::{Channel, Outcome, RubricPatch};

/// Keys of the top-level map, in the order the format reference lists them.
pub(crate) const TOP_KEYS: [&str; 20] = [
    "id",
    "title",
    "summary",
    "difficulty",
    "skills",
    "industry",
    "channel",
    "language",
    "bilingual",
    "estimated_minutes",
    "author",
    "version",
    "customer",
    "start",
    "nodes",
    "endings",
    "rubric",
    "tips",
    "tests",
    "trainer_notes",
];

/// Top-level keys a scenario cannot do without.
pub(crate) const REQUIRED_TOP_KEYS: [&str; 12] = [
    "id",
    "title",
    "summary",
    "difficulty",
    "skills",
    "channel",
    "estimated_minutes",
    "author",
    "version",
    "customer",
    "nodes",
    "endings",
];

/// The customer the trainee talks to.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCustomer {
    /// Full name, e.g. "Dana Whitfield"; lines can say `{customer.name}` or
    /// `{customer.first_name}`.
    pub name: String,
    /// Who they are and how they feel, shown to the trainee on the persona card.
    pub persona: String,
    /// Starting mood, 0 (furious) to 100 (delighted).
    #[schemars(range(min = 0, max = 100))]
    pub mood: i64,
    /// Seconds the customer waits for a silent agent before they chase. Not on email: an
    /// email customer never chases (`rapport validate` warns).
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub patience: Option<i64>,
    /// How many times the customer chases a silent agent at one moment before hanging up
    /// (default 3); then the conversation goes to the ending whose outcome is `hung_up`.
    #[serde(default)]
    #[schemars(range(min = 1, max = 10))]
    pub max_chases: Option<i64>,
    /// What the agent can look up (a small CRM record), shown in the order written; lines
    /// can say `{facts.order_id}`. A fact may be `{value: ..., label: "Référence"}` to
    /// give the record its own label (with accents, in the scenario's language).
    #[serde(default)]
    #[schemars(with = "Option<BTreeMap<String, serde_json::Value>>")]
    pub facts: Option<serde_yaml::Mapping>,
    /// Ways this customer can be, one picked by the session's seed (so a replay meets the
    /// same one): each may change the temperament, persona, mood, patience, facts and lines.
    #[serde(default)]
    pub variants: Vec<RawVariant>,
}

/// One persona variant. What it leaves out is the customer's own.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawVariant {
    /// Unique among the variants: lowercase letters, digits, `_` and `-`.
    pub id: String,
    /// A few words shown on the persona card, e.g. "curt and in a hurry".
    pub temperament: String,
    /// Replaces the customer's `persona` text.
    #[serde(default)]
    pub persona: Option<String>,
    /// Starting mood, 0-100.
    #[serde(default)]
    #[schemars(range(min = 0, max = 100))]
    pub mood: Option<i64>,
    /// Seconds before they chase a silent agent (not on email).
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub patience: Option<i64>,
    /// Facts added to (or replacing those of) the customer's.
    #[serde(default)]
    #[schemars(with = "Option<BTreeMap<String, serde_json::Value>>")]
    pub facts: Option<serde_yaml::Mapping>,
    /// Node or ending id -> what this customer says there instead (as a node's `say`).
    #[serde(default)]
    pub lines: BTreeMap<String, Say>,
}

/// One moment of the conversation: the customer speaks, the trainee answers, a branch
/// decides where it goes.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNode {
    /// What the customer says here: one line, or several variants picked at random;
    /// an item may be `{when: ..., say: ...}`, said only when its condition holds on the
    /// reply that led here (the plain lines are the fallback).
    pub say: Say,
    /// The criteria that matter most at this moment (their weight is doubled here).
    #[serde(default)]
    pub focus: Vec<String>,
    /// What a strong reply would say, shown in the debrief.
    #[serde(default)]
    pub model_answer: Option<Lines>,
    /// Guided mode: replies to choose from instead of typing (each is scored). A choice
    /// is its text, or `{text, leads_to}` naming the node or ending it should lead to
    /// (`validate` warns when its scored result would take another branch).
    #[serde(default)]
    pub choices: Vec<RawChoice>,
    /// Guided mode: show the choices in an order shuffled with the session's seed
    /// (default `true`), so the best one is not always first; `false` keeps them as
    /// written. `when: {choice: N}` and tests' `choice: N` count as written either way.
    #[serde(default)]
    pub shuffle: Option<bool>,
    /// Rubric adjustments for this node only.
    #[serde(default)]
    pub rubric: Option<RubricPatch>,
    /// Criterion id -> the coaching tip at this moment, where the generic one would be
    /// wrong (no "name their frustration" on a happy call). Wins over the scenario's.
    #[serde(default)]
    pub tips: BTreeMap<String, String>,
    /// Facts this moment needs, shown first on the customer record (those the model
    /// answers use come next, then the rest in the order written).
    #[serde(default)]
    pub facts: Vec<String>,
    /// Tried in order; the first whose `when` holds is taken.
    #[serde(default)]
    pub branches: Vec<RawBranch>,
    /// Where to go when no branch holds. (Optional here so that a node with no way out
    /// at all is a `dead-end`, not a `missing-key`.)
    #[serde(default)]
    pub otherwise: Option<RawTransition>,
    /// What happens when the trainee stays silent past the customer's patience (never on
    /// email, where the customer does not chase).
    #[serde(default)]
    pub on_silence: Option<RawSilence>,
}

/// A guided choice: its text, or its text and where it should lead.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub(crate) enum RawChoice {
    Text(String),
    Leading(RawLeadingChoice),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLeadingChoice {
    /// What the trainee would say.
    pub text: String,
    /// The node or ending this choice should lead to.
    pub leads_to: Option<String>,
}

impl RawChoice {
    pub fn text(&self) -> &str {
        match self {
            RawChoice::Text(t) => t,
            RawChoice::Leading(c) => &c.text,
        }
    }

    pub fn leads_to(&self) -> Option<&str> {
        match self {
            RawChoice::Text(_) => None,
            RawChoice::Leading(c) => c.leads_to.as_deref(),
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBranch {
    /// Every condition given must hold.
    pub when: RawCondition,
    /// The node or ending to go to.
    pub goto: String,
    /// Mood change, -100 to 100.
    #[serde(default)]
    #[schemars(range(min = -100, max = 100))]
    pub mood: i64,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTransition {
    /// The node or ending to go to.
    pub goto: String,
    /// Mood change, -100 to 100.
    #[serde(default)]
    #[schemars(range(min = -100, max = 100))]
    pub mood: i64,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSilence {
    /// The customer's chase line (default: "Hello? Are you still there?").
    #[serde(default)]
    pub say: Option<String>,
    /// Where to go; without it the customer chases and waits again.
    #[serde(default)]
    pub goto: Option<String>,
    /// Mood change, -100 to 100.
    #[serde(default)]
    #[schemars(range(min = -100, max = 100))]
    pub mood: i64,
}

/// Score keys stay text here so an unknown one gets a "did you mean" at its own position.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCondition {
    /// Score (empathy, problem_solving, professionalism, overall) -> lowest score, 0-100.
    #[serde(default)]
    pub min_score: BTreeMap<String, i64>,
    /// Score -> highest score, 0-100.
    #[serde(default)]
    pub max_score: BTreeMap<String, i64>,
    /// Criteria the reply must all meet.
    #[serde(default)]
    pub met: Vec<String>,
    /// Criteria of which the reply must meet at least one.
    #[serde(default)]
    pub met_any: Vec<String>,
    /// Criteria the reply must not meet.
    #[serde(default)]
    pub missed: Vec<String>,
    /// Words or phrases of which the reply must contain at least one.
    #[serde(default)]
    pub says_any: Vec<String>,
    /// Words or phrases the reply must not contain.
    #[serde(default)]
    pub says_none: Vec<String>,
    /// The mood before this reply is at least this, 0-100.
    #[serde(default)]
    #[schemars(range(min = 0, max = 100))]
    pub mood_at_least: Option<i64>,
    /// The mood before this reply is at most this, 0-100.
    #[serde(default)]
    #[schemars(range(min = 0, max = 100))]
    pub mood_at_most: Option<i64>,
    /// The customer has chased a silent agent at least this often (at this node for a
    /// branch; in the whole conversation for a lesson).
    #[serde(default)]
    #[schemars(range(min = 0))]
    pub chases_at_least: Option<i64>,
    /// The customer has chased at most this often.
    #[serde(default)]
    #[schemars(range(min = 0))]
    pub chases_at_most: Option<i64>,
    /// Guided nodes: the trainee picked this choice (1 = the first one written, whatever
    /// order the trainee sees). Branches only.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub choice: Option<i64>,
}

/// How the conversation ends.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEnding {
    pub outcome: Outcome,
    /// The customer's closing line: like a node's `say`, plain lines and
    /// `{when: ..., say: ...}` items that follow the reply that led here.
    pub say: Say,
    /// A short lesson for the trainee's debrief: one text, or variants tried in order
    /// on the whole conversation (`when:`), the last one without `when:` as the fallback.
    #[serde(default)]
    pub lesson: RawLesson,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub(crate) enum RawLesson {
    Text(String),
    Variants(Vec<RawLessonVariant>),
}

impl Default for RawLesson {
    fn default() -> Self {
        RawLesson::Text(String::new())
    }
}

/// A lesson shown when its condition holds on the whole conversation.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLessonVariant {
    /// Read on the whole conversation: `met` (at some turn), `missed` (at every turn),
    /// `mood_at_least`/`mood_at_most` (the final mood), `chases_at_least`/`chases_at_most`,
    /// `min_score`/`max_score` (the debrief's), `says_any`/`says_none` (any reply).
    #[serde(default)]
    pub when: Option<RawCondition>,
    pub text: String,
}

/// A golden test: scripted replies and the path and ending they must reach.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTest {
    pub name: String,
    /// The seed that picks line variants (and the persona variant).
    #[serde(default)]
    pub seed: u64,
    /// The persona variant this test's seed must meet (checked by `validate`, which
    /// names the seeds that do).
    #[serde(default)]
    pub variant: Option<String>,
    #[serde(default)]
    pub turns: Vec<RawTurn>,
    /// The nodes visited, start first, ending last (optional).
    #[serde(default)]
    pub path: Vec<String>,
    /// The ending the replies must reach.
    pub ending: String,
    /// The debrief's overall score must be at least this, 0-100.
    #[serde(default)]
    #[schemars(range(min = 0, max = 100))]
    pub overall_at_least: Option<i64>,
    /// The debrief's overall score must be at most this, 0-100.
    #[serde(default)]
    #[schemars(range(min = 0, max = 100))]
    pub overall_at_most: Option<i64>,
}

/// `{reply: ..}`, `{choice: N}` or `{silence: true}`; exactly one is checked later.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTurn {
    /// A typed reply.
    #[serde(default)]
    pub reply: Option<String>,
    /// A guided choice, numbered from 1.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub choice: Option<i64>,
    /// The trainee says nothing until the customer's patience runs out.
    #[serde(default)]
    pub silence: Option<bool>,
}

/// The whole file, for the JSON schema only: the loader walks the top level by hand (see
/// the module docs), and a test keeps these fields equal to [`TOP_KEYS`].
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "Rapport scenario",
    description = "One scenario for Rapport. Reference: docs/scenario-format.md"
)]
#[allow(dead_code)]
pub(crate) struct ScenarioFile {
    /// Unique across the pack: lowercase letters, digits, `_` and `-`.
    #[schemars(regex(pattern = r"^[a-z0-9_-]+$"))]
    id: String,
    /// Shown on the library card.
    title: String,
    /// One or two sentences for the card.
    summary: String,
    /// 1 gentle to 5 hardest.
    #[schemars(range(min = 1, max = 5))]
    difficulty: u8,
    /// Tags for the library filter, e.g. `[de-escalation, billing]`.
    skills: Vec<String>,
    /// The line of business, a lowercase tag for the library filter, e.g. `telecom`,
    /// `online-retail`, `banking`, `public-services`.
    #[serde(default)]
    #[schemars(regex(pattern = r"^[a-z0-9_-]+$"))]
    industry: Option<String>,
    channel: Channel,
    /// The language the customer speaks and the scorer judges in (default `en`), with its
    /// region if it matters: `fr-FR` and `fr-CA` share the French rubric.
    #[serde(default)]
    #[schemars(regex(pattern = r"^(en|fr)([-_][A-Za-z]{2})?$"))]
    language: Option<String>,
    /// A bilingual desk: a reply in English or French is fine whatever the customer speaks
    /// (otherwise a reply in another language draws `customer_language`).
    #[serde(default)]
    bilingual: bool,
    #[schemars(range(min = 1))]
    estimated_minutes: u32,
    author: String,
    /// The trainer's version of this scenario, e.g. `1` or `"1.2"`.
    version: Version,
    customer: RawCustomer,
    /// The first node (default: the first one listed).
    #[serde(default)]
    start: Option<String>,
    /// The conversation: node id -> node.
    #[schemars(length(min = 1))]
    nodes: BTreeMap<String, RawNode>,
    /// Ending id -> ending.
    #[schemars(length(min = 1))]
    endings: BTreeMap<String, RawEnding>,
    /// Rubric adjustments for this scenario.
    #[serde(default)]
    rubric: Option<RubricPatch>,
    /// Criterion id -> the tip to show in this scenario instead of the generic one.
    #[serde(default)]
    tips: BTreeMap<String, String>,
    /// Golden tests, run by `rapport test`.
    #[serde(default)]
    tests: Vec<RawTest>,
    /// Notes for trainers: how to run the scenario, what it softens. Never shown to the
    /// trainee (a "Note for trainers" inside `persona` would be).
    #[serde(default)]
    trainer_notes: Option<String>,
}

/// `version: 1` or `version: "1.2"`.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum Version {
    Number(f64),
    Text(String),
}

/// A node's or an ending's `say`: `"one line"`, or a list whose items are plain lines
/// (the fallback variants) or `{when: {...}, say: "line" | [variants]}` (lines that follow
/// the reply that led here, tried in order).
#[derive(Debug, Default)]
pub(crate) struct Say {
    /// The plain lines, each with its index in the list.
    pub plain: Vec<(usize, String)>,
    /// Each with its index in the list, for positions.
    pub when: Vec<(usize, RawCondLines)>,
    /// Whether it was written as one text (no list items to point at).
    pub single: bool,
}

impl Say {
    /// The fallback lines' texts.
    pub fn lines(&self) -> Vec<String> {
        self.plain.iter().map(|(_, l)| l.clone()).collect()
    }
}

/// A line (or its variants) said only when `when` holds on the reply that led here.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCondLines {
    /// Read on the reply that led here, as the branch that led here read it.
    pub when: RawCondition,
    /// The line, or variants picked at random.
    pub say: Lines,
}

impl JsonSchema for Say {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Say".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        #[derive(JsonSchema)]
        #[serde(untagged)]
        #[allow(dead_code)]
        enum Item {
            Line(String),
            When(Box<RawCondLines>),
        }
        #[derive(JsonSchema)]
        #[serde(untagged)]
        #[allow(dead_code)]
        enum OneOrMore {
            One(String),
            More(Vec<Item>),
        }
        OneOrMore::json_schema(generator)
    }
}

enum SayItem {
    Line(String),
    When(Box<RawCondLines>),
}

impl<'de> Deserialize<'de> for SayItem {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ItemVisitor;
        impl<'de> Visitor<'de> for ItemVisitor {
            type Value = SayItem;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("text, or a map with `when:` and `say:`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SayItem, E> {
                Ok(SayItem::Line(v.to_string()))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<SayItem, A::Error> {
                RawCondLines::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|w| SayItem::When(Box::new(w)))
            }
        }
        deserializer.deserialize_any(ItemVisitor)
    }
}

impl<'de> Deserialize<'de> for Say {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SayVisitor;
        impl<'de> Visitor<'de> for SayVisitor {
            type Value = Say;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("text or a list of texts")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Say, E> {
                Ok(Say {
                    plain: vec![(0, v.to_string())],
                    when: Vec::new(),
                    single: true,
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Say, A::Error> {
                let mut say = Say::default();
                let mut i = 0;
                while let Some(item) = seq.next_element::<SayItem>()? {
                    match item {
                        SayItem::Line(l) => say.plain.push((i, l)),
                        SayItem::When(w) => say.when.push((i, *w)),
                    }
                    i += 1;
                }
                Ok(say)
            }
        }
        deserializer.deserialize_any(SayVisitor)
    }
}

/// `say: "one line"` or `say: ["variant", "variant"]`.
#[derive(Debug, Default)]
pub(crate) struct Lines(pub Vec<String>);

impl JsonSchema for Lines {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Lines".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        #[derive(JsonSchema)]
        #[serde(untagged)]
        #[allow(dead_code)]
        enum OneOrMore {
            One(String),
            More(Vec<String>),
        }
        OneOrMore::json_schema(generator)
    }
}

impl<'de> Deserialize<'de> for Lines {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LinesVisitor;
        impl<'de> Visitor<'de> for LinesVisitor {
            type Value = Lines;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("text or a list of texts")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Lines, E> {
                Ok(Lines(vec![v.to_string()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Lines, A::Error> {
                let mut lines = Vec::new();
                while let Some(line) = seq.next_element::<String>()? {
                    lines.push(line);
                }
                Ok(Lines(lines))
            }
        }
        deserializer.deserialize_any(LinesVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The schema's top level is written out by hand beside the loader's key lists; this
    /// keeps the two from drifting apart.
    #[test]
    fn the_schema_has_exactly_the_top_level_keys_the_loader_knows() {
        let schema = crate::load::scenario_schema();
        let mut keys: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = TOP_KEYS.to_vec();
        keys.sort_unstable();
        expected.sort_unstable();
        assert_eq!(keys, expected);
        let mut required: Vec<&str> = schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let mut expected = REQUIRED_TOP_KEYS.to_vec();
        required.sort_unstable();
        expected.sort_unstable();
        assert_eq!(required, expected);
    }
}
