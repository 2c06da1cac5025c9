//! A clause's (or rule's) `text:` that is not found word for word in the source document:
//! the sentence of the source nearest to it, with where they differ marked, so the drafter
//! sees the stale word rather than searching the whole document for it.

use std::path::Path;

use crate::load::lint::squeeze;
use crate::model::error::LoadError;
use crate::model::pos::Pos;

/// The source's sentences, without whitespace: split after 。；！？ and at line ends
fn sentences(source: &str) -> Vec<Vec<char>> {
    let mut out = Vec::new();
    for line in source.lines() {
        let mut current = Vec::new();
        for c in line.chars().filter(|c| !c.is_whitespace()) {
            current.push(c);
            if matches!(c, '。' | '；' | '！' | '？') {
                out.push(std::mem::take(&mut current));
            }
        }
        if !current.is_empty() {
            out.push(current);
        }
    }
    out
}

/// The part of `sentence` nearest `text`, as edits of characters: `(edits, start, end)`. A
/// clause often quotes part of a sentence, so what the sentence has before and after that
/// part costs nothing.
fn nearest_part(sentence: &[char], text: &[char]) -> (usize, usize, usize) {
    // Row by row over `text`; each cell keeps its edits and where in `sentence` it began.
    let mut row: Vec<(usize, usize)> = (0..=sentence.len()).map(|j| (0, j)).collect();
    for (i, t) in text.iter().enumerate() {
        let mut next = Vec::with_capacity(row.len());
        next.push((i + 1, 0));
        for (j, c) in sentence.iter().enumerate() {
            let diagonal = (row[j].0 + usize::from(c != t), row[j].1);
            let up = (row[j + 1].0 + 1, row[j + 1].1);
            let left = (next[j].0 + 1, next[j].1);
            next.push(diagonal.min_by_edits(up).min_by_edits(left));
        }
        row = next;
    }
    let (end, (edits, start)) = row
        .iter()
        .enumerate()
        .min_by_key(|(j, (d, _))| (*d, *j))
        .map(|(j, c)| (j, *c))
        .unwrap_or((0, (text.len(), 0)));
    (edits, start, end)
}

trait Edits {
    fn min_by_edits(self, other: Self) -> Self;
}

impl Edits for (usize, usize) {
    fn min_by_edits(self, other: Self) -> Self {
        if other.0 < self.0 {
            other
        } else {
            self
        }
    }
}

/// The run of as many consecutive sentences as `text` has whose part is nearest `text`, if
/// near enough to be the same words changed (edits at most half of `text`): the run and the
/// part's start and end in it
fn nearest(source: &str, text: &[char]) -> Option<(Vec<char>, usize, usize)> {
    let all = sentences(source);
    let window = sentences(&text.iter().collect::<String>()).len().max(1);
    let mut best: Option<(usize, Vec<char>, usize, usize)> = None;
    for run in all.windows(window.min(all.len().max(1))) {
        let joined: Vec<char> = run.concat();
        let (d, start, end) = nearest_part(&joined, text);
        if best.as_ref().is_none_or(|b| d < b.0) {
            best = Some((d, joined, start, end));
        }
    }
    best.filter(|b| b.0 * 2 <= text.len())
        .map(|(_, s, start, end)| (s, start, end))
}

/// The source sentence with the part that differs from `text` between 【】, and `text`'s part
/// there: `(marked sentence, text's part)`
fn marked(sentence: &[char], text: &[char]) -> (String, String) {
    let prefix = sentence
        .iter()
        .zip(text)
        .take_while(|(a, b)| a == b)
        .count();
    let max_suffix = sentence.len().min(text.len()) - prefix;
    let suffix = sentence
        .iter()
        .rev()
        .zip(text.iter().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    let s: String = sentence[..prefix].iter().collect();
    let mid: String = sentence[prefix..sentence.len() - suffix].iter().collect();
    let end: String = sentence[sentence.len() - suffix..].iter().collect();
    let theirs: String = text[prefix..text.len() - suffix].iter().collect();
    (format!("{s}【{mid}】{end}"), theirs)
}

/// The error for a `text:` not found in the source: with the nearest sentence when one is near
pub(crate) fn text_not_found(
    path: &Path,
    pos: Option<Pos>,
    source: Option<&str>,
    text: &str,
) -> LoadError {
    let en = "`text` is not found word for word in the pack's source document";
    let text: Vec<char> = squeeze(text).chars().collect();
    let Some((sentence, start, end)) = source.and_then(|s| nearest(s, &text)) else {
        return LoadError::both(
            path,
            pos,
            "`text` 在政策原文中找不到一字不差的对应句子，原文中也没有相近的句子".into(),
            en.into(),
        );
    };
    let (shown, theirs) = marked(&sentence[start..end], &text);
    // The part quoted, with … where the sentence goes on
    let shown = format!(
        "{}{shown}{}",
        if start > 0 { "…" } else { "" },
        if end < sentence.len() { "…" } else { "" }
    );
    LoadError::both(
        path,
        pos,
        format!(
            "`text` 在政策原文中找不到一字不差的对应句子。原文最接近的一句是「{shown}」，【】处 `text` 写的是“{theirs}”"
        ),
        format!(
            "{en}; the nearest sentence of the source is 「{shown}」 (`text` has \"{theirs}\" where 【】 is)"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "一、总则\n对新认定的国家级、省级研发平台，分别给予200万元、40万元奖励。对新获批的省级院士工作站，给予50万元奖励。\n（二）对获批团队给予支持；\n";

    #[test]
    fn the_nearest_sentence_with_the_difference_marked() {
        let e = text_not_found(
            Path::new("c.yaml"),
            None,
            Some(SOURCE),
            "对新认定的国家级、省级研发平台，分别给予300万元、40万元奖励。",
        );
        assert_eq!(
            e.message_zh.as_deref(),
            Some("`text` 在政策原文中找不到一字不差的对应句子。原文最接近的一句是「对新认定的国家级、省级研发平台，分别给予【2】00万元、40万元奖励。」，【】处 `text` 写的是“3”")
        );
        assert!(
            e.message.ends_with("(`text` has \"3\" where 【】 is)"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_missing_word_and_two_sentences() {
        let (shown, theirs) = marked(
            &"给予50万元奖励。".chars().collect::<Vec<_>>(),
            &"给予万元奖励。".chars().collect::<Vec<_>>(),
        );
        assert_eq!(
            (shown.as_str(), theirs.as_str()),
            ("给予【50】万元奖励。", "")
        );
        let text: Vec<char> =
            "研发平台，分别给予200万元、40万元奖励。对新获批的省级院士工作站，给予60万元奖励。"
                .chars()
                .collect();
        let (run, start, end) = nearest(SOURCE, &text).unwrap();
        let s: String = run[start..end].iter().collect();
        assert_eq!(
            s,
            "研发平台，分别给予200万元、40万元奖励。对新获批的省级院士工作站，给予50万元奖励。"
        );
        // Part of a sentence
        let text: Vec<char> = "分别给予200万元、30万元".chars().collect();
        let (run, start, end) = nearest(SOURCE, &text).unwrap();
        let s: String = run[start..end].iter().collect();
        assert_eq!(s, "分别给予200万元、40万元");
    }

    #[test]
    fn nothing_near() {
        let e = text_not_found(
            Path::new("c.yaml"),
            None,
            Some(SOURCE),
            "完全无关的一句话。",
        );
        assert!(e.message_zh.unwrap().contains("原文中也没有相近的句子"));
        assert_eq!(
            e.message,
            "`text` is not found word for word in the pack's source document"
        );
    }
}
