//! Builds the ACL from `capabilities/`: the page may call exactly the commands listed
//! here (each gets an `allow-*` permission, granted in `capabilities/default.json`).

fn main() {
    let commands = &[
        "library",
        "import_pack",
        "studio_open",
        "studio_view",
        "studio_graph",
        "studio_tests",
        "studio_try",
        "start_scenario",
        "send_reply",
        "choose",
        "lines_shown",
        "typing",
        "session",
        "debrief",
        "restart",
        "abandon",
        "history",
        "unfinished",
        "resume",
        "progress",
        "past_debrief",
        "settings",
        "save_settings",
        "sync_status",
        "sync_now",
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri build step");
}
