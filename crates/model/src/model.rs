//! The validated, immutable scenario model.
//!
//! Only the loader builds these values, and only from a file that produced no error
//! diagnostics, so the engine may rely on every invariant documented here (every `goto`
//! names a node or an ending, every node can reach an ending, moods are 0-100, ...)
//! without checking again.

use std::collections::BTreeMap;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::score::RubricId;

/// A scenario: one difficult customer, a graph of customer lines and branches, and endings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub meta: Meta,
    pub customer: Customer,
    /// The node the conversation starts at.
    pub start: String,
    pub nodes: BTreeMap<String, Node>,
    pub endings: BTreeMap<String, Ending>,
    /// Scenario-level rubric adjustments (extra criteria, weights, phrases).
    pub rubric: RubricPatch,
    /// Criterion id -> the coaching tip to show in this scenario instead of the rubric's
    /// generic one (a node's `tips` win over these).
    #[serde(default)]
    pub tips: BTreeMap<String, String>,
    /// Golden transcripts the trainer wrote to test this scenario.
    #[serde(default)]
    pub tests: Vec<GoldenTest>,
    /// Notes for trainers (how the scenario is meant to be run, what it softens, ...).
    /// Never part of what a trainee is sent or shown.
    #[serde(default)]
    pub trainer_notes: String,
    /// Where the scenario was loaded from (empty for scenarios built in memory).
    #[serde(default)]
    pub source: PathBuf,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    pub id: String,
    pub title: String,
    pub summary: String,
    /// 1 (gentle) to 5 (hardest).
    pub difficulty: u8,
    pub skills: Vec<String>,
    /// The line of business (`telecom`, `online-retail`, `banking`, ...), for the
    /// library filter; `None` when the scenario does not say.
    #[serde(default)]
    pub industry: Option<String>,
    pub channel: Channel,
    pub language: Language,
    /// The language as the scenario gives it, with its region when it has one (`fr-CA`,
    /// `fr-FR`, `en-GB`, or just `fr`): the screen and the customer's formats can
    /// follow the region; the scorer judges in `language`'s rubric.
    #[serde(default)]
    pub locale: String,
    /// A bilingual desk: a reply in English or French is fine whatever the customer
    /// speaks (no `customer_language` penalty).
    #[serde(default)]
    pub bilingual: bool,
    pub estimated_minutes: u32,
    pub author: String,
    pub version: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Phone,
    Chat,
    Email,
}

impl Channel {
    /// A written message (email): the customer does not watch the clock, so there is no
    /// patience deadline, no chase and no hang-up on silence, and each reply is judged
    /// as one whole message (greeting, body, sign-off). The one place this is decided.
    pub fn is_written(self) -> bool {
        self == Channel::Email
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    En,
    Fr,
}

impl Language {
    /// `en` or `fr`.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Fr => "fr",
        }
    }

    /// What a customer says when the agent has gone quiet, when the scenario does not say.
    pub fn default_chase_line(self) -> &'static str {
        match self {
            Language::En => "Hello? Are you still there?",
            Language::Fr => "Allô ? Vous êtes toujours là ?",
        }
    }
}

/// Chases at one node before a customer hangs up, when the scenario does not say.
pub const DEFAULT_MAX_CHASES: u32 = 3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    pub name: String,
    pub persona: String,
    /// Starting mood: 0 furious, 100 delighted.
    pub mood: u8,
    /// Seconds of agent silence before the customer chases; `None` means they wait.
    pub patience: Option<u32>,
    /// Chases at one node before the customer hangs up (default 3).
    pub max_chases: u32,
    /// What the agent can look up: a small CRM record. Scalars, lists and maps.
    pub facts: BTreeMap<String, serde_json::Value>,
    /// The language the customer speaks (the scenario's): dates in their lines are said
    /// the way a person says them in it ("November 14", "14 novembre").
    #[serde(default)]
    pub language: Language,
    /// Persona variants: one is picked by the session's seed (see
    /// [`Scenario::with_variant`]); empty when the customer is always the same.
    #[serde(default)]
    pub variants: Vec<PersonaVariant>,
    /// The variant this customer is, once one has been applied.
    #[serde(default)]
    pub variant: Option<VariantCard>,
    /// The facts' names in the order the author wrote them (the record shows them so).
    #[serde(default)]
    pub fact_order: Vec<String>,
    /// Fact name -> its label on the record, as the author wrote it (with accents, in the
    /// scenario's language): `{value: ..., label: "Contacts précédents"}`.
    #[serde(default)]
    pub fact_labels: BTreeMap<String, String>,
}

/// One way the customer can be: their temperament, mood, patience, facts and lines.
/// What a variant leaves out is the customer's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonaVariant {
    pub id: String,
    /// A few words for the persona card ("curt and in a hurry").
    pub temperament: String,
    /// Replaces the customer's `persona` text.
    pub persona: Option<String>,
    pub mood: Option<u8>,
    /// Replaces the customer's patience (seconds).
    pub patience: Option<u32>,
    /// Added to the customer's facts (a fact of the same name is replaced).
    pub facts: BTreeMap<String, serde_json::Value>,
    /// The variant's own facts in the order written, and their labels.
    #[serde(default)]
    pub fact_order: Vec<String>,
    #[serde(default)]
    pub fact_labels: BTreeMap<String, String>,
    /// Node or ending id -> the lines this customer says there instead.
    pub lines: BTreeMap<String, LineSet>,
}

/// A node's or an ending's lines: the conditioned ones, then the fallback.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LineSet {
    pub say: Vec<String>,
    pub say_when: Vec<CondLines>,
}

/// Which variant of the customer this is, for the persona card.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantCard {
    pub id: String,
    pub temperament: String,
}

impl Customer {
    /// The first word of the name, for `{customer.first_name}`.
    pub fn first_name(&self) -> &str {
        self.name.split_whitespace().next().unwrap_or(&self.name)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Line variants; one is picked with the session's seeded RNG. May hold placeholders.
    /// The fallback: said when no line of `say_when` holds.
    pub say: Vec<String>,
    /// Lines that follow the reply that led here, tried in order before `say`.
    #[serde(default)]
    pub say_when: Vec<CondLines>,
    /// Criteria that matter most at this moment (ids known to the rubrics).
    pub focus: Vec<String>,
    /// What a strong reply would say here, shown in the debrief.
    pub model_answers: Vec<String>,
    /// Guided mode: when non-empty, the trainee picks one of these instead of typing.
    pub choices: Vec<String>,
    /// Whether the choices are shown in an order shuffled with the session's seed (the
    /// default), or as written. Conditions and tests number them as written either way.
    #[serde(default = "yes")]
    pub shuffle: bool,
    /// Node-level rubric adjustments (extra phrases, weights), applied over the scenario's.
    pub rubric: RubricPatch,
    /// Facts this moment needs, shown first on the record (before those its model
    /// answers use, then the rest in the author's order).
    #[serde(default)]
    pub facts: Vec<String>,
    /// Criterion id -> the coaching tip at this moment, where the generic one would be
    /// wrong (no "name their frustration" on a happy call).
    #[serde(default)]
    pub tips: BTreeMap<String, String>,
    /// Tried in order; the first whose condition holds is taken.
    pub branches: Vec<Branch>,
    /// Taken when no branch matches.
    pub otherwise: Transition,
    /// Taken when the agent is silent past the customer's patience.
    pub on_silence: Option<Silence>,
}

/// Customer lines said only when `when` holds on the reply that led to the node or
/// ending (read exactly as the branch that led there read it, see `engine::condition`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CondLines {
    pub when: Condition,
    /// Variants; one is picked with the session's seeded RNG.
    pub say: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Branch {
    pub when: Condition,
    #[serde(flatten)]
    pub then: Transition,
}

/// Where to go next and how the customer's mood moves on the way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transition {
    pub goto: String,
    /// Added to the mood (then clamped to 0-100).
    pub mood: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Silence {
    /// The chase line; the language's default when the trainer gave none.
    pub say: Option<String>,
    /// Where to go; `None` stays on the current node and restarts the patience timer.
    pub goto: Option<String>,
    pub mood: i32,
}

/// Every part that is present must hold (an empty condition always holds).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Condition {
    /// Each listed rubric score (or `overall`) is at least this.
    pub min_score: BTreeMap<ScoreKey, u8>,
    /// Each listed rubric score (or `overall`) is at most this.
    pub max_score: BTreeMap<ScoreKey, u8>,
    /// All of these criteria are met.
    pub met: Vec<String>,
    /// At least one of these criteria is met.
    pub met_any: Vec<String>,
    /// None of these criteria is met.
    pub missed: Vec<String>,
    /// The reply contains at least one of these words or phrases (case-insensitive, whole words).
    pub says_any: Vec<String>,
    /// The reply contains none of these words or phrases.
    pub says_none: Vec<String>,
    /// The mood before this reply is at least this.
    pub mood_at_least: Option<u8>,
    /// The mood before this reply is at most this.
    pub mood_at_most: Option<u8>,
    /// The customer has chased at least this often (at this node for a branch, in the
    /// whole conversation for a lesson).
    #[serde(default)]
    pub chases_at_least: Option<u32>,
    /// The customer has chased at most this often.
    #[serde(default)]
    pub chases_at_most: Option<u32>,
    /// The trainee picked this guided choice (1-based, as the author listed them).
    #[serde(default)]
    pub choice: Option<usize>,
}

/// A score a condition can read: one rubric's, or the overall one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreKey {
    Empathy,
    ProblemSolving,
    Professionalism,
    Overall,
}

impl ScoreKey {
    pub const ALL: [ScoreKey; 4] = [
        ScoreKey::Empathy,
        ScoreKey::ProblemSolving,
        ScoreKey::Professionalism,
        ScoreKey::Overall,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ScoreKey::Empathy => "empathy",
            ScoreKey::ProblemSolving => "problem_solving",
            ScoreKey::Professionalism => "professionalism",
            ScoreKey::Overall => "overall",
        }
    }

    pub fn parse(s: &str) -> Option<ScoreKey> {
        ScoreKey::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn rubric(self) -> Option<RubricId> {
        match self {
            ScoreKey::Empathy => Some(RubricId::Empathy),
            ScoreKey::ProblemSolving => Some(RubricId::ProblemSolving),
            ScoreKey::Professionalism => Some(RubricId::Professionalism),
            ScoreKey::Overall => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ending {
    pub outcome: Outcome,
    /// The customer's closing line variants (may hold placeholders): the fallback when
    /// no line of `say_when` holds.
    pub say: Vec<String>,
    /// Closing lines that follow the reply that led here, tried in order before `say`.
    #[serde(default)]
    pub say_when: Vec<CondLines>,
    /// The short lesson shown in the debrief when no variant holds.
    pub lesson: String,
    /// Lessons that match what happened, tried in order on the whole conversation.
    #[serde(default)]
    pub lesson_variants: Vec<LessonVariant>,
}

/// A lesson shown when its condition holds on the whole conversation (see
/// `engine::condition` for what each part means there).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonVariant {
    pub when: Condition,
    pub text: String,
}

/// How a conversation ended. `escalated`, `hung_up` and `churned` are kinds of failure.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    Partial,
    Failure,
    Escalated,
    HungUp,
    Churned,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::Success,
        Outcome::Partial,
        Outcome::Failure,
        Outcome::Escalated,
        Outcome::HungUp,
        Outcome::Churned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Partial => "partial",
            Outcome::Failure => "failure",
            Outcome::Escalated => "escalated",
            Outcome::HungUp => "hung_up",
            Outcome::Churned => "churned",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    pub fn is_failure(self) -> bool {
        matches!(
            self,
            Outcome::Failure | Outcome::Escalated | Outcome::HungUp | Outcome::Churned
        )
    }
}

/// A learning track: scenarios of the pack to practise in order, from `tracks.yaml`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Track {
    pub id: String,
    pub title: String,
    /// A sentence or two on what the track practises.
    pub description: String,
    /// Scenario ids, in the order to practise them.
    pub scenarios: Vec<String>,
}

/// A trainer's scripted run through the scenario, checked by `rapport test` and `make test`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoldenTest {
    pub name: String,
    pub seed: u64,
    /// The persona variant the seed must meet, when the test says.
    #[serde(default)]
    pub variant: Option<String>,
    pub turns: Vec<TestTurn>,
    /// Node and ending ids visited, start first, ending last; empty when not checked.
    pub path: Vec<String>,
    pub ending: String,
    /// The debrief's overall score is at least this.
    #[serde(default)]
    pub overall_at_least: Option<u8>,
    /// The debrief's overall score is at most this.
    #[serde(default)]
    pub overall_at_most: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestTurn {
    Reply(String),
    /// 1-based, as the trainee sees the choices numbered.
    Choice(usize),
    Silence,
}

impl Scenario {
    /// The scenario as played with persona variant `index` (an index into
    /// `customer.variants`): the customer's persona, mood, patience and facts and the
    /// lines the variant changes. `None`, or a scenario without variants, is itself.
    pub fn with_variant(&self, index: Option<usize>) -> std::borrow::Cow<'_, Scenario> {
        let Some(v) = index.and_then(|i| self.customer.variants.get(i)) else {
            return std::borrow::Cow::Borrowed(self);
        };
        let mut sc = self.clone();
        let c = &mut sc.customer;
        if let Some(p) = &v.persona {
            c.persona = p.clone();
        }
        if let Some(m) = v.mood {
            c.mood = m;
        }
        if v.patience.is_some() {
            c.patience = v.patience;
        }
        c.facts
            .extend(v.facts.iter().map(|(k, val)| (k.clone(), val.clone())));
        for name in &v.fact_order {
            if !c.fact_order.contains(name) {
                c.fact_order.push(name.clone());
            }
        }
        c.fact_labels
            .extend(v.fact_labels.iter().map(|(k, l)| (k.clone(), l.clone())));
        c.variant = Some(VariantCard {
            id: v.id.clone(),
            temperament: v.temperament.clone(),
        });
        for (id, lines) in &v.lines {
            if let Some(n) = sc.nodes.get_mut(id) {
                n.say = lines.say.clone();
                n.say_when = lines.say_when.clone();
            } else if let Some(e) = sc.endings.get_mut(id) {
                e.say = lines.say.clone();
                e.say_when = lines.say_when.clone();
            }
        }
        sc.customer.variants.clear();
        std::borrow::Cow::Owned(sc)
    }

    /// The index of the variant with this id.
    pub fn variant_index(&self, id: &str) -> Option<usize> {
        self.customer.variants.iter().position(|v| v.id == id)
    }

    /// Whether `id` names a node or an ending.
    pub fn has_target(&self, id: &str) -> bool {
        self.nodes.contains_key(id) || self.endings.contains_key(id)
    }

    /// What `node` calls for as this scenario plays: its `focus`, plus a written
    /// message's form on a written channel (see [`crate::score::moment_focus`]).
    pub fn focus_at(&self, node: &Node) -> Vec<String> {
        crate::score::moment_focus(&node.focus, self.meta.channel.is_written())
    }

    /// Seconds of silence before the customer chases, as this scenario plays: `None`
    /// when they wait forever, and always on a written channel (see
    /// [`Channel::is_written`]), whatever the file says.
    pub fn patience_seconds(&self) -> Option<u32> {
        if self.meta.channel.is_written() {
            None
        } else {
            self.customer.patience
        }
    }

    /// Where a customer goes who has chased too often with no reply: the first ending
    /// (by id) whose outcome is `hung_up`.
    pub fn hang_up_ending(&self) -> Option<&str> {
        self.endings
            .iter()
            .find(|(_, e)| e.outcome == Outcome::HungUp)
            .map(|(id, _)| id.as_str())
    }
}

/// Adjustments a trainer makes to the rubrics for a pack, a scenario or one node, without
/// touching Rust. Applied in that order over the built-in rubrics; later layers win.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RubricPatch {
    /// Criterion id -> new weight (0 switches a criterion off).
    pub weights: BTreeMap<String, f32>,
    /// Criterion id -> extra phrases that meet it. Phrases may hold placeholders such as
    /// `{facts.refund_amount}`, filled from the customer's facts before matching.
    pub phrases: BTreeMap<String, Vec<String>>,
    /// New criteria.
    pub criteria: Vec<CriterionDef>,
}

impl RubricPatch {
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty() && self.phrases.is_empty() && self.criteria.is_empty()
    }
}

/// A criterion a trainer defines (the built-in rubric files use the same shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionDef {
    pub id: String,
    pub rubric: RubricId,
    #[serde(default = "one")]
    pub weight: f32,
    /// A penalty criterion lowers the score when present (like `rude_tone`).
    #[serde(default)]
    pub penalty: bool,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub tip: String,
    /// Phrases that meet the criterion.
    #[serde(default)]
    pub phrases: Vec<String>,
}

fn yes() -> bool {
    true
}

fn one() -> f32 {
    1.0
}
