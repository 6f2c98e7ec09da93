//! The shipped semantic model: the artifacts are the ones their checksums name, and the
//! Rust side computes exactly what the training script computed (`golden.jsonl`, written
//! by `make train` from made-up replies: tokens, the features and every head's sum).

use std::path::PathBuf;

use rapport_core::model::Language;
use rapport_core::scorer::semantic::Semantic;
use rapport_core::scorer::text::tokenize;
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
    for file in ["vectors.bin", "heads.json"] {
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
    assert_eq!(
        heads["vectors_sha256"].as_str(),
        Some(sha256(&vectors).as_str()),
        "the heads were trained on other vectors: run `make train`"
    );
    assert!(
        vectors.len() <= 20 * 1024 * 1024,
        "the model may add at most 20 MB"
    );
}

#[test]
fn rust_features_and_head_sums_equal_the_training_script_s() {
    let model = Semantic::builtin();
    let golden = std::fs::read_to_string(model_dir().join("golden.jsonl")).unwrap();
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
        let tokens: Vec<&str> = reply.tokens.iter().map(|t| t.norm.as_str()).collect();
        let expected: Vec<&str> = g["reply_tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert_eq!(tokens, expected, "{}", g["id"]);
        let a = model.reply_mean(&reply);
        let c = model.customer_mean(Some(&customer));
        let x = Semantic::features(&a, &c);
        let gx: Vec<i32> = g["x"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap() as i32)
            .collect();
        assert_eq!(x, gx, "features of {}", g["id"]);
        for (h, head) in model.heads().iter().enumerate() {
            let want = g["head_sums"][&head.criterion].as_i64().unwrap();
            assert_eq!(
                model.head_sum(h, &a, &c),
                want,
                "{} head of {}",
                head.criterion,
                g["id"]
            );
        }
        checked += 1;
    }
    assert!(checked >= 10, "golden.jsonl has {checked} cases");
}
