//! Reading a pack directory: `pack.yaml` and every clause's YAML and script, checked and
//! turned into a [`Pack`] (plain data) and its compiled scripts.

use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::load::files::{ClauseFile, FieldFile, FieldTypeName, LanguageFile, PackFile, RawScalar};
use crate::load::fullwidth::yaml_error;
use crate::load::lint::{lint, squeeze};
use crate::load::params::build_parameters;
use crate::load::references::References;
use crate::load::settlement::{build_rules, check_applicant, check_order, RuleContext};
use crate::load::yaml::pos_in;
use crate::load::yaml::{self, Node, YamlLimits};
use crate::model::date::Date;
use crate::model::error::{LoadError, LoadErrors};
use crate::model::lang::Lang;
use crate::model::money::{self};
use crate::model::pack::SettlementRule;
use crate::model::pack::{
    Clause, CountLimit, Field, Kind, Pack, Parameter, Precondition, RankKey, Source, Target,
    TargetMeasure, Unit,
};
use crate::model::pos::Pos;
use crate::model::suggest::did_you_mean;
use crate::model::value::FieldType;
use crate::script::host::{Script, ScriptHost};
use std::path::Path;

// --- loading --------------------------------------------------------------------------------

/// Everything read from disk, kept for the fingerprint
struct Files {
    hasher: Sha256,
}

impl Files {
    fn read(&mut self, dir: &Path, rel: &str, errors: &mut LoadErrors) -> Option<String> {
        let path = dir.join(rel);
        match crate::load::files::read_in_pack(dir, rel) {
            Err((zh, en)) => {
                errors.push(LoadError::both(&path, None, zh, en));
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
                        errors.push(LoadError::both(
                            &path,
                            None,
                            format!("不是有效的 UTF-8 文本（第 {at} 字节处）"),
                            format!("not valid UTF-8 (at byte {at})"),
                        ));
                        None
                    }
                }
            }
        }
    }
}

/// Parses a file's YAML into `node` and reads it as a `T`; every problem pushed with its place
pub(crate) fn parse_yaml<'a, T: Deserialize<'a>>(
    path: &Path,
    text: &str,
    node: &'a mut Option<Node>,
    errors: &mut LoadErrors,
) -> Option<T> {
    // A refused file may hold a full-width character where YAML needs a half-width one:
    // `fullwidth` says so when one explains the refusal.
    match yaml::parse(text, YamlLimits::default()) {
        Err(e) => {
            errors.push(yaml_error(
                path,
                text,
                e.pos,
                format!("YAML syntax: {}", e.message),
                Some(format!("YAML 语法错误：{}", e.message)),
            ));
            None
        }
        Ok(n) => {
            let n = node.insert(n);
            match yaml::from_node::<T>(n) {
                Ok(v) => Some(v),
                Err(e) => {
                    errors.push(yaml_error(path, text, e.pos, e.message, e.zh));
                    None
                }
            }
        }
    }
}

/// Position of the node at a path of keys, for errors found after deserializing
fn pos_at(root: &Option<Node>, keys: &[&str]) -> Option<Pos> {
    pos_in(root.as_ref(), keys)
}

/// Reads, checks and compiles the pack in `dir`: the pack as plain data, and each clause's
/// compiled script in the pack's order
pub(crate) fn load(dir: &Path, host: &ScriptHost) -> Result<(Pack, Vec<Script>), LoadErrors> {
    let mut errors = LoadErrors::default();
    let mut files = Files {
        hasher: Sha256::new(),
    };
    let pack_path = dir.join("pack.yaml");
    if !dir.is_dir() {
        errors.push(LoadError::both(
            dir,
            None,
            "不是文件夹".into(),
            "not a directory".into(),
        ));
        return Err(errors);
    }
    let mut pack_node = None;
    let pack_file: Option<PackFile> = files
        .read(dir, "pack.yaml", &mut errors)
        .and_then(|t| parse_yaml(&pack_path, &t, &mut pack_node, &mut errors));
    let Some(pf) = pack_file else {
        return Err(errors);
    };

    let yaml = PackYaml {
        path: &pack_path,
        node: &pack_node,
    };
    let source_text = read_source(dir, &pf, &yaml, &mut files, &mut errors);
    let (shared, kinds) = build_kinds(&pf, &yaml, &mut errors);
    let preconditions = build_preconditions(&pf, &shared, &yaml, &mut errors);
    check_period(&pf, &shared, &yaml, &mut errors);
    let (clauses, scripts) = load_clauses(dir, &kinds, host, &mut files, &source_text, &mut errors);
    if pf.period.is_none() {
        for c in &clauses {
            for p in c.parameters.iter().filter(|p| p.is_timeline()) {
                errors.push(LoadError::both(
                    &c.meta_path,
                    None, format!("参数 `{}.{}` 按年度取值，但 pack.yaml 没有用 `period` 指明按哪个字段取年度",
                        c.id, p.name
                    ), format!(
                        "parameter `{}.{}` has values by year, but pack.yaml names no `period` field to pick them by",
                        c.id, p.name
                    ),));
            }
        }
    }
    let (clauses, scripts) = order_clauses(dir, &pf, &yaml, clauses, scripts, &mut errors);
    check_one_clause_per_kind(&kinds, &clauses, &yaml, &mut errors);
    let targets = build_targets(dir, &pf, &shared, &clauses, &yaml, &mut errors);
    let aliases = build_aliases(&pf, &kinds, &yaml, &mut errors);
    let (applicant, settlement) =
        build_settlement(&pf, &kinds, &clauses, &yaml, &source_text, &mut errors);

    if !errors.is_empty() {
        return Err(errors);
    }
    let fingerprint = format!("sha256:{:x}", files.hasher.finalize());
    let language = pf.language.map(|l| match l {
        LanguageFile::Zh => Lang::Zh,
        LanguageFile::En => Lang::En,
    });
    let warnings = lint(&pack_path, &pack_node, &kinds, &clauses, &scripts);
    Ok((
        Pack {
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
            language,
            shown: language.unwrap_or(Lang::En),
            targets,
            aliases,
            warnings,
            preconditions,
            kinds,
            clauses,
            applicant,
            settlement,
            fingerprint,
            dir: dir.to_path_buf(),
        },
        scripts,
    ))
}

/// The pack's `applicant:` fields and its settlement rules, checked
fn build_settlement(
    pf: &PackFile,
    kinds: &[Kind],
    clauses: &[Clause],
    yaml: &PackYaml<'_>,
    source_text: &Option<String>,
    errors: &mut LoadErrors,
) -> (Vec<String>, Vec<SettlementRule>) {
    let applicant = pf.applicant.clone().unwrap_or_default();
    check_dependency_graph(clauses, &applicant, errors);
    // A script that asks the history needs to know who the applicant is.
    if applicant.is_empty() {
        for c in clauses.iter().filter(|c| {
            c.script_source.contains("history.count(") || c.script_source.contains("history.sum(")
        }) {
            errors.push(LoadError::both(
                &c.script_path,
                None, "脚本读取了 `history`，但 pack.yaml 没有用 `applicant:` 指明按哪些字段认定同一申报单位：请加上如 `applicant: [applicant.credit_code, applicant.name]`".into(), "the script reads `history`, but pack.yaml names no `applicant:` fields to tell whose earlier payments to read: add e.g. `applicant: [applicant.credit_code, applicant.name]`".into(),));
        }
    }
    if pf.applicant.is_some() {
        check_applicant(
            &applicant,
            kinds,
            yaml.path,
            pos_at(yaml.node, &["applicant"]),
            errors,
        );
    }
    let normalized = source_text.as_deref().map(squeeze);
    let cx = RuleContext {
        clauses,
        kinds,
        period: pf.period.as_deref(),
        applicant: &applicant,
        normalized_source: normalized.as_deref(),
        source: source_text.as_deref(),
        before: &[],
    };
    let seq = yaml.node.as_ref().and_then(|n| n.get("settlement"));
    let rules = build_rules(&pf.settlement, seq, yaml.path, &cx, errors);
    check_order(&rules, errors);
    (applicant, rules)
}

/// `pack.yaml` as read: its path and its YAML, for errors that point into it
struct PackYaml<'a> {
    path: &'a Path,
    node: &'a Option<Node>,
}

/// The source document's text, when the pack carries it; its place must be inside the pack,
/// and the rounding scale sane
fn read_source(
    dir: &Path,
    pf: &PackFile,
    yaml: &PackYaml<'_>,
    files: &mut Files,
    errors: &mut LoadErrors,
) -> Option<String> {
    let mut source_text = None;
    if let Some(file) = &pf.source.file {
        // The source lives inside the pack: no absolute path, no `..`.
        let inside = Path::new(file)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        if inside {
            source_text = files.read(dir, file, errors);
        } else {
            errors.push(LoadError::both(
                yaml.path,
                pos_at(yaml.node, &["source", "file"]),
                format!("`source.file` 的 `{file}` 必须是政策包内的路径"),
                format!("`source.file` `{file}` must be a path inside the pack"),
            ));
        }
    }
    if pf.rounding.scale > 10 {
        errors.push(LoadError::new(
            yaml.path,
            pos_at(yaml.node, &["rounding", "scale"]),
            format!(
                "`rounding.scale` {} is more decimals than money needs (at most 10)",
                pf.rounding.scale
            ),
        ));
    }

    source_text
}

/// The fields shared by every kind, and each kind with the shared fields then its own
fn build_kinds(
    pf: &PackFile,
    yaml: &PackYaml<'_>,
    errors: &mut LoadErrors,
) -> (Vec<Field>, Vec<Kind>) {
    // Fields shared by every kind, then each kind's own.
    let mut shared = Vec::new();
    for (name, f) in &pf.fields {
        let at = pos_at(yaml.node, &["fields", name]);
        if let Some(field) = build_field(name, f, yaml.path, at, errors) {
            shared.push(field);
        }
    }
    let mut kinds = Vec::new();
    for (kname, k) in &pf.kinds {
        let mut fields = shared.clone();
        for (name, f) in &k.fields {
            let at = pos_at(yaml.node, &["kinds", kname, "fields", name]);
            if fields.iter().any(|x: &Field| &x.name == name) {
                errors.push(LoadError::both(
                    yaml.path,
                    at,
                    format!("申报类别 `{kname}` 又声明了 `{name}`：它已是共有字段"),
                    format!("kind `{kname}` declares `{name}` again: it is a shared field"),
                ));
            } else if let Some(field) = build_field(name, f, yaml.path, at, errors) {
                fields.push(field);
            }
        }
        kinds.push(Kind {
            name: kname.clone(),
            title: k.title.clone(),
            fields: Arc::new(fields),
        });
    }

    (shared, kinds)
}

/// The rules every application must pass, each on a shared field with a value of its type
fn build_preconditions(
    pf: &PackFile,
    shared: &[Field],
    yaml: &PackYaml<'_>,
    errors: &mut LoadErrors,
) -> Vec<Precondition> {
    let mut preconditions = Vec::new();
    for (i, p) in pf.preconditions.iter().enumerate() {
        let at = pos_at(yaml.node, &["preconditions"]).and_then(|_| {
            yaml.node
                .as_ref()?
                .get("preconditions")?
                .as_seq_item(i)?
                .pos
        });
        let Some(field) = shared.iter().find(|f| f.name == p.field) else {
            let hint = did_you_mean(&p.field, shared.iter().map(|f| f.name.as_str()));
            errors.push(LoadError::both(
                yaml.path,
                at,
                format!("前提条件所用的 `{}` 不是共有字段{hint}", p.field),
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
                yaml.path,
                at,
                format!("precondition on `{}`: `equals` {e}", p.field),
            )),
        }
    }

    preconditions
}

/// The `period` field, if named, is a required integer every kind shares
fn check_period(pf: &PackFile, shared: &[Field], yaml: &PackYaml<'_>, errors: &mut LoadErrors) {
    if let Some(period) = &pf.period {
        let ok = shared
            .iter()
            .any(|f| &f.name == period && matches!(f.ty, FieldType::Integer { .. }) && f.required);
        if !ok {
            errors.push(LoadError::both(
            yaml.path,
            pos_at(yaml.node, &["period"]), format!("`period` 指向的 `{period}` 应是每类申报共有的必填整数字段"), format!("`period` names `{period}`, which must be a required integer field shared by every kind"),));
        }
    }
}

/// `clauses:` in pack.yaml lists every clause in the order people read them (article order);
/// a clause file not listed, or listed without a file, is an error. Puts the clauses (and their
/// scripts) in that order.
fn order_clauses(
    dir: &Path,
    pf: &PackFile,
    yaml: &PackYaml<'_>,
    clauses: Vec<Clause>,
    scripts: Vec<Script>,
    errors: &mut LoadErrors,
) -> (Vec<Clause>, Vec<Script>) {
    let Some(order) = &pf.clauses else {
        return (clauses, scripts);
    };
    let at = pos_at(yaml.node, &["clauses"]);
    for id in order {
        if !crate::load::files::plain_id(id) {
            let (zh, en) = crate::load::files::not_plain_id("clauses", id);
            errors.push(LoadError::both(yaml.path, at, zh, en));
        } else if !dir.join("clauses").join(format!("{id}.yaml")).is_file() {
            errors.push(LoadError::both(
                yaml.path,
                at,
                format!("`clauses` 列出了 `{id}`，但没有 clauses/{id}.yaml 文件"),
                format!("`clauses` lists `{id}`, but there is no clauses/{id}.yaml"),
            ));
        }
    }
    for c in &clauses {
        if !order.contains(&c.id) {
            errors.push(LoadError::both(
                yaml.path,
                at,
                format!("clauses/{}.yaml 没有列在 pack.yaml 的 `clauses` 中", c.id),
                format!("clauses/{}.yaml is not listed in `clauses`", c.id),
            ));
        }
    }
    let mut paired: Vec<(Clause, Script)> = clauses.into_iter().zip(scripts).collect();
    paired.sort_by_key(|(c, _)| order.iter().position(|id| id == &c.id));
    paired.into_iter().unzip()
}

/// One clause decides a kind
fn check_one_clause_per_kind(
    kinds: &[Kind],
    clauses: &[Clause],
    yaml: &PackYaml<'_>,
    errors: &mut LoadErrors,
) {
    for k in kinds {
        let handlers: Vec<&str> = clauses
            .iter()
            .filter(|c| c.kind == k.name)
            .map(|c| c.id.as_str())
            .collect();
        if handlers.len() > 1 {
            errors.push(LoadError::both(
                yaml.path,
                pos_at(yaml.node, &["kinds", &k.name]),
                format!(
                    "申报类别 `{}` 由多个条款处理（{}）；一类申报只能由一个条款处理",
                    k.name,
                    handlers.join(", ")
                ),
                format!(
                    "kind `{}` is decided by more than one clause ({}); one clause decides a kind",
                    k.name,
                    handlers.join(", ")
                ),
            ));
        }
    }
}

/// The policy's stated targets, each counting clauses the pack has and a shared field
fn build_targets(
    dir: &Path,
    pf: &PackFile,
    shared: &[Field],
    clauses: &[Clause],
    yaml: &PackYaml<'_>,
    errors: &mut LoadErrors,
) -> Vec<Target> {
    let mut targets = Vec::new();
    for (i, t) in pf.targets.iter().enumerate() {
        let at = yaml
            .node
            .as_ref()
            .and_then(|n| n.get("targets")?.as_seq_item(i)?.pos);
        let figure = match money::parse_decimal(&t.target.0) {
            Ok(d) => d,
            Err(e) => {
                errors.push(LoadError::new(
                    yaml.path,
                    at,
                    format!("target `{}`: `{}` is {e}", t.id, t.target.0),
                ));
                continue;
            }
        };
        if let Some(c) = &t.counts {
            for id in &c.clauses {
                // Against the files, so a clause that failed to load is not reported twice.
                if !crate::load::files::plain_id(id) {
                    let (zh, en) = crate::load::files::not_plain_id("counts", id);
                    errors.push(LoadError::both(yaml.path, at, zh, en));
                } else if !dir.join("clauses").join(format!("{id}.yaml")).is_file() {
                    errors.push(LoadError::new(
                        yaml.path,
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
                        yaml.path,
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
            counts: t.counts.as_ref().map(|c| TargetMeasure {
                clauses: c.clauses.clone(),
                distinct: c.distinct.clone(),
            }),
        });
    }

    targets
}

/// Column names of CSV and Excel input, each standing for a field some kind has
fn build_aliases(
    pf: &PackFile,
    kinds: &[Kind],
    yaml: &PackYaml<'_>,
    errors: &mut LoadErrors,
) -> std::collections::HashMap<String, String> {
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
                yaml.path,
                pos_at(yaml.node, &["aliases", alias]),
                format!(
                    "alias `{alias}` stands for `{field}`, which is not a field of any kind{}",
                    did_you_mean(field, names)
                ),
            ));
        }
    }

    aliases
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
        errors.push(LoadError::both(
            path,
            at, format!("`{name}` 不能作为字段名：请用字母、数字和 `_`，各段之间用 `.` 连接；`id` 和 `kind` 是内置字段"), format!("`{name}` cannot name a field: use letters, digits and `_`, parts joined by `.`; `id` and `kind` are built in"),));
        return None;
    }
    let mut bad = |msg: String| {
        errors.push(LoadError::both(
            path,
            at,
            format!("字段 `{name}`：{msg}"),
            format!("field `{name}`: {msg}"),
        ));
    };
    let number = |raw: &Option<RawScalar>| -> Result<Option<Decimal>, String> {
        match raw {
            None => Ok(None),
            Some(r) => money::parse_decimal(&r.0)
                .map(Some)
                .map_err(|e| format!("`{}` is {e}", r.0)),
        }
    };
    if matches!(f.ty, FieldTypeName::Date) {
        let date = |raw: &Option<RawScalar>| -> Result<Option<Date>, String> {
            match raw {
                None => Ok(None),
                Some(r) => Date::parse(&r.0).map(Some).ok_or_else(|| {
                    format!(
                        "`{}` is not a date written yyyy-mm-dd (e.g. 2024-03-25)",
                        r.0
                    )
                }),
            }
        };
        if f.values.is_some() || f.format.is_some() {
            bad("`values` and `format` do not apply to date fields".into());
            return None;
        }
        return match (date(&f.min), date(&f.max)) {
            (Ok(min), Ok(max)) => Some(Field {
                name: name.to_string(),
                ty: FieldType::Date { min, max },
                required: f.required,
                description: f.description.clone(),
            }),
            (Err(e), _) | (_, Err(e)) => {
                bad(e);
                None
            }
        };
    }
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
        bad("`min` and `max` apply to integer, decimal, money and date fields only".into());
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
        // Read above, with its bounds as dates.
        FieldTypeName::Date => FieldType::Date {
            min: None,
            max: None,
        },
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
) -> (Vec<Clause>, Vec<Script>) {
    let clause_dir = dir.join("clauses");
    let entries = match std::fs::read_dir(&clause_dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(LoadError::both(
                &clause_dir,
                None,
                format!("无法读取：{e}"),
                format!("cannot read: {e}"),
            ));
            return (Vec::new(), Vec::new());
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
            errors.push(LoadError::both(
                &clause_dir.join(n),
                None, format!("旁边没有 `{partner}`：一个条款由同名的 `.yaml` 和 `.rhai` 两个文件组成"), format!("has no `{partner}` beside it: a clause is a `.yaml` and a `.rhai` of the same name"),));
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
    let mut scripts: Vec<Script> = Vec::new();
    let all_ids: Vec<&str> = names
        .iter()
        .filter(|n| n.ends_with(".yaml"))
        .map(|n| n.trim_end_matches(".yaml"))
        .filter(|stem| names.contains(&format!("{stem}.rhai")))
        .collect();
    for n in names.iter().filter(|n| n.ends_with(".yaml")) {
        let stem = n.trim_end_matches(".yaml");
        if !names.contains(&format!("{stem}.rhai")) {
            continue;
        }
        let at = ClauseFiles {
            dir,
            clause_dir: &clause_dir,
            name: n,
            stem,
            kinds,
            host,
            normalized_source: normalized_source.as_deref(),
            source: source_text.as_deref(),
            all_ids: &all_ids,
        };
        if let Some((clause, script)) = load_clause(&at, files, errors) {
            clauses.push(clause);
            scripts.push(script);
        }
    }
    if clauses.is_empty() && errors.is_empty() {
        errors.push(LoadError::both(
            &clause_dir,
            None,
            "政策包中没有条款".into(),
            "the pack has no clauses".into(),
        ));
    }
    (clauses, scripts)
}

/// Where one clause's files are and what reading it needs
struct ClauseFiles<'a> {
    dir: &'a Path,
    clause_dir: &'a Path,
    /// `<id>.yaml`
    name: &'a str,
    stem: &'a str,
    kinds: &'a [Kind],
    host: &'a ScriptHost,
    /// The source document without whitespace, to find each clause's text in
    normalized_source: Option<&'a str>,
    /// The source document as written, to show the sentence nearest a text not found in it
    source: Option<&'a str>,
    /// The id of every clause of the pack (its files' names), which `depends_on` may name
    all_ids: &'a [&'a str],
}

/// One clause read and checked, with its script compiled; `None` (with its errors reported)
/// when anything about it is wrong
fn load_clause(
    at: &ClauseFiles<'_>,
    files: &mut Files,
    errors: &mut LoadErrors,
) -> Option<(Clause, Script)> {
    let ClauseFiles {
        dir,
        clause_dir,
        name: n,
        stem,
        kinds,
        host,
        normalized_source,
        source,
        all_ids,
    } = *at;
    let meta_path = clause_dir.join(n);
    let rel = format!("clauses/{n}");
    let mut node = None;
    let cf = files
        .read(dir, &rel, errors)
        .and_then(|t| parse_yaml::<ClauseFile>(&meta_path, &t, &mut node, errors))?;
    let before = errors.len();
    for (key, value) in [
        ("article", &cf.article),
        ("text", &cf.text),
        ("title", &cf.title),
    ] {
        if value.trim().is_empty() {
            errors.push(LoadError::both(
                &meta_path,
                pos_at(&node, &[key]),
                format!("`{key}` 是空的：每个条款都要写明所依据的条文序号和原文句子"),
                format!("`{key}` is empty: a clause cites its article and the sentence it encodes"),
            ));
        }
    }
    if cf.id != stem {
        errors.push(LoadError::both(
            &meta_path,
            pos_at(&node, &["id"]),
            format!("条款编号 `{}` 与文件名 `{stem}` 不一致", cf.id),
            format!("clause id `{}` differs from its file name `{stem}`", cf.id),
        ));
    }
    let Some(kind) = kinds.iter().find(|k| k.name == cf.kind) else {
        let hint = did_you_mean(&cf.kind, kinds.iter().map(|k| k.name.as_str()));
        errors.push(LoadError::both(
            &meta_path,
            pos_at(&node, &["kind"]),
            format!("申报类别 `{}` 没有在 pack.yaml 中声明{hint}", cf.kind),
            format!("kind `{}` is not declared in pack.yaml{hint}", cf.kind),
        ));
        return None;
    };
    if let Some(src) = normalized_source {
        if !src.contains(&squeeze(&cf.text)) {
            errors.push(crate::load::nearest::text_not_found(
                &meta_path,
                pos_at(&node, &["text"]),
                source,
                &cf.text,
            ));
        }
    }
    let parameters = build_parameters(&cf.parameters, node.as_ref(), &meta_path, errors);
    let count_limit = check_limits(&cf, kind, &parameters, &node, &meta_path, errors);
    let script_rel = format!("clauses/{stem}.rhai");
    let script_path = clause_dir.join(format!("{stem}.rhai"));
    let source = files.read(dir, &script_rel, errors)?;
    let declared: Vec<&str> = cf.parameters.keys().map(String::as_str).collect();
    let refs = References {
        declared: &declared,
        script_path: &script_path,
        meta_path: &meta_path,
        meta: &node,
        kind,
        clause_id: &cf.id,
        parameters: &parameters,
        depends_on: &cf.depends_on,
        host,
    };
    check_depends_on(&cf, all_ids, &node, &meta_path, errors);
    let script = match crate::load::fullwidth::compile(host, &script_path, source.clone()) {
        Ok(s) => s,
        Err(e) => {
            errors.push(e);
            return None;
        }
    };
    refs.check(script.ast(), errors);
    if errors.len() > before {
        return None;
    }
    let clause = Clause {
        id: cf.id,
        title: cf.title,
        article: cf.article,
        text: cf.text,
        kind: cf.kind,
        notes: cf.notes,
        parameters: Arc::new(parameters),
        cap: cf.cap,
        count_limit,
        depends_on: cf.depends_on,
        meta_path,
        enabled: true,
        script_path,
        script_source: source,
    };
    Some((clause, script))
}

/// Clauses that read each other's decisions must not go round in a circle (none could be
/// decided first), and reading another decision needs the pack to say who the same applicant is
fn check_dependency_graph(clauses: &[Clause], applicant: &[String], errors: &mut LoadErrors) {
    let index = |id: &str| clauses.iter().position(|c| c.id == id);
    // Depth-first, from each clause in order; a clause met again on the current path closes
    // a circle, reported once from its first clause.
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    fn visit(
        ci: usize,
        clauses: &[Clause],
        index: &dyn Fn(&str) -> Option<usize>,
        marks: &mut [Mark],
        path: &mut Vec<usize>,
    ) -> Option<Vec<usize>> {
        marks[ci] = Mark::OnPath;
        path.push(ci);
        for d in &clauses[ci].depends_on {
            let Some(di) = index(d) else { continue };
            match marks[di] {
                Mark::OnPath => {
                    let from = path.iter().position(|&p| p == di).unwrap_or(0);
                    let mut circle = path[from..].to_vec();
                    circle.push(di);
                    return Some(circle);
                }
                Mark::New => {
                    if let Some(c) = visit(di, clauses, index, marks, path) {
                        return Some(c);
                    }
                }
                Mark::Done => {}
            }
        }
        path.pop();
        marks[ci] = Mark::Done;
        None
    }
    let mut marks = vec![Mark::New; clauses.len()];
    for ci in 0..clauses.len() {
        if marks[ci] != Mark::New {
            continue;
        }
        let mut path = Vec::new();
        if let Some(circle) = visit(ci, clauses, &index, &mut marks, &mut path) {
            let names: Vec<&str> = circle.iter().map(|&c| clauses[c].id.as_str()).collect();
            errors.push(LoadError::both(
                &clauses[circle[0]].meta_path,
                None,
                format!(
                    "`depends_on` 形成循环：{}；每个条款都在等下一个条款先决定，没有一个能先决定",
                    names.join(" → ")
                ),
                format!(
                    "`depends_on` goes round in a circle: {}; each clause waits for the next, so none can be decided first",
                    names.join(" → ")
                ),
            ));
            return;
        }
    }
    if applicant.is_empty() {
        for c in clauses.iter().filter(|c| !c.depends_on.is_empty()) {
            errors.push(LoadError::both(
                &c.meta_path,
                None,
                "本条款要读取同一申报单位的其他决定（`depends_on`），但 pack.yaml 没有写 `applicant:`，无法认定哪些申报来自同一单位：请加上例如 `applicant: [applicant.credit_code, applicant.name]`".into(),
                "the clause reads other decisions of the same applicant (`depends_on`), but pack.yaml names no `applicant:` fields to tell who the same applicant is: add e.g. `applicant: [applicant.credit_code, applicant.name]`".into(),
            ));
        }
    }
}

/// Each clause `depends_on` names is another clause of the pack, once
fn check_depends_on(
    cf: &ClauseFile,
    all_ids: &[&str],
    node: &Option<Node>,
    meta_path: &Path,
    errors: &mut LoadErrors,
) {
    for (i, d) in cf.depends_on.iter().enumerate() {
        let at = node
            .as_ref()
            .and_then(|n| n.get("depends_on")?.as_seq_item(i)?.pos);
        let (zh, en) = if d == &cf.id {
            (
                format!("`depends_on` 写了本条款自己（`{d}`）：条款只能读取其他条款的决定"),
                format!("`depends_on` names the clause itself (`{d}`): a clause reads the decisions of other clauses"),
            )
        } else if cf.depends_on[..i].contains(d) {
            (
                format!("`depends_on` 重复写了 `{d}`"),
                format!("`depends_on` names `{d}` twice"),
            )
        } else if !all_ids.contains(&d.as_str()) {
            let hint = did_you_mean(d, all_ids.iter().copied());
            (
                format!("`depends_on` 写的 `{d}` 不是本政策包的条款{hint}"),
                format!("`depends_on` names `{d}`, which is no clause of the pack{hint}"),
            )
        } else {
            continue;
        };
        errors.push(LoadError::both(meta_path, at, zh, en));
    }
}

/// The clause's `cap` names a parameter in yuan, and its count limit a count parameter, fields
/// of its kind to group by and a number field to rank by
fn check_limits(
    cf: &ClauseFile,
    kind: &Kind,
    parameters: &[Parameter],
    node: &Option<Node>,
    meta_path: &Path,
    errors: &mut LoadErrors,
) -> Option<CountLimit> {
    let param_names = || parameters.iter().map(|p| p.name.as_str());
    if let Some(cap) = &cf.cap {
        match parameters.iter().find(|p| &p.name == cap) {
            Some(p) if p.unit == Unit::Yuan => {}
            Some(_) => errors.push(LoadError::both(
                meta_path,
                pos_at(node, &["cap"]),
                format!("`cap` 指向的 `{cap}` 不是以元为单位的参数"),
                format!("`cap` names `{cap}`, which is not in yuan"),
            )),
            None => errors.push(LoadError::both(
                meta_path,
                pos_at(node, &["cap"]),
                format!(
                    "`cap` 指向的 `{cap}` 不是本条款的参数{}",
                    did_you_mean(cap, param_names())
                ),
                format!(
                    "`cap` names `{cap}`, which is not a parameter of this clause{}",
                    did_you_mean(cap, param_names())
                ),
            )),
        }
    }
    let mut count_limit = None;
    if let Some(cl) = &cf.count_limit {
        let at = pos_at(node, &["count_limit"]);
        let field_names = || kind.fields.iter().map(|f| f.name.as_str());
        match parameters.iter().find(|p| p.name == cl.max) {
            Some(p) if p.unit == Unit::Count => {}
            Some(_) => errors.push(LoadError::both(
                meta_path,
                at,
                format!(
                    "count_limit 的 `max` 指向的 `{}` 不是项数（count）参数",
                    cl.max
                ),
                format!("count_limit `max` names `{}`, which is not a count", cl.max),
            )),
            None => errors.push(LoadError::both(
                meta_path,
                at,
                format!(
                    "count_limit 的 `max` 指向的 `{}` 不是本条款的参数{}",
                    cl.max,
                    did_you_mean(&cl.max, param_names())
                ),
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
                    meta_path,
                    at,
                    format!(
                        "count_limit `per` names `{f}`, which is not a field of kind `{}`{}",
                        kind.name,
                        did_you_mean(f, field_names())
                    ),
                ));
            }
        }
        let rank_node = node
            .as_ref()
            .and_then(|n| n.get("count_limit")?.get("rank_by"));
        let listed = matches!(rank_node.map(|n| &n.value), Some(yaml::NodeValue::Seq(_)));
        if cl.rank_by.0.is_empty() {
            errors.push(LoadError::both(
                meta_path,
                rank_node.and_then(|n| n.pos).or(at),
                "count_limit 的 `rank_by` 是空列表，至少要有一个排序字段".into(),
                "count_limit `rank_by` is an empty list; it needs at least one key".into(),
            ));
        }
        let mut rank_by = Vec::with_capacity(cl.rank_by.0.len());
        for (i, key) in cl.rank_by.0.iter().enumerate() {
            // `rank_by[i]` in a list, plain `rank_by` for the single name
            let (name, key_at) = if listed {
                let item = rank_node.and_then(|n| n.as_seq_item(i));
                let field = item.and_then(|n| n.get("field")).or(item);
                (format!("rank_by[{i}]"), field.and_then(|n| n.pos))
            } else {
                ("rank_by".to_string(), rank_node.and_then(|n| n.pos))
            };
            let key_at = key_at.or(at);
            let field = &key.field;
            // The kinds a key may rank by: numbers and dates (compared in `decide/count_limit.rs`).
            match kind.fields.iter().find(|x| &x.name == field) {
                Some(f)
                    if matches!(
                        f.ty,
                        FieldType::Integer { .. }
                            | FieldType::Decimal { .. }
                            | FieldType::Money { .. }
                            | FieldType::Date { .. }
                    ) =>
                {
                    if cl.rank_by.0[..i].iter().any(|k| &k.field == field) {
                        errors.push(LoadError::new(
                            meta_path,
                            key_at,
                            format!("count_limit `{name}` names `{field}` again; each field ranks once"),
                        ));
                    }
                }
                Some(f) => errors.push(LoadError::new(
                    meta_path,
                    key_at,
                    format!(
                        "count_limit `{name}` names `{field}`, which must be a number field (integer, decimal or money) or a date, not {}",
                        f.ty.name()
                    ),
                )),
                None => errors.push(LoadError::new(
                    meta_path,
                    key_at,
                    format!(
                        "count_limit `{name}` names `{field}`, which is not a field of kind `{}`{}",
                        kind.name,
                        did_you_mean(field, field_names())
                    ),
                )),
            }
            rank_by.push(RankKey {
                field: field.clone(),
                order: key.order,
            });
        }
        count_limit = Some(CountLimit {
            max: cl.max.clone(),
            per: cl.per.clone(),
            rank_by,
        });
    }
    count_limit
}
