//! One YAML front end for every file a trainer writes: a rubric file's problems, a
//! `pack.yaml`'s and a `tracks.yaml`'s are diagnostics at their line and column, found the
//! same way and worded the same way as a scenario file's.

use std::collections::BTreeSet;
use std::path::Path;

use rapport_core::load::{load_str, load_tracks_str, LoadOptions};
use rapport_core::pack::{Pack, PackInfo};
use rapport_core::Diagnostic;

fn at(d: &Diagnostic) -> (String, usize, usize, String) {
    let file = d.file.file_name().unwrap().to_string_lossy().into_owned();
    (file, d.line, d.column, d.code.clone())
}

/// A pack whose `rubrics/` holds `files`; the diagnostics its rubrics give.
fn rubric_diagnostics(files: &[(&str, &str)]) -> Vec<Diagnostic> {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("rubrics")).unwrap();
    for (name, text) in files {
        std::fs::write(tmp.path().join("rubrics").join(name), text).unwrap();
    }
    Pack::open(tmp.path()).rubric_diagnostics
}

#[test]
fn rubric_file_problems_are_reported_at_their_line_and_column() {
    let diags = rubric_diagnostics(&[
        ("a_syntax.yaml", "rubric: empathy\ncriteria:\n  - id: x: y\n"),
        (
            "b_repeated.yaml",
            "rubric: empathy\ncriteria:\n  - id: thanks_a\n    tip: Say thanks.\n    tip: Again.\n    phrases: [thank you]\n",
        ),
        ("c_tab.yaml", "rubric: empathy\ncriteria:\n  - id: y\n\ttip: x\n"),
        (
            "d_bad.yaml",
            "rubric: empathy\ncriteria:\n  - id: Bad Id\n    phrases: [hello]\n  - id: thanks_d\n    phrases: [\"thanks {customer.age}\"]\n",
        ),
    ]);
    let found: Vec<_> = diags.iter().map(at).collect();
    assert_eq!(
        found,
        vec![
            ("a_syntax.yaml".into(), 3, 10, "yaml-syntax".into()),
            ("b_repeated.yaml".into(), 5, 5, "duplicate-id".into()),
            ("c_tab.yaml".into(), 4, 1, "yaml-syntax".into()),
            ("d_bad.yaml".into(), 3, 9, "invalid-value".into()),
            ("d_bad.yaml".into(), 6, 23, "bad-phrase".into()),
        ]
    );
}

#[test]
fn a_rubric_file_and_a_scenario_say_the_same_problem_the_same_way() {
    let scenario = "id: s\n\ttitle: x\n";
    let report = load_str(Path::new("s.yaml"), scenario, &LoadOptions::default());
    let rubric = rubric_diagnostics(&[("r.yaml", scenario)]);
    let (s, r) = (&report.diagnostics[0], &rubric[0]);
    assert_eq!(
        (s.line, s.column, &s.code, &s.message, &s.hint),
        (r.line, r.column, &r.code, &r.message, &r.hint)
    );
    let repeated = "id: s\nid: t\n";
    let report = load_str(Path::new("s.yaml"), repeated, &LoadOptions::default());
    let rubric = rubric_diagnostics(&[("r.yaml", repeated)]);
    let s = report
        .diagnostics
        .iter()
        .find(|d| d.code == "duplicate-id")
        .unwrap();
    let r = rubric.iter().find(|d| d.code == "duplicate-id").unwrap();
    assert_eq!(
        (s.line, s.column, &s.message),
        (r.line, r.column, &r.message)
    );
    // `rapport validate` prints both with the one `Display`.
    assert_eq!(
        r.to_string().split_once(": ").unwrap().1,
        s.to_string().split_once(": ").unwrap().1
    );
}

#[test]
fn pack_file_problems_have_their_position() {
    let p = Path::new("pack.yaml");
    let e = PackInfo::parse(p, "id: billing\ntitle: Billing\ntitel: x\n").unwrap_err();
    assert_eq!((e.line, e.column, e.code.as_str()), (3, 1, "unknown-key"));
    let e = PackInfo::parse(p, "id: billing\ntitle: A\ntitle: B\n").unwrap_err();
    assert_eq!((e.line, e.column, e.code.as_str()), (3, 1, "duplicate-id"));
    let e = PackInfo::parse(p, "title: A\nid: Billing Basics\n").unwrap_err();
    assert_eq!((e.line, e.column, e.code.as_str()), (2, 5, "invalid-value"));
    let e = PackInfo::parse(p, "id: billing\n\ttitle: A\n").unwrap_err();
    assert_eq!((e.line, e.column, e.code.as_str()), (2, 1, "yaml-syntax"));
    // Every field is text as written: `version: 1.10` is "1.10".
    let info = PackInfo::parse(p, "id: billing\ntitle: 2024\nversion: 1.10\n").unwrap();
    assert_eq!(
        (info.title.as_str(), info.version.as_str()),
        ("2024", "1.10")
    );
}

#[test]
fn tracks_file_problems_have_their_position() {
    let p = Path::new("tracks.yaml");
    let ids: BTreeSet<String> = ["a".to_string()].into();
    let text = "tracks:\n  - id: first\n    title: First\n    title: Again\n    description: D\n    scenarios: [a]\n";
    let report = load_tracks_str(p, text, &ids);
    let found: Vec<_> = report.diagnostics.iter().map(at).collect();
    assert_eq!(
        found,
        vec![("tracks.yaml".into(), 4, 5, "duplicate-id".into())]
    );
    let report = load_tracks_str(p, "tracks:\n\t- id: first\n", &ids);
    let found: Vec<_> = report.diagnostics.iter().map(at).collect();
    assert_eq!(
        found,
        vec![("tracks.yaml".into(), 2, 1, "yaml-syntax".into())]
    );
}
