//! The phrase language trainers write in rubric files, and the index it compiles into.
//!
//! A phrase is a sequence of words, matched against the reply's tokens by stem, so
//! "frustrating", "frustrated" and "frustration" are one word to it:
//!
//! | syntax | meaning |
//! |---|---|
//! | `sorry about` | these words, in order, adjacent |
//! | `(so \| really \| truly)` | one of the alternatives (each may be several words) |
//! | `[so \| really]` | optionally one of them |
//! | `*`, `*5` | a gap of up to 3 (or N) words that are not a negation |
//! | `frustrat*` | any word starting with `frustrat` (no stemming) |
//! | `=ok` | exactly this word (no stemming) |
//! | `#` | any number ("3", "64.99", "14th", "9am") |
//! | `@feelings` | any phrase of the named list |
//! | `^`, `$` | the start, the end of a sentence |
//! | `?` (last) | only inside a question |
//! | `{facts.refund_amount}` | the fact's value, filled in for each reply |
//!
//! Every phrase of every criterion goes into one trie, keyed by stem ids, so scoring a
//! reply walks the trie once from each token rather than trying every phrase: the cost
//! follows the words that could match, not the size of the rubrics.

use std::collections::{BTreeMap, HashMap};

use rust_stemmers::{Algorithm, Stemmer};

use super::text::{tokenize, Text};
use crate::model::Language;

/// Ids of stems and surface forms; `NONE` for a word no phrase uses.
pub const NONE: u32 = u32::MAX;

/// A phrase that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at character {at} of the phrase)")]
pub struct PatternError {
    /// Char offset into the phrase.
    pub at: usize,
    pub message: String,
}

fn err<T>(at: usize, message: impl Into<String>) -> Result<T, PatternError> {
    Err(PatternError {
        at,
        message: message.into(),
    })
}

/// Syntax tree of a phrase.
#[derive(Debug, Clone, PartialEq)]
enum Ast {
    Word(String),
    Exact(String),
    Prefix(String),
    Number,
    Gap(u8),
    Start,
    End,
    /// Alternatives; `optional` for `[...]`.
    Alt(Vec<Vec<Ast>>, bool),
}

/// A parsed phrase.
#[derive(Debug, Clone, PartialEq)]
pub struct Phrase {
    seq: Vec<Ast>,
    /// Only counts inside a question.
    pub question: bool,
}

/// What a `{placeholder}` stands for in one reply.
pub trait Resolve {
    /// Alternatives of literal text (a date can be written several ways), or `None`
    /// when the placeholder names nothing.
    fn resolve(&self, name: &str) -> Option<Vec<String>>;
}

/// For phrases compiled once: any placeholder is an error (they are compiled per reply).
pub struct NoPlaceholders;

impl Resolve for NoPlaceholders {
    fn resolve(&self, _: &str) -> Option<Vec<String>> {
        None
    }
}

/// Whether a phrase holds a placeholder and must be compiled for each reply.
pub fn has_placeholder(src: &str) -> bool {
    src.contains('{')
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    lang: Language,
    lists: &'a BTreeMap<String, Vec<String>>,
    resolve: &'a dyn Resolve,
    depth: usize,
}

const SPECIAL: &str = "()[]|*^$?@={}#";

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.chars.get(self.pos).is_some_and(|c| c.is_whitespace()) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn word(&mut self) -> String {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| !c.is_whitespace() && !SPECIAL.contains(c))
        {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    /// Literal text as the reply tokenizer would see it.
    fn literal(&self, text: &str, exact: bool, out: &mut Vec<Ast>) {
        for t in tokenize(text, self.lang).tokens {
            out.push(if exact || t.number {
                Ast::Exact(t.norm)
            } else {
                Ast::Word(t.norm)
            });
        }
    }

    /// Alternatives up to and including the closing bracket.
    fn alts(&mut self, close: char) -> Result<Vec<Vec<Ast>>, PatternError> {
        let mut options = vec![self.seq()?];
        loop {
            self.skip_ws();
            match self.peek() {
                Some('|') => {
                    self.pos += 1;
                    options.push(self.seq()?);
                }
                Some(c) if c == close => {
                    self.pos += 1;
                    return Ok(options);
                }
                Some(c) => return err(self.pos, format!("unexpected `{c}`")),
                None => return err(self.pos, format!("missing `{close}`")),
            }
        }
    }

    fn seq(&mut self) -> Result<Vec<Ast>, PatternError> {
        let mut seq = Vec::new();
        loop {
            self.skip_ws();
            let at = self.pos;
            let Some(c) = self.peek() else { return Ok(seq) };
            match c {
                '|' | ')' | ']' => return Ok(seq),
                '(' | '[' => {
                    self.depth += 1;
                    if self.depth > 20 {
                        return err(at, "groups nested too deeply");
                    }
                    self.pos += 1;
                    let options = self.alts(if c == '(' { ')' } else { ']' })?;
                    self.depth -= 1;
                    seq.push(Ast::Alt(options, c == '['));
                }
                '*' => {
                    self.pos += 1;
                    let n = match self.peek().and_then(|d| d.to_digit(10)) {
                        Some(d) => {
                            self.pos += 1;
                            d as u8
                        }
                        None => 3,
                    };
                    if n == 0 {
                        return err(at, "a gap of 0 words means nothing: remove the `*0`");
                    }
                    seq.push(Ast::Gap(n));
                }
                '^' => {
                    self.pos += 1;
                    seq.push(Ast::Start);
                }
                '#' => {
                    self.pos += 1;
                    seq.push(Ast::Number);
                }
                '$' => {
                    self.pos += 1;
                    seq.push(Ast::End);
                }
                '?' => return Ok(seq),
                '=' => {
                    self.pos += 1;
                    let w = self.word();
                    if w.is_empty() {
                        return err(at, "`=` must be followed by a word");
                    }
                    self.literal(&w, true, &mut seq);
                }
                '@' => {
                    self.pos += 1;
                    let name = self.word();
                    let Some(items) = self.lists.get(&name) else {
                        return err(at, format!("no list named `@{name}`"));
                    };
                    self.depth += 1;
                    if self.depth > 20 {
                        return err(at, format!("list `@{name}` refers back to itself"));
                    }
                    let mut options = Vec::with_capacity(items.len());
                    for item in items {
                        let mut sub = Parser {
                            chars: item.chars().collect(),
                            pos: 0,
                            lang: self.lang,
                            lists: self.lists,
                            resolve: self.resolve,
                            depth: self.depth,
                        };
                        let phrase = sub.phrase().map_err(|e| PatternError {
                            at,
                            message: format!("in list `@{name}`, phrase \"{item}\": {}", e.message),
                        })?;
                        options.push(phrase.seq);
                    }
                    self.depth -= 1;
                    seq.push(Ast::Alt(options, false));
                }
                '{' => {
                    let close = self.chars[self.pos..].iter().position(|&c| c == '}');
                    let Some(len) = close else {
                        return err(at, "`{` without its `}`");
                    };
                    let name: String = self.chars[self.pos + 1..self.pos + len].iter().collect();
                    self.pos += len + 1;
                    let Some(texts) = self.resolve.resolve(name.trim()) else {
                        return err(at, format!("unknown placeholder `{{{}}}`", name.trim()));
                    };
                    let mut options = Vec::new();
                    for text in texts {
                        let mut lit = Vec::new();
                        self.literal(&text, false, &mut lit);
                        if !lit.is_empty() {
                            options.push(lit);
                        }
                    }
                    if options.is_empty() {
                        return err(at, format!("placeholder `{{{}}}` is empty", name.trim()));
                    }
                    seq.push(Ast::Alt(options, false));
                }
                '}' => return err(at, "`}` without its `{`"),
                _ => {
                    let w = self.word();
                    if self.peek() == Some('*') {
                        self.pos += 1;
                        let folded = super::text::fold(&w);
                        if folded.chars().count() < 3 {
                            return err(at, "a word prefix needs at least 3 letters");
                        }
                        seq.push(Ast::Prefix(folded));
                    } else {
                        self.literal(&w, false, &mut seq);
                    }
                }
            }
        }
    }

    /// A whole phrase: alternatives, then an optional final `?`, then nothing.
    fn phrase(&mut self) -> Result<Phrase, PatternError> {
        let mut options = vec![self.seq()?];
        loop {
            self.skip_ws();
            if self.peek() != Some('|') {
                break;
            }
            self.pos += 1;
            options.push(self.seq()?);
        }
        let seq = if options.len() == 1 {
            options.pop().unwrap_or_default()
        } else {
            vec![Ast::Alt(options, false)]
        };
        let mut question = false;
        if self.peek() == Some('?') {
            question = true;
            self.pos += 1;
            self.skip_ws();
        }
        if let Some(c) = self.peek() {
            return err(self.pos, format!("unexpected `{c}`"));
        }
        Ok(Phrase { seq, question })
    }
}

/// Parses one phrase.
pub fn parse(
    src: &str,
    lang: Language,
    lists: &BTreeMap<String, Vec<String>>,
    resolve: &dyn Resolve,
) -> Result<Phrase, PatternError> {
    let mut p = Parser {
        chars: src.chars().collect(),
        pos: 0,
        lang,
        lists,
        resolve,
        depth: 0,
    };
    let phrase = p.phrase()?;
    if phrase.flatten()?.iter().any(|f| f.is_empty()) {
        return err(
            0,
            "the phrase can match nothing at all: it needs at least one word",
        );
    }
    Ok(phrase)
}

/// One alternative of a phrase, with its groups spelled out.
#[derive(Debug, Clone, PartialEq)]
enum Flat {
    Word(String),
    Exact(String),
    Prefix(String),
    Number,
    /// One of several single words or prefixes: an alternative of single words costs one
    /// edge, not one spelled-out phrase per word.
    Set(Vec<String>, Vec<String>),
    Gap(u8),
    Start,
    End,
}

/// How many spelled-out alternatives one phrase may have: beyond this a trainer has
/// written something that would slow every reply down.
const MAX_ALTERNATIVES: usize = 4096;

impl Phrase {
    fn flatten(&self) -> Result<Vec<Vec<Flat>>, PatternError> {
        flatten_seq(&self.seq, MAX_ALTERNATIVES)
    }
}

fn flatten_seq(seq: &[Ast], cap: usize) -> Result<Vec<Vec<Flat>>, PatternError> {
    let mut acc: Vec<Vec<Flat>> = vec![Vec::new()];
    for item in seq {
        let options: Vec<Vec<Flat>> = match item {
            Ast::Word(w) => vec![vec![Flat::Word(w.clone())]],
            Ast::Exact(w) => vec![vec![Flat::Exact(w.clone())]],
            Ast::Prefix(p) => vec![vec![Flat::Prefix(p.clone())]],
            Ast::Number => vec![vec![Flat::Number]],
            Ast::Gap(n) => vec![vec![Flat::Gap(*n)]],
            Ast::Start => vec![vec![Flat::Start]],
            Ast::End => vec![vec![Flat::End]],
            Ast::Alt(alts, optional) => {
                let mut all = Vec::new();
                if *optional {
                    all.push(Vec::new());
                }
                let (mut words, mut prefixes) = (Vec::new(), Vec::new());
                for alt in alts {
                    for option in flatten_seq(alt, cap)? {
                        match option.as_slice() {
                            [Flat::Word(w)] => words.push(w.clone()),
                            [Flat::Prefix(p)] => prefixes.push(p.clone()),
                            [Flat::Set(w, p)] => {
                                words.extend(w.iter().cloned());
                                prefixes.extend(p.iter().cloned());
                            }
                            _ => all.push(option),
                        }
                    }
                }
                match (words.len(), prefixes.len()) {
                    (0, 0) => {}
                    (1, 0) => all.push(vec![Flat::Word(words.remove(0))]),
                    (0, 1) => all.push(vec![Flat::Prefix(prefixes.remove(0))]),
                    _ => all.push(vec![Flat::Set(words, prefixes)]),
                }
                all
            }
        };
        if acc.len() * options.len() > cap {
            return err(
                0,
                format!("the phrase spells out to more than {cap} alternatives: split it"),
            );
        }
        acc = acc
            .iter()
            .flat_map(|a| {
                options.iter().map(move |o| {
                    let mut v = a.clone();
                    v.extend(o.iter().cloned());
                    v
                })
            })
            .collect();
    }
    Ok(acc)
}

/// What a phrase match means: which criterion, and whether it meets it or is one of its
/// exceptions (`unless`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terminal {
    pub criterion: u32,
    pub unless: bool,
    pub question: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Edge {
    Prefix(String),
    Number,
    /// Sorted stem ids, and prefixes.
    Set(Vec<u32>, Vec<String>),
    Gap(u8),
    Start,
    End,
}

#[derive(Debug, Clone, Default)]
struct Node {
    /// Sorted by stem id.
    words: Vec<(u32, u32)>,
    /// Sorted by surface id.
    exact: Vec<(u32, u32)>,
    other: Vec<(Edge, u32)>,
    terminals: Vec<u32>,
}

/// Stem and surface ids, and the typo index over the surface forms phrases use.
#[derive(Debug, Clone, Default)]
pub struct Vocab {
    stems: HashMap<String, u32>,
    surfaces: HashMap<String, u32>,
    /// Every surface form of 5+ letters with one letter deleted (and the form itself) ->
    /// the surface forms: a reply word one edit away shares a key with its intended word.
    deletions: HashMap<String, Vec<u32>>,
    surface_list: Vec<String>,
    /// Ids start here, so a per-reply vocabulary can extend the shared one.
    stem_offset: u32,
    surface_offset: u32,
}

fn deletions(word: &str) -> impl Iterator<Item = String> + '_ {
    let chars: Vec<char> = word.chars().collect();
    (0..chars.len()).map(move |skip| {
        chars
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, c)| c)
            .collect()
    })
}

/// Shortest words typo correction applies to: shorter ones have too many neighbours.
pub const TYPO_MIN_CHARS: usize = 5;

impl Vocab {
    /// A vocabulary whose new ids follow `base`'s, for phrases compiled per reply.
    pub fn extending(base: &Vocab) -> Vocab {
        Vocab {
            stem_offset: base.stem_offset + base.stems.len() as u32,
            surface_offset: base.surface_offset + base.surfaces.len() as u32,
            ..Vocab::default()
        }
    }

    fn intern_stem(&mut self, base: Option<&Vocab>, stem: &str) -> u32 {
        if let Some(id) = base.and_then(|b| b.stem(stem)) {
            return id;
        }
        let next = self.stem_offset + self.stems.len() as u32;
        *self.stems.entry(stem.to_string()).or_insert(next)
    }

    fn intern_surface(&mut self, base: Option<&Vocab>, word: &str) -> u32 {
        if let Some(id) = base.and_then(|b| b.surface(word)) {
            return id;
        }
        if let Some(&id) = self.surfaces.get(word) {
            return id;
        }
        let id = self.surface_offset + self.surfaces.len() as u32;
        self.surfaces.insert(word.to_string(), id);
        self.surface_list.push(word.to_string());
        if word.chars().count() >= TYPO_MIN_CHARS && word.chars().all(char::is_alphabetic) {
            for key in deletions(word).chain(std::iter::once(word.to_string())) {
                self.deletions.entry(key).or_default().push(id);
            }
        }
        id
    }

    pub fn stem(&self, stem: &str) -> Option<u32> {
        self.stems.get(stem).copied()
    }

    pub fn surface(&self, word: &str) -> Option<u32> {
        self.surfaces.get(word).copied()
    }

    /// The phrase word `word` is probably a typo of: same first letter, one edit away
    /// (two for words of 8+ letters), the closest and then the first in the vocabulary.
    pub fn correct(&self, word: &str) -> Option<&str> {
        let len = word.chars().count();
        if len < TYPO_MIN_CHARS || !word.chars().all(char::is_alphabetic) {
            return None;
        }
        let max = if len >= 8 { 2 } else { 1 };
        let first = word.chars().next();
        let mut best: Option<(usize, u32)> = None;
        for key in std::iter::once(word.to_string()).chain(deletions(word)) {
            for &id in self.deletions.get(&key).into_iter().flatten() {
                let cand = &self.surface_list[(id - self.surface_offset) as usize];
                if cand.chars().next() != first {
                    continue;
                }
                let d = strsim::damerau_levenshtein(word, cand);
                if d <= max && best.is_none_or(|(bd, bid)| (d, id) < (bd, bid)) {
                    best = Some((d, id));
                }
            }
        }
        best.map(|(_, id)| self.surface_list[(id - self.surface_offset) as usize].as_str())
    }
}

/// A compiled set of phrases for one language.
#[derive(Debug, Clone, Default)]
pub struct Index {
    nodes: Vec<Node>,
    terminals: Vec<Terminal>,
}

/// A token as the matcher sees it.
#[derive(Debug, Clone, Copy)]
pub struct Tok<'a> {
    pub stem: u32,
    pub surface: u32,
    pub norm: &'a str,
    pub number: bool,
    pub negator: bool,
    pub clause: usize,
    pub sentence_first: usize,
    pub sentence_end: usize,
}

/// A phrase matched tokens `first..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub terminal: Terminal,
    pub first: usize,
    pub end: usize,
}

/// The stemmer of a language.
pub fn stemmer(lang: Language) -> Stemmer {
    Stemmer::create(match lang {
        Language::En => Algorithm::English,
        Language::Fr => Algorithm::French,
    })
}

impl Index {
    pub fn new() -> Index {
        Index {
            nodes: vec![Node::default()],
            terminals: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.terminals.is_empty()
    }

    /// Adds every alternative of `phrase`, interning its words into `vocab` (or finding
    /// them in `base`).
    pub fn insert(
        &mut self,
        phrase: &Phrase,
        terminal: Terminal,
        stemmer: &Stemmer,
        vocab: &mut Vocab,
        base: Option<&Vocab>,
    ) -> Result<(), PatternError> {
        let term_id = self.terminals.len() as u32;
        self.terminals.push(Terminal {
            question: terminal.question || phrase.question,
            ..terminal
        });
        for flat in phrase.flatten()? {
            if matches!(flat.first(), Some(Flat::Gap(_)))
                || matches!(flat.last(), Some(Flat::Gap(_)))
            {
                return err(0, "a phrase cannot start or end with a gap `*`");
            }
            let mut node = 0usize;
            for f in &flat {
                node = match f {
                    Flat::Word(w) => {
                        vocab.intern_surface(base, w);
                        let id = vocab.intern_stem(base, &stemmer.stem(w));
                        self.child_by_id(node, id, false)
                    }
                    Flat::Exact(w) => {
                        let id = vocab.intern_surface(base, w);
                        self.child_by_id(node, id, true)
                    }
                    Flat::Prefix(p) => self.child_by_edge(node, Edge::Prefix(p.clone())),
                    Flat::Number => self.child_by_edge(node, Edge::Number),
                    Flat::Set(words, prefixes) => {
                        let mut ids: Vec<u32> = words
                            .iter()
                            .map(|w| {
                                vocab.intern_surface(base, w);
                                vocab.intern_stem(base, &stemmer.stem(w))
                            })
                            .collect();
                        ids.sort_unstable();
                        ids.dedup();
                        let mut prefixes = prefixes.clone();
                        prefixes.sort();
                        prefixes.dedup();
                        self.child_by_edge(node, Edge::Set(ids, prefixes))
                    }
                    Flat::Gap(n) => self.child_by_edge(node, Edge::Gap(*n)),
                    Flat::Start => self.child_by_edge(node, Edge::Start),
                    Flat::End => self.child_by_edge(node, Edge::End),
                };
            }
            if !self.nodes[node].terminals.contains(&term_id) {
                self.nodes[node].terminals.push(term_id);
            }
        }
        Ok(())
    }

    fn new_node(&mut self) -> usize {
        self.nodes.push(Node::default());
        self.nodes.len() - 1
    }

    fn child_by_id(&mut self, node: usize, id: u32, exact: bool) -> usize {
        let list = if exact {
            &self.nodes[node].exact
        } else {
            &self.nodes[node].words
        };
        match list.binary_search_by_key(&id, |&(k, _)| k) {
            Ok(i) => list[i].1 as usize,
            Err(i) => {
                let child = self.new_node();
                let list = if exact {
                    &mut self.nodes[node].exact
                } else {
                    &mut self.nodes[node].words
                };
                list.insert(i, (id, child as u32));
                child
            }
        }
    }

    fn child_by_edge(&mut self, node: usize, edge: Edge) -> usize {
        if let Some((_, c)) = self.nodes[node].other.iter().find(|(e, _)| *e == edge) {
            return *c as usize;
        }
        let child = self.new_node();
        self.nodes[node].other.push((edge, child as u32));
        child
    }

    /// Every match of every phrase, in token order of their start.
    pub fn find(&self, toks: &[Tok<'_>], out: &mut Vec<Hit>) {
        if self.is_empty() {
            return;
        }
        for first in 0..toks.len() {
            self.walk(0, first, first, toks, out);
        }
    }

    fn walk(&self, node: usize, i: usize, first: usize, toks: &[Tok<'_>], out: &mut Vec<Hit>) {
        let n = &self.nodes[node];
        for &t in &n.terminals {
            out.push(Hit {
                terminal: self.terminals[t as usize],
                first,
                end: i,
            });
        }
        let Some(tok) = toks.get(first) else { return };
        let (s_first, s_end) = (tok.sentence_first, tok.sentence_end);
        if i < s_end {
            let t = &toks[i];
            if t.stem != NONE {
                if let Ok(k) = n.words.binary_search_by_key(&t.stem, |&(k, _)| k) {
                    self.walk(n.words[k].1 as usize, i + 1, first, toks, out);
                }
            }
            if t.surface != NONE {
                if let Ok(k) = n.exact.binary_search_by_key(&t.surface, |&(k, _)| k) {
                    self.walk(n.exact[k].1 as usize, i + 1, first, toks, out);
                }
            }
        }
        for (edge, child) in &n.other {
            let child = *child as usize;
            match edge {
                Edge::Prefix(p) => {
                    if i < s_end && toks[i].norm.starts_with(p.as_str()) {
                        self.walk(child, i + 1, first, toks, out);
                    }
                }
                Edge::Set(ids, prefixes) => {
                    if i < s_end {
                        let t = &toks[i];
                        if (t.stem != NONE && ids.binary_search(&t.stem).is_ok())
                            || prefixes.iter().any(|p| t.norm.starts_with(p.as_str()))
                        {
                            self.walk(child, i + 1, first, toks, out);
                        }
                    }
                }
                Edge::Number => {
                    if i < s_end && toks[i].number {
                        self.walk(child, i + 1, first, toks, out);
                    }
                }
                Edge::Gap(max) => {
                    // A gap of zero words.
                    self.walk(child, i, first, toks, out);
                    // A gap stays within its clause and never skips a negation: "you *
                    // wrong" must not find "you did not do anything wrong", nor reach
                    // across "but" into what the agent says next.
                    let clause = toks[i.saturating_sub(1)].clause;
                    let mut j = i;
                    for _ in 0..*max {
                        if j >= s_end || toks[j].negator || toks[j].clause != clause {
                            break;
                        }
                        j += 1;
                        if j < s_end && toks[j].clause != clause {
                            break;
                        }
                        self.walk(child, j, first, toks, out);
                    }
                }
                Edge::Start => {
                    if i == s_first {
                        self.walk(child, i, first, toks, out);
                    }
                }
                Edge::End => {
                    if i == s_end {
                        self.walk(child, i, first, toks, out);
                    }
                }
            }
        }
    }
}

/// The token view of a text, given a vocabulary (and the per-reply one that extends it).
pub fn view<'a>(
    text: &'a Text,
    corrected: &'a [Option<String>],
    stems: &[String],
    vocab: &Vocab,
    extra: Option<&Vocab>,
    negators: &[&str],
) -> Vec<Tok<'a>> {
    text.tokens
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let norm = corrected[i].as_deref().unwrap_or(&t.norm);
            let stem = &stems[i];
            let s = &text.sentences[t.sentence];
            Tok {
                stem: vocab
                    .stem(stem)
                    .or_else(|| extra.and_then(|e| e.stem(stem)))
                    .unwrap_or(NONE),
                surface: vocab
                    .surface(norm)
                    .or_else(|| extra.and_then(|e| e.surface(norm)))
                    .unwrap_or(NONE),
                norm,
                number: t.number,
                negator: negators.contains(&t.norm.as_str()),
                clause: t.clause,
                sentence_first: s.first,
                sentence_end: s.end,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(phrases: &[&str]) -> (Index, Vocab, Stemmer) {
        let stemmer = stemmer(Language::En);
        let mut vocab = Vocab::default();
        let mut index = Index::new();
        let lists: BTreeMap<String, Vec<String>> = [(
            "feel".to_string(),
            vec!["fed up".to_string(), "frustrat*".to_string()],
        )]
        .into();
        for (k, p) in phrases.iter().enumerate() {
            let phrase = parse(p, Language::En, &lists, &NoPlaceholders).unwrap();
            let term = Terminal {
                criterion: k as u32,
                unless: false,
                question: false,
            };
            index
                .insert(&phrase, term, &stemmer, &mut vocab, None)
                .unwrap();
        }
        (index, vocab, stemmer)
    }

    fn hits(phrases: &[&str], text: &str) -> Vec<(u32, usize, usize)> {
        let (index, vocab, stemmer) = compile(phrases);
        let t = tokenize(text, Language::En);
        let corrected: Vec<Option<String>> = vec![None; t.tokens.len()];
        let stems: Vec<String> = t
            .tokens
            .iter()
            .map(|t| stemmer.stem(&t.norm).into_owned())
            .collect();
        let toks = view(
            &t,
            &corrected,
            &stems,
            &vocab,
            None,
            &["not", "no", "never"],
        );
        let mut out = Vec::new();
        index.find(&toks, &mut out);
        out.iter()
            .map(|h| (h.terminal.criterion, h.first, h.end))
            .collect()
    }

    #[test]
    fn words_match_by_stem_and_alternatives() {
        assert_eq!(
            hits(&["(so|really) sorry"], "I'm really sorry"),
            vec![(0, 2, 4)]
        );
        assert_eq!(
            hits(&["that must be @feel"], "that must be frustrating"),
            vec![(0, 0, 4)]
        );
        assert_eq!(hits(&["[i am] sorry"], "sorry"), vec![(0, 0, 1)]);
        assert!(hits(&["frustrated"], "so frustrating").len() == 1);
        assert_eq!(
            hits(&["# (day|week)"], "in 3-5 days, 2 weeks"),
            vec![(0, 2, 4), (0, 4, 6)]
        );
    }

    #[test]
    fn gaps_do_not_cross_negations_or_sentences() {
        assert_eq!(hits(&["you * wrong"], "you typed it wrong").len(), 1);
        assert!(hits(&["you * wrong"], "you did not do anything wrong").is_empty());
        assert!(hits(&["you * wrong"], "you typed. it wrong").is_empty());
        assert!(hits(&["you * wrong"], "you did, but it went wrong").is_empty());
    }

    #[test]
    fn anchors_and_exact_words() {
        assert_eq!(hits(&["^ calm down"], "calm down").len(), 1);
        assert!(hits(&["^ calm down"], "please calm down").is_empty());
        assert!(hits(&["=ok $"], "ok then").is_empty());
        assert_eq!(hits(&["=ok $"], "fine ok").len(), 1);
    }

    #[test]
    fn syntax_errors_say_where() {
        let lists = BTreeMap::new();
        let e = parse("sorry (about", Language::En, &lists, &NoPlaceholders).unwrap_err();
        assert!(e.message.contains("missing"), "{e}");
        let e = parse("sorry @nope", Language::En, &lists, &NoPlaceholders).unwrap_err();
        assert_eq!(e.at, 6);
        assert!(parse("[maybe]", Language::En, &lists, &NoPlaceholders).is_err());
        assert!(parse("* sorry", Language::En, &lists, &NoPlaceholders).is_ok());
        assert!(
            parse("can you help ?", Language::En, &lists, &NoPlaceholders)
                .unwrap()
                .question
        );
        assert!(parse("can you ) help", Language::En, &lists, &NoPlaceholders).is_err());
    }

    #[test]
    fn typos_are_corrected_towards_phrase_words() {
        let (_, vocab, _) = compile(&["apologize", "frustrating", "refund"]);
        assert_eq!(vocab.correct("apologze"), Some("apologize"));
        assert_eq!(vocab.correct("frustrtaing"), Some("frustrating"));
        assert_eq!(
            vocab.correct("refnud"),
            Some("refund"),
            "a swap is one edit"
        );
        assert_eq!(vocab.correct("rebound"), None);
        assert_eq!(vocab.correct("xpologize"), None, "the first letter is kept");
    }
}
