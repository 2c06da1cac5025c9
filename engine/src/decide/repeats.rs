//! Repeated ids in a streamed run: where each id first appeared, and how a duplicate names it.
//!
//! The places are known from a first pass, or found as the stream goes.

use rustc_hash::FxHashMap;

use crate::input::file::Ready;
use crate::model::lang::{said, Message};
use crate::model::pos::Pos;

/// Where an id was first seen: its application's place and line (0 when unknown), kept small
/// because there is one per application of the file
pub(crate) type FirstSeen = (u32, u32);

/// Which applications repeat an earlier one's id, and where that one is
pub(crate) enum Repeats {
    /// Known before deciding (a first pass found them): index → where the id first appeared
    Known(FxHashMap<u32, FirstSeen>),
    /// Found as the stream goes: every id seen so far, and where
    Running(FxHashMap<Box<str>, FirstSeen>),
}

impl Repeats {
    /// Repeats to be found as the stream goes, the table sized for `records`
    pub(crate) fn running(records: usize) -> Repeats {
        Repeats::Running(FxHashMap::with_capacity_and_hasher(
            records,
            Default::default(),
        ))
    }

    /// Where the id of the record at `index` first appeared, if at an earlier record
    pub(crate) fn earlier(&self, index: usize, id: Option<&str>) -> Option<FirstSeen> {
        match self {
            Repeats::Known(map) => map.get(&u32::try_from(index).ok()?).copied(),
            Repeats::Running(first) => first
                .get(id?)
                .copied()
                .filter(|&(at, line)| unpack(at, line).0 != index),
        }
    }

    /// Notes the ids of records parsed, in order, where repeats are found as the stream goes
    pub(crate) fn note(&mut self, ready: &[Ready]) {
        if let Repeats::Running(first) = self {
            for r in ready {
                if let Some(id) = r.id() {
                    first
                        .entry(id.into())
                        .or_insert(seen_at(r.index(), r.pos()));
                }
            }
        }
    }
}

fn seen_at(index: usize, pos: Option<Pos>) -> FirstSeen {
    (
        u32::try_from(index).unwrap_or(u32::MAX),
        pos.and_then(|p| u32::try_from(p.line).ok()).unwrap_or(0),
    )
}

fn unpack(index: u32, line: u32) -> (usize, Option<Pos>) {
    (
        index as usize,
        (line > 0).then_some(Pos {
            line: line as usize,
            col: 1,
        }),
    )
}

/// Where an id first appeared, in the words of a duplicate's decision
pub(crate) fn where_first((index, line): FirstSeen) -> Message {
    let (index, pos) = unpack(index, line);
    first_at(index, pos.map(|p| p.line))
}

/// "application #n (line l)" in both languages, for the `index`th application (from 0)
pub(crate) fn first_at(index: usize, line: Option<usize>) -> Message {
    let n = index + 1;
    match line {
        Some(l) => said!("第 {n} 项申报（第{l}行）", "application #{n} (line {l})"),
        None => said!("第 {n} 项申报", "application #{n}"),
    }
}
