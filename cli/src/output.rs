//! Decisions written as they are decided: JSON (the decisions document), JSONL and CSV sinks
//! for the engine's stream, and output files written through a temporary name.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use policy_engine::{Decision, Pack, Sink, Totals};

/// Indents every line of a pretty JSON text
fn indent(text: &str, by: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(by);
        out.push_str(line);
    }
    out
}

/// The decisions document, byte for byte as `serde_json::to_string_pretty` writes it whole
pub struct JsonSink {
    head: String,
}

impl JsonSink {
    pub fn new(pack: &Pack) -> JsonSink {
        let pack_ref = serde_json::json!({
            "id": pack.id,
            "version": pack.version,
            "fingerprint": pack.fingerprint,
        });
        let pretty = serde_json::to_string_pretty(&pack_ref).unwrap_or_default();
        JsonSink {
            head: format!(
                "{{\n  \"pack\": {},\n  \"decisions\": [",
                indent(&pretty, "  ").trim_start()
            ),
        }
    }
}

impl Sink for JsonSink {
    fn begin(&self) -> Vec<u8> {
        self.head.clone().into_bytes()
    }

    fn render(&self, n: usize, d: &Decision) -> Vec<u8> {
        let pretty = serde_json::to_string_pretty(d).unwrap_or_default();
        let mut out = String::with_capacity(pretty.len() + 64);
        out.push_str(if n == 0 { "\n" } else { ",\n" });
        out.push_str(&indent(&pretty, "    "));
        out.into_bytes()
    }

    fn end(&self, count: usize, totals: &Totals) -> Vec<u8> {
        let pretty = serde_json::to_string_pretty(totals).unwrap_or_default();
        let close = if count == 0 { "]" } else { "\n  ]" };
        format!(
            "{close},\n  \"totals\": {}\n}}\n",
            indent(&pretty, "  ").trim_start()
        )
        .into_bytes()
    }
}

/// One compact JSON decision per line
pub struct JsonlSink;

impl Sink for JsonlSink {
    fn begin(&self) -> Vec<u8> {
        Vec::new()
    }

    fn render(&self, _: usize, d: &Decision) -> Vec<u8> {
        let mut v = serde_json::to_vec(d).unwrap_or_default();
        v.push(b'\n');
        v
    }

    fn end(&self, _: usize, _: &Totals) -> Vec<u8> {
        Vec::new()
    }
}

/// One CSV row per decision; reasons joined by `；`
pub struct CsvSink;

pub const CSV_HEADER: [&str; 6] = ["id", "kind", "clause", "status", "amount", "reasons"];

pub fn csv_fields(d: &Decision) -> [String; 6] {
    [
        d.id.clone().unwrap_or_default(),
        d.kind.clone().unwrap_or_default(),
        d.clause.clone().unwrap_or_default(),
        d.status.to_string(),
        d.amount.to_string(),
        d.reasons.join("；"),
    ]
}

impl Sink for CsvSink {
    fn begin(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(CSV_HEADER);
        w.into_inner().unwrap_or_default()
    }

    fn render(&self, _: usize, d: &Decision) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(csv_fields(d));
        w.into_inner().unwrap_or_default()
    }

    fn end(&self, _: usize, _: &Totals) -> Vec<u8> {
        Vec::new()
    }
}

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
