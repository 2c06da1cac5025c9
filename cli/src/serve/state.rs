//! What every request and the reloader share: the engine in force, when it was loaded, the
//! last reload's outcome, the decision log, the bounds and the permits that keep them.

use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use policy_engine::{Engine, WorkedExample};
use serde::Serialize;
use tokio::sync::Semaphore;

use super::log::DecisionLog;

/// What every request and the reloader share
pub(super) struct Shared {
    pub(super) engine: RwLock<Arc<Engine>>,
    pub(super) loaded_at: Mutex<String>,
    pub(super) last_reload: Mutex<Option<Reload>>,
    pub(super) log: Option<DecisionLog>,
    pub(super) timeout: Duration,
    pub(super) max_body_bytes: usize,
    pub(super) limits: Limits,
    /// One permit per request deciding now
    pub(super) workers: Arc<Semaphore>,
    /// One permit per request deciding or waiting to: past them, 503
    pub(super) admission: Arc<Semaphore>,
    /// The pack's previous version (`--previous`), loaded once at start, for the clause
    /// browser's "what changed"
    pub(super) previous: Option<Arc<Engine>>,
    /// The worked examples of the engine in force, made once per engine for the clause browser
    pub(super) examples: Mutex<Option<Examples>>,
}

impl Shared {
    /// The engine in force now; a request keeps it to its end
    pub(super) fn engine(&self) -> Arc<Engine> {
        match self.engine.read() {
            Ok(e) => e.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

/// The worked examples of one engine: the engine they were decided with (a reload makes
/// another), and the examples or why the pack's tests could not be read
pub(super) type Examples = (Arc<Engine>, Arc<Result<Vec<WorkedExample>, String>>);

/// The outcome of the last reload, shown on `/v1/pack`
#[derive(Serialize, Clone)]
pub(super) struct Reload {
    pub(super) at: String,
    pub(super) ok: bool,
    pub(super) fingerprint: Option<String>,
    pub(super) errors: Vec<String>,
    /// Entries of the pack that are not regular files (FIFOs, devices…): never read
    pub(super) skipped: Vec<String>,
}

/// The server's bounds, beyond the body size and the time limit of [`Options`]
#[derive(Clone, Debug)]
pub struct Limits {
    /// Applications in one request (413 past it)
    pub max_applications: usize,
    /// Bytes of one answer (413 past it)
    pub max_response_bytes: usize,
    /// Connections open at once; one more is answered 503 and closed
    pub max_connections: usize,
    /// Requests decided at once (each on a thread of its own)
    pub workers: usize,
    /// Requests waiting for a worker; one more is answered 503 with Retry-After
    pub queue: usize,
    /// Time for a client to send a request's headers, and then its body
    pub read_timeout: Duration,
    /// How long the pack's files must be quiet before a change is loaded
    pub settle: Duration,
    /// fsync the decision log before each answer (else once a second)
    pub fsync_log: bool,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_applications: 10_000,
            max_response_bytes: 64 << 20,
            max_connections: 512,
            workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
            queue: 64,
            read_timeout: Duration::from_secs(10),
            settle: Duration::from_millis(500),
            fsync_log: false,
        }
    }
}
