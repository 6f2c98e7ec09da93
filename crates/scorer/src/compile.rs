//! Stage 1, compile the rubrics: the criteria of every rubric file ([`crate::rubric`]
//! reads them) become [`Criterion`]s, their relations indices, and their phrases one
//! trie per language ([`crate::pattern`]). Phrases with placeholders are checked now and
//! compiled per conversation ([`crate::prepare`]). Runs once, when the scorer is built.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use crate::diag::{suggest, Diagnostic};
use crate::pattern::{self, has_placeholder, Index, NoPlaceholders, Resolve, Terminal, Vocab};
use crate::rubric::{self, Located, RubricFile, Spec};
use crate::semantic::Semantic;
use crate::template::{self, Piece};
use crate::{Criterion, Lang, PinnedExample, RubricScorer, LANGS};

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

impl RubricScorer {
    /// Compiles `files` (later files may set the weights and add phrases of earlier
    /// files' criteria); `diags` are the problems found so far, returned with the rest.
    pub(crate) fn from_files(
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
                    .map(|(e, met)| PinnedExample {
                        file: path.display().to_string(),
                        line: e.reply.line,
                        reply: e.reply.value.clone(),
                        customer: e.customer.clone(),
                        met,
                    })
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
            lang.vocab.index_lexicon(&lang.stemmer);
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
}

pub(crate) fn builtin_files() -> Vec<RubricFile> {
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
pub(crate) fn names_customer(src: &str) -> bool {
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
