//! The what-if page over HTTP: `GET /whatif` (the fields, filled from one of the pack's
//! scenarios with `?scenario=`), `POST /whatif` (a form, `multipart/form-data` with a file or
//! url-encoded without: compare, or download the scenario as YAML or the result as xlsx).
//!
//! Bounded as the calculator is: the body's size and reading time, the queue and workers, the
//! time to compare; and the applications, as `/v1/compare` bounds them. An upload is read from
//! memory and dropped with the request: nothing a visitor sends is written anywhere.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use policy_engine::{
    parse_application_bytes, read_applications, with_deadline, Engine, InputFormat, Lang,
    RawApplication,
};

use super::pages::{page, read_limited, refused, run_on_worker, same_origin};
use super::state::Shared;
use crate::messages::whatif as w;
use crate::render::{report, xlsx};
use crate::web::whatif::{self as t, Compared, Source, View};

/// The largest file a visitor may upload
pub(super) const MAX_UPLOAD_BYTES: usize = 2 << 20;
/// The bound as the page states it
const UPLOAD_BOUND: &str = "2 MiB";
/// Room in a body for the form's other fields and the multipart framing
const FORM_ROOM: usize = 64 << 10;
/// The most characters a spreadsheet cell holds (an application's id goes in one)
const CELL_CHARS: usize = 32_767;
/// The pack's example applications, used when nothing is uploaded
const EXAMPLES: &str = "examples/applications.yaml";

/// The stylesheet of the report's charts, served for the page (a page's own CSP forbids the
/// inline `<style>` the report file carries)
pub(super) async fn charts() -> Response {
    super::pages::asset("text/css; charset=utf-8", report::CHART_CSS)
}

/// The page's own headers: the calculator's, with inline style attributes allowed, as the
/// report's bars take their widths from them (still no inline script)
fn whatif_page(status: StatusCode, html: String) -> Response {
    let mut r = page(status, html);
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    r
}

fn lang_of(query: &str) -> Lang {
    crate::web::Submitted::parse(query.as_bytes()).lang()
}

/// `GET /whatif`: the fields with the values in force, or those of `?scenario=`
pub(super) async fn get(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let query: HashMap<String, String> =
        form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let lang = lang_of(req.uri().query().unwrap_or_default());
    let shared = s.clone();
    on_worker(&s, lang, move |_deadline| {
        let engine = shared.engine();
        let pack = engine.pack();
        let (editable, fixed) = t::parameters(pack);
        let (choices, other) = t::scenarios(pack, &editable);
        let mut given = HashMap::new();
        let mut alert = None;
        let picked = query.get("scenario").filter(|p| !p.is_empty());
        if let Some(id) = picked {
            match choices.iter().find(|c| &c.id == id) {
                Some(c) => {
                    for (k, v) in &c.sets {
                        given.insert(t::field_name(k), v.clone());
                    }
                    given.insert("name".into(), c.name.clone());
                }
                None => alert = Some(w::WI_UNKNOWN_SCENARIO.fill(lang, &[id])),
            }
        }
        let examples = examples(pack.dir.as_path()).map_or(0, |a| a.len());
        let view = View {
            lang,
            pack,
            editable: &editable,
            fixed: &fixed,
            choices: &choices,
            other_scenarios: &other,
            picked: picked.map(String::as_str),
            given: &given,
            problems: &[],
            alert,
            source: Source::Examples,
            examples,
            upload_bound: UPLOAD_BOUND,
            max_applications: shared.limits.max_applications,
            result: None,
        };
        whatif_page(StatusCode::OK, t::page(&view).into_string())
    })
    .await
}

fn examples(dir: &Path) -> Result<Vec<RawApplication>, String> {
    read_applications(&dir.join(EXAMPLES), Some(InputFormat::Yaml)).map_err(|e| e.message)
}

/// What a form sent: the first value of each field, and the file if one was chosen
#[derive(Default)]
struct Form {
    values: HashMap<String, String>,
    file: Option<(String, Vec<u8>)>,
    /// The first field whose value is not UTF-8 text, to name in the refusal
    not_utf8: Option<String>,
}

/// `POST /whatif`: this page's form, from this origin, within the size bound
pub(super) async fn post(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let mut lang = lang_of(req.uri().query().unwrap_or_default());
    let Some(kind) = form_kind(req.headers()) else {
        return refused(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            lang,
            w::WI_ERR_NOT_FORM.get(lang),
        );
    };
    if !same_origin(req.method(), req.headers()) {
        return refused(
            StatusCode::FORBIDDEN,
            lang,
            crate::messages::web::W_CROSS_SITE.get(lang),
        );
    }
    let body = match read_body(&s, req).await {
        Ok(b) => b,
        Err(StatusCode::PAYLOAD_TOO_LARGE) => {
            return refused(
                StatusCode::PAYLOAD_TOO_LARGE,
                lang,
                &w::WI_ERR_BODY_SIZE.fill(lang, &[&UPLOAD_BOUND]),
            )
        }
        Err(status) => {
            let bound = (MAX_UPLOAD_BYTES + FORM_ROOM).min(s.max_body_bytes);
            return refused(status, lang, &super::pages::unread(status, lang, bound));
        }
    };
    let form = match kind {
        FormKind::Urlencoded => Some(Form {
            values: first_values(form_urlencoded::parse(&body).into_owned()),
            ..Form::default()
        }),
        FormKind::Multipart(boundary) => multipart(&body, &boundary),
    };
    let Some(form) = form else {
        return refused(StatusCode::BAD_REQUEST, lang, w::WI_ERR_MALFORMED.get(lang));
    };
    if let Some(field) = &form.not_utf8 {
        let field: String = field.chars().take(100).collect();
        let text = match lang {
            Lang::Zh => format!("无法读取提交的表单：字段 {field} 不是 UTF-8 文本"),
            Lang::En => format!("the form sent cannot be read: field {field} is not UTF-8 text"),
        };
        return refused(StatusCode::BAD_REQUEST, lang, &text);
    }
    if form.values.get("lang").is_some_and(|l| l == "en") {
        lang = Lang::En;
    }
    let shared = s.clone();
    on_worker(&s, lang, move |deadline| {
        submitted(&shared, &form, lang, deadline)
    })
    .await
}

fn first_values(pairs: impl Iterator<Item = (String, String)>) -> HashMap<String, String> {
    let mut values = HashMap::new();
    for (k, v) in pairs {
        values.entry(k).or_insert_with(|| bounded(v));
    }
    values
}

/// The most characters of a field kept: more than any of the page's fields takes (a value is
/// refused past 100, a name used to 200), so a value cut here is refused or used as it would
/// be whole, and a field of megabytes is not echoed back into the page
const FIELD_CHARS: usize = 1000;

fn bounded(mut text: String) -> String {
    if let Some((at, _)) = text.char_indices().nth(FIELD_CHARS) {
        text.truncate(at);
    }
    text
}

enum FormKind {
    Urlencoded,
    Multipart(String),
}

fn form_kind(headers: &HeaderMap) -> Option<FormKind> {
    let ct = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let mut parts = ct.split(';').map(str::trim);
    let mime = parts.next()?.to_ascii_lowercase();
    match mime.as_str() {
        "application/x-www-form-urlencoded" => Some(FormKind::Urlencoded),
        "multipart/form-data" => parts
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
            .map(|(_, b)| b.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty() && b.len() <= 70)
            .map(FormKind::Multipart),
        _ => None,
    }
}

/// The body, within the size bound and the read time limit
async fn read_body(s: &Shared, req: Request) -> Result<Vec<u8>, StatusCode> {
    read_limited(s, req, (MAX_UPLOAD_BYTES + FORM_ROOM).min(s.max_body_bytes)).await
}

/// Most parts a multipart form may have: the page's fields and one file, with room
const MAX_PARTS: usize = 1000;

/// A `multipart/form-data` body (RFC 7578) as the page's fields and file; `None` if it is not one
fn multipart(body: &[u8], boundary: &str) -> Option<Form> {
    let delimiter = format!("--{boundary}");
    let next_part = format!("\r\n--{boundary}");
    let mut form = Form::default();
    let start = find(body, delimiter.as_bytes())?;
    let mut rest = &body[start + delimiter.len()..];
    for _ in 0..MAX_PARTS {
        if rest.starts_with(b"--") {
            return Some(form);
        }
        rest = rest.strip_prefix(b"\r\n")?;
        let head_end = find(rest, b"\r\n\r\n")?;
        let head = std::str::from_utf8(&rest[..head_end]).ok()?;
        rest = &rest[head_end + 4..];
        let end = find(rest, next_part.as_bytes())?;
        let content = &rest[..end];
        rest = &rest[end + next_part.len()..];
        let (name, filename) = disposition(head)?;
        match filename {
            Some(f) if name == "file" => {
                // A file input left empty still sends a part, with no name and no bytes.
                if !(f.is_empty() && content.is_empty()) && form.file.is_none() {
                    form.file = Some((f, content.to_vec()));
                }
            }
            Some(_) => {}
            None => match String::from_utf8(content.to_vec()) {
                Ok(text) => {
                    form.values.entry(name).or_insert_with(|| bounded(text));
                }
                Err(_) => {
                    form.not_utf8.get_or_insert(name);
                }
            },
        }
    }
    None
}

/// A part's field name and file name, from its `Content-Disposition: form-data` header
fn disposition(head: &str) -> Option<(String, Option<String>)> {
    let line = head.split("\r\n").find(|l| {
        l.split_once(':')
            .is_some_and(|(k, _)| k.trim().eq_ignore_ascii_case("content-disposition"))
    })?;
    let (_, value) = line.split_once(':')?;
    let mut name = None;
    let mut filename = None;
    for p in value.split(';').map(str::trim) {
        if let Some((k, v)) = p.split_once('=') {
            let v = v.trim().trim_matches('"').to_string();
            match k.trim().to_ascii_lowercase().as_str() {
                "name" => name = Some(v),
                "filename" => filename = Some(v),
                _ => {}
            }
        }
    }
    Some((name?, filename))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Runs `work` on a worker within the request's time limit, as the calculator does
async fn on_worker<F>(s: &Arc<Shared>, lang: Lang, work: F) -> Response
where
    F: FnOnce(Instant) -> Response + Send + 'static,
{
    let deadline = Instant::now() + s.timeout;
    match run_on_worker(s, lang, deadline, work).await {
        Ok(Some(r)) => r,
        Ok(None) => too_slow(s, lang),
        Err(busy) => busy,
    }
}

fn too_slow(s: &Shared, lang: Lang) -> Response {
    let ms = s.timeout.as_millis();
    let text = match lang {
        Lang::Zh => format!("请求超过 {ms} 毫秒的时限，已停止，没有作出测算"),
        Lang::En => {
            format!("the request took longer than {ms} ms and was stopped; nothing was compared")
        }
    };
    refused(StatusCode::SERVICE_UNAVAILABLE, lang, &text)
}

/// A file to download, never cached
fn download(kind: &'static str, name: &'static str, body: Vec<u8>) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static(name));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// What the form asks: the page with its problems or its comparison, or a download
fn submitted(s: &Shared, form: &Form, lang: Lang, deadline: Instant) -> Response {
    let engine = s.engine();
    let pack = engine.pack();
    let (editable, fixed) = t::parameters(pack);
    let (choices, other) = t::scenarios(pack, &editable);
    let source = match form.values.get("source").map(String::as_str) {
        Some("upload") => Source::Upload,
        _ => Source::Examples,
    };
    let action = form.values.get("action").map_or("run", String::as_str);
    let name = form
        .values
        .get("name")
        .map(|n| n.trim().chars().take(200).collect::<String>())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| w::WI_NAME_DEFAULT.get(lang).to_string());
    let mut problems = Vec::new();
    let sets = match t::assignments(&editable, &form.values, lang) {
        Ok(sets) => sets,
        Err(p) => {
            problems = p;
            Vec::new()
        }
    };
    let example_apps = examples(pack.dir.as_path());
    let examples_count = example_apps.as_ref().map_or(0, Vec::len);
    let mut alert = None;
    let show = |status, problems: &[(String, String)], alert: Option<String>, result| {
        let view = View {
            lang,
            pack,
            editable: &editable,
            fixed: &fixed,
            choices: &choices,
            other_scenarios: &other,
            picked: None,
            given: &form.values,
            problems,
            alert,
            source,
            examples: examples_count,
            upload_bound: UPLOAD_BOUND,
            max_applications: s.limits.max_applications,
            result,
        };
        whatif_page(status, t::page(&view).into_string())
    };
    if action == "yaml" {
        if !problems.is_empty() {
            return show(StatusCode::OK, &problems, None, None);
        }
        return download(
            "application/yaml; charset=utf-8",
            "attachment; filename=\"scenario.yaml\"",
            t::scenario_yaml(&name, &sets).into_bytes(),
        );
    }
    let apps = match source {
        Source::Examples => example_apps.map_err(|e| {
            alert = Some(w::WI_ERR_EXAMPLES.fill(lang, &[&e]));
        }),
        Source::Upload => uploaded(form, pack, s.limits.max_applications, lang).map_err(|e| {
            problems.push(("file".into(), e));
        }),
    };
    if !problems.is_empty() || alert.is_some() {
        return show(StatusCode::OK, &problems, alert, None);
    }
    let Ok(apps) = apps else {
        return show(StatusCode::OK, &problems, alert, None);
    };
    if sets.is_empty() {
        return show(
            StatusCode::OK,
            &problems,
            Some(w::WI_NO_CHANGE.get(lang).to_string()),
            None,
        );
    }
    let variant = match engine.with_sets(&sets) {
        Ok(v) => v,
        Err(e) => {
            let text = e.0.iter().map(|e| e.message_in(lang)).collect::<Vec<_>>();
            let alert = w::WI_ERR_SCENARIO.fill(lang, &[&text.join("；")]);
            return show(StatusCode::OK, &problems, Some(alert), None);
        }
    };
    let compared = compare(&engine, &apps, &name, &variant, deadline);
    let Some(comparison) = compared else {
        return too_slow(s, lang);
    };
    if action == "xlsx" {
        if let Some(id) = comparison
            .largest
            .iter()
            .filter_map(|a| a.id.as_deref())
            .find(|id| id.chars().count() > CELL_CHARS)
        {
            let start: String = id.chars().take(20).collect();
            let text = match lang {
                Lang::Zh => format!(
                    "申报编号 {start}… 超过表格单元格的上限（{CELL_CHARS} 个字符），无法写入 xlsx"
                ),
                Lang::En => format!(
                    "the application id {start}… is longer than a spreadsheet cell holds ({CELL_CHARS} characters): no xlsx can be written"
                ),
            };
            problems.push(("file".into(), text));
            return show(StatusCode::OK, &problems, None, None);
        }
        return match xlsx::comparison_workbook(&comparison) {
            Ok(bytes) => download(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "attachment; filename=\"whatif.xlsx\"",
                bytes,
            ),
            // Not the visitor's form: the workbook could not be written.
            Err(_) => refused(
                StatusCode::INTERNAL_SERVER_ERROR,
                lang,
                lang.pick("无法生成 xlsx 文件", "the xlsx file could not be written"),
            ),
        };
    }
    let result = Compared {
        comparison: &comparison,
        applications: apps.len(),
        sets: &sets,
    };
    show(StatusCode::OK, &problems, None, Some(result))
}

/// The baseline against the variant over the applications, with `Engine::compare` as
/// `/v1/compare` runs it; `None` past the deadline
fn compare(
    engine: &Engine,
    apps: &[RawApplication],
    name: &str,
    variant: &Engine,
    deadline: Instant,
) -> Option<policy_engine::ScenarioComparison> {
    let compared = with_deadline(deadline, || engine.compare(apps, &[(name, variant)]));
    if Instant::now() > deadline {
        return None;
    }
    compared.into_iter().next()
}

/// The uploaded file's applications, read from memory, or what is wrong with it
fn uploaded(
    form: &Form,
    pack: &policy_engine::Pack,
    max_applications: usize,
    lang: Lang,
) -> Result<Vec<RawApplication>, String> {
    let Some((filename, bytes)) = &form.file else {
        return Err(w::WI_ERR_NO_FILE.get(lang).into());
    };
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(w::WI_ERR_FILE_SIZE.fill(lang, &[&UPLOAD_BOUND]));
    }
    let format = InputFormat::from_path(Path::new(filename))
        .ok_or_else(|| w::WI_ERR_FORMAT.get(lang).to_string())?;
    let apps = parse_application_bytes(bytes, format, &pack.aliases)
        .map_err(|e| w::WI_ERR_READ.fill(lang, &[&e.message_in(lang)]))?;
    if apps.is_empty() {
        // Zero applications compare to zero: say so, rather than show an empty result.
        return Err(lang
            .pick("文件中没有申报", "the file holds no applications")
            .into());
    }
    if apps.len() > max_applications {
        return Err(w::WI_ERR_ROWS.fill(lang, &[&apps.len(), &max_applications]));
    }
    Ok(apps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_bodies_are_read() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"set:a.b\"\r\n\r\n60\xe4\xb8\x87\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\nid,kind\r\n1,x\r\n\r\n--XyZ--\r\n";
        let form = multipart(body, "XyZ").expect("a form");
        assert_eq!(form.values.get("set:a.b").map(String::as_str), Some("60万"));
        let (name, bytes) = form.file.expect("a file");
        assert_eq!(name, "a.csv");
        assert_eq!(bytes, b"id,kind\r\n1,x\r\n");
        assert!(multipart(b"--XyZ\r\nno end", "XyZ").is_none());
        assert!(multipart(b"garbage", "XyZ").is_none());
    }

    #[test]
    fn a_field_is_kept_to_its_bound_on_a_character_boundary() {
        assert_eq!(
            bounded("万".repeat(FIELD_CHARS + 5)),
            "万".repeat(FIELD_CHARS)
        );
        assert_eq!(bounded("ab".into()), "ab");
    }

    #[test]
    fn an_empty_file_input_is_no_file() {
        let body = b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--b--\r\n";
        let form = multipart(body, "b").expect("a form");
        assert!(form.file.is_none());
    }
}
