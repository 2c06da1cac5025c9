//! The decision log: a JSON line per decision served, enough for `policy replay`.
//!
//! Append-only and in whole lines: the records of one request are written by one call, under
//! a lock, before the answer leaves; a write that fails is cut back and fails the request. On
//! start, a torn last line (a kill in the middle of a write) is cut off and reported, and the
//! decision and request numbers go on from the last record, so ids never repeat.

use std::fs::File;
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use policy_engine::{Decision, Engine};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::clock::now;

/// The open log file, with the numbers that name each decision and group each request
pub(super) struct DecisionLog {
    path: PathBuf,
    file: File,
    tail: Mutex<Tail>,
    /// Written since the last fsync
    dirty: AtomicBool,
    /// fsync before each answer, rather than once a second
    fsync: bool,
}

/// Where the log ends and the numbers the next record takes
struct Tail {
    /// The length of the log: whole records only
    len: u64,
    serial: u64,
    request: u64,
    /// Why the log can no longer be written: a failed write that could not be cut back
    broken: Option<String>,
}

/// A failed log write, in both languages
pub(super) struct LogError {
    pub(super) zh: String,
    pub(super) en: String,
}

impl DecisionLog {
    /// Opens the log to append to it, cutting a torn last line; returns what was cut, if
    /// anything, to report
    pub(super) fn open(path: &Path, fsync: bool) -> Result<(DecisionLog, Option<String>), String> {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("error: cannot open {}: {e}", path.display()))?;
        let regular = file.metadata().map(|m| m.is_file()).unwrap_or(false);
        // A device or a pipe (`/dev/stdout`) is written to, never read back or cut.
        let (tail, report) = if regular {
            recover(&mut file, path)?
        } else {
            (
                Tail {
                    len: 0,
                    serial: 0,
                    request: 0,
                    broken: None,
                },
                None,
            )
        };
        Ok((
            DecisionLog {
                path: path.to_path_buf(),
                file,
                tail: Mutex::new(tail),
                dirty: AtomicBool::new(false),
                fsync,
            },
            report,
        ))
    }

    /// Appends one line per decision, all in one write: enough to replay them (`policy
    /// replay`)
    pub(super) fn append(
        &self,
        engine: &Engine,
        overrides: &[String],
        apps: &[&Value],
        decisions: &[Decision],
    ) -> Result<(), LogError> {
        let mut tail = match self.tail.lock() {
            Ok(t) => t,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(why) = &tail.broken {
            return Err(self.failed(why));
        }
        let at = now();
        let fingerprint = &engine.pack().fingerprint;
        let short = fingerprint.get(7..19).unwrap_or(fingerprint);
        // Decisions of one request were decided together (count limits rank them together):
        // replay decides them together again.
        let mut lines = Vec::new();
        let mut serial = tail.serial;
        for (app, d) in apps.iter().zip(decisions) {
            let input = app.to_string();
            let hash = format!("sha256:{:x}", Sha256::digest(input.as_bytes()));
            let d = serde_json::to_value(d).unwrap_or(Value::Null);
            let line = json!({
                "decision": format!("{short}-{serial}"),
                "time": at,
                "request": tail.request,
                "fingerprint": fingerprint,
                "overrides": overrides,
                "input_hash": hash,
                "input": app,
                "id": d["id"],
                "clause": d["clause"],
                "status": d["status"],
                "amount": d["amount"],
            });
            serial += 1;
            if serde_json::to_writer(&mut lines, &line).is_err() {
                return Err(self.failed("a record could not be written as JSON"));
            }
            lines.push(b'\n');
        }
        let written = (&self.file).write_all(&lines).and_then(|()| {
            if self.fsync {
                self.file.sync_data()
            } else {
                Ok(())
            }
        });
        match written {
            Ok(()) => {
                tail.len += lines.len() as u64;
                tail.serial = serial;
                tail.request += 1;
                self.dirty.store(true, Ordering::Relaxed);
                Ok(())
            }
            Err(e) => {
                // Part of the records may be in the file: cut back to the last whole line, so
                // the next record does not glue onto half of one.
                if self.file.set_len(tail.len).is_err()
                    && self.file.metadata().is_ok_and(|m| m.is_file())
                {
                    tail.broken = Some(format!("a failed write could not be cut back: {e}"));
                }
                Err(self.failed(&e.to_string()))
            }
        }
    }

    /// fsyncs what was written since the last time (the once-a-second flusher)
    pub(super) fn sync(&self) {
        if self.dirty.swap(false, Ordering::Relaxed) {
            if let Err(e) = self.file.sync_data() {
                eprintln!("error: cannot fsync {}: {e}", self.path.display());
            }
        }
    }

    pub(super) fn fsync_each(&self) -> bool {
        self.fsync
    }

    fn failed(&self, why: &str) -> LogError {
        eprintln!("error: decision log {}: {why}", self.path.display());
        LogError {
            zh: format!("无法写入决定日志，本次请求未作决定：{why}"),
            en: format!("the decision log cannot be written, so nothing was decided: {why}"),
        }
    }
}

/// The log's end after cutting a torn last line, and the numbers the next record takes
fn recover(file: &mut File, path: &Path) -> Result<(Tail, Option<String>), String> {
    let io = |e: std::io::Error| format!("error: cannot read {}: {e}", path.display());
    let len = file.metadata().map_err(io)?.len();
    let last_nl = last_newline(file, len).map_err(io)?;
    let whole = last_nl.map_or(0, |p| p + 1);
    let mut report = None;
    if whole < len {
        file.set_len(whole).map_err(|e| {
            format!(
                "error: cannot cut the torn last line of {}: {e}",
                path.display()
            )
        })?;
        report = Some(format!(
            "{}: cut {} bytes of a torn last line (a write the server did not finish; its request was not answered)",
            path.display(),
            len - whole
        ));
    }
    let Some(end) = last_nl else {
        return Ok((
            Tail {
                len: 0,
                serial: 0,
                request: 0,
                broken: None,
            },
            report,
        ));
    };
    let start = last_newline(file, end).map_err(io)?.map_or(0, |p| p + 1);
    let mut line = vec![0; usize::try_from(end - start).unwrap_or(0)];
    file.seek(SeekFrom::Start(start)).map_err(io)?;
    file.read_exact(&mut line).map_err(io)?;
    let numbers = serde_json::from_slice::<Value>(&line).ok().and_then(|r| {
        let serial = r["decision"]
            .as_str()?
            .rsplit('-')
            .next()?
            .parse::<u64>()
            .ok()?;
        Some((serial + 1, r["request"].as_u64()? + 1))
    });
    let Some((serial, request)) = numbers else {
        return Err(format!(
            "error: {}: the last line is not a decision record of `policy serve`: give a decision log or a new file",
            path.display()
        ));
    };
    Ok((
        Tail {
            len: whole,
            serial,
            request,
            broken: None,
        },
        report,
    ))
}

/// The position of the last line end before `end`, reading backwards a block at a time
fn last_newline(file: &mut File, end: u64) -> std::io::Result<Option<u64>> {
    const BLOCK: u64 = 64 * 1024;
    let mut hi = end;
    let mut buf = vec![0u8; BLOCK as usize];
    while hi > 0 {
        let lo = hi.saturating_sub(BLOCK);
        let n = usize::try_from(hi - lo).unwrap_or(0);
        file.seek(SeekFrom::Start(lo))?;
        file.read_exact(&mut buf[..n])?;
        if let Some(i) = buf[..n].iter().rposition(|&b| b == b'\n') {
            return Ok(Some(lo + i as u64));
        }
        hi = lo;
    }
    Ok(None)
}
