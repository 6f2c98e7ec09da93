//! Scores one reply and prints every met criterion with its evidence.
//!
//! `cargo run -p rapport-scorer --example score_one -- "REPLY" ["CUSTOMER LINE"] [NAME]`

use rapport_model::score::{ReplyInput, Scorer};
use rapport_scorer::RubricScorer;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let scorer = RubricScorer::builtin();
    let score = scorer.score(&ReplyInput {
        text: args.first().map_or("", String::as_str),
        customer: args.get(1).map(String::as_str),
        customer_name: args.get(2).map(String::as_str),
        ..ReplyInput::default()
    });
    println!("{:?}", score.scores);
    for c in score.criteria.iter().filter(|c| c.met) {
        let spans: Vec<&str> = c.evidence.iter().map(|e| e.text.as_str()).collect();
        println!("{:<22} {spans:?}", c.id);
    }
}
