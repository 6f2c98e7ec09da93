//! Golden transcripts: every scripted run in every shipped scenario is played by the real
//! engine and scorer, and its full transcript (customer lines, scores, evidence, branches,
//! moods, ending) must match the file stored under `tests/golden/<scenario>/<test>.txt`.
//!
//! A change to a scenario, the engine or the scorer that alters what a trainee would see
//! shows up here as a diff. When the change is intended, regenerate with
//! `UPDATE_GOLDEN=1 cargo test --test golden` and review the diff before committing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rapport_core::golden;
use rapport_core::load;
use rapport_core::pack::Pack;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The test's name as a portable file name: ASCII letters and digits, French accents
/// folded ("réglé" -> "regle"), everything else a single `-`.
fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in name.to_lowercase().chars() {
        let folded = match c {
            'à' | 'â' | 'ä' => "a",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'î' | 'ï' => "i",
            'ô' | 'ö' => "o",
            'ù' | 'û' | 'ü' => "u",
            'ç' => "c",
            'œ' => "oe",
            c if c.is_ascii_alphanumeric() => {
                s.push(c);
                continue;
            }
            _ => "-",
        };
        s.push_str(folded);
    }
    s.split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

#[test]
fn every_shipped_scenario_matches_its_golden_transcripts() {
    let scenarios = root().join("scenarios");
    let Pack {
        scorer,
        rubric_diagnostics,
        options,
    } = Pack::open(&scenarios);
    assert!(rubric_diagnostics.is_empty(), "{rubric_diagnostics:#?}");
    let library = load::load_paths(&[scenarios], &options);
    assert!(
        library.reports.iter().all(|r| r.scenario.is_some()),
        "shipped scenarios must load: {:#?}",
        library.reports
    );
    assert!(
        library.scenarios.len() >= 10,
        "the pack ships at least ten scenarios"
    );
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let golden_dir = root().join("tests/golden");
    let mut expected_files = BTreeSet::new();
    let mut problems = Vec::new();
    for scenario in &library.scenarios {
        assert!(
            scenario.tests.len() >= 3,
            "{} needs golden tests for at least three endings",
            scenario.meta.id
        );
        for test in &scenario.tests {
            let run = golden::run(scenario, test, &scorer);
            if !run.passed() {
                problems.push(format!(
                    "{} :: {}: {:?}",
                    scenario.meta.id, test.name, run.failures
                ));
            }
            let text = golden::transcript_text(run.session.transcript());
            let again = golden::run(scenario, test, &scorer);
            assert_eq!(
                text,
                golden::transcript_text(again.session.transcript()),
                "{} :: {} differs between two runs of the same seed",
                scenario.meta.id,
                test.name
            );
            let file = golden_dir
                .join(&scenario.meta.id)
                .join(format!("{}.txt", slug(&test.name)));
            expected_files.insert(file.clone());
            if update {
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                std::fs::write(&file, &text).unwrap();
            } else {
                match std::fs::read_to_string(&file) {
                    Ok(stored) if stored == text => {}
                    Ok(stored) => problems.push(format!(
                        "{} differs from the stored transcript:\n{}",
                        file.display(),
                        first_difference(&stored, &text)
                    )),
                    Err(_) => problems.push(format!("{} is missing", file.display())),
                }
            }
        }
    }
    for stale in files_under(&golden_dir) {
        if !expected_files.contains(&stale) {
            if update {
                std::fs::remove_file(&stale).unwrap();
            } else {
                problems.push(format!("{} belongs to no golden test", stale.display()));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{}\n\n(if intended: UPDATE_GOLDEN=1 cargo test --test golden, then review the diff)",
        problems.join("\n\n")
    );
}

fn first_difference(stored: &str, actual: &str) -> String {
    for (i, (a, b)) in stored.lines().zip(actual.lines()).enumerate() {
        if a != b {
            return format!("  line {}:\n  stored: {a}\n  now:    {b}", i + 1);
        }
    }
    format!(
        "  lengths differ: stored {} lines, now {} lines",
        stored.lines().count(),
        actual.lines().count()
    )
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else if path.extension().is_some_and(|e| e == "txt") {
            out.push(path);
        }
    }
    out
}
