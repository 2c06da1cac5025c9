//! `policy serve`: the engine over HTTP (axum), with hot reload of the pack and a decision log.
//!
//! Every request takes the engine in force when it arrives and keeps it to the end, so no
//! request sees two versions of a pack. A changed pack is loaded and checked (and with
//! `--require-tests`, its tests run) before it replaces the one in force; a broken edit is
//! refused, reported on `/v1/pack`, and the last good pack keeps serving.

#![allow(
    clippy::result_large_err,
    reason = "a handler's early return is the HTTP response itself; boxing it buys nothing"
)]

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use policy_engine::{parse_applications, Engine, InputFormat, RawApplication};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// How the server runs
pub struct Options {
    pub pack: PathBuf,
    pub addr: SocketAddr,
    pub decision_log: Option<PathBuf>,
    pub require_tests: bool,
    pub max_body_bytes: usize,
    pub timeout: Duration,
}

#[derive(Serialize, Clone)]
struct Reload {
    at: String,
    ok: bool,
    fingerprint: Option<String>,
    errors: Vec<String>,
}

struct Shared {
    engine: RwLock<Arc<Engine>>,
    loaded_at: Mutex<String>,
    last_reload: Mutex<Option<Reload>>,
    log: Option<Mutex<std::io::BufWriter<std::fs::File>>>,
    timeout: Duration,
    serial: std::sync::atomic::AtomicU64,
    requests: std::sync::atomic::AtomicU64,
}

/// Seconds since 1970 as an RFC 3339 UTC time, without a clock library
fn now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since the epoch (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn error(status: StatusCode, message: impl Into<String>, field: Option<&str>) -> Response {
    (
        status,
        axum::Json(json!({"error": message.into(), "field": field})),
    )
        .into_response()
}

/// A JSON response carrying the pack's fingerprint in a header as well
fn answer(engine: &Engine, body: Value) -> Response {
    let mut r = axum::Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&engine.pack().fingerprint) {
        r.headers_mut().insert("x-pack-fingerprint", v);
    }
    r
}

fn pack_ref(engine: &Engine) -> Value {
    let p = engine.pack();
    json!({"id": p.id, "version": p.version, "fingerprint": p.fingerprint})
}

/// The applications of a body: one JSON object, or a list of them
fn applications(body: &Value) -> Result<Vec<RawApplication>, Response> {
    let list = match body {
        Value::Array(_) => body.clone(),
        Value::Object(_) => Value::Array(vec![body.clone()]),
        _ => {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "expected an application (a JSON object) or a list of them",
                None,
            ))
        }
    };
    parse_applications(&list.to_string(), InputFormat::Json)
        .map_err(|(_, m)| error(StatusCode::BAD_REQUEST, m, None))
}

fn parse_body(bytes: &Bytes) -> Result<Value, Response> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            format!("the body is not UTF-8: {e}"),
            None,
        )
    })?;
    // serde_json with arbitrary precision: numbers keep every digit on the way in.
    serde_json::from_str(text).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            format!(
                "the body is not JSON: {e} (line {}, column {})",
                e.line(),
                e.column()
            ),
            None,
        )
    })
}

impl Shared {
    fn engine(&self) -> Arc<Engine> {
        match self.engine.read() {
            Ok(e) => e.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Appends one line per decision: enough to replay it (`policy replay`)
    fn log(&self, engine: &Engine, overrides: &[String], apps: &[Value], decisions: &[Value]) {
        let Some(log) = &self.log else { return };
        let Ok(mut w) = log.lock() else { return };
        let at = now();
        // Decisions of one request were decided together (count limits rank them together):
        // replay decides them together again.
        let request = self
            .requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        for (app, d) in apps.iter().zip(decisions) {
            let n = self
                .serial
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let input = app.to_string();
            let hash = format!("sha256:{:x}", Sha256::digest(input.as_bytes()));
            let line = json!({
                "decision": format!("{}-{n}", &engine.pack().fingerprint[7..19]),
                "time": at,
                "request": request,
                "fingerprint": engine.pack().fingerprint,
                "overrides": overrides,
                "input_hash": hash,
                "input": app,
                "id": d["id"],
                "clause": d["clause"],
                "status": d["status"],
                "amount": d["amount"],
            });
            let _ = writeln!(w, "{line}");
        }
        let _ = w.flush();
    }

    /// Runs blocking engine work off the async threads, within the request time limit
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Response> {
        match tokio::time::timeout(self.timeout, tokio::task::spawn_blocking(work)).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(_)) => Err(error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the request failed",
                None,
            )),
            Err(_) => Err(error(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "the request took longer than {} ms",
                    self.timeout.as_millis()
                ),
                None,
            )),
        }
    }
}

async fn decide(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let value = match parse_body(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let apps = match applications(&value) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let engine = s.engine();
    let e = engine.clone();
    let result = s
        .blocking(move || {
            let d = e.decide(&apps);
            let t = e.totals(&d);
            (d, t)
        })
        .await;
    match result {
        Err(r) => r,
        Ok((decisions, totals)) => {
            let decisions: Vec<Value> = decisions
                .iter()
                .map(|d| serde_json::to_value(d).unwrap_or(Value::Null))
                .collect();
            let inputs: Vec<Value> = match &value {
                Value::Array(a) => a.clone(),
                other => vec![other.clone()],
            };
            s.log(&engine, &[], &inputs, &decisions);
            answer(
                &engine,
                json!({"pack": pack_ref(&engine), "decisions": decisions, "totals": totals}),
            )
        }
    }
}

async fn explain(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let value = match parse_body(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (apps_value, id) = match &value {
        Value::Object(o) if o.contains_key("applications") => (
            o.get("applications").cloned().unwrap_or(Value::Null),
            o.get("id").and_then(Value::as_str).map(str::to_string),
        ),
        Value::Object(o) => (
            value.clone(),
            o.get("id").and_then(Value::as_str).map(str::to_string),
        ),
        _ => (Value::Null, None),
    };
    let Some(id) = id else {
        return error(
            StatusCode::BAD_REQUEST,
            "give the application's `id`",
            Some("id"),
        );
    };
    let apps = match applications(&apps_value) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let engine = s.engine();
    let e = engine.clone();
    let wanted = id.clone();
    match s.blocking(move || e.explain(&apps, &wanted)).await {
        Err(r) => r,
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            format!("no application with id `{id}`"),
            Some("id"),
        ),
        Ok(Some(x)) => answer(
            &engine,
            json!({"pack": pack_ref(&engine), "explanation": x}),
        ),
    }
}

async fn compare(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    let value = match parse_body(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(obj) = value.as_object() else {
        return error(
            StatusCode::BAD_REQUEST,
            "expected {\"applications\": [...], \"set\": {...}}",
            None,
        );
    };
    let apps = match applications(obj.get("applications").unwrap_or(&Value::Null)) {
        Ok(a) => a,
        Err(r) => return r,
    };
    // Overrides as {"clause.param": value} or ["clause.param=value"]: checked whole first.
    let sets: Vec<String> = match obj.get("set") {
        None => Vec::new(),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            })
            .collect(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect(),
        Some(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "`set` must be an object or a list",
                Some("set"),
            )
        }
    };
    // Or a scenario: {"name": …, "set": {...}, "disable": [...]} (no script replacement
    // over HTTP: a request cannot bring code).
    let mut disable: Vec<String> = Vec::new();
    let mut sets = sets;
    let mut name = None;
    if let Some(sc) = obj.get("scenario") {
        let Some(sc) = sc.as_object() else {
            return error(
                StatusCode::BAD_REQUEST,
                "`scenario` must be an object",
                Some("scenario"),
            );
        };
        if let Some(unknown) = sc
            .keys()
            .find(|k| !matches!(k.as_str(), "name" | "description" | "set" | "disable"))
        {
            return error(
                StatusCode::BAD_REQUEST,
                format!("unknown key `{unknown}` in `scenario` (name, description, set, disable)"),
                Some("scenario"),
            );
        }
        name = sc.get("name").and_then(Value::as_str).map(str::to_string);
        if let Some(Value::Object(m)) = sc.get("set") {
            sets.extend(m.iter().map(|(k, v)| match v {
                Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            }));
        }
        if let Some(Value::Array(a)) = sc.get("disable") {
            disable.extend(a.iter().filter_map(|v| v.as_str().map(str::to_string)));
        }
    }
    if sets.is_empty() && disable.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "nothing to compare: give `set` or a `scenario`",
            Some("set"),
        );
    }
    let engine = s.engine();
    let disabled = if disable.is_empty() {
        Ok((*engine).clone())
    } else {
        let changes = disable
            .iter()
            .map(|c| policy_engine::Change::Disable {
                clause: c.clone(),
                origin: policy_engine::Origin {
                    file: PathBuf::from("request"),
                    pos: None,
                },
            })
            .collect();
        engine.with_scenario(&policy_engine::Scenario {
            name: String::new(),
            description: None,
            changes,
        })
    };
    let variant = match disabled.and_then(|e| {
        if sets.is_empty() {
            Ok(e)
        } else {
            e.with_sets(&sets)
        }
    }) {
        Ok(v) => v,
        Err(errors) => {
            let all: Vec<String> = errors.0.iter().map(|e| e.message.clone()).collect();
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(
                    json!({"error": "the overrides do not apply", "field": "set", "errors": all}),
                ),
            )
                .into_response();
        }
    };
    let e = engine.clone();
    let name = name.unwrap_or_else(|| {
        let mut parts = sets.clone();
        parts.extend(disable.iter().map(|c| format!("{c} off")));
        parts.join(" ")
    });
    match s
        .blocking(move || e.compare(&apps, &[(name.as_str(), &variant)]))
        .await
    {
        Err(r) => r,
        Ok(c) => answer(
            &engine,
            json!({"baseline": pack_ref(&engine), "comparisons": c}),
        ),
    }
}

async fn clauses(State(s): State<Arc<Shared>>) -> Response {
    let engine = s.engine();
    let list: Vec<Value> = engine
        .pack()
        .clauses
        .iter()
        .map(|c| {
            json!({
                "id": c.id, "title": c.title, "article": c.article, "text": c.text, "kind": c.kind,
                "parameters": c.parameters.iter().map(|p| json!({
                    "name": p.name, "value": p.written(), "unit": p.unit.name(), "description": p.description,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    answer(&engine, json!({"pack": pack_ref(&engine), "clauses": list}))
}

async fn pack(State(s): State<Arc<Shared>>) -> Response {
    let engine = s.engine();
    let loaded_at = s.loaded_at.lock().map(|l| l.clone()).unwrap_or_default();
    let last = s.last_reload.lock().ok().and_then(|l| l.clone());
    let p = engine.pack();
    answer(
        &engine,
        json!({
            "id": p.id, "version": p.version, "fingerprint": p.fingerprint,
            "status": p.status, "loaded_at": loaded_at, "last_reload": last,
        }),
    )
}

async fn schema(State(s): State<Arc<Shared>>) -> Response {
    let engine = s.engine();
    answer(
        &engine,
        json!({
            "application": policy_engine::application_schema(engine.pack()),
            "decisions": policy_engine::decisions_schema(),
        }),
    )
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn openapi() -> Response {
    axum::Json(json!({
        "openapi": "3.0.3",
        "info": {"title": "policy-engine", "version": env!("CARGO_PKG_VERSION")},
        "paths": {
            "/v1/decide": {"post": {"summary": "Decide one application (a JSON object) or a list",
                "responses": {"200": {"description": "pack, decisions, totals"}, "400": {"description": "not JSON, or not applications"}, "413": {"description": "body too large"}}}},
            "/v1/explain": {"post": {"summary": "Explain one decision: {\"id\": …, \"applications\": [...]}",
                "responses": {"200": {"description": "the explanation"}, "404": {"description": "no such id"}}}},
            "/v1/compare": {"post": {"summary": "Baseline against overrides: {\"applications\": [...], \"set\": {\"clause.param\": value}}",
                "responses": {"200": {"description": "the comparison"}, "400": {"description": "overrides that do not apply"}}}},
            "/v1/clauses": {"get": {"summary": "The clauses with their parameters", "responses": {"200": {"description": "clauses"}}}},
            "/v1/pack": {"get": {"summary": "The pack in force, when it was loaded, the last reload and its outcome", "responses": {"200": {"description": "pack"}}}},
            "/healthz": {"get": {"summary": "Liveness", "responses": {"200": {"description": "ok"}}}},
        },
    }))
    .into_response()
}

/// Loads and checks a pack as a candidate to serve
fn candidate(dir: &Path, require_tests: bool) -> Result<Engine, Vec<String>> {
    let engine =
        Engine::load(dir).map_err(|e| e.0.iter().map(|x| x.to_string()).collect::<Vec<_>>())?;
    if require_tests {
        let report = engine
            .run_tests()
            .map_err(|e| e.0.iter().map(|x| x.to_string()).collect::<Vec<_>>())?;
        if report.failed > 0 || report.cases.is_empty() {
            return Err(vec![format!(
                "the pack's tests do not pass: {} passed, {} failed",
                report.passed, report.failed
            )]);
        }
    }
    Ok(engine)
}

/// Watches the pack and swaps in every good revision
fn reloader(shared: Arc<Shared>, dir: PathBuf, require_tests: bool) {
    let mut files = crate::watch::snapshot(&dir);
    loop {
        std::thread::sleep(Duration::from_millis(250));
        let now_files = crate::watch::snapshot(&dir);
        if now_files == files {
            continue;
        }
        files = now_files;
        let at = now();
        let outcome = match candidate(&dir, require_tests) {
            Ok(engine) => {
                let fingerprint = engine.pack().fingerprint.clone();
                if let Ok(mut e) = shared.engine.write() {
                    *e = Arc::new(engine);
                }
                if let Ok(mut l) = shared.loaded_at.lock() {
                    *l = at.clone();
                }
                eprintln!("{at} reloaded {}: {fingerprint}", dir.display());
                Reload {
                    at,
                    ok: true,
                    fingerprint: Some(fingerprint),
                    errors: Vec::new(),
                }
            }
            Err(errors) => {
                eprintln!(
                    "{at} refused a change to {}: {}",
                    dir.display(),
                    errors.join("; ")
                );
                Reload {
                    at,
                    ok: false,
                    fingerprint: None,
                    errors,
                }
            }
        };
        if let Ok(mut l) = shared.last_reload.lock() {
            *l = Some(outcome);
        }
    }
}

/// The router over an engine: for `serve` and for tests
fn router(shared: Arc<Shared>, max_body_bytes: usize) -> Router {
    Router::new()
        .route("/v1/decide", post(decide))
        .route("/v1/explain", post(explain))
        .route("/v1/compare", post(compare))
        .route("/v1/clauses", get(clauses))
        .route("/v1/pack", get(pack))
        .route("/v1/schema", get(schema))
        .route("/healthz", get(healthz))
        .route("/openapi.json", get(openapi))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .with_state(shared)
}

/// Serves until the process ends; `bound` receives the address actually bound (port 0 picks
/// one)
pub fn serve(
    opts: Options,
    bound: Option<std::sync::mpsc::Sender<SocketAddr>>,
) -> Result<(), String> {
    let engine = candidate(&opts.pack, opts.require_tests)
        .map_err(|e| format!("error: {}", e.join("\n")))?;
    let log = match &opts.decision_log {
        None => None,
        Some(path) => Some(Mutex::new(std::io::BufWriter::new(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| format!("error: cannot open {}: {e}", path.display()))?,
        ))),
    };
    let shared = Arc::new(Shared {
        engine: RwLock::new(Arc::new(engine)),
        loaded_at: Mutex::new(now()),
        last_reload: Mutex::new(None),
        log,
        timeout: opts.timeout,
        serial: std::sync::atomic::AtomicU64::new(0),
        requests: std::sync::atomic::AtomicU64::new(0),
    });
    {
        let shared = shared.clone();
        let dir = opts.pack.clone();
        let require = opts.require_tests;
        std::thread::spawn(move || reloader(shared, dir, require));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("error: {e}"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(opts.addr)
            .await
            .map_err(|e| format!("error: cannot listen on {}: {e}", opts.addr))?;
        let addr = listener.local_addr().map_err(|e| format!("error: {e}"))?;
        eprintln!("serving {} on http://{addr}", opts.pack.display());
        if let Some(tx) = bound {
            let _ = tx.send(addr);
        }
        axum::serve(listener, router(shared, opts.max_body_bytes))
            .await
            .map_err(|e| format!("error: {e}"))
    })
}

/// `policy replay`: decides every logged request again with a pack and compares
pub fn replay(log: &Path, pack: &Path, out: &mut dyn FnMut(&str)) -> Result<bool, String> {
    let engine = Engine::load(pack).map_err(|e| crate::render::load_errors(&e))?;
    let text = std::fs::read_to_string(log)
        .map_err(|e| format!("error: cannot read {}: {e}", log.display()))?;
    let mut lines: Vec<Value> = Vec::new();
    for (i, l) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        lines.push(
            serde_json::from_str(l)
                .map_err(|e| format!("error: {}:{}: not a log line: {e}", log.display(), i + 1))?,
        );
    }
    let (mut same, mut differ, mut other_pack) = (0usize, 0usize, 0usize);
    let mut i = 0;
    while i < lines.len() {
        let request = lines[i]["request"].clone();
        let mut j = i;
        while j < lines.len() && lines[j]["request"] == request {
            j += 1;
        }
        let group = &lines[i..j];
        i = j;
        let overrides: Vec<String> = group[0]["overrides"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let variant = if overrides.is_empty() {
            engine.clone()
        } else {
            engine
                .with_sets(&overrides)
                .map_err(|e| crate::render::load_errors(&e))?
        };
        if group[0]["fingerprint"].as_str() != Some(variant.pack().fingerprint.as_str()) {
            other_pack += group.len();
        }
        let inputs = Value::Array(group.iter().map(|l| l["input"].clone()).collect());
        let apps = parse_applications(&inputs.to_string(), InputFormat::Json)
            .map_err(|(_, m)| format!("error: {m}"))?;
        for (logged, d) in group.iter().zip(variant.decide(&apps)) {
            let now_status = d.status.to_string();
            let now_amount = d.amount.to_string();
            if logged["status"].as_str() == Some(now_status.as_str())
                && logged["amount"].as_str() == Some(now_amount.as_str())
            {
                same += 1;
            } else {
                differ += 1;
                out(&format!(
                    "differs {}: logged {} {}, now {now_status} {now_amount}",
                    logged["decision"].as_str().unwrap_or("?"),
                    logged["status"].as_str().unwrap_or("?"),
                    logged["amount"].as_str().unwrap_or("?"),
                ));
            }
        }
    }
    if other_pack > 0 {
        out(&format!(
            "{other_pack} decisions were logged under another pack than {} (fingerprint {})",
            pack.display(),
            engine.pack().fingerprint
        ));
    }
    out(&format!(
        "{} replayed: {same} the same, {differ} different",
        same + differ
    ));
    Ok(differ == 0)
}
