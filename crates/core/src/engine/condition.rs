//! The one condition language: branches read it on a reply, lesson variants read it on
//! the whole conversation. What a part means follows from what it is asked of:
//!
//! | part | on a reply (branch) | on the conversation (lesson) |
//! |---|---|---|
//! | `met`, `met_any` | the reply meets them | some turn met them |
//! | `missed` | the reply does not meet them | no turn met them |
//! | `min_score`, `max_score` | the reply's score | the debrief's score |
//! | `says_any`, `says_none` | the reply's words | any reply's words |
//! | `mood_at_least`, `mood_at_most` | the mood before the reply | the final mood |
//! | `chases_at_least`, `chases_at_most` | chases at this node so far | chases in all |
//! | `choice` | the guided choice picked (its place as written, from 1) | (branches only) |
//!
//! A score the moment did not assess holds no bound: a condition on it does not hold.

use crate::model::{Condition, ScoreKey};
use crate::score::ReplyScore;

/// What a condition can ask about.
pub trait Observed {
    fn met(&self, criterion: &str) -> bool;
    fn score(&self, key: ScoreKey) -> Option<u8>;
    /// Whether these words appear, whole and in a row, in what was said.
    fn said(&self, phrase: &str) -> bool;
    fn mood(&self) -> u8;
    fn chases(&self) -> u32;
    /// The guided choice picked (1-based, as the author listed them), if any.
    fn choice(&self) -> Option<usize> {
        None
    }
}

/// `Some(why)` when every part of the condition holds, with the reasons a trainee reads.
pub fn holds(cond: &Condition, seen: &dyn Observed) -> Option<String> {
    let mut why: Vec<String> = Vec::new();
    for (key, min) in &cond.min_score {
        let v = seen.score(*key)?;
        (v >= *min).then(|| why.push(format!("{} {v} >= {min}", key.as_str())))?;
    }
    for (key, max) in &cond.max_score {
        let v = seen.score(*key)?;
        (v <= *max).then(|| why.push(format!("{} {v} <= {max}", key.as_str())))?;
    }
    if !cond.met.is_empty() {
        cond.met.iter().all(|c| seen.met(c)).then_some(())?;
        why.push(format!("met {}", cond.met.join(", ")));
    }
    if !cond.met_any.is_empty() {
        let hit: Vec<&str> = cond
            .met_any
            .iter()
            .filter(|c| seen.met(c))
            .map(String::as_str)
            .collect();
        (!hit.is_empty()).then_some(())?;
        why.push(format!("met {}", hit.join(", ")));
    }
    if !cond.missed.is_empty() {
        cond.missed.iter().all(|c| !seen.met(c)).then_some(())?;
        why.push(format!("avoided {}", cond.missed.join(", ")));
    }
    if !cond.says_any.is_empty() {
        let hit = cond.says_any.iter().find(|p| seen.said(p))?;
        why.push(format!("said \"{hit}\""));
    }
    if cond.says_none.iter().any(|p| seen.said(p)) {
        return None;
    }
    if !cond.says_none.is_empty() {
        why.push(format!("did not say {}", cond.says_none.join(" / ")));
    }
    let mood = seen.mood();
    if let Some(min) = cond.mood_at_least {
        (mood >= min).then(|| why.push(format!("mood {mood} >= {min}")))?;
    }
    if let Some(max) = cond.mood_at_most {
        (mood <= max).then(|| why.push(format!("mood {mood} <= {max}")))?;
    }
    if let Some(n) = cond.choice {
        (seen.choice() == Some(n)).then(|| why.push(format!("picked choice {n}")))?;
    }
    let chases = seen.chases();
    if let Some(min) = cond.chases_at_least {
        (chases >= min).then(|| why.push(format!("chased {chases} times")))?;
    }
    if let Some(max) = cond.chases_at_most {
        (chases <= max).then(|| why.push(format!("chased {chases} times")))?;
    }
    Some(if why.is_empty() {
        "always".to_string()
    } else {
        why.join("; ")
    })
}

/// Every part that cannot hold, with what it asked: for a trainer's "why not".
pub fn failed_parts(cond: &Condition, seen: &dyn Observed) -> Vec<String> {
    let mut out = Vec::new();
    for (key, min) in &cond.min_score {
        match seen.score(*key) {
            Some(v) if v >= *min => {}
            Some(v) => out.push(format!("{} {v} < {min}", key.as_str())),
            None => out.push(format!("{} not assessed", key.as_str())),
        }
    }
    for (key, max) in &cond.max_score {
        match seen.score(*key) {
            Some(v) if v <= *max => {}
            Some(v) => out.push(format!("{} {v} > {max}", key.as_str())),
            None => out.push(format!("{} not assessed", key.as_str())),
        }
    }
    for c in cond.met.iter().filter(|c| !seen.met(c)) {
        out.push(format!("{c} missed"));
    }
    if !cond.met_any.is_empty() && !cond.met_any.iter().any(|c| seen.met(c)) {
        out.push(format!("none of {} met", cond.met_any.join(", ")));
    }
    for c in cond.missed.iter().filter(|c| seen.met(c)) {
        out.push(format!("{c} met"));
    }
    if !cond.says_any.is_empty() && !cond.says_any.iter().any(|p| seen.said(p)) {
        out.push(format!("said none of {}", cond.says_any.join(" / ")));
    }
    for p in cond.says_none.iter().filter(|p| seen.said(p)) {
        out.push(format!("said \"{p}\""));
    }
    let mood = seen.mood();
    if cond.mood_at_least.is_some_and(|m| mood < m) || cond.mood_at_most.is_some_and(|m| mood > m) {
        out.push(format!("mood {mood}"));
    }
    if let Some(n) = cond.choice {
        if seen.choice() != Some(n) {
            out.push(match seen.choice() {
                Some(c) => format!("picked choice {c}, not {n}"),
                None => format!("no choice {n} was picked"),
            });
        }
    }
    let chases = seen.chases();
    if cond.chases_at_least.is_some_and(|m| chases < m)
        || cond.chases_at_most.is_some_and(|m| chases > m)
    {
        out.push(format!("chased {chases} times"));
    }
    out
}

/// One reply, for a branch.
pub struct OnReply<'a> {
    pub score: &'a ReplyScore,
    pub words: Vec<String>,
    /// The mood before the reply.
    pub mood: u8,
    /// Chases at this node before the reply.
    pub chases: u32,
    /// The guided choice picked, 1-based as written.
    pub choice: Option<usize>,
}

impl<'a> OnReply<'a> {
    pub fn new(score: &'a ReplyScore, reply: &str, mood: u8, chases: u32) -> Self {
        OnReply {
            score,
            words: words(reply),
            mood,
            chases,
            choice: None,
        }
    }

    /// The same, for a guided choice.
    pub fn with_choice(mut self, choice: Option<usize>) -> Self {
        self.choice = choice;
        self
    }
}

impl Observed for OnReply<'_> {
    fn met(&self, criterion: &str) -> bool {
        self.score.met(criterion)
    }
    fn score(&self, key: ScoreKey) -> Option<u8> {
        self.score.scores.get(key)
    }
    fn said(&self, phrase: &str) -> bool {
        contains_phrase(&self.words, phrase)
    }
    fn mood(&self) -> u8 {
        self.mood
    }
    fn chases(&self) -> u32 {
        self.chases
    }
    fn choice(&self) -> Option<usize> {
        self.choice
    }
}

/// The whole conversation, for a lesson variant.
pub struct OnConversation<'a> {
    pub replies: Vec<(&'a ReplyScore, Vec<String>)>,
    pub scores: crate::score::Scores,
    pub final_mood: u8,
    pub chases: u32,
}

impl Observed for OnConversation<'_> {
    fn met(&self, criterion: &str) -> bool {
        self.replies.iter().any(|(s, _)| s.met(criterion))
    }
    fn score(&self, key: ScoreKey) -> Option<u8> {
        self.scores.get(key)
    }
    fn said(&self, phrase: &str) -> bool {
        self.replies.iter().any(|(_, w)| contains_phrase(w, phrase))
    }
    fn mood(&self) -> u8 {
        self.final_mood
    }
    fn chases(&self) -> u32 {
        self.chases
    }
}

/// Lowercase words, apostrophes dropped, so "don't" matches "dont".
pub fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .replace(['\'', '’'], "")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether the phrase's words appear consecutively in `words`.
pub fn contains_phrase(words: &[String], phrase: &str) -> bool {
    let needle = self::words(phrase);
    !needle.is_empty() && words.windows(needle.len()).any(|w| w == needle.as_slice())
}
