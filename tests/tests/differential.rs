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

/// `policy gen` of `count` applications with `seed` (and `gen` flags), then `policy run` over
/// them with the pack (and `run` flags); the applications and the decisions, as JSON
fn generate_and_run(
    count: usize,
    seed: u64,
    gen: &[&str],
    run: &[&str],
) -> (Vec<Value>, Vec<Value>) {
    let dir = tempfile::tempdir().expect("dir");
    let input = dir.path().join("apps.jsonl");
    let out = dir.path().join("decisions.jsonl");
    let (count, seed) = (count.to_string(), seed.to_string());
    let (input_s, out_s) = (input.to_string_lossy(), out.to_string_lossy());
    let mut args = vec!["gen", "--pack", PACK, "--count", &count, "--seed", &seed];
    args.extend(gen);
    args.extend(["--output", &input_s]);
    let (code, _, err) = policy(&args);
    assert_eq!(code, 0, "{err}");
    let mut args = vec!["run", "--pack", PACK];
    args.extend(run);
    args.extend([
        "--input", &input_s, "--format", "jsonl", "--output", &out_s, "--quiet",
    ]);
    let (code, _, err) = policy(&args);
    assert_eq!(code, 0, "{err}");
    let read = |path: &std::path::Path| -> Vec<Value> {
        std::fs::read_to_string(path)
            .expect("file")
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON line"))
            .collect()
    };
    (read(&input), read(&out))
}

#[test]
fn the_pack_agrees_with_an_independent_statement_of_the_rules() {
    let count: usize = std::env::var("DIFFERENTIAL_COUNT")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000);
    let mut disagreements = Vec::new();
    for seed in [1u64, 2] {
        let (apps, decisions) = generate_and_run(count, seed, &[], &[]);
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

/// The Suzhou scenario's settlement rules stated again in plain Rust, over the decisions of
/// [`expected`]: 就高不重复 among the platform clauses, then a yearly cap of 300万 per
/// applicant across every clause, the excess cut from the largest award first. An applicant
/// is its credit code, else its name; a group is an applicant's awards in one year.
fn settled(apps: &[Value]) -> Vec<(&'static str, Decimal)> {
    const ORDER: [&str; 8] = [
        "scenario_case",
        "rd_platform",
        "talent_team",
        "academician_station",
        "tech_transfer",
        "incubator",
        "high_tech_enterprise",
        "competition_award",
    ];
    const PLATFORMS: [&str; 3] = ["rd_platform", "academician_station", "incubator"];
    let mut out = expected(apps);
    let who = |a: &Value| {
        let code = text(&a["applicant"]["credit_code"]);
        let year = text(&a["year"]);
        if !code.is_empty() && code != "null" {
            format!("code {code} {year}")
        } else {
            format!("name {} {year}", text(&a["applicant"]["name"]))
        }
    };
    let kind = |i: usize| text(&apps[i]["kind"]);
    let id = |i: usize| text(&apps[i]["id"]);
    let groups = |out: &[(&str, Decimal)], only: &dyn Fn(usize) -> bool| {
        let mut g: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for i in 0..apps.len() {
            if out[i].0 == "awarded" && only(i) {
                g.entry(who(&apps[i])).or_default().push(i);
            }
        }
        g
    };
    // 就高不重复: the highest platform award stays; ties by the listed order, then id.
    for members in groups(&out, &|i| PLATFORMS.contains(&kind(i).as_str())).values() {
        let listed = |i: usize| PLATFORMS.iter().position(|k| *k == kind(i));
        let Some(&kept) = members.iter().min_by(|&&a, &&b| {
            out[b]
                .1
                .cmp(&out[a].1)
                .then_with(|| listed(a).cmp(&listed(b)))
                .then_with(|| id(a).cmp(&id(b)))
        }) else {
            continue;
        };
        for &i in members {
            if i != kept {
                out[i] = ("superseded", Decimal::ZERO);
            }
        }
    }
    // The yearly cap, largest first; ties in the pack's clause order, then id.
    let cap = d("3000000");
    for members in groups(&out, &|_| true).values() {
        let total: Decimal = members.iter().map(|&i| out[i].1).sum();
        if total <= cap {
            continue;
        }
        let mut order = members.clone();
        let rank = |i: usize| ORDER.iter().position(|k| *k == kind(i));
        order.sort_by(|&a, &b| {
            out[b]
                .1
                .cmp(&out[a].1)
                .then_with(|| rank(a).cmp(&rank(b)))
                .then_with(|| id(a).cmp(&id(b)))
        });
        let mut excess = total - cap;
        for i in order {
            if excess.is_zero() {
                break;
            }
            let cut = out[i].1.min(excess);
            excess -= cut;
            out[i].1 -= cut;
            if out[i].1.is_zero() {
                out[i].0 = "capped";
            }
        }
    }
    out
}

#[test]
fn settlement_agrees_with_an_independent_statement_of_the_rules() {
    let count: usize = std::env::var("DIFFERENTIAL_COUNT")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let scenario = format!("{PACK}/scenarios/yearly-cap-300wan-platforms-highest.yaml");
    let (apps, decisions) = generate_and_run(
        count,
        3,
        &["--repeat-applicants", "70"],
        &["--scenario", &scenario],
    );
    assert_eq!(apps.len(), decisions.len());
    let want = settled(&apps);
    let mut disagreements = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for ((app, got), (status, amount)) in apps.iter().zip(&decisions).zip(&want) {
        let got_amount = d(got["amount"].as_str().expect("amount"));
        *seen.entry(text(&got["status"])).or_default() += 1;
        if got["status"] != *status || got_amount != *amount {
            disagreements.push(format!(
                "{}: engine {} {}, rules {status} {amount}",
                app["id"], got["status"], got_amount
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements, first: {:?}",
        disagreements.len(),
        disagreements.iter().take(5).collect::<Vec<_>>()
    );
    // The rules bind: many applications are superseded, and caps cut some to nothing.
    let before = expected(&apps);
    let superseded = seen.get("superseded").copied().unwrap_or(0);
    assert!(superseded > count / 100, "{seen:?}");
    let cut_to_nothing = want
        .iter()
        .zip(&before)
        .filter(|((s, _), (b, _))| *s == "capped" && *b == "awarded")
        .count();
    let cut = want
        .iter()
        .zip(&before)
        .filter(|((s, a), (_, b))| *s == "awarded" && a != b)
        .count();
    assert!(
        cut > 0 && cut_to_nothing > 0,
        "some awards are cut part way ({cut}), some to nothing ({cut_to_nothing}): {seen:?}"
    );
}
