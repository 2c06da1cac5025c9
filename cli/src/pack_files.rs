//! A pack directory's files by their metadata, to see an edit without reading a byte.
//!
//! `watch` and `serve` compare two of these to know the pack was edited. Only metadata is
//! read (modification and change times, size, inode): the pack is never opened here, so a
//! FIFO cannot block the watcher and a link to `/dev/zero` is never read. Whatever is not a
//! regular file or a directory is listed apart, to be reported, and never opened.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What identifies one version of a file: a save changes one of these
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    /// Change time and inode where the system has them: an editor that saves by renaming a new
    /// file over the old one changes the inode, a `touch -d` back in time still the change time
    changed: (i64, i64),
    inode: u64,
}

/// The pack's regular files with their stamps, and what was skipped
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Snapshot {
    pub files: BTreeMap<PathBuf, Stamp>,
    /// Entries that are neither a regular file nor a directory (FIFOs, sockets, devices, links
    /// to them, broken links): never opened
    pub skipped: Vec<PathBuf>,
}

/// Every file of the pack (hidden ones aside) with its stamp
pub fn snapshot(dir: &Path) -> Snapshot {
    let mut out = Snapshot::default();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                // Only a regular file is hashed: reading a FIFO would wait for a writer, a link
                // to a device never end (the pack load refuses both, naming them).
                && std::fs::metadata(&p).is_ok_and(|m| m.is_file())
            {
                continue;
            }
            // A directory is entered only if it is one itself, not a link to one: no cycles.
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(p);
                continue;
            }
            // The target's metadata, for a link: a link's edit is its target's.
            match std::fs::metadata(&p) {
                Ok(meta) if meta.is_file() => {
                    out.files.insert(p, stamp(&meta));
                }
                _ => out.skipped.push(p),
            }
        }
    }
    out.skipped.sort();
    out
}

#[cfg(unix)]
fn stamp(meta: &std::fs::Metadata) -> Stamp {
    use std::os::unix::fs::MetadataExt;
    Stamp {
        modified: meta.modified().ok(),
        len: meta.len(),
        changed: (meta.ctime(), meta.ctime_nsec()),
        inode: meta.ino(),
    }
}

#[cfg(not(unix))]
fn stamp(meta: &std::fs::Metadata) -> Stamp {
    Stamp {
        modified: meta.modified().ok(),
        len: meta.len(),
        changed: (0, 0),
        inode: 0,
    }
}

#[cfg(all(test, unix))]
mod tests {
    use crate::pack_files::snapshot;

    #[test]
    fn fifos_and_device_links_are_skipped_never_opened() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join("a.yaml"), "x: 1\n").expect("write");
        let fifo = dir.path().join("pipe");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success());
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.rhai")).expect("link");
        // Reading either would block or never end; a snapshot returns at once.
        let s = snapshot(dir.path());
        assert_eq!(s.files.len(), 1);
        assert_eq!(s.skipped, vec![fifo, dir.path().join("zero.rhai")]);
    }

    #[test]
    fn an_edit_that_keeps_the_size_is_seen() {
        let dir = tempfile::tempdir().expect("dir");
        let f = dir.path().join("a.yaml");
        std::fs::write(&f, "x: 1\n").expect("write");
        let before = snapshot(dir.path());
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&f, "x: 2\n").expect("write");
        assert_ne!(snapshot(dir.path()), before);
    }
}
