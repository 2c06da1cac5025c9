//! A pack directory's files with their times, sizes and content hashes, to see an edit.
//!
//! `watch` and `serve` compare two of these to know the pack was edited.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Every file of the pack with its modification time, size and a hash of its content (an
/// edit within the file system's time resolution that keeps the size is still seen)
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Option<SystemTime>, u64, u64)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let Ok(meta) = e.metadata() else { continue };
            if meta.is_dir() {
                stack.push(p);
            } else if !p
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                // Only a regular file is hashed: reading a FIFO would wait for a writer, a link
                // to a device never end (the pack load refuses both, naming them).
                && std::fs::metadata(&p).is_ok_and(|m| m.is_file())
            {
                let hash = std::fs::read(&p)
                    .map(|bytes| {
                        use std::hash::{Hash, Hasher};
                        let mut h = std::collections::hash_map::DefaultHasher::new();
                        bytes.hash(&mut h);
                        h.finish()
                    })
                    .unwrap_or(0);
                out.insert(p, (meta.modified().ok(), meta.len(), hash));
            }
        }
    }
    out
}
