//! "Did you mean": the nearest known name to a misspelt one.

/// The candidate closest to `wrong`, if one is close enough to be a likely misspelling
pub(crate) fn nearest<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(&str, usize)> = None;
    for c in candidates {
        let d = strsim::damerau_levenshtein(wrong, c);
        // A third of the name may be wrong, at least two edits; more is a different name.
        let allowed = (c.chars().count() / 3).max(2);
        if d <= allowed && best.is_none_or(|(_, bd)| d < bd) {
            best = Some((c, d));
        }
    }
    best.map(|(c, _)| c)
}

/// `; did you mean `x`?` for a misspelt name, or nothing when no name is near
pub(crate) fn did_you_mean<'a>(wrong: &str, names: impl IntoIterator<Item = &'a str>) -> String {
    match nearest(wrong, names) {
        Some(n) => format!("; did you mean `{n}`?"),
        None => String::new(),
    }
}

/// "; did you mean `x`?" in Chinese: "；是否应为 `x`？", or nothing
pub(crate) fn did_you_mean_zh<'a>(wrong: &str, names: impl IntoIterator<Item = &'a str>) -> String {
    match nearest(wrong, names) {
        Some(n) => format!("；是否应为 `{n}`？"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::nearest;

    #[test]
    fn finds_a_close_name_and_not_a_far_one() {
        let names = ["national", "provincial", "city"];
        assert_eq!(nearest("provincal", names), Some("provincial"));
        assert_eq!(nearest("natoinal", names), Some("national"));
        assert_eq!(nearest("tier1", names), None);
    }
}
