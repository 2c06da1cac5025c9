//! What-if changes to a pack: parameter overrides, clauses switched off, scripts replaced.
//!
//! A [`Scenario`] is read from `--set clause.param=value` arguments or a scenario file, checked
//! whole (every unknown name with a suggestion, every value in its unit) and applied to a copy
//! of the pack; the copy's fingerprint covers the changes.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::load::files::RawScalar;
use crate::load::files::RuleFile;
use crate::load::fullwidth::yaml_error;
use crate::load::pack::parse_yaml;
use crate::load::yaml::{self, YamlLimits};
use crate::load::{params, references, settlement};
use crate::model::error::{LoadError, LoadErrors};
use crate::model::lang::{said, Message};
use crate::model::pack::{Clause, DatedValue, Pack, Parameter, Unit};
use crate::model::pos::Pos;
use crate::model::suggest;
use crate::model::value::Value;
use crate::script::host::{Script, ScriptHost};

/// A named set of changes to a pack
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Its name, shown in comparisons
    pub name: String,
    /// What it is for
    pub description: Option<String>,
    /// The changes, applied in order
    pub changes: Vec<ScenarioChange>,
}

/// Where a change was written: a file and line, or a command-line argument
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeOrigin {
    /// The file, or `--set` for an argument
    pub file: PathBuf,
    /// Line and column in the file
    pub pos: Option<Pos>,
}

/// One change
#[derive(Debug, Clone, PartialEq)]
pub enum ScenarioChange {
    /// A parameter gets a new value (from a year on, if `from` is given)
    Set {
        /// Clause id
        clause: String,
        /// Parameter name; for one cell of a band table, with `[n]` (band n's value, counting
        /// from 1) or `[n].from` (its threshold)
        param: String,
        /// The year from which it applies, for a parameter with a timeline
        from: Option<i64>,
        /// The value, as written (`600000`, `60万`, `15%`)
        value: String,
        /// Where it was written
        origin: ChangeOrigin,
    },
    /// A clause is switched off: its applications get nothing
    Disable {
        /// Clause id
        clause: String,
        /// Where it was written
        origin: ChangeOrigin,
    },
    /// Settlement rules added after the pack's own: the `settlement:` (and `applicant:`) of a
    /// scenario file, kept as the file's text and read against the pack when applied
    AddRules {
        /// The scenario file's text
        text: String,
        /// Where it was written
        origin: ChangeOrigin,
    },
    /// A clause's script is replaced by another file (a structural change)
    Replace {
        /// Clause id
        clause: String,
        /// The new script
        script: PathBuf,
        /// Where it was written
        origin: ChangeOrigin,
    },
}

impl ScenarioChange {
    /// Reads `clause.param=value`, `clause.param@2027=value` or, for a band table,
    /// `clause.param[2]=value` and `clause.param[2].from=value`, as given to `--set`
    pub fn parse_set(arg: &str) -> Result<ScenarioChange, String> {
        let origin = ChangeOrigin {
            file: PathBuf::from("--set"),
            pos: None,
        };
        let (target, value) = arg
            .split_once('=')
            .ok_or_else(|| format!("`{arg}`: expected `clause-id.parameter=value`"))?;
        let (clause, param, from) =
            parse_target(target.trim()).map_err(|e| format!("`{arg}`: {e}"))?;
        Ok(ScenarioChange::Set {
            clause,
            param,
            from,
            value: value.trim().to_string(),
            origin,
        })
    }

    fn origin(&self) -> &ChangeOrigin {
        match self {
            ScenarioChange::Set { origin, .. }
            | ScenarioChange::Disable { origin, .. }
            | ScenarioChange::AddRules { origin, .. }
            | ScenarioChange::Replace { origin, .. } => origin,
        }
    }

    /// The change in words, for reports: `rd-platform.provincial = 600000`
    pub fn describe(&self) -> String {
        match self {
            ScenarioChange::Set {
                clause,
                param,
                from: None,
                value,
                ..
            } => format!("{clause}.{param} = {value}"),
            ScenarioChange::Set {
                clause,
                param,
                from: Some(y),
                value,
                ..
            } => format!("{clause}.{param} = {value}（{y} 年起）"),
            ScenarioChange::Disable { clause, .. } => format!("{clause} 停用"),
            ScenarioChange::AddRules { text, .. } => {
                let ids: Vec<String> = yaml::parse(text, YamlLimits::default())
                    .ok()
                    .and_then(|n| yaml::from_node::<ScenarioRules>(&n).ok())
                    .map(|f| f.settlement.into_iter().map(|r| r.id).collect())
                    .unwrap_or_default();
                format!("新增结算规则 {}", ids.join("、"))
            }
            ScenarioChange::Replace { clause, script, .. } => {
                format!("{clause} 脚本替换为 {}", script.display())
            }
        }
    }
}

/// Reads a target: `clause.param`, with `[n]` (band n's value) or `[n].from` (its threshold)
/// for a band table, and `@year` for one year of a timeline (after the parameter or at the end)
fn parse_target(target: &str) -> Result<(String, String, Option<i64>), String> {
    let (path, from) = match target.split_once('@') {
        Some((p, y)) => {
            // `rate@2027[2]` is `rate[2]@2027`.
            let (y, cell) = match y.find('[') {
                Some(i) => y.split_at(i),
                None => (y, ""),
            };
            let year = y
                .parse::<i64>()
                .map_err(|_| format!("`@{y}` is not a year"))?;
            (format!("{p}{cell}"), Some(year))
        }
        None => (target.to_string(), None),
    };
    let (clause, param) = path
        .split_once('.')
        .ok_or_else(|| "expected `clause-id.parameter`".to_string())?;
    if clause.is_empty() || param.is_empty() {
        return Err("expected `clause-id.parameter`".into());
    }
    split_cell(param)?;
    Ok((clause.to_string(), param.to_string(), from))
}

/// Which cell of a band table a target names
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    /// `[n]`: band n's value
    Value(usize),
    /// `[n].from`: band n's threshold
    From(usize),
}

/// A target's parameter name and the band table cell it names, if any: `rate`, `rate[2]`,
/// `rate[2].value` (the same) or `rate[2].from`; bands count from 1
fn split_cell(param: &str) -> Result<(&str, Option<Cell>), String> {
    let Some((name, rest)) = param.split_once('[') else {
        return Ok((param, None));
    };
    let expected =
        || format!("expected `{name}[n]` (band n's value) or `{name}[n].from` (its threshold)");
    let (number, key) = rest.split_once(']').ok_or_else(expected)?;
    let n: usize = number
        .trim()
        .parse()
        .map_err(|_| format!("`[{number}]` is not a band number: bands count from 1"))?;
    if n == 0 {
        return Err("bands count from 1: `[1]` is the first band".into());
    }
    match key {
        "" | ".value" => Ok((name, Some(Cell::Value(n)))),
        ".from" => Ok((name, Some(Cell::From(n)))),
        _ => Err(expected()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    set: IndexMap<String, RawScalar>,
    #[serde(default)]
    disable: Vec<String>,
    #[serde(default)]
    replace: IndexMap<String, String>,
    #[serde(default)]
    settlement: Vec<RuleFile>,
    #[serde(default)]
    applicant: Option<Vec<String>>,
}

/// The settlement part of a scenario file, read again when the scenario is applied
#[derive(Deserialize)]
struct ScenarioRules {
    #[serde(default)]
    settlement: Vec<RuleFile>,
    #[serde(default)]
    applicant: Option<Vec<String>>,
}

impl Scenario {
    /// A scenario of `--set` arguments
    pub fn from_sets(args: &[String]) -> Result<Scenario, LoadErrors> {
        match Scenario::from_sets_partly(args) {
            (scenario, errors) if errors.is_empty() => Ok(scenario),
            (_, errors) => Err(errors),
        }
    }

    /// The scenario of every `--set` argument that parses, and the errors of those that do not
    pub(crate) fn from_sets_partly(args: &[String]) -> (Scenario, LoadErrors) {
        let mut errors = LoadErrors::default();
        let mut changes = Vec::new();
        for a in args {
            match ScenarioChange::parse_set(a) {
                Ok(c) => changes.push(c),
                Err(e) => errors.push(LoadError::new(Path::new("--set"), None, e)),
            }
        }
        let scenario = Scenario {
            name: args.join(" "),
            description: None,
            changes,
        };
        (scenario, errors)
    }

    /// Reads a scenario file: `name`, `description`, and `set` / `disable` / `replace`
    pub fn load(path: &Path) -> Result<Scenario, LoadErrors> {
        let err = |pos, message: String| LoadErrors(vec![LoadError::new(path, pos, message)]);
        let bytes = crate::load::files::read_at_most(path, crate::load::files::MAX_SCENARIO_BYTES)
            .map_err(|m| {
                let zh = match m.strip_prefix("cannot read: ") {
                    Some(rest) => format!("无法读取：{rest}"),
                    None => m
                        .replace("over ", "超过 ")
                        .replace(" bytes, the most read", " 字节，读取上限"),
                };
                LoadErrors(vec![LoadError::both(path, None, zh, m)])
            })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            err(
                None,
                format!("not valid UTF-8 (at byte {})", e.utf8_error().valid_up_to()),
            )
        })?;
        let refused =
            |pos, message, zh| LoadErrors(vec![yaml_error(path, &text, pos, message, zh)]);
        let node = yaml::parse(&text, YamlLimits::default()).map_err(|e| {
            refused(
                e.pos,
                format!("YAML syntax: {}", e.message),
                Some(format!("YAML 语法错误：{}", e.message)),
            )
        })?;
        let file: ScenarioFile =
            yaml::from_node(&node).map_err(|e| refused(e.pos, e.message, e.zh))?;
        let at = |keys: &[&str]| -> ChangeOrigin {
            ChangeOrigin {
                file: path.to_path_buf(),
                pos: node.key_pos(keys),
            }
        };
        let mut errors = LoadErrors::default();
        let mut changes = Vec::new();
        // Rules first: a `set` may address a parameter of a rule the scenario adds.
        if !file.settlement.is_empty() || file.applicant.is_some() {
            changes.push(ScenarioChange::AddRules {
                text: text.clone(),
                origin: at(&["settlement"]),
            });
        }
        for (target, value) in &file.set {
            let origin = at(&["set", target]);
            match parse_target(target) {
                Ok((clause, param, from)) => changes.push(ScenarioChange::Set {
                    clause,
                    param,
                    from,
                    value: value.0.clone(),
                    origin,
                }),
                Err(e) => errors.push(LoadError::new(path, origin.pos, format!("`{target}`: {e}"))),
            }
        }
        for (i, clause) in file.disable.iter().enumerate() {
            let pos = node.get("disable").and_then(|d| match &d.value {
                yaml::NodeValue::Seq(items) => items.get(i).and_then(|n| n.pos),
                _ => None,
            });
            changes.push(ScenarioChange::Disable {
                clause: clause.clone(),
                origin: ChangeOrigin {
                    file: path.to_path_buf(),
                    pos,
                },
            });
        }
        for (clause, script) in &file.replace {
            let base = path.parent().unwrap_or(Path::new("."));
            changes.push(ScenarioChange::Replace {
                clause: clause.clone(),
                script: base.join(script),
                origin: at(&["replace", clause]),
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Scenario {
            name: file.name,
            description: file.description,
            changes,
        })
    }
}

/// Applies a scenario to a copy of the pack and its compiled scripts: every change is checked
/// before any is kept
pub(crate) fn apply(
    pack: &Pack,
    scripts: &[Script],
    host: &ScriptHost,
    scenario: &Scenario,
) -> Result<(Pack, Vec<Script>), LoadErrors> {
    let mut out = pack.clone();
    let mut out_scripts = scripts.to_vec();
    let mut errors = LoadErrors::default();
    let mut hasher = Sha256::new();
    hasher.update(pack.fingerprint.as_bytes());
    for change in &scenario.changes {
        let origin = change.origin();
        let fail = |errors: &mut LoadErrors, message: Message| {
            errors.push(LoadError::both(
                &origin.file,
                origin.pos,
                message.zh,
                message.en,
            ));
        };
        if let ScenarioChange::AddRules { text, .. } = change {
            hasher.update((text.len() as u64).to_le_bytes());
            hasher.update(text.as_bytes());
            add_rules(&mut out, text, origin, &mut errors);
            continue;
        }
        let clause_id = match change {
            ScenarioChange::Set { clause, .. }
            | ScenarioChange::Disable { clause, .. }
            | ScenarioChange::Replace { clause, .. } => clause,
            ScenarioChange::AddRules { .. } => continue,
        };
        // A `set` may address a settlement rule's parameter: `yearly-cap.max`.
        if let ScenarioChange::Set {
            param, from, value, ..
        } = change
        {
            if let Some(rule) = out.settlement.iter_mut().find(|r| &r.id == clause_id) {
                let (param_read, v) = canonical_set(&rule.parameters, param, value);
                let canonical = format!("set {clause_id}.{param_read}@{from:?}={v}");
                hasher.update((canonical.len() as u64).to_le_bytes());
                hasher.update(canonical.as_bytes());
                if let Err(message) =
                    set_said(clause_id, "rule", &mut rule.parameters, param, *from, value)
                {
                    fail(&mut errors, message);
                }
                continue;
            }
        }
        let Some(ci) = out.clauses.iter().position(|c| &c.id == clause_id) else {
            let names = pack
                .clauses
                .iter()
                .map(|c| c.id.as_str())
                .chain(out.settlement.iter().map(|r| r.id.as_str()));
            let hint = suggest::nearest(clause_id, names)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            let hint_zh = hint
                .replace("; did you mean", "；是否应为")
                .replace('?', "？");
            fail(
                &mut errors,
                said!(
                    "没有条款 `{clause_id}`{hint_zh}",
                    "unknown clause `{clause_id}`{hint}"
                ),
            );
            continue;
        };
        let canonical = canonical(change, clause_id, &out.clauses[ci]);
        hasher.update((canonical.len() as u64).to_le_bytes());
        hasher.update(canonical.as_bytes());
        match change {
            ScenarioChange::Set {
                param, from, value, ..
            } => {
                let clause = &mut out.clauses[ci];
                if let Err(message) = set_said(
                    clause_id,
                    "clause",
                    &mut clause.parameters,
                    param,
                    *from,
                    value,
                ) {
                    fail(&mut errors, message);
                }
            }
            ScenarioChange::Disable { .. } => out.clauses[ci].enabled = false,
            ScenarioChange::AddRules { .. } => {}
            ScenarioChange::Replace { script, .. } => {
                let replacing = Replacing {
                    ci,
                    script,
                    origin,
                    host,
                };
                replace_script(
                    &replacing,
                    &mut out,
                    &mut out_scripts,
                    &mut hasher,
                    &mut errors,
                );
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    out.fingerprint = format!("sha256:{:x}", hasher.finalize());
    Ok((out, out_scripts))
}

/// A change as it counts toward the scenario's fingerprint
fn canonical(change: &ScenarioChange, clause_id: &str, clause: &Clause) -> String {
    // Length-prefixed fields, so two different change lists never hash the same. A set value
    // is hashed as parsed, so `60万` and `600000` give one fingerprint.
    match change {
        ScenarioChange::Set {
            param, from, value, ..
        } => {
            let (param, v) = canonical_set(&clause.parameters, param, value);
            format!("set {clause_id}.{param}@{from:?}={v}")
        }
        // The replacement's content is hashed below; its path must not count, or the
        // same scenario would fingerprint differently in every checkout.
        ScenarioChange::Replace { .. } => format!("replace {clause_id}"),
        other => other.describe(),
    }
}

/// A scenario's settlement rules read against the pack and added after its own; the whole list
/// checked for order
fn add_rules(out: &mut Pack, text: &str, origin: &ChangeOrigin, errors: &mut LoadErrors) {
    let path = &origin.file;
    let mut node = None;
    let Some(file) = parse_yaml::<ScenarioRules>(path, text, &mut node, errors) else {
        return;
    };
    let Some(node) = node else {
        return;
    };
    let applicant = file.applicant.unwrap_or_else(|| out.applicant.clone());
    if let Some(fields) = node.get("applicant").map(|_| &applicant) {
        settlement::check_applicant(
            fields,
            &out.kinds,
            path,
            node.key_pos(&["applicant"]),
            errors,
        );
    }
    // A scenario's rule proposes a text: it is not looked up in the pack's source.
    let cx = settlement::RuleContext {
        clauses: &out.clauses,
        kinds: &out.kinds,
        period: out.period.as_deref(),
        applicant: &applicant,
        normalized_source: None,
        source: None,
        before: &out.settlement,
    };
    let rules =
        settlement::build_rules(&file.settlement, node.get("settlement"), path, &cx, errors);
    out.settlement.extend(rules);
    settlement::check_order(&out.settlement, errors);
}

/// [`set_parameter`], its refusals in both languages: the usual two (a misspelt parameter, a
/// value not in its unit) in Chinese too, the rarer ones as written
fn set_said(
    owner: &str,
    what: &str,
    parameters: &mut std::sync::Arc<Vec<Parameter>>,
    param: &str,
    from: Option<i64>,
    value: &str,
) -> Result<(), Message> {
    let plain = |m: String| Message {
        zh: m.clone(),
        en: m,
    };
    let (name, cell) = split_cell(param).map_err(plain)?;
    match parameters.iter().find(|p| p.name == name) {
        None => {
            let near = suggest::nearest(name, parameters.iter().map(|p| p.name.as_str()));
            let hint_zh = near
                .map(|s| format!("；是否应为 `{owner}.{s}`？"))
                .unwrap_or_default();
            let hint = near
                .map(|s| format!("; did you mean `{owner}.{s}`?"))
                .unwrap_or_default();
            let what_zh = if what == "rule" {
                "结算规则"
            } else {
                "条款"
            };
            return Err(said!(
                "{what_zh} `{owner}` 没有参数 `{name}`{hint_zh}",
                "{what} `{owner}` has no parameter `{name}`{hint}"
            ));
        }
        Some(p) if cell.is_none() && p.unit != Unit::Bands => {
            if let Err(e) = params::parse_param_value_said(value, p.unit) {
                let unit = p.unit.name();
                let (zh, en) = (e.zh, e.en);
                return Err(said!(
                    "`{owner}.{name}`（单位 {unit}）：{zh}",
                    "`{owner}.{name}` (unit {unit}): {en}"
                ));
            }
        }
        Some(_) => {}
    }
    set_parameter(owner, what, parameters, param, from, value).map_err(plain)
}

/// A parameter's value (or one year of its timeline, or one cell of a band table) set from its
/// text, in its unit; `owner` is the clause or rule id, `what` says which
fn set_parameter(
    owner: &str,
    what: &str,
    parameters: &mut std::sync::Arc<Vec<Parameter>>,
    param: &str,
    from: Option<i64>,
    value: &str,
) -> Result<(), String> {
    let clause_id = owner;
    let (param, cell) = split_cell(param)?;
    let names: Vec<String> = parameters.iter().map(|p| p.name.clone()).collect();
    let Some(pi) = names.iter().position(|n| n == param) else {
        let hint = suggest::nearest(param, names.iter().map(String::as_str))
            .map(|s| format!("; did you mean `{clause_id}.{s}`?"))
            .unwrap_or_default();
        return Err(format!(
            "{what} `{clause_id}` has no parameter `{param}`{hint}"
        ));
    };
    let mut params = (**parameters).clone();
    let p = &mut params[pi];
    let name = format!("{clause_id}.{param}");
    let v = match (cell, p.unit) {
        (Some(cell), Unit::Bands) => return set_band(parameters, pi, &name, cell, from, value),
        (Some(_), unit) => {
            return Err(format!(
                "`{name}` is one value (unit {}), not a band table: set it without `[n]`",
                unit.name()
            ))
        }
        (None, Unit::Bands) => {
            let count = p
                .values
                .first()
                .map(|d| match &d.value {
                    Value::Bands(b) => b.bands.len(),
                    _ => 0,
                })
                .unwrap_or(0);
            return Err(format!(
                "`{name}` is a band table of {count} bands: set one band's value as `{name}[n]=…` or its threshold as `{name}[n].from=…`"
            ));
        }
        (None, unit) => match params::parse_param_value(value, unit) {
            Ok(v) => v,
            Err(e) => return Err(format!("`{name}` (unit {}): {e}", unit.name())),
        },
    };
    match from {
        None => {
            p.values = vec![DatedValue {
                from: None,
                value: v,
            }]
        }
        Some(year) if p.is_timeline() => {
            p.values.retain(|d| d.from != Some(year));
            p.values.push(DatedValue {
                from: Some(year),
                value: v,
            });
            p.values.sort_by_key(|d| d.from);
        }
        Some(_) => {
            return Err(format!(
                "`{clause_id}.{param}` has one plain value, not a timeline: set it without `@year`"
            ));
        }
    }
    *parameters = std::sync::Arc::new(params);

    Ok(())
}

/// One cell of a band table parameter (of one year's table, with `@year`), checked: the band
/// exists, the value is in the table's unit, a threshold stays between its neighbours'. A year
/// a timeline has no entry for gets one, a copy of the table in force then (of the first
/// table, before the timeline starts) with the cell changed.
fn set_band(
    parameters: &mut std::sync::Arc<Vec<Parameter>>,
    pi: usize,
    name: &str,
    cell: Cell,
    from: Option<i64>,
    value: &str,
) -> Result<(), String> {
    let mut params = (**parameters).clone();
    let p = &mut params[pi];
    let entry = match from {
        None if p.is_timeline() => {
            return Err(format!(
                "`{name}` has a table for each year: say which year's band to change, e.g. `{name}[1]@{}`",
                p.values.first().and_then(|d| d.from).unwrap_or_default()
            ))
        }
        None => 0,
        Some(_) if !p.is_timeline() => {
            return Err(format!(
                "`{name}` has one plain table, not a timeline: set it without `@year`"
            ))
        }
        Some(year) => match p.values.iter().position(|d| d.from == Some(year)) {
            Some(i) => i,
            None => {
                let base = p
                    .value_for(Some(year))
                    .or(p.values.first().map(|d| &d.value))
                    .cloned()
                    .ok_or_else(|| format!("`{name}` has no table"))?;
                p.values.push(DatedValue {
                    from: Some(year),
                    value: base,
                });
                p.values.sort_by_key(|d| d.from);
                p.values
                    .iter()
                    .position(|d| d.from == Some(year))
                    .unwrap_or_default()
            }
        },
    };
    let Some(DatedValue {
        value: Value::Bands(table),
        ..
    }) = p.values.get_mut(entry)
    else {
        return Err(format!("`{name}` is not a band table"));
    };
    let table = std::sync::Arc::make_mut(table);
    let count = table.bands.len();
    let (Cell::Value(n) | Cell::From(n)) = cell;
    if n > count {
        return Err(format!(
            "band {n} does not exist; the table `{name}` has {count} band{}",
            if count == 1 { "" } else { "s" }
        ));
    }
    let i = n - 1;
    match cell {
        Cell::Value(_) => {
            table.bands[i].value = params::band_number(value, table.gives).map_err(|e| {
                format!(
                    "`{name}[{n}]` (band {n}'s value, unit {}): {e}",
                    table.gives.name()
                )
            })?;
        }
        Cell::From(_) => {
            let at = params::band_number(value, table.of).map_err(|e| {
                format!(
                    "`{name}[{n}].from` (band {n}'s threshold, unit {}): {e}",
                    table.of.name()
                )
            })?;
            let below = i.checked_sub(1).map(|j| table.bands[j].from);
            let above = table.bands.get(i + 1).map(|b| b.from);
            if below.is_some_and(|b| at <= b) || above.is_some_and(|a| at >= a) {
                let mut between = Vec::new();
                if let Some(b) = below {
                    between.push(format!("above band {}'s {}", n - 1, b.normalize()));
                }
                if let Some(a) = above {
                    between.push(format!("below band {}'s {}", n + 1, a.normalize()));
                }
                return Err(format!(
                    "`{name}[{n}].from` = `{value}` must be {}: thresholds strictly increase",
                    between.join(" and ")
                ));
            }
            table.bands[i].from = at;
        }
    }
    *parameters = std::sync::Arc::new(params);
    Ok(())
}

/// A set's target and value as they count toward the fingerprint: the value as read in its
/// unit (a band table's cell in the table's), so `60万` and `600000` count alike, and a cell
/// named one way (`rate[2].value` is `rate[2]`); as written when it does not read
fn canonical_set(parameters: &[Parameter], param: &str, value: &str) -> (String, String) {
    let as_written = || (param.to_string(), value.to_string());
    let Ok((name, cell)) = split_cell(param) else {
        return as_written();
    };
    let Some(p) = parameters.iter().find(|p| p.name == name) else {
        return as_written();
    };
    let read = match (cell, p.values.first().map(|d| &d.value)) {
        (None, _) => {
            params::parse_param_value(value, p.unit).map(|v| (name.to_string(), v.to_string()))
        }
        (Some(Cell::Value(n)), Some(Value::Bands(b))) => {
            params::band_number(value, b.gives).map(|d| (format!("{name}[{n}]"), d.to_string()))
        }
        (Some(Cell::From(n)), Some(Value::Bands(b))) => {
            params::band_number(value, b.of).map(|d| (format!("{name}[{n}].from"), d.to_string()))
        }
        (Some(_), _) => Err(String::new()),
    };
    read.unwrap_or_else(|_| as_written())
}

/// A clause's script to replace, and where the change was written
struct Replacing<'a> {
    ci: usize,
    script: &'a Path,
    origin: &'a ChangeOrigin,
    host: &'a ScriptHost,
}

/// A clause's script replaced by another file, checked against the clause's parameters and
/// kind and compiled; its content counts toward the fingerprint
fn replace_script(
    r: &Replacing<'_>,
    out: &mut Pack,
    scripts: &mut [Script],
    hasher: &mut Sha256,
    errors: &mut LoadErrors,
) {
    let Replacing {
        ci,
        script,
        origin,
        host,
    } = *r;
    let source =
        match crate::load::files::read_at_most(script, crate::load::files::MAX_SCENARIO_BYTES) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(s) => s,
                Err(_) => {
                    errors.push(LoadError::new(script, None, "not valid UTF-8".into()));
                    return;
                }
            },
            Err(e) => {
                errors.push(LoadError::new(
                    &origin.file,
                    origin.pos,
                    format!(
                        "cannot read `{}`: {}",
                        script.display(),
                        e.strip_prefix("cannot read: ").unwrap_or(&e)
                    ),
                ));
                return;
            }
        };
    hasher.update((source.len() as u64).to_le_bytes());
    hasher.update(source.as_bytes());
    let before = errors.len();
    references::check_script_references(host, out, ci, script, &source, errors);
    match crate::load::fullwidth::compile(host, script, source.clone()) {
        Ok(s) if errors.len() == before => {
            out.clauses[ci].script_path = script.to_path_buf();
            out.clauses[ci].script_source = source;
            scripts[ci] = s;
        }
        Ok(_) => {}
        Err(e) => errors.push(e),
    }
}
