//! Criterion benchmarks of the engine: one application of each clause, and a batch.
//!
//! `cargo bench -p policy-engine` (the end-to-end figure of the README comes from
//! `scripts/bench.sh`, which times the `policy` binary on a million applications).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use policy_engine::{parse_applications, Engine, InputFormat, RawApplication};

const PACK: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../policies/suzhou-future-industries"
);

/// One application of each clause, as JSON
const ONE_OF_EACH: [(&str, &str); 8] = [
    (
        "scenario-case",
        r#"{"id":"SC","year":2025,"kind":"scenario_case","applicant":{"name":"甲","in_city":true},"selected":true,"score":91.5}"#,
    ),
    (
        "rd-platform",
        r#"{"id":"RP","year":2025,"kind":"rd_platform","applicant":{"name":"甲","in_city":true},"level":"provincial","platform_type":"key_lab","newly_recognized":true}"#,
    ),
    (
        "talent-team",
        r#"{"id":"TT","year":2025,"kind":"talent_team","applicant":{"name":"甲","in_city":true},"tier":2}"#,
    ),
    (
        "academician-station",
        r#"{"id":"AS","year":2025,"kind":"academician_station","applicant":{"name":"甲","in_city":true},"level":"city","station_type":"workstation","newly_approved":true}"#,
    ),
    (
        "tech-transfer",
        r#"{"id":"TR","year":2025,"kind":"tech_transfer","applicant":{"name":"甲","in_city":true},"seller_in_city":false,"contract_amount":3000000,"paid_amount":"1234567.85"}"#,
    ),
    (
        "incubator",
        r#"{"id":"IN","year":2025,"kind":"incubator","applicant":{"name":"甲","in_city":true},"level":"city","newly_recognized":true}"#,
    ),
    (
        "high-tech-enterprise",
        r#"{"id":"HT","year":2025,"kind":"high_tech_enterprise","applicant":{"name":"甲","in_city":true,"credit_code":"91341302MA2T12345E"},"recognition":"first"}"#,
    ),
    (
        "competition-award",
        r#"{"id":"CA","year":2025,"kind":"competition_award","applicant":{"name":"甲","in_city":true},"prize":"second"}"#,
    ),
];

fn apps(json: &str) -> Vec<RawApplication> {
    parse_applications(json, InputFormat::Json).unwrap_or_default()
}

/// `n` applications cycling through the eight kinds, amounts varying
fn batch(n: usize) -> Vec<RawApplication> {
    let mut items = Vec::with_capacity(n);
    for i in 0..n {
        let (_, template) = ONE_OF_EACH[i % ONE_OF_EACH.len()];
        let item = template
            .replacen("\"id\":\"", &format!("\"id\":\"{i}-"), 1)
            .replace(
                "1234567.85",
                &format!("{}.{:02}", 100_000 + i * 37, i % 100),
            );
        items.push(item);
    }
    apps(&format!("[{}]", items.join(",")))
}

fn per_clause(c: &mut Criterion) {
    let Ok(engine) = Engine::load(PACK) else {
        return;
    };
    let mut group = c.benchmark_group("decide one application");
    for (clause, json) in ONE_OF_EACH {
        let one = apps(&format!("[{json}]"));
        group.bench_with_input(BenchmarkId::from_parameter(clause), &one, |b, one| {
            b.iter(|| engine.decide(one))
        });
    }
    group.finish();
}

fn per_batch(c: &mut Criterion) {
    let Ok(engine) = Engine::load(PACK) else {
        return;
    };
    let mut group = c.benchmark_group("decide a batch");
    for n in [1_000usize, 10_000] {
        let many = batch(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &many, |b, many| {
            b.iter(|| engine.decide(many))
        });
    }
    group.finish();
}

criterion_group!(benches, per_clause, per_batch);
criterion_main!(benches);
