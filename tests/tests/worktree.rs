//! The tests leave nothing behind in the working tree: every file a test writes goes to a
//! temporary folder. (`tests/decisions.log`, an empty log a serve test once left in `tests/`,
//! was committed by mistake.)
//!
//! Cargo runs the test binaries one after another in the order of their names, so this one,
//! `worktree`, runs after nearly all the others: what they left is found in the same run. What
//! runs later (a few binaries, the doctests) is found by the next run, because a stray file
//! stays. Ignored files count too: `.gitignore` must not hide a stray file.

use std::path::Path;
use std::process::Command;

use policy_tests::root;

/// Files git does not track (ignored ones included), outside `target/` and insta's pending
/// snapshots (a failing snapshot test's own report); `None` where git or the repository is
/// missing (a crate unpacked from a tarball)
fn untracked(root: &Path) -> Option<Vec<String>> {
    let out = Command::new("git")
        .args([
            "status",
            "--porcelain=v1",
            "--untracked-files=all",
            "--ignored=traditional",
            "-z",
        ])
        .current_dir(root)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    Some(
        text.split('\0')
            .filter_map(|entry| {
                entry
                    .strip_prefix("?? ")
                    .or_else(|| entry.strip_prefix("!! "))
            })
            .filter(|p| !p.starts_with("target/") && !p.contains("/target/"))
            .filter(|p| !p.ends_with(".snap.new") && !p.ends_with(".pending-snap"))
            .map(str::to_string)
            .collect(),
    )
}

/// What a test run writes: logs and every output format of `policy`. Files of other kinds
/// (a new source file not yet added) are a developer's work, not a test's.
fn written_by_a_run(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    let outputs = [
        "log", "json", "jsonl", "csv", "xlsx", "html", "tmp", "spool", "out",
    ];
    // The folders a test runs in (the test crate's, cargo's working directory for the
    // tests, and the repository's root) hold no untracked file at all.
    let where_tests_run =
        !path.contains('/') || path.matches('/').count() == 1 && path.starts_with("tests/");
    outputs.contains(&ext) || where_tests_run
}

#[test]
fn the_tests_leave_no_stray_files() {
    let root = root();
    let Some(files) = untracked(&root) else {
        eprintln!("not a git working tree here: nothing to check");
        return;
    };
    let stray: Vec<&String> = files.iter().filter(|p| written_by_a_run(p)).collect();
    assert!(
        stray.is_empty(),
        "files left in the working tree, likely by a test (write them in a temporary folder \
         instead): {stray:?}"
    );
}

#[test]
fn a_stray_log_is_recognised() {
    assert!(written_by_a_run("tests/decisions.log"));
    assert!(written_by_a_run("decisions.jsonl"));
    assert!(written_by_a_run(
        "policies/suzhou-future-industries/out.xlsx"
    ));
    assert!(written_by_a_run("tests/anything"));
    assert!(!written_by_a_run("engine/src/new_module.rs"));
    assert!(!written_by_a_run("policies/new-pack/clauses/a.rhai"));
}
