//! The language a pack names (`language: zh` in pack.yaml), found without loading the pack, so
//! that the errors of a pack that does not load are shown in its people's language.

use std::path::Path;

use crate::model::lang::Lang;

/// The largest pack.yaml looked at: far above any real one
const MAX_BYTES: u64 = 1 << 20;

/// The `language:` at the top level of `dir/pack.yaml`, if it is there and names `zh` or `en`
pub fn pack_language(dir: &Path) -> Option<Lang> {
    // Read as the load reads it: a FIFO or a link out of the pack is never opened.
    let bytes = crate::load::files::read_in_pack(dir, "pack.yaml").ok()?;
    if bytes.len() as u64 > MAX_BYTES {
        return None;
    }
    let text = String::from_utf8(bytes).ok()?;
    text.lines().find_map(|line| {
        let value = line.strip_prefix("language:")?;
        let value = value.split('#').next().unwrap_or_default();
        Lang::parse(value.trim().trim_matches(|c| c == '"' || c == '\''))
    })
}
