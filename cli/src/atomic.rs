//! Output files written whole or not at all.
//!
//! Written under a temporary name in the same directory, renamed into place when complete.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// A file written under a temporary name and renamed when complete, so an interrupted run
/// never leaves half an output behind (and a previous output stays whole until then). Not
/// finished, it is dropped with its temporary file.
pub struct AtomicFile {
    path: PathBuf,
    file: BufWriter<NamedTempFile>,
    /// Bytes written since the flusher was last asked to sync
    unsynced: u64,
    flusher: Option<Flusher>,
}

/// Syncs what was written so far on a thread of its own while writing goes on, so the sync
/// that ends the file waits only for its last part (a large output's one sync at the end was
/// a tenth of a second on a disk, with nothing else to do meanwhile)
struct Flusher {
    ask: std::sync::mpsc::SyncSender<()>,
    done: std::thread::JoinHandle<io::Result<()>>,
}

/// How much is written between two syncs of a large output
const SYNC_EVERY: u64 = 32 << 20;

impl Flusher {
    fn start(file: &std::fs::File) -> io::Result<Flusher> {
        let file = file.try_clone()?;
        let (ask, asked) = std::sync::mpsc::sync_channel::<()>(1);
        let done = std::thread::spawn(move || {
            for () in asked {
                file.sync_data()?;
            }
            Ok(())
        });
        Ok(Flusher { ask, done })
    }

    /// Waits for the syncs asked for; the first error, if any
    fn stop(self) -> io::Result<()> {
        drop(self.ask);
        self.done
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the sync thread stopped")))
    }
}

impl AtomicFile {
    /// # Errors
    /// An output that exists and is not a regular file (a symbolic link, a device, a FIFO, a
    /// directory, a socket): renaming over it would replace it, so it is refused.
    pub fn create(path: &Path) -> Result<AtomicFile, String> {
        let existing = existing_mode(path)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into());
        // Beside the output, so the rename stays on one file system; a dot name, so `watch`
        // and `serve` (which skip dot files) do not take it for an edit of the pack.
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".partial");
        // The output gets the modes a plain create gives (0o666 less the umask), not the
        // temporary file's owner-only 0o600.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let file = builder
            .tempfile_in(dir)
            .map_err(|e| cannot_write(path, &e))?;
        // A file replaced keeps its mode.
        #[cfg(unix)]
        if let Some(mode) = existing {
            let mode = std::os::unix::fs::PermissionsExt::from_mode(mode);
            file.as_file()
                .set_permissions(mode)
                .map_err(|e| cannot_write(path, &e))?;
        }
        #[cfg(not(unix))]
        let _ = existing;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            // Small: a stream hands over pieces of a few hundred KiB, which a buffer this size
            // passes straight to the file instead of copying (a 1 MiB buffer copied them all,
            // 1% of a large run); only small writes such as a document's head are gathered.
            file: BufWriter::with_capacity(64 << 10, file),
            unsynced: 0,
            flusher: None,
        })
    }

    pub fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file.write_all(bytes)?;
        self.unsynced += bytes.len() as u64;
        if self.unsynced >= SYNC_EVERY {
            self.unsynced = 0;
            if self.flusher.is_none() {
                self.flusher = Some(Flusher::start(self.file.get_ref().as_file())?);
            }
            if let Some(f) = &self.flusher {
                // Still syncing the last part: this part waits for the next ask.
                let _ = f.ask.try_send(());
            }
        }
        Ok(())
    }

    /// Flushes, syncs and renames into place. On any failure (a full disk, a rename refused)
    /// the temporary file is removed before the error is returned, and the error says so if
    /// it could not be.
    pub fn finish(self) -> Result<(), String> {
        let path = self.path;
        let flushed = self.flusher.map_or(Ok(()), Flusher::stop);
        let file = match self.file.into_inner() {
            Ok(f) => f,
            Err(e) => {
                let message = cannot_write(&path, e.error());
                // The buffer's unwritten bytes go with it: no second flush on drop.
                let (writer, _) = e.into_inner().into_parts();
                return Err(abandon(writer, message));
            }
        };
        if let Err(e) = flushed.and_then(|()| file.as_file().sync_all()) {
            return Err(abandon(file, cannot_write(&path, &e)));
        }
        file.persist(&path)
            .map_err(|e| abandon(e.file, cannot_write(&path, &e.error)))?;
        Ok(())
    }
}

/// Removes a temporary file that will not become the output; `message` gains a note naming
/// it if it could not be removed, so it is never left behind unsaid
fn abandon(file: NamedTempFile, message: String) -> String {
    let name = file.path().display().to_string();
    match file.close() {
        Ok(()) => message,
        Err(e) => format!("{message} (and the temporary file {name} could not be removed: {e})"),
    }
}

/// The mode of the regular file at `path`, or none if nothing is there; an error if something
/// else is (a symbolic link is refused too, rather than followed or replaced)
fn existing_mode(path: &Path) -> Result<Option<u32>, String> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(cannot_write(path, &e)),
    };
    let kind = meta.file_type();
    if kind.is_symlink() {
        return Err(format!(
            "error: will not write {}: it is a symbolic link, and --output replaces only a \
             regular file; name the file it points to, or remove the link",
            path.display()
        ));
    }
    if !kind.is_file() {
        return Err(format!(
            "error: will not write {}: it is not a regular file (a directory, a device, a FIFO \
             or a socket), and --output replaces only a regular file",
            path.display()
        ));
    }
    #[cfg(unix)]
    let mode = std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o777;
    #[cfg(not(unix))]
    let mode = 0;
    Ok(Some(mode))
}

/// Writes a whole file through [`AtomicFile`]
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut file = AtomicFile::create(path)?;
    file.write(bytes).map_err(|e| cannot_write(path, &e))?;
    file.finish()
}

/// `error: cannot write <output>: <cause>`: the output the user named, not the temporary
/// file (tempfile appends ` at path "<temporary>"` to its errors, which goes)
fn cannot_write(path: &Path, e: &io::Error) -> String {
    let cause = e.to_string();
    let cause = match cause.rfind(" at path \"") {
        Some(at) => &cause[..at],
        None => &cause,
    };
    format!("error: cannot write {}: {cause}", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Past `SYNC_EVERY` the syncs run beside the writing: the file is still whole and in
    /// order, and one dropped unfinished still leaves nothing behind
    #[test]
    fn a_large_output_is_synced_as_it_goes_and_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        let piece: Vec<u8> = (0..=255u8).cycle().take(1 << 20).collect();
        let pieces = (SYNC_EVERY >> 20) as usize * 2 + 3;
        let mut f = AtomicFile::create(&path).unwrap();
        for i in 0..pieces {
            f.write(&piece).unwrap();
            f.write(format!("{i}\n").as_bytes()).unwrap();
        }
        assert!(f.flusher.is_some(), "the flusher started");
        f.finish().unwrap();
        let back = std::fs::read(&path).unwrap();
        let mut expected = Vec::new();
        for i in 0..pieces {
            expected.extend_from_slice(&piece);
            expected.extend_from_slice(format!("{i}\n").as_bytes());
        }
        assert!(back == expected, "the output differs");
        let other = dir.path().join("dropped.json");
        let mut g = AtomicFile::create(&other).unwrap();
        for _ in 0..pieces {
            g.write(&piece).unwrap();
        }
        drop(g);
        assert!(!other.exists());
        assert_eq!(partials(dir.path()), Vec::<String>::new());
    }

    fn partials(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".partial"))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The rename fails (a directory took the output's name meanwhile): an error, and the
    /// temporary file is gone
    #[test]
    fn a_failed_finish_leaves_no_partial_file() {
        let Ok(dir) = tempfile::tempdir() else {
            panic!("dir");
        };
        let out = dir.path().join("decisions.json");
        let Ok(mut file) = AtomicFile::create(&out) else {
            panic!("created");
        };
        assert!(file.write(&vec![b'x'; 3 << 20]).is_ok());
        assert_eq!(partials(dir.path()).len(), 1);
        assert!(std::fs::create_dir_all(out.join("inside")).is_ok());
        let Err(message) = file.finish() else {
            panic!("a directory cannot be replaced by a file");
        };
        assert!(message.starts_with("error: cannot write"), "{message}");
        assert!(!message.contains("could not be removed"), "{message}");
        assert_eq!(partials(dir.path()), Vec::<String>::new());
    }

    /// A file given up (a run that failed before finishing) takes its temporary file with it
    #[test]
    fn an_unfinished_file_leaves_no_partial_file() {
        let Ok(dir) = tempfile::tempdir() else {
            panic!("dir");
        };
        let Ok(mut file) = AtomicFile::create(&dir.path().join("out.csv")) else {
            panic!("created");
        };
        assert!(file.write(b"id\n").is_ok());
        drop(file);
        assert_eq!(partials(dir.path()), Vec::<String>::new());
    }
}
