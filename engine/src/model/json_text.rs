//! Texts between JSON quotes: finding the bytes that need an escape, eight at a time. The
//! quick reader skips over a string's plain bytes with it, and the stream sinks copy a reason
//! as it is when it has none (every decision has one or two reasons of a hundred bytes or more).

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of the first byte of `word` (read little-endian) that is a quote, a backslash
/// or a control character, and maybe of later ones; zero when there is none
pub(crate) fn specials(word: u64) -> u64 {
    // (w - n·ONES) & !w & HIGH has the high bit of the lowest byte of w below n, if any (n at
    // most 0x80); a borrow from that byte may mark higher ones too, never lower ones.
    let below = |w: u64, n: u8| w.wrapping_sub(ONES * u64::from(n)) & !w & HIGH;
    let zero = |w: u64| below(w, 1);
    zero(word ^ (ONES * u64::from(b'"')))
        | zero(word ^ (ONES * u64::from(b'\\')))
        | below(word, 0x20)
}

/// Whether `text` goes between JSON quotes as it is: it holds no quote, no backslash and no
/// control character, the only bytes JSON requires escaped
///
/// ```
/// assert!(policy_engine::is_plain_json_text("四(四)8 补助：10%"));
/// assert!(!policy_engine::is_plain_json_text("a \"b\""));
/// assert!(!policy_engine::is_plain_json_text("line\nbreak"));
/// ```
pub fn is_plain_json_text(text: &str) -> bool {
    // No early exit: almost every text is plain, and a loop without one is compiled to
    // vector instructions (16 or 32 bytes a step, against 8 for the word trick above).
    text.bytes().fold(true, |plain, c| {
        plain & (c >= 0x20) & (c != b'"') & (c != b'\\')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_bytes_are_found_in_any_place() {
        for place in 0..8 {
            for byte in 0..=255u8 {
                let mut word = *b"abcdefgh";
                word[place] = byte;
                let special = byte == b'"' || byte == b'\\' || byte < 0x20;
                let found = specials(u64::from_le_bytes(word));
                assert_eq!(found != 0, special, "{byte} at {place}");
                if special {
                    assert_eq!(
                        found.trailing_zeros() / 8,
                        place as u32,
                        "{byte} at {place}"
                    );
                }
                // Behind a special byte, any other is found first.
                if place > 0 {
                    word[place - 1] = b'"';
                    let found = specials(u64::from_le_bytes(word));
                    assert_eq!(
                        found.trailing_zeros() / 8,
                        place as u32 - 1,
                        "{byte} at {place}"
                    );
                }
            }
        }
        assert_eq!(specials(u64::from_le_bytes(*b" ~\x7f\x80\xff!#[")), 0);
    }

    #[test]
    fn plain_texts_are_those_with_no_byte_to_escape_in_any_place() {
        for len in 0..20 {
            let plain: String = "补助a".chars().cycle().take(len).collect();
            assert!(is_plain_json_text(&plain), "{plain:?}");
            for (at, _) in plain.char_indices() {
                for special in ['"', '\\', '\n', '\u{1f}', '\0'] {
                    let mut t = plain.clone();
                    t.insert(at, special);
                    assert!(!is_plain_json_text(&t), "{t:?}");
                }
            }
            let mut t = plain.clone();
            t.push('"');
            assert!(!is_plain_json_text(&t), "{t:?}");
        }
        assert!(is_plain_json_text("\u{7f}~ é"));
    }
}
