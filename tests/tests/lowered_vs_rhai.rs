//! The lowered interpreter (`engine/src/script/lowered.rs`) mirrors Rhai's operators: wherever
//! it answers, Rhai must give the same decision. Two checks, in stable `cargo test` (fuzzing
//! only adds to them):
//!
//! - every shipped pack, every clause: thousands of generated applications (boundary values of
//!   each field type, a fixed seed) decided through the lowered tree and through Rhai alone
//!   give the same decisions, status, amount (with its scale) and reasons;
//! - generated scripts: small random arithmetic, comparisons and `if`s over facts and
//!   parameters, inside the subset the tree covers and at its edges (overflow, division by
//!   zero, mixed types, absent facts), decided both ways.
//!
//! A Rhai release that changes an operator shows up here; `Cargo.toml` pins Rhai for this.

mod generated;

use std::fmt::Write as _;
use std::path::PathBuf;

use policy_engine::{ChangeOrigin, Engine, Scenario, ScenarioChange, Status};
use serde_json::{json, Value};

use generated::{applications, assert_same, packs, raw, Rng};

#[test]
fn every_packs_clauses_decide_alike_lowered_and_in_rhai() {
    for dir in packs() {
        let engine = Engine::load(&dir).expect("shipped pack loads");
        let lowered = engine.lowered_clauses();
        assert!(
            !lowered.is_empty(),
            "{}: no clause lowers, nothing compared",
            dir.display()
        );
        let apps = applications(&engine, &dir, 14, 3000);
        let raws = raw(&apps);
        let through_tree = engine.without_memo().decide(&raws);
        let in_rhai = engine.rhai_only().decide(&raws);
        assert_same(
            &format!("{}: lowered vs Rhai", dir.display()),
            &apps,
            &through_tree,
            &in_rhai,
        );
        // The comparison means something: every lowered clause decided applications, both
        // ways an application can go where the clause has both.
        for id in &lowered {
            let decided: Vec<_> = in_rhai
                .iter()
                .filter(|d| d.clause.as_deref() == Some(id.as_str()))
                .filter(|d| matches!(d.status, Status::Awarded | Status::Ineligible))
                .collect();
            assert!(
                decided.len() >= 20,
                "{}: {id}: only {} applications reached the script",
                dir.display(),
                decided.len()
            );
        }
    }
}

/// Small random scripts over the Suzhou technology-transfer kind (two amounts, two booleans, a
/// year, a rate and a cap)
struct Scripts {
    rng: Rng,
    locals: Vec<&'static str>,
}

impl Scripts {
    fn number(&mut self, depth: u32) -> String {
        if depth == 0 || self.rng.chance(35) {
            let mut leaves = vec![
                "app.paid_amount",
                "app.contract_amount",
                "params.rate",
                "params.cap",
                "app.year",
                "0",
                "1",
                "3",
                "100",
                "9223372036854775807",
                "0.0",
                "0.5",
                "0.10",
                "1.00",
                "0.0000001",
                "79228162514264337593543950335.0",
            ];
            leaves.extend(self.locals.iter().copied());
            return self.rng.pick(&leaves).to_string();
        }
        let (a, b) = (self.number(depth - 1), self.number(depth - 1));
        match self.rng.below(9) {
            0 => format!("({a} + {b})"),
            1 => format!("({a} - {b})"),
            2 => format!("({a} * {b})"),
            3 => format!("({a} / {b})"),
            4 => format!("min({a}, {b})"),
            5 => format!("max({a}, {b})"),
            6 => format!("-({a})"),
            7 => format!("(if {} {{ {a} }} else {{ {b} }})", self.boolean(depth - 1)),
            _ => format!("({a} * params.rate)"),
        }
    }

    fn boolean(&mut self, depth: u32) -> String {
        if depth == 0 || self.rng.chance(25) {
            return self
                .rng
                .pick(&[
                    "app.seller_in_city",
                    "app.applicant.in_city",
                    "true",
                    "false",
                    "app.paid_amount == ()",
                    "app.contract_amount != ()",
                ])
                .to_string();
        }
        let cmp = *self.rng.pick(&["==", "!=", "<", "<=", ">", ">="]);
        match self.rng.below(7) {
            0 => format!("!({})", self.boolean(depth - 1)),
            1 => format!(
                "({} && {})",
                self.boolean(depth - 1),
                self.boolean(depth - 1)
            ),
            2 => format!(
                "({} || {})",
                self.boolean(depth - 1),
                self.boolean(depth - 1)
            ),
            // Mixed types: a number against a text, a boolean or nothing
            3 => format!(
                "({} {cmp} {})",
                self.number(depth - 1),
                self.rng
                    .pick(&["\"100\"", "true", "()", "app.seller_in_city"])
            ),
            _ => format!(
                "({} {cmp} {})",
                self.number(depth - 1),
                self.number(depth - 1)
            ),
        }
    }

    fn text(&mut self, depth: u32) -> String {
        match self.rng.below(4) {
            0 => format!("${{yuan({})}}", self.number(depth)),
            1 => format!("${{percent({})}}", self.number(depth)),
            2 => format!("${{{}}}", self.boolean(depth)),
            _ => format!("${{{}}}", self.number(depth)),
        }
    }

    fn script(&mut self) -> String {
        self.locals.clear();
        let mut s = String::new();
        let _ = writeln!(s, "let a = {};", self.number(2));
        self.locals.push("a");
        let _ = writeln!(s, "let b = {};", self.number(2));
        self.locals.push("b");
        if self.rng.chance(60) {
            let _ = writeln!(
                s,
                "if {} {{ return ineligible(`不符合 {}`); }}",
                self.boolean(2),
                self.text(1)
            );
        }
        let _ = writeln!(
            s,
            "let c = if {} {{ {} }} else {{ {} }};",
            self.boolean(2),
            self.number(2),
            self.number(1)
        );
        self.locals.push("c");
        let _ = writeln!(
            s,
            "award({}, `${{a}} ${{b}} ${{c}} {} {}`)",
            self.number(2),
            self.text(1),
            self.text(1)
        );
        s
    }
}

/// Technology-transfer applications at the edges of their amounts
fn transfers() -> Vec<Value> {
    let amounts = [
        json!("0"),
        json!("0.01"),
        json!(1),
        json!("100.5"),
        json!("499999.99"),
        json!(5000000),
        json!("5000000.00"),
        json!("99999999999"),
        Value::Null,
    ];
    let mut out = Vec::new();
    let mut rng = Rng(7);
    for i in 0..48 {
        let mut app = json!({
            "id": format!("TT-{i}"),
            "kind": "tech_transfer",
            "year": 2025 + (i % 4),
            "applicant": {"name": "宿州某科技有限公司", "in_city": true},
            "seller_in_city": i % 5 == 0,
        });
        for field in ["paid_amount", "contract_amount"] {
            let v = rng.pick(&amounts).clone();
            if !v.is_null() {
                app[field] = v;
            }
        }
        out.push(app);
    }
    out
}

#[test]
fn generated_scripts_decide_alike_lowered_and_in_rhai() {
    let dir = policy_tests::suzhou_pack();
    let engine = Engine::load(&dir).expect("shipped pack loads");
    let apps = transfers();
    let raws = raw(&apps);
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut gen = Scripts {
        rng: Rng(0x5eed),
        locals: Vec::new(),
    };
    let (mut scripts, mut decided) = (0, 0);
    for n in 0..300 {
        let source = gen.script();
        let path: PathBuf = tmp.path().join(format!("s{n}.rhai"));
        std::fs::write(&path, &source).expect("write script");
        let scenario = Scenario {
            name: format!("s{n}"),
            description: None,
            changes: vec![ScenarioChange::Replace {
                clause: "tech-transfer".into(),
                script: path.clone(),
                origin: ChangeOrigin {
                    file: path,
                    pos: None,
                },
            }],
        };
        // A script the loader refuses (a type its checks reject) compares nothing.
        let Ok(variant) = engine.with_scenario(&scenario) else {
            continue;
        };
        assert!(
            variant
                .lowered_clauses()
                .iter()
                .any(|c| c == "tech-transfer"),
            "a script inside the subset lowers:\n{source}"
        );
        scripts += 1;
        let through_tree = variant.without_memo().decide(&raws);
        let in_rhai = variant.rhai_only().decide(&raws);
        decided += in_rhai
            .iter()
            .filter(|d| matches!(d.status, Status::Awarded | Status::Ineligible))
            .count();
        assert_same(
            &format!("script\n{source}\n"),
            &apps,
            &through_tree,
            &in_rhai,
        );
    }
    // Most scripts load, and a fair share of runs end in a decision rather than an error.
    assert!(scripts > 250, "{scripts} of 300 scripts loaded");
    assert!(decided > 2000, "{decided} runs decided");
}
