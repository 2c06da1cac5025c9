//! Errors of loading a pack: each names the file and, where known, the line and column.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::model::lang::Lang;
use crate::model::pos::Pos;

/// One thing wrong with a pack
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoadError {
    /// The file at fault, as the pack was opened
    pub file: PathBuf,
    /// Line and column, when known
    pub pos: Option<Pos>,
    /// What is wrong, starting lowercase, in English
    pub message: String,
    /// The same in Chinese, where the message has been written in both
    pub message_zh: Option<String>,
}

impl LoadError {
    /// An error in a file, at a position if known
    pub fn new(file: &Path, pos: Option<Pos>, message: String) -> LoadError {
        LoadError {
            file: file.to_path_buf(),
            pos,
            message,
            message_zh: None,
        }
    }

    /// An error written in both languages
    pub fn both(file: &Path, pos: Option<Pos>, zh: String, en: String) -> LoadError {
        LoadError {
            file: file.to_path_buf(),
            pos,
            message: en,
            message_zh: Some(zh),
        }
    }

    /// What is wrong in `lang`: English where no Chinese was written
    pub fn message_in(&self, lang: Lang) -> &str {
        match (lang, &self.message_zh) {
            (Lang::Zh, Some(zh)) => zh,
            _ => &self.message,
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pos {
            Some(p) => write!(f, "{}:{}: {}", self.file.display(), p, self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl std::error::Error for LoadError {}

/// Everything wrong with a pack, in the order found (a pack is checked whole, not to the
/// first error)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadErrors(pub Vec<LoadError>);

impl LoadErrors {
    pub(crate) fn push(&mut self, e: LoadError) {
        self.0.push(e);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadErrors {}
