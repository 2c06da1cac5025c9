//! An application checked before its clause runs: its id is new, its kind known, its facts
//! valid for the kind; otherwise an `error` decision that says which field and why.

use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::input::validate::{self, kind_text};
use crate::input::RawApplication;
use crate::model::decision::{Decision, Status};
use crate::model::facts::Checked;
use crate::model::lang::{said_in, Message};
use crate::model::pack::Pack;

fn error_decision(
    raw: &RawApplication,
    kind: Option<String>,
    clause: Option<String>,
    reasons: Vec<String>,
) -> Decision {
    Decision {
        id: raw.id().map(str::to_string),
        kind,
        clause,
        status: Status::Error,
        amount: Decimal::ZERO,
        reasons,
        rank: None,
        reached: Vec::new(),
    }
}

/// The error decision of an application whose id an earlier one has
pub(crate) fn duplicate(
    pack: &Pack,
    raw: &RawApplication,
    id: &str,
    where_first: &Message,
) -> Decision {
    duplicate_of(pack, id, kind_text(raw), where_first)
}

/// The same, from the id and the kind as written
pub(crate) fn duplicate_of(
    pack: &Pack,
    id: &str,
    kind: Option<String>,
    where_first: &Message,
) -> Decision {
    let clause = kind
        .as_deref()
        .and_then(|k| pack.clause_for_kind(k))
        .map(|c| c.id.clone());
    Decision {
        id: Some(id.to_string()),
        kind,
        clause,
        status: Status::Error,
        amount: Decimal::ZERO,
        reasons: vec![{
            let (wz, we) = (&where_first.zh, &where_first.en);
            said_in!(
                pack.shown_language(),
                "编号 `{id}` 重复：{wz}已用此编号，只处理第一项",
                "duplicate id `{id}`: {we} has it already; only the first is decided"
            )
        }],
        rank: None,
        reached: Vec::new(),
    }
}

/// Checks one application against its kind and finds its clause
pub(crate) fn check_one(pack: &Pack, raw: &RawApplication) -> Result<Checked, Box<Decision>> {
    match validate::validate(pack, raw) {
        Err(invalid) => {
            let clause = invalid
                .kind
                .as_deref()
                .and_then(|k| pack.clause_for_kind(k))
                .map(|c| c.id.clone());
            let lang = pack.shown_language();
            let reasons = invalid
                .problems
                .into_iter()
                .map(|p| p.into_lang(lang))
                .collect();
            Err(Box::new(error_decision(raw, invalid.kind, clause, reasons)))
        }
        Ok(facts) => match pack.clauses.iter().position(|c| c.kind == facts.kind) {
            Some(clause) => Ok(Checked { facts, clause }),
            None => Err(Box::new(error_decision(
                raw,
                Some(facts.kind.clone()),
                None,
                vec![{
                    let kind = &facts.kind;
                    said_in!(
                        pack.shown_language(),
                        "本政策包没有条款处理 `{kind}` 类申报",
                        "no clause of this pack decides kind `{kind}`"
                    )
                }],
            ))),
        },
    }
}

/// Checks every application, in order; duplicates of an earlier id are refused
pub(crate) fn check_all(
    pack: &Pack,
    apps: &[RawApplication],
) -> Vec<Result<Checked, Box<Decision>>> {
    let mut first_seen: HashMap<&str, &RawApplication> = HashMap::new();
    apps.iter()
        .map(|raw| {
            if let Some(id) = raw.id() {
                if let Some(first) = first_seen.get(id) {
                    let where_first =
                        crate::decide::repeats::first_at(first.index, first.pos.map(|p| p.line));
                    return Err(Box::new(duplicate(pack, raw, id, &where_first)));
                }
                first_seen.insert(id, raw);
            }
            check_one(pack, raw)
        })
        .collect()
}

/// Checks every quick reader against the general one on a line, panicking where one differs;
/// whether `json_facts` answered. For the tests and the fuzz target.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn quick_path_agrees(pack: &Pack, line: &str) -> bool {
    use crate::input::quick::{json_facts, leading_id_kind, light, scan_id_kind};
    use crate::input::validate::kind_text;
    use crate::model::value::Value;
    let general = crate::input::json_line(line, 0, 1);
    if let Some((id, kind)) = leading_id_kind(line.as_bytes()) {
        // An id the general reader finds is the one read from the line's beginning; a line
        // it checks has that kind too (elsewhere the line is an error whatever its kind).
        if let Some(g) = general.id() {
            assert_eq!(g, id, "leading_id_kind, id: {line}");
        }
        if check_one(pack, &general).is_ok() {
            assert_eq!(
                kind_text(&general).as_deref(),
                Some(kind),
                "leading_id_kind, kind: {line}"
            );
        }
    }
    if let Some((id, kind)) = scan_id_kind(line) {
        assert_eq!(id, general.id(), "scan_id_kind, id: {line}");
        assert_eq!(
            kind.map(str::to_string),
            kind_text(&general),
            "scan_id_kind, kind: {line}"
        );
    }
    if let Some(l) = light(line, 0, 1) {
        assert_eq!(l.id(), general.id(), "light, id: {line}");
        assert_eq!(kind_text(&l), kind_text(&general), "light, kind: {line}");
    }
    let Some(quick) = json_facts(pack, line) else {
        return false;
    };
    let checked = check_one(pack, &general);
    assert!(
        checked.is_ok(),
        "the quick path accepted what the checker refuses: {line}"
    );
    if let Ok(g) = checked {
        assert_eq!(quick.clause, g.clause, "{line}");
        assert_eq!(quick.facts.id, g.facts.id, "{line}");
        assert_eq!(quick.facts.kind, g.facts.kind, "{line}");
        assert_eq!(quick.facts.values, g.facts.values, "{line}");
        // Equal decimals may still print differently; the output shows them.
        let shown = |v: &[Option<Value>]| {
            v.iter()
                .map(|v| v.as_ref().map(ToString::to_string))
                .collect::<Vec<_>>()
        };
        assert_eq!(shown(&quick.facts.values), shown(&g.facts.values), "{line}");
    }
    true
}
