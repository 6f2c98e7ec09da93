//! The library over more than one pack: the app's own plus those imported into the data
//! folder, listed grouped by pack, each playable, ids unique across packs.

use std::path::{Path, PathBuf};

use rapport_core::app::App;
use rapport_core::engine::ManualClock;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn install(packs: &Path, id: &str, scenario_id: &str) -> PathBuf {
    let dir = packs.join(id);
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(root().join("tests/fixtures/impatient.yaml")).unwrap();
    let text = text.replacen("id: impatient", &format!("id: {scenario_id}"), 1);
    std::fs::write(dir.join(format!("{scenario_id}.yaml")), text).unwrap();
    std::fs::write(
        dir.join("pack.yaml"),
        format!("id: {id}\ntitle: Pack {id}\nversion: \"3\"\nauthor: Dana\n"),
    )
    .unwrap();
    dir
}

#[test]
fn installed_packs_are_listed_by_pack_and_play() {
    let tmp = tempfile::tempdir().unwrap();
    let packs = tmp.path().join("packs");
    install(&packs, "billing", "billing-impatient");
    // Same scenario id as the first installed pack: not listed, and said why.
    install(&packs, "clash", "billing-impatient");
    std::fs::create_dir_all(packs.join(".import-staging")).unwrap();

    let shipped = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".yaml") && n != "tracks.yaml" && n != "pack.yaml")
        .count();
    let mut app = App::open_pack(&root().join("scenarios"));
    app.add_installed_packs(&packs);
    let lib = app.library();
    let groups: Vec<(&str, bool, usize)> = lib
        .packs
        .iter()
        .map(|p| (p.info.id.as_str(), p.installed, p.scenarios.len()))
        .collect();
    assert_eq!(
        groups,
        [
            ("rapport-starter", false, shipped),
            ("billing", true, 1),
            ("clash", true, 0)
        ]
    );
    assert_eq!(lib.packs[1].info.title, "Pack billing");
    assert_eq!(lib.packs[1].scenarios, ["billing-impatient"]);
    assert_eq!(lib.scenarios.len(), shipped + 1);
    assert!(lib
        .load_errors
        .iter()
        .any(|e| e.file.contains("clash")
            && e.diagnostics[0].message.contains("already has a scenario")));

    let clock = ManualClock::new(0);
    let view = app.start("billing-impatient", Some(1), &clock).unwrap();
    assert_eq!(view.scenario.id, "billing-impatient");
    app.reply("I'm so sorry about this, let me fix it now.", &clock)
        .unwrap();

    // Replacing a pack takes the old one out first; its conversation is abandoned.
    app.remove_pack("billing", &clock);
    assert!(app.view(&clock).is_err());
    let lib = app.library();
    assert_eq!(lib.packs.len(), 2);
    assert_eq!(lib.scenarios.len(), shipped);
    app.add_pack(&packs.join("billing"), true);
    assert_eq!(app.library().packs[2].scenarios, ["billing-impatient"]);
}
