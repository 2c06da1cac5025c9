//! Pack metadata: any text read as YAML, as a pack.yaml and as a clause file.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        policy_engine::fuzzing::metadata(text);
    }
});
