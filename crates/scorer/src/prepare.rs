//! Stage 2, prepare the conversation and the reply: the reply and the customer's line
//! tokenised ([`crate::text`]), the content words of the customer's line, and what this
//! conversation adds to the compiled rubrics: its patches' criteria and weights, and the
//! phrases with placeholders filled from its customer's name and facts (cached while the
//! conversation goes on: see [`ExtraKey`]).

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError};

use crate::compile::names_customer;
use crate::model::{Language, RubricPatch};
use crate::pattern::{self, Index, Resolve, Terminal, Vocab};
use crate::rules;
use crate::score::ReplyInput;
use crate::template::{self, Piece};
use crate::text::{tokenize, Text};
use crate::{lang, lang_index, Criterion, Lang, RubricScorer, LANGS};

/// One reply, ready for the stages that read it.
pub(crate) struct Reply<'a> {
    pub(crate) lang: &'a Lang,
    pub(crate) text: Text,
    /// What the conversation adds to the compiled rubrics.
    pub(crate) extra: Arc<Extra>,
    pub(crate) fill: Fill<'a>,
    /// The built-in criteria and the conversation's own.
    pub(crate) n_crit: usize,
    pub(crate) customer_text: Option<Text>,
    /// The content stems of the customer's line.
    pub(crate) customer: Option<rules::Stems>,
}

impl RubricScorer {
    pub(crate) fn prepare<'a>(&'a self, input: &ReplyInput<'a>) -> Reply<'a> {
        let lang = &self.langs[lang_index(input.language)];
        let lexicon = crate::semantic::lexicon();
        let mut text = tokenize(input.text, lang.lang);
        lexicon.intern(&mut text);
        let extra = self.extra(input, lang);
        let fill = Fill {
            name: input.customer_name,
            facts: input.facts,
            lang: lang.lang,
        };
        let n_crit = self.criteria.len() + extra.criteria.len();
        let customer_text = input.customer.map(|c| {
            let mut t = tokenize(c, lang.lang);
            lexicon.intern(&mut t);
            t
        });
        let customer = customer_text
            .as_ref()
            .map(|t| rules::content_stems(t, |t| lang.stemmer.stem_token(t), lang.lang));
        Reply {
            lang,
            text,
            extra,
            fill,
            n_crit,
            customer_text,
            customer,
        }
    }
}

/// Fills placeholders from one reply's customer name and facts.
pub(crate) struct Fill<'a> {
    pub(crate) name: Option<&'a str>,
    pub(crate) facts: Option<&'a BTreeMap<String, serde_json::Value>>,
    pub(crate) lang: Language,
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
    pub(crate) fn render(&self, text: &str) -> String {
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
        let month = lang::data(self.lang).months[m - 1];
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
pub(crate) enum FactShape {
    /// A sum of money, canonical number.
    Money(String),
    /// Month (1-12) and day.
    Date(usize, u32),
}

impl FactShape {
    /// The right value, as a tip says it.
    pub(crate) fn display(&self, lang: Language) -> String {
        match self {
            FactShape::Money(n) => n.clone(),
            FactShape::Date(m, d) => format!("{d} {}", lang::data(lang).months[m - 1]),
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
        [n] if looks_like_money => Some(FactShape::Money(n.norm.to_string())),
        _ => None,
    }
}

/// Token ranges of money or dates in the reply that differ from the fact.
pub(crate) fn wrong_mentions(text: &Text, shape: &FactShape) -> Vec<(usize, usize)> {
    let toks = &text.tokens;
    match shape {
        FactShape::Money(want) => toks
            .iter()
            .enumerate()
            .filter(|(_, t)| t.money && t.norm != want.as_str())
            .map(|(i, _)| (i, i + 1))
            .collect(),
        FactShape::Date(want_m, want_d) => {
            let mut out = Vec::new();
            for (i, t) in toks.iter().enumerate() {
                let Some(m) = (0..12).find(|&m| {
                    LANGS
                        .iter()
                        .any(|&l| lang::data(l).months[m] == t.norm.as_str())
                }) else {
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
pub(crate) struct Extra {
    pub(crate) criteria: Vec<Criterion>,
    pub(crate) weights: Vec<f32>,
    pub(crate) vocab: Vocab,
    pub(crate) index: Index,
    pub(crate) facts: Vec<(usize, FactShape)>,
}

/// What the per-reply additions depend on. A conversation scores many replies with the
/// same customer, facts and patches, so the last compilation is kept and reused.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ExtraKey {
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
    /// The per-reply additions, from the cache when the last reply had the same ones.
    pub(crate) fn extra(&self, input: &ReplyInput<'_>, lang: &Lang) -> Arc<Extra> {
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
