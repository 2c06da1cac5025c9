//! Applications: any bytes read in every text format and decided against the Suzhou pack.
#![no_main]

use std::sync::OnceLock;

static ENGINE: OnceLock<Option<policy_engine::Engine>> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let engine = ENGINE.get_or_init(|| {
        policy_engine::Engine::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../policies/suzhou-future-industries")).ok()
    });
    if let Some(engine) = engine {
        policy_engine::fuzzing::applications(engine, data);
    }
});
