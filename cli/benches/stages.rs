//! Criterion benchmarks of the stages of `policy run`, so a change that costs speed points at
//! its stage. Each group holds 10,000 applications of the Suzhou pack, made by `policy gen`
//! (seed 11), and reports applications per second:
//!
//! - `read`: JSONL to parsed applications: the text by `parse_applications`, and a file by
//!   `InputFile::read_all` (its reader in chunks, each line parsed). This is the general
//!   reader (of the commands that need every application at once, and of `policy run
//!   --format table`, `yaml` or `xlsx`); the stream of `policy run`
//!   has its own quick one, timed only inside `decide/decide_stream`.
//! - `decide`: parsed applications to decisions (`Engine::decide`, in memory); and the stream
//!   `policy run` takes from the file to decisions (`Engine::decide_stream`: its quick reader,
//!   deciding on every core) with a sink that renders nothing. A change that slows
//!   `decide_stream` alone is in the quick reader or the stream's machinery.
//! - `settle`: a file where half the applicants hold several awards, decided with the settlement
//!   scenario `yearly-cap-300wan-platforms-highest.yaml` (就高不重复 and a 300万 yearly cap)
//!   and without it, both in memory and streamed as `policy run` does (a first pass, the
//!   decisions kept in a spool between the passes): the difference is what settling costs.
//! - `render`: decided applications to the decisions JSON of `policy run --format json`
//!   (`JsonSink`), into memory, on one thread (a run renders on every core).
//!
//! `cargo bench -p policy-cli --bench stages -- --warm-up-time 1 --measurement-time 2`
//! (a group alone: add its name, e.g. `-- settle`). End to end, the whole process against a
//! lean baseline: `scripts/bench.sh`.

use std::hint::black_box;
use std::io::Write;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use policy_cli::JsonSink;
use policy_engine::{
    parse_applications, Decision, Engine, InputFile, InputFormat, Scenario, Sink, Totals,
};

const PACK: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../policies/suzhou-future-industries"
);
const SCENARIO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../policies/suzhou-future-industries/scenarios/yearly-cap-300wan-platforms-highest.yaml"
);
const COUNT: usize = 10_000;
/// Samples of a bench whose one run takes tens of milliseconds: enough, and quick
const SAMPLES: usize = 30;

/// `policy gen` of COUNT applications as JSONL, `repeat` percent of them by an applicant seen before
fn generated(repeat: u32) -> String {
    let (count, repeat) = (COUNT.to_string(), repeat.to_string());
    let args = [
        "policy",
        "gen",
        "--pack",
        PACK,
        "--count",
        &count,
        "--seed",
        "11",
        "--repeat-applicants",
        &repeat,
    ];
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = policy_cli::main_with(args, &mut out, &mut err);
    assert_eq!(code, 0, "policy gen: {}", String::from_utf8_lossy(&err));
    String::from_utf8(out).expect("policy gen writes UTF-8")
}

/// The text in a temporary `.jsonl` file, and that file as an input
fn file_of(text: &str) -> (tempfile::NamedTempFile, InputFile) {
    let mut file = tempfile::Builder::new()
        .suffix(".jsonl")
        .tempfile()
        .expect("a temporary file");
    file.write_all(text.as_bytes()).expect("write the input");
    let input = InputFile::new(file.path(), None).expect("a .jsonl input");
    (file, input)
}

/// A sink that renders nothing: the stream's cost without the output's
struct Nothing;

impl Sink for Nothing {
    fn begin(&self) -> Vec<u8> {
        Vec::new()
    }
    fn render(&self, _: usize, _: &Decision, _: &mut Vec<u8>) {}
    fn end(&self, _: usize, _: &Totals) -> Vec<u8> {
        Vec::new()
    }
}

/// Streams the input through the engine as `policy run` does, rendering and writing nothing
fn stream(engine: &Engine, input: &InputFile) -> usize {
    engine
        .decide_stream(input, &Nothing, &mut |_| Ok(()))
        .expect("the stream runs")
        .totals
        .applications
}

fn engine() -> Engine {
    Engine::load(PACK).expect("the Suzhou pack loads")
}

fn read(c: &mut Criterion) {
    let text = generated(0);
    let (_file, input) = file_of(&text);
    let mut group = c.benchmark_group("read");
    group.throughput(Throughput::Elements(COUNT as u64));
    group.sample_size(SAMPLES);
    group.bench_function("parse_applications", |b| {
        b.iter(|| parse_applications(black_box(&text), InputFormat::Jsonl).expect("parses"))
    });
    group.bench_function("InputFile::read_all", |b| {
        b.iter(|| input.read_all().expect("reads"))
    });
    group.finish();
}

fn decide(c: &mut Criterion) {
    let engine = engine();
    let text = generated(0);
    let apps = parse_applications(&text, InputFormat::Jsonl).expect("parses");
    let (_file, input) = file_of(&text);
    let mut group = c.benchmark_group("decide");
    group.throughput(Throughput::Elements(COUNT as u64));
    group.sample_size(SAMPLES);
    group.bench_function("Engine::decide", |b| b.iter(|| engine.decide(&apps)));
    group.bench_function("decide_stream", |b| b.iter(|| stream(&engine, &input)));
    group.finish();
}

fn settle(c: &mut Criterion) {
    let plain = engine();
    let scenario = Scenario::load(std::path::Path::new(SCENARIO)).expect("the scenario loads");
    let settled = plain
        .with_scenario(&scenario)
        .expect("the scenario applies");
    let text = generated(50);
    let apps = parse_applications(&text, InputFormat::Jsonl).expect("parses");
    let (_file, input) = file_of(&text);
    let mut group = c.benchmark_group("settle");
    group.throughput(Throughput::Elements(COUNT as u64));
    group.sample_size(SAMPLES);
    for (name, engine) in [("plain", &plain), ("settled", &settled)] {
        group.bench_with_input(BenchmarkId::new("Engine::decide", name), engine, |b, e| {
            b.iter(|| e.decide(&apps))
        });
        group.bench_with_input(BenchmarkId::new("decide_stream", name), engine, |b, e| {
            b.iter(|| stream(e, &input))
        });
    }
    group.finish();
}

fn render(c: &mut Criterion) {
    let engine = engine();
    let apps = parse_applications(&generated(0), InputFormat::Jsonl).expect("parses");
    let decisions = engine.decide(&apps);
    let totals = engine.totals(&decisions);
    let sink = JsonSink::new(engine.pack());
    let mut group = c.benchmark_group("render");
    group.throughput(Throughput::Elements(COUNT as u64));
    group.bench_function("JsonSink", |b| {
        b.iter(|| {
            let mut out = sink.begin();
            for (n, d) in decisions.iter().enumerate() {
                sink.render(n, d, &mut out);
            }
            out.extend(sink.end(decisions.len(), &totals));
            out
        })
    });
    group.finish();
}

criterion_group!(stages, read, decide, settle, render);
criterion_main!(stages);
