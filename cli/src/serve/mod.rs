//! `policy serve`: the engine over HTTP (axum), with hot reload of the pack and a decision log.
//!
//! Every request takes the engine in force when it arrives and keeps it to the end, so no
//! request sees two versions of a pack. A changed pack is loaded and checked (and with
//! `--require-tests`, its tests run) before it replaces the one in force; a broken edit is
//! refused, reported on `/v1/pack`, and the last good pack keeps serving.

mod clock;
mod handlers;
mod log;
mod reload;
mod state;
mod unique_keys;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use self::clock::now;
use self::log::DecisionLog;
use self::reload::{candidate, reloader};
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
fn router(shared: Arc<Shared>, max_body_bytes: usize) -> Router {
    Router::new()
        .route("/v1/decide", post(handlers::decide))
        .route("/v1/explain", post(handlers::explain))
        .route("/v1/compare", post(handlers::compare))
        .route("/v1/clauses", get(handlers::clauses))
        .route("/v1/pack", get(handlers::pack))
        .route("/v1/schema", get(handlers::schema))
        .route("/healthz", get(handlers::healthz))
        .route("/openapi.json", get(handlers::openapi))
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
    let log = opts
        .decision_log
        .as_deref()
        .map(DecisionLog::open)
        .transpose()?;
    let shared = Arc::new(Shared {
        engine: RwLock::new(Arc::new(engine)),
        loaded_at: Mutex::new(now()),
        last_reload: Mutex::new(None),
        log,
        timeout: opts.timeout,
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
