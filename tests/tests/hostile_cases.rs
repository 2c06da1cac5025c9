//! The hostile and odd inputs found in review, kept as data: each file in `tests/hostile/` is
//! one case (its inputs, the command's arguments, the outcome expected), and this one test runs
//! them all. Adding a case is adding a file; `tests/hostile/README.md` describes the format.
//! Cases that need code (huge generated inputs, signals, the file system) stay in `hostile.rs`
//! and `hostile_io.rs`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use policy_tests::{policy, root};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// What the case probes, in a sentence
    about: String,
    /// Files written into a temporary folder, named `<dir>/NAME` in `args`
    #[serde(default)]
    files: BTreeMap<String, String>,
    /// The shipped pack the case runs on (a folder of `policies/`)
    #[serde(default = "default_pack")]
    pack: String,
    /// Files written over a copy of the pack; `<pack>` is then the copy
    #[serde(default)]
    pack_files: BTreeMap<String, String>,
    /// Texts replaced in the copy's files; `<pack>` is then the copy
    #[serde(default)]
    pack_edits: Vec<Edit>,
    /// The command line after `policy`, with `<pack>`, `<dir>` and `<examples>` (the shipped
    /// pack's examples folder) replaced
    args: Vec<String>,
    /// The exit code
    exit: u8,
    /// Texts the standard output must contain
    #[serde(default)]
    stdout: Vec<String>,
    /// Texts the standard error must contain
    #[serde(default)]
    stderr: Vec<String>,
    /// Texts neither may contain (a panic, a backtrace)
    #[serde(default = "never")]
    absent: Vec<String>,
    /// How many decisions the JSON (or JSONL) output holds
    #[serde(default)]
    decision_count: Option<usize>,
    /// What the decisions with these ids are
    #[serde(default)]
    decisions: Vec<Expected>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Edit {
    file: String,
    replace: String,
    with: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    id: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    amount: Option<String>,
    /// A text one of its reasons contains
    #[serde(default)]
    reason: Option<String>,
}

fn default_pack() -> String {
    "suzhou-future-industries".into()
}

fn never() -> Vec<String> {
    vec!["panicked".into(), "RUST_BACKTRACE".into()]
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// The decisions of a JSON document or of JSONL lines
fn decisions(out: &str) -> Option<Vec<Value>> {
    if let Ok(doc) = serde_json::from_str::<Value>(out) {
        return doc["decisions"].as_array().cloned();
    }
    out.lines()
        .map(|l| serde_json::from_str::<Value>(l).ok())
        .collect()
}

/// Runs one case; the list of what did not hold
fn run(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).expect("read case");
    let case: Case = match serde_yaml::from_str(&text) {
        Ok(c) => c,
        Err(e) => return vec![format!("the case does not read: {e}")],
    };
    let mut wrong = Vec::new();
    if case.about.trim().is_empty() {
        wrong.push("`about` says nothing".into());
    }
    let shipped = root().join("policies").join(&case.pack);
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("in");
    fs::create_dir_all(&dir).expect("mkdir");
    for (name, content) in &case.files {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(p, content).expect("write input");
    }
    let pack: PathBuf = if case.pack_files.is_empty() && case.pack_edits.is_empty() {
        shipped.clone()
    } else {
        let copy = tmp.path().join("pack");
        copy_dir(&shipped, &copy);
        for (name, content) in &case.pack_files {
            fs::write(copy.join(name), content).expect("write pack file");
        }
        for e in &case.pack_edits {
            let p = copy.join(&e.file);
            let before = fs::read_to_string(&p).unwrap_or_default();
            if !before.contains(&e.replace) {
                wrong.push(format!("{}: no `{}` to replace", e.file, e.replace));
            }
            fs::write(&p, before.replace(&e.replace, &e.with)).expect("write edit");
        }
        copy
    };
    let (pack, dir) = (pack.to_string_lossy(), dir.to_string_lossy());
    let examples = shipped.join("examples");
    let examples = examples.to_string_lossy();
    let args: Vec<String> = case
        .args
        .iter()
        .map(|a| {
            a.replace("<pack>", &pack)
                .replace("<dir>", &dir)
                .replace("<examples>", &examples)
        })
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = policy(&args);
    let short = |s: &str| s.chars().take(1500).collect::<String>();
    if code != case.exit {
        wrong.push(format!(
            "exit {code}, expected {}\nstderr: {}",
            case.exit,
            short(&err)
        ));
    }
    for s in &case.stdout {
        if !out.contains(s.as_str()) {
            wrong.push(format!("stdout lacks `{s}`: {}", short(&out)));
        }
    }
    for s in &case.stderr {
        if !err.contains(s.as_str()) {
            wrong.push(format!("stderr lacks `{s}`: {}", short(&err)));
        }
    }
    for s in &case.absent {
        if out.contains(s.as_str()) || err.contains(s.as_str()) {
            wrong.push(format!("the output has `{s}`"));
        }
    }
    if case.decision_count.is_some() || !case.decisions.is_empty() {
        let Some(all) = decisions(&out) else {
            wrong.push(format!("stdout is not JSON decisions: {}", short(&out)));
            return wrong;
        };
        if let Some(n) = case.decision_count {
            if all.len() != n {
                wrong.push(format!("{} decisions, expected {n}", all.len()));
            }
        }
        for e in &case.decisions {
            let Some(d) = all.iter().find(|d| d["id"] == e.id.as_str()) else {
                wrong.push(format!("no decision for `{}`", e.id));
                continue;
            };
            if let Some(s) = &e.status {
                if d["status"] != s.as_str() {
                    wrong.push(format!("{}: status {}, expected {s}", e.id, d["status"]));
                }
            }
            if let Some(a) = &e.amount {
                if d["amount"] != a.as_str() {
                    wrong.push(format!("{}: amount {}, expected {a}", e.id, d["amount"]));
                }
            }
            if let Some(r) = &e.reason {
                let reasons = d["reasons"].as_array().cloned().unwrap_or_default();
                if !reasons
                    .iter()
                    .any(|x| x.as_str().is_some_and(|x| x.contains(r.as_str())))
                {
                    wrong.push(format!("{}: no reason has `{r}`: {reasons:?}", e.id));
                }
            }
        }
    }
    wrong
}

fn cases() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(root().join("tests/hostile"))
        .expect("tests/hostile")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    out.sort();
    out
}

#[test]
fn every_hostile_case_ends_as_expected() {
    let cases = cases();
    assert!(cases.len() >= 15, "cases found: {}", cases.len());
    let mut failed = Vec::new();
    for path in &cases {
        let wrong = run(path);
        if !wrong.is_empty() {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            failed.push(format!("{name}:\n  {}", wrong.join("\n  ")));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} cases failed:\n{}",
        failed.len(),
        cases.len(),
        failed.join("\n")
    );
}

/// The runner itself: a case whose expectation is wrong fails, with its reason
#[test]
fn a_wrong_expectation_is_reported() {
    let tmp = tempfile::tempdir().expect("dir");
    let case = tmp.path().join("wrong.yaml");
    fs::write(
        &case,
        "about: the examples decide, but this case expects otherwise
args: [run, --pack, <pack>, --input, <examples>/applications.yaml, --format, json]
exit: 2
stderr: [no such text]
decisions:
  - {id: 2025-TR-0007, status: ineligible, amount: '1.00', reason: nowhere}
  - {id: NOT-THERE}
",
    )
    .expect("write");
    let wrong = run(&case);
    for needle in [
        "exit 0, expected 2",
        "stderr lacks `no such text`",
        "2025-TR-0007: status \"awarded\", expected ineligible",
        "2025-TR-0007: amount \"123456.79\", expected 1.00",
        "no reason has `nowhere`",
        "no decision for `NOT-THERE`",
    ] {
        assert!(
            wrong.iter().any(|w| w.contains(needle)),
            "{needle}: {wrong:#?}"
        );
    }
    fs::write(&case, "about: x\nargs: []\nexit: 0\ntypo: 1\n").expect("write");
    assert!(run(&case)[0].contains("unknown field `typo`"));
}
