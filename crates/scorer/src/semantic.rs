//! The learned stage: recall for the paraphrases no phrase covers, and precision where
//! a phrase fires out of place.
//!
//! One linear head per criterion reads three groups of features of a reply, all computed
//! on the scorer's own tokens (one tokenizer for the crate), all in integers, so a reply
//! scores the same on every machine (`crates/scorer/model/README.md` has the exact
//! definitions, and `golden.jsonl` pins them against the training script):
//!
//! - the word 1-, 2- and 3-grams of each sentence, hashed (FNV-1a) into 2^18 buckets, each
//!   present bucket counting once (`ngrams.bin`: one i16 weight per bucket and criterion);
//! - the rules' verdicts on the fourteen criteria: the head learns where the phrases are
//!   right and where context or a paraphrase beats them;
//! - static word vectors (distilled once from a multilingual sentence encoder) averaged
//!   over the reply, and their product with the customer line's average.
//!
//! `z = F · (Σ n-gram weights + Σ weights of the criteria the rules met) + Σ w·x + b`, and
//! the head fires when `z >= 0`. A criterion in `learned` mode takes the head's verdict;
//! in `or` mode the head only adds what the phrases missed; in `rules` mode it is not
//! used. Fired evidence must be a sentence the rules leave
//! eligible (not where a phrase of the criterion was negated or an `unless` said), and
//! must carry the move: the sentence whose n-grams weigh most, with positive weight. A
//! penalty needs more: that one sentence must fire the head, with the reply's rules and,
//! in a reply of two sentences and 12 tokens or more, the reply's embedding (its tone);
//! otherwise its words alone. So a reply is never penalised for what it lacks, nor a
//! short one for where its embedding happens to lie. Evidence shows the nearest labelled
//! example ("sounds like: ...").

use std::collections::HashMap;

use serde::Deserialize;

use super::text::{Text, Token};
use crate::pattern::NONE;

/// Why a model file could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ModelError {
    #[error("the word vectors are not a Rapport vectors file (bad magic or version)")]
    BadHeader,
    #[error("the word vectors end early (at byte {0})")]
    Truncated(usize),
    #[error("the word vectors' vocabulary is not valid UTF-8, sorted and unique")]
    BadVocabulary,
    #[error("the heads file is not valid: {0}")]
    BadHeads(String),
    #[error(
        "the heads were trained for vectors of {heads} dimensions, the vectors have {vectors}"
    )]
    DimensionMismatch { heads: usize, vectors: usize },
}

const MAGIC: &[u8; 8] = b"RAPPORTV";

/// FNV-1a: the vocabulary is looked up for every token of every reply, and its keys are
/// short words, where SipHash's start-up cost dominates. Not exposed to untrusted keys
/// that could be chosen to collide: the keys are the model's own words.
#[derive(Default, Clone, Copy)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FnvMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// Static word vectors: token -> `dim` int8 values.
pub struct Vectors {
    dim: usize,
    index: FnvMap<Box<str>, u32>,
    data: Vec<i8>,
}

impl std::fmt::Debug for Vectors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vectors")
            .field("dim", &self.dim)
            .field("words", &self.index.len())
            .finish()
    }
}

fn take<'a>(bytes: &'a [u8], at: &mut usize, n: usize) -> Result<&'a [u8], ModelError> {
    let end = at.checked_add(n).filter(|&e| e <= bytes.len());
    let end = end.ok_or(ModelError::Truncated(*at))?;
    let out = &bytes[*at..end];
    *at = end;
    Ok(out)
}

fn u32_at(bytes: &[u8], at: &mut usize) -> Result<u32, ModelError> {
    let b = take(bytes, at, 4)?;
    Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

impl Vectors {
    /// Reads the format of `crates/scorer/model/README.md`.
    pub fn parse(bytes: &[u8]) -> Result<Vectors, ModelError> {
        let mut at = 0;
        if take(bytes, &mut at, 8)? != MAGIC || u32_at(bytes, &mut at)? != 1 {
            return Err(ModelError::BadHeader);
        }
        let dim = u32_at(bytes, &mut at)? as usize;
        let count = u32_at(bytes, &mut at)? as usize;
        let _scale = take(bytes, &mut at, 4)?;
        if dim == 0 || dim > 4096 {
            return Err(ModelError::BadHeader);
        }
        let mut index = FnvMap::with_capacity_and_hasher(count, Default::default());
        let mut last: Option<&[u8]> = None;
        for i in 0..count {
            let len = take(bytes, &mut at, 1)?[0] as usize;
            let word = take(bytes, &mut at, len)?;
            if last.is_some_and(|l| l >= word) {
                return Err(ModelError::BadVocabulary);
            }
            last = Some(word);
            let word = std::str::from_utf8(word).map_err(|_| ModelError::BadVocabulary)?;
            index.insert(word.into(), i as u32);
        }
        let raw = take(bytes, &mut at, count * dim)?;
        Ok(Vectors {
            dim,
            index,
            data: raw.iter().map(|&b| b as i8).collect(),
        })
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The words the vectors know with their rows, in no particular order.
    pub(crate) fn words(&self) -> impl Iterator<Item = (&str, u32)> {
        self.index.iter().map(|(w, &i)| (&**w, i))
    }

    /// The row of `word`, [`NONE`] when the vectors do not know it.
    pub fn id(&self, word: &str) -> u32 {
        self.index.get(word).copied().unwrap_or(NONE)
    }

    /// Sets each token's [`Token::word`] to its row here: the one lookup of its text,
    /// after which its stem, its vector and its vocabulary entries are read by id.
    pub fn intern(&self, text: &mut Text) {
        for t in &mut text.tokens {
            t.word = self.id(&t.norm);
        }
    }

    /// Adds row `i` to `sum`.
    fn add_row(&self, i: u32, sum: &mut [i32]) {
        add_i8(
            sum,
            &self.data[i as usize * self.dim..(i as usize + 1) * self.dim],
        );
    }

    /// Adds the vector of `word` to `sum`; whether it was known.
    fn add(&self, word: &str, sum: &mut [i32]) -> bool {
        let i = self.id(word);
        if i != NONE {
            self.add_row(i, sum);
        }
        i != NONE
    }

    /// The integer mean `a` of the vectors of `words` (see the module docs).
    pub fn mean<'w>(&self, words: impl IntoIterator<Item = &'w str>) -> Vec<i32> {
        let mut sum = vec![0i32; self.dim];
        let n = words.into_iter().filter(|w| self.add(w, &mut sum)).count() as i32;
        mean_of(sum, n)
    }

    /// [`Vectors::mean`] of the tokens' words, read by id where they were interned here.
    fn mean_of_tokens(&self, tokens: &[Token]) -> Vec<i32> {
        let interned = is_lexicon(self);
        let mut sum = vec![0i32; self.dim];
        let mut n = 0;
        for (k, t) in tokens.iter().enumerate() {
            // The rows are scattered over megabytes: ask for a later token's row while
            // this one is summed, so the loads overlap instead of missing one by one.
            if let Some(ahead) = tokens.get(k + PREFETCH_AHEAD) {
                if interned && ahead.word != NONE {
                    let at = ahead.word as usize * self.dim;
                    prefetch(&self.data[at..at + self.dim]);
                }
            }
            let found = if interned && t.word != NONE {
                self.add_row(t.word, &mut sum);
                true
            } else {
                self.add(&t.norm, &mut sum)
            };
            n += i32::from(found);
        }
        mean_of(sum, n)
    }
}

/// `sum[k] += row[k]`: the inner loop of every mean, a row per token of every reply.
/// Integer adds, so the AVX2 path (chosen where the CPU has it) gives the same sums.
fn add_i8(sum: &mut [i32], row: &[i8]) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { add_i8_avx2(sum, row) };
    }
    add_i8_plain(sum, row);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn add_i8_avx2(sum: &mut [i32], row: &[i8]) {
    // The same loop, compiled for AVX2: eight lanes a step where the baseline has four.
    add_i8_plain(sum, row);
}

#[inline(always)]
fn add_i8_plain(sum: &mut [i32], row: &[i8]) {
    for (s, &v) in sum.iter_mut().zip(row) {
        *s += i32::from(v);
    }
}

/// `w · x` in i64: every head's embedding term, on every reply. The AVX2 path is the
/// same integer sum, four products a step.
fn dot_i32(w: &[i32], x: &[i32]) -> i64 {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { dot_i32_avx2(w, x) };
    }
    dot_i32_plain(w, x)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn dot_i32_avx2(w: &[i32], x: &[i32]) -> i64 {
    dot_i32_plain(w, x)
}

#[inline(always)]
fn dot_i32_plain(w: &[i32], x: &[i32]) -> i64 {
    w.iter()
        .zip(x)
        .map(|(&w, &x)| i64::from(w) * i64::from(x))
        .sum()
}

/// How many tokens ahead [`Vectors::mean_of_tokens`] prefetches.
const PREFETCH_AHEAD: usize = 4;

/// From this many tokens on, in a reply of two sentences or more, a penalty's sentence is
/// judged with the reply's embedding (its tone); below, on its words alone (see
/// [`Semantic::judge`]). Twelve tokens keep a short courtesy ("Not a bother, Declan,
/// mind yourself.") judged by its words.
pub const PENALTY_TONE_MIN_TOKENS: usize = 12;

/// Hints the CPU to load `bytes` into the cache; no effect on what is computed.
#[inline(always)]
fn prefetch<T>(bytes: &[T]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let start = bytes.as_ptr().cast::<i8>();
        let len = std::mem::size_of_val(bytes);
        let mut off = 0;
        while off < len {
            // SAFETY: a prefetch never faults nor changes memory; the address is inside
            // `bytes`.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(start.add(off)) };
            off += 64;
        }
        if len > 0 {
            // The last line, when `bytes` does not start on a line boundary.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(start.add(len - 1)) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = bytes;
}

/// The shipped word vectors' vocabulary: the lexicon whose rows [`Token::word`] holds.
pub fn lexicon() -> &'static Vectors {
    &builtin_model().vectors
}

/// Whether `v` is [`lexicon`], without loading it: no token holds an id before it is.
fn is_lexicon(v: &Vectors) -> bool {
    MODEL.get().is_some_and(|m| std::ptr::eq(&*m.vectors, v))
}

/// How a criterion combines the rules and its head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The head is not used.
    Rules,
    /// Met when the rules or the head find it: the head adds recall, never vetoes.
    Or,
    /// The head decides (it reads the rules' verdicts among its features).
    Learned,
}

#[derive(Deserialize)]
struct RawHeads {
    version: u32,
    dim: usize,
    criteria: Vec<String>,
    emb_frac: i64,
    heads: std::collections::BTreeMap<String, RawHead>,
}

#[derive(Deserialize)]
struct RawHead {
    mode: Mode,
    b: i64,
    /// `learned` only: how far below its threshold the head must be to overrule a phrase.
    #[serde(default)]
    veto: i64,
    rules: Vec<i64>,
    /// i32 by type: a weight out of that range fails to parse.
    w: Vec<i32>,
    #[serde(default)]
    examples: Vec<RawExample>,
}

#[derive(Deserialize)]
struct RawExample {
    text: String,
    a: Vec<i32>,
}

/// One criterion's head.
#[derive(Debug, Clone)]
pub struct Head {
    pub criterion: String,
    pub mode: Mode,
    /// Column of this head in the n-gram table.
    column: usize,
    b: i64,
    /// In `learned` mode a phrase the rules found stands unless z + veto < 0: a head
    /// that is only a little below its threshold does not overrule what a trainer can
    /// read and test (chosen per criterion in cross-validation, `train.py`).
    pub veto: i64,
    /// Weight of each model criterion the rules met.
    rules: Vec<i64>,
    /// Weights of the embedding features.
    w: Vec<i32>,
    examples: Vec<(String, Vec<i32>)>,
}

impl Head {
    /// The labelled example whose mean vector is nearest (largest dot product) to `a`.
    fn nearest(&self, a: &[i32]) -> Option<&str> {
        self.examples
            .iter()
            .max_by_key(|(_, e)| {
                let dot: i64 = e
                    .iter()
                    .zip(a)
                    .map(|(&x, &y)| i64::from(x) * i64::from(y))
                    .sum();
                dot
            })
            .map(|(t, _)| t.as_str())
    }
}

/// The n-gram weights: `buckets` rows of one i16 per criterion column.
#[derive(Debug)]
pub struct Ngrams {
    columns: usize,
    weights: Vec<i16>,
}

/// log2 of the number of buckets the n-grams are hashed into.
pub const BUCKET_BITS: u32 = 18;
const NGRAMS_MAGIC: &[u8; 8] = b"RAPPORTN";

impl Ngrams {
    /// Reads the format of `crates/scorer/model/README.md`.
    pub fn parse(bytes: &[u8]) -> Result<Ngrams, ModelError> {
        let mut at = 0;
        if take(bytes, &mut at, 8)? != NGRAMS_MAGIC || u32_at(bytes, &mut at)? != 1 {
            return Err(ModelError::BadHeader);
        }
        let buckets = u32_at(bytes, &mut at)? as usize;
        let columns = u32_at(bytes, &mut at)? as usize;
        if buckets != 1 << BUCKET_BITS || columns == 0 || columns > 64 {
            return Err(ModelError::BadHeader);
        }
        let raw = take(bytes, &mut at, buckets * columns * 2)?;
        Ok(Ngrams {
            columns,
            weights: raw
                .chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]]))
                .collect(),
        })
    }

    fn row(&self, bucket: u32) -> &[i16] {
        let at = bucket as usize * self.columns;
        &self.weights[at..at + self.columns]
    }
}

/// FNV-1a 64 over `bytes`, from state `h`.
fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Sentence-boundary marks: no token holds a control character.
const BOS: &str = "\u{2}";
const EOS: &str = "\u{3}";

/// Per sentence, the buckets of its 1-, 2- and 3-grams in order of first occurrence in
/// the reply: a bucket already seen (in this or an earlier sentence) is not repeated.
pub fn ngram_buckets<'t>(sentences: impl IntoIterator<Item = Vec<&'t str>>) -> Vec<Vec<u32>> {
    let mask = (1u64 << BUCKET_BITS) - 1;
    // Room for the buckets of a reply of a hundred words or so: growing the set as it
    // fills cost more than the hashing.
    let mut seen: FnvMap<u32, ()> = FnvMap::with_capacity_and_hasher(512, Default::default());
    sentences
        .into_iter()
        .map(|words| {
            let mut seq = Vec::with_capacity(words.len() + 2);
            seq.push(BOS);
            seq.extend(words);
            seq.push(EOS);
            let mut mine = Vec::with_capacity(seq.len() * 3);
            for n in 1..=3usize {
                // The marks alone would be in every reply: they only count inside a 2- or
                // 3-gram.
                let windows = seq.windows(n);
                let skip = usize::from(n == 1);
                let len = windows.len();
                for window in windows.skip(skip).take(len - 2 * skip) {
                    let mut h = fnv(0xcbf2_9ce4_8422_2325, &[n as u8]);
                    for t in window {
                        h = fnv(fnv(h, &[0x1f]), t.as_bytes());
                    }
                    let b = (h & mask) as u32;
                    if seen.insert(b, ()).is_none() {
                        mine.push(b);
                    }
                }
            }
            mine
        })
        .collect()
}

/// The word vectors, the n-gram table and the heads, ready to judge.
#[derive(Debug)]
pub struct Semantic {
    vectors: std::sync::Arc<Vectors>,
    ngrams: std::sync::Arc<Ngrams>,
    /// The criteria whose rules verdicts the heads read, in the heads' order.
    criteria: Vec<String>,
    emb_frac: i64,
    heads: Vec<Head>,
}

/// One reply as the heads see it (see [`Semantic::prepare`]), computed once.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The reply's mean vector.
    a: Vec<i32>,
    /// The embedding features `[a, a ⊙ c]`.
    x: Vec<i32>,
    /// Each sentence's n-gram buckets (see [`ngram_buckets`]).
    grams: Vec<Vec<u32>>,
    /// Per sentence and head column, the sum of its buckets' weights.
    sentence_sums: Vec<Vec<i64>>,
}

/// `trunc(16 · S / n)`, 0 when nothing was found.
fn mean_of(mut sum: Vec<i32>, n: i32) -> Vec<i32> {
    if n > 0 {
        for s in &mut sum {
            *s = *s * 16 / n;
        }
    }
    sum
}

/// What a head found in one reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Token range of the sentence that carries the move best.
    pub span: (usize, usize),
    /// The nearest labelled example.
    pub sounds_like: Option<String>,
}

/// A head's verdict on one reply.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Met, carried by this sentence.
    Met(Found),
    /// Not met (`z` below 0, or no eligible sentence carries it).
    NotMet,
}

static MODEL: std::sync::OnceLock<std::sync::Arc<Semantic>> = std::sync::OnceLock::new();

fn builtin_model() -> &'static std::sync::Arc<Semantic> {
    MODEL.get_or_init(|| {
        // The artifacts are checked against their sha256 by the tests; a broken
        // build of them is a bug in `make train`, not an input to recover from.
        std::sync::Arc::new(
            Semantic::parse(BUILTIN_VECTORS, BUILTIN_NGRAMS, BUILTIN_HEADS)
                .expect("the shipped semantic model is valid"),
        )
    })
}

/// The shipped model (`crates/scorer/model/`), compiled in.
const BUILTIN_VECTORS: &[u8] = include_bytes!("../model/vectors.bin");
const BUILTIN_NGRAMS: &[u8] = include_bytes!("../model/ngrams.bin");
const BUILTIN_HEADS: &str = include_str!("../model/heads.json");

impl Semantic {
    /// The shipped model, read once per process and shared.
    pub fn builtin() -> std::sync::Arc<Semantic> {
        builtin_model().clone()
    }

    /// This model with every head in `mode` (for comparing layers; `personalize` stays
    /// with the rules: a name is a fact, not a paraphrase).
    pub fn with_mode(&self, mode: Mode) -> Semantic {
        let heads = self
            .heads
            .iter()
            .map(|h| Head {
                mode: if h.criterion == "personalize" {
                    Mode::Rules
                } else {
                    mode
                },
                ..h.clone()
            })
            .collect();
        Semantic {
            vectors: self.vectors.clone(),
            ngrams: self.ngrams.clone(),
            criteria: self.criteria.clone(),
            emb_frac: self.emb_frac,
            heads,
        }
    }

    pub fn parse(vectors: &[u8], ngrams: &[u8], heads: &str) -> Result<Semantic, ModelError> {
        Self::parse_heads(
            std::sync::Arc::new(Vectors::parse(vectors)?),
            std::sync::Arc::new(Ngrams::parse(ngrams)?),
            heads,
        )
    }

    /// These word vectors with other heads and n-grams (a `make train` output), for
    /// comparisons.
    pub fn with_heads(&self, ngrams: &[u8], heads: &str) -> Result<Semantic, ModelError> {
        Self::parse_heads(
            self.vectors.clone(),
            std::sync::Arc::new(Ngrams::parse(ngrams)?),
            heads,
        )
    }

    fn parse_heads(
        vectors: std::sync::Arc<Vectors>,
        ngrams: std::sync::Arc<Ngrams>,
        heads: &str,
    ) -> Result<Semantic, ModelError> {
        let raw: RawHeads =
            serde_json::from_str(heads).map_err(|e| ModelError::BadHeads(e.to_string()))?;
        if raw.version != 2 {
            return Err(ModelError::BadHeads(format!("version {}", raw.version)));
        }
        if raw.dim != vectors.dim {
            return Err(ModelError::DimensionMismatch {
                heads: raw.dim,
                vectors: vectors.dim,
            });
        }
        if raw.criteria.len() != ngrams.columns {
            return Err(ModelError::BadHeads(format!(
                "{} criteria for {} n-gram columns",
                raw.criteria.len(),
                ngrams.columns
            )));
        }
        let heads = raw
            .heads
            .into_iter()
            .map(|(criterion, h)| {
                let column = raw.criteria.iter().position(|c| *c == criterion);
                // Bounds that keep z within i64 (see the model README).
                let ok = h.w.len() == 2 * raw.dim
                    && h.rules.len() == raw.criteria.len()
                    && h.examples.iter().all(|e| e.a.len() == raw.dim)
                    && h.rules.iter().all(|w| w.abs() <= 32_767)
                    && h.b.abs() < 1 << 50
                    && (0..1 << 50).contains(&h.veto);
                match (column, ok) {
                    (Some(column), true) => Ok(Head {
                        criterion,
                        mode: h.mode,
                        column,
                        b: h.b,
                        veto: h.veto,
                        rules: h.rules,
                        w: h.w,
                        examples: h.examples.into_iter().map(|e| (e.text, e.a)).collect(),
                    }),
                    _ => Err(ModelError::BadHeads(format!(
                        "`{criterion}` has weights out of range or of the wrong length"
                    ))),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !(1..=1 << 20).contains(&raw.emb_frac) {
            return Err(ModelError::BadHeads("emb_frac out of range".into()));
        }
        Ok(Semantic {
            vectors,
            ngrams,
            criteria: raw.criteria,
            emb_frac: raw.emb_frac,
            heads,
        })
    }

    pub fn heads(&self) -> &[Head] {
        &self.heads
    }

    /// The criteria whose rules verdicts the heads read, in the order
    /// [`Semantic::z`] expects them.
    pub fn criteria(&self) -> &[String] {
        &self.criteria
    }

    pub fn vectors(&self) -> &Vectors {
        &self.vectors
    }

    /// The customer line's mean vector.
    pub fn customer_mean(&self, customer: Option<&Text>) -> Vec<i32> {
        match customer {
            Some(t) => self.vectors.mean_of_tokens(&t.tokens),
            None => vec![0; self.vectors.dim],
        }
    }

    /// Everything the heads read of one reply but the rules' verdicts.
    pub fn prepare(&self, text: &Text, customer: Option<&Text>) -> Prepared {
        let a = self.reply_mean(text);
        let x = Self::features(&a, &self.customer_mean(customer));
        let grams = ngram_buckets(text.sentences.iter().map(|s| {
            text.tokens[s.first..s.end]
                .iter()
                .map(|t| t.norm.as_str())
                .collect()
        }));
        let cols = self.ngrams.columns;
        let sentence_sums = grams
            .iter()
            .map(|g| {
                let mut sums = vec![0i64; cols];
                for (k, &b) in g.iter().enumerate() {
                    if let Some(&ahead) = g.get(k + PREFETCH_AHEAD) {
                        prefetch(self.ngrams.row(ahead));
                    }
                    for (s, &w) in sums.iter_mut().zip(self.ngrams.row(b)) {
                        *s += i64::from(w);
                    }
                }
                sums
            })
            .collect();
        Prepared {
            a,
            x,
            grams,
            sentence_sums,
        }
    }

    /// Head `h`'s sum: `F · (n-grams of the sentences `part` keeps + rules) + w·x + b`
    /// (without `w·x` unless `with_embedding`).
    fn z_of(
        &self,
        h: usize,
        p: &Prepared,
        rules_met: &[bool],
        part: impl Fn(usize) -> bool,
        with_embedding: bool,
    ) -> i64 {
        let head = &self.heads[h];
        let grams: i64 = (0..p.sentence_sums.len())
            .filter(|&k| part(k))
            .map(|k| p.sentence_sums[k][head.column])
            .sum();
        let rules: i64 = head
            .rules
            .iter()
            .zip(rules_met)
            .filter(|&(_, &met)| met)
            .map(|(&w, _)| w)
            .sum();
        let emb: i64 = if with_embedding {
            dot_i32(&head.w, &p.x)
        } else {
            0
        };
        self.emb_frac * (grams + rules) + emb + head.b
    }

    /// Head `h`'s sum on the whole reply (it fires when this is >= 0); `rules_met` in
    /// the order of [`Semantic::criteria`].
    pub fn z(&self, h: usize, p: &Prepared, rules_met: &[bool]) -> i64 {
        self.z_of(h, p, rules_met, |_| true, true)
    }

    /// Head `h`'s verdict on the reply: met when it fires and an `eligible` sentence
    /// carries the move (the one whose n-grams weigh most, with positive weight); for a
    /// `penalty`, that sentence's words (with the reply's rules, and in a reply of two
    /// sentences and [`PENALTY_TONE_MIN_TOKENS`] tokens or more the reply's embedding)
    /// must fire.
    pub fn judge(
        &self,
        h: usize,
        text: &Text,
        p: &Prepared,
        rules_met: &[bool],
        eligible: impl Fn(usize) -> bool,
        penalty: bool,
    ) -> Verdict {
        let head = &self.heads[h];
        if text.tokens.is_empty() || self.z(h, p, rules_met) < 0 {
            return Verdict::NotMet;
        }
        let best = text
            .sentences
            .iter()
            .enumerate()
            .filter(|&(k, s)| s.end > s.first && eligible(k))
            .map(|(k, s)| (p.sentence_sums[k][head.column], std::cmp::Reverse(k), s))
            .max_by_key(|&(w, k, _)| (w, k));
        let Some((weight, std::cmp::Reverse(k), s)) = best else {
            return Verdict::NotMet;
        };
        // A penalty's sentence must commit it: in a short or one-sentence reply in its
        // words alone, since the embedding of a one-word reply ("Yes.") lies far from
        // every labelled reply and drew `blame_customer`, and a curt one-line safety
        // order ("Non, sortez d'abord, ... appelez-les une fois dehors.") read as a
        // brush-off by its tone; in a longer one its words with the reply's tone (the
        // embedding), which is where a polite-sounding blame shows. Asking the words alone
        // everywhere lost half the penalties of new writers (blind rounds 12 and 13 with
        // the heads of 9b89e4e: `blame_customer` found 32 of 83, 39 with this rule;
        // `policy_shield` 40 of 88, 47; macro-F1 0.788 and 0.795, 0.804 and 0.806).
        let with_tone = text.sentences.len() >= 2 && text.tokens.len() >= PENALTY_TONE_MIN_TOKENS;
        if weight <= 0 || (penalty && self.z_of(h, p, rules_met, |j| j == k, with_tone) < 0) {
            return Verdict::NotMet;
        }
        Verdict::Met(Found {
            span: (s.first, s.end),
            sounds_like: head.nearest(&p.a).map(str::to_string),
        })
    }

    /// The features `x = [a, p]` of a reply mean `a` and a customer mean `c`.
    pub fn features(a: &[i32], c: &[i32]) -> Vec<i32> {
        a.iter()
            .copied()
            .chain(a.iter().zip(c).map(|(&x, &y)| x * y / 256))
            .collect()
    }

    /// The reply's mean vector over all its tokens.
    pub fn reply_mean(&self, text: &Text) -> Vec<i32> {
        self.vectors.mean_of_tokens(&text.tokens)
    }

    /// The buckets of a prepared reply, per sentence (for the golden test).
    pub fn buckets<'p>(&self, p: &'p Prepared) -> &'p [Vec<u32>] {
        &p.grams
    }

    /// The embedding features of a prepared reply (for the golden test).
    pub fn embedding<'p>(&self, p: &'p Prepared) -> &'p [i32] {
        &p.x
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::Language;
    use crate::text::tokenize;

    #[test]
    fn the_kernels_match_their_plain_loops() {
        // Whatever path `add_i8` and `dot_i32` take on this CPU, the sums are the plain
        // loops' (lengths that are not a multiple of the vector width included).
        let mut seed = 12345u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as i32
        };
        for len in [0, 1, 7, 8, 31, 128, 130, 256] {
            let row: Vec<i8> = (0..len).map(|_| next() as i8).collect();
            let start: Vec<i32> = (0..len).map(|_| next() % 100_000).collect();
            let (mut a, mut b) = (start.clone(), start);
            add_i8(&mut a, &row);
            add_i8_plain(&mut b, &row);
            assert_eq!(a, b, "add_i8, {len}");
            let w: Vec<i32> = (0..len).map(|_| next() % (1 << 25)).collect();
            let x: Vec<i32> = (0..len).map(|_| next() % 40_000).collect();
            assert_eq!(dot_i32(&w, &x), dot_i32_plain(&w, &x), "dot_i32, {len}");
            let exact: i64 = w
                .iter()
                .zip(&x)
                .map(|(&w, &x)| i64::from(w) * i64::from(x))
                .sum();
            assert_eq!(dot_i32(&w, &x), exact);
        }
    }

    /// A vectors file of `words` (sorted here) with the given 2-d vectors.
    pub(crate) fn vectors_file(words: &[(&str, [i8; 2])]) -> Vec<u8> {
        let mut words = words.to_vec();
        words.sort_by(|a, b| a.0.cmp(b.0));
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&2u32.to_le_bytes());
        out.extend_from_slice(&(words.len() as u32).to_le_bytes());
        out.extend_from_slice(&1.0f32.to_le_bytes());
        for (w, _) in &words {
            out.push(w.len() as u8);
            out.extend_from_slice(w.as_bytes());
        }
        for (_, v) in &words {
            out.extend(v.iter().map(|&x| x as u8));
        }
        out
    }

    /// An n-gram table with `weights` for the unigram of each word, one column.
    pub(crate) fn ngrams_file(weights: &[(&str, i16)]) -> Vec<u8> {
        let n = 1usize << BUCKET_BITS;
        let mut table = vec![0i16; n];
        for (w, v) in weights {
            let b = ngram_buckets([vec![*w]])[0][0];
            table[b as usize] = *v;
        }
        let mut out = Vec::new();
        out.extend_from_slice(NGRAMS_MAGIC);
        for v in [1u32, n as u32, 1] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in table {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out
    }

    fn model(b: i64) -> Semantic {
        let v = vectors_file(&[
            ("sorry", [100, 0]),
            ("apologies", [90, 10]),
            ("hello", [0, 50]),
        ]);
        let ng = ngrams_file(&[("apologies", 10), ("sorry", 6), ("idiot", 6), ("stupid", 6)]);
        let heads = format!(
            r#"{{"version":2,"dim":2,"criteria":["apologize"],"emb_frac":1,"heads":{{"apologize":{{"mode":"learned","b":{b},"rules":[0],"w":[0,0,0,0],
            "examples":[{{"text":"So sorry about that.","a":[1600,0]}}]}}}}}}"#
        );
        Semantic::parse(&v, &ng, &heads).unwrap()
    }

    #[test]
    fn buckets_count_once_per_reply_and_mark_sentence_bounds() {
        let g = ngram_buckets([vec!["so", "sorry"], vec!["so", "sorry"]]);
        // so, sorry; <s> so, so sorry, sorry </s>; <s> so sorry, so sorry </s>
        assert_eq!(g[0].len(), 7);
        assert!(g[1].is_empty(), "a repeated sentence adds nothing");
        let alone = ngram_buckets([vec!["sorry"]]);
        assert!(
            g[0].contains(&alone[0][0]),
            "the unigram of a word is one bucket"
        );
    }

    #[test]
    fn a_head_fires_on_the_sentence_that_carries_the_move() {
        let m = model(-5);
        let t = tokenize("Hello hello. Apologies!", Language::En);
        let p = m.prepare(&t, None);
        let Verdict::Met(found) = m.judge(0, &t, &p, &[false], |_| true, false) else {
            panic!("fires")
        };
        assert_eq!(found.span, (t.sentences[1].first, t.sentences[1].end));
        assert_eq!(found.sounds_like.as_deref(), Some("So sorry about that."));
        // The carrying sentence is not eligible (say, negated there): not met.
        assert_eq!(
            m.judge(0, &t, &p, &[false], |k| k == 0, false),
            Verdict::NotMet
        );
        let t = tokenize("Hello there.", Language::En);
        let p = m.prepare(&t, None);
        assert_eq!(
            m.judge(0, &t, &p, &[false], |_| true, false),
            Verdict::NotMet
        );
    }

    /// A penalty is never drawn by what a reply lacks, nor by a sum of harmless parts:
    /// one sentence has to commit it.
    #[test]
    fn a_penalty_needs_one_sentence_that_commits_it() {
        let m = model(-10);
        let t = tokenize("You idiot. So stupid.", Language::En);
        let p = m.prepare(&t, None);
        assert!(m.z(0, &p, &[false]) >= 0, "the reply as a whole fires");
        assert!(matches!(
            m.judge(0, &t, &p, &[false], |_| true, false),
            Verdict::Met(_)
        ));
        assert_eq!(
            m.judge(0, &t, &p, &[false], |_| true, true),
            Verdict::NotMet
        );
        // A head with a positive bias still needs positive evidence in a sentence.
        let m = model(5);
        let t = tokenize("Have a great day!", Language::En);
        let p = m.prepare(&t, None);
        assert!(m.z(0, &p, &[false]) >= 0);
        assert_eq!(
            m.judge(0, &t, &p, &[false], |_| true, true),
            Verdict::NotMet
        );
        assert_eq!(
            m.judge(0, &t, &p, &[false], |_| true, false),
            Verdict::NotMet
        );
    }

    /// Bug: with the words alone asked of a penalty's sentence, a blame said politely in a
    /// longer reply was missed (blind rounds 12 and 13: `blame_customer` found 32 of 83).
    /// The sentence is judged with the reply's tone there; a short or one-sentence reply
    /// still needs words.
    #[test]
    fn a_longer_reply_s_penalty_is_judged_with_its_tone() {
        let v = vectors_file(&[("hello", [0, 50])]);
        let ng = ngrams_file(&[("idiot", 6)]);
        let heads = r#"{"version":2,"dim":2,"criteria":["blame_customer"],"emb_frac":1,"heads":{"blame_customer":{"mode":"learned","b":-100,"rules":[0],"w":[0,1,0,0]}}}"#;
        let m = Semantic::parse(&v, &ng, heads).unwrap();
        let long = tokenize(
            "You idiot. Hello hello hello hello hello hello hello hello hello hello.",
            Language::En,
        );
        assert!(long.tokens.len() >= PENALTY_TONE_MIN_TOKENS);
        let p = m.prepare(&long, None);
        let Verdict::Met(found) = m.judge(0, &long, &p, &[false], |_| true, true) else {
            panic!("the first sentence with the reply's tone commits it")
        };
        assert_eq!(found.span, (long.sentences[0].first, long.sentences[0].end));
        let short = tokenize("You idiot. Hello hello.", Language::En);
        assert!(short.tokens.len() < PENALTY_TONE_MIN_TOKENS);
        let one = tokenize(
            "You idiot hello hello hello hello hello hello hello hello hello hello.",
            Language::En,
        );
        assert_eq!(one.sentences.len(), 1);
        assert!(one.tokens.len() >= PENALTY_TONE_MIN_TOKENS);
        // Each fires as a whole, by its tone, and neither is penalised for it.
        for reply in [short, one] {
            let p = m.prepare(&reply, None);
            assert!(m.z(0, &p, &[false]) >= 0, "the reply as a whole fires");
            assert_eq!(
                m.judge(0, &reply, &p, &[false], |_| true, true),
                Verdict::NotMet
            );
        }
    }

    #[test]
    fn the_mean_is_integer_and_skips_unknown_words() {
        let m = model(0);
        assert_eq!(m.vectors().mean(["sorry", "zzz", "hello"]), vec![800, 400]);
        assert_eq!(m.vectors().mean(["zzz"]), vec![0, 0]);
    }

    #[test]
    fn broken_model_files_are_errors_not_panics() {
        assert_eq!(
            Vectors::parse(b"nope").unwrap_err(),
            ModelError::Truncated(0)
        );
        let mut v = vectors_file(&[("a", [1, 1])]);
        v.truncate(v.len() - 1);
        assert!(matches!(Vectors::parse(&v), Err(ModelError::Truncated(_))));
        let v = vectors_file(&[("a", [1, 1])]);
        let ng = ngrams_file(&[]);
        let bad = r#"{"version":2,"dim":3,"criteria":["x"],"emb_frac":1,"heads":{}}"#;
        assert!(matches!(
            Semantic::parse(&v, &ng, bad),
            Err(ModelError::DimensionMismatch { .. })
        ));
        let old = r#"{"version":1,"dim":2,"heads":{}}"#;
        assert!(matches!(
            Semantic::parse(&v, &ng, old),
            Err(ModelError::BadHeads(_))
        ));
        // Embedding weights are read as i32 (the dot product's kernel is i32 x i32).
        let v = vectors_file(&[("a", [1, 1])]);
        let ng = ngrams_file(&[]);
        let big = |w: i64| {
            format!(
                r#"{{"version":2,"dim":2,"criteria":["apologize"],"emb_frac":1,"heads":{{"apologize":{{"mode":"learned","b":0,"rules":[0],"w":[{w},0,0,0]}}}}}}"#
            )
        };
        assert!(Semantic::parse(&v, &ng, &big(i64::from(i32::MAX))).is_ok());
        assert!(matches!(
            Semantic::parse(&v, &ng, &big(1 << 31)),
            Err(ModelError::BadHeads(_))
        ));
        assert!(matches!(
            Ngrams::parse(&ng[..100]),
            Err(ModelError::Truncated(_))
        ));
    }
}
