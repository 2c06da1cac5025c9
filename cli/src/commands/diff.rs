//! `policy diff`: what a revision changed, and what it does to a batch of applications.

use serde::Serialize;

use policy_engine::{Engine, RawApplication, Status, Totals};

use super::{load, Io};
use crate::args::{DiffArgs, DiffFormat};
use crate::render::{json, markdown, text};
use crate::EXIT_OK;

/// What a revision does to a batch of applications
#[derive(Serialize)]
pub struct Effect {
    /// Applications whose decision changes
    pub changed: Vec<EffectRow>,
    /// Totals before
    pub old: Totals,
    /// Totals after
    pub new: Totals,
}

/// One application's decision before and after
#[derive(Serialize)]
pub struct EffectRow {
    pub id: Option<String>,
    pub clause: Option<String>,
    pub old_status: Status,
    pub new_status: Status,
    pub old_amount: String,
    pub new_amount: String,
}

impl Effect {
    pub fn of(a: &Engine, b: &Engine, apps: &[RawApplication]) -> Effect {
        let (da, db) = (a.decide(apps), b.decide(apps));
        let changed = da
            .iter()
            .zip(&db)
            .filter(|(x, y)| x.status != y.status || x.amount != y.amount)
            .map(|(x, y)| EffectRow {
                id: x.id.clone(),
                clause: y.clause.clone().or_else(|| x.clause.clone()),
                old_status: x.status,
                new_status: y.status,
                old_amount: x.amount.to_string(),
                new_amount: y.amount.to_string(),
            })
            .collect();
        Effect {
            changed,
            old: a.totals(&da),
            new: b.totals(&db),
        }
    }
}

pub fn run(io: &mut Io<'_>, args: &DiffArgs) -> Result<u8, String> {
    let (a, b) = (
        load(&args.old, io.error_format)?,
        load(&args.new, io.error_format)?,
    );
    let rows = policy_engine::diff(a.pack(), b.pack());
    let effect = match &args.input {
        None => None,
        Some(path) => {
            let apps = policy_engine::InputFile::new(path, None)
                .map(|f| f.with_aliases(a.pack().aliases.clone()))
                .and_then(|f| f.read_all())
                .map_err(|e| format!("error: {e}"))?;
            Some(Effect::of(&a, &b, &apps))
        }
    };
    let out = match args.format {
        DiffFormat::Json => json::diff_json(a.pack(), b.pack(), &rows, effect.as_ref())?,
        DiffFormat::Md => markdown::diff_markdown(a.pack(), b.pack(), &rows, effect.as_ref()),
        DiffFormat::Table => text::diff_table(a.pack(), b.pack(), &rows, effect.as_ref()),
    };
    io.emit(&out);
    Ok(EXIT_OK)
}
