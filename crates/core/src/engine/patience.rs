//! The customer's patience: when a silent trainee gets chased.
//!
//! The wait runs from when the customer's line was shown, and it pauses while the
//! trainee is typing: each keystroke that changes the draft holds the clock for
//! [`TYPING_GRACE_MS`] after it. A turn's pauses add up to at most [`TYPING_PAUSE_CAP_MS`],
//! so a key held down (or a trainee who types and deletes forever) cannot stop the
//! clock. Everything is computed from times passed in, so a replay gives the same chases.

use super::Session;
use crate::model::Scenario;

/// How long one keystroke holds the customer's patience.
pub const TYPING_GRACE_MS: u64 = 4_000;
/// The most a turn's typing can pause the customer's patience.
pub const TYPING_PAUSE_CAP_MS: u64 = 90_000;

/// The typing pauses of the current turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub(super) struct Pauses {
    /// Milliseconds of pause already closed.
    closed_ms: u64,
    /// The pause still open: from the first keystroke of a burst to the grace after its
    /// latest one.
    open: Option<(u64, u64)>,
}

impl Pauses {
    fn total(&self) -> u64 {
        let open = self.open.map_or(0, |(from, until)| until - from);
        (self.closed_ms + open).min(TYPING_PAUSE_CAP_MS)
    }
}

impl Session {
    /// When (on the session's clock) the customer runs out of patience, if they ever do.
    pub fn patience_deadline_ms(&self, scenario: &Scenario) -> Option<u64> {
        let played = self.played(scenario);
        let scenario = &*played;
        if self.ended {
            return None;
        }
        let patience = scenario.patience_seconds()?;
        Some(self.waiting_since_ms + u64::from(patience) * 1000 + self.pauses.total())
    }

    /// The customer has finished speaking on screen: their patience runs from `now`, not
    /// from when the line was produced, so a front end that shows lines with a typing
    /// pause does not eat into the trainee's time. It only ever moves the start later.
    pub fn restart_patience(&mut self, now: u64) {
        if !self.ended {
            self.waiting_since_ms = self.waiting_since_ms.max(now);
        }
    }

    /// The trainee changed their draft at `now`: the customer waits while they type.
    pub fn typing(&mut self, now: u64) {
        if self.ended || now < self.waiting_since_ms {
            return;
        }
        let until = now + TYPING_GRACE_MS;
        self.pauses.open = match self.pauses.open {
            Some((from, end)) if now <= end => Some((from, until)),
            Some((from, end)) => {
                self.pauses.closed_ms += end - from;
                Some((now, until))
            }
            None => Some((now, until)),
        };
    }

    /// Whether the customer's patience is on hold because the trainee is typing.
    pub fn is_typing(&self, now: u64) -> bool {
        !self.ended
            && self.pauses.total() < TYPING_PAUSE_CAP_MS
            && self.pauses.open.is_some_and(|(_, until)| now < until)
    }

    /// A new turn: the customer has spoken, the wait starts afresh.
    pub(super) fn wait_from(&mut self, now: u64) {
        self.waiting_since_ms = now;
        self.pauses = Pauses::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Input, ManualClock};
    use crate::testkit::{scenario, WordScorer};

    #[test]
    fn typing_pauses_the_patience_and_it_resumes_when_typing_stops() {
        let sc = scenario();
        let clock = ManualClock::new(0);
        let mut s = Session::start(&sc, 0, &clock);
        assert_eq!(s.patience_deadline_ms(&sc), Some(20_000));
        // Keystrokes every second from 5 s to 15 s: one pause from 5 s to 19 s.
        for t in (5_000..=15_000).step_by(1_000) {
            s.typing(t);
        }
        assert!(s.is_typing(16_000));
        assert_eq!(s.patience_deadline_ms(&sc), Some(34_000));
        assert!(!s.is_typing(19_000), "typing stopped: the clock runs again");
        // A second burst later adds its own pause.
        s.typing(25_000);
        assert_eq!(s.patience_deadline_ms(&sc), Some(38_000));
    }

    #[test]
    fn a_held_key_cannot_stop_the_clock() {
        let sc = scenario();
        let clock = ManualClock::new(0);
        let mut s = Session::start(&sc, 0, &clock);
        for t in (0..300_000).step_by(500) {
            s.typing(t);
        }
        assert_eq!(
            s.patience_deadline_ms(&sc),
            Some(20_000 + TYPING_PAUSE_CAP_MS)
        );
        assert!(
            !s.is_typing(299_000),
            "past the cap the customer no longer waits"
        );
    }

    #[test]
    fn a_new_turn_starts_without_pauses() {
        let sc = scenario();
        let clock = ManualClock::new(0);
        let mut s = Session::start(&sc, 0, &clock);
        s.typing(1_000);
        clock.advance(6_000);
        s.advance(
            &sc,
            &WordScorer,
            &Input::Reply {
                text: "so sorry".into(),
            },
            &clock,
        )
        .unwrap();
        assert_eq!(s.patience_deadline_ms(&sc), Some(26_000));
    }

    #[test]
    fn an_email_customer_has_no_patience_deadline_and_never_chases() {
        let mut sc = scenario();
        sc.meta.channel = crate::model::Channel::Email;
        assert!(
            sc.customer.patience.is_some(),
            "the file's patience is ignored"
        );
        assert_eq!(sc.patience_seconds(), None);
        let clock = ManualClock::new(0);
        let mut s = Session::start(&sc, 0, &clock);
        assert_eq!(s.patience_deadline_ms(&sc), None);
        clock.advance(3_600_000);
        assert!(matches!(
            s.advance(&sc, &WordScorer, &Input::Silence, &clock),
            Err(crate::engine::EngineError::NoPatience)
        ));
        assert!(s
            .transcript()
            .iter()
            .all(|e| !matches!(e.kind, crate::engine::EventKind::AgentSilent { .. })));
    }
}
