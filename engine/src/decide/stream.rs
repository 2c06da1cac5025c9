//! Deciding a file of any size in flat memory, in parallel, rendered in input order.
//!
//! Applications are read in chunks, parsed and decided in parallel, rendered into a [`Sink`]
//! and written in input order as they are decided.
//!
//! Count limits need every contender before any is placed, so a pack with one reads the input
//! twice: a first pass (`first_pass.rs`) parses only `id` and `kind` of each record (JSONL),
//! decides the applications of limited clauses and ranks them; the second pass, here, decides
//! everything and places each contender by its rank. Only the ranks and the ids (for
//! duplicates) are kept across the file.

use std::io;

use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::decide::engine::Engine;
use crate::decide::first_pass::{id_hash, Kept, Placed};
use crate::decide::repeats::{where_first, FirstSeen, Repeats};
use crate::decide::{check, clause, settle, spool};
use crate::input::file::{bytes_of, Chunk, InputFile, Pool, Ready, Record};
use crate::input::{InputError, RawApplication};
use crate::model::decided;
use crate::model::decision::{add, Decision, Status, Totals};
use crate::model::facts::Checked;
use crate::model::pack::Pack;

/// How decisions are written: each rendered to bytes (in parallel), the pieces written in
/// order by the caller
pub trait Sink: Sync {
    /// What comes before the first decision
    fn begin(&self) -> Vec<u8>;
    /// One decision, appended to `out`; `n` is its place in the output, from 0. Called in
    /// parallel. A streamed decision's `reached` is not complete (a decision kept between the
    /// passes carries none): coverage is measured on decisions made in memory.
    fn render(&self, n: usize, decision: &Decision, out: &mut Vec<u8>);
    /// What comes after the last decision, given how many there were and their totals
    fn end(&self, count: usize, totals: &Totals) -> Vec<u8>;
}

/// What a streamed run decided, in sum
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Totals over every decision
    pub totals: Totals,
    /// Decisions per status
    pub by_status: Vec<(Status, usize)>,
    /// Per clause, in pack order: (clause id, applications, awarded, amount)
    pub by_clause: Vec<(String, usize, usize, Decimal)>,
}

/// A failure of a streamed run: the input, or writing the output
#[derive(Debug)]
pub enum StreamError {
    /// The input could not be read at all
    Input(InputError),
    /// Writing failed
    Output(io::Error),
    /// A change asked of the pack (a swept value) does not apply; nothing was read
    Changes(crate::model::error::LoadErrors),
}

impl StreamError {
    /// The error for a person in `lang`, led by `错误:` or `error:`
    pub fn shown(&self, lang: crate::model::lang::Lang) -> String {
        match self {
            StreamError::Input(e) => e.shown(lang),
            other => format!("{}: {other}", lang.pick("错误", "error")),
        }
    }
}

impl std::fmt::Display for StreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StreamError::Input(e) => write!(f, "{e}"),
            StreamError::Output(e) => write!(f, "cannot write the output: {e}"),
            StreamError::Changes(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for StreamError {}

/// How many records one parallel task decides and renders in a row
pub(crate) const PIECE: usize = 512;

const STATUSES: [Status; 5] = [
    Status::Awarded,
    Status::Ineligible,
    Status::Capped,
    Status::Superseded,
    Status::Error,
];

/// Decisions counted as they pass: in all, by status and by clause, with the amounts awarded
pub(crate) struct DecisionCounts {
    pub(crate) count: usize,
    by_status: [usize; 5],
    /// Per clause: (applications, awarded, amount awarded)
    by_clause: Vec<(usize, usize, Decimal)>,
    amount: Decimal,
}

impl DecisionCounts {
    pub(crate) fn new(clauses: usize) -> DecisionCounts {
        DecisionCounts {
            count: 0,
            by_status: [0; 5],
            by_clause: vec![(0, 0, Decimal::ZERO); clauses],
            amount: Decimal::ZERO,
        }
    }

    /// Counts a decision; `clause` is its clause's index when the caller knows it
    pub(crate) fn add(&mut self, pack: &Pack, d: &Decision, clause: Option<usize>) {
        let clause = clause.or_else(|| clause_index(pack, d));
        self.add_parts(d.status, d.amount, clause);
    }

    /// Counts a decision known by its status, amount and clause index
    pub(crate) fn add_parts(&mut self, status: Status, amount: Decimal, clause: Option<usize>) {
        self.count += 1;
        let s = STATUSES.iter().position(|s| *s == status).unwrap_or(4);
        self.by_status[s] += 1;
        let awarded = status == Status::Awarded;
        if awarded {
            self.amount = add(self.amount, amount);
        }
        if let Some(entry) = clause.and_then(|ci| self.by_clause.get_mut(ci)) {
            entry.0 += 1;
            if awarded {
                entry.1 += 1;
                entry.2 = add(entry.2, amount);
            }
        }
    }

    pub(crate) fn merge(&mut self, other: DecisionCounts) {
        self.count += other.count;
        for (a, b) in self.by_status.iter_mut().zip(other.by_status) {
            *a += b;
        }
        for (a, b) in self.by_clause.iter_mut().zip(other.by_clause) {
            a.0 += b.0;
            a.1 += b.1;
            a.2 = add(a.2, b.2);
        }
        self.amount = add(self.amount, other.amount);
    }

    /// The run's summary, amounts rounded by the pack's rule
    pub(crate) fn summary(self, pack: &Pack) -> Summary {
        Summary {
            totals: Totals {
                applications: self.count,
                awarded: self.by_status[0],
                amount: pack.rounding.apply(self.amount),
            },
            by_status: STATUSES
                .iter()
                .zip(self.by_status)
                .filter(|(_, n)| *n > 0)
                .map(|(s, n)| (*s, n))
                .collect(),
            by_clause: pack
                .clauses
                .iter()
                .zip(self.by_clause)
                .map(|(c, (n, a, amount))| (c.id.clone(), n, a, pack.rounding.apply(amount)))
                .collect(),
        }
    }
}

/// A decision's clause's index in the pack
pub(crate) fn clause_index(pack: &Pack, d: &Decision) -> Option<usize> {
    d.clause
        .as_deref()
        .and_then(|id| pack.clauses.iter().position(|c| c.id == id))
}

/// Buffers of rendered pieces, handed back once written. A fresh buffer of a few hundred KiB
/// came from pages the allocator had given back to the system, which the kernel zeroes again
/// on first touch: on a settled run that zeroing was a tenth of the CPU time.
static BUFFERS: std::sync::Mutex<Vec<Vec<u8>>> = std::sync::Mutex::new(Vec::new());

/// The most buffers kept, and the largest: more than a run has in flight, and a buffer grown
/// by one huge piece is let go
const KEPT_BUFFERS: usize = 256;
const KEPT_CAPACITY: usize = 4 << 20;

/// An empty buffer of at least `capacity` bytes, reused where one was handed back
pub(crate) fn buffer(capacity: usize) -> Vec<u8> {
    let mut b = BUFFERS
        .lock()
        .ok()
        .and_then(|mut kept| kept.pop())
        .unwrap_or_default();
    b.reserve(capacity);
    b
}

/// Hands a written buffer back for [`buffer`] to reuse
pub(crate) fn recycle(mut b: Vec<u8>) {
    if b.capacity() > KEPT_CAPACITY {
        return;
    }
    b.clear();
    if let Ok(mut kept) = BUFFERS.lock() {
        if kept.len() < KEPT_BUFFERS {
            kept.push(b);
        }
    }
}

/// Rendered output in pieces, in order, each with the counts of its decisions
pub(crate) type Pieces = Vec<(Vec<u8>, DecisionCounts)>;

/// Writes rendered pieces as they arrive, in order, counting them and telling `progress`; the
/// first write error stops it (the caller then drops the receiver, which stops the sender)
pub(crate) fn write_in_order(
    rx: &std::sync::mpsc::Receiver<Pieces>,
    counts: &mut DecisionCounts,
    write: &mut dyn FnMut(&[u8]) -> io::Result<()>,
    progress: &mut dyn FnMut(usize),
) -> Option<io::Error> {
    for pieces in rx.iter() {
        for (buf, c) in pieces {
            counts.merge(c);
            if let Err(e) = write(&buf) {
                return Some(e);
            }
            recycle(buf);
        }
        progress(counts.count);
    }
    None
}

/// Checks one application for the stream; `first` says where its id was first seen if that
/// was an earlier application
fn check_one(
    pack: &Pack,
    raw: &RawApplication,
    first: Option<FirstSeen>,
) -> Result<Checked, Box<Decision>> {
    if let (Some(id), Some(first)) = (raw.id(), first) {
        return Err(Box::new(check::duplicate(
            pack,
            raw,
            id,
            &where_first(first),
        )));
    }
    check::check_one(pack, raw)
}

impl Engine {
    /// The decision on one parsed record of a stream
    pub(crate) fn decide_ready(&self, r: &Ready, repeats: &Repeats, placed: &Placed) -> Decision {
        let pack = self.pack();
        let earlier = repeats.earlier(r.index(), r.id());
        let checked = match r {
            Ready::Slow(raw) => check_one(pack, raw, earlier),
            Ready::Fast { checked, .. } => match earlier {
                Some(first) => Err(Box::new(check::duplicate_of(
                    pack,
                    &checked.facts.id,
                    Some(checked.facts.kind.clone()),
                    &where_first(first),
                ))),
                None => Ok(checked.clone()),
            },
        };
        let mut d = match checked {
            Err(d) => *d,
            Ok(c) => {
                let (mut d, _) = clause::decide_one(pack, &self.code, &c, false);
                placed.place(pack, c.clause, r.index(), &mut d);
                // Settlement found its effect in the first pass, on this same decision.
                if d.status == Status::Awarded {
                    let names = || settle::group_keys(pack, c.clause, &c.facts);
                    placed.settled.apply(pack, r.index(), &mut d, &names);
                }
                d
            }
        };
        d.amount = pack.rounding.apply(d.amount);
        d
    }

    /// Decides, renders and counts consecutive records, the first being the `first`th;
    /// `kept` holds, in order, decisions the first pass made on some of them, finished here
    /// rather than made again
    fn render_piece<R>(
        &self,
        sink: &dyn Sink,
        first: usize,
        (piece, kept): (impl Iterator<Item = R>, Vec<Kept>),
        ready: impl Fn(R) -> Ready,
        repeats: &Repeats,
        placed: &Placed,
    ) -> (Vec<u8>, DecisionCounts) {
        let pack = self.pack();
        let mut buf = buffer(PIECE * 400);
        let mut counts = DecisionCounts::new(pack.clauses.len());
        let mut kept = kept.into_iter().peekable();
        // One decision read into again and again, its strings reused
        let mut scratch = spool::scratch();
        for (j, r) in piece.enumerate() {
            let n = first + j;
            if let Some((_, ci, record)) = kept.next_if(|(at, _, _)| *at == n) {
                // A repeat is an error whatever the first pass decided.
                if repeats.earlier(n, None).is_none()
                    && self.finish_kept(n, ci, &record, placed, &mut scratch)
                {
                    sink.render(n, &scratch, &mut buf);
                    counts.add(pack, &scratch, Some(ci));
                    continue;
                }
            }
            let r = ready(r);
            let d = self.decide_ready(&r, repeats, placed);
            sink.render(n, &d, &mut buf);
            // A record read the quick way names its clause; its decision is that clause's.
            let clause = match &r {
                Ready::Fast { checked, .. } => Some(checked.clause),
                Ready::Slow(_) => None,
            };
            counts.add(pack, &d, clause);
        }
        (buf, counts)
    }

    /// A decision the first pass made on the application at `index` (of clause `ci`, no
    /// repeat), read into `d` and finished as [`Engine::decide_ready`] finishes one (the first
    /// pass keeps decisions only where no settlement rule applies); false if it does not read
    fn finish_kept(
        &self,
        index: usize,
        ci: usize,
        record: &[u8],
        placed: &Placed,
        d: &mut Decision,
    ) -> bool {
        let pack = self.pack();
        let Some(clause) = pack.clauses.get(ci) else {
            return false;
        };
        let read = spool::read(record)
            .and_then(|rec| rec.decision_into(d, None, (&clause.kind, &clause.id)));
        if read.is_none() {
            return false;
        }
        placed.place(pack, ci, index, d);
        d.amount = pack.rounding.apply(d.amount);
        true
    }

    /// One chunk's records decided and rendered in pieces, in parallel, the first record being
    /// the `first`th of the file; `kept`, decisions the first pass made on some of them
    fn decide_chunk(
        &self,
        sink: &dyn Sink,
        first: usize,
        (records, kept): (Vec<Record>, Vec<Kept>),
        bytes: &[u8],
        repeats: &mut Repeats,
        placed: &Placed,
    ) -> Pieces {
        let pack = self.pack();
        let ready = |r: Record| r.ready(pack, bytes);
        match repeats {
            // Repeats known already: each piece is parsed, decided and rendered in one go.
            Repeats::Known(_) => {
                self.render_pieces(sink, first, (records, kept), ready, repeats, placed)
            }
            // Ids noted in order between parsing and deciding.
            Repeats::Running(_) => {
                let ready: Vec<Ready> = records.into_par_iter().map(ready).collect();
                repeats.note(&ready);
                self.render_pieces(sink, first, (ready, kept), |r| r, repeats, placed)
            }
        }
    }

    /// Records decided and rendered in pieces of [`PIECE`], in parallel, each parsed by
    /// `ready` where its piece is decided and given the kept decisions that are its own
    fn render_pieces<R: Send>(
        &self,
        sink: &dyn Sink,
        first: usize,
        (records, kept): (Vec<R>, Vec<Kept>),
        ready: impl Fn(R) -> Ready + Sync,
        repeats: &Repeats,
        placed: &Placed,
    ) -> Pieces {
        let mut own: Vec<Vec<Kept>> = (0..records.len().div_ceil(PIECE))
            .map(|_| Vec::new())
            .collect();
        for k in kept {
            if let Some(piece) = own.get_mut((k.0 - first) / PIECE) {
                piece.push(k);
            }
        }
        records
            .into_par_iter()
            .chunks(PIECE)
            .zip(own)
            .enumerate()
            .map(|(p, (piece, kept))| {
                self.render_piece(
                    sink,
                    first + p * PIECE,
                    (piece.into_iter(), kept),
                    &ready,
                    repeats,
                    placed,
                )
            })
            .collect()
    }

    /// Decides every application of a source into a sink, in input order, with memory that
    /// does not grow with the file (but for the ids, kept to find duplicates)
    ///
    /// # Errors
    /// An input that cannot be read at all, or an output that cannot be written.
    pub fn decide_stream(
        &self,
        source: &InputFile,
        sink: &dyn Sink,
        write: &mut dyn FnMut(&[u8]) -> io::Result<()>,
    ) -> Result<Summary, StreamError> {
        self.decide_stream_with_progress(source, sink, write, &mut |_| {})
    }

    /// As [`Engine::decide_stream`], telling `progress` how many applications are decided
    /// after each chunk
    ///
    /// # Errors
    /// As [`Engine::decide_stream`].
    pub fn decide_stream_with_progress(
        &self,
        source: &InputFile,
        sink: &dyn Sink,
        write: &mut dyn FnMut(&[u8]) -> io::Result<()>,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Summary, StreamError> {
        self.stream(source, sink, write, progress, id_hash)
    }

    /// The stream, with the hash the first pass keeps of ids (tests make it collide)
    fn stream(
        &self,
        source: &InputFile,
        sink: &dyn Sink,
        write: &mut dyn FnMut(&[u8]) -> io::Result<()>,
        progress: &mut dyn FnMut(usize),
        hash: fn(&str) -> u64,
    ) -> Result<Summary, StreamError> {
        if decided::any(self.pack()) {
            // Clauses that read others' decisions: those decisions first (`bases.rs`).
            let engine = self
                .with_decided_from(source, &Pool::default(), hash)
                .map_err(StreamError::Input)?;
            return engine.stream_decided(source, sink, write, progress, hash);
        }
        self.stream_decided(source, sink, write, progress, hash)
    }

    /// The stream, once the decisions other clauses read are known
    fn stream_decided(
        &self,
        source: &InputFile,
        sink: &dyn Sink,
        write: &mut dyn FnMut(&[u8]) -> io::Result<()>,
        progress: &mut dyn FnMut(usize),
        hash: fn(&str) -> u64,
    ) -> Result<Summary, StreamError> {
        let pack = self.pack();
        if !pack.settlement.is_empty() {
            // Settlement: every application decided once, its decision spooled (`spooled.rs`).
            let counts = self.spooled_stream(source, sink, write, progress, hash)?;
            let summary = counts.summary(pack);
            let end = sink.end(summary.totals.applications, &summary.totals);
            write(&end).map_err(StreamError::Output)?;
            return Ok(summary);
        }
        let pool = Pool::default();
        // Pass 1, only with count limits: rank the awarded applications of limited clauses, and
        // find the repeated ids (a repeat is no contender).
        let two_pass = pack.clauses.iter().any(|c| c.count_limit.is_some());
        let found = if two_pass {
            let (repeats, mut placements) = self
                .first_pass(source, &pool, &[], hash, true)
                .map_err(StreamError::Input)?;
            (repeats, placements.pop().unwrap_or_default())
        } else {
            // One pass: ids kept as they come.
            (Repeats::running(source.size_hint()), Placed::default())
        };
        write(&sink.begin()).map_err(StreamError::Output)?;
        let counts = self.second_pass(source, &pool, sink, found, write, progress)?;
        let summary = counts.summary(pack);
        let end = sink.end(summary.totals.applications, &summary.totals);
        write(&end).map_err(StreamError::Output)?;
        Ok(summary)
    }

    /// Pass 2: decide, render and write, chunk by chunk, in order, given the repeats and
    /// placements known; the decisions' counts. A driver thread reads and decides (on the
    /// rayon pool); this thread writes the rendered pieces as they come, so writing overlaps
    /// deciding.
    fn second_pass(
        &self,
        source: &InputFile,
        pool: &Pool,
        sink: &dyn Sink,
        (mut repeats, mut placed): (Repeats, Placed),
        write: &mut dyn FnMut(&[u8]) -> io::Result<()>,
        progress: &mut dyn FnMut(usize),
    ) -> Result<DecisionCounts, StreamError> {
        let mut kept = std::mem::take(&mut placed.decided).into_iter().peekable();
        let placed = &placed;
        let mut counts = DecisionCounts::new(self.pack().clauses.len());
        let mut write_error = None;
        let decided = std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Pieces>(2);
            let driver = scope.spawn(move || {
                let mut sent = 0usize;
                source.chunks_ahead(pool, &mut |chunk| {
                    let first = sent;
                    sent += chunk.records.len();
                    let Chunk { block, records } = chunk;
                    let bytes = bytes_of(&block);
                    let mut own = Vec::new();
                    while let Some(k) = kept.next_if(|k| k.0 < sent) {
                        own.push(k);
                    }
                    let pieces =
                        self.decide_chunk(sink, first, (records, own), bytes, &mut repeats, placed);
                    pool.give(block);
                    // A closed channel means the writer stopped (it failed): stop reading.
                    tx.send(pieces)
                        .map_err(|_| source.fail(None, "stopped".into()))
                })
            });
            write_error = write_in_order(&rx, &mut counts, write, progress);
            // Dropping the receiver ends the driver if it is still going.
            drop(rx);
            driver.join()
        });
        if let Some(e) = write_error {
            return Err(StreamError::Output(e));
        }
        match decided {
            Ok(Ok(())) => Ok(counts),
            Ok(Err(e)) => Err(StreamError::Input(e)),
            Err(_) => Err(StreamError::Input(source.fail(
                None,
                "deciding stopped on an internal error (a bug: please report it with the input)"
                    .into(),
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Lines;

    impl Sink for Lines {
        fn begin(&self) -> Vec<u8> {
            Vec::new()
        }
        fn render(&self, n: usize, d: &Decision, out: &mut Vec<u8>) {
            out.extend_from_slice(format!("{n} {d:?}\n").as_bytes());
        }
        fn end(&self, count: usize, totals: &Totals) -> Vec<u8> {
            format!("{count} {totals:?}\n").into_bytes()
        }
    }

    fn run(engine: &Engine, file: &InputFile, hash: fn(&str) -> u64) -> String {
        let mut out = Vec::new();
        let mut write = |b: &[u8]| -> io::Result<()> {
            out.extend_from_slice(b);
            Ok(())
        };
        let result = engine.stream(file, &Lines, &mut write, &mut |_| {}, hash);
        assert!(result.is_ok());
        String::from_utf8(out).unwrap_or_default()
    }

    use crate::decide::engine::shipped as shipped_pack;

    /// A streamed run decides as the whole file read at once does, on lines the quick path
    /// gives up on: a line that is not JSON (trailing text, a lone surrogate) has no id, so a
    /// later line with its id is no repeat; ids written with an exponent or an escaped key are
    /// the ids serde_json reads.
    #[test]
    fn odd_lines_have_the_ids_the_general_reader_finds() {
        let engine = shipped_pack();
        let line = |id: &str, name: &str| {
            format!(
                "{{{id},\"year\":2026,\"kind\":\"competition_award\",\"applicant\":{{\"name\":\"{name}\",\"in_city\":true}},\"prize\":\"first\"}}"
            )
        };
        let lines = [
            line("\"id\":\"R-1\"", "A") + " x",
            line("\"id\":\"R-1\"", "A"),
            line("\"id\":\"R-2\"", "\\ud83d"),
            line("\"id\":\"R-2\"", "B"),
            line("\"id\":1E5", "C"),
            line("\"id\":\"1e+5\"", "C"),
            line("\"\\u0069d\":\"R-3\"", "D"),
            line("\"id\":\"R-3\"", "D"),
        ];
        let text = lines.join("\n") + "\n";
        let path = std::env::temp_dir().join(format!("stream-odd-{}.jsonl", std::process::id()));
        assert!(std::fs::write(&path, &text).is_ok());
        let Ok(file) = InputFile::new(&path, None) else {
            panic!("a .jsonl name");
        };
        let streamed = run(&engine, &file, id_hash);
        let _ = std::fs::remove_file(&path);
        let Ok(apps) = crate::parse_applications(&text, crate::InputFormat::Jsonl) else {
            panic!("JSONL reads");
        };
        let whole: String = engine
            .decide(&apps)
            .iter()
            .enumerate()
            .map(|(n, d)| format!("{n} {d:?}\n"))
            .collect();
        let streamed: String = streamed
            .lines()
            .take(lines.len())
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(streamed, whole);
        assert_eq!(whole.matches("重复：").count(), 2, "{whole}");
    }

    /// The first pass keeps only hashes of ids: when hashes meet, the ids themselves decide.
    /// Every hash equal (all suspects) or a few equal (by length) must decide the same as
    /// the real hash, with each repeat found and no repeat ranked under a count limit.
    #[test]
    fn colliding_id_hashes_decide_as_distinct_ids() {
        let engine = shipped_pack();
        let mut text = String::new();
        for i in 0..40 {
            // A repeat every seventh line, of an id seen 5 lines before; scenario cases so
            // the yearly limit (10) binds.
            let n = if i % 7 == 6 { i - 5 } else { i };
            text.push_str(&format!(
                "{{\"id\":\"C-{n}\",\"year\":2026,\"kind\":\"scenario_case\",\"applicant\":{{\"name\":\"A{n}\",\"in_city\":true}},\"selected\":true,\"score\":{}}}\n",
                90 - i % 13
            ));
        }
        let path =
            std::env::temp_dir().join(format!("stream-collide-{}.jsonl", std::process::id()));
        assert!(std::fs::write(&path, &text).is_ok());
        let Ok(file) = InputFile::new(&path, None) else {
            panic!("a .jsonl name");
        };
        let real = run(&engine, &file, id_hash);
        let all_equal = run(&engine, &file, |_| 0);
        let by_length = run(&engine, &file, |id| id.len() as u64);
        let _ = std::fs::remove_file(&path);
        assert_eq!(real.matches("重复：").count(), 5, "{real}");
        assert_eq!(real.matches("Capped").count(), 40 - 5 - 10, "{real}");
        assert_eq!(real, all_equal);
        assert_eq!(real, by_length);
    }

    /// What an output shows of each decision (its JSON), with its rank
    struct Shown;

    impl Sink for Shown {
        fn begin(&self) -> Vec<u8> {
            Vec::new()
        }
        fn render(&self, n: usize, d: &Decision, out: &mut Vec<u8>) {
            let json = serde_json::to_string(d).unwrap_or_default();
            out.extend_from_slice(format!("{n} {json} {:?}\n", d.rank).as_bytes());
        }
        fn end(&self, count: usize, totals: &Totals) -> Vec<u8> {
            format!("{count} {totals:?}\n").into_bytes()
        }
    }

    /// A file of scenario cases (a limited clause) among other kinds, with everything a first
    /// pass reads in its own way: a byte-order mark, CRLF, blank lines, lines too long, lines
    /// that are not UTF-8 (with a plain id and kind in front), ids given twice, repeats of
    /// cases whose decisions the first pass kept, scores of mixed scales, missing or negative,
    /// unselected cases and cases without a score (the script's error)
    fn kept_case_file(cases: usize) -> Vec<u8> {
        // Ids in a scattered order: a prime above the cases, and a step prime to it
        let m = (cases + 1..)
            .find(|m| (2..*m).take_while(|d| d * d <= *m).all(|d| m % d != 0))
            .unwrap_or(61);
        let mut out: Vec<u8> = "\u{feff}".into();
        let case = |id: &str, year: i64, rest: &str| {
            format!(
                "{{\"id\":\"{id}\",\"year\":{year},\"kind\":\"scenario_case\",\"applicant\":{{\"name\":\"A{id}\",\"in_city\":true}}{rest}}}"
            )
        };
        let scores = [
            "88.5", "88.50", "90", "7", "90.000", "12.25", "0", "0.0", "88.4999",
        ];
        for i in 0..cases {
            // Every tenth a repeat of a case three lines before
            let id = format!(
                "S-{}",
                if i % 10 == 9 {
                    (i - 3) * 37 % m
                } else {
                    i * 37 % m
                }
            );
            let year = 2025 + (i % 2) as i64;
            let rest = match i % 11 {
                3 => ",\"selected\":false,\"score\":50".to_string(),
                5 => ",\"selected\":true".to_string(),
                _ => format!(",\"selected\":true,\"score\":{}", scores[i % scores.len()]),
            };
            out.extend_from_slice(case(&id, year, &rest).as_bytes());
            out.extend_from_slice(if i % 4 == 1 { b"\r\n" } else { b"\n" });
            if i % 9 == 0 {
                out.extend_from_slice(b"\n  \t\n");
            }
            if i % 13 == 2 {
                // A line of another kind, and one not UTF-8 after a plain id and kind
                out.extend_from_slice(format!(
                    "{{\"id\":\"T-{i}\",\"year\":2025,\"kind\":\"talent_team\",\"applicant\":{{\"name\":\"AS-{}\",\"in_city\":true}},\"tier\":1}}\n",
                    (i * 37 + 37) % m
                ).as_bytes());
                out.extend_from_slice(
                    format!(
                        "{{\"id\":\"S-{}\",\"kind\":\"scenario_case\",\"x\":\"",
                        (i * 37 + 37) % m
                    )
                    .as_bytes(),
                );
                out.extend_from_slice(b"\xff\xfe\"}\n");
                out.extend_from_slice(
                    format!(
                        "{{\"id\":\"T-{}\",\"kind\":\"talent_team\",\"x\":\"",
                        i + 13
                    )
                    .as_bytes(),
                );
                out.extend_from_slice(b"\xc3\"}\n");
            }
            if i % 17 == 4 {
                // Too long for the reader's bound, with a case's id in front
                let long = case(
                    &format!("S-{}", (i * 37 + 74) % m),
                    2025,
                    &format!(
                        ",\"selected\":true,\"score\":1,\"pad\":\"{}\"",
                        "x".repeat(900)
                    ),
                );
                out.extend_from_slice(long.as_bytes());
                out.push(b'\n');
            }
            if i % 19 == 7 {
                // An id given twice: no id the general reader takes
                out.extend_from_slice(
                    case(
                        "S-5",
                        2025,
                        ",\"id\":\"S-6\",\"selected\":true,\"score\":99",
                    )
                    .as_bytes(),
                );
                out.push(b'\n');
            }
        }
        // A repeat of the first case (its decision kept), and of T-15 (a line that is not
        // UTF-8 gave that id first: the valid T-15 is no repeat of it, this one is)
        out.extend_from_slice(case("S-0", 2026, ",\"selected\":true,\"score\":-1.5").as_bytes());
        out.extend_from_slice(b"\n");
        out.extend_from_slice(
            b"{\"id\":\"T-15\",\"year\":2025,\"kind\":\"talent_team\",\"applicant\":{\"name\":\"B\",\"in_city\":true},\"tier\":1}",
        );
        out
    }

    /// The file streamed and decided in memory, each as `Shown` writes it
    fn streamed_and_whole(
        engine: &Engine,
        bytes: &[u8],
        hash: fn(&str) -> u64,
    ) -> (String, String) {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let ext = if bytes.starts_with(b"id,") {
            "csv"
        } else {
            "jsonl"
        };
        let path =
            std::env::temp_dir().join(format!("stream-kept-{}-{n}.{ext}", std::process::id()));
        assert!(std::fs::write(&path, bytes).is_ok());
        let Ok(file) = InputFile::new(&path, None) else {
            panic!("a .jsonl name");
        };
        let file = file.with_max_line_bytes(600);
        let mut out = Vec::new();
        let mut write = |b: &[u8]| -> io::Result<()> {
            out.extend_from_slice(b);
            Ok(())
        };
        let result = engine.stream(&file, &Shown, &mut write, &mut |_| {}, hash);
        assert!(result.is_ok());
        let Ok(apps) = file.read_all() else {
            panic!("the file reads");
        };
        let _ = std::fs::remove_file(&path);
        let decisions = engine.decide(&apps);
        let mut whole = Vec::new();
        for (n, d) in decisions.iter().enumerate() {
            Shown.render(n, d, &mut whole);
        }
        whole.extend(Shown.end(decisions.len(), &engine.totals(&decisions)));
        (
            String::from_utf8(out).unwrap_or_default(),
            String::from_utf8(whole).unwrap_or_default(),
        )
    }

    fn assert_same(engine: &Engine, what: &str, cases: usize) {
        let bytes = kept_case_file(cases);
        for hash in [id_hash as fn(&str) -> u64, |_| 0, |id| id.len() as u64] {
            let (streamed, whole) = streamed_and_whole(engine, &bytes, hash);
            for (n, (a, b)) in streamed.lines().zip(whole.lines()).enumerate() {
                assert_eq!(a, b, "{what}: decision {n}");
            }
            assert_eq!(streamed, whole, "{what}");
        }
    }

    /// The same over several chunks and many pieces of a chunk: kept decisions handed to the
    /// chunk and the piece their records are in
    #[test]
    fn kept_decisions_across_chunks_finish_as_the_file_decided_whole() {
        assert_same(&shipped_pack(), "chunks", 12_000);
    }

    /// A copy of the shipped pack in a temporary directory
    fn pack_copy() -> tempfile::TempDir {
        fn copy(from: &std::path::Path, to: &std::path::Path) {
            assert!(std::fs::create_dir_all(to).is_ok());
            let Ok(entries) = std::fs::read_dir(from) else {
                panic!("the pack's directory");
            };
            for entry in entries.flatten() {
                let target = to.join(entry.file_name());
                if entry.path().is_dir() {
                    copy(&entry.path(), &target);
                } else {
                    assert!(std::fs::copy(entry.path(), target).is_ok());
                }
            }
        }
        let Ok(dir) = tempfile::tempdir() else {
            panic!("a temporary directory");
        };
        let from = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../policies/suzhou-future-industries"
        );
        copy(std::path::Path::new(from), dir.path());
        dir
    }

    /// The same where the limited clause reads another clause's awards (`depends_on`): its
    /// decisions, kept by the first pass, are made with the awards read before it
    #[test]
    fn kept_decisions_of_a_clause_reading_others_finish_as_the_file_decided_whole() {
        let dir = pack_copy();
        let path = |p: &str| dir.path().join(p);
        let append = |p: &str, text: &str| {
            let Ok(mut yaml) = std::fs::read_to_string(path(p)) else {
                panic!("{p}");
            };
            yaml.push_str(text);
            assert!(std::fs::write(path(p), yaml).is_ok());
        };
        append("pack.yaml", "\napplicant: [applicant.name]\n");
        let Ok(yaml) = std::fs::read_to_string(path("clauses/scenario-case.yaml")) else {
            panic!("the clause");
        };
        let yaml = yaml.replace(
            "count_limit:",
            "  on_team:\n    value: 1%\n    unit: ratio\n    description: 同年获人才团队支持的，另按其比例加给\ndepends_on: [talent-team]\ncount_limit:",
        );
        assert!(std::fs::write(path("clauses/scenario-case.yaml"), yaml).is_ok());
        let Ok(script) = std::fs::read_to_string(path("clauses/scenario-case.rhai")) else {
            panic!("the script");
        };
        let script = script.replace(
            "award(params.award,",
            "award(params.award + others.amount(\"talent-team\") * params.on_team,",
        );
        assert!(std::fs::write(path("clauses/scenario-case.rhai"), script).is_ok());
        let engine = match Engine::load(dir.path()) {
            Ok(engine) => engine,
            Err(e) => panic!("the pack loads: {e}"),
        };
        assert!(decided::any(engine.pack()));
        assert_same(&engine, "depends on", 300);
        // Some cases had a team's award added: 200,000 + 1% of 3,000,000
        let (streamed, _) = streamed_and_whole(&engine, &kept_case_file(300), id_hash);
        assert!(streamed.contains("\"230000.00\""), "{streamed}");
    }

    /// The same from a CSV file, whose records come parsed
    #[test]
    fn kept_decisions_from_a_csv_finish_as_the_file_decided_whole() {
        let mut text =
            String::from("id,year,kind,applicant.name,applicant.in_city,selected,score\n");
        let scores = ["88.5", "88.50", "90", "", "90.000", "-1", "x"];
        for i in 0..700 {
            let id = if i % 10 == 9 { i - 3 } else { i } * 37 % 701;
            let kind = if i % 7 == 3 {
                "talent_team"
            } else {
                "scenario_case"
            };
            let selected = i % 11 != 4;
            text.push_str(&format!(
                "S-{id},{},{kind},A{i},true,{selected},{}\n",
                2025 + i % 2,
                scores[i % scores.len()]
            ));
            if i % 50 == 0 {
                text.push('\n');
            }
        }
        let engine = shipped_pack();
        for hash in [id_hash as fn(&str) -> u64, |_| 0] {
            let (streamed, whole) = streamed_and_whole(&engine, text.as_bytes(), hash);
            assert_eq!(streamed, whole);
            assert!(streamed.contains("capped") && streamed.contains("重复"));
        }
    }

    /// A plain stream, whose second pass finishes the decisions its first pass kept, writes
    /// what deciding the file in memory writes: in both languages, under one rank key or two
    #[test]
    fn kept_decisions_finish_as_the_file_decided_whole() {
        let engine = shipped_pack();
        let ci = crate::decide::engine::limited_clause(&engine);
        assert_same(&engine, "zh", 60);
        let mut en = engine.clone();
        en.set_language(crate::model::lang::Lang::En);
        assert_same(&en, "en", 60);
        for lang in [crate::model::lang::Lang::Zh, crate::model::lang::Lang::En] {
            let mut two = engine.clone();
            two.set_language(lang);
            if let Some(limit) = two.pack.clauses[ci].count_limit.as_mut() {
                limit.per.clear();
                limit.rank_by = vec![
                    crate::model::pack::RankKey {
                        field: "score".into(),
                        order: crate::model::pack::RankOrder::Asc,
                    },
                    crate::model::pack::RankKey {
                        field: "year".into(),
                        order: crate::model::pack::RankOrder::Desc,
                    },
                ];
            }
            assert_same(&two, "two keys", 60);
        }
    }
}
