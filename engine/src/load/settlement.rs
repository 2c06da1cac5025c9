//! Settlement rules read from `pack.yaml` or a scenario file and checked against the pack:
//! known clauses, one kind of rule each, a cap in yuan, every parameter used, grouping fields
//! every covered kind has, the quoted text in the source, and `requires` rules in an order
//! that has no cycle.

use std::path::Path;
use std::sync::Arc;

use crate::load::files::{ClauseListFile, RuleFile};
use crate::load::lint::squeeze;
use crate::load::params::build_parameters;
use crate::load::yaml::{pos_in, Node};
use crate::model::error::{LoadError, LoadErrors};
use crate::model::pack::{Clause, Kind, Unit};
use crate::model::pack::{CutMethod, RuleKind, SettlementRule};
use crate::model::pos::Pos;
use crate::model::suggest::did_you_mean;

/// What a rule is checked against
pub(crate) struct RuleContext<'a> {
    pub(crate) clauses: &'a [Clause],
    pub(crate) kinds: &'a [Kind],
    /// The pack's period field, the default `per`
    pub(crate) period: Option<&'a str>,
    /// The pack's `applicant:` fields, for rules that name none
    pub(crate) applicant: &'a [String],
    /// The source document without whitespace, to find each rule's text in
    pub(crate) normalized_source: Option<&'a str>,
    /// The source document as written, to show the sentence nearest a text not found in it
    pub(crate) source: Option<&'a str>,
    /// Rules declared before these (the pack's, when a scenario adds more)
    pub(crate) before: &'a [SettlementRule],
}

/// The pack-level `applicant:` fields, each a field every kind has
pub(crate) fn check_applicant(
    fields: &[String],
    kinds: &[Kind],
    path: &Path,
    pos: Option<Pos>,
    errors: &mut LoadErrors,
) {
    if fields.is_empty() {
        errors.push(LoadError::new(
            path,
            pos,
            "`applicant` is empty: list the fields that tell who an applicant is, e.g. `[applicant.credit_code, applicant.name]`".into(),
        ));
    }
    for f in fields {
        if let Some(k) = kinds
            .iter()
            .find(|k| !k.fields.iter().any(|x| &x.name == f))
        {
            let hint = did_you_mean(f, k.fields.iter().map(|x| x.name.as_str()));
            errors.push(LoadError::new(
                path,
                pos,
                format!(
                    "`applicant` names `{f}`, which kind `{}` does not have{hint}",
                    k.name
                ),
            ));
        }
    }
}

/// Builds and checks the rules written at `seq` (the `settlement:` list) of `path`
pub(crate) fn build_rules(
    written: &[RuleFile],
    seq: Option<&Node>,
    path: &Path,
    cx: &RuleContext<'_>,
    errors: &mut LoadErrors,
) -> Vec<SettlementRule> {
    let mut rules: Vec<SettlementRule> = Vec::new();
    for (i, rf) in written.iter().enumerate() {
        let node = seq.and_then(|s| match &s.value {
            crate::load::yaml::NodeValue::Seq(items) => items.get(i),
            _ => None,
        });
        let taken: Vec<&str> = cx
            .before
            .iter()
            .chain(rules.iter())
            .map(|r| r.id.as_str())
            .collect();
        if let Some(rule) = build_rule(rf, node, path, cx, &taken, errors) {
            rules.push(rule);
        }
    }
    rules
}

/// One rule built and checked; `None` (its errors reported) when anything is wrong
fn build_rule(
    rf: &RuleFile,
    node: Option<&Node>,
    path: &Path,
    cx: &RuleContext<'_>,
    taken: &[&str],
    errors: &mut LoadErrors,
) -> Option<SettlementRule> {
    let before = errors.len();
    let at = |keys: &[&str]| pos_in(node, keys).or(node.and_then(|n| n.pos));
    let mut fail = |keys: &[&str], message: String| {
        errors.push(LoadError::new(path, at(keys), message));
    };
    let id = &rf.id;
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        fail(
            &["id"],
            format!("rule id `{id}`: use lower-case letters, digits and `-`, e.g. `yearly-cap`"),
        );
    }
    if cx.clauses.iter().any(|c| &c.id == id) {
        fail(
            &["id"],
            format!("rule id `{id}` is already a clause's id: give the rule its own"),
        );
    }
    if taken.contains(&id.as_str()) {
        fail(&["id"], format!("rule id `{id}` is used twice"));
    }
    for (key, value) in [
        ("title", &rf.title),
        ("article", &rf.article),
        ("text", &rf.text),
    ] {
        if value.trim().is_empty() {
            fail(
                &[key],
                format!("`{key}` is empty: a rule cites its article and the sentence it encodes"),
            );
        }
    }
    // Pushed once `fail` is done with `errors`
    let mut not_found = None;
    if let Some(src) = cx.normalized_source {
        if !rf.text.trim().is_empty() && !src.contains(&squeeze(&rf.text)) {
            not_found = Some(crate::load::nearest::text_not_found(
                path,
                at(&["text"]),
                cx.source,
                &rf.text,
            ));
        }
    }
    let known = |list: &[String], key: &str, fail: &mut dyn FnMut(&[&str], String)| {
        let mut seen: Vec<&str> = Vec::new();
        for c in list {
            if !cx.clauses.iter().any(|x| &x.id == c) {
                let hint = did_you_mean(c, cx.clauses.iter().map(|x| x.id.as_str()));
                fail(
                    &[key],
                    format!("`{key}` names `{c}`, which is no clause of the pack{hint}"),
                );
            } else if seen.contains(&c.as_str()) {
                fail(&[key], format!("`{key}` names `{c}` twice"));
            }
            seen.push(c);
        }
    };
    let kinds_written = [
        rf.exclusive.is_some(),
        rf.cap.is_some(),
        rf.requires.is_some() || (rf.clause.is_some() && rf.first_time.is_none()),
        rf.first_time.is_some(),
    ];
    let what = match (&rf.exclusive, &rf.cap, &rf.requires, &rf.clause) {
        (None, None, None, Some(clause))
            if rf.first_time.is_some() && kinds_written.iter().filter(|k| **k).count() == 1 =>
        {
            let before = rf.first_time.clone().unwrap_or_default();
            known(std::slice::from_ref(clause), "clause", &mut fail);
            known(&before, "first_time", &mut fail);
            if before.is_empty() {
                fail(
                    &["first_time"],
                    format!("`first_time` is empty: list the clauses whose earlier payments make an award of `{clause}` not the first (usually `[{clause}]`)"),
                );
            }
            Some(RuleKind::FirstTime {
                clause: clause.clone(),
                before,
            })
        }
        _ if kinds_written.iter().filter(|k| **k).count() != 1 => {
            fail(
                &[],
                format!(
                    "rule `{id}` must have exactly one of `exclusive: [clauses]` (就高不重复), `cap: <parameter>` (a cap per applicant), `clause:` with `requires: [clauses]` (an award that builds on another) or `clause:` with `first_time: [clauses]` (首次)"
                ),
            );
            None
        }
        (Some(list), None, None, None) => {
            known(list, "exclusive", &mut fail);
            if list.len() < 2 {
                fail(
                    &["exclusive"],
                    "`exclusive` lists the clauses whose awards exclude each other: at least two"
                        .into(),
                );
            }
            Some(RuleKind::Exclusive {
                clauses: list.clone(),
            })
        }
        (None, Some(max), None, None) => {
            let clauses = match &rf.clauses {
                None | Some(ClauseListFile::All) => None,
                Some(ClauseListFile::List(list)) => {
                    known(list, "clauses", &mut fail);
                    if list.is_empty() {
                        fail(&["clauses"], "`clauses` is empty: write `all` or list the clauses whose awards the cap adds up".into());
                    }
                    Some(list.clone())
                }
            };
            let Some(cut) = rf.cut else {
                fail(
                    &["cap"],
                    format!(
                        "rule `{id}` needs `cut:` to say how an excess over the cap is cut: `{}`, `{}` or `{}`",
                        CutMethod::LargestFirst.name(),
                        CutMethod::ClauseOrder.name(),
                        CutMethod::ProRata.name()
                    ),
                );
                return None;
            };
            Some(RuleKind::Cap {
                clauses,
                max: max.clone(),
                cut,
            })
        }
        (None, None, Some(requires), Some(clause)) => {
            known(std::slice::from_ref(clause), "clause", &mut fail);
            known(requires, "requires", &mut fail);
            if requires.is_empty() {
                fail(
                    &["requires"],
                    "`requires` is empty: list the clauses one of whose awards this one builds on"
                        .into(),
                );
            }
            if requires.contains(clause) {
                fail(&["requires"], format!("`{clause}` cannot require itself"));
            }
            Some(RuleKind::Requires {
                clause: clause.clone(),
                requires: requires.clone(),
            })
        }
        _ => {
            fail(
                &[],
                format!("rule `{id}`: `clause:` and `requires:` go together: `clause: <the clause that builds on another>` and `requires: [<the clauses it builds on>]`"),
            );
            None
        }
    };
    if rf.cut.is_some() && rf.cap.is_none() {
        fail(&["cut"], "`cut` belongs to a `cap` rule".into());
    }
    if rf.clauses.is_some() && rf.cap.is_none() {
        fail(
            &["clauses"],
            "`clauses` belongs to a `cap` rule; `exclusive` lists its clauses itself".into(),
        );
    }
    let parameters = build_parameters(&rf.parameters, node, path, errors);
    let mut fail = |keys: &[&str], message: String| {
        errors.push(LoadError::new(path, at(keys), message));
    };
    let used: Vec<&str> = match &what {
        Some(RuleKind::Cap { max, .. }) => vec![max.as_str()],
        _ => Vec::new(),
    };
    if let Some(RuleKind::Cap { max, .. }) = &what {
        match parameters.iter().find(|p| &p.name == max) {
            None => {
                let hint = did_you_mean(max, parameters.iter().map(|p| p.name.as_str()));
                fail(
                    &["cap"],
                    format!("`cap: {max}` names no parameter of rule `{id}`{hint}: declare it under `parameters:` with `unit: yuan`"),
                );
            }
            Some(p) if p.unit != Unit::Yuan => fail(
                &["parameters", max, "unit"],
                format!(
                    "`{id}.{max}` is the cap: its unit must be `yuan`, not `{}`",
                    p.unit.name()
                ),
            ),
            Some(_) => {}
        }
    }
    for p in parameters
        .iter()
        .filter(|p| !used.contains(&p.name.as_str()))
    {
        fail(
            &["parameters", &p.name],
            format!("parameter `{id}.{}` is not used by the rule", p.name),
        );
    }
    let applicant = rf
        .applicant
        .clone()
        .unwrap_or_else(|| cx.applicant.to_vec());
    if applicant.is_empty() {
        fail(
            &[],
            format!("rule `{id}` needs to know who the same applicant is: write `applicant: [applicant.credit_code, applicant.name]` (the first field an application has) in pack.yaml or in the rule"),
        );
    }
    let per = rf
        .per
        .clone()
        .unwrap_or_else(|| cx.period.map(|p| vec![p.to_string()]).unwrap_or_default());
    for (k, f) in per.iter().enumerate() {
        if per[..k].contains(f) {
            fail(&["per"], format!("`per` names `{f}` twice"));
        }
    }
    let what = what?;
    // Every covered clause's kind has each field the rule groups by.
    let probe = SettlementRule {
        id: id.clone(),
        title: String::new(),
        article: String::new(),
        text: String::new(),
        notes: None,
        what: what.clone(),
        applicant: Vec::new(),
        per: Vec::new(),
        parameters: Arc::new(Vec::new()),
        declared_in: path.to_path_buf(),
        pos: None,
    };
    for clause in cx.clauses.iter().filter(|c| probe.covers(&c.id)) {
        let Some(kind) = cx.kinds.iter().find(|k| k.name == clause.kind) else {
            continue;
        };
        for (key, f) in applicant
            .iter()
            .map(|f| ("applicant", f))
            .chain(per.iter().map(|f| ("per", f)))
        {
            if !kind.fields.iter().any(|x| &x.name == f) {
                let hint = did_you_mean(f, kind.fields.iter().map(|x| x.name.as_str()));
                fail(
                    &[key],
                    format!(
                        "rule `{id}` groups by `{f}`, which kind `{}` (clause `{}`) does not have{hint}",
                        kind.name, clause.id
                    ),
                );
            }
        }
    }
    if cx.period.is_none_or(|p| !per.iter().any(|f| f == p)) {
        for p in parameters.iter().filter(|p| p.is_timeline()) {
            fail(
                &["parameters", &p.name],
                format!(
                    "`{id}.{}` has values by year, but the rule's groups are not by the period field (`per: {per:?}`), so no year picks a value",
                    p.name
                ),
            );
        }
    }
    errors.0.extend(not_found);
    if errors.len() > before {
        return None;
    }
    Some(SettlementRule {
        id: id.clone(),
        title: rf.title.clone(),
        article: rf.article.clone(),
        text: rf.text.clone(),
        notes: rf.notes.clone(),
        what,
        applicant,
        per,
        parameters: Arc::new(parameters),
        declared_in: path.to_path_buf(),
        pos: node.and_then(|n| n.pos),
    })
}

/// The `requires` rules form no cycle, and a rule that reads a clause's awards comes after
/// every `requires` rule that still changes them
pub(crate) fn check_order(rules: &[SettlementRule], errors: &mut LoadErrors) {
    let edges: Vec<(&str, &str, &SettlementRule)> = rules
        .iter()
        .filter_map(|r| match &r.what {
            RuleKind::Requires { clause, requires } => Some(
                requires
                    .iter()
                    .map(move |q| (clause.as_str(), q.as_str(), r)),
            ),
            _ => None,
        })
        .flatten()
        .collect();
    // A cycle: a clause that, following `requires`, comes back to itself.
    for (start, _, rule) in &edges {
        let mut path = vec![*start];
        if let Some(cycle) = find_cycle(start, &edges, &mut path) {
            errors.push(LoadError::new(
                &rule.declared_in,
                rule.pos,
                format!(
                    "rule `{}`: the awards build on each other in a circle: {}",
                    rule.id,
                    cycle.join(" → ")
                ),
            ));
            return;
        }
    }
    for (i, r) in rules.iter().enumerate() {
        let RuleKind::Requires { requires, .. } = &r.what else {
            continue;
        };
        // Any later rule that can take away or cut an award it builds on would leave it paid on
        // a base that is not: such a rule must come first.
        for later in &rules[i + 1..] {
            let changes = |c: &String| match &later.what {
                RuleKind::Requires { clause, .. } => clause == c,
                _ => later.covers(c),
            };
            if let Some(clause) = requires.iter().find(|c| changes(c)) {
                errors.push(LoadError::new(
                    &r.declared_in,
                    r.pos,
                    format!(
                        "rule `{}` looks at the awards of `{clause}`, which rule `{}` listed after it still changes: list `{}` first",
                        r.id, later.id, later.id
                    ),
                ));
            }
        }
    }
}

/// A path from `at` back to the path's first clause along the edges, if there is one
fn find_cycle<'a>(
    at: &'a str,
    edges: &[(&'a str, &'a str, &SettlementRule)],
    path: &mut Vec<&'a str>,
) -> Option<Vec<String>> {
    for (from, to, _) in edges.iter().filter(|(f, _, _)| *f == at) {
        let _ = from;
        if *to == path[0] {
            let mut cycle: Vec<String> = path.iter().map(|s| s.to_string()).collect();
            cycle.push(to.to_string());
            return Some(cycle);
        }
        if path.contains(to) || path.len() > edges.len() {
            continue;
        }
        path.push(to);
        if let Some(c) = find_cycle(to, edges, path) {
            return Some(c);
        }
        path.pop();
    }
    None
}
