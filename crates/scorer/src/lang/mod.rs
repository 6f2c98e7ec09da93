//! The words the scorer's code knows, one file per language: `en.rs`, `fr.rs`.
//!
//! The rule: every list of words the Rust code matches tokens against lives here, in the
//! file of its language, never inline in a detector. What a criterion means is in the
//! rubric files; these are the words the tokeniser and the detectors are written around
//! (stopwords, negators, contractions, sign-offs, ...). Words are accent-folded and
//! lowercased as token norms are ([`crate::text::fold`]), since they are compared with
//! norms; the one exception, [`LangData::common`], says why.
//!
//! Left in the code: the few single words a detector is built around, which read as its
//! logic rather than as a list ("je vais" before an infinitive, "let me", "est-ce que",
//! "for any"), and the apostrophe grammar of English contractions (`text::expand_en`).
//!
//! A language's file fills every field of [`LangData`], so the compiler names any list
//! a new language forgets; a list a language does without is empty.
//!
//! Some lists are asked in every language whatever the reply's ([`Union`]): the code
//! asked one mixed list before the lists were split by language, and a French reply still
//! greets with "Hello" or signs "Best,". Which lists those are is decided here, below.

mod en;
mod fr;

pub(crate) use en::EN;
pub(crate) use fr::FR;

use crate::model::Language;

type Words = &'static [&'static str];

/// One language's words. Each field says what the code does with it.
#[derive(Debug)]
pub(crate) struct LangData {
    // The tokeniser (`text`).
    /// Contractions written without their apostrophe and their full forms ("im", "jai").
    pub(crate) bare: &'static [(&'static str, Words)],
    /// Elided words before an apostrophe and their full forms ("j'" is "je").
    pub(crate) elided: &'static [(&'static str, &'static str)],
    /// Spelling variants folded into one at the start of a word of six letters or more,
    /// so one phrase serves both ("apologis" is "apologiz").
    pub(crate) spelling: &'static [(&'static str, &'static str)],
    /// Words after which "'s" is "is" rather than a possessive ("it's", "that's").
    pub(crate) is_contracted: Words,
    /// Number suffixes of a time of day ("2pm" is "2" and "pm").
    pub(crate) clock: Words,
    /// Ordinal suffixes a number may carry and still be its number ("14th", "2e").
    pub(crate) ordinals: Words,
    /// Currency names that make the number before them money ("54 pounds").
    pub(crate) currency: Words,
    /// Contrastive words that open a new clause ("but", "mais").
    pub(crate) contrast: Words,
    /// Words a sentence may open with before its real start ("OK, what is ...").
    pub(crate) sentence_openers: Words,
    /// Verbs that make a question when they come before one of `question_subjects`
    /// ("could you", "pouvez-vous").
    pub(crate) question_verbs: Words,
    /// Subjects after one of `question_verbs`.
    pub(crate) question_subjects: Words,
    /// Question words that open a question ("what is ...").
    pub(crate) question_words: Words,
    /// Words after a question word that make an exclamation ("what a headache").
    pub(crate) exclamation: Words,
    /// Words after "how" that make a question ("how long", "how do").
    pub(crate) how_asks: Words,
    /// Common words that tell the language of a reply, written as typed (lowercase,
    /// accents and apostrophes kept): `text::reply_language` reads the raw words, not
    /// token norms, so "désolé" is listed as written.
    pub(crate) common: Words,

    // The detectors (`rules`).
    /// Words that negate what follows them within a clause.
    pub(crate) negators: Words,
    /// Words that carry no fact of the customer's situation: pronouns, auxiliaries,
    /// determiners, prepositions, fillers.
    pub(crate) stopwords: Words,
    /// Stopwords that are still not shouting in capitals ("I", "OK", "US", "IT").
    pub(crate) calm_caps: Words,
    /// Articles, possessives and demonstratives: what comes before a noun.
    pub(crate) determiners: Words,
    /// Stems of the verbs that report the customer's words back ("you're asking", "you
    /// mean").
    pub(crate) reporting: Words,
    /// Words that open a sentence without changing what it does.
    pub(crate) request_openers: Words,
    /// Words that open a restatement rather than a request ("so you were charged twice").
    pub(crate) restating: Words,
    /// Last words of a question that checks a restatement ("..., is that right?").
    pub(crate) checking: Words,
    /// Words that make a question a choice between options ("... or ...?").
    pub(crate) choice: Words,
    /// Words that open a question gathering facts or asking the customer to act.
    pub(crate) asking: Words,
    /// Two-word openings that ask something of the customer: a word of the first list,
    /// then one of the second ("can you", "pourriez vous", "vous pouvez").
    pub(crate) asks_you: &'static [(Words, Words)],
    /// Words that open a denial ("No, you haven't broken it").
    pub(crate) denials: Words,
    /// Words that open a denial that something will happen, with one of `promising`
    /// after them ("Nobody will ...", "Personne ne vous promet ...").
    pub(crate) nobody: Words,
    /// What `nobody` denies.
    pub(crate) promising: Words,
    /// Words that open a flat denial when "not" follows ("absolutely not", "of course
    /// not").
    pub(crate) flat_denials: Words,
    /// Words that explain what something means ("an orange light means ...").
    pub(crate) explaining: Words,
    /// Verbs that open an instruction to the customer ("unplug the router").
    pub(crate) imperatives: Words,
    /// The agent speaking ("I", "we"), before `future` or "have".
    pub(crate) agent: Words,
    /// Auxiliaries of the future after `agent` ("I will", "we shall").
    pub(crate) future: Words,
    /// What an agent has done that is only looking, not acting ("I've read your emails").
    pub(crate) looked: Words,
    /// Words that turn a sentence to a refusal or a limit, with one of `limits` after
    /// them ("I understand, but we can only ...").
    pub(crate) refusal_turns: Words,
    /// What follows a refusal turn in a refusal.
    pub(crate) limits: Words,
    /// The customer addressed: a restatement of their situation is said to them.
    pub(crate) second_person: Words,
    /// Words that may stand between "je vais" and its verb: pronouns and adverbs.
    pub(crate) commit_between: Words,
    /// Verbs that follow "je vais" without committing to an action ("je vais être").
    pub(crate) commit_not_acts: Words,
    /// Endings of the infinitive that makes "je vais" a commitment.
    pub(crate) infinitive_endings: Words,
    /// Words that open an email by addressing someone, before their name or title.
    pub(crate) greeting_openers: &'static [Words],
    /// Titles that address the customer on their own ("Madame,") or before a name.
    pub(crate) titles: Words,
    /// Words that, capitalised, still do not name anyone ("Hello I am sorry").
    pub(crate) not_a_name: Words,
    /// Closing formulas of an email. `true`: it must also open its clause ("Best, Alex",
    /// not "the best").
    pub(crate) sign_offs: &'static [(Words, bool)],

    // Preparing the reply's facts (`prepare`).
    /// Month names, January first: a date fact is said with them and read back.
    pub(crate) months: [&'static str; 12],
}

/// The words of `lang`.
pub(crate) fn data(lang: Language) -> &'static LangData {
    match lang {
        Language::En => &EN,
        Language::Fr => &FR,
    }
}

/// A list asked in every language, whatever the reply's, in the order of the languages
/// ([`crate::LANGS`]) and then of each list.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Union<T: 'static>([&'static [T]; 2]);

impl<T> Union<T> {
    pub(crate) fn iter(self) -> impl Iterator<Item = &'static T> {
        self.0.into_iter().flatten()
    }
}

impl Union<&'static str> {
    /// Called like a slice's `contains`, so code that asked one mixed list reads the same.
    pub(crate) fn contains(self, w: &&str) -> bool {
        self.0.iter().any(|list| list.contains(w))
    }
}

impl<T> IntoIterator for Union<T> {
    type Item = &'static T;
    type IntoIter = std::iter::Flatten<std::array::IntoIter<&'static [T], 2>>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter().flatten()
    }
}

// Asked in both languages: the code read these as one mixed list before the split, and
// behaves the same.
pub(crate) const CURRENCY: Union<&str> = Union([EN.currency, FR.currency]);
pub(crate) const SPELLING: Union<(&str, &str)> = Union([EN.spelling, FR.spelling]);
pub(crate) const CLOCK: Union<&str> = Union([EN.clock, FR.clock]);
pub(crate) const ORDINALS: Union<&str> = Union([EN.ordinals, FR.ordinals]);
pub(crate) const SENTENCE_OPENERS: Union<&str> = Union([EN.sentence_openers, FR.sentence_openers]);
pub(crate) const CALM_CAPS: Union<&str> = Union([EN.calm_caps, FR.calm_caps]);
pub(crate) const REPORTING: Union<&str> = Union([EN.reporting, FR.reporting]);
pub(crate) const REQUEST_OPENERS: Union<&str> = Union([EN.request_openers, FR.request_openers]);
pub(crate) const RESTATING: Union<&str> = Union([EN.restating, FR.restating]);
pub(crate) const CHECKING: Union<&str> = Union([EN.checking, FR.checking]);
pub(crate) const CHOICE: Union<&str> = Union([EN.choice, FR.choice]);
pub(crate) const ASKING: Union<&str> = Union([EN.asking, FR.asking]);
pub(crate) const ASKS_YOU: Union<(Words, Words)> = Union([EN.asks_you, FR.asks_you]);
pub(crate) const DENIALS: Union<&str> = Union([EN.denials, FR.denials]);
pub(crate) const NOBODY: Union<&str> = Union([EN.nobody, FR.nobody]);
pub(crate) const PROMISING: Union<&str> = Union([EN.promising, FR.promising]);
pub(crate) const FLAT_DENIALS: Union<&str> = Union([EN.flat_denials, FR.flat_denials]);
pub(crate) const EXPLAINING: Union<&str> = Union([EN.explaining, FR.explaining]);
pub(crate) const IMPERATIVES: Union<&str> = Union([EN.imperatives, FR.imperatives]);
pub(crate) const AGENT: Union<&str> = Union([EN.agent, FR.agent]);
pub(crate) const FUTURE: Union<&str> = Union([EN.future, FR.future]);
pub(crate) const LOOKED: Union<&str> = Union([EN.looked, FR.looked]);
pub(crate) const REFUSAL_TURNS: Union<&str> = Union([EN.refusal_turns, FR.refusal_turns]);
pub(crate) const LIMITS: Union<&str> = Union([EN.limits, FR.limits]);
pub(crate) const SECOND_PERSON: Union<&str> = Union([EN.second_person, FR.second_person]);
pub(crate) const GREETING_OPENERS: Union<Words> = Union([EN.greeting_openers, FR.greeting_openers]);
pub(crate) const TITLES: Union<&str> = Union([EN.titles, FR.titles]);
pub(crate) const NOT_A_NAME: Union<&str> = Union([EN.not_a_name, FR.not_a_name]);
pub(crate) const SIGN_OFFS: Union<(Words, bool)> = Union([EN.sign_offs, FR.sign_offs]);
