//! `policy watch`: re-check and re-test a pack on every save, printing only what changed.
//!
//! Polls file times (twice a second) rather than using OS notifications: a pack is a few dozen
//! small files, and polling behaves the same on every file system, network shares included.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use policy_engine::Engine;

use super::Io;
use crate::args::WatchArgs;
use crate::exit::EXIT_OK;
use crate::pack_files::snapshot;
use crate::render::diagnostics::{load_errors, ErrorFormat};

/// What one check-and-test run found, as lines to compare with the next run's
#[derive(Default, PartialEq)]
struct State {
    check: Vec<String>,
    cases: BTreeMap<String, bool>,
    coverage: String,
    counts: String,
}

fn evaluate(dir: &Path, format: ErrorFormat) -> State {
    let engine = match Engine::load(dir) {
        Ok(e) => e,
        Err(errors) => {
            return State {
                check: load_errors(&errors, format)
                    .lines()
                    .filter(|l| l.starts_with("error:"))
                    .map(str::to_string)
                    .collect(),
                ..State::default()
            }
        }
    };
    let mut state = State {
        check: engine
            .pack()
            .warnings
            .iter()
            .map(|w| format!("warning: {w}"))
            .collect(),
        ..State::default()
    };
    match engine.run_tests() {
        Err(errors) => state.check.extend(
            load_errors(&errors, format)
                .lines()
                .filter(|l| l.starts_with("error:"))
                .map(str::to_string),
        ),
        Ok(report) => {
            for c in &report.cases {
                let place = c
                    .line
                    .map(|l| format!("{}:{l}", c.file))
                    .unwrap_or(c.file.clone());
                state
                    .cases
                    .insert(format!("{place}  {} › {}", c.suite, c.case), c.passed);
            }
            state.coverage = format!(
                "coverage {} of {} ({}%)",
                report.coverage.reached, report.coverage.total, report.coverage.percent
            );
            state.counts = format!("{} passed, {} failed", report.passed, report.failed);
        }
    }
    state
}

fn summary(s: &State) -> String {
    let check = if s.check.iter().any(|l| l.starts_with("error:")) {
        "check: errors"
    } else {
        "check: ok"
    };
    [check, s.counts.as_str(), s.coverage.as_str()]
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("; ")
}

/// What changed from one run to the next, as lines
fn changes(before: &State, after: &State) -> Vec<String> {
    let mut out = Vec::new();
    for l in after.check.iter().filter(|l| !before.check.contains(l)) {
        out.push(format!("  new    {l}"));
    }
    for l in before.check.iter().filter(|l| !after.check.contains(l)) {
        out.push(format!("  fixed  {l}"));
    }
    for (case, passed) in &after.cases {
        match before.cases.get(case) {
            Some(was) if was == passed => {}
            Some(_) | None => out.push(format!(
                "  {}   {case}",
                if *passed { "PASS" } else { "FAIL" }
            )),
        }
    }
    for case in before
        .cases
        .keys()
        .filter(|c| !after.cases.contains_key(*c))
    {
        out.push(format!("  gone   {case}"));
    }
    if before.coverage != after.coverage
        && !after.coverage.is_empty()
        && !before.coverage.is_empty()
    {
        out.push(format!("  {}", after.coverage));
    }
    out
}

pub fn run(io: &mut Io<'_>, args: &WatchArgs) -> Result<u8, String> {
    let format = io.error_format;
    watch(&args.pack, args.runs, format, &mut |line| {
        io.emit(&format!("{line}\n"))
    });
    Ok(EXIT_OK)
}

/// Watches until interrupted, or for `runs` re-runs when given (tests)
fn watch(dir: &Path, runs: Option<usize>, format: ErrorFormat, out: &mut dyn FnMut(&str)) {
    let mut files = snapshot(dir);
    let mut state = evaluate(dir, format);
    out(&format!("watching {}: {}", dir.display(), summary(&state)));
    for l in &state.check {
        out(&format!("  {l}"));
    }
    for (case, passed) in state.cases.iter().filter(|(_, p)| !**p) {
        out(&format!(
            "  {}   {case}",
            if *passed { "PASS" } else { "FAIL" }
        ));
    }
    let mut done = 0;
    while runs.is_none_or(|n| done < n) {
        std::thread::sleep(Duration::from_millis(500));
        let now = snapshot(dir);
        if now == files {
            continue;
        }
        let touched: Vec<String> =
            now.iter()
                .filter(|(p, m)| files.get(*p) != Some(m))
                .map(|(p, _)| p.strip_prefix(dir).unwrap_or(p).display().to_string())
                .chain(
                    files.keys().filter(|p| !now.contains_key(*p)).map(|p| {
                        format!("{} (removed)", p.strip_prefix(dir).unwrap_or(p).display())
                    }),
                )
                .collect();
        files = now;
        let mut next = evaluate(dir, format);
        // A pack that does not load runs no tests: the tests are not gone, only unknown, so
        // the next comparison is with the last results there were.
        if next.cases.is_empty() && next.counts.is_empty() {
            next.cases = std::mem::take(&mut state.cases);
            next.coverage = std::mem::take(&mut state.coverage);
        }
        let diff = changes(&state, &next);
        out(&format!(
            "changed {}: {}",
            touched.join(", "),
            summary(&next)
        ));
        for l in diff {
            out(&l);
        }
        state = next;
        done += 1;
    }
}
