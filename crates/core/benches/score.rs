//! Scoring throughput: one ~60-word reply against every built-in criterion, with the
//! rubrics compiled once. Goal: >= 20,000 replies/s on one core.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rapport_core::score::Scorer;
use rapport_core::scorer::RubricScorer;

mod common;

fn bench(c: &mut Criterion) {
    let scorer = RubricScorer::builtin();
    let input = common::input();
    let mut group = c.benchmark_group("score");
    group.throughput(Throughput::Elements(1));
    group.bench_function("reply_60_words", |b| {
        b.iter(|| scorer.score(black_box(&input)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
