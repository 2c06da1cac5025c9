//! Output files written whole or not at all: under a temporary name, renamed when complete.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A file written under a temporary name and renamed when complete, so an interrupted run
/// never leaves half an output behind (and a previous output stays whole until then)
pub struct AtomicFile {
    tmp: PathBuf,
    path: PathBuf,
    file: Option<io::BufWriter<std::fs::File>>,
}

impl AtomicFile {
    pub fn create(path: &Path) -> Result<AtomicFile, String> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into());
        let tmp = path.with_file_name(format!(".{name}.{}.partial", std::process::id()));
        let file = std::fs::File::create(&tmp)
            .map_err(|e| format!("error: cannot write {}: {e}", tmp.display()))?;
        Ok(AtomicFile {
            tmp,
            path: path.to_path_buf(),
            file: Some(io::BufWriter::with_capacity(1 << 20, file)),
        })
    }

    pub fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        match &mut self.file {
            Some(f) => f.write_all(bytes),
            None => Err(io::Error::other("already finished")),
        }
    }

    /// Flushes, syncs and renames into place
    pub fn finish(mut self) -> Result<(), String> {
        let Some(f) = self.file.take() else {
            return Ok(());
        };
        let file = f
            .into_inner()
            .map_err(|e| format!("error: cannot write {}: {e}", self.tmp.display()))?;
        file.sync_all()
            .and_then(|_| std::fs::rename(&self.tmp, &self.path))
            .map_err(|e| format!("error: cannot write {}: {e}", self.path.display()))
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        // Not finished: the partial file goes, the previous output stays.
        if self.file.is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}
