//! Tokenising a reply once, into words a phrase can match, without losing where they were.
//!
//! Trainees write "im sorry", "I'm sorry" and "I am sorry"; "can't", "cant" and "cannot";
//! "£54.00" and "54". All of those must look the same to a phrase, so every word is
//! lowercased, stripped of accents, its contraction expanded (one written word can give
//! several tokens, all pointing at the same characters) and numbers are put in one
//! canonical form. Each token keeps the char offsets of the written word, so evidence can
//! always be cut from the original reply on character boundaries.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

use crate::lang::{self, CURRENCY, ORDINALS, SENTENCE_OPENERS, SPELLING};
use crate::model::Language;
use crate::pattern::FxHasher;

/// A token's text: inline when short (nearly every word), so tokenizing a reply does not
/// allocate once per token; it reads as a `str`.
#[derive(Clone)]
pub struct Norm(NormRepr);

#[derive(Clone)]
enum NormRepr {
    Inline(u8, [u8; NORM_INLINE]),
    Heap(Box<str>),
}

/// The longest text kept inline: the enum stays the size of a `String`.
const NORM_INLINE: usize = 22;

impl Norm {
    pub fn as_str(&self) -> &str {
        match &self.0 {
            NormRepr::Inline(len, buf) => {
                let bytes = &buf[..*len as usize];
                // SAFETY: `bytes` is a copy of a whole `&str` (see `From<&str>`).
                unsafe { std::str::from_utf8_unchecked(bytes) }
            }
            NormRepr::Heap(s) => s,
        }
    }
}

impl From<&str> for Norm {
    fn from(s: &str) -> Norm {
        if s.len() <= NORM_INLINE {
            let mut buf = [0; NORM_INLINE];
            buf[..s.len()].copy_from_slice(s.as_bytes());
            Norm(NormRepr::Inline(s.len() as u8, buf))
        } else {
            Norm(NormRepr::Heap(s.into()))
        }
    }
}

impl From<String> for Norm {
    fn from(s: String) -> Norm {
        if s.len() <= NORM_INLINE {
            Norm::from(s.as_str())
        } else {
            Norm(NormRepr::Heap(s.into_boxed_str()))
        }
    }
}

impl std::ops::Deref for Norm {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Norm {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for Norm {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Norm {
    fn eq(&self, other: &Norm) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Norm {}

impl PartialOrd for Norm {
    fn partial_cmp(&self, other: &Norm) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Norm {
    fn cmp(&self, other: &Norm) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialEq<str> for Norm {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Norm {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::hash::Hash for Norm {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.as_str().hash(h)
    }
}

impl std::fmt::Debug for Norm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Norm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self.as_str(), f)
    }
}

/// One normalised word of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Char offset of the written word, `end` exclusive. Tokens expanded from one
    /// contraction share the span of the word they came from.
    pub start: usize,
    pub end: usize,
    /// Lowercase, accent-folded, contraction-expanded form.
    pub norm: Norm,
    /// `norm`'s id in the shipped lexicon ([`crate::semantic::lexicon`]), set by
    /// [`crate::semantic::Vectors::intern`]; [`crate::pattern::NONE`] for a word it does
    /// not hold, or before it is interned.
    pub word: u32,
    pub sentence: usize,
    /// Clauses split sentences at commas, semicolons, dashes and contrastive words
    /// ("but"), so a negation or a "but" only reaches as far as it does in speech.
    pub clause: usize,
    /// The written word was in capitals (two letters or more): shouting, or an acronym.
    pub caps: bool,
    /// The written word opens with a capital and goes on in lower case ("Toronto").
    pub title: bool,
    /// Starts with a digit: "3", "64.99", "9am".
    pub number: bool,
    /// A currency sign or word stands next to this number.
    pub money: bool,
    /// The written word was a contrastive conjunction ("but", "however", "mais").
    pub contrast: bool,
}

/// A sentence: a run of tokens ended by `.`, `!`, `?`, a newline or the end of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence {
    /// Token range, `end` exclusive.
    pub first: usize,
    pub end: usize,
    /// Ends with `?`, or opens the way questions do ("could you", "what is").
    pub question: bool,
}

/// A tokenised text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text {
    pub tokens: Vec<Token>,
    pub sentences: Vec<Sentence>,
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`')
}

fn is_currency(c: char) -> bool {
    matches!(c, '$' | '£' | '€' | '¥')
}

/// Splits `text` into tokens and sentences.
pub fn tokenize(text: &str, lang: Language) -> Text {
    let chars: Vec<char> = text.chars().collect();
    // A token per word or so: room for them all up front, so the vector never regrows.
    let mut out = Text {
        tokens: Vec::with_capacity(chars.len() / 4 + 4),
        sentences: Vec::with_capacity(8),
    };
    // One scratch buffer for the written word and one for its tokens, reused for every
    // word: each token's text is then the one exact-size allocation it keeps.
    let mut word = String::new();
    let mut norms: Vec<Norm> = Vec::with_capacity(4);
    let mut sentence_first = 0;
    let mut sentence_question = false;
    let mut clause = 0;
    let mut pending_money = false;
    let mut i = 0;
    let close_sentence =
        |out: &mut Text, first: &mut usize, question: &mut bool, clause: &mut usize| {
            if out.tokens.len() > *first {
                out.sentences.push(Sentence {
                    first: *first,
                    end: out.tokens.len(),
                    question: *question,
                });
                *first = out.tokens.len();
                *clause += 1;
            }
            *question = false;
        };
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphanumeric() {
            let start = i;
            word.clear();
            let (mut letters, mut lower) = (0, 0);
            let opens_upper = c.is_uppercase();
            while i < chars.len() {
                let c = chars[i];
                let next = chars.get(i + 1).copied();
                let prev = if i > start { Some(chars[i - 1]) } else { None };
                if c.is_alphanumeric() {
                    letters += usize::from(c.is_alphabetic());
                    lower += usize::from(c.is_lowercase());
                    fold_into(c, &mut word);
                } else if is_apostrophe(c) && next.is_some_and(char::is_alphabetic) {
                    word.push('\'');
                } else if matches!(c, '.' | ',')
                    && prev.is_some_and(|p| p.is_ascii_digit())
                    && next.is_some_and(|n| n.is_ascii_digit())
                {
                    word.push(c);
                } else {
                    break;
                }
                i += 1;
            }
            let caps = letters >= 2 && lower == 0;
            let title = opens_upper && lower > 0;
            let sentence = out.sentences.len();
            let first_new = out.tokens.len();
            normalize_folded(&word, lang, &mut norms);
            for (k, norm) in norms.drain(..).enumerate() {
                let number = norm.starts_with(|c: char| c.is_ascii_digit());
                let contrast = k == 0 && is_contrast(&norm, lang);
                if contrast && out.tokens.len() > sentence_first {
                    clause += 1;
                }
                out.tokens.push(Token {
                    start,
                    end: i,
                    norm,
                    word: crate::pattern::NONE,
                    sentence,
                    clause,
                    caps,
                    title,
                    number,
                    money: number && pending_money,
                    contrast,
                });
            }
            pending_money = false;
            // "54 pounds": the word after the number makes it money.
            if out.tokens.len() > first_new && first_new > 0 {
                let this = &out.tokens[first_new].norm;
                if CURRENCY.contains(&this.as_str()) && out.tokens[first_new - 1].number {
                    out.tokens[first_new - 1].money = true;
                }
            }
            continue;
        }
        match c {
            '.' | '!' | '?' | '\n' | '…' | '¿' | '¡' => {
                if c == '?' {
                    sentence_question = true;
                }
                // A run of terminators ("?!", "...") ends one sentence.
                let mut j = i + 1;
                while j < chars.len()
                    && matches!(chars[j], '.' | '!' | '?' | '…' | ' ' | '\n' | '\r' | '\t')
                {
                    if chars[j] == '?' {
                        sentence_question = true;
                    }
                    j += 1;
                }
                close_sentence(
                    &mut out,
                    &mut sentence_first,
                    &mut sentence_question,
                    &mut clause,
                );
                i = j;
                pending_money = false;
                continue;
            }
            ',' | ';' | ':' | '(' | ')' | '"' | '–' | '—' | '-' | '/' | '“' | '”' => {
                if out.tokens.len() > sentence_first {
                    clause += 1;
                }
                pending_money = false;
            }
            c if is_currency(c) => pending_money = true,
            c if c.is_whitespace() => {}
            c if is_apostrophe(c) => {}
            // Emoji and other symbols: a token of their own, so a phrase can name them.
            c => {
                out.tokens.push(Token {
                    start: i,
                    end: i + 1,
                    norm: Norm::from(c.encode_utf8(&mut [0; 4]) as &str),
                    word: crate::pattern::NONE,
                    sentence: out.sentences.len(),
                    clause,
                    caps: false,
                    title: false,
                    number: false,
                    money: false,
                    contrast: false,
                });
                pending_money = false;
            }
        }
        i += 1;
    }
    close_sentence(
        &mut out,
        &mut sentence_first,
        &mut sentence_question,
        &mut clause,
    );
    for s in &mut out.sentences {
        if !s.question {
            s.question = opens_like_question(&out.tokens[s.first..s.end], lang);
        }
    }
    out
}

fn is_contrast(norm: &str, lang: Language) -> bool {
    lang::data(lang).contrast.contains(&norm)
}

/// Words a sentence may open with before its real start ("OK, what is ...").
fn is_opener(norm: &str) -> bool {
    SENTENCE_OPENERS.contains(&norm)
}

/// Questions typed without a question mark still open like questions in English: an
/// auxiliary before its subject ("could you ...", "is the ..."), or a question word that
/// is not an exclamation ("what is", not "what a headache").
fn opens_like_question(tokens: &[Token], lang: Language) -> bool {
    let words: Vec<&str> = tokens
        .iter()
        .map(|t| t.norm.as_str())
        .skip_while(|w| is_opener(w))
        .take(3)
        .collect();
    let (first, second) = match words.as_slice() {
        [a, b, ..] => (*a, *b),
        _ => return false,
    };
    match lang {
        Language::En => {
            const AUX: &[&str] = lang::EN.question_verbs;
            const SUBJ: &[&str] = lang::EN.question_subjects;
            const WH: &[&str] = lang::EN.question_words;
            (AUX.contains(&first) && SUBJ.contains(&second))
                || (WH.contains(&first) && !lang::EN.exclamation.contains(&second))
                || (first == "how" && lang::EN.how_asks.contains(&second))
        }
        Language::Fr => {
            (first == "est" && second == "ce" && words.get(2) == Some(&"que"))
                || (lang::FR.question_verbs.contains(&first)
                    && lang::FR.question_subjects.contains(&second))
        }
    }
}

/// English contractions written without their apostrophe, as trainees type them. Words
/// that are also ordinary words ("well", "were", "id") are left out, except "ill": "Ill
/// check" is far likelier from an agent than "ill".
fn en_bare(word: &str) -> Option<&'static [&'static str]> {
    // Asked for every English word: a scan of the list compared each with dozens.
    type Map = HashMap<&'static str, &'static [&'static str], BuildHasherDefault<FxHasher>>;
    static MAP: OnceLock<Map> = OnceLock::new();
    MAP.get_or_init(|| lang::EN.bare.iter().copied().collect())
        .get(word)
        .copied()
}

/// Lowercase and strip accents: "Désolé" and "desole" are the same word to a trainee in a hurry.
pub fn fold(word: &str) -> String {
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    let mut s = String::with_capacity(word.len());
    for c in word.chars() {
        fold_into(c, &mut s);
    }
    s
}

/// Appends `c` lowercased and without its accent.
fn fold_into(c: char, s: &mut String) {
    if c.is_ascii() {
        s.push(c.to_ascii_lowercase());
        return;
    }
    for c in c.to_lowercase() {
        match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => s.push('a'),
            'ç' => s.push('c'),
            'é' | 'è' | 'ê' | 'ë' => s.push('e'),
            'î' | 'ï' | 'í' | 'ì' => s.push('i'),
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' => s.push('o'),
            'ù' | 'û' | 'ü' | 'ú' => s.push('u'),
            'ÿ' | 'ý' => s.push('y'),
            'ñ' => s.push('n'),
            'œ' => s.push_str("oe"),
            'æ' => s.push_str("ae"),
            c => s.push(c),
        }
    }
}

/// The normalised tokens of one written word (letters, digits and inner apostrophes),
/// already lowercased and accent-folded.
/// Appends them to `out`.
fn normalize_folded(folded: &str, lang: Language, out: &mut Vec<Norm>) {
    if folded.starts_with(|c: char| c.is_ascii_digit()) {
        // "2pm" is a number and a word, so "at 2" and "2 pm" read the same.
        for suffix in lang::CLOCK {
            if let Some(n) = folded
                .strip_suffix(suffix)
                .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
            {
                out.extend([canonical_number(n).into(), Norm::from(*suffix)]);
                return;
            }
        }
        out.push(canonical_number(folded).into());
        return;
    }
    // Most words need no expansion: one copy of the word.
    if lang == Language::En
        && folded.len() < 6
        && !folded.contains('\'')
        && en_bare(folded).is_none()
    {
        out.push(folded.into());
        return;
    }
    let from = out.len();
    match lang {
        Language::En => expand_en(folded, out),
        Language::Fr => expand_fr(folded, out),
    }
    for w in out[from..].iter_mut().filter(|w| w.len() >= 6) {
        if let Some((from, to)) = SPELLING.iter().find(|(from, _)| w.starts_with(from)) {
            *w = Norm::from(format!("{to}{}", &w[from.len()..]));
        }
    }
}

fn expand_en(w: &str, out: &mut Vec<Norm>) {
    if let Some((base, suffix)) = w.split_once('\'') {
        let suffix = suffix.replace('\'', "");
        match suffix.as_str() {
            "m" => out.extend([base.into(), "am".into()]),
            "re" => out.extend([base.into(), "are".into()]),
            "ve" => out.extend([base.into(), "have".into()]),
            "ll" => out.extend([base.into(), "will".into()]),
            "d" => out.extend([base.into(), "would".into()]),
            "t" if base.ends_with('n') => {
                let aux = match base {
                    "can" | "ca" => "can",
                    "won" | "wo" => "will",
                    "ain" | "ai" => "is",
                    "shan" => "shall",
                    b => &b[..b.len() - 1],
                };
                out.extend([aux.into(), "not".into()]);
            }
            "s" if base == "let" => out.extend(["let".into(), "us".into()]),
            "s" if lang::EN.is_contracted.contains(&base) => out.extend([base.into(), "is".into()]),
            // Possessive: "Dana's card" is about the card.
            "s" => out.push(base.into()),
            _ => out.push(format!("{base}{suffix}").into()),
        }
        return;
    }
    match en_bare(w) {
        Some(full) => out.extend(full.iter().map(|s| Norm::from(*s))),
        None => out.push(w.into()),
    }
}

fn expand_fr(w: &str, out: &mut Vec<Norm>) {
    let mut rest = w;
    while let Some((head, tail)) = rest.split_once('\'') {
        match lang::FR.elided.iter().find(|(e, _)| *e == head) {
            Some((_, full)) => out.push(Norm::from(*full)),
            None => {
                // "aujourd'hui": the apostrophe is inside a word.
                out.push(format!("{head}{}", tail.replace('\'', "")).into());
                return;
            }
        }
        rest = tail;
    }
    match lang::FR.bare.iter().find(|(bare, _)| *bare == rest) {
        Some((_, full)) => out.extend(full.iter().map(|s| Norm::from(*s))),
        None => out.push(rest.into()),
    }
}

/// One spelling per number: "1,000" and "1000"; "54,50" (French) and "54.50"; "54.00"
/// and "54"; "03" and "3"; "14th", "1st" and "2e" are their numbers.
pub fn canonical_number(w: &str) -> String {
    let digits_end = w
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(w.len());
    let (num, suffix) = w.split_at(digits_end);
    if !suffix.is_empty() && !ORDINALS.contains(&suffix) {
        return w.to_string();
    }
    let mut s = String::with_capacity(num.len());
    let parts: Vec<&str> = num.split([',', '.']).collect();
    let seps: Vec<char> = num.chars().filter(|c| matches!(c, ',' | '.')).collect();
    for (k, part) in parts.iter().enumerate() {
        if k == 0 {
            s.push_str(part);
            continue;
        }
        // A separator before exactly three digits that is not the last separator, or
        // a comma before three digits, groups thousands; anything else is a decimal point.
        let thousands = part.len() == 3 && (k < parts.len() - 1 || seps[k - 1] == ',');
        if !thousands {
            s.push('.');
        }
        s.push_str(part);
    }
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    let trimmed = s.trim_start_matches('0');
    if trimmed.is_empty() || trimmed.starts_with('.') {
        format!("0{trimmed}")
    } else {
        trimmed.to_string()
    }
}

/// The language a reply is written in, when the caller does not say: French when more
/// of its words are common French words than common English ones, else English.
pub fn guess_language(s: &str) -> Language {
    reply_language(s, Language::En)
}

/// The language a reply is written in, when `expected` is the conversation's: the other
/// language only when more of the reply's common words are of that language, so a short
/// or mixed reply ("ok", "Sorry, désolé") is judged in the conversation's language.
pub fn reply_language(s: &str, expected: Language) -> Language {
    const FR: &[&str] = lang::FR.common;
    const EN: &[&str] = lang::EN.common;
    let (mut fr, mut en) = (0, 0);
    let s = s.replace('’', "'");
    for w in s
        .split(|c: char| !(c.is_alphabetic() || c == '\''))
        .filter(|w| !w.is_empty())
    {
        let w = w.to_lowercase();
        // "c'est", "j'ai": the elided word counts as French.
        let head = w.split('\'').next().unwrap_or("");
        if FR.contains(&w.as_str()) || (w.contains('\'') && FR.contains(&head)) {
            fr += 1;
        } else if EN.contains(&w.as_str()) {
            en += 1;
        }
    }
    match expected {
        Language::En if fr > en => Language::Fr,
        Language::Fr if en > fr => Language::En,
        _ => expected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(text: &str) -> Vec<String> {
        tokenize(text, Language::En)
            .tokens
            .into_iter()
            .map(|t| t.norm.to_string())
            .collect()
    }

    #[test]
    fn a_reply_keeps_the_conversations_language_unless_its_words_say_otherwise() {
        assert_eq!(reply_language("ok", Language::Fr), Language::Fr);
        assert_eq!(reply_language("ok", Language::En), Language::En);
        assert_eq!(
            reply_language("Sorry, I will check your account", Language::Fr),
            Language::En
        );
        assert_eq!(
            reply_language("Je suis désolé, je vérifie votre compte", Language::En),
            Language::Fr
        );
        assert_eq!(guess_language("Je vous rappelle"), Language::Fr);
    }

    #[test]
    fn contractions_with_and_without_apostrophes_agree() {
        assert_eq!(norms("I'm sorry"), norms("im sorry"));
        assert_eq!(norms("I’m sorry"), norms("I am sorry"));
        assert_eq!(norms("I can't"), norms("I cannot"));
        assert_eq!(norms("I won't"), vec!["i", "will", "not"]);
        assert_eq!(norms("Ill check"), vec!["i", "will", "check"]);
        assert_eq!(norms("Dana's card"), vec!["dana", "card"]);
    }

    #[test]
    fn expanded_tokens_share_the_written_span() {
        let t = tokenize("So I'm here", Language::En);
        assert_eq!((t.tokens[1].start, t.tokens[1].end), (3, 6));
        assert_eq!((t.tokens[2].start, t.tokens[2].end), (3, 6));
    }

    #[test]
    fn numbers_have_one_spelling() {
        assert_eq!(canonical_number("64.99"), "64.99");
        assert_eq!(canonical_number("54,50"), "54.5");
        assert_eq!(canonical_number("1,000"), "1000");
        assert_eq!(canonical_number("1.000,50"), "1000.5");
        assert_eq!(canonical_number("54.00"), "54");
        assert_eq!(canonical_number("03"), "3");
        assert_eq!(canonical_number("14th"), "14");
        assert_eq!(canonical_number("4g"), "4g");
        let t = tokenize("That's $64.99, or 12 dollars.", Language::En);
        let money: Vec<_> = t
            .tokens
            .iter()
            .filter(|t| t.money)
            .map(|t| t.norm.as_str())
            .collect();
        assert_eq!(money, vec!["64.99", "12"]);
    }

    #[test]
    fn sentences_and_questions() {
        let t = tokenize(
            "Sorry! whats the order number\nWhat a headache. Could you check?",
            Language::En,
        );
        let q: Vec<bool> = t.sentences.iter().map(|s| s.question).collect();
        assert_eq!(q, vec![false, true, false, true]);
    }

    #[test]
    fn french_elisions_and_accents() {
        let t = tokenize("Je suis désolé, j'ai vérifié", Language::Fr);
        let n: Vec<_> = t.tokens.iter().map(|t| t.norm.as_str()).collect();
        assert_eq!(n, vec!["je", "suis", "desole", "je", "ai", "verifie"]);
        assert!(tokenize("Pouvez-vous me donner le numéro", Language::Fr).sentences[0].question);
    }

    #[test]
    fn contrast_words_open_a_clause() {
        let t = tokenize("I understand but no", Language::En);
        assert!(t.tokens[2].contrast);
        assert_ne!(t.tokens[1].clause, t.tokens[2].clause);
    }
}
