//! The language a pack names (`language: zh` in pack.yaml), found without loading the pack, so
//! that the errors of a pack that does not load are shown in its people's language.

use std::path::Path;

use crate::model::lang::Lang;

/// The largest pack.yaml looked at: far above any real one
const MAX_BYTES: u64 = 1 << 20;

/// The `language:` at the top level of `dir/pack.yaml`, if it is there and names `zh` or `en`
pub fn pack_language(dir: &Path) -> Option<Lang> {
    let path = dir.join("pack.yaml");
    if std::fs::metadata(&path).ok()?.len() > MAX_BYTES {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().find_map(|line| {
        let value = line.strip_prefix("language:")?;
        let value = value.split('#').next().unwrap_or_default();
        Lang::parse(value.trim().trim_matches(|c| c == '"' || c == '\''))
    })
}
