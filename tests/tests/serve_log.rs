//! `policy serve` hardened (issue 14): the decision log survives a kill (a torn last line is
//! cut, ids go on), a log that cannot be written fails the request, `policy replay` refuses
//! what is not a decision record and checks each input against its hash, a body of a million
//! empty objects is refused before any work, a BOM is accepted, every response names the pack,
//! and hot reload waits for a save to finish and never opens a FIFO.

use std::collections::HashSet;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use policy_tests::{http, pack_copy, policy, serve_on};
use serde_json::Value;

const ONE: &str = r#"{"id":"X","year":2025,"kind":"competition_award","applicant":{"name":"x","in_city":true},"prize":"first"}"#;

fn apps(ids: &[&str]) -> String {
    let list: Vec<String> = ids
        .iter()
        .map(|id| ONE.replace(r#""X""#, &format!("\"{id}\"")))
        .collect();
    format!("[{}]", list.join(","))
}

fn decide(addr: SocketAddr, body: &str) -> (u16, String, String) {
    http(addr, "POST", "/v1/decide", body.as_bytes())
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
        .map(str::trim)
}

#[test]
fn a_torn_log_is_cut_on_start_and_decision_ids_go_on() {
    let pack = pack_copy();
    let p = pack.path().to_string_lossy().into_owned();
    let dir = tempfile::tempdir().expect("dir");
    let log = dir.path().join("decisions.log");
    let first = serve_on(pack.path(), Some(&log), 8 << 20);
    let (status, _, body) = decide(first, &apps(&["A", "B", "C"]));
    assert_eq!(status, 200, "{body}");
    // A kill -9 in the middle of a write: half a record, no line end.
    let whole = std::fs::read_to_string(&log).expect("log");
    let torn = whole.lines().next().expect("a line");
    std::fs::OpenOptions::new()
        .append(true)
        .open(&log)
        .expect("open")
        .write_all(&torn.as_bytes()[..torn.len() / 2])
        .expect("tear");
    // The restarted server (the first one stays idle) cuts the torn line and goes on.
    let second = serve_on(pack.path(), Some(&log), 8 << 20);
    let (status, _, body) = decide(second, &apps(&["D", "E"]));
    assert_eq!(status, 200, "{body}");
    let text = std::fs::read_to_string(&log).expect("log");
    assert!(text.ends_with('\n'));
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("a whole record: {e}: {l}")))
        .collect();
    assert_eq!(records.len(), 5, "{text}");
    let ids: HashSet<&str> = records
        .iter()
        .map(|r| r["decision"].as_str().expect("an id"))
        .collect();
    assert_eq!(
        ids.len(),
        5,
        "decision ids are unique across the restart: {text}"
    );
    let requests: HashSet<String> = records.iter().map(|r| r["request"].to_string()).collect();
    assert_eq!(requests.len(), 2, "two requests: {text}");
    let (code, out, err) = policy(&["replay", &log.to_string_lossy(), "--pack", &p]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("5 replayed: 5 the same, 0 different"), "{out}");
}

#[test]
fn replay_refuses_lines_that_are_not_records_and_checks_input_hashes() {
    let pack = pack_copy();
    let p = pack.path().to_string_lossy().into_owned();
    let dir = tempfile::tempdir().expect("dir");
    let log = dir.path().join("decisions.log");
    let addr = serve_on(pack.path(), Some(&log), 8 << 20);
    for ids in [["A", "B"], ["C", "D"]] {
        let (status, _, body) = decide(addr, &apps(&ids));
        assert_eq!(status, 200, "{body}");
    }
    let text = std::fs::read_to_string(&log).expect("log");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 4);
    // Line 4 (after the insertion): an input changed without its hash.
    lines[2] = lines[2].replace(r#""prize":"first""#, r#""prize":"second""#);
    // Line 2: JSON, but not a decision record.
    lines.insert(1, r#"{"hello":"world"}"#.to_string());
    std::fs::write(&log, lines.join("\n") + "\n").expect("write");
    let (code, out, _) = policy(&["replay", &log.to_string_lossy(), "--pack", &p]);
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains("line 2") && out.contains("not a decision record"),
        "{out}"
    );
    assert!(
        out.contains("line 4") && out.contains("input_hash"),
        "{out}"
    );
    // The other records are still replayed.
    assert!(out.contains("3 replayed"), "{out}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_log_write_that_fails_fails_the_request() {
    let pack = pack_copy();
    // Every write to /dev/full fails (no space left on device).
    let addr = serve_on(pack.path(), Some(Path::new("/dev/full")), 8 << 20);
    let (status, _, body) = decide(addr, ONE);
    assert_eq!(status, 500, "{body}");
    let e: Value = serde_json::from_str(&body).expect("JSON");
    assert!(
        e["error"].as_str().expect("en").contains("decision log"),
        "{body}"
    );
    assert!(
        e["error_zh"].as_str().expect("zh").contains("决定日志"),
        "{body}"
    );
}

#[test]
fn too_many_applications_are_refused_before_any_work() {
    let pack = pack_copy();
    let dir = tempfile::tempdir().expect("dir");
    let log = dir.path().join("decisions.log");
    let addr = serve_on(pack.path(), Some(&log), 8 << 20);
    // 8 MiB of `{},` is 2.8 million applications; a tenth of that is enough to show it.
    let body = format!("[{}{{}}]", "{},".repeat(300_000));
    let started = Instant::now();
    let (status, head, answer) = decide(addr, &body);
    assert_eq!(status, 413, "{answer}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(answer.len() < 2000, "{answer}");
    let e: Value = serde_json::from_str(&answer).expect("JSON");
    assert!(
        e["error"].as_str().expect("en").contains("10000"),
        "{answer}"
    );
    assert!(
        e["error_zh"].as_str().expect("zh").contains("10000"),
        "{answer}"
    );
    assert!(header(&head, "x-pack-fingerprint").is_some(), "{head}");
    assert_eq!(std::fs::read(&log).map(|l| l.len()).unwrap_or(0), 0);
}

#[test]
fn a_bom_is_accepted_and_every_response_names_the_pack() {
    let pack = pack_copy();
    let addr = serve_on(pack.path(), None, 4096);
    let (status, head, body) = decide(addr, &format!("\u{feff}{ONE}"));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#""amount":"50000.00""#), "{body}");
    let fp = header(&head, "x-pack-fingerprint")
        .expect("header")
        .to_string();
    assert!(fp.starts_with("sha256:"));
    for (method, path, body, code) in [
        ("POST", "/v1/decide", b"{not json".to_vec(), 400),
        ("POST", "/v1/decide", vec![b' '; 10_000], 413),
        ("GET", "/nowhere", Vec::new(), 404),
        ("GET", "/healthz", Vec::new(), 200),
        ("GET", "/openapi.json", Vec::new(), 200),
        (
            "POST",
            "/v1/explain",
            br#"{"applications":[]}"#.to_vec(),
            400,
        ),
    ] {
        let (status, head, _) = http(addr, method, path, &body);
        assert_eq!(status, code, "{method} {path}");
        assert_eq!(
            header(&head, "x-pack-fingerprint"),
            Some(fp.as_str()),
            "{method} {path}: {head}"
        );
    }
}

fn amount(addr: SocketAddr) -> String {
    let app = br#"{"id":"RP","year":2025,"kind":"rd_platform","applicant":{"name":"x","in_city":true},"level":"provincial","platform_type":"key_lab","newly_recognized":true}"#;
    let (status, _, body) = http(addr, "POST", "/v1/decide", app);
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).expect("JSON");
    v["decisions"][0]["amount"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_file_saved_in_two_writes_is_never_served_half_written() {
    let pack = pack_copy();
    let addr = serve_on(pack.path(), None, 8 << 20);
    assert_eq!(amount(addr), "400000.00");
    let meta = pack.path().join("clauses/rd-platform.yaml");
    let text = std::fs::read_to_string(&meta).expect("read");
    // The value last in the file: its first half, `value: 60`, loads on its own.
    let edited = text.replace(
        "    value: 400000\n    unit: yuan\n    description: 新认定省级研发平台奖励",
        "    unit: yuan\n    description: 新认定省级研发平台奖励\n    value: 600000",
    );
    assert_ne!(edited, text);
    let cut = edited.find("value: 600000").expect("the value") + "value: 60".len();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let (seen, stop) = (seen.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let a = amount(addr);
                seen.lock().expect("lock").push(a);
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    // An editor that writes the file in two pieces, 300 ms apart.
    let mut f = std::fs::File::create(&meta).expect("create");
    f.write_all(&edited.as_bytes()[..cut]).expect("first half");
    f.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(300));
    f.write_all(&edited.as_bytes()[cut..]).expect("second half");
    drop(f);
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(15) && amount(addr) != "600000.00" {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    watcher.join().expect("watcher");
    let seen = seen.lock().expect("lock");
    assert_eq!(amount(addr), "600000.00", "the whole edit is served");
    assert!(
        seen.iter().all(|a| a == "400000.00" || a == "600000.00"),
        "only whole versions are served: {seen:?}"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_in_the_pack_does_not_stop_hot_reload() {
    let pack = pack_copy();
    let addr = serve_on(pack.path(), None, 8 << 20);
    assert_eq!(amount(addr), "400000.00");
    let fifo = pack.path().join("notes.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    std::thread::sleep(Duration::from_millis(800));
    let meta = pack.path().join("clauses/rd-platform.yaml");
    let text = std::fs::read_to_string(&meta).expect("read");
    std::fs::write(&meta, text.replace("value: 400000", "value: 600000")).expect("write");
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(15) && amount(addr) != "600000.00" {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        amount(addr),
        "600000.00",
        "the edit is served despite the FIFO"
    );
    let (_, _, body) = http(addr, "GET", "/v1/pack", b"");
    assert!(
        body.contains("notes.fifo"),
        "the FIFO is reported as skipped: {body}"
    );
}
