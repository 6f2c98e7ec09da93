//! # rapport-scorer
//!
//! The rubric scorer: explainable empathy, problem-solving and professionalism scores for
//! any reply, in English or French. It implements rapport-model's [`score::Scorer`]; the
//! engine (rapport-core) scores through that trait and never looks inside.
//!
//! Everything it knows about good and bad replies is in the rubric files
//! (`scenarios/rubrics/*.yaml`, compiled in), a pack's own `rubrics/` folder, the
//! scenario's and node's `rubric:` patches, and the learned heads of `model/`; this crate
//! only knows how to read a reply. Each stage is a module, listed below in the order a
//! reply goes through them:
//!
//! 1. **compile the rubrics** (once, when the scorer is built): `rubric` reads the
//!    files into criterion specs with a diagnostic at the line and column of every
//!    problem; `compile` turns them into criteria and one phrase trie per language;
//! 2. **prepare the conversation and the reply** (`prepare`): the reply and the
//!    customer's line tokenised once ([`text`]: lowercased, accents folded, contractions
//!    expanded, numbers canonical, char offsets kept for evidence), and the conversation's
//!    patches and fact phrases compiled (cached while it goes on);
//! 3. **analyse the reply** (`matches`, over [`pattern`]): words one typo away from a
//!    phrase's word corrected, every phrase of every criterion matched in one walk of the
//!    tries; matches that are negated ("I'm not sorry"), outside a question when they need
//!    one, or inside an exception ("sorry you feel that way") dropped;
//! 4. **rules** (`detect`, over `rules`): the detectors add theirs (questions,
//!    shouting, commitments, greetings, another language, mirroring the customer);
//! 5. **relations** (`relations`): a match that yields to another criterion's
//!    overlapping match, or is undone by a later penalty ("I understand, but you should
//!    have ..."), is dropped, and so is a criterion excluded by another's presence;
//!    `implied_by` and `bare` add evidence;
//! 6. **semantics** (`learned`, over [`semantic`]): the learned heads confirm,
//!    overrule or add to the rules' verdicts, under the same relations;
//! 7. **verdicts and the formula** (`verdict`, over `formula`): per criterion, met or
//!    not with its evidence and tip; the scores from the met criteria and their weights
//!    (the formula is in `docs/scoring.md`).
//!
//! Around them: `explain` (what each stage found and dropped, for
//! [`RubricScorer::explain`]) and [`eval`] (precision and recall against labelled
//! replies).
//!
//! The words the code itself knows, as opposed to the rubrics' phrases (the tokeniser's
//! contractions and elisions, the detectors' stopwords, negators, openers, sign-offs,
//! month names, ...), are in `lang`, one file per language (`src/lang/en.rs`,
//! `src/lang/fr.rs`), accent-folded as token norms are: every word list the code matches
//! on lives there, not inline in a stage.
//!
//! Everything costly (parsing the rubric files, compiling phrases, building the typo
//! index) happens once, in [`RubricScorer::builtin`] or [`RubricScorer::with_pack_dir`].

use rapport_model::{diag, ids, model, score, template, yaml};

// 1. Compile the rubrics.
mod rubric;

mod compile;

// 2. Prepare the conversation and the reply.
mod prepare;

// The words the tokeniser and the detectors know, one file per language.
mod lang;

pub mod text;

// 3. Analyse the reply: phrase matches.
pub mod pattern;

mod matches;

// 4. Rules: the detectors.
mod rules;

mod detect;

// 5. Relations between criteria.
mod relations;

// 6. Semantics: the learned heads.
pub mod semantic;

mod learned;

// 7. Verdicts and the formula.
mod formula;

mod verdict;

// Around the stages.
pub mod eval;

mod explain;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex};

use pattern::Stemmer;

use self::compile::builtin_files;
use self::explain::Trace;
use self::learned::{LearnedMap, RulesView};
use self::pattern::{Index, Vocab};
use self::prepare::{Extra, ExtraKey};
use self::rubric::Rule;
use self::semantic::{Mode, Semantic};
use crate::diag::Diagnostic;
use crate::model::Language;
use crate::score::{ReplyInput, ReplyScore, RubricId, Scorer};

pub use self::explain::Why;
pub use self::formula::PENALTY_POINTS;

const LANGS: [Language; 2] = [Language::En, Language::Fr];

fn lang_index(lang: Language) -> usize {
    match lang {
        Language::En => 0,
        Language::Fr => 1,
    }
}

/// A criterion, ready to judge.
#[derive(Debug, Clone)]
struct Criterion {
    id: String,
    rubric: RubricId,
    weight: f32,
    penalty: bool,
    /// `[en, fr]`.
    tip: [String; 2],
    /// `[en, fr]`: the one-line definition.
    description: [String; 2],
    /// Replies that must and must not meet it (from its rubric file), with their place.
    examples: Vec<PinnedExample>,
    undone_by: Vec<usize>,
    yields_to: Vec<usize>,
    excluded_by: Vec<usize>,
    implied_by: Vec<usize>,
    implied_unless: Vec<usize>,
    bare_unless: Vec<usize>,
    implied_only_stated: Vec<usize>,
    mirror_with: Vec<usize>,
    rules: Vec<Rule>,
    /// Phrases with placeholders, compiled for each reply: `[en, fr]` of (phrase, unless,
    /// bare).
    templated: [Vec<(String, bool, bool)>; 2],
}

/// The compiled phrases of one language.
struct Lang {
    lang: Language,
    stemmer: Stemmer,
    vocab: Vocab,
    index: Index,
}

impl fmt::Debug for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lang")
            .field("lang", &self.lang)
            .finish_non_exhaustive()
    }
}

/// One example a rubric file pins to a criterion: the reply (after `customer`, when the
/// example needs that line), and whether it must meet the criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct PinnedExample {
    pub file: String,
    pub line: usize,
    pub reply: String,
    pub customer: Option<String>,
    pub met: bool,
}

/// The rubric scorer. Build it once; [`Scorer::score`] is cheap and deterministic.
#[derive(Debug)]
pub struct RubricScorer {
    criteria: Vec<Criterion>,
    lists: BTreeMap<String, Vec<String>>,
    langs: [Lang; 2],
    /// The last per-reply compilation (see [`ExtraKey`]).
    cache: Mutex<Option<(ExtraKey, Arc<Extra>)>>,
    /// The learned stage (see [`semantic`]) and how it maps onto the criteria.
    semantic: Option<(Arc<Semantic>, LearnedMap)>,
    /// Where each compiled phrase was written (file, line, text), for `explain`.
    sources: Vec<(String, usize, String)>,
}

impl RubricScorer {
    /// Criterion `i`: a built-in one, or one of the conversation's own (`extra`).
    fn criterion<'s>(&'s self, extra: &'s Extra, i: usize) -> &'s Criterion {
        self.criteria
            .get(i)
            .unwrap_or_else(|| &extra.criteria[i - self.criteria.len()])
    }

    /// The built-in rubrics only.
    pub fn builtin() -> RubricScorer {
        let (scorer, diags) = Self::from_files(builtin_files(), Vec::new());
        debug_assert!(
            diags.is_empty(),
            "built-in rubrics have problems: {diags:?}"
        );
        scorer
    }

    /// The built-in rubrics plus a pack's `dir/rubrics/*.yaml`, and what is wrong with
    /// those files. Criteria and phrases with errors are left out; the rest still works.
    ///
    /// A pack file named like a built-in one (`empathy.yaml`, ...) replaces it, so a pack
    /// can ship its own edited copy of a built-in rubric, and the shipped pack, whose
    /// rubrics are the built-ins, does not define every criterion twice.
    pub fn with_pack_dir(dir: &Path) -> (RubricScorer, Vec<Diagnostic>) {
        let (pack, diags) = rubric::read_dir(&dir.join("rubrics"));
        let mut files = builtin_files();
        files.retain(|b| {
            !pack
                .iter()
                .any(|p| p.path.file_name() == b.path.file_name())
        });
        files.extend(pack);
        Self::from_files(files, diags)
    }

    /// This scorer with a semantic stage: each head adds recall to the criterion of its
    /// name (heads for criteria the rubrics do not define are ignored).
    pub fn with_semantic(mut self, semantic: Arc<Semantic>) -> RubricScorer {
        let position = |id: &str| self.criteria.iter().position(|c| c.id == id);
        let map = LearnedMap {
            heads: semantic
                .heads()
                .iter()
                .map(|h| position(&h.criterion))
                .collect(),
            inputs: semantic.criteria().iter().map(|c| position(c)).collect(),
        };
        self.semantic = Some((semantic, map));
        self
    }

    /// The scorer without its semantic stage: rules only, for comparisons.
    pub fn without_semantic(mut self) -> RubricScorer {
        self.semantic = None;
        self
    }

    /// The scorer with every semantic head in `mode` (`Mode::Semantic`: the heads alone,
    /// for comparisons), instead of the modes the model chose per criterion.
    pub fn with_semantic_mode(self, mode: Mode) -> RubricScorer {
        match self.semantic.as_ref().map(|(s, _)| s.with_mode(mode)) {
            Some(s) => self.with_semantic(Arc::new(s)),
            None => self,
        }
    }

    /// Every criterion's pinned examples, with the criterion's id.
    pub fn examples(&self) -> impl Iterator<Item = (&str, &PinnedExample)> {
        self.criteria
            .iter()
            .flat_map(|c| c.examples.iter().map(move |e| (c.id.as_str(), e)))
    }

    /// The pinned examples this scorer judges otherwise than their file says, each as
    /// "file:line: criterion should [not ]be met by \"reply\"". An example is judged after
    /// its customer line (else out of context), in the language it is written in, as a
    /// reply to an English-speaking customer (what `customer_language`'s examples are
    /// about) and as one written message (which `greeting` and `sign_off` need; it
    /// changes no other criterion). The data-driven test, `rapport test` and `make train`
    /// all judge them here.
    pub fn example_failures(&self) -> Vec<String> {
        self.examples()
            .filter_map(|(criterion, e)| {
                let score = self.score(&ReplyInput {
                    text: &e.reply,
                    customer: e.customer.as_deref(),
                    customer_name: Some("Dana"),
                    language: text::guess_language(&e.reply),
                    customer_language: Some(Language::En),
                    written: true,
                    ..ReplyInput::default()
                });
                (score.met(criterion) != e.met).then(|| {
                    format!(
                        "{}:{}: {criterion} should {}be met by {:?}",
                        e.file,
                        e.line,
                        if e.met { "" } else { "not " },
                        e.reply
                    )
                })
            })
            .collect()
    }

    /// The criteria ids, in the order `score` lists them.
    pub fn criteria(&self) -> impl Iterator<Item = (&str, RubricId)> {
        self.criteria.iter().map(|c| (c.id.as_str(), c.rubric))
    }
}

impl Scorer for RubricScorer {
    fn score(&self, input: &ReplyInput<'_>) -> ReplyScore {
        self.judge(input, None)
    }

    fn knows_criterion(&self, id: &str) -> bool {
        self.criteria.iter().any(|c| c.id == id)
    }

    fn definition(&self, id: &str, language: Language) -> Option<String> {
        let c = self.criteria.iter().find(|c| c.id == id)?;
        let text = &c.description[lang_index(language)];
        let text = if text.is_empty() {
            &c.description[0]
        } else {
            text
        };
        (!text.is_empty()).then(|| text.clone())
    }
}

impl RubricScorer {
    /// The pipeline, stage by stage (the crate doc lists them); `trace` collects what
    /// each stage found and dropped, for [`RubricScorer::explain`].
    fn judge(&self, input: &ReplyInput<'_>, mut trace: Option<&mut Trace>) -> ReplyScore {
        // 2. Prepare (stage 1, compiling the rubrics, ran when the scorer was built).
        let reply = self.prepare(input);
        // 3. Analyse the reply: its words, and the phrases they match.
        let words = reply.analyse();
        let stems: Vec<&str> = words.iter().map(|w| w.stem_text.as_ref()).collect();
        let mut found = self.phrases(&reply, &words, &mut trace);
        // 4. Rules: the detectors.
        self.detect(input, &reply, &stems, &mut found, &mut trace);
        // 5. Relations.
        let text = &reply.text;
        let mut kept = self.relate(&reply.extra, &found.raw, &found.bare, |(first, _)| {
            text.sentences[text.tokens[first].sentence].question
        });
        // 6. Semantics: the learned heads.
        let grounded = reply.customer.as_ref().map(|cu| {
            text.sentences
                .iter()
                .map(|s| stems[s.first..s.end].iter().any(|st| cu.contains(*st)))
                .collect()
        });
        let sounds_like = self.learned(
            text,
            reply.customer_text.as_ref(),
            &reply.extra,
            RulesView {
                kept: &mut kept,
                negated: &found.negated,
                unless: &found.unless,
                trainer: &found.trainer,
                grounded,
            },
            &mut trace,
        );
        // 7. Verdicts and the formula.
        self.verdicts(input, &reply, kept, &sounds_like)
    }
}
