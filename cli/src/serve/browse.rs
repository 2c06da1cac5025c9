//! The clause browser over HTTP: `GET /clauses`. The page is made in `crate::web::browse`;
//! here the request is bounded as the calculator's are (a place in the queue, a worker, the
//! time limit), and the pack's worked examples are decided once per engine in force rather
//! than on every visit.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use policy_engine::{diff_packs, with_deadline, Engine, Lang, WorkedExample};

use super::clock::now;
use super::pages::page;
use super::state::Shared;
use crate::messages::browse as b;
use crate::web::browse::{clauses_page, Browse};
use crate::web::Submitted;

/// How long past its time limit the work may take to notice it
const GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// `GET /clauses`: every clause, in Chinese, or English with `lang=en`
pub(super) async fn get(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let lang = Submitted::parse(req.uri().query().unwrap_or_default().as_bytes()).lang();
    let deadline = Instant::now() + s.timeout;
    let Ok(admitted) = s.admission.clone().try_acquire_owned() else {
        return unavailable(lang, false);
    };
    let Ok(Ok(worker)) =
        tokio::time::timeout_at(deadline.into(), s.workers.clone().acquire_owned()).await
    else {
        return unavailable(lang, false);
    };
    let shared = s.clone();
    let job = tokio::task::spawn_blocking(move || {
        let _held = (admitted, worker);
        render(&shared, lang, deadline)
    });
    match tokio::time::timeout_at((deadline + GRACE).into(), job).await {
        Ok(Ok(Some(html))) => page(StatusCode::OK, html),
        _ => unavailable(lang, true),
    }
}

/// 503 in the reader's language: busy, or out of time
fn unavailable(lang: Lang, slow: bool) -> Response {
    let text = if slow {
        lang.pick(
            "请求超过时限，已停止：请稍后重试",
            "the request took longer than its time limit and was stopped: retry shortly",
        )
    } else {
        crate::messages::web::W_BUSY.get(lang)
    };
    let body = maud::html! {
        (maud::DOCTYPE)
        html lang=(lang.pick("zh-CN", "en")) {
            head { meta charset="utf-8"; title { (b::B_TITLE.get(lang)) } }
            body { p role="alert" { (text) } }
        }
    };
    let mut r = page(StatusCode::SERVICE_UNAVAILABLE, body.into_string());
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    r
}

/// The page, or `None` when the time limit passed while making it
fn render(s: &Shared, lang: Lang, deadline: Instant) -> Option<String> {
    let engine = s.engine();
    let examples = examples(s, &engine, deadline)?;
    let rows = s
        .previous
        .as_ref()
        .map(|p| (p, diff_packs(p.pack(), engine.pack())));
    let year = now().get(..4).and_then(|y| y.parse().ok()).unwrap_or(1970);
    let view = Browse {
        pack: engine.pack(),
        examples: match examples.as_ref() {
            Ok(all) => Ok(all.as_slice()),
            Err(why) => Err(why.as_str()),
        },
        previous: rows.as_ref().map(|(p, r)| (p.pack(), r.as_slice())),
        year,
        lang,
    };
    Some(clauses_page(&view).into_string())
}

/// The worked examples of `engine`, decided on the first visit after it was loaded
fn examples(
    s: &Shared,
    engine: &Arc<Engine>,
    deadline: Instant,
) -> Option<Arc<Result<Vec<WorkedExample>, String>>> {
    if let Ok(cache) = s.examples.lock() {
        if let Some((e, x)) = cache.as_ref() {
            if Arc::ptr_eq(e, engine) {
                return Some(x.clone());
            }
        }
    }
    let made = with_deadline(deadline, || engine.examples()).map_err(|e| {
        let all: Vec<String> = e.0.iter().map(ToString::to_string).collect();
        all.join("; ")
    });
    if Instant::now() > deadline {
        // Decisions made past the limit are errors, not examples: nothing to keep.
        return None;
    }
    let made = Arc::new(made);
    if let Ok(mut cache) = s.examples.lock() {
        *cache = Some((engine.clone(), made.clone()));
    }
    Some(made)
}
