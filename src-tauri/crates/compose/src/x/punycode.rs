//! Punycode (RFC 3492), only to measure a host the way twitter-text does: it converts each
//! label with Java's `IDN.toASCII` and refuses a URL whose label exceeds 63 characters.

use unicode_normalization::UnicodeNormalization;

const BASE: u32 = 36;
const T_MIN: u32 = 1;
const T_MAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 0x80;

/// Length of a host label after IDNA ToASCII (as Java's `IDN.toASCII`): unchanged when ASCII,
/// otherwise `xn--` and its punycode after nameprep; `None` when ToASCII refuses the label
/// (non-ASCII but already starting with the `xn--` prefix). Nameprep is approximated by
/// removing the characters it maps to nothing, lower-casing and NFKC, which is what changes
/// lengths in practice.
pub(super) fn ascii_label_len(label: &str) -> Option<usize> {
    if label.is_ascii() {
        return Some(label.len());
    }
    let prepped: String = label
        .chars()
        .filter(|&c| !maps_to_nothing(c))
        .flat_map(char::to_lowercase)
        .nfkc()
        .collect();
    if prepped.is_ascii() {
        return Some(prepped.len());
    }
    if prepped.starts_with("xn--") {
        return None;
    }
    Some("xn--".len() + encode(&prepped).len())
}

/// RFC 3492 table B.1 of nameprep (RFC 3491): characters removed before encoding.
fn maps_to_nothing(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{1806}'
            | '\u{180B}'..='\u{180D}'
            | '\u{200B}'..='\u{200D}'
            | '\u{2060}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
    )
}

/// The punycode of `input` (without the `xn--` prefix), per RFC 3492 §6.3.
pub(super) fn encode(input: &str) -> String {
    let code_points: Vec<u32> = input.chars().map(u32::from).collect();
    let mut output: String = input.chars().filter(char::is_ascii).collect();
    let basic = output.len() as u32;
    let mut handled = basic;
    if basic > 0 {
        output.push('-');
    }
    let mut n = INITIAL_N;
    let mut delta: u32 = 0;
    let mut bias = INITIAL_BIAS;
    let total = code_points.len() as u32;
    while handled < total {
        let m = code_points
            .iter()
            .copied()
            .filter(|&c| c >= n)
            .min()
            .unwrap_or(n);
        delta = delta.saturating_add((m - n).saturating_mul(handled + 1));
        n = m;
        for &c in &code_points {
            if c < n {
                delta = delta.saturating_add(1);
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = threshold(k, bias);
                    if q < t {
                        break;
                    }
                    output.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                output.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.saturating_add(1);
        n += 1;
    }
    output
}

fn threshold(k: u32, bias: u32) -> u32 {
    if k <= bias {
        T_MIN
    } else if k >= bias + T_MAX {
        T_MAX
    } else {
        k - bias
    }
}

fn digit(d: u32) -> char {
    match d {
        0..=25 => char::from(b'a' + d as u8),
        _ => char::from(b'0' + (d - 26) as u8),
    }
}

fn adapt(delta: u32, points: u32, first: bool) -> u32 {
    let mut delta = if first { delta / DAMP } else { delta / 2 };
    delta += delta / points;
    let mut k = 0;
    while delta > ((BASE - T_MIN) * T_MAX) / 2 {
        delta /= BASE - T_MIN;
        k += BASE;
    }
    k + (((BASE - T_MIN + 1) * delta) / (delta + SKEW))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_3492_samples() {
        // RFC 3492 §7.1 (A) Arabic (Egyptian) and (L) Japanese with ASCII.
        assert_eq!(
            encode("\u{0644}\u{064A}\u{0647}\u{0645}\u{0627}\u{0628}\u{062A}\u{0643}\u{0644}\u{0645}\u{0648}\u{0634}\u{0639}\u{0631}\u{0628}\u{064A}\u{061F}"),
            "egbpdaj6bu4bxfgehfvwxn",
            "RFC 3492 sample A"
        );
        assert_eq!(
            encode("3\u{5E74}B\u{7D44}\u{91D1}\u{516B}\u{5148}\u{751F}"),
            "3B-ww4c5e180e575a65lsy2b",
            "RFC 3492 sample L: basic code points kept before the delimiter"
        );
        assert_eq!(encode("bücher"), "bcher-kva", "the common German example");
    }

    #[test]
    fn label_lengths() {
        assert_eq!(
            ascii_label_len("twitter"),
            Some(7),
            "ASCII labels are unchanged"
        );
        assert_eq!(
            ascii_label_len("Bücher"),
            Some("xn--bcher-kva".len()),
            "lower-cased, then encoded"
        );
        assert_eq!(
            ascii_label_len("xn--はじめよう"),
            None,
            "a non-ASCII label with the ACE prefix"
        );
    }
}
