//! Hostile input files and pack files (issue 14): each case once read without bound, left a
//! copy behind, followed a link out of the pack or hung on a FIFO.

use std::fs;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use policy_tests::{pack_copy, policy, policy_on};

const PACK: &str = "policies/suzhou-future-industries";

fn mkfifo(path: &Path) -> bool {
    std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `policy` on a thread, failing the test (rather than hanging it) if it takes longer
/// than `limit`
fn policy_within(limit: Duration, args: Vec<String>) -> (u8, String, String) {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let _ = tx.send(policy(&args));
    });
    match rx.recv_timeout(limit) {
        Ok(r) => r,
        Err(_) => panic!("policy did not end within {limit:?}"),
    }
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

// --- applications from a pipe or a device ------------------------------------------------

/// `/dev/zero` never ends: the copy stops at the byte bound, an error naming it, quickly
#[test]
fn an_endless_input_stops_at_the_byte_bound() {
    let started = Instant::now();
    let (code, out, err) = policy_within(
        Duration::from_secs(60),
        strings(&[
            "run",
            "--pack",
            PACK,
            "--input",
            "/dev/zero",
            "--input-format",
            "jsonl",
            "--max-input-bytes",
            "5000000",
        ]),
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("/dev/zero"), "{err}");
    assert!(err.contains("longer than 5000000 bytes"), "{err}");
    assert!(err.contains("--max-input-bytes"), "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(started.elapsed() < Duration::from_secs(30));
}

/// A ledger (`--history`) or a scenario named as a device that never ends is refused at its
/// bound, never read whole (the ledger's size check saw 0 bytes and then read forever)
#[test]
fn a_history_or_scenario_that_never_ends_is_refused() {
    let (code, _, err) = policy_within(
        Duration::from_secs(120),
        strings(&[
            "run",
            "--pack",
            PACK,
            "--input",
            "policies/suzhou-future-industries/examples/applications.yaml",
            "--history",
            "/dev/zero",
        ]),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("/dev/zero"), "{err}");
    assert!(err.contains("over 268435456 bytes"), "{err}");
    let (code, _, err) = policy_within(
        Duration::from_secs(120),
        strings(&[
            "compare",
            "--pack",
            PACK,
            "--input",
            "policies/suzhou-future-industries/examples/applications.yaml",
            "--scenario",
            "/dev/zero",
        ]),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("over 16777216 bytes"), "{err}");
}

/// A regular file over the bound is refused alike, before any of it is read; under it, read
#[test]
fn a_file_over_the_byte_bound_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let input = dir.path().join("apps.yaml");
    fs::copy(
        Path::new(&policy_tests::root())
            .join(PACK)
            .join("examples/applications.yaml"),
        &input,
    )
    .expect("copy");
    let size = fs::metadata(&input).expect("meta").len();
    let run = |bound: u64| {
        policy(&[
            "run",
            "--pack",
            PACK,
            "--input",
            &input.to_string_lossy(),
            "--format",
            "jsonl",
            "--max-input-bytes",
            &bound.to_string(),
        ])
    };
    let (code, _, err) = run(size - 1);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("longer than {} bytes", size - 1)),
        "{err}"
    );
    let (code, out, err) = run(size);
    assert!(code == 0 || code == 1, "{err}");
    assert!(out.lines().count() > 10, "{out}");
}

/// A FIFO is copied once and read as often as the run needs (the Suzhou pack's yearly limit
/// reads its input twice): the same decisions as from the file itself
#[test]
fn a_fifo_input_is_read_twice_from_its_copy() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("apps.jsonl");
    let (code, _, err) = policy(&[
        "gen",
        "--pack",
        PACK,
        "--count",
        "3000",
        "--seed",
        "7",
        "--output",
        &file.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{err}");
    let fifo = dir.path().join("apps.fifo");
    if !mkfifo(&fifo) {
        println!("skipped: mkfifo is not available");
        return;
    }
    let bytes = fs::read(&file).expect("read");
    let to = fifo.clone();
    let writer = std::thread::spawn(move || fs::write(&to, bytes).is_ok());
    let run = |input: &Path| {
        policy_within(
            Duration::from_secs(120),
            strings(&[
                "run",
                "--pack",
                PACK,
                "--input",
                &input.to_string_lossy(),
                "--input-format",
                "jsonl",
                "--format",
                "jsonl",
            ]),
        )
    };
    let (code, from_fifo, err) = run(&fifo);
    assert!(writer.join().unwrap_or(false));
    assert!(code == 0 || code == 1, "{err}");
    let (_, from_file, _) = run(&file);
    assert_eq!(from_fifo.lines().count(), 3000);
    assert_eq!(from_fifo, from_file);
}

/// An empty file holds no applications: an error naming the file, whatever its format (an
/// empty CSV used to decide nothing and exit 0, an empty YAML exit 2)
#[test]
fn an_empty_input_is_an_error_in_every_format() {
    let dir = tempfile::tempdir().expect("dir");
    for (name, text) in [
        ("a.csv", ""),
        ("b.jsonl", "\n\n"),
        ("c.yaml", ""),
        ("d.json", "  \n"),
        ("e.csv", "\u{feff}"),
    ] {
        let input = dir.path().join(name);
        fs::write(&input, text).expect("write");
        let (code, out, err) = policy(&[
            "run",
            "--pack",
            PACK,
            "--input",
            &input.to_string_lossy(),
            "--format",
            "jsonl",
        ]);
        assert_eq!(code, 2, "{name}: {out}{err}");
        assert!(err.contains(name), "{err}");
        assert!(err.contains("no applications"), "{err}");
    }
    // A header and no rows is a batch of none, as `[]` is.
    let input = dir.path().join("header.csv");
    fs::write(&input, "id,year,kind\n").expect("write");
    let (code, out, err) = policy(&[
        "run",
        "--pack",
        PACK,
        "--input",
        &input.to_string_lossy(),
        "--format",
        "jsonl",
    ]);
    assert_eq!(code, 0, "{out}{err}");
}

/// A CSV record is bounded like a JSONL line (`--max-line-bytes`) and a row like a sheet's
/// (16,384 cells): past either, that record is an error of its own and the others are
/// decided; a header past the columns refuses the file
#[test]
fn a_csv_record_and_its_cells_are_bounded() {
    let dir = tempfile::tempdir().expect("dir");
    let input = dir.path().join("apps.csv");
    let row = |id: &str, name: &str| format!("{id},2025,competition_award,{name},true,first\n");
    let text = format!(
        "id,year,kind,applicant.name,applicant.in_city,prize\n{}{}A3{}\n{}",
        row("A1", "宿州某团队"),
        row("A2", &"长".repeat(400_000)),
        ",".repeat(20_000),
        row("A4", "宿州某团队"),
    );
    fs::write(&input, text).expect("write");
    let (code, out, err) = policy(&[
        "run",
        "--pack",
        PACK,
        "--input",
        &input.to_string_lossy(),
        "--format",
        "jsonl",
    ]);
    assert_eq!(code, 1, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[0].contains("awarded"), "{}", lines[0]);
    assert!(
        lines[1].contains("line 3: longer than 1048576 bytes"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains("line 4: 20001 cells, more than 16384"),
        "{}",
        lines[2]
    );
    assert!(lines[3].contains("awarded"), "{}", lines[3]);

    fs::write(&input, format!("id{}\nA1\n", ",x".repeat(20_000))).expect("write");
    let (code, _, err) = policy(&[
        "run",
        "--pack",
        PACK,
        "--input",
        &input.to_string_lossy(),
        "--format",
        "jsonl",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("apps.csv:1:1"), "{err}");
    assert!(err.contains("20001 columns, more than 16384"), "{err}");
}

// --- workbooks ------------------------------------------------------------------------------

/// A workbook with one sheet of the given XML, built here
fn workbook(sheet: &str) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in [
        (
            "xl/workbook.xml",
            r#"<workbook><sheets><sheet name="apps" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        ("xl/worksheets/sheet1.xml", sheet),
    ] {
        zip.start_file(name, deflated).expect("part");
        zip.write_all(text.as_bytes()).expect("write");
    }
    zip.finish().expect("zip").into_inner()
}

fn inline(r: &str, text: &str) -> String {
    format!(r#"<c r="{r}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// A cell at `XFD` is one cell, not a row padded to sixteen thousand: its row is an error of
/// its own (a cell past the header), the others are decided; a cell past `XFD` refuses the
/// file, naming its row, never dropped
#[test]
fn a_far_column_in_a_workbook_is_neither_padded_nor_dropped() {
    let header = [
        "id",
        "year",
        "kind",
        "applicant.name",
        "applicant.in_city",
        "prize",
    ];
    let row = |n: usize, id: &str, extra: &str| {
        let mut cells: String = ["A", "B", "C", "D", "E", "F"]
            .iter()
            .zip([
                id,
                "2025",
                "competition_award",
                "宿州某团队",
                "true",
                "first",
            ])
            .map(|(c, v)| inline(&format!("{c}{n}"), v))
            .collect();
        cells.push_str(extra);
        format!(r#"<row r="{n}">{cells}</row>"#)
    };
    let head: String = ["A", "B", "C", "D", "E", "F"]
        .iter()
        .zip(header)
        .map(|(c, v)| inline(&format!("{c}1"), v))
        .collect();
    let mut xml = format!(r#"<worksheet><sheetData><row r="1">{head}</row>"#);
    for n in 2..2002 {
        let extra = if n == 5 {
            inline("XFD5", "far")
        } else {
            String::new()
        };
        xml.push_str(&row(n, &format!("X{n}"), &extra));
    }
    xml.push_str("</sheetData></worksheet>");
    let dir = tempfile::tempdir().expect("dir");
    let input = dir.path().join("apps.xlsx");
    fs::write(&input, workbook(&xml)).expect("write");
    let (code, out, err) = policy(&[
        "run",
        "--pack",
        PACK,
        "--input",
        &input.to_string_lossy(),
        "--format",
        "jsonl",
    ]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out.lines().count(), 2000);
    let errors: Vec<&str> = out.lines().filter(|l| l.contains(r#""error""#)).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("X5"), "{}", errors[0]);
    assert!(
        errors[0].contains("more cells (16384) than columns (6)"),
        "{}",
        errors[0]
    );

    // Past Excel's last column: the whole file refused at that row.
    let xml = format!(
        r#"<worksheet><sheetData><row r="1">{head}</row>{}<row r="3">{}</row></sheetData></worksheet>"#,
        row(2, "Y2", ""),
        inline("XFE3", "=1+1"),
    );
    fs::write(&input, workbook(&xml)).expect("write");
    let (code, out, err) = policy(&[
        "run",
        "--pack",
        PACK,
        "--input",
        &input.to_string_lossy(),
        "--format",
        "jsonl",
    ]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("apps.xlsx:3:1"), "{err}");
    assert!(err.contains("XFD"), "{err}");
}

// --- what the output shows --------------------------------------------------------------------

/// An id a spreadsheet would run as a formula is written as text in a CSV (a `'` in front);
/// an `.xlsx` holds it as a string cell, never a formula
#[test]
fn formula_ids_are_text_in_csv_and_xlsx_output() {
    let dir = tempfile::tempdir().expect("dir");
    let input = dir.path().join("apps.csv");
    fs::write(
        &input,
        "id,year,kind,applicant.name,applicant.in_city,prize\n\
         \"=HYPERLINK(\"\"http://x.example\"\",\"\"点此\"\")\",2025,competition_award,宿州某团队,true,first\n\
         +SUM(1),2025,competition_award,@团队,true,first\n\
         -A1,2025,competition_award,宿州某团队,true,first\n\
         Z9,2025,competition_award,宿州某团队,true,first\n",
    )
    .expect("write");
    let (code, out, err) = policy(&[
        "run",
        "--pack",
        PACK,
        "--input",
        &input.to_string_lossy(),
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    let ids: Vec<String> = reader
        .records()
        .map(|r| r.expect("record")[0].to_string())
        .collect();
    assert_eq!(
        ids,
        [
            "'=HYPERLINK(\"http://x.example\",\"点此\")",
            "'+SUM(1)",
            "'-A1",
            "Z9"
        ]
    );
    for line in out.lines().skip(1) {
        let amount = line.split(',').rev().nth(1).unwrap_or("");
        assert!(!amount.starts_with('\''), "{line}");
    }

    let xlsx = dir.path().join("out.xlsx");
    let (code, _, err) = policy(&[
        "run",
        "--pack",
        PACK,
        "--input",
        &input.to_string_lossy(),
        "--format",
        "xlsx",
        "--output",
        &xlsx.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{err}");
    let mut zip = zip::ZipArchive::new(fs::File::open(&xlsx).expect("open")).expect("zip");
    let mut sheet = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet1.xml").expect("sheet"),
        &mut sheet,
    )
    .expect("read");
    assert!(!sheet.contains("<f>"), "no formula cell");
    let mut strings = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/sharedStrings.xml").expect("strings"),
        &mut strings,
    )
    .expect("read");
    assert!(
        strings.contains("<t>=HYPERLINK("),
        "the id as it was: {strings}"
    );
}

// --- pack files -------------------------------------------------------------------------------

/// A pack file that is a link out of the pack is refused, naming it, and the text it points to
/// is never shown
#[test]
fn a_link_out_of_the_pack_is_refused_and_its_text_never_shown() {
    let outside = tempfile::tempdir().expect("dir");
    let pack = pack_copy();
    let source = pack.path().join("source/draft.zh.txt");
    let secret = outside.path().join("secret.txt");
    let mut text = fs::read_to_string(&source).expect("source");
    text.push_str("\nSECRET-LINE root:x:0:0\n");
    fs::write(&secret, text).expect("secret");
    fs::remove_file(&source).expect("rm");
    std::os::unix::fs::symlink(&secret, &source).expect("link");
    for lang in ["en", "zh"] {
        let (code, out, err) = policy_on(&pack, &["--lang", lang, "check", "<pack>"]);
        assert_eq!(code, 2, "{out}{err}");
        assert!(err.contains("draft.zh.txt"), "{err}");
        assert!(!err.contains("SECRET") && !out.contains("SECRET"), "{err}");
        assert!(
            err.contains(if lang == "en" {
                "outside the pack"
            } else {
                "包目录之外"
            }),
            "{err}"
        );
    }

    // A clause script linked out: refused alike.
    let pack = pack_copy();
    let script = pack.path().join("clauses/incubator.rhai");
    let secret = outside.path().join("incubator.rhai");
    fs::copy(&script, &secret).expect("copy");
    fs::remove_file(&script).expect("rm");
    std::os::unix::fs::symlink(&secret, &script).expect("link");
    let (code, _, err) = policy_on(&pack, &["check", "<pack>"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("incubator.rhai"), "{err}");
    assert!(err.contains("outside the pack"), "{err}");

    // A link that stays inside the pack is followed.
    let pack = pack_copy();
    let source = pack.path().join("source/draft.zh.txt");
    fs::rename(&source, pack.path().join("source/real.txt")).expect("mv");
    std::os::unix::fs::symlink("real.txt", &source).expect("link");
    let (code, _, err) = policy_on(&pack, &["check", "<pack>"]);
    assert_eq!(code, 0, "{err}");
}

/// `clauses:` lists plain ids: one with `../` (which was looked up outside `clauses/` while
/// `check` said ok) is refused, naming pack.yaml
#[test]
fn a_clause_id_with_a_path_is_refused() {
    let pack = pack_copy();
    let meta = pack.path().join("pack.yaml");
    let yaml = fs::read_to_string(&meta).expect("pack.yaml");
    let yaml = yaml.replacen("  - incubator ", "  - ../clauses/incubator ", 1);
    assert!(yaml.contains("../clauses/incubator"));
    fs::write(&meta, yaml).expect("write");
    let (code, out, err) = policy_on(&pack, &["check", "<pack>"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("pack.yaml"), "{err}");
    assert!(
        err.contains("`../clauses/incubator`, which is not a plain clause id"),
        "{err}"
    );
    let (_, _, err) = policy_on(&pack, &["--lang", "zh", "check", "<pack>"]);
    assert!(err.contains("不是单纯的条款编号"), "{err}");
}

/// A FIFO in the pack is refused without being opened: the load ends, naming it
#[test]
fn a_fifo_in_the_pack_is_refused_without_waiting() {
    let pack = pack_copy();
    for name in ["clauses/incubator.yaml", "source/draft.zh.txt"] {
        let path = pack.path().join(name);
        fs::remove_file(&path).expect("rm");
        if !mkfifo(&path) {
            println!("skipped: mkfifo is not available");
            return;
        }
    }
    let dir = pack.path().to_string_lossy().into_owned();
    let (code, out, err) = policy_within(Duration::from_secs(60), strings(&["check", &dir]));
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("incubator.yaml"), "{err}");
    assert!(err.contains("draft.zh.txt"), "{err}");
    assert!(err.contains("not a regular file"), "{err}");

    // A test file of the pack: a FIFO refused, a link out refused, by `policy test`.
    let pack = pack_copy();
    let suite = pack.path().join("tests/incubator.yaml");
    fs::remove_file(&suite).expect("rm");
    assert!(mkfifo(&suite));
    let outside = tempfile::tempdir().expect("dir");
    let secret = outside.path().join("secret.yaml");
    fs::write(&secret, "SECRET: 1\n").expect("secret");
    let linked = pack.path().join("tests/talent-team.yaml");
    fs::remove_file(&linked).expect("rm");
    std::os::unix::fs::symlink(&secret, &linked).expect("link");
    let dir = pack.path().to_string_lossy().into_owned();
    let (code, out, err) = policy_within(Duration::from_secs(60), strings(&["test", &dir]));
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("incubator.yaml"), "{err}");
    assert!(err.contains("not a regular file"), "{err}");
    assert!(err.contains("talent-team.yaml"), "{err}");
    assert!(err.contains("outside the pack"), "{err}");
    assert!(!err.contains("SECRET") && !out.contains("SECRET"), "{err}");
}
