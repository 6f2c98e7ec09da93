//! The shipped learned model: the artifacts are the ones their checksums name, and the
//! Rust side computes exactly what the training script computed (`golden.jsonl`, written
//! by `make train` from made-up replies: tokens, n-gram buckets, the rules' verdicts, the
//! embedding features and every head's sum).

use std::path::PathBuf;

use rapport_model::model::Language;
use rapport_scorer::semantic::Semantic;
use rapport_scorer::text::tokenize;
use sha2::Digest;

fn model_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("model")
}

fn sha256(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn the_committed_artifacts_match_their_checksums() {
    for file in ["vectors.bin", "ngrams.bin", "heads.json"] {
        let bytes = std::fs::read(model_dir().join(file)).unwrap();
        let recorded = std::fs::read_to_string(model_dir().join(format!("{file}.sha256"))).unwrap();
        assert!(
            recorded.starts_with(&sha256(&bytes)),
            "{file} does not match {file}.sha256: rebuild with `make model` / `make train`"
        );
    }
    let heads: serde_json::Value =
        serde_json::from_slice(&std::fs::read(model_dir().join("heads.json")).unwrap()).unwrap();
    let vectors = std::fs::read(model_dir().join("vectors.bin")).unwrap();
    let ngrams = std::fs::read(model_dir().join("ngrams.bin")).unwrap();
    assert_eq!(
        heads["vectors_sha256"].as_str(),
        Some(sha256(&vectors).as_str()),
        "the heads were trained on other vectors: run `make train`"
    );
    assert_eq!(
        heads["ngrams_sha256"].as_str(),
        Some(sha256(&ngrams).as_str()),
        "heads.json and ngrams.bin come from different `make train` runs"
    );
    assert!(
        vectors.len() + ngrams.len() <= 20 * 1024 * 1024,
        "the model may add at most 20 MB"
    );
}

#[test]
fn rust_features_and_head_sums_equal_the_training_script_s() {
    let model = Semantic::builtin();
    let golden = std::fs::read_to_string(model_dir().join("golden.jsonl")).unwrap();
    let ints = |v: &serde_json::Value| -> Vec<i64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_i64().unwrap())
            .collect()
    };
    let mut checked = 0;
    for line in golden.lines() {
        let g: serde_json::Value = serde_json::from_str(line).unwrap();
        let lang = if g["language"] == "fr" {
            Language::Fr
        } else {
            Language::En
        };
        let reply = tokenize(g["text"].as_str().unwrap(), lang);
        let customer = tokenize(g["customer"].as_str().unwrap_or_default(), lang);
        let sentences: Vec<Vec<&str>> = reply
            .sentences
            .iter()
            .map(|s| {
                reply.tokens[s.first..s.end]
                    .iter()
                    .map(|t| t.norm.as_str())
                    .collect()
            })
            .collect();
        assert_eq!(
            serde_json::json!(sentences),
            g["sentences"],
            "tokens of {}",
            g["id"]
        );
        let p = model.prepare(&reply, Some(&customer));
        let buckets: Vec<Vec<u32>> = model.buckets(&p).to_vec();
        assert_eq!(
            serde_json::json!(buckets),
            g["buckets"],
            "n-grams of {}",
            g["id"]
        );
        let x: Vec<i64> = model.embedding(&p).iter().map(|&v| i64::from(v)).collect();
        assert_eq!(x, ints(&g["x"]), "embedding of {}", g["id"]);
        let rules: Vec<bool> = g["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_bool().unwrap())
            .collect();
        let sums = ints(&g["head_sums"]);
        for (h, head) in model.heads().iter().enumerate() {
            let k = model
                .criteria()
                .iter()
                .position(|c| *c == head.criterion)
                .unwrap();
            assert_eq!(
                model.z(h, &p, &rules),
                sums[k],
                "{} head of {}",
                head.criterion,
                g["id"]
            );
        }
        checked += 1;
    }
    assert!(checked >= 10, "golden.jsonl has {checked} cases");
}
