//! The loader and validator against good and bad scenario files: every kind of bad
//! input gets its code at an exact line and column, and none of them panics or hangs.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rapport_core::load::{load_bytes, load_file, load_paths, load_str, FileReport, LoadOptions};
use rapport_core::model::{Channel, Language, Outcome, ScoreKey, TestTurn};
use rapport_core::{Diagnostic, Severity};

/// A small valid scenario the tests break in one place at a time. Line numbers matter:
/// assertions below name them.
const MINI: &str = r#"id: mini
title: Mini
summary: A tiny scenario.
difficulty: 2
skills: [billing]
channel: chat
estimated_minutes: 3
author: Tests
version: 1
customer:
  name: Sam Lee
  persona: Calm.
  mood: 50
  facts:
    order_id: X1
nodes:
  opening:
    say: "Hi, it's about {facts.order_id}."
    branches:
      - when: { met: [apologize] }
        goto: calm_down
    otherwise: { goto: upset }
  calm_down:
    say: "Thanks."
    otherwise: { goto: resolved }
  upset:
    say: "Hmph."
    otherwise: { goto: resolved, mood: -10 }
endings:
  resolved:
    outcome: success
    say: "Bye."
"#;

fn load(text: &str) -> FileReport {
    load_str(Path::new("t.yaml"), text, &LoadOptions::default())
}

/// MINI with one substring replaced (which must be there).
fn mini_with(from: &str, to: &str) -> String {
    assert!(MINI.contains(from), "MINI has no {from:?}");
    MINI.replacen(from, to, 1)
}

/// 1-based (line, column) of the first `needle` in `text` (columns in characters),
/// found independently of the loader.
fn pos_of(text: &str, needle: &str) -> (usize, usize) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in text"));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap().chars().count() + 1;
    (line, col)
}

/// The one diagnostic with `code`; fails when there are none or several.
fn the<'r>(report: &'r FileReport, code: &str) -> &'r Diagnostic {
    let found: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == code)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one `{code}`, got: {:#?}",
        report.diagnostics
    );
    found[0]
}

fn at(d: &Diagnostic) -> (usize, usize) {
    (d.line, d.column)
}

fn codes(report: &FileReport) -> Vec<&str> {
    report.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn mini_is_valid() {
    let report = load(MINI);
    assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
    let s = report.scenario.unwrap();
    // No `start`: the first node in the file, not the first in id order.
    assert_eq!(s.start, "opening");
    assert_eq!(s.meta.version, "1");
    assert_eq!(s.meta.language, Language::En);
    assert_eq!(s.customer.patience, None);
    assert_eq!(s.nodes["upset"].otherwise.mood, -10);
}

#[test]
fn the_complete_example_loads_with_every_value_in_place() {
    let report = load_file(&fixture("valid.yaml"), &LoadOptions::default());
    assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
    let s = report.scenario.expect("valid.yaml loads");
    assert_eq!(s.meta.id, "double-charge");
    assert_eq!(s.meta.difficulty, 3);
    assert_eq!(s.meta.skills, ["de-escalation", "billing"]);
    assert_eq!(s.meta.channel, Channel::Phone);
    assert_eq!(s.meta.estimated_minutes, 8);
    // A number keeps the digits the trainer wrote.
    assert_eq!(s.meta.version, "1.10");
    assert!(
        s.meta.summary.starts_with("Dana was charged twice") && !s.meta.summary.ends_with('\n')
    );
    assert_eq!(s.customer.first_name(), "Dana");
    assert_eq!((s.customer.mood, s.customer.patience), (20, Some(30)));
    assert_eq!(s.customer.facts["card"]["last4"], "4242");
    assert_eq!(s.customer.facts["past_calls"][1], "2024-02-11");
    assert_eq!(s.start, "opening");
    assert_eq!(s.source, fixture("valid.yaml"));

    let opening = &s.nodes["opening"];
    assert_eq!(opening.say.len(), 2);
    assert_eq!(opening.focus, ["acknowledge_feelings", "apologize"]);
    assert_eq!(opening.model_answers.len(), 1);
    assert_eq!(opening.rubric.weights["apologize"], 2.0);
    assert_eq!(
        opening.rubric.phrases["offer_solution"][1],
        "refund {facts.refund_amount}"
    );
    let first = &opening.branches[0];
    assert_eq!(first.when.min_score[&ScoreKey::Empathy], 60);
    assert_eq!(first.when.max_score[&ScoreKey::Professionalism], 100);
    assert_eq!(first.when.says_any, ["sorry", "so sorry"]);
    assert_eq!(
        (first.when.mood_at_least, first.when.mood_at_most),
        (Some(0), Some(70))
    );
    assert_eq!((first.then.goto.as_str(), first.then.mood), ("calmer", 15));
    assert_eq!(opening.branches[1].then.mood, -30);
    assert_eq!(
        (opening.otherwise.goto.as_str(), opening.otherwise.mood),
        ("still_angry", -10)
    );
    let silence = opening.on_silence.as_ref().unwrap();
    assert_eq!(
        (silence.goto.as_deref(), silence.mood),
        (Some("hangs_up"), -15)
    );

    let still = &s.nodes["still_angry"];
    assert_eq!(still.model_answers.len(), 2);
    assert_eq!(
        still
            .on_silence
            .as_ref()
            .map(|s| (s.say.clone(), s.goto.clone(), s.mood)),
        Some((None, None, -5))
    );
    assert_eq!(still.otherwise.mood, 0);

    let calmer = &s.nodes["calmer"];
    assert_eq!(calmer.choices.len(), 3);
    assert_eq!(calmer.rubric.criteria[0].id, "names_the_order");
    assert_eq!(calmer.rubric.criteria[0].weight, 0.5);

    assert_eq!(s.endings.len(), 4);
    assert_eq!(s.endings["hangs_up"].outcome, Outcome::HungUp);
    assert_eq!(s.endings["escalated"].lesson, "");
    assert_eq!(s.rubric.criteria[0].id, "states_refund_amount");
    assert_eq!(s.rubric.weights["reassure"], 1.5);

    assert_eq!(s.tests.len(), 2);
    assert_eq!(s.tests[0].seed, 7);
    assert_eq!(s.tests[0].turns[1], TestTurn::Choice(1));
    assert!(matches!(&s.tests[0].turns[0], TestTurn::Reply(r) if r.starts_with("I'm so sorry")));
    assert_eq!(s.tests[0].path, ["opening", "calmer", "resolved"]);
    assert_eq!(s.tests[1].turns, [TestTurn::Silence]);
    assert_eq!(
        (s.tests[1].seed, s.tests[1].ending.as_str()),
        (0, "hangs_up")
    );
}

#[test]
fn a_misspelled_goto_points_at_its_value_with_a_suggestion() {
    let text = mini_with("goto: calm_down", "goto: clam_down");
    let report = load(&text);
    let d = the(&report, "unknown-target");
    assert_eq!(at(d), (21, 15));
    assert_eq!(d.hint.as_deref(), Some("did you mean `calm_down`?"));
    assert_eq!(d.file, Path::new("t.yaml"));
    assert!(d.is_error());
    assert!(report.scenario.is_none());
}

#[test]
fn every_problem_in_a_file_is_reported() {
    let text = MINI
        .replacen(
            "otherwise: { goto: resolved }",
            "otherwise: { goto: resolved, mood: lots }",
            1,
        )
        .replacen(
            "say: \"Hmph.\"",
            "say: \"Hmph.\"\n    focsu: [apologize]",
            1,
        )
        .replacen("goto: upset", "goto: upsett", 1);
    let report = load(&text);
    assert_eq!(
        codes(&report),
        ["unknown-target", "wrong-type", "unknown-key"],
        "{:#?}",
        report.diagnostics
    );
    assert_eq!(at(the(&report, "unknown-target")), pos_of(&text, "upsett"));
    assert_eq!(at(the(&report, "wrong-type")), pos_of(&text, "lots"));
    let unknown = the(&report, "unknown-key");
    assert_eq!(at(unknown), pos_of(&text, "focsu"));
    assert_eq!(unknown.hint.as_deref(), Some("did you mean `focus`?"));
}

#[test]
fn yaml_syntax_errors_say_where() {
    let text = mini_with("title: Mini", "title: Mini: the sequel");
    let d = the(&load(&text), "yaml-syntax").clone();
    assert_eq!(at(&d), (2, 12));
    assert!(d.hint.unwrap().contains("quotes"));
    let report = load("id: [unclosed\n");
    assert_eq!(at(the(&report, "yaml-syntax")), (2, 1));
}

#[test]
fn wrong_types_point_at_the_value() {
    let text = mini_with("difficulty: 2", "difficulty: hard");
    let report = load(&text);
    let d = the(&report, "wrong-type");
    assert_eq!(at(d), (4, 13));
    assert_eq!(
        d.message,
        "`difficulty` should be a whole number, but it is the text \"hard\"."
    );
    // Text where a number belongs gets a quoting hint the other way round.
    let text = mini_with("title: Mini", "title: 42");
    let d = the(&load(&text), "wrong-type").clone();
    assert_eq!(
        (at(&d), d.hint.as_deref()),
        ((2, 8), Some("put the value in quotes to make it text"))
    );
}

#[test]
fn unknown_keys_get_the_closest_known_key() {
    let text = mini_with("summary:", "sumary:");
    let report = load(&text);
    let d = the(&report, "unknown-key");
    assert_eq!(
        (at(d), d.hint.as_deref()),
        ((3, 1), Some("did you mean `summary`?"))
    );
    // ... and the real key is then missing.
    assert_eq!(
        the(&report, "missing-key").message,
        "The scenario is missing the required key `summary`."
    );
    let text = mini_with("otherwise: { goto: upset }", "otherwise: { gotoo: upset }");
    let report = load(&text);
    assert_eq!(at(the(&report, "unknown-key")), pos_of(&text, "gotoo"));
}

#[test]
fn missing_required_keys_point_at_their_map() {
    let report = load(&mini_with("author: Tests\n", ""));
    let d = the(&report, "missing-key");
    assert_eq!(
        (at(d), d.message.as_str()),
        ((1, 1), "The scenario is missing the required key `author`.")
    );
    let text = mini_with("    say: \"Thanks.\"\n", "");
    let d = the(&load(&text), "missing-key").clone();
    assert_eq!(at(&d), pos_of(&text, "calm_down:"));
    assert!(d.message.contains("`say`"), "{}", d.message);
}

#[test]
fn repeated_keys_and_shared_ids_are_duplicates() {
    let text = mini_with(
        "  upset:\n",
        "  opening:\n    say: again\n    otherwise: { goto: resolved }\n  upset:\n",
    );
    let report = load(&text);
    let d = the(&report, "duplicate-id");
    assert_eq!(at(d), (26, 3));
    assert!(d.message.contains("line 17"), "{}", d.message);

    let text = format!("{MINI}  upset:\n    outcome: failure\n    say: \"No.\"\n");
    let report = load(&text);
    let d = the(&report, "duplicate-id");
    assert_eq!(at(d), (33, 3));
    assert!(d.message.contains("both a node and an ending"));
}

#[test]
fn a_second_file_with_the_same_id_is_an_error_naming_the_first() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.yaml"), MINI).unwrap();
    let second = format!("# the same scenario again\n{MINI}");
    std::fs::write(dir.path().join("b.yml"), &second).unwrap();
    let lib = load_paths(&[dir.path().to_path_buf()], &LoadOptions::default());
    assert_eq!(lib.scenarios.len(), 1);
    assert_eq!(lib.reports.len(), 1);
    let report = &lib.reports[0];
    assert_eq!(report.path, dir.path().join("b.yml"));
    assert!(report.scenario.is_none());
    let d = the(report, "duplicate-id");
    assert_eq!(at(d), (2, 5));
    assert!(d.hint.as_ref().unwrap().contains("a.yaml"), "{:?}", d.hint);
}

#[test]
fn graph_problems() {
    // An unreachable node is only a warning: the scenario still loads.
    let text = mini_with(
        "endings:\n",
        "  lonely:\n    say: hi\n    otherwise: { goto: resolved }\nendings:\n",
    );
    let report = load(&text);
    let d = the(&report, "unreachable");
    assert_eq!(
        (at(d), d.severity),
        (pos_of(&text, "lonely:"), Severity::Warning)
    );
    assert!(report.scenario.is_some(), "{:#?}", report.diagnostics);

    // A node with no way out.
    let text = mini_with("    otherwise: { goto: resolved }\n", "");
    let report = load(&text);
    assert_eq!(at(the(&report, "dead-end")), pos_of(&text, "calm_down:"));

    // A loop the conversation can never leave, reachable from the start.
    let text = mini_with(
        "otherwise: { goto: resolved, mood: -10 }",
        "otherwise: { goto: upset }",
    );
    let report = load(&text);
    assert_eq!(at(the(&report, "cannot-end")), pos_of(&text, "upset:"));
    assert!(!codes(&report).contains(&"no-ending"));

    // No ending at all can be reached from the start.
    let text = MINI.replacen("goto: calm_down", "goto: upset", 1).replacen(
        "otherwise: { goto: resolved, mood: -10 }",
        "otherwise: { goto: opening }",
        1,
    );
    let report = load(&text);
    assert_eq!(at(the(&report, "no-ending")), (17, 3));
    assert_eq!(at(the(&report, "cannot-end")), pos_of(&text, "upset:"));
    assert_eq!(
        report
            .diagnostics
            .iter()
            .filter(|d| d.code == "unreachable")
            .count(),
        2
    );

    // A start that names nothing.
    let text = mini_with("nodes:\n", "start: openin\nnodes:\n");
    let d = the(&load(&text), "unknown-target").clone();
    assert_eq!(
        (at(&d), d.hint.as_deref()),
        ((16, 8), Some("did you mean `opening`?"))
    );

    // A branch after one that always holds.
    let text = mini_with(
        "    otherwise: { goto: upset }",
        "      - when: {}\n        goto: upset\n      - when: { met: [reassure] }\n        goto: calm_down\n    otherwise: { goto: upset }",
    );
    let report = load(&text);
    assert_eq!(the(&report, "unreachable-branch").line, 24);
    assert!(report.scenario.is_some());
}

#[test]
fn numbers_out_of_range() {
    let text = mini_with("mood: 50", "mood: 150");
    assert_eq!(at(the(&load(&text), "out-of-range")), (13, 9));
    let text = mini_with("mood: -10 }", "mood: -150 }");
    assert_eq!(at(the(&load(&text), "out-of-range")), pos_of(&text, "-150"));
    let text = mini_with("{ met: [apologize] }", "{ mood_at_least: 101 }");
    assert_eq!(at(the(&load(&text), "out-of-range")), pos_of(&text, "101"));
    let text = mini_with("{ met: [apologize] }", "{ min_score: { empathy: 120 } }");
    assert_eq!(at(the(&load(&text), "out-of-range")), pos_of(&text, "120"));
    let text = mini_with("{ met: [apologize] }", "{ max_score: { empaty: 20 } }");
    let report = load(&text);
    let d = the(&report, "invalid-value");
    assert_eq!(
        (at(d), d.hint.as_deref()),
        (pos_of(&text, "empaty"), Some("did you mean `empathy`?"))
    );
    let text = mini_with("difficulty: 2", "difficulty: 7");
    assert_eq!(at(the(&load(&text), "invalid-value")), (4, 13));
    // A `+` on a mood change is fine.
    let report = load(&mini_with("mood: -10 }", "mood: +15 }"));
    assert_eq!(report.scenario.unwrap().nodes["upset"].otherwise.mood, 15);
}

#[test]
fn empty_line_lists() {
    let text = mini_with("say: \"Thanks.\"", "say: []");
    assert_eq!(at(the(&load(&text), "empty-lines")), (24, 10));
    let text = mini_with("say: \"Bye.\"", "say: \"\"");
    assert_eq!(at(the(&load(&text), "empty-lines")), pos_of(&text, "\"\""));
}

#[test]
fn unknown_criteria_everywhere_they_can_appear() {
    let text = mini_with("{ met: [apologize] }", "{ met: [apologise], met_any: [reasure], missed: [bleme_customer] }")
        .replacen(
            "    say: \"Thanks.\"\n",
            "    say: \"Thanks.\"\n    focus: [take_owner]\n    rubric:\n      weights: { apologizee: 2 }\n      phrases: { offer_solutin: [fix] }\n",
            1,
        );
    let report = load(&text);
    let found: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "unknown-criterion")
        .collect();
    assert_eq!(found.len(), 6, "{:#?}", report.diagnostics);
    for (d, word, fix) in [
        (found[0], "apologise", "apologize"),
        (found[1], "reasure", "reassure"),
        (found[2], "bleme_customer", "blame_customer"),
        (found[3], "take_owner", "take_ownership"),
        (found[4], "apologizee", "apologize"),
        (found[5], "offer_solutin", "offer_solution"),
    ] {
        assert_eq!(at(d), pos_of(&text, word), "{word}");
        assert_eq!(d.hint.clone().unwrap(), format!("did you mean `{fix}`?"));
    }
}

#[test]
fn criteria_a_scenario_defines_are_known_and_pack_criteria_count() {
    let rubric = "rubric:\n  criteria:\n    - id: names_amount\n      rubric: empathy\nnodes:\n";
    let text = mini_with("nodes:\n", rubric).replacen("[apologize]", "[names_amount]", 1);
    let report = load(&text);
    assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
    // Criteria from the pack's rubric files come in through the options.
    let text = mini_with("[apologize]", "[pack_criterion]");
    assert_eq!(
        the(&load(&text), "unknown-criterion").code,
        "unknown-criterion"
    );
    let mut opts = LoadOptions::default();
    opts.known_criteria.insert("pack_criterion".into());
    assert!(load_str(Path::new("t.yaml"), &text, &opts)
        .diagnostics
        .is_empty());
}

#[test]
fn unknown_placeholders_point_at_the_brace() {
    let text = mini_with("{facts.order_id}", "{facts.ordr_id}");
    let report = load(&text);
    let d = the(&report, "unknown-placeholder");
    assert_eq!(at(d), pos_of(&text, "{facts.ordr_id}"));
    assert_eq!(d.hint.as_deref(), Some("did you mean `{facts.order_id}`?"));
    assert!(d.message.contains("no fact `ordr_id`"));

    let places = [
        ("say: \"Thanks.\"", "say: [\"Thanks.\", \"Ok {customer.nam}\"]"),
        ("say: \"Hmph.\"", "say: \"Hmph.\"\n    model_answer: [\"Sorry {customer.frist_name}\"]"),
        ("say: \"Hmph.\"", "say: \"Hmph.\"\n    choices: [\"Fine\", \"Order {facts.order}\"]"),
        ("say: \"Bye.\"", "say: \"Bye {facts.x}.\"\n    lesson: \"Use {facts.y}\""),
        ("say: \"Hmph.\"", "say: \"Hmph.\"\n    on_silence: { say: \"Hello {customer.surname}?\" }"),
        ("nodes:\n", "rubric:\n  phrases: { apologize: [\"{facts.z}\"] }\n  criteria:\n    - id: new_one\n      rubric: empathy\n      tip: \"Say {facts.w}\"\nnodes:\n"),
    ];
    let mut total = 0;
    for (from, to) in places {
        let text = mini_with(from, to);
        let report = load(&text);
        for d in report.diagnostics.iter() {
            assert_eq!(d.code, "unknown-placeholder", "{d}");
            let (line, col) = at(d);
            let source_line = text.lines().nth(line - 1).unwrap();
            assert_eq!(source_line.chars().nth(col - 1), Some('{'), "{d}");
            total += 1;
        }
    }
    assert_eq!(total, 8);
    // Literal braces, nested facts and both customer names are fine.
    let text = mini_with(
        "{facts.order_id}",
        "{{not one}} {customer.name} {customer.first_name}",
    );
    assert!(load(&text).diagnostics.is_empty());
    let text = mini_with("{facts.order_id}", "a {facts.order_id brace");
    assert_eq!(
        at(the(&load(&text), "unknown-placeholder")),
        pos_of(&text, "{facts.order_id brace")
    );
}

#[test]
fn golden_tests_are_checked_against_the_scenario() {
    let tests = "tests:\n  - name: t\n    turns:\n      - choice: 2\n      - reply: hi\n    path: [opening, calm_dwn, resolved]\n    ending: resolvd\n";
    let text = format!("{MINI}{tests}");
    let report = load(&text);
    let bad: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "bad-test")
        .collect();
    assert_eq!(bad.len(), 4, "{:#?}", report.diagnostics);
    // Sorted by position: the choice, the path, the path's end, the ending.
    let (line, col) = pos_of(&text, "choice: 2");
    assert_eq!(at(bad[0]), (line, col + 8));
    assert!(
        bad[0].message.contains("offers no choices"),
        "{}",
        bad[0].message
    );
    assert_eq!(at(bad[1]), pos_of(&text, "calm_dwn"));
    assert_eq!(at(bad[2]), pos_of(&text, "resolved]"));
    assert_eq!(
        (at(bad[3]), bad[3].hint.as_deref()),
        (pos_of(&text, "resolvd"), Some("did you mean `resolved`?"))
    );

    let text = format!("{MINI}tests:\n  - name: t\n    turns: [{{ reply: a, silence: true }}]\n    ending: resolved\n");
    assert_eq!(at(the(&load(&text), "invalid-value")), (35, 13));

    let text = format!("{MINI}tests:\n  - name: t\n    turns: [{{ reply: sorry }}, {{ reply: x }}, {{ reply: y }}]\n    path: [opening, calm_down, resolved]\n    ending: resolved\n");
    let report = load(&text);
    let d = the(&report, "bad-test");
    assert!(
        d.message
            .contains("By turn 3 the conversation has already ended at `resolved`"),
        "{}",
        d.message
    );
    assert_eq!(at(d), pos_of(&text, "{ reply: y }"));
}

#[test]
fn whole_file_problems() {
    // Empty, or comments only.
    for text in ["", "\n\n", "# just a comment\n# and another\n", "---\n"] {
        let d = the(&load(text), "empty-file").clone();
        assert_eq!(at(&d), (1, 1));
    }
    // A list or a scalar where the scenario map should be.
    for text in ["- id: x\n", "just some words\n", "42"] {
        let report = load(text);
        assert_eq!(codes(&report), ["wrong-type"], "{text}");
        assert_eq!(at(&report.diagnostics[0]), (1, 1));
    }
    // Two documents in one file.
    let report = load(&format!("{MINI}---\n{MINI}"));
    assert_eq!(at(the(&report, "yaml-syntax")), (33, 1));
}

#[test]
fn not_utf8_points_at_the_first_bad_byte() {
    let mut bytes = MINI.as_bytes().to_vec();
    let at_title = MINI.find("Mini\n").unwrap() + 2;
    bytes[at_title] = 0xFF;
    let report = load_bytes(Path::new("t.yaml"), &bytes, &LoadOptions::default());
    let d = the(&report, "not-utf8");
    assert_eq!(at(d), (2, 10));
    // Columns count characters, not bytes.
    let report = load_bytes(
        Path::new("t.yaml"),
        b"id: \xC3\xA9\xC3\xA9\xFE",
        &LoadOptions::default(),
    );
    assert_eq!(at(the(&report, "not-utf8")), (1, 7));
}

#[test]
fn files_over_a_mebibyte_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.yaml");
    let line = "# padding padding padding padding padding padding padding padding\n";
    std::fs::write(&big, line.repeat(1024 * 1024 / line.len() + 10)).unwrap();
    let report = load_file(&big, &LoadOptions::default());
    let d = the(&report, "too-large");
    assert_eq!(at(d), (0, 0));
    assert_eq!(
        the(
            &load(&line.repeat(1024 * 1024 / line.len() + 10)),
            "too-large"
        )
        .line,
        0
    );
}

#[test]
fn hostile_yaml_is_an_error_quickly() {
    let started = Instant::now();
    let deep = "[".repeat(100_000);
    let d = the(&load(&deep), "yaml-syntax").clone();
    // yaml-rust2's own flow limit (255) or ours (64), whichever its look-ahead meets first.
    assert_eq!(d.line, 1);
    assert!(d.column == 65 || d.column == 256, "{d}");
    assert!(d.message.contains("nested"), "{d}");
    let deep_maps = (0..100)
        .map(|i| format!("{}k:\n", " ".repeat(i)))
        .collect::<String>();
    assert_eq!(the(&load(&deep_maps), "yaml-syntax").line, 65);

    let mut bomb = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..12 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let d = the(&load(&bomb), "yaml-syntax").clone();
    assert!(d.message.contains("alias"), "{}", d.message);
    // At the first alias whose expansion crosses the budget.
    assert_eq!(at(&d), (6, 10));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn directories_load_recursively_skipping_rubrics_and_other_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("pack/deeper")).unwrap();
    std::fs::create_dir_all(root.join("pack/rubrics")).unwrap();
    std::fs::write(
        root.join("pack/deeper/one.yml"),
        MINI.replace("id: mini", "id: one"),
    )
    .unwrap();
    std::fs::write(
        root.join("pack/two.yaml"),
        MINI.replace("id: mini", "id: two"),
    )
    .unwrap();
    std::fs::write(root.join("pack/broken.yaml"), "id: [").unwrap();
    std::fs::write(root.join("pack/notes.txt"), "not yaml").unwrap();
    std::fs::write(root.join("pack/rubrics/empathy.yaml"), "criteria: []").unwrap();
    let missing = root.join("nope");
    let lib = load_paths(
        &[root.join("pack"), missing.clone()],
        &LoadOptions::default(),
    );
    let ids: Vec<_> = lib.scenarios.iter().map(|s| s.meta.id.as_str()).collect();
    assert_eq!(ids, ["one", "two"]);
    let failed: Vec<_> = lib
        .reports
        .iter()
        .map(|r| (r.path.clone(), codes(r)[0].to_string()))
        .collect();
    assert_eq!(
        failed,
        [
            (missing, "io".to_string()),
            (root.join("pack/broken.yaml"), "yaml-syntax".to_string())
        ]
    );
    assert!(lib.has_errors());
}

#[test]
fn thousands_of_files_load_fast() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..2000 {
        let text = MINI.replace("id: mini", &format!("id: s{i:04}"));
        std::fs::write(dir.path().join(format!("s{i:04}.yaml")), text).unwrap();
    }
    let started = Instant::now();
    let lib = load_paths(&[dir.path().to_path_buf()], &LoadOptions::default());
    let took = started.elapsed();
    assert_eq!(lib.scenarios.len(), 2000);
    assert!(lib.reports.is_empty());
    assert_eq!(lib.scenarios[0].meta.id, "s0000");
    assert_eq!(lib.scenarios[1999].meta.id, "s1999");
    assert!(took < Duration::from_secs(20), "2000 files took {took:?}");
}

#[test]
fn unreadable_paths_are_io_errors() {
    let report = load_file(
        Path::new("/definitely/not/here.yaml"),
        &LoadOptions::default(),
    );
    assert_eq!(
        (codes(&report), at(&report.diagnostics[0])),
        (vec!["io"], (0, 0))
    );
    // A directory named as a file cannot be read as one.
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        codes(&load_file(dir.path(), &LoadOptions::default())),
        ["io"]
    );
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        #[test]
        fn on_any_text(text in "\\PC{0,300}") {
            let _ = load(&text);
        }

        #[test]
        fn on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = load_bytes(Path::new("t.yaml"), &bytes, &LoadOptions::default());
        }

        /// YAML-ish noise finds more of the parser than arbitrary text does.
        #[test]
        fn on_yaml_like_text(text in "([-:{}\\[\\],&*!|>'\"#%@ \n\t]|[a-z0-9]{1,4}|nodes|goto|say){0,80}") {
            let _ = load(&text);
        }

        /// MINI cut anywhere and with a piece of noise spliced in.
        #[test]
        fn on_damaged_scenarios(cut in 0usize..MINI.len(), noise in "[-:{}\\[\\] \na-z0-9]{0,12}") {
            let cut = (0..=cut).rev().find(|&i| MINI.is_char_boundary(i)).unwrap();
            let text = format!("{}{}{}", &MINI[..cut], noise, &MINI[cut..]);
            let report = load(&text);
            prop_assert!(report.scenario.is_some() || report.diagnostics.iter().any(|d| d.is_error()));
        }
    }
}

/// A scenario near the size limit, (a) valid and (b) with a bad `goto` in every node,
/// loads in time linear in its size: no lookup scans all nodes for each problem.
#[test]
fn big_files_stay_linear() {
    let head = MINI.split("nodes:\n").next().unwrap();
    let build = |typo: &str| {
        let mut text = format!("{head}nodes:\n");
        let mut i = 0;
        while text.len() < 900 * 1024 {
            text.push_str(&format!(
                "  node{i}: {{ say: \"Line {i}\", otherwise: {{ goto: {typo}node{} }} }}\n",
                i + 1
            ));
            i += 1;
        }
        text.push_str(&format!("  node{i}: {{ say: \"Last\", otherwise: {{ goto: done }} }}\nendings:\n  done: {{ outcome: success, say: Bye }}\n"));
        (text, i + 1)
    };
    let started = Instant::now();
    let (valid, count) = build("");
    let report = load(&valid);
    assert!(
        report.diagnostics.is_empty(),
        "{:?}",
        report.diagnostics.first()
    );
    assert_eq!(report.scenario.unwrap().nodes.len(), count);
    let (broken, count) = build("x");
    let report = load(&broken);
    assert_eq!(report.diagnostics.len(), count - 1);
    assert!(report
        .diagnostics
        .iter()
        .all(|d| d.code == "unknown-target"));
    assert_eq!(at(&report.diagnostics[0]), pos_of(&broken, "xnode1"));
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn an_empty_value_is_reported_at_its_key() {
    let text = mini_with("title: Mini", "title:");
    let d = the(&load(&text), "wrong-type").clone();
    assert_eq!(at(&d), (2, 1));
    assert_eq!(d.message, "`title` should be text, but it is empty.");
}

#[test]
fn tabs_and_crlf_and_a_byte_order_mark() {
    let text = format!(
        "\u{feff}{}",
        mini_with("goto: calm_down", "goto: clam_down").replace('\n', "\r\n")
    );
    assert_eq!(at(the(&load(&text), "unknown-target")), (21, 15));
    let text = mini_with("  opening:\n", "\topening:\n");
    let d = the(&load(&text), "yaml-syntax").clone();
    // At the tab itself (the parser's mark is just past it).
    assert_eq!(
        (at(&d), d.hint.as_deref()),
        ((17, 1), Some("YAML indents with spaces, not tabs"))
    );
}

// Issue 8: chases, lesson variants and exemplary model answers.

/// A customer who was never answered chased forever at mood 0: a scenario whose customer
/// can be chased needs an ending for when they give up.
#[test]
fn a_customer_who_can_be_chased_needs_a_hang_up_ending() {
    let text = mini_with("  mood: 50\n", "  mood: 50\n  patience: 20\n");
    let report = load(&text);
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.code == "no-hang-up-ending")
        .expect("reported");
    assert_eq!((d.line, d.column), pos_of(&text, "20"));
    let with_ending = text.replace(
        "endings:\n",
        "endings:\n  gone:\n    outcome: hung_up\n    say: \"*click*\"\n",
    );
    assert!(
        !load(&with_ending).has_errors(),
        "{:?}",
        load(&with_ending).diagnostics
    );
    let s = load(&with_ending).scenario.unwrap();
    assert_eq!(s.customer.max_chases, 3);
    assert_eq!(s.hang_up_ending(), Some("gone"));
}

#[test]
fn max_chases_is_checked() {
    let text = mini_with("  mood: 50\n", "  mood: 50\n  max_chases: 0\n");
    assert_eq!(codes(&load(&text)), ["out-of-range"]);
    let text = mini_with("  mood: 50\n", "  mood: 50\n  max_chases: 5\n");
    assert_eq!(load(&text).scenario.unwrap().customer.max_chases, 5);
}

#[test]
fn lesson_variants_load_and_their_conditions_are_checked() {
    let text = mini_with(
        "    say: \"Bye.\"\n",
        "    say: \"Bye.\"\n    lesson:\n      - when: { missed: [apologize], chases_at_least: 1 }\n        text: You never said sorry and left {customer.first_name} waiting.\n      - text: Well done.\n",
    );
    let report = load(&text);
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    let s = report.scenario.unwrap();
    let e = &s.endings["resolved"];
    assert_eq!(e.lesson, "Well done.");
    assert_eq!(e.lesson_variants.len(), 1);
    assert_eq!(e.lesson_variants[0].when.chases_at_least, Some(1));

    // An unknown criterion is reported where it is written; so is a variant that would
    // hide the ones after it, and a fallback with a condition.
    let text = mini_with(
        "    say: \"Bye.\"\n",
        "    say: \"Bye.\"\n    lesson:\n      - text: First.\n      - when: { met: [apologise] }\n        text: Second.\n",
    );
    let report = load(&text);
    let found = codes(&report);
    assert!(found.contains(&"lesson-fallback"), "{found:?}");
    assert!(found.contains(&"unknown-criterion"), "{found:?}");
}

/// Typing the trainer's own model answer used to score about 55 and show "Reassure:
/// missed": the validator now scores each model answer at its node.
#[test]
fn a_model_answer_that_misses_its_focus_or_commits_a_penalty_is_warned_about() {
    let pack = rapport_core::pack::Pack::open(Path::new("/nonexistent"));
    let text = mini_with(
        "    say: \"Hi, it's about {facts.order_id}.\"\n",
        "    say: \"Hi, it's about {facts.order_id}.\"\n    focus: [apologize, offer_solution]\n    model_answer:\n      - \"I'm so sorry, Sam. I'll refund order X1 today.\"\n      - \"Read the terms next time.\"\n",
    );
    let report = load_str(Path::new("t.yaml"), &text, &pack.options);
    let warned: Vec<(&str, usize)> = report
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.line))
        .collect();
    let second = pos_of(&text, "\"Read the terms").0;
    assert!(
        warned.contains(&("model-answer-misses-focus", second)),
        "{warned:?}"
    );
    assert!(
        !warned.iter().any(|&(_, l)| l == second - 1),
        "the first answer is exemplary: {warned:?}"
    );
    assert!(report
        .diagnostics
        .iter()
        .all(|d| d.severity == Severity::Warning));
    assert!(
        report.scenario.is_some(),
        "warnings do not stop a scenario loading"
    );
}

/// Impossible conditions passed silently (issue 11): `mood_at_least: 80` with
/// `mood_at_most: 20`, `met: [apologize]` with `missed: [apologize]`.
#[test]
fn impossible_conditions_are_warned_about_at_their_when() {
    for when in [
        "{ mood_at_least: 80, mood_at_most: 20 }",
        "{ met: [apologize], missed: [apologize] }",
        "{ min_score: { empathy: 90 }, max_score: { empathy: 10 } }",
        "{ says_any: [refund], says_none: [refund] }",
    ] {
        let text = mini_with(
            "      - when: { met: [apologize] }",
            &format!("      - when: {when}"),
        );
        let report = load(&text);
        let d = report
            .diagnostics
            .iter()
            .find(|d| d.code == "impossible-condition")
            .unwrap_or_else(|| panic!("{when}: {:?}", report.diagnostics));
        assert_eq!(d.line, pos_of(&text, "when:").0, "{when}");
        assert_eq!(d.severity, Severity::Warning);
    }
    assert!(!codes(&load(MINI)).contains(&"impossible-condition"));
}

/// Guided choices could not branch on the choice picked: a deliberately bad choice
/// ("our policy is that we can only rebook you...") was scored as an offer and took the
/// good branch. `when: { choice: N }` branches on the pick itself (issue 11).
#[test]
fn a_guided_node_can_branch_on_the_choice_picked() {
    use rapport_core::engine::{Input, ManualClock, Session};
    let text = mini_with(
        "    say: \"Hi, it's about {facts.order_id}.\"\n",
        "    say: \"Hi, it's about {facts.order_id}.\"\n    choices:\n      - \"I'm so sorry, I'll rebook you on the next flight today.\"\n      - \"Our policy is that we can only rebook you on a later flight.\"\n",
    )
    .replace("      - when: { met: [apologize] }\n        goto: calm_down\n", "      - when: { choice: 2 }\n        goto: upset\n      - when: { met: [apologize] }\n        goto: calm_down\n");
    let report = load(&text);
    assert!(!report.has_errors(), "{:?}", report.diagnostics);
    let sc = report.scenario.unwrap();
    let scorer = rapport_core::scorer::RubricScorer::builtin();
    let clock = ManualClock::new(0);
    for (pick, to) in [(1, "calm_down"), (2, "upset")] {
        let mut s = Session::start(&sc, 0, &clock);
        s.advance(&sc, &scorer, &Input::Choice { number: pick }, &clock)
            .unwrap();
        assert_eq!(s.current(), to, "choice {pick}");
    }
    // Out of range, or on a typed node, is an error at the key.
    let bad = text.replace("{ choice: 2 }", "{ choice: 3 }");
    assert!(codes(&load(&bad)).contains(&"out-of-range"));
    let typed = mini_with(
        "      - when: { met: [apologize] }",
        "      - when: { choice: 1 }",
    );
    assert!(codes(&load(&typed)).contains(&"invalid-value"));
}

/// A tab was reported one line above it, where the scalar before it ended (issue 11).
#[test]
fn a_tab_is_reported_at_its_own_line() {
    let text = mini_with("  mood: 50\n", "\tmood: 50\n");
    let report = load(&text);
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.code == "yaml-syntax")
        .expect("a syntax error");
    assert_eq!((d.line, d.column), pos_of(&text, "\tmood"), "{d:?}");
}

/// Lines that follow the reply that led to them (issue 12): checked like branches.
#[test]
fn conditioned_lines_load_and_are_checked_like_branches() {
    let good = mini_with(
        "    say: \"Thanks.\"",
        "    say:\n      - when: { says_any: [card] }\n        say: \"Back on my card, then.\"\n      - when: { met: [apologize], mood_at_least: 10 }\n        say: [\"Thanks.\", \"Thank you.\"]\n      - \"Thanks.\"",
    );
    let r = load(&good);
    assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
    let sc = r.scenario.unwrap();
    let node = &sc.nodes["calm_down"];
    assert_eq!(node.say, ["Thanks."]);
    assert_eq!(node.say_when.len(), 2);
    assert_eq!(node.say_when[0].when.says_any, ["card"]);
    assert_eq!(node.say_when[1].say, ["Thanks.", "Thank you."]);

    // No fallback.
    let text = mini_with(
        "    say: \"Thanks.\"",
        "    say:\n      - when: { says_any: [card] }\n        say: \"Card.\"",
    );
    let r = load(&text);
    assert_eq!(the(&r, "line-fallback").severity, Severity::Error);

    // An unknown criterion, at its own position.
    let text = mini_with(
        "    say: \"Thanks.\"",
        "    say:\n      - when: { met: [apologise] }\n        say: \"Card.\"\n      - \"Thanks.\"",
    );
    let r = load(&text);
    let d = the(&r, "unknown-criterion");
    assert_eq!(at(d), pos_of(&text, "apologise"));
    assert!(d.hint.as_deref().unwrap().contains("apologize"));

    // An impossible condition is a warning, as on a branch.
    let text = mini_with(
        "    say: \"Thanks.\"",
        "    say:\n      - when: { mood_at_least: 80, mood_at_most: 20 }\n        say: \"Card.\"\n      - \"Thanks.\"",
    );
    assert_eq!(
        the(&load(&text), "impossible-condition").severity,
        Severity::Warning
    );

    // An unknown key inside the item is named with a suggestion.
    let text = mini_with(
        "    say: \"Thanks.\"",
        "    say:\n      - when: { says_anyy: [card] }\n        say: \"Card.\"\n      - \"Thanks.\"",
    );
    let r = load(&text);
    let d = the(&r, "unknown-key");
    assert_eq!(at(d), pos_of(&text, "says_anyy"));

    // `choice` needs a guided node leading here.
    let text = mini_with(
        "    say: \"Thanks.\"",
        "    say:\n      - when: { choice: 1 }\n        say: \"Card.\"\n      - \"Thanks.\"",
    );
    let r = load(&text);
    let d = the(&r, "invalid-value");
    assert!(d.message.contains("no guided node"), "{}", d.message);

    // Endings take conditioned lines too.
    let text = mini_with(
        "    say: \"Bye.\"",
        "    say:\n      - when: { says_any: [card] }\n        say: \"Bye, see you on the card.\"\n      - \"Bye.\"",
    );
    let r = load(&text);
    assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
    let sc = r.scenario.unwrap();
    assert_eq!(sc.endings["resolved"].say, ["Bye."]);
    assert_eq!(sc.endings["resolved"].say_when.len(), 1);
}

/// Persona variants (issue 13): read into the model, checked at their own positions.
#[test]
fn persona_variants_load_and_are_checked() {
    let variants = "    order_id: X1\n  variants:\n    - id: calm\n      temperament: \"Calm\"\n    - id: curt\n      temperament: \"Curt and in a hurry\"\n      mood: 20\n      facts:\n        rush: \"in a meeting\"\n      lines:\n        opening: \"Quick: {facts.order_id}, {facts.rush}.\"\n";
    let good = mini_with("    order_id: X1\n", variants);
    let r = load(&good);
    assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
    let sc = r.scenario.unwrap();
    let v = &sc.customer.variants;
    assert_eq!(v.len(), 2);
    assert_eq!((v[1].mood, v[1].patience), (Some(20), None));
    assert_eq!(
        v[1].lines["opening"].say,
        ["Quick: {facts.order_id}, {facts.rush}."]
    );
    let played = sc.with_variant(Some(1));
    assert_eq!(played.customer.mood, 20);
    assert_eq!(played.customer.facts["rush"], "in a meeting");
    assert_eq!(played.customer.variant.as_ref().unwrap().id, "curt");
    assert_eq!(played.nodes["opening"].say, v[1].lines["opening"].say);

    // A variant's fact is not there for the shared lines (the other variant lacks it).
    let text = mini_with("    order_id: X1\n", variants)
        .replace("say: \"Thanks.\"", "say: \"Thanks, {facts.rush}.\"");
    let r = load(&text);
    let (line, col) = pos_of(&text, "Thanks, {facts.rush}");
    assert_eq!(at(the(&r, "unknown-placeholder")), (line, col + 8));

    // Lines for a node that does not exist; a repeated id; an out-of-range mood.
    let text = mini_with("    order_id: X1\n", variants)
        .replace("        opening: \"Quick", "        openin: \"Quick")
        .replace("id: curt", "id: calm")
        .replace("mood: 20", "mood: 120");
    let r = load(&text);
    let d = the(&r, "unknown-target");
    assert_eq!(at(d), pos_of(&text, "openin"));
    assert!(d.hint.as_deref().unwrap().contains("opening"));
    assert_eq!(
        the(&r, "duplicate-id").line,
        pos_of(&text, "id: calm\n      temperament: \"Curt").0
    );
    assert_eq!(at(the(&r, "out-of-range")), pos_of(&text, "120"));

    // A test may say which variant its seed meets; a wrong one names the seeds that do.
    let text = format!(
        "{}tests:\n  - name: t\n    seed: 0\n    variant: nobody\n    turns: [{{reply: \"sorry\"}}, {{reply: ok}}]\n    ending: resolved\n",
        mini_with("    order_id: X1\n", variants)
    );
    let r = load(&text);
    assert!(the(&r, "bad-test").message.contains("`nobody`"));
    let seed0 = rapport_core::engine::variant_for_seed(0, 2).unwrap();
    let other = ["calm", "curt"][1 - seed0];
    let r = load(&text.replace("variant: nobody", &format!("variant: {other}")));
    let d = the(&r, "bad-test");
    assert!(
        d.hint.as_deref().unwrap().starts_with("seeds that meet"),
        "{d:?}"
    );

    // One variant only is a warning.
    let one = "    order_id: X1\n  variants:\n    - id: calm\n      temperament: \"Calm\"\n";
    assert_eq!(
        the(
            &load(&mini_with("    order_id: X1\n", one)),
            "single-variant"
        )
        .severity,
        Severity::Warning
    );
}

/// Learning tracks (issue 13): `tracks.yaml` is read through the same positioned front
/// end, and every problem is reported at its line and column.
#[test]
fn tracks_are_read_with_positioned_diagnostics() {
    use rapport_core::load::load_tracks_str;
    use std::collections::BTreeSet;
    let ids: BTreeSet<String> = ["double-charge", "thank-you-call"].map(String::from).into();
    let good = "tracks:\n  - id: first-week\n    title: First week\n    description: Gentle calls.\n    scenarios: [thank-you-call, double-charge]\n";
    let r = load_tracks_str(Path::new("tracks.yaml"), good, &ids);
    assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
    assert_eq!(r.tracks.len(), 1);
    assert_eq!(r.tracks[0].scenarios, ["thank-you-call", "double-charge"]);

    let bad = "tracks:\n  - id: first-week\n    title: First week\n    description: Gentle.\n    colour: red\n    scenarios: [double-charge]\n  - id: first-week\n    title: \"\"\n    description: Again.\n    scenarios: [thank-you-cal]\n";
    let r = load_tracks_str(Path::new("tracks.yaml"), bad, &ids);
    assert!(r.tracks.is_empty(), "no tracks from a file with errors");
    let code_at = |code: &str| {
        r.diagnostics
            .iter()
            .filter(|d| d.code == code)
            .map(|d| (d.line, d.column))
            .collect::<Vec<_>>()
    };
    assert_eq!(code_at("unknown-key"), [pos_of(bad, "colour")]);
    let unknown = r
        .diagnostics
        .iter()
        .find(|d| d.code == "unknown-scenario")
        .unwrap();
    assert_eq!(
        (unknown.line, unknown.column),
        pos_of(bad, "thank-you-cal]")
    );
    assert_eq!(
        unknown.hint.as_deref(),
        Some("did you mean `thank-you-call`?")
    );
    assert_eq!(code_at("duplicate-id"), [(7, 9)]);
    assert_eq!(code_at("invalid-value"), [pos_of(bad, "\"\"")]);
}

/// The shipped pack's tracks load with the scenarios, and `tracks.yaml` is not taken
/// for a scenario.
#[test]
fn the_shipped_pack_has_tracks() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let library = load_paths(&[dir], &LoadOptions::default());
    assert!(
        library.reports.iter().all(|r| !r.has_errors()),
        "{:#?}",
        library.reports
    );
    assert!(library.tracks.len() >= 3);
    for t in &library.tracks {
        assert!(!t.description.is_empty());
        for id in &t.scenarios {
            assert!(library.scenarios.iter().any(|s| &s.meta.id == id), "{id}");
        }
    }
    assert!(library.scenarios.iter().all(|s| s.meta.industry.is_some()));
}

/// `trainer_notes:` is kept in the model, apart from the persona; a trainers' note written
/// into the persona (which trainees see) is a warning at the note.
#[test]
fn trainer_notes_are_kept_apart_from_the_persona() {
    let text = mini_with(
        "customer:\n",
        "trainer_notes: \"Run it twice.\"\ncustomer:\n",
    );
    let r = load(&text);
    assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
    assert_eq!(r.scenario.unwrap().trainer_notes, "Run it twice.");
    let text = mini_with(
        "  persona: Calm.",
        "  persona: \"Calm. Note for trainers: soften it.\"",
    );
    let r = load(&text);
    let d = the(&r, "trainer-note-in-persona");
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(at(d), pos_of(&text, "Note for trainers"));
}

/// Tips set by the scenario or a node (issue 12) name known criteria.
#[test]
fn own_tips_are_checked() {
    let text = mini_with(
        "nodes:\n",
        "tips:\n  acknowledge_feelings: \"Share her pleasure, {customer.first_name}.\"\nnodes:\n",
    )
    .replace(
        "    say: \"Thanks.\"",
        "    say: \"Thanks.\"\n    tips:\n      apologise: \"No need.\"",
    );
    let r = load(&text);
    let d = the(&r, "unknown-criterion");
    assert_eq!(at(d), pos_of(&text, "apologise"));
    let ok = text.replace("apologise:", "apologize:");
    let r = load(&ok);
    assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
    let sc = r.scenario.unwrap();
    assert_eq!(
        sc.tips["acknowledge_feelings"],
        "Share her pleasure, {customer.first_name}."
    );
    assert_eq!(sc.nodes["calm_down"].tips["apologize"], "No need.");
}

/// `language:` may carry a region (issue 12): `fr-FR` and `fr-CA` share the French
/// rubric; the tag is kept for the screen.
#[test]
fn languages_with_a_region_share_their_rubric() {
    for (tag, language, locale) in [
        ("fr-CA", Language::Fr, "fr-CA"),
        ("fr-FR", Language::Fr, "fr-FR"),
        ("fr_ca", Language::Fr, "fr-CA"),
        ("fr", Language::Fr, "fr"),
        ("en-GB", Language::En, "en-GB"),
    ] {
        let r = load(&mini_with(
            "channel: chat\n",
            &format!("channel: chat\nlanguage: {tag}\n"),
        ));
        assert!(r.diagnostics.is_empty(), "{tag}: {:#?}", r.diagnostics);
        let meta = r.scenario.unwrap().meta;
        assert_eq!(
            (meta.language, meta.locale.as_str()),
            (language, locale),
            "{tag}"
        );
    }
    let text = mini_with("channel: chat\n", "channel: chat\nlanguage: de-DE\n");
    let r = load(&text);
    let d = the(&r, "invalid-value");
    assert_eq!(at(d), pos_of(&text, "de-DE"));
    assert_eq!(load(MINI).scenario.unwrap().meta.locale, "en");
}

/// Facts keep the author's order and may carry a label (issue 12); a node may list the
/// facts it needs first.
#[test]
fn facts_keep_their_order_and_labels() {
    let text = mini_with(
        "    order_id: X1\n",
        "    zeta: 1\n    order_id: X1\n    contacts_precedents:\n      value: [\"12 avril\"]\n      label: \"Contacts précédents\"\n    alpha: 2\n",
    )
    .replace("    say: \"Thanks.\"", "    say: \"Thanks.\"\n    facts: [alpha]");
    let r = load(&text);
    assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
    let sc = r.scenario.unwrap();
    assert_eq!(
        sc.customer.fact_order,
        ["zeta", "order_id", "contacts_precedents", "alpha"]
    );
    assert_eq!(
        sc.customer.fact_labels["contacts_precedents"],
        "Contacts précédents"
    );
    assert_eq!(
        sc.customer.facts["contacts_precedents"],
        serde_json::json!(["12 avril"])
    );
    assert_eq!(sc.nodes["calm_down"].facts, ["alpha"]);
    let bad = text.replace("facts: [alpha]", "facts: [alpah]");
    let r = load(&bad);
    let d = the(&r, "unknown-fact");
    assert_eq!(at(d), pos_of(&bad, "alpah"));
    assert_eq!(d.hint.as_deref(), Some("did you mean `alpha`?"));
}

#[test]
fn an_email_scenario_is_warned_about_patience_silence_and_hang_ups_where_they_are_written() {
    let text = MINI
        .replacen("channel: chat", "channel: email", 1)
        .replacen("  mood: 50\n", "  mood: 50\n  patience: 60\n", 1)
        .replacen(
            "    otherwise: { goto: upset }\n",
            "    otherwise: { goto: upset }\n    on_silence: { goto: gone }\n",
            1,
        )
        + "  gone:\n    outcome: hung_up\n    say: \"(No reply.)\"\ntests:\n  - name: quiet\n    turns:\n      - silence: true\n    ending: gone\n";
    let report = load(&text);
    let warned = |code: &str, needle: &str| {
        let d = the(&report, code);
        assert_eq!(d.severity, Severity::Warning, "{d:?}");
        assert_eq!(at(d), pos_of(&text, needle), "{d:?}");
        assert!(d.hint.is_some(), "{d:?}");
    };
    warned("email-patience", "patience: 60");
    warned("email-hang-up", "hung_up");
    let silences: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "email-silence")
        .collect();
    assert_eq!(silences.len(), 2, "{:#?}", report.diagnostics);
    assert_eq!(at(silences[0]), pos_of(&text, "on_silence"));
    assert_eq!(at(silences[1]), pos_of(&text, "silence: true"));
    assert!(!report.has_errors(), "{:#?}", report.diagnostics);
    let s = report.scenario.unwrap();
    assert_eq!(s.patience_seconds(), None, "no patience on email");
    assert!(s.meta.channel.is_written());

    // The same on chat: nothing to say.
    let chat = load(&text.replacen("channel: email", "channel: chat", 1));
    assert!(
        !codes(&chat).iter().any(|c| c.starts_with("email-")),
        "{:#?}",
        chat.diagnostics
    );
    assert_eq!(chat.scenario.unwrap().patience_seconds(), Some(60));
}
