//! A place in a text file: line and column, both from 1.

use std::fmt;

/// A position in a text file: 1-based line and column (columns count characters)
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    /// Line, from 1
    pub line: usize,
    /// Column, from 1, in characters
    pub col: usize,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}
