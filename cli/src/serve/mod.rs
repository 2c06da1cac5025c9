//! `policy serve`: the engine over HTTP (axum), with hot reload of the pack and a decision log.
//!
//! Every request takes the engine in force when it arrives and keeps it to the end, so no
//! request sees two versions of a pack. A changed pack is loaded and checked (and with
//! `--require-tests`, its tests run) before it replaces the one in force; a broken edit is
//! refused, reported on `/v1/pack`, and the last good pack keeps serving.

mod handlers;
mod log;
mod reload;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use policy_engine::Engine;

use self::log::DecisionLog;
use self::reload::{candidate, reloader, Reload};

/// How the server runs
pub struct Options {
    pub pack: PathBuf,
    pub addr: SocketAddr,
    pub decision_log: Option<PathBuf>,
    pub require_tests: bool,
    pub max_body_bytes: usize,
    pub timeout: Duration,
}

/// What every request and the reloader share
struct Shared {
    engine: RwLock<Arc<Engine>>,
    loaded_at: Mutex<String>,
    last_reload: Mutex<Option<Reload>>,
    log: Option<DecisionLog>,
    timeout: Duration,
}

impl Shared {
    /// The engine in force now; a request keeps it to its end
    fn engine(&self) -> Arc<Engine> {
        match self.engine.read() {
            Ok(e) => e.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
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
