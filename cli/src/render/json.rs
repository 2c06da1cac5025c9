//! The JSON documents of compare, sweep and diff, each naming the pack that computed it.

use serde::Serialize;

use policy_engine::{Pack, Revision, ScenarioComparison, SweepPoint};

use super::{pack_ref, to_json, PackRef};
use crate::effect::Effect;

#[derive(Serialize)]
struct ComparisonsDoc<'a> {
    baseline: PackRef<'a>,
    comparisons: &'a [ScenarioComparison],
}

pub fn comparisons_json(pack: &Pack, comparisons: &[ScenarioComparison]) -> Result<String, String> {
    to_json(&ComparisonsDoc {
        baseline: pack_ref(pack),
        comparisons,
    })
}

#[derive(Serialize)]
struct SweepDoc<'a> {
    pack: PackRef<'a>,
    param: &'a str,
    points: &'a [SweepPoint],
}

pub fn sweep_json(pack: &Pack, param: &str, points: &[SweepPoint]) -> Result<String, String> {
    to_json(&SweepDoc {
        pack: pack_ref(pack),
        param,
        points,
    })
}

#[derive(Serialize)]
struct DiffDoc<'a> {
    old: PackRef<'a>,
    new: PackRef<'a>,
    changes: &'a [Revision],
    effect: Option<&'a Effect>,
}

pub fn diff_json(
    old: &Pack,
    new: &Pack,
    rows: &[Revision],
    effect: Option<&Effect>,
) -> Result<String, String> {
    to_json(&DiffDoc {
        old: pack_ref(old),
        new: pack_ref(new),
        changes: rows,
        effect,
    })
}
