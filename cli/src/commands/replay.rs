//! `policy replay`: decide every logged decision again and report any that differs.
//!
//! The log is read a line at a time, and only one request's records are held at once: memory
//! does not grow with the log. A line that is not a decision record (not JSON, a field
//! missing, a torn last line) is reported with its number and skipped; a record whose input
//! does not hash to its `input_hash` is reported and not replayed. Either fails the command.

use std::io::{BufRead as _, Read as _};
use std::path::Path;

use policy_engine::{parse_applications, Engine, InputFormat, Lang};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::Io;
use crate::args::ReplayArgs;
use crate::exit::{EXIT_APPLICATION_ERRORS, EXIT_OK};
use crate::render::diagnostics::{load_errors, ErrorFormat};

/// The longest line read from a log: one request's application, well past any body a server
/// takes
const MAX_LINE: u64 = 64 << 20;

pub fn run(io: &mut Io<'_>, args: &ReplayArgs) -> Result<u8, String> {
    let format = io.error_format;
    let lang = crate::messages::resolve(io.lang, policy_engine::pack_language(&args.pack));
    replay(&args.log, &args.pack, format, lang, &mut |line| {
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

/// What replay found
#[derive(Default)]
struct Counts {
    same: usize,
    differ: usize,
    other_pack: usize,
    refused: usize,
}

/// The fields replay needs of a record, or what is missing
fn record(v: &Value) -> Result<(), &'static str> {
    for key in [
        "decision",
        "request",
        "fingerprint",
        "input",
        "input_hash",
        "status",
        "amount",
    ] {
        if v.get(key).is_none() {
            return Err(key);
        }
    }
    if !v["overrides"].is_array() && !v["overrides"].is_null() {
        return Err("overrides");
    }
    Ok(())
}

/// Where a line of the log is, in the reader's language
fn place(log: &Path, n: usize, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{} 第 {n} 行", log.display()),
        _ => format!("{} line {n}", log.display()),
    }
}

/// `policy replay`: decides every logged request again with a pack and compares
fn replay(
    log: &Path,
    pack: &Path,
    format: ErrorFormat,
    lang: Lang,
    out: &mut dyn FnMut(&str),
) -> Result<bool, String> {
    let engine = Engine::load(pack).map_err(|e| load_errors(&e, format))?;
    let file = std::fs::File::open(log)
        .map_err(|e| format!("error: cannot read {}: {e}", log.display()))?;
    let mut reader = std::io::BufReader::new(file);
    let mut counts = Counts::default();
    // The records of the request being read: (line number, record)
    let mut group: Vec<(usize, Value)> = Vec::new();
    let mut buf = Vec::new();
    let mut n = 0usize;
    loop {
        buf.clear();
        let read = (&mut reader)
            .take(MAX_LINE + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| format!("error: cannot read {}: {e}", log.display()))?;
        if read == 0 {
            break;
        }
        n += 1;
        let whole = buf.last() == Some(&b'\n');
        if !whole && read as u64 > MAX_LINE {
            return Err(format!(
                "error: {}: {}",
                place(log, n, lang),
                lang.pick(
                    "这一行超过 64 MiB，不是决定日志",
                    "the line is longer than 64 MiB: not a decision log"
                )
            ));
        }
        let text = String::from_utf8_lossy(&buf);
        if text.trim().is_empty() {
            continue;
        }
        let parsed = serde_json::from_str::<Value>(&text)
            .map_err(|e| e.to_string())
            .and_then(|v| match record(&v) {
                Ok(()) => Ok(v),
                Err(key) => Err(format!("{} `{key}`", lang.pick("缺少字段", "no field"))),
            });
        let v = match parsed {
            Err(why) => {
                counts.refused += 1;
                let torn = if whole {
                    ""
                } else {
                    lang.pick("（末行不完整）", " (a torn last line)")
                };
                out(&format!(
                    "{}: {}{torn}: {why}",
                    place(log, n, lang),
                    lang.pick("不是决定记录", "not a decision record")
                ));
                continue;
            }
            Ok(v) => v,
        };
        let at = place(log, n, lang);
        let input = v["input"].to_string();
        let hash = format!("sha256:{:x}", Sha256::digest(input.as_bytes()));
        if v["input_hash"].as_str() != Some(hash.as_str()) {
            counts.refused += 1;
            out(&format!(
                "{at}: {} {}",
                v["decision"].as_str().unwrap_or("?"),
                lang.pick(
                    "的输入与其 input_hash 不符：记录被改动过，不重放",
                    "has an input that does not match its input_hash: the record was altered; not replayed"
                )
            ));
            continue;
        }
        if group
            .first()
            .is_some_and(|(_, g)| g["request"] != v["request"])
        {
            decide_group(&engine, &group, format, &mut counts, out)?;
            group.clear();
        }
        group.push((n, v));
    }
    if !group.is_empty() {
        decide_group(&engine, &group, format, &mut counts, out)?;
    }
    let Counts {
        same,
        differ,
        other_pack,
        refused,
    } = counts;
    if other_pack > 0 {
        out(&format!(
            "{other_pack} decisions were logged under another pack than {} (fingerprint {})",
            pack.display(),
            engine.pack().fingerprint
        ));
    }
    if refused > 0 {
        out(&format!(
            "{refused} {}",
            lang.pick(
                "行不是可重放的决定记录（见上）",
                "lines are not decision records that can be replayed (above)"
            )
        ));
    }
    out(&format!(
        "{} replayed: {same} the same, {differ} different",
        same + differ
    ));
    Ok(differ == 0 && refused == 0)
}

/// Decides one logged request's applications together again, as the server decided them
fn decide_group(
    engine: &Engine,
    group: &[(usize, Value)],
    format: ErrorFormat,
    counts: &mut Counts,
    out: &mut dyn FnMut(&str),
) -> Result<(), String> {
    let first = &group[0].1;
    let overrides: Vec<String> = first["overrides"]
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
    if first["fingerprint"].as_str() != Some(variant.pack().fingerprint.as_str()) {
        counts.other_pack += group.len();
    }
    let inputs = Value::Array(group.iter().map(|(_, l)| l["input"].clone()).collect());
    let apps = parse_applications(&inputs.to_string(), InputFormat::Json)
        .map_err(|e| format!("error: line {}: {}", group[0].0, e.message))?;
    // Each record checked alone before (its hash); together they are one request again.
    for ((_, logged), d) in group.iter().zip(variant.decide(&apps)) {
        let now_status = d.status.to_string();
        let now_amount = d.amount.to_string();
        if logged["status"].as_str() == Some(now_status.as_str())
            && logged["amount"].as_str() == Some(now_amount.as_str())
        {
            counts.same += 1;
        } else {
            counts.differ += 1;
            out(&format!(
                "differs {}: logged {} {}, now {now_status} {now_amount}",
                logged["decision"].as_str().unwrap_or("?"),
                logged["status"].as_str().unwrap_or("?"),
                logged["amount"].as_str().unwrap_or("?"),
            ));
        }
    }
    Ok(())
}
