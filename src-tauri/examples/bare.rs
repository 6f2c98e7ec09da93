//! A bare Tauri window (same window size, same Tauri features, a one-line static page and
//! no commands): the baseline `make bench` compares the app's start and memory against.

fn main() {
    if let Err(e) =
        tauri::Builder::default().run(tauri::generate_context!("bench/bare/tauri.conf.json"))
    {
        eprintln!("bare: {e}");
        std::process::exit(1);
    }
}
