//! Hot reload: a changed pack replaces the one in force only if it loads (and passes its tests).
//!
//! The pack directory is polled; with `--require-tests` the pack's tests must pass too; a
//! broken edit is refused and the last good pack keeps serving.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use policy_engine::Engine;

use super::clock::now;
use super::state::{Reload, Shared};
use crate::pack_files::snapshot;

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

/// Watches the pack and swaps in every good revision
pub(super) fn reloader(shared: Arc<Shared>, dir: PathBuf, require_tests: bool) {
    let mut files = snapshot(&dir);
    loop {
        std::thread::sleep(Duration::from_millis(250));
        let now_files = snapshot(&dir);
        if now_files == files {
            continue;
        }
        files = now_files;
        let at = now();
        let outcome = match candidate(&dir, require_tests) {
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
                }
            }
            Err(errors) => {
                eprintln!(
                    "{at} refused a change to {}: {}",
                    dir.display(),
                    errors.join("; ")
                );
                Reload {
                    at,
                    ok: false,
                    fingerprint: None,
                    errors,
                }
            }
        };
        if let Ok(mut l) = shared.last_reload.lock() {
            *l = Some(outcome);
        }
    }
}
