//! The pack's YAML files as written: serde structs that mirror `pack.yaml` and
//! `clauses/<id>.yaml` field for field, before any checking; and how a file of the pack is
//! read (only a regular file inside the pack).

use std::path::Path;

use indexmap::IndexMap;
use serde::Deserialize;

use crate::model::bands::{BandMethod, BandUnit};
use crate::model::money::Rounding;
use crate::model::pack::{RankOrder, TargetComparison, Unit};
use crate::model::value::TextFormat;

// --- the files as written -----------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PackFile {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) issuer: String,
    pub(crate) status: String,
    pub(crate) version: String,
    pub(crate) source: SourceFile,
    pub(crate) rounding: Rounding,
    #[serde(default)]
    pub(crate) preconditions: Vec<PreconditionFile>,
    #[serde(default)]
    pub(crate) fields: IndexMap<String, FieldFile>,
    pub(crate) kinds: IndexMap<String, KindFile>,
    #[serde(default)]
    pub(crate) clauses: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) period: Option<String>,
    #[serde(default)]
    pub(crate) targets: Vec<TargetFile>,
    #[serde(default)]
    pub(crate) aliases: IndexMap<String, String>,
    #[serde(default)]
    pub(crate) applicant: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) settlement: Vec<RuleFile>,
    /// The language the pack's people read: messages default to it
    #[serde(default)]
    pub(crate) language: Option<LanguageFile>,
}

/// `language: zh` or `language: en`
#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LanguageFile {
    Zh,
    En,
}

/// A settlement rule as written in `pack.yaml` or a scenario file; which of `exclusive`,
/// `cap` and `requires` it has says what it does
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleFile {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) article: String,
    pub(crate) text: String,
    #[serde(default)]
    pub(crate) notes: Option<String>,
    #[serde(default)]
    pub(crate) exclusive: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) cap: Option<String>,
    #[serde(default)]
    pub(crate) clauses: Option<ClauseListFile>,
    #[serde(default)]
    pub(crate) cut: Option<crate::model::pack::CutMethod>,
    #[serde(default)]
    pub(crate) clause: Option<String>,
    #[serde(default)]
    pub(crate) requires: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) first_time: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) per: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) applicant: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) parameters: IndexMap<String, ParamFile>,
}

/// `clauses:` of a cap as written: `all`, or a list of clause ids
pub(crate) enum ClauseListFile {
    All,
    List(Vec<String>),
}

impl<'de> Deserialize<'de> for ClauseListFile {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = ClauseListFile;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("`all` or a list of clause ids")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ClauseListFile, E> {
                if v == "all" {
                    Ok(ClauseListFile::All)
                } else {
                    Err(E::custom(format!(
                        "`{v}`: expected `all` or a list of clause ids such as `[rd-platform, incubator]`"
                    )))
                }
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<ClauseListFile, A::Error> {
                Vec::<String>::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
                    .map(ClauseListFile::List)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TargetFile {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) target: RawScalar,
    pub(crate) comparison: TargetComparison,
    pub(crate) unit: String,
    #[serde(default)]
    pub(crate) by: Option<i64>,
    #[serde(default)]
    pub(crate) counts: Option<CountsFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CountsFile {
    pub(crate) clauses: Vec<String>,
    #[serde(default)]
    pub(crate) distinct: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SourceFile {
    pub(crate) title: String,
    #[serde(default)]
    pub(crate) file: Option<String>,
    #[serde(default)]
    pub(crate) url: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PreconditionFile {
    pub(crate) field: String,
    pub(crate) equals: RawScalar,
    pub(crate) reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct KindFile {
    pub(crate) title: String,
    #[serde(default)]
    pub(crate) fields: IndexMap<String, FieldFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FieldFile {
    #[serde(rename = "type")]
    pub(crate) ty: FieldTypeName,
    #[serde(default = "yes")]
    pub(crate) required: bool,
    #[serde(default)]
    pub(crate) description: Option<String>,
    #[serde(default)]
    pub(crate) values: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) min: Option<RawScalar>,
    #[serde(default)]
    pub(crate) max: Option<RawScalar>,
    #[serde(default)]
    pub(crate) format: Option<TextFormat>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum FieldTypeName {
    Bool,
    Integer,
    Decimal,
    Money,
    Text,
    OneOf,
    Date,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClauseFile {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) article: String,
    pub(crate) text: String,
    pub(crate) kind: String,
    #[serde(default)]
    pub(crate) notes: Option<String>,
    #[serde(default)]
    pub(crate) parameters: IndexMap<String, ParamFile>,
    #[serde(default)]
    pub(crate) cap: Option<String>,
    #[serde(default)]
    pub(crate) count_limit: Option<CountLimitFile>,
    /// The clauses whose decisions the script reads with `others`
    #[serde(default)]
    pub(crate) depends_on: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ParamFile {
    #[serde(default)]
    pub(crate) value: Option<RawScalar>,
    #[serde(default)]
    pub(crate) values: Option<IndexMap<String, TimelineEntry>>,
    pub(crate) unit: Unit,
    pub(crate) description: String,
    /// A band table's thresholds' unit (`unit: bands` only)
    #[serde(default)]
    pub(crate) of: Option<BandUnit>,
    /// A band table's values' unit (`unit: bands` only)
    #[serde(default)]
    pub(crate) gives: Option<BandUnit>,
    /// How a band table is looked up (`unit: bands` only)
    #[serde(default)]
    pub(crate) method: Option<BandMethod>,
    /// A band table's bands (`unit: bands` only)
    #[serde(default)]
    pub(crate) bands: Option<Vec<BandFile>>,
}

/// One band of a table as written: `{ from: 500万, value: 8% }`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BandFile {
    pub(crate) from: RawScalar,
    pub(crate) value: RawScalar,
}

/// One year of a timeline as written: a value, or a band table's list of bands
pub(crate) enum TimelineEntry {
    One(RawScalar),
    Bands(Vec<BandFile>),
}

impl<'de> Deserialize<'de> for TimelineEntry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = TimelineEntry;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a single value, or a list of bands")
            }
            fn visit_str<E>(self, v: &str) -> Result<TimelineEntry, E> {
                Ok(TimelineEntry::One(RawScalar(v.to_string())))
            }
            fn visit_i64<E>(self, v: i64) -> Result<TimelineEntry, E> {
                Ok(TimelineEntry::One(RawScalar(v.to_string())))
            }
            fn visit_bool<E>(self, v: bool) -> Result<TimelineEntry, E> {
                Ok(TimelineEntry::One(RawScalar(v.to_string())))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<TimelineEntry, A::Error> {
                Vec::<BandFile>::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
                    .map(TimelineEntry::Bands)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CountLimitFile {
    pub(crate) max: String,
    pub(crate) per: Vec<String>,
    pub(crate) rank_by: RankByFile,
}

/// `rank_by` as written: one field name (that field, highest first), or a list of keys
pub(crate) struct RankByFile(pub(crate) Vec<RankKeyFile>);

/// One rank key as written: a field name (highest first), or `{field: <name>, order: desc|asc}`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RankKeyFile {
    pub(crate) field: String,
    #[serde(default = "highest_first")]
    pub(crate) order: RankOrder,
}

fn highest_first() -> RankOrder {
    RankOrder::Desc
}

impl<'de> Deserialize<'de> for RankByFile {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RankByFile;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a field name or a list of keys")
            }
            fn visit_str<E>(self, v: &str) -> Result<RankByFile, E> {
                Ok(RankByFile(vec![RankKeyFile {
                    field: v.to_string(),
                    order: RankOrder::Desc,
                }]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<RankByFile, A::Error> {
                Vec::<OneKey>::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
                    .map(|keys| RankByFile(keys.into_iter().map(|k| k.0).collect()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A key in the list form: a bare name or a `{field, order}` mapping
struct OneKey(RankKeyFile);

impl<'de> Deserialize<'de> for OneKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = OneKey;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a field name or `{field: <name>, order: desc|asc}`")
            }
            fn visit_str<E>(self, v: &str) -> Result<OneKey, E> {
                Ok(OneKey(RankKeyFile {
                    field: v.to_string(),
                    order: RankOrder::Desc,
                }))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<OneKey, A::Error> {
                RankKeyFile::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(OneKey)
            }
        }
        d.deserialize_any(V)
    }
}

/// A scalar kept as the text written, so numbers are parsed exactly later
pub(crate) struct RawScalar(pub(crate) String);

impl<'de> Deserialize<'de> for RawScalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = RawScalar;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a single value")
            }
            fn visit_str<E>(self, v: &str) -> Result<RawScalar, E> {
                Ok(RawScalar(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<RawScalar, E> {
                Ok(RawScalar(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<RawScalar, E> {
                Ok(RawScalar(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

// --- reading a pack's files ---------------------------------------------------------------

/// The most bytes one file of a pack may have: far above any clause, script or policy text
pub(crate) const MAX_PACK_FILE_BYTES: u64 = 16 << 20;

/// Why a file of the pack was not read: (中文, English)
pub(crate) type Refusal = (String, String);

/// The bytes of `rel`, a file inside the pack `dir`. Refused, without reading it: a file that
/// resolves outside the pack (a symbolic link out of it, which would put another file's text
/// in errors and on `GET /v1/pack`), and anything but a regular file (a FIFO would block the
/// load, a device never end it). A link that stays inside the pack is followed.
pub(crate) fn read_in_pack(dir: &Path, rel: &str) -> Result<Vec<u8>, Refusal> {
    let path = dir.join(rel);
    let cannot = |e: std::io::Error| (format!("无法读取：{e}"), format!("cannot read: {e}"));
    // Metadata first: a FIFO is never opened.
    std::fs::symlink_metadata(&path).map_err(cannot)?;
    let root = std::fs::canonicalize(dir).map_err(cannot)?;
    let real = std::fs::canonicalize(&path).map_err(cannot)?;
    if !real.starts_with(&root) {
        return Err((
            "指向包目录之外（符号链接或其他方式）：包只读取自己目录里的文件，请把文件放进包里"
                .into(),
            "resolves outside the pack directory (a symbolic link out of it): a pack reads only \
             files inside its own directory; put the file in the pack"
                .into(),
        ));
    }
    let not_regular = || -> Refusal {
        (
            "不是普通文件（是命名管道、设备、目录或套接字）：包里只能放普通文件".into(),
            "is not a regular file (a FIFO, a device, a directory or a socket): a pack holds \
             only regular files"
                .into(),
        )
    };
    let meta = std::fs::metadata(&real).map_err(cannot)?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    // Should the file become a FIFO between the look and the open, the open must not wait
    // for a writer; on a regular file the flag changes nothing.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(&real).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    let too_big = || -> Refusal {
        (
            format!("超过 {MAX_PACK_FILE_BYTES} 字节，包里一个文件最多这么大"),
            format!("is over {MAX_PACK_FILE_BYTES} bytes, the most one file of a pack may have"),
        )
    };
    if meta.len() > MAX_PACK_FILE_BYTES {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(file, MAX_PACK_FILE_BYTES + 1),
        &mut bytes,
    )
    .map_err(cannot)?;
    if bytes.len() as u64 > MAX_PACK_FILE_BYTES {
        return Err(too_big());
    }
    Ok(bytes)
}

/// Whether a clause id as listed (`clauses:`, a target's `counts`) is a plain name, so the
/// file it names, `clauses/<id>.yaml`, is inside the pack: no `/`, `\`, `..`, nothing empty
pub(crate) fn plain_id(id: &str) -> bool {
    !id.is_empty()
        && id != "."
        && !id.contains(['/', '\\', '\0'])
        && !id.contains("..")
        && !id.starts_with('.')
}

/// The error for a listed clause id that is not a plain name: (中文, English)
pub(crate) fn not_plain_id(key: &str, id: &str) -> Refusal {
    (
        format!(
            "`{key}` 列出的 `{id}` 不是单纯的条款编号：编号就是 clauses/ 里的文件名，不能含 `/`、`\\`、`..`"
        ),
        format!(
            "`{key}` lists `{id}`, which is not a plain clause id: an id is a file name in \
             clauses/, without `/`, `\\` or `..`"
        ),
    )
}

/// The most bytes of a scenario file or a replacement script named on the command line
pub(crate) const MAX_SCENARIO_BYTES: u64 = MAX_PACK_FILE_BYTES;

/// The bytes of a file named on the command line (a scenario, a ledger), at most `max`: a
/// device or pipe that never ends (`/dev/zero`) is refused at the bound, never read whole
pub(crate) fn read_at_most(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(file, max + 1), &mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > max {
        return Err(format!("over {max} bytes, the most read"));
    }
    Ok(bytes)
}
