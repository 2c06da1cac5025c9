//! Entry points for the fuzz targets in `fuzz/`, built only with the `fuzzing` feature: not part
//! of the API.

use std::path::Path;
use std::sync::Arc;

use crate::decide::{self, Engine};
use crate::input::{parse_applications, InputFormat};
use crate::script::compiled::Compiled;
use crate::script::host::ScriptHost;
use crate::script::limits::ScriptLimits;

/// Reads a text as YAML and as pack and clause metadata; must never panic or hang
pub fn metadata(text: &str) {
    use crate::load::files::{ClauseFile, PackFile};
    use crate::load::yaml::{self, YamlLimits};
    if let Ok(node) = yaml::parse(text, YamlLimits::default()) {
        let _ = yaml::from_node::<PackFile>(&node);
        let _ = yaml::from_node::<ClauseFile>(&node);
    }
}

/// Compiles a text as the first clause's script and runs it for `applications` (JSON)
pub fn script(engine: &Engine, source: &str, applications: &str) {
    let limits = ScriptLimits {
        max_operations: 10_000,
        ..ScriptLimits::default()
    };
    let host = ScriptHost::new(limits);
    if let Ok(compiled) = host.compile(Path::new("fuzz.rhai"), source.to_string()) {
        let pack = engine.pack.clone();
        let mut scripts = engine.code.scripts.clone();
        if let Some(s) = scripts.first_mut() {
            *s = compiled;
        }
        let apps = parse_applications(applications, InputFormat::Json).unwrap_or_default();
        let fuzzed = Engine {
            pack,
            code: Compiled::new(Arc::new(host), scripts),
        };
        let _ = fuzzed.decide(&apps);
        // Wherever the lowered script answers, Rhai must answer the same.
        let pack = fuzzed.pack();
        for raw in &apps {
            if let Ok(c) = decide::check_one(pack, raw) {
                let clause = &pack.clauses[c.clause];
                let params = decide::clause::params_view(pack, clause, &c.facts, &fuzzed.code);
                let agreed = crate::script::host::agrees(
                    fuzzed.host(),
                    &fuzzed.code.scripts[c.clause],
                    &c.facts,
                    &params,
                );
                assert!(agreed.is_ok(), "{agreed:?}");
            }
        }
    }
}

/// Reads bytes as applications in every text format and decides them with `engine`
pub fn applications(engine: &Engine, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for format in [
        InputFormat::Yaml,
        InputFormat::Json,
        InputFormat::Jsonl,
        InputFormat::Csv,
    ] {
        if let Ok(apps) = parse_applications(text, format) {
            let decisions = engine.decide(&apps);
            assert_eq!(decisions.len(), apps.len(), "one decision per application");
        }
    }
    for line in text.lines() {
        // The quick readers must agree with the general one wherever they answer.
        crate::decide::check::quick_path_agrees(engine.pack(), line);
    }
}
