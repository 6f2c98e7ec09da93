//! Checks a trainer meets while writing a scenario (issue 11): each test names the
//! problem a trainer hit, reproduces it and shows what `validate` says now.

use std::path::Path;

use rapport_core::load::{load_str, FileReport};
use rapport_core::pack::Pack;

const GUIDED: &str = r#"id: rebook
title: Rebook
summary: A guided rebooking.
difficulty: 2
skills: [travel]
channel: phone
estimated_minutes: 3
author: Tests
version: 1
customer:
  name: Ana Ruiz
  persona: Stranded.
  mood: 40
nodes:
  opening:
    say: "My flight was cancelled and I need to get home tonight."
    choices:
      - text: "I'm so sorry, Ana. I'll rebook you on the 6pm flight right now."
        leads_to: calm_down
      - text: "Our policy is that we can only rebook you on the next available flight, which I can do for you now."
        leads_to: upset
    branches:
      - when: { met: [offer_solution] }
        goto: calm_down
    otherwise: { goto: upset }
  calm_down:
    say: "Thank you."
    otherwise: { goto: resolved }
  upset:
    say: "That's useless."
    otherwise: { goto: resolved, mood: -10 }
endings:
  resolved:
    outcome: success
    say: "Bye."
"#;

fn load_with_scorer(text: &str) -> FileReport {
    let pack = Pack::open(Path::new("/nonexistent"));
    load_str(Path::new("t.yaml"), text, &pack.options)
}

fn codes(r: &FileReport) -> Vec<(String, usize)> {
    r.diagnostics
        .iter()
        .map(|d| (d.code.clone(), d.line))
        .collect()
}

/// A deliberately bad choice ("our policy is that we can only rebook you...") was scored
/// as an offer and took the good branch, silently. With `leads_to:` the validator says
/// so, at the choice's `leads_to`, and what it should do.
#[test]
fn a_choice_whose_score_takes_another_branch_than_its_leads_to_is_warned() {
    let r = load_with_scorer(GUIDED);
    assert!(!r.has_errors(), "{:#?}", r.diagnostics);
    let warned: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.code == "choice-leads-elsewhere")
        .collect();
    assert_eq!(warned.len(), 1, "{:#?}", r.diagnostics);
    let line = GUIDED
        .lines()
        .position(|l| l.contains("leads_to: upset"))
        .unwrap()
        + 1;
    assert_eq!(warned[0].line, line);
    assert!(
        warned[0].message.starts_with(
            "Choice 2 should lead to `upset`, but as scored it takes branch 1 to `calm_down`"
        ),
        "{}",
        warned[0].message
    );
    assert!(warned[0].hint.as_deref().unwrap().contains("choice: 2"));
    // The scenario still loads: a warning, not an error.
    assert!(r.scenario.is_some());

    // Branching on the choice itself fixes it.
    let fixed = GUIDED.replace(
        "    branches:\n      - when: { met: [offer_solution] }",
        "    branches:\n      - when: { choice: 2 }\n        goto: upset\n      - when: { met: [offer_solution] }",
    );
    let r = load_with_scorer(&fixed);
    assert!(
        !codes(&r).iter().any(|(c, _)| c == "choice-leads-elsewhere"),
        "{:#?}",
        r.diagnostics
    );
}

#[test]
fn a_leads_to_naming_no_node_is_an_error_at_its_line() {
    let text = GUIDED.replace("leads_to: upset", "leads_to: upsett");
    let r = load_with_scorer(&text);
    let line = text.lines().position(|l| l.contains("upsett")).unwrap() + 1;
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.code == "unknown-target")
        .expect("unknown-target");
    assert_eq!(d.line, line);
    assert_eq!(d.hint.as_deref(), Some("did you mean `upset`?"));
}
