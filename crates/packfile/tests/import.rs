//! Pack files: a round trip through export and import, and one refused pack per way a
//! pack file can be unsafe (each archive is built here, by hand).

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use rapport_packfile::{export, import, inspect, PackError, Replace, MANIFEST};
use zip::write::SimpleFileOptions;

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

fn double_charge() -> Vec<u8> {
    std::fs::read(shipped().join("double-charge.yaml")).unwrap()
}

/// A pack folder with one shipped scenario and a pack.yaml.
fn small_pack(dir: &Path) -> PathBuf {
    let pack = dir.join("billing");
    std::fs::create_dir_all(&pack).unwrap();
    std::fs::write(pack.join("double-charge.yaml"), double_charge()).unwrap();
    std::fs::write(
        pack.join("pack.yaml"),
        "id: billing-basics\ntitle: Billing basics\nversion: \"2\"\nauthor: Dana Trainer\n",
    )
    .unwrap();
    pack
}

fn manifest_for(files: &[(&str, &[u8])]) -> Vec<u8> {
    use sha2::Digest;
    let files: Vec<serde_json::Value> = files
        .iter()
        .map(|(p, b)| {
            let sha: String = sha2::Sha256::digest(b)
                .iter()
                .map(|x| format!("{x:02x}"))
                .collect();
            serde_json::json!({"path": p, "size": b.len(), "sha256": sha})
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "format": 1, "id": "evil", "title": "Evil", "version": "1", "author": "", "files": files
    }))
    .unwrap()
}

/// A pack file with a correct manifest for `files`, written raw with zip's writer.
fn zip_with(dir: &Path, name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file(MANIFEST, opts).unwrap();
    zip.write_all(&manifest_for(files)).unwrap();
    for (path, bytes) in files {
        zip.start_file(*path, opts).unwrap();
        zip.write_all(bytes).unwrap();
    }
    let bytes = zip.finish().unwrap().into_inner();
    let out = dir.join(name);
    std::fs::write(&out, bytes).unwrap();
    out
}

fn refused(file: &Path, packs: &Path) -> PackError {
    let err = import(file, packs, Replace::No).expect_err("the pack must be refused");
    // Nothing installed, no staging folder left behind.
    let left: Vec<_> = std::fs::read_dir(packs)
        .map(|r| r.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "refused import left {left:?}");
    err
}

#[test]
fn a_pack_round_trips_through_export_and_import() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = small_pack(tmp.path());
    let file = tmp.path().join("billing.rapportpack");
    let manifest = export(&pack, &file).unwrap();
    assert_eq!(manifest.id, "billing-basics");
    assert_eq!(manifest.title, "Billing basics");
    assert_eq!(manifest.version, "2");
    assert_eq!(manifest.author, "Dana Trainer");
    let paths: Vec<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["double-charge.yaml", "pack.yaml"]);
    assert!(manifest.files.iter().all(|f| f.sha256.len() == 64));
    assert_eq!(inspect(&file).unwrap(), manifest);

    let packs = tmp.path().join("data/packs");
    let installed = import(&file, &packs, Replace::No).unwrap();
    assert_eq!(installed.dir, packs.join("billing-basics"));
    assert_eq!(
        std::fs::read(installed.dir.join("double-charge.yaml")).unwrap(),
        double_charge()
    );
    // Only the pack's own folder: the staging folder is gone.
    let names: Vec<_> = std::fs::read_dir(&packs)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["billing-basics"]);

    // A second import asks before replacing; with the answer yes it replaces.
    match import(&file, &packs, Replace::No) {
        Err(PackError::Exists {
            id,
            installed_version,
            ..
        }) => {
            assert_eq!(id, "billing-basics");
            assert_eq!(installed_version, "2");
        }
        other => panic!("expected Exists, got {other:?}"),
    }
    let again = import(&file, &packs, Replace::Yes).unwrap();
    assert_eq!(again.replaced.as_deref(), Some("2"));
}

#[test]
fn the_shipped_pack_with_its_rubrics_round_trips() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("shipped.rapportpack");
    let manifest = export(&shipped(), &file).unwrap();
    assert!(manifest
        .files
        .iter()
        .any(|f| f.path == "rubrics/empathy.yaml"));
    let installed = import(&file, &tmp.path().join("packs"), Replace::No).unwrap();
    assert!(installed.dir.join("rubrics/empathy.yaml").is_file());
}

#[test]
fn zip_slip_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = zip_with(
        tmp.path(),
        "slip.rapportpack",
        &[
            ("double-charge.yaml", &double_charge()),
            ("../../escaped.yaml", b"id: x\n"),
        ],
    );
    let err = refused(&file, &tmp.path().join("packs"));
    assert_eq!(err.kind(), "unsafe", "{err}");
    assert!(err.to_string().contains("climbs out"), "{err}");
    assert!(!tmp.path().join("escaped.yaml").exists());
}

#[test]
fn an_absolute_path_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("abs.yaml");
    let name = target.to_str().unwrap().to_string();
    let file = zip_with(
        tmp.path(),
        "abs.rapportpack",
        &[
            ("double-charge.yaml", &double_charge()),
            (name.as_str(), b"id: x\n"),
        ],
    );
    let err = refused(&file, &tmp.path().join("packs"));
    assert_eq!(err.kind(), "unsafe");
    assert!(err.to_string().contains("absolute path"), "{err}");
    assert!(!target.exists());
}

#[test]
fn a_symlink_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default();
    zip.start_file("double-charge.yaml", opts).unwrap();
    zip.write_all(&double_charge()).unwrap();
    zip.add_symlink("passwd.yaml", "/etc/passwd", opts).unwrap();
    let file = tmp.path().join("link.rapportpack");
    std::fs::write(&file, zip.finish().unwrap().into_inner()).unwrap();
    let err = refused(&file, &tmp.path().join("packs"));
    assert_eq!(err.kind(), "unsafe");
    assert!(err.to_string().contains("is a link"), "{err}");
}

#[test]
fn an_oversized_file_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    // Text that does not compress much, just over the per-file limit.
    let mut big = Vec::new();
    let mut x: u64 = 7;
    while big.len() <= rapport_packfile::MAX_FILE_BYTES as usize {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        big.push(b'a' + (x >> 59) as u8);
    }
    let file = zip_with(tmp.path(), "big.rapportpack", &[("big.yaml", &big)]);
    let err = refused(&file, &tmp.path().join("packs"));
    assert_eq!(err.kind(), "too_large");
    assert!(err.to_string().contains("limit for a file"), "{err}");
}

#[test]
fn a_zip_bomb_is_refused_by_its_ratio() {
    let tmp = tempfile::tempdir().unwrap();
    let zeros = vec![b' '; 900 * 1024];
    let file = zip_with(tmp.path(), "bomb.rapportpack", &[("bomb.yaml", &zeros)]);
    let err = refused(&file, &tmp.path().join("packs"));
    assert_eq!(err.kind(), "too_large");
    assert!(err.to_string().contains("zip bomb"), "{err}");
}

#[test]
fn too_many_bytes_in_all_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let big = tmp.path().join("huge.rapportpack");
    std::fs::write(
        &big,
        vec![0u8; rapport_packfile::MAX_TOTAL_BYTES as usize + 1],
    )
    .unwrap();
    let err = refused(&big, &tmp.path().join("packs"));
    assert_eq!(err.kind(), "too_large");
}

#[test]
fn a_pack_failing_validation_is_refused_with_its_diagnostics() {
    let tmp = tempfile::tempdir().unwrap();
    let broken = String::from_utf8(double_charge()).unwrap().replacen(
        "difficulty:",
        "difficulty: 9\nx_difficulty:",
        1,
    );
    let file = zip_with(
        tmp.path(),
        "invalid.rapportpack",
        &[("double-charge.yaml", broken.as_bytes())],
    );
    let err = refused(&file, &tmp.path().join("packs"));
    match &err {
        PackError::Invalid { diagnostics, .. } => {
            assert!(!diagnostics.is_empty());
            // Paths as written in the pack, not the staging folder's.
            assert_eq!(diagnostics[0].file, Path::new("double-charge.yaml"));
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert!(
        err.to_string().contains("does not pass validation"),
        "{err}"
    );
}

#[test]
fn a_file_changed_after_export_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default();
    zip.start_file(MANIFEST, opts).unwrap();
    zip.write_all(&manifest_for(&[("double-charge.yaml", b"other")]))
        .unwrap();
    zip.start_file("double-charge.yaml", opts).unwrap();
    zip.write_all(&double_charge()).unwrap();
    let file = tmp.path().join("changed.rapportpack");
    std::fs::write(&file, zip.finish().unwrap().into_inner()).unwrap();
    let err = refused(&file, &tmp.path().join("packs"));
    assert_eq!(err.kind(), "manifest");
    assert!(err.to_string().contains("SHA-256"), "{err}");
}

#[test]
fn a_file_that_is_not_a_zip_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("notes.rapportpack");
    std::fs::write(&file, "hello").unwrap();
    let err = refused(&file, &tmp.path().join("packs"));
    assert_eq!(err.kind(), "not_a_pack");
}

#[cfg(unix)]
#[test]
fn export_refuses_a_link_in_the_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = small_pack(tmp.path());
    std::os::unix::fs::symlink("/etc/hostname", pack.join("linked.yaml")).unwrap();
    let err = export(&pack, &tmp.path().join("x.rapportpack")).unwrap_err();
    assert!(err.to_string().contains("is a link"), "{err}");
}
