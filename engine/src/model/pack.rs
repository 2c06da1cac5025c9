//! The policy pack as plain data: identity, kinds and fields, clauses with their parameters and
//! script sources, targets. Built by `load`, read by every later stage; nothing here runs or reads files.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::bands::BandUnit;
use crate::model::error::LoadError;
use crate::model::lang::Lang;
use crate::model::money::{self, Rounding};
use crate::model::pos::Pos;
use crate::model::value::{FieldType, Value};

/// A pack as read and checked: plain data a caller can read, build or change. The engine
/// compiles its scripts separately (see `Engine`).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Pack {
    /// The pack's id, e.g. `suzhou-future-industries`
    pub id: String,
    /// Title of the policy
    pub title: String,
    /// Who issues the policy
    pub issuer: String,
    /// Its status, e.g. `征求意见稿 (draft for comment)`
    pub status: String,
    /// The pack's version
    pub version: String,
    /// The document the clauses encode
    pub source: Source,
    /// How final amounts are rounded
    pub rounding: Rounding,
    /// The shared integer field that gives an application's period (its year), which picks
    /// values from parameter timelines
    pub period: Option<String>,
    /// Conditions every application must meet before any clause looks at it
    pub preconditions: Vec<Precondition>,
    /// The kinds of application, each with all its fields (shared ones first)
    pub kinds: Vec<Kind>,
    /// Development targets the policy states, with how decisions count toward them
    pub targets: Vec<Target>,
    /// Column names of CSV and Excel input (e.g. `申报编号`) and the field each stands for
    pub aliases: std::collections::HashMap<String, String>,
    /// The clauses, in the order `pack.yaml` lists them (else file-name order)
    pub clauses: Vec<Clause>,
    /// Who "the same applicant" is for settlement rules that do not say: the first of these
    /// fields an application has, not empty
    pub applicant: Vec<String>,
    /// Rules applied to each applicant's decisions as a whole, in the order listed
    pub settlement: Vec<SettlementRule>,
    /// The language its people read (`language:` in pack.yaml): what a person is shown
    /// defaults to it
    pub language: Option<Lang>,
    /// The language the engine writes reasons and errors in for this run: `language`, else
    /// English, unless `Engine::set_language` chose another. A pack's own tests always
    /// run in `language`, as their expected reasons are written in it.
    pub shown: Lang,
    /// `sha256:` of every file that decides (metadata, scripts, source)
    pub fingerprint: String,
    /// What `policy check` warns about: legal, but most likely a mistake
    pub warnings: Vec<LoadError>,
    /// The directory the pack was read from
    pub dir: PathBuf,
}

/// The source document of a pack
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Source {
    /// Its title
    pub title: String,
    /// The path of its text inside the pack, if the pack carries it
    pub file: Option<String>,
    /// Where it was published
    pub url: Option<String>,
}

/// A rule every application must pass before its clause runs
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Precondition {
    /// The field tested
    pub field: String,
    /// The value it must have
    pub equals: Value,
    /// Why an application that fails it gets nothing
    pub reason: String,
}

/// One kind of application and the facts it carries
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Kind {
    /// The name used in the `kind` field of an application
    pub name: String,
    /// What it is, in words
    pub title: String,
    /// Every field an application of this kind may have: shared fields, then its own
    pub fields: Arc<Vec<Field>>,
}

/// A field of an application
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Field {
    /// Dotted name: `applicant.in_city` is `in_city` inside `applicant`
    pub name: String,
    /// What values it takes
    pub ty: FieldType,
    /// Whether an application must have it
    pub required: bool,
    /// What it means
    pub description: Option<String>,
}

/// One clause: metadata, parameters and the source of its script
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Clause {
    /// Clause id, e.g. `tech-transfer`
    pub id: String,
    /// Title
    pub title: String,
    /// The article it encodes, e.g. `四(四)8`
    pub article: String,
    /// The exact sentence of the source it encodes
    pub text: String,
    /// The kind of application it decides
    pub kind: String,
    /// Notes: readings of the text the pack chose
    pub notes: Option<String>,
    /// Parameters, in the order written
    pub parameters: Arc<Vec<Parameter>>,
    /// The parameter (in yuan) that caps one award, if any
    pub cap: Option<String>,
    /// A limit on how many applications may be awarded, if any
    pub count_limit: Option<CountLimit>,
    /// The clauses whose decisions its script reads (`others.amount("id")`): the same
    /// applicant's awards under them in the same period, decided before this clause's
    pub depends_on: Vec<String>,
    /// Path of the metadata file, as the pack was opened
    pub meta_path: PathBuf,
    /// False when a scenario switches the clause off: its applications get nothing
    pub enabled: bool,
    /// Path of the script file, as the pack was opened
    pub script_path: PathBuf,
    /// The script's source text
    pub script_source: String,
}

/// A parameter of a clause: a value drafters change without touching the logic
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Parameter {
    /// Name, addressed from outside as `clause-id.name`
    pub name: String,
    /// Its values: one plain value (`from: None`), or a timeline of values each in force from a
    /// year on, sorted by year
    pub values: Vec<DatedValue>,
    /// Its unit, which fixes its type
    pub unit: Unit,
    /// What it means
    pub description: String,
}

/// A parameter value and the year from which it is in force (`None`: always)
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DatedValue {
    /// First year in force; `None` for a plain value
    pub from: Option<i64>,
    /// The value
    pub value: Value,
}

/// A development target the policy states (e.g. about 10 talent teams by 2030), and how to
/// count progress toward it from decisions
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Target {
    /// Id
    pub id: String,
    /// What is targeted, in words
    pub title: String,
    /// The figure
    pub target: Decimal,
    /// How the figure is meant: about, at least, over
    pub comparison: TargetComparison,
    /// Unit of the figure (家, 个, 亿元 …)
    pub unit: String,
    /// The year it is meant for
    pub by: Option<i64>,
    /// Which awarded decisions count toward it; `None` if no clause measures it
    pub counts: Option<TargetMeasure>,
}

/// How progress toward a target is measured: which awarded decisions count toward it
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TargetMeasure {
    /// Awards of these clauses count
    pub clauses: Vec<String>,
    /// Count distinct values of this field (e.g. `applicant.name`) rather than awards
    pub distinct: Option<String>,
}

/// How a target's figure is meant
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetComparison {
    /// 左右: about the figure
    About,
    /// 以上: at least the figure
    AtLeast,
    /// 突破: more than the figure
    Over,
}

/// Units a parameter can have
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    /// Money, in yuan (a decimal)
    Yuan,
    /// A share, `0.10` is ten percent (a decimal)
    Ratio,
    /// A whole number of things
    Count,
    /// A plain number that is not money, a share or a count: a score, a threshold (a decimal,
    /// of either sign)
    Number,
    /// A day of the calendar, written `2026-12-31`
    Date,
    /// A band table (分档): thresholds and a value for each band, in the units the table
    /// names (`of`, `gives`)
    Bands,
}

impl Unit {
    /// The unit's name as written in YAML
    pub fn name(self) -> &'static str {
        match self {
            Unit::Yuan => "yuan",
            Unit::Ratio => "ratio",
            Unit::Count => "count",
            Unit::Number => "number",
            Unit::Date => "date",
            Unit::Bands => "bands",
        }
    }
}

impl From<BandUnit> for Unit {
    fn from(u: BandUnit) -> Unit {
        match u {
            BandUnit::Yuan => Unit::Yuan,
            BandUnit::Ratio => Unit::Ratio,
            BandUnit::Number => Unit::Number,
            BandUnit::Count => Unit::Count,
        }
    }
}

/// "No more than N per group": ranks a clause's awards and caps those past the limit
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CountLimit {
    /// The count parameter that holds N
    pub max: String,
    /// Fields whose values form a group (e.g. `year`)
    pub per: Vec<String>,
    /// The keys that rank applications within a group, compared in order; applications equal
    /// on every key are ordered by id ascending. `rank_by: score` in YAML is one key, `score`
    /// highest first
    pub rank_by: Vec<RankKey>,
}

/// One key a count limit ranks by: a number field of the kind, and which way it sorts
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankKey {
    /// The field (integer, decimal or money)
    pub field: String,
    /// Highest first (`desc`) or lowest first (`asc`); a missing value ranks last either way
    pub order: RankOrder,
}

/// Which way a rank key sorts
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RankOrder {
    /// Highest first
    Desc,
    /// Lowest first
    Asc,
}

impl RankOrder {
    /// The order's name as written in YAML
    pub fn name(self) -> &'static str {
        match self {
            RankOrder::Desc => "desc",
            RankOrder::Asc => "asc",
        }
    }

    /// The order in Chinese, as reasons and listings write it: 从高到低 / 从低到高
    pub fn words(self) -> &'static str {
        match self {
            RankOrder::Desc => "从高到低",
            RankOrder::Asc => "从低到高",
        }
    }
    /// The order in English: highest first / lowest first
    pub fn words_en(self) -> &'static str {
        match self {
            RankOrder::Desc => "highest first",
            RankOrder::Asc => "lowest first",
        }
    }
}

/// A short name for a person: a description up to its first bracket, colon or comma
/// (`评审得分（入选案例须有…）` is `评审得分`), else `fallback` (the name a program uses)
pub fn short_label(description: Option<&str>, fallback: &str) -> String {
    let head = description
        .unwrap_or_default()
        .split(['（', '(', '：', ':', '；', ';', '，', ',', '。'])
        .next()
        .unwrap_or_default()
        .trim();
    if head.is_empty() || head.chars().count() > 16 {
        fallback.to_string()
    } else {
        head.to_string()
    }
}

impl CountLimit {
    /// The keys as one text: the field alone for the usual single key, highest first (`score`),
    /// otherwise each field with its order (`score desc, rd_intensity desc, applied_on asc`)
    pub fn rank_by_text(&self) -> String {
        rank_keys_text(&self.rank_by)
    }
}

/// Rank keys as one text: `score` for a single key highest first, otherwise
/// `score desc, applied_on asc`
pub(crate) fn rank_keys_text(keys: &[RankKey]) -> String {
    match keys {
        [k] if k.order == RankOrder::Desc => k.field.clone(),
        _ => keys
            .iter()
            .map(|k| format!("{} {}", k.field, k.order.name()))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

impl Parameter {
    /// A parameter with one plain value
    pub fn plain(name: &str, value: Value, unit: Unit, description: &str) -> Parameter {
        Parameter {
            name: name.to_string(),
            values: vec![DatedValue { from: None, value }],
            unit,
            description: description.to_string(),
        }
    }

    /// The value in force for a period (the application's year): a plain value always; on a
    /// timeline, the latest entry from that year or before; `None` before the first entry
    pub fn value_for(&self, period: Option<i64>) -> Option<&Value> {
        self.values.get(self.place_for(period)?).map(|d| &d.value)
    }

    /// Where in `values` [`Parameter::value_for`] finds its value
    pub(crate) fn place_for(&self, period: Option<i64>) -> Option<usize> {
        match self.values.as_slice() {
            [DatedValue { from: None, .. }] => Some(0),
            entries => {
                let year = period?;
                entries
                    .iter()
                    .rposition(|d| d.from.is_some_and(|f| f <= year))
            }
        }
    }

    /// Whether the value changes over time
    pub fn is_timeline(&self) -> bool {
        self.values.iter().any(|d| d.from.is_some())
    }

    /// The value as written (plain), or the timeline as `2025: 400000, 2027: 600000`
    pub fn written(&self) -> String {
        let parts: Vec<String> = self
            .values
            .iter()
            .map(|d| match d.from {
                None => d.value.to_string(),
                Some(y) => format!("{y}: {}", d.value),
            })
            .collect();
        parts.join(", ")
    }

    /// One value with this parameter's unit, for people: `500,000 元（50 万元）`, `0.10（10%）`
    pub fn show(&self, value: &Value) -> String {
        match (value, self.unit) {
            (Value::Decimal(d), Unit::Yuan) => money::yuan_and_wan(*d),
            (Value::Decimal(d), Unit::Ratio) => match d.checked_mul(Decimal::ONE_HUNDRED) {
                Some(p) => format!("{d}（{}%）", p.normalize()),
                None => d.to_string(),
            },
            (Value::Bands(b), _) => b.show(),
            (v, _) => v.to_string(),
        }
    }

    /// [`Parameter::show`] in `lang`: Chinese as it, English `500,000 yuan (50 万元)`,
    /// `0.10 (10%)` (a band table as [`Parameter::show`] writes it)
    pub fn show_in(&self, value: &Value, lang: Lang) -> String {
        match (lang, value, self.unit) {
            (Lang::Zh, ..) => self.show(value),
            (Lang::En, Value::Decimal(d), Unit::Yuan) => money::yuan_and_wan_in(*d, lang),
            (Lang::En, Value::Decimal(d), Unit::Ratio) => match d.checked_mul(Decimal::ONE_HUNDRED)
            {
                Some(p) => format!("{d} ({}%)", p.normalize()),
                None => d.to_string(),
            },
            _ => self.show(value),
        }
    }

    /// [`Parameter::display`] in `lang`: English `from 2025: …; from 2027: …`
    pub fn display_in(&self, lang: Lang) -> String {
        if lang == Lang::Zh {
            return self.display();
        }
        let parts: Vec<String> = self
            .values
            .iter()
            .map(|d| match d.from {
                None => self.show_in(&d.value, lang),
                Some(y) => format!("from {y}: {}", self.show_in(&d.value, lang)),
            })
            .collect();
        parts.join("; ")
    }

    /// The unit for people: its name, and for a band table what sort it is
    /// (`bands (step, yuan → ratio)`)
    pub fn unit_text(&self) -> String {
        match self.values.first().map(|d| &d.value) {
            Some(Value::Bands(b)) => format!("{} ({})", self.unit.name(), b.kind_text()),
            _ => self.unit.name().to_string(),
        }
    }

    /// All values with the unit, for people; a timeline as `2025 年起 …；2027 年起 …`
    pub fn display(&self) -> String {
        let parts: Vec<String> = self
            .values
            .iter()
            .map(|d| match d.from {
                None => self.show(&d.value),
                Some(y) => format!("{y} 年起 {}", self.show(&d.value)),
            })
            .collect();
        parts.join("；")
    }
}

impl Pack {
    /// The language of what the engine itself writes for a person (an error decision's
    /// reasons, a limit's explanation): the pack's `language`, else English
    pub fn shown_language(&self) -> Lang {
        self.shown
    }

    /// What a person calls field `field` in whichever kind first describes it
    pub fn any_field_label(&self, field: &str) -> String {
        let description = self
            .kinds
            .iter()
            .flat_map(|k| k.fields.iter())
            .find(|f| f.name == field && f.description.is_some())
            .and_then(|f| f.description.as_deref());
        short_label(description, field)
    }

    /// What a person calls field `field` of kind `kind` (see [`short_label`])
    pub fn field_label(&self, kind: &str, field: &str) -> String {
        let description = self
            .kind(kind)
            .and_then(|k| k.fields.iter().find(|f| f.name == field))
            .and_then(|f| f.description.as_deref());
        short_label(description, field)
    }

    /// The clause with this id
    pub fn clause(&self, id: &str) -> Option<&Clause> {
        self.clauses.iter().find(|c| c.id == id)
    }

    /// The kind with this name
    pub fn kind(&self, name: &str) -> Option<&Kind> {
        self.kinds.iter().find(|k| k.name == name)
    }

    /// The clause that decides applications of a kind
    pub fn clause_for_kind(&self, kind: &str) -> Option<&Clause> {
        self.clauses.iter().find(|c| c.kind == kind)
    }
}

impl Clause {
    /// The parameter with this name
    pub fn parameter(&self, name: &str) -> Option<&Parameter> {
        self.parameters.iter().find(|p| p.name == name)
    }

    /// Path of the script file, as the pack was opened
    pub fn script_path(&self) -> &Path {
        &self.script_path
    }

    /// The script's source text
    pub fn script_source(&self) -> &str {
        &self.script_source
    }
}

// --- settlement rules: an applicant's decisions looked at as a whole (applied by `decide::settle`)

/// One settlement rule, with the article it encodes and its parameters
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SettlementRule {
    /// Rule id, unique among the pack's clause and rule ids; parameters are addressed as
    /// `rule-id.name`
    pub id: String,
    /// Title
    pub title: String,
    /// The article it encodes
    pub article: String,
    /// The exact sentence of the source it encodes
    pub text: String,
    /// Readings of the text the pack chose
    pub notes: Option<String>,
    /// What the rule does
    pub what: RuleKind,
    /// Who "the same applicant" is: the first of these fields an application has, not empty
    pub applicant: Vec<String>,
    /// Fields that, with the applicant, form a group (e.g. `year`); empty: the whole batch
    pub per: Vec<String>,
    /// Its parameters, in the order written
    pub parameters: Arc<Vec<Parameter>>,
    /// The file that declares it (`pack.yaml` or a scenario file) and where
    pub declared_in: PathBuf,
    /// Its line in that file
    pub pos: Option<Pos>,
}

/// What a settlement rule does
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuleKind {
    /// 就高不重复: of an applicant's awards in a group under these clauses only the highest is
    /// paid; ties go to the clause listed first, then the smaller id. The others are
    /// `superseded`.
    Exclusive {
        /// The clauses, in the order that breaks ties
        clauses: Vec<String>,
    },
    /// An applicant's awards in a group under these clauses add up to at most a parameter in
    /// yuan; the excess is cut as `cut` says
    Cap {
        /// The clauses whose awards count; `None` for every clause
        clauses: Option<Vec<String>>,
        /// The parameter (unit yuan) holding the cap
        max: String,
        /// How the excess is cut
        cut: CutMethod,
    },
    /// `clause`'s award is paid only where the same applicant has an award in the group under
    /// one of `requires` (在此基础上再给予)
    Requires {
        /// The clause whose awards depend
        clause: String,
        /// The clauses one of which must have awarded
        requires: Vec<String>,
    },
    /// 首次: `clause`'s award is paid only where the history (`--history`) records no payment to
    /// the same applicant under `before` in an earlier period
    FirstTime {
        /// The clause whose awards are first-time only
        clause: String,
        /// The clauses whose earlier payments make an award not the first
        before: Vec<String>,
    },
}

/// How a cap cuts the excess over it
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CutMethod {
    /// The largest award is cut first (to zero if need be), then the next largest
    LargestFirst,
    /// Awards are paid in clause order (then id) until the cap is reached; the later are cut
    ClauseOrder,
    /// Each award is cut in proportion to its amount, to the smallest unit of the pack's
    /// rounding; the units left over go one each to the largest remainders
    ProRata,
}

impl CutMethod {
    /// The method's name as written in YAML
    pub fn name(self) -> &'static str {
        match self {
            CutMethod::LargestFirst => "largest-first",
            CutMethod::ClauseOrder => "clause-order",
            CutMethod::ProRata => "pro-rata",
        }
    }

    /// The method in the words of a reason
    pub fn words(self) -> &'static str {
        match self {
            CutMethod::LargestFirst => "从金额最大的一项起依次核减",
            CutMethod::ClauseOrder => "按条款顺序足额核定、排在后面的核减",
            CutMethod::ProRata => "按金额比例核减",
        }
    }

    /// The method in English, as reasons write it
    pub fn words_en(self) -> &'static str {
        match self {
            CutMethod::LargestFirst => "from the largest award down",
            CutMethod::ClauseOrder => "from the last clause in order up",
            CutMethod::ProRata => "in proportion to the amounts",
        }
    }
}

impl SettlementRule {
    /// The parameter with this name
    pub fn parameter(&self, name: &str) -> Option<&Parameter> {
        self.parameters.iter().find(|p| p.name == name)
    }

    /// Whether the rule looks at decisions of this clause
    pub fn covers(&self, clause: &str) -> bool {
        match &self.what {
            RuleKind::Exclusive { clauses } => clauses.iter().any(|c| c == clause),
            RuleKind::Cap { clauses: None, .. } => true,
            RuleKind::Cap {
                clauses: Some(list),
                ..
            } => list.iter().any(|c| c == clause),
            RuleKind::Requires {
                clause: c,
                requires,
            } => c == clause || requires.iter().any(|r| r == clause),
            RuleKind::FirstTime { clause: c, .. } => c == clause,
        }
    }

    /// What the rule does, in a sentence for `clauses`, `doc` and reports
    pub fn describe(&self) -> String {
        let who = format!("同一申报单位（依次按 {} 认定）", self.applicant.join("、"));
        let per = if self.per.is_empty() {
            "在全部申报中".to_string()
        } else {
            format!("每组（{}）", self.per.join("、"))
        };
        match &self.what {
            RuleKind::Exclusive { clauses } => format!(
                "就高不重复：{who}{per}在 {} 中只支持金额最高的一项，其余为不重复享受（superseded）；金额相同按所列顺序、再按编号",
                clauses.join("、")
            ),
            RuleKind::Cap { clauses, max, cut } => {
                let value = self
                    .parameter(max)
                    .map(|p| p.display())
                    .unwrap_or_default();
                let over = match clauses {
                    None => "全部条款".to_string(),
                    Some(list) => list.join("、"),
                };
                format!(
                    "合计上限：{who}{per}在 {over} 获得的奖补合计不超过 {}.{max}（{value}），超出部分{}（{}）",
                    self.id,
                    cut.words(),
                    cut.name()
                )
            }
            RuleKind::Requires { clause, requires } => format!(
                "在此基础上：{clause} 的奖励须{who}{per}已获得 {} 的奖励，否则不予支持",
                requires.join(" 或 ")
            ),
            RuleKind::FirstTime { clause, before } => format!(
                "首次：{clause} 的奖励只给{who}此前（往年，据 --history 台账）没有在 {} 获得过奖补的，否则不予支持",
                before.join("、")
            ),
        }
    }

    /// [`SettlementRule::describe`] in `lang`: the same sentence in English for `Lang::En`
    /// (clause, field and parameter names as written in the pack)
    pub fn describe_in(&self, lang: Lang) -> String {
        if lang == Lang::Zh {
            return self.describe();
        }
        let known = format!("(identified by {} in turn)", self.applicant.join(", then "));
        let who = format!("the same applicant {known}");
        let per = if self.per.is_empty() {
            "across all applications".to_string()
        } else {
            format!("in each group ({})", self.per.join(", "))
        };
        match &self.what {
            RuleKind::Exclusive { clauses } => format!(
                "highest only: {who} {per} is supported for only the largest award among {}, the others are superseded; equal amounts go by the order listed, then by id",
                clauses.join(", ")
            ),
            RuleKind::Cap { clauses, max, cut } => {
                let value = self
                    .parameter(max)
                    .map(|p| p.display_in(lang))
                    .unwrap_or_default();
                let over = match clauses {
                    None => "every clause".to_string(),
                    Some(list) => list.join(", "),
                };
                format!(
                    "combined cap: what {who} {per} is awarded under {over} is at most {}.{max} ({value}) in all; the excess is cut {} ({})",
                    self.id,
                    cut.words_en(),
                    cut.name()
                )
            }
            RuleKind::Requires { clause, requires } => format!(
                "on top of: an award under {clause} requires {who} {per} to be awarded under {} as well; otherwise it is ineligible",
                requires.join(" or ")
            ),
            RuleKind::FirstTime { clause, before } => format!(
                "first time: an award under {clause} goes only to an applicant {known} with no award under {} in an earlier period (the --history ledger); otherwise it is ineligible",
                before.join(", ")
            ),
        }
    }

    /// The kind of rule as written in YAML: `exclusive`, `cap` or `requires`
    pub fn kind_name(&self) -> &'static str {
        match self.what {
            RuleKind::Exclusive { .. } => "exclusive",
            RuleKind::Cap { .. } => "cap",
            RuleKind::Requires { .. } => "requires",
            RuleKind::FirstTime { .. } => "first-time",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yuan(n: i64) -> Value {
        Value::Decimal(Decimal::from(n))
    }

    fn timeline() -> Parameter {
        Parameter {
            name: "max".into(),
            values: vec![
                DatedValue {
                    from: Some(2025),
                    value: yuan(400_000),
                },
                DatedValue {
                    from: Some(2027),
                    value: yuan(600_000),
                },
            ],
            unit: Unit::Yuan,
            description: "合计上限".into(),
        }
    }

    #[test]
    fn values_are_shown_in_english_and_chinese_as_before() {
        let p = timeline();
        assert_eq!(
            p.display_in(Lang::En),
            "from 2025: 400,000 yuan (40 万元); from 2027: 600,000 yuan (60 万元)"
        );
        assert_eq!(p.display_in(Lang::Zh), p.display());
        assert_eq!(
            p.display(),
            "2025 年起 400,000 元（40 万元）；2027 年起 600,000 元（60 万元）"
        );
        let ratio = Parameter::plain("rate", Value::Decimal(Decimal::new(10, 2)), Unit::Ratio, "");
        assert_eq!(
            ratio.show_in(&ratio.values[0].value, Lang::En),
            "0.10 (10%)"
        );
        assert_eq!(
            ratio.show_in(&ratio.values[0].value, Lang::Zh),
            "0.10（10%）"
        );
        let count = Parameter::plain("n", Value::Int(3), Unit::Count, "");
        assert_eq!(count.show_in(&count.values[0].value, Lang::En), "3");
    }

    fn rule(what: RuleKind, per: &[&str]) -> SettlementRule {
        SettlementRule {
            id: "r".into(),
            title: String::new(),
            article: String::new(),
            text: String::new(),
            notes: None,
            what,
            applicant: vec!["applicant.credit_code".into(), "applicant.name".into()],
            per: per.iter().map(|s| s.to_string()).collect(),
            parameters: Arc::new(vec![timeline()]),
            declared_in: PathBuf::new(),
            pos: None,
        }
    }

    #[test]
    fn every_kind_of_rule_is_described_in_english() {
        let list = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let cases = [
            (
                rule(RuleKind::Exclusive { clauses: list(&["a", "b"]) }, &["year"]),
                "highest only: the same applicant (identified by applicant.credit_code, then applicant.name in turn) in each group (year) is supported for only the largest award among a, b, the others are superseded; equal amounts go by the order listed, then by id",
            ),
            (
                rule(
                    RuleKind::Cap {
                        clauses: None,
                        max: "max".into(),
                        cut: CutMethod::ProRata,
                    },
                    &[],
                ),
                "combined cap: what the same applicant (identified by applicant.credit_code, then applicant.name in turn) across all applications is awarded under every clause is at most r.max (from 2025: 400,000 yuan (40 万元); from 2027: 600,000 yuan (60 万元)) in all; the excess is cut in proportion to the amounts (pro-rata)",
            ),
            (
                rule(
                    RuleKind::Requires {
                        clause: "c".into(),
                        requires: list(&["a", "b"]),
                    },
                    &[],
                ),
                "on top of: an award under c requires the same applicant (identified by applicant.credit_code, then applicant.name in turn) across all applications to be awarded under a or b as well; otherwise it is ineligible",
            ),
            (
                rule(
                    RuleKind::FirstTime {
                        clause: "c".into(),
                        before: list(&["c"]),
                    },
                    &[],
                ),
                "first time: an award under c goes only to an applicant (identified by applicant.credit_code, then applicant.name in turn) with no award under c in an earlier period (the --history ledger); otherwise it is ineligible",
            ),
        ];
        for (r, english) in cases {
            assert_eq!(r.describe_in(Lang::En), english);
            assert_eq!(r.describe_in(Lang::Zh), r.describe());
            assert!(!english
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) && c != '万' && c != '元'));
        }
    }
}
