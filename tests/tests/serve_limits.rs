//! `policy serve` under a hostile client (issue 14): the time limit stops the work and frees
//! its worker, a full queue answers 503 with Retry-After, a client that sends half a header
//! or half a body is cut off, and connections past the bound are turned away while those
//! within it are served; with `--require-tests`, a pack whose tests fail is not swapped in.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use policy_cli::serve::{serve_with, Limits, Options};
use policy_tests::{http, pack_copy, policy};

const ONE: &str = r#"{"id":"X","year":2025,"kind":"competition_award","applicant":{"name":"x","in_city":true},"prize":"first"}"#;

fn start(pack: &Path, timeout: Duration, limits: Limits) -> SocketAddr {
    start_checked(pack, timeout, limits, false)
}

fn start_checked(
    pack: &Path,
    timeout: Duration,
    limits: Limits,
    require_tests: bool,
) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    let opts = Options {
        pack: pack.to_path_buf(),
        addr: "127.0.0.1:0".parse().expect("addr"),
        decision_log: None,
        require_tests,
        max_body_bytes: 8 << 20,
        timeout,
    };
    std::thread::spawn(move || serve_with(opts, limits, Some(tx)));
    rx.recv_timeout(Duration::from_secs(30))
        .expect("the server starts")
}

/// The Suzhou pack with every clause script made slow (a loop of some 40,000 operations,
/// within the sandbox's 100,000), and 3,000 applications for it
fn slow_pack() -> (tempfile::TempDir, String) {
    let pack = pack_copy();
    for e in std::fs::read_dir(pack.path().join("clauses")).expect("clauses") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "rhai") {
            let text = std::fs::read_to_string(&p).expect("script");
            let slow = format!("let spin = 0;\nwhile spin < 10000 {{ spin += 1; }}\n{text}");
            std::fs::write(&p, slow).expect("write");
        }
    }
    let file = pack.path().join("apps.json");
    let (code, _, err) = policy(&[
        "gen",
        "--pack",
        &pack.path().to_string_lossy(),
        "--count",
        "3000",
        "--seed",
        "3",
        "--format",
        "json",
        "--output",
        &file.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{err}");
    let apps = std::fs::read_to_string(&file).expect("apps");
    (pack, apps)
}

#[test]
fn the_time_limit_stops_the_work_and_frees_the_worker() {
    let (pack, apps) = slow_pack();
    let limits = Limits {
        workers: 1,
        queue: 4,
        ..Limits::default()
    };
    let addr = start(pack.path(), Duration::from_millis(500), limits);
    let started = Instant::now();
    let (status, head, body) = http(addr, "POST", "/v1/decide", apps.as_bytes());
    let took = started.elapsed();
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("500 ms") && body.contains("毫秒"), "{body}");
    assert!(head.contains("x-pack-fingerprint"), "{head}");
    assert!(took < Duration::from_secs(3), "answered after {took:?}");
    // The only worker is free again at once: the slow work stopped, it did not go on behind
    // the 503.
    let started = Instant::now();
    let (status, _, body) = http(addr, "POST", "/v1/decide", ONE.as_bytes());
    assert_eq!(status, 200, "{body}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "waited {:?} for the worker",
        started.elapsed()
    );
}

#[test]
fn a_full_queue_answers_503_with_retry_after() {
    let (pack, apps) = slow_pack();
    let limits = Limits {
        workers: 1,
        queue: 0,
        ..Limits::default()
    };
    let addr = start(pack.path(), Duration::from_secs(3), limits);
    let slow = std::thread::spawn(move || http(addr, "POST", "/v1/decide", apps.as_bytes()).0);
    std::thread::sleep(Duration::from_millis(700));
    let (status, head, body) = http(addr, "POST", "/v1/decide", ONE.as_bytes());
    assert_eq!(status, 503, "{body}");
    assert!(head.contains("retry-after: 1"), "{head}");
    assert!(body.contains("error_zh"), "{body}");
    assert_eq!(slow.join().expect("slow"), 503);
    let (status, _, _) = http(addr, "POST", "/v1/decide", ONE.as_bytes());
    assert_eq!(status, 200);
}

/// Whether the server closed `s` (rather than the client giving up) within `within`
fn closed_within(s: &mut TcpStream, within: Duration) -> (bool, Vec<u8>) {
    s.set_read_timeout(Some(within)).expect("timeout");
    let mut got = Vec::new();
    match s.read_to_end(&mut got) {
        Ok(_) => (true, got),
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => (true, got),
        Err(_) => (false, got),
    }
}

#[test]
fn half_sent_headers_and_bodies_are_cut_off() {
    let pack = pack_copy();
    let limits = Limits {
        read_timeout: Duration::from_millis(500),
        ..Limits::default()
    };
    let addr = start(pack.path(), Duration::from_secs(30), limits);
    // Half a header, then nothing.
    let mut s = TcpStream::connect(addr).expect("connect");
    s.write_all(b"POST /v1/decide HTTP/1.1\r\nHost: x\r\n")
        .expect("write");
    let started = Instant::now();
    let (closed, _) = closed_within(&mut s, Duration::from_secs(5));
    assert!(closed && started.elapsed() < Duration::from_secs(4));
    // A connection that sends nothing at all.
    let mut idle = TcpStream::connect(addr).expect("connect");
    let (closed, _) = closed_within(&mut idle, Duration::from_secs(5));
    assert!(closed);
    // The whole header, half the body.
    let mut s = TcpStream::connect(addr).expect("connect");
    s.write_all(b"POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"id\":")
        .expect("write");
    let started = Instant::now();
    let (closed, got) = closed_within(&mut s, Duration::from_secs(5));
    let got = String::from_utf8_lossy(&got);
    assert!(
        closed && started.elapsed() < Duration::from_secs(4),
        "{got}"
    );
    assert!(got.starts_with("HTTP/1.1 408"), "{got}");
    // Meanwhile and after, whole requests are served.
    let (status, _, _) = http(addr, "POST", "/v1/decide", ONE.as_bytes());
    assert_eq!(status, 200);
}

#[test]
fn connections_past_the_bound_are_turned_away_not_queued_for_ever() {
    let pack = pack_copy();
    let limits = Limits {
        max_connections: 3,
        read_timeout: Duration::from_secs(2),
        ..Limits::default()
    };
    let addr = start(pack.path(), Duration::from_secs(30), limits);
    let idle: Vec<TcpStream> = (0..3)
        .map(|_| TcpStream::connect(addr).expect("connect"))
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut extra = TcpStream::connect(addr).expect("connect");
    let started = Instant::now();
    let (closed, got) = closed_within(&mut extra, Duration::from_secs(5));
    let got = String::from_utf8_lossy(&got);
    assert!(
        closed && started.elapsed() < Duration::from_secs(1),
        "{got}"
    );
    assert!(
        got.starts_with("HTTP/1.1 503") && got.contains("Retry-After: 1"),
        "{got}"
    );
    // The idle ones are closed at the header time limit; the server serves again.
    std::thread::sleep(Duration::from_millis(2500));
    let (status, _, _) = http(addr, "POST", "/v1/decide", ONE.as_bytes());
    assert_eq!(status, 200);
    drop(idle);
}

#[test]
fn with_require_tests_a_pack_whose_tests_fail_is_not_swapped_in() {
    let pack = pack_copy();
    let addr = start_checked(
        pack.path(),
        Duration::from_secs(30),
        Limits::default(),
        true,
    );
    let app = br#"{"id":"RP","year":2025,"kind":"rd_platform","applicant":{"name":"x","in_city":true},"level":"provincial","platform_type":"key_lab","newly_recognized":true}"#;
    let amount = || {
        let (status, _, body) = http(addr, "POST", "/v1/decide", app);
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        v["decisions"][0]["amount"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(amount(), "400000.00");
    // The pack loads, but its own tests expect 400,000.
    let meta = pack.path().join("clauses/rd-platform.yaml");
    let text = std::fs::read_to_string(&meta).expect("read");
    std::fs::write(&meta, text.replace("value: 400000", "value: 600000")).expect("write");
    let started = Instant::now();
    let mut last = serde_json::Value::Null;
    while started.elapsed() < Duration::from_secs(15) {
        let (_, _, body) = http(addr, "GET", "/v1/pack", b"");
        last = serde_json::from_str(&body).expect("JSON");
        if last["last_reload"]["ok"] == serde_json::Value::Bool(false) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        last["last_reload"]["ok"],
        serde_json::Value::Bool(false),
        "{last}"
    );
    assert!(
        last["last_reload"]["errors"][0]
            .as_str()
            .unwrap_or_default()
            .contains("tests do not pass"),
        "{last}"
    );
    assert_eq!(amount(), "400000.00", "the pack in force keeps serving");
}
