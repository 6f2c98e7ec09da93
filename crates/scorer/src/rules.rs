//! The detectors phrases cannot express: negation, questions, shouting, and mirroring
//! the customer's own words. Each returns token ranges, like phrase matches, so the same
//! evidence machinery explains them.

use std::borrow::Cow;
use std::collections::HashSet;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

use crate::lang::{
    self, AGENT, ASKING, ASKS_YOU, CALM_CAPS, CHECKING, CHOICE, DENIALS, EXPLAINING, FLAT_DENIALS,
    FUTURE, GREETING_OPENERS, IMPERATIVES, LIMITS, LOOKED, NOBODY, NOT_A_NAME, PROMISING,
    REFUSAL_TURNS, REPORTING, REQUEST_OPENERS, RESTATING, SECOND_PERSON, SIGN_OFFS, TITLES,
};
use crate::pattern::FxHasher;

use super::text::{Sentence, Text, Token};
use crate::model::Language;

/// Words that negate what follows them within a clause.
pub fn negators(lang: Language) -> &'static [&'static str] {
    lang::data(lang).negators
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
    // Asked for every content-word candidate of the reply and the customer's line: a
    // scan of the lists compared each word with dozens of same-length stopwords.
    type Set = std::collections::HashSet<&'static str, BuildHasherDefault<FxHasher>>;
    static SETS: OnceLock<[Set; 2]> = OnceLock::new();
    let sets = SETS
        .get_or_init(|| crate::LANGS.map(|l| lang::data(l).stopwords.iter().copied().collect()));
    sets[crate::lang_index(lang)].contains(w)
}

/// Whether a token can name part of a situation: a number, or a word of three letters
/// or more that is not a stopword.
fn is_content(t: &Token, lang: Language) -> bool {
    (t.number || t.norm.chars().count() >= 3 && t.norm.chars().all(char::is_alphabetic))
        && !is_stopword(&t.norm, lang)
}

/// A set of stems. Only ever asked whether it holds a stem (never iterated, so its order
/// cannot reach a score): every reply word is looked up in the customer's, several times.
/// Mostly the lexicon's own stems, borrowed rather than copied.
pub type Stems = HashSet<Cow<'static, str>, BuildHasherDefault<FxHasher>>;

/// The stems of the customer's line that name their situation; only its content words
/// are stemmed.
pub fn content_stems(
    text: &Text,
    stem: impl Fn(&Token) -> Cow<'static, str>,
    lang: Language,
) -> Stems {
    text.tokens
        .iter()
        .filter(|t| is_content(t, lang))
        .map(stem)
        .collect()
}

/// Whether every content word of tokens `first..end` is one of the customer's.
pub fn from_customer(
    text: &Text,
    stems: &[&str],
    customer: &Stems,
    (first, end): (usize, usize),
    lang: Language,
) -> bool {
    let mut content = (first..end)
        .filter(|&i| is_content(&text.tokens[i], lang))
        .peekable();
    content.peek().is_some() && content.all(|i| customer.contains(stems[i]))
}

/// The longest question, in words, that can be a mere echo of the customer.
const ECHO_MAX_WORDS: usize = 6;

/// Whether question sentence `k` only throws the customer's own words back at them and
/// the agent then answers it themselves ("How is this possible? Because you used 6GB
/// abroad.", "Nobody told you? It was in the welcome text."): a rhetorical echo, which
/// gathers nothing. Echoes open the reply; a question asking the customer for something
/// ("could you ...") is never one, nor is the reply's last sentence, which leaves the
/// customer to answer, nor a later question about something they said ("Is your son
/// with you?").
pub fn echo_question(
    text: &Text,
    stems: &[&str],
    customer: &Stems,
    k: usize,
    lang: Language,
) -> bool {
    let s = &text.sentences[k];
    if k != 0 || !s.question || text.sentences.len() < 2 || s.end - s.first > ECHO_MAX_WORDS {
        return false;
    }
    let words: Vec<&str> = text.tokens[s.first..s.end]
        .iter()
        .map(|t| t.norm.as_str())
        .collect();
    if asks_you(&words) {
        return false;
    }
    // "You're asking what to do?" echoes "What am I supposed to do?" as much as the
    // bare words would: the verbs that report what the customer said are not content.
    let (reporting, content): (Vec<usize>, Vec<usize>) = (s.first..s.end)
        .filter(|&i| is_content(&text.tokens[i], lang))
        .partition(|&i| REPORTING.contains(&stems[i]));
    if content.is_empty() {
        return !reporting.is_empty();
    }
    content.iter().all(|&i| customer.contains(stems[i]))
}

/// How many of the customer's content words a sentence must restate to count as
/// reflecting their situation back. One shared word is chance ("card", "order"); two is
/// a paraphrase.
pub const MIRROR_MIN_WORDS: usize = 2;

/// Whether words ask something of the customer: "can you", "could you", "pourriez-vous".
fn asks_you(words: &[&str]) -> bool {
    words.windows(2).any(|w| {
        ASKS_YOU
            .iter()
            .any(|(a, b)| a.contains(&w[0]) && b.contains(&w[1]))
    })
}

/// Whether a sentence asks the customer for facts or an action, tells them what to do,
/// or commits the agent to an action: the customer's words in it are the subject of the
/// request, not a reflection of their situation ("Can you unplug the router and restart
/// it?" restates nothing).
fn requests_or_acts(text: &Text, s: &Sentence) -> bool {
    let words: Vec<&str> = text.tokens[s.first..s.end]
        .iter()
        .map(|t| t.norm.as_str())
        .skip_while(|w| REQUEST_OPENERS.contains(w))
        .collect();
    let Some(&first) = words.first() else {
        return false;
    };
    let second = words.get(1).copied().unwrap_or("");
    if RESTATING.contains(&first) {
        return false;
    }
    if s.question {
        // "..., is that right?" checks a restatement; "can you tell me ...?" anywhere in
        // the question, or a choice between options ("... or ...?"), asks for something.
        let last = words.last().copied().unwrap_or("");
        if CHECKING.contains(&last) {
            return false;
        }
        return ASKING.contains(&first)
            || asks_you(&words)
            || words.iter().any(|w| CHOICE.contains(w));
    }
    // A denial ("No, you haven't broken it", "Nobody is sleeping in the lobby") or an
    // explanation ("an orange light means ...") uses the customer's words to answer them,
    // not to reflect their situation back.
    if DENIALS.contains(&first)
        || (NOBODY.contains(&first) && words.iter().any(|w| PROMISING.contains(w)))
        || (FLAT_DENIALS.contains(&first) && words[..words.len().min(3)].contains(&"not"))
        || words.iter().any(|w| EXPLAINING.contains(w))
    {
        return true;
    }
    IMPERATIVES.contains(&first)
        || (first == "let" && second == "me")
        || (AGENT.contains(&first) && FUTURE.contains(&second))
        // "I've credited the difference and put your account on ...": a report of what
        // the agent did, unless what they did was to look ("I've read your emails and ...").
        || (AGENT.contains(&first)
            && second == "have"
            && !words.get(2).is_some_and(|w| LOOKED.contains(w)))
        || (first == "i" && second == "am" && words.get(2) == Some(&"going"))
        || (first == "je" && second == "vais")
        || (first == "laissez" && second == "moi")
}

/// Whether a sentence turns to a refusal or a limit after a "but" ("I understand, but we
/// can only bill from the reading date", "..., mais nous ne pouvons pas"): the customer's
/// words in it explain the refusal; they do not reflect the customer's situation.
fn refuses(text: &Text, s: &Sentence) -> bool {
    let words = &text.tokens[s.first..s.end];
    words
        .iter()
        .position(|t| REFUSAL_TURNS.contains(&t.norm.as_str()))
        .is_some_and(|at| {
            words[at + 1..]
                .iter()
                .any(|t| LIMITS.contains(&t.norm.as_str()))
        })
}

/// Sentences of the reply that restate the customer's situation in the customer's words.
/// In a sentence that already apologises or names the feeling (`anchored`), one of the
/// customer's words is enough: "I'm sorry it didn't arrive in time for the party".
/// Elsewhere, a question that asks for facts or action, an instruction, or the agent's
/// own commitment restates nothing, however many of the customer's words it uses.
pub fn mirrored(
    text: &Text,
    stems: &[&str],
    customer: &Stems,
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
        let anchor = anchored.get(k).copied().unwrap_or(false);
        // Fewer of the customer's words than any sentence needs (one when anchored, else
        // two or more, as below): nothing to check further.
        if seen.len() < if anchor { 1 } else { MIRROR_MIN_WORDS } {
            continue;
        }
        if (!anchor && requests_or_acts(text, s)) || refuses(text, s) {
            continue;
        }
        // "Sorry for any confusion with the switch" is the canned apology with one of the
        // customer's words in it, not their situation.
        let canned = text.tokens[s.first..s.end]
            .windows(2)
            .any(|w| matches!((w[0].norm.as_str(), w[1].norm.as_str()), ("for", "any")));
        let needed = if anchor && !canned {
            1
        } else {
            MIRROR_MIN_WORDS
        };
        // Outside an apology or a named feeling, a restatement is said to the customer:
        // "so you were charged twice". A sentence with no "you" that uses two of their
        // words mostly explains a rule or a system ("the chargeback team works with
        // every card company"): it needs one word more.
        let to_you = text.tokens[s.first..s.end]
            .iter()
            .any(|t| SECOND_PERSON.contains(&t.norm.as_str()));
        let needed = if anchor || to_you { needed } else { needed + 1 };
        if seen.len() >= needed {
            out.push((first_hit.unwrap_or(s.first), last_hit));
        }
    }
    out
}

/// First-person commitments with any verb: in French, "je vais" (or "je m'engage à")
/// followed by an infinitive, whatever the verb ("je vais transférer votre dossier").
/// English commitments are phrases ("I'll" + an action), so this finds none there.
pub fn commitments(text: &Text, lang: Language) -> Vec<(usize, usize)> {
    if lang != Language::Fr {
        return Vec::new();
    }
    let toks = &text.tokens;
    let mut out = Vec::new();
    for i in 0..toks.len().saturating_sub(2) {
        let start = match (toks[i].norm.as_str(), toks[i + 1].norm.as_str()) {
            ("je", "vais") => i + 2,
            ("je", "me" | "m") if toks.get(i + 2).is_some_and(|t| t.norm == "engage") => i + 4,
            _ => continue,
        };
        let verb = (start..toks.len())
            .take_while(|&j| toks[j].clause == toks[i].clause)
            .find(|&j| !lang::FR.commit_between.contains(&toks[j].norm.as_str()));
        let Some(j) = verb else { continue };
        let w = toks[j].norm.as_str();
        let infinitive = w.chars().count() >= 4
            && w.chars().all(char::is_alphabetic)
            && lang::FR.infinitive_endings.iter().any(|e| w.ends_with(e));
        if infinitive && !lang::FR.commit_not_acts.contains(&w) {
            out.push((i, j + 1));
        }
    }
    out
}

/// Capitalised words that are shouting rather than acronyms: a common word in capitals
/// ("WHAT model", "I ALREADY told you"), a word too long for an acronym ("TWICE"; most
/// acronyms have four letters or fewer), or three capitalised words in a row.
pub fn shouting(text: &Text, lang: Language) -> Vec<(usize, usize)> {
    let toks = &text.tokens;
    // "10 AM", "4:25 PM": a time of day, not a raised voice.
    let is_time = |i: usize| {
        lang::CLOCK.contains(&toks[i].norm.as_str())
            && i > 0
            && toks[i - 1].norm.chars().any(|c| c.is_ascii_digit())
    };
    let is_caps =
        |i: usize| toks[i].caps && toks[i].norm.chars().all(char::is_alphabetic) && !is_time(i);
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
        // Distinct written words that read as words, not tokens ("ITS" is two tokens of
        // one word) and not codes: "VSFTPD", "NGINX", "HTTPS" are acronyms, not shouting.
        let run = &toks[i..j];
        let words = run
            .iter()
            .enumerate()
            .filter(|&(k, t)| (k == 0 || run[k - 1].start != t.start) && wordlike(&t.norm))
            .count();
        let common = run
            .iter()
            .any(|t| is_stopword(&t.norm, lang) && !CALM_CAPS.contains(&t.norm.as_str()));
        // One long capitalised word after a determiner names a thing ("the ICCID", "la
        // MOBIB", "a REJECT"): a code read out, not a raised voice.
        let before = (i > 0 && toks[i - 1].sentence == toks[i].sentence).then(|| &toks[i - 1]);
        let named = j == i + 1 && before.is_some_and(|b| is_determiner(&b.norm, lang));
        // So is a two-letter one right after a place's name in the same clause, even when
        // it is also a word: a region in an address ("Toronto ON", "Austin TX").
        let region = j == i + 1
            && toks[i].end - toks[i].start == 2
            && before.is_some_and(|b| b.title && b.clause == toks[i].clause);
        let long = !named
            && run
                .iter()
                .any(|t| t.norm.chars().count() >= 5 && wordlike(&t.norm));
        if !region && (words >= 3 || common || long) {
            out.push((i, j));
        }
        i = j;
    }
    out
}

/// Articles, possessives and demonstratives: what comes before a noun.
fn is_determiner(w: &str, lang: Language) -> bool {
    lang::data(lang).determiners.contains(&w)
}

/// Whether a word written in capitals reads as a word rather than a code or an acronym:
/// at least one vowel in four letters ("ALREADY", "TOLD" are words; "VSFTPD", "NGINX",
/// "SMTP" are not).
fn wordlike(norm: &str) -> bool {
    let letters = norm.chars().filter(|c| c.is_alphabetic()).count();
    let vowels = norm
        .chars()
        .filter(|c| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y'))
        .count();
    letters >= 2 && vowels * 4 >= letters
}

/// Sentences of three words or more whose own language (by their common words, see
/// [`super::text::reply_language`]) is not `expected`: each sentence is judged alone, so
/// a borrowed "sorry" in a French reply, or a French name in an English one, flips
/// nothing.
pub fn other_language(text: &Text, expected: Language) -> Vec<(usize, usize)> {
    text.sentences
        .iter()
        .filter(|s| {
            let words: Vec<&str> = text.tokens[s.first..s.end]
                .iter()
                .filter(|t| t.norm.chars().any(char::is_alphabetic))
                .map(|t| t.norm.as_str())
                .collect();
            words.len() >= 3 && super::text::reply_language(&words.join(" "), expected) != expected
        })
        .map(|s| (s.first, s.end))
        .collect()
}

/// The email opens by addressing the customer: on its first line, before any comma, a
/// greeting with their name or title ("Dear Ms Martin", "Hello Sam", "Bonjour Madame
/// Marchand") or a title alone ("Madame,", "Ms Martin,"). A bare "Hello," or "Bonjour,"
/// addresses no one. `raw` is the reply as written, for capitals.
pub fn greeting(text: &Text, raw: &str) -> Vec<(usize, usize)> {
    let Some(first) = text.sentences.first() else {
        return Vec::new();
    };
    let chars: Vec<char> = raw.chars().collect();
    let toks = &text.tokens[first.first..first.end];
    let clause = toks.first().map(|t| t.clause);
    let toks: Vec<_> = toks
        .iter()
        .take_while(|t| Some(t.clause) == clause)
        .collect();
    let norms: Vec<&str> = toks.iter().map(|t| t.norm.as_str()).collect();
    let opener = GREETING_OPENERS
        .iter()
        .filter(|o| norms.starts_with(o))
        .map(|o| o.len())
        .max()
        .unwrap_or(0);
    let is_title = |n: &str| TITLES.contains(&n);
    let is_name = |k: usize| {
        let t = toks[k];
        chars.get(t.start).is_some_and(|c| c.is_uppercase())
            && !NOT_A_NAME.contains(&t.norm.as_str())
            && t.norm.chars().all(char::is_alphabetic)
    };
    // The name run: a title or capitalised names right after the opener, up to four words.
    let mut end = opener;
    while end < toks.len() && end < opener + 4 && (is_title(norms[end]) || is_name(end)) {
        end += 1;
    }
    let addressed = end > opener;
    let alone = opener == 0 && addressed && is_title(norms[0]) && end == toks.len();
    if (opener > 0 && addressed) || alone {
        vec![(first.first, first.first + end)]
    } else {
        Vec::new()
    }
}

/// Words a sign-off may be followed by: the agent's name, title and team ("Alex",
/// "Claire Fontaine, Service adhérents, Mutuelle Santé Horizon").
const SIGNATURE_WORDS: usize = 10;

/// The email closes with a sign-off: a closing formula that ends its clause, with at
/// most a name or a team after it ("Kind regards, Alex", "Cordialement,", "Je vous prie
/// d'agréer, Madame, mes salutations distinguées. Julie, service client").
pub fn sign_off(text: &Text) -> Vec<(usize, usize)> {
    let toks = &text.tokens;
    let n = toks.len();
    let from = n.saturating_sub(SIGNATURE_WORDS + 4);
    for i in from..n {
        if n - i > SIGNATURE_WORDS + 4 {
            continue;
        }
        for (phrase, opens) in SIGN_OFFS {
            let end = i + phrase.len();
            if end > n
                || !toks[i..end]
                    .iter()
                    .map(|t| t.norm.as_str())
                    .eq(phrase.iter().copied())
            {
                continue;
            }
            let opens_clause = i == 0 || toks[i - 1].clause != toks[i].clause;
            let ends_clause = end == n || toks[end].clause != toks[end - 1].clause;
            if (opens_clause || !opens) && ends_clause && n - end <= SIGNATURE_WORDS {
                return vec![(i, n)];
            }
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    #[test]
    fn negation_reaches_three_words_within_a_clause() {
        let t = tokenize("I'm not really sorry", Language::En);
        assert!(negated(&t, 4, negators(Language::En)));
        let t = tokenize("No, sorry", Language::En);
        assert!(!negated(&t, 1, negators(Language::En)));
    }

    fn greets(reply: &str, lang: Language) -> bool {
        !greeting(&tokenize(reply, lang), reply).is_empty()
    }

    fn signs_off(reply: &str, lang: Language) -> bool {
        !sign_off(&tokenize(reply, lang)).is_empty()
    }

    #[test]
    fn a_greeting_addresses_the_customer_in_english_and_french() {
        for (met, lang) in [
            ("Dear Ms Martin,\nI'm sorry for the delay.", Language::En),
            ("Hello Sam, thanks for writing.", Language::En),
            (
                "Good morning Helen,\n\nI have read your email.",
                Language::En,
            ),
            ("Ms Martin,\nthank you for your email.", Language::En),
            ("Bonjour Madame Marchand,\nje suis désolée.", Language::Fr),
            (
                "Madame,\nnous avons bien reçu votre courriel.",
                Language::Fr,
            ),
            ("Chère Madame Roy, merci de votre message.", Language::Fr),
        ] {
            assert!(greets(met, lang), "{met}");
        }
        for (not_met, lang) in [
            ("I'm sorry for the delay.", Language::En),
            ("Hello, I am sorry.", Language::En),
            ("Hello I am sorry for this.", Language::En),
            ("Thanks for your email, Ms Martin.", Language::En),
            ("Bonjour, je suis désolée.", Language::Fr),
            ("Je suis désolée, Madame.", Language::Fr),
        ] {
            assert!(!greets(not_met, lang), "{not_met}");
        }
    }

    #[test]
    fn a_sign_off_closes_the_message_in_english_and_french() {
        for (met, lang) in [
            ("I'll refund it today.\n\nKind regards,\nAlex", Language::En),
            ("I'll refund it today. Best, Alex from the billing team", Language::En),
            ("I'll call you Friday.\nYours sincerely,\nSam Lee\nCustomer care", Language::En),
            ("Je rembourse.\n\nBien cordialement,\n\nClaire Fontaine\nService adhérents, Mutuelle Santé Horizon", Language::Fr),
            ("Je rembourse aujourd'hui.\n\nCordialement,", Language::Fr),
            ("Je vous prie d'agréer, Madame, l'expression de mes salutations distinguées.\n\nClaire Fontaine\nService adhérents, Mutuelle Santé Horizon", Language::Fr),
            ("Je reviens vers vous jeudi.\nBien à vous,\nKarim", Language::Fr),
        ] {
            assert!(signs_off(met, lang), "{met}");
        }
        for (not_met, lang) in [
            ("I'll refund it today.", Language::En),
            ("We want the best for you, and I'll refund it today.", Language::En),
            ("Regards to your family are not what you need; I'll refund it today and call you back.", Language::En),
            ("Cordialement, je vous rembourse aujourd'hui et je vous rappelle demain matin sans faute.", Language::Fr),
            ("Je rembourse aujourd'hui.", Language::Fr),
        ] {
            assert!(!signs_off(not_met, lang), "{not_met}");
        }
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

    /// A polite request full of acronyms was scored as shouting ("VSFTPD", "NGINX").
    #[test]
    fn acronyms_and_codes_are_not_shouting() {
        for polite in [
            "Could you check whether VSFTPD or NGINX logs show the SMTP error, please?",
            "Please send the HTTPS cert and the DKIM record for the DNS zone.",
            "Your SIM and the APN settings look fine; the PNR is XKCDQ.",
        ] {
            let t = tokenize(polite, Language::En);
            assert!(shouting(&t, Language::En).is_empty(), "{polite}");
        }
        let t = tokenize("I ALREADY TOLD YOU", Language::En);
        assert!(!shouting(&t, Language::En).is_empty());
        let t = tokenize("That is NEVER going to happen", Language::En);
        assert!(!shouting(&t, Language::En).is_empty());
    }

    /// A polite set's "Could you read me the last four digits of the ICCID printed on the
    /// card?" was shouting: one long code after a determiner is a thing named.
    #[test]
    fn a_code_after_a_determiner_is_not_shouting() {
        for (polite, lang) in [
            (
                "Could you read me the last four digits of the ICCID printed on the card?",
                Language::En,
            ),
            (
                "A REJECT normally means the meter did not accept the code.",
                Language::En,
            ),
            (
                "Je viens de charger l'abonnement sur la MOBIB.",
                Language::Fr,
            ),
        ] {
            let t = tokenize(polite, lang);
            assert!(shouting(&t, lang).is_empty(), "{polite}");
        }
        for (shout, lang) in [
            ("You were told TWICE.", Language::En),
            ("I said the WRONG ONE.", Language::En),
            ("JE VOUS AI DÉJÀ OFFERT LE PRORATA.", Language::Fr),
        ] {
            let t = tokenize(shout, lang);
            assert!(!shouting(&t, lang).is_empty(), "{shout}");
        }
    }

    /// Polite set 13 read back "55 Bloor St. W, Apt 1204, Toronto ON, M4W 1A5" and "ON"
    /// was shouting: a two-letter region right after a place's name is an address.
    #[test]
    fn a_region_after_a_place_is_not_shouting() {
        for polite in [
            "So that's 55 Bloor St. W, Apt 1204, Toronto ON, M4W 1A5. All good?",
            "The parcel is at the Austin TX depot.",
        ] {
            let t = tokenize(polite, Language::En);
            assert!(shouting(&t, Language::En).is_empty(), "{polite}");
        }
        for shout in ["Dana, NO.", "I said NO.", "Toronto IS NOT an option."] {
            let t = tokenize(shout, Language::En);
            assert!(!shouting(&t, Language::En).is_empty(), "{shout}");
        }
    }
}
