//! The decision log: a JSON line per decision served, enough for `policy replay`.

use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use policy_engine::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::clock::now;

/// The open log file, with the numbers that name each decision and group each request
pub(super) struct DecisionLog {
    file: Mutex<std::io::BufWriter<std::fs::File>>,
    serial: AtomicU64,
    requests: AtomicU64,
}

impl DecisionLog {
    /// Opens the log to append to it
    pub(super) fn open(path: &Path) -> Result<DecisionLog, String> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("error: cannot open {}: {e}", path.display()))?;
        Ok(DecisionLog {
            file: Mutex::new(std::io::BufWriter::new(file)),
            serial: AtomicU64::new(0),
            requests: AtomicU64::new(0),
        })
    }

    /// Appends one line per decision: enough to replay it (`policy replay`)
    pub(super) fn append(
        &self,
        engine: &Engine,
        overrides: &[String],
        apps: &[Value],
        decisions: &[Value],
    ) {
        let Ok(mut w) = self.file.lock() else { return };
        let at = now();
        // Decisions of one request were decided together (count limits rank them together):
        // replay decides them together again.
        let request = self.requests.fetch_add(1, Ordering::Relaxed);
        for (app, d) in apps.iter().zip(decisions) {
            let n = self.serial.fetch_add(1, Ordering::Relaxed);
            let input = app.to_string();
            let hash = format!("sha256:{:x}", Sha256::digest(input.as_bytes()));
            let line = json!({
                "decision": format!("{}-{n}", &engine.pack().fingerprint[7..19]),
                "time": at,
                "request": request,
                "fingerprint": engine.pack().fingerprint,
                "overrides": overrides,
                "input_hash": hash,
                "input": app,
                "id": d["id"],
                "clause": d["clause"],
                "status": d["status"],
                "amount": d["amount"],
            });
            let _ = writeln!(w, "{line}");
        }
        let _ = w.flush();
    }
}
