//! The Rhai sandbox that runs clause scripts, and what scripts see of the world.
//!
//! A script sees two values, `app` (the application's facts, read as `app.paid_amount` or
//! `app.applicant.in_city`) and `params` (its clause's parameters, `params.rate`), and ends with
//! `award(amount, reason)` or `ineligible(reason)`. Numbers with a point are `Decimal` (rhai's
//! `no_float` and `decimal` features): no binary float can reach an amount.
//!
//! Two Rhai engines share one configuration: `fast` decides, `traced` re-runs one decision for
//! an explanation and records every fact and parameter read and every decimal operation.

use std::cell::RefCell;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rhai::packages::{Package, StandardPackage};
use rhai::{Dynamic, EvalAltResult, ImmutableString, NativeCallContext, Position, Scope, AST, INT};
use rust_decimal::Decimal;

use crate::model::date::Date;
use crate::model::error::LoadError;
use crate::model::lang::{said, Message};
use crate::model::money::{percent_text, yuan};
use crate::model::outcome::{Outcome, Ran, ScriptError, Trace};
use crate::model::pos::Pos;
use crate::model::suggest;
use crate::model::value::Value;
use crate::script::limits::ScriptLimits;
use crate::script::memo::Read;
use crate::script::views::{BandsView, FactsView, HistoryView, OthersView, ParamsView};

/// A compiled clause script
#[derive(Clone)]
pub(crate) struct Script {
    pub(crate) path: PathBuf,
    ast: AST,
    /// The script lowered for quick runs, when it can be
    plan: Option<Arc<crate::script::lowered::Plan>>,
}

impl Script {
    /// The syntax tree that runs
    pub(crate) fn ast(&self) -> &AST {
        &self.ast
    }

    /// The lowered form, if the script has one
    #[cfg(any(test, feature = "fuzzing"))]
    pub(crate) fn plan(&self) -> Option<&crate::script::lowered::Plan> {
        self.plan.as_deref()
    }
}

impl fmt::Debug for Script {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Script").field("path", &self.path).finish()
    }
}

thread_local! {
    // Rhai callbacks cannot borrow the caller's state; a traced run owns this slot meanwhile.
    static TRACE: RefCell<Option<Trace>> = const { RefCell::new(None) };
    // The facts a learning run reads, in order, for the memo.
    static READS: RefCell<Option<Vec<Read>>> = const { RefCell::new(None) };
    // When the current run must stop, for the progress callback.
    static DEADLINE: std::cell::Cell<Option<std::time::Instant>> = const { std::cell::Cell::new(None) };
    // Whether the current run read `history` or `others`: its outcome then depends on more
    // than the facts, and the memo must not learn it.
    static READ_HISTORY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    // When the whole batch this thread decides must stop (a served request's time limit).
    static BATCH_DEADLINE: std::cell::Cell<Option<std::time::Instant>> = const { std::cell::Cell::new(None) };
}

/// Runs `work` with every script run on this thread stopped at `at` at the latest: a caller
/// with a time limit for a whole batch (a served request) gets its thread back soon after the
/// limit, each remaining application's scripts ending within a thousand operations. The
/// decisions made past `at` are `error` decisions; the caller discards them.
pub fn with_deadline<T>(at: std::time::Instant, work: impl FnOnce() -> T) -> T {
    // Restored on the way out, unwinding included: the thread may serve other work after.
    struct Restore(Option<std::time::Instant>);
    impl Drop for Restore {
        fn drop(&mut self) {
            BATCH_DEADLINE.with(|d| d.set(self.0));
        }
    }
    let _restore = Restore(BATCH_DEADLINE.with(|d| d.replace(Some(at))));
    work()
}

/// `history.count(clause)` / `history.sum(clause)`: the applicant's earlier payments
fn history_lookup(view: &HistoryView, clause: &str) -> (Decimal, usize) {
    READ_HISTORY.with(|r| r.set(true));
    let found = match &view.who {
        Some(who) => view.history.before(who, clause, view.period),
        None => (Decimal::ZERO, 0),
    };
    record(|t| {
        t.steps.push(format!(
            "history({clause}): {} 次，{} 元（此前年度）",
            found.1,
            found.0.normalize()
        ))
    });
    found
}

/// `others.amount(clause)` / `others.count(clause)`: the same applicant's awards under a
/// clause this one depends on, in the same period
fn others_lookup(view: &OthersView, clause: &str) -> Result<(Decimal, u32), Box<EvalAltResult>> {
    READ_HISTORY.with(|r| r.set(true));
    let Some((_, ci)) = view.readable.iter().find(|(id, _)| id == clause) else {
        let shown: String = clause.chars().take(60).collect();
        let declared: Vec<&str> = view.readable.iter().map(|(id, _)| id.as_str()).collect();
        let (names_zh, names_en) = if declared.is_empty() {
            ("没有任何条款".to_string(), "no clause".to_string())
        } else {
            (
                format!("`{}`", declared.join("`、`")),
                format!("`{}`", declared.join("`, `")),
            )
        };
        return Err(runtime_said(said!(
            "others(\"{shown}\")：本条款的 `depends_on` 没有列出 `{shown}`，只列出了{names_zh}",
            "others(\"{shown}\"): this clause's `depends_on` does not name `{shown}`; it names {names_en}"
        )));
    };
    let found = match view.key {
        Some(key) => view.decided.get(key, *ci),
        None => (Decimal::ZERO, 0),
    };
    record(|t| {
        t.steps.push(format!(
            "others({clause}): 同一申报单位同期 {} 项，{} 元",
            found.1,
            found.0.normalize()
        ))
    });
    Ok(found)
}

/// The token a run stopped by its deadline terminates with
const DEADLINE_TOKEN: &str = "deadline";

fn note_read(read: Read) {
    READS.with(|r| {
        if let Some(r) = r.borrow_mut().as_mut() {
            r.push(read);
        }
    });
}

fn record(f: impl FnOnce(&mut Trace)) {
    TRACE.with(|t| {
        if let Some(t) = t.borrow_mut().as_mut() {
            f(t);
        }
    });
}

/// The most lines of `print`/`debug` kept for `explain`: a loop printing on every turn
/// would otherwise keep the whole of its operation budget's output
pub(crate) const MAX_PRINTED_LINES: usize = 100;

/// The most bytes of `print`/`debug` kept for `explain`
pub(crate) const MAX_PRINTED_BYTES: usize = 64 << 10;

/// The line that ends a capture cut short, saying so in both languages
pub(crate) fn printed_cut() -> String {
    format!(
        "…（输出过多，只保留前 {MAX_PRINTED_LINES} 行、{MAX_PRINTED_BYTES} 字节 / more was printed: only the first {MAX_PRINTED_LINES} lines, {MAX_PRINTED_BYTES} bytes are kept）"
    )
}

/// Keeps a printed line, within the bounds; past them, one last line says the rest was cut
fn capture(t: &mut Trace, line: &str) {
    // Once cut, the capture holds more than a bound (the last line says so): nothing more.
    if t.printed.len() > MAX_PRINTED_LINES {
        return;
    }
    let used: usize = t.printed.iter().map(String::len).sum();
    if used > MAX_PRINTED_BYTES {
        return;
    }
    if t.printed.len() == MAX_PRINTED_LINES || used + line.len() > MAX_PRINTED_BYTES {
        // A line over the byte bound keeps what fits, cut at a character.
        let room = MAX_PRINTED_BYTES.saturating_sub(used);
        if t.printed.len() < MAX_PRINTED_LINES && room > 0 {
            let mut end = room.min(line.len());
            while !line.is_char_boundary(end) {
                end -= 1;
            }
            t.printed.push(line[..end].to_string());
        }
        while t.printed.len() > MAX_PRINTED_LINES {
            t.printed.pop();
        }
        t.printed.push(printed_cut());
        return;
    }
    t.printed.push(line.to_string());
}

fn to_dynamic(v: &Value) -> Dynamic {
    match v {
        Value::Bool(b) => Dynamic::from_bool(*b),
        Value::Int(i) => Dynamic::from_int(*i),
        Value::Decimal(d) => Dynamic::from_decimal(*d),
        Value::Text(t) => Dynamic::from(ImmutableString::from(t.as_str())),
        Value::Date(d) => Dynamic::from(*d),
        Value::Bands(b) => Dynamic::from(BandsView {
            name: "band table".into(),
            table: b.clone(),
        }),
    }
}

fn runtime_error(message: String) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(
        Dynamic::from(message),
        Position::NONE,
    ))
}

/// A script error the engine writes in both languages: the pair travels through Rhai as the
/// error's value and is unpacked by [`ScriptHost::runtime_error`]
fn runtime_said(message: Message) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(
        Dynamic::from(message),
        Position::NONE,
    ))
}

fn fact_get(view: &mut FactsView, name: &str) -> Result<Dynamic, Box<EvalAltResult>> {
    // The common case, a top-level field, without building its name.
    let owned;
    let full: &str = match &view.prefix {
        Some(p) => {
            owned = format!("{p}.{name}");
            &owned
        }
        None => name,
    };
    let facts = &view.facts;
    match full {
        "id" => {
            note_read(Read {
                field: usize::MAX,
                categorical: false,
            });
            return Ok(Dynamic::from(ImmutableString::from(facts.id.as_str())));
        }
        "kind" => return Ok(Dynamic::from(ImmutableString::from(facts.kind.as_str()))),
        _ => {}
    }
    if let Some(i) = facts.fields.iter().position(|f| f.name == full) {
        let value = facts.values.get(i).and_then(Option::as_ref);
        let dynamic = value.map(to_dynamic).unwrap_or(Dynamic::UNIT);
        note_read(Read {
            field: i,
            categorical: facts.fields[i].ty.is_categorical(),
        });
        record(|t| {
            if !t.facts.iter().any(|(n, _)| n == full) {
                t.facts.push((full.to_string(), value.cloned()));
            }
        });
        return Ok(dynamic);
    }
    let group = format!("{full}.");
    if facts.fields.iter().any(|f| f.name.starts_with(&group)) {
        return Ok(Dynamic::from(FactsView {
            facts: facts.clone(),
            prefix: Some(full.into()),
        }));
    }
    let near = suggest::nearest(full, facts.fields.iter().map(|f| f.name.as_str()));
    let hint_zh = near
        .map(|s| format!("；是否应为 `{s}`？"))
        .unwrap_or_default();
    let hint = near
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    let kind = &facts.kind;
    Err(runtime_said(said!(
        "`{kind}` 类申报没有字段 `app.{full}`{hint_zh}",
        "`app.{full}` is not a field of kind `{kind}`{hint}"
    )))
}

fn param_get(view: &mut ParamsView, name: &str) -> Result<Dynamic, Box<EvalAltResult>> {
    match view.params.iter().find(|p| p.name == name) {
        Some(p) => {
            record(|t| {
                if !t.params.iter().any(|n| n == name) {
                    t.params.push(name.to_string());
                }
            });
            if p.is_timeline() {
                note_read(Read {
                    field: view.period_field.unwrap_or(usize::MAX),
                    categorical: view.period_field.is_some(),
                });
            }
            match p.value_for(view.period) {
                Some(Value::Bands(b)) => Ok(Dynamic::from(BandsView {
                    name: name.into(),
                    table: b.clone(),
                })),
                Some(v) => Ok(to_dynamic(v)),
                None => {
                    let period = view
                        .period
                        .map(|y| y.to_string())
                        .unwrap_or_else(|| "none".into());
                    let timeline = p.written();
                    Err(runtime_said(said!(
                        "参数 `params.{name}` 在申报年度 {period} 没有有效取值（按年度的取值：{timeline}）",
                        "`params.{name}` has no value in force for period {period} (its timeline: {timeline})"
                    )))
                }
            }
        }
        None => {
            let near = suggest::nearest(name, view.params.iter().map(|p| p.name.as_str()));
            let hint_zh = near
                .map(|s| format!("；是否应为 `{s}`？"))
                .unwrap_or_default();
            let hint = near
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            let clause = &view.clause;
            Err(runtime_said(said!(
                "条款 `{clause}` 没有参数 `params.{name}`{hint_zh}",
                "`params.{name}` is not a parameter of clause `{clause}`{hint}"
            )))
        }
    }
}

fn award(ctx: &NativeCallContext<'_>, amount: Decimal, reason: &str) -> Outcome {
    Outcome::Award {
        amount,
        reason: reason.to_string(),
        at: to_pos(ctx.call_position()),
    }
}

fn percent(d: Decimal) -> Result<String, Box<EvalAltResult>> {
    percent_text(d).ok_or_else(overflow)
}

fn overflow() -> Box<EvalAltResult> {
    runtime_error("arithmetic overflow: a number grew past 28 digits".into())
}

/// Decimal arithmetic that records each step; `op` is the symbol shown
fn traced_op(
    op: &'static str,
    a: Decimal,
    b: Decimal,
    f: fn(Decimal, Decimal) -> Option<Decimal>,
) -> Result<Decimal, Box<EvalAltResult>> {
    let r = f(a, b).ok_or_else(overflow)?;
    record(|t| t.steps.push(format!("{a} {op} {b} = {}", r.normalize())));
    Ok(r)
}

fn traced_pick(name: &'static str, a: Decimal, b: Decimal, take_a: bool) -> Decimal {
    let r = if take_a { a } else { b };
    record(|t| t.steps.push(format!("{name}({a}, {b}) = {r}")));
    r
}

/// Builds the two engines and compiles and runs scripts
pub(crate) struct ScriptHost {
    fast: rhai::Engine,
    traced: rhai::Engine,
    limits: ScriptLimits,
    /// The name of every function a script may call by name, found when first asked
    functions: std::sync::OnceLock<std::collections::BTreeSet<String>>,
}

impl fmt::Debug for ScriptHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScriptHost")
            .field("limits", &self.limits)
            .finish()
    }
}

fn sandbox(limits: &ScriptLimits) -> rhai::Engine {
    // `new_raw` has no file module resolver, no print to stdout, nothing registered.
    let mut e = rhai::Engine::new_raw();
    e.register_global_module(StandardPackage::new().as_shared_module());
    e.disable_symbol("eval");
    e.set_strict_variables(true);
    e.set_max_operations(limits.max_operations);
    e.set_max_call_levels(limits.max_call_levels);
    e.set_max_expr_depths(limits.max_expr_depth, limits.max_expr_depth);
    e.set_max_string_size(limits.max_string_size);
    e.set_max_array_size(limits.max_array_size);
    e.set_max_map_size(limits.max_map_size);
    e.set_max_variables(limits.max_variables);
    e.on_progress(|ops| {
        // Checking the clock every 1024 operations keeps its cost out of the profile.
        if ops % 1024 != 0 {
            return None;
        }
        let late = DEADLINE.with(|d| d.get().is_some_and(|at| std::time::Instant::now() > at));
        late.then(|| Dynamic::from(DEADLINE_TOKEN))
    });
    e.on_print(|s| record(|t| capture(t, s)));
    e.on_debug(|s, _, pos| {
        let at = pos
            .line()
            .map(|l| format!("line {l}: "))
            .unwrap_or_default();
        record(|t| capture(t, &format!("{at}{s}")));
    });

    e.register_type_with_name::<FactsView>("Application");
    e.register_indexer_get(fact_get);
    e.register_type_with_name::<ParamsView>("Parameters");
    e.register_indexer_get(param_get);
    e.register_type_with_name::<HistoryView>("History");
    e.register_fn("count", |h: &mut HistoryView, clause: &str| {
        INT::try_from(history_lookup(h, clause).1).unwrap_or(INT::MAX)
    });
    e.register_fn("sum", |h: &mut HistoryView, clause: &str| {
        history_lookup(h, clause).0
    });
    e.register_type_with_name::<OthersView>("Decisions");
    e.register_fn("amount", |o: &mut OthersView, clause: &str| {
        others_lookup(o, clause).map(|f| f.0)
    });
    e.register_fn("count", |o: &mut OthersView, clause: &str| {
        others_lookup(o, clause).map(|f| INT::from(f.1))
    });
    e.register_type_with_name::<Outcome>("Outcome");
    e.register_fn(
        "award",
        |ctx: NativeCallContext<'_>, a: Decimal, r: &str| award(&ctx, a, r),
    );
    e.register_fn("award", |ctx: NativeCallContext<'_>, a: INT, r: &str| {
        award(&ctx, Decimal::from(a), r)
    });
    e.register_fn("ineligible", |ctx: NativeCallContext<'_>, r: &str| {
        Outcome::Ineligible {
            reason: r.to_string(),
            at: to_pos(ctx.call_position()),
        }
    });
    e.register_fn("yuan", yuan);
    e.register_fn("yuan", |i: INT| yuan(Decimal::from(i)));
    e.register_fn("percent", percent);
    register_dates(&mut e);
    register_bands(&mut e);
    e
}

fn mixed(op: &str, what: &str, shown: &str) -> Result<bool, Box<EvalAltResult>> {
    let shown: String = shown.chars().take(40).collect();
    let what_zh = if what == "a text" { "文本" } else { "数" };
    Err(runtime_said(said!(
        "`{op}` 把日期与{what_zh}（`{shown}`）比较：日期只能与日期比较，如 `date(\"2024-01-01\")`",
        "`{op}` compares a date with {what} (`{shown}`): compare dates with dates, e.g. `date(\"2024-01-01\")`"
    )))
}

/// Dates (`app.x` of a date field, `params.x` of unit date, `date("2024-01-01")`): compared
/// with each other, counted in days, moved by days or years
fn register_dates(e: &mut rhai::Engine) {
    e.register_type_with_name::<Date>("Date");
    e.register_fn("date", |text: &str| {
        Date::parse(text).ok_or_else(|| {
            let shown: String = text.chars().take(40).collect();
            runtime_said(said!(
                "date(\"{shown}\")：应为按 yyyy-mm-dd 书写、日历上有的日期（如 2024-03-25）",
                "date(\"{shown}\"): expected a date written yyyy-mm-dd (e.g. 2024-03-25), a day of the calendar"
            ))
        })
    });
    e.register_fn("<", |a: Date, b: Date| a < b);
    e.register_fn("<=", |a: Date, b: Date| a <= b);
    e.register_fn(">", |a: Date, b: Date| a > b);
    e.register_fn(">=", |a: Date, b: Date| a >= b);
    e.register_fn("==", |a: Date, b: Date| a == b);
    e.register_fn("!=", |a: Date, b: Date| a != b);
    // Rhai answers `false` where types differ; a date against a number or a text is a
    // mistake (a yyyymmdd integer, a date left as text), so it is an error that says so.
    macro_rules! refuse {
        ($($op:literal)*) => {$(
            e.register_fn($op, |_: Date, b: INT| mixed($op, "a number", &b.to_string()));
            e.register_fn($op, |a: INT, _: Date| mixed($op, "a number", &a.to_string()));
            e.register_fn($op, |_: Date, b: Decimal| mixed($op, "a number", &b.to_string()));
            e.register_fn($op, |a: Decimal, _: Date| mixed($op, "a number", &a.to_string()));
            e.register_fn($op, |_: Date, b: ImmutableString| mixed($op, "a text", &b));
            e.register_fn($op, |a: ImmutableString, _: Date| mixed($op, "a text", &a));
        )*};
    }
    refuse!("<" "<=" ">" ">=" "==" "!=");
    e.register_fn("days_between", |a: Date, b: Date| a.days_until(b));
    e.register_fn("add_days", |d: Date, n: INT| {
        d.add_days(n)
            .ok_or_else(|| runtime_error(format!("add_days({d}, {n}) is outside years 1 to 9999")))
    });
    e.register_fn("add_years", |d: Date, n: INT| {
        d.add_years(n)
            .ok_or_else(|| runtime_error(format!("add_years({d}, {n}) is outside years 1 to 9999")))
    });
    e.register_get("year", |d: &mut Date| INT::from(d.ymd().0));
    e.register_get("month", |d: &mut Date| INT::from(d.ymd().1));
    e.register_get("day", |d: &mut Date| INT::from(d.ymd().2));
    e.register_fn("to_string", |d: &mut Date| d.to_string());
    e.register_fn("to_debug", |d: &mut Date| d.to_string());
}

/// `band(params.x, fact)`: a fact looked up in a band table parameter (`unit: bands`), a
/// decimal; a traced run records the band picked
fn register_bands(e: &mut rhai::Engine) {
    e.register_type_with_name::<BandsView>("BandTable");
    fn band(t: &BandsView, x: Decimal) -> Result<Decimal, Box<EvalAltResult>> {
        let value = t.table.lookup(x).ok_or_else(overflow)?;
        record(|tr| {
            if let Some(why) = t.table.explain(x) {
                tr.steps.push(format!("band({}, {x}) = {why}", t.name));
            }
        });
        Ok(value)
    }
    e.register_fn("band", |t: BandsView, x: Decimal| band(&t, x));
    e.register_fn("band", |t: BandsView, x: INT| band(&t, Decimal::from(x)));
    // Anything else is a mistake that Rhai would report as a missing function: say what
    // `band` takes instead.
    e.register_fn(
        "band",
        |t: BandsView, x: Dynamic| -> Result<Decimal, Box<EvalAltResult>> {
            let shown: String = x.to_string().chars().take(40).collect();
            Err(runtime_error(format!(
                "band(params.{}, …) looks up a number, but was given {} `{shown}`",
                t.name,
                if x.is_unit() {
                    "nothing (an absent field?)"
                } else {
                    x.type_name()
                }
            )))
        },
    );
    e.register_fn(
        "band",
        |t: Dynamic, _: Dynamic| -> Result<Decimal, Box<EvalAltResult>> {
            Err(runtime_error(format!(
                "band(table, x) takes a band table parameter (`unit: bands`) first, e.g. `band(params.rate, app.amount)`, but was given {}",
                t.type_name()
            )))
        },
    );
    e.register_fn("to_string", |t: &mut BandsView| t.table.to_string());
    e.register_fn("to_debug", |t: &mut BandsView| t.table.to_string());
}

fn register_traced_arithmetic(e: &mut rhai::Engine) {
    // Fast operators skip registered overloads; off here so the ones below are used.
    e.set_fast_operators(false);
    macro_rules! op {
        ($sym:literal, $shown:literal, $f:expr) => {
            e.register_fn($sym, |a: Decimal, b: Decimal| traced_op($shown, a, b, $f));
            e.register_fn($sym, |a: Decimal, b: INT| {
                traced_op($shown, a, Decimal::from(b), $f)
            });
            e.register_fn($sym, |a: INT, b: Decimal| {
                traced_op($shown, Decimal::from(a), b, $f)
            });
        };
    }
    op!("+", "+", Decimal::checked_add);
    op!("-", "−", Decimal::checked_sub);
    op!("*", "×", Decimal::checked_mul);
    op!("/", "÷", Decimal::checked_div);
    e.register_fn("min", |a: Decimal, b: Decimal| {
        traced_pick("min", a, b, a <= b)
    });
    e.register_fn("max", |a: Decimal, b: Decimal| {
        traced_pick("max", a, b, a >= b)
    });
}

fn register_min_max(e: &mut rhai::Engine) {
    e.register_fn("min", |a: Decimal, b: Decimal| a.min(b));
    e.register_fn("max", |a: Decimal, b: Decimal| a.max(b));
}

fn register_mixed_min_max(e: &mut rhai::Engine) {
    // min(amount, 500000): a decimal and an integer literal mix in one call.
    e.register_fn("min", |a: Decimal, b: INT| a.min(Decimal::from(b)));
    e.register_fn("min", |a: INT, b: Decimal| Decimal::from(a).min(b));
    e.register_fn("max", |a: Decimal, b: INT| a.max(Decimal::from(b)));
    e.register_fn("max", |a: INT, b: Decimal| Decimal::from(a).max(b));
}

impl ScriptHost {
    pub(crate) fn new(limits: ScriptLimits) -> ScriptHost {
        let mut fast = sandbox(&limits);
        register_min_max(&mut fast);
        register_mixed_min_max(&mut fast);
        let mut traced = sandbox(&limits);
        register_traced_arithmetic(&mut traced);
        register_mixed_min_max(&mut traced);
        ScriptHost {
            fast,
            traced,
            limits,
            functions: std::sync::OnceLock::new(),
        }
    }

    /// The name of every function a script may call by name (`award(…)`, `min(…)`): those
    /// registered here, Rhai's standard ones, and the calls Rhai's syntax treats as keywords
    /// (`print`, `type_of`, `Fn`…). Both engines register the same names.
    pub(crate) fn function_names(&self) -> &std::collections::BTreeSet<String> {
        self.functions.get_or_init(|| {
            let mut names: std::collections::BTreeSet<String> = self
                .fast
                .collect_fn_metadata(None, |f| Some(f.metadata.name.to_string()), true)
                .into_iter()
                .collect();
            names.extend(
                [
                    "print",
                    "debug",
                    "type_of",
                    "Fn",
                    "call",
                    "curry",
                    "is_shared",
                    "is_def_var",
                    "is_def_fn",
                ]
                .map(String::from),
            );
            names
        })
    }

    fn compile_scope() -> Scope<'static> {
        let mut scope = Scope::new();
        scope.push_constant("app", ());
        scope.push_constant("params", ());
        scope.push_constant("history", ());
        scope.push_constant("others", ());
        scope
    }

    /// The limits runs are held to
    #[cfg(any(test, feature = "fuzzing"))]
    pub(crate) fn limits(&self) -> &ScriptLimits {
        &self.limits
    }

    pub(crate) fn compile(&self, path: &Path, source: String) -> Result<Script, LoadError> {
        match self
            .fast
            .compile_with_scope(&Self::compile_scope(), &source)
        {
            Ok(ast) => Ok(Script {
                path: path.to_path_buf(),
                plan: crate::script::lowered::Plan::lower(&ast).map(Arc::new),
                ast,
            }),
            Err(e) => {
                let pos = to_pos(e.position());
                Err(LoadError::both(
                    path,
                    pos,
                    format!("脚本语法错误：{}", parse_message_zh(&e)),
                    format!("script syntax: {}", parse_message(&e)),
                ))
            }
        }
    }

    /// The syntax tree `compile` would build, for a script not compiled for running; `None`
    /// when it does not compile
    pub(crate) fn parse(&self, source: &str) -> Option<AST> {
        self.fast
            .compile_with_scope(&Self::compile_scope(), source)
            .ok()
    }

    /// Runs a script for one application. With `trace`, also returns what it read and computed.
    pub(crate) fn run(
        &self,
        script: &Script,
        facts: FactsView,
        params: ParamsView,
        trace: bool,
    ) -> (Result<Outcome, ScriptError>, Option<Trace>) {
        self.run_noting(script, facts, params, trace, false).0
    }

    /// Runs a script, and with `learn` also returns the facts it read, in order (for the memo)
    pub(crate) fn run_noting(
        &self,
        script: &Script,
        facts: FactsView,
        params: ParamsView,
        trace: bool,
        learn: bool,
    ) -> (Ran, Option<Vec<Read>>) {
        if !trace && !learn {
            if let Some(outcome) = script
                .plan
                .as_ref()
                .filter(|plan| plan.fits(&self.limits))
                .and_then(|plan| plan.run(&facts.facts, &params, self.limits.max_string_size))
            {
                return ((Ok(outcome), None), None);
            }
        }
        let engine = if trace { &self.traced } else { &self.fast };
        if trace {
            TRACE.with(|t| *t.borrow_mut() = Some(Trace::default()));
        }
        READS.with(|r| *r.borrow_mut() = learn.then(Vec::new));
        let mut scope = Scope::new();
        READ_HISTORY.with(|r| r.set(false));
        scope.push_constant("history", params.history.clone());
        scope.push_constant("others", params.others.clone());
        scope.push_constant("app", facts);
        scope.push_constant("params", params);
        let own =
            std::time::Instant::now() + std::time::Duration::from_millis(self.limits.max_millis);
        let deadline = BATCH_DEADLINE.with(|d| d.get().map_or(own, |batch| batch.min(own)));
        DEADLINE.with(|d| d.set(Some(deadline)));
        // Past the batch's time, the rest of the batch is not run at all: the caller discards it.
        let result =
            if BATCH_DEADLINE.with(|d| d.get().is_some_and(|at| std::time::Instant::now() > at)) {
                Err(Box::new(EvalAltResult::ErrorTerminated(
                    Dynamic::from(DEADLINE_TOKEN),
                    Position::NONE,
                )))
            } else {
                engine.eval_ast_with_scope::<Dynamic>(&mut scope, &script.ast)
            };
        DEADLINE.with(|d| d.set(None));
        let reads = READS.with(|r| r.borrow_mut().take());
        // A run that read the history is not the facts' alone: nothing for the memo.
        let reads = reads.filter(|_| !READ_HISTORY.with(|r| r.get()));
        let recorded = if trace {
            TRACE.with(|t| t.borrow_mut().take())
        } else {
            None
        };
        let outcome = match result {
            Ok(value) => match value.try_cast::<Outcome>() {
                Some(o) => Ok(o),
                None => Err(ScriptError {
                    message: "the script must end with `award(amount, reason)` or `ineligible(reason)`, but it ended with another value".into(),
                    message_zh: Some("脚本最后必须是 `award(金额, 理由)` 或 `ineligible(理由)`，但它以别的值结束".into()),
                    pos: None,
                }),
            },
            Err(e) => Err(self.runtime_error(*e)),
        };
        ((outcome, recorded), reads)
    }

    fn runtime_error(&self, mut e: EvalAltResult) -> ScriptError {
        // A failure inside a script function is wrapped; report the innermost place and cause.
        let mut outer_pos = e.take_position();
        while let EvalAltResult::ErrorInFunctionCall(_, _, inner, _) = e {
            e = *inner;
            let p = e.take_position();
            if !p.is_none() {
                outer_pos = p;
            }
        }
        let message = match &e {
            EvalAltResult::ErrorTooManyOperations(_) => format!(
                "stopped after {} operations: the script does not finish (an endless loop?)",
                self.limits.max_operations
            ),
            EvalAltResult::ErrorTerminated(..) => format!(
                "stopped after {} ms: the script takes too long",
                self.limits.max_millis
            ),
            EvalAltResult::ErrorStackOverflow(_) => format!(
                "calls nested deeper than {} levels (endless recursion?)",
                self.limits.max_call_levels
            ),
            EvalAltResult::ErrorDataTooLarge(what, _) => format!(
                "{what} grew past the sandbox limit (strings {} bytes, arrays {}, maps {})",
                self.limits.max_string_size, self.limits.max_array_size, self.limits.max_map_size
            ),
            EvalAltResult::ErrorRuntime(v, _) => {
                let text = v.to_string();
                if text.is_empty() {
                    "the script threw an error".into()
                } else {
                    text
                }
            }
            other => other.to_string(),
        };
        let message_zh = match &e {
            EvalAltResult::ErrorTooManyOperations(_) => Some(format!(
                "执行 {} 步后被停止：脚本没有结束（是否有死循环？）",
                self.limits.max_operations
            )),
            EvalAltResult::ErrorTerminated(..) => Some(format!(
                "运行 {} 毫秒后被停止：脚本用时太长",
                self.limits.max_millis
            )),
            EvalAltResult::ErrorStackOverflow(_) => Some(format!(
                "函数调用嵌套超过 {} 层（是否有无限递归？）",
                self.limits.max_call_levels
            )),
            EvalAltResult::ErrorRuntime(v, _) => v.read_lock::<Message>().map(|m| m.zh.clone()),
            _ => None,
        };
        let message = match &e {
            EvalAltResult::ErrorRuntime(v, _) => match v.read_lock::<Message>() {
                Some(m) => m.en.clone(),
                None => message,
            },
            _ => message,
        };
        ScriptError {
            message,
            message_zh,
            pos: to_pos(outer_pos),
        }
    }
}

fn parse_message(e: &rhai::ParseError) -> String {
    let text = e.0.to_string();
    if text.contains("'eval'") || text.contains("eval") && text.contains("disabled") {
        return "`eval` is not allowed in clause scripts".into();
    }
    text
}

/// The syntax errors a drafter meets, in Chinese; Rhai's own words for the rare rest
fn parse_message_zh(e: &rhai::ParseError) -> String {
    use rhai::{LexError as L, ParseErrorType as P};
    match e.0.as_ref() {
        P::UnexpectedEOF => "脚本在语句写完之前就结束了（是否少了 `)`、`}` 或 `;`？）".into(),
        // Rhai's reason after the token is English; the token and the caret say enough.
        P::MissingToken(token, _) => format!("此处缺少 `{token}`"),
        P::MissingSymbol(s) => format!("缺少符号 {s}"),
        P::ExprExpected(_) => "此处应有一个值或表达式".into(),
        P::VariableUndefined(v) => {
            format!("变量 `{v}` 没有定义：申报的字段写作 `app.字段`，参数写作 `params.名称`")
        }
        P::UnknownOperator(op) => format!("不认识的运算符 `{op}`"),
        P::VariableExists(v) | P::DuplicatedVariable(v) => format!("变量 `{v}` 重复定义"),
        P::AssignmentToConstant(v) => format!("`{v}` 是常量，不能再赋值"),
        P::Reserved(w) => format!("`{w}` 是保留字，不能用作名称"),
        P::BadInput(L::UnterminatedString) => "文本没有结束：缺少配对的引号".into(),
        P::BadInput(L::UnexpectedInput(c)) => {
            format!("脚本中不能出现 `{c}`（全角标点请改为半角）")
        }
        P::BadInput(L::MalformedNumber(n)) => format!("`{n}` 不是正确的数"),
        _ => parse_message(e),
    }
}

fn to_pos(p: Position) -> Option<Pos> {
    Some(Pos {
        line: p.line()?,
        col: p.position().unwrap_or(1),
    })
}

/// Runs `script` both ways for the facts: wherever the lowered tree answers, Rhai must give
/// the same outcome (amount, reason and place). Returns whether the tree answered.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn agrees(
    host: &crate::script::host::ScriptHost,
    script: &crate::script::host::Script,
    facts: &std::sync::Arc<crate::model::facts::Facts>,
    params: &ParamsView,
) -> Result<bool, String> {
    let lowered = script
        .plan()
        .filter(|p| p.fits(host.limits()))
        .and_then(|p| p.run(facts, params, host.limits().max_string_size));
    let Some(lowered) = lowered else {
        return Ok(false);
    };
    // Learning runs always take Rhai.
    let ((rhai, _), _) = host.run_noting(
        script,
        crate::script::views::FactsView::new(facts.clone()),
        params.clone(),
        false,
        true,
    );
    if rhai.as_ref() == Ok(&lowered) {
        Ok(true)
    } else {
        Err(format!("lowered {lowered:?}, Rhai {rhai:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::facts::Facts;

    fn host() -> ScriptHost {
        ScriptHost::new(ScriptLimits::default())
    }

    fn facts() -> FactsView {
        FactsView::new(Arc::new(Facts {
            id: "A".into(),
            kind: "k".into(),
            fields: Arc::new(Vec::new()),
            values: Vec::new(),
        }))
    }

    fn params() -> ParamsView {
        ParamsView {
            clause: "c".into(),
            params: Arc::new(Vec::new()),
            period: None,
            period_field: None,
            history: Default::default(),
            others: Default::default(),
        }
    }

    fn run(src: &str, trace: bool) -> (Result<Outcome, ScriptError>, Option<Trace>) {
        let h = host();
        let s = h.compile(Path::new("t.rhai"), src.to_string()).unwrap();
        h.run(&s, facts(), params(), trace)
    }

    #[test]
    fn literals_with_a_point_are_decimals() {
        let (o, _) = run("award(1234567.85 * 0.10, \"x\")", false);
        assert_eq!(
            o.unwrap(),
            Outcome::Award {
                amount: crate::model::money::literal("123456.785").unwrap(),
                reason: "x".into(),
                at: Some(Pos { line: 1, col: 1 }),
            }
        );
    }

    #[test]
    fn endless_loop_stops_with_an_error() {
        let (o, _) = run("loop { }", false);
        let e = o.unwrap_err();
        assert!(e.message.contains("does not finish"), "{e:?}");
        assert_eq!(e.pos.map(|p| p.line), Some(1));
    }

    #[test]
    fn eval_and_import_do_not_compile() {
        let h = host();
        assert!(h
            .compile(Path::new("t.rhai"), "eval(\"1\")".into())
            .is_err());
        assert!(h
            .compile(Path::new("t.rhai"), "import \"x\" as y;".into())
            .is_err());
    }

    #[test]
    fn undeclared_variables_do_not_compile() {
        let e = host()
            .compile(Path::new("t.rhai"), "let a = 1;\naward(b, \"x\")".into())
            .unwrap_err();
        assert_eq!(e.pos.map(|p| p.line), Some(2));
    }

    #[test]
    fn traced_run_records_arithmetic() {
        let (o, t) = run(
            "let a = min(2000.50, 1000.25);\naward(a * 0.10, \"x\")",
            true,
        );
        assert!(o.is_ok());
        let t = t.unwrap();
        assert_eq!(
            t.steps,
            vec![
                "min(2000.50, 1000.25) = 1000.25",
                "1000.25 × 0.10 = 100.025"
            ]
        );
    }

    #[test]
    fn wrong_return_is_an_error() {
        let (o, _) = run("42", false);
        assert!(o.unwrap_err().message.contains("must end with"));
    }

    #[test]
    fn print_is_bounded_and_says_when_it_was_cut() {
        // Many short lines: the first hundred kept, then one line that says so.
        let (_, t) = run(
            "for i in 0..5000 { print(`line ${i}`); } ineligible(\"no\")",
            true,
        );
        let Some(t) = t else { panic!("traced") };
        assert_eq!(
            t.printed.len(),
            MAX_PRINTED_LINES + 1,
            "{:?}",
            t.printed.last()
        );
        assert_eq!(t.printed[99], "line 99");
        assert_eq!(t.printed[100], printed_cut());
        assert!(t.printed[100].contains("only the first 100 lines"));
        // Long lines: cut at the byte bound, whatever the line count.
        let (_, t) = run(
            "let s = \"长\"; for i in 0..10 { s += s; } for i in 0..90 { print(s); } ineligible(\"no\")",
            true,
        );
        let Some(t) = t else { panic!("traced") };
        let kept: usize = t.printed.iter().rev().skip(1).map(String::len).sum();
        assert!(kept <= MAX_PRINTED_BYTES, "{kept}");
        assert!(kept > MAX_PRINTED_BYTES - 8, "{kept}");
        assert_eq!(t.printed.last(), Some(&printed_cut()));
        // A few lines are kept as they were.
        let (_, t) = run("print(\"a\"); debug(1); ineligible(\"no\")", true);
        assert_eq!(t.map(|t| t.printed.len()), Some(2));
    }

    #[test]
    fn print_is_captured_not_written() {
        let (_, t) = run("print(\"hello\"); ineligible(\"no\")", true);
        assert_eq!(t.unwrap().printed, vec!["hello"]);
    }
}
