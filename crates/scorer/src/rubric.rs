//! Rubric files (`scenarios/rubrics/*.yaml`, and a pack's own `rubrics/`): reading them
//! into criterion specs, with every problem reported at its line and column.
//!
//! A rubric file may define criteria, phrase lists, and adjust criteria defined before it
//! (built-in files first, then the pack's files in name order):
//!
//! ```yaml
//! rubric: empathy                # the rubric of the criteria below, unless they say
//! lists:                         # named phrase lists, used in phrases as @name
//!   feelings: [frustrat*, "fed up"]
//! criteria:
//!   - id: acknowledge_feelings
//!     weight: 1
//!     penalty: false
//!     description: "..."
//!     tip: "..."
//!     tip_fr: "..."
//!     phrases: ["that (sounds|must be) @feelings"]
//!     phrases_fr: ["..."]
//!     unless: ["..."]            # matches overlapping these do not count
//!     unless_fr: ["..."]
//!     undone_by: [blame_customer] # a later match of these cancels this one
//!     yields_to: [check_resolution] # an overlapping match of these cancels this one
//!     excluded_by: [offer_solution] # a match of these anywhere cancels this criterion
//!     implied_by: [blame_customer]  # their evidence counts for this criterion too...
//!     implied_unless: [offer_solution] # ...unless the reply also meets one of these
//!     implied_only_stated: [blame_customer] # of implied_by: not inside a question
//!     bare: ["..."]              # phrases that count only when the reply meets none
//!     bare_fr: ["..."]           # of `bare_unless` (a referral with nothing offered)
//!     bare_unless: [apologize]   # (default: `implied_unless`)
//!     mirror_with: [apologize]      # mirror_customer: one customer word is enough in a
//!                                   # sentence with a match of these
//!     rules: [any_question]       # built-in detectors: any_question, mirror_customer, shouting
//! weights: { apologize: 2 }       # adjust earlier criteria
//! phrases: { apologize: ["my bad"] }
//! phrases_fr: { apologize: ["toutes mes excuses"] }
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::{suggest, Diagnostic};
use crate::ids::{bad_id_message, id_hint, is_valid_id};
use crate::score::RubricId;
use crate::yaml::{self, FileKind, NodeRef as Node};

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub line: usize,
    pub column: usize,
}

impl Located<String> {
    fn from_node(node: &Node, value: &str) -> Self {
        let pos = node.pos();
        Located {
            value: value.to_string(),
            line: pos.line,
            column: pos.col,
        }
    }
}

/// Detectors written in Rust, for what phrases cannot say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Any question the reply asks (gathering facts, unless another criterion claims it).
    AnyQuestion,
    /// A sentence restating two or more of the customer's own content words.
    MirrorCustomer,
    /// Words in capitals that are not acronyms.
    Shouting,
    /// Not a detector but a filter: drops matches made only of the customer's own words
    /// ("before Saturday" when the customer said Saturday is theirs, not a promise).
    NotFromCustomer,
    /// A first-person commitment with any verb where the language marks one: French
    /// "je vais" + an infinitive ("je vais transférer votre dossier").
    Commitment,
    /// Sentences of three words or more written in another language than the customer's
    /// (each sentence judged on its own, so one borrowed word flips nothing).
    OtherLanguage,
    /// A written message's opening line addresses the customer ("Dear Ms Martin",
    /// "Bonjour Madame"). Judged only on a written channel.
    Greeting,
    /// A written message closes with a sign-off ("Kind regards, Alex", "Cordialement,").
    /// Judged only on a written channel.
    SignOff,
}

impl Rule {
    /// Detectors of a written message's form: a criterion using one is judged only on a
    /// written channel (email), and is absent from the scores elsewhere.
    pub fn written_only(self) -> bool {
        matches!(self, Rule::Greeting | Rule::SignOff)
    }

    pub const ALL: [(&'static str, Rule); 8] = [
        ("greeting", Rule::Greeting),
        ("sign_off", Rule::SignOff),
        ("any_question", Rule::AnyQuestion),
        ("other_language", Rule::OtherLanguage),
        ("mirror_customer", Rule::MirrorCustomer),
        ("shouting", Rule::Shouting),
        ("not_from_customer", Rule::NotFromCustomer),
        ("commitment", Rule::Commitment),
    ];
}

/// Phrases of one criterion (or one adjustment), by language: `[en, fr]`.
pub type ByLang = [Vec<Located<String>>; 2];

/// A criterion as a rubric file defines it.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub id: Located<String>,
    pub rubric: RubricId,
    pub weight: f32,
    pub penalty: bool,
    /// `[en, fr]`: the one-line definition a trainee can open; French falls back to English.
    pub description: [String; 2],
    /// `[en, fr]`; the French tip falls back to the English one when empty.
    pub tip: [String; 2],
    pub phrases: ByLang,
    pub unless: ByLang,
    /// Phrases that count only in a reply meeting none of `implied_unless`.
    pub bare: ByLang,
    pub bare_unless: Vec<Located<String>>,
    pub implied_only_stated: Vec<Located<String>>,
    pub undone_by: Vec<Located<String>>,
    pub yields_to: Vec<Located<String>>,
    pub excluded_by: Vec<Located<String>>,
    pub implied_by: Vec<Located<String>>,
    pub implied_unless: Vec<Located<String>>,
    pub mirror_with: Vec<Located<String>>,
    pub rules: Vec<Rule>,
    /// Replies that must meet the criterion, and replies that must not: its behaviour,
    /// pinned beside its phrases (a data-driven test checks every one).
    pub examples: Examples,
}

/// A criterion's `examples: {met: [...], not_met: [...]}`. An example is a reply, or
/// `{reply: ..., customer: ...}` when it only means something after that customer line
/// (a restatement needs what is restated).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Examples {
    pub met: Vec<Example>,
    pub not_met: Vec<Example>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub reply: Located<String>,
    pub customer: Option<String>,
}

/// One rubric file, read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RubricFile {
    pub path: PathBuf,
    pub lists: Vec<(Located<String>, Vec<Located<String>>)>,
    pub criteria: Vec<Spec>,
    pub weights: Vec<(Located<String>, f32)>,
    /// Extra phrases for criteria defined earlier.
    pub phrases: Vec<(Located<String>, ByLang)>,
}

const RUBRIC_FILE: FileKind = FileKind {
    noun: "rubric",
    start: "start with `rubric: empathy` and `criteria:`; see docs/scoring.md",
    docs: "see docs/scoring.md for the shape of a rubric file",
};

const FILE_KEYS: [&str; 7] = [
    "rubric",
    "description",
    "lists",
    "criteria",
    "weights",
    "phrases",
    "phrases_fr",
];
const CRITERION_KEYS: [&str; 24] = [
    "examples",
    "implied_only_stated",
    "mirror_with",
    "bare_unless",
    "bare",
    "bare_fr",
    "implied_by",
    "implied_unless",
    "id",
    "rubric",
    "weight",
    "penalty",
    "description",
    "description_fr",
    "tip",
    "tip_fr",
    "phrases",
    "phrases_fr",
    "unless",
    "unless_fr",
    "undone_by",
    "yields_to",
    "excluded_by",
    "rules",
];

struct Reader<'a> {
    path: &'a Path,
    diags: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn error(&mut self, node: &Node, code: &str, message: impl Into<String>) {
        self.diags.push(self.at(node, code, message));
    }

    fn at(&self, node: &Node, code: &str, message: impl Into<String>) -> Diagnostic {
        let pos = node.pos();
        Diagnostic::error(self.path, pos.line, pos.col, code, message)
    }

    fn wrong_type(&mut self, node: &Node, key: &str, wanted: &str) {
        let message = format!("`{key}` must be {wanted}, not {}", node.kind_name());
        self.error(node, "wrong-type", message);
    }

    /// The entries of a map with a text key (a repeated key is reported by the YAML
    /// front end and left out there).
    fn map<'n>(
        &mut self,
        node: &Node<'n>,
        what: &str,
        known: &[&str],
    ) -> Option<Vec<(&'n str, Node<'n>, Node<'n>)>> {
        let Some(entries) = node.entries() else {
            self.wrong_type(node, what, "a map");
            return None;
        };
        let mut out = Vec::new();
        for (k, v) in entries {
            let Some(key) = k.as_str() else {
                self.wrong_type(&k, "a key", "a text");
                continue;
            };
            if !known.is_empty() && !known.contains(&key) {
                let mut d = self.at(&k, "unknown-key", format!("unknown key `{key}` in {what}"));
                if let Some(s) = suggest(key, known.iter().copied()) {
                    d = d.with_hint(format!("did you mean `{s}`?"));
                }
                self.diags.push(d);
                continue;
            }
            out.push((key, k, v));
        }
        Some(out)
    }

    fn text(&mut self, node: &Node, key: &str) -> Option<String> {
        match node.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                self.wrong_type(node, key, "a text");
                None
            }
        }
    }

    /// A list of texts; a single text is taken as a list of one.
    fn texts(&mut self, node: &Node, key: &str) -> Vec<Located<String>> {
        if let Some(s) = node.as_str() {
            return vec![Located::from_node(node, s)];
        }
        let Some(items) = node.items() else {
            self.wrong_type(node, key, "a list of texts");
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| match item.as_str() {
                Some(s) => Some(Located::from_node(item, s)),
                None => {
                    self.wrong_type(item, key, "a list of texts");
                    None
                }
            })
            .collect()
    }

    /// A list of examples: each a reply, or a map `{reply, customer}`.
    fn examples(&mut self, node: &Node, key: &str) -> Vec<Example> {
        let Some(items) = node.items() else {
            self.wrong_type(node, key, "a list of examples");
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in &items {
            if let Some(s) = item.as_str() {
                out.push(Example {
                    reply: Located::from_node(item, s),
                    customer: None,
                });
                continue;
            }
            let Some(entries) = self.map(item, "an example", &["reply", "customer"]) else {
                continue;
            };
            let mut reply = None;
            let mut customer = None;
            for (k, _, v) in entries {
                let text = self.text(&v, k);
                match k {
                    "reply" => reply = text.map(|t| Located::from_node(&v, &t)),
                    _ => customer = text,
                }
            }
            match reply {
                Some(reply) => out.push(Example { reply, customer }),
                None => self.diags.push(self.at(
                    item,
                    "missing-key",
                    "an example written as a map needs `reply`".to_string(),
                )),
            }
        }
        out
    }

    fn weight(&mut self, node: &Node, key: &str) -> Option<f32> {
        let parsed = node.as_str().and_then(|s| s.trim().parse::<f32>().ok());
        match parsed {
            Some(w) if w.is_finite() && (0.0..=100.0).contains(&w) => Some(w),
            Some(_) => {
                self.error(
                    node,
                    "out-of-range",
                    format!("`{key}` must be between 0 and 100"),
                );
                None
            }
            None => {
                self.wrong_type(node, key, "a number");
                None
            }
        }
    }

    fn rubric(&mut self, node: &Node) -> Option<RubricId> {
        let s = self.text(node, "rubric")?;
        let parsed = RubricId::parse(&s);
        if parsed.is_none() {
            let names = RubricId::ALL.map(RubricId::as_str);
            let d = self.at(node, "invalid-value", format!("unknown rubric `{s}`"));
            let d = d.with_hint(match suggest(&s, names) {
                Some(n) => format!("did you mean `{n}`?"),
                None => format!("one of {}", names.join(", ")),
            });
            self.diags.push(d);
        }
        parsed
    }

    fn criterion(&mut self, node: &Node, default_rubric: Option<RubricId>) -> Option<Spec> {
        let entries = self.map(node, "a criterion", &CRITERION_KEYS)?;
        // A block map's own mark is not where a trainer looks; its first key is.
        let at = entries.first().map_or(*node, |(_, k, _)| *k);
        let mut spec = Spec {
            id: Located::from_node(&at, ""),
            rubric: default_rubric.unwrap_or(RubricId::Empathy),
            weight: 1.0,
            penalty: false,
            description: [String::new(), String::new()],
            tip: [String::new(), String::new()],
            phrases: [Vec::new(), Vec::new()],
            unless: [Vec::new(), Vec::new()],
            bare: [Vec::new(), Vec::new()],
            bare_unless: Vec::new(),
            implied_only_stated: Vec::new(),
            undone_by: Vec::new(),
            yields_to: Vec::new(),
            excluded_by: Vec::new(),
            implied_by: Vec::new(),
            implied_unless: Vec::new(),
            mirror_with: Vec::new(),
            rules: Vec::new(),
            examples: Examples::default(),
        };
        let mut has_rubric = default_rubric.is_some();
        let mut ok = true;
        for (key, _, v) in entries {
            let v = &v;
            let v = &v;
            match key {
                "id" => match self.text(v, key) {
                    Some(id) if is_valid_id(&id) => spec.id = Located::from_node(v, &id),
                    Some(id) => {
                        let d = self.at(v, "invalid-value", bad_id_message("criterion", &id));
                        self.diags.push(d.with_hint(id_hint(&id)));
                        ok = false;
                    }
                    None => ok = false,
                },
                "rubric" => match self.rubric(v) {
                    Some(r) => {
                        spec.rubric = r;
                        has_rubric = true;
                    }
                    None => ok = false,
                },
                "weight" => spec.weight = self.weight(v, key).unwrap_or(spec.weight),
                "penalty" => match v.as_str() {
                    Some("true") => spec.penalty = true,
                    Some("false") => spec.penalty = false,
                    _ => self.wrong_type(v, key, "true or false"),
                },
                "description" => spec.description[0] = self.text(v, key).unwrap_or_default(),
                "description_fr" => spec.description[1] = self.text(v, key).unwrap_or_default(),
                "tip" => spec.tip[0] = self.text(v, key).unwrap_or_default(),
                "tip_fr" => spec.tip[1] = self.text(v, key).unwrap_or_default(),
                "phrases" => spec.phrases[0] = self.texts(v, key),
                "phrases_fr" => spec.phrases[1] = self.texts(v, key),
                "unless" => spec.unless[0] = self.texts(v, key),
                "unless_fr" => spec.unless[1] = self.texts(v, key),
                "bare" => spec.bare[0] = self.texts(v, key),
                "bare_fr" => spec.bare[1] = self.texts(v, key),
                "bare_unless" => spec.bare_unless = self.texts(v, key),
                "implied_only_stated" => spec.implied_only_stated = self.texts(v, key),
                "undone_by" => spec.undone_by = self.texts(v, key),
                "yields_to" => spec.yields_to = self.texts(v, key),
                "excluded_by" => spec.excluded_by = self.texts(v, key),
                "implied_by" => spec.implied_by = self.texts(v, key),
                "implied_unless" => spec.implied_unless = self.texts(v, key),
                "mirror_with" => spec.mirror_with = self.texts(v, key),
                "examples" => {
                    if let Some(entries) = self.map(v, "`examples`", &["met", "not_met"]) {
                        for (k, _, list) in entries {
                            let texts = self.examples(&list, k);
                            match k {
                                "met" => spec.examples.met = texts,
                                _ => spec.examples.not_met = texts,
                            }
                        }
                    }
                }
                "rules" => {
                    for name in self.texts(v, key) {
                        match Rule::ALL.iter().find(|(n, _)| *n == name.value) {
                            Some((_, r)) => spec.rules.push(*r),
                            None => {
                                let names = Rule::ALL.map(|(n, _)| n);
                                let hint = suggest(&name.value, names)
                                    .map(|s| format!("did you mean `{s}`?"))
                                    .unwrap_or_else(|| format!("one of {}", names.join(", ")));
                                self.diags.push(
                                    Diagnostic::error(
                                        self.path,
                                        name.line,
                                        name.column,
                                        "invalid-value",
                                        format!("unknown rule `{}`", name.value),
                                    )
                                    .with_hint(hint),
                                );
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        if spec.id.value.is_empty() && ok {
            self.error(&at, "missing-key", "a criterion needs an `id`");
            ok = false;
        }
        if !has_rubric && ok {
            self.diags.push(
                self.at(&at, "missing-key", format!("criterion `{}` needs a `rubric`", spec.id.value))
                    .with_hint("add `rubric: empathy` (or problem_solving, professionalism) to the criterion or the file"),
            );
            ok = false;
        }
        ok.then_some(spec)
    }

    fn phrase_map(
        &mut self,
        node: &Node,
        key: &str,
        lang: usize,
        out: &mut Vec<(Located<String>, ByLang)>,
    ) {
        let Some(entries) = self.map(node, &format!("`{key}`"), &[]) else {
            return;
        };
        for (id, k, v) in entries {
            let texts = self.texts(&v, key);
            let mut by_lang: ByLang = [Vec::new(), Vec::new()];
            by_lang[lang] = texts;
            out.push((Located::from_node(&k, id), by_lang));
        }
    }
}

/// Reads one rubric file's text. Structural problems become diagnostics; what could be
/// read is returned all the same, so one bad criterion does not hide the others.
pub fn read(path: &Path, text: &str) -> (RubricFile, Vec<Diagnostic>) {
    let mut r = Reader {
        path,
        diags: Vec::new(),
    };
    let mut file = RubricFile {
        path: path.to_path_buf(),
        ..RubricFile::default()
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (doc, yaml_diags) = yaml::read(path, text, &RUBRIC_FILE);
    r.diags = yaml_diags;
    let Some(root) = doc.as_ref().and_then(|doc| doc.tree.root()) else {
        return (file, r.diags);
    };
    let Some(entries) = r.map(&root, "a rubric file", &FILE_KEYS) else {
        return (file, r.diags);
    };
    let default_rubric = entries
        .iter()
        .find(|(k, ..)| *k == "rubric")
        .and_then(|(_, _, v)| r.rubric(v));
    for (key, _, v) in entries {
        let v = &v;
        match key {
            "lists" => {
                let Some(lists) = r.map(v, "`lists`", &[]) else {
                    continue;
                };
                for (name, k, items) in lists {
                    let texts = r.texts(&items, "a list");
                    file.lists.push((Located::from_node(&k, name), texts));
                }
            }
            "criteria" => {
                let Some(items) = v.items() else {
                    r.wrong_type(v, key, "a list of criteria");
                    continue;
                };
                for item in items {
                    if let Some(spec) = r.criterion(&item, default_rubric) {
                        file.criteria.push(spec);
                    }
                }
            }
            "weights" => {
                let Some(weights) = r.map(v, "`weights`", &[]) else {
                    continue;
                };
                for (id, k, w) in weights {
                    if let Some(w) = r.weight(&w, id) {
                        file.weights.push((Located::from_node(&k, id), w));
                    }
                }
            }
            "phrases" => r.phrase_map(v, key, 0, &mut file.phrases),
            "phrases_fr" => r.phrase_map(v, key, 1, &mut file.phrases),
            "description" => {
                r.text(v, key);
            }
            _ => {}
        }
    }
    (file, r.diags)
}

/// Reads every `*.yaml`/`*.yml` file of `dir`, in name order. A missing folder is no error.
pub fn read_dir(dir: &Path) -> (Vec<RubricFile>, Vec<Diagnostic>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (Vec::new(), Vec::new());
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    paths.sort();
    let mut files = Vec::new();
    let mut diags = Vec::new();
    for path in paths {
        let read_file = yaml::read_bytes(&path, &RUBRIC_FILE).and_then(|bytes| {
            let text = yaml::decode(&path, &bytes)?;
            Ok(read(&path, text))
        });
        match read_file {
            Ok((file, d)) => {
                files.push(file);
                diags.extend(d);
            }
            Err(d) => diags.push(d),
        }
    }
    (files, diags)
}

/// Named lists of all files, in order; a later list of the same name is an error.
pub fn lists(files: &[RubricFile], diags: &mut Vec<Diagnostic>) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in files {
        for (name, items) in &f.lists {
            if out.contains_key(&name.value) {
                diags.push(Diagnostic::error(
                    &f.path,
                    name.line,
                    name.column,
                    "duplicate-id",
                    format!("list `{}` is defined twice", name.value),
                ));
                continue;
            }
            out.insert(
                name.value.clone(),
                items.iter().map(|i| i.value.clone()).collect(),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_criteria_and_adjustments() {
        let text = "rubric: empathy\ncriteria:\n  - id: thanks\n    tip: Say thanks.\n    phrases: [thank you]\n    phrases_fr: merci\nweights: { apologize: 2 }\n";
        let (file, diags) = read(Path::new("r.yaml"), text);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(file.criteria[0].id.value, "thanks");
        assert_eq!(file.criteria[0].phrases[1][0].value, "merci");
        assert_eq!(
            (
                file.criteria[0].phrases[0][0].line,
                file.criteria[0].phrases[0][0].column
            ),
            (5, 15)
        );
        assert_eq!(file.weights[0].1, 2.0);
    }

    #[test]
    fn an_example_may_carry_the_customer_line_it_answers() {
        let text = "rubric: empathy\ncriteria:\n  - id: echo\n    phrases: [so you]\n    examples:\n      met: [\"So you were charged twice.\", {reply: \"You're right, twice.\", customer: \"You charged me twice!\"}]\n      not_met:\n        - {customer: \"Hello\"}\n";
        let (file, diags) = read(Path::new("r.yaml"), text);
        let ex = &file.criteria[0].examples;
        assert_eq!(ex.met.len(), 2);
        assert_eq!(ex.met[0].customer, None);
        assert_eq!(ex.met[1].reply.value, "You're right, twice.");
        assert_eq!(ex.met[1].customer.as_deref(), Some("You charged me twice!"));
        // A map without its reply is an error at the map, and the rest is kept.
        let codes: Vec<_> = diags.iter().map(|d| (d.code.as_str(), d.line)).collect();
        assert_eq!(codes, vec![("missing-key", 8)]);
    }

    #[test]
    fn problems_point_at_their_line() {
        let text = "criteria:\n  - id: x\n    phrase: [a]\n  - id: Bad Id\n    rubric: empathy\n";
        let (_, diags) = read(Path::new("r.yaml"), text);
        let codes: Vec<_> = diags
            .iter()
            .map(|d| (d.code.as_str(), d.line, d.column))
            .collect();
        assert_eq!(
            codes,
            vec![
                ("unknown-key", 3, 5),
                ("missing-key", 2, 5),
                ("invalid-value", 4, 9)
            ]
        );
        assert_eq!(diags[0].hint.as_deref(), Some("did you mean `phrases`?"));
        let (_, diags) = read(Path::new("r.yaml"), "criteria: [\n");
        assert_eq!(diags[0].code, "yaml-syntax");
    }

    #[test]
    fn aliases_read_within_the_budget_of_every_yaml_file() {
        let text = "rubric: empathy\nlists:\n  a: &a [sorry, apologies]\n  b: *a\n";
        let (file, diags) = read(Path::new("r.yaml"), text);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(file.lists[1].1[1].value, "apologies");
        let mut bomb = String::from("lists:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let items = vec![format!("*a{}", i - 1); 10].join(", ");
            bomb.push_str(&format!("  a{i}: &a{i} [{items}]\n"));
        }
        let (_, diags) = read(Path::new("r.yaml"), &bomb);
        assert!(diags[0].message.contains("alias"), "{diags:?}");
    }
}
