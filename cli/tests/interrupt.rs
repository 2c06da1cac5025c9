//! An interrupted run leaves the previous output file as it was (the binary itself, killed).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const PACK: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../policies/suzhou-future-industries"
);

fn policy() -> Command {
    Command::new(env!("CARGO_BIN_EXE_policy"))
}

fn partial_exists(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .any(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        })
        .unwrap_or(false)
}

#[test]
fn a_killed_run_leaves_the_previous_output_intact() {
    let dir = tempfile::tempdir().expect("dir");
    let input = dir.path().join("apps.jsonl");
    let output = dir.path().join("decisions.json");
    let status = policy()
        .args([
            "gen", "--pack", PACK, "--count", "80000", "--seed", "1", "--output",
        ])
        .arg(&input)
        .status()
        .expect("gen");
    assert!(status.success());
    std::fs::write(&output, "previous output\n").expect("write");

    let mut child = policy()
        .args([
            "run", "--pack", PACK, "--format", "json", "--quiet", "--input",
        ])
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .spawn()
        .expect("run");
    // Kill it while it writes its temporary file.
    let started = Instant::now();
    while !partial_exists(dir.path()) && started.elapsed() < Duration::from_secs(60) {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let finished_already = child.try_wait().expect("wait").is_some();
    let _ = child.kill();
    let _ = child.wait();
    if !finished_already {
        assert_eq!(
            std::fs::read_to_string(&output).expect("still there"),
            "previous output\n",
            "an interrupted run must not touch the previous output"
        );
    }
    // A complete rerun replaces it whole.
    let status = policy()
        .args([
            "run", "--pack", PACK, "--format", "json", "--quiet", "--input",
        ])
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .status()
        .expect("rerun");
    assert!(status.success());
    let text = std::fs::read_to_string(&output).expect("output");
    assert!(text.starts_with("{\n  \"pack\": {") && text.ends_with("}\n"));
}
