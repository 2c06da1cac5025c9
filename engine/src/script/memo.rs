//! Remembering what a clause decided for a combination of facts, so the same combination is
//! not decided again.
//!
//! A clause script is a pure function of the facts it reads and its parameters. While it runs,
//! the engine notes which fact it reads, in order. The same script reading the same values in
//! the same order takes the same path and ends with the same outcome, so the outcome can be
//! kept in a tree keyed by those reads: the first read's field, then its value, then the next
//! read's field, and so on. Only categorical facts (booleans, one-of texts, integers) are keyed;
//! a path that reads an amount, a score or a name is marked opaque and always runs the script.
//! The tree is bounded; past its size the script simply runs.

use rustc_hash::FxHashMap as HashMap;
use std::sync::{Arc, RwLock};

use crate::model::outcome::Outcome;
use crate::model::value::Value;

/// Most nodes one clause's tree may hold
const MAX_NODES: usize = 100_000;

/// One read of a fact: its place in the kind's fields, and whether it may key the tree
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Read {
    pub(crate) field: usize,
    pub(crate) categorical: bool,
}

enum Node {
    /// Nothing known yet below here
    Empty,
    /// The script reads this field next; one child per value
    Read { field: usize, edges: Edges },
    /// The outcome at the end of this path
    Leaf(Arc<Outcome>),
    /// The script reads a non-categorical fact here: always run it
    Opaque,
}

/// A read node's children by value: a short list looked through in place (no value cloned to
/// look it up), a table once there are many
enum Edges {
    Few(Vec<(Option<Value>, usize)>),
    Many(HashMap<Option<Value>, usize>),
}

/// Values a read node lists before it keeps a table
const FEW: usize = 8;

impl Edges {
    fn new(value: Option<Value>, next: usize) -> Edges {
        Edges::Few(vec![(value, next)])
    }

    fn get(&self, value: Option<&Value>) -> Option<usize> {
        match self {
            Edges::Few(list) => list
                .iter()
                .find(|(v, _)| v.as_ref() == value)
                .map(|(_, n)| *n),
            Edges::Many(map) => map.get(&value.cloned()).copied(),
        }
    }

    fn insert(&mut self, value: Option<Value>, next: usize) {
        match self {
            Edges::Few(list) if list.len() < FEW => list.push((value, next)),
            Edges::Few(list) => {
                let mut map: HashMap<Option<Value>, usize> = list.drain(..).collect();
                map.insert(value, next);
                *self = Edges::Many(map);
            }
            Edges::Many(map) => {
                map.insert(value, next);
            }
        }
    }
}

struct Tree {
    nodes: Vec<Node>,
}

/// What a lookup found
pub(crate) enum Found {
    /// The outcome, known
    Outcome(Arc<Outcome>),
    /// Not known: run the script, noting its reads, and remember the result
    Learn,
    /// Never remembered here: run the script
    Run,
}

/// Which ways to an outcome a memo lets the engine take. Only the differential tests choose
/// another than `All`: they decide the same applications each way and compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(
    not(feature = "fuzzing"),
    allow(dead_code, reason = "the other paths are chosen only by tests")
)]
pub(crate) enum Paths {
    /// Remembered outcomes, else the lowered tree, else Rhai
    All,
    /// Never remembered: the lowered tree, else Rhai
    NoMemo,
    /// Always Rhai: every lookup asks to learn (a learning run is Rhai's), nothing is kept
    RhaiOnly,
}

/// The trees of every clause of a pack
pub(crate) struct Memo {
    /// `SHARDS` sets of one tree per clause: shard `s`, clause `c` at `s * clauses + c`
    trees: Vec<Padded>,
    clauses: usize,
    paths: Paths,
}

/// A thread keeps to one set of trees: a lock (and the outcomes' counts) touched by one core
/// stays in its cache, where two cores sharing one passed it back and forth on every lookup.
/// Each set learns on its own, a few script runs more for the same outcomes.
const SHARDS: usize = 8;

/// A tree's lock on a cache line of its own
#[repr(align(128))]
struct Padded(RwLock<Tree>);

/// The set of trees the current thread uses
fn shard() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static SHARD: usize = NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS;
    }
    SHARD.with(|s| *s)
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memo")
            .field("clauses", &self.clauses)
            .field("paths", &self.paths)
            .finish()
    }
}

impl Memo {
    pub(crate) fn new(clauses: usize) -> Memo {
        Memo::with_paths(clauses, Paths::All)
    }

    /// A memo for `clauses` that lets the engine take only `paths`
    pub(crate) fn with_paths(clauses: usize, paths: Paths) -> Memo {
        Memo {
            paths,
            trees: (0..clauses * SHARDS)
                .map(|_| {
                    Padded(RwLock::new(Tree {
                        nodes: vec![Node::Empty],
                    }))
                })
                .collect(),
            clauses,
        }
    }

    /// Clause `ci`'s tree for the current thread
    fn tree(&self, ci: usize) -> Option<&RwLock<Tree>> {
        if ci >= self.clauses {
            return None;
        }
        self.trees.get(shard() * self.clauses + ci).map(|p| &p.0)
    }

    /// Looks up the outcome of clause `ci` for facts `values`
    pub(crate) fn find(&self, ci: usize, values: &[Option<Value>]) -> Found {
        match self.paths {
            Paths::All => {}
            Paths::NoMemo => return Found::Run,
            Paths::RhaiOnly => return Found::Learn,
        }
        let Some(lock) = self.tree(ci) else {
            return Found::Run;
        };
        let Ok(tree) = lock.read() else {
            return Found::Run;
        };
        let mut at = 0;
        loop {
            match tree.nodes.get(at) {
                None | Some(Node::Opaque) => return Found::Run,
                Some(Node::Empty) => {
                    return if tree.nodes.len() >= MAX_NODES {
                        Found::Run
                    } else {
                        Found::Learn
                    };
                }
                Some(Node::Leaf(o)) => return Found::Outcome(o.clone()),
                Some(Node::Read { field, edges }) => {
                    let value = values.get(*field).and_then(Option::as_ref);
                    match edges.get(value) {
                        Some(next) => at = next,
                        None => {
                            return if tree.nodes.len() >= MAX_NODES {
                                Found::Run
                            } else {
                                Found::Learn
                            };
                        }
                    }
                }
            }
        }
    }

    /// Remembers that clause `ci`, reading `reads` of `values` in this order, ended in `outcome`
    pub(crate) fn learn(
        &self,
        ci: usize,
        values: &[Option<Value>],
        reads: &[Read],
        outcome: &Outcome,
    ) {
        if self.paths != Paths::All {
            return;
        }
        let Some(lock) = self.tree(ci) else {
            return;
        };
        let Ok(mut tree) = lock.write() else {
            return;
        };
        if tree.nodes.len() >= MAX_NODES {
            return;
        }
        let mut at = 0;
        for read in reads {
            if !read.categorical {
                if matches!(tree.nodes[at], Node::Empty) {
                    tree.nodes[at] = Node::Opaque;
                }
                return;
            }
            let value = values.get(read.field).cloned().flatten();
            let next_id = tree.nodes.len();
            match &mut tree.nodes[at] {
                node @ Node::Empty => {
                    *node = Node::Read {
                        field: read.field,
                        edges: Edges::new(value, next_id),
                    };
                    tree.nodes.push(Node::Empty);
                    at = next_id;
                }
                Node::Read { field, edges } if *field == read.field => {
                    match edges.get(value.as_ref()) {
                        Some(next) => at = next,
                        None => {
                            edges.insert(value, next_id);
                            tree.nodes.push(Node::Empty);
                            at = next_id;
                        }
                    }
                }
                // A different read at the same place, or a path already closed: a script that
                // is not a pure function of its reads. Never remember it.
                node => {
                    *node = Node::Opaque;
                    return;
                }
            }
        }
        if matches!(tree.nodes[at], Node::Empty) {
            tree.nodes[at] = Node::Leaf(Arc::new(outcome.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn award(n: i64) -> Outcome {
        Outcome::Award {
            amount: Decimal::from(n),
            reason: format!("r{n}"),
            at: None,
        }
    }

    fn cat(field: usize) -> Read {
        Read {
            field,
            categorical: true,
        }
    }

    fn found(memo: &Memo, ci: usize, values: &[Option<Value>]) -> Result<Outcome, &'static str> {
        match memo.find(ci, values) {
            Found::Outcome(o) => Ok((*o).clone()),
            Found::Learn => Err("learn"),
            Found::Run => Err("run"),
        }
    }

    fn b(v: bool) -> Option<Value> {
        Some(Value::Bool(v))
    }

    #[test]
    fn remembers_an_outcome_by_the_values_read_and_only_those() {
        let memo = Memo::new(2);
        let facts = [b(true), Some(Value::Int(3)), Some(Value::Text("x".into()))];
        assert_eq!(found(&memo, 0, &facts), Err("learn"));
        memo.learn(0, &facts, &[cat(0), cat(1)], &award(1));
        assert_eq!(found(&memo, 0, &facts), Ok(award(1)));
        // A field the script never read does not matter.
        let other_text = [b(true), Some(Value::Int(3)), Some(Value::Text("y".into()))];
        assert_eq!(found(&memo, 0, &other_text), Ok(award(1)));
        // A value read that differs is not known yet; nor is the same combination for
        // another clause.
        assert_eq!(
            found(&memo, 0, &[b(true), Some(Value::Int(4)), None]),
            Err("learn")
        );
        assert_eq!(
            found(&memo, 0, &[b(false), Some(Value::Int(3)), None]),
            Err("learn")
        );
        assert_eq!(found(&memo, 1, &facts), Err("learn"));
        // An absent fact is a value of its own, not the same as any present one.
        assert_eq!(
            found(&memo, 0, &[None, Some(Value::Int(3)), None]),
            Err("learn")
        );
        memo.learn(0, &[None, Some(Value::Int(3))], &[cat(0)], &award(2));
        assert_eq!(found(&memo, 0, &[None, Some(Value::Int(9))]), Ok(award(2)));
        assert_eq!(found(&memo, 0, &facts), Ok(award(1)));
    }

    #[test]
    fn branches_keep_their_own_outcomes_past_the_short_list() {
        let memo = Memo::new(1);
        // More values than the short list holds, so the node turns into a table.
        for i in 0..(3 * FEW as i64) {
            let facts = [Some(Value::Int(i)), b(i % 2 == 0)];
            assert_eq!(found(&memo, 0, &facts), Err("learn"), "{i}");
            memo.learn(0, &facts, &[cat(0), cat(1)], &award(i));
        }
        for i in 0..(3 * FEW as i64) {
            let facts = [Some(Value::Int(i)), b(i % 2 == 0)];
            assert_eq!(found(&memo, 0, &facts), Ok(award(i)), "{i}");
            let flipped = [Some(Value::Int(i)), b(i % 2 != 0)];
            assert_eq!(found(&memo, 0, &flipped), Err("learn"), "{i}");
        }
    }

    #[test]
    fn a_path_through_a_non_categorical_read_always_runs() {
        let memo = Memo::new(1);
        let facts = [b(true), Some(Value::Decimal(Decimal::from(5)))];
        let amount = Read {
            field: 1,
            categorical: false,
        };
        memo.learn(0, &facts, &[cat(0), amount], &award(5));
        assert_eq!(found(&memo, 0, &facts), Err("run"));
        let other = [b(true), Some(Value::Decimal(Decimal::from(6)))];
        assert_eq!(found(&memo, 0, &other), Err("run"));
        // The other branch of the first read is still learnt.
        assert_eq!(found(&memo, 0, &[b(false), None]), Err("learn"));
        memo.learn(0, &[b(false), None], &[cat(0)], &award(0));
        assert_eq!(found(&memo, 0, &[b(false), None]), Ok(award(0)));
    }

    #[test]
    fn a_script_reading_differently_for_the_same_values_is_never_remembered() {
        let memo = Memo::new(1);
        let facts = [b(true), b(false), b(true)];
        memo.learn(0, &facts, &[cat(0), cat(1)], &award(1));
        // Same first value, but now it reads field 2 where it read field 1: not a pure
        // function of its reads; the place becomes opaque.
        memo.learn(0, &facts, &[cat(0), cat(2)], &award(2));
        assert_eq!(found(&memo, 0, &facts), Err("run"));
        // A first outcome is never replaced by a later, different one for the same path.
        let memo = Memo::new(1);
        memo.learn(0, &facts, &[cat(0)], &award(1));
        memo.learn(0, &facts, &[cat(0)], &award(2));
        assert_eq!(found(&memo, 0, &facts), Ok(award(1)));
        // A path that ends where another goes on reading: opaque, not a wrong outcome.
        let memo = Memo::new(1);
        memo.learn(0, &facts, &[cat(0)], &award(1));
        memo.learn(0, &facts, &[cat(0), cat(1)], &award(2));
        assert_ne!(found(&memo, 0, &facts), Ok(award(2)));
    }

    #[test]
    fn a_clause_out_of_range_runs_and_learning_it_is_harmless() {
        let memo = Memo::new(1);
        memo.learn(3, &[b(true)], &[cat(0)], &award(1));
        assert_eq!(found(&memo, 3, &[b(true)]), Err("run"));
        // A read past the facts is an absent value, not a panic.
        memo.learn(0, &[], &[cat(7)], &award(1));
        assert_eq!(found(&memo, 0, &[]), Ok(award(1)));
    }

    #[test]
    fn the_tree_stops_growing_at_its_bound() {
        let memo = Memo::new(1);
        let mut i = 0i64;
        loop {
            let facts = [Some(Value::Int(i))];
            match memo.find(0, &facts) {
                Found::Learn => memo.learn(0, &facts, &[cat(0)], &award(i)),
                Found::Run => break,
                Found::Outcome(_) => panic!("{i} was never learnt"),
            }
            i += 1;
            assert!(i <= MAX_NODES as i64, "the tree grows past its bound");
        }
        // What it learnt is still there; what is new runs.
        assert_eq!(found(&memo, 0, &[Some(Value::Int(0))]), Ok(award(0)));
        assert_eq!(found(&memo, 0, &[Some(Value::Int(-1))]), Err("run"));
    }

    #[test]
    fn other_paths_never_answer_from_the_memo() {
        let facts = [b(true)];
        let no_memo = Memo::with_paths(1, Paths::NoMemo);
        no_memo.learn(0, &facts, &[cat(0)], &award(1));
        assert_eq!(found(&no_memo, 0, &facts), Err("run"));
        let rhai = Memo::with_paths(1, Paths::RhaiOnly);
        rhai.learn(0, &facts, &[cat(0)], &award(1));
        assert_eq!(found(&rhai, 0, &facts), Err("learn"));
    }

    /// The memo the engine keeps gives every decision of the shipped pack's examples exactly
    /// as a run without it does, reasons and all
    #[test]
    fn remembered_decisions_are_the_decisions() {
        let engine = crate::decide::engine::shipped();
        let fresh = engine.clone();
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../policies/suzhou-future-industries/examples"
        );
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        let mut apps = Vec::new();
        for f in files {
            if let Ok(mut more) = crate::input::read_applications(&f, None) {
                apps.append(&mut more);
            }
        }
        assert!(apps.len() > 10, "examples read: {}", apps.len());
        // Twice through the same engine: the second pass answers from the memo.
        let first = engine.decide(&apps);
        let second = engine.decide(&apps);
        let mut unmemoised = fresh.clone();
        unmemoised.code.memo = Arc::new(Memo::with_paths(fresh.code.scripts.len(), Paths::NoMemo));
        let plain = unmemoised.decide(&apps);
        assert_eq!(first, plain);
        assert_eq!(second, plain);
    }
}
