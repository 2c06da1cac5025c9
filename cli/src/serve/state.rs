//! What every request and the reloader share: the engine in force, when it was loaded, the
//! last reload's outcome, the decision log, the bounds and the permits that keep them.

use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use policy_engine::Engine;
use serde::Serialize;
use tokio::sync::Semaphore;

use super::log::DecisionLog;
use super::Limits;

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
