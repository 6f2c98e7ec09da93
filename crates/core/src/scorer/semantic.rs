//! The semantic stage: recall for the paraphrases no phrase covers.
//!
//! A reply is embedded with static word vectors (distilled once from a multilingual
//! sentence encoder, `crates/core/model/README.md`) looked up on the scorer's own tokens,
//! so there is one tokenizer for the crate. One linear head per criterion reads
//! `[a, a ⊙ c]`: the mean vector of the reply and its product with the mean vector of the
//! customer's line. Everything is integer arithmetic, so a reply scores the same on every
//! machine:
//!
//! - a token's vector is `dim` int8 values; unknown tokens are skipped;
//! - `a_k = trunc(16 · S_k / n)` for the sum `S` of the `n` known tokens' vectors (0 if none);
//! - `p_k = trunc(a_k · c_k / 256)`, `c` the customer line's mean;
//! - a head fires when `Σ w_k x_k + b ≥ 0` over `x = [a, p]`.
//!
//! What the stage may do is decided per criterion by the model (`mode`): nothing
//! (`rules`), add evidence where the rules found none (`or`), or replace the phrases
//! (`semantic`). Its evidence is the sentence that carries the move best, it passes
//! through the same negation, `unless` and relation checks as a phrase's, and it shows
//! the nearest labelled example it resembles ("sounds like: ...").

use std::collections::HashMap;

use serde::Deserialize;

use super::text::Text;

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
    /// Reads the format of `crates/core/model/README.md`.
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

    /// Adds the vector of `word` to `sum`; whether it was known.
    fn add(&self, word: &str, sum: &mut [i32]) -> bool {
        let Some(&i) = self.index.get(word) else {
            return false;
        };
        let row = &self.data[i as usize * self.dim..(i as usize + 1) * self.dim];
        for (s, &v) in sum.iter_mut().zip(row) {
            *s += i32::from(v);
        }
        true
    }

    /// The integer mean `a` of the vectors of `words` (see the module docs).
    pub fn mean<'w>(&self, words: impl IntoIterator<Item = &'w str>) -> Vec<i32> {
        let mut sum = vec![0i32; self.dim];
        let n = words.into_iter().filter(|w| self.add(w, &mut sum)).count() as i32;
        mean_of(sum, n)
    }
}

/// How a criterion combines the rules and its head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The head is not used.
    Rules,
    /// Met when the rules or the head find it.
    Or,
    /// The head replaces the phrases (negation and relations still apply).
    Semantic,
}

#[derive(Deserialize)]
struct RawHeads {
    version: u32,
    dim: usize,
    heads: std::collections::BTreeMap<String, RawHead>,
}

#[derive(Deserialize)]
struct RawHead {
    mode: Mode,
    w: Vec<i32>,
    b: i64,
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
    w: Vec<i32>,
    b: i64,
    examples: Vec<(String, Vec<i32>)>,
}

impl Head {
    /// `Σ w x + b` over features `x` (see [`Semantic::features`]).
    fn z(&self, x: &[i32]) -> i64 {
        // |w| <= 32000 and |x| < 2^15 (see the model README), so each product fits an
        // i32; the sum is taken in i64.
        self.w
            .iter()
            .zip(x)
            .map(|(&w, &x)| i64::from(w.wrapping_mul(x)))
            .sum::<i64>()
            + self.b
    }

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

/// The word vectors and the heads, ready to judge.
#[derive(Debug)]
pub struct Semantic {
    vectors: std::sync::Arc<Vectors>,
    heads: Vec<Head>,
}

/// One reply as the heads see it (see [`Semantic::embed`]).
#[derive(Debug, Clone)]
pub struct Embedded {
    /// Tokens of the reply found in the vocabulary: with none, no head fires (an empty
    /// embedding says nothing, whatever a head's bias).
    found: i32,
    /// Known tokens of each sentence.
    sentence_found: Vec<i32>,
    /// The reply's mean vector.
    a: Vec<i32>,
    /// The reply's features.
    x: Vec<i32>,
    /// Each sentence's features.
    sentences: Vec<Vec<i32>>,
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

/// The shipped model (`crates/core/model/`), compiled in.
const BUILTIN_VECTORS: &[u8] = include_bytes!("../../model/vectors.bin");
const BUILTIN_HEADS: &str = include_str!("../../model/heads.json");

impl Semantic {
    /// The shipped model, read once per process and shared.
    pub fn builtin() -> std::sync::Arc<Semantic> {
        static MODEL: std::sync::OnceLock<std::sync::Arc<Semantic>> = std::sync::OnceLock::new();
        MODEL
            .get_or_init(|| {
                // The artifacts are checked against their sha256 by the tests; a broken
                // build of them is a bug in `make model`, not an input to recover from.
                std::sync::Arc::new(
                    Semantic::parse(BUILTIN_VECTORS, BUILTIN_HEADS)
                        .expect("the shipped semantic model is valid"),
                )
            })
            .clone()
    }

    /// This model with every head in `mode` (for comparing rules, semantics and the
    /// hybrid; `personalize` stays with the rules: a name is a fact, not a paraphrase).
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
            heads,
        }
    }

    pub fn parse(vectors: &[u8], heads: &str) -> Result<Semantic, ModelError> {
        Self::parse_heads(std::sync::Arc::new(Vectors::parse(vectors)?), heads)
    }

    /// These word vectors with other heads (a `make train` output), for comparisons.
    pub fn with_heads(&self, heads: &str) -> Result<Semantic, ModelError> {
        Self::parse_heads(self.vectors.clone(), heads)
    }

    fn parse_heads(vectors: std::sync::Arc<Vectors>, heads: &str) -> Result<Semantic, ModelError> {
        let raw: RawHeads =
            serde_json::from_str(heads).map_err(|e| ModelError::BadHeads(e.to_string()))?;
        if raw.version != 1 {
            return Err(ModelError::BadHeads(format!("version {}", raw.version)));
        }
        if raw.dim != vectors.dim {
            return Err(ModelError::DimensionMismatch {
                heads: raw.dim,
                vectors: vectors.dim,
            });
        }
        let heads = raw
            .heads
            .into_iter()
            .map(|(criterion, h)| {
                if h.w.len() != 2 * raw.dim
                    || h.examples.iter().any(|e| e.a.len() != raw.dim)
                    || h.w.iter().any(|w| w.abs() > 32_000)
                {
                    return Err(ModelError::BadHeads(format!(
                        "`{criterion}` has weights out of range or of the wrong length"
                    )));
                }
                Ok(Head {
                    criterion,
                    mode: h.mode,
                    w: h.w,
                    b: h.b,
                    examples: h.examples.into_iter().map(|e| (e.text, e.a)).collect(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Semantic { vectors, heads })
    }

    pub fn heads(&self) -> &[Head] {
        &self.heads
    }

    pub fn vectors(&self) -> &Vectors {
        &self.vectors
    }

    /// The customer line's mean vector, computed once per reply.
    pub fn customer_mean(&self, customer: Option<&Text>) -> Vec<i32> {
        match customer {
            Some(t) => self.vectors.mean(t.tokens.iter().map(|t| t.norm.as_str())),
            None => vec![0; self.vectors.dim],
        }
    }

    /// Everything the heads read of one reply, computed once: the reply's features and
    /// each sentence's (each token is looked up once).
    pub fn embed(&self, text: &Text, customer: Option<&Text>) -> Embedded {
        let d = self.vectors.dim;
        let c = self.customer_mean(customer);
        let mut total = vec![0i32; d];
        let mut found = 0i32;
        let mut sentences = Vec::with_capacity(text.sentences.len());
        let mut sentence_found = Vec::with_capacity(text.sentences.len());
        for s in &text.sentences {
            let mut sum = vec![0i32; d];
            let n = text.tokens[s.first..s.end]
                .iter()
                .filter(|t| self.vectors.add(&t.norm, &mut sum))
                .count() as i32;
            for (t, v) in total.iter_mut().zip(&sum) {
                *t += v;
            }
            found += n;
            sentence_found.push(n);
            sentences.push(Self::features(&mean_of(sum, n), &c));
        }
        let a = mean_of(total, found);
        Embedded {
            found,
            sentence_found,
            x: Self::features(&a, &c),
            a,
            sentences,
        }
    }

    /// Runs head `h` on the reply: `None` when it does not fire; else the best sentence
    /// among those `eligible` allows (none eligible: `None`).
    pub fn judge(
        &self,
        h: usize,
        text: &Text,
        e: &Embedded,
        eligible: impl Fn(usize) -> bool,
    ) -> Option<Found> {
        let head = &self.heads[h];
        if head.mode == Mode::Rules || e.found == 0 || head.z(&e.x) < 0 {
            return None;
        }
        let best = text
            .sentences
            .iter()
            .enumerate()
            .filter(|&(k, s)| s.end > s.first && e.sentence_found[k] > 0 && eligible(k))
            .map(|(k, s)| (head.z(&e.sentences[k]), std::cmp::Reverse(k), s))
            .max_by_key(|&(z, k, _)| (z, k))?;
        Some(Found {
            span: (best.2.first, best.2.end),
            sounds_like: head.nearest(&e.a).map(str::to_string),
        })
    }

    /// The features `x = [a, p]` of a reply mean `a` and a customer mean `c`.
    pub fn features(a: &[i32], c: &[i32]) -> Vec<i32> {
        a.iter()
            .copied()
            .chain(a.iter().zip(c).map(|(&x, &y)| x * y / 256))
            .collect()
    }

    /// Head `h`'s sum `Σ w x + b` (it fires when this is >= 0).
    pub fn head_sum(&self, h: usize, a: &[i32], c: &[i32]) -> i64 {
        self.heads[h].z(&Self::features(a, c))
    }

    /// The reply's mean vector over all its tokens.
    pub fn reply_mean(&self, text: &Text) -> Vec<i32> {
        self.vectors
            .mean(text.tokens.iter().map(|t| t.norm.as_str()))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::Language;
    use crate::scorer::text::tokenize;

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

    fn model() -> Semantic {
        let v = vectors_file(&[
            ("sorry", [100, 0]),
            ("apologies", [90, 10]),
            ("hello", [0, 50]),
        ]);
        // Fires when the first coordinate of the mean is high.
        let heads = r#"{"version":1,"dim":2,"heads":{"apologize":{"mode":"or","w":[1,0,0,0],"b":-400,
            "examples":[{"text":"So sorry about that.","a":[1600,0]}]}}}"#;
        Semantic::parse(&v, heads).unwrap()
    }

    #[test]
    fn the_mean_is_integer_and_skips_unknown_words() {
        let m = model();
        assert_eq!(m.vectors().mean(["sorry", "zzz", "hello"]), vec![800, 400]);
        assert_eq!(m.vectors().mean(["zzz"]), vec![0, 0]);
    }

    #[test]
    fn a_head_fires_on_the_sentence_that_carries_the_move() {
        let m = model();
        let t = tokenize("Hello hello. Apologies!", Language::En);
        let e = m.embed(&t, None);
        let found = m.judge(0, &t, &e, |_| true).expect("fires");
        assert_eq!(found.span, (t.sentences[1].first, t.sentences[1].end));
        assert_eq!(found.sounds_like.as_deref(), Some("So sorry about that."));
        assert!(m
            .judge(0, &t, &e, |k| k == 0)
            .is_some_and(|f| f.span.0 == 0));
        let t = tokenize("Hello there.", Language::En);
        assert!(m.judge(0, &t, &m.embed(&t, None), |_| true).is_none());
    }

    /// A reply with no word the model knows ("12345 67890 !!!") has an empty embedding;
    /// heads with a positive bias fired on it.
    #[test]
    fn an_empty_embedding_fires_nothing() {
        let v = vectors_file(&[("sorry", [100, 0])]);
        let heads =
            r#"{"version":1,"dim":2,"heads":{"apologize":{"mode":"or","w":[0,0,0,0],"b":5}}}"#;
        let m = Semantic::parse(&v, heads).unwrap();
        let t = tokenize("12345 67890 !!!", Language::En);
        assert!(m.judge(0, &t, &m.embed(&t, None), |_| true).is_none());
        let t = tokenize("Sorry.", Language::En);
        assert!(m.judge(0, &t, &m.embed(&t, None), |_| true).is_some());
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
        let bad = r#"{"version":1,"dim":3,"heads":{}}"#;
        assert!(matches!(
            Semantic::parse(&v, bad),
            Err(ModelError::DimensionMismatch { .. })
        ));
    }
}
