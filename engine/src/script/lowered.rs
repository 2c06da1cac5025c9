//! Clause scripts lowered, once, from Rhai's syntax tree to a small tree the engine walks
//! itself: the plain subset a clause is written in (`let`, `if`/`else`, `return`, arithmetic
//! and comparisons, `&&`/`||`, string interpolation, `app.x` and `params.x` reads, `min`,
//! `max`, `yuan`, `percent`, `award`, `ineligible`).
//!
//! Rhai stays the meaning of a script: the lowered tree only ever answers where Rhai would
//! answer the same, and gives up otherwise. Anything outside the subset (a loop, `switch`,
//! `throw`, a script function, a method call, a type pairing not listed below, an overflow, a
//! string past the sandbox limit) makes the run give up, and the engine runs the script in
//! Rhai, which decides or words the error. Giving up is always safe: a script has no side
//! effects. Tracing (`explain`) and the memo's learning always use Rhai.
//!
//! Why: interpreting a clause in Rhai costs a few microseconds, most of it resolving functions
//! and properties by name on every call; the lowered tree resolves them once.

use std::sync::atomic::{AtomicUsize, Ordering};

use rhai::{Dynamic, Expr, FnCallExpr, Position, Stmt, AST};
use rust_decimal::Decimal;

use crate::model::facts::Facts;
use crate::model::outcome::Outcome;
use crate::model::pack::Parameter;
use crate::model::pos::Pos;
use crate::model::value::Value;
use crate::script::views::ParamsView;

/// A lowered script
#[derive(Debug)]
pub(crate) struct Plan {
    body: Vec<S>,
    /// A bound on the operations Rhai would count for any run of the script
    operations: u64,
    /// Every `let` of the script, wherever it is
    lets: usize,
}

/// A statement
#[derive(Debug)]
enum S {
    /// `let name = e;`: a new local
    Let(E),
    If(E, Vec<S>, Vec<S>),
    Return(E),
    Expr(E),
    Block(Vec<S>),
    /// Outside the subset: give up when reached
    GiveUp,
}

/// An expression
#[derive(Debug)]
enum E {
    Const(V),
    Local(usize),
    Fact(FactRef),
    Param(ParamRef),
    Interpolated(Vec<E>),
    Op(Op, Box<E>, Box<E>),
    Not(Box<E>),
    Neg(Box<E>),
    And(Vec<E>),
    Or(Vec<E>),
    /// A block used as a value (`let x = if c { a } else { b };`)
    Block(Vec<S>),
    Call(Fun, Vec<E>, Option<Pos>),
    GiveUp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fun {
    Award,
    Ineligible,
    Yuan,
    Percent,
    Min,
    Max,
}

/// A fact read: its dotted name, and where it was found last time (fields do not move
/// between applications of one kind, so the guess is nearly always right)
#[derive(Debug)]
struct FactRef {
    name: String,
    at: AtomicUsize,
}

#[derive(Debug)]
struct ParamRef {
    name: String,
    at: AtomicUsize,
}

/// A value while a lowered script runs
#[derive(Debug, Clone)]
enum V {
    Unit,
    Bool(bool),
    Int(i64),
    Dec(Decimal),
    Str(String),
    Outcome(Box<Outcome>),
}

/// Why a run stopped early: a `return`, or giving up
enum Stop {
    Return(V),
    GiveUp,
}

/// Builds the tree; `locals` mirrors the runtime stack of `let` variables
struct Lowering {
    locals: Vec<String>,
    nodes: usize,
    lets: usize,
}

impl Plan {
    /// Lowers a compiled script; `None` when it is not worth it or cannot be bounded (script
    /// functions, which could redefine the ones lowered here; a script too large to be sure
    /// it stays within the sandbox's operation and variable limits)
    pub(crate) fn lower(ast: &AST) -> Option<Plan> {
        if ast.has_functions() {
            return None;
        }
        let mut l = Lowering {
            locals: Vec::new(),
            nodes: 0,
            lets: 0,
        };
        let body = l.block(ast.statements());
        Some(Plan {
            body,
            // Loop-free code: Rhai counts an operation or two for each node it evaluates (each
            // level of `app.a.b` is a node); eight is a wide margin.
            operations: (l.nodes as u64).saturating_mul(8),
            lets: l.lets,
        })
    }

    /// Whether every run of the plan stays within `limits`, so that Rhai could not stop
    /// where the plan answers: operations, and variables (`app` and `params` are two)
    pub(crate) fn fits(&self, limits: &crate::script::limits::ScriptLimits) -> bool {
        self.operations < limits.max_operations && self.lets + 2 < limits.max_variables
    }

    /// Runs the plan; `None` means "run it in Rhai"
    pub(crate) fn run(
        &self,
        facts: &Facts,
        params: &ParamsView,
        max_string: usize,
    ) -> Option<Outcome> {
        let mut run = Run {
            facts,
            params,
            max_string,
            stack: Vec::with_capacity(8),
        };
        let value = match run.block(&self.body) {
            Ok(v) | Err(Stop::Return(v)) => v,
            Err(Stop::GiveUp) => return None,
        };
        match value {
            V::Outcome(o) => Some(*o),
            _ => None,
        }
    }
}

fn to_pos(p: Position) -> Option<Pos> {
    Some(Pos {
        line: p.line()?,
        col: p.position().unwrap_or(1),
    })
}

impl Lowering {
    /// A block: its `let`s end with it
    fn block(&mut self, stmts: &[Stmt]) -> Vec<S> {
        let depth = self.locals.len();
        let out = stmts.iter().map(|s| self.stmt(s)).collect();
        self.locals.truncate(depth);
        out
    }

    fn stmt(&mut self, s: &Stmt) -> S {
        self.nodes += 1;
        match s {
            Stmt::Noop(_) => S::Block(Vec::new()),
            Stmt::Var(x, _, _) => {
                let (ident, value, _) = &**x;
                let e = self.expr(value);
                self.locals.push(ident.name.to_string());
                self.lets += 1;
                S::Let(e)
            }
            Stmt::If(fc, _) => S::If(
                self.expr(&fc.expr),
                self.block(fc.body.statements()),
                self.block(fc.branch.statements()),
            ),
            // `throw` is a `Return` flagged BREAK: Rhai words it.
            Stmt::Return(Some(e), flags, _) if !flags.contains(rhai::ASTFlags::BREAK) => {
                S::Return(self.expr(e))
            }
            Stmt::Expr(e) => S::Expr(self.expr(e)),
            Stmt::FnCall(call, pos) => S::Expr(self.call(call, *pos)),
            Stmt::Block(b) => S::Block(self.block(b.statements())),
            _ => S::GiveUp,
        }
    }

    fn expr(&mut self, e: &Expr) -> E {
        self.nodes += 1;
        match e {
            Expr::Unit(_) => E::Const(V::Unit),
            Expr::BoolConstant(b, _) => E::Const(V::Bool(*b)),
            Expr::IntegerConstant(i, _) => E::Const(V::Int(*i)),
            Expr::StringConstant(s, _) => E::Const(V::Str(s.to_string())),
            Expr::DynamicConstant(d, _) => constant(d).map_or(E::GiveUp, E::Const),
            Expr::Variable(x, _, _) => {
                let name = x.1.as_str();
                match self.locals.iter().rposition(|n| n == name) {
                    Some(slot) => E::Local(slot),
                    None => E::GiveUp,
                }
            }
            Expr::InterpolatedString(parts, _) => {
                E::Interpolated(parts.iter().map(|p| self.expr(p)).collect())
            }
            Expr::And(xs, _) => E::And(xs.iter().map(|x| self.expr(x)).collect()),
            Expr::Or(xs, _) => E::Or(xs.iter().map(|x| self.expr(x)).collect()),
            Expr::Stmt(block) => E::Block(self.block(block.statements())),
            Expr::FnCall(call, pos) => self.call(call, *pos),
            Expr::Dot(bin, flags, _) if !flags.contains(rhai::ASTFlags::NEGATED) => {
                let Expr::Variable(root, _, _) = &bin.lhs else {
                    return E::GiveUp;
                };
                let root = root.1.as_str();
                // A local named `app` or `params` hides the one the engine gives.
                if self.locals.iter().any(|n| n == root) {
                    return E::GiveUp;
                }
                let Some(path) = property_path(&bin.rhs) else {
                    return E::GiveUp;
                };
                self.nodes += 2 * path.len();
                match root {
                    "app" => E::Fact(FactRef {
                        name: path.join("."),
                        at: AtomicUsize::new(0),
                    }),
                    "params" if path.len() == 1 => E::Param(ParamRef {
                        name: path.concat(),
                        at: AtomicUsize::new(0),
                    }),
                    _ => E::GiveUp,
                }
            }
            _ => E::GiveUp,
        }
    }

    fn call(&mut self, call: &FnCallExpr, pos: Position) -> E {
        if call.capture_parent_scope {
            return E::GiveUp;
        }
        let name = call.name.as_str();
        let mut args: Vec<E> = call.args.iter().map(|a| self.expr(a)).collect();
        if call.op_token.is_some() {
            let op = match name {
                "+" => Op::Add,
                "-" => Op::Sub,
                "*" => Op::Mul,
                "/" => Op::Div,
                "==" => Op::Eq,
                "!=" => Op::Ne,
                "<" => Op::Lt,
                "<=" => Op::Le,
                ">" => Op::Gt,
                ">=" => Op::Ge,
                "!" if args.len() == 1 => return E::Not(Box::new(args.remove(0))),
                _ => return E::GiveUp,
            };
            return match (args.len(), op) {
                (1, Op::Sub) => E::Neg(Box::new(args.remove(0))),
                (2, _) => {
                    let b = args.remove(1);
                    let a = args.remove(0);
                    E::Op(op, Box::new(a), Box::new(b))
                }
                _ => E::GiveUp,
            };
        }
        let fun = match (name, args.len()) {
            ("award", 2) => Fun::Award,
            ("ineligible", 1) => Fun::Ineligible,
            ("yuan", 1) => Fun::Yuan,
            ("percent", 1) => Fun::Percent,
            ("min", 2) => Fun::Min,
            ("max", 2) => Fun::Max,
            _ => return E::GiveUp,
        };
        E::Call(fun, args, to_pos(pos))
    }
}

/// `applicant.in_city` from the right side of `app.applicant.in_city`
fn property_path(e: &Expr) -> Option<Vec<String>> {
    match e {
        Expr::Property(p, _) => Some(vec![p.2.to_string()]),
        Expr::Dot(bin, flags, _) if !flags.contains(rhai::ASTFlags::NEGATED) => {
            let Expr::Property(p, _) = &bin.lhs else {
                return None;
            };
            let mut path = vec![p.2.to_string()];
            path.extend(property_path(&bin.rhs)?);
            Some(path)
        }
        _ => None,
    }
}

fn constant(d: &Dynamic) -> Option<V> {
    if d.is_unit() {
        Some(V::Unit)
    } else if let Ok(b) = d.as_bool() {
        Some(V::Bool(b))
    } else if let Ok(i) = d.as_int() {
        Some(V::Int(i))
    } else if let Ok(x) = d.as_decimal() {
        Some(V::Dec(x))
    } else if d.is_string() {
        d.clone()
            .into_immutable_string()
            .ok()
            .map(|s| V::Str(s.to_string()))
    } else {
        None
    }
}

/// A fact or parameter as the tree holds it; `None` for a date or a band table, which the
/// tree does not cover (Rhai decides)
fn from_value(v: Option<&Value>) -> Option<V> {
    Some(match v {
        None => V::Unit,
        Some(Value::Bool(b)) => V::Bool(*b),
        Some(Value::Int(i)) => V::Int(*i),
        Some(Value::Decimal(d)) => V::Dec(*d),
        Some(Value::Text(t)) => V::Str(t.clone()),
        Some(Value::Date(_) | Value::Bands(_)) => return None,
    })
}

/// One run of a plan
struct Run<'a> {
    facts: &'a Facts,
    params: &'a ParamsView,
    max_string: usize,
    stack: Vec<V>,
}

type Step = Result<V, Stop>;

impl Run<'_> {
    fn block(&mut self, stmts: &[S]) -> Step {
        let depth = self.stack.len();
        let mut last = V::Unit;
        for s in stmts {
            match self.stmt(s) {
                Ok(v) => last = v,
                Err(stop) => {
                    self.stack.truncate(depth);
                    return Err(stop);
                }
            }
        }
        self.stack.truncate(depth);
        Ok(last)
    }

    fn stmt(&mut self, s: &S) -> Step {
        match s {
            S::Let(e) => {
                let v = self.expr(e)?;
                self.stack.push(v);
                Ok(V::Unit)
            }
            S::If(c, then, otherwise) => match self.expr(c)? {
                V::Bool(true) => self.block(then),
                V::Bool(false) => self.block(otherwise),
                _ => Err(Stop::GiveUp),
            },
            S::Return(e) => Err(Stop::Return(self.expr(e)?)),
            S::Expr(e) => self.expr(e),
            S::Block(b) => self.block(b),
            S::GiveUp => Err(Stop::GiveUp),
        }
    }

    fn string(&self, s: String) -> Step {
        if s.len() > self.max_string {
            Err(Stop::GiveUp)
        } else {
            Ok(V::Str(s))
        }
    }

    fn expr(&mut self, e: &E) -> Step {
        match e {
            E::Const(v) => Ok(v.clone()),
            E::Local(slot) => self.stack.get(*slot).cloned().ok_or(Stop::GiveUp),
            E::Fact(f) => self.fact(f),
            E::Param(p) => self.param(p),
            E::Interpolated(parts) => {
                // A reason is a sentence of a hundred bytes or so: one allocation for it, and
                // its literal pieces copied in without being cloned first.
                let mut out = String::with_capacity(128);
                for p in parts {
                    if let E::Const(V::Str(text)) = p {
                        out.push_str(text);
                        if out.len() > self.max_string {
                            return Err(Stop::GiveUp);
                        }
                        continue;
                    }
                    match self.expr(p)? {
                        V::Str(s) => out.push_str(&s),
                        V::Int(i) => out.push_str(&i.to_string()),
                        V::Dec(d) => out.push_str(&d.to_string()),
                        V::Bool(b) => out.push_str(if b { "true" } else { "false" }),
                        _ => return Err(Stop::GiveUp),
                    }
                    if out.len() > self.max_string {
                        return Err(Stop::GiveUp);
                    }
                }
                Ok(V::Str(out))
            }
            E::Op(op, a, b) => {
                let a = self.expr(a)?;
                let b = self.expr(b)?;
                self.op(*op, a, b)
            }
            E::Not(a) => match self.expr(a)? {
                V::Bool(b) => Ok(V::Bool(!b)),
                _ => Err(Stop::GiveUp),
            },
            E::Neg(a) => match self.expr(a)? {
                V::Int(i) => i.checked_neg().map(V::Int).ok_or(Stop::GiveUp),
                V::Dec(d) => Ok(V::Dec(-d)),
                _ => Err(Stop::GiveUp),
            },
            E::And(xs) => {
                for x in xs {
                    match self.expr(x)? {
                        V::Bool(true) => {}
                        V::Bool(false) => return Ok(V::Bool(false)),
                        _ => return Err(Stop::GiveUp),
                    }
                }
                Ok(V::Bool(true))
            }
            E::Or(xs) => {
                for x in xs {
                    match self.expr(x)? {
                        V::Bool(false) => {}
                        V::Bool(true) => return Ok(V::Bool(true)),
                        _ => return Err(Stop::GiveUp),
                    }
                }
                Ok(V::Bool(false))
            }
            E::Block(b) => self.block(b),
            E::Call(fun, args, at) => {
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    vals.push(self.expr(a)?);
                }
                self.call(*fun, vals, *at)
            }
            E::GiveUp => Err(Stop::GiveUp),
        }
    }

    fn fact(&self, f: &FactRef) -> Step {
        let facts = self.facts;
        match f.name.as_str() {
            // As in the sandbox: `id` and `kind` are the application's, before any field.
            "id" => return self.string(facts.id.clone()),
            "kind" => return self.string(facts.kind.clone()),
            _ => {}
        }
        // Rhai reads `app.a.b` a level at a time: where `a` (or `id`, `kind`) is itself a
        // value, it answers differently; give up rather than follow it.
        let mut dots = f.name.match_indices('.').map(|(i, _)| i).peekable();
        if dots.peek().is_some() {
            for i in dots {
                let prefix = &f.name[..i];
                if prefix == "id"
                    || prefix == "kind"
                    || facts.fields.iter().any(|field| field.name == prefix)
                {
                    return Err(Stop::GiveUp);
                }
            }
        }
        let guess = f.at.load(Ordering::Relaxed);
        let i = match facts.fields.get(guess) {
            Some(field) if field.name == f.name => guess,
            _ => {
                // Not a field (a group such as `applicant`, or a misspelling): Rhai answers.
                let i = facts
                    .fields
                    .iter()
                    .position(|field| field.name == f.name)
                    .ok_or(Stop::GiveUp)?;
                f.at.store(i, Ordering::Relaxed);
                i
            }
        };
        match from_value(facts.values.get(i).and_then(Option::as_ref)).ok_or(Stop::GiveUp)? {
            // Rhai holds what a read returns to the string limit too.
            V::Str(text) => self.string(text),
            v => Ok(v),
        }
    }

    fn param(&self, p: &ParamRef) -> Step {
        let params: &[Parameter] = &self.params.params;
        let guess = p.at.load(Ordering::Relaxed);
        let param = match params.get(guess) {
            Some(q) if q.name == p.name => q,
            _ => {
                let i = params
                    .iter()
                    .position(|q| q.name == p.name)
                    .ok_or(Stop::GiveUp)?;
                p.at.store(i, Ordering::Relaxed);
                &params[i]
            }
        };
        match param
            .value_for(self.params.period)
            .map(|v| from_value(Some(v)))
        {
            Some(Some(V::Str(text))) => self.string(text),
            Some(Some(v)) => Ok(v),
            Some(None) | None => Err(Stop::GiveUp),
        }
    }

    /// Rhai's built-in operators on these types: integers checked, integers meeting decimals
    /// become decimals, `()` equals only `()`, other pairs of different types are unequal
    /// and unordered
    fn op(&self, op: Op, a: V, b: V) -> Step {
        use V::*;
        let cmp = |o: std::cmp::Ordering| -> bool {
            match op {
                Op::Eq => o.is_eq(),
                Op::Ne => o.is_ne(),
                Op::Lt => o.is_lt(),
                Op::Le => o.is_le(),
                Op::Gt => o.is_gt(),
                Op::Ge => o.is_ge(),
                _ => false,
            }
        };
        let arithmetic = matches!(op, Op::Add | Op::Sub | Op::Mul | Op::Div);
        match (a, b) {
            (Int(x), Int(y)) => {
                if arithmetic {
                    let r = match op {
                        Op::Add => x.checked_add(y),
                        Op::Sub => x.checked_sub(y),
                        Op::Mul => x.checked_mul(y),
                        _ => x.checked_div(y),
                    };
                    r.map(Int).ok_or(Stop::GiveUp)
                } else {
                    Ok(Bool(cmp(x.cmp(&y))))
                }
            }
            (Dec(x), Dec(y)) => self.decimal(op, x, y, cmp),
            (Dec(x), Int(y)) => self.decimal(op, x, Decimal::from(y), cmp),
            (Int(x), Dec(y)) => self.decimal(op, Decimal::from(x), y, cmp),
            (Str(x), Str(y)) => match op {
                Op::Add => {
                    let mut s = x;
                    s.push_str(&y);
                    self.string(s)
                }
                _ if arithmetic => Err(Stop::GiveUp),
                _ => Ok(Bool(cmp(x.as_str().cmp(y.as_str())))),
            },
            (Bool(x), Bool(y)) => match op {
                Op::Eq => Ok(Bool(x == y)),
                Op::Ne => Ok(Bool(x != y)),
                _ => Err(Stop::GiveUp),
            },
            (Unit, Unit) => match op {
                Op::Eq => Ok(Bool(true)),
                _ if arithmetic => Err(Stop::GiveUp),
                _ => Ok(Bool(false)),
            },
            (x, y) => {
                let numeric = |v: &V| matches!(v, Int(_) | Dec(_));
                let unlike = std::mem::discriminant(&x) != std::mem::discriminant(&y);
                if unlike && !(numeric(&x) && numeric(&y)) && !arithmetic {
                    Ok(Bool(op == Op::Ne))
                } else {
                    Err(Stop::GiveUp)
                }
            }
        }
    }

    fn decimal(
        &self,
        op: Op,
        x: Decimal,
        y: Decimal,
        cmp: impl Fn(std::cmp::Ordering) -> bool,
    ) -> Step {
        let r = match op {
            Op::Add => x.checked_add(y),
            Op::Sub => x.checked_sub(y),
            Op::Mul => x.checked_mul(y),
            Op::Div if y.is_zero() => None,
            Op::Div => x.checked_div(y),
            _ => return Ok(V::Bool(cmp(x.cmp(&y)))),
        };
        r.map(V::Dec).ok_or(Stop::GiveUp)
    }

    fn call(&self, fun: Fun, mut args: Vec<V>, at: Option<Pos>) -> Step {
        use V::*;
        match (fun, args.as_mut_slice()) {
            (Fun::Award, [amount, Str(reason)]) => {
                let amount = match amount {
                    Dec(d) => *d,
                    Int(i) => Decimal::from(*i),
                    _ => return Err(Stop::GiveUp),
                };
                Ok(Outcome(Box::new(crate::model::outcome::Outcome::Award {
                    amount,
                    reason: std::mem::take(reason),
                    at,
                })))
            }
            (Fun::Ineligible, [Str(reason)]) => Ok(Outcome(Box::new(
                crate::model::outcome::Outcome::Ineligible {
                    reason: std::mem::take(reason),
                    at,
                },
            ))),
            (Fun::Yuan, [Dec(d)]) => self.string(crate::model::money::yuan(*d)),
            (Fun::Yuan, [Int(i)]) => self.string(crate::model::money::yuan(Decimal::from(*i))),
            (Fun::Percent, [Dec(d)]) => match crate::model::money::percent_text(*d) {
                Some(s) => self.string(s),
                None => Err(Stop::GiveUp),
            },
            (Fun::Min | Fun::Max, [a, b]) => {
                let (x, y) = match (&*a, &*b) {
                    (Int(x), Int(y)) => {
                        let take_x = if fun == Fun::Min { x <= y } else { x >= y };
                        return Ok(Int(if take_x { *x } else { *y }));
                    }
                    (Dec(x), Dec(y)) => (*x, *y),
                    (Dec(x), Int(y)) => (*x, Decimal::from(*y)),
                    (Int(x), Dec(y)) => (Decimal::from(*x), *y),
                    _ => return Err(Stop::GiveUp),
                };
                // The sandbox's own min and max (rust_decimal's): the first on a tie, which
                // shows when equal amounts differ in scale.
                Ok(Dec(if fun == Fun::Min { x.min(y) } else { x.max(y) }))
            }
            _ => Err(Stop::GiveUp),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use rust_decimal::Decimal;

    use crate::decide::Engine;
    use crate::model::facts::Facts;
    use crate::model::value::{FieldType, Value};
    use crate::script::host::agrees;
    use crate::script::host::ScriptHost;
    use crate::script::limits::ScriptLimits;
    use crate::script::views::ParamsView;

    use crate::decide::engine::shipped as engine;

    /// A small deterministic generator (xorshift)
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    /// Values a field may take, the awkward ones included (equal amounts in other scales,
    /// zero, amounts past any cap, absent)
    fn candidates(ty: &FieldType) -> Vec<Option<Value>> {
        let mut out: Vec<Option<Value>> = match ty {
            FieldType::Bool => vec![Some(Value::Bool(true)), Some(Value::Bool(false))],
            FieldType::Integer { .. } => [1, 2, 3, 2025, 2027, 2030, 0, -1]
                .iter()
                .map(|i| Some(Value::Int(*i)))
                .collect(),
            FieldType::Decimal { .. } | FieldType::Money { .. } => [
                "0",
                "0.01",
                "1",
                "100",
                "100.5",
                "4999999.99",
                "5000000",
                "5000000.00",
                "12.3",
                "3735150.64",
                "79228162514264337593543950",
                "0.10",
            ]
            .iter()
            .map(|s| Some(Value::Decimal(dec(s))))
            .collect(),
            FieldType::OneOf { values } => values
                .iter()
                .map(|v| Some(Value::Text(v.clone())))
                .collect(),
            _ => vec![Some(Value::Text("宿州某公司".into()))],
        };
        out.push(None);
        out
    }

    fn params_of(engine: &Engine, ci: usize, period: Option<i64>) -> ParamsView {
        let c = &engine.pack().clauses[ci];
        ParamsView {
            clause: c.id.as_str().into(),
            params: c.parameters.clone(),
            period,
            period_field: None,
            history: Default::default(),
            others: Default::default(),
        }
    }

    /// Every clause of the Suzhou pack, lowered, agrees with Rhai on thousands of generated
    /// applications of its kind
    #[test]
    fn the_packs_clauses_agree_with_rhai() {
        let engine = engine();
        let pack = engine.pack();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for (ci, clause) in pack.clauses.iter().enumerate() {
            let mut lowered = 0;
            assert!(
                engine.code.scripts[ci].plan().is_some(),
                "{} is lowered",
                clause.id
            );
            let Some(kind) = pack.kind(&clause.kind) else {
                panic!("kind of {}", clause.id);
            };
            let choices: Vec<_> = kind.fields.iter().map(|f| candidates(&f.ty)).collect();
            for n in 0..3000 {
                let values: Vec<Option<Value>> = choices
                    .iter()
                    .map(|c| c[rng.below(c.len())].clone())
                    .collect();
                let facts = Arc::new(Facts {
                    id: format!("A-{n}"),
                    kind: kind.name.clone(),
                    fields: kind.fields.clone(),
                    values,
                });
                let params = params_of(&engine, ci, Some(2025 + (n % 6) as i64));
                match agrees(engine.host(), &engine.code.scripts[ci], &facts, &params) {
                    Ok(answered) => lowered += usize::from(answered),
                    Err(e) => panic!("{}: {e}", clause.id),
                }
            }
            // The clauses the memo cannot hold (they read amounts and scores) are answered
            // without Rhai; the others may give up at their `switch`.
            eprintln!("{}: {lowered} of 3000 lowered", clause.id);
            if matches!(clause.id.as_str(), "tech-transfer" | "scenario-case") {
                assert!(lowered > 1000, "{}: lowered {lowered}", clause.id);
            }
        }
    }

    /// Scripts at the edges of the subset: each either gives up or agrees with Rhai. Long, as a
    /// table of cases is: a script and what it probes a row.
    #[test]
    fn edge_scripts_agree_with_rhai_or_give_up() {
        let engine = engine();
        let pack = engine.pack();
        let Some(ci) = pack.clauses.iter().position(|c| c.id == "tech-transfer") else {
            panic!("tech-transfer clause");
        };
        let Some(kind) = pack.kind("tech_transfer") else {
            panic!("tech_transfer kind");
        };
        let host = ScriptHost::new(ScriptLimits::default());
        let value = |name: &str| -> Option<Value> {
            Some(match name {
                "seller_in_city" => Value::Bool(false),
                "applicant.in_city" => Value::Bool(true),
                "contract_amount" => Value::Decimal(dec("100.00")),
                "paid_amount" => Value::Decimal(dec("100.0")),
                "year" => Value::Int(2026),
                "applicant.name" => Value::Text("甲".into()),
                _ => return None,
            })
        };
        let facts = Arc::new(Facts {
            id: "E-1".into(),
            kind: kind.name.clone(),
            fields: kind.fields.clone(),
            values: kind.fields.iter().map(|f| value(&f.name)).collect(),
        });
        let params = params_of(&engine, ci, Some(2026));
        // (script, whether the lowered tree must answer it)
        let cases: &[(&str, bool)] = &[
            ("award(min(app.paid_amount, app.contract_amount), `${min(app.paid_amount, app.contract_amount)}`)", true),
            ("award(max(app.paid_amount, app.contract_amount), `${max(app.paid_amount, app.contract_amount)}`)", true),
            ("award(max(app.contract_amount, app.paid_amount), `${max(app.contract_amount, app.paid_amount)}`)", true),
            ("award(min(app.paid_amount, 100), `${min(100, app.paid_amount)} ${max(100, app.paid_amount)}`)", true),
            ("award(min(3, 4), `${min(3, 4)} ${max(3, 4)}`)", true),
            ("award(1, `${app.paid_amount == ()} ${app.area == ()} ${app.area != ()} ${() == ()} ${() < ()}`)", true),
            ("award(1, `${app.paid_amount == \"100\"} ${true == 1} ${1 == 1.0} ${1 < 1.5} ${\"a\" < \"b\"}`)", true),
            ("award(1, `${app.id}${app.kind}${app.year}${app.applicant.name}${app.seller_in_city}`)", true),
            ("let a = 1; { let a = 2; } award(a, `${a}`)", true),
            ("let x = if app.paid_amount > 50 { 7 } else { 8 }; award(x * 2 - 1, \"r\" + \"s\")", true),
            ("if app.seller_in_city || !app.applicant.in_city && true { return ineligible(\"no\"); } award(app.paid_amount / 3, `${app.paid_amount / 3}`)", true),
            ("award(-(1), \"neg\")", true),
            ("award(app.paid_amount * params.rate, `${percent(params.rate)} ${yuan(params.cap)} ${yuan(12345)}`)", true),
            ("ineligible(\"x\")", true),
            // Gives up: Rhai words the error or has the construct.
            ("award(9223372036854775807 + 1, \"overflow\")", false),
            ("award(app.paid_amount / 0, \"zero\")", false),
            ("award(app.paid_amount / 0.0, \"zero\")", false),
            ("award(79228162514264337593543950335.0 * 10, \"big\")", false),
            ("let c = 1; if c { award(1, \"x\") } else { ineligible(\"y\") }", false),
            ("award(1, `${app.applicant}`)", false),
            ("award(1, `${app.nope}`)", false),
            ("award(1, `${params.nope}`)", false),
            ("throw \"stop\";", false),
            ("let n = 0; for i in 0..3 { n += i; } award(n, \"loop\")", false),
            ("switch app.year { 2026 => award(1, \"a\"), _ => ineligible(\"b\") }", false),
            ("fn min(a, b) { a } award(min(1, 2), \"mine\")", false),
            ("1 + 1", false),
            ("award(1, 2)", false),
            ("award(\"1\", \"x\")", false),
            ("let s = \"x\"; award(1, `${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}`)", true),
        ];
        for (src, answers) in cases {
            let script = match host.compile(Path::new("edge.rhai"), (*src).to_string()) {
                Ok(s) => s,
                Err(e) => panic!("{src}: {e}"),
            };
            match agrees(&host, &script, &facts, &params) {
                Ok(answered) => assert_eq!(answered, *answers, "{src}"),
                Err(e) => panic!("{src}: {e}"),
            }
        }
        // A text read from the application past the string limit: Rhai stops at the read.
        let long = Arc::new(Facts {
            id: "x".repeat(5000),
            kind: kind.name.clone(),
            fields: kind.fields.clone(),
            values: kind
                .fields
                .iter()
                .map(|f| match f.name.as_str() {
                    "applicant.name" => Some(Value::Text("名".repeat(2000))),
                    other => value(other),
                })
                .collect(),
        });
        for src in [
            "award(1, app.applicant.name)",
            "if app.applicant.name == \"y\" { ineligible(\"y\") } else { award(1, \"x\") }",
            "ineligible(app.id)",
        ] {
            let Ok(script) = host.compile(Path::new("long.rhai"), src.to_string()) else {
                panic!("compiles");
            };
            assert_eq!(agrees(&host, &script, &long, &params), Ok(false), "{src}");
        }
        // Variables: `app` and `params` count against the limit, and so does every `let`,
        // also inside a block used as a value.
        let few = ScriptHost::new(ScriptLimits {
            max_variables: 2,
            ..ScriptLimits::default()
        });
        for src in [
            "let a = 1; award(a, \"x\")",
            "let x = { let a = 1; a }; award(x, \"x\")",
        ] {
            let Ok(script) = few.compile(Path::new("vars.rhai"), src.to_string()) else {
                panic!("compiles");
            };
            assert!(agrees(&few, &script, &facts, &params).is_ok(), "{src}");
        }
        // Operations: reads of nested fields cost Rhai a few each; under any limit the tree
        // answers only where Rhai does.
        let reads = "app.applicant.name; ".repeat(6) + "award(1, app.applicant.name)";
        for max_operations in (5..200).step_by(3) {
            let tight = ScriptHost::new(ScriptLimits {
                max_operations,
                ..ScriptLimits::default()
            });
            let Ok(script) = tight.compile(Path::new("ops.rhai"), reads.clone()) else {
                panic!("compiles");
            };
            let agreed = agrees(&tight, &script, &facts, &params);
            assert!(agreed.is_ok(), "{max_operations}: {agreed:?}");
        }
        // A field named like a group (`applicant` beside `applicant.in_city`) or like `id`:
        // Rhai reads a level at a time, so the tree gives up on such paths.
        let mut clash = (*kind.fields).clone();
        let mut group_field = clash[0].clone();
        group_field.name = "applicant".into();
        group_field.ty = FieldType::Bool;
        clash.push(group_field.clone());
        group_field.name = "id.x".into();
        clash.push(group_field);
        let clashing = Arc::new(Facts {
            id: "C-1".into(),
            kind: kind.name.clone(),
            fields: Arc::new(clash.clone()),
            values: clash
                .iter()
                .map(|f| match f.name.as_str() {
                    "applicant" | "id.x" => Some(Value::Bool(true)),
                    other => value(other),
                })
                .collect(),
        });
        for src in [
            "award(1, `${app.applicant.in_city}`)",
            "award(1, `${app.id.x}`)",
        ] {
            let Ok(script) = host.compile(Path::new("clash.rhai"), src.to_string()) else {
                panic!("compiles");
            };
            assert!(agrees(&host, &script, &clashing, &params).is_ok(), "{src}");
        }

        // A string past the sandbox limit: the tree gives up, Rhai stops it.
        let small = ScriptHost::new(ScriptLimits {
            max_string_size: 8,
            ..ScriptLimits::default()
        });
        let Ok(script) = small.compile(
            Path::new("long.rhai"),
            "award(1, `${yuan(123456789)}`)".into(),
        ) else {
            panic!("compiles");
        };
        assert_eq!(agrees(&small, &script, &facts, &params), Ok(false));
    }

    /// Anything that touches a date is Rhai's: the tree gives up on a date read from `app` or
    /// `params` and on the date functions; Rhai answers, and the tree still answers the rest
    #[test]
    fn dates_are_left_to_rhai() {
        use crate::model::date::Date;
        use crate::model::outcome::Outcome;
        use crate::model::pack::{Parameter, Unit};
        let engine = engine();
        let Some(kind) = engine.pack().kind("tech_transfer") else {
            panic!("tech_transfer kind");
        };
        let mut fields = (*kind.fields).clone();
        let mut f = fields[0].clone();
        f.name = "recognized_on".into();
        f.ty = FieldType::Date {
            min: None,
            max: None,
        };
        fields.push(f);
        let day = |t: &str| Date::parse(t).unwrap_or_else(|| panic!("{t}"));
        let facts = Arc::new(Facts {
            id: "D-1".into(),
            kind: kind.name.clone(),
            fields: Arc::new(fields.clone()),
            values: fields
                .iter()
                .map(|f| match f.name.as_str() {
                    "recognized_on" => Some(Value::Date(day("2024-02-29"))),
                    "year" => Some(Value::Int(2026)),
                    _ => None,
                })
                .collect(),
        });
        let params = ParamsView {
            clause: "c".into(),
            params: Arc::new(vec![
                Parameter::plain("valid_to", Value::Date(day("2026-12-31")), Unit::Date, ""),
                Parameter::plain("valid_from", Value::Date(day("2024-01-01")), Unit::Date, ""),
            ]),
            period: Some(2026),
            period_field: None,
            history: Default::default(),
            others: Default::default(),
        };
        let host = ScriptHost::new(ScriptLimits::default());
        // (script, the outcome's amount, or `None` for ineligible)
        let cases: &[(&str, Option<i64>)] = &[
            ("if app.recognized_on < params.valid_from || app.recognized_on > params.valid_to { return ineligible(\"x\"); } award(1, `${app.recognized_on}`)", Some(1)),
            ("if app.recognized_on <= params.valid_to { award(2, \"in\") } else { ineligible(\"out\") }", Some(2)),
            ("if app.recognized_on == date(\"2024-02-29\") && app.recognized_on != params.valid_to { award(3, \"eq\") } else { ineligible(\"ne\") }", Some(3)),
            ("if app.recognized_on >= params.valid_to { award(1, \"late\") } else { ineligible(\"early\") }", None),
            ("award(days_between(params.valid_from, app.recognized_on), \"days\")", Some(59)),
            ("award(days_between(app.recognized_on, add_years(app.recognized_on, 1)), `${add_years(app.recognized_on, 1)}`)", Some(365)),
            ("if add_days(app.recognized_on, 1) == date(\"2024-03-01\") { award(4, \"ok\") } else { ineligible(\"no\") }", Some(4)),
            ("award(app.recognized_on.year + app.recognized_on.month + app.recognized_on.day, \"parts\")", Some(2024 + 2 + 29)),
            ("let d = params.valid_to; award(1, `${d}`)", Some(1)),
        ];
        for (src, amount) in cases {
            let script = match host.compile(Path::new("dates.rhai"), (*src).to_string()) {
                Ok(s) => s,
                Err(e) => panic!("{src}: {e}"),
            };
            assert_eq!(agrees(&host, &script, &facts, &params), Ok(false), "{src}");
            let (outcome, _) = host.run(
                &script,
                crate::script::views::FactsView::new(facts.clone()),
                params.clone(),
                false,
            );
            match (outcome, amount) {
                (Ok(Outcome::Award { amount: a, .. }), Some(n)) => {
                    assert_eq!(a, Decimal::from(*n), "{src}");
                }
                (Ok(Outcome::Ineligible { .. }), None) => {}
                (other, _) => panic!("{src}: {other:?}"),
            }
        }
        // The date shows as ISO, and an impossible literal is a script error naming it.
        let shown = host
            .compile(
                Path::new("d.rhai"),
                "award(1, `${app.recognized_on} ${params.valid_to}`)".into(),
            )
            .map(|s| {
                host.run(
                    &s,
                    crate::script::views::FactsView::new(facts.clone()),
                    params.clone(),
                    false,
                )
                .0
            });
        match shown {
            Ok(Ok(Outcome::Award { reason, .. })) => assert_eq!(reason, "2024-02-29 2026-12-31"),
            other => panic!("{other:?}"),
        }
        for (src, words) in [
            ("if date(\"2023-02-30\") < app.recognized_on { award(1, \"x\") } else { ineligible(\"y\") }", "date(\"2023-02-30\")"),
            ("award(1, `${add_years(app.recognized_on, 9000)}`)", "outside years 1 to 9999"),
            ("award(1, `${add_days(app.recognized_on, 2000000000)}`)", "outside years 1 to 9999"),
            ("award(1, `${add_days(app.recognized_on, -9223372036854775807)}`)", "outside years 1 to 9999"),
            ("if app.recognized_on < 20240101 { award(1, \"x\") } else { ineligible(\"y\") }", "`<` compares a date with a number (`20240101`)"),
            ("if \"2024-01-01\" == app.recognized_on { award(1, \"x\") } else { ineligible(\"y\") }", "`==` compares a date with a text"),
            ("if app.recognized_on >= 1.5 { award(1, \"x\") } else { ineligible(\"y\") }", "a number"),
        ] {
            let Ok(script) = host.compile(Path::new("bad.rhai"), src.to_string()) else {
                panic!("compiles");
            };
            let (outcome, _) = host.run(&script, crate::script::views::FactsView::new(facts.clone()), params.clone(), false);
            match outcome {
                Err(e) => assert!(e.message.contains(words), "{src}: {}", e.message),
                Ok(o) => panic!("{src}: {o:?}"),
            }
        }
        // A script that reads no date is still the tree's.
        let Ok(plain) = host.compile(Path::new("plain.rhai"), "award(app.year, \"y\")".into())
        else {
            panic!("compiles");
        };
        assert_eq!(agrees(&host, &plain, &facts, &params), Ok(true));
    }

    /// A band table is Rhai's too: the tree gives up on reading one and on `band`; Rhai looks
    /// the fact up, records the band picked when traced, and says what `band` takes when it is
    /// given something else
    #[test]
    fn band_tables_are_left_to_rhai() {
        use crate::model::bands::{Band, BandMethod, BandUnit, Bands};
        use crate::model::outcome::Outcome;
        use crate::model::pack::{Parameter, Unit};
        let engine = engine();
        let Some(kind) = engine.pack().kind("tech_transfer") else {
            panic!("tech_transfer kind");
        };
        let fields = (*kind.fields).clone();
        let facts = Arc::new(Facts {
            id: "B-1".into(),
            kind: kind.name.clone(),
            fields: Arc::new(fields.clone()),
            values: fields
                .iter()
                .map(|f| match f.name.as_str() {
                    "paid_amount" => Some(Value::Decimal(dec("1234567.89"))),
                    "year" => Some(Value::Int(2025)),
                    _ => None,
                })
                .collect(),
        });
        let table = |method| {
            Value::Bands(Arc::new(Bands {
                of: BandUnit::Yuan,
                gives: BandUnit::Ratio,
                method,
                bands: vec![
                    Band {
                        from: dec("0"),
                        value: dec("0.10"),
                    },
                    Band {
                        from: dec("1000000"),
                        value: dec("0.05"),
                    },
                ],
            }))
        };
        let params = ParamsView {
            clause: "c".into(),
            params: Arc::new(vec![
                Parameter::plain("step", table(BandMethod::Step), Unit::Bands, ""),
                Parameter::plain("parts", table(BandMethod::Progressive), Unit::Bands, ""),
                Parameter::plain("rate", Value::Decimal(dec("0.10")), Unit::Ratio, ""),
            ]),
            period: Some(2025),
            period_field: None,
            history: Default::default(),
            others: Default::default(),
        };
        let host = ScriptHost::new(ScriptLimits::default());
        let compile = |src: &str| match host.compile(Path::new("bands.rhai"), src.to_string()) {
            Ok(s) => s,
            Err(e) => panic!("{src}: {e}"),
        };
        let run = |src: &str, trace: bool| {
            host.run(
                &compile(src),
                crate::script::views::FactsView::new(facts.clone()),
                params.clone(),
                trace,
            )
        };
        for (src, amount) in [
            ("award(band(params.step, app.paid_amount), \"x\")", "0.05"),
            ("award(band(params.step, 999999), \"x\")", "0.10"),
            (
                "award(band(params.parts, app.paid_amount), \"x\")",
                "111728.3945",
            ),
            (
                "let t = params.parts; award(band(t, 1000000), `${t}`)",
                "100000.00",
            ),
        ] {
            assert_eq!(
                agrees(&host, &compile(src), &facts, &params),
                Ok(false),
                "{src}"
            );
            match run(src, false).0 {
                Ok(Outcome::Award { amount: a, .. }) => assert_eq!(a.to_string(), amount, "{src}"),
                other => panic!("{src}: {other:?}"),
            }
        }
        let (_, trace) = run("award(band(params.parts, app.paid_amount), \"x\")", true);
        assert_eq!(
            trace.map(|t| t.steps),
            Some(vec![
                "band(parts, 1234567.89) = 1000000 × 0.10（第 1 档） + 234567.89 × 0.05（第 2 档） = 111728.3945".to_string()
            ])
        );
        for (src, words) in [
            (
                "award(band(params.rate, app.paid_amount), \"x\")",
                "takes a band table parameter (`unit: bands`) first",
            ),
            (
                "award(band(params.step, app.contract_amount), \"x\")",
                "band(params.step, …) looks up a number, but was given nothing (an absent field?)",
            ),
            (
                "award(band(params.step, \"100\"), \"x\")",
                "but was given string `100`",
            ),
        ] {
            match run(src, false).0 {
                Err(e) => assert!(e.message.contains(words), "{src}: {}", e.message),
                Ok(o) => panic!("{src}: {o:?}"),
            }
        }
    }
}
