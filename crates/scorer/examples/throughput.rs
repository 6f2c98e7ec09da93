//! Scores the bench reply N times (default 20,000), for measuring CPU time on a busy
//! machine where criterion's wall-clock figures are inflated by other processes:
//! `/usr/bin/time -f "%U s user" cargo run --release -p rapport-scorer --example throughput`.

use rapport_model::score::Scorer;
use rapport_scorer::RubricScorer;

#[path = "../benches/common/mod.rs"]
mod common;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let scorer = RubricScorer::builtin();
    let input = common::input();
    let start = std::time::Instant::now();
    let mut met = 0;
    for _ in 0..n {
        met += scorer
            .score(std::hint::black_box(&input))
            .criteria
            .iter()
            .filter(|c| c.met)
            .count();
    }
    let wall = start.elapsed();
    println!(
        "{n} replies, {met} criteria met, {:.0} replies/s wall-clock",
        n as f64 / wall.as_secs_f64()
    );
}
