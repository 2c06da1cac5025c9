//! Every pack shipped in `policies/` holds up on its own: it checks clean with warnings denied,
//! passes its tests with every outcome reached, decides each of its example files, and compares
//! each of its scenario files. Then the second pack's examples, which are all valid, pinned on
//! a few amounts its text fixes.

use std::path::PathBuf;

use policy_tests::{policy, root};

/// The pack folders under `policies/`: every folder with a `pack.yaml`, by name
fn packs() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join("policies"))
        .expect("policies/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("pack.yaml").is_file())
        .collect();
    out.sort();
    out
}

/// The files of a pack's folder `sub` whose names end with one of `exts`, by name
fn files(pack: &std::path::Path, sub: &str, exts: &[&str]) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(pack.join(sub)) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| exts.contains(&x))
        })
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

#[test]
fn both_shipped_packs_are_found() {
    let names: Vec<String> = packs()
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    for name in ["suzhou-future-industries", "xianju-tech-innovation"] {
        assert!(
            names.iter().any(|n| n == name),
            "{name} not among {names:?}"
        );
    }
}

#[test]
fn every_pack_checks_clean_with_warnings_denied() {
    for pack in packs() {
        let p = pack.to_string_lossy();
        let (code, out, err) = policy(&["check", &p, "--deny-warnings"]);
        assert_eq!(code, 0, "{p}\n{out}{err}");
    }
}

#[test]
fn every_pack_passes_its_tests_with_every_outcome_reached() {
    for pack in packs() {
        let p = pack.to_string_lossy();
        let (code, out, err) = policy(&["test", &p, "--min-coverage", "100"]);
        assert_eq!(code, 0, "{p}\n{out}{err}");
        assert!(out.contains("(100.0%)"), "{p}\n{out}");
    }
}

#[test]
fn every_pack_decides_its_examples_and_compares_its_scenarios() {
    for pack in packs() {
        let p = pack.to_string_lossy().into_owned();
        let examples = files(&pack, "examples", &["yaml", "csv", "xlsx"]);
        assert!(!examples.is_empty(), "{p} has no examples");
        for input in &examples {
            // 1: some applications are faulty on purpose (the Suzhou examples); never 2.
            let (code, out, err) = policy(&["run", "--pack", &p, "--input", input]);
            assert!(code <= 1, "{input} exited {code}\n{out}{err}");
        }
        for scenario in files(&pack, "scenarios", &["yaml"]) {
            let (code, out, err) = policy(&[
                "compare",
                "--pack",
                &p,
                "--input",
                &examples[0],
                "--scenario",
                &scenario,
            ]);
            assert_eq!(code, 0, "{scenario}\n{out}{err}");
        }
    }
}

#[test]
fn xianju_examples_are_all_valid_and_decide_as_the_text_says() {
    let pack = "policies/xianju-tech-innovation";
    // The CSV uses the pack's Chinese column names; `run` reads it through the aliases.
    for file in ["applications.yaml", "applications.csv"] {
        let input = format!("{pack}/examples/{file}");
        let (code, out, err) =
            policy(&["run", "--pack", pack, "--input", &input, "--format", "json"]);
        assert_eq!(code, 0, "{file}: every example is valid\n{err}");
        let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
        let decisions = doc["decisions"].as_array().expect("decisions");
        assert_eq!(decisions.len(), 37, "{file}");
        let of = |id: &str| {
            decisions
                .iter()
                .find(|d| d["id"] == id)
                .map(|d| {
                    (
                        d["status"].as_str().unwrap_or_default(),
                        d["amount"].as_str().unwrap_or_default(),
                    )
                })
                .unwrap_or_else(|| panic!("no decision for {id}"))
        };
        // 三、7: 30% of 88,000,000 is 26,400,000, over the 2000万 cap.
        assert_eq!(of("2025-IC-02"), ("awarded", "20000000.00"));
        // 四、8: 30% of 123,456.78 is 37,037.034, half up to the fen.
        assert_eq!(of("2025-RC-04"), ("awarded", "37037.03"));
        // 四、9: the eleventh eligible patent of 2025 is past the ten a year.
        assert_eq!(of("2025-PC-11"), ("capped", "0.00"));
        // 四、9: exactly 500万 is not over 500万.
        assert_eq!(of("2025-PC-13"), ("ineligible", "0.00"));
        // 四、10: one achievement, two units: only the first-ranked is matched (1:1).
        assert_eq!(of("2025-AM-02"), ("awarded", "200000.00"));
        assert_eq!(of("2025-AM-03"), ("capped", "0.00"));
        // Settlement: one platform recognised twice in one year gets the higher award (从高不
        // 重复), and one enterprise's cooperation subsidies in a year stop at 30万.
        assert_eq!(of("2025-EI-01").0, "awarded");
        assert_eq!(of("2025-HR-01"), ("superseded", "0.00"));
        assert_eq!(of("2025-RC-03"), ("awarded", "30000.00"));
        assert_eq!(of("2025-PC-02"), ("awarded", "50000.00"));
        assert_eq!(doc["totals"]["amount"], "37033197.52", "{file}");
    }
}
