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
    for (line, cmd) in cmds {
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
            } else if let Some(rest) = a.strip_prefix("policies/my-policy") {
                // The guides' new pack is made in the test's own folder, not in the repository.
                *a = format!("{}/my-policy{rest}", out_dir.path().display());
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
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out, err) = policy(&refs);
        assert!(
            !err.contains("Usage:"),
            "{name}:{line}: `{cmd}` is not a valid command:\n{err}"
        );
        match expected {
            Some(want) => assert_eq!(code, want, "{name}:{line}: `{cmd}`\n{out}{err}"),
            None => assert!(
                code <= 1,
                "{name}:{line}: `{cmd}` exited {code}\n{out}{err}"
            ),
        }
    }
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
