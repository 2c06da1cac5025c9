//! The decisions document as YAML (`run --format yaml`).
//!
//! JSON is streamed by [`super::stream`].

use serde::Serialize;

use policy_engine::{Decision, Pack, Totals};

use super::{pack_ref, to_yaml, PackRef};

/// The decisions document: pack, decisions, totals
#[derive(Serialize)]
struct DecisionsDoc<'a> {
    pack: PackRef<'a>,
    decisions: &'a [Decision],
    totals: &'a Totals,
}

pub fn decisions_yaml(
    pack: &Pack,
    decisions: &[Decision],
    totals: &Totals,
) -> Result<String, String> {
    to_yaml(&DecisionsDoc {
        pack: pack_ref(pack),
        decisions,
        totals,
    })
}
