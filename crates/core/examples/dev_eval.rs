//! Scores the shared dev set and prints precision, recall and F1 per criterion: all of
//! it, then the tuning half and the held-out half (split by situation, so the held-out
//! half has customers and wording the phrases were not written against).
//!
//! `cargo run --release -p rapport-core --example dev_eval [LABELS] [--misses CRITERION]`

use std::io::BufReader;

use rapport_core::jsonl;
use rapport_core::scorer::{eval, RubricScorer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .iter()
        .find(|a| {
            !a.starts_with("--")
                && Some(a.as_str())
                    != args
                        .iter()
                        .skip_while(|a| *a != "--misses")
                        .nth(1)
                        .map(String::as_str)
        })
        .cloned()
        .unwrap_or_else(|| {
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/eval/dev-replies.jsonl"
            )
            .to_string()
        });
    let labels = std::fs::read_to_string(&path)?;
    let scorer = RubricScorer::builtin();
    let mut out = Vec::new();
    jsonl::run(BufReader::new(labels.as_bytes()), &mut out, &scorer)?;
    let all = eval::evaluate(labels.as_bytes(), out.as_slice())?;
    let tune = eval::evaluate_some(labels.as_bytes(), out.as_slice(), |id| {
        rapport_core::scorer::eval::is_tuning_id(id)
    })?;
    let held = eval::evaluate_some(labels.as_bytes(), out.as_slice(), |id| {
        !rapport_core::scorer::eval::is_tuning_id(id)
    })?;
    println!("== all ==\n{all}\n\n== tuning half ==\n{tune}\n\n== held-out half ==\n{held}");
    if let Some(criterion) = args.iter().skip_while(|a| *a != "--misses").nth(1) {
        let outputs: Vec<serde_json::Value> = String::from_utf8(out)?
            .lines()
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()?;
        for (line, output) in labels.lines().zip(&outputs) {
            let l: serde_json::Value = serde_json::from_str(line)?;
            // Only the tuning half's errors are shown, so the held-out half stays unseen.
            let id = l["id"].as_str().unwrap_or_default();
            if !eval::is_tuning_id(id) && !args.iter().any(|a| a == "--show-held-out") {
                continue;
            }
            let truth = l["labels"][criterion].as_bool().unwrap_or(false);
            let c = output["criteria"]
                .as_array()
                .and_then(|cs| cs.iter().find(|c| c["id"] == criterion.as_str()));
            let got = c.is_some_and(|c| c["met"] == true);
            if truth != got {
                let kind = if got { "FP" } else { "FN" };
                println!(
                    "{kind} {} | {}\n    {}\n    evidence: {}",
                    l["id"],
                    l["customer"],
                    l["text"],
                    c.map(|c| c["evidence"].to_string()).unwrap_or_default()
                );
            }
        }
    }
    Ok(())
}
