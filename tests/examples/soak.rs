//! The client side of `scripts/soak.sh`: load on a `policy serve` for a while, with idle and
//! slow connections beside it, writing down every decision it was answered; then a check that
//! each answered decision is in the decision log, whole, with the same outcome.
//!
//! ```sh
//! soak load ADDR SECONDS APPS.json ANSWERED.tsv   # prints what it saw
//! soak check LOG ANSWERED.tsv                     # exit 1 if an answered decision is missing
//! ```
//!
//! Run by the script, not by `cargo test`: it takes minutes and needs a server it can kill.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead as _, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let code = match args.get(1).map(String::as_str) {
        Some("load") if args.len() == 6 => load(&args[2], &args[3], &args[4], &args[5]),
        Some("check") if args.len() == 4 => check(&args[2], &args[3]),
        _ => {
            eprintln!("usage: soak load ADDR SECONDS APPS.json ANSWERED.tsv | soak check LOG ANSWERED.tsv");
            2
        }
    };
    std::process::exit(code);
}

/// A small deterministic generator: which applications go in a request, and how many
struct Rng(u64);

impl Rng {
    fn next(&mut self, below: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % below.max(1) as u64) as usize
    }
}

/// One request, the connection closed after it: (status, body), or None when the server was
/// not there (killed, restarting) or cut the connection
fn post(addr: SocketAddr, body: &[u8]) -> Option<(u16, String)> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(60))).ok()?;
    let head = format!(
        "POST /v1/decide HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).ok()?;
    s.write_all(body).ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, body.to_string()))
}

fn load(addr: &str, seconds: &str, apps: &str, answered: &str) -> i32 {
    let (Ok(addr), Ok(seconds)) = (addr.parse::<SocketAddr>(), seconds.parse::<u64>()) else {
        eprintln!("soak: an address and a number of seconds");
        return 2;
    };
    let apps: Vec<Value> = match std::fs::read_to_string(apps)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(a) => a,
        Err(e) => {
            eprintln!("soak: {apps}: {e}");
            return 2;
        }
    };
    let Ok(out) = std::fs::File::create(answered) else {
        eprintln!("soak: cannot write {answered}");
        return 2;
    };
    let out = Arc::new(Mutex::new(std::io::BufWriter::new(out)));
    let apps = Arc::new(apps);
    let end = Instant::now() + Duration::from_secs(seconds);
    let stop = Arc::new(AtomicBool::new(false));
    let counts: Arc<Mutex<HashMap<String, u64>>> = Arc::default();
    let decisions = Arc::new(AtomicU64::new(0));
    let mut threads = Vec::new();
    // Bounded load: four clients, each waiting a little between requests of 1 to 50
    // applications.
    for worker in 0..4u64 {
        let (apps, out, counts, decisions) =
            (apps.clone(), out.clone(), counts.clone(), decisions.clone());
        threads.push(std::thread::spawn(move || {
            let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (worker + 1));
            let mut n = 0u64;
            while Instant::now() < end {
                n += 1;
                let size = 1 + rng.next(50);
                let batch: Vec<Value> = (0..size)
                    .map(|i| {
                        let mut a = apps[rng.next(apps.len())].clone();
                        a["id"] = Value::String(format!("w{worker}-{n}-{i}"));
                        a
                    })
                    .collect();
                let body = Value::Array(batch).to_string();
                let outcome = post(addr, body.as_bytes());
                let key = match &outcome {
                    None => "no answer".to_string(),
                    Some((status, _)) => status.to_string(),
                };
                *counts.lock().expect("counts").entry(key).or_default() += 1;
                if let Some((200, body)) = outcome {
                    let Ok(v) = serde_json::from_str::<Value>(&body) else {
                        *counts
                            .lock()
                            .expect("counts")
                            .entry("200 not JSON".into())
                            .or_default() += 1;
                        continue;
                    };
                    let mut w = out.lock().expect("out");
                    for d in v["decisions"].as_array().into_iter().flatten() {
                        decisions.fetch_add(1, Ordering::Relaxed);
                        let _ = writeln!(
                            w,
                            "{}\t{}\t{}",
                            d["id"].as_str().unwrap_or("?"),
                            d["status"].as_str().unwrap_or("?"),
                            d["amount"].as_str().unwrap_or("?")
                        );
                    }
                }
                std::thread::sleep(Duration::from_millis(5 + rng.next(20) as u64));
            }
        }));
    }
    // Idle connections: opened, nothing sent, opened again once the server closes them.
    let closed_idle = Arc::new(AtomicU64::new(0));
    for _ in 0..16 {
        let (stop, closed) = (stop.clone(), closed_idle.clone());
        threads.push(std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else {
                    std::thread::sleep(Duration::from_millis(500));
                    continue;
                };
                let _ = s.set_read_timeout(Some(Duration::from_secs(1)));
                let mut b = [0u8; 256];
                loop {
                    match s.read(&mut b) {
                        Ok(_) => {
                            closed.fetch_add(1, Ordering::Relaxed);
                            break;
                        }
                        Err(e)
                            if e.kind() == std::io::ErrorKind::WouldBlock
                                || e.kind() == std::io::ErrorKind::TimedOut =>
                        {
                            if stop.load(Ordering::Relaxed) {
                                break;
                            }
                        }
                        Err(_) => break,
                    }
                }
            }
        }));
    }
    // Slow clients: a header a byte every 200 ms, or a body that stops half way.
    let cut_slow = Arc::new(AtomicU64::new(0));
    for k in 0..8 {
        let (stop, cut) = (stop.clone(), cut_slow.clone());
        threads.push(std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else {
                    std::thread::sleep(Duration::from_millis(500));
                    continue;
                };
                let text: &[u8] = if k % 2 == 0 {
                    b"POST /v1/decide HTTP/1.1\r\nHost: soak\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n"
                } else {
                    b"POST /v1/decide HTTP/1.1\r\nHost: soak\r\nContent-Length: 100\r\n\r\n[{\"id\":"
                };
                let trickle = k % 2 == 0;
                let mut cut_off = false;
                if trickle {
                    for b in text {
                        if stop.load(Ordering::Relaxed) || s.write_all(&[*b]).is_err() {
                            cut_off = true;
                            break;
                        }
                        std::thread::sleep(Duration::from_millis(200));
                    }
                } else {
                    cut_off = s.write_all(text).is_err();
                    let _ = s.set_read_timeout(Some(Duration::from_secs(60)));
                    let mut b = Vec::new();
                    cut_off |= s.read_to_end(&mut b).is_ok();
                }
                if cut_off {
                    cut.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    while Instant::now() < end {
        std::thread::sleep(Duration::from_millis(200));
    }
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        let _ = t.join();
    }
    let _ = out.lock().map(|mut w| w.flush());
    let mut counts: Vec<(String, u64)> =
        counts.lock().expect("counts").clone().into_iter().collect();
    counts.sort();
    let shown: Vec<String> = counts.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    println!(
        "requests by answer: {}; decisions answered: {}; idle connections closed by the server: {}; slow clients cut off: {}",
        shown.join(", "),
        decisions.load(Ordering::Relaxed),
        closed_idle.load(Ordering::Relaxed),
        cut_slow.load(Ordering::Relaxed)
    );
    0
}

fn check(log: &str, answered: &str) -> i32 {
    let Ok(file) = std::fs::File::open(log) else {
        eprintln!("soak: cannot read {log}");
        return 2;
    };
    let mut logged: HashMap<String, (String, String)> = HashMap::new();
    let mut ids = HashSet::new();
    let mut bad = 0usize;
    let mut lines = 0usize;
    let mut reader = std::io::BufReader::new(file);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                eprintln!("soak: {log}: {e}");
                return 2;
            }
        }
        lines += 1;
        let whole = buf.last() == Some(&b'\n');
        match serde_json::from_slice::<Value>(&buf) {
            Ok(v) if whole => {
                if !ids.insert(v["decision"].as_str().unwrap_or("?").to_string()) {
                    eprintln!("line {lines}: decision id {} repeated", v["decision"]);
                    bad += 1;
                }
                logged.insert(
                    v["id"].as_str().unwrap_or("?").to_string(),
                    (
                        v["status"].as_str().unwrap_or("?").to_string(),
                        v["amount"].as_str().unwrap_or("?").to_string(),
                    ),
                );
            }
            _ => {
                eprintln!("line {lines}: not a whole record");
                bad += 1;
            }
        }
    }
    let Ok(text) = std::fs::read_to_string(answered) else {
        eprintln!("soak: cannot read {answered}");
        return 2;
    };
    let (mut found, mut missing) = (0usize, 0usize);
    for l in text.lines() {
        let mut f = l.split('\t');
        let (Some(id), Some(status), Some(amount)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        match logged.get(id) {
            Some((s, a)) if s == status && a == amount => found += 1,
            other => {
                missing += 1;
                if missing <= 10 {
                    eprintln!("answered {id} {status} {amount}, logged {other:?}");
                }
            }
        }
    }
    println!(
        "log: {lines} lines, {} whole records, {bad} bad; answered decisions: {found} in the log as answered, {missing} missing or different",
        lines - bad
    );
    i32::from(bad > 0 || missing > 0)
}
