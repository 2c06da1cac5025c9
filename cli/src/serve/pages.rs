//! The calculator page over HTTP: `GET /` (the kinds, a kind's form, every kind's form with
//! `kind=*`, or with facts in the query the answer again), `POST /` (a form), and the
//! embedded assets. The HTML is made in
//! `crate::web`; here each request is bounded as the API's are: the body's size and reading
//! time, the queue and workers, and the time to decide.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt as _;
use policy_engine::{parse_applications, with_deadline, InputFormat, Lang, Status};

use super::state::Shared;
use crate::messages::web as w;
use crate::web::{self, Outcome, Submitted};

/// A form body larger than this is refused: a form of a kind's fields is a few hundred bytes
const MAX_FORM_BYTES: usize = 64 << 10;

/// An HTML page with headers that keep it to itself: scripts and requests to its own origin
/// only (none inline), nothing from elsewhere, no framing, and the facts in its address not
/// sent to other sites as a referrer, nor cached
pub(super) fn page(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// A refusal as a short page in the reader's language
pub(super) fn refused(status: StatusCode, lang: Lang, text: &str) -> Response {
    let body = maud::html! {
        (maud::DOCTYPE)
        html lang=(lang.pick("zh-CN", "en")) {
            head { meta charset="utf-8"; title { (w::W_TITLE.get(lang)) } }
            body { p role="alert" { (text) } p { a href="/" { (w::W_TITLE.get(lang)) } } }
        }
    };
    page(status, body.into_string())
}

pub(super) fn asset(kind: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("max-age=3600"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        body,
    )
        .into_response()
}

pub(super) async fn style() -> Response {
    asset("text/css; charset=utf-8", web::STYLE)
}

pub(super) async fn print() -> Response {
    asset("text/css; charset=utf-8", web::PRINT)
}

pub(super) async fn icon() -> Response {
    asset("image/svg+xml", web::ICON)
}

pub(super) async fn script() -> Response {
    asset("text/javascript; charset=utf-8", web::SCRIPT)
}

/// `GET /`: the kinds; a kind's blank form; or, with facts in the query, the answer
pub(super) async fn get(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let query = req.uri().query().unwrap_or_default().as_bytes().to_vec();
    answer(s, query).await
}

/// `POST /`: a form of this page, and only that: url-encoded as a browser posts it, or the
/// same fields as a JSON object of texts, as the page's script sends them
pub(super) async fn post(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let lang = Submitted::parse(req.uri().query().unwrap_or_default().as_bytes()).lang();
    let Some(form) = form_type(req.headers()) else {
        return refused(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            lang,
            w::W_NOT_FORM.get(lang),
        );
    };
    if !same_origin(req.method(), req.headers()) {
        return refused(StatusCode::FORBIDDEN, lang, w::W_CROSS_SITE.get(lang));
    }
    let bound = MAX_FORM_BYTES.min(s.max_body_bytes);
    let body = match read_form(&s, req).await {
        Ok(body) => body,
        Err(status) => return refused(status, lang, &unread(status, lang, bound)),
    };
    match form {
        FormType::UrlEncoded => answer(s, body).await,
        FormType::Json => match json_as_form(&body) {
            Some(encoded) => answer(s, encoded.into_bytes()).await,
            None => refused(StatusCode::BAD_REQUEST, lang, w::W_NOT_JSON_FORM.get(lang)),
        },
    }
}

/// A JSON object's members in order, repeats kept (a map would keep one of them silently)
struct Fields(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for Fields {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Fields, D::Error> {
        struct Members;
        impl<'de> serde::de::Visitor<'de> for Members {
            type Value = Fields;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Fields, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry()? {
                    members.push(member);
                }
                Ok(Fields(members))
            }
        }
        d.deserialize_map(Members)
    }
}

/// How a form was sent
enum FormType {
    UrlEncoded,
    Json,
}

/// A JSON object of the form's fields as the url-encoded text a browser would have sent, so
/// both take one path: each value a text (numbers and true/false as written); `None` for
/// anything else (not an object, a nested value, null)
fn json_as_form(body: &[u8]) -> Option<String> {
    let Fields(fields) = serde_json::from_slice(body).ok()?;
    let mut names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    if names.windows(2).any(|w| w[0] == w[1]) {
        // A field given twice is refused, not taken last (or first) without a word.
        return None;
    }
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (name, value) in &fields {
        let text = match value {
            serde_json::Value::String(t) => t.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            _ => return None,
        };
        form.append_pair(name, &text);
    }
    Some(form.finish())
}

/// Why a body was not read, in the reader's language: too large (naming the bound), too slow,
/// or broken off
pub(super) fn unread(status: StatusCode, lang: Lang, bound: usize) -> String {
    let size = if bound % 1024 == 0 {
        format!("{} KiB", bound / 1024)
    } else {
        w::W_BYTES.fill(lang, &[&bound])
    };
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => w::W_BODY_TOO_LARGE.fill(lang, &[&size]),
        StatusCode::REQUEST_TIMEOUT => w::W_BODY_TOO_SLOW.get(lang).into(),
        _ => w::W_BODY_BROKEN.get(lang).into(),
    }
}

/// Any path that is not a page nor the API's: a short page in the reader's language (the
/// API's paths keep their bare status, for programs)
pub(super) async fn not_found(req: Request) -> Response {
    if is_api(req.uri().path()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let lang = Submitted::parse(req.uri().query().unwrap_or_default().as_bytes()).lang();
    refused(StatusCode::NOT_FOUND, lang, w::W_NO_PAGE.get(lang))
}

/// A method a page does not take (the router adds `Allow`): a short page, as for a path
pub(super) async fn not_allowed(req: Request) -> Response {
    if is_api(req.uri().path()) {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let lang = Submitted::parse(req.uri().query().unwrap_or_default().as_bytes()).lang();
    refused(
        StatusCode::METHOD_NOT_ALLOWED,
        lang,
        w::W_NO_METHOD.get(lang),
    )
}

fn is_api(path: &str) -> bool {
    path == "/v1" || path.starts_with("/v1/") || path == "/healthz" || path == "/openapi.json"
}

fn form_type(headers: &HeaderMap) -> Option<FormType> {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())?
        .trim();
    if kind.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        Some(FormType::UrlEncoded)
    } else if kind.eq_ignore_ascii_case("application/json") {
        Some(FormType::Json)
    } else {
        None
    }
}

/// Whether a form comes from this server's own page. Browsers send `Origin` with every POST
/// (`null` where a referrer policy hides it) and `Sec-Fetch-Site`; a client that sends
/// neither is not a browser another site could steer, so it passes.
pub(super) fn same_origin(method: &Method, headers: &HeaderMap) -> bool {
    if method != Method::POST {
        return true;
    }
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let site = text("sec-fetch-site");
    match text("origin") {
        Some("null") => site.is_some_and(|s| s == "same-origin"),
        Some(origin) => {
            let host = text("host").unwrap_or_default();
            !host.is_empty()
                && (origin == format!("http://{host}") || origin == format!("https://{host}"))
                && site.is_none_or(|s| s == "same-origin")
        }
        None => site.is_none_or(|s| s == "same-origin" || s == "none"),
    }
}

/// The form's body, within the size limit and the read time limit
async fn read_form(s: &Shared, req: Request) -> Result<Vec<u8>, StatusCode> {
    read_limited(s, req, MAX_FORM_BYTES.min(s.max_body_bytes)).await
}

/// A page's request body of at most `max` bytes, read within the read time limit: the
/// refusal is the status code the page answers with (413, 400 or 408)
pub(super) async fn read_limited(
    s: &Shared,
    req: Request,
    max: usize,
) -> Result<Vec<u8>, StatusCode> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(StatusCode::PAYLOAD_TOO_LARGE);
    }
    let mut body = req.into_body();
    let read = async {
        let mut out = Vec::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|_| StatusCode::BAD_REQUEST)?;
            if let Ok(data) = frame.into_data() {
                if out.len() + data.len() > max {
                    return Err(StatusCode::PAYLOAD_TOO_LARGE);
                }
                out.extend_from_slice(&data);
            }
        }
        Ok(out)
    };
    tokio::time::timeout(s.limits.read_timeout, read)
        .await
        .unwrap_or(Err(StatusCode::REQUEST_TIMEOUT))
}

/// The page for what was submitted, decided on a worker within the request's time limit
async fn answer(s: Arc<Shared>, submitted: Vec<u8>) -> Response {
    let deadline = Instant::now() + s.timeout;
    let given = Submitted::parse(&submitted);
    let lang = given.lang();
    let shared = s.clone();
    let work = move |deadline| render(&shared, &given, lang, deadline);
    match run_on_worker(&s, lang, deadline, work).await {
        Err(busy) => busy,
        Ok(Some((StatusCode::SERVICE_UNAVAILABLE, html))) if html.is_empty() => too_slow(&s, lang),
        Ok(Some((status, html))) => page(status, html),
        Ok(None) => too_slow(&s, lang),
    }
}

/// Runs `work` on a blocking thread by `deadline`, admitted only if the queue has room and
/// a worker frees up in time; the permits go with the work, so the running work stays
/// bounded even where the client has gone. `Err` is the 503 page (with Retry-After) when
/// busy, `Ok(None)` that the work overran its limit, each caller saying so in its own words.
pub(super) async fn run_on_worker<T, F>(
    s: &Shared,
    lang: Lang,
    deadline: Instant,
    work: F,
) -> Result<Option<T>, Response>
where
    T: Send + 'static,
    F: FnOnce(Instant) -> T + Send + 'static,
{
    let busy = || {
        let mut r = refused(StatusCode::SERVICE_UNAVAILABLE, lang, w::W_BUSY.get(lang));
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        r
    };
    let Ok(admitted) = s.admission.clone().try_acquire_owned() else {
        return Err(busy());
    };
    let Ok(Ok(worker)) =
        tokio::time::timeout_at(deadline.into(), s.workers.clone().acquire_owned()).await
    else {
        return Err(busy());
    };
    let job = tokio::task::spawn_blocking(move || {
        let _held = (admitted, worker);
        work(deadline)
    });
    Ok(tokio::time::timeout_at((deadline + GRACE).into(), job)
        .await
        .ok()
        .and_then(Result::ok))
}

/// How long past its time limit the work may take to notice it
pub(super) const GRACE: std::time::Duration = std::time::Duration::from_secs(2);

fn too_slow(s: &Shared, lang: Lang) -> Response {
    let ms = s.timeout.as_millis();
    refused(
        StatusCode::SERVICE_UNAVAILABLE,
        lang,
        &w::W_TOO_SLOW.fill(lang, &[&ms]),
    )
}

/// The page's status and HTML: the kinds, a form, its problems, or the explained decision
fn render(s: &Shared, given: &Submitted, lang: Lang, deadline: Instant) -> (StatusCode, String) {
    let engine = s.engine();
    let pack = engine.pack();
    let Some(name) = given.get("kind").filter(|k| !k.is_empty()) else {
        return (
            StatusCode::OK,
            web::kinds_page(pack, lang, None).into_string(),
        );
    };
    if name == web::all::EVERY_KIND {
        return every_kind(&engine, given, lang, deadline);
    }
    let Some(kind) = pack.kinds.iter().find(|k| k.name == name) else {
        let problem = w::W_UNKNOWN_KIND.fill(lang, &[&name]);
        let html = web::kinds_page(pack, lang, Some(&problem));
        return (StatusCode::NOT_FOUND, html.into_string());
    };
    let show = |status, outcome: &Outcome<'_>| {
        (
            status,
            web::form_page(pack, kind, given, lang, outcome).into_string(),
        )
    };
    if !given.has_facts(kind) {
        return show(StatusCode::OK, &Outcome::Nothing);
    }
    let app = match web::facts(kind, given, lang) {
        Ok(app) => app,
        // 200, not 422: the page answered, with the form to correct (a browser logs a 4xx
        // page as a failed load in its console).
        Err(problems) => return show(StatusCode::OK, &Outcome::Problems(&problems)),
    };
    let decided = decide(&engine, &app, deadline);
    if Instant::now() > deadline {
        return (StatusCode::SERVICE_UNAVAILABLE, String::new());
    }
    match decided {
        Decided::Yes(x) => {
            let link = web::permalink(kind, given, lang);
            show(StatusCode::OK, &Outcome::Decided(&x, &link))
        }
        Decided::No(reasons) => show(StatusCode::OK, &Outcome::NotDecided(&reasons)),
        Decided::Nothing => show(StatusCode::INTERNAL_SERVER_ERROR, &Outcome::NotDecided(&[])),
    }
}

/// What the engine made of one application
enum Decided {
    Yes(Box<policy_engine::Explanation>),
    /// Refused (unreadable, or an `error` decision): the reasons
    No(Vec<String>),
    /// No explanation came back: the engine's fault, not the visitor's
    Nothing,
}

/// The application decided alone, as `/v1/explain` decides a batch of one
fn decide(engine: &policy_engine::Engine, app: &serde_json::Value, deadline: Instant) -> Decided {
    let apps = match parse_applications(&format!("[{app}]"), InputFormat::Json) {
        Ok(a) => a,
        Err(e) => return Decided::No(vec![e.message]),
    };
    match with_deadline(deadline, || engine.explain(&apps, web::APPLICATION_ID)) {
        Some(x) if x.decision.status != Status::Error => Decided::Yes(Box::new(x)),
        Some(x) => Decided::No(x.decision.reasons),
        None => Decided::Nothing,
    }
}

/// "Which awards might my enterprise get?": one application per kind from the same facts
fn every_kind(
    engine: &policy_engine::Engine,
    given: &Submitted,
    lang: Lang,
    deadline: Instant,
) -> (StatusCode, String) {
    use web::all::{self, KindAnswer, KindResult};
    let pack = engine.pack();
    let qs = all::questions(pack);
    let show = |problems: &web::Problems, results: Option<&[KindResult<'_>]>| {
        let html = all::page(pack, &qs, given, lang, problems, results);
        (StatusCode::OK, html.into_string())
    };
    if !all::has_facts(&qs, given) {
        return show(&Vec::new(), None);
    }
    let problems = all::problems(pack, &qs, given, lang);
    if !problems.is_empty() {
        return show(&problems, None);
    }
    let mut results = Vec::new();
    for kind in &pack.kinds {
        let facts = all::for_kind(&qs, kind, given);
        let link = web::permalink(kind, &facts, lang);
        let missing = all::missing(kind, &facts);
        let answer = if !missing.is_empty() {
            KindAnswer::Missing(missing)
        } else {
            match web::facts(kind, &facts, lang) {
                Err(p) => KindAnswer::NotDecided(
                    p.into_iter().map(|(n, e)| format!("{n}: {e}")).collect(),
                ),
                Ok(app) => match decide(engine, &app, deadline) {
                    Decided::Yes(x) => KindAnswer::Decided(x),
                    Decided::No(reasons) => KindAnswer::NotDecided(reasons),
                    Decided::Nothing => KindAnswer::NotDecided(Vec::new()),
                },
            }
        };
        if Instant::now() > deadline {
            return (StatusCode::SERVICE_UNAVAILABLE, String::new());
        }
        results.push(KindResult { kind, answer, link });
    }
    show(&Vec::new(), Some(&results))
}
