//! The shape of the code, as ARCHITECTURE.md states it: no module of a crate imports one that
//! imports it back, and the engine's stages only look down the pipeline
//! (model → script → load → input → decide → analyse).
//!
//! The graph is read from the source text: every `crate::a::b` or `super::b` path, and every
//! module named inside `use crate::a::{b, c}`, is an edge from the file's module to the longest
//! module that path names. A file's `#[cfg(test)] mod tests` (at its end, as everywhere here) is
//! left out: a test may reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use policy_tests::root;

type Graph = BTreeMap<String, BTreeSet<String>>;

/// `decide/stream.rs` → `decide::stream`, `input/mod.rs` → `input`, `lib.rs` → `crate`
fn module_name(rel: &Path) -> String {
    let text = rel.with_extension("").to_string_lossy().replace('\\', "/");
    let text = text.strip_suffix("/mod").unwrap_or(&text).to_string();
    match text.as_str() {
        "lib" | "main" => "crate".to_string(),
        _ => text.replace('/', "::"),
    }
}

fn sources(dir: &Path, base: &Path, out: &mut BTreeMap<String, String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read the source folder")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources(&path, base, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("read a source file");
            // Tests are the last item of a file here; they may import anything.
            let code = match text.find("\n#[cfg(test)]\nmod tests") {
                Some(at) => text[..at].to_string(),
                None => text,
            };
            let rel = path.strip_prefix(base).expect("inside the folder");
            out.insert(module_name(rel), code);
        }
    }
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The paths after each `prefix` (`crate::` or `super::`) in `code`: `crate::a::b::C` gives
/// `[a, b, C]`; a brace group gives the base once per item (`crate::a::{b, c}` gives `[a, b]`
/// and `[a, c]`)
fn paths_after(code: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (at, _) in code.match_indices(prefix) {
        if at > 0 && code[..at].ends_with(|c: char| is_ident(c) || c == ':') {
            continue;
        }
        let rest = &code[at + prefix.len()..];
        let mut segments = Vec::new();
        let mut pos = 0;
        loop {
            let seg: String = rest[pos..].chars().take_while(|c| is_ident(*c)).collect();
            if seg.is_empty() {
                break;
            }
            pos += seg.len();
            segments.push(seg);
            if rest[pos..].starts_with("::") {
                pos += 2;
            } else {
                break;
            }
        }
        if rest[pos..].starts_with('{') {
            let group = &rest[pos + 1..rest[pos..].find('}').map_or(pos + 1, |e| pos + e)];
            for item in group.split(',') {
                let first: String = item.trim().chars().take_while(|c| is_ident(*c)).collect();
                let mut path = segments.clone();
                path.push(first);
                out.push(path);
            }
        }
        out.push(segments);
    }
    out
}

fn graph(src: &Path) -> Graph {
    let mut files = BTreeMap::new();
    sources(src, src, &mut files);
    let mut g = Graph::new();
    for (module, code) in &files {
        let mut deps = BTreeSet::new();
        // `super::x` in `a::b` (a file `a/b.rs`, or `a/b/mod.rs`) is `a::x`.
        let parent: Vec<String> = module
            .split("::")
            .filter(|_| module != "crate")
            .map(str::to_string)
            .collect();
        let parent = &parent[..parent.len().saturating_sub(1)];
        let relative = paths_after(code, "super::").into_iter().map(|p| {
            let mut full = parent.to_vec();
            full.extend(p);
            full
        });
        for mut path in paths_after(code, "crate::").into_iter().chain(relative) {
            while !path.is_empty() && !files.contains_key(&path.join("::")) {
                path.pop();
            }
            // Nothing but the first segment left, and no module by that name: a root item.
            let target = if path.is_empty() {
                "crate".to_string()
            } else {
                path.join("::")
            };
            if &target != module {
                deps.insert(target);
            }
        }
        g.insert(module.clone(), deps);
    }
    // A module names its own children without a prefix (`pub use decide::Engine`,
    // `handlers::decide`): an edge too.
    let names: Vec<String> = files.keys().cloned().collect();
    for (module, code) in &files {
        let children = names.iter().filter_map(|m| {
            let rest = if module == "crate" {
                Some(m.as_str())
            } else {
                m.strip_prefix(module.as_str())?.strip_prefix("::")
            };
            rest.filter(|r| !r.contains("::") && *m != "crate")
                .map(|r| (m.clone(), r.to_string()))
        });
        let used: Vec<String> = children
            .filter(|(_, child)| {
                code.match_indices(&format!("{child}::")).any(|(at, _)| {
                    at == 0 || !code[..at].ends_with(|c: char| is_ident(c) || c == ':')
                })
            })
            .map(|(m, _)| m)
            .collect();
        g.entry(module.clone()).or_default().extend(used);
    }
    g
}

/// A cycle through `from`, if there is one, as the modules in order
fn cycle_from(g: &Graph, from: &str) -> Option<Vec<String>> {
    fn walk(
        g: &Graph,
        at: &str,
        from: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in g.get(at).into_iter().flatten() {
            if next == from {
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(g, next, from, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![from.to_string()];
    walk(g, from, from, &mut path, &mut BTreeSet::new()).then_some(path)
}

fn assert_acyclic(crate_dir: &str) -> Graph {
    let g = graph(&root().join(crate_dir).join("src"));
    assert!(
        g.len() > 5,
        "{crate_dir}: the graph was read ({} modules)",
        g.len()
    );
    // `crate::X` reaches the root, which declares and dispatches to every module.
    let back: Vec<&String> = g
        .iter()
        .filter(|(m, deps)| *m != "crate" && deps.contains("crate"))
        .map(|(m, _)| m)
        .collect();
    assert!(
        back.is_empty(),
        "{crate_dir}: modules that import the root back: {back:?}"
    );
    for module in g.keys() {
        if let Some(cycle) = cycle_from(&g, module) {
            panic!(
                "{crate_dir}: an import cycle: {} → {module}",
                cycle.join(" → ")
            );
        }
    }
    g
}

#[test]
fn no_engine_module_imports_one_that_imports_it_back() {
    let g = assert_acyclic("engine");
    // The reader sees the real thing: the stream imports the check, not the other way.
    assert!(
        g["decide::clause"].contains("script::compiled"),
        "{:?}",
        g["decide::clause"]
    );
}

#[test]
fn no_cli_module_imports_one_that_imports_it_back() {
    assert_acyclic("cli");
}

#[test]
fn engine_stages_only_look_down_the_pipeline() {
    const STAGES: [&str; 6] = ["model", "script", "load", "input", "decide", "analyse"];
    let stage = |m: &str| STAGES.iter().position(|s| m.split("::").next() == Some(*s));
    let g = assert_acyclic("engine");
    let mut wrong = Vec::new();
    for (module, deps) in &g {
        let Some(mine) = stage(module) else {
            continue; // lib.rs and fuzzing.rs sit above every stage
        };
        for dep in deps {
            match stage(dep) {
                Some(theirs) if theirs > mine => wrong.push(format!("{module} → {dep}")),
                // `crate::X` reaches the root's re-exports, which import every stage.
                None => wrong.push(format!("{module} → {dep} (above the stages)")),
                _ => {}
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports up the pipeline:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_model_is_plain_data() {
    let mut files = BTreeMap::new();
    let src = root().join("engine/src/model");
    sources(&src, &src, &mut files);
    for (module, code) in files {
        for forbidden in ["rhai::", "std::fs", "std::io", "std::net"] {
            assert!(
                !code.contains(forbidden),
                "model::{module} uses {forbidden}"
            );
        }
    }
}
