//! Finds what a clause script reads — `params.<name>` and `app.<field>` chains — so that a
//! misspelt parameter or field is an error when the pack is checked, not when an application
//! happens to reach that line; and where it calls `award`/`ineligible`, the outcomes its tests
//! should reach.
//!
//! Read off the syntax tree the script compiles to, the one that runs: Rhai alone decides what
//! is code, comment, string or `${…}`, and a call site is the node whose position Rhai reports
//! when the call runs. Code Rhai's optimizer drops (after a `return`, under `if false`) never
//! runs, and is not found.

use rhai::{ASTNode, Expr, Position, Stmt, AST};

use crate::model::pos::Pos;
use crate::script::host::ScriptHost;

/// One read found in a script: the root (`params` or `app`), the property chain, and where the
/// first property starts
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reference {
    pub(crate) root: &'static str,
    pub(crate) chain: Vec<String>,
    pub(crate) pos: Pos,
}

/// Where a script calls `award(…)` or `ineligible(…)`: the outcomes a test can reach
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CallSite {
    pub(crate) name: &'static str,
    pub(crate) pos: Pos,
}

/// Where a script reads another decision: `others.amount("clause-id")` or `others.count(…)`,
/// with the clause id when it is written as a text
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OthersRead {
    pub(crate) clause: Option<String>,
    pub(crate) pos: Pos,
}

/// What a script reads and the outcomes it calls, each in source order
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// Every `params.x` and `app.a.b` read in the script's code
    pub(crate) references: Vec<Reference>,
    /// Every `award(…)` and `ineligible(…)` call
    pub(crate) outcome_sites: Vec<CallSite>,
    /// Every read of `others`
    pub(crate) others: Vec<OthersRead>,
    /// Every call of a function by its name (`award(…)`, `min(…)`, `my_fn(…)`), not a method
    /// (`x.len()`) or an operator
    pub(crate) calls: Vec<(String, Pos)>,
    /// The names the script itself gives: its functions, their parameters, its variables
    /// (a variable may hold a function pointer, called by the variable's name)
    pub(crate) defined: std::collections::BTreeSet<String>,
}

/// As [`find`], for a script not compiled yet. One that does not compile gives nothing: its
/// compilation reports the syntax error, once.
pub(crate) fn find_in_source(host: &ScriptHost, source: &str) -> Found {
    host.parse(source).map(|ast| find(&ast)).unwrap_or_default()
}

/// What a compiled script reads and the outcomes it calls
pub(crate) fn find(ast: &AST) -> Found {
    let mut found = Found::default();
    let mut path = Vec::new();
    // In the script's own code, a variable Rhai found on its stack is a `let` or `for` that
    // hides the engine's `app` or `params`. In a function every name is on its stack, and a
    // parameter called `app` is most likely the application passed along: read as written.
    for s in ast.statements() {
        s.walk(&mut path, &mut |p: &[ASTNode<'_>]| {
            found.visit(p, true);
            true
        });
    }
    if ast.has_functions() {
        ast.clone_functions_only().walk(&mut |p: &[ASTNode<'_>]| {
            found.visit(p, false);
            true
        });
    }
    for f in ast.iter_functions() {
        found.defined.insert(f.name.to_string());
        found.defined.extend(f.params.iter().map(|p| p.to_string()));
    }
    // Rhai walks a switch's cases in its own order, and a block shared by `a | b =>` once per
    // value.
    found.references.sort_by_key(|r| r.pos);
    found.references.dedup();
    found.outcome_sites.sort_by_key(|c| c.pos);
    found.outcome_sites.dedup();
    found.others.sort_by_key(|o| o.pos);
    found.others.dedup();
    found.calls.sort_by_key(|c| c.1);
    found.calls.dedup();
    found
}

impl Found {
    fn visit(&mut self, path: &[ASTNode<'_>], hides: bool) {
        match path.last() {
            Some(ASTNode::Expr(Expr::Dot(bin, ..))) => {
                let Expr::Variable(var, short, _) = &bin.lhs else {
                    return;
                };
                if hides && (var.0.is_some() || short.is_some()) {
                    return;
                }
                let root = match var.1.as_str() {
                    "app" => "app",
                    "params" => "params",
                    "others" => return self.others_read(&bin.rhs),
                    _ => return,
                };
                let (chain, pos) = chain(&bin.rhs, root == "params");
                if let Some(pos) = pos {
                    self.references.push(Reference { root, chain, pos });
                }
            }
            Some(ASTNode::Stmt(Stmt::Var(var, ..))) => {
                self.defined.insert(var.0.name.to_string());
            }
            Some(ASTNode::Stmt(Stmt::For(for_loop, _))) => {
                self.defined.insert(for_loop.0.name.to_string());
                if let Some(counter) = &for_loop.1 {
                    self.defined.insert(counter.name.to_string());
                }
            }
            Some(ASTNode::Expr(Expr::FnCall(call, at)) | ASTNode::Stmt(Stmt::FnCall(call, at)))
                if call.op_token.is_none() =>
            {
                if let Some(pos) = to_pos(*at) {
                    self.calls.push((call.name.to_string(), pos));
                }
                let name = match call.name.as_str() {
                    "award" => "award",
                    "ineligible" => "ineligible",
                    _ => return,
                };
                if let Some(pos) = to_pos(*at) {
                    self.outcome_sites.push(CallSite { name, pos });
                }
            }
            _ => {}
        }
    }
}

impl Found {
    /// `others.amount("id")`, `others.count("id")` (any other use of `others` is left to Rhai,
    /// which refuses it when it runs)
    fn others_read(&mut self, rhs: &Expr) {
        let Expr::MethodCall(call, at) = rhs else {
            return;
        };
        if !matches!(call.name.as_str(), "amount" | "count") {
            return;
        }
        let clause = match call.args.first() {
            Some(Expr::StringConstant(text, _)) => Some(text.to_string()),
            _ => None,
        };
        if let Some(pos) = to_pos(*at) {
            self.others.push(OthersRead { clause, pos });
        }
    }
}

/// Where an `award(…)` or `ineligible(…)` is called and its outcome thrown away: a statement
/// followed by others in its block, or the last one of a block whose value is thrown away
/// (an `if` or `switch` followed by more statements, a loop's body). A script's outcome is
/// the value of its last statement, or what it `return`s; an outcome anywhere else is
/// dropped, and the script goes on to pay another branch. Read off the top-level code only:
/// a function's outcome is its caller's to use.
pub(crate) fn discarded_outcomes(ast: &AST) -> Vec<CallSite> {
    let mut out = Vec::new();
    block(ast.statements(), true, &mut out);
    out.sort_by_key(|c| c.pos);
    out.dedup();
    out
}

/// The statements of a block; the last one's value is the block's, `used` or not
fn block(stmts: &[Stmt], used: bool, out: &mut Vec<CallSite>) {
    let n = stmts.len();
    for (i, s) in stmts.iter().enumerate() {
        stmt(s, used && i + 1 == n, out);
    }
}

fn stmt(s: &Stmt, used: bool, out: &mut Vec<CallSite>) {
    match s {
        Stmt::FnCall(call, at) => outcome(call, *at, used, out),
        Stmt::Expr(e) => expr(e, used, out),
        Stmt::Block(b) => block(b.statements(), used, out),
        Stmt::If(flow, _) | Stmt::TryCatch(flow, _) => {
            block(flow.body.statements(), used, out);
            block(flow.branch.statements(), used, out);
        }
        Stmt::Switch(switch, _) => {
            for case in &switch.1.expressions {
                expr(&case.rhs, used, out);
            }
        }
        // A loop's value is nothing: what its body ends with is dropped.
        Stmt::While(flow, _) | Stmt::Do(flow, ..) => block(flow.body.statements(), false, out),
        Stmt::For(for_loop, _) => block(for_loop.2.body.statements(), false, out),
        Stmt::Return(Some(e), ..) => expr(e, true, out),
        Stmt::Var(var, ..) => expr(&var.1, true, out),
        _ => {}
    }
}

fn expr(e: &Expr, used: bool, out: &mut Vec<CallSite>) {
    match e {
        Expr::FnCall(call, at) => outcome(call, *at, used, out),
        Expr::Stmt(b) => block(b.statements(), used, out),
        _ => {}
    }
}

fn outcome(call: &rhai::FnCallExpr, at: Position, used: bool, out: &mut Vec<CallSite>) {
    if used || call.op_token.is_some() {
        return;
    }
    let name = match call.name.as_str() {
        "award" => "award",
        "ineligible" => "ineligible",
        _ => return,
    };
    if let Some(pos) = to_pos(at) {
        out.push(CallSite { name, pos });
    }
}

/// The properties read after `app.` (all of `a.b.c`) or `params.` (the first), and where the
/// first starts. A method call (`.to_string()`) or an index (`[0]`) ends the chain: what
/// follows is not a field.
fn chain(mut e: &Expr, first_only: bool) -> (Vec<String>, Option<Pos>) {
    let mut chain = Vec::new();
    let mut first = None;
    loop {
        let (prop, next) = match e {
            Expr::Property(p, at) => ((&p.2, at), None),
            Expr::Dot(bin, ..) | Expr::Index(bin, ..) => {
                let Expr::Property(p, at) = &bin.lhs else {
                    break;
                };
                let next = matches!(e, Expr::Dot(..)).then_some(&bin.rhs);
                ((&p.2, at), next)
            }
            _ => break,
        };
        let Some(at) = to_pos(*prop.1) else {
            break;
        };
        first.get_or_insert(at);
        chain.push(prop.0.to_string());
        match next {
            Some(rest) if !first_only => e = rest,
            _ => break,
        }
    }
    (chain, first)
}

/// As the host turns a call's position into an outcome's `at`
fn to_pos(p: Position) -> Option<Pos> {
    Some(Pos {
        line: p.line()?,
        col: p.position().unwrap_or(1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::limits::ScriptLimits;

    /// The sandbox compiles with strict variables: the snippets' free names are declared on
    /// their first line, where no expected position lies.
    fn found(src: &str) -> Found {
        let host = ScriptHost::new(ScriptLimits::default());
        find_in_source(
            &host,
            &format!("let x = true; let y = 1; let other = #{{}}; {src}"),
        )
    }

    fn references(src: &str) -> Vec<Reference> {
        found(src).references
    }

    fn outcome_sites(src: &str) -> Vec<CallSite> {
        found(src).outcome_sites
    }

    fn names(src: &str) -> Vec<String> {
        references(src)
            .into_iter()
            .map(|r| format!("{}.{}", r.root, r.chain.join(".")))
            .collect()
    }

    fn sites(src: &str) -> Vec<String> {
        outcome_sites(src)
            .iter()
            .map(|c| format!("{}@{}:{}", c.name, c.pos.line, c.pos.col))
            .collect()
    }

    #[test]
    fn finds_reads_in_code_and_templates_only() {
        let src = r#"// params.in_comment
/* app.in_block /* nested */ still */
let x = "params.in_string";
if app.applicant.in_city && app.score.to_string() != "" {
    award(params.rate * 2, `计 ${yuan(params.cap)} 元 params.in_text ${app.year}`)
}
let y = other.params.not_root;
"#;
        assert_eq!(
            names(src),
            vec![
                "app.applicant.in_city",
                "app.score",
                "params.rate",
                "params.cap",
                "app.year"
            ]
        );
    }

    #[test]
    fn finds_outcome_call_sites() {
        let src = "// award(1)\nif x { return ineligible(\"a\"); }\naward (1, `award(${y})`)";
        let sites: Vec<String> = outcome_sites(src)
            .iter()
            .map(|c| format!("{}@{}:{}", c.name, c.pos.line, c.pos.col))
            .collect();
        assert_eq!(sites, ["ineligible@2:15", "award@3:1"]);
    }

    #[test]
    fn positions_point_at_the_property() {
        let r = references("let a = 1;\n  award(params.nationl, \"x\")");
        assert_eq!(r[0].pos, Pos { line: 2, col: 16 });
    }

    #[test]
    fn a_script_that_does_not_compile_reads_nothing() {
        let f = found("\naward(params.rate, \"x\"");
        assert!(f.references.is_empty() && f.outcome_sites.is_empty());
    }

    #[test]
    fn chains_end_at_an_index_or_a_method_and_params_at_one_name() {
        let src = "\naward(app.list[0].x + app.a.b.len() + params.rate.cap, app.id.to_string())";
        assert_eq!(names(src), ["app.list", "app.a.b", "params.rate", "app.id"]);
    }

    #[test]
    fn code_that_never_runs_is_not_found() {
        // Rhai's optimizer drops what follows a `return`, so no test could reach that award.
        let src = "\nreturn ineligible(\"a\");\naward(params.rate, \"b\")";
        assert_eq!(sites(src), ["ineligible@2:8"]);
        assert!(names(src).is_empty());
    }

    #[test]
    fn switch_arms_sharing_a_block_count_once() {
        let src = "\nswitch app.level { \"a\" | \"b\" => award(params.rate, \"x\"), _ => ineligible(\"n\") }";
        assert_eq!(sites(src), ["award@2:33", "ineligible@2:63"]);
        assert_eq!(names(src), ["app.level", "params.rate"]);
    }

    // Where Rhai's tree reads what the text scanner it replaced did not see, or saw wrongly.

    #[test]
    fn reads_written_across_spaces_lines_and_question_dots() {
        let src =
            "\naward(app . paid_amount + app.applicant\n  .in_city + app.applicant?.name, \"x\")";
        assert_eq!(
            names(src),
            [
                "app.paid_amount",
                "app.applicant.in_city",
                "app.applicant.name"
            ]
        );
    }

    #[test]
    fn a_local_named_app_is_not_the_application() {
        let src = "\nlet app = #{ a: 1 };\naward(app.a, \"x\")";
        assert!(names(src).is_empty());
        // A function's parameter of that name is most likely the application passed along.
        let src = "\nfn amount(app) { app.paid_amount }\naward(amount(app), \"x\")";
        assert_eq!(names(src), ["app.paid_amount"]);
    }

    fn discarded(src: &str) -> Vec<String> {
        let host = ScriptHost::new(ScriptLimits::default());
        let ast = host
            .parse(&format!("let x = true; let y = 1;\n{src}"))
            .expect("compiles");
        discarded_outcomes(&ast)
            .iter()
            .map(|c| format!("{}@{}:{}", c.name, c.pos.line, c.pos.col))
            .collect()
    }

    #[test]
    fn outcomes_thrown_away() {
        // Followed by more statements, or ending an `if` that is
        assert_eq!(
            discarded("award(1, \"a\");\naward(2, \"b\")"),
            ["award@2:1"]
        );
        assert_eq!(
            discarded("if x { award(1, \"a\") }\naward(2, \"b\")"),
            ["award@2:8"]
        );
        assert_eq!(
            discarded(
                "switch y { 1 => ineligible(\"a\"), _ => award(1, \"b\") }\nineligible(\"c\")"
            ),
            ["ineligible@2:17", "award@2:39"]
        );
        assert_eq!(
            discarded("for i in [1] { award(i, \"a\") }\nineligible(\"c\")"),
            ["award@2:16"]
        );
        // Returned, last, the value of the last `if` or `switch`, or kept in a variable
        assert!(discarded("if x { return award(1, \"a\"); }\naward(2, \"b\")").is_empty());
        assert!(discarded("if x { award(1, \"a\") } else { ineligible(\"b\") }").is_empty());
        assert!(
            discarded("let o = if x { award(1, \"a\") } else { ineligible(\"b\") };\no").is_empty()
        );
        assert!(discarded("switch y { 1 => award(1, \"a\"), _ => ineligible(\"b\") }").is_empty());
        assert!(discarded("{ award(1, \"a\") }").is_empty());
    }

    #[test]
    fn a_call_is_where_rhai_calls_not_where_a_name_is_written() {
        let src = "\nfn award(a, b) { b }\naward\n  (1, \"x\")";
        assert_eq!(sites(src), ["award@3:1"]);
    }
}
