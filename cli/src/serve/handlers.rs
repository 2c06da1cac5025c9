//! The HTTP handlers, each with the engine in force when its request arrives.
//!
//! Decide, explain, compare, clauses, pack, schema, health and the OpenAPI document. The
//! applications of one request are decided together: count limits rank them against each
//! other and settlement rules look at all of one applicant's applications in the request.

#![allow(
    clippy::result_large_err,
    reason = "a handler's early return is the HTTP response itself; boxing it buys nothing"
)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt as _;
use policy_engine::{
    parse_applications, with_deadline, Decision, Engine, InputFormat, RawApplication,
};
use serde::de::IgnoredAny;
use serde_json::{json, Value};

use super::state::Shared;

/// An error answer in both languages: `error` in English, `error_zh` in Chinese
fn refuse(status: StatusCode, zh: String, en: String, field: Option<&str>) -> Response {
    (
        status,
        axum::Json(json!({"error": en, "error_zh": zh, "field": field})),
    )
        .into_response()
}

fn error(status: StatusCode, message: impl Into<String>, field: Option<&str>) -> Response {
    (
        status,
        axum::Json(json!({"error": message.into(), "field": field})),
    )
        .into_response()
}

/// A JSON answer already written, carrying the pack's fingerprint in a header as well
fn answer_bytes(engine: &Engine, body: Vec<u8>) -> Response {
    let mut r = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&engine.pack().fingerprint) {
        r.headers_mut().insert("x-pack-fingerprint", v);
    }
    r
}

/// A JSON response carrying the pack's fingerprint in a header as well
fn answer(engine: &Engine, body: Value) -> Response {
    let mut r = axum::Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&engine.pack().fingerprint) {
        r.headers_mut().insert("x-pack-fingerprint", v);
    }
    r
}

/// Every response names the pack in force, errors included (a handler that answered with
/// the engine it decided with has set it already)
pub(super) async fn fingerprint(
    State(s): State<Arc<Shared>>,
    req: Request,
    next: Next,
) -> Response {
    let mut r = next.run(req).await;
    if !r.headers().contains_key("x-pack-fingerprint") {
        if let Ok(v) = HeaderValue::from_str(&s.engine().pack().fingerprint) {
            r.headers_mut().insert("x-pack-fingerprint", v);
        }
    }
    r
}

fn pack_ref(engine: &Engine) -> Value {
    let p = engine.pack();
    json!({"id": p.id, "version": p.version, "fingerprint": p.fingerprint})
}

/// The applications of a body: one JSON object, or a list of them; `text` is the value's
/// JSON when the caller has it, so it is not written again
fn applications(body: &Value, text: Option<&str>) -> Result<Vec<RawApplication>, Response> {
    let list = match (body, text) {
        (Value::Array(_), Some(t)) => std::borrow::Cow::Borrowed(t),
        (Value::Object(_), Some(t)) => std::borrow::Cow::Owned(format!("[{t}]")),
        (Value::Array(_), None) => std::borrow::Cow::Owned(body.to_string()),
        (Value::Object(_), None) => std::borrow::Cow::Owned(format!("[{body}]")),
        _ => {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "expected an application (a JSON object) or a list of them",
                None,
            ))
        }
    };
    parse_applications(&list, InputFormat::Json)
        .map_err(|e| error(StatusCode::BAD_REQUEST, e.message, None))
}

/// How many applications a body brings, counted without building them: a list's items, a
/// request's `applications`, else one
fn count_applications(text: &str) -> usize {
    #[derive(serde::Deserialize)]
    struct Wrapped {
        applications: Option<Vec<IgnoredAny>>,
    }
    if let Ok(list) = serde_json::from_str::<Vec<IgnoredAny>>(text) {
        return list.len();
    }
    serde_json::from_str::<Wrapped>(text)
        .ok()
        .and_then(|w| w.applications)
        .map_or(1, |a| a.len())
}

/// The body as text (a leading UTF-8 BOM dropped, as the CLI drops it), its applications
/// counted against the limit, and read as JSON
fn parse_body<'a>(s: &Shared, bytes: &'a [u8]) -> Result<(&'a str, Value), Response> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            format!("the body is not UTF-8: {e}"),
            None,
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Counted before anything is built: a body of a million `{}` costs a scan, no more.
    let count = count_applications(text);
    let max = s.limits.max_applications;
    if count > max {
        return Err(refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("一次请求最多 {max} 件申报，本请求有 {count} 件：请分成几次请求"),
            format!("at most {max} applications per request, this one has {count}: send them in several requests"),
            None,
        ));
    }
    // A key given twice is refused, as `policy run` refuses it: never the last copy silently.
    if let Some((key, e)) = super::unique_keys::repeated_key(text) {
        return Err(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "the key `{key}` is given twice in one object (line {}, column {}): give it once",
                e.line(),
                e.column()
            ),
            Some(&key),
        ));
    }
    // serde_json with arbitrary precision: numbers keep every digit on the way in.
    let value = serde_json::from_str(text).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            format!(
                "the body is not JSON: {e} (line {}, column {})",
                e.line(),
                e.column()
            ),
            None,
        )
    })?;
    Ok((text, value))
}

/// The 503 of a request stopped at its time limit
fn too_slow(s: &Shared) -> Response {
    let ms = s.timeout.as_millis();
    refuse(
        StatusCode::SERVICE_UNAVAILABLE,
        format!("请求超过 {ms} 毫秒的时限，已停止，没有作出决定"),
        format!("the request took longer than {ms} ms and was stopped; nothing was decided"),
        None,
    )
}

/// An answer written to bytes, refused if larger than the limit
fn written(s: &Shared, body: &impl serde::Serialize) -> Result<Vec<u8>, Response> {
    let bytes = serde_json::to_vec(body)
        .map_err(|e| error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string(), None))?;
    let max = s.limits.max_response_bytes;
    if bytes.len() > max {
        let n = bytes.len();
        return Err(refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("答复将有 {n} 字节，超过上限 {max} 字节：请减少每次请求的申报件数"),
            format!("the answer would be {n} bytes, over the limit of {max}: send fewer applications per request"),
            None,
        ));
    }
    Ok(bytes)
}

/// Reads a request's body within the read time limit and the size limit
async fn read_body(s: &Shared, req: Request) -> Result<Vec<u8>, Response> {
    let max = s.max_body_bytes;
    let too_large = || {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("请求体超过 {max} 字节的上限"),
            format!("the body is larger than the limit of {max} bytes"),
            None,
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    let mut body = req.into_body();
    let read = async {
        let mut out = Vec::with_capacity(declared.map_or(0, |n| usize::try_from(n).unwrap_or(0)));
        while let Some(frame) = body.frame().await {
            let Ok(frame) = frame else {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    "the body could not be read",
                    None,
                ));
            };
            if let Ok(data) = frame.into_data() {
                if out.len() + data.len() > max {
                    return Err(too_large());
                }
                out.extend_from_slice(&data);
            }
        }
        Ok(out)
    };
    let within = s.limits.read_timeout;
    tokio::time::timeout(within, read)
        .await
        .unwrap_or_else(|_| {
            let ms = within.as_millis();
            Err(refuse(
                StatusCode::REQUEST_TIMEOUT,
                format!("请求体在 {ms} 毫秒内没有传完"),
                format!("the body did not arrive within {ms} ms"),
                None,
            ))
        })
}

/// Runs a request's work on a blocking thread: admitted only if the queue has room (else 503
/// with Retry-After), started when a worker is free, stopped at the time limit. The permits
/// go with the work, so the count of running work is bounded even where a client has gone.
async fn run(
    s: Arc<Shared>,
    req: Request,
    work: fn(&Shared, &[u8], Instant) -> Response,
) -> Response {
    let deadline = Instant::now() + s.timeout;
    let body = match read_body(&s, req).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Ok(admitted) = s.admission.clone().try_acquire_owned() else {
        let mut r = refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "服务繁忙，等待的请求已满：请稍后重试".to_string(),
            "the server is busy and its queue is full: retry shortly".to_string(),
            None,
        );
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return r;
    };
    let worker =
        match tokio::time::timeout_at(deadline.into(), s.workers.clone().acquire_owned()).await {
            Ok(Ok(w)) => w,
            Ok(Err(_)) => {
                return error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the request failed",
                    None,
                )
            }
            Err(_) => return too_slow(&s),
        };
    let shared = s.clone();
    let job = tokio::task::spawn_blocking(move || {
        let _held = (admitted, worker);
        work(&shared, &body, deadline)
    });
    // The work stops itself at the deadline; this bound only covers a stage that cannot be
    // stopped, and the work keeps its worker until it ends.
    match tokio::time::timeout_at((deadline + GRACE).into(), job).await {
        Ok(Ok(r)) => r,
        Ok(Err(_)) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the request failed",
            None,
        ),
        Err(_) => too_slow(&s),
    }
}

/// How long past its time limit a request's work may take to notice it
const GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// Whether the request's time ran out while it worked: its decisions are then discarded
fn late(deadline: Instant) -> bool {
    Instant::now() > deadline
}

pub(super) async fn decide(State(s): State<Arc<Shared>>, req: Request) -> Response {
    run(s, req, decide_work).await
}

#[derive(serde::Serialize)]
struct Decided<'a> {
    pack: Value,
    decisions: &'a [Decision],
    totals: &'a policy_engine::Totals,
}

fn decide_work(s: &Shared, body: &[u8], deadline: Instant) -> Response {
    let (text, value) = match parse_body(s, body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let apps = match applications(&value, Some(text)) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let engine = s.engine();
    let decisions = with_deadline(deadline, || engine.decide(&apps));
    if late(deadline) {
        return too_slow(s);
    }
    let totals = engine.totals(&decisions);
    let bytes = match written(
        s,
        &Decided {
            pack: pack_ref(&engine),
            decisions: &decisions,
            totals: &totals,
        },
    ) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if let Some(log) = &s.log {
        let inputs: Vec<&Value> = match &value {
            Value::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        // Written whole before the answer leaves: an answered decision is in the log.
        if let Err(e) = log.append(&engine, &[], &inputs, &decisions) {
            return refuse(StatusCode::INTERNAL_SERVER_ERROR, e.zh, e.en, None);
        }
    }
    answer_bytes(&engine, bytes)
}

pub(super) async fn explain(State(s): State<Arc<Shared>>, req: Request) -> Response {
    run(s, req, explain_work).await
}

fn explain_work(s: &Shared, body: &[u8], deadline: Instant) -> Response {
    let (_, value) = match parse_body(s, body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (apps_value, id) = match &value {
        Value::Object(o) if o.contains_key("applications") => (
            o.get("applications").unwrap_or(&Value::Null),
            o.get("id").and_then(Value::as_str).map(str::to_string),
        ),
        Value::Object(o) => (
            &value,
            o.get("id").and_then(Value::as_str).map(str::to_string),
        ),
        _ => (&Value::Null, None),
    };
    let Some(id) = id else {
        return error(
            StatusCode::BAD_REQUEST,
            "give the application's `id`",
            Some("id"),
        );
    };
    let apps = match applications(apps_value, None) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let engine = s.engine();
    let explained = with_deadline(deadline, || engine.explain(&apps, &id));
    if late(deadline) {
        return too_slow(s);
    }
    match explained {
        None => error(
            StatusCode::NOT_FOUND,
            format!("no application with id `{id}`"),
            Some("id"),
        ),
        Some(x) => match written(s, &json!({"pack": pack_ref(&engine), "explanation": x})) {
            Ok(b) => answer_bytes(&engine, b),
            Err(r) => r,
        },
    }
}

pub(super) async fn compare(State(s): State<Arc<Shared>>, req: Request) -> Response {
    run(s, req, compare_work).await
}

fn compare_work(s: &Shared, body: &[u8], deadline: Instant) -> Response {
    let (_, value) = match parse_body(s, body) {
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
    let apps = match applications(obj.get("applications").unwrap_or(&Value::Null), None) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Overrides {
        sets,
        disable,
        name,
    } = match overrides(obj) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let engine = s.engine();
    let variant = match variant(&engine, &sets, &disable) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let name = name.unwrap_or_else(|| {
        let mut parts = sets.clone();
        parts.extend(disable.iter().map(|c| format!("{c} off")));
        parts.join(" ")
    });
    let compared = with_deadline(deadline, || {
        engine.compare(&apps, &[(name.as_str(), &variant)])
    });
    if late(deadline) {
        return too_slow(s);
    }
    match written(
        s,
        &json!({"baseline": pack_ref(&engine), "comparisons": compared}),
    ) {
        Ok(b) => answer_bytes(&engine, b),
        Err(r) => r,
    }
}

/// What a compare request changes: `set` overrides, clauses to disable, and the name to show
struct Overrides {
    sets: Vec<String>,
    disable: Vec<String>,
    name: Option<String>,
}

/// The overrides of a compare request, from `set` and `scenario`
fn overrides(obj: &serde_json::Map<String, Value>) -> Result<Overrides, Response> {
    // Overrides as {"clause.param": value} or ["clause.param=value"]: checked whole first.
    let sets: Vec<String> = match obj.get("set") {
        None => Vec::new(),
        Some(Value::Object(m)) => assignments(m).collect(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect(),
        Some(_) => {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "`set` must be an object or a list",
                Some("set"),
            ))
        }
    };
    // Or a scenario: {"name": …, "set": {...}, "disable": [...]} (no script replacement
    // over HTTP: a request cannot bring code).
    let mut disable: Vec<String> = Vec::new();
    let mut sets = sets;
    let mut name = None;
    if let Some(sc) = obj.get("scenario") {
        let Some(sc) = sc.as_object() else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "`scenario` must be an object",
                Some("scenario"),
            ));
        };
        if let Some(unknown) = sc
            .keys()
            .find(|k| !matches!(k.as_str(), "name" | "description" | "set" | "disable"))
        {
            return Err(error(
                StatusCode::BAD_REQUEST,
                format!("unknown key `{unknown}` in `scenario` (name, description, set, disable)"),
                Some("scenario"),
            ));
        }
        name = sc.get("name").and_then(Value::as_str).map(str::to_string);
        if let Some(Value::Object(m)) = sc.get("set") {
            sets.extend(assignments(m));
        }
        if let Some(Value::Array(a)) = sc.get("disable") {
            disable.extend(a.iter().filter_map(|v| v.as_str().map(str::to_string)));
        }
    }
    if sets.is_empty() && disable.is_empty() {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "nothing to compare: give `set` or a `scenario`",
            Some("set"),
        ));
    }
    Ok(Overrides {
        sets,
        disable,
        name,
    })
}

/// `{"clause.param": value}` as `clause.param=value` lines, as `--set` takes them
fn assignments(m: &serde_json::Map<String, Value>) -> impl Iterator<Item = String> + '_ {
    m.iter().map(|(k, v)| match v {
        Value::String(s) => format!("{k}={s}"),
        other => format!("{k}={other}"),
    })
}

/// The engine in force with the clauses disabled and the overrides set, or the 400 response
/// that says why they do not apply
fn variant(engine: &Engine, sets: &[String], disable: &[String]) -> Result<Engine, Response> {
    let disabled = if disable.is_empty() {
        Ok((*engine).clone())
    } else {
        let changes = disable
            .iter()
            .map(|c| policy_engine::ScenarioChange::Disable {
                clause: c.clone(),
                origin: policy_engine::ChangeOrigin {
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
    disabled
        .and_then(|e| {
            if sets.is_empty() {
                Ok(e)
            } else {
                e.with_sets(sets)
            }
        })
        .map_err(|errors| {
            let all: Vec<String> = errors.0.iter().map(|e| e.message.clone()).collect();
            (
                StatusCode::BAD_REQUEST,
                axum::Json(
                    json!({"error": "the overrides do not apply", "field": "set", "errors": all}),
                ),
            )
                .into_response()
        })
}

pub(super) async fn clauses(State(s): State<Arc<Shared>>) -> Response {
    let engine = s.engine();
    let pack = engine.pack();
    let list: Vec<Value> = pack
        .clauses
        .iter()
        .map(|c| {
            json!({
                "id": c.id, "title": c.title, "article": c.article, "text": c.text, "kind": c.kind,
                "parameters": parameters_json(&c.parameters),
            })
        })
        .collect();
    let mut body = json!({"pack": pack_ref(&engine), "clauses": list});
    // Added only where the pack has rules, so a pack without them answers as before.
    if !pack.settlement.is_empty() {
        let rules: Vec<Value> = pack
            .settlement
            .iter()
            .map(|r| {
                json!({
                    "id": r.id, "title": r.title, "article": r.article, "text": r.text,
                    "rule": r.kind_name(), "what": r.describe(),
                    "applicant": r.applicant, "per": r.per,
                    "parameters": parameters_json(&r.parameters),
                })
            })
            .collect();
        body["applicant"] = json!(pack.applicant);
        body["settlement"] = Value::Array(rules);
    }
    answer(&engine, body)
}

/// A clause's or a rule's parameters, each with its value as written
fn parameters_json(parameters: &[policy_engine::Parameter]) -> Vec<Value> {
    parameters
        .iter()
        .map(|p| {
            json!({
                "name": p.name, "value": p.written(), "unit": p.unit.name(), "description": p.description,
            })
        })
        .collect()
}

pub(super) async fn pack(State(s): State<Arc<Shared>>) -> Response {
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

pub(super) async fn schema(State(s): State<Arc<Shared>>) -> Response {
    let engine = s.engine();
    answer(
        &engine,
        json!({
            "application": policy_engine::application_schema(engine.pack()),
            "decisions": engine.decisions_schema(),
        }),
    )
}

pub(super) async fn healthz() -> &'static str {
    "ok\n"
}

/// How `/v1/decide` treats the applications of one request
const DECIDE_TOGETHER: &str = "The applications of one request are decided together, as one batch of `policy run`: count limits rank them against each other, and settlement rules look at all of one applicant's applications in the request (就高不重复 keeps the highest award, a cap per applicant cuts the excess, an award that builds on another needs it). Send every application of an applicant in one request for them to be settled; applications sent in different requests are not settled against each other. A decision's status is one of: awarded, ineligible, capped (a count limit, or a cap per applicant that left nothing), superseded (a settlement rule paid the same applicant's higher award instead), error.";

/// The decisions document of `/v1/decide` in OpenAPI 3.0 terms: the status enum and the
/// fields of a decision. The statuses are taken from the JSON Schema of decisions, so the two
/// cannot disagree.
fn decisions_openapi() -> Value {
    let statuses = policy_engine::decisions_schema()["properties"]["decisions"]["items"]
        ["properties"]["status"]["enum"]
        .clone();
    json!({
        "type": "object",
        "required": ["pack", "decisions", "totals"],
        "properties": {
            "pack": {"type": "object"},
            "decisions": {"type": "array", "items": {
                "type": "object",
                "required": ["id", "kind", "clause", "status", "amount", "reasons"],
                "properties": {
                    "id": {"type": "string", "nullable": true},
                    "kind": {"type": "string", "nullable": true},
                    "clause": {"type": "string", "nullable": true},
                    "status": {"type": "string", "enum": statuses},
                    "amount": {"type": "string", "description": "yuan, exactly two decimals; 0.00 unless awarded"},
                    "reasons": {"type": "array", "items": {"type": "string"}, "description": "why, citing the article; a settlement rule adds its own, citing the rule"},
                },
            }},
            "totals": {"type": "object"},
        },
    })
}

/// The bounds a client meets, for the API document
fn limits(s: &Shared) -> String {
    format!(
        "Limits: at most {} applications per request (413 past it; send several requests), a body of at most {} bytes (413), an answer of at most {} bytes (413), {} ms per request, after which the work stops and the answer is 503 with nothing decided or logged; when {} requests are being decided and {} more wait, another gets 503 with Retry-After. An error's `error` is in English, `error_zh` in Chinese where given. A leading UTF-8 byte order mark is accepted.",
        s.limits.max_applications,
        s.max_body_bytes,
        s.limits.max_response_bytes,
        s.timeout.as_millis(),
        s.limits.workers,
        s.limits.queue,
    )
}

pub(super) async fn openapi(State(s): State<Arc<Shared>>) -> Response {
    axum::Json(json!({
        "openapi": "3.0.3",
        "info": {"title": "policy-engine", "version": env!("CARGO_PKG_VERSION")},
        "paths": {
            "/v1/decide": {"post": {"summary": "Decide one application (a JSON object) or a list",
                "description": format!("{DECIDE_TOGETHER} {}", limits(&s)),
                "responses": {"200": {"description": "pack, decisions, totals", "content": {"application/json": {"schema": decisions_openapi()}}}, "400": {"description": "not JSON, or not applications"}, "408": {"description": "the body did not arrive within the read time limit"}, "413": {"description": "body too large, too many applications, or an answer over the size limit"}, "422": {"description": "a key given twice in one object"}, "500": {"description": "the decision log could not be written: nothing was decided"}, "503": {"description": "over the time limit (the work was stopped), or the server is busy (with Retry-After)"}}}},
            "/v1/explain": {"post": {"summary": "Explain one decision: {\"id\": …, \"applications\": [...]}",
                "description": "The decision is made in the context of the applications given, as /v1/decide makes it: count limits and settlement rules look at the others. When settlement rules looked at it, `explanation.settlement` gives the clause's own status and amount before the rules and each rule applied, in order, with its reason.",
                "responses": {"200": {"description": "the explanation"}, "404": {"description": "no such id"}}}},
            "/v1/compare": {"post": {"summary": "Baseline against overrides: {\"applications\": [...], \"set\": {\"clause.param\": value}}",
                "description": "Both sides decide the applications of the request together, settlement rules included; `set` may address a rule's parameter as `rule-id.name`. A decision's status is one of: awarded, ineligible, capped, superseded, error.",
                "responses": {"200": {"description": "the comparison"}, "400": {"description": "overrides that do not apply"}}}},
            "/v1/clauses": {"get": {"summary": "The clauses with their parameters, and the settlement rules with theirs",
                "responses": {"200": {"description": "pack, clauses; where the pack has settlement rules, also `applicant` (who the same applicant is) and `settlement` (each rule's id, title, article, text, rule, what, applicant, per, parameters, in the order applied)"}}}},
            "/v1/pack": {"get": {"summary": "The pack in force, when it was loaded, the last reload and its outcome", "responses": {"200": {"description": "pack"}}}},
            "/healthz": {"get": {"summary": "Liveness", "responses": {"200": {"description": "ok"}}}},
        },
    }))
    .into_response()
}
