//! Everything the CLI prints, one file a format, and what several formats share.
//!
//! Aligned text for people, JSON and YAML documents, CSV, Markdown, Excel, the streamed
//! decisions, HTML reports and the pack document, and pack errors as diagnostics.

pub mod csv;
pub mod diagnostics;
pub mod doc;
pub mod json;
pub mod markdown;
pub mod report;
pub mod stream;
mod table;
pub mod text;
pub mod xlsx;
pub mod yaml;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use policy_engine::{Pack, Progress, Revision, TargetComparison};

/// The pack a document was computed with, as every JSON and YAML document names it
#[derive(Serialize)]
struct PackRef<'a> {
    id: &'a str,
    version: &'a str,
    fingerprint: &'a str,
}

fn pack_ref(p: &Pack) -> PackRef<'_> {
    PackRef {
        id: &p.id,
        version: &p.version,
        fingerprint: &p.fingerprint,
    }
}

pub fn to_json<T: Serialize>(value: &T) -> Result<String, String> {
    serde_json::to_string_pretty(value)
        .map(|s| s + "\n")
        .map_err(|e| format!("error: cannot write JSON: {e}"))
}

pub fn to_yaml<T: Serialize>(value: &T) -> Result<String, String> {
    serde_yaml::to_string(value).map_err(|e| format!("error: cannot write YAML: {e}"))
}

/// A target's comparison in words, Chinese then English
fn comparison_word(c: TargetComparison) -> &'static str {
    match c {
        TargetComparison::About => "左右 about",
        TargetComparison::AtLeast => "以上 at least",
        TargetComparison::Over => "突破 over",
    }
}

/// Yuan as 万元 (ten thousand yuan), trailing zeros dropped: the one conversion the text tables
/// (`decimals` `None`: every digit) and the report charts (`Some(2)`, half away from zero) share
fn wan(amount: Decimal, decimals: Option<u32>) -> Decimal {
    let w = amount / Decimal::from(10_000);
    match decimals {
        Some(dp) => w.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero),
        None => w,
    }
    .normalize()
}

/// An amount in 万元 as a person reads it beside the yuan: two decimals, grouped
/// (`1,431.35`). Display only: the yuan figure beside it is the exact amount.
fn wan_shown(amount: Decimal) -> String {
    let mut w = (amount / Decimal::from(10_000))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    w.rescale(2);
    policy_engine::group_thousands(w)
}

/// A target's reached figure and percentage as the tables show them, `-` where no clause
/// measures it
fn progress_cells(p: &Progress) -> [String; 2] {
    [
        p.reached
            .map(|r| r.to_string())
            .unwrap_or_else(|| "-".into()),
        p.percent
            .map(|x| format!("{x}%"))
            .unwrap_or_else(|| "-".into()),
    ]
}

/// The revisions that change a script, as (clause, the revision's new text): shown below a
/// revision table rather than in one of its cells
fn changed_scripts(rows: &[Revision]) -> impl Iterator<Item = (&str, &str)> {
    rows.iter()
        .filter(|r| r.item == "script")
        .map(|r| (r.clause.as_deref().unwrap_or("?"), r.new.as_str()))
}
