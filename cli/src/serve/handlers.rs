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

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use policy_engine::{parse_applications, Engine, InputFormat, RawApplication};
use serde_json::{json, Value};

use super::state::Shared;

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
        .map_err(|e| error(StatusCode::BAD_REQUEST, e.message, None))
}

fn parse_body(bytes: &Bytes) -> Result<Value, Response> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            format!("the body is not UTF-8: {e}"),
            None,
        )
    })?;
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

pub(super) async fn decide(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
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
            if let Some(log) = &s.log {
                log.append(&engine, &[], &inputs, &decisions);
            }
            answer(
                &engine,
                json!({"pack": pack_ref(&engine), "decisions": decisions, "totals": totals}),
            )
        }
    }
}

pub(super) async fn explain(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
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

pub(super) async fn compare(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
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
            "decisions": policy_engine::decisions_schema(),
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

pub(super) async fn openapi() -> Response {
    axum::Json(json!({
        "openapi": "3.0.3",
        "info": {"title": "policy-engine", "version": env!("CARGO_PKG_VERSION")},
        "paths": {
            "/v1/decide": {"post": {"summary": "Decide one application (a JSON object) or a list",
                "description": DECIDE_TOGETHER,
                "responses": {"200": {"description": "pack, decisions, totals", "content": {"application/json": {"schema": decisions_openapi()}}}, "400": {"description": "not JSON, or not applications"}, "413": {"description": "body too large"}}}},
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
