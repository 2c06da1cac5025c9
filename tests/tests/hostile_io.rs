//! Hostile input and output around the engine, each a case that once lost rows, replaced a
//! file or changed an amount silently (issue 14).

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use policy_tests::{http, pack_copy, policy, serve_on};

const HEADER: &str = "id,year,kind,applicant.name,applicant.in_city,prize\n";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    fs::write(&path, text).expect("write");
    path.to_string_lossy().into_owned()
}

fn run_csv(rows: &str) -> (u8, String, String) {
    let dir = tempfile::tempdir().expect("dir");
    let input = write(dir.path(), "apps.csv", &format!("{HEADER}{rows}"));
    policy(&[
        "run",
        "--pack",
        "policies/suzhou-future-industries",
        "--input",
        &input,
        "--format",
        "jsonl",
    ])
}

#[test]
fn a_stray_csv_quote_is_an_error_never_lost_rows() {
    // In the last column: it used to swallow every later row (3 in, 1 out, exit 0).
    let (code, out, err) = run_csv(
        "X1,2025,competition_award,宿州某团队,true,\"first\n\
         X2,2025,competition_award,宿州某团队,true,second\n\
         X3,2025,competition_award,宿州某团队,true,third\n",
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("apps.csv:2:38"), "{err}");
    assert!(err.contains("quote"), "{err}");
    assert!(err.contains("\"\""), "how to write a quote: {err}");
    // In a middle column.
    let (code, out, err) = run_csv(
        "X1,2025,competition_award,\"宿州某团队,true,first\n\
         X2,2025,competition_award,宿州某团队,true,second\n\
         X3,2025,competition_award,宿州某团队,true,third\n",
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("apps.csv:2:27"), "{err}");
    assert!(err.contains("quote"), "{err}");
    // Inside a field that does not start with one.
    let (code, out, err) = run_csv(
        "X1,2025,competition_award,宿州\"某团队,true,first\n\
         X2,2025,competition_award,宿州某团队,true,second\n",
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("apps.csv:2:29"), "{err}");
    assert!(err.contains("quote"), "{err}");
    // Quoted as CSV says: every row decided.
    let (code, out, err) = run_csv(
        "X1,2025,competition_award,\"宿州\"\"某\"\"团队\",true,first\n\
         \"X2\",2025,competition_award,\"宿州, 某团队\",true,second\n\
         X3,2025,competition_award,宿州某团队,true,\"third\"\n",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out.lines().count(), 3, "{out}");
    for (line, id) in out.lines().zip(["X1", "X2", "X3"]) {
        assert!(line.contains(&format!(r#""id":"{id}""#)), "{line}");
        assert!(line.contains("awarded"), "{line}");
    }
}

#[test]
fn a_stray_csv_quote_far_into_a_large_file_is_found_at_its_line() {
    let row = |i: usize| format!("R{i},2025,competition_award,宿州某团队,true,first\n");
    let good: String = (0..3000).map(row).collect();
    let (code, out, err) = run_csv(&good);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 3000);
    let bad: String = (0..3000)
        .map(|i| match i {
            2500 => "R2500,2025,competition_award,宿州某团队,true,\"first\n".to_string(),
            _ => row(i),
        })
        .collect();
    let (code, _, err) = run_csv(&bad);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("apps.csv:2502:41"), "{err}");
}

#[cfg(unix)]
#[test]
fn output_refuses_a_symlink_and_a_fifo_and_keeps_a_files_mode() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let dir = tempfile::tempdir().expect("dir");
    let run_to = |output: &Path| {
        policy(&[
            "run",
            "--pack",
            "policies/suzhou-future-industries",
            "--input",
            "policies/suzhou-future-industries/examples/applications.yaml",
            "--format",
            "json",
            "--output",
            &output.to_string_lossy(),
        ])
    };
    // A symlink: refused, and neither it nor its target touched.
    let target = dir.path().join("target.json");
    fs::write(&target, "keep").expect("target");
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let (code, _, err) = run_to(&link);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert!(fs::symlink_metadata(&link)
        .expect("link")
        .file_type()
        .is_symlink());
    assert_eq!(fs::read_to_string(&target).expect("target"), "keep");

    // A FIFO: refused, still a FIFO.
    let fifo = dir.path().join("fifo.json");
    match std::process::Command::new("mkfifo").arg(&fifo).status() {
        Ok(s) if s.success() => {
            let (code, _, err) = run_to(&fifo);
            assert_eq!(code, 2, "{err}");
            assert!(err.contains("not a regular file"), "{err}");
            assert!(fs::symlink_metadata(&fifo)
                .expect("fifo")
                .file_type()
                .is_fifo());
        }
        _ => println!("skipped the FIFO case: mkfifo is not available"),
    }

    // A directory: refused.
    let sub = dir.path().join("sub");
    fs::create_dir(&sub).expect("dir");
    let (code, _, err) = run_to(&sub);
    assert_eq!(code, 2, "{err}");
    assert!(sub.is_dir());

    // A regular file: replaced whole, its mode kept.
    let file = dir.path().join("out.json");
    fs::write(&file, "old").expect("file");
    fs::set_permissions(&file, fs::Permissions::from_mode(0o640)).expect("chmod");
    let (code, _, err) = run_to(&file);
    assert!(code == 0 || code == 1, "{err}");
    assert!(fs::read_to_string(&file)
        .expect("out")
        .contains("decisions"));
    let mode = fs::metadata(&file).expect("meta").permissions().mode() & 0o7777;
    assert_eq!(mode, 0o640);
}

#[test]
fn http_refuses_a_key_given_twice() {
    let pack = pack_copy();
    let dir = tempfile::tempdir().expect("dir");
    let log = dir.path().join("decisions.log");
    let addr = serve_on(pack.path(), Some(&log), 1 << 20);
    let body = r#"{"id":"T","year":2025,"kind":"tech_transfer",
        "applicant":{"name":"x","in_city":true},"seller_in_city":false,
        "contract_amount":4000000,"paid_amount":100,"paid_amount":4000000}"#;
    let (status, _, answer) = http(addr, "POST", "/v1/decide", body.as_bytes());
    assert!(status == 400 || status == 422, "{status} {answer}");
    assert!(answer.contains("paid_amount"), "{answer}");
    assert!(!answer.contains("awarded"), "{answer}");
    // Nested too, and in a list.
    let body = r#"[{"id":"T","year":2025,"kind":"competition_award",
        "applicant":{"name":"x","in_city":true,"in_city":false},"prize":"first"}]"#;
    let (status, _, answer) = http(addr, "POST", "/v1/decide", body.as_bytes());
    assert!(status == 400 || status == 422, "{status} {answer}");
    assert!(answer.contains("in_city"), "{answer}");
    // Nothing refused is in the log.
    let logged = fs::read_to_string(&log).unwrap_or_default();
    assert!(!logged.contains("paid_amount"), "{logged}");
    assert!(!logged.contains("\"T\""), "{logged}");
}

/// A standard output that fails as `kind` says
struct Failing(io::ErrorKind);

impl Write for Failing {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::new(self.0, "the disk is full"))
    }
    fn flush(&mut self) -> io::Result<()> {
        Err(io::Error::new(self.0, "the disk is full"))
    }
}

#[test]
fn a_failed_write_to_standard_output_fails_the_command() {
    let pack = policy_tests::suzhou_pack().to_string_lossy().into_owned();
    let input = policy_tests::suzhou_examples()
        .to_string_lossy()
        .into_owned();
    let commands: Vec<Vec<&str>> = vec![
        vec![
            "run", "--pack", &pack, "--input", &input, "--format", "table",
        ],
        vec![
            "run", "--pack", &pack, "--input", &input, "--format", "yaml",
        ],
        vec!["check", &pack],
        vec!["doc", &pack],
        vec!["test", &pack],
    ];
    for args in &commands {
        let mut argv = vec!["policy", "--lang", "en"];
        argv.extend(args.iter().copied());
        let mut err = Vec::new();
        let code = policy_cli::main_with(&argv, &mut Failing(io::ErrorKind::Other), &mut err);
        let err = String::from_utf8_lossy(&err);
        assert_ne!(code, 0, "{args:?}: {err}");
        assert!(err.contains("standard output"), "{args:?}: {err}");
        // A closed pipe (`policy … | head`) stays quiet, with the command's own code.
        let mut err = Vec::new();
        let mut ok = Vec::new();
        let expected = policy_cli::main_with(&argv, &mut ok, &mut Vec::new());
        let code = policy_cli::main_with(&argv, &mut Failing(io::ErrorKind::BrokenPipe), &mut err);
        assert_eq!(code, expected, "{args:?}");
        assert!(
            !String::from_utf8_lossy(&err).contains("standard output"),
            "{args:?}"
        );
    }
}

#[test]
fn a_control_character_in_an_id_cannot_forge_a_table_row() {
    let dir = tempfile::tempdir().expect("dir");
    let input = dir.path().join("apps.jsonl");
    std::fs::write(
        &input,
        "{\"id\":\"A-1\\n2025-FAKE  rd-platform  awarded  9,999,999.00\\u001b[2K\",\"year\":2025,\"kind\":\"rd_platform\",\"applicant\":{\"name\":\"甲\",\"in_city\":true},\"level\":\"national\",\"platform_type\":\"key_lab\",\"newly_recognized\":true}\n",
    )
    .expect("write");
    let (code, out, err) = policy_tests::policy(&[
        "run",
        "--pack",
        "policies/suzhou-future-industries",
        "--input",
        &input.to_string_lossy(),
        "--format",
        "table",
    ]);
    assert_eq!(code, 0, "{err}");
    // One decision row, its id escaped on one line; no raw escape byte reaches the terminal.
    assert!(
        out.contains("A-1\\n2025-FAKE  rd-platform  awarded  9,999,999.00\\u{1b}[2K"),
        "{out}"
    );
    assert!(!out.lines().any(|l| l.starts_with("2025-FAKE")), "{out}");
    assert!(!out.contains('\u{1b}'), "{out}");
}
