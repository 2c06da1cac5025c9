//! Properties that hold for any batch of applications (proptest): one decision each, in
//! order; amounts never negative nor above a clause's largest award; totals that add up; the
//! yearly limit kept; the same decisions whatever the input order, the number of threads or
//! the input format.

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;

use policy_engine::{parse_applications, Decision, Engine, InputFile, InputFormat, Status};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};

fn engine() -> Engine {
    Engine::load(policy_tests::suzhou_pack()).expect("pack")
}

/// One application of any kind, valid, with facts drawn at random
fn application() -> impl Strategy<Value = Value> {
    let money = (0u64..2_000_000_000u64).prop_map(|fen| format!("{}.{:02}", fen / 100, fen % 100));
    (
        0usize..8,
        2025i64..2028,
        prop::bool::weighted(0.9),
        any::<bool>(),
        0usize..3,
        0usize..2,
        (money.clone(), money),
        (500u32..1000u32),
        1i64..4,
    )
        .prop_map(|(k, year, in_city, flag, a, b, (contract, paid), score, tier)| {
            let levels = ["national", "provincial", "city"];
            let (prov_city, station) = (["provincial", "city"][b], ["workstation", "innovation_center"][a % 2]);
            let (recognition, prize) = (["first", "repeat"][b], ["first", "second", "third"][a]);
            let mut v = json!({
                "year": year,
                "applicant": {"name": "宿州某单位", "in_city": in_city},
            });
            let o = v.as_object_mut().expect("object");
            let (kind, extra): (&str, Value) = match k {
                0 => ("scenario_case", json!({"selected": flag, "score": format!("{}.{}", score / 10, score % 10)})),
                1 => ("rd_platform", json!({"level": levels[a], "platform_type": "key_lab", "newly_recognized": flag})),
                2 => ("talent_team", json!({"tier": tier})),
                3 => ("academician_station", json!({"level": prov_city, "station_type": station, "newly_approved": flag})),
                4 => ("tech_transfer", json!({"seller_in_city": !flag && a == 0, "contract_amount": contract, "paid_amount": paid})),
                5 => ("incubator", json!({"level": levels[a], "newly_recognized": flag})),
                6 => ("high_tech_enterprise", json!({"recognition": recognition})),
                _ => ("competition_award", json!({"prize": prize})),
            };
            o.insert("kind".into(), kind.into());
            if let Value::Object(extra) = extra {
                o.extend(extra);
            }
            v
        })
}

fn batch() -> impl Strategy<Value = Vec<Value>> {
    prop::collection::vec(application(), 1..60).prop_map(|mut apps| {
        for (i, a) in apps.iter_mut().enumerate() {
            a["id"] = format!("P-{i:03}").into();
        }
        apps
    })
}

fn decide(engine: &Engine, apps: &[Value]) -> Vec<Decision> {
    let text = serde_json::to_string(apps).expect("json");
    engine.decide(&parse_applications(&text, InputFormat::Json).expect("parse"))
}

fn streamed(engine: &Engine, apps: &[Value], threads: usize) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("apps.jsonl");
    let mut f = std::fs::File::create(&path).expect("file");
    for a in apps {
        writeln!(f, "{a}").expect("write");
    }
    drop(f);
    struct Lines;
    impl policy_engine::Sink for Lines {
        fn begin(&self) -> Vec<u8> {
            Vec::new()
        }
        fn render(&self, _: usize, d: &Decision, out: &mut Vec<u8>) {
            out.extend_from_slice(&serde_json::to_vec(d).unwrap_or_default());
            out.push(b'\n');
        }
        fn end(&self, _: usize, t: &policy_engine::Totals) -> Vec<u8> {
            serde_json::to_vec(t).unwrap_or_default()
        }
    }
    let source = InputFile::new(&path, None).expect("source");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    let mut out = Vec::new();
    pool.install(|| {
        engine
            .decide_stream(&source, &Lines, &mut |b| {
                out.extend_from_slice(b);
                Ok(())
            })
            .expect("stream")
    });
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn decisions_hold_their_invariants(apps in batch()) {
        let engine = engine();
        let d = decide(&engine, &apps);
        // One decision each, in input order.
        prop_assert_eq!(d.len(), apps.len());
        for (a, x) in apps.iter().zip(&d) {
            prop_assert_eq!(a["id"].as_str(), x.id.as_deref());
            prop_assert!(x.status != Status::Error, "{:?}", x.reasons);
            // Never negative; two decimals; nothing unless awarded; never above 300万, the
            // largest award, and never above 50万 for tech transfer.
            prop_assert!(x.amount >= Decimal::ZERO);
            prop_assert_eq!(x.amount.scale(), 2);
            if x.status != Status::Awarded {
                prop_assert!(x.amount.is_zero());
            }
            prop_assert!(x.amount <= Decimal::from(3_000_000));
            if x.clause.as_deref() == Some("tech-transfer") {
                prop_assert!(x.amount <= Decimal::from(500_000));
            }
        }
        // The total is the sum of the awards.
        let t = engine.totals(&d);
        let sum: Decimal = d.iter().filter(|x| x.status == Status::Awarded).map(|x| x.amount).sum();
        prop_assert_eq!(t.amount, sum);
        prop_assert_eq!(t.awarded, d.iter().filter(|x| x.status == Status::Awarded).count());
        // No more than 10 scenario cases a year.
        let mut per_year: BTreeMap<i64, usize> = BTreeMap::new();
        for (a, x) in apps.iter().zip(&d) {
            if x.clause.as_deref() == Some("scenario-case") && x.status == Status::Awarded {
                *per_year.entry(a["year"].as_i64().unwrap_or_default()).or_default() += 1;
            }
        }
        prop_assert!(per_year.values().all(|n| *n <= 10));
    }

    #[test]
    fn order_threads_and_format_change_nothing(apps in batch(), seed in any::<u64>()) {
        let engine = engine();
        let by_id = |d: Vec<Decision>| -> HashMap<String, (Status, Decimal)> {
            d.into_iter().map(|x| (x.id.unwrap_or_default(), (x.status, x.amount))).collect()
        };
        let straight = by_id(decide(&engine, &apps));
        // Another order: the ranking's ties go by id, so the decisions are the same.
        let mut shuffled = apps.clone();
        let n = shuffled.len();
        let mut s = seed;
        for i in (1..n).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        prop_assert_eq!(&straight, &by_id(decide(&engine, &shuffled)));
        // One thread or two: the same bytes.
        prop_assert_eq!(streamed(&engine, &apps, 1), streamed(&engine, &apps, 2));
        // JSONL streamed decides like JSON in memory.
        let text = String::from_utf8(streamed(&engine, &apps, 2)).expect("utf8");
        let lines: Vec<Value> = text.lines().filter(|l| l.starts_with("{\"id\"")).map(|l| serde_json::from_str(l).expect("line")).collect();
        let in_memory: Vec<Value> = decide(&engine, &apps).iter().map(|d| serde_json::to_value(d).expect("v")).collect();
        prop_assert_eq!(lines, in_memory);
    }
}
