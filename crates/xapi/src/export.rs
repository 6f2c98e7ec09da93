//! `rapport export`: the attempts as CSV, or the statements as a JSON array.
//!
//! CSV layout: one table, header [`CSV_HEADER`], for a spreadsheet to filter on its
//! first column:
//! - `record` = `attempt`: one row per attempt, started last first: its status,
//!   times, outcome, the debrief's scores and its number of turns; `turn`, `at`, `node`,
//!   `reply`, `met`, `committed` are empty.
//! - `record` = `turn`: one row per turn of that attempt, right after it, in order: the
//!   turn number (from 1), when it happened (UTC), the node, the reply (empty for a silence;
//!   a choice as `[choice N] text`), the turn's scores, the positive criteria met and the
//!   penalty criteria committed (ids separated by `;`).
//!
//! Times are UTC ISO 8601. A cell starting with `=`, `+`, `-` or `@` is prefixed with `'`
//! so a spreadsheet shows a trainee's reply as text instead of running it as a formula.
//! No settings, and so no LRS secret, go into either format.

use rapport_core::engine::EventKind;
use rapport_core::history::AttemptLog;
use rapport_core::score::{RubricId, Scores};
use rapport_store::adapter::StoreLog;

use crate::statement::timestamp;
use crate::sync::events_of;
use crate::XapiError;

pub const CSV_HEADER: &str = "record,attempt_id,scenario,scenario_version,status,started,ended,\
outcome,overall,empathy,problem_solving,professionalism,turns,turn,at,node,reply,met,committed";

fn cell(out: &mut String, text: &str) {
    let guarded;
    let text = if text.starts_with(['=', '+', '-', '@']) {
        guarded = format!("'{text}");
        guarded.as_str()
    } else {
        text
    };
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

fn row(out: &mut String, cells: &[String]) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        cell(out, c);
    }
    out.push_str("\r\n");
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn score_cells(s: Option<&Scores>) -> [String; 4] {
    [
        opt(s.map(|s| s.overall)),
        opt(s.and_then(|s| s.rubric(RubricId::Empathy))),
        opt(s.and_then(|s| s.rubric(RubricId::ProblemSolving))),
        opt(s.and_then(|s| s.rubric(RubricId::Professionalism))),
    ]
}

/// The CSV text (see the module docs), lines ending in CRLF as RFC 4180 says.
pub fn csv(log: &StoreLog) -> Result<String, XapiError> {
    let mut out = String::new();
    out.push_str(CSV_HEADER);
    out.push_str("\r\n");
    for a in log.history().map_err(XapiError::History)? {
        let status = match (a.ended_at_ms, &a.outcome) {
            (None, _) => "unfinished",
            (Some(_), Some(_)) => "finished",
            (Some(_), None) => "abandoned",
        };
        let turns = a.steps.iter().filter(|s| s.step.is_turn()).count();
        let [overall, empathy, ps, prof] = score_cells(a.scores.as_ref());
        let head = [
            a.id.clone(),
            a.scenario_id.clone(),
            a.scenario_version.clone(),
        ];
        let mut cells = vec!["attempt".to_string()];
        cells.extend(head.iter().cloned());
        cells.extend([
            status.to_string(),
            timestamp(a.started_at_ms),
            opt(a.ended_at_ms.map(timestamp)),
            opt(a.outcome.clone()),
            overall,
            empathy,
            ps,
            prof,
            turns.to_string(),
        ]);
        cells.extend(std::iter::repeat_n(String::new(), 6));
        row(&mut out, &cells);
        let mut n = 0;
        for e in events_of(log, &a.id)? {
            let (node, reply, score) = match &e.kind {
                EventKind::AgentReply {
                    node,
                    text,
                    choice,
                    score,
                } => {
                    let reply = match choice {
                        Some(c) => format!("[choice {c}] {text}"),
                        None => text.clone(),
                    };
                    (node, reply, Some(score))
                }
                EventKind::AgentSilent { node, .. } => (node, String::new(), None),
                _ => continue,
            };
            n += 1;
            let assessed = |c: &&rapport_core::score::CriterionResult| {
                c.met && score.is_some_and(|s| s.scores.rubric(c.rubric).is_some())
            };
            let ids = |penalty: bool| {
                score
                    .map(|s| {
                        s.criteria
                            .iter()
                            .filter(assessed)
                            .filter(|c| c.penalty == penalty)
                            .map(|c| c.id.as_str())
                            .collect::<Vec<_>>()
                            .join(";")
                    })
                    .unwrap_or_default()
            };
            // A silence the customer chased scores 0 overall, as in the debrief.
            let silent = Scores::default();
            let [overall, empathy, ps, prof] =
                score_cells(Some(score.map_or(&silent, |s| &s.scores)));
            let mut cells = vec!["turn".to_string()];
            cells.extend(head.iter().cloned());
            cells.extend(std::iter::repeat_n(String::new(), 4));
            cells.extend([overall, empathy, ps, prof, String::new()]);
            cells.extend([
                n.to_string(),
                timestamp(a.started_at_ms + e.at_ms),
                node.clone(),
                reply,
                ids(false),
                ids(true),
            ]);
            row(&mut out, &cells);
        }
    }
    Ok(out)
}

/// Every statement in the outbox (sent or not), queue order, as a JSON array of the
/// exact texts queued.
pub fn xapi(log: &StoreLog) -> Result<String, XapiError> {
    let items = log.0.outbox()?;
    let mut out = String::from("[");
    for (i, item) in items.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        out.push_str(&item.json);
    }
    out.push_str(if items.is_empty() { "]\n" } else { "\n]\n" });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        let mut s = String::new();
        row(
            &mut s,
            &[
                "a,b".into(),
                "say \"hi\"".into(),
                "=SUM(A1)".into(),
                "ok".into(),
            ],
        );
        assert_eq!(s, "\"a,b\",\"say \"\"hi\"\"\",'=SUM(A1),ok\r\n");
        assert_eq!(CSV_HEADER.split(',').count(), 19);
    }
}
