//! `policy replay`: decide every logged decision again and report any that differs.

use std::path::Path;

use policy_engine::{parse_applications, Engine, InputFormat};
use serde_json::Value;

use super::Io;
use crate::args::ReplayArgs;
use crate::exit::{EXIT_APPLICATION_ERRORS, EXIT_OK};
use crate::render::diagnostics::{load_errors, ErrorFormat};

pub fn run(io: &mut Io<'_>, args: &ReplayArgs) -> Result<u8, String> {
    let format = io.error_format;
    replay(&args.log, &args.pack, format, &mut |line| {
        io.emit(&format!("{line}\n"))
    })
    .map(|all_same| {
        if all_same {
            EXIT_OK
        } else {
            EXIT_APPLICATION_ERRORS
        }
    })
}

/// `policy replay`: decides every logged request again with a pack and compares
fn replay(
    log: &Path,
    pack: &Path,
    format: ErrorFormat,
    out: &mut dyn FnMut(&str),
) -> Result<bool, String> {
    let engine = Engine::load(pack).map_err(|e| load_errors(&e, format))?;
    let text = std::fs::read_to_string(log)
        .map_err(|e| format!("error: cannot read {}: {e}", log.display()))?;
    let mut lines: Vec<Value> = Vec::new();
    for (i, l) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        lines.push(
            serde_json::from_str(l)
                .map_err(|e| format!("error: {}:{}: not a log line: {e}", log.display(), i + 1))?,
        );
    }
    let (mut same, mut differ, mut other_pack) = (0usize, 0usize, 0usize);
    let mut i = 0;
    while i < lines.len() {
        let request = lines[i]["request"].clone();
        let mut j = i;
        while j < lines.len() && lines[j]["request"] == request {
            j += 1;
        }
        let group = &lines[i..j];
        i = j;
        let overrides: Vec<String> = group[0]["overrides"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let variant = if overrides.is_empty() {
            engine.clone()
        } else {
            engine
                .with_sets(&overrides)
                .map_err(|e| load_errors(&e, format))?
        };
        if group[0]["fingerprint"].as_str() != Some(variant.pack().fingerprint.as_str()) {
            other_pack += group.len();
        }
        let inputs = Value::Array(group.iter().map(|l| l["input"].clone()).collect());
        let apps = parse_applications(&inputs.to_string(), InputFormat::Json)
            .map_err(|e| format!("error: {}", e.message))?;
        for (logged, d) in group.iter().zip(variant.decide(&apps)) {
            let now_status = d.status.to_string();
            let now_amount = d.amount.to_string();
            if logged["status"].as_str() == Some(now_status.as_str())
                && logged["amount"].as_str() == Some(now_amount.as_str())
            {
                same += 1;
            } else {
                differ += 1;
                out(&format!(
                    "differs {}: logged {} {}, now {now_status} {now_amount}",
                    logged["decision"].as_str().unwrap_or("?"),
                    logged["status"].as_str().unwrap_or("?"),
                    logged["amount"].as_str().unwrap_or("?"),
                ));
            }
        }
    }
    if other_pack > 0 {
        out(&format!(
            "{other_pack} decisions were logged under another pack than {} (fingerprint {})",
            pack.display(),
            engine.pack().fingerprint
        ));
    }
    out(&format!(
        "{} replayed: {same} the same, {differ} different",
        same + differ
    ));
    Ok(differ == 0)
}
