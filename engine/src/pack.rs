//! The policy pack: what a pack directory holds once it is read, checked and compiled.
//!
//! A pack is `pack.yaml` (identity, rounding, the kinds of application with their fields, rules
//! every clause shares) and, per clause, `clauses/<id>.yaml` (metadata and parameters) beside
//! `clauses/<id>.rhai` (the logic). The format is documented in `policies/README.md`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;
use rust_decimal::Decimal;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::{LoadError, LoadErrors};
use crate::money::{self, Rounding};
use crate::script::{Script, ScriptHost};
use crate::suggest;
use crate::value::{FieldType, Value};
use crate::yaml::{self, Node, Pos, YamlLimits};

/// A loaded, checked pack with every clause script compiled
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
    /// `sha256:` of every file that decides (metadata, scripts, source)
    pub fingerprint: String,
    /// What `policy check` warns about: legal, but most likely a mistake
    pub warnings: Vec<LoadError>,
    /// Outcomes already decided, per combination of categorical facts
    pub(crate) memo: Arc<crate::memo::Memo>,
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

/// One clause: metadata, parameters and its compiled script
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
    /// Path of the metadata file, as the pack was opened
    pub meta_path: PathBuf,
    /// False when a scenario switches the clause off: its applications get nothing
    pub enabled: bool,
    pub(crate) script: Script,
}

/// A parameter of a clause: a value drafters change without touching the logic
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Parameter {
    /// Name, addressed from outside as `clause-id.name`
    pub name: String,
    /// Its values: one plain value (`from: None`), or a timeline of values each in force from a
    /// year on, sorted by year
    pub values: Vec<Dated>,
    /// Its unit, which fixes its type
    pub unit: Unit,
    /// What it means
    pub description: String,
}

/// A parameter value and the year from which it is in force (`None`: always)
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Dated {
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
    pub comparison: Comparison,
    /// Unit of the figure (家, 个, 亿元 …)
    pub unit: String,
    /// The year it is meant for
    pub by: Option<i64>,
    /// Which awarded decisions count toward it; `None` if no clause measures it
    pub counts: Option<Counts>,
}

/// Which awarded decisions count toward a target
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Counts {
    /// Awards of these clauses count
    pub clauses: Vec<String>,
    /// Count distinct values of this field (e.g. `applicant.name`) rather than awards
    pub distinct: Option<String>,
}

/// How a target's figure is meant
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Comparison {
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
}

impl Unit {
    /// The unit's name as written in YAML
    pub fn name(self) -> &'static str {
        match self {
            Unit::Yuan => "yuan",
            Unit::Ratio => "ratio",
            Unit::Count => "count",
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
    /// The numeric field that ranks applications within a group, highest first
    pub rank_by: String,
}

impl Parameter {
    /// A parameter with one plain value
    pub fn plain(name: &str, value: Value, unit: Unit, description: &str) -> Parameter {
        Parameter {
            name: name.to_string(),
            values: vec![Dated { from: None, value }],
            unit,
            description: description.to_string(),
        }
    }

    /// The value in force for a period (the application's year): a plain value always; on a
    /// timeline, the latest entry from that year or before; `None` before the first entry
    pub fn value_for(&self, period: Option<i64>) -> Option<&Value> {
        match self.values.as_slice() {
            [Dated { from: None, value }] => Some(value),
            entries => {
                let year = period?;
                entries
                    .iter()
                    .rev()
                    .find(|d| d.from.is_some_and(|f| f <= year))
                    .map(|d| &d.value)
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
            (Value::Decimal(d), Unit::Yuan) => money::yuan_words(*d),
            (Value::Decimal(d), Unit::Ratio) => match d.checked_mul(Decimal::ONE_HUNDRED) {
                Some(p) => format!("{d}（{}%）", p.normalize()),
                None => d.to_string(),
            },
            (v, _) => v.to_string(),
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
    /// An application's period (year), from the pack's `period` field
    pub(crate) fn period_of(&self, facts: &crate::script::Facts) -> Option<i64> {
        match facts.get(self.period.as_deref()?) {
            Some(Value::Int(y)) => Some(*y),
            _ => None,
        }
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
        &self.script.path
    }

    /// The script's source text
    pub fn script_source(&self) -> &str {
        &self.script.source
    }
}

// --- the files as written -----------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PackFile {
    id: String,
    title: String,
    issuer: String,
    status: String,
    version: String,
    source: SourceFile,
    rounding: Rounding,
    #[serde(default)]
    preconditions: Vec<PreconditionFile>,
    #[serde(default)]
    fields: IndexMap<String, FieldFile>,
    kinds: IndexMap<String, KindFile>,
    #[serde(default)]
    clauses: Option<Vec<String>>,
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    targets: Vec<TargetFile>,
    #[serde(default)]
    aliases: IndexMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetFile {
    id: String,
    title: String,
    target: RawScalar,
    comparison: Comparison,
    unit: String,
    #[serde(default)]
    by: Option<i64>,
    #[serde(default)]
    counts: Option<CountsFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CountsFile {
    clauses: Vec<String>,
    #[serde(default)]
    distinct: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceFile {
    title: String,
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PreconditionFile {
    field: String,
    equals: RawScalar,
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KindFile {
    title: String,
    #[serde(default)]
    fields: IndexMap<String, FieldFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldFile {
    #[serde(rename = "type")]
    ty: FieldTypeName,
    #[serde(default = "yes")]
    required: bool,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    values: Option<Vec<String>>,
    #[serde(default)]
    min: Option<RawScalar>,
    #[serde(default)]
    max: Option<RawScalar>,
    #[serde(default)]
    format: Option<TextFormat>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum FieldTypeName {
    Bool,
    Integer,
    Decimal,
    Money,
    Text,
    OneOf,
}

/// Formats a text field can be checked against
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextFormat {
    /// 统一社会信用代码 (GB 32100-2015): 18 characters with a check character
    CreditCode,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClauseFile {
    id: String,
    title: String,
    article: String,
    text: String,
    kind: String,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    parameters: IndexMap<String, ParamFile>,
    #[serde(default)]
    cap: Option<String>,
    #[serde(default)]
    count_limit: Option<CountLimitFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ParamFile {
    #[serde(default)]
    value: Option<RawScalar>,
    #[serde(default)]
    values: Option<IndexMap<String, RawScalar>>,
    unit: Unit,
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CountLimitFile {
    max: String,
    per: Vec<String>,
    rank_by: String,
}

/// A scalar kept as the text written, so numbers are parsed exactly later
pub(crate) struct RawScalar(pub(crate) String);

impl<'de> Deserialize<'de> for RawScalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = RawScalar;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a single value")
            }
            fn visit_str<E>(self, v: &str) -> Result<RawScalar, E> {
                Ok(RawScalar(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<RawScalar, E> {
                Ok(RawScalar(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<RawScalar, E> {
                Ok(RawScalar(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

// --- loading --------------------------------------------------------------------------------

/// Everything read from disk, kept for the fingerprint
struct Files {
    hasher: Sha256,
}

impl Files {
    fn read(&mut self, dir: &Path, rel: &str, errors: &mut LoadErrors) -> Option<String> {
        let path = dir.join(rel);
        match std::fs::read(&path) {
            Err(e) => {
                errors.push(LoadError::new(&path, None, format!("cannot read: {e}")));
                None
            }
            Ok(bytes) => {
                // Length-prefixed so that two different packs cannot hash the same.
                self.hasher.update((rel.len() as u64).to_le_bytes());
                self.hasher.update(rel.as_bytes());
                self.hasher.update((bytes.len() as u64).to_le_bytes());
                self.hasher.update(&bytes);
                match String::from_utf8(bytes) {
                    Ok(text) => Some(text),
                    Err(e) => {
                        let at = e.utf8_error().valid_up_to();
                        errors.push(LoadError::new(
                            &path,
                            None,
                            format!("not valid UTF-8 (at byte {at})"),
                        ));
                        None
                    }
                }
            }
        }
    }
}

fn parse_yaml<'a, T: Deserialize<'a>>(
    path: &Path,
    text: &str,
    node: &'a mut Option<Node>,
    errors: &mut LoadErrors,
) -> Option<T> {
    match yaml::parse(text, YamlLimits::default()) {
        Err(e) => {
            errors.push(LoadError::new(
                path,
                e.pos,
                format!("YAML syntax: {}", e.message),
            ));
            None
        }
        Ok(n) => {
            let n = node.insert(n);
            match yaml::from_node::<T>(n) {
                Ok(v) => Some(v),
                Err(e) => {
                    errors.push(LoadError::new(path, e.pos, e.message));
                    None
                }
            }
        }
    }
}

/// Position of the node at a path of keys, for errors found after deserializing
fn pos_at(root: &Option<Node>, keys: &[&str]) -> Option<Pos> {
    let mut n = root.as_ref()?;
    for k in keys {
        n = n.get(k)?;
    }
    n.pos
}

/// Reads a text as pack and as clause metadata, for the fuzz targets
pub(crate) fn fuzz_metadata(text: &str) {
    if let Ok(node) = yaml::parse(text, YamlLimits::default()) {
        let _ = yaml::from_node::<PackFile>(&node);
        let _ = yaml::from_node::<ClauseFile>(&node);
    }
}

pub(crate) fn load(dir: &Path, host: &ScriptHost) -> Result<Pack, LoadErrors> {
    let mut errors = LoadErrors::default();
    let mut files = Files {
        hasher: Sha256::new(),
    };
    let pack_path = dir.join("pack.yaml");
    if !dir.is_dir() {
        errors.push(LoadError::new(dir, None, "not a directory".into()));
        return Err(errors);
    }
    let mut pack_node = None;
    let pack_file: Option<PackFile> = files
        .read(dir, "pack.yaml", &mut errors)
        .and_then(|t| parse_yaml(&pack_path, &t, &mut pack_node, &mut errors));
    let Some(pf) = pack_file else {
        return Err(errors);
    };

    let mut source_text = None;
    if let Some(file) = &pf.source.file {
        // The source lives inside the pack: no absolute path, no `..`.
        let inside = Path::new(file)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        if inside {
            source_text = files.read(dir, file, &mut errors);
        } else {
            errors.push(LoadError::new(
                &pack_path,
                pos_at(&pack_node, &["source", "file"]),
                format!("`source.file` `{file}` must be a path inside the pack"),
            ));
        }
    }
    if pf.rounding.scale > 10 {
        errors.push(LoadError::new(
            &pack_path,
            pos_at(&pack_node, &["rounding", "scale"]),
            format!(
                "`rounding.scale` {} is more decimals than money needs (at most 10)",
                pf.rounding.scale
            ),
        ));
    }

    // Fields shared by every kind, then each kind's own.
    let mut shared = Vec::new();
    for (name, f) in &pf.fields {
        let at = pos_at(&pack_node, &["fields", name]);
        if let Some(field) = build_field(name, f, &pack_path, at, &mut errors) {
            shared.push(field);
        }
    }
    let mut kinds = Vec::new();
    for (kname, k) in &pf.kinds {
        let mut fields = shared.clone();
        for (name, f) in &k.fields {
            let at = pos_at(&pack_node, &["kinds", kname, "fields", name]);
            if fields.iter().any(|x: &Field| &x.name == name) {
                errors.push(LoadError::new(
                    &pack_path,
                    at,
                    format!("kind `{kname}` declares `{name}` again: it is a shared field"),
                ));
            } else if let Some(field) = build_field(name, f, &pack_path, at, &mut errors) {
                fields.push(field);
            }
        }
        kinds.push(Kind {
            name: kname.clone(),
            title: k.title.clone(),
            fields: Arc::new(fields),
        });
    }

    let mut preconditions = Vec::new();
    for (i, p) in pf.preconditions.iter().enumerate() {
        let at = pos_at(&pack_node, &["preconditions"]).and_then(|_| {
            pack_node
                .as_ref()?
                .get("preconditions")?
                .as_seq_item(i)?
                .pos
        });
        let Some(field) = shared.iter().find(|f| f.name == p.field) else {
            let hint = did_you_mean(&p.field, shared.iter().map(|f| f.name.as_str()));
            errors.push(LoadError::new(
                &pack_path,
                at,
                format!(
                    "precondition on `{}`, which is not a shared field{hint}",
                    p.field
                ),
            ));
            continue;
        };
        match field.ty.parse_text(&p.equals.0) {
            Ok(v) => preconditions.push(Precondition {
                field: p.field.clone(),
                equals: v,
                reason: p.reason.clone(),
            }),
            Err(e) => errors.push(LoadError::new(
                &pack_path,
                at,
                format!("precondition on `{}`: `equals` {e}", p.field),
            )),
        }
    }

    if let Some(period) = &pf.period {
        let ok = shared
            .iter()
            .any(|f| &f.name == period && matches!(f.ty, FieldType::Integer { .. }) && f.required);
        if !ok {
            errors.push(LoadError::new(
                &pack_path,
                pos_at(&pack_node, &["period"]),
                format!("`period` names `{period}`, which must be a required integer field shared by every kind"),
            ));
        }
    }
    let mut clauses = load_clauses(dir, &kinds, host, &mut files, &source_text, &mut errors);
    if pf.period.is_none() {
        for c in &clauses {
            for p in c.parameters.iter().filter(|p| p.is_timeline()) {
                errors.push(LoadError::new(
                    &c.meta_path,
                    None,
                    format!(
                        "parameter `{}.{}` has values by year, but pack.yaml names no `period` field to pick them by",
                        c.id, p.name
                    ),
                ));
            }
        }
    }
    if let Some(order) = &pf.clauses {
        // `clauses:` in pack.yaml lists every clause in the order people read them (article
        // order); a clause file not listed, or listed without a file, is an error.
        let at = pos_at(&pack_node, &["clauses"]);
        for id in order {
            if !dir.join("clauses").join(format!("{id}.yaml")).is_file() {
                errors.push(LoadError::new(
                    &pack_path,
                    at,
                    format!("`clauses` lists `{id}`, but there is no clauses/{id}.yaml"),
                ));
            }
        }
        for c in &clauses {
            if !order.contains(&c.id) {
                errors.push(LoadError::new(
                    &pack_path,
                    at,
                    format!("clauses/{}.yaml is not listed in `clauses`", c.id),
                ));
            }
        }
        clauses.sort_by_key(|c| order.iter().position(|id| id == &c.id));
    }

    for k in &kinds {
        let handlers: Vec<&str> = clauses
            .iter()
            .filter(|c| c.kind == k.name)
            .map(|c| c.id.as_str())
            .collect();
        if handlers.len() > 1 {
            errors.push(LoadError::new(
                &pack_path,
                pos_at(&pack_node, &["kinds", &k.name]),
                format!(
                    "kind `{}` is decided by more than one clause ({}); one clause decides a kind",
                    k.name,
                    handlers.join(", ")
                ),
            ));
        }
    }

    let mut targets = Vec::new();
    for (i, t) in pf.targets.iter().enumerate() {
        let at = pack_node
            .as_ref()
            .and_then(|n| n.get("targets")?.as_seq_item(i)?.pos);
        let figure = match money::parse_decimal(&t.target.0) {
            Ok(d) => d,
            Err(e) => {
                errors.push(LoadError::new(
                    &pack_path,
                    at,
                    format!("target `{}`: `{}` is {e}", t.id, t.target.0),
                ));
                continue;
            }
        };
        if let Some(c) = &t.counts {
            for id in &c.clauses {
                // Against the files, so a clause that failed to load is not reported twice.
                if !dir.join("clauses").join(format!("{id}.yaml")).is_file() {
                    errors.push(LoadError::new(
                        &pack_path,
                        at,
                        format!(
                            "target `{}` counts clause `{id}`, which the pack does not have{}",
                            t.id,
                            did_you_mean(id, clauses.iter().map(|c| c.id.as_str()))
                        ),
                    ));
                }
            }
            if let Some(f) = &c.distinct {
                if !shared.iter().any(|x| &x.name == f) {
                    errors.push(LoadError::new(
                        &pack_path,
                        at,
                        format!(
                            "target `{}` counts distinct `{f}`, which is not a shared field",
                            t.id
                        ),
                    ));
                }
            }
        }
        targets.push(Target {
            id: t.id.clone(),
            title: t.title.clone(),
            target: figure,
            comparison: t.comparison,
            unit: t.unit.clone(),
            by: t.by,
            counts: t.counts.as_ref().map(|c| Counts {
                clauses: c.clauses.clone(),
                distinct: c.distinct.clone(),
            }),
        });
    }

    let mut aliases = std::collections::HashMap::new();
    for (alias, field) in &pf.aliases {
        let known = field == "id"
            || field == "kind"
            || kinds
                .iter()
                .any(|k| k.fields.iter().any(|f| &f.name == field));
        if known {
            aliases.insert(alias.clone(), field.clone());
        } else {
            let names = kinds
                .iter()
                .flat_map(|k| k.fields.iter().map(|f| f.name.as_str()));
            errors.push(LoadError::new(
                &pack_path,
                pos_at(&pack_node, &["aliases", alias]),
                format!(
                    "alias `{alias}` stands for `{field}`, which is not a field of any kind{}",
                    did_you_mean(field, names)
                ),
            ));
        }
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    let fingerprint = format!("sha256:{:x}", files.hasher.finalize());
    let warnings = lint(&pack_path, &pack_node, &kinds, &clauses);
    Ok(Pack {
        id: pf.id,
        title: pf.title,
        issuer: pf.issuer,
        status: pf.status,
        version: pf.version,
        source: Source {
            title: pf.source.title,
            file: pf.source.file,
            url: pf.source.url,
        },
        rounding: pf.rounding,
        period: pf.period,
        targets,
        aliases,
        warnings,
        memo: Arc::new(crate::memo::Memo::new(clauses.len())),
        preconditions,
        kinds,
        clauses,
        fingerprint,
        dir: dir.to_path_buf(),
    })
}

fn did_you_mean<'a>(wrong: &str, names: impl IntoIterator<Item = &'a str>) -> String {
    match suggest::nearest(wrong, names) {
        Some(n) => format!("; did you mean `{n}`?"),
        None => String::new(),
    }
}

fn build_field(
    name: &str,
    f: &FieldFile,
    path: &Path,
    at: Option<Pos>,
    errors: &mut LoadErrors,
) -> Option<Field> {
    let valid_name = !name.is_empty()
        && name.split('.').all(|part| {
            !part.is_empty()
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !part.starts_with(|c: char| c.is_ascii_digit())
        });
    if !valid_name || name == "id" || name == "kind" {
        errors.push(LoadError::new(
            path,
            at,
            format!("`{name}` cannot name a field: use letters, digits and `_`, parts joined by `.`; `id` and `kind` are built in"),
        ));
        return None;
    }
    let mut bad = |msg: String| {
        errors.push(LoadError::new(path, at, format!("field `{name}`: {msg}")));
    };
    let number = |raw: &Option<RawScalar>| -> Result<Option<Decimal>, String> {
        match raw {
            None => Ok(None),
            Some(r) => money::parse_decimal(&r.0)
                .map(Some)
                .map_err(|e| format!("`{}` is {e}", r.0)),
        }
    };
    let (min, max) = match (number(&f.min), number(&f.max)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            bad(e);
            return None;
        }
    };
    let takes_bounds = matches!(
        f.ty,
        FieldTypeName::Integer | FieldTypeName::Decimal | FieldTypeName::Money
    );
    if (min.is_some() || max.is_some()) && !takes_bounds {
        bad("`min` and `max` apply to integer, decimal and money fields only".into());
        return None;
    }
    if f.values.is_some() != matches!(f.ty, FieldTypeName::OneOf) {
        bad("`values` goes with `type: one-of`, and one-of needs `values`".into());
        return None;
    }
    if f.format.is_some() && !matches!(f.ty, FieldTypeName::Text) {
        bad("`format` applies to text fields only".into());
        return None;
    }
    let ty = match f.ty {
        FieldTypeName::Bool => FieldType::Bool,
        FieldTypeName::Integer => FieldType::Integer { min, max },
        FieldTypeName::Decimal => FieldType::Decimal { min, max },
        FieldTypeName::Money => FieldType::Money { max },
        FieldTypeName::Text => FieldType::Text { format: f.format },
        FieldTypeName::OneOf => {
            let values = f.values.clone().unwrap_or_default();
            if values.is_empty() {
                bad("`values` is empty".into());
                return None;
            }
            FieldType::OneOf { values }
        }
    };
    if matches!(f.ty, FieldTypeName::Money) && min.is_some() {
        bad("money is never negative; `min` does not apply".into());
        return None;
    }
    Some(Field {
        name: name.to_string(),
        ty,
        required: f.required,
        description: f.description.clone(),
    })
}

fn load_clauses(
    dir: &Path,
    kinds: &[Kind],
    host: &ScriptHost,
    files: &mut Files,
    source_text: &Option<String>,
    errors: &mut LoadErrors,
) -> Vec<Clause> {
    let clause_dir = dir.join("clauses");
    let entries = match std::fs::read_dir(&clause_dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(LoadError::new(
                &clause_dir,
                None,
                format!("cannot read: {e}"),
            ));
            return Vec::new();
        }
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    // Sorted, so the fingerprint and every listing are the same on every file system.
    names.sort();
    for n in &names {
        let is_yaml = n.ends_with(".yaml");
        let is_rhai = n.ends_with(".rhai");
        let stem = n.trim_end_matches(".yaml").trim_end_matches(".rhai");
        let partner = if is_yaml {
            format!("{stem}.rhai")
        } else {
            format!("{stem}.yaml")
        };
        if (is_yaml || is_rhai) && !names.contains(&partner) {
            errors.push(LoadError::new(
                &clause_dir.join(n),
                None,
                format!("has no `{partner}` beside it: a clause is a `.yaml` and a `.rhai` of the same name"),
            ));
        } else if !is_yaml && !is_rhai && !n.starts_with('.') {
            errors.push(LoadError::new(
                &clause_dir.join(n),
                None,
                "unexpected file: `clauses/` holds `<clause-id>.yaml` and `<clause-id>.rhai` pairs"
                    .into(),
            ));
        }
    }
    let normalized_source = source_text.as_deref().map(squeeze);
    let mut clauses: Vec<Clause> = Vec::new();
    for n in names.iter().filter(|n| n.ends_with(".yaml")) {
        let stem = n.trim_end_matches(".yaml");
        if !names.contains(&format!("{stem}.rhai")) {
            continue;
        }
        let meta_path = clause_dir.join(n);
        let rel = format!("clauses/{n}");
        let mut node = None;
        let Some(cf) = files
            .read(dir, &rel, errors)
            .and_then(|t| parse_yaml::<ClauseFile>(&meta_path, &t, &mut node, errors))
        else {
            continue;
        };
        let before = errors.len();
        for (key, value) in [
            ("article", &cf.article),
            ("text", &cf.text),
            ("title", &cf.title),
        ] {
            if value.trim().is_empty() {
                errors.push(LoadError::new(
                    &meta_path,
                    pos_at(&node, &[key]),
                    format!(
                        "`{key}` is empty: a clause cites its article and the sentence it encodes"
                    ),
                ));
            }
        }
        if cf.id != stem {
            errors.push(LoadError::new(
                &meta_path,
                pos_at(&node, &["id"]),
                format!("clause id `{}` differs from its file name `{stem}`", cf.id),
            ));
        }
        let Some(kind) = kinds.iter().find(|k| k.name == cf.kind) else {
            let hint = did_you_mean(&cf.kind, kinds.iter().map(|k| k.name.as_str()));
            errors.push(LoadError::new(
                &meta_path,
                pos_at(&node, &["kind"]),
                format!("kind `{}` is not declared in pack.yaml{hint}", cf.kind),
            ));
            continue;
        };
        if let Some(src) = &normalized_source {
            if !src.contains(&squeeze(&cf.text)) {
                errors.push(LoadError::new(
                    &meta_path,
                    pos_at(&node, &["text"]),
                    "`text` is not found word for word in the pack's source document".into(),
                ));
            }
        }
        let mut parameters = Vec::new();
        for (pname, p) in &cf.parameters {
            let at = pos_at(&node, &["parameters", pname, "value"]);
            if !is_identifier(pname) {
                errors.push(LoadError::new(
                    &meta_path,
                    pos_at(&node, &["parameters", pname]),
                    format!("`{pname}` cannot name a parameter: use letters, digits and `_`"),
                ));
                continue;
            }
            let values = match (&p.value, &p.values) {
                (Some(v), None) => parse_param_value(&v.0, p.unit)
                    .map(|value| vec![Dated { from: None, value }])
                    .map_err(|e| (at, format!("parameter `{pname}`: {e}"))),
                (None, Some(timeline)) => {
                    parse_timeline(timeline, p.unit).map_err(|(year, e)| {
                        let at = pos_at(&node, &["parameters", pname, "values", &year]);
                        (at, format!("parameter `{pname}`, year `{year}`: {e}"))
                    })
                }
                _ => Err((
                    pos_at(&node, &["parameters", pname]),
                    format!("parameter `{pname}` needs either `value` or `values` (a timeline by year), not both"),
                )),
            };
            match values {
                Ok(values) => parameters.push(Parameter {
                    name: pname.clone(),
                    values,
                    unit: p.unit,
                    description: p.description.clone(),
                }),
                Err((at, e)) => errors.push(LoadError::new(&meta_path, at, e)),
            }
        }
        let param_names = || parameters.iter().map(|p| p.name.as_str());
        if let Some(cap) = &cf.cap {
            match parameters.iter().find(|p| &p.name == cap) {
                Some(p) if p.unit == Unit::Yuan => {}
                Some(_) => errors.push(LoadError::new(
                    &meta_path,
                    pos_at(&node, &["cap"]),
                    format!("`cap` names `{cap}`, which is not in yuan"),
                )),
                None => errors.push(LoadError::new(
                    &meta_path,
                    pos_at(&node, &["cap"]),
                    format!(
                        "`cap` names `{cap}`, which is not a parameter of this clause{}",
                        did_you_mean(cap, param_names())
                    ),
                )),
            }
        }
        let mut count_limit = None;
        if let Some(cl) = &cf.count_limit {
            let at = pos_at(&node, &["count_limit"]);
            let field_names = || kind.fields.iter().map(|f| f.name.as_str());
            match parameters.iter().find(|p| p.name == cl.max) {
                Some(p) if p.unit == Unit::Count => {}
                Some(_) => errors.push(LoadError::new(
                    &meta_path,
                    at,
                    format!("count_limit `max` names `{}`, which is not a count", cl.max),
                )),
                None => errors.push(LoadError::new(
                    &meta_path,
                    at,
                    format!(
                        "count_limit `max` names `{}`, which is not a parameter of this clause{}",
                        cl.max,
                        did_you_mean(&cl.max, param_names())
                    ),
                )),
            }
            for f in &cl.per {
                if !kind.fields.iter().any(|x| &x.name == f) {
                    errors.push(LoadError::new(
                        &meta_path,
                        at,
                        format!(
                            "count_limit `per` names `{f}`, which is not a field of kind `{}`{}",
                            kind.name,
                            did_you_mean(f, field_names())
                        ),
                    ));
                }
            }
            match kind.fields.iter().find(|x| x.name == cl.rank_by) {
                Some(f)
                    if matches!(
                        f.ty,
                        FieldType::Integer { .. }
                            | FieldType::Decimal { .. }
                            | FieldType::Money { .. }
                    ) => {}
                Some(_) => errors.push(LoadError::new(
                    &meta_path,
                    at,
                    format!(
                        "count_limit `rank_by` names `{}`, which must be a number field",
                        cl.rank_by
                    ),
                )),
                None => errors.push(LoadError::new(
                    &meta_path,
                    at,
                    format!(
                        "count_limit `rank_by` names `{}`, which is not a field of kind `{}`{}",
                        cl.rank_by,
                        kind.name,
                        did_you_mean(&cl.rank_by, field_names())
                    ),
                )),
            }
            count_limit = Some(CountLimit {
                max: cl.max.clone(),
                per: cl.per.clone(),
                rank_by: cl.rank_by.clone(),
            });
        }
        let script_rel = format!("clauses/{stem}.rhai");
        let script_path = clause_dir.join(format!("{stem}.rhai"));
        let Some(source) = files.read(dir, &script_rel, errors) else {
            continue;
        };
        let declared: Vec<&str> = cf.parameters.keys().map(String::as_str).collect();
        let refs = References {
            declared: &declared,
            script_path: &script_path,
            meta_path: &meta_path,
            meta: &node,
            kind,
            clause_id: &cf.id,
            parameters: &parameters,
        };
        refs.check(&source, errors);
        let script = match host.compile(&script_path, source) {
            Ok(s) => s,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if errors.len() > before {
            continue;
        }
        clauses.push(Clause {
            id: cf.id,
            title: cf.title,
            article: cf.article,
            text: cf.text,
            kind: cf.kind,
            notes: cf.notes,
            parameters: Arc::new(parameters),
            cap: cf.cap,
            count_limit,
            meta_path,
            enabled: true,
            script,
        });
    }
    if clauses.is_empty() && errors.is_empty() {
        errors.push(LoadError::new(
            &clause_dir,
            None,
            "the pack has no clauses".into(),
        ));
    }
    clauses
}

/// Every `params.x` the script reads must be a parameter of its clause, and every `app.x` a
/// field of its kind: a misspelling is caught when the pack is checked
struct References<'a> {
    /// Every parameter the YAML declares, including any whose value was refused
    declared: &'a [&'a str],
    script_path: &'a Path,
    meta_path: &'a Path,
    meta: &'a Option<Node>,
    kind: &'a Kind,
    clause_id: &'a str,
    parameters: &'a [Parameter],
}

impl References<'_> {
    fn check(&self, source: &str, errors: &mut LoadErrors) {
        let refs = crate::script_refs::references(source);
        let read: Vec<&str> = refs
            .iter()
            .filter(|r| r.root == "params")
            .map(|r| r.chain[0].as_str())
            .collect();
        let unread: Vec<&str> = self
            .parameters
            .iter()
            .map(|p| p.name.as_str())
            .filter(|n| !read.contains(n))
            .collect();
        // Each wrong name is reported once, at its first use.
        let mut reported = std::collections::HashSet::new();
        for r in &refs {
            if !reported.insert((r.root, r.chain.join("."))) {
                continue;
            }
            if r.root == "app" {
                if let Some(message) = app_field_error(self.kind, &r.chain) {
                    errors.push(LoadError::new(self.script_path, Some(r.pos), message));
                }
                continue;
            }
            let name = &r.chain[0];
            if self.declared.contains(&name.as_str()) {
                continue;
            }
            let script = self.script_path.file_name().map(|f| f.to_string_lossy());
            let script = script.as_deref().unwrap_or("the script");
            // A declared parameter that nothing reads, close to what the script reads, is
            // most likely the misspelt one: point at its line in the YAML as well.
            // Only for the pack's own scripts: a replacement script's typo is not the YAML's.
            let suggestion = self
                .meta
                .as_ref()
                .and_then(|_| suggest::nearest(name, unread.iter().copied()));
            if let Some(declared) = suggestion {
                errors.push(LoadError::new(
                    self.meta_path,
                    key_pos(self.meta, &["parameters", declared]),
                    format!(
                        "parameter `{declared}` is never read, but {script} reads `params.{name}` (line {}); did you mean `{name}`?",
                        r.pos.line
                    ),
                ));
            }
            errors.push(LoadError::new(
                self.script_path,
                Some(r.pos),
                format!(
                    "`params.{name}` is not a parameter of clause `{}`{}",
                    self.clause_id,
                    did_you_mean(name, self.parameters.iter().map(|p| p.name.as_str()))
                ),
            ));
        }
    }
}

/// Mistakes that still load: a parameter nothing reads, a kind no clause decides, a ratio
/// above 100%, a ratio or count awarded as if it were money
fn lint(
    pack_path: &Path,
    pack_node: &Option<Node>,
    kinds: &[Kind],
    clauses: &[Clause],
) -> Vec<LoadError> {
    let mut warnings = Vec::new();
    for k in kinds {
        if !clauses.iter().any(|c| c.kind == k.name) {
            warnings.push(LoadError::new(
                pack_path,
                key_pos(pack_node, &["kinds", &k.name]),
                format!(
                    "kind `{}` is decided by no clause: its applications will be errors",
                    k.name
                ),
            ));
        }
    }
    for c in clauses {
        let source = c.script_source();
        let refs = crate::script_refs::references(source);
        let meta: Option<Node> = std::fs::read_to_string(&c.meta_path)
            .ok()
            .and_then(|t| yaml::parse(&t, YamlLimits::default()).ok());
        for p in c.parameters.iter() {
            let read_by_script = refs
                .iter()
                .any(|r| r.root == "params" && r.chain.first() == Some(&p.name));
            let read_by_engine = c.cap.as_ref() == Some(&p.name)
                || c.count_limit.as_ref().is_some_and(|l| l.max == p.name);
            if !read_by_script && !read_by_engine {
                warnings.push(LoadError::new(
                    &c.meta_path,
                    key_pos(&meta, &["parameters", &p.name]),
                    format!(
                        "parameter `{}.{}` is never read: not by {}, not as `cap` or `count_limit`",
                        c.id,
                        p.name,
                        c.script_path()
                            .file_name()
                            .map(|f| f.to_string_lossy().into_owned())
                            .unwrap_or_default()
                    ),
                ));
            }
            if let [Dated {
                from: None,
                value: Value::Decimal(v),
            }] = p.values.as_slice()
            {
                if !text_mentions(&c.text, *v, p.unit) {
                    warnings.push(LoadError::new(
                        &c.meta_path,
                        key_pos(&meta, &["parameters", &p.name]),
                        format!(
                            "`{}.{}` is {}, which the clause's quoted text does not mention: the value or the quoted sentence is out of date",
                            c.id,
                            p.name,
                            p.show(&Value::Decimal(*v))
                        ),
                    ));
                }
            }
            if let [Dated {
                from: None,
                value: Value::Int(n),
            }] = p.values.as_slice()
            {
                if !text_mentions(&c.text, Decimal::from(*n), Unit::Count) {
                    warnings.push(LoadError::new(
                        &c.meta_path,
                        key_pos(&meta, &["parameters", &p.name]),
                        format!(
                            "`{}.{}` is {n}, which the clause's quoted text does not mention: the value or the quoted sentence is out of date",
                            c.id, p.name
                        ),
                    ));
                }
            }
            if p.unit == Unit::Ratio {
                for d in &p.values {
                    if let Value::Decimal(v) = &d.value {
                        if *v > Decimal::ONE {
                            warnings.push(LoadError::new(
                                &c.meta_path,
                                key_pos(&meta, &["parameters", &p.name]),
                                format!("ratio `{}.{}` is {v}, above 1 (100%): a share is written 0.10 for 10%", c.id, p.name),
                            ));
                        }
                    }
                }
            }
        }
        // `award(params.x, …)` where x is not money pays a ratio or a count as yuan.
        for site in crate::script_refs::outcome_sites(source)
            .iter()
            .filter(|s| s.name == "award")
        {
            let Some(line) = source.lines().nth(site.pos.line.saturating_sub(1)) else {
                continue;
            };
            let after: String = line
                .chars()
                .skip(site.pos.col.saturating_sub(1) + "award".len())
                .collect();
            let arg = after.trim_start().trim_start_matches('(').trim_start();
            let Some(rest) = arg.strip_prefix("params.") else {
                continue;
            };
            let name: String = rest
                .chars()
                .take_while(|ch| ch.is_alphanumeric() || *ch == '_')
                .collect();
            if let Some(p) = c.parameter(&name) {
                if p.unit != Unit::Yuan {
                    warnings.push(LoadError::new(
                        c.script_path(),
                        Some(site.pos),
                        format!(
                            "awards `params.{name}` as an amount, but its unit is {} (not yuan)",
                            p.unit.name()
                        ),
                    ));
                }
            }
        }
    }
    warnings
}

/// Whether a clause's text states a value: `200万` or `2000000` for yuan, `10%` for a ratio
fn text_mentions(text: &str, v: Decimal, unit: Unit) -> bool {
    let squeezed = squeeze(text);
    // A sentence that states no figure at all cannot be out of date with one.
    if !squeezed.bytes().any(|b| b.is_ascii_digit()) {
        return true;
    }
    let candidates: Vec<String> = match unit {
        Unit::Yuan => {
            let mut c = vec![v.normalize().to_string()];
            let wan = v / Decimal::from(10_000);
            c.push(format!("{}万", wan.normalize()));
            c
        }
        Unit::Ratio => match v.checked_mul(Decimal::ONE_HUNDRED) {
            Some(p) => vec![format!("{}%", p.normalize())],
            None => Vec::new(),
        },
        Unit::Count => vec![v.normalize().to_string()],
    };
    candidates.iter().any(|c| squeezed.contains(c.as_str()))
}

/// Checks a replacement script of clause `ci` against its parameters and kind
pub(crate) fn check_script_references(
    pack: &Pack,
    ci: usize,
    script_path: &Path,
    source: &str,
    errors: &mut LoadErrors,
) {
    let clause = &pack.clauses[ci];
    let Some(kind) = pack.kind(&clause.kind) else {
        return;
    };
    let declared: Vec<&str> = clause.parameters.iter().map(|p| p.name.as_str()).collect();
    References {
        declared: &declared,
        script_path,
        meta_path: &clause.meta_path,
        meta: &None,
        kind,
        clause_id: &clause.id,
        parameters: &clause.parameters,
    }
    .check(source, errors);
}

/// Position of the key at the end of a path, e.g. the `provincial:` of a parameter
fn key_pos(root: &Option<Node>, keys: &[&str]) -> Option<Pos> {
    let (last, parents) = keys.split_last()?;
    let mut n = root.as_ref()?;
    for k in parents {
        n = n.get(k)?;
    }
    n.as_map()?
        .iter()
        .find(|(k, _)| k.as_scalar().map(|(t, _)| t) == Some(*last))
        .and_then(|(k, _)| k.pos)
}

fn app_field_error(kind: &Kind, chain: &[String]) -> Option<String> {
    let mut name = String::new();
    for prop in chain {
        if !name.is_empty() {
            name.push('.');
        }
        name.push_str(prop);
        if name == "id" || name == "kind" || kind.fields.iter().any(|f| f.name == name) {
            return None;
        }
        let group = format!("{name}.");
        if !kind.fields.iter().any(|f| f.name.starts_with(&group)) {
            break;
        }
    }
    let is_group = kind
        .fields
        .iter()
        .any(|f| f.name.starts_with(&format!("{name}.")));
    if is_group {
        // `app.applicant` alone reads the group; that is allowed.
        return None;
    }
    Some(format!(
        "`app.{name}` is not a field of kind `{}`{}",
        kind.name,
        did_you_mean(&name, kind.fields.iter().map(|f| f.name.as_str()))
    ))
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whitespace does not count when a clause's text is looked up in its source
fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A timeline `{2025: 400000, 2027: 600000}`: years ascending, each with a value; `Err` names
/// the year at fault
fn parse_timeline(
    timeline: &IndexMap<String, RawScalar>,
    unit: Unit,
) -> Result<Vec<Dated>, (String, String)> {
    if timeline.is_empty() {
        return Err((String::new(), "the timeline is empty".into()));
    }
    let mut out: Vec<Dated> = Vec::new();
    for (year, raw) in timeline {
        let y: i64 = year.parse().map_err(|_| {
            (
                year.clone(),
                "a timeline is keyed by year, e.g. `2027:`".to_string(),
            )
        })?;
        if out.last().is_some_and(|d| d.from >= Some(y)) {
            return Err((year.clone(), "years must be in ascending order".into()));
        }
        let value = parse_param_value(&raw.0, unit).map_err(|e| (year.clone(), e))?;
        out.push(Dated {
            from: Some(y),
            value,
        });
    }
    Ok(out)
}

/// Reads one parameter value in its unit. Yuan may be written `600000`, `60万` or `600000元`;
/// a ratio `0.15` or `15%`; a count as a whole number. Always exact.
pub(crate) fn parse_param_value(text: &str, unit: Unit) -> Result<Value, String> {
    match unit {
        Unit::Count => match text.parse::<i64>() {
            Ok(n) if n >= 0 => Ok(Value::Int(n)),
            _ => Err(format!(
                "`{text}` is not a whole number of things (unit count)"
            )),
        },
        Unit::Yuan | Unit::Ratio => {
            let (number, scale) = match unit {
                Unit::Yuan => {
                    let t = text.strip_suffix('元').unwrap_or(text);
                    match t.strip_suffix('万') {
                        Some(n) => (n, Decimal::from(10_000)),
                        None => (t, Decimal::ONE),
                    }
                }
                _ => match text.strip_suffix('%') {
                    Some(n) => (n, Decimal::new(1, 2)),
                    None => (text, Decimal::ONE),
                },
            };
            let d = money::parse_decimal(number.trim_end())
                .ok()
                .and_then(|d| d.checked_mul(scale))
                .ok_or_else(|| {
                    format!(
                        "`{text}` is not {}",
                        match unit {
                            Unit::Yuan => "an amount in yuan (e.g. `600000` or `60万`)",
                            _ => "a ratio (e.g. `0.15` or `15%`)",
                        }
                    )
                })?;
            if d.is_sign_negative() {
                return Err(format!("`{text}` is negative"));
            }
            Ok(Value::Decimal(d))
        }
    }
}

impl Node {
    fn as_seq_item(&self, i: usize) -> Option<&Node> {
        match &self.value {
            yaml::NodeValue::Seq(items) => items.get(i),
            _ => None,
        }
    }
}
