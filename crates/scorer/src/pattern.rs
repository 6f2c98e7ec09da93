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

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use rust_stemmers::Algorithm;

use super::text::{tokenize, Text, Token};
use crate::model::Language;

/// A small, fast, deterministic hasher for the vocabulary's short keys (the Fx hash of
/// rustc): scoring looks every token up, and SipHash's DoS resistance buys nothing here.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(buf));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A hash map with [`FxHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

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

/// The widest gap a phrase may have (`*12`): wider would reach across whole sentences'
/// worth of words and match by accident.
const MAX_GAP: u8 = 12;

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
                Ast::Exact(t.norm.to_string())
            } else {
                Ast::Word(t.norm.to_string())
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
                    // All the digits: "*10" is a gap of ten, never a gap of one and a "0".
                    let mut digits = String::new();
                    while let Some(d) = self.peek().filter(char::is_ascii_digit) {
                        digits.push(d);
                        self.pos += 1;
                    }
                    let n: u32 = if digits.is_empty() {
                        3
                    } else {
                        digits.parse().unwrap_or(u32::MAX)
                    };
                    if n == 0 {
                        return err(at, "a gap of 0 words means nothing: remove the `*0`");
                    }
                    if n > u32::from(MAX_GAP) {
                        return err(at, "a gap can span at most 12 words");
                    }
                    let n = n as u8;
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
/// exceptions (`unless`), or meets it only in a reply that does nothing for the customer
/// (`bare`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terminal {
    pub criterion: u32,
    pub unless: bool,
    pub question: bool,
    pub bare: bool,
    /// Where the phrase was written, for explanations: an index into the scorer's
    /// sources ([`NO_SOURCE`] when unknown).
    pub source: u32,
    /// The phrase names the customer: a name is said, not claimed, so a "no" or "not"
    /// before it ("No Keisha, that's not right") does not unsay it.
    pub name: bool,
}

/// [`Terminal::source`] of a phrase with no recorded place.
pub const NO_SOURCE: u32 = u32::MAX;

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
    /// For nodes with many word-set edges (the root, mostly): which of `other` a stem
    /// can take, so a token is not tested against every set.
    dispatch: Option<Dispatch>,
    /// For nodes with many word edges (the root): the child of each stem and surface id
    /// by index. Every token of every reply starts a walk at the root, and a binary
    /// search of its thousands of first words cost a dozen cache misses a token.
    dense: Option<Box<Dense>>,
}

#[derive(Debug, Clone, Default)]
struct Dense {
    /// Stem id -> child, [`NONE`] for none.
    words: Vec<u32>,
    /// Surface id -> child, [`NONE`] for none.
    exact: Vec<u32>,
    /// [`Dispatch::by_stem`] by index: stem id `s` takes the sets
    /// `set_items[set_start[s]..set_start[s + 1]]`, in the same order.
    set_start: Vec<u32>,
    set_items: Vec<u32>,
}

impl Dense {
    fn new(node: &Node) -> Dense {
        let (mut set_start, mut set_items) = (vec![0], Vec::new());
        if let Some(d) = &node.dispatch {
            let len = d.by_stem.keys().max().map_or(0, |&s| s as usize + 1);
            for s in 0..len as u32 {
                set_items.extend(d.by_stem.get(&s).into_iter().flatten());
                set_start.push(set_items.len() as u32);
            }
        }
        Dense {
            words: Dense::table(&node.words),
            exact: Dense::table(&node.exact),
            set_start,
            set_items,
        }
    }

    fn table(edges: &[(u32, u32)]) -> Vec<u32> {
        let len = edges.last().map_or(0, |&(id, _)| id as usize + 1);
        let mut table = vec![NONE; len];
        for &(id, child) in edges {
            table[id as usize] = child;
        }
        table
    }

    fn sets(&self, stem: u32) -> &[u32] {
        let s = stem as usize;
        match (self.set_start.get(s), self.set_start.get(s + 1)) {
            (Some(&a), Some(&b)) => &self.set_items[a as usize..b as usize],
            _ => &[],
        }
    }
}

/// From this many word edges a node keeps them in a [`Dense`] table too: the roots
/// (about 230 first words in English, 110 in French), not the inner nodes, where the
/// tables would cost more cache than the searches they save.
const DENSE_MIN_WORDS: usize = 100;

/// The child `edges` (sorted by id) or `dense` (the same, by index) give id `id`.
fn child_of(edges: &[(u32, u32)], dense: Option<&[u32]>, id: u32) -> Option<u32> {
    match dense {
        Some(table) => table.get(id as usize).copied().filter(|&c| c != NONE),
        None => edges
            .binary_search_by_key(&id, |&(k, _)| k)
            .ok()
            .map(|k| edges[k].1),
    }
}

#[derive(Debug, Clone, Default)]
struct Dispatch {
    /// Stem id -> indices into `other` of the prefix-free sets holding it.
    by_stem: FastMap<u32, Vec<u32>>,
    /// Indices into `other` that must always be tried.
    scan: Vec<u32>,
}

/// Below this many set edges, trying each is cheaper than a hash lookup.
const DISPATCH_MIN_SETS: usize = 6;

/// Stem and surface ids, and the typo index over the surface forms phrases use.
#[derive(Debug, Clone, Default)]
pub struct Vocab {
    stems: FastMap<String, u32>,
    surfaces: FastMap<String, u32>,
    /// Every surface form of 5+ letters with one letter deleted (and the form itself) ->
    /// the surface forms: a reply word one edit away shares a key with its intended word.
    deletions: FastMap<String, Vec<u32>>,
    surface_list: Vec<String>,
    /// The stem id of each surface form, when it was interned as a stemmed word.
    surface_stem: Vec<u32>,
    stem_list: Vec<String>,
    /// Whether `deletions` is kept: not for the few words compiled per reply, where
    /// building it would cost more than it could ever save.
    typo_index: bool,
    /// Ids start here, so a per-reply vocabulary can extend the shared one.
    stem_offset: u32,
    surface_offset: u32,
    /// Per word of the lexicon ([`Token::word`]), its surface and stem ids here ([`NONE`]
    /// where there is none): a reply word is read by its id, not looked up by its text.
    lexemes: Vec<(u32, u32)>,
    /// Per word of the lexicon that no phrase knows (neither its surface nor its stem),
    /// the surface id [`Vocab::correct`] corrects it to, [`NONE`] for none: worked out
    /// once, as [`Vocab::lexemes`] is, not for every reply that has the word.
    corrections: Vec<u32>,
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
    /// A vocabulary with a typo index, for phrases compiled once.
    pub fn new() -> Vocab {
        Vocab {
            typo_index: true,
            ..Vocab::default()
        }
    }

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
        if let Some(&id) = self.stems.get(stem) {
            return id;
        }
        let id = self.stem_offset + self.stems.len() as u32;
        self.stems.insert(stem.to_string(), id);
        self.stem_list.push(stem.to_string());
        id
    }

    /// Remembers the stem of a surface form this vocabulary owns, so a reply word with
    /// that spelling needs no stemming.
    fn set_surface_stem(&mut self, surface: u32, stem: u32) {
        if let Some(k) = surface.checked_sub(self.surface_offset) {
            if let Some(slot) = self.surface_stem.get_mut(k as usize) {
                *slot = stem;
            }
        }
    }

    /// The stem id and text of a known surface form, if it was stemmed when interned.
    fn known_stem<'v>(&'v self, surface: u32, base: Option<&'v Vocab>) -> Option<(u32, &'v str)> {
        let owner = match base {
            Some(b) if surface < self.surface_offset => b,
            _ => self,
        };
        let stem = *owner
            .surface_stem
            .get(surface.checked_sub(owner.surface_offset)? as usize)?;
        let text = owner.stem_text(stem, base)?;
        (stem != NONE).then_some((stem, text))
    }

    fn stem_text<'v>(&'v self, stem: u32, base: Option<&'v Vocab>) -> Option<&'v str> {
        let owner = match base {
            Some(b) if stem < self.stem_offset => b,
            _ => self,
        };
        owner
            .stem_list
            .get(stem.checked_sub(owner.stem_offset)? as usize)
            .map(String::as_str)
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
        self.surface_stem.push(NONE);
        if self.typo_index
            && word.chars().count() >= TYPO_MIN_CHARS
            && word.chars().all(char::is_alphabetic)
        {
            for key in deletions(word).chain(std::iter::once(word.to_string())) {
                self.deletions.entry(key).or_default().push(id);
            }
        }
        id
    }

    /// Interns a word matched by stem; returns the stem id.
    fn intern_word(&mut self, base: Option<&Vocab>, stemmer: &Stemmer, word: &str) -> u32 {
        let surface = self.intern_surface(base, word);
        let stem = self.intern_stem(base, &stemmer.stem(word));
        self.set_surface_stem(surface, stem);
        stem
    }

    pub fn stem(&self, stem: &str) -> Option<u32> {
        self.stems.get(stem).copied()
    }

    /// Builds [`Vocab::lexemes`]; call once every phrase is interned.
    pub fn index_lexicon(&mut self, stemmer: &Stemmer) {
        let mut lexemes = vec![(NONE, NONE); stemmer.known.len()];
        for (word, id) in stemmer.lexicon.words() {
            lexemes[id as usize] = (
                self.surface(word).unwrap_or(NONE),
                self.stem(&stemmer.known[id as usize]).unwrap_or(NONE),
            );
        }
        self.lexemes = lexemes;
        // Only a word with neither id is ever corrected (see `analyse`); and with the
        // typo index only.
        let mut corrections = vec![NONE; stemmer.known.len()];
        if !self.deletions.is_empty() {
            for (word, id) in stemmer.lexicon.words() {
                if self.lexemes[id as usize] == (NONE, NONE) {
                    if let Some(fixed) = self.correct(word) {
                        corrections[id as usize] = self.surface(fixed).unwrap_or(NONE);
                    }
                }
            }
        }
        self.corrections = corrections;
    }

    /// [`Vocab::correct`] of a reply word, read from the table by its lexicon id when it
    /// has one.
    fn correct_word(&self, word: u32, norm: &str) -> Option<&str> {
        match self.corrections.get(word as usize) {
            Some(&NONE) => None,
            Some(&id) => Some(self.surface_list[(id - self.surface_offset) as usize].as_str()),
            None => self.correct(norm),
        }
    }

    pub fn surface(&self, word: &str) -> Option<u32> {
        self.surfaces.get(word).copied()
    }

    /// The phrase word `word` is probably a typo of: same first letter, one edit away
    /// (two for words of 8+ letters), the closest and then the first in the vocabulary.
    pub fn correct(&self, word: &str) -> Option<&str> {
        let len = word.chars().count();
        if self.deletions.is_empty()
            || len < TYPO_MIN_CHARS
            || !word.chars().all(char::is_alphabetic)
        {
            return None;
        }
        let max = if len >= 8 { 2 } else { 1 };
        let first = word.chars().next();
        let mut best: Option<(usize, u32)> = None;
        let chars: Vec<char> = word.chars().collect();
        let mut key = String::with_capacity(word.len());
        for skip in 0..=chars.len() {
            // `skip == len` is the word itself; otherwise the word minus one letter.
            key.clear();
            key.extend(
                chars
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != skip)
                    .map(|(_, c)| c),
            );
            for &id in self.deletions.get(key.as_str()).into_iter().flatten() {
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

/// A language's stemmer. The stems of the shipped lexicon (the word vectors' 51,000
/// tokens) are worked out once per process and read by the word's id, so the words of
/// nearly every reply and customer line are not stemmed again on each reply; any other
/// word is stemmed as it comes. A lookup gives exactly what the stemmer gives.
pub struct Stemmer {
    inner: rust_stemmers::Stemmer,
    /// The stem of each word of the lexicon, by id.
    known: &'static [Box<str>],
    lexicon: &'static crate::semantic::Vectors,
}

impl Stemmer {
    pub fn stem<'a>(&self, word: &'a str) -> Cow<'a, str> {
        match self.lexicon.id(word) {
            NONE => self.inner.stem(word),
            id => Cow::Borrowed(&self.known[id as usize]),
        }
    }

    /// The stem of an interned token, with no lookup of its text when the lexicon holds
    /// it; borrowed only from the lexicon's stems (which live as long as the process), so
    /// it can outlive the token.
    pub fn stem_token(&self, token: &Token) -> Cow<'static, str> {
        let known: &'static [Box<str>] = self.known;
        match token.word {
            NONE => Cow::Owned(self.stem(&token.norm).into_owned()),
            id => Cow::Borrowed(&known[id as usize]),
        }
    }
}

fn algorithm(lang: Language) -> Algorithm {
    match lang {
        Language::En => Algorithm::English,
        Language::Fr => Algorithm::French,
    }
}

/// The stemmer of a language.
pub fn stemmer(lang: Language) -> Stemmer {
    static KNOWN: [std::sync::OnceLock<Vec<Box<str>>>; 2] =
        [std::sync::OnceLock::new(), std::sync::OnceLock::new()];
    let slot = match lang {
        Language::En => 0,
        Language::Fr => 1,
    };
    let inner = rust_stemmers::Stemmer::create(algorithm(lang));
    let lexicon = crate::semantic::lexicon();
    let known = KNOWN[slot].get_or_init(|| {
        let mut known: Vec<Box<str>> = vec![Box::from(""); lexicon.len()];
        for (w, id) in lexicon.words() {
            known[id as usize] = inner.stem(w).into();
        }
        known
    });
    Stemmer {
        inner,
        known,
        lexicon,
    }
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
                        let id = vocab.intern_word(base, stemmer, w);
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
                            .map(|w| vocab.intern_word(base, stemmer, w))
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
    /// Builds the per-node dispatch tables; call once all phrases are inserted.
    pub fn finish(&mut self) {
        for node in &mut self.nodes {
            let sets = node
                .other
                .iter()
                .filter(|(e, _)| matches!(e, Edge::Set(_, p) if p.is_empty()))
                .count();
            if sets < DISPATCH_MIN_SETS {
                node.dispatch = None;
                continue;
            }
            let mut d = Dispatch::default();
            for (k, (edge, _)) in node.other.iter().enumerate() {
                match edge {
                    Edge::Set(ids, prefixes) if prefixes.is_empty() => {
                        for id in ids {
                            d.by_stem.entry(*id).or_default().push(k as u32);
                        }
                    }
                    _ => d.scan.push(k as u32),
                }
            }
            node.dispatch = Some(d);
        }
        for node in &mut self.nodes {
            node.dense = (node.words.len() >= DENSE_MIN_WORDS).then(|| Box::new(Dense::new(node)));
        }
    }

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
        let s_end = tok.sentence_end;
        if i < s_end {
            let t = &toks[i];
            let dense = n.dense.as_deref();
            if t.stem != NONE {
                if let Some(c) = child_of(&n.words, dense.map(|d| &d.words[..]), t.stem) {
                    self.walk(c as usize, i + 1, first, toks, out);
                }
            }
            if t.surface != NONE {
                if let Some(c) = child_of(&n.exact, dense.map(|d| &d.exact[..]), t.surface) {
                    self.walk(c as usize, i + 1, first, toks, out);
                }
            }
        }
        match &n.dispatch {
            Some(d) => {
                if i < s_end && toks[i].stem != NONE {
                    let stem = toks[i].stem;
                    let sets = match n.dense.as_deref() {
                        Some(dense) => dense.sets(stem),
                        None => d.by_stem.get(&stem).map_or(&[][..], Vec::as_slice),
                    };
                    for &k in sets {
                        self.walk(n.other[k as usize].1 as usize, i + 1, first, toks, out);
                    }
                }
                for &k in &d.scan {
                    let (edge, child) = &n.other[k as usize];
                    self.edge(edge, *child as usize, i, first, toks, out);
                }
            }
            None => {
                for (edge, child) in &n.other {
                    self.edge(edge, *child as usize, i, first, toks, out);
                }
            }
        }
    }

    fn edge(
        &self,
        edge: &Edge,
        child: usize,
        i: usize,
        first: usize,
        toks: &[Tok<'_>],
        out: &mut Vec<Hit>,
    ) {
        let (s_first, s_end) = (toks[first].sentence_first, toks[first].sentence_end);
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

/// A reply word as the vocabularies know it.
#[derive(Debug, Clone)]
pub struct Word<'a> {
    /// The normalised form, typo-corrected when it was one edit from a phrase word.
    pub norm: &'a str,
    pub corrected: bool,
    pub surface: u32,
    pub stem: u32,
    pub stem_text: Cow<'a, str>,
}

/// Looks a word up in the shared vocabulary and the per-reply one; `None` for the stem
/// when neither holds it. `word` is its lexicon id, when it has one.
fn lookup<'a>(
    word: u32,
    norm: &'a str,
    stemmer: &'a Stemmer,
    vocab: &'a Vocab,
    extra: &'a Vocab,
) -> (u32, Option<u32>, Cow<'a, str>) {
    if let Some(&(surface, stem)) = vocab.lexemes.get(word as usize) {
        // What the text lookups below would find: a surface form's stem is the
        // stemmer's, and the shared vocabulary is asked first.
        let text: &str = &stemmer.known[word as usize];
        let surface = match surface {
            NONE => extra.surface(norm).unwrap_or(NONE),
            s => s,
        };
        let stem = match stem {
            NONE => extra.stem(text),
            s => Some(s),
        };
        return (surface, stem, Cow::Borrowed(text));
    }
    let surface = vocab.surface(norm).or_else(|| extra.surface(norm));
    if let Some((stem, text)) = surface.and_then(|s| extra.known_stem(s, Some(vocab))) {
        return (surface.unwrap_or(NONE), Some(stem), Cow::Borrowed(text));
    }
    let text = stemmer.stem(norm);
    let stem = vocab.stem(&text).or_else(|| extra.stem(&text));
    (surface.unwrap_or(NONE), stem, text)
}

/// Analyses every token: vocabulary ids, stem, and typo correction for words no phrase
/// knows (unless `keep` says the word is real, e.g. the customer used it).
pub fn analyse<'a>(
    text: &'a Text,
    stemmer: &'a Stemmer,
    vocab: &'a Vocab,
    extra: &'a Vocab,
    keep: impl Fn(&str) -> bool,
) -> Vec<Word<'a>> {
    text.tokens
        .iter()
        .map(|t| {
            let (surface, stem, stem_text) = lookup(t.word, &t.norm, stemmer, vocab, extra);
            let known = t.number || surface != NONE || stem.is_some() || keep(&stem_text);
            let fixed = if known {
                None
            } else {
                vocab
                    .correct_word(t.word, &t.norm)
                    .or_else(|| extra.correct(&t.norm))
            };
            match fixed {
                Some(fixed) => {
                    let (surface, stem, stem_text) = lookup(NONE, fixed, stemmer, vocab, extra);
                    Word {
                        norm: fixed,
                        corrected: true,
                        surface,
                        stem: stem.unwrap_or(NONE),
                        stem_text,
                    }
                }
                None => Word {
                    norm: &t.norm,
                    corrected: false,
                    surface,
                    stem: stem.unwrap_or(NONE),
                    stem_text,
                },
            }
        })
        .collect()
}

/// The token view the matcher walks.
pub fn view<'a>(text: &Text, words: &'a [Word<'a>], negators: &[&str]) -> Vec<Tok<'a>> {
    text.tokens
        .iter()
        .zip(words)
        .map(|(t, w)| {
            let s = &text.sentences[t.sentence];
            Tok {
                stem: w.stem,
                surface: w.surface,
                norm: w.norm,
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
        let mut vocab = Vocab::new();
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
                bare: false,
                source: NO_SOURCE,
                name: false,
            };
            index
                .insert(&phrase, term, &stemmer, &mut vocab, None)
                .unwrap();
        }
        (index, vocab, stemmer)
    }

    fn hits(phrases: &[&str], text: &str) -> Vec<(u32, usize, usize)> {
        let (index, vocab, stemmer) = compile(phrases);
        hits_of(&index, &vocab, &stemmer, text)
    }

    fn hits_of(
        index: &Index,
        vocab: &Vocab,
        stemmer: &Stemmer,
        text: &str,
    ) -> Vec<(u32, usize, usize)> {
        let t = tokenize(text, Language::En);
        let extra = Vocab::extending(vocab);
        let words = analyse(&t, stemmer, vocab, &extra, |_| true);
        let toks = view(&t, &words, &["not", "no", "never"]);
        let mut out = Vec::new();
        index.find(&toks, &mut out);
        out.iter()
            .map(|h| (h.terminal.criterion, h.first, h.end))
            .collect()
    }

    #[test]
    fn a_finished_index_finds_what_the_unfinished_one_finds() {
        // `finish` adds the dispatch tables and, at a node with many first words, the
        // dense ones: a second way to the same children, which must give the same hits.
        let mut phrases: Vec<String> = (0..DENSE_MIN_WORDS + 20)
            .map(|k| format!("{} (sorry|apolog*) *2 =ok", letters(k)))
            .collect();
        phrases.extend(
            [
                "(so|really|very) sorry",
                "^ we (can|will) #",
                "@feel $",
                "sorry about",
            ]
            .map(String::from),
        );
        let refs: Vec<&str> = phrases.iter().map(String::as_str).collect();
        let (plain, vocab, stemmer) = compile(&refs);
        let mut finished = plain.clone();
        finished.finish();
        assert!(
            finished.nodes[0].dense.is_some(),
            "the root has a dense table"
        );
        for text in [
            "zqad so sorry, ok? We will 5. I am really sorry about it, fed up.",
            "zqeg apologies ok. Zqah sorry then ok",
            "Nothing here matches at all.",
        ] {
            let want = hits_of(&plain, &vocab, &stemmer, text);
            assert_eq!(hits_of(&finished, &vocab, &stemmer, text), want, "{text}");
        }
        assert_eq!(
            hits_of(&finished, &vocab, &stemmer, "zqeg apologies ok").len(),
            1,
            "a first word only the dense table holds"
        );
    }

    /// A made-up word of letters for number `k` ("zqaa", "zqab", ...).
    fn letters(k: usize) -> String {
        let l = |d: usize| char::from(b'a' + (d % 26) as u8);
        format!("zq{}{}", l(k / 26), l(k))
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

    /// Regression: `*10` was read as a gap of one followed by the word "0", so a phrase
    /// written with a wide gap silently never matched.
    #[test]
    fn gaps_wider_than_nine_words_are_read_whole() {
        let far = "losing the bag you packed for the whole trip and the talk is stressful";
        assert_eq!(hits(&["losing *12 stressful"], far).len(), 1);
        assert!(hits(&["losing *3 stressful"], far).is_empty());
        let lists = BTreeMap::new();
        let e = parse(
            "losing *13 stressful",
            Language::En,
            &lists,
            &NoPlaceholders,
        )
        .unwrap_err();
        assert!(e.message.contains("at most 12"), "{e}");
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
