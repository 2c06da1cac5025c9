//! Snapshot tests over the policy packs and the `policy` CLI live in `tests/`; this library
//! holds what they share.

use std::path::PathBuf;

/// The repository's root, found from this crate's manifest
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// The bundled Suzhou pack
pub fn suzhou_pack() -> PathBuf {
    root().join("policies/suzhou-future-industries")
}

/// The bundled example applications
pub fn suzhou_examples() -> PathBuf {
    suzhou_pack().join("examples/applications.yaml")
}

/// Runs the CLI in-process, from the repository root, with paths relative to it; returns the
/// exit code, stdout and stderr
pub fn policy(args: &[&str]) -> (u8, String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let mut argv = vec!["policy".to_string()];
    argv.extend(args.iter().map(|a| {
        // Relative paths in the tests are relative to the repository root.
        if a.starts_with("policies/") {
            root().join(a).to_string_lossy().into_owned()
        } else {
            a.to_string()
        }
    }));
    let code = policy_cli::main_with(argv, &mut out, &mut err);
    let clean =
        |b: Vec<u8>| String::from_utf8_lossy(&b).replace(&format!("{}/", root().display()), "");
    (code, clean(out), clean(err))
}

/// A copy of the Suzhou pack in a temporary directory, to break on purpose
pub fn pack_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&suzhou_pack(), dir.path());
    dir
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Runs `policy` where `<pack>` stands for the copy in `dir`, with the copy's path written back
/// as `<pack>` in the output, so snapshots do not depend on where the copy was made
pub fn policy_on(dir: &tempfile::TempDir, args: &[&str]) -> (u8, String, String) {
    let pack = dir.path().to_string_lossy().into_owned();
    let args: Vec<&str> = args
        .iter()
        .map(|a| if *a == "<pack>" { pack.as_str() } else { a })
        .collect();
    let (code, out, err) = policy(&args);
    (
        code,
        out.replace(&pack, "<pack>"),
        err.replace(&pack, "<pack>"),
    )
}
