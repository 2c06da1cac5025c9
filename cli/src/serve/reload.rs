//! Hot reload: a changed pack replaces the one in force only if it loads (and passes its tests).
//!
//! The pack's metadata is polled (never its content: see `pack_files`). A change is loaded
//! only once the files have been quiet for the settle time, so a file saved in two writes is
//! not loaded half-written; and the load is swapped in only if nothing changed while it ran
//! (the stamps before and after are the same). With `--require-tests` the pack's tests must
//! pass too; a broken edit is refused and the last good pack keeps serving.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use policy_engine::Engine;

use super::clock::now;
use super::state::{Reload, Shared};
use crate::pack_files::{snapshot, Snapshot};

/// How often the pack's metadata is looked at
const POLL: Duration = Duration::from_millis(100);

/// Loads and checks a pack as a candidate to serve
pub(super) fn candidate(dir: &Path, require_tests: bool) -> Result<Engine, Vec<String>> {
    let engine =
        Engine::load(dir).map_err(|e| e.0.iter().map(|x| x.to_string()).collect::<Vec<_>>())?;
    if require_tests {
        let report = engine
            .run_tests()
            .map_err(|e| e.0.iter().map(|x| x.to_string()).collect::<Vec<_>>())?;
        if report.failed > 0 || report.cases.is_empty() {
            return Err(vec![format!(
                "the pack's tests do not pass: {} passed, {} failed",
                report.passed, report.failed
            )]);
        }
    }
    Ok(engine)
}

/// The pack once no file has changed for `settle`
fn settled(dir: &Path, mut seen: Snapshot, settle: Duration) -> Snapshot {
    let mut quiet_since = Instant::now();
    loop {
        std::thread::sleep(POLL.min(settle));
        let again = snapshot(dir);
        if again != seen {
            seen = again;
            quiet_since = Instant::now();
        } else if quiet_since.elapsed() >= settle {
            return seen;
        }
    }
}

fn relative(dir: &Path, skipped: &[PathBuf]) -> Vec<String> {
    skipped
        .iter()
        .map(|p| p.strip_prefix(dir).unwrap_or(p).display().to_string())
        .collect()
}

/// Watches the pack and swaps in every good revision
pub(super) fn reloader(shared: Arc<Shared>, dir: PathBuf, require_tests: bool, settle: Duration) {
    let mut files = snapshot(&dir);
    if !files.skipped.is_empty() {
        eprintln!(
            "{} skipped in {} (not regular files, never read): {}",
            now(),
            dir.display(),
            relative(&dir, &files.skipped).join(", ")
        );
    }
    loop {
        std::thread::sleep(POLL);
        let seen = snapshot(&dir);
        if seen == files {
            continue;
        }
        let before = settled(&dir, seen, settle);
        let at = now();
        let loaded = candidate(&dir, require_tests);
        if snapshot(&dir) != before {
            // Edited while it loaded: what was loaded may mix two versions. Load again once
            // the files are quiet.
            eprintln!(
                "{at} {} changed while it was loading: loading it again",
                dir.display()
            );
            continue;
        }
        let skipped = relative(&dir, &before.skipped);
        if before.skipped != files.skipped && !skipped.is_empty() {
            eprintln!(
                "{at} skipped in {} (not regular files, never read): {}",
                dir.display(),
                skipped.join(", ")
            );
        }
        files = before;
        let outcome = match loaded {
            Ok(engine) => {
                let fingerprint = engine.pack().fingerprint.clone();
                if let Ok(mut e) = shared.engine.write() {
                    *e = Arc::new(engine);
                }
                if let Ok(mut l) = shared.loaded_at.lock() {
                    *l = at.clone();
                }
                eprintln!("{at} reloaded {}: {fingerprint}", dir.display());
                Reload {
                    at,
                    ok: true,
                    fingerprint: Some(fingerprint),
                    errors: Vec::new(),
                    skipped,
                }
            }
            Err(errors) => {
                eprintln!(
                    "{at} refused a change to {}: {}; the pack in force keeps serving",
                    dir.display(),
                    errors.join("; ")
                );
                Reload {
                    at,
                    ok: false,
                    fingerprint: None,
                    errors,
                    skipped,
                }
            }
        };
        if let Ok(mut l) = shared.last_reload.lock() {
            *l = Some(outcome);
        }
    }
}
