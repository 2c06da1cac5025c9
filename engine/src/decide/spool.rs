//! Decisions kept between the two passes of a settled stream, in a compact binary form, in an
//! unnamed temporary file.
//!
//! Settlement needs every decision of an applicant before any is final. Deciding the file
//! twice cost twice the parsing; instead the first pass writes each decision here as it is
//! made, and the second reads them back, applies what the ranks and settlement found, and
//! renders. The file has no name (`tempfile::tempfile`): nothing is left behind, even when the
//! process is killed.
//!
//! Most decisions leave pass 1 final: their record carries the decision already rendered for
//! the output, and pass 2 copies those bytes. A decision a rank or a rule may still change (an
//! award of a limited or settled clause) carries the decision itself instead, finished and
//! rendered in pass 2.
//!
//! A record: its length (u32); status (u8), clause index (u16, `u16::MAX` none) and amount
//! (16 bytes, `Decimal::serialize`) for the counts; the id and the kind as written (optional
//! strings, for a repeat's error); the rendered bytes (a string); then a flag (u8) and, if set,
//! what the decision needs beyond those: its reasons (a list of strings) and its group under
//! each settlement rule (a list of optional strings, `u32::MAX - 1` for "the same as the last
//! group given"). Its id is the record's; its kind and clause are its clause's; the outcomes it
//! reached are not kept, as no stream writes them. Strings are a u32 length and UTF-8 bytes;
//! `u32::MAX` is "none".
//!
//! A plain stream's first pass keeps its decisions on limited clauses' applications as such
//! records too, in memory, for its second pass to finish.

use std::io::{self, Read, Seek, Write};

use rust_decimal::Decimal;

use crate::model::decision::{Decision, Status};

const NONE: u32 = u32::MAX;

/// In a list of groups: the same group as the one before (rules that group alike share one;
/// written once, a settled million's spool was 40 MB smaller)
const SAME: u32 = u32::MAX - 1;

/// One record read back: what the counts and a repeat need, the rendered decision, and the
/// decision itself where it may still change (read only if it does)
pub(crate) struct Record<'a> {
    pub(crate) status: Status,
    pub(crate) clause: Option<usize>,
    pub(crate) amount: Decimal,
    /// The id and the kind as written, as bytes: checked to be text only when read (a repeat's
    /// error needs them; checking two short texts of every record was 1% of a settled run)
    id: Option<&'a [u8]>,
    written_kind: Option<&'a [u8]>,
    pub(crate) rendered: &'a [u8],
    full: Option<&'a [u8]>,
}

impl<'a> Record<'a> {
    /// The application's id; `None` where it had none, or the bytes are not text
    pub(crate) fn id(&self) -> Option<&'a str> {
        simdutf8::basic::from_utf8(self.id?).ok()
    }

    /// The kind as the application wrote it
    pub(crate) fn written_kind(&self) -> Option<&'a str> {
        simdutf8::basic::from_utf8(self.written_kind?).ok()
    }

    /// Whether it carries its decision
    pub(crate) fn has_decision(&self) -> bool {
        self.full.is_some()
    }

    /// The decision it carries read into `d` and, where asked, its groups into `groups`
    /// (only a decision a rule changed needs them), reusing the
    /// strings they already hold: pass 2 reads back about as many decisions as a million
    /// applications have awards, and a fresh string for each of their texts was most of its
    /// allocations. `None` (and `d` unspecified) if there is none or it does not read.
    ///
    /// `kind` and `clause` are those of the record's clause (the caller knows the pack).
    pub(crate) fn decision_into(
        &self,
        d: &mut Decision,
        groups: Option<&mut Vec<Option<String>>>,
        (kind, clause): (&str, &str),
    ) -> Option<()> {
        let mut r = Reader {
            buf: self.full?,
            at: 0,
        };
        let set = |slot: &mut Option<String>, text: &str| match slot {
            Some(into) => {
                into.clear();
                into.push_str(text);
            }
            None => *slot = Some(text.to_string()),
        };
        set(&mut d.id, self.id()?);
        set(&mut d.kind, kind);
        set(&mut d.clause, clause);
        r.fill_list(&mut d.reasons)?;
        d.reached.clear();
        d.status = self.status;
        d.amount = self.amount;
        d.rank = None;
        let Some(groups) = groups else {
            return Some(());
        };
        let n = r.u32()? as usize;
        groups.truncate(n);
        let mut last: Option<usize> = None;
        for k in 0..n {
            if r.buf.get(r.at..r.at + 4) == Some(&SAME.to_le_bytes()[..]) {
                r.at += 4;
                let same = last.and_then(|l| groups.get(l)).cloned().flatten();
                match groups.get_mut(k) {
                    Some(g) => *g = same,
                    None => groups.push(same),
                }
                continue;
            }
            match groups.get_mut(k) {
                Some(g) => r.fill(g)?,
                None => groups.push(r.string()?),
            }
            if groups.get(k).is_some_and(Option::is_some) {
                last = Some(k);
            }
        }
        Some(())
    }
}

/// A decision to read records into ([`Record::decision_into`]), its strings then reused
pub(crate) fn scratch() -> Decision {
    Decision {
        id: None,
        kind: None,
        clause: None,
        status: Status::Error,
        amount: Decimal::ZERO,
        reasons: Vec::new(),
        rank: None,
        reached: Vec::new(),
    }
}

fn status_code(s: Status) -> u8 {
    match s {
        Status::Awarded => 0,
        Status::Ineligible => 1,
        Status::Capped => 2,
        Status::Superseded => 3,
        Status::Error => 4,
    }
}

fn status_of(code: u8) -> Option<Status> {
    Some(match code {
        0 => Status::Awarded,
        1 => Status::Ineligible,
        2 => Status::Capped,
        3 => Status::Superseded,
        4 => Status::Error,
        _ => return None,
    })
}

fn put_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        // A string over 4 GiB cannot come from one bounded input line; cut rather than wrap.
        Some(s) => {
            let n = u32::try_from(s.len()).unwrap_or(SAME - 1).min(SAME - 1);
            out.extend_from_slice(&n.to_le_bytes());
            out.extend_from_slice(&s.as_bytes()[..n as usize]);
        }
        None => out.extend_from_slice(&NONE.to_le_bytes()),
    }
}

fn put_list(out: &mut Vec<u8>, list: &[String]) {
    out.extend_from_slice(&(list.len() as u32).to_le_bytes());
    for s in list {
        put_str(out, Some(s));
    }
}

/// What one record holds: the decision (final amount), its clause's index, the kind as
/// written, and, where it may still change, its groups under the rules; `render` appends the
/// decision as the output has it
pub(crate) struct Entry<'a> {
    pub(crate) decision: &'a Decision,
    pub(crate) clause: Option<usize>,
    pub(crate) written_kind: Option<&'a str>,
    pub(crate) full: Option<&'a [Option<String>]>,
}

/// Appends one record to `out`, the decision rendered by `render` straight into it
pub(crate) fn write(out: &mut Vec<u8>, e: &Entry<'_>, render: &mut dyn FnMut(&mut Vec<u8>)) {
    let d = e.decision;
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    out.push(status_code(d.status));
    let clause = e
        .clause
        .and_then(|c| u16::try_from(c).ok())
        .unwrap_or(u16::MAX);
    out.extend_from_slice(&clause.to_le_bytes());
    out.extend_from_slice(&d.amount.serialize());
    put_str(out, d.id.as_deref());
    put_str(out, e.written_kind);
    // A record that keeps its decision is rendered in pass 2 from it: not twice in the file.
    let at = out.len();
    out.extend_from_slice(&[0; 4]);
    if e.full.is_none() {
        render(out);
    }
    let n = u32::try_from(out.len() - at - 4).unwrap_or(NONE - 1);
    out[at..at + 4].copy_from_slice(&n.to_le_bytes());
    match e.full {
        None => out.push(0),
        Some(groups) => {
            // Only what pass 2 cannot know otherwise: the id is the record's own, and a kept
            // decision is a checked award, whose kind and clause are its clause's. The coverage
            // keys are not kept: no stream writes them.
            out.push(1);
            put_list(out, &d.reasons);
            out.extend_from_slice(&(groups.len() as u32).to_le_bytes());
            let mut last: Option<&str> = None;
            for g in groups {
                match g.as_deref() {
                    Some(g) if last == Some(g) => out.extend_from_slice(&SAME.to_le_bytes()),
                    g => {
                        put_str(out, g);
                        last = g.or(last);
                    }
                }
            }
        }
    }
    let len = (out.len() - start - 4) as u32;
    out[start..start + 4].copy_from_slice(&len.to_le_bytes());
}

/// Reads records back from a buffer
struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.buf.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn bytes(&mut self) -> Option<Option<&'a [u8]>> {
        match self.u32()? {
            NONE => Some(None),
            n => Some(Some(self.take(n as usize)?)),
        }
    }

    fn str(&mut self) -> Option<Option<&'a str>> {
        match self.bytes()? {
            None => Some(None),
            // Reasons are long and mostly Chinese: the vectorised check is many times faster.
            Some(b) => Some(Some(simdutf8::basic::from_utf8(b).ok()?)),
        }
    }

    fn string(&mut self) -> Option<Option<String>> {
        Some(self.str()?.map(str::to_string))
    }

    /// An optional string read into `slot`, its string reused
    fn fill(&mut self, slot: &mut Option<String>) -> Option<()> {
        match (self.str()?, slot.as_mut()) {
            (Some(s), Some(into)) => {
                into.clear();
                into.push_str(s);
            }
            (s, _) => *slot = s.map(str::to_string),
        }
        Some(())
    }

    /// A list of strings read into `out`, its strings reused
    fn fill_list(&mut self, out: &mut Vec<String>) -> Option<()> {
        let n = self.u32()? as usize;
        out.truncate(n);
        for k in 0..n {
            let s = self.str()??;
            match out.get_mut(k) {
                Some(into) => {
                    into.clear();
                    into.push_str(s);
                }
                None => out.push(s.to_string()),
            }
        }
        Some(())
    }
}

/// One record (without its length) read back; `None` if it is not a record this module wrote
pub(crate) fn read(record: &[u8]) -> Option<Record<'_>> {
    let mut r = Reader { buf: record, at: 0 };
    let status = status_of(r.take(1)?[0])?;
    let clause = match u16::from_le_bytes(r.take(2)?.try_into().ok()?) {
        u16::MAX => None,
        c => Some(usize::from(c)),
    };
    let amount = Decimal::deserialize(r.take(16)?.try_into().ok()?);
    let id = r.bytes()?;
    let written_kind = r.bytes()?;
    let rendered = r.bytes()?.unwrap_or_default();
    let full = match r.take(1)?[0] {
        0 => None,
        _ => Some(&record[r.at..]),
    };
    Some(Record {
        status,
        clause,
        amount,
        id,
        written_kind,
        rendered,
        full,
    })
}

/// The spool file: written through once, then read back in blocks of whole records. Pieces
/// of a few hundred KiB are written as they come, not through a buffer: copying them into one
/// first was a copy of every byte spooled.
pub(crate) struct Spool {
    file: std::fs::File,
}

/// How much is read back at a time
const READ: usize = 1 << 20;

impl Spool {
    /// A new, unnamed spool in the system's temporary directory
    pub(crate) fn new() -> io::Result<Spool> {
        Ok(Spool {
            file: tempfile::tempfile()?,
        })
    }

    /// Appends records written by [`write`]
    pub(crate) fn append(&mut self, records: &[u8]) -> io::Result<()> {
        self.file.write_all(records)
    }

    /// Reads every record back in order, handing blocks of whole records (each with its length
    /// prefix) to `each`
    pub(crate) fn read_back(
        self,
        each: &mut dyn FnMut(&[u8]) -> io::Result<bool>,
    ) -> io::Result<()> {
        let mut file = self.file;
        file.rewind()?;
        let mut block: Vec<u8> = Vec::with_capacity(2 * READ);
        loop {
            // Read straight into the block, after what is left of the last read (`read_to_end`
            // fills spare capacity without zeroing it first).
            let n = (&mut file).take(READ as u64).read_to_end(&mut block)?;
            if n == 0 {
                break;
            }
            let whole = whole_records(&block);
            if whole > 0 {
                if !each(&block[..whole])? {
                    return Ok(());
                }
                block.drain(..whole);
            }
        }
        if block.is_empty() {
            Ok(())
        } else {
            Err(io::Error::other("the spool ends inside a record"))
        }
    }
}

/// How many bytes at the start of `block` are whole records
fn whole_records(block: &[u8]) -> usize {
    let mut at = 0;
    while let Some(len) = block.get(at..at + 4) {
        let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
        if block.len() < at + 4 + len {
            break;
        }
        at += 4 + len;
    }
    at
}

/// The records of a block of whole records, each without its length prefix
pub(crate) fn records(block: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(len) = block.get(at..at + 4) {
        let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
        let Some(rec) = block.get(at + 4..at + 4 + len) else {
            break;
        };
        out.push(rec);
        at += 4 + len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decision_comes_back_as_it_went() {
        let d = Decision {
            id: Some("A-1".into()),
            kind: Some("rd_platform".into()),
            clause: Some("rd-platform".into()),
            status: Status::Superseded,
            amount: "123.45".parse().unwrap_or_default(),
            reasons: vec!["一".into(), String::new()],
            rank: None,
            // Not kept (no stream writes it): comes back empty
            reached: Vec::new(),
        };
        let mut buf = Vec::new();
        let groups = [None, Some("year=2025".to_string())];
        let entry = |full| Entry {
            decision: &d,
            clause: Some(1),
            written_kind: Some("rd_platform"),
            full,
        };
        let mut render = |out: &mut Vec<u8>| out.extend_from_slice(b"{...}");
        write(&mut buf, &entry(Some(&groups)), &mut render);
        let first = buf.len();
        write(&mut buf, &entry(None), &mut render);
        assert_eq!(whole_records(&buf), buf.len());
        // A cut-off second record: only the first is whole.
        assert_eq!(whole_records(&buf[..buf.len() - 1]), first);
        let recs = records(&buf);
        assert_eq!(recs.len(), 2);
        let Some(r) = read(recs[0]) else {
            panic!("the first record reads");
        };
        assert_eq!(
            (
                r.status,
                r.clause,
                r.amount,
                r.id(),
                r.written_kind(),
                r.rendered
            ),
            (
                d.status,
                Some(1),
                d.amount,
                Some("A-1"),
                Some("rd_platform"),
                &b""[..]
            )
        );
        // Read into a decision that holds other strings already: they are all replaced.
        let mut back = Decision {
            id: Some("B-22".into()),
            kind: Some("k".into()),
            clause: None,
            status: Status::Error,
            amount: Decimal::ZERO,
            reasons: vec!["x".into(), "y".into(), "z".into()],
            rank: None,
            reached: Vec::new(),
        };
        let mut back_groups = vec![Some("a".to_string()), None, None];
        assert_eq!(
            r.decision_into(
                &mut back,
                Some(&mut back_groups),
                ("rd_platform", "rd-platform")
            ),
            Some(())
        );
        assert_eq!((back, back_groups), (d.clone(), groups.to_vec()));
        let plain = read(recs[1]).map(|r| (r.has_decision(), r.rendered));
        assert_eq!(plain, Some((false, &b"{...}"[..])));
        assert!(read(&recs[1][..recs[1].len() - 3]).is_none());
    }
}
