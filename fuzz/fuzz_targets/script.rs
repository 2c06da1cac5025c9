//! Clause scripts: any text compiled in the sandbox and run for one application.
#![no_main]

use std::sync::OnceLock;

static ENGINE: OnceLock<Option<policy_engine::Engine>> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let engine = ENGINE.get_or_init(|| {
        policy_engine::Engine::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../policies/suzhou-future-industries")).ok()
    });
    if let (Some(engine), Ok(text)) = (engine, std::str::from_utf8(data)) {
        // An application of the pack's first clause (scenario-case), for the script to read.
        policy_engine::fuzzing::script(
            engine,
            text,
            r#"[{"id":"F","year":2025,"kind":"scenario_case","applicant":{"name":"x","in_city":true},"selected":true,"score":90}]"#,
        );
    }
});
