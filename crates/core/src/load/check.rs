//! From the document to a [`Scenario`]: reads each part into raw types, then checks what
//! serde cannot (ranges, ids, targets, criteria, placeholders, the shape of the graph,
//! golden tests), and builds the model only when nothing is an error.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use serde_yaml::Value;

use crate::ids::{bad_id_message, id_hint, is_valid_id};

use super::de::{backticked, label, Ctx};
use super::raw::{
    RawBranch, RawCondition, RawCustomer, RawEnding, RawLesson, RawNode, RawTest, RawTurn,
    RawVariant, Say, REQUIRED_TOP_KEYS, TOP_KEYS,
};
use super::LoadOptions;
use crate::diag::{suggest, Severity};
use crate::model::{
    Branch, Channel, CondLines, Condition, Customer, Ending, GoldenTest, Language, LessonVariant,
    LineSet, Meta, Node, Outcome, PersonaVariant, RubricPatch, Scenario, ScoreKey, Silence,
    TestTurn, Transition, DEFAULT_MAX_CHASES,
};
use crate::template::{self, Piece};
use crate::yaml::{Pos, Seg};

/// Every persona variant must be met by some seed below this (issue 13).
pub(crate) const VARIANT_SEEDS: u64 = 100;

fn key(k: &str) -> Seg {
    Seg::Key(k.to_string())
}

fn join(base: &[Seg], more: &[Seg]) -> Vec<Seg> {
    base.iter().chain(more).cloned().collect()
}

/// The top-level parts of a file, each read on its own.
#[derive(Default)]
struct Parts {
    id: Option<String>,
    title: Option<String>,
    summary: Option<String>,
    difficulty: Option<i64>,
    skills: Option<Vec<String>>,
    industry: Option<String>,
    bilingual: Option<bool>,
    channel: Option<Channel>,
    language: Option<Language>,
    /// As written: `fr`, `fr-CA`, `en-GB`, ...
    locale: Option<String>,
    estimated_minutes: Option<i64>,
    author: Option<String>,
    version: Option<String>,
    customer: Option<RawCustomer>,
    facts: BTreeMap<String, serde_json::Value>,
    /// Each persona variant's own facts, in the order of `customer.variants`.
    variant_facts: Vec<BTreeMap<String, serde_json::Value>>,
    /// The facts' order as written and their labels.
    fact_meta: FactMeta,
    variant_fact_meta: Vec<FactMeta>,
    start: Option<String>,
    /// The customer's facts cannot be told (no `customer:`, or facts that could not be
    /// read): that is reported once, and `{facts.x}` placeholders are not reported again.
    facts_unknown: bool,
    /// In file order; `None` when the node could not be read.
    nodes: Vec<(String, Option<RawNode>)>,
    endings: Vec<(String, Option<RawEnding>)>,
    rubric: Option<RubricPatch>,
    tips: BTreeMap<String, String>,
    tests: Vec<Option<RawTest>>,
    trainer_notes: Option<String>,
    /// Some part was left out or repaired: graph checks would report echoes of that.
    damaged: bool,
}

/// What checking one file yields: the scenario when there was no error, and the id the
/// file declares (with its position) so the library can spot ids used twice.
pub(crate) struct Checked {
    pub scenario: Option<Scenario>,
    pub id: Option<(String, Pos)>,
}

pub(crate) fn check(ctx: &mut Ctx, root: &Value, opts: &LoadOptions) -> Checked {
    let Value::Mapping(top) = root else {
        let found = match root {
            Value::Sequence(_) => "a list",
            _ => "a single value",
        };
        ctx.error(
            &[],
            "wrong-type",
            format!("A scenario file must be a map of keys (`id:`, `title:`, `nodes:`, ...), but this file is {found}."),
            Some("start the file with `id: my-scenario` on its own line".into()),
        );
        return Checked {
            scenario: None,
            id: None,
        };
    };
    let mut parts = Parts::default();
    for (k, value) in top {
        let Some(name) = k.as_str() else {
            ctx.error(&[], "unknown-key", "Keys must be text.".into(), None);
            continue;
        };
        parts.read(ctx, name, value);
    }
    for required in REQUIRED_TOP_KEYS {
        if top.get(required).is_none() {
            ctx.missing_key(&[], required);
        }
    }
    if top.get("customer").is_none() {
        parts.facts_unknown = true;
    }
    let id = parts
        .id
        .clone()
        .map(|id| (id, ctx.tree.locate(&[key("id")])));
    let mut checker = Checker::new(ctx, &parts, opts);
    checker.run();
    let scenario = if ctx.has_errors() {
        None
    } else {
        parts.build(ctx.file)
    };
    if let (Some(scenario), Some(scorer)) = (&scenario, &opts.scorer) {
        super::answers::check(ctx, scenario, scorer.as_ref());
        let leads: Vec<(String, usize, String)> = parts
            .nodes
            .iter()
            .filter_map(|(id, n)| Some((id, n.as_ref()?)))
            .flat_map(|(id, n)| {
                n.choices
                    .iter()
                    .enumerate()
                    .filter_map(move |(i, c)| Some((id.clone(), i, c.leads_to()?.to_string())))
            })
            .collect();
        super::leads_to::check(ctx, scenario, &leads, scorer.as_ref());
    }
    Checked { scenario, id }
}

impl Parts {
    fn take<T: serde::de::DeserializeOwned>(
        &mut self,
        ctx: &mut Ctx,
        path: &[Seg],
        value: &Value,
    ) -> Option<T> {
        ctx.section(path, value).0
    }

    fn read(&mut self, ctx: &mut Ctx, name: &str, value: &Value) {
        let path = [key(name)];
        match name {
            "id" => self.id = self.take(ctx, &path, value),
            "title" => self.title = self.take(ctx, &path, value),
            "summary" => self.summary = self.take(ctx, &path, value),
            "difficulty" => self.difficulty = self.take(ctx, &path, value),
            "skills" => self.skills = self.take(ctx, &path, value),
            "industry" => self.industry = self.take(ctx, &path, value),
            "bilingual" => self.bilingual = self.take(ctx, &path, value),
            "channel" => self.channel = self.take(ctx, &path, value),
            "language" => {
                let written: Option<String> = self.take(ctx, &path, value);
                if let Some(tag) = written {
                    match parse_locale(&tag) {
                        Some((language, locale)) => {
                            self.language = Some(language);
                            self.locale = Some(locale);
                        }
                        None => ctx.error(
                            &path,
                            "invalid-value",
                            format!("`language` cannot be `{tag}`."),
                            Some("use `en` or `fr`, or with a region: `fr-FR`, `fr-CA`, `en-GB`, `en-US`".into()),
                        ),
                    }
                }
            }
            "estimated_minutes" => self.estimated_minutes = self.take(ctx, &path, value),
            "author" => self.author = self.take(ctx, &path, value),
            "start" => self.start = self.take(ctx, &path, value),
            "rubric" => self.rubric = self.take(ctx, &path, value),
            "trainer_notes" => self.trainer_notes = self.take(ctx, &path, value),
            "tips" => self.tips = self.take(ctx, &path, value).unwrap_or_default(),
            "version" => self.version = read_version(ctx, value),
            "customer" => {
                self.customer = self.take(ctx, &path, value);
                let facts = match self.customer.as_mut() {
                    Some(c) => c.facts.take(),
                    // The customer could not be read (`mood: high`, say; already reported):
                    // its facts are still the ones the lines use, so read them on their own
                    // rather than report every `{facts.x}` as a fact the customer lacks.
                    None => match value.get("facts") {
                        Some(serde_yaml::Value::Mapping(m)) => Some(m.clone()),
                        None | Some(serde_yaml::Value::Null) => None,
                        Some(_) => {
                            self.facts_unknown = true;
                            None
                        }
                    },
                };
                self.facts = read_facts(
                    ctx,
                    &[key("customer"), key("facts")],
                    &facts.unwrap_or_default(),
                    &mut self.fact_meta,
                );
                let variants = self
                    .customer
                    .as_mut()
                    .map_or(&mut [][..], |c| &mut c.variants[..]);
                let mut variant_facts = Vec::new();
                let mut variant_meta = Vec::new();
                for (i, v) in variants.iter_mut().enumerate() {
                    let facts = v.facts.take().unwrap_or_default();
                    let path = [
                        key("customer"),
                        key("variants"),
                        Seg::Index(i),
                        key("facts"),
                    ];
                    let mut meta = FactMeta::default();
                    variant_facts.push(read_facts(ctx, &path, &facts, &mut meta));
                    variant_meta.push(meta);
                }
                self.variant_facts = variant_facts;
                self.variant_fact_meta = variant_meta;
            }
            "nodes" => self.nodes = self.read_map(ctx, name, value),
            "endings" => self.endings = self.read_map(ctx, name, value),
            "tests" => match value {
                Value::Sequence(items) => {
                    self.tests = (0..items.len())
                        .map(|i| self.take(ctx, &[key("tests"), Seg::Index(i)], &items[i]))
                        .collect()
                }
                Value::Null => {}
                _ => ctx.error(
                    &path,
                    "wrong-type",
                    "`tests` should be a list of golden tests (each starting with `- name:`)."
                        .into(),
                    None,
                ),
            },
            other => {
                let hint = match suggest(other, TOP_KEYS) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!(
                        "the top-level keys are {}",
                        TOP_KEYS.map(|k| format!("`{k}`")).join(", ")
                    ),
                };
                ctx.error_at_key(
                    &path,
                    "unknown-key",
                    format!("`{other}` is not a key the scenario format knows."),
                    Some(hint),
                );
            }
        }
    }

    /// `nodes:` or `endings:`: a map from id to a part read on its own.
    fn read_map<T: serde::de::DeserializeOwned>(
        &mut self,
        ctx: &mut Ctx,
        name: &str,
        value: &Value,
    ) -> Vec<(String, Option<T>)> {
        let what = if name == "nodes" { "node" } else { "ending" };
        let map = match value {
            Value::Mapping(map) if !map.is_empty() => map,
            Value::Mapping(_) | Value::Null => {
                ctx.error_at_key(
                    &[key(name)],
                    "missing-key",
                    format!("`{name}` is empty, but a scenario needs at least one {what}."),
                    None,
                );
                return Vec::new();
            }
            _ => {
                ctx.error(
                    &[key(name)],
                    "wrong-type",
                    format!("`{name}` should be a map from each {what}'s id to the {what}."),
                    Some(format!(
                        "write each {what} as `my_{what}:` indented under `{name}:`"
                    )),
                );
                self.damaged = true;
                return Vec::new();
            }
        };
        let mut out = Vec::with_capacity(map.len());
        for (k, v) in map {
            let id = match k {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => {
                    ctx.error(
                        &[key(name)],
                        "invalid-value",
                        format!("A {what} id must be text."),
                        None,
                    );
                    self.damaged = true;
                    continue;
                }
            };
            let path = [key(name), key(&id)];
            if !is_valid_id(&id) {
                ctx.error_at_key(
                    &path,
                    "invalid-value",
                    bad_id_message(what, &id),
                    Some(id_hint(&id)),
                );
            }
            let (part, clean) = ctx.section(&path, v);
            self.damaged |= !clean;
            out.push((id, part));
        }
        out
    }

    fn build(&self, file: &std::path::Path) -> Option<Scenario> {
        let customer = self.customer.as_ref()?;
        let nodes = self
            .nodes
            .iter()
            .map(|(id, n)| Some((id.clone(), build_node(n.as_ref()?)?)))
            .collect::<Option<BTreeMap<_, _>>>()?;
        let endings = self
            .endings
            .iter()
            .map(|(id, e)| {
                let e = e.as_ref()?;
                let (lesson, lesson_variants) = match &e.lesson {
                    RawLesson::Text(t) => (t.clone(), Vec::new()),
                    RawLesson::Variants(vs) => {
                        let (fallback, variants) = vs.split_last()?;
                        let variants = variants
                            .iter()
                            .map(|v| {
                                Some(LessonVariant {
                                    when: build_condition(v.when.as_ref()?)?,
                                    text: v.text.clone(),
                                })
                            })
                            .collect::<Option<Vec<_>>>()?;
                        (fallback.text.clone(), variants)
                    }
                };
                Some((
                    id.clone(),
                    Ending {
                        outcome: e.outcome,
                        say: e.say.lines(),
                        say_when: build_cond_lines(&e.say)?,
                        lesson,
                        lesson_variants,
                    },
                ))
            })
            .collect::<Option<BTreeMap<_, _>>>()?;
        let tests = self
            .tests
            .iter()
            .map(|t| build_test(t.as_ref()?))
            .collect::<Option<Vec<_>>>()?;
        Some(Scenario {
            meta: Meta {
                id: self.id.clone()?,
                title: self.title.clone()?,
                summary: self.summary.clone()?,
                difficulty: u8::try_from(self.difficulty?).ok()?,
                skills: self.skills.clone()?,
                industry: self.industry.clone(),
                bilingual: self.bilingual.unwrap_or(false),
                channel: self.channel?,
                language: self.language.unwrap_or_default(),
                locale: self
                    .locale
                    .clone()
                    .unwrap_or_else(|| self.language.unwrap_or_default().code().to_string()),
                estimated_minutes: u32::try_from(self.estimated_minutes?).ok()?,
                author: self.author.clone()?,
                version: self.version.clone()?,
            },
            customer: Customer {
                name: customer.name.clone(),
                persona: customer.persona.clone(),
                mood: u8::try_from(customer.mood).ok()?,
                patience: match customer.patience {
                    Some(p) => Some(u32::try_from(p).ok()?),
                    None => None,
                },
                max_chases: match customer.max_chases {
                    Some(n) => u32::try_from(n).ok()?,
                    None => DEFAULT_MAX_CHASES,
                },
                language: self.language.unwrap_or_default(),
                facts: self.facts.clone(),
                variants: customer
                    .variants
                    .iter()
                    .zip(self.variant_facts.iter().zip(&self.variant_fact_meta))
                    .map(|(v, (facts, meta))| build_variant(v, facts, meta))
                    .collect::<Option<Vec<_>>>()?,
                variant: None,
                fact_order: self.fact_meta.order.clone(),
                fact_labels: self.fact_meta.labels.clone(),
            },
            start: self
                .start
                .clone()
                .or_else(|| self.nodes.first().map(|(id, _)| id.clone()))?,
            nodes,
            endings,
            rubric: self.rubric.clone().unwrap_or_default(),
            tips: self.tips.clone(),
            tests,
            trainer_notes: self.trainer_notes.clone().unwrap_or_default(),
            source: file.to_path_buf(),
        })
    }
}

fn build_node(n: &RawNode) -> Option<Node> {
    let transition = |goto: &str, mood: i64| {
        Some(Transition {
            goto: goto.to_string(),
            mood: i32::try_from(mood).ok()?,
        })
    };
    let otherwise = n.otherwise.as_ref()?;
    Some(Node {
        say: n.say.lines(),
        say_when: build_cond_lines(&n.say)?,
        focus: n.focus.clone(),
        model_answers: n
            .model_answer
            .as_ref()
            .map(|l| l.0.clone())
            .unwrap_or_default(),
        choices: n.choices.iter().map(|c| c.text().to_string()).collect(),
        shuffle: n.shuffle.unwrap_or(true),
        rubric: n.rubric.clone().unwrap_or_default(),
        tips: n.tips.clone(),
        facts: n.facts.clone(),
        branches: n
            .branches
            .iter()
            .map(|b| {
                Some(Branch {
                    when: build_condition(&b.when)?,
                    then: transition(&b.goto, b.mood)?,
                })
            })
            .collect::<Option<_>>()?,
        otherwise: transition(&otherwise.goto, otherwise.mood)?,
        on_silence: match &n.on_silence {
            Some(s) => Some(Silence {
                say: s.say.clone(),
                goto: s.goto.clone(),
                mood: i32::try_from(s.mood).ok()?,
            }),
            None => None,
        },
    })
}

fn build_variant(
    v: &RawVariant,
    facts: &BTreeMap<String, serde_json::Value>,
    meta: &FactMeta,
) -> Option<PersonaVariant> {
    Some(PersonaVariant {
        id: v.id.clone(),
        temperament: v.temperament.clone(),
        persona: v.persona.clone(),
        mood: match v.mood {
            Some(m) => Some(u8::try_from(m).ok().filter(|m| *m <= 100)?),
            None => None,
        },
        patience: match v.patience {
            Some(p) => Some(u32::try_from(p).ok().filter(|p| *p >= 1)?),
            None => None,
        },
        facts: facts.clone(),
        fact_order: meta.order.clone(),
        fact_labels: meta.labels.clone(),
        lines: v
            .lines
            .iter()
            .map(|(id, say)| {
                Some((
                    id.clone(),
                    LineSet {
                        say: say.lines(),
                        say_when: build_cond_lines(say)?,
                    },
                ))
            })
            .collect::<Option<_>>()?,
    })
}

fn build_cond_lines(say: &Say) -> Option<Vec<CondLines>> {
    say.when
        .iter()
        .map(|(_, w)| {
            Some(CondLines {
                when: build_condition(&w.when)?,
                say: w.say.0.clone(),
            })
        })
        .collect()
}

fn build_condition(c: &RawCondition) -> Option<Condition> {
    let scores = |m: &BTreeMap<String, i64>| {
        m.iter()
            .map(|(k, v)| Some((ScoreKey::parse(k)?, u8::try_from(*v).ok()?)))
            .collect::<Option<BTreeMap<_, _>>>()
    };
    let mood = |m: Option<i64>| match m {
        Some(v) => u8::try_from(v).ok().map(Some),
        None => Some(None),
    };
    let count = |m: Option<i64>| match m {
        Some(v) => u32::try_from(v).ok().map(Some),
        None => Some(None),
    };
    Some(Condition {
        min_score: scores(&c.min_score)?,
        max_score: scores(&c.max_score)?,
        met: c.met.clone(),
        met_any: c.met_any.clone(),
        missed: c.missed.clone(),
        says_any: c.says_any.clone(),
        says_none: c.says_none.clone(),
        mood_at_least: mood(c.mood_at_least)?,
        mood_at_most: mood(c.mood_at_most)?,
        chases_at_least: count(c.chases_at_least)?,
        chases_at_most: count(c.chases_at_most)?,
        choice: match c.choice {
            Some(n) => Some(usize::try_from(n).ok()?),
            None => None,
        },
    })
}

fn build_test(t: &RawTest) -> Option<GoldenTest> {
    Some(GoldenTest {
        name: t.name.clone(),
        seed: t.seed,
        variant: t.variant.clone(),
        turns: t.turns.iter().map(turn_of).collect::<Option<_>>()?,
        path: t.path.clone(),
        ending: t.ending.clone(),
        overall_at_least: match t.overall_at_least {
            Some(v) => Some(u8::try_from(v).ok()?),
            None => None,
        },
        overall_at_most: match t.overall_at_most {
            Some(v) => Some(u8::try_from(v).ok()?),
            None => None,
        },
    })
}

fn turn_of(t: &RawTurn) -> Option<TestTurn> {
    match (&t.reply, t.choice, t.silence) {
        (Some(r), None, None) => Some(TestTurn::Reply(r.clone())),
        (None, Some(c), None) => Some(TestTurn::Choice(
            usize::try_from(c).ok().filter(|&c| c >= 1)?,
        )),
        (None, None, Some(true)) => Some(TestTurn::Silence),
        _ => None,
    }
}

/// `fr`, `fr-CA`, `en-gb`: the language whose rubric judges it, and the tag as BCP 47
/// writes it (`fr-CA`). Regions share their language's rubric.
fn parse_locale(tag: &str) -> Option<(Language, String)> {
    let (lang, region) = match tag.trim().split_once(['-', '_']) {
        Some((l, r)) => (l, Some(r)),
        None => (tag.trim(), None),
    };
    let language = match lang.to_ascii_lowercase().as_str() {
        "en" => Language::En,
        "fr" => Language::Fr,
        _ => return None,
    };
    let code = language.code();
    match region {
        None => Some((language, code.to_string())),
        Some(r) if r.len() == 2 && r.chars().all(|c| c.is_ascii_alphabetic()) => {
            Some((language, format!("{code}-{}", r.to_ascii_uppercase())))
        }
        Some(_) => None,
    }
}

/// `version: 1`, `version: 1.10` or `version: "1.2"`: kept as the trainer wrote it.
fn read_version(ctx: &mut Ctx, value: &Value) -> Option<String> {
    let path = [key("version")];
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(
            ctx.tree
                .scalar_text(&path)
                .map_or_else(|| n.to_string(), str::to_string),
        ),
        _ => {
            ctx.error(
                &path,
                "wrong-type",
                "`version` should be text or a number, like `1` or \"1.2\".".into(),
                None,
            );
            None
        }
    }
}

/// The order facts are written in, and the labels given as `{value: ..., label: ...}`.
#[derive(Default, Clone)]
struct FactMeta {
    order: Vec<String>,
    labels: BTreeMap<String, String>,
}

/// A fact written `{value: ..., label: "..."}`: the value and its label. Any other map
/// is a nested fact (`card: {last4: ...}`).
fn labelled(v: &Value) -> Option<(&Value, &Value)> {
    let Value::Mapping(m) = v else { return None };
    let value = m.get("value")?;
    let label = m.get("label")?;
    (m.len() == 2).then_some((value, label))
}

fn read_facts(
    ctx: &mut Ctx,
    path: &[Seg],
    facts: &serde_yaml::Mapping,
    meta: &mut FactMeta,
) -> BTreeMap<String, serde_json::Value> {
    let mut out = BTreeMap::new();
    for (k, v) in facts {
        let Some(name) = k.as_str() else {
            ctx.error(
                path,
                "invalid-value",
                "Fact names must be text.".into(),
                None,
            );
            continue;
        };
        let v = match labelled(v) {
            Some((value, Value::String(label))) => {
                meta.labels.insert(name.to_string(), label.clone());
                value
            }
            Some(_) => {
                ctx.error(
                    &join(path, &[key(name), key("label")]),
                    "wrong-type",
                    format!("The label of the fact `{name}` should be text."),
                    None,
                );
                continue;
            }
            None => v,
        };
        match serde_json::to_value(v) {
            Ok(json) => {
                meta.order.push(name.to_string());
                out.insert(name.to_string(), json);
            }
            Err(_) => ctx.error(
                &join(path, &[key(name)]),
                "invalid-value",
                format!("The fact `{name}` holds something that is not text, a number, a list or a map with text keys."),
                None,
            ),
        }
    }
    out
}

/// The checks that need the whole file read first.
struct Checker<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    parts: &'c Parts,
    /// Criterion ids the pack's rubrics define.
    pack: &'c BTreeSet<String>,
    /// Criterion ids known everywhere in this scenario.
    known: BTreeSet<String>,
    /// Every placeholder the texts may use (`customer.name`, `facts.order_id`, ...).
    placeholders: BTreeSet<String>,
    node_ids: Vec<&'c str>,
    ending_ids: Vec<&'c str>,
    /// The same ids again, for constant-time lookups in big files.
    node_set: HashSet<&'c str>,
    ending_set: HashSet<&'c str>,
    /// The nodes that could be read, by id.
    read_nodes: HashMap<&'c str, &'c RawNode>,
}

impl<'c, 'a> Checker<'c, 'a> {
    fn new(ctx: &'c mut Ctx<'a>, parts: &'c Parts, opts: &'c LoadOptions) -> Self {
        let mut known = opts.known_criteria.clone();
        if let Some(rubric) = &parts.rubric {
            known.extend(rubric.criteria.iter().map(|c| c.id.clone()));
        }
        let mut placeholders: BTreeSet<String> =
            template::CUSTOMER_PLACEHOLDERS.map(String::from).into();
        for (name, value) in &parts.facts {
            add_fact_placeholders(&mut placeholders, format!("facts.{name}"), value, 0);
        }
        // A fact every persona variant defines can be used in the shared lines too.
        if let Some((first, rest)) = parts.variant_facts.split_first() {
            for (name, value) in first {
                if rest.iter().all(|f| f.contains_key(name)) {
                    add_fact_placeholders(&mut placeholders, format!("facts.{name}"), value, 0);
                }
            }
        }
        Checker {
            ctx,
            parts,
            pack: &opts.known_criteria,
            known,
            placeholders,
            node_ids: parts.nodes.iter().map(|(id, _)| id.as_str()).collect(),
            ending_ids: parts.endings.iter().map(|(id, _)| id.as_str()).collect(),
            node_set: parts.nodes.iter().map(|(id, _)| id.as_str()).collect(),
            ending_set: parts.endings.iter().map(|(id, _)| id.as_str()).collect(),
            read_nodes: parts
                .nodes
                .iter()
                .filter_map(|(id, n)| Some((id.as_str(), n.as_ref()?)))
                .collect(),
        }
    }

    fn run(&mut self) {
        self.check_meta();
        self.check_written_channel();
        self.check_variants();
        if let Some(rubric) = &self.parts.rubric {
            let known = self.known.clone();
            self.check_patch(&[key("rubric")], rubric, &known, true);
        }
        let parts = self.parts;
        let known = self.known.clone();
        self.check_tips(&[key("tips")], &parts.tips, &known);
        for (id, node) in &parts.nodes {
            if let Some(node) = node {
                self.check_node(id, node);
            }
        }
        let node_set: HashMap<&str, usize> = self
            .node_ids
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, i))
            .collect();
        for (id, ending) in &parts.endings {
            let path = [key("endings"), key(id)];
            if let Some(&i) = node_set.get(id.as_str()) {
                let first = self
                    .ctx
                    .tree
                    .locate_key(&[key("nodes"), key(self.node_ids[i])]);
                self.ctx.error_at_key(
                    &path,
                    "duplicate-id",
                    format!("`{id}` is both a node and an ending; nodes and endings share one set of ids."),
                    Some(format!("rename one of them (the node is at line {})", first.line)),
                );
            }
            if let Some(ending) = ending {
                self.check_say(id, &join(&path, &[key("say")]), &ending.say);
                self.check_lesson(&join(&path, &[key("lesson")]), &ending.lesson);
            }
        }
        let start = self.check_start();
        if let Some(start) = start {
            // Each of these would make the graph checks repeat a problem already reported.
            let graph_known = !self.parts.damaged && !self.ending_ids.is_empty();
            if graph_known && !self.ctx.has_errors_of("unknown-target") {
                self.check_graph(start);
            }
            for (i, test) in parts.tests.iter().enumerate() {
                if let Some(test) = test {
                    self.check_test(i, test, start);
                }
            }
        }
    }

    fn check_meta(&mut self) {
        let p = self.parts;
        if let Some(id) = &p.id {
            if !is_valid_id(id) {
                self.ctx.error(
                    &[key("id")],
                    "invalid-value",
                    bad_id_message("scenario", id),
                    Some(id_hint(id)),
                );
            }
        }
        if let Some(industry) = &p.industry {
            if !is_valid_id(industry) {
                self.ctx.error(
                    &[key("industry")],
                    "invalid-value",
                    format!("`{industry}` is not a valid industry tag: it uses only lowercase letters, digits, `_` and `-` (the library shows it in words)."),
                    Some(id_hint(industry).replace('_', "-")),
                );
            }
        }
        if let Some(d) = p.difficulty {
            if !(1..=5).contains(&d) {
                self.ctx.error(
                    &[key("difficulty")],
                    "invalid-value",
                    format!("`difficulty` is {d}, but it goes from 1 (gentle) to 5 (hardest)."),
                    None,
                );
            }
        }
        if let Some(m) = p.estimated_minutes {
            if !(1..=i64::from(u32::MAX)).contains(&m) {
                self.ctx.error(
                    &[key("estimated_minutes")],
                    "invalid-value",
                    format!(
                        "`estimated_minutes` is {m}, but it must be a whole number of at least 1."
                    ),
                    None,
                );
            }
        }
        if let Some(c) = &p.customer {
            self.check_percent(
                &[key("customer"), key("mood")],
                c.mood,
                "The customer's starting mood",
            );
            if let Some(patience) = c.patience {
                if !(1..=i64::from(u32::MAX)).contains(&patience) {
                    self.ctx.error(
                        &[key("customer"), key("patience")],
                        "invalid-value",
                        format!(
                            "`patience` is {patience}, but it is a number of seconds, at least 1."
                        ),
                        Some("leave `patience` out if the customer should wait forever".into()),
                    );
                }
            }
            if let Some(n) = c.max_chases {
                if !(1..=10).contains(&n) {
                    self.ctx.error(
                        &[key("customer"), key("max_chases")],
                        "out-of-range",
                        format!("`max_chases` is {n}, but it must be between 1 and 10."),
                        Some("leave it out for the default of 3 chases".into()),
                    );
                }
            }
            self.check_hang_up(c);
            let personas = std::iter::once((vec![key("customer"), key("persona")], &c.persona))
                .chain(c.variants.iter().enumerate().filter_map(|(i, v)| {
                    let path = vec![
                        key("customer"),
                        key("variants"),
                        Seg::Index(i),
                        key("persona"),
                    ];
                    v.persona.as_ref().map(|p| (path, p))
                }));
            for (path, persona) in personas.collect::<Vec<_>>() {
                if let Some(note) = trainer_note_in(persona) {
                    let pos = self
                        .ctx
                        .locate_in_text(&path, note, persona.matches('\n').count());
                    self.ctx.report(
                        Severity::Warning,
                        pos,
                        "trainer-note-in-persona",
                        "The persona card is shown to the trainee, so a note for trainers written in it would be too.".into(),
                        Some("move it to the top-level `trainer_notes:`, which trainees never see".into()),
                    );
                }
            }
        }
    }

    /// On a written channel (email) the customer does not watch the clock: a patience, a
    /// silence rule, a hang-up ending or a test that stays silent would never play (see
    /// [`Channel::is_written`]), so each is reported where it is written.
    fn check_written_channel(&mut self) {
        let p = self.parts;
        if !p.channel.is_some_and(Channel::is_written) {
            return;
        }
        let hint = "an email customer waits for the reply however long it takes: reach the failure ending by what the trainee writes (a branch on `dismissive`, `policy_shield`, ...)";
        if let Some(c) = &p.customer {
            if c.patience.is_some() {
                self.ctx.warning_at_key(
                    &[key("customer"), key("patience")],
                    "email-patience",
                    "This is an email scenario: the customer has no patience timer, so `patience` is ignored.".into(),
                    Some("remove `patience`".into()),
                );
            }
            for (i, v) in c.variants.iter().enumerate() {
                if v.patience.is_some() {
                    self.ctx.warning_at_key(
                        &[key("customer"), key("variants"), Seg::Index(i), key("patience")],
                        "email-patience",
                        format!("This is an email scenario: the variant `{}` has no patience timer, so `patience` is ignored.", v.id),
                        Some("remove `patience`".into()),
                    );
                }
            }
        }
        for (id, node) in &p.nodes {
            if node.as_ref().is_some_and(|n| n.on_silence.is_some()) {
                self.ctx.warning_at_key(
                    &[key("nodes"), key(id), key("on_silence")],
                    "email-silence",
                    format!("This is an email scenario: the customer never chases a silence, so the `on_silence` of `{id}` never happens."),
                    Some(hint.into()),
                );
            }
        }
        for (id, ending) in &p.endings {
            if ending
                .as_ref()
                .is_some_and(|e| e.outcome == Outcome::HungUp)
            {
                self.ctx.warning(
                    &[key("endings"), key(id), key("outcome")],
                    "email-hang-up",
                    format!("This is an email scenario: the customer never hangs up on a silence, so the `hung_up` ending `{id}` is reached only by a branch."),
                    Some(hint.into()),
                );
            }
        }
        for (i, test) in p.tests.iter().enumerate() {
            let Some(test) = test else { continue };
            for (j, turn) in test.turns.iter().enumerate() {
                if turn.silence.is_some() {
                    self.ctx.warning_at_key(
                        &[key("tests"), Seg::Index(i), key("turns"), Seg::Index(j), key("silence")],
                        "email-silence",
                        format!("This is an email scenario: turn {} of test `{}` expects a silence, which an email customer never answers (`rapport test` fails it).", j + 1, test.name),
                        Some("script what the trainee writes instead".into()),
                    );
                }
            }
        }
    }

    /// A customer with a patience who can be chased at a node with no `on_silence`
    /// target of its own hangs up after `max_chases`: the scenario needs somewhere for
    /// them to go.
    fn check_hang_up(&mut self, c: &RawCustomer) {
        if self.parts.channel.is_some_and(Channel::is_written) {
            return;
        }
        if c.patience.is_none() && c.variants.iter().all(|v| v.patience.is_none()) {
            return;
        }
        let has_hang_up = self
            .parts
            .endings
            .iter()
            .any(|(_, e)| e.as_ref().is_some_and(|e| e.outcome == Outcome::HungUp));
        let chased = self.parts.nodes.iter().find(|(_, n)| {
            n.as_ref()
                .is_some_and(|n| n.on_silence.as_ref().is_none_or(|s| s.goto.is_none()))
        });
        if let (false, Some((node, _))) = (has_hang_up, chased) {
            // Where the patience is written: the customer's, else the first variant's.
            let at = match c.variants.iter().position(|v| v.patience.is_some()) {
                Some(i) if c.patience.is_none() => vec![
                    key("customer"),
                    key("variants"),
                    Seg::Index(i),
                    key("patience"),
                ],
                _ => vec![key("customer"), key("patience")],
            };
            self.ctx.error(
                &at,
                "no-hang-up-ending",
                format!(
                    "The customer has a patience and can be chased at `{node}`, which has no \
                     `on_silence` target, but no ending has `outcome: hung_up` for when they \
                     give up after {} chases.",
                    c.max_chases.unwrap_or(i64::from(DEFAULT_MAX_CHASES))
                ),
                Some(format!(
                    "add an ending with `outcome: hung_up`, or give `{node}` an `on_silence: {{goto: ...}}`"
                )),
            );
        }
    }

    /// Persona variants: ids, ranges, the lines they replace (checked like the node's,
    /// with the variant's facts), and that the seeds 0 to 99 meet every one.
    fn check_variants(&mut self) {
        let parts = self.parts;
        let Some(c) = &parts.customer else { return };
        if c.variants.is_empty() {
            return;
        }
        let base = [key("customer"), key("variants")];
        if c.variants.len() == 1 {
            self.ctx.warning(
                &base,
                "single-variant",
                "There is only one persona variant, so every session meets it: a variant is one of several ways the customer can be.".into(),
                Some("add a second variant, or move this one's values onto the customer".into()),
            );
        }
        let mut seen: HashSet<&str> = HashSet::new();
        let reached: BTreeSet<usize> = (0..VARIANT_SEEDS)
            .filter_map(|seed| crate::engine::variant_for_seed(seed, c.variants.len()))
            .collect();
        for (i, v) in c.variants.iter().enumerate() {
            let at = join(&base, &[Seg::Index(i)]);
            let id_path = join(&at, &[key("id")]);
            if !is_valid_id(&v.id) {
                self.ctx.error(
                    &id_path,
                    "invalid-value",
                    bad_id_message("variant", &v.id),
                    Some(id_hint(&v.id)),
                );
            }
            if !seen.insert(v.id.as_str()) {
                self.ctx.error(
                    &id_path,
                    "duplicate-id",
                    format!("Two persona variants are called `{}`.", v.id),
                    Some("give each variant its own id".into()),
                );
            }
            if v.temperament.trim().is_empty() {
                self.ctx.error(
                    &join(&at, &[key("temperament")]),
                    "invalid-value",
                    "The temperament is empty, but the persona card shows it.".into(),
                    Some("a few words, like \"curt and in a hurry\"".into()),
                );
            }
            if let Some(m) = v.mood {
                self.check_percent(&join(&at, &[key("mood")]), m, "The variant's starting mood");
            }
            if let Some(p) = v.patience {
                if !(1..=i64::from(u32::MAX)).contains(&p) {
                    self.ctx.error(
                        &join(&at, &[key("patience")]),
                        "invalid-value",
                        format!("`patience` is {p}, but it is a number of seconds, at least 1."),
                        None,
                    );
                }
            }
            if !reached.contains(&i) {
                self.ctx.error_at_key(
                    &id_path,
                    "variant-unreached",
                    format!(
                        "No seed from 0 to {} meets the variant `{}`.",
                        VARIANT_SEEDS - 1,
                        v.id
                    ),
                    Some("use fewer variants".into()),
                );
            }
            // The variant's lines may use its own facts.
            let shared = self.placeholders.clone();
            if let Some(facts) = parts.variant_facts.get(i) {
                for (name, value) in facts.iter().chain(&parts.facts) {
                    add_fact_placeholders(
                        &mut self.placeholders,
                        format!("facts.{name}"),
                        value,
                        0,
                    );
                }
            }
            if let Some(text) = &v.persona {
                self.check_text(&join(&at, &[key("persona")]), text);
            }
            for (target, say) in &v.lines {
                let path = join(&at, &[key("lines"), key(target)]);
                if !self.node_set.contains(target.as_str())
                    && !self.ending_set.contains(target.as_str())
                {
                    let all = self.node_ids.iter().chain(&self.ending_ids).copied();
                    let hint = self
                        .ctx
                        .suggest(target, all)
                        .map(|s| format!("did you mean `{s}`?"));
                    self.ctx.error_at_key(
                        &path,
                        "unknown-target",
                        format!("`{target}` is not a node or an ending of this scenario, so the variant has no line to replace there."),
                        hint,
                    );
                    continue;
                }
                self.check_say(target, &path, say);
            }
            self.placeholders = shared;
        }
    }

    fn check_percent(&mut self, path: &[Seg], value: i64, what: &str) {
        if !(0..=100).contains(&value) {
            self.ctx.error(
                path,
                "out-of-range",
                format!("{what} is {value}, but it must be between 0 and 100."),
                None,
            );
        }
    }

    fn check_mood_change(&mut self, path: &[Seg], value: i64) {
        if !(-100..=100).contains(&value) {
            self.ctx.error(
                path,
                "out-of-range",
                format!("The mood change is {value}, but it must be between -100 and +100."),
                None,
            );
        }
    }

    fn check_criterion(&mut self, path: &[Seg], id: &str, known: &BTreeSet<String>, at_key: bool) {
        if known.contains(id) {
            return;
        }
        let hint = match self.ctx.suggest(id, known.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "define it under `rubric: criteria:`, or use a built-in criterion".into(),
        };
        let message = format!("`{id}` is not a criterion any rubric defines.");
        if at_key {
            self.ctx
                .error_at_key(path, "unknown-criterion", message, Some(hint));
        } else {
            self.ctx
                .error(path, "unknown-criterion", message, Some(hint));
        }
    }

    /// A rubric patch; `known` already includes the criteria this patch defines.
    fn check_patch(
        &mut self,
        base: &[Seg],
        patch: &RubricPatch,
        known: &BTreeSet<String>,
        scenario_level: bool,
    ) {
        let mut defined: HashSet<&str> = HashSet::new();
        for (i, c) in patch.criteria.iter().enumerate() {
            let path = join(base, &[key("criteria"), Seg::Index(i)]);
            let id_path = join(&path, &[key("id")]);
            if !is_valid_id(&c.id) {
                self.ctx.error(
                    &id_path,
                    "invalid-value",
                    bad_id_message("criterion", &c.id),
                    Some(id_hint(&c.id)),
                );
            }
            let outer = if scenario_level {
                self.pack
            } else {
                &self.known
            };
            if !defined.insert(&c.id) || outer.contains(&c.id) {
                self.ctx.error(
                    &id_path,
                    "duplicate-id",
                    format!("A criterion `{}` is already defined.", c.id),
                    Some("give the new criterion its own id, or use `weights`/`phrases` to adjust the existing one".into()),
                );
            }
            if !(c.weight.is_finite() && c.weight >= 0.0) {
                self.ctx.error(
                    &join(&path, &[key("weight")]),
                    "invalid-value",
                    format!("The weight is {}, but it must be 0 or more.", c.weight),
                    None,
                );
            }
            self.check_text(&join(&path, &[key("tip")]), &c.tip);
            for (j, phrase) in c.phrases.iter().enumerate() {
                let at = join(&path, &[key("phrases"), Seg::Index(j)]);
                self.check_text(&at, phrase);
                super::phrases::check(
                    self.ctx,
                    &at,
                    phrase,
                    self.parts.language.unwrap_or_default(),
                );
            }
        }
        for (id, weight) in &patch.weights {
            let path = join(base, &[key("weights"), key(id)]);
            self.check_criterion(&path, id, known, true);
            if !(weight.is_finite() && *weight >= 0.0) {
                self.ctx.error(
                    &path,
                    "invalid-value",
                    format!("The weight of `{id}` is {weight}, but it must be 0 or more (0 switches it off)."),
                    None,
                );
            }
        }
        for (id, phrases) in &patch.phrases {
            let path = join(base, &[key("phrases"), key(id)]);
            self.check_criterion(&path, id, known, true);
            for (j, phrase) in phrases.iter().enumerate() {
                let at = join(&path, &[Seg::Index(j)]);
                self.check_text(&at, phrase);
                super::phrases::check(
                    self.ctx,
                    &at,
                    phrase,
                    self.parts.language.unwrap_or_default(),
                );
            }
        }
    }

    fn check_node(&mut self, id: &str, node: &RawNode) {
        let base = [key("nodes"), key(id)];
        self.check_say(id, &join(&base, &[key("say")]), &node.say);
        if let Some(answers) = &node.model_answer {
            for (i, a) in answers.0.iter().enumerate() {
                let path = if answers.0.len() == 1
                    && self
                        .ctx
                        .tree
                        .scalar_text(&join(&base, &[key("model_answer")]))
                        .is_some()
                {
                    join(&base, &[key("model_answer")])
                } else {
                    join(&base, &[key("model_answer"), Seg::Index(i)])
                };
                self.check_text(&path, a);
            }
        }
        for (i, c) in node.choices.iter().enumerate() {
            let at = join(&base, &[key("choices"), Seg::Index(i)]);
            match c {
                super::raw::RawChoice::Text(text) => self.check_text(&at, text),
                super::raw::RawChoice::Leading(c) => {
                    self.check_text(&join(&at, &[key("text")]), &c.text);
                    if let Some(target) = &c.leads_to {
                        self.check_target(&join(&at, &[key("leads_to")]), target);
                    }
                }
            }
        }
        let mut known = self.known.clone();
        if let Some(rubric) = &node.rubric {
            known.extend(rubric.criteria.iter().map(|c| c.id.clone()));
            self.check_patch(&join(&base, &[key("rubric")]), rubric, &known, false);
        }
        let tips = join(&base, &[key("tips")]);
        self.check_tips(&tips, &node.tips, &known);
        let parts = self.parts;
        let names: Vec<&str> = parts
            .facts
            .keys()
            .chain(parts.variant_facts.iter().flat_map(|f| f.keys()))
            .map(String::as_str)
            .collect();
        for (i, fact) in node.facts.iter().enumerate() {
            if !names.contains(&fact.as_str()) {
                let hint = self
                    .ctx
                    .suggest(fact, names.iter().copied())
                    .map(|s| format!("did you mean `{s}`?"));
                self.ctx.error(
                    &join(&base, &[key("facts"), Seg::Index(i)]),
                    "unknown-fact",
                    format!(
                        "`{fact}` is not one of the customer's facts, so it cannot be shown first."
                    ),
                    hint,
                );
            }
        }
        for (i, f) in node.focus.iter().enumerate() {
            self.check_criterion(
                &join(&base, &[key("focus"), Seg::Index(i)]),
                f,
                &known,
                false,
            );
        }
        let mut always_taken: Option<usize> = None;
        for (i, branch) in node.branches.iter().enumerate() {
            let path = join(&base, &[key("branches"), Seg::Index(i)]);
            self.check_branch(&path, branch, &known, node.choices.len());
            if let Some(earlier) = always_taken {
                let what = if is_empty_condition(&node.branches[earlier].when) {
                    "has an empty `when`, which always holds"
                } else {
                    "has a `when` that always holds (no part of it can fail)"
                };
                self.ctx.warning_at_key(
                    &join(&path, &[key("when")]),
                    "unreachable-branch",
                    format!(
                        "This branch is never taken: branch {} before it {what}.",
                        earlier + 1
                    ),
                    Some("move this branch up, or give the earlier one a condition".into()),
                );
            } else if let Some(earlier) = node.branches[..i]
                .iter()
                .position(|e| super::shadow::implies(&branch.when, &e.when))
            {
                self.ctx.warning_at_key(
                    &join(&path, &[key("when")]),
                    "shadowed-branch",
                    format!(
                        "This branch is never taken: whenever its `when` holds, so does that of branch {} before it (to `{}`), which is tried first.",
                        earlier + 1,
                        node.branches[earlier].goto
                    ),
                    Some("put the more specific branch first".into()),
                );
            } else if super::shadow::always_holds(&branch.when) {
                always_taken = Some(i);
            }
        }
        match &node.otherwise {
            Some(t) => {
                let path = join(&base, &[key("otherwise")]);
                self.check_target(&join(&path, &[key("goto")]), &t.goto);
                self.check_mood_change(&join(&path, &[key("mood")]), t.mood);
            }
            None if node.branches.is_empty() => self.ctx.error_at_key(
                &base,
                "dead-end",
                format!("The node `{id}` has no way out: it has no `branches` and no `otherwise`."),
                Some("add `otherwise: { goto: ... }` naming the next node or an ending".into()),
            ),
            None => self.ctx.error_at_key(
                &base,
                "missing-key",
                format!(
                    "The node `{id}` needs an `otherwise`, taken when none of its branches holds."
                ),
                Some("add `otherwise: { goto: ... }`".into()),
            ),
        }
        if let Some(s) = &node.on_silence {
            let path = join(&base, &[key("on_silence")]);
            if let Some(goto) = &s.goto {
                self.check_target(&join(&path, &[key("goto")]), goto);
            }
            if let Some(say) = &s.say {
                self.check_text(&join(&path, &[key("say")]), say);
            }
            self.check_mood_change(&join(&path, &[key("mood")]), s.mood);
        }
    }

    /// `tips`: criteria the rubrics know, each with a tip to say.
    fn check_tips(
        &mut self,
        base: &[Seg],
        tips: &BTreeMap<String, String>,
        known: &BTreeSet<String>,
    ) {
        for (id, tip) in tips {
            let path = join(base, &[key(id)]);
            self.check_criterion(&path, id, known, true);
            if tip.trim().is_empty() {
                self.ctx.error(
                    &path,
                    "empty-lines",
                    format!("The tip for `{id}` is empty: the trainee would get no advice."),
                    Some("write the advice, or remove the line to keep the rubric's tip".into()),
                );
            }
            self.check_text(&path, tip);
        }
    }

    fn check_branch(
        &mut self,
        path: &[Seg],
        branch: &RawBranch,
        known: &BTreeSet<String>,
        choices: usize,
    ) {
        let when = join(path, &[key("when")]);
        self.check_condition(&when, &branch.when, known);
        if let Some(n) = branch.when.choice {
            if choices == 0 {
                self.ctx.error_at_key(
                    &join(&when, &[key("choice")]),
                    "invalid-value",
                    "`choice` only applies to a guided node (one with `choices:`).".into(),
                    Some("give the node `choices:`, or branch on criteria instead".into()),
                );
            } else if !(1..=choices as i64).contains(&n) {
                self.ctx.error(
                    &join(&when, &[key("choice")]),
                    "out-of-range",
                    format!("`choice: {n}`, but this node has choices 1 to {choices}."),
                    None,
                );
            }
        }
        self.check_target(&join(path, &[key("goto")]), &branch.goto);
        self.check_mood_change(&join(path, &[key("mood")]), branch.mood);
    }

    /// The parts of one condition, where branches and lesson variants write them.
    fn check_condition(&mut self, when: &[Seg], c: &RawCondition, known: &BTreeSet<String>) {
        let when = when.to_vec();
        self.check_possible(&when, c);
        for (name, scores) in [("min_score", &c.min_score), ("max_score", &c.max_score)] {
            for (score, value) in scores {
                let p = join(&when, &[key(name), key(score)]);
                if ScoreKey::parse(score).is_none() {
                    let names = ScoreKey::ALL.map(ScoreKey::as_str);
                    let hint = match suggest(score, names) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!(
                            "the scores are {}",
                            names.map(|n| format!("`{n}`")).join(", ")
                        ),
                    };
                    self.ctx.error_at_key(
                        &p,
                        "invalid-value",
                        format!("`{score}` is not a score."),
                        Some(hint),
                    );
                }
                self.check_percent(&p, *value, &format!("The `{score}` score"));
            }
        }
        for (name, ids) in [
            ("met", &c.met),
            ("met_any", &c.met_any),
            ("missed", &c.missed),
        ] {
            for (i, id) in ids.iter().enumerate() {
                self.check_criterion(&join(&when, &[key(name), Seg::Index(i)]), id, known, false);
            }
        }
        for (name, mood) in [
            ("mood_at_least", c.mood_at_least),
            ("mood_at_most", c.mood_at_most),
        ] {
            if let Some(m) = mood {
                self.check_percent(&join(&when, &[key(name)]), m, &format!("`{name}`"));
            }
        }
        for (name, n) in [
            ("chases_at_least", c.chases_at_least),
            ("chases_at_most", c.chases_at_most),
        ] {
            if n.is_some_and(|n| !(0..=100).contains(&n)) {
                self.ctx.error(
                    &join(&when, &[key(name)]),
                    "out-of-range",
                    format!("`{name}` is a number of chases, 0 to 100."),
                    None,
                );
            }
        }
    }

    /// A condition that can never hold (`mood_at_least: 80` with `mood_at_most: 20`,
    /// `met: [apologize]` with `missed: [apologize]`) used to pass silently, and its branch
    /// was dead.
    fn check_possible(&mut self, when: &[Seg], c: &RawCondition) {
        let mut why: Vec<String> = Vec::new();
        if let (Some(lo), Some(hi)) = (c.mood_at_least, c.mood_at_most) {
            if lo > hi {
                why.push(format!("`mood_at_least: {lo}` with `mood_at_most: {hi}`"));
            }
        }
        if let (Some(lo), Some(hi)) = (c.chases_at_least, c.chases_at_most) {
            if lo > hi {
                why.push(format!(
                    "`chases_at_least: {lo}` with `chases_at_most: {hi}`"
                ));
            }
        }
        for (score, lo) in &c.min_score {
            if let Some(hi) = c.max_score.get(score) {
                if lo > hi {
                    why.push(format!("`min_score` {score} {lo} above `max_score` {hi}"));
                }
            }
        }
        for id in c.met.iter().chain(&c.met_any) {
            if c.missed.contains(id) {
                why.push(format!("`{id}` both required and in `missed`"));
            }
        }
        if !c.met_any.is_empty() && c.met_any.iter().all(|id| c.missed.contains(id)) {
            why.push("every criterion of `met_any` is also in `missed`".into());
        }
        for p in &c.says_any {
            if c.says_none.contains(p) {
                why.push(format!("\"{p}\" both in `says_any` and `says_none`"));
            }
        }
        if let Some(first) = why.first() {
            self.ctx.warning_at_key(
                when,
                "impossible-condition",
                format!(
                    "This condition can never hold: {}{}.",
                    first,
                    if why.len() > 1 {
                        format!(" (and {} more)", why.len() - 1)
                    } else {
                        String::new()
                    }
                ),
                Some("fix the bounds or lists; as written the branch is never taken".into()),
            );
        }
    }

    fn check_lesson(&mut self, path: &[Seg], lesson: &RawLesson) {
        match lesson {
            RawLesson::Text(t) => self.check_text(path, t),
            RawLesson::Variants(vs) => {
                let known = self.known.clone();
                for (i, v) in vs.iter().enumerate() {
                    let at = join(path, &[Seg::Index(i)]);
                    let last = i + 1 == vs.len();
                    match (&v.when, last) {
                        (Some(when), false) => {
                            self.check_condition(&join(&at, &[key("when")]), when, &known);
                            if when.choice.is_some() {
                                self.ctx.error_at_key(
                                    &join(&at, &[key("when"), key("choice")]),
                                    "invalid-value",
                                    "`choice` is about one reply: a lesson reads the whole conversation.".into(),
                                    Some("branch on the choice, and give that branch's ending its own lesson".into()),
                                );
                            }
                        }
                        (Some(when), true) => {
                            self.ctx.error_at_key(
                                &join(&at, &[key("when")]),
                                "lesson-fallback",
                                "The last lesson variant is the fallback, shown when no other holds, so it takes no `when:`.".into(),
                                Some("add a last variant with only `text:`".into()),
                            );
                            self.check_condition(&join(&at, &[key("when")]), when, &known);
                        }
                        (None, false) => self.ctx.error(
                            &at,
                            "lesson-fallback",
                            "Only the last lesson variant may leave out `when:`; this one would hide the ones after it.".into(),
                            Some("give it a `when:`, or move it to the end".into()),
                        ),
                        (None, true) => {}
                    }
                    self.check_text(&join(&at, &[key("text")]), &v.text);
                }
            }
        }
    }

    fn check_target(&mut self, path: &[Seg], target: &str) {
        if self.node_set.contains(target) || self.ending_set.contains(target) {
            return;
        }
        let all = self.node_ids.iter().chain(&self.ending_ids).copied();
        let hint = match self.ctx.suggest(target, all) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("the nodes and endings are {}", self.id_list()),
        };
        self.ctx.error(
            path,
            "unknown-target",
            format!("`{target}` is not a node or an ending of this scenario."),
            Some(hint),
        );
    }

    fn id_list(&self) -> String {
        let ids: Vec<String> = self
            .node_ids
            .iter()
            .chain(&self.ending_ids)
            .take(12)
            .map(|s| s.to_string())
            .collect();
        backticked(&ids)
    }

    /// The start node: the one named, else the first listed.
    fn check_start(&mut self) -> Option<&'c str> {
        let parts = self.parts;
        let Some(start) = &parts.start else {
            return self.node_ids.first().copied();
        };
        let path = [key("start")];
        if self.node_set.contains(start.as_str()) {
            return Some(start.as_str());
        }
        if self.ending_set.contains(start.as_str()) {
            self.ctx.error(
                &path,
                "unknown-target",
                format!("`{start}` is an ending; the conversation must start at a node."),
                self.node_ids
                    .first()
                    .map(|n| format!("start at a node such as `{n}`")),
            );
            return None;
        }
        let hint = match self.ctx.suggest(start, self.node_ids.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "leave `start` out to begin at the first node listed".into(),
        };
        self.ctx.error(
            &path,
            "unknown-target",
            format!("`{start}` is not a node of this scenario."),
            Some(hint),
        );
        None
    }

    /// Reachability: from the start forwards, and from the endings backwards.
    fn check_graph(&mut self, start: &str) {
        let parts = self.parts;
        let (node_ids, ending_ids) = (self.node_ids.clone(), self.ending_ids.clone());
        // A customer with a patience hangs up after `max_chases` at a node that has no
        // `on_silence` target: that node leads to the (first) `hung_up` ending too.
        let hang_up = parts
            .customer
            .as_ref()
            .filter(|c| c.patience.is_some())
            .and_then(|_| {
                parts
                    .endings
                    .iter()
                    .filter(|(_, e)| e.as_ref().is_some_and(|e| e.outcome == Outcome::HungUp))
                    .map(|(id, _)| id.as_str())
                    .min()
            });
        let mut edges: HashMap<&str, Vec<&str>> = HashMap::new();
        for (id, node) in &parts.nodes {
            let Some(node) = node else { return };
            let out = edges.entry(id.as_str()).or_default();
            out.extend(node.branches.iter().map(|b| b.goto.as_str()));
            out.extend(node.otherwise.iter().map(|t| t.goto.as_str()));
            out.extend(node.on_silence.iter().filter_map(|s| s.goto.as_deref()));
            if node.on_silence.as_ref().is_none_or(|s| s.goto.is_none()) {
                out.extend(hang_up);
            }
        }
        let reached = walk(start, |n| edges.get(n).into_iter().flatten().copied());
        let mut backwards: HashMap<&str, Vec<&str>> = HashMap::new();
        for (from, tos) in &edges {
            for to in tos {
                backwards.entry(to).or_default().push(from);
            }
        }
        let mut can_end: HashSet<&str> = HashSet::new();
        for ending in &ending_ids {
            can_end.extend(walk(ending, |n| {
                backwards.get(n).into_iter().flatten().copied()
            }));
        }
        for (section, ids, what) in [
            ("nodes", &node_ids, "node"),
            ("endings", &ending_ids, "ending"),
        ] {
            for id in ids.iter() {
                if !reached.contains(id) {
                    self.ctx.warning_at_key(
                        &[key(section), key(id)],
                        "unreachable",
                        format!("No path from the start `{start}` reaches the {what} `{id}`."),
                        Some(format!(
                            "add a `goto: {id}` somewhere, or remove the {what}"
                        )),
                    );
                }
            }
        }
        if !can_end.contains(start) {
            let path = if parts.start.is_some() {
                vec![key("start")]
            } else {
                vec![key("nodes"), key(start)]
            };
            let pos = if parts.start.is_some() {
                self.ctx.tree.locate(&path)
            } else {
                self.ctx.tree.locate_key(&path)
            };
            self.ctx.report(
                Severity::Error,
                pos,
                "no-ending",
                format!("No ending can be reached from the start `{start}`: every conversation would go round forever."),
                Some("make some branch or `otherwise` go to an ending".into()),
            );
        }
        for (id, node) in &parts.nodes {
            let is_dead_end = node
                .as_ref()
                .is_some_and(|n| n.otherwise.is_none() && n.branches.is_empty());
            if id != start && !can_end.contains(id.as_str()) && !is_dead_end {
                self.ctx.error_at_key(
                    &[key("nodes"), key(id)],
                    "cannot-end",
                    format!("From the node `{id}`, no ending can be reached: the conversation would go round forever."),
                    Some("make one of its branches or its `otherwise` lead towards an ending".into()),
                );
            }
        }
    }

    fn check_test(&mut self, index: usize, test: &RawTest, start: &str) {
        let base = [key("tests"), Seg::Index(index)];
        let name = &test.name;
        for (k, v) in [
            ("overall_at_least", test.overall_at_least),
            ("overall_at_most", test.overall_at_most),
        ] {
            if let Some(v) = v {
                self.check_percent(&join(&base, &[key(k)]), v, &format!("`{k}`"));
            }
        }
        if let Some(want) = &test.variant {
            self.check_test_variant(&join(&base, &[key("variant")]), test, want);
        }
        let ending_path = join(&base, &[key("ending")]);
        if !self.ending_set.contains(test.ending.as_str()) {
            let hint = if self.node_set.contains(test.ending.as_str()) {
                Some(format!(
                    "`{}` is a node; a test must end at an ending",
                    test.ending
                ))
            } else {
                self.ctx
                    .suggest(&test.ending, self.ending_ids.iter().copied())
                    .map(|s| format!("did you mean `{s}`?"))
            };
            self.ctx.error(
                &ending_path,
                "bad-test",
                format!("The test \"{name}\" expects the ending `{}`, which this scenario does not have.", test.ending),
                hint,
            );
        }
        for (i, step) in test.path.iter().enumerate() {
            let p = join(&base, &[key("path"), Seg::Index(i)]);
            if !self.node_set.contains(step.as_str()) && !self.ending_set.contains(step.as_str()) {
                let all = self.node_ids.iter().chain(&self.ending_ids).copied();
                let hint = self
                    .ctx
                    .suggest(step, all)
                    .map(|s| format!("did you mean `{s}`?"));
                self.ctx.error(
                    &p,
                    "bad-test",
                    format!("The path of test \"{name}\" goes through `{step}`, which is not a node or an ending."),
                    hint,
                );
            } else if i == 0 && step != start {
                self.ctx.error(
                    &p,
                    "bad-test",
                    format!("The path of test \"{name}\" begins at `{step}`, but the scenario starts at `{start}`."),
                    Some("a path lists every node visited, the start first".into()),
                );
            } else if i + 1 == test.path.len() && *step != test.ending {
                self.ctx.error(
                    &p,
                    "bad-test",
                    format!(
                        "The path of test \"{name}\" ends at `{step}`, but its `ending` is `{}`.",
                        test.ending
                    ),
                    Some("a path ends with the ending reached".into()),
                );
            }
        }
        self.check_turns(&base, test, start);
    }

    /// A test's `variant:` must be one the seed meets.
    fn check_test_variant(&mut self, path: &[Seg], test: &RawTest, want: &str) {
        let variants: Vec<&str> = self
            .parts
            .customer
            .iter()
            .flat_map(|c| &c.variants)
            .map(|v| v.id.as_str())
            .collect();
        let Some(index) = variants.iter().position(|v| *v == want) else {
            let hint = match self.ctx.suggest(want, variants.iter().copied()) {
                Some(s) => Some(format!("did you mean `{s}`?")),
                None if variants.is_empty() => {
                    Some("the customer has no `variants:`; remove `variant:`".into())
                }
                None => Some(format!(
                    "the variants are {}",
                    variants
                        .iter()
                        .map(|v| format!("`{v}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
            self.ctx.error(
                path,
                "bad-test",
                format!("The test \"{}\" expects the persona variant `{want}`, which the customer does not have.", test.name),
                hint,
            );
            return;
        };
        let met = crate::engine::variant_for_seed(test.seed, variants.len());
        if met != Some(index) {
            let seeds: Vec<String> = (0..VARIANT_SEEDS)
                .filter(|s| crate::engine::variant_for_seed(*s, variants.len()) == Some(index))
                .take(8)
                .map(|s| s.to_string())
                .collect();
            self.ctx.error(
                path,
                "bad-test",
                format!(
                    "The test \"{}\" expects the variant `{want}`, but seed {} meets `{}`.",
                    test.name,
                    test.seed,
                    met.map_or("none", |i| variants[i])
                ),
                Some(format!("seeds that meet `{want}`: {}", seeds.join(", "))),
            );
        }
    }

    /// Plays the turns as far as the way is known without scoring: nodes with no branches,
    /// or the trainer's `path`, say where each turn is answered.
    fn check_turns(&mut self, base: &[Seg], test: &RawTest, start: &str) {
        let mut at = Some(start.to_string());
        let mut step = 0;
        for (j, turn) in test.turns.iter().enumerate() {
            let path = join(base, &[key("turns"), Seg::Index(j)]);
            let given = [
                turn.reply.is_some(),
                turn.choice.is_some(),
                turn.silence.is_some(),
            ];
            if given.iter().filter(|g| **g).count() != 1 || turn.silence == Some(false) {
                self.ctx.error(
                    &path,
                    "invalid-value",
                    format!("Turn {} must be exactly one of `reply: \"...\"`, `choice: N` or `silence: true`.", j + 1),
                    None,
                );
                at = None;
                continue;
            }
            if let Some(c) = turn.choice {
                if c < 1 {
                    self.ctx.error(
                        &join(&path, &[key("choice")]),
                        "invalid-value",
                        format!("Choices are numbered from 1, so `choice: {c}` picks nothing."),
                        None,
                    );
                }
            }
            let Some(here) = at.clone() else { continue };
            let Some(node) = self.read_nodes.get(here.as_str()).copied() else {
                if self.ending_set.contains(here.as_str()) {
                    self.ctx.error(
                        &path,
                        "bad-test",
                        format!(
                            "By turn {} the conversation has already ended at `{here}`.",
                            j + 1
                        ),
                        Some("remove the extra turns".into()),
                    );
                }
                at = None;
                continue;
            };
            if let Some(c) = turn.choice.filter(|&c| c >= 1) {
                let count = node.choices.len();
                if usize::try_from(c).map_or(true, |c| c > count) {
                    let message = if count == 0 {
                        format!("Turn {} picks choice {c}, but the node `{here}` offers no choices (it takes a typed reply).", j + 1)
                    } else {
                        format!("Turn {} picks choice {c}, but the node `{here}` has only {count} choices.", j + 1)
                    };
                    self.ctx
                        .error(&join(&path, &[key("choice")]), "bad-test", message, None);
                }
            }
            at = if turn.silence.is_some() {
                match node.on_silence.as_ref().map(|s| s.goto.clone()) {
                    Some(Some(goto)) => {
                        step += 1;
                        Some(goto)
                    }
                    Some(None) => Some(here),
                    // Without `on_silence`, silence keeps the node only when the customer
                    // has a patience; otherwise nothing happens at all. Either way: here.
                    None => Some(here),
                }
            } else {
                step += 1;
                match (&node.branches[..], &node.otherwise) {
                    ([], Some(t)) => Some(t.goto.clone()),
                    _ => test.path.get(step).cloned(),
                }
            };
        }
    }

    /// A node's or an ending's `say`: the plain lines (the fallback, at least one) and
    /// the lines that follow the reply that led to `target`, checked like branches.
    fn check_say(&mut self, target: &str, path: &[Seg], say: &Say) {
        if say.single {
            let lines = say.lines();
            self.check_lines(path, &lines);
            return;
        }
        if say.plain.is_empty() && say.when.is_empty() {
            self.check_lines(path, &[]);
        }
        for (i, line) in &say.plain {
            self.check_line(&join(path, &[Seg::Index(*i)]), line);
        }
        if !say.when.is_empty() && say.plain.is_empty() {
            self.ctx.error(
                path,
                "line-fallback",
                "Every line here has a `when:`, so when none holds (at the start, after a silence, or on a reply none expects) the customer would have nothing to say.".into(),
                Some("add a plain line, without `when:`, as the fallback".into()),
            );
        }
        let known = self.known.clone();
        let mut always: Option<usize> = None;
        for (i, w) in &say.when {
            let at = join(path, &[Seg::Index(*i)]);
            let when = join(&at, &[key("when")]);
            self.check_condition(&when, &w.when, &known);
            if let Some(earlier) = always {
                self.ctx.warning_at_key(
                    &when,
                    "unreachable-line",
                    format!("This line is never said: item {} before it has an empty `when`, which always holds.", earlier + 1),
                    Some("move this line up, or give the earlier one a condition".into()),
                );
            } else if is_empty_condition(&w.when) {
                always = Some(*i);
                self.ctx.warning_at_key(
                    &when,
                    "empty-condition",
                    "This `when` is empty, so it holds after every reply: the plain lines are then said only at the start or after a silence.".into(),
                    Some("give it a condition, or make it a plain line".into()),
                );
            }
            if let Some(n) = w.when.choice {
                self.check_line_choice(target, &join(&when, &[key("choice")]), n);
            }
            self.check_lines(&join(&at, &[key("say")]), &w.say.0);
        }
    }

    /// `choice: N` in a line's `when:` reads the guided choice picked at the node that led
    /// here: some node leading here must offer at least N choices.
    fn check_line_choice(&mut self, target: &str, path: &[Seg], n: i64) {
        let most = self
            .parts
            .nodes
            .iter()
            .filter_map(|(_, node)| node.as_ref())
            .filter(|node| {
                node.branches.iter().any(|b| b.goto == target)
                    || node.otherwise.as_ref().is_some_and(|o| o.goto == target)
            })
            .map(|node| node.choices.len())
            .max()
            .unwrap_or(0);
        if most == 0 {
            self.ctx.error_at_key(
                path,
                "invalid-value",
                format!("`choice` reads the guided choice that led here, but no guided node (one with `choices:`) leads to `{target}`."),
                Some("condition the line on criteria or words instead".into()),
            );
        } else if !(1..=most as i64).contains(&n) {
            self.ctx.error(
                path,
                "out-of-range",
                format!("`choice: {n}`, but the guided nodes that lead here have at most {most} choices."),
                None,
            );
        }
    }

    /// Line variants: at least one, none blank; each checked for placeholders.
    fn check_lines(&mut self, path: &[Seg], lines: &[String]) {
        // `say: "text"` has no list items to point at.
        let single = self.ctx.tree.scalar_text(path).is_some();
        if lines.is_empty() {
            self.ctx.error(
                path,
                "empty-lines",
                "There is no line to say: the list is empty.".into(),
                Some("add at least one line".into()),
            );
        }
        for (i, line) in lines.iter().enumerate() {
            let p = if single {
                path.to_vec()
            } else {
                join(path, &[Seg::Index(i)])
            };
            self.check_line(&p, line);
        }
    }

    /// One line: not blank, and its placeholders can be filled.
    fn check_line(&mut self, p: &[Seg], line: &str) {
        if line.trim().is_empty() {
            self.ctx.error(
                p,
                "empty-lines",
                format!("{} is empty: the customer would say nothing.", label(p)),
                Some("write the customer's words, or remove the empty line".into()),
            );
        }
        self.check_text(p, line);
    }

    /// Every `{placeholder}` in a text must be one Rapport can fill.
    fn check_text(&mut self, path: &[Seg], text: &str) {
        let newlines = text.matches('\n').count();
        for found in template::pieces(text) {
            match found {
                Piece::Text(_) => {}
                Piece::Placeholder(name, _)
                    if template::is_known_placeholder(name, |fact| {
                        self.placeholders.contains(&format!("facts.{fact}"))
                    }) => {}
                // A follow-on of the customer's own problem, already reported.
                Piece::Placeholder(name, _)
                    if self.parts.facts_unknown && name.starts_with("facts.") => {}
                Piece::Placeholder(name, _) => {
                    let hint = match self
                        .ctx
                        .suggest(name, self.placeholders.iter().map(String::as_str))
                    {
                        Some(s) => format!("did you mean `{{{s}}}`?"),
                        None => format!(
                            "the placeholders available here are {}",
                            self.placeholders
                                .iter()
                                .take(12)
                                .map(|p| format!("`{{{p}}}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    };
                    let why = match name.strip_prefix("facts.") {
                        Some(fact) => format!(": the customer has no fact `{fact}`"),
                        None => String::new(),
                    };
                    let pos = self
                        .ctx
                        .locate_in_text(path, &format!("{{{name}}}"), newlines);
                    self.ctx.report(
                        Severity::Error,
                        pos,
                        "unknown-placeholder",
                        format!("`{{{name}}}` cannot be filled in{why}."),
                        Some(hint),
                    );
                }
                Piece::Stray(brace, _) => {
                    let pos = self.ctx.locate_in_text(path, brace, newlines);
                    self.ctx.report(
                        Severity::Error,
                        pos,
                        "unknown-placeholder",
                        format!("A `{brace}` that is not part of a placeholder like `{{customer.name}}`."),
                        Some(format!("write `{brace}{brace}` for a literal brace")),
                    );
                }
            }
        }
    }
}

impl Ctx<'_> {
    fn has_errors_of(&self, code: &str) -> bool {
        self.diags.iter().any(|d| d.is_error() && d.code == code)
    }
}

fn is_empty_condition(c: &RawCondition) -> bool {
    c.min_score.is_empty()
        && c.max_score.is_empty()
        && c.met.is_empty()
        && c.met_any.is_empty()
        && c.missed.is_empty()
        && c.says_any.is_empty()
        && c.says_none.is_empty()
        && c.mood_at_least.is_none()
        && c.mood_at_most.is_none()
        && c.chases_at_least.is_none()
        && c.chases_at_most.is_none()
        && c.choice.is_none()
}

/// Where a persona says "Note for trainers:" (or "Note pour les formateurs :"), the
/// words as written.
fn trainer_note_in(text: &str) -> Option<&str> {
    let lower = text.to_lowercase();
    [
        "note for trainers",
        "notes for trainers",
        "note for the trainer",
        "note to trainers",
        "trainer note",
        "trainers' note",
        "note pour les formateurs",
        "note aux formateurs",
        "note du formateur",
    ]
    .iter()
    .filter_map(|n| lower.find(n).map(|at| (at, n.len())))
    .min()
    // Lowercasing can shift byte offsets only for non-ASCII text before the note.
    .and_then(|(at, len)| text.get(at..at + len))
}

/// Every node `next` leads to from `from`, `from` included (breadth first, no recursion).
fn walk<'g, I: Iterator<Item = &'g str>>(
    from: &'g str,
    next: impl Fn(&'g str) -> I,
) -> HashSet<&'g str> {
    let mut seen = HashSet::from([from]);
    let mut queue = VecDeque::from([from]);
    while let Some(n) = queue.pop_front() {
        for m in next(n) {
            if seen.insert(m) {
                queue.push_back(m);
            }
        }
    }
    seen
}

fn add_fact_placeholders(
    out: &mut BTreeSet<String>,
    name: String,
    value: &serde_json::Value,
    depth: usize,
) {
    // Deep enough for `{facts.card.last4}` and a little more; facts are a small CRM record.
    if depth < 4 {
        if let serde_json::Value::Object(map) = value {
            for (k, v) in map {
                add_fact_placeholders(out, format!("{name}.{k}"), v, depth + 1);
            }
        }
    }
    out.insert(name);
}
