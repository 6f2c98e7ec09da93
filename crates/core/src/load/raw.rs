//! The scenario file as serde reads it, before any check: close to the YAML, lenient
//! about numbers (any whole number, so a range check can say "out of range" instead of
//! serde's "expected u8"), strict about keys.
//!
//! The top level, `nodes`, `endings` and `tests` are walked by hand in `check`, and each
//! part is deserialised on its own, so that one broken node does not hide the others.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// Keys of the top-level map, in the order the format reference lists them.
pub(crate) const TOP_KEYS: [&str; 16] = [
    "id",
    "title",
    "summary",
    "difficulty",
    "skills",
    "channel",
    "language",
    "estimated_minutes",
    "author",
    "version",
    "customer",
    "start",
    "nodes",
    "endings",
    "rubric",
    "tests",
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCustomer {
    pub name: String,
    pub persona: String,
    pub mood: i64,
    #[serde(default)]
    pub patience: Option<i64>,
    #[serde(default)]
    pub facts: Option<serde_yaml::Mapping>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNode {
    pub say: Lines,
    #[serde(default)]
    pub focus: Vec<String>,
    #[serde(default)]
    pub model_answer: Option<Lines>,
    #[serde(default)]
    pub choices: Vec<String>,
    #[serde(default)]
    pub rubric: Option<crate::model::RubricPatch>,
    #[serde(default)]
    pub branches: Vec<RawBranch>,
    /// Optional here so that a node with no way out at all is a `dead-end`, not a
    /// `missing-key`.
    #[serde(default)]
    pub otherwise: Option<RawTransition>,
    #[serde(default)]
    pub on_silence: Option<RawSilence>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBranch {
    pub when: RawCondition,
    pub goto: String,
    #[serde(default)]
    pub mood: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTransition {
    pub goto: String,
    #[serde(default)]
    pub mood: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSilence {
    #[serde(default)]
    pub say: Option<String>,
    #[serde(default)]
    pub goto: Option<String>,
    #[serde(default)]
    pub mood: i64,
}

/// Score keys stay text here so an unknown one gets a "did you mean" at its own position.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCondition {
    #[serde(default)]
    pub min_score: BTreeMap<String, i64>,
    #[serde(default)]
    pub max_score: BTreeMap<String, i64>,
    #[serde(default)]
    pub met: Vec<String>,
    #[serde(default)]
    pub met_any: Vec<String>,
    #[serde(default)]
    pub missed: Vec<String>,
    #[serde(default)]
    pub says_any: Vec<String>,
    #[serde(default)]
    pub says_none: Vec<String>,
    #[serde(default)]
    pub mood_at_least: Option<i64>,
    #[serde(default)]
    pub mood_at_most: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEnding {
    pub outcome: crate::model::Outcome,
    pub say: String,
    #[serde(default)]
    pub lesson: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTest {
    pub name: String,
    #[serde(default)]
    pub seed: u64,
    #[serde(default)]
    pub turns: Vec<RawTurn>,
    #[serde(default)]
    pub path: Vec<String>,
    pub ending: String,
}

/// `{reply: ..}`, `{choice: N}` or `{silence: true}`; exactly one is checked later.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTurn {
    #[serde(default)]
    pub reply: Option<String>,
    #[serde(default)]
    pub choice: Option<i64>,
    #[serde(default)]
    pub silence: Option<bool>,
}

/// `say: "one line"` or `say: ["variant", "variant"]`.
#[derive(Debug, Default)]
pub(crate) struct Lines(pub Vec<String>);

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
