//! Time as an input: the engine reads the time only through a [`Clock`], so tests and
//! replays drive it by hand and get the same transcript every time.

use std::cell::Cell;
use std::time::{SystemTime, UNIX_EPOCH};

/// Where the engine gets the time from. Milliseconds, from any fixed origin.
pub trait Clock {
    fn now_ms(&self) -> u64;
}

/// The real wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0)
    }
}

/// A clock that moves only when told to: for tests, golden transcripts and replays.
#[derive(Debug, Default)]
pub struct ManualClock(Cell<u64>);

impl ManualClock {
    pub fn new(start_ms: u64) -> Self {
        ManualClock(Cell::new(start_ms))
    }

    pub fn advance(&self, ms: u64) {
        self.0.set(self.0.get() + ms);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        self.0.get()
    }
}
