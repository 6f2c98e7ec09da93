//! `rapport score`: JSON Lines in, JSON Lines out, one output line per input line, in order.
//!
//! Input `{"id", "text", "customer"?, "customer_name"?, "language"?}` (other keys, such as
//! an eval file's `labels`, are ignored; without `language`, it is guessed from the
//! reply's common words, see [`super::text::guess_language`]). Output `{"id", "scores", "criteria"}`, or
//! `{"id"?, "error"}` for a line that is not valid input; the run goes on either way.

use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::RubricScorer;
use crate::model::Language;
use crate::score::{ReplyInput, ReplyScore, Scorer};

#[derive(Deserialize)]
struct Line {
    id: Value,
    text: String,
    #[serde(default)]
    customer: Option<String>,
    #[serde(default)]
    customer_name: Option<String>,
    #[serde(default)]
    language: Option<Language>,
}

#[derive(Serialize)]
struct Scored<'a> {
    id: &'a Value,
    #[serde(flatten)]
    score: &'a ReplyScore,
}

#[derive(Serialize)]
struct Failed<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a Value>,
    error: String,
}

/// Scores every line of `input` onto `output`. Returns how many lines failed, so the
/// caller can exit 1 when any did; `Err` only when reading or writing itself fails.
pub fn run(
    mut input: impl BufRead,
    mut output: impl Write,
    scorer: &RubricScorer,
) -> std::io::Result<usize> {
    let mut failed = 0;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        let raw = buf.strip_suffix(b"\n").unwrap_or(&buf);
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        match score_line(raw, scorer) {
            Ok(json) => output.write_all(json.as_bytes())?,
            Err((id, error)) => {
                failed += 1;
                let json = serde_json::to_string(&Failed {
                    id: id.as_ref(),
                    error,
                })
                .map_err(std::io::Error::other)?;
                output.write_all(json.as_bytes())?;
            }
        }
        output.write_all(b"\n")?;
    }
    output.flush()?;
    Ok(failed)
}

fn score_line(raw: &[u8], scorer: &RubricScorer) -> Result<String, (Option<Value>, String)> {
    let text =
        std::str::from_utf8(raw).map_err(|e| (None, format!("the line is not UTF-8: {e}")))?;
    if text.trim().is_empty() {
        return Err((
            None,
            "empty line: expected a JSON object with `id` and `text`".into(),
        ));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| (None, format!("not JSON: {e}")))?;
    let id = value.get("id").cloned();
    let line: Line =
        serde_json::from_value(value).map_err(|e| (id.clone(), format!("invalid input: {e}")))?;
    let score = scorer.score(&ReplyInput {
        text: &line.text,
        customer: line.customer.as_deref(),
        customer_name: line.customer_name.as_deref(),
        language: line
            .language
            .unwrap_or_else(|| super::text::guess_language(&line.text)),
        ..ReplyInput::default()
    });
    serde_json::to_string(&Scored {
        id: &line.id,
        score: &score,
    })
    .map_err(|e| (id, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_out_per_line_in_with_errors_inline() {
        let scorer = RubricScorer::builtin();
        let input = "{\"id\": \"a\", \"text\": \"I'm so sorry\", \"labels\": {}}\nnot json\n{\"id\": 7}\n\n{\"id\": \"b\", \"text\": \"Bonjour\", \"language\": \"fr\"}\n";
        let mut out = Vec::new();
        let failed = run(input.as_bytes(), &mut out, &scorer).unwrap();
        let lines: Vec<Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(failed, 3);
        assert_eq!(lines.len(), 5);
        assert_eq!(lines[0]["id"], "a");
        assert_eq!(lines[0]["criteria"].as_array().unwrap().len(), 14);
        assert!(lines[0]["scores"]["overall"].is_u64());
        assert!(lines[1].get("id").is_none() && lines[1]["error"].is_string());
        assert_eq!(lines[2]["id"], 7);
        assert!(lines[2]["error"].as_str().unwrap().contains("text"));
        assert!(lines[3]["error"].is_string());
        assert_eq!(lines[4]["id"], "b");
    }

    #[test]
    fn a_line_without_language_is_scored_in_the_language_it_is_written_in() {
        let scorer = RubricScorer::builtin();
        let input = "{\"id\": 1, \"text\": \"Calmez-vous, je ne peux rien faire.\"}\n";
        let mut out = Vec::new();
        run(input.as_bytes(), &mut out, &scorer).unwrap();
        let line: Value = serde_json::from_slice(&out).unwrap();
        let dismissive = line["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "dismissive")
            .unwrap();
        assert_eq!(dismissive["met"], true, "{line}");
    }

    #[test]
    fn invalid_utf8_is_an_error_line_not_a_failure_of_the_run() {
        let scorer = RubricScorer::builtin();
        let mut out = Vec::new();
        let failed = run(&b"\xff\xfe\n"[..], &mut out, &scorer).unwrap();
        assert_eq!(failed, 1);
        assert!(String::from_utf8(out).unwrap().contains("UTF-8"));
    }
}
