//! Decisions kept between the two passes of a settled stream, in a compact binary form, in an
//! unnamed temporary file.
//!
//! Settlement needs every decision of an applicant before any is final. Deciding the file
//! twice cost twice the parsing; instead the first pass writes each decision here as it is
//! made, and the second reads them back, applies what the ranks and settlement found, and
//! renders. The file has no name (`tempfile::tempfile`): nothing is left behind, even when the
//! process is killed.
//!
//! A record: its length (u32), then status (u8), amount (16 bytes, `Decimal::serialize`), and
//! the id, the kind as written, the kind, the clause (each an optional string), the reasons and
//! the outcomes reached (each a list of strings), and the decision's group under each settlement
//! rule (a list of optional strings, empty when no rule looks at it). Strings are a u32 length
//! and UTF-8 bytes; `u32::MAX` is "none".

use std::io::{self, Read, Seek, Write};

use rust_decimal::Decimal;

use crate::model::decision::{Decision, Status};

const NONE: u32 = u32::MAX;

/// A decision and the kind its application was written with (for a repeat's error)
pub(crate) struct Spooled {
    pub(crate) decision: Decision,
    pub(crate) written_kind: Option<String>,
    /// Its group key under each settlement rule, for the reasons settlement writes
    pub(crate) groups: Vec<Option<String>>,
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
            let n = u32::try_from(s.len()).unwrap_or(NONE - 1);
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

/// Appends one decision's record to `out`
pub(crate) fn write(
    out: &mut Vec<u8>,
    d: &Decision,
    written_kind: Option<&str>,
    groups: &[Option<String>],
) {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    out.push(status_code(d.status));
    out.extend_from_slice(&d.amount.serialize());
    put_str(out, d.id.as_deref());
    put_str(out, written_kind);
    put_str(out, d.kind.as_deref());
    put_str(out, d.clause.as_deref());
    put_list(out, &d.reasons);
    put_list(out, &d.reached);
    out.extend_from_slice(&(groups.len() as u32).to_le_bytes());
    for g in groups {
        put_str(out, g.as_deref());
    }
    let len = (out.len() - start - 4) as u32;
    out[start..start + 4].copy_from_slice(&len.to_le_bytes());
}

/// Reads records back from a buffer
struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let s = self.buf.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn string(&mut self) -> Option<Option<String>> {
        match self.u32()? {
            NONE => Some(None),
            n => Some(Some(
                String::from_utf8(self.take(n as usize)?.to_vec()).ok()?,
            )),
        }
    }

    fn list(&mut self) -> Option<Vec<String>> {
        let n = self.u32()? as usize;
        let mut out = Vec::with_capacity(n.min(64));
        for _ in 0..n {
            out.push(self.string()??);
        }
        Some(out)
    }
}

/// One record (without its length) read back; `None` if it is not a record this module wrote
pub(crate) fn read(record: &[u8]) -> Option<Spooled> {
    let mut r = Reader { buf: record, at: 0 };
    let status = status_of(r.take(1)?[0])?;
    let amount = Decimal::deserialize(r.take(16)?.try_into().ok()?);
    let id = r.string()?;
    let written_kind = r.string()?;
    let kind = r.string()?;
    let clause = r.string()?;
    let reasons = r.list()?;
    let reached = r.list()?;
    let n = r.u32()? as usize;
    let mut groups = Vec::with_capacity(n.min(64));
    for _ in 0..n {
        groups.push(r.string()?);
    }
    Some(Spooled {
        decision: Decision {
            id,
            kind,
            clause,
            status,
            amount,
            reasons,
            rank: None,
            reached,
        },
        written_kind,
        groups,
    })
}

/// The spool file: written through once, then read back in blocks of whole records
pub(crate) struct Spool {
    file: io::BufWriter<std::fs::File>,
}

impl Spool {
    /// A new, unnamed spool in the system's temporary directory
    pub(crate) fn new() -> io::Result<Spool> {
        Ok(Spool {
            file: io::BufWriter::with_capacity(1 << 20, tempfile::tempfile()?),
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
        let mut file = self.file.into_inner().map_err(|e| e.into_error())?;
        file.rewind()?;
        let mut block: Vec<u8> = Vec::with_capacity(2 << 20);
        let mut chunk = vec![0u8; 1 << 20];
        loop {
            let n = file.read(&mut chunk)?;
            if n == 0 {
                break;
            }
            block.extend_from_slice(&chunk[..n]);
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
            kind: None,
            clause: Some("rd-platform".into()),
            status: Status::Superseded,
            amount: "123.45".parse().unwrap_or_default(),
            reasons: vec!["一".into(), String::new()],
            rank: None,
            reached: vec!["rule:x:superseded".into()],
        };
        let mut buf = Vec::new();
        write(
            &mut buf,
            &d,
            Some("rd_platform"),
            &[None, Some("year=2025".into())],
        );
        let first = buf.len();
        write(&mut buf, &d, None, &[]);
        assert_eq!(whole_records(&buf), buf.len());
        // A cut-off second record: only the first is whole.
        assert_eq!(whole_records(&buf[..buf.len() - 1]), first);
        let recs = records(&buf);
        assert_eq!(recs.len(), 2);
        let back = read(recs[0]).map(|s| (s.decision, s.written_kind, s.groups));
        assert_eq!(
            back,
            Some((
                d.clone(),
                Some("rd_platform".into()),
                vec![None, Some("year=2025".into())]
            ))
        );
        assert!(read(&recs[1][..recs[1].len() - 1]).is_none());
    }
}
