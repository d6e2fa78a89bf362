//! Emoji sequences that twitter-text v3 counts as one character of weight 2.
//!
//! twitter-text matches emoji with a generated regex (`TwitterTextEmojiRegex`) listing the
//! sequences of the Unicode version it was built from. We recognise the same shapes from the
//! Unicode emoji properties instead (UTS #51 §1.4), so sequences added since count the way X
//! counts the listed ones:
//! - a flag: two regional indicators;
//! - a keycap: `[0-9#*]`, an optional U+FE0F, then U+20E3;
//! - an emoji followed by U+FE0F, by a skin-tone modifier (when it is a modifier base), or by
//!   tag characters closed by U+E007F (subdivision flags such as England's);
//! - a character with default emoji presentation;
//! - any of these joined by U+200D (ZWJ) into one sequence.
//!
//! A text-style emoji on its own (`©`, `☺`) is not a sequence: it weighs what its code point
//! weighs, as in twitter-text, where such characters only match when followed by U+FE0F.

use unicode_properties::emoji::{EmojiStatus, UnicodeEmoji};

const ZWJ: char = '\u{200D}';
const VS16: char = '\u{FE0F}';
const VS15: char = '\u{FE0E}';
const KEYCAP: char = '\u{20E3}';
const CANCEL_TAG: char = '\u{E007F}';

/// The byte length of the emoji sequence `text` starts with, if it starts with one.
pub(super) fn sequence_len(text: &str) -> Option<usize> {
    let first = element(text)?;
    let mut len = first.len;
    let mut qualified = first.qualified;
    let mut joined = false;
    while let Some(after_zwj) = text[len..].strip_prefix(ZWJ) {
        match element(after_zwj) {
            // A bare ASCII character (`#`, a digit) is not a ZWJ element on its own.
            Some(next) if next.qualified || !next.ascii => {
                len += ZWJ.len_utf8() + next.len;
                qualified |= next.qualified;
                joined = true;
            }
            _ => break,
        }
    }
    (qualified || joined).then_some(len)
}

struct Element {
    len: usize,
    /// Displayed as an emoji by itself (not a text-style character).
    qualified: bool,
    ascii: bool,
}

/// One `emoji_zwj_element` (UTS #51 ED-15a) at the start of `text`.
fn element(text: &str) -> Option<Element> {
    let mut chars = text.chars();
    let c = chars.next()?;
    let rest = chars.as_str();
    let next = rest.chars().next();

    if is_regional_indicator(c) {
        let len = match next {
            Some(n) if is_regional_indicator(n) => c.len_utf8() + n.len_utf8(),
            _ => c.len_utf8(),
        };
        return Some(Element {
            len,
            qualified: true,
            ascii: false,
        });
    }
    if matches!(c, '0'..='9' | '#' | '*') {
        let after_vs = rest.strip_prefix(VS16).unwrap_or(rest);
        let len = text.len() - after_vs.strip_prefix(KEYCAP)?.len();
        return Some(Element {
            len,
            qualified: true,
            ascii: true,
        });
    }
    if !c.is_emoji_char() {
        return None;
    }
    let ascii = c.is_ascii();
    match next {
        Some(VS16) => {
            return Some(Element {
                len: c.len_utf8() + VS16.len_utf8(),
                qualified: true,
                ascii,
            });
        }
        Some(VS15) => {
            return Some(Element {
                len: c.len_utf8(),
                qualified: false,
                ascii,
            })
        }
        Some(m) if is_modifier(m) && is_modifier_base(c) => {
            return Some(Element {
                len: c.len_utf8() + m.len_utf8(),
                qualified: true,
                ascii,
            });
        }
        Some(t) if is_tag(t) => {
            let tags = rest
                .chars()
                .take_while(|&t| is_tag(t))
                .map(char::len_utf8)
                .sum::<usize>();
            if rest[tags..].starts_with(CANCEL_TAG) {
                let len = c.len_utf8() + tags + CANCEL_TAG.len_utf8();
                return Some(Element {
                    len,
                    qualified: true,
                    ascii,
                });
            }
        }
        _ => {}
    }
    Some(Element {
        len: c.len_utf8(),
        qualified: is_presentation(c),
        ascii,
    })
}

fn is_regional_indicator(c: char) -> bool {
    ('\u{1F1E6}'..='\u{1F1FF}').contains(&c)
}

fn is_modifier(c: char) -> bool {
    ('\u{1F3FB}'..='\u{1F3FF}').contains(&c)
}

fn is_tag(c: char) -> bool {
    ('\u{E0020}'..='\u{E007E}').contains(&c)
}

fn is_presentation(c: char) -> bool {
    matches!(
        c.emoji_status(),
        EmojiStatus::EmojiPresentation
            | EmojiStatus::EmojiPresentationAndModifierBase
            | EmojiStatus::EmojiPresentationAndEmojiComponent
            | EmojiStatus::EmojiPresentationAndModifierAndEmojiComponent
    )
}

fn is_modifier_base(c: char) -> bool {
    matches!(
        c.emoji_status(),
        EmojiStatus::EmojiModifierBase | EmojiStatus::EmojiPresentationAndModifierBase
    )
}

#[cfg(test)]
mod tests {
    use super::sequence_len;

    fn whole(s: &str) -> bool {
        sequence_len(s) == Some(s.len())
    }

    #[test]
    fn sequences_are_recognised_whole() {
        assert!(whole("😷"), "a single emoji-presentation character");
        assert!(whole("👨\u{200D}👩\u{200D}👧\u{200D}👦"), "a ZWJ family");
        assert!(whole("🙋🏽"), "a modifier base with a skin tone");
        assert!(whole("🇫🇷"), "a flag from two regional indicators");
        assert!(whole("1\u{FE0F}\u{20E3}"), "a keycap with VS16");
        assert!(whole("1\u{20E3}"), "a keycap without VS16");
        assert!(
            whole("🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}"),
            "England's tag-sequence flag"
        );
        assert!(whole("©\u{FE0F}"), "a text-style emoji made emoji by VS16");
        assert!(
            whole("❤\u{FE0F}\u{200D}🔥"),
            "a newer ZWJ sequence (heart on fire)"
        );
        assert!(
            whole("👁\u{200D}🗨"),
            "a ZWJ sequence of two text-style emoji"
        );
    }

    #[test]
    fn text_characters_are_not_sequences() {
        assert_eq!(sequence_len("a"), None, "a letter");
        assert_eq!(sequence_len("1"), None, "a bare digit");
        assert_eq!(sequence_len("#tag"), None, "a hash sign");
        assert_eq!(sequence_len("©"), None, "a bare copyright sign");
        assert_eq!(
            sequence_len("☺\u{FE0E}"),
            None,
            "an emoji asked to show as text"
        );
        assert_eq!(
            sequence_len("😷\u{200D}"),
            Some("😷".len()),
            "a trailing ZWJ is not part of the sequence"
        );
        assert_eq!(
            sequence_len("👍#"),
            Some("👍".len()),
            "a sequence stops at the next character"
        );
    }
}
