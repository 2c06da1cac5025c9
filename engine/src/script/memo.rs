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

/// The trees of every clause of a pack
pub(crate) struct Memo {
    /// `SHARDS` sets of one tree per clause: shard `s`, clause `c` at `s * clauses + c`
    trees: Vec<Padded>,
    clauses: usize,
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
            .finish()
    }
}

impl Memo {
    pub(crate) fn new(clauses: usize) -> Memo {
        Memo {
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
