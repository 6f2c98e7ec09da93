//! The rubric scorer: explainable empathy, problem-solving and professionalism scores for
//! any reply, in English or French.
//!
//! Everything it knows about good and bad replies is in the rubric files
//! (`scenarios/rubrics/*.yaml`, compiled in), a pack's own `rubrics/` folder, and the
//! scenario's and node's `rubric:` patches; this module only knows how to read a reply:
//!
//! 1. the reply is tokenised once ([`text`]): lowercased, accents folded, contractions
//!    expanded, numbers canonical, with char offsets kept for evidence;
//! 2. words that are one typo away from a word some phrase uses are corrected;
//! 3. every phrase of every criterion is matched in one walk of a trie ([`pattern`]);
//! 4. matches that are negated ("I'm not sorry"), outside a question when they need
//!    one, or inside one of the criterion's exceptions ("sorry you feel that way") are
//!    dropped; the Rust detectors ([`rules`]) add theirs (questions, shouting, mirroring);
//! 5. a match that yields to another criterion's overlapping match, or is undone by a
//!    later penalty ("I understand, but you should have ..."), is dropped, and so is a
//!    criterion excluded by another's presence (a policy given with an alternative);
//! 6. what is left is the evidence; scores follow from met criteria and their weights
//!    (the formula is in `docs/scoring.md`).
//!
//! Everything costly (parsing the rubric files, compiling phrases, building the typo
//! index) happens once, in [`RubricScorer::builtin`] or [`RubricScorer::with_pack_dir`].

use rapport_model::{diag, ids, model, score, template, yaml};

pub mod eval;
pub mod formula;
pub mod pattern;
pub mod rubric;
pub mod rules;
pub mod semantic;
pub mod text;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use rust_stemmers::Stemmer;

use self::formula::Judged;
use self::pattern::{has_placeholder, Hit, Index, NoPlaceholders, Resolve, Terminal, Vocab};
use self::rubric::{Located, RubricFile, Rule, Spec};
use self::semantic::{Mode, Semantic};
use self::text::{tokenize, Text};
use crate::diag::{suggest, Diagnostic};
use crate::model::{Language, RubricPatch};
use crate::score::{CriterionResult, Evidence, ReplyInput, ReplyScore, RubricId, Scorer};
use crate::template::Piece;

/// The shipped rubric files, compiled in so the app and the CLI work from any folder.
const BUILTIN_FILES: [(&str, &str); 3] = [
    (
        "scenarios/rubrics/empathy.yaml",
        include_str!("../../../scenarios/rubrics/empathy.yaml"),
    ),
    (
        "scenarios/rubrics/problem_solving.yaml",
        include_str!("../../../scenarios/rubrics/problem_solving.yaml"),
    ),
    (
        "scenarios/rubrics/professionalism.yaml",
        include_str!("../../../scenarios/rubrics/professionalism.yaml"),
    ),
];

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
    examples: Vec<(String, usize, String, bool)>,
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

    fn from_files(
        files: Vec<RubricFile>,
        mut diags: Vec<Diagnostic>,
    ) -> (RubricScorer, Vec<Diagnostic>) {
        let lists = rubric::lists(&files, &mut diags);
        let mut specs: Vec<(&Path, Spec)> = Vec::new();
        for f in &files {
            for spec in &f.criteria {
                if specs.iter().any(|(_, s)| s.id.value == spec.id.value) {
                    diags.push(located_error(
                        &f.path,
                        &spec.id,
                        "duplicate-id",
                        format!("criterion `{}` is defined twice", spec.id.value),
                    ));
                    continue;
                }
                specs.push((&f.path, spec.clone()));
            }
            for (id, w) in &f.weights {
                match specs.iter_mut().find(|(_, s)| s.id.value == id.value) {
                    Some((_, s)) => s.weight = *w,
                    None => diags.push(unknown_criterion(&f.path, id, &specs)),
                }
            }
            for (id, by_lang) in &f.phrases {
                match specs.iter_mut().find(|(_, s)| s.id.value == id.value) {
                    Some((_, s)) => {
                        for (l, phrases) in by_lang.iter().enumerate() {
                            s.phrases[l].extend(phrases.iter().cloned());
                        }
                    }
                    None => diags.push(unknown_criterion(&f.path, id, &specs)),
                }
            }
        }
        let mut langs = LANGS.map(|lang| Lang {
            lang,
            stemmer: pattern::stemmer(lang),
            vocab: Vocab::new(),
            index: Index::new(),
        });
        let mut criteria = Vec::with_capacity(specs.len());
        let mut sources: Vec<(String, usize, String)> = Vec::new();
        for (ci, (path, spec)) in specs.iter().enumerate() {
            let refs = |list: &[Located<String>], diags: &mut Vec<Diagnostic>| -> Vec<usize> {
                list.iter()
                    .filter_map(|id| {
                        let found = specs.iter().position(|(_, s)| s.id.value == id.value);
                        if found.is_none() {
                            diags.push(unknown_criterion(path, id, &specs));
                        }
                        found
                    })
                    .collect()
            };
            let mut c = Criterion {
                id: spec.id.value.clone(),
                rubric: spec.rubric,
                weight: spec.weight,
                penalty: spec.penalty,
                tip: spec.tip.clone(),
                description: spec.description.clone(),
                examples: spec
                    .examples
                    .met
                    .iter()
                    .map(|e| (e, true))
                    .chain(spec.examples.not_met.iter().map(|e| (e, false)))
                    .map(|(e, met)| (path.display().to_string(), e.line, e.value.clone(), met))
                    .collect(),
                undone_by: refs(&spec.undone_by, &mut diags),
                yields_to: refs(&spec.yields_to, &mut diags),
                excluded_by: refs(&spec.excluded_by, &mut diags),
                implied_by: refs(&spec.implied_by, &mut diags),
                implied_unless: refs(&spec.implied_unless, &mut diags),
                implied_only_stated: refs(&spec.implied_only_stated, &mut diags),
                bare_unless: if spec.bare_unless.is_empty() {
                    refs(&spec.implied_unless, &mut diags)
                } else {
                    refs(&spec.bare_unless, &mut diags)
                },
                mirror_with: refs(&spec.mirror_with, &mut diags),
                rules: spec.rules.clone(),
                templated: [Vec::new(), Vec::new()],
            };
            for (l, lang) in langs.iter_mut().enumerate() {
                let all = spec.phrases[l]
                    .iter()
                    .map(|p| (p, false, false))
                    .chain(spec.unless[l].iter().map(|p| (p, true, false)))
                    .chain(spec.bare[l].iter().map(|p| (p, false, true)));
                for (phrase, unless, bare) in all {
                    sources.push((
                        path.display().to_string(),
                        phrase.line,
                        phrase.value.clone(),
                    ));
                    let terminal = Terminal {
                        criterion: ci as u32,
                        unless,
                        question: false,
                        bare,
                        source: (sources.len() - 1) as u32,
                        name: names_customer(&phrase.value),
                    };
                    match compile_static(lang, &lists, &phrase.value, terminal) {
                        Ok(true) => {}
                        Ok(false) => c.templated[l].push((phrase.value.clone(), unless, bare)),
                        // The column of the fault inside the phrase, where the phrase is
                        // one line of text as written.
                        Err(e) => diags.push(
                            Diagnostic::error(
                                path,
                                phrase.line,
                                phrase.column + e.at,
                                "bad-phrase",
                                format!("phrase \"{}\": {}", phrase.value, e.message),
                            )
                            .with_hint("see the phrase syntax in docs/scoring.md"),
                        ),
                    }
                }
            }
            criteria.push(c);
        }
        for lang in &mut langs {
            lang.index.finish();
        }
        (
            RubricScorer {
                criteria,
                lists,
                langs,
                cache: Mutex::new(None),
                semantic: None,
                sources,
            }
            .with_semantic(Semantic::builtin()),
            diags,
        )
    }

    /// The criteria ids, in the order `score` lists them.
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

    /// Every criterion's pinned examples: (criterion, file, line, reply, must it be met).
    pub fn examples(&self) -> impl Iterator<Item = (&str, &str, usize, &str, bool)> {
        self.criteria.iter().flat_map(|c| {
            c.examples
                .iter()
                .map(move |(f, l, t, m)| (c.id.as_str(), f.as_str(), *l, t.as_str(), *m))
        })
    }

    pub fn criteria(&self) -> impl Iterator<Item = (&str, RubricId)> {
        self.criteria.iter().map(|c| (c.id.as_str(), c.rubric))
    }
}

fn builtin_files() -> Vec<RubricFile> {
    BUILTIN_FILES
        .iter()
        .map(|(path, text)| rubric::read(Path::new(path), text).0)
        .collect()
}

fn located_error(path: &Path, at: &Located<String>, code: &str, message: String) -> Diagnostic {
    Diagnostic::error(path, at.line, at.column, code, message)
}

fn unknown_criterion(path: &Path, id: &Located<String>, specs: &[(&Path, Spec)]) -> Diagnostic {
    let d = located_error(
        path,
        id,
        "unknown-criterion",
        format!("no criterion `{}`", id.value),
    );
    match suggest(&id.value, specs.iter().map(|(_, s)| s.id.value.as_str())) {
        Some(s) => d.with_hint(format!("did you mean `{s}`?")),
        None => d,
    }
}

/// Compiles a phrase into the shared index; `Ok(false)` when it holds placeholders and
/// must wait for a reply's facts (its syntax is checked now all the same).
fn compile_static(
    lang: &mut Lang,
    lists: &BTreeMap<String, Vec<String>>,
    src: &str,
    terminal: Terminal,
) -> Result<bool, pattern::PatternError> {
    if has_placeholder(src) {
        pattern::parse(src, lang.lang, lists, &AnyPlaceholder)?;
        return Ok(false);
    }
    let phrase = pattern::parse(src, lang.lang, lists, &NoPlaceholders)?;
    lang.index
        .insert(&phrase, terminal, &lang.stemmer, &mut lang.vocab, None)?;
    Ok(true)
}

/// Whether a phrase names the customer (`{customer.first_name}`, `mr {customer.last_name}`)
/// and states no fact.
fn names_customer(src: &str) -> bool {
    let pieces = template::pieces(src);
    let placeholders: Vec<&str> = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Placeholder(name, _) => Some(*name),
            _ => None,
        })
        .collect();
    !placeholders.is_empty() && placeholders.iter().all(|n| n.starts_with("customer."))
}

/// For checking a templated phrase's syntax: every well-formed name stands for a word.
struct AnyPlaceholder;

impl Resolve for AnyPlaceholder {
    fn resolve(&self, name: &str) -> Option<Vec<String>> {
        // Which facts a customer has is only known per reply: any fact may be named.
        template::is_known_placeholder(name, |_| true).then(|| vec!["x".to_string()])
    }
}

/// Fills placeholders from one reply's customer name and facts.
struct Fill<'a> {
    name: Option<&'a str>,
    facts: Option<&'a BTreeMap<String, serde_json::Value>>,
    lang: Language,
}

impl Fill<'_> {
    fn value(&self, name: &str) -> Option<String> {
        if name.starts_with("customer.") {
            let full = self.name.map(str::trim).filter(|n| !n.is_empty())?;
            return template::customer_field(name, full).map(str::to_string);
        }
        let text = template::fact_text(template::fact_value(name, self.facts?)?);
        (!text.trim().is_empty()).then_some(text)
    }

    /// The fact's text rendered for a tip.
    fn render(&self, text: &str) -> String {
        template::pieces(text)
            .into_iter()
            .map(|p| match p {
                Piece::Text(t) => t.to_string(),
                Piece::Placeholder(name, _) => {
                    self.value(name).unwrap_or_else(|| format!("{{{name}}}"))
                }
                Piece::Stray(brace, _) => brace.to_string(),
            })
            .collect()
    }
}

const MONTHS: [[&str; 2]; 12] = [
    ["january", "janvier"],
    ["february", "fevrier"],
    ["march", "mars"],
    ["april", "avril"],
    ["may", "mai"],
    ["june", "juin"],
    ["july", "juillet"],
    ["august", "aout"],
    ["september", "septembre"],
    ["october", "octobre"],
    ["november", "novembre"],
    ["december", "decembre"],
];

/// `YYYY-MM-DD` as (year, month 1-12, day).
fn iso_date(s: &str) -> Option<(u32, usize, u32)> {
    let mut it = s.trim().split('-');
    let (y, m, d) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() || y.len() != 4 {
        return None;
    }
    let (m, d): (usize, u32) = (m.parse().ok()?, d.parse().ok()?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y.parse().ok()?, m, d))
}

impl Resolve for Fill<'_> {
    fn resolve(&self, name: &str) -> Option<Vec<String>> {
        let value = self.value(name)?;
        let Some((y, m, d)) = iso_date(&value) else {
            return Some(vec![value]);
        };
        // A date is said many ways; any of them states it.
        let month = MONTHS[m - 1][lang_index(self.lang)];
        Some(vec![
            format!("{d} {month}"),
            format!("{d} of {month}"),
            format!("{month} {d}"),
            format!("{month} the {d}"),
            format!("{d}/{m}"),
            format!("{m}/{d}"),
            format!("{y}-{m}-{d}"),
        ])
    }
}

/// What a fact looks like in a reply, to notice a wrong one.
#[derive(Debug, Clone, PartialEq)]
enum FactShape {
    /// A sum of money, canonical number.
    Money(String),
    /// Month (1-12) and day.
    Date(usize, u32),
}

impl FactShape {
    /// The right value, as a tip says it.
    fn display(&self, lang: Language) -> String {
        match self {
            FactShape::Money(n) => n.clone(),
            FactShape::Date(m, d) => format!("{d} {}", MONTHS[m - 1][lang_index(lang)]),
        }
    }
}

/// A criterion whose phrase is exactly one money or date fact: the reply can state it
/// right, or state a different one.
fn fact_shape(src: &str, fill: &Fill<'_>) -> Option<FactShape> {
    let name = src.trim().strip_prefix('{')?.strip_suffix('}')?.trim();
    if !name.starts_with("facts.") {
        return None;
    }
    let value = fill.value(name)?;
    if let Some((_, m, d)) = iso_date(&value) {
        return Some(FactShape::Date(m, d));
    }
    let t = tokenize(&value, fill.lang);
    let numbers: Vec<_> = t.tokens.iter().filter(|t| t.number).collect();
    let looks_like_money =
        value.contains(['$', '£', '€']) || value.contains('.') || t.tokens.iter().any(|t| t.money);
    match numbers.as_slice() {
        [n] if looks_like_money => Some(FactShape::Money(n.norm.clone())),
        _ => None,
    }
}

/// Token ranges of money or dates in the reply that differ from the fact.
fn wrong_mentions(text: &Text, shape: &FactShape) -> Vec<(usize, usize)> {
    let toks = &text.tokens;
    match shape {
        FactShape::Money(want) => toks
            .iter()
            .enumerate()
            .filter(|(_, t)| t.money && &t.norm != want)
            .map(|(i, _)| (i, i + 1))
            .collect(),
        FactShape::Date(want_m, want_d) => {
            let mut out = Vec::new();
            for (i, t) in toks.iter().enumerate() {
                let Some(m) = MONTHS
                    .iter()
                    .position(|names| names.contains(&t.norm.as_str()))
                else {
                    continue;
                };
                let day_at = |j: usize| {
                    toks.get(j)
                        .filter(|t| t.number)
                        .and_then(|t| t.norm.parse::<u32>().ok())
                };
                let near = [
                    i.checked_sub(1),
                    Some(i + 1),
                    i.checked_sub(2).filter(|&j| toks[j + 1].norm == "of"),
                ];
                for j in near.into_iter().flatten() {
                    if let Some(d) = day_at(j) {
                        if (m + 1, d) != (*want_m, *want_d) && (1..=31).contains(&d) {
                            out.push((i.min(j), i.max(j) + 1));
                        }
                        break;
                    }
                }
            }
            out
        }
    }
}

/// Per-reply additions: the patches' criteria and weights, the phrases compiled for
/// this reply's facts.
#[derive(Debug)]
struct Extra {
    criteria: Vec<Criterion>,
    weights: Vec<f32>,
    vocab: Vocab,
    index: Index,
    facts: Vec<(usize, FactShape)>,
}

/// What the per-reply additions depend on. A conversation scores many replies with the
/// same customer, facts and patches, so the last compilation is kept and reused.
#[derive(Debug, Clone, PartialEq)]
struct ExtraKey {
    lang: Language,
    name: Option<String>,
    facts: Option<BTreeMap<String, serde_json::Value>>,
    patches: Vec<RubricPatch>,
}

impl ExtraKey {
    fn matches(&self, input: &ReplyInput<'_>) -> bool {
        self.lang == input.language
            && self.name.as_deref() == input.customer_name
            && self.facts.as_ref() == input.facts
            && self.patches.len() == input.patches.len()
            && self.patches.iter().zip(input.patches).all(|(a, b)| a == *b)
    }
}

impl RubricScorer {
    fn criterion<'s>(&'s self, extra: &'s Extra, i: usize) -> &'s Criterion {
        self.criteria
            .get(i)
            .unwrap_or_else(|| &extra.criteria[i - self.criteria.len()])
    }

    /// The per-reply additions, from the cache when the last reply had the same ones.
    fn extra(&self, input: &ReplyInput<'_>, lang: &Lang) -> Arc<Extra> {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((key, extra)) = cache.as_ref() {
            if key.matches(input) {
                return Arc::clone(extra);
            }
        }
        let extra = Arc::new(self.compile_extra(input, lang));
        let key = ExtraKey {
            lang: input.language,
            name: input.customer_name.map(str::to_string),
            facts: input.facts.cloned(),
            patches: input.patches.iter().map(|p| (*p).clone()).collect(),
        };
        *cache = Some((key, Arc::clone(&extra)));
        extra
    }

    fn compile_extra(&self, input: &ReplyInput<'_>, lang: &Lang) -> Extra {
        let li = lang_index(lang.lang);
        let fill = Fill {
            name: input.customer_name,
            facts: input.facts,
            lang: lang.lang,
        };
        let mut extra = Extra {
            criteria: Vec::new(),
            weights: self.criteria.iter().map(|c| c.weight).collect(),
            vocab: Vocab::extending(&lang.vocab),
            index: Index::new(),
            facts: Vec::new(),
        };
        let mut phrases: Vec<(usize, &str, bool, bool)> = Vec::new();
        for (ci, c) in self.criteria.iter().enumerate() {
            for (src, unless, bare) in &c.templated[li] {
                phrases.push((ci, src, *unless, *bare));
            }
        }
        for patch in input.patches {
            self.apply_patch(patch, &mut extra, &mut phrases);
        }
        for (ci, src, unless, bare) in phrases {
            let Ok(phrase) = pattern::parse(src, lang.lang, &self.lists, &fill) else {
                // A placeholder this reply has no value for: the phrase cannot match.
                continue;
            };
            let terminal = Terminal {
                criterion: ci as u32,
                unless,
                question: false,
                bare,
                source: pattern::NO_SOURCE,
                name: names_customer(src),
            };
            if extra
                .index
                .insert(
                    &phrase,
                    terminal,
                    &lang.stemmer,
                    &mut extra.vocab,
                    Some(&lang.vocab),
                )
                .is_ok()
                && !unless
                && !bare
            {
                if let Some(shape) = fact_shape(src, &fill) {
                    extra.facts.push((ci, shape));
                }
            }
        }
        extra
    }

    fn apply_patch<'a>(
        &self,
        patch: &'a RubricPatch,
        extra: &mut Extra,
        phrases: &mut Vec<(usize, &'a str, bool, bool)>,
    ) {
        let position = |extra: &Extra, id: &str| {
            self.criteria
                .iter()
                .chain(&extra.criteria)
                .position(|c| c.id == id)
        };
        for def in &patch.criteria {
            let ci = match position(extra, &def.id) {
                Some(ci) => ci,
                None => {
                    extra.criteria.push(Criterion {
                        id: def.id.clone(),
                        rubric: def.rubric,
                        weight: def.weight,
                        penalty: def.penalty,
                        tip: [def.tip.clone(), String::new()],
                        description: [def.description.clone(), String::new()],
                        examples: Vec::new(),
                        undone_by: Vec::new(),
                        yields_to: Vec::new(),
                        excluded_by: Vec::new(),
                        implied_by: Vec::new(),
                        implied_unless: Vec::new(),
                        bare_unless: Vec::new(),
                        implied_only_stated: Vec::new(),
                        mirror_with: Vec::new(),
                        rules: Vec::new(),
                        templated: [Vec::new(), Vec::new()],
                    });
                    extra.weights.push(def.weight);
                    extra.weights.len() - 1
                }
            };
            extra.weights[ci] = def.weight;
            phrases.extend(def.phrases.iter().map(|p| (ci, p.as_str(), false, false)));
        }
        for (id, w) in &patch.weights {
            if let Some(ci) = position(extra, id) {
                extra.weights[ci] = w.max(0.0);
            }
        }
        for (id, list) in &patch.phrases {
            if let Some(ci) = position(extra, id) {
                phrases.extend(list.iter().map(|p| (ci, p.as_str(), false, false)));
            }
        }
    }
}

impl RubricScorer {
    /// Applies the relations between criteria to their raw matches: `excluded_by`,
    /// `yields_to` and `undone_by` read the raw matches of the others; `implied_by`
    /// reads what survived that first pass, so the order of criteria never matters, and so
    /// do `bare` matches (they count only when none of `bare_unless` is met). Evidence of
    /// an `implied_only_stated` criterion inside a question (`asked`) implies nothing: a
    /// blaming question still invites an answer. Nothing is ever met for what a reply
    /// lacks: a penalty needs words that commit it.
    fn relate(
        &self,
        extra: &Extra,
        raw: &[Vec<(usize, usize)>],
        bare: &[Vec<(usize, usize)>],
        asked: impl Fn((usize, usize)) -> bool,
    ) -> Vec<Vec<(usize, usize)>> {
        let n_crit = raw.len();
        let kept: Vec<Vec<(usize, usize)>> = (0..n_crit)
            .map(|c| {
                let crit = self.criterion(extra, c);
                raw[c]
                    .iter()
                    .copied()
                    .filter(|&h| !cancelled_by_relation(crit, raw, h))
                    .collect()
            })
            .collect();
        // Implied evidence reads the first pass only, so the order of criteria never matters.
        let implied: Vec<Vec<(usize, usize)>> = (0..n_crit)
            .map(|c| {
                let crit = self.criterion(extra, c);
                let met = |list: &[usize]| list.iter().any(|&o| !kept[o].is_empty());
                let mut more = Vec::new();
                if !met(&crit.bare_unless) {
                    more.extend(bare[c].iter().copied());
                }
                if !met(&crit.implied_unless) {
                    more.extend(crit.implied_by.iter().flat_map(|&o| {
                        let stated = crit.implied_only_stated.contains(&o);
                        let asked = &asked;
                        kept[o]
                            .iter()
                            .copied()
                            .filter(move |&h| !stated || !asked(h))
                    }));
                }
                more
            })
            .collect();
        kept.into_iter()
            .zip(implied)
            .map(|(mut k, more)| {
                k.extend(more);
                k
            })
            .collect()
    }
}

/// Token ranges overlap.
fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Whether another criterion's `evidence` cancels `span` of `crit`: one of its
/// `excluded_by` criteria is met at all, a `yields_to` one overlaps it, or an `undone_by`
/// one comes after it. One rule for a phrase's evidence and a learned head's.
fn cancelled_by_relation(
    crit: &Criterion,
    evidence: &[Vec<(usize, usize)>],
    span: (usize, usize),
) -> bool {
    crit.excluded_by.iter().any(|&o| !evidence[o].is_empty())
        || crit
            .yields_to
            .iter()
            .any(|&o| evidence[o].iter().any(|&u| overlaps(span, u)))
        || crit
            .undone_by
            .iter()
            .any(|&o| evidence[o].iter().any(|&u| u.0 >= span.1))
}

/// Which criterion each head judges, and which criterion's rules verdict each of the
/// model's inputs reads (`None`: the rubrics do not define it).
#[derive(Debug, Clone)]
struct LearnedMap {
    heads: Vec<Option<usize>>,
    inputs: Vec<Option<usize>>,
}

/// What the rules leave for the learned stage to read, per criterion.
struct RulesView<'a> {
    /// Evidence after the relations.
    kept: &'a mut [Vec<(usize, usize)>],
    /// Sentences where a phrase of the criterion was negated.
    negated: &'a [Vec<usize>],
    /// Spans of `unless` phrases.
    unless: &'a [Vec<(usize, usize)>],
    /// Whether a phrase the trainer wrote for this scenario or node found it.
    trainer: &'a [bool],
    /// Per sentence, whether it takes up a content word of the customer's line (`None`:
    /// no customer line to compare with).
    grounded: Option<Vec<bool>>,
}

impl RubricScorer {
    /// The learned stage: each head in `learned` mode decides its criterion, reading the
    /// rules' verdicts among its features. A phrase the trainer wrote for this scenario or
    /// node always counts (the author's word for this moment). Met by the head where the
    /// rules found nothing: the sentence that carries the move is the evidence, if the
    /// rules leave it eligible (no negated phrase of the criterion, no `unless`, a
    /// question where one is needed). Returns, per criterion, the labelled example its
    /// evidence resembles, and traces what the head added or overruled.
    fn learned(
        &self,
        text: &Text,
        customer: Option<&Text>,
        extra: &Extra,
        view: RulesView<'_>,
        trace: &mut Option<&mut Trace>,
    ) -> Vec<Option<String>> {
        let mut sounds = vec![None; view.kept.len()];
        let Some((semantic, map)) = &self.semantic else {
            return sounds;
        };
        if text.tokens.is_empty() || semantic.heads().iter().all(|h| h.mode == Mode::Rules) {
            return sounds;
        }
        let prepared = semantic.prepare(text, customer);
        let rules_met: Vec<bool> = map
            .inputs
            .iter()
            .map(|c| c.is_some_and(|c| !view.kept[c].is_empty()))
            .collect();
        for (h, head) in semantic.heads().iter().enumerate() {
            let Some(c) = map.heads[h] else { continue };
            if head.mode == Mode::Rules {
                continue;
            }
            let crit = self.criterion(extra, c);
            let needs_question = crit.rules.contains(&Rule::AnyQuestion);
            // Saying back what happened means the customer's own specifics: where there is
            // a customer line, such a criterion's sentence must take up one of its words.
            let needs_echo = crit.rules.contains(&Rule::MirrorCustomer);
            let eligible = |k: usize| {
                let s = &text.sentences[k];
                !view.negated[c].contains(&k)
                    && !view.unless[c]
                        .iter()
                        .any(|&u| overlaps(u, (s.first, s.end)))
                    && (!needs_question || s.question)
                    && (!needs_echo || view.grounded.as_ref().is_none_or(|g| g[k]))
            };
            if !view.kept[c].is_empty() {
                // The rules found it: the head confirms or overrules, the phrase stays the
                // evidence.
                if head.mode == Mode::Learned
                    && semantic.z(h, &prepared, &rules_met) + head.veto < 0
                    && !view.trainer[c]
                {
                    view.kept[c].clear();
                    Trace::dropped(trace, c, || {
                        "the learned head judged the phrases out of place here (it reads \
                         the words around them and the other criteria)"
                            .to_string()
                    });
                }
                continue;
            }
            let verdict = semantic.judge(h, text, &prepared, &rules_met, eligible, crit.penalty);
            if let semantic::Verdict::Met(found) = verdict {
                // The relations hold for the head's evidence as for a phrase's ("our
                // policy is 30 days, but I can offer store credit" is no policy shield).
                if cancelled_by_relation(crit, view.kept, found.span) {
                    Trace::dropped(trace, c, || {
                        "the learned head found it, and another criterion cancels it here"
                            .to_string()
                    });
                    continue;
                }
                view.kept[c].push(found.span);
                if let Some(like) = &found.sounds_like {
                    Trace::found(trace, c, found.span, || {
                        format!("the learned head (sounds like: \"{like}\")")
                    });
                }
                sounds[c] = found.sounds_like;
            }
        }
        sounds
    }
}

/// Why one criterion came out as it did, for `rapport explain` and trainers' tools.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Why {
    pub criterion: String,
    pub met: bool,
    /// What found it: a phrase with the file and line it is written at, a detector, the
    /// semantic head and the example the reply resembles, or a relation.
    pub decided_by: Vec<String>,
    /// What was found and did not count, and why.
    pub cancelled: Vec<String>,
}

/// What `explain` collects while scoring; nothing is collected in plain scoring.
#[derive(Default)]
struct Trace {
    /// (criterion, token span) -> what put that evidence there.
    found: std::collections::BTreeMap<(usize, (usize, usize)), String>,
    /// Per criterion, what was found and dropped before the relations.
    dropped: Vec<Vec<String>>,
}

impl Trace {
    fn found(
        t: &mut Option<&mut Trace>,
        c: usize,
        span: (usize, usize),
        why: impl FnOnce() -> String,
    ) {
        if let Some(t) = t {
            t.found.entry((c, span)).or_insert_with(why);
        }
    }

    fn dropped(t: &mut Option<&mut Trace>, c: usize, why: impl FnOnce() -> String) {
        if let Some(t) = t {
            if t.dropped.len() <= c {
                t.dropped.resize(c + 1, Vec::new());
            }
            let why = why();
            if !t.dropped[c].contains(&why) {
                t.dropped[c].push(why);
            }
        }
    }
}

impl RubricScorer {
    /// Scores the reply and says, per criterion, what decided it and what was cancelled.
    pub fn explain(&self, input: &ReplyInput<'_>) -> (ReplyScore, Vec<Why>) {
        let mut trace = Trace::default();
        let score = self.judge(input, Some(&mut trace));
        let text = tokenize(input.text, self.langs[lang_index(input.language)].lang);
        let chars = CharIndex::new(input.text);
        let quote = |span: (usize, usize)| {
            chars
                .evidence(&text, vec![span])
                .first()
                .map(|e| e.text.clone())
                .unwrap_or_default()
        };
        let whys = score
            .criteria
            .iter()
            .enumerate()
            .map(|(c, r)| {
                let inside = |span: &(usize, usize)| {
                    let (a, b) = (text.tokens[span.0].start, text.tokens[span.1 - 1].end);
                    r.met && r.evidence.iter().any(|e| e.start <= a && b <= e.end)
                };
                let mut decided_by = Vec::new();
                let mut cancelled: Vec<String> = trace.dropped.get(c).cloned().unwrap_or_default();
                for ((_, span), why) in trace.found.range((c, (0, 0))..(c + 1, (0, 0))) {
                    if inside(span) {
                        decided_by.push(format!("{why}: \"{}\"", quote(*span)));
                    } else {
                        cancelled.push(format!(
                            "{why}: \"{}\", cancelled by another criterion (`undone_by`, `yields_to`, `excluded_by`)",
                            quote(*span)
                        ));
                    }
                }
                if r.met && decided_by.is_empty() {
                    decided_by.push(
                        "implied by another criterion's evidence (`implied_by`, `bare`)".into(),
                    );
                }
                Why {
                    criterion: r.id.clone(),
                    met: r.met,
                    decided_by,
                    cancelled,
                }
            })
            .collect();
        (score, whys)
    }

    fn phrase_name(&self, source: u32) -> String {
        match self.sources.get(source as usize) {
            Some((file, line, text)) => format!("phrase \"{text}\" ({file}:{line})"),
            None => "a phrase of the scenario's or node's `rubric:`".to_string(),
        }
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
    fn judge(&self, input: &ReplyInput<'_>, mut trace: Option<&mut Trace>) -> ReplyScore {
        let lang = &self.langs[lang_index(input.language)];

        let text = tokenize(input.text, lang.lang);
        let extra = self.extra(input, lang);
        let fill = Fill {
            name: input.customer_name,
            facts: input.facts,
            lang: lang.lang,
        };
        let n_crit = self.criteria.len() + extra.criteria.len();

        let customer_text = input.customer.map(|c| tokenize(c, lang.lang));
        let customer = customer_text.as_ref().map(|t| {
            let stems: Vec<_> = t
                .tokens
                .iter()
                .map(|t| lang.stemmer.stem(&t.norm))
                .collect();
            rules::content_stems(t, &stems, lang.lang)
        });
        // The customer's own words are real words, whatever the phrases say: never
        // "correct" them.
        let words = pattern::analyse(&text, &lang.stemmer, &lang.vocab, &extra.vocab, |stem| {
            customer.as_ref().is_some_and(|c| c.contains(stem))
        });
        let stems: Vec<&str> = words.iter().map(|w| w.stem_text.as_ref()).collect();
        let negators = rules::negators(lang.lang);
        let toks = pattern::view(&text, &words, negators);
        let mut hits: Vec<Hit> = Vec::new();
        lang.index.find(&toks, &mut hits);
        // Hits from here on are the trainer's phrases for this scenario or node.
        let builtin_hits = hits.len();
        extra.index.find(&toks, &mut hits);
        let mut trainer = vec![false; n_crit];

        let mut raw: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n_crit];
        let mut unless: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n_crit];
        let mut bare: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n_crit];
        // Sentences where a criterion's phrase was negated: no semantic evidence there.
        let mut negated: Vec<Vec<usize>> = vec![Vec::new(); n_crit];
        for (i, h) in hits.iter().enumerate() {
            if h.end <= h.first {
                continue;
            }
            let c = h.terminal.criterion as usize;
            if h.terminal.unless {
                unless[c].push((h.first, h.end));
                Trace::dropped(&mut trace, c, || {
                    format!(
                        "an `unless` {} was said: what it overlaps does not count",
                        self.phrase_name(h.terminal.source)
                    )
                });
                continue;
            }
            let sentence = &text.sentences[text.tokens[h.first].sentence];
            if h.terminal.question && !sentence.question {
                Trace::dropped(&mut trace, c, || {
                    format!(
                        "{} needs a question, and its sentence is not one",
                        self.phrase_name(h.terminal.source)
                    )
                });
                continue;
            }
            if !h.terminal.name && rules::negated(&text, h.first, negators) {
                negated[c].push(text.tokens[h.first].sentence);
                Trace::dropped(&mut trace, c, || {
                    format!(
                        "{} is negated (\"not\", \"never\", ... just before it)",
                        self.phrase_name(h.terminal.source)
                    )
                });
                continue;
            }
            Trace::found(&mut trace, c, (h.first, h.end), || {
                self.phrase_name(h.terminal.source)
            });
            if h.terminal.bare {
                bare[c].push((h.first, h.end));
            } else {
                raw[c].push((h.first, h.end));
                trainer[c] |= i >= builtin_hits;
            }
        }
        // Sentences holding a match of each criterion's `mirror_with` criteria.
        let anchored: Vec<Vec<bool>> = (0..n_crit)
            .map(|c| {
                let mut marks = vec![false; text.sentences.len()];
                for &o in &self.criterion(&extra, c).mirror_with {
                    for &(first, _) in &raw[o] {
                        marks[text.tokens[first].sentence] = true;
                    }
                }
                marks
            })
            .collect();
        for (c, found) in raw.iter_mut().enumerate() {
            let crit = self.criterion(&extra, c);
            let from_phrases = found.len();
            for rule in &crit.rules {
                match rule {
                    Rule::NotFromCustomer => {}
                    Rule::AnyQuestion => found.extend(
                        text.sentences
                            .iter()
                            .enumerate()
                            .filter(|&(k, s)| {
                                s.question
                                    && !customer.as_ref().is_some_and(|cu| {
                                        rules::echo_question(&text, &stems, cu, k, lang.lang)
                                    })
                            })
                            .map(|(_, s)| (s.first, s.end)),
                    ),
                    Rule::Shouting => found.extend(rules::shouting(&text, lang.lang)),
                    Rule::Commitment => found.extend(rules::commitments(&text, lang.lang)),
                    Rule::Greeting => {
                        if input.written {
                            found.extend(rules::greeting(&text, input.text));
                        }
                    }
                    Rule::SignOff => {
                        if input.written {
                            found.extend(rules::sign_off(&text));
                        }
                    }
                    Rule::OtherLanguage => {
                        if let Some(expected) = input.customer_language {
                            found.extend(rules::other_language(&text, expected));
                        }
                    }
                    Rule::MirrorCustomer => {
                        if let Some(customer) = &customer {
                            found.extend(rules::mirrored(&text, &stems, customer, &anchored[c]));
                        }
                    }
                }
            }
            for &span in &found[from_phrases..] {
                Trace::found(&mut trace, c, span, || {
                    let names: Vec<String> = crit.rules.iter().map(|r| format!("{r:?}")).collect();
                    format!("the detector {}", names.join(" / "))
                });
            }
            found.retain(|&h| !unless[c].iter().any(|&u| overlaps(h, u)));
            bare[c].retain(|&h| !unless[c].iter().any(|&u| overlaps(h, u)));
            if let (true, Some(customer)) = (crit.rules.contains(&Rule::NotFromCustomer), &customer)
            {
                found.retain(|&h| !rules::from_customer(&text, &stems, customer, h, lang.lang));
            }
        }
        let mut kept = self.relate(&extra, &raw, &bare, |(first, _)| {
            text.sentences[text.tokens[first].sentence].question
        });
        let sounds_like = self.learned(
            &text,
            customer_text.as_ref(),
            &extra,
            RulesView {
                kept: &mut kept,
                negated: &negated,
                unless: &unless,
                trainer: &trainer,
                grounded: customer.as_ref().map(|cu| {
                    text.sentences
                        .iter()
                        .map(|s| stems[s.first..s.end].iter().any(|st| cu.contains(*st)))
                        .collect()
                }),
            },
            &mut trace,
        );

        let chars = CharIndex::new(input.text);
        let li = lang_index(lang.lang);
        let mut results = Vec::with_capacity(n_crit);
        // Which criterion each result is (a written message's form is judged only on a
        // written channel: elsewhere it is left out, so it changes no score).
        let mut judged_ids = Vec::with_capacity(n_crit);
        for (c, spans) in kept.into_iter().enumerate() {
            let crit = self.criterion(&extra, c);
            if !input.written && crit.rules.iter().any(|r| r.written_only()) {
                continue;
            }
            judged_ids.push(c);
            let mut evidence = chars.evidence(&text, spans);
            let met = !evidence.is_empty();
            let mut tip = None;
            if met == crit.penalty {
                let base = if crit.tip[li].is_empty() {
                    &crit.tip[0]
                } else {
                    &crit.tip[li]
                };
                let mut t = if base.contains('{') {
                    fill.render(base)
                } else {
                    base.clone()
                };
                if !met {
                    for (_, shape) in extra.facts.iter().filter(|(fc, _)| *fc == c) {
                        let wrong = chars.evidence(&text, wrong_mentions(&text, shape));
                        if let Some(first) = wrong.first() {
                            t = format!(
                                "You said “{}”, but it is {}. {t}",
                                first.text,
                                shape.display(lang.lang)
                            );
                        }
                        evidence.extend(wrong);
                    }
                }
                tip = (!t.is_empty()).then_some(t);
            }
            results.push(CriterionResult {
                id: crit.id.clone(),
                rubric: crit.rubric,
                penalty: crit.penalty,
                met,
                evidence,
                tip,
                sounds_like: if met { sounds_like[c].clone() } else { None },
            });
        }
        let judged: Vec<Judged<'_>> = results
            .iter()
            .zip(judged_ids.iter().copied())
            .map(|(r, c)| Judged {
                id: &r.id,
                rubric: r.rubric,
                weight: extra.weights[c],
                penalty: self.criterion(&extra, c).penalty,
                met: r.met,
                local: c >= self.criteria.len(),
            })
            .collect();
        let scores = formula::scores(&judged, input.focus);
        ReplyScore {
            scores,
            criteria: results,
        }
    }
}

/// Char offset -> byte offset of the reply, to cut evidence on character boundaries.
struct CharIndex<'a> {
    text: &'a str,
    bytes: Vec<usize>,
}

impl<'a> CharIndex<'a> {
    fn new(text: &'a str) -> Self {
        let mut bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        bytes.push(text.len());
        CharIndex { text, bytes }
    }

    /// Evidence for token ranges: sorted, overlapping ones merged.
    fn evidence(&self, text: &Text, mut spans: Vec<(usize, usize)>) -> Vec<Evidence> {
        spans.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (first, end) in spans {
            let (start, stop) = (text.tokens[first].start, text.tokens[end - 1].end);
            match merged.last_mut() {
                Some(last) if start < last.1 => last.1 = last.1.max(stop),
                _ => merged.push((start, stop)),
            }
        }
        merged
            .into_iter()
            .map(|(start, end)| Evidence {
                start,
                end,
                text: self.text[self.bytes[start]..self.bytes[end]].to_string(),
            })
            .collect()
    }
}
