//! `policy serve`: the engine over HTTP (axum), with hot reload of the pack and a decision log.
//!
//! Every request takes the engine in force when it arrives and keeps it to the end, so no
//! request sees two versions of a pack. A changed pack is loaded and checked (and with
//! `--require-tests`, its tests run) before it replaces the one in force; a broken edit is
//! refused, reported on `/v1/pack`, and the last good pack keeps serving.
//!
//! Bounded everywhere a client could make it grow: connections (past the bound, a 503 and
//! close), the time to send headers and body, applications per request, the answer's size, the
//! requests decided at once and those waiting (past the queue, 503 with Retry-After), and each
//! request's time, which stops its work rather than only its answer.

mod browse;
mod clock;
mod handlers;
mod log;
mod pages;
mod reload;
mod state;
mod unique_keys;
mod whatif;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use policy_engine::Engine;
use tokio::sync::Semaphore;

use self::clock::now;
use self::log::DecisionLog;
use self::reload::{candidate, reloader};
pub use self::state::Limits;
use self::state::Shared;

/// How the server runs
pub struct Options {
    pub pack: PathBuf,
    pub addr: SocketAddr,
    pub decision_log: Option<PathBuf>,
    pub require_tests: bool,
    pub max_body_bytes: usize,
    pub timeout: Duration,
}

/// The router over an engine: for `serve` and for tests
fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        // The calculator page (政策计算器): HTML for people, over the same engine.
        .route("/", get(pages::get).post(pages::post))
        // The clause browser (条款浏览).
        .route("/clauses", get(browse::get))
        .route("/assets/style.css", get(pages::style))
        .route("/assets/print.css", get(pages::print))
        .route("/assets/icon.svg", get(pages::icon))
        .route("/assets/calculator.js", get(pages::script))
        // The what-if page (情景测算): the pack's parameters edited, compared over applications.
        .route("/whatif", get(whatif::get).post(whatif::post))
        .route("/assets/charts.css", get(whatif::charts))
        .route("/v1/decide", post(handlers::decide))
        .route("/v1/explain", post(handlers::explain))
        .route("/v1/compare", post(handlers::compare))
        .route("/v1/clauses", get(handlers::clauses))
        .route("/v1/pack", get(handlers::pack))
        .route("/v1/schema", get(handlers::schema))
        .route("/healthz", get(handlers::healthz))
        .route("/openapi.json", get(handlers::openapi))
        // A page not found, or a method a page does not take: a short page, not an empty one.
        .fallback(pages::not_found)
        .method_not_allowed_fallback(pages::not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            handlers::fingerprint,
        ))
        .with_state(shared)
}

/// Serves until the process ends, with the default [`Limits`]; `bound` receives the address
/// actually bound (port 0 picks one)
pub fn serve(
    opts: Options,
    bound: Option<std::sync::mpsc::Sender<SocketAddr>>,
) -> Result<(), String> {
    serve_with(opts, Limits::default(), bound)
}

/// Serves until the process ends, within `limits`
pub fn serve_with(
    opts: Options,
    limits: Limits,
    bound: Option<std::sync::mpsc::Sender<SocketAddr>>,
) -> Result<(), String> {
    serve_with_previous(opts, limits, None, bound)
}

/// Serves until the process ends, within `limits`; the clause browser shows what changed
/// since `previous`, the pack's previous version, when given
pub fn serve_with_previous(
    opts: Options,
    limits: Limits,
    previous: Option<Engine>,
    bound: Option<std::sync::mpsc::Sender<SocketAddr>>,
) -> Result<(), String> {
    let engine = candidate(&opts.pack, opts.require_tests)
        .map_err(|e| format!("error: {}", e.join("\n")))?;
    let log = match opts.decision_log.as_deref() {
        None => None,
        Some(path) => {
            let (log, cut) = DecisionLog::open(path, limits.fsync_log)?;
            if let Some(cut) = cut {
                eprintln!("{} {cut}", now());
            }
            Some(log)
        }
    };
    let workers = limits.workers.max(1);
    let shared = Arc::new(Shared {
        engine: RwLock::new(Arc::new(engine)),
        loaded_at: Mutex::new(now()),
        last_reload: Mutex::new(None),
        log,
        timeout: opts.timeout,
        max_body_bytes: opts.max_body_bytes,
        workers: Arc::new(Semaphore::new(workers)),
        admission: Arc::new(Semaphore::new(workers + limits.queue)),
        limits: limits.clone(),
        previous: previous.map(Arc::new),
        examples: Mutex::new(None),
    });
    {
        let shared = shared.clone();
        let dir = opts.pack.clone();
        let require = opts.require_tests;
        let settle = limits.settle;
        std::thread::spawn(move || reloader(shared, dir, require, settle));
    }
    if shared.log.as_ref().is_some_and(|l| !l.fsync_each()) {
        // What a power cut can lose: the decisions answered in the last second.
        let shared = shared.clone();
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_secs(1));
            if let Some(log) = &shared.log {
                log.sync();
            }
        });
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
        accept(listener, router(shared), &limits).await;
        Ok(())
    })
}

/// Accepts connections for ever, each within the connection bound and the header time limit
async fn accept(listener: tokio::net::TcpListener, app: Router, limits: &Limits) {
    let open = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of descriptors, most likely: wait for connections to close.
                eprintln!("{} cannot accept a connection: {e}", now());
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            tokio::spawn(turn_away(stream));
            continue;
        };
        let service = TowerToHyperService::new(app.clone());
        let header_timeout = limits.read_timeout;
        tokio::spawn(async move {
            let _permit = permit;
            let mut http = hyper::server::conn::http1::Builder::new();
            // Without a timer hyper has no header time limit: a client sending half a header
            // would hold its connection for ever.
            http.timer(TokioTimer::new())
                .header_read_timeout(header_timeout);
            let _ = http.serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

/// Answers a connection past the bound with 503 and closes it, spending at most a second on it
async fn turn_away(stream: tokio::net::TcpStream) {
    let body = r#"{"error":"too many connections: retry shortly","error_zh":"连接数已满：请稍后重试","field":null}"#;
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    // Small enough for the socket's buffer: one try, no waiting on a client that does not read.
    let _ = tokio::time::timeout(Duration::from_secs(1), stream.writable()).await;
    let _ = stream.try_write(answer.as_bytes());
}
