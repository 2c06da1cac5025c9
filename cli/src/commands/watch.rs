//! `policy watch`: re-check and re-test a pack on every save, printing what changed.
//!
//! Polls file times (twice a second) rather than using OS notifications: a pack is a few dozen
//! small files, and polling behaves the same on every file system, network shares included.
//!
//! Each run is a [`State`] (from [`evaluate`]); what is printed for it is [`round`], from the
//! state before and the state after, so what a drafter sees is tested without a watcher. A pack
//! that does not load shows its errors with the source line and a caret, and no test results;
//! a pack that loads ends each round with its counts, and each test that newly fails shows the
//! decision it expected against the one it got.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use policy_engine::{Engine, Lang};

use super::Io;
use crate::args::WatchArgs;
use crate::exit::EXIT_OK;
use crate::pack_files::snapshot;
use crate::render::diagnostics::{diagnostics_in, ErrorFormat};

/// One failing expectation of a test: the application, what was expected, what was decided
#[derive(Clone, PartialEq, Debug)]
struct Miss {
    id: String,
    expected: String,
    actual: String,
}

/// The results of the pack's tests, when they ran
#[derive(Clone, Default, PartialEq, Debug)]
struct Tests {
    /// Each case (`file:line  suite › case`) and whether it passed
    cases: BTreeMap<String, bool>,
    /// The expectations that failed, per failing case
    misses: BTreeMap<String, Vec<Miss>>,
    passed: usize,
    failed: usize,
    coverage: String,
}

/// What one check-and-test run found
#[derive(Default, PartialEq, Debug)]
struct State {
    /// The pack's errors, as diagnostics (source line and caret), when it does not load or its
    /// tests cannot be read
    errors: Option<String>,
    /// The first line of each error and warning, to say which are new and which are fixed
    check: Vec<String>,
    /// The tests' results; `None` when they did not run
    tests: Option<Tests>,
}

/// Whether a diagnostics line opens an error (in either language)
fn is_error(line: &str) -> bool {
    line.starts_with("error:") || line.starts_with("错误:")
}

fn headlines(text: &str) -> impl Iterator<Item = String> + '_ {
    text.lines()
        .filter(|l| is_error(l) || l.starts_with("warning:") || l.starts_with("警告:"))
        .map(str::to_string)
}

fn evaluate(dir: &Path, format: ErrorFormat, lang: Lang) -> State {
    let engine = match Engine::load(dir) {
        Ok(e) => e,
        Err(errors) => {
            let text = diagnostics_in(&errors.0, &[], format, Some(lang));
            return State {
                check: headlines(&text).collect(),
                errors: Some(text),
                tests: None,
            };
        }
    };
    let mut state = State {
        check: engine
            .pack()
            .warnings
            .iter()
            .map(|w| {
                let place = match w.pos {
                    Some(p) => format!("{}:{p}", w.file.display()),
                    None => w.file.display().to_string(),
                };
                format!(
                    "{}: {place}: {}",
                    crate::messages::SEVERITY_WARNING.get(lang),
                    w.message_in(lang)
                )
            })
            .collect(),
        ..State::default()
    };
    match engine.run_tests() {
        Err(errors) => {
            let text = diagnostics_in(&errors.0, &[], format, Some(lang));
            state.check.extend(headlines(&text));
            state.errors = Some(text);
        }
        Ok(report) => {
            let mut tests = Tests {
                passed: report.passed,
                failed: report.failed,
                coverage: format!(
                    "{}{}{} ({}%)",
                    report.coverage.reached,
                    lang.pick("/", " of "),
                    report.coverage.total,
                    report.coverage.percent
                ),
                ..Tests::default()
            };
            for c in &report.cases {
                let place = c
                    .line
                    .map(|l| format!("{}:{l}", c.file))
                    .unwrap_or(c.file.clone());
                let name = format!("{place}  {} › {}", c.suite, c.case);
                if !c.passed {
                    let misses = c
                        .failures
                        .iter()
                        .map(|f| Miss {
                            id: f.id.clone(),
                            expected: f.expected.clone(),
                            actual: f.actual.clone(),
                        })
                        .collect();
                    tests.misses.insert(name.clone(), misses);
                }
                tests.cases.insert(name, c.passed);
            }
            state.tests = Some(tests);
        }
    }
    state
}

fn check_word(s: &State, lang: Lang) -> &'static str {
    if s.errors.is_some() || s.check.iter().any(|l| is_error(l)) {
        lang.pick("检查：有错误", "check: errors")
    } else {
        lang.pick("检查：通过", "check: ok")
    }
}

/// A failing case and, under it, each expectation it missed: expected against actual
fn failing(case: &str, misses: &[Miss], lang: Lang, out: &mut Vec<String>) {
    out.push(format!("  {}   {case}", lang.pick("失败", "FAIL")));
    for m in misses {
        out.push(format!(
            "         {}: {} {}",
            m.id,
            lang.pick("应为", "expected"),
            crate::messages::outcome_words(&m.expected, lang)
        ));
        out.push(format!(
            "         {}  {} {}",
            " ".repeat(m.id.chars().count()),
            lang.pick("实为", "actual  "),
            crate::messages::outcome_words(&m.actual, lang)
        ));
    }
}

/// The lines of one round: the pack's errors in full while it does not load (and no test
/// results), else the errors and warnings that are new or fixed, the tests whose result changed
/// (a failure with what it expected against what it got), and a count line. `before` is the
/// last state whose tests ran, if any, so tests are compared with the last results there were.
fn round(before: Option<&State>, after: &State, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    // Labels of one width in each language, so the lines under them align.
    let (new, fixed) = (lang.pick("新增", "new  "), lang.pick("改正", "fixed"));
    let old_check: &[String] = before.map(|b| b.check.as_slice()).unwrap_or(&[]);
    match &after.errors {
        Some(errors) => {
            out.extend(errors.lines().map(|l| format!("  {l}")));
            for l in old_check.iter().filter(|l| !after.check.contains(l)) {
                out.push(format!("  {fixed}  {l}"));
            }
        }
        None => {
            for l in after.check.iter().filter(|l| !old_check.contains(l)) {
                out.push(format!("  {new}  {l}"));
            }
            for l in old_check.iter().filter(|l| !after.check.contains(l)) {
                out.push(format!("  {fixed}  {l}"));
            }
        }
    }
    let Some(tests) = &after.tests else {
        out.push(format!(
            "  {}",
            lang.pick(
                "测试未运行：政策包未能加载，请先改正上面的错误",
                "tests not run: the pack does not load; fix the errors above first"
            )
        ));
        return out;
    };
    let old = before.and_then(|b| b.tests.as_ref());
    for (case, passed) in &tests.cases {
        let was = old.and_then(|o| o.cases.get(case));
        let old_misses = old.and_then(|o| o.misses.get(case));
        match (passed, was) {
            (true, Some(true)) => {}
            (true, None) if old.is_none() => {}
            (true, _) => out.push(format!("  {}   {case}", lang.pick("通过", "PASS"))),
            (false, _) => {
                let misses = tests.misses.get(case).map(Vec::as_slice).unwrap_or(&[]);
                if was != Some(&false) || old_misses.map(Vec::as_slice) != Some(misses) {
                    failing(case, misses, lang, &mut out);
                }
            }
        }
    }
    if let Some(old) = old {
        for case in old.cases.keys().filter(|c| !tests.cases.contains_key(*c)) {
            out.push(format!("  {}   {case}", lang.pick("删除", "gone")));
        }
    }
    out.push(format!(
        "  {}",
        match lang {
            Lang::Zh => format!(
                "测试：{} 项通过，{} 项失败；结果覆盖 {}",
                tests.passed, tests.failed, tests.coverage
            ),
            Lang::En => format!(
                "tests: {} passed, {} failed; coverage {}",
                tests.passed, tests.failed, tests.coverage
            ),
        }
    ));
    out
}

pub fn run(io: &mut Io<'_>, args: &WatchArgs) -> Result<u8, String> {
    let format = io.error_format;
    let lang = crate::messages::resolve(io.lang, policy_engine::pack_language(&args.pack));
    watch(&args.pack, args.runs, format, lang, &mut |line| {
        io.emit(&format!("{line}\n"))
    });
    Ok(EXIT_OK)
}

/// Watches until interrupted, or for `runs` re-runs when given (tests)
fn watch(
    dir: &Path,
    runs: Option<usize>,
    format: ErrorFormat,
    lang: Lang,
    out: &mut dyn FnMut(&str),
) {
    let mut files = snapshot(dir);
    if !files.skipped.is_empty() {
        // Named, never opened: a FIFO would block the watcher, a link to a device never end.
        let names: Vec<String> = files
            .skipped
            .iter()
            .map(|p| p.strip_prefix(dir).unwrap_or(p).display().to_string())
            .collect();
        out(&format!(
            "{}: {}",
            lang.pick(
                "跳过（不是普通文件，不读取）",
                "skipped (not regular files, never read)"
            ),
            names.join(", ")
        ));
    }
    let mut state = evaluate(dir, format, lang);
    out(&format!(
        "{} {}: {}",
        lang.pick("监视", "watching"),
        dir.display(),
        check_word(&state, lang)
    ));
    for l in round(None, &state, lang) {
        out(&l);
    }
    // The last state whose tests ran: a pack that does not load runs no tests, which are not
    // gone, only unknown, so the next results are compared with the last there were.
    let mut tested = state.tests.is_some().then(|| std::mem::take(&mut state));
    let mut done = 0;
    while runs.is_none_or(|n| done < n) {
        std::thread::sleep(Duration::from_millis(500));
        let now = snapshot(dir);
        if now == files {
            continue;
        }
        let touched: Vec<String> = now
            .files
            .iter()
            .filter(|(p, m)| files.files.get(*p) != Some(m))
            .map(|(p, _)| p.strip_prefix(dir).unwrap_or(p).display().to_string())
            .chain(
                files
                    .files
                    .keys()
                    .filter(|p| !now.files.contains_key(*p))
                    .map(|p| format!("{} (removed)", p.strip_prefix(dir).unwrap_or(p).display())),
            )
            .collect();
        files = now;
        // Only what is not a pack file changed (a folder, an entry that is not read): nothing
        // to tell, and nothing the pack reads is different.
        if touched.is_empty() {
            continue;
        }
        let next = evaluate(dir, format, lang);
        // New and fixed errors are told against the run just before; test results against
        // the last run that had them.
        let before = State {
            errors: None,
            check: state.check.clone(),
            tests: tested.as_ref().and_then(|t| t.tests.clone()),
        };
        out(&format!(
            "{} {}: {}",
            lang.pick("已修改", "changed"),
            touched.join(", "),
            check_word(&next, lang)
        ));
        for l in round(Some(&before), &next, lang) {
            out(&l);
        }
        state = next;
        if state.tests.is_some() {
            tested = Some(State {
                errors: None,
                check: Vec::new(),
                tests: state.tests.clone(),
            });
        }
        done += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// A copy of the bundled Suzhou pack, to edit
    fn suzhou_copy() -> tempfile::TempDir {
        fn copy(from: &Path, to: &Path) {
            fs::create_dir_all(to).expect("mkdir");
            for entry in fs::read_dir(from).expect("read dir") {
                let entry = entry.expect("entry");
                let target = to.join(entry.file_name());
                if entry.path().is_dir() {
                    copy(&entry.path(), &target);
                } else {
                    fs::copy(entry.path(), target).expect("copy");
                }
            }
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let pack =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies/suzhou-future-industries");
        copy(&pack, dir.path());
        dir
    }

    fn edit(path: &Path, from: &str, to: &str) {
        let text = fs::read_to_string(path).expect("read");
        assert!(text.contains(from), "{from} not in {}", path.display());
        fs::write(path, text.replacen(from, to, 1)).expect("write");
    }

    #[test]
    fn a_pack_that_does_not_load_shows_its_errors_with_a_caret_and_no_tests() {
        let dir = suzhou_copy();
        let good = evaluate(dir.path(), ErrorFormat::Human, Lang::En);
        assert!(good.tests.is_some());
        edit(
            &dir.path().join("clauses/rd-platform.yaml"),
            "value: 400000",
            "value: 400,000",
        );
        let broken = evaluate(dir.path(), ErrorFormat::Human, Lang::En);
        let lines = round(Some(&good), &broken, Lang::En);
        let text = lines.join("\n");
        assert!(text.contains("  error: "), "{text}");
        assert!(text.contains("clauses/rd-platform.yaml:"), "{text}");
        // The source line and a caret under the column.
        assert!(text.contains(" | ") && text.contains('^'), "{text}");
        assert!(text.contains("value: 400,000"), "{text}");
        assert!(!text.contains("PASS") && !text.contains("FAIL"), "{text}");
        assert_eq!(
            lines.last().map(String::as_str),
            Some("  tests not run: the pack does not load; fix the errors above first")
        );
        assert_eq!(check_word(&broken, Lang::En), "check: errors");
        // In Chinese too.
        let zh = round(Some(&good), &broken, Lang::Zh).join("\n");
        assert!(zh.contains("测试未运行"), "{zh}");
    }

    #[test]
    fn a_failing_test_shows_expected_against_actual_and_the_counts() {
        let dir = suzhou_copy();
        let good = evaluate(dir.path(), ErrorFormat::Human, Lang::En);
        let first = round(None, &good, Lang::En);
        // Nothing fails at first: only the count line.
        assert_eq!(first.len(), 1, "{first:?}");
        assert!(first[0].starts_with("  tests: "), "{first:?}");
        assert!(
            first[0].contains(" passed, 0 failed; coverage "),
            "{first:?}"
        );
        edit(
            &dir.path().join("clauses/rd-platform.yaml"),
            "value: 400000",
            "value: 500000",
        );
        let changed = evaluate(dir.path(), ErrorFormat::Human, Lang::En);
        let lines = round(Some(&good), &changed, Lang::En);
        let text = lines.join("\n");
        let fail = lines
            .iter()
            .position(|l| l.starts_with("  FAIL   tests/rd-platform.yaml:"))
            .unwrap_or_else(|| panic!("{text}"));
        assert!(
            lines[fail + 1].contains("RP-P: expected status awarded, amount 400000.00"),
            "{text}"
        );
        assert!(
            lines[fail + 2].contains("actual   status awarded, amount 500000.00"),
            "{text}"
        );
        let tests = changed.tests.as_ref().expect("ran");
        assert_eq!(tests.failed, 1);
        assert_eq!(
            lines.last().cloned().unwrap_or_default(),
            format!(
                "  tests: {} passed, 1 failed; coverage {}",
                tests.passed, tests.coverage
            )
        );
        // The same failure again is not told twice; the count line still is.
        let again = round(Some(&changed), &changed, Lang::En);
        assert_eq!(again.len(), 1, "{again:?}");
        // Fixed: the test passes again.
        let back = round(Some(&changed), &good, Lang::En).join("\n");
        assert!(back.contains("  PASS   tests/rd-platform.yaml:"), "{back}");
        assert!(back.contains(" passed, 0 failed"), "{back}");
    }

    #[test]
    fn after_a_broken_save_the_tests_are_compared_with_the_last_results() {
        let dir = suzhou_copy();
        let good = evaluate(dir.path(), ErrorFormat::Human, Lang::En);
        let meta = dir.path().join("clauses/rd-platform.yaml");
        edit(&meta, "value: 400000", "value: 400,000");
        let broken = evaluate(dir.path(), ErrorFormat::Human, Lang::En);
        assert!(broken.tests.is_none());
        edit(&meta, "value: 400,000", "value: 400000");
        let fixed = evaluate(dir.path(), ErrorFormat::Human, Lang::En);
        // As `watch` compares: errors against the broken run, tests against the good one.
        let before = State {
            errors: None,
            check: broken.check.clone(),
            tests: good.tests.clone(),
        };
        let lines = round(Some(&before), &fixed, Lang::En);
        let text = lines.join("\n");
        // Not every test listed as passing: none changed.
        assert!(!text.contains("PASS"), "{text}");
        assert!(text.contains("  fixed  error: "), "{text}");
        assert!(
            lines
                .last()
                .is_some_and(|l| l.contains(" passed, 0 failed")),
            "{text}"
        );
    }
}
