//! Scores the bench reply N times (default 20,000), for measuring CPU time on a busy
//! machine where criterion's wall-clock figures are inflated by other processes:
//! `/usr/bin/time -f "%U s user" cargo run --release -p rapport-core --example throughput`.

use rapport_core::score::{ReplyInput, Scorer};
use rapport_core::scorer::RubricScorer;

const REPLY: &str = include_str!("../benches/reply.txt");
const CUSTOMER: &str =
    "This is the THIRD time I'm calling about being charged twice. Fix it or I'm cancelling.";

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let scorer = RubricScorer::builtin();
    let input = ReplyInput {
        text: REPLY.trim(),
        customer: Some(CUSTOMER),
        customer_name: Some("Dana Whitfield"),
        ..ReplyInput::default()
    };
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
