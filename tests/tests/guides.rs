//! Every command in the drafter's guides is run: each line of a ```sh block that starts with
//! `policy ` runs, in order, against one copy of the bundled pack per guide. A command must
//! exit 0 or 1 (some applications had errors), or the code its line states as `# exit N`; a
//! usage error (a flag that does not exist) always fails.

use std::path::Path;

use policy_tests::{pack_copy, policy, root};

/// Splits a command line like a shell would for our purposes: spaces, single and double quotes
fn split(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, ' ') => {
                if !cur.is_empty() || any {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            (None, c) => cur.push(c),
        }
    }
    if !cur.is_empty() || any {
        out.push(cur);
    }
    out
}

/// What a guide asks the reader to do, in order: run a command, or write a file whose whole
/// text a block shows (a fence like ```yaml file=policies/x/pack.yaml)
enum Step {
    /// Line, command, and whether it is in the walkthrough whose output must be all Chinese
    Run(usize, String, bool),
    /// Line, path as the guide writes it, the text
    Write(usize, String, String),
}

/// The heading of the Chinese guide's walkthrough: its commands' output is read by a drafter
const WALKTHROUGH: &str = "### 从新建到测试通过";

/// The steps of a guide: its commands (as [`commands`]) and its file blocks, in order
fn steps(markdown: &str) -> Vec<Step> {
    let mut out = Vec::new();
    let mut in_walkthrough = false;
    let mut in_fence = false;
    let mut file: Option<(usize, String, String)> = None;
    let runs = commands(markdown);
    let mut next_run = runs.iter().peekable();
    for (i, line) in markdown.lines().enumerate() {
        while let Some((n, _)) = next_run.peek() {
            if *n > i {
                break;
            }
            if let Some((n, cmd)) = next_run.next() {
                out.push(Step::Run(*n, cmd.clone(), in_walkthrough));
            }
        }
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        } else if !in_fence && line.starts_with('#') {
            in_walkthrough =
                line.starts_with(WALKTHROUGH) || (in_walkthrough && line.starts_with("####"));
        }
        let t = line.trim();
        match &mut file {
            Some(_) if t == "```" => {
                if let Some((n, path, text)) = file.take() {
                    out.push(Step::Write(n, path, text));
                }
            }
            Some((_, _, text)) => {
                text.push_str(line);
                text.push('\n');
            }
            None => {
                if let Some(path) = t.strip_prefix("```").and_then(|info| {
                    info.split_whitespace()
                        .find_map(|w| w.strip_prefix("file="))
                }) {
                    file = Some((i + 1, path.to_string(), String::new()));
                }
            }
        }
    }
    for (n, cmd) in next_run {
        out.push(Step::Run(*n, cmd.clone(), in_walkthrough));
    }
    out
}

/// English a drafter would have to read in a command's output: a word of three or more Latin
/// letters outside `code`, paths, ids and numbers
fn english_in(output: &str) -> Vec<String> {
    let mut plain = String::new();
    let mut in_code = false;
    for c in output.chars() {
        if c == '`' {
            in_code = !in_code;
        } else if !in_code {
            plain.push(c);
        }
    }
    plain
        .split(|c: char| c.is_whitespace() || "，。：；（）、“”《》【】".contains(c))
        .filter(|token| {
            // Paths, file names, ids, fingerprints and flags are not prose.
            !token.contains(['/', '.', ':', '-', '_', '=', '@'])
        })
        .flat_map(|token| {
            token
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| w.len() >= 3)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|w| {
            ![
                "policy", "check", "test", "new", "clause", "pack", "yaml", "rhai",
            ]
            .contains(&w.as_str())
        })
        .collect()
}

/// The `policy …` commands of a Markdown file's sh blocks, with line continuations joined
fn commands(markdown: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut in_sh = false;
    let mut pending: Option<(usize, String)> = None;
    for (i, line) in markdown.lines().enumerate() {
        let t = line.trim();
        if t.starts_with("```") {
            in_sh = t == "```sh" || t == "```bash";
            continue;
        }
        if !in_sh {
            continue;
        }
        if let Some((n, mut acc)) = pending.take() {
            acc.push(' ');
            acc.push_str(t.trim_end_matches('\\').trim());
            if t.ends_with('\\') {
                pending = Some((n, acc));
            } else {
                out.push((n, acc));
            }
            continue;
        }
        let t = t.strip_prefix("$ ").unwrap_or(t);
        let t = t
            .strip_prefix("./target/release/")
            .or_else(|| t.strip_prefix("./target/debug/"))
            .unwrap_or(t);
        if let Some(rest) = t.strip_prefix("policy ") {
            let cmd = format!("policy {}", rest.trim_end_matches('\\').trim());
            if t.ends_with('\\') {
                pending = Some((i + 1, cmd));
            } else {
                out.push((i + 1, cmd));
            }
        }
    }
    out
}

fn run_guide(name: &str, at_least: usize) {
    let path = root().join(name);
    let text = std::fs::read_to_string(&path).expect("guide");
    let cmds = commands(&text);
    assert!(
        cmds.len() >= at_least,
        "{name} shows only {} commands",
        cmds.len()
    );
    let copy = pack_copy();
    let pack = copy.path().to_string_lossy().into_owned();
    let out_dir = tempfile::tempdir().expect("dir");
    // A new pack of the guide is made in the test's own folder, not in the repository.
    let mapped = |a: &str| -> Option<String> {
        let rest = a.strip_prefix("policies/")?;
        (!rest.starts_with("suzhou-future-industries") && !rest.starts_with("xianju-"))
            .then(|| format!("{}/{rest}", out_dir.path().display()))
    };
    let mut walkthrough_runs = 0;
    for step in steps(&text) {
        let (line, cmd, walkthrough) = match step {
            Step::Write(line, path, content) => {
                let target = mapped(&path).unwrap_or_else(|| {
                    panic!("{name}:{line}: a file block writes only a new pack's files, not {path}")
                });
                std::fs::write(&target, content)
                    .unwrap_or_else(|e| panic!("{name}:{line}: {target}: {e}"));
                continue;
            }
            Step::Run(line, cmd, walkthrough) => (line, cmd, walkthrough),
        };
        let (cmd, expected) = match cmd.split_once('#') {
            Some((c, note)) => {
                let code = note
                    .trim()
                    .strip_prefix("exit ")
                    .and_then(|n| n.trim().parse::<u8>().ok());
                (c.trim().to_string(), code)
            }
            None => (cmd, None),
        };
        // Output redirections and pipes are the reader's business, not the command's.
        let cmd = cmd
            .split(['>', '|'])
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        let mut args: Vec<String> = split(&cmd).into_iter().skip(1).collect();
        for a in args.iter_mut() {
            if let Some(rest) = a.strip_prefix("policies/suzhou-future-industries") {
                *a = format!("{pack}{rest}");
            } else if let Some(m) = mapped(a) {
                *a = m;
            } else if a.ends_with(".html") || a.ends_with(".md") && !a.contains('/') {
                *a = out_dir
                    .path()
                    .join(Path::new(a.as_str()))
                    .to_string_lossy()
                    .into_owned();
            }
        }
        // Commands that run until stopped are shown, not run.
        if matches!(args.first().map(String::as_str), Some("serve" | "watch")) {
            continue;
        }
        // The walkthrough is a drafter's session on a machine set to Chinese.
        if walkthrough {
            args.extend(["--lang".to_string(), "zh".to_string()]);
            walkthrough_runs += 1;
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out, err) = policy(&refs);
        if walkthrough {
            let english = english_in(&format!("{out}{err}"));
            assert!(
                english.is_empty(),
                "{name}:{line}: `{cmd}` shows English a drafter must read: {english:?}\n{out}{err}"
            );
        }
        assert!(
            !err.contains("Usage:"),
            "{name}:{line}: `{cmd}` is not a valid command:\n{err}"
        );
        match expected {
            Some(want) => assert_eq!(code, want, "{name}:{line}: `{cmd}`\n{out}{err}"),
            // Every step of the walkthrough succeeds outright.
            None if walkthrough => {
                assert_eq!(code, 0, "{name}:{line}: `{cmd}` exited {code}\n{out}{err}")
            }
            None => assert!(
                code <= 1,
                "{name}:{line}: `{cmd}` exited {code}\n{out}{err}"
            ),
        }
    }
    if text.contains(WALKTHROUGH) {
        // From `new pack` to a passing `test --min-coverage 100`.
        assert!(
            walkthrough_runs >= 5,
            "{name}: the walkthrough runs {walkthrough_runs} commands"
        );
    }
}

#[test]
fn english_a_drafter_reads_is_found() {
    assert_eq!(english_in("2 项通过，0 项失败"), Vec::<String>::new());
    assert_eq!(
        english_in(
            "检查通过：our-policy 0.1.0（草稿）\n指纹 sha256:abc tests/x.yaml:3 `app.recognition`"
        ),
        Vec::<String>::new()
    );
    assert_eq!(english_in("2 passed, 0 failed"), ["passed", "failed"]);
}

#[test]
fn every_command_of_the_english_guide_runs() {
    run_guide("policies/README.md", 10);
}

#[test]
fn every_command_of_the_chinese_guide_runs() {
    run_guide("policies/README.zh.md", 10);
}

#[test]
fn every_command_of_the_readme_runs() {
    run_guide("README.md", 3);
}

#[test]
fn split_handles_quotes() {
    assert_eq!(
        split("policy run --set 'a.b=1' \"x y\""),
        ["policy", "run", "--set", "a.b=1", "x y"]
    );
}

#[test]
fn the_readmes_first_command_runs_clean() {
    // A newcomer's first run (`cargo run … -- run …`, the first command of the README) decides
    // every example application without an error: exit 0, nothing on stderr.
    let text = std::fs::read_to_string(root().join("README.md")).expect("README");
    let line = text
        .lines()
        .find(|l| l.starts_with("cargo run ") && l.contains(" -- run "))
        .expect("the README's first command");
    let (_, args) = line.split_once(" -- ").expect("cargo run … -- args");
    let args = split(args);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = policy(&refs);
    assert_eq!(code, 0, "{line}\n{err}");
    assert!(err.is_empty(), "{err}");
    assert!(out.contains("123,456.79"), "{out}");
}
