//! URLs as twitter-text finds them, so each can be counted as 23.
//!
//! A hand-written scanner equivalent to the Java `Extractor.extractURLsWithIndices` with
//! `Regex.VALID_URL` (twitter/twitter-text, commit 30e2430). The regex, reduced to what can
//! change a match:
//!
//! ```text
//! before   [^a-z0-9@＠$#＃\uFFFE\uFEFF\uFFFF] | ^           (consumed, then the URL)
//! protocol (https?://)?
//! domain   (?> sub. )* name. TLD                           sub: [C][C_-]*[C], name: [C][C-]*[C]
//!        | (?<=https?://) unicode-name. TLD                 (any non-punctuation, non-space)
//! TLD      one of the TLD list, then not [a-z0-9@+-]  |  xn--[-0-9a-z]+
//! port     (:[0-9]++)?
//! path     (/ (path chars and balanced parens, ending on an ending char or a paren group)*+)?
//! query    (\? [query chars]* [query ending char])?
//! ```
//!
//! (The two other domain alternatives of the regex, `name. ccTLD` after a protocol and
//! `name. ccTLD (?=/)`, only ever match what the first already matches.) A match is then
//! dropped, its text still consumed, when it has no protocol and follows one of `-_./`, when
//! it is a `t.co` link with a slug over 40 characters, or when its host has a label longer
//! than 63 characters once IDNA-encoded or the URL exceeds 4096 characters.
//!
//! Matching is ASCII case-insensitive, as Java's `CASE_INSENSITIVE` without `UNICODE_CASE`.

use std::ops::Range;

use super::{punycode, tlds};

/// why: Extractor.MAX_URL_LENGTH, MAX_TCO_SLUG_LENGTH, URL_GROUP_PROTOCOL_LENGTH, and the
/// 63-character label limit of Java's IDN.toASCII.
const MAX_URL_LENGTH: usize = 4096;
const MAX_TCO_SLUG_LENGTH: usize = 40;
const DEFAULT_PROTOCOL_LENGTH: usize = "https://".len();
const MAX_LABEL_LENGTH: usize = 63;

/// Byte ranges of the URLs in `text` (already NFC-normalised), in order.
pub(super) fn extract(text: &str) -> Vec<Range<usize>> {
    // why: the same shortcut as the Java extractor: no dot, no domain, no URL.
    if !text.contains('.') {
        return Vec::new();
    }
    let scanner = Scanner::new(text);
    let mut urls = Vec::new();
    let mut from = 0;
    while let Some(m) = (from..scanner.len()).find_map(|i| scanner.match_at(i)) {
        from = m.end;
        if let Some(range) = scanner.accept(&m) {
            urls.push(range);
        }
    }
    urls
}

/// One regex match: character indices into the scanner's text.
struct Match {
    before: Option<char>,
    start: usize,
    end: usize,
    protocol: bool,
    host: Range<usize>,
}

/// The three kinds of domain label in the regex.
#[derive(Clone, Copy)]
enum Label {
    /// `URL_VALID_SUBDOMAIN`: URL characters, with `-` and `_` inside.
    Sub,
    /// `URL_VALID_DOMAIN_NAME`: URL characters, with `-` inside.
    Name,
    /// `URL_VALID_UNICODE_DOMAIN_NAME`: any non-punctuation, non-space, with `-` inside.
    Unicode,
}

struct Scanner<'a> {
    text: &'a str,
    chars: Vec<char>,
    /// Byte offset of each char, plus the text's length at the end.
    offsets: Vec<usize>,
    /// For each position and kind of label, where the run of that label's characters ends.
    runs: [Vec<usize>; 3],
    /// For each position, where the domain's first alternative (`sub.* name. TLD`) ends.
    /// Computed once so that trying a URL at every position stays linear (`a.a.a.a…`).
    domains: Vec<Option<usize>>,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Self {
        let chars: Vec<char> = text.chars().collect();
        let mut offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        offsets.push(text.len());
        let runs = [Label::Sub, Label::Name, Label::Unicode].map(|label| {
            let mut ends = vec![chars.len(); chars.len() + 1];
            for i in (0..chars.len()).rev() {
                ends[i] = if label.inner(chars[i]) {
                    ends[i + 1]
                } else {
                    i
                };
            }
            ends
        });
        let mut scanner = Scanner {
            text,
            chars,
            offsets,
            runs,
            domains: Vec::new(),
        };
        scanner.domains = scanner.subdomain_name_tld_ends();
        scanner
    }

    /// Where `(?>sub.)* name. TLD` starting at each position ends, right to left: with a
    /// subdomain at `p` the regex first tries the rest after it, and only when that fails gives
    /// the subdomain back and tries `name. TLD` at `p`.
    fn subdomain_name_tld_ends(&self) -> Vec<Option<usize>> {
        let n = self.len();
        let mut tld_after_dot: Vec<Option<Option<usize>>> = vec![None; n + 1];
        let mut ends = vec![None; n + 1];
        for p in (0..n).rev() {
            let name_tld = self.label_end(p, Label::Name).and_then(|dot| {
                *tld_after_dot[dot + 1].get_or_insert_with(|| self.tld_end(dot + 1, true))
            });
            ends[p] = match self.label_end(p, Label::Sub) {
                Some(dot) => ends[dot + 1].or(name_tld),
                None => name_tld,
            };
        }
        ends
    }

    fn len(&self) -> usize {
        self.chars.len()
    }

    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    fn slice(&self, r: Range<usize>) -> &'a str {
        &self.text[self.offsets[r.start]..self.offsets[r.end]]
    }

    /// Whether the text at `i` starts with `ascii`, ignoring ASCII case.
    fn starts_with(&self, i: usize, ascii: &str) -> bool {
        let n = ascii.len();
        i + n <= self.len()
            && self.chars[i..i + n]
                .iter()
                .zip(ascii.chars())
                .all(|(a, b)| a.eq_ignore_ascii_case(&b))
    }

    /// The regex tried at position `i`: a preceding character then a URL, or a URL at the start.
    fn match_at(&self, i: usize) -> Option<Match> {
        let c = self.at(i)?;
        if is_valid_before(c) {
            if let Some(m) = self.url_at(i + 1, Some(c)) {
                return Some(m);
            }
        }
        if i == 0 {
            return self.url_at(0, None);
        }
        None
    }

    fn url_at(&self, start: usize, before: Option<char>) -> Option<Match> {
        let with_protocol = ["https://", "http://"]
            .into_iter()
            .find(|p| self.starts_with(start, p))
            .and_then(|p| {
                let host_start = start + p.len();
                self.domain_end(host_start)
                    .map(|end| (true, host_start, end))
            });
        let (protocol, host_start, host_end) =
            with_protocol.or_else(|| self.domain_end(start).map(|end| (false, start, end)))?;

        let mut end = host_end;
        if self.at(end) == Some(':') && self.at(end + 1).is_some_and(|c| c.is_ascii_digit()) {
            end += 1;
            while self.at(end).is_some_and(|c| c.is_ascii_digit()) {
                end += 1;
            }
        }
        if self.at(end) == Some('/') {
            end = self.path_end(end + 1);
        }
        if self.at(end) == Some('?') {
            end = self.query_end(end);
        }
        Some(Match {
            before,
            start,
            end,
            protocol,
            host: host_start..host_end,
        })
    }

    /// The end of a domain starting at `i`, trying the regex's alternatives in its order.
    fn domain_end(&self, i: usize) -> Option<usize> {
        if let Some(end) = self.domains.get(i).copied().flatten() {
            return Some(end);
        }
        // why: the Unicode domain alternative is guarded by `(?<=https?://)` on the raw text.
        let after_protocol = ["https://", "http://"]
            .into_iter()
            .any(|p| i >= p.len() && self.starts_with(i - p.len(), p));
        if after_protocol {
            if let Some(dot) = self.label_end(i, Label::Unicode) {
                return self.tld_end(dot + 1, false);
            }
        }
        None
    }

    /// A label `C([C-]*C)?` starting at `i` and followed by a dot: the dot's index.
    fn label_end(&self, i: usize, label: Label) -> Option<usize> {
        let end = *self.runs[label as usize].get(i)?;
        let first_last_ok = end > i && label.edge(self.chars[i]) && label.edge(self.chars[end - 1]);
        (first_last_ok && self.at(end) == Some('.')).then_some(end)
    }

    /// A top-level domain at `i` followed by a character outside `[a-z0-9@+-]`, or punycode.
    fn tld_end(&self, i: usize, punycode: bool) -> Option<usize> {
        let boundary = |end: usize| {
            !self
                .at(end)
                .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '@' | '+' | '-'))
        };
        let first = self.at(i)?;
        if first.is_ascii() {
            let mut end = i;
            while self.at(end).is_some_and(|c| c.is_ascii_alphabetic()) {
                end += 1;
            }
            let name = self.slice(i..end).to_ascii_lowercase();
            if end > i && boundary(end) && tlds::ASCII.binary_search(&name.as_str()).is_ok() {
                return Some(end);
            }
        } else {
            let rest = &self.text[self.offsets[i]..];
            for tld in tlds::UNICODE {
                if rest.starts_with(tld) {
                    let end = i + tld.chars().count();
                    if boundary(end) {
                        return Some(end);
                    }
                }
            }
        }
        if punycode && self.starts_with(i, "xn--") {
            let mut end = i + 4;
            while self
                .at(end)
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                end += 1;
            }
            return (end > i + 4).then_some(end);
        }
        None
    }

    /// Path characters and balanced parentheses from `i`, up to the last ending character or
    /// parenthesis group (so `/foo.` leaves the period out).
    fn path_end(&self, i: usize) -> usize {
        let mut at = i;
        let mut last_end = i;
        loop {
            match self.at(at) {
                Some(c) if is_path_char(c) => {
                    at += 1;
                    if is_path_ending_char(c) {
                        last_end = at;
                    }
                }
                Some('(') => match self.balanced_parens_end(at) {
                    Some(end) => {
                        at = end;
                        last_end = at;
                    }
                    None => break,
                },
                _ => break,
            }
        }
        last_end
    }

    /// `\( (P+ | P* \( P+ \) P*) \)` at `i`, P being path characters: the end.
    fn balanced_parens_end(&self, i: usize) -> Option<usize> {
        let run = |from: usize| {
            let mut end = from;
            while self.at(end).is_some_and(is_path_char) {
                end += 1;
            }
            end
        };
        let first = run(i + 1);
        match self.at(first) {
            Some(')') if first > i + 1 => Some(first + 1),
            Some('(') => {
                let inner = run(first + 1);
                if inner == first + 1 || self.at(inner) != Some(')') {
                    return None;
                }
                let outer = run(inner + 1);
                (self.at(outer) == Some(')')).then_some(outer + 1)
            }
            _ => None,
        }
    }

    /// `\?[query chars]*[query ending char]` at `i` (the `?`), or `i` when there is none.
    fn query_end(&self, i: usize) -> usize {
        let mut at = i + 1;
        let mut last_end = i;
        while let Some(c) = self.at(at).filter(|&c| is_query_char(c)) {
            at += 1;
            if is_query_ending_char(c) {
                last_end = at;
            }
        }
        last_end
    }

    /// The Java extractor's checks after a regex match: the URL's byte range if it is kept.
    fn accept(&self, m: &Match) -> Option<Range<usize>> {
        // why: INVALID_URL_WITHOUT_PROTOCOL_MATCH_BEGIN `[-_./]$` on the preceding character.
        if !m.protocol && matches!(m.before, Some('-' | '_' | '.' | '/')) {
            return None;
        }
        let mut end = m.end;
        if let Some(slug) = self.tco_slug(m) {
            if slug.len > MAX_TCO_SLUG_LENGTH {
                return None;
            }
            end = slug.end_of_url;
        }
        let url_len = utf16_len(self.slice(m.start..end));
        let host = self.slice(m.host.clone());
        let mut ascii_host_len = 0;
        for label in host.split('.') {
            let len = punycode::ascii_label_len(label)?;
            if len == 0 || len > MAX_LABEL_LENGTH {
                return None;
            }
            ascii_host_len += len + 1;
        }
        ascii_host_len -= 1;
        let protocol_len = if m.protocol {
            0
        } else {
            DEFAULT_PROTOCOL_LENGTH
        };
        let length = url_len + ascii_host_len + protocol_len;
        if length.saturating_sub(utf16_len(host)) > MAX_URL_LENGTH {
            return None;
        }
        Some(self.offsets[m.start]..self.offsets[end])
    }

    /// For `https?://t.co/slug(?query)`: the slug and where the URL then ends (the regex
    /// `VALID_TCO_URL` keeps nothing after the slug but a query).
    fn tco_slug(&self, m: &Match) -> Option<TcoSlug> {
        let host = m.host.start;
        if !m.protocol || !self.starts_with(host, "t.co/") {
            return None;
        }
        let slug_start = host + "t.co/".len();
        let mut slug_end = slug_start;
        while slug_end < m.end && self.chars[slug_end].is_ascii_alphanumeric() {
            slug_end += 1;
        }
        if slug_end == slug_start {
            return None;
        }
        let mut end = slug_end;
        if self.at(end) == Some('?') {
            end = self.query_end(end).min(m.end).max(end);
        }
        Some(TcoSlug {
            len: slug_end - slug_start,
            end_of_url: end,
        })
    }
}

impl Label {
    /// Characters a label can start and end with.
    fn edge(self, c: char) -> bool {
        match self {
            Label::Sub | Label::Name => is_url_char(c),
            Label::Unicode => is_unicode_domain_char(c),
        }
    }

    /// Characters a label can hold.
    fn inner(self, c: char) -> bool {
        self.edge(c) || c == '-' || (matches!(self, Label::Sub) && c == '_')
    }
}

struct TcoSlug {
    len: usize,
    end_of_url: usize,
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// `URL_VALID_PRECEDING_CHARS`: anything but `[a-z0-9@＠$#＃]` and the invalid characters.
fn is_valid_before(c: char) -> bool {
    !(c.is_ascii_alphanumeric()
        || matches!(
            c,
            '@' | '\u{FF20}' | '$' | '#' | '\u{FF03}' | '\u{FFFE}' | '\u{FEFF}' | '\u{FFFF}'
        ))
}

/// `LATIN_ACCENTS_CHARS`.
fn is_latin_accent(c: char) -> bool {
    matches!(c,
        '\u{00C0}'..='\u{00D6}' | '\u{00D8}'..='\u{00F6}' | '\u{00F8}'..='\u{00FF}'
        | '\u{0100}'..='\u{024F}'
        | '\u{0253}' | '\u{0254}' | '\u{0256}' | '\u{0257}' | '\u{0259}' | '\u{025B}'
        | '\u{0263}' | '\u{0268}' | '\u{026F}' | '\u{0272}' | '\u{0289}' | '\u{028B}'
        | '\u{02BB}'
        | '\u{0300}'..='\u{036F}'
        | '\u{1E00}'..='\u{1EFF}')
}

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c)
}

/// `URL_VALID_CHARS`: what a domain label is made of.
fn is_url_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || is_latin_accent(c)
}

/// `URL_VALID_UNICODE_CHARS`: not punctuation, not a space, not in General Punctuation.
fn is_unicode_domain_char(c: char) -> bool {
    let punctuation = "-_!\"#$%&'()*+,./:;<=>?@[]^`{|}~".contains(c);
    // why: Java's `\s` is ASCII whitespace only; `\p{Z}` is the Unicode separators.
    let space = matches!(c, ' ' | '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r')
        || matches!(
            c,
            '\u{00A0}' | '\u{1680}' | '\u{2000}'
                ..='\u{200A}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
        );
    let general_punctuation = ('\u{2000}'..='\u{206F}').contains(&c);
    !(punctuation || space || general_punctuation)
}

/// `URL_VALID_GENERAL_PATH_CHARS`.
fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || "!*';:=+,.$/%#[]-\u{2013}_~|&@".contains(c)
        || is_latin_accent(c)
        || is_cyrillic(c)
}

/// `URL_VALID_PATH_ENDING_CHARS` (without the parenthesis group, handled by the caller).
fn is_path_ending_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "=_#/-+".contains(c) || is_latin_accent(c) || is_cyrillic(c)
}

/// `URL_VALID_URL_QUERY_CHARS`.
fn is_query_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!?*'();:&=+$/%#[]-_.,~|@".contains(c)
}

/// `URL_VALID_URL_QUERY_ENDING_CHARS`.
fn is_query_ending_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_&=#/".contains(c)
}

#[cfg(test)]
mod tests {
    use super::extract;

    fn urls(text: &str) -> Vec<&str> {
        extract(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn finds_urls_with_and_without_protocol() {
        assert_eq!(
            urls("see https://example.com/a/b?c=d now"),
            ["https://example.com/a/b?c=d"],
            "full URL"
        );
        assert_eq!(
            urls("go to example.com/path."),
            ["example.com/path"],
            "no protocol; the final period stays out"
        );
        assert_eq!(
            urls("www.twitter.com.foo"),
            ["www.twitter.com.foo"],
            ".foo is itself a TLD"
        );
        assert_eq!(
            urls("a.b.example.co.uk:8080/x"),
            ["a.b.example.co.uk:8080/x"],
            "subdomains and port"
        );
        assert_eq!(
            urls("visit example.notatld"),
            Vec::<&str>::new(),
            "an unknown TLD is no URL"
        );
        assert_eq!(
            urls("@example.com #example.com"),
            Vec::<&str>::new(),
            "after @ or # it is a mention or hashtag"
        );
        assert_eq!(
            urls("foo-example.com"),
            ["foo-example.com"],
            "a dash inside a label"
        );
        assert_eq!(
            urls("foo_example.com"),
            Vec::<&str>::new(),
            "after an underscore, without protocol, it is dropped"
        );
        assert_eq!(
            urls("http://example.com,http://example.org"),
            ["http://example.com", "http://example.org"],
            "two URLs, a comma between"
        );
    }

    #[test]
    fn paths_keep_balanced_parentheses() {
        assert_eq!(
            urls("(see https://en.wikipedia.org/wiki/Primer_(film))"),
            ["https://en.wikipedia.org/wiki/Primer_(film)"],
            "a parenthesised path segment stays, the closing one outside does not"
        );
    }

    #[test]
    fn unicode_hosts_need_a_protocol() {
        assert_eq!(
            urls("http://例え.jp"),
            ["http://例え.jp"],
            "Unicode domain after a protocol"
        );
        assert_eq!(
            urls("例え.jp"),
            Vec::<&str>::new(),
            "Unicode domain without a protocol"
        );
        assert_eq!(
            urls("http://foobar.پاکستان/"),
            ["http://foobar.پاکستان/"],
            "a Unicode TLD"
        );
    }

    #[test]
    fn labels_over_63_characters_are_not_hosts() {
        let ok = format!("{}.com", "a".repeat(63));
        let long = format!("{}.com", "a".repeat(64));
        assert_eq!(urls(&ok), [ok.as_str()], "a 63-character label is fine");
        assert_eq!(
            urls(&long),
            Vec::<&str>::new(),
            "a 64-character label is refused"
        );
    }

    #[test]
    fn the_tld_list_is_sorted_for_binary_search() {
        let ascii = super::tlds::ASCII;
        assert!(
            ascii.windows(2).all(|w| w[0] < w[1]),
            "ASCII TLDs sorted and unique"
        );
        assert!(
            ascii
                .iter()
                .all(|t| t.bytes().all(|b| b.is_ascii_lowercase())),
            "lowercase letters only"
        );
        assert!(
            super::tlds::UNICODE.iter().all(|t| !t.is_ascii()),
            "the other list is non-ASCII"
        );
    }

    #[test]
    fn long_dotted_text_scans_in_linear_time() {
        // A URL is tried at every position; without the precomputed domain ends this took
        // over a minute (each start walked every later label, then every TLD after them).
        let dotted = "a.".repeat(12_500);
        assert_eq!(
            urls(&dotted),
            Vec::<&str>::new(),
            "`a` is no TLD, so no URL"
        );
    }

    #[test]
    fn tco_links_stop_after_the_slug() {
        assert_eq!(
            urls("https://t.co/abc123/extra"),
            ["https://t.co/abc123"],
            "t.co keeps only the slug"
        );
        let long_slug = format!("https://t.co/{}", "a".repeat(41));
        assert_eq!(
            urls(&long_slug),
            Vec::<&str>::new(),
            "a t.co slug over 40 characters is refused"
        );
    }
}
