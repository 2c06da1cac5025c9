//! `.ci/run`'s advisory check tells two failures apart: a RustSec database that cannot be
//! fetched leaves advisories "not checked" (the run goes on), advisories found fail the run and
//! are printed. The block is taken from `.ci/run` as it is and run with a stand-in `cargo` that
//! plays each situation.

#![cfg(unix)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use policy_tests::root;

/// The advisory block of `.ci/run`: from its comment to the `fi` that closes it
fn advisory_block() -> String {
    let script = fs::read_to_string(root().join(".ci/run")).expect(".ci/run");
    let start = script
        .find("# Advisories need")
        .expect("the advisory block starts with its comment");
    let rest = &script[start..];
    let end = rest.find("\nfi\n").expect("the block ends with fi") + 4;
    rest[..end].to_string()
}

/// Runs the block with a `cargo` that fetches the database or not, and finds advisories or
/// not; (exit code, output)
fn run_block(fetches: bool, finds: bool) -> (i32, String) {
    let dir = tempfile::tempdir().expect("dir");
    let cargo = dir.path().join("cargo");
    fs::write(
        &cargo,
        format!(
            "#!/bin/sh\ncase \"$*\" in\n\
             \"deny fetch db\") exit {};;\n\
             \"deny --offline check advisories\") {};;\n\
             *) echo \"unexpected cargo $*\" >&2; exit 99;;\nesac\n",
            if fetches { 0 } else { 1 },
            if finds {
                "echo 'error[vulnerability]: RUSTSEC-0000-0000 in some-crate'; exit 1"
            } else {
                "exit 0"
            }
        ),
    )
    .expect("write cargo");
    fs::set_permissions(&cargo, fs::Permissions::from_mode(0o755)).expect("chmod");
    let block = dir.path().join("block.sh");
    fs::write(&block, advisory_block()).expect("write block");
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-euo", "pipefail"])
        .arg(&block)
        .env("PATH", path)
        .output()
        .expect("bash runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn advisories_found_fail_the_run_and_a_missing_database_does_not() {
    let (code, out) = run_block(false, false);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("advisories: not checked"), "{out}");

    let (code, out) = run_block(true, false);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("advisories: ok"), "{out}");

    let (code, out) = run_block(true, true);
    assert_ne!(code, 0, "advisories found must fail the run: {out}");
    assert!(
        out.contains("RUSTSEC-0000-0000"),
        "the report is printed: {out}"
    );
    assert!(out.contains("advisories: FOUND"), "{out}");
    assert!(!out.contains("not checked"), "{out}");
}
