//! The detectors phrases cannot express: negation, questions, shouting, and mirroring
//! the customer's own words. Each returns token ranges, like phrase matches, so the same
//! evidence machinery explains them.

use std::collections::BTreeSet;

use super::text::{Text, Token};
use crate::model::Language;

/// Words that negate what follows them within a clause.
pub fn negators(lang: Language) -> &'static [&'static str] {
    match lang {
        Language::En => &[
            "not", "no", "never", "nobody", "nothing", "without", "hardly", "nor", "unable",
        ],
        Language::Fr => &[
            "pas", "ne", "jamais", "aucun", "aucune", "rien", "sans", "personne", "ni",
        ],
    }
}

/// How far back a negation reaches: "I'm not really sorry" is negated, "you don't use
/// it would annoy anyone" is not.
const NEGATION_REACH: usize = 2;

/// Whether the match starting at token `first` is negated by a word shortly before it in
/// the same clause ("I'm not sorry", "I won't blame you").
pub fn negated(text: &Text, first: usize, negators: &[&str]) -> bool {
    let clause = text.tokens[first].clause;
    (1..=NEGATION_REACH)
        .map_while(|k| first.checked_sub(k))
        .take_while(|&j| text.tokens[j].clause == clause)
        .any(|j| negators.contains(&text.tokens[j].norm.as_str()))
}

/// Words that carry no fact of the customer's situation: pronouns, auxiliaries,
/// determiners, prepositions, fillers.
fn is_stopword(w: &str, lang: Language) -> bool {
    const EN: &[&str] = &[
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "anyone",
        "anything",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "down",
        "even",
        "ever",
        "every",
        "for",
        "from",
        "get",
        "gets",
        "getting",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "just",
        "know",
        "let",
        "like",
        "me",
        "might",
        "more",
        "most",
        "much",
        "must",
        "my",
        "need",
        "no",
        "not",
        "now",
        "of",
        "off",
        "ok",
        "on",
        "once",
        "one",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "please",
        "really",
        "right",
        "said",
        "say",
        "says",
        "see",
        "seriously",
        "she",
        "should",
        "so",
        "some",
        "someone",
        "something",
        "still",
        "such",
        "sure",
        "tell",
        "than",
        "thank",
        "thanks",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "thing",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "us",
        "very",
        "want",
        "was",
        "way",
        "we",
        "well",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "will",
        "with",
        "would",
        "yes",
        "yet",
        "you",
        "your",
        "yours",
        "yourself",
        "actually",
        "anyway",
        "going",
        "make",
        "made",
        "people",
        "guess",
        "oh",
        "great",
        "another",
    ];
    const FR: &[&str] = &[
        "a", "ai", "au", "aux", "avec", "avez", "avoir", "ce", "cela", "ces", "cet", "cette",
        "comme", "dans", "de", "des", "du", "elle", "en", "est", "et", "etre", "eu", "fait", "il",
        "ils", "je", "la", "le", "les", "leur", "lui", "ma", "mais", "me", "mes", "moi", "mon",
        "ne", "nous", "on", "ou", "par", "pas", "plus", "pour", "qu", "que", "qui", "sa", "se",
        "ses", "si", "son", "suis", "sur", "ta", "te", "tes", "toi", "ton", "tu", "un", "une",
        "vos", "votre", "vous", "y", "ca", "deja", "encore", "tres", "bien", "tout", "toujours",
        "jamais", "rien", "fois", "ete", "sont", "etes", "avais", "avait", "ont",
    ];
    match lang {
        Language::En => EN.contains(&w),
        Language::Fr => FR.contains(&w),
    }
}

/// Whether a token can name part of a situation: a number, or a word of three letters
/// or more that is not a stopword.
fn is_content(t: &Token, lang: Language) -> bool {
    (t.number || t.norm.chars().count() >= 3 && t.norm.chars().all(char::is_alphabetic))
        && !is_stopword(&t.norm, lang)
}

/// The stems of the customer's line that name their situation.
pub fn content_stems<S: AsRef<str>>(text: &Text, stems: &[S], lang: Language) -> BTreeSet<String> {
    text.tokens
        .iter()
        .zip(stems)
        .filter(|(t, _)| is_content(t, lang))
        .map(|(_, s)| s.as_ref().to_string())
        .collect()
}

/// Whether every content word of tokens `first..end` is one of the customer's.
pub fn from_customer(
    text: &Text,
    stems: &[&str],
    customer: &BTreeSet<String>,
    (first, end): (usize, usize),
    lang: Language,
) -> bool {
    let mut content = (first..end)
        .filter(|&i| is_content(&text.tokens[i], lang))
        .peekable();
    content.peek().is_some() && content.all(|i| customer.contains(stems[i]))
}

/// How many of the customer's content words a sentence must restate to count as
/// reflecting their situation back. One shared word is chance ("card", "order"); two is
/// a paraphrase.
pub const MIRROR_MIN_WORDS: usize = 2;

/// Sentences of the reply that restate the customer's situation in the customer's words.
/// In a sentence that already apologises or names the feeling (`anchored`), one of the
/// customer's words is enough: "I'm sorry it didn't arrive in time for the party".
pub fn mirrored(
    text: &Text,
    stems: &[&str],
    customer: &BTreeSet<String>,
    anchored: &[bool],
) -> Vec<(usize, usize)> {
    if customer.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (k, s) in text.sentences.iter().enumerate() {
        seen.clear();
        let mut first_hit = None;
        let mut last_hit = 0;
        for (i, stem) in stems.iter().enumerate().take(s.end).skip(s.first) {
            if customer.contains(*stem) && !seen.contains(stem) {
                seen.push(stem);
                first_hit.get_or_insert(i);
                last_hit = i + 1;
            }
        }
        let needed = if anchored.get(k).copied().unwrap_or(false) {
            1
        } else {
            MIRROR_MIN_WORDS
        };
        if seen.len() >= needed {
            out.push((first_hit.unwrap_or(s.first), last_hit));
        }
    }
    out
}

/// Capitalised words that are shouting rather than acronyms: a common word in capitals
/// ("WHAT model", "I ALREADY told you"), a word too long for an acronym ("TWICE"; most
/// acronyms have four letters or fewer), or three capitalised words in a row.
pub fn shouting(text: &Text, lang: Language) -> Vec<(usize, usize)> {
    let toks = &text.tokens;
    let is_caps = |i: usize| toks[i].caps && toks[i].norm.chars().all(char::is_alphabetic);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if !is_caps(i) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < toks.len() && is_caps(j) && toks[j].sentence == toks[i].sentence {
            j += 1;
        }
        // Distinct written words, not tokens: "ITS" is two tokens of one word.
        let words = toks[i..j]
            .windows(2)
            .filter(|w| w[0].start != w[1].start)
            .count()
            + 1;
        let common = toks[i..j].iter().any(|t| {
            is_stopword(&t.norm, lang) && !matches!(t.norm.as_str(), "i" | "ok" | "a" | "us" | "it")
        });
        let long = toks[i..j].iter().any(|t| t.norm.chars().count() >= 5);
        if words >= 3 || common || long {
            out.push((i, j));
        }
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scorer::text::tokenize;

    #[test]
    fn negation_reaches_three_words_within_a_clause() {
        let t = tokenize("I'm not really sorry", Language::En);
        assert!(negated(&t, 4, negators(Language::En)));
        let t = tokenize("No, sorry", Language::En);
        assert!(!negated(&t, 1, negators(Language::En)));
    }

    #[test]
    fn shouting_is_not_acronyms() {
        let t = tokenize("Your ATM PIN is fine", Language::En);
        assert!(shouting(&t, Language::En).is_empty());
        let t = tokenize("WHAT model is it", Language::En);
        assert_eq!(shouting(&t, Language::En), vec![(0, 1)]);
        let t = tokenize("THE KEY IS THE LONG CODE", Language::En);
        assert_eq!(shouting(&t, Language::En).len(), 1);
    }
}
