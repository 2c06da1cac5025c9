//! What a clause script reads (`params.x`, `app.a.b`) checked against its clause's parameters
//! and its kind's fields, so a misspelt name fails when the pack is checked.

use std::path::Path;

use crate::load::script_refs::OthersRead;
use crate::load::yaml::Node;
use crate::model::error::{LoadError, LoadErrors};
use crate::model::pack::{Kind, Pack, Parameter};
use crate::model::pos::Pos;
use crate::model::suggest::{self, did_you_mean, did_you_mean_zh};
use crate::script::host::ScriptHost;
use rhai::AST;

/// Every `params.x` the script reads must be a parameter of its clause, and every `app.x` a
/// field of its kind: a misspelling is caught when the pack is checked
pub(crate) struct References<'a> {
    /// Every parameter the YAML declares, including any whose value was refused
    pub(crate) declared: &'a [&'a str],
    pub(crate) script_path: &'a Path,
    pub(crate) meta_path: &'a Path,
    pub(crate) meta: &'a Option<Node>,
    pub(crate) kind: &'a Kind,
    pub(crate) clause_id: &'a str,
    pub(crate) parameters: &'a [Parameter],
    /// The clauses whose decisions the script may read with `others`
    pub(crate) depends_on: &'a [String],
    /// The host the script runs in, which knows the functions it may call
    pub(crate) host: &'a ScriptHost,
}

impl References<'_> {
    pub(crate) fn check(&self, script: &AST, errors: &mut LoadErrors) {
        let found = crate::load::script_refs::find(script);
        self.check_others(&found.others, errors);
        self.check_calls(&found, errors);
        self.check_discarded(script, errors);
        let refs = found.references;
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
                if let Some((zh, en)) = app_field_error(self.kind, &r.chain) {
                    errors.push(LoadError::both(self.script_path, Some(r.pos), zh, en));
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
                let line = r.pos.line;
                errors.push(LoadError::both(
                    self.meta_path,
                    key_pos(self.meta, &["parameters", declared]),
                    format!(
                        "参数 `{declared}` 没有被读取，而 {script} 第{line}行读取的是 `params.{name}`；是否应为 `{name}`？"
                    ),
                    format!(
                        "parameter `{declared}` is never read, but {script} reads `params.{name}` (line {line}); did you mean `{name}`?"
                    ),
                ));
            }
            let names = || self.parameters.iter().map(|p| p.name.as_str());
            let clause = self.clause_id;
            errors.push(LoadError::both(
                self.script_path,
                Some(r.pos),
                format!(
                    "条款 `{clause}` 没有参数 `params.{name}`{}",
                    did_you_mean_zh(name, names())
                ),
                format!(
                    "`params.{name}` is not a parameter of clause `{clause}`{}",
                    did_you_mean(name, names())
                ),
            ));
        }
    }
}

impl References<'_> {
    /// Every function the script calls by name is one the host registers, one of Rhai's, or
    /// one the script defines (or a variable, which may hold a function pointer): a misspelt
    /// `ineligble(…)` would otherwise pass `check` and fail on the first application that
    /// reaches it
    fn check_calls(&self, found: &crate::load::script_refs::Found, errors: &mut LoadErrors) {
        let known = self.host.function_names();
        let mut reported = std::collections::HashSet::new();
        for (name, pos) in &found.calls {
            if !is_identifier(name)
                || known.contains(name)
                || found.defined.contains(name)
                || !reported.insert(name)
            {
                continue;
            }
            let names = known
                .iter()
                .chain(&found.defined)
                .map(String::as_str)
                .filter(|n| is_identifier(n));
            let near = suggest::nearest(name, names);
            let (zh_hint, en_hint) = match near {
                Some(n) => (format!("，是否应为“{n}”？"), format!("; did you mean `{n}`?")),
                None => (
                    "：脚本只能调用 award、ineligible、min、max、yuan 等已有的函数，或在脚本里用 fn 定义的函数".to_string(),
                    ": a script calls the functions the engine provides (award, ineligible, min, max, yuan…) or ones it defines with `fn`".to_string(),
                ),
            };
            errors.push(LoadError::both(
                self.script_path,
                Some(*pos),
                format!(
                    "第{}行第{}列调用的函数“{name}”不存在{zh_hint}",
                    pos.line, pos.col
                ),
                format!("`{name}(…)` is not a function a script can call{en_hint}"),
            ));
        }
    }

    /// Every `award(…)` and `ineligible(…)` is the script's outcome: returned, or last
    fn check_discarded(&self, script: &AST, errors: &mut LoadErrors) {
        for c in crate::load::script_refs::discarded_outcomes(script) {
            let (name, pos) = (c.name, c.pos);
            errors.push(LoadError::both(
                self.script_path,
                Some(pos),
                format!(
                    "第{}行第{}列的 {name}(…) 的结果被丢弃了：它后面还有语句，脚本并不以它结束，会接着往下执行。请写成 return {name}(…)",
                    pos.line, pos.col
                ),
                format!(
                    "the outcome of this `{name}(…)` is thrown away: more statements follow it, so the script does not end with it and goes on; add `return`: `return {name}(…)`"
                ),
            ));
        }
    }

    /// Every `others.amount("id")` names, as a text, a clause of `depends_on`; every clause of
    /// `depends_on` is read (one nothing reads orders the clauses for nothing, and is most
    /// likely a misspelling of the one the script reads)
    fn check_others(&self, reads: &[OthersRead], errors: &mut LoadErrors) {
        // Each undeclared clause is reported once, at its first read.
        let mut reported = std::collections::HashSet::new();
        for r in reads {
            let (zh, en) = match &r.clause {
                None => (
                    "`others.amount(…)` / `others.count(…)` 的参数须是带引号的条款编号，例如 `others.amount(\"rd-platform\")`，`policy check` 才知道本条款要等哪些决定".to_string(),
                    "`others.amount(…)` / `others.count(…)` take the clause id written as a quoted text, e.g. `others.amount(\"rd-platform\")`, so `policy check` knows which decisions the clause waits for".to_string(),
                ),
                Some(c) if self.depends_on.contains(c) || !reported.insert(c) => continue,
                Some(c) => (
                    format!(
                        "脚本读取了 `{c}` 的决定，但条款 `{}` 的 `depends_on` 没有写它：请在其 YAML 的 `depends_on` 中加上 `{c}`，使本条款在 `{c}` 之后决定",
                        self.clause_id,
                    ),
                    format!(
                        "the script reads the decisions of `{c}`, but clause `{}` does not name it in `depends_on`: add `{c}` to `depends_on` in its YAML, so it is decided after `{c}`",
                        self.clause_id,
                    ),
                ),
            };
            errors.push(LoadError::both(self.script_path, Some(r.pos), zh, en));
        }
        // Unread dependencies: only for the pack's own scripts (a replacement script is
        // checked against what it reads).
        if self.meta.is_none() {
            return;
        }
        for (i, d) in self.depends_on.iter().enumerate() {
            if !reads
                .iter()
                .any(|r| r.clause.as_deref() == Some(d.as_str()))
            {
                errors.push(LoadError::both(
                    self.meta_path,
                    self.meta
                        .as_ref()
                        .and_then(|m| m.get("depends_on")?.as_seq_item(i)?.pos),
                    format!(
                        "`depends_on` 写了 `{d}`，但脚本从未读取它（`others.amount(\"{d}\")` 或 `others.count(\"{d}\")`）：请删去，或在脚本中读取"
                    ),
                    format!(
                        "`depends_on` names `{d}`, but the script never reads it (`others.amount(\"{d}\")` or `others.count(\"{d}\")`): remove it, or read it"
                    ),
                ));
            }
        }
    }
}

/// Checks a replacement script of clause `ci` against its parameters and kind; one that does
/// not compile is left to its compilation to report
pub(crate) fn check_script_references(
    host: &ScriptHost,
    pack: &Pack,
    ci: usize,
    script_path: &Path,
    source: &str,
    errors: &mut LoadErrors,
) {
    let clause = &pack.clauses[ci];
    let (Some(kind), Some(script)) = (pack.kind(&clause.kind), host.parse(source)) else {
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
        depends_on: &clause.depends_on,
        host,
    }
    .check(&script, errors);
}

/// Position of the key at the end of a path, e.g. the `provincial:` of a parameter
pub(crate) fn key_pos(root: &Option<Node>, keys: &[&str]) -> Option<Pos> {
    root.as_ref()?.key_pos(keys)
}

fn app_field_error(kind: &Kind, chain: &[String]) -> Option<(String, String)> {
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
    let names = || kind.fields.iter().map(|f| f.name.as_str());
    let k = &kind.name;
    Some((
        format!(
            "`{k}` 类申报没有字段 `app.{name}`{}",
            did_you_mean_zh(&name, names())
        ),
        format!(
            "`app.{name}` is not a field of kind `{k}`{}",
            did_you_mean(&name, names())
        ),
    ))
}

pub(crate) fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}
