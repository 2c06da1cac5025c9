//! A pipe given as input is copied to a file without a name: nothing is left in the temporary
//! directory while the run goes, nor after it is killed (the binary itself, killed with -9).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PACK: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../policies/suzhou-future-industries"
);

fn policy(tmp: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_policy"));
    // The run's temporary directory is the test's own, so anything left there is seen.
    c.env("TMPDIR", tmp).args(["--lang", "en"]);
    c
}

fn left_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_killed_run_reading_a_pipe_leaves_no_file() {
    let tmp = tempfile::tempdir().expect("dir");
    let mut child = policy(tmp.path())
        .args([
            "run",
            "--pack",
            PACK,
            "--input",
            "/dev/stdin",
            "--input-format",
            "jsonl",
            "--quiet",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run");
    // Some input, the pipe kept open: the run is copying it when it is killed.
    let mut stdin = child.stdin.take().expect("stdin");
    let line = "{\"id\":\"A1\",\"year\":2025,\"kind\":\"competition_award\"}\n".repeat(20_000);
    stdin.write_all(line.as_bytes()).expect("write");
    stdin.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(500));
    assert!(child.try_wait().expect("wait").is_none(), "still reading");
    assert_eq!(left_in(tmp.path()), Vec::<String>::new(), "no named copy");
    child.kill().expect("kill");
    let _ = child.wait();
    drop(stdin);
    assert_eq!(left_in(tmp.path()), Vec::<String>::new());
}

#[test]
fn a_pipe_is_decided_whole_and_dev_zero_stops_at_the_bound() {
    let tmp = tempfile::tempdir().expect("dir");
    let gen = policy(tmp.path())
        .args(["gen", "--pack", PACK, "--count", "2000", "--seed", "3"])
        .output()
        .expect("gen");
    assert!(gen.status.success());
    let mut child = policy(tmp.path())
        .args([
            "run",
            "--pack",
            PACK,
            "--input",
            "/dev/stdin",
            "--input-format",
            "jsonl",
            "--format",
            "jsonl",
            "--quiet",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = gen.stdout.clone();
    let writer = std::thread::spawn(move || stdin.write_all(&input).is_ok());
    let out = child.wait_with_output().expect("output");
    assert!(writer.join().unwrap_or(false));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2000);
    assert_eq!(left_in(tmp.path()), Vec::<String>::new());

    // The default bound, 1 GiB, from a device that never ends: an error, soon, nothing left.
    let started = Instant::now();
    let out = policy(tmp.path())
        .args([
            "run",
            "--pack",
            PACK,
            "--input",
            "/dev/zero",
            "--input-format",
            "jsonl",
        ])
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("longer than 1073741824 bytes"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(left_in(tmp.path()), Vec::<String>::new());
}
