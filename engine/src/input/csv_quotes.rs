//! The quotes of a CSV record, checked on its raw bytes before its cells are trusted.
//!
//! The `csv` crate is lenient: a quote inside an unquoted field is kept as text, and a quote
//! that opens a field and is never closed takes every later line into that one field, so rows
//! vanish with no error. Here a record's quotes must balance as RFC 4180 says, or the whole
//! input is refused at the quote's line and column: one record read wrongly would shift every
//! record after it.

use std::cell::RefCell;
use std::io::{self, Read};
use std::rc::Rc;

use crate::model::pos::Pos;

/// How to write a quote that belongs to the text, said in every error
const HOW: &str = "a field with a quote in its text is quoted whole, and each quote inside it \
                   doubled: \"宿州\"\"某\"\"团队\"";

/// Checks the quotes of one record: `raw` is its bytes as read (a terminator, or blank lines
/// before it, may be included), starting on line `line`.
///
/// A quoted field may hold line breaks, but not a line break followed by a comma: that is a
/// quote left open, running into the next records.
///
/// # Errors
/// The place of the quote at fault, and what is wrong.
pub(crate) fn check(raw: &[u8], line: usize) -> Result<(), (Pos, String)> {
    let mut line = line;
    let mut line_start = 0;
    let col = |line_start: usize, i: usize| {
        let chars = raw[line_start..=i]
            .iter()
            .filter(|b| (**b & 0xC0) != 0x80)
            .count();
        // A byte-order mark at the start of the file is not a column.
        let bom = raw[line_start..].starts_with("\u{feff}".as_bytes()) && i > line_start;
        chars - usize::from(bom)
    };
    // Blank lines before the record.
    let mut i = 0;
    while i < raw.len() && matches!(raw[i], b'\r' | b'\n') {
        if raw[i] == b'\n' {
            line += 1;
            line_start = i + 1;
        }
        i += 1;
    }
    let mut open: Option<Pos> = None;
    let mut broke_line = false;
    let mut field_start = true;
    let mut closed = false;
    while i < raw.len() {
        let b = raw[i];
        let here = || Pos {
            line,
            col: col(line_start, i),
        };
        if let Some(at) = open {
            match b {
                b'"' if raw.get(i + 1) == Some(&b'"') => i += 1,
                b'"' => {
                    open = None;
                    closed = true;
                }
                b'\n' => {
                    broke_line = true;
                    line += 1;
                    line_start = i + 1;
                }
                b',' if broke_line => {
                    return Err((
                        at,
                        format!(
                            "unbalanced quote: the field this quote opens is not closed on line \
                             {} and runs on into the next records; close it on its line, or, if \
                             the quote is text, {HOW}",
                            at.line
                        ),
                    ))
                }
                _ => {}
            }
        } else {
            match b {
                b',' => {
                    field_start = true;
                    closed = false;
                    i += 1;
                    continue;
                }
                b'\r' | b'\n' => return Ok(()),
                _ if closed => {
                    return Err((
                        here(),
                        format!(
                            "unbalanced quote: text after the quote that closes a field; {HOW}"
                        ),
                    ))
                }
                b'"' if field_start => {
                    open = Some(here());
                    broke_line = false;
                }
                b'"' => {
                    return Err((
                        here(),
                        format!(
                            "unbalanced quote: a quote inside a field that does not start with \
                             one; {HOW}"
                        ),
                    ))
                }
                _ => {}
            }
            field_start = false;
        }
        i += 1;
    }
    match open {
        Some(at) => Err((
            at,
            format!(
                "unbalanced quote: the field this quote opens is never closed, and would take \
                 every later line; close it on its line, or, if the quote is text, {HOW}"
            ),
        )),
        None => Ok(()),
    }
}

/// A reader that keeps a copy of what it reads, so the raw bytes of a record the `csv` crate
/// has read can be checked: the copy from `base` (a byte offset in the input) on
pub(crate) struct Tee<R> {
    inner: R,
    seen: Rc<RefCell<Vec<u8>>>,
}

impl<R> Tee<R> {
    pub(crate) fn new(inner: R) -> (Tee<R>, Raw) {
        let seen = Rc::new(RefCell::new(Vec::new()));
        (
            Tee {
                inner,
                seen: seen.clone(),
            },
            Raw { seen, base: 0 },
        )
    }
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.seen.borrow_mut().extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

/// The bytes a [`Tee`] has read and not yet let go
pub(crate) struct Raw {
    seen: Rc<RefCell<Vec<u8>>>,
    base: u64,
}

impl Raw {
    /// Checks the record from byte `start` to byte `end` (starting on `line`); the bytes
    /// before `end` are not needed again
    pub(crate) fn check(&mut self, start: u64, end: u64, line: usize) -> Result<(), (Pos, String)> {
        let mut seen = self.seen.borrow_mut();
        let from = usize::try_from(start.saturating_sub(self.base)).unwrap_or(usize::MAX);
        let to = usize::try_from(end.saturating_sub(self.base)).unwrap_or(usize::MAX);
        let to = to.min(seen.len());
        let result = check(&seen[from.min(to)..to], line);
        // Let go in steps of 64 KiB or more, not after every record: each step moves the
        // bytes read ahead to the front.
        if to >= 1 << 16 {
            seen.drain(..to);
            self.base += to as u64;
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn quotes() {
        assert!(check(b"a,\"b\"\"c\",d\r\n", 2).is_ok());
        assert!(check(b"a,\"b\nc\",d\n", 2).is_ok());
        assert!(check(b"\n\na,b\n", 2).is_ok());
        let at = |raw: &[u8]| check(raw, 2).map_err(|(p, _)| (p.line, p.col));
        assert_eq!(at(b"a,b\"c,d\n"), Err((2, 4)));
        assert_eq!(at(b"a,\"b,c\nd,e\n"), Err((2, 3)));
        assert_eq!(at(b"a,\"b"), Err((2, 3)));
        assert_eq!(at(b"a,\"b\"c,d"), Err((2, 6)));
        assert_eq!(at("\n宿州,\"x".as_bytes()), Err((3, 4)));
    }
}
