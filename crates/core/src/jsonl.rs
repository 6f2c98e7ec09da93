//! `rapport score`: JSON Lines in, JSON Lines out, one output line per input line, in order.
//!
//! Input `{"id", "text", "customer"?, "customer_name"?, "language"?, "scenario"?, "node"?}`
//! (other keys, such as an eval file's `labels`, are ignored). Output
//! `{"id", "scores", "criteria"}`, or `{"id"?, "error"}` for a line that is not valid
//! input; the run goes on either way.
//!
//! - Out of context (no `scenario`), the reply is judged on every criterion; without
//!   `language`, the language is guessed from its common words.
//! - With `scenario` (an id among the scenarios given) and `node`, the reply is scored
//!   exactly as that node scores it in a conversation, through
//!   [`engine::score_at`](crate::engine::score_at): its focus, the scenario's criteria and
//!   phrases, the customer's name and facts, and the node's (first) customer line unless
//!   the input gives `customer`.

use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::{Language, Scenario};
use crate::score::{ReplyInput, ReplyScore, Scorer};
use crate::scorer::text::guess_language;

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
    #[serde(default)]
    scenario: Option<String>,
    #[serde(default)]
    node: Option<String>,
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
pub fn run(input: impl BufRead, output: impl Write, scorer: &dyn Scorer) -> std::io::Result<usize> {
    run_in(input, output, scorer, &[])
}

/// [`run`], with `scenarios` that lines may name for scoring in context.
pub fn run_in(
    mut input: impl BufRead,
    mut output: impl Write,
    scorer: &dyn Scorer,
    scenarios: &[Scenario],
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
        match score_line(raw, scorer, scenarios) {
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

fn score_line(
    raw: &[u8],
    scorer: &dyn Scorer,
    scenarios: &[Scenario],
) -> Result<String, (Option<Value>, String)> {
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
    let score = match (&line.scenario, &line.node) {
        (None, None) => scorer.score(&ReplyInput {
            text: &line.text,
            customer: line.customer.as_deref(),
            customer_name: line.customer_name.as_deref(),
            language: line.language.unwrap_or_else(|| guess_language(&line.text)),
            ..ReplyInput::default()
        }),
        (Some(sid), Some(nid)) => {
            let scenario = scenarios
                .iter()
                .find(|s| &s.meta.id == sid)
                .ok_or_else(|| {
                    let ids: Vec<&str> = scenarios.iter().map(|s| s.meta.id.as_str()).collect();
                    (
                        id.clone(),
                        format!(
                            "no scenario `{sid}` in the pack (known: {})",
                            ids.join(", ")
                        ),
                    )
                })?;
            let node = scenario.nodes.get(nid).ok_or_else(|| {
                let ids: Vec<&str> = scenario.nodes.keys().map(String::as_str).collect();
                (
                    id.clone(),
                    format!(
                        "scenario `{sid}` has no node `{nid}` (nodes: {})",
                        ids.join(", ")
                    ),
                )
            })?;
            let customer = line
                .customer
                .clone()
                .unwrap_or_else(|| crate::engine::first_line(scenario, node));
            let mut scenario = std::borrow::Cow::Borrowed(scenario);
            if let Some(name) = &line.customer_name {
                scenario.to_mut().customer.name = name.clone();
            }
            crate::engine::score_at(&scenario, node, &line.text, Some(&customer), scorer)
        }
        _ => {
            return Err((
                id,
                "`scenario` and `node` go together: give both to score in context, or neither"
                    .into(),
            ))
        }
    };
    serde_json::to_string(&Scored {
        id: &line.id,
        score: &score,
    })
    .map_err(|e| (id, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scorer::RubricScorer;

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
        assert_eq!(
            lines[0]["criteria"].as_array().unwrap().len(),
            crate::score::builtin_criteria(false).count()
        );
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

    /// `rapport score` ignored a node's focus and the scenario's own criteria, so it gave
    /// other scores than play: in context it now scores exactly as the node does.
    #[test]
    fn in_context_a_line_is_scored_as_its_node_scores_it() {
        let scorer = RubricScorer::builtin();
        let sc = crate::testkit::scenario();
        let text = "I'm so sorry about the two charges, Dana.";
        let input = format!(
            "{{\"id\": 1, \"scenario\": \"t\", \"node\": \"start\", \"text\": \"{text}\"}}\n\
             {{\"id\": 2, \"text\": \"{text}\"}}\n\
             {{\"id\": 3, \"scenario\": \"nope\", \"node\": \"start\", \"text\": \"x\"}}\n\
             {{\"id\": 4, \"scenario\": \"t\", \"text\": \"x\"}}\n"
        );
        let mut out = Vec::new();
        let failed = run_in(
            input.as_bytes(),
            &mut out,
            &scorer,
            std::slice::from_ref(&sc),
        )
        .unwrap();
        assert_eq!(failed, 2);
        let lines: Vec<Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let node = &sc.nodes["start"];
        let expected =
            crate::engine::score_at(&sc, node, text, Some("I was charged twice!"), &scorer);
        assert_eq!(
            lines[0]["scores"],
            serde_json::to_value(expected.scores).unwrap()
        );
        assert_eq!(
            lines[0]["scores"]["overall"], 100,
            "the node calls for an apology only"
        );
        assert!(
            lines[0]["scores"]["problem_solving"].is_null(),
            "not assessed here"
        );
        assert!(
            lines[1]["scores"]["problem_solving"].is_u64(),
            "out of context: everything"
        );
        assert!(lines[2]["error"]
            .as_str()
            .unwrap()
            .contains("no scenario `nope`"));
        assert!(lines[3]["error"].as_str().unwrap().contains("go together"));
    }
}
