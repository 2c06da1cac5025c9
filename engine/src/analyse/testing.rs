//! Tests as data: `tests/*.yaml` in a pack state applications and the decisions expected for
//! them; running them also measures which outcomes of each clause no test reaches.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::analyse::explain::Explanation;
use crate::input::{self, RawApplication};
use crate::model::error::{LoadError, LoadErrors};
use crate::model::lang::Lang;

use crate::decide::Engine;
use crate::load::files::RawScalar;
use crate::load::fullwidth::yaml_error;
use crate::load::params::parse_param_value;
use crate::load::scenario::Scenario;
use crate::load::script_refs;
use crate::load::yaml::{self, Node, YamlLimits};
use crate::model::decision::{Decision, Status};
use crate::model::money;
use crate::model::pack::RuleKind;
use crate::model::pos::Pos;

/// What running a pack's tests found
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestReport {
    /// Every case, in file and case order
    pub cases: Vec<CaseResult>,
    /// Which outcomes of which clauses the tests reach
    pub coverage: Coverage,
    /// Cases that passed
    pub passed: usize,
    /// Cases that failed
    pub failed: usize,
}

/// One test case's result
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseResult {
    /// The test file, relative to the pack
    pub file: String,
    /// Line of the case in its file
    pub line: Option<usize>,
    /// The file's `name`
    pub suite: String,
    /// The case's `name`
    pub case: String,
    /// Whether every expectation held
    pub passed: bool,
    /// The expectations that did not hold
    pub failures: Vec<Failure>,
}

/// One expectation that did not hold
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    /// The application
    pub id: String,
    /// What was expected, in words (`status awarded, amount 300000.00`)
    pub expected: String,
    /// What the engine decided, in the same words
    pub actual: String,
    /// The explanation of the actual decision
    pub explanation: Option<Explanation>,
}

/// Outcomes reached, per clause
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    /// Every outcome, reached or not
    pub outcomes: Vec<OutcomeCovered>,
    /// Outcomes reached by at least one test
    pub reached: usize,
    /// All outcomes
    pub total: usize,
    /// `reached / total` in percent, one decimal
    #[serde(serialize_with = "money::as_text")]
    pub percent: Decimal,
}

/// One way a clause can award or refuse
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutcomeCovered {
    /// The clause, or `(pack)` for a precondition every clause shares
    pub clause: String,
    /// The outcome: `award@14:5`, `ineligible@9:12`, `cap`, `count-limit`, `precondition:<field>`
    pub key: String,
    /// The outcome in words, with the script line it comes from
    pub description: String,
    /// Whether a test reaches it
    pub reached: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SuiteFile {
    name: String,
    cases: Vec<CaseFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    name: String,
    #[serde(default)]
    set: IndexMap<String, RawScalar>,
    #[serde(default)]
    scenario: Option<String>,
    // Read from the node as applications; here only so that the key is known.
    #[allow(
        dead_code,
        reason = "the applications are read from the YAML node directly"
    )]
    applications: serde::de::IgnoredAny,
    expect: Vec<ExpectFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectFile {
    id: String,
    #[serde(default)]
    status: Option<Status>,
    #[serde(default)]
    amount: Option<RawScalar>,
    #[serde(default)]
    clause: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

struct Case {
    file: String,
    line: Option<usize>,
    suite: String,
    name: String,
    sets: Vec<String>,
    scenario: Option<PathBuf>,
    applications: Vec<RawApplication>,
    expect: Vec<(ExpectFile, Option<Decimal>)>,
}

impl Case {
    /// The engine a case runs with: the pack's, with its scenario and overrides applied
    fn engine(&self, engine: &Engine) -> Result<Engine, LoadErrors> {
        let mut variant = engine.clone();
        // Expected reasons are written in the pack's language, whatever a person reads.
        variant.pack.shown = variant.pack.language.unwrap_or(Lang::En);
        if let Some(file) = &self.scenario {
            variant = variant.with_scenario(&Scenario::load(file)?)?;
        }
        if !self.sets.is_empty() {
            variant = variant.with_sets(&self.sets)?;
        }
        Ok(variant)
    }
}

/// One file of test cases, each case with its applications and its expectations read exactly
fn read_suite(dir: &Path, path: &Path, errors: &mut LoadErrors, cases: &mut Vec<Case>) {
    let rel = path.strip_prefix(dir).unwrap_or(path).display().to_string();
    // A pack file like the others: a link out of the pack or a FIFO is refused, not read.
    let inside = path.strip_prefix(dir).ok().and_then(|r| r.to_str());
    let read = match inside {
        Some(r) => crate::load::files::read_in_pack(dir, r),
        None => Err((
            "不在包目录里".to_string(),
            "is not inside the pack directory".to_string(),
        )),
    };
    let text = match read.map(String::from_utf8) {
        Ok(Ok(t)) => t,
        Ok(Err(e)) => {
            let at = e.utf8_error().valid_up_to();
            errors.push(LoadError::new(
                path,
                None,
                format!("not valid UTF-8 (at byte {at})"),
            ));
            return;
        }
        Err((zh, en)) => {
            errors.push(LoadError::both(path, None, zh, en));
            return;
        }
    };
    let node = match yaml::parse(
        &text,
        YamlLimits {
            reject_duplicate_keys: false,
            ..YamlLimits::default()
        },
    ) {
        Ok(n) => n,
        Err(e) => {
            errors.push(yaml_error(
                path,
                &text,
                e.pos,
                format!("YAML syntax: {}", e.message),
                Some(format!("YAML 语法错误：{}", e.message)),
            ));
            return;
        }
    };
    let suite: SuiteFile = match yaml::from_node(&node) {
        Ok(s) => s,
        Err(e) => {
            errors.push(yaml_error(path, &text, e.pos, e.message, e.zh));
            return;
        }
    };
    let case_nodes: Vec<&Node> = match node.get("cases").map(|n| &n.value) {
        Some(yaml::NodeValue::Seq(items)) => items.iter().collect(),
        _ => Vec::new(),
    };
    for (case, cnode) in suite.cases.into_iter().zip(case_nodes) {
        let apps = match cnode.get("applications") {
            Some(n) => match input::applications_from_node(n.clone()) {
                Ok(a) => a,
                Err((pos, m)) => {
                    errors.push(LoadError::new(path, pos, m));
                    continue;
                }
            },
            None => Vec::new(),
        };
        let mut expect = Vec::new();
        for e in case.expect {
            let amount = match &e.amount {
                None => None,
                // Written as parameters are: `123456.79`, `40万`, `400000元`.
                Some(raw) => match parse_param_value(&raw.0, crate::model::pack::Unit::Yuan) {
                    Ok(crate::model::value::Value::Decimal(d)) => Some(d),
                    Ok(_) => None,
                    Err(err) => {
                        errors.push(LoadError::new(
                            path,
                            cnode.pos,
                            format!("case `{}`: amount `{}` is {err}", case.name, raw.0),
                        ));
                        continue;
                    }
                },
            };
            expect.push((e, amount));
        }
        cases.push(Case {
            file: rel.clone(),
            line: cnode.pos.map(|p: Pos| p.line),
            suite: suite.name.clone(),
            name: case.name,
            sets: case
                .set
                .iter()
                .map(|(k, v)| format!("{k}={}", v.0))
                .collect(),
            scenario: case.scenario.map(|s| path.parent().unwrap_or(dir).join(s)),
            applications: apps,
            expect,
        });
    }
}

fn read_suites(dir: &Path) -> Result<Vec<Case>, LoadErrors> {
    let tests = dir.join("tests");
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&tests) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    let mut errors = LoadErrors::default();
    let mut cases = Vec::new();
    for path in files {
        read_suite(dir, &path, &mut errors, &mut cases);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(cases)
}

/// Every outcome of every clause of the engine's pack, none reached yet
fn all_outcomes(engine: &Engine) -> Vec<OutcomeCovered> {
    let pack = engine.pack();
    // Read by a person beside the coverage figure: in the language the run shows.
    let zh = pack.shown_language() == Lang::Zh;
    let mut out = Vec::new();
    for p in &pack.preconditions {
        out.push(OutcomeCovered {
            clause: "(pack)".into(),
            key: format!("precondition:{}", p.field),
            description: if zh {
                format!("前提条件 `{}` 不满足", p.field)
            } else {
                format!("precondition `{}` refuses", p.field)
            },
            reached: false,
        });
    }
    for c in &pack.clauses {
        let lines: Vec<&str> = c.script_source().lines().collect();
        let found = script_refs::find_in_source(&engine.code.host, c.script_source());
        for site in found.outcome_sites {
            let text = lines
                .get(site.pos.line.saturating_sub(1))
                .map(|l| l.trim())
                .unwrap_or_default();
            let shown: String = text.chars().take(60).collect();
            out.push(OutcomeCovered {
                clause: c.id.clone(),
                key: format!("{}@{}:{}", site.name, site.pos.line, site.pos.col),
                description: {
                    let file = c
                        .script_path()
                        .file_name()
                        .map(|f| f.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let (name, line) = (&site.name, site.pos.line);
                    if zh {
                        format!("{file} 第{line}行的 {name}：`{shown}`")
                    } else {
                        format!("{name} at {file}:{line}: `{shown}`")
                    }
                },
                reached: false,
            });
        }
        if let Some(cap) = &c.cap {
            out.push(OutcomeCovered {
                clause: c.id.clone(),
                key: "cap".into(),
                description: if zh {
                    format!("单项上限 `{cap}` 核减奖励")
                } else {
                    format!("the per-item cap `{cap}` cuts an award")
                },
                reached: false,
            });
        }
        if let Some(l) = &c.count_limit {
            out.push(OutcomeCovered {
                clause: c.id.clone(),
                key: "count-limit".into(),
                description: if zh {
                    format!("数量限额 `{}` 使奖励超出限额", l.max)
                } else {
                    format!("the count limit `{}` caps an award", l.max)
                },
                reached: false,
            });
        }
    }
    for r in &pack.settlement {
        let outcomes: &[(&str, &str, &str)] = match r.what {
            RuleKind::Exclusive { .. } => &[
                (
                    "kept",
                    "keeps the highest of several awards",
                    "保留几项奖励中最高的一项",
                ),
                (
                    "superseded",
                    "supersedes a lower award",
                    "不再支持较低的奖励",
                ),
            ],
            RuleKind::Cap { .. } => &[("cut", "cuts an award over the cap", "核减超出上限的奖励")],
            RuleKind::FirstTime { .. } => &[
                (
                    "first",
                    "pays an award the history shows is the first",
                    "发放记录表明是首次的奖励予以支持",
                ),
                (
                    "not-first",
                    "withdraws an award paid before",
                    "此前已获得过的不予支持",
                ),
            ],
            RuleKind::Requires { .. } => &[
                (
                    "met",
                    "pays an award whose base was given",
                    "具备前提奖励的予以支持",
                ),
                (
                    "unmet",
                    "withdraws an award whose base was not given",
                    "不具备前提奖励的不予支持",
                ),
            ],
        };
        for (key, what, what_zh) in outcomes {
            out.push(OutcomeCovered {
                clause: r.id.clone(),
                key: format!("rule:{}:{key}", r.id),
                description: if zh {
                    format!("结算规则 `{}` {what_zh}", r.id)
                } else {
                    format!("settlement rule `{}` {what}", r.id)
                },
                reached: false,
            });
        }
    }
    out
}

fn words(status: Option<Status>, amount: Option<Decimal>, clause: Option<&str>) -> String {
    let mut parts = Vec::new();
    if let Some(s) = status {
        parts.push(format!("status {s}"));
    }
    if let Some(a) = amount {
        parts.push(format!("amount {a}"));
    }
    if let Some(c) = clause {
        parts.push(format!("clause {c}"));
    }
    parts.join(", ")
}

/// The outcomes a case's decisions reached, counted only where the clause's script is the
/// pack's own
fn note_reached(
    engine: &Engine,
    variant: &Engine,
    decisions: &[Decision],
    reached: &mut BTreeSet<(String, String)>,
) {
    for d in decisions {
        let Some(cid) = d.clause.as_deref() else {
            continue;
        };
        // Outcomes count only where the clause's script is the pack's own.
        let same_script = engine.pack().clause(cid).map(|c| c.script_source())
            == variant.pack().clause(cid).map(|c| c.script_source());
        for key in &d.reached {
            let clause = if key.starts_with("precondition:") {
                "(pack)".to_string()
            } else if let Some(rule) = key.strip_prefix("rule:") {
                // A settlement rule's outcome: counted under the rule's id.
                rule.split(':').next().unwrap_or_default().to_string()
            } else if same_script {
                cid.to_string()
            } else {
                continue;
            };
            reached.insert((clause, key.clone()));
        }
    }
}

/// Each expectation of a case its decisions do not meet, in words, with an explanation
fn failures(case: &Case, variant: &Engine, decisions: &[Decision]) -> Vec<Failure> {
    let mut failures = Vec::new();
    for (e, amount) in &case.expect {
        let Some(d) = decisions
            .iter()
            .find(|d| d.id.as_deref() == Some(e.id.as_str()))
        else {
            failures.push(Failure {
                id: e.id.clone(),
                expected: "a decision".into(),
                actual: "no application with this id in the case".into(),
                explanation: None,
            });
            continue;
        };
        let mut ok = true;
        ok &= e.status.is_none_or(|s| s == d.status);
        ok &= amount.is_none_or(|a| a == d.amount);
        ok &= e
            .clause
            .as_ref()
            .is_none_or(|c| Some(c) == d.clause.as_ref());
        let reason_ok = e
            .reason
            .as_ref()
            .is_none_or(|r| d.reasons.iter().any(|x| x.contains(r.as_str())));
        ok &= reason_ok;
        if !ok {
            let mut expected = words(e.status, *amount, e.clause.as_deref());
            let mut actual = words(
                e.status.map(|_| d.status),
                amount.map(|_| d.amount),
                e.clause
                    .as_ref()
                    .map(|_| d.clause.as_deref().unwrap_or("none")),
            );
            if let Some(r) = e.reason.as_ref().filter(|_| !reason_ok) {
                if !expected.is_empty() {
                    expected.push_str(", ");
                    actual.push_str(", ");
                }
                expected.push_str(&format!("a reason containing “{r}”"));
                actual.push_str(&format!("reasons “{}”", d.reasons.join("；")));
            }
            failures.push(Failure {
                id: e.id.clone(),
                expected,
                actual,
                explanation: variant.explain(&case.applications, &e.id),
            });
        }
    }
    failures
}

/// Runs the tests of the pack the engine was loaded from
pub(crate) fn run(engine: &Engine) -> Result<TestReport, LoadErrors> {
    let cases = read_suites(&engine.pack().dir)?;
    let mut outcomes = all_outcomes(engine);
    let mut reached: BTreeSet<(String, String)> = BTreeSet::new();
    let mut results = Vec::new();
    for case in cases {
        let variant = case.engine(engine)?;
        let decisions = variant.decide(&case.applications);
        note_reached(engine, &variant, &decisions, &mut reached);
        let failures = failures(&case, &variant, &decisions);
        results.push(CaseResult {
            file: case.file,
            line: case.line,
            suite: case.suite,
            case: case.name,
            passed: failures.is_empty(),
            failures,
        });
    }
    for o in &mut outcomes {
        o.reached = reached.contains(&(o.clause.clone(), o.key.clone()));
    }
    let total = outcomes.len();
    let hit = outcomes.iter().filter(|o| o.reached).count();
    let percent = if total == 0 {
        Decimal::ONE_HUNDRED
    } else {
        let mut p = (Decimal::from(hit) * Decimal::ONE_HUNDRED / Decimal::from(total)).round_dp(1);
        p.rescale(1);
        p
    };
    let passed = results.iter().filter(|r| r.passed).count();
    Ok(TestReport {
        failed: results.len() - passed,
        passed,
        cases: results,
        coverage: Coverage {
            outcomes,
            reached: hit,
            total,
            percent,
        },
    })
}

/// A test case of the pack, decided, for documentation: what went in and what came out
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkedExample {
    /// The test file's `name`
    pub suite: String,
    /// The case's `name`
    pub case: String,
    /// Overrides the case applies (`clause.param=value`)
    pub overrides: Vec<String>,
    /// Each application with its facts and its decision
    pub rows: Vec<WorkedExampleRow>,
}

/// One application of a worked example
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkedExampleRow {
    /// Its facts as `field = value`, in the kind's field order (shared fields left out)
    pub facts: Vec<String>,
    /// The decision the engine makes on it
    pub decision: Decision,
}

/// The pack's test cases, decided now, as worked examples
pub(crate) fn examples(engine: &Engine) -> Result<Vec<WorkedExample>, LoadErrors> {
    let cases = read_suites(&engine.pack().dir)?;
    let shared: Vec<String> = engine
        .pack()
        .kinds
        .first()
        .map(|k| {
            k.fields
                .iter()
                .filter(|f| {
                    engine
                        .pack()
                        .kinds
                        .iter()
                        .all(|o| o.fields.iter().any(|g| g.name == f.name))
                })
                .map(|f| f.name.clone())
                .collect()
        })
        .unwrap_or_default();
    let mut out = Vec::new();
    for case in cases {
        let variant = case.engine(engine)?;
        let decisions = variant.decide(&case.applications);
        let checked = crate::decide::check_all(variant.pack(), &case.applications);
        let rows = decisions
            .into_iter()
            .zip(checked)
            .map(|(decision, c)| {
                let facts = match c {
                    Ok(c) => c
                        .facts
                        .fields
                        .iter()
                        .zip(&c.facts.values)
                        .filter(|(f, _)| !shared.contains(&f.name))
                        .filter_map(|(f, v)| v.as_ref().map(|v| format!("{} = {v}", f.name)))
                        .collect(),
                    Err(_) => vec!["(not valid)".to_string()],
                };
                WorkedExampleRow { facts, decision }
            })
            .collect();
        out.push(WorkedExample {
            suite: case.suite,
            case: case.name,
            overrides: case.sets,
            rows,
        });
    }
    Ok(out)
}

impl Engine {
    /// Runs the pack's own tests (`tests/*.yaml`) and measures which outcomes of each clause
    /// they reach
    ///
    /// # Errors
    /// A test file that cannot be read, or a case whose overrides or scenario do not apply.
    pub fn run_tests(&self) -> Result<TestReport, LoadErrors> {
        run(self)
    }

    /// The pack's test cases decided now, as worked examples for its documentation
    ///
    /// # Errors
    /// As [`Engine::run_tests`].
    pub fn examples(&self) -> Result<Vec<WorkedExample>, LoadErrors> {
        examples(self)
    }
}
