//! The `rapport` binary against the contracts of `shared/design.md`: exit codes, output
//! formats, and the behaviour a trainer or trainee relies on.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rapport(args: &[&str]) -> Output {
    rapport_with_input(args, None)
}

fn rapport_with_input(args: &[&str], input: Option<&str>) -> Output {
    // Never the real per-user history: `play` records every attempt.
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(args)
        .current_dir(root())
        .env_remove("RAPPORT_SCENARIOS_DIR")
        .env("RAPPORT_DATA_DIR", data.path())
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rapport runs");
    if let Some(text) = input {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn validate_points_at_a_misspelled_target_with_a_suggestion() {
    let out = rapport(&["validate", "tests/fixtures/misspelled-target.yaml"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("tests/fixtures/misspelled-target.yaml:20:15: error[unknown-target]"),
        "{text}"
    );
    assert!(text.contains("did you mean `calm_down`?"), "{text}");
}

#[test]
fn validate_json_lists_diagnostics_with_every_field() {
    let out = rapport(&[
        "validate",
        "--format",
        "json",
        "tests/fixtures/misspelled-target.yaml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let diags: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &diags.as_array().unwrap()[0];
    for key in [
        "file", "line", "column", "severity", "code", "message", "hint",
    ] {
        assert!(d.get(key).is_some(), "missing {key} in {d}");
    }
    assert_eq!(d["line"], 20);
    assert_eq!(d["severity"], "error");
}

#[test]
fn validate_accepts_the_shipped_pack_and_fails_on_missing_paths() {
    let out = rapport(&["validate", "scenarios"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = rapport(&["validate", "no/such/dir"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/dir"));
}

#[test]
fn list_shows_the_shipped_scenarios_as_json() {
    let out = rapport(&["list", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(list.len() >= 10);
    let ids: Vec<&str> = list.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"double-charge"), "{ids:?}");
    for s in &list {
        assert!(s["difficulty"]
            .as_u64()
            .is_some_and(|d| (1..=5).contains(&d)));
        assert!(s["skills"].is_array() && s["title"].is_string());
        assert!(s["industry"].is_string(), "{s}");
        assert!(s["tracks"].is_array(), "{s}");
    }
    let double = list.iter().find(|s| s["id"] == "double-charge").unwrap();
    assert_eq!(double["industry"], "telecom");
    assert_eq!(double["tracks"], serde_json::json!(["billing-desk"]));
}

/// `rapport list` shows each scenario's line of business, then the pack's tracks in order.
#[test]
fn list_shows_industries_and_tracks() {
    let out = rapport(&["list"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("INDUSTRY"), "{text}");
    assert!(text.contains("online-retail"), "{text}");
    let tracks = text.split("Tracks:").nth(1).expect("a tracks section");
    assert!(tracks.contains("First week (first-week): "), "{tracks}");
    assert!(
        tracks.contains("  1. thank-you-call: A call to say thank you"),
        "{tracks}"
    );
}

#[test]
fn score_answers_every_line_in_order_and_reports_bad_ones() {
    let input = concat!(
        r#"{"id": "a", "text": "I'm so sorry, Dana. Let me fix this right now.", "customer_name": "Dana"}"#,
        "\n",
        "this is not json\n",
        r#"{"id": "c"}"#,
        "\n",
        r#"{"id": "d", "text": "Calm down, that's our policy.", "customer": "I want a refund!"}"#,
        "\n"
    );
    let out = rapport_with_input(&["score"], Some(input));
    assert_eq!(
        out.status.code(),
        Some(1),
        "a bad line makes the run exit 1"
    );
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["id"], "a");
    assert!(lines[1]["error"].is_string());
    assert_eq!(lines[2]["id"], "c");
    assert!(lines[2]["error"].is_string());
    assert_eq!(lines[3]["id"], "d");
    let criteria = lines[0]["criteria"].as_array().unwrap();
    assert!(criteria.len() >= 14);
    for key in ["empathy", "problem_solving", "professionalism", "overall"] {
        assert!(
            lines[0]["scores"][key].as_u64().is_some_and(|v| v <= 100),
            "{key}"
        );
    }
    let met = |line: &serde_json::Value, id: &str| {
        line["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == id && c["met"] == true)
    };
    assert!(met(&lines[0], "apologize") && met(&lines[0], "personalize"));
    assert!(met(&lines[3], "dismissive"));
}

#[test]
fn play_runs_a_scenario_to_its_debrief_from_piped_replies() {
    let out = rapport_with_input(
        &[
            "play",
            "tests/fixtures/impatient.yaml",
            "--seed",
            "1",
            "--no-timer",
        ],
        Some("I'm here, sorry for the wait. How can I help?\n"),
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("Sam: Hello?"), "{text}");
    assert!(text.contains("Debrief"), "{text}");
    assert!(text.contains("Outcome: success (thanks)"), "{text}");
}

#[test]
fn play_chases_a_silent_trainee_when_patience_runs_out() {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(["play", "tests/fixtures/impatient.yaml", "--seed", "1"])
        .current_dir(root())
        .env("RAPPORT_DATA_DIR", data.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Keep stdin open and silent: only the patience timer can move the conversation.
    let _stdin = child.stdin.take();
    let out = child.wait_with_output().unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("Sam (chasing): Hello?? Anyone there, Sam is waiting!"),
        "{text}"
    );
    assert!(text.contains("Outcome: hung_up"), "{text}");
}

#[test]
fn play_suggests_a_close_scenario_id() {
    let out = rapport(&["play", "double-charg"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Did you mean `double-charge`?"));
}

#[test]
fn test_plays_every_golden_transcript_of_the_pack() {
    let out = rapport(&["test", "scenarios"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.trim_end().ends_with("failed"), "{text}");
    assert!(text.contains(" 0 failed"), "{text}");
}

#[test]
fn test_fails_when_a_golden_transcript_reaches_another_ending() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("tests/fixtures/impatient.yaml")).unwrap()
        + "tests:\n  - name: wrong on purpose\n    turns:\n      - reply: \"Hi, sorry!\"\n    ending: hung_up\n";
    let file = dir.path().join("impatient.yaml");
    std::fs::write(&file, text).unwrap();
    let out = rapport(&["test", file.to_str().unwrap()]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("expected ending `hung_up`, reached `thanks`"),
        "{text}"
    );
}

/// The scenario in the README's tutorial, exactly as printed there.
fn readme_example() -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme.find("## Writing a scenario").unwrap();
    let block = &readme[start..];
    let open = block.find("```yaml\n").unwrap() + "```yaml\n".len();
    let close = block[open..].find("```").unwrap();
    block[open..open + close].to_string()
}

#[test]
fn the_readme_tutorial_scenario_validates_and_its_tests_pass() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wrong-size-shoes.yaml");
    std::fs::write(&file, readme_example()).unwrap();
    let out = rapport(&["validate", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("0 error(s), 0 warning(s)"),
        "{}",
        stdout(&out)
    );
    let out = rapport(&["test", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("5 passed, 0 failed"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn the_readme_typo_example_prints_what_the_readme_shows() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let scenarios = dir.path().join("scenarios");
    std::fs::create_dir(&scenarios).unwrap();
    let broken = readme_example().replacen("goto: fix_it", "goto: fix_ti", 1);
    std::fs::write(scenarios.join("wrong-size-shoes.yaml"), broken).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(["validate", "scenarios/wrong-size-shoes.yaml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let first_two: Vec<&str> = text.lines().take(2).collect();
    let shown = first_two.join("\n");
    assert!(readme.contains(&shown), "README should show:\n{shown}");
}

/// A pack of one scenario (the impatient fixture) and one rubric file,
/// `rubrics/extra.yaml`, defining a `warm_close` criterion followed by `rest` (YAML lines
/// of that criterion).
fn pack_with_warm_close(rest: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("tests/fixtures/impatient.yaml"),
        dir.path().join("impatient.yaml"),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("rubrics")).unwrap();
    std::fs::write(
        dir.path().join("rubrics/extra.yaml"),
        format!(
            "rubric: empathy\ncriteria:\n  - id: warm_close\n    tip: Close warmly.\n    phrases: [\"have a lovely day\"]\n{rest}"
        ),
    )
    .unwrap();
    dir
}

#[test]
fn validate_checks_a_packs_rubric_files_too() {
    let dir = pack_with_warm_close("    bogus_key: 1\n");
    for target in [
        dir.path().to_path_buf(),
        dir.path().join("rubrics/extra.yaml"),
    ] {
        let out = rapport(&["validate", target.to_str().unwrap()]);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(1), "{text}");
        assert!(
            text.contains("rubrics/extra.yaml:6:5: error[unknown-key]"),
            "{text}"
        );
    }
}

#[test]
fn test_shows_a_rubric_example_the_scorer_judges_otherwise() {
    let dir = pack_with_warm_close(
        "    examples:\n      met: [\"Have a lovely day!\", \"Goodbye now.\"]\n      not_met: [\"Bye.\", \"OK.\"]\n",
    );
    let out = rapport(&["test", dir.path().to_str().unwrap()]);
    let text = stdout(&out);
    assert!(
        text.contains("WARNING example ")
            && text.contains("rubrics/extra.yaml:7: warm_close should be met by \"Goodbye now.\""),
        "{text}"
    );
    assert!(!text.contains("Have a lovely day!\""), "{text}");
}

/// Regression: `rapport test` (and so `make train`'s pack gate) did not show a model answer
/// the scorer judges as a penalty, and a head that did so to scam-victim-bank shipped.
#[test]
fn test_shows_a_model_answer_that_commits_a_penalty() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = std::fs::read_to_string(root().join("tests/fixtures/impatient.yaml")).unwrap();
    let with_answer = fixture.replacen(
        "    say: \"Hello?\"\n",
        "    say: \"Hello?\"\n    model_answer: \"Calm down, it's not a big deal.\"\n",
        1,
    );
    assert_ne!(with_answer, fixture);
    std::fs::write(dir.path().join("impatient.yaml"), with_answer).unwrap();
    let out = rapport(&["test", dir.path().to_str().unwrap()]);
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.starts_with("WARNING") && l.contains("warning[model-answer-penalty]")),
        "{text}"
    );
}

/// The schema the scenario files point editors at is the one the binary would write now
/// (regenerate with `make schema`), and every shipped file names it on its first line.
#[test]
fn the_committed_scenario_schema_is_current_and_every_scenario_points_at_it() {
    let out = rapport(&["schema"]);
    assert!(out.status.success());
    let committed = std::fs::read_to_string(root().join("schema/scenario.schema.json"))
        .expect("schema/scenario.schema.json is committed");
    assert!(
        stdout(&out) == committed,
        "schema/scenario.schema.json is stale: run `make schema`"
    );
    let schema: serde_json::Value = serde_json::from_str(&committed).unwrap();
    assert_eq!(
        schema["additionalProperties"], false,
        "unknown keys are errors"
    );
    let out = rapport(&["schema", "--tracks"]);
    let tracks = std::fs::read_to_string(root().join("schema/tracks.schema.json"))
        .expect("schema/tracks.schema.json is committed");
    assert!(
        stdout(&out) == tracks,
        "schema/tracks.schema.json is stale: run `make schema`"
    );
    for entry in std::fs::read_dir(root().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") && !path.ends_with("pack.yaml") {
            let text = std::fs::read_to_string(&path).unwrap();
            let schema = if path.file_name().is_some_and(|n| n == "tracks.yaml") {
                "tracks"
            } else {
                "scenario"
            };
            assert_eq!(
                text.lines().next(),
                Some(
                    format!("# yaml-language-server: $schema=../schema/{schema}.schema.json")
                        .as_str()
                ),
                "{}",
                path.display()
            );
        }
    }
}

/// `rapport explain` names the phrase and the file:line that decided a criterion, and
/// what cancelled a match (issue 9: evidence stays explainable).
#[test]
fn explain_names_the_deciding_phrase_and_what_cancelled_a_match() {
    let out = rapport(&[
        "explain",
        "I'm not sorry. You should have read the terms.",
        "--customer",
        "You charged me twice!",
    ]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("blame_customer: PRESENT"), "{text}");
    assert!(text.contains("professionalism.yaml:"), "{text}");
    assert!(text.contains("is negated"), "{text}");
    assert!(
        text.contains("for example: \"") && text.contains("empathy.yaml:"),
        "a missed move shows the rubric file's example: {text}"
    );
    let out = rapport(&[
        "explain",
        "So sorry, Dana.",
        "--name",
        "Dana",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let apologize = json["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["criterion"] == "apologize")
        .unwrap();
    assert_eq!(apologize["met"], true);
    assert!(apologize["decided_by"][0]
        .as_str()
        .unwrap()
        .contains("empathy.yaml:"));
}

/// `rapport try` scores a reply exactly as the node does and names the branch it takes
/// and why each earlier branch failed (issue 11's "try and explain").
#[test]
fn try_shows_the_branch_a_reply_takes_and_why_earlier_ones_failed() {
    let file = root().join("scenarios/double-charge.yaml");
    let out = rapport(&[
        "try",
        file.to_str().unwrap(),
        "--node",
        "opening",
        "Let me refund the duplicate charge right now.",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stdout(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(
        json["scores"]["professionalism"].is_null(),
        "not assessed at the opening"
    );
    assert_eq!(json["branch"]["goto"], "fix_first");
    let rejected = json["rejected"].as_array().unwrap();
    assert!(!rejected.is_empty());
    assert!(rejected
        .iter()
        .all(|r| !r["failed"].as_array().unwrap().is_empty()));
    let out = rapport(&["try", file.to_str().unwrap(), "--node", "nowhere", "hi"]);
    assert!(!out.status.success());
}

/// `rapport paths` lists every path to an ending with branch coverage by the golden
/// tests, and `rapport graph` draws the scenario (issue 11).
#[test]
fn paths_and_graph_describe_a_shipped_scenario() {
    let file = root().join("scenarios/double-charge.yaml");
    let out = rapport(&["paths", file.to_str().unwrap(), "--format", "json"]);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let paths = json["paths"].as_array().unwrap();
    assert!(paths.iter().any(|p| p["ending"] == "resolved"));
    let edges = json["edges"].as_array().unwrap();
    assert!(edges
        .iter()
        .any(|e| !e["covered_by"].as_array().unwrap().is_empty()));
    let out = rapport(&["graph", file.to_str().unwrap(), "--format", "dot"]);
    let dot = stdout(&out);
    assert!(dot.starts_with("digraph \"double-charge\""), "{dot}");
    assert!(dot.contains("\"opening\" -> \"heard\""), "{dot}");
    let out = rapport(&["graph", file.to_str().unwrap(), "--format", "mermaid"]);
    assert!(stdout(&out).starts_with("flowchart LR"));
}

/// Four turns whose customer lines have variants, so the seed decides them and a resume
/// that rebuilt the wrong session would show.
const FOUR_TURNS: &str = r#"
id: four-turns
title: Four turns
summary: A fixture for the attempt history.
difficulty: 1
skills: [testing]
channel: chat
estimated_minutes: 1
author: Rapport tests
version: "1"
customer:
  name: Robin Vale
  persona: Patient.
  mood: 50
nodes:
  one:
    say: ["One A.", "One B.", "One C.", "One D."]
    otherwise: { goto: two }
  two:
    say: ["Two A.", "Two B.", "Two C.", "Two D."]
    otherwise: { goto: three }
  three:
    say: ["Three A.", "Three B.", "Three C.", "Three D."]
    otherwise: { goto: four }
  four:
    say: ["Four A.", "Four B.", "Four C.", "Four D."]
    otherwise: { goto: done }
endings:
  done:
    outcome: success
    say: "Bye."
    lesson: "Keep going."
"#;

/// A scenarios folder holding `four-turns` and an empty data folder.
struct Home {
    pack: tempfile::TempDir,
    data: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        let pack = tempfile::tempdir().unwrap();
        std::fs::write(pack.path().join("four-turns.yaml"), FOUR_TURNS).unwrap();
        Home {
            pack,
            data: tempfile::tempdir().unwrap(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_rapport"));
        c.args(args)
            .current_dir(root())
            .env("RAPPORT_SCENARIOS_DIR", self.pack.path())
            .env("RAPPORT_DATA_DIR", self.data.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    fn run(&self, args: &[&str], input: &str) -> Output {
        let mut child = self.command(args).stdin(Stdio::piped()).spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}{}",
            stdout(&out),
            stderr(&out)
        );
        out
    }

    fn history(&self) -> serde_json::Value {
        let out = self.run(&["history", "--format", "json"], "");
        serde_json::from_slice(&out.stdout).expect("history is JSON")
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn robin_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|l| l.strip_prefix("Robin: "))
        .collect()
}

const PLAY: &[&str] = &["play", "four-turns", "--seed", "5", "--no-timer"];

/// The customer lines of one uninterrupted run with the same seed and three replies.
fn uninterrupted() -> Vec<String> {
    let home = Home::new();
    let out = home.run(PLAY, "first\nsecond\nthird\n");
    robin_lines(&stdout(&out))
        .into_iter()
        .map(str::to_string)
        .collect()
}

fn assert_resumes_at_turn_three(home: &Home, id: &str) {
    let out = home.run(&["resume", "--no-timer"], "third\n");
    let text = stdout(&out);
    assert!(text.contains(&format!("resuming attempt {id}")), "{text}");
    // The transcript so far comes first, the trainee's replies included.
    let first = text.find("you> first").expect("first reply shown");
    let second = text.find("you> second").expect("second reply shown");
    assert!(first < second, "{text}");
    let lines = robin_lines(&text);
    assert_eq!(
        lines.len(),
        4,
        "three lines so far, then turn three's answer: {text}"
    );
    assert!(lines[2].starts_with("Three"), "{text}");
    assert_eq!(lines, uninterrupted(), "same seed, same customer");
    let h = home.history();
    assert_eq!(h[0]["id"], id);
    assert_eq!(
        (h[0]["inputs"].as_u64(), h[0]["turns"].as_u64()),
        (Some(4), Some(3))
    );
    assert_eq!(h[0]["status"], "unfinished");
}

#[test]
fn history_lists_a_piped_attempt_and_resume_continues_it_at_turn_three() {
    let home = Home::new();
    assert_eq!(home.history(), serde_json::json!([]));
    let out = home.run(PLAY, "first\nsecond\n");
    assert!(stdout(&out).contains("is saved; `rapport resume` continues it"));
    let h = home.history();
    let entries = h.as_array().unwrap();
    assert_eq!(entries.len(), 1, "{h:#}");
    let e = &entries[0];
    assert_eq!(e["scenario"], "four-turns");
    assert_eq!(e["status"], "unfinished");
    assert_eq!(e["inputs"], 2);
    assert_eq!(e["turns"], 2);
    assert_eq!(e["seed"], 5);
    assert_eq!(e["resumable"], true);
    assert!(e["outcome"].is_null() && e["scores"].is_null() && e["ended"].is_null());
    assert!(e["started"].as_str().unwrap().ends_with('Z'));
    let id = e["id"].as_str().unwrap().to_string();
    assert_resumes_at_turn_three(&home, &id);

    // To the end: finished, with the debrief's scores.
    let out = home.run(&["resume", "--no-timer"], "fourth\n");
    assert!(stdout(&out).contains("Debrief"), "{}", stdout(&out));
    let h = home.history();
    assert_eq!(h[0]["status"], "finished");
    assert_eq!(h[0]["outcome"], "success");
    assert!(h[0]["scores"]["overall"].is_u64());
    let text = stdout(&home.run(&["history"], ""));
    assert!(text.contains("four-turns (v1)  success"), "{text}");
}

#[test]
fn an_attempt_killed_mid_conversation_resumes_where_it_was() {
    let home = Home::new();
    let mut child = home.command(PLAY).stdin(Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"first\nsecond\n").unwrap();
    stdin.flush().unwrap();
    // Keep stdin open: the process is waiting for turn three when it dies.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let id = loop {
        let h = home.history();
        if let Some(e) = h.as_array().and_then(|a| a.first()) {
            if e["inputs"] == 2 {
                break e["id"].as_str().unwrap().to_string();
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never committed: {h:#}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    child.kill().unwrap(); // SIGKILL on Unix: no chance to clean up.
    child.wait().unwrap();
    drop(stdin);
    assert_eq!(home.history()[0]["status"], "unfinished");
    assert_resumes_at_turn_three(&home, &id);
}

#[test]
fn resume_refuses_an_attempt_whose_scenario_changed() {
    let home = Home::new();
    home.run(PLAY, "first\n");
    let file = home.pack.path().join("four-turns.yaml");
    std::fs::write(&file, FOUR_TURNS.replace("Two A.", "Two A, edited.")).unwrap();
    assert_eq!(home.history()[0]["scenario_changed"], true);
    let out = home
        .command(&["resume", "--no-timer"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("has changed since attempt"), "{err}");
    assert!(err.contains("rapport play four-turns"), "{err}");
}

#[test]
fn resume_with_nothing_to_resume_says_so() {
    let home = Home::new();
    let out = home
        .command(&["resume"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no unfinished attempt"),
        "{}",
        stderr(&out)
    );
}

/// A pack kept outside the repo gets its own schema, so the schema line keeps working.
#[test]
fn schema_write_puts_the_schema_where_a_pack_outside_the_repo_finds_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("schema");
    let out = rapport(&["schema", "--write", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    let written = std::fs::read_to_string(dir.join("scenario.schema.json")).unwrap();
    let committed = std::fs::read_to_string(root().join("schema/scenario.schema.json")).unwrap();
    assert_eq!(written, committed);
    assert!(stdout(&out).contains("$schema=../schema/scenario.schema.json"));
}

/// `rapport pack export` then `rapport pack import` into $RAPPORT_DATA_DIR; a second
/// import stops and says how to replace; `--replace` replaces.
#[test]
fn pack_export_and_import_through_the_cli() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("starter.rapportpack");
    let data = tmp.path().join("data");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_rapport"))
            .args(args)
            .current_dir(root())
            .env("RAPPORT_DATA_DIR", &data)
            .output()
            .unwrap()
    };
    let out = run(&["pack", "export", "scenarios", "-o", file.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    assert!(stdout(&out).starts_with("exported rapport-starter \"Rapport starter pack\" version 1"));
    let out = run(&["pack", "import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    assert!(data
        .join("packs/rapport-starter/double-charge.yaml")
        .is_file());
    let out = run(&["pack", "import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("already installed") && err.contains("--replace"),
        "{err}"
    );
    let out = run(&["pack", "import", file.to_str().unwrap(), "--replace"]);
    assert!(out.status.success(), "{out:?}");
    assert!(stdout(&out).contains("replacing version 1"));
}
