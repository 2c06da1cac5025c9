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
use crate::load::yaml::{self, YamlLimits};
use crate::load::{params, references, settlement};
use crate::model::error::{LoadError, LoadErrors};
use crate::model::pack::{Clause, DatedValue, Pack, Parameter};
use crate::model::pos::Pos;
use crate::model::suggest;
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
        /// Parameter name
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
    /// Reads `clause.param=value` or `clause.param@2027=value`, as given to `--set`
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

fn parse_target(target: &str) -> Result<(String, String, Option<i64>), String> {
    let (path, from) = match target.split_once('@') {
        Some((p, y)) => {
            let year = y
                .parse::<i64>()
                .map_err(|_| format!("`@{y}` is not a year"))?;
            (p, Some(year))
        }
        None => (target, None),
    };
    let (clause, param) = path
        .split_once('.')
        .ok_or_else(|| "expected `clause-id.parameter`".to_string())?;
    if clause.is_empty() || param.is_empty() {
        return Err("expected `clause-id.parameter`".into());
    }
    Ok((clause.to_string(), param.to_string(), from))
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
        let text =
            std::fs::read_to_string(path).map_err(|e| err(None, format!("cannot read: {e}")))?;
        let node = yaml::parse(&text, YamlLimits::default())
            .map_err(|e| err(e.pos, format!("YAML syntax: {}", e.message)))?;
        let file: ScenarioFile = yaml::from_node(&node).map_err(|e| err(e.pos, e.message))?;
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
        let fail = |errors: &mut LoadErrors, message: String| {
            errors.push(LoadError::new(&origin.file, origin.pos, message));
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
                let canonical = canonical_set(clause_id, param, *from, value, &rule.parameters);
                hasher.update((canonical.len() as u64).to_le_bytes());
                hasher.update(canonical.as_bytes());
                if let Err(message) =
                    set_parameter(clause_id, "rule", &mut rule.parameters, param, *from, value)
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
            fail(&mut errors, format!("unknown clause `{clause_id}`{hint}"));
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
                if let Err(message) = set_parameter(
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
        } => canonical_set(clause_id, param, *from, value, &clause.parameters),
        // The replacement's content is hashed below; its path must not count, or the
        // same scenario would fingerprint differently in every checkout.
        ScenarioChange::Replace { .. } => format!("replace {clause_id}"),
        other => other.describe(),
    }
}

/// A `set` as it counts toward the fingerprint: the value as parsed in its parameter's unit
fn canonical_set(
    owner: &str,
    param: &str,
    from: Option<i64>,
    value: &str,
    parameters: &[Parameter],
) -> String {
    let unit = parameters.iter().find(|p| p.name == param).map(|p| p.unit);
    let v = unit
        .and_then(|u| params::parse_param_value(value, u).ok())
        .map(|v| v.to_string())
        .unwrap_or_else(|| value.to_string());
    format!("set {owner}.{param}@{from:?}={v}")
}

/// A scenario's settlement rules read against the pack and added after its own; the whole list
/// checked for order
fn add_rules(out: &mut Pack, text: &str, origin: &ChangeOrigin, errors: &mut LoadErrors) {
    let path = &origin.file;
    let node = match yaml::parse(text, YamlLimits::default()) {
        Ok(n) => n,
        Err(e) => {
            errors.push(LoadError::new(
                path,
                e.pos,
                format!("YAML syntax: {}", e.message),
            ));
            return;
        }
    };
    let file: ScenarioRules = match yaml::from_node(&node) {
        Ok(f) => f,
        Err(e) => {
            errors.push(LoadError::new(path, e.pos, e.message));
            return;
        }
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
        before: &out.settlement,
    };
    let rules =
        settlement::build_rules(&file.settlement, node.get("settlement"), path, &cx, errors);
    out.settlement.extend(rules);
    settlement::check_order(&out.settlement, errors);
}

/// A parameter's value (or one year of its timeline) set from its text, in its unit; `owner`
/// is the clause or rule id, `what` says which
fn set_parameter(
    owner: &str,
    what: &str,
    parameters: &mut std::sync::Arc<Vec<Parameter>>,
    param: &str,
    from: Option<i64>,
    value: &str,
) -> Result<(), String> {
    let clause_id = owner;
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
    let v = match params::parse_param_value(value, p.unit) {
        Ok(v) => v,
        Err(e) => {
            return Err(format!(
                "`{clause_id}.{param}` (unit {}): {e}",
                p.unit.name()
            ));
        }
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
    let source = match std::fs::read(script) {
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
                format!("cannot read `{}`: {e}", script.display()),
            ));
            return;
        }
    };
    hasher.update((source.len() as u64).to_le_bytes());
    hasher.update(source.as_bytes());
    let before = errors.len();
    references::check_script_references(host, out, ci, script, &source, errors);
    match host.compile(script, source.clone()) {
        Ok(s) if errors.len() == before => {
            out.clauses[ci].script_path = script.to_path_buf();
            out.clauses[ci].script_source = source;
            scripts[ci] = s;
        }
        Ok(_) => {}
        Err(e) => errors.push(e),
    }
}
