//! The conversation engine: a [`Session`] plays one scenario.
//!
//! A session is built from a scenario, a seed and a clock, and advances on one
//! [`Input`] at a time (a typed reply, a guided choice, or the trainee's silence past the
//! customer's patience), returning the [`Event`]s that input caused. It never reads the
//! real time or an unseeded RNG itself: the clock is passed in and line variants come
//! from a ChaCha RNG whose position is stored in the session, so the same scenario, seed
//! and inputs give the same transcript on every machine, and a serialised session resumes
//! exactly where it stopped.
//!
//! The session holds no reference to its scenario (so it can be serialised on its own);
//! each call takes the scenario and checks it is the one the session was started with.

mod clock;
pub mod condition;
mod debrief;
mod patience;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

pub use self::clock::{Clock, ManualClock, SystemClock};
pub use self::condition::{failed_parts, holds, Observed, OnReply};
pub use self::debrief::{add_up, debrief_of, Debrief, DebriefTurn, Decision};
pub use self::patience::{TYPING_GRACE_MS, TYPING_PAUSE_CAP_MS};
use crate::model::{CondLines, Ending, Node, Outcome, Scenario, Transition};
use crate::score::{ReplyInput, ReplyScore, Scorer};
use crate::template;

/// Scores a reply exactly as `node` of `scenario` scores it in a conversation: its
/// focus, the scenario's and node's rubric patches, the customer's name and facts, and
/// `customer_line` (what the customer just said) for mirroring. The engine, `rapport
/// score` in context and the validator's model-answer check all score through here.
pub fn score_at(
    scenario: &Scenario,
    node: &Node,
    text: &str,
    customer_line: Option<&str>,
    scorer: &dyn Scorer,
) -> ReplyScore {
    let mut score = with_input_at(scenario, node, text, customer_line, |input| {
        scorer.score(input)
    });
    own_tips(scenario, node, &mut score);
    score
}

/// The scenario's and the node's own tips (`tips:`) in place of the rubrics' generic
/// ones, where the author wrote them (the node's win).
pub fn own_tips(scenario: &Scenario, node: &Node, score: &mut ReplyScore) {
    for c in &mut score.criteria {
        if let Some(tip) = node.tips.get(&c.id).or_else(|| scenario.tips.get(&c.id)) {
            c.tip = Some(template::render(tip, &scenario.customer));
        }
    }
}

/// The line a node's customer says first, as the trainee reads it: what a reply is scored
/// against when it is tried out of a conversation (`rapport try`, `rapport score` in
/// context).
pub fn first_line(scenario: &Scenario, node: &Node) -> String {
    node.say
        .first()
        .map(|l| template::render(l, &scenario.customer))
        .unwrap_or_default()
}

/// Calls `f` with the [`ReplyInput`] that `node` of `scenario` scores `text` with: the one
/// place that input is made, for scoring ([`score_at`]) and for explaining (`rapport try`).
pub fn with_input_at<T>(
    scenario: &Scenario,
    node: &Node,
    text: &str,
    customer_line: Option<&str>,
    f: impl FnOnce(&ReplyInput<'_>) -> T,
) -> T {
    let patches = [&scenario.rubric, &node.rubric];
    let focus = scenario.focus_at(node);
    f(&ReplyInput {
        text,
        customer: customer_line,
        customer_name: Some(&scenario.customer.name),
        // A trainee who answers in the other language is judged in the words they
        // used ("Sorry" is an apology even in a French scenario); whether switching
        // language was the mistake is the scenario's to branch on (`says_any`).
        language: crate::scorer::text::reply_language(text, scenario.meta.language),
        focus: &focus,
        facts: Some(&scenario.customer.facts),
        patches: &patches,
        customer_language: (!scenario.meta.bilingual).then_some(scenario.meta.language),
        written: scenario.meta.channel.is_written(),
    })
}

/// What the trainee did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Input {
    /// A typed reply.
    Reply { text: String },
    /// A guided choice, 1-based as numbered on screen.
    Choice { number: usize },
    /// The trainee stayed silent past the customer's patience.
    Silence,
}

/// Which rule moved the conversation on.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    /// The node's `branches[index]` (0-based) held.
    Branch { index: usize },
    /// No branch held: the node's `otherwise`.
    Otherwise,
    /// The trainee was silent: the node's `on_silence` (or the default chase).
    Silence,
}

/// Something that happened in the conversation. `at_ms` counts from the session's start.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub at_ms: u64,
    #[serde(flatten)]
    pub kind: EventKind,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// The customer speaks; `chase` when prompting a silent agent.
    CustomerLine {
        node: String,
        text: String,
        chase: bool,
    },
    /// The trainee's reply (typed, or the text of the choice), with its score.
    AgentReply {
        node: String,
        text: String,
        /// The guided choice picked, numbered as the author wrote them (from 1), whatever
        /// order the trainee saw.
        choice: Option<usize>,
        score: ReplyScore,
    },
    /// The trainee said nothing past the customer's patience.
    AgentSilent {
        node: String,
        waited_ms: u64,
    },
    /// The rule that decided where to go, and in plain words why it held.
    BranchTaken {
        from: String,
        to: String,
        rule: Rule,
        reason: String,
    },
    MoodChanged {
        from: u8,
        to: u8,
        delta: i32,
    },
    /// The conversation is over.
    Ended {
        ending: String,
        outcome: Outcome,
        lesson: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("this session belongs to scenario `{expected}`, not `{got}`")]
    WrongScenario { expected: String, got: String },
    #[error("the conversation has already ended")]
    Ended,
    #[error("this moment offers choices: pick one by number instead of typing")]
    ChoiceExpected,
    #[error("this moment takes a typed reply, not a choice")]
    ReplyExpected,
    #[error("there is no choice {number}; pick 1 to {available}")]
    NoSuchChoice { number: usize, available: usize },
    #[error("the reply is empty")]
    EmptyReply,
    #[error("the scenario has no node `{0}` (was it edited since the session started?)")]
    MissingNode(String),
    #[error(
        "an email customer does not chase a silence: there is no patience on a written channel"
    )]
    NoPatience,
}

/// One scenario being played. Serialisable: save it, load it, carry on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    scenario_id: String,
    seed: u64,
    /// Position of the ChaCha stream, so a resumed session draws what it would have drawn.
    rng_word_pos: u64,
    started_at_ms: u64,
    /// When the customer last spoke: the patience timer runs from here.
    waiting_since_ms: u64,
    /// The current node, or the ending once ended.
    at: String,
    mood: u8,
    ended: bool,
    /// Nodes and the ending visited, start first.
    path: Vec<String>,
    transcript: Vec<Event>,
    /// Chases at the current node since the customer's line.
    #[serde(default)]
    chases_here: u32,
    /// The current turn's typing pauses of the customer's patience.
    #[serde(default)]
    pauses: patience::Pauses,
    /// The persona variant the seed picked (its id), when the scenario has variants.
    #[serde(default)]
    variant: Option<String>,
    /// At a guided node, the order the trainee sees its choices in: author indices
    /// (0-based), shuffled with the seed unless the node says `shuffle: false`. Empty
    /// means the author's order.
    #[serde(default)]
    choice_order: Vec<usize>,
}

impl Session {
    /// Starts a conversation: the customer says the start node's line.
    pub fn start(scenario: &Scenario, seed: u64, clock: &dyn Clock) -> Session {
        let index = variant_for_seed(seed, scenario.customer.variants.len());
        let variant = index.map(|i| scenario.customer.variants[i].id.clone());
        let scenario = &*scenario.with_variant(index);
        let now = clock.now_ms();
        let mut session = Session {
            scenario_id: scenario.meta.id.clone(),
            seed,
            rng_word_pos: 0,
            started_at_ms: now,
            waiting_since_ms: now,
            at: scenario.start.clone(),
            mood: scenario.customer.mood.min(100),
            ended: false,
            path: Vec::new(),
            transcript: Vec::new(),
            chases_here: 0,
            pauses: patience::Pauses::default(),
            variant,
            choice_order: Vec::new(),
        };
        let mut events = Vec::new();
        session.arrive(scenario, &scenario.start.clone(), None, now, &mut events);
        session.transcript = events;
        session
    }

    pub fn scenario_id(&self) -> &str {
        &self.scenario_id
    }

    /// At guided node `node` (the current one), the author indices (0-based) of its
    /// choices in the order the trainee sees them: screen number `n` is
    /// `node.choices[order[n - 1]]`.
    pub fn choice_order(&self, node: &Node) -> Vec<usize> {
        if self.choice_order.len() == node.choices.len() {
            self.choice_order.clone()
        } else {
            (0..node.choices.len()).collect()
        }
    }

    /// The number on screen of the author's choice `author` (1-based, as written) at the
    /// current node.
    pub fn screen_number(&self, node: &Node, author: usize) -> Option<usize> {
        let order = self.choice_order(node);
        order.iter().position(|&i| i + 1 == author).map(|p| p + 1)
    }

    /// The id of the persona variant this session's customer is, if the scenario has any.
    pub fn variant(&self) -> Option<&str> {
        self.variant.as_deref()
    }

    /// The scenario as this session plays it: with its persona variant applied (the
    /// customer's persona, mood, patience, facts and lines). What the persona card and the
    /// customer record show.
    pub fn played<'s>(&self, scenario: &'s Scenario) -> std::borrow::Cow<'s, Scenario> {
        scenario.with_variant(
            self.variant
                .as_deref()
                .and_then(|id| scenario.variant_index(id)),
        )
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// 0 furious to 100 delighted.
    pub fn mood(&self) -> u8 {
        self.mood
    }

    /// The current node id (the ending id once ended).
    pub fn current(&self) -> &str {
        &self.at
    }

    pub fn is_ended(&self) -> bool {
        self.ended
    }

    /// Every event so far, in order.
    pub fn transcript(&self) -> &[Event] {
        &self.transcript
    }

    /// Node ids visited, start first; the ending id last once ended.
    pub fn path(&self) -> &[String] {
        &self.path
    }

    /// The current node, unless the conversation has ended.
    pub fn node<'s>(&self, scenario: &'s Scenario) -> Option<&'s Node> {
        if self.ended {
            None
        } else {
            scenario.nodes.get(&self.at)
        }
    }

    /// The ending reached, once ended.
    pub fn ending<'s>(&self, scenario: &'s Scenario) -> Option<(&'s str, &'s Ending)> {
        if !self.ended {
            return None;
        }
        scenario
            .endings
            .get_key_value(&self.at)
            .map(|(k, v)| (k.as_str(), v))
    }

    /// Advances on one input and returns the events it caused (also appended to the
    /// transcript). On error nothing changes.
    pub fn advance(
        &mut self,
        scenario: &Scenario,
        scorer: &dyn Scorer,
        input: &Input,
        clock: &dyn Clock,
    ) -> Result<Vec<Event>, EngineError> {
        if scenario.meta.id != self.scenario_id {
            return Err(EngineError::WrongScenario {
                expected: self.scenario_id.clone(),
                got: scenario.meta.id.clone(),
            });
        }
        if self.ended {
            return Err(EngineError::Ended);
        }
        let played = self.played(scenario);
        let scenario = &*played;
        let node_id = self.at.clone();
        let node = scenario
            .nodes
            .get(&node_id)
            .ok_or_else(|| EngineError::MissingNode(node_id.clone()))?;
        let now = clock.now_ms();
        let mut events = Vec::new();
        match input {
            Input::Silence if scenario.meta.channel.is_written() => {
                return Err(EngineError::NoPatience);
            }
            Input::Silence => self.on_silence(scenario, node, now, &mut events),
            Input::Reply { text } => {
                if !node.choices.is_empty() {
                    return Err(EngineError::ChoiceExpected);
                }
                if text.trim().is_empty() {
                    return Err(EngineError::EmptyReply);
                }
                self.on_reply(scenario, scorer, node, text, None, now, &mut events);
            }
            Input::Choice { number } => {
                if node.choices.is_empty() {
                    return Err(EngineError::ReplyExpected);
                }
                // The number is the one on screen; the choice is the author's.
                let author = number
                    .checked_sub(1)
                    .and_then(|i| self.choice_order(node).get(i).copied())
                    .ok_or(EngineError::NoSuchChoice {
                        number: *number,
                        available: node.choices.len(),
                    })?;
                let text = template::render(&node.choices[author], &scenario.customer);
                self.on_reply(
                    scenario,
                    scorer,
                    node,
                    &text,
                    Some(author + 1),
                    now,
                    &mut events,
                );
            }
        }
        self.transcript.extend(events.iter().cloned());
        Ok(events)
    }

    #[allow(clippy::too_many_arguments)]
    fn on_reply(
        &mut self,
        scenario: &Scenario,
        scorer: &dyn Scorer,
        node: &Node,
        text: &str,
        choice: Option<usize>,
        now: u64,
        events: &mut Vec<Event>,
    ) {
        let last_line = self.last_customer_line().map(str::to_owned);
        let score = score_at(scenario, node, text, last_line.as_deref(), scorer);
        let seen = OnReply::new(&score, text, self.mood, self.chases_here).with_choice(choice);
        let (rule, transition, reason) = choose_branch(node, &seen);
        self.push(
            now,
            EventKind::AgentReply {
                node: self.at.clone(),
                text: text.to_string(),
                choice,
                score: score.clone(),
            },
            events,
        );
        self.take(
            scenario,
            rule,
            &transition.goto.clone(),
            transition.mood,
            reason,
            Some(&seen),
            now,
            events,
        );
    }

    fn on_silence(&mut self, scenario: &Scenario, node: &Node, now: u64, events: &mut Vec<Event>) {
        let waited_ms = now.saturating_sub(self.waiting_since_ms);
        self.push(
            now,
            EventKind::AgentSilent {
                node: self.at.clone(),
                waited_ms,
            },
            events,
        );
        let (say, goto, delta) = match &node.on_silence {
            Some(s) => (s.say.clone(), s.goto.clone(), s.mood),
            None => (None, None, DEFAULT_SILENCE_MOOD),
        };
        self.chases_here += 1;
        if goto.is_none() && self.chases_here > scenario.customer.max_chases {
            if let Some(ending) = scenario.hang_up_ending() {
                let reason = format!(
                    "no reply after {} chases: the customer hung up",
                    scenario.customer.max_chases
                );
                self.take(
                    scenario,
                    Rule::Silence,
                    ending,
                    delta,
                    reason,
                    None,
                    now,
                    events,
                );
                return;
            }
        }
        let chase = say.unwrap_or_else(|| scenario.meta.language.default_chase_line().to_string());
        self.push(
            now,
            EventKind::CustomerLine {
                node: self.at.clone(),
                text: template::render(&chase, &scenario.customer),
                chase: true,
            },
            events,
        );
        let reason = format!("silent for {} s", waited_ms / 1000);
        match goto {
            Some(target) => self.take(
                scenario,
                Rule::Silence,
                &target,
                delta,
                reason,
                None,
                now,
                events,
            ),
            None => {
                self.change_mood(delta, now, events);
                self.wait_from(now);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn take(
        &mut self,
        scenario: &Scenario,
        rule: Rule,
        target: &str,
        delta: i32,
        reason: String,
        seen: Option<&dyn Observed>,
        now: u64,
        events: &mut Vec<Event>,
    ) {
        self.push(
            now,
            EventKind::BranchTaken {
                from: self.at.clone(),
                to: target.to_string(),
                rule,
                reason,
            },
            events,
        );
        self.change_mood(delta, now, events);
        self.arrive(scenario, target, seen, now, events);
    }

    fn change_mood(&mut self, delta: i32, now: u64, events: &mut Vec<Event>) {
        let from = self.mood;
        let to = (i32::from(from) + delta).clamp(0, 100) as u8;
        self.mood = to;
        if from != to {
            self.push(now, EventKind::MoodChanged { from, to, delta }, events);
        }
    }

    /// Moves to a node (the customer speaks) or an ending (closing line, then the end).
    /// `seen` is the reply that led here (none at the start or after a silence): the
    /// lines that follow it are picked on it.
    fn arrive(
        &mut self,
        scenario: &Scenario,
        target: &str,
        seen: Option<&dyn Observed>,
        now: u64,
        events: &mut Vec<Event>,
    ) {
        self.at = target.to_string();
        self.path.push(target.to_string());
        self.wait_from(now);
        self.chases_here = 0;
        self.choice_order.clear();
        if let Some(node) = scenario.nodes.get(target) {
            if node.shuffle && node.choices.len() > 1 {
                let visit = self.path.iter().filter(|p| *p == target).count() as u64;
                self.choice_order = shuffled(self.seed, target, visit, node.choices.len());
            }
            let line = self.pick(line_variants(&node.say, &node.say_when, seen));
            let text = template::render(line, &scenario.customer);
            self.push(
                now,
                EventKind::CustomerLine {
                    node: target.to_string(),
                    text,
                    chase: false,
                },
                events,
            );
        } else if let Some(ending) = scenario.endings.get(target) {
            let line = self.pick(line_variants(&ending.say, &ending.say_when, seen));
            let text = template::render(line, &scenario.customer);
            self.push(
                now,
                EventKind::CustomerLine {
                    node: target.to_string(),
                    text,
                    chase: false,
                },
                events,
            );
            self.ended = true;
            let lesson = self.lesson_for(scenario, target, events);
            self.push(
                now,
                EventKind::Ended {
                    ending: target.to_string(),
                    outcome: ending.outcome,
                    lesson,
                },
                events,
            );
        }
    }

    /// Picks a line variant with the session's RNG; a single variant draws nothing, so
    /// adding a variant to one node does not reshuffle the others' picks.
    fn pick<'a>(&mut self, variants: &'a [String]) -> &'a str {
        if variants.len() <= 1 {
            return variants.first().map(String::as_str).unwrap_or("");
        }
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_word_pos(u128::from(self.rng_word_pos));
        let i = rng.random_range(0..variants.len());
        self.rng_word_pos = rng.get_word_pos() as u64;
        &variants[i]
    }

    fn push(&mut self, now: u64, kind: EventKind, events: &mut Vec<Event>) {
        events.push(Event {
            at_ms: now.saturating_sub(self.started_at_ms),
            kind,
        });
    }

    /// The customer's closing line, once ended: the one said at the ending.
    pub fn closing_line(&self) -> Option<&str> {
        if !self.ended {
            return None;
        }
        self.transcript.iter().rev().find_map(|e| match &e.kind {
            EventKind::CustomerLine { node, text, .. } if *node == self.at => Some(text.as_str()),
            _ => None,
        })
    }

    /// The customer's most recent line, looking at already-recorded events.
    fn last_customer_line(&self) -> Option<&str> {
        self.transcript.iter().rev().find_map(|e| match &e.kind {
            EventKind::CustomerLine { text, .. } => Some(text.as_str()),
            _ => None,
        })
    }
}

/// The persona variant (an index into `customer.variants`) a session with `seed` meets,
/// when there are `count` of them. Drawn from its own ChaCha stream of the seed, so the
/// line variants' draws are the same with or without persona variants.
pub fn variant_for_seed(seed: u64, count: usize) -> Option<usize> {
    if count == 0 {
        return None;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(1);
    Some(rng.random_range(0..count))
}

/// The order a guided node's `count` choices are shown in on the `visit`-th arrival
/// there: a permutation drawn from the seed on a stream of its own for the node, so it
/// never shifts the line draws, and a replay shows the same order.
fn shuffled(seed: u64, node: &str, visit: u64, count: usize) -> Vec<usize> {
    // FNV-1a: a stable stream per node id (std's hasher may change between releases).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in node.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Streams 0 and 1 are the line variants' and the persona variant's.
    rng.set_stream(h.wrapping_add(visit).max(2));
    let mut order: Vec<usize> = (0..count).collect();
    for i in (1..count).rev() {
        let j = rng.random_range(0..=i);
        order.swap(i, j);
    }
    order
}

/// The variants to pick a line from: those of the first conditioned line whose `when`
/// holds on the reply that led here, else the plain ones.
pub fn line_variants<'n>(
    plain: &'n [String],
    conditioned: &'n [CondLines],
    seen: Option<&dyn Observed>,
) -> &'n [String] {
    seen.and_then(|seen| {
        conditioned
            .iter()
            .find(|c| holds(&c.when, seen).is_some())
            .map(|c| c.say.as_slice())
    })
    .unwrap_or(plain)
}

/// Mood lost when the customer chases and the node says nothing about silence.
pub const DEFAULT_SILENCE_MOOD: i32 = -10;

/// The first branch whose condition holds, else `otherwise`; with a reason a trainee can read.
pub fn choose_branch<'n>(node: &'n Node, seen: &dyn Observed) -> (Rule, &'n Transition, String) {
    for (index, branch) in node.branches.iter().enumerate() {
        if let Some(reason) = holds(&branch.when, seen) {
            return (Rule::Branch { index }, &branch.then, reason);
        }
    }
    (
        Rule::Otherwise,
        &node.otherwise,
        "no branch condition held".to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        CondLines, Condition, Ending, Language, LessonVariant, LineSet, PersonaVariant, ScoreKey,
        Silence,
    };
    use crate::testkit::{scenario, WordScorer};
    use std::collections::BTreeMap;

    fn reply(text: &str) -> Input {
        Input::Reply { text: text.into() }
    }

    fn play(seed: u64, inputs: &[Input]) -> Session {
        let sc = scenario();
        let clock = ManualClock::new(1_000);
        let mut s = Session::start(&sc, seed, &clock);
        for input in inputs {
            clock.advance(5_000);
            s.advance(&sc, &WordScorer, input, &clock).unwrap();
        }
        s
    }

    /// The reply is judged against the customer's language unless the scenario is a
    /// bilingual desk (issue 12: nothing said an English reply to a French customer was
    /// in the wrong language).
    #[test]
    fn the_customer_s_language_reaches_the_scorer_unless_the_desk_is_bilingual() {
        let mut sc = scenario();
        sc.meta.language = Language::Fr;
        let node = &sc.nodes[&sc.start];
        let seen = |sc: &Scenario| with_input_at(sc, node, "Hello", None, |i| i.customer_language);
        assert_eq!(seen(&sc), Some(Language::Fr));
        let mut bilingual = sc.clone();
        bilingual.meta.bilingual = true;
        assert_eq!(seen(&bilingual), None);
    }

    #[test]
    fn same_seed_and_replies_give_the_same_transcript() {
        let inputs = [reply("hm"), reply("so sorry"), reply("sorry again")];
        for seed in 0..20 {
            assert_eq!(play(seed, &inputs), play(seed, &inputs));
        }
    }

    #[test]
    fn seeds_pick_different_variants() {
        let first_lines: std::collections::BTreeSet<String> = (0..30)
            .map(|seed| match &play(seed, &[]).transcript()[0].kind {
                EventKind::CustomerLine { text, .. } => text.clone(),
                other => panic!("expected a line, got {other:?}"),
            })
            .collect();
        assert_eq!(
            first_lines.len(),
            3,
            "all three variants should appear over 30 seeds"
        );
        assert!(first_lines.contains("Two charges, Dana is not amused."));
    }

    /// Issue 12: a line can follow the reply that led to it; the plain lines are the
    /// fallback (at the start, after a silence, or when no condition holds).
    #[test]
    fn a_line_follows_the_reply_that_led_to_it() {
        let mut sc = scenario();
        sc.nodes.get_mut("calmer").unwrap().say_when = vec![
            CondLines {
                when: Condition {
                    says_any: vec!["refund".into()],
                    ..Condition::default()
                },
                say: vec!["A refund? Fine, sorry accepted.".into()],
            },
            CondLines {
                when: Condition {
                    met: vec!["apologize".into()],
                    ..Condition::default()
                },
                say: vec!["Apology noted, {customer.first_name}.".into()],
            },
        ];
        sc.endings.get_mut("happy").unwrap().say_when = vec![CondLines {
            when: Condition {
                says_any: vec!["again".into()],
                ..Condition::default()
            },
            say: vec!["Twice sorry, twice thanks.".into()],
        }];
        let line_at = |s: &Session, node: &str| {
            s.transcript()
                .iter()
                .find_map(|e| match &e.kind {
                    EventKind::CustomerLine { node: n, text, .. } if n == node => {
                        Some(text.clone())
                    }
                    _ => None,
                })
                .unwrap()
        };
        let run = |inputs: &[Input]| {
            let clock = ManualClock::new(0);
            let mut s = Session::start(&sc, 0, &clock);
            for i in inputs {
                s.advance(&sc, &WordScorer, i, &clock).unwrap();
            }
            s
        };
        let s = run(&[reply("so sorry, a refund"), reply("sorry again")]);
        assert_eq!(line_at(&s, "calmer"), "A refund? Fine, sorry accepted.");
        assert_eq!(line_at(&s, "happy"), "Twice sorry, twice thanks.");
        assert_eq!(s.closing_line(), Some("Twice sorry, twice thanks."));
        assert_eq!(
            s.debrief(&sc).unwrap().closing_line,
            "Twice sorry, twice thanks."
        );
        let s = run(&[reply("so sorry")]);
        assert_eq!(line_at(&s, "calmer"), "Apology noted, Dana.");
        // The fallback: the plain line, the same one the unconditioned scenario says.
        let plain = play(0, &[reply("so sorry"), reply("sorry")]);
        let s = run(&[reply("so sorry"), reply("sorry")]);
        assert_eq!(line_at(&s, "happy"), line_at(&plain, "happy"));
    }

    /// Issue 13: the seed picks a persona variant, which changes the customer's mood,
    /// patience, facts and lines; the same seed meets the same one, and a session carried
    /// over (serialised, or rebuilt from its seed) keeps it.
    #[test]
    fn the_seed_picks_a_persona_variant() {
        let mut sc = scenario();
        sc.customer.variants = vec![
            PersonaVariant {
                id: "calm".into(),
                temperament: "calm".into(),
                persona: None,
                mood: None,
                patience: None,
                facts: BTreeMap::new(),
                fact_order: vec![],
                fact_labels: BTreeMap::new(),
                lines: BTreeMap::new(),
            },
            PersonaVariant {
                id: "fuming".into(),
                temperament: "fuming".into(),
                persona: Some("Dana, fuming.".into()),
                mood: Some(5),
                patience: Some(8),
                facts: [("ref".to_string(), serde_json::json!("R-1"))].into(),
                fact_order: vec!["ref".into()],
                fact_labels: BTreeMap::new(),
                lines: [(
                    "start".to_string(),
                    LineSet {
                        say: vec!["Ref {facts.ref}. Twice!".into()],
                        say_when: vec![],
                    },
                )]
                .into(),
            },
        ];
        let seed_of = |id: &str| {
            (0..100)
                .find(|&s| {
                    variant_for_seed(s, 2) == sc.customer.variants.iter().position(|v| v.id == id)
                })
                .unwrap()
        };
        let clock = ManualClock::new(0);
        let fuming = Session::start(&sc, seed_of("fuming"), &clock);
        assert_eq!(fuming.variant(), Some("fuming"));
        assert_eq!(fuming.mood(), 5);
        assert_eq!(fuming.patience_deadline_ms(&sc), Some(8_000));
        assert!(matches!(&fuming.transcript()[0].kind,
            EventKind::CustomerLine { text, .. } if text == "Ref R-1. Twice!"));
        assert_eq!(fuming.played(&sc).customer.persona, "Dana, fuming.");
        let calm = Session::start(&sc, seed_of("calm"), &clock);
        assert_eq!(calm.variant(), Some("calm"));
        assert_eq!(calm.mood(), 30);
        // The line variants draw as they did without persona variants.
        let plain = Session::start(&scenario(), seed_of("calm"), &clock);
        assert_eq!(calm.transcript(), plain.transcript());
        // Same seed, same customer; and carried over, the same too.
        let again = Session::start(&sc, seed_of("fuming"), &clock);
        assert_eq!(again, fuming);
        let json = serde_json::to_string(&fuming).unwrap();
        let mut back: Session = serde_json::from_str(&json).unwrap();
        back.advance(&sc, &WordScorer, &reply("so sorry"), &clock)
            .unwrap();
        assert_eq!(back.mood(), 25, "5 + 20 for the apology");
    }

    #[test]
    fn branches_are_tried_in_order_then_otherwise() {
        let s = play(1, &[reply("hm"), reply("so sorry"), reply("sorry again")]);
        assert_eq!(s.path(), ["start", "start", "calmer", "happy"]);
        assert!(s.is_ended());
        assert_eq!(s.mood(), 30 - 10 + 20 + 30);
        let rules: Vec<Rule> = s
            .transcript()
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::BranchTaken { rule, .. } => Some(rule.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(
            rules,
            [
                Rule::Otherwise,
                Rule::Branch { index: 1 },
                Rule::Branch { index: 0 }
            ]
        );
    }

    #[test]
    fn mood_is_clamped_and_endings_end() {
        let s = play(0, &[reply("sorry but it's your fault")]);
        assert_eq!(s.mood(), 0);
        assert_eq!(s.current(), "hung_up");
        let last = s.transcript().last().unwrap();
        assert!(matches!(
            &last.kind,
            EventKind::Ended {
                outcome: Outcome::HungUp,
                ..
            }
        ));
        let sc = scenario();
        let mut s = s;
        assert_eq!(
            s.advance(&sc, &WordScorer, &reply("hello?"), &ManualClock::new(0)),
            Err(EngineError::Ended)
        );
    }

    #[test]
    fn a_resumed_session_continues_exactly() {
        let sc = scenario();
        let inputs = [reply("hm"), reply("hmm"), reply("so sorry"), reply("sorry")];
        for seed in 0..10 {
            let whole = play(seed, &inputs);
            let clock = ManualClock::new(1_000);
            let mut s = Session::start(&sc, seed, &clock);
            for (i, input) in inputs.iter().enumerate() {
                if i == 2 {
                    let json = serde_json::to_string(&s).unwrap();
                    s = serde_json::from_str(&json).unwrap();
                }
                clock.advance(5_000);
                s.advance(&sc, &WordScorer, input, &clock).unwrap();
            }
            assert_eq!(s, whole);
        }
    }

    #[test]
    fn silence_without_rule_chases_and_stays() {
        let sc = scenario();
        let clock = ManualClock::new(0);
        let mut s = Session::start(&sc, 0, &clock);
        assert_eq!(s.patience_deadline_ms(&sc), Some(20_000));
        clock.advance(21_000);
        let events = s
            .advance(&sc, &WordScorer, &Input::Silence, &clock)
            .unwrap();
        assert!(events.iter().any(|e| matches!(&e.kind,
            EventKind::CustomerLine { text, chase: true, .. } if text == "Hello? Are you still there?")));
        assert_eq!(s.current(), "start");
        assert_eq!(s.mood(), 20);
        assert_eq!(
            s.patience_deadline_ms(&sc),
            Some(41_000),
            "patience restarts after the chase"
        );
    }

    #[test]
    fn patience_runs_from_when_the_line_was_shown() {
        let sc = scenario();
        let clock = ManualClock::new(0);
        let mut s = Session::start(&sc, 1, &clock);
        s.restart_patience(1_200);
        assert_eq!(s.patience_deadline_ms(&sc), Some(21_200));
        s.restart_patience(500);
        assert_eq!(
            s.patience_deadline_ms(&sc),
            Some(21_200),
            "a late acknowledgement never shortens the wait"
        );
    }

    /// A reply in the other language is judged in its own words: an English apology in a
    /// French scenario is an apology (it used to be scored with French phrases only, and
    /// so met nothing at all).
    #[test]
    fn a_reply_is_scored_in_the_language_it_is_written_in() {
        let mut sc = scenario();
        sc.meta.language = Language::Fr;
        let scorer = crate::scorer::RubricScorer::builtin();
        let clock = ManualClock::new(0);
        let mut s = Session::start(&sc, 0, &clock);
        let events = s
            .advance(&sc, &scorer, &reply("I'm so sorry about this."), &clock)
            .unwrap();
        let met = events.iter().find_map(|e| match &e.kind {
            EventKind::AgentReply { score, .. } => Some(score.met("apologize")),
            _ => None,
        });
        assert_eq!(met, Some(true));
    }

    #[test]
    fn silence_rule_can_move_on() {
        let mut sc = scenario();
        sc.nodes.get_mut("start").unwrap().on_silence = Some(Silence {
            say: Some("{customer.first_name} here. Anyone?".into()),
            goto: Some("hung_up".into()),
            mood: -20,
        });
        let clock = ManualClock::new(0);
        let mut s = Session::start(&sc, 0, &clock);
        let events = s
            .advance(&sc, &WordScorer, &Input::Silence, &clock)
            .unwrap();
        assert!(events.iter().any(|e| matches!(&e.kind,
            EventKind::CustomerLine { text, chase: true, .. } if text == "Dana here. Anyone?")));
        assert!(s.is_ended());
        assert_eq!(s.mood(), 10);
    }

    #[test]
    fn guided_nodes_take_choices_only() {
        let mut sc = scenario();
        sc.nodes.get_mut("start").unwrap().choices =
            vec!["It's your fault.".into(), "I'm so sorry.".into()];
        sc.nodes.get_mut("start").unwrap().shuffle = false;
        let clock = ManualClock::new(0);
        let mut s = Session::start(&sc, 0, &clock);
        assert_eq!(
            s.advance(&sc, &WordScorer, &reply("sorry"), &clock),
            Err(EngineError::ChoiceExpected)
        );
        assert_eq!(
            s.advance(&sc, &WordScorer, &Input::Choice { number: 3 }, &clock),
            Err(EngineError::NoSuchChoice {
                number: 3,
                available: 2
            })
        );
        assert_eq!(
            s.advance(&sc, &WordScorer, &Input::Choice { number: 0 }, &clock),
            Err(EngineError::NoSuchChoice {
                number: 0,
                available: 2
            })
        );
        s.advance(&sc, &WordScorer, &Input::Choice { number: 2 }, &clock)
            .unwrap();
        assert_eq!(s.current(), "calmer");
        assert_eq!(
            s.advance(&sc, &WordScorer, &Input::Choice { number: 1 }, &clock),
            Err(EngineError::ReplyExpected)
        );
        assert_eq!(
            s.advance(&sc, &WordScorer, &reply("  "), &clock),
            Err(EngineError::EmptyReply)
        );
    }

    /// Issue 12: guided choices are shown in an order shuffled with the seed (so the best
    /// is not always first), the same for the same seed; the choice picked, and
    /// `when: {choice: N}`, keep the author's numbering; `shuffle: false` pins the order.
    #[test]
    fn guided_choices_are_shuffled_with_the_seed_and_keep_their_meaning() {
        let mut sc = scenario();
        let start = sc.nodes.get_mut("start").unwrap();
        start.choices = vec![
            "It's your fault.".into(),
            "I'm so sorry.".into(),
            "Hm.".into(),
            "Right.".into(),
        ];
        start.branches[1].when = Condition {
            choice: Some(2),
            ..Condition::default()
        };
        let clock = ManualClock::new(0);
        let mut firsts = std::collections::BTreeSet::new();
        for seed in 0..40 {
            let s = Session::start(&sc, seed, &clock);
            let node = s.node(&sc).unwrap();
            let order = s.choice_order(node);
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, [0, 1, 2, 3], "a permutation");
            assert_eq!(Session::start(&sc, seed, &clock).choice_order(node), order);
            firsts.insert(order[0]);
            // Pick the apology wherever it is shown: it is still the author's choice 2.
            let mut s2 = s.clone();
            let shown = s.screen_number(node, 2).unwrap();
            let events = s2
                .advance(&sc, &WordScorer, &Input::Choice { number: shown }, &clock)
                .unwrap();
            assert!(events.iter().any(|e| matches!(&e.kind,
                EventKind::AgentReply { choice: Some(2), text, .. } if text == "I'm so sorry.")));
            assert_eq!(s2.current(), "calmer", "branch on choice 2 (as written)");
        }
        assert_eq!(firsts.len(), 4, "every choice is shown first for some seed");
        sc.nodes.get_mut("start").unwrap().shuffle = false;
        for seed in 0..10 {
            let s = Session::start(&sc, seed, &clock);
            assert_eq!(s.choice_order(s.node(&sc).unwrap()), [0, 1, 2, 3]);
        }
        // The line variants draw as before.
        assert_eq!(
            Session::start(&sc, 5, &clock).transcript(),
            Session::start(&scenario(), 5, &clock).transcript()
        );
    }

    #[test]
    fn a_session_refuses_another_scenario() {
        let sc = scenario();
        let mut other = scenario();
        other.meta.id = "other".into();
        let clock = ManualClock::new(0);
        let mut s = Session::start(&sc, 0, &clock);
        assert!(matches!(
            s.advance(&other, &WordScorer, &reply("sorry"), &clock),
            Err(EngineError::WrongScenario { .. })
        ));
    }

    #[test]
    fn conditions_read_scores_words_and_mood() {
        let score = WordScorer.score(&ReplyInput {
            text: "So sorry, I'll refund it",
            ..ReplyInput::default()
        });
        let c = Condition {
            min_score: [(ScoreKey::Empathy, 80)].into_iter().collect(),
            max_score: [(ScoreKey::ProblemSolving, 50)].into_iter().collect(),
            says_any: vec!["money back".into(), "REFUND".into()],
            says_none: vec!["policy".into()],
            mood_at_least: Some(10),
            mood_at_most: Some(40),
            missed: vec!["blame_customer".into()],
            met_any: vec!["apologize".into(), "reassure".into()],
            ..Condition::default()
        };
        let on = |text: &str, mood| OnReply::new(&score, text, mood, 0);
        let why = holds(&c, &on("So sorry, I'll refund it", 20)).unwrap();
        assert!(why.contains("empathy 80 >= 80"), "{why}");
        assert!(why.contains("said \"REFUND\""), "{why}");
        assert!(holds(&c, &on("So sorry, I'll refund it", 41)).is_none());
        assert!(holds(&c, &on("sorry, refund per policy", 20)).is_none());
        assert!(
            holds(&c, &on("sorry, refunds", 20)).is_none(),
            "whole words only"
        );
        assert_eq!(
            holds(&Condition::default(), &on("", 0)).as_deref(),
            Some("always")
        );
    }

    #[test]
    fn a_condition_on_a_rubric_that_was_not_assessed_does_not_hold() {
        let mut score = WordScorer.score(&ReplyInput {
            text: "sorry",
            ..ReplyInput::default()
        });
        score.scores.problem_solving = None;
        for c in [
            Condition {
                min_score: [(ScoreKey::ProblemSolving, 0)].into_iter().collect(),
                ..Condition::default()
            },
            Condition {
                max_score: [(ScoreKey::ProblemSolving, 100)].into_iter().collect(),
                ..Condition::default()
            },
        ] {
            assert!(holds(&c, &OnReply::new(&score, "sorry", 50, 0)).is_none());
        }
        let c = Condition {
            min_score: [(ScoreKey::Overall, 50)].into_iter().collect(),
            ..Condition::default()
        };
        assert!(holds(&c, &OnReply::new(&score, "sorry", 50, 0)).is_some());
    }

    #[test]
    fn debrief_sums_up_turns_scores_and_mood() {
        let sc = scenario();
        let clock = ManualClock::new(0);
        let mut s = Session::start(&sc, 0, &clock);
        assert!(s.debrief(&sc).is_none());
        s.advance(&sc, &WordScorer, &Input::Silence, &clock)
            .unwrap();
        s.advance(&sc, &WordScorer, &reply("so sorry"), &clock)
            .unwrap();
        s.advance(&sc, &WordScorer, &reply("no"), &clock).unwrap();
        let d = s.debrief(&sc).unwrap();
        assert_eq!(d.outcome, Outcome::Partial);
        assert_eq!(d.ending, "meh");
        assert_eq!(d.mood_curve, [30, 20, 40, 40]);
        assert_eq!(d.turns.len(), 3);
        assert!(d.turns[0].reply.is_none());
        assert_eq!(d.turns[1].model_answers, ["I'm so sorry, Dana."]);
        assert_eq!(
            d.scores.empathy,
            Some(45),
            "mean of 80 and 10 over the turns that assessed it"
        );
        assert_eq!(
            d.scores.overall, 33,
            "overall: mean of 0 (the chased silence), 50 and 50"
        );
        let why = d.decided_by.expect("the last branch decided the ending");
        assert_eq!((why.turn, why.node.as_str()), (2, "calmer"));
        assert_eq!(why.missed, ["apologize"]);
        assert_eq!(why.mood, 40);
    }

    /// A customer who is never answered used to chase forever at mood 0: after
    /// `max_chases` chases at one node they hang up.
    #[test]
    fn an_unanswered_customer_hangs_up_after_the_chase_limit() {
        let sc = scenario();
        assert_eq!(sc.customer.max_chases, 3);
        let clock = ManualClock::new(0);
        let mut s = Session::start(&sc, 0, &clock);
        for chase in 1..=3 {
            clock.advance(21_000);
            s.advance(&sc, &WordScorer, &Input::Silence, &clock)
                .unwrap();
            assert!(!s.is_ended(), "chase {chase} only chases");
        }
        clock.advance(21_000);
        s.advance(&sc, &WordScorer, &Input::Silence, &clock)
            .unwrap();
        assert!(s.is_ended());
        assert_eq!(s.current(), "hung_up");
        let d = s.debrief(&sc).unwrap();
        assert_eq!(d.scores.overall, 0, "four silences, four zeros");
        assert_eq!(d.scores.empathy, None, "nothing was said to assess");
    }

    #[test]
    fn chases_restart_at_each_node() {
        let sc = scenario();
        let clock = ManualClock::new(0);
        let mut s = Session::start(&sc, 0, &clock);
        for _ in 0..3 {
            s.advance(&sc, &WordScorer, &Input::Silence, &clock)
                .unwrap();
        }
        s.advance(&sc, &WordScorer, &reply("so sorry"), &clock)
            .unwrap();
        assert_eq!(s.current(), "calmer");
        for _ in 0..3 {
            s.advance(&sc, &WordScorer, &Input::Silence, &clock)
                .unwrap();
        }
        assert!(!s.is_ended(), "three chases at the new node are allowed");
    }

    #[test]
    fn the_lesson_follows_what_happened() {
        let mut sc = scenario();
        let happy: &mut Ending = sc.endings.get_mut("happy").unwrap();
        happy.lesson = "Fallback.".into();
        happy.lesson_variants = vec![
            LessonVariant {
                when: Condition {
                    chases_at_least: Some(1),
                    ..Condition::default()
                },
                text: "You got there, but you left {customer.first_name} waiting.".into(),
            },
            LessonVariant {
                when: Condition {
                    missed: vec!["blame_customer".into()],
                    mood_at_least: Some(70),
                    ..Condition::default()
                },
                text: "No blame at any turn, and a happy customer.".into(),
            },
        ];
        let sc2 = sc.clone();
        let play_on = |inputs: &[Input]| {
            let clock = ManualClock::new(0);
            let mut s = Session::start(&sc2, 1, &clock);
            for i in inputs {
                s.advance(&sc2, &WordScorer, i, &clock).unwrap();
            }
            s.debrief(&sc2).unwrap().lesson
        };
        assert_eq!(
            play_on(&[Input::Silence, reply("so sorry"), reply("sorry again")]),
            "You got there, but you left Dana waiting."
        );
        assert_eq!(
            play_on(&[reply("so sorry"), reply("sorry again")]),
            "No blame at any turn, and a happy customer."
        );
    }
}
