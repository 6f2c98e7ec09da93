//! Scoring throughput, with the rubrics and the semantic model loaded once.
//!
//! - `reply_60_words`: one ~60-word reply, the shipped hybrid scorer.
//! - `distinct_replies_every_head`: 120 distinct replies of 40-80 words from the training
//!   corpus, each with its own customer line, and every semantic head run on every reply
//!   (`Mode::Learned`), so nothing is skipped or cached between them. Goal for both: under
//!   50 µs a reply on one core (20,000 replies a second).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rapport_model::model::Language;
use rapport_model::score::{ReplyInput, Scorer};
use rapport_scorer::semantic::Mode;
use rapport_scorer::RubricScorer;

mod common;

fn corpus_replies() -> Vec<(String, String, Language)> {
    let text = include_str!("../../../corpus/train.jsonl");
    text.lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            let reply = v["text"].as_str()?.to_string();
            let words = reply.split_whitespace().count();
            let lang = if v["lang"] == "fr" {
                Language::Fr
            } else {
                Language::En
            };
            let customer = v["customer"].as_str()?.to_string();
            (40..=80)
                .contains(&words)
                .then_some((reply, customer, lang))
        })
        .step_by(3)
        .take(120)
        .collect()
}

fn bench(c: &mut Criterion) {
    let scorer = RubricScorer::builtin();
    let input = common::input();
    let mut group = c.benchmark_group("score");
    group.throughput(Throughput::Elements(1));
    group.bench_function("reply_60_words", |b| {
        b.iter(|| scorer.score(black_box(&input)))
    });
    let replies = corpus_replies();
    assert!(replies.len() >= 100, "{} replies", replies.len());
    group.throughput(Throughput::Elements(replies.len() as u64));
    let every_head = RubricScorer::builtin().with_semantic_mode(Mode::Learned);
    let rules_only = RubricScorer::builtin().without_semantic();
    for (name, scorer) in [
        ("distinct_replies_every_head", &every_head),
        ("distinct_replies_rules_only", &rules_only),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                for (text, customer, language) in &replies {
                    black_box(scorer.score(black_box(&ReplyInput {
                        text,
                        customer: Some(customer),
                        customer_name: Some("Dana"),
                        language: *language,
                        ..ReplyInput::default()
                    })));
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
