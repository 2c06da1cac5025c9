//! A differential test: the Suzhou rules stated again, independently, in plain Rust (from
//! POLICY.md and the draft, not from the pack's scripts), and checked against what the engine
//! decides with the pack over many generated applications. A bug in a script, in the engine, or
//! in this statement shows up as a disagreement.
//!
//! In CI: 20,000 applications. For a larger run:
//! `DIFFERENTIAL_COUNT=1000000 cargo test --release -p policy-tests --test differential`.

use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::Value;

use policy_tests::policy;

const PACK: &str = "policies/suzhou-future-industries";

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// What the draft awards, before the yearly limit: (status, amount)
fn rule(app: &Value) -> (&'static str, Decimal) {
    let none = ("ineligible", Decimal::ZERO);
    if app["applicant"]["in_city"] != Value::Bool(true) {
        return none;
    }
    let yes = |field: &str| app[field] == Value::Bool(true);
    let s = |field: &str| app[field].as_str().unwrap_or_default().to_string();
    let award = |yuan: i64| ("awarded", Decimal::from(yuan));
    match app["kind"].as_str().unwrap_or_default() {
        // 四(一)1: 20万 per selected case (the yearly limit is applied afterwards)
        "scenario_case" => {
            if yes("selected") {
                award(200_000)
            } else {
                none
            }
        }
        // 四(二)3: newly recognized national / provincial platforms, 200万 / 40万
        "rd_platform" => match (yes("newly_recognized"), s("level").as_str()) {
            (true, "national") => award(2_000_000),
            (true, "provincial") => award(400_000),
            _ => none,
        },
        // 四(三)5: talent teams by tier, 300万 / 200万 / 100万
        "talent_team" => match app["tier"].as_i64() {
            Some(1) => award(3_000_000),
            Some(2) => award(2_000_000),
            Some(3) => award(1_000_000),
            _ => none,
        },
        // 四(三)5: new provincial workstation 50万; new city innovation center 50万, workstation 20万
        "academician_station" => match (
            yes("newly_approved"),
            s("level").as_str(),
            s("station_type").as_str(),
        ) {
            (true, "provincial", "workstation") => award(500_000),
            (true, "city", "innovation_center") => award(500_000),
            (true, "city", "workstation") => award(200_000),
            _ => none,
        },
        // 四(四)8: 10% of min(paid, contract), at most 50万 an item, half-up to the fen
        "tech_transfer" => {
            if yes("seller_in_city") {
                return none;
            }
            let base = d(&text(&app["paid_amount"])).min(d(&text(&app["contract_amount"])));
            let amount = (base * d("0.10"))
                .min(Decimal::from(500_000))
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            if amount.is_zero() {
                none
            } else {
                ("awarded", amount)
            }
        }
        // 四(五)9: new incubators, national 50万, provincial 25万, city 15万
        "incubator" => match (yes("newly_recognized"), s("level").as_str()) {
            (true, "national") => award(500_000),
            (true, "provincial") => award(250_000),
            (true, "city") => award(150_000),
            _ => none,
        },
        // 四(五)10: high-tech enterprises, first 20万, again 10万
        "high_tech_enterprise" => match s("recognition").as_str() {
            "first" => award(200_000),
            "repeat" => award(100_000),
            _ => none,
        },
        // 四(六)12: competition prizes, 5万 / 3万 / 1万
        "competition_award" => match s("prize").as_str() {
            "first" => award(50_000),
            "second" => award(30_000),
            "third" => award(10_000),
            _ => none,
        },
        _ => ("error", Decimal::ZERO),
    }
}

/// The rules over a batch: each application, then no more than 10 scenario cases a year,
/// ranked by score (highest first), ties by id
fn expected(apps: &[Value]) -> Vec<(&'static str, Decimal)> {
    let mut out: Vec<(&'static str, Decimal)> = apps.iter().map(rule).collect();
    let mut by_year: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (i, a) in apps.iter().enumerate() {
        if a["kind"] == "scenario_case" && out[i].0 == "awarded" {
            by_year
                .entry(a["year"].as_i64().unwrap_or_default())
                .or_default()
                .push(i);
        }
    }
    for members in by_year.values_mut() {
        members.sort_by(|&x, &y| {
            d(&text(&apps[y]["score"]))
                .cmp(&d(&text(&apps[x]["score"])))
                .then_with(|| text(&apps[x]["id"]).cmp(&text(&apps[y]["id"])))
        });
        for &i in members.iter().skip(10) {
            out[i] = ("capped", Decimal::ZERO);
        }
    }
    out
}

#[test]
fn the_pack_agrees_with_an_independent_statement_of_the_rules() {
    let count: usize = std::env::var("DIFFERENTIAL_COUNT")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000);
    let dir = tempfile::tempdir().expect("dir");
    let input = dir.path().join("apps.jsonl");
    let out = dir.path().join("decisions.jsonl");
    let mut disagreements = Vec::new();
    for seed in [1u64, 2] {
        let (code, _, err) = policy(&[
            "gen",
            "--pack",
            PACK,
            "--count",
            &count.to_string(),
            "--seed",
            &seed.to_string(),
            "--output",
            &input.to_string_lossy(),
        ]);
        assert_eq!(code, 0, "{err}");
        let (code, _, err) = policy(&[
            "run",
            "--pack",
            PACK,
            "--input",
            &input.to_string_lossy(),
            "--format",
            "jsonl",
            "--output",
            &out.to_string_lossy(),
            "--quiet",
        ]);
        assert_eq!(code, 0, "{err}");
        let apps: Vec<Value> = std::fs::read_to_string(&input)
            .expect("input")
            .lines()
            .map(|l| serde_json::from_str(l).expect("application"))
            .collect();
        let decisions: Vec<Value> = std::fs::read_to_string(&out)
            .expect("output")
            .lines()
            .map(|l| serde_json::from_str(l).expect("decision"))
            .collect();
        assert_eq!(apps.len(), decisions.len());
        for ((app, got), (status, amount)) in apps.iter().zip(&decisions).zip(expected(&apps)) {
            let got_amount = d(got["amount"].as_str().expect("amount"));
            if got["status"] != status || got_amount != amount {
                disagreements.push(format!(
                    "{}: engine {} {}, rules {status} {amount}",
                    app["id"], got["status"], got_amount
                ));
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements, first: {:?}",
        disagreements.len(),
        disagreements.iter().take(5).collect::<Vec<_>>()
    );
}
