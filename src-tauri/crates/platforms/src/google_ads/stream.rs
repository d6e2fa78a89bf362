//! Reading a JSON array one element at a time as its bytes arrive.
//!
//! `googleAds:searchStream` answers one JSON array of batches of up to 10,000 rows each;
//! a large account's answer runs to hundreds of megabytes. [`ArraySplitter`] hands out
//! each top-level element as soon as its last byte is in, so memory stays bounded by one
//! batch instead of the whole answer. It only tracks what decides where an element ends
//! (strings, escapes and nesting depth); each element is then parsed by `serde_json`.

/// Why a byte stream is not a JSON array.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    #[error("the answer is not a JSON array")]
    NotAnArray,
    #[error("the answer has data after its closing bracket")]
    TrailingData,
    #[error("the answer ended inside its array")]
    Truncated,
    #[error("an element of the answer is not well nested")]
    Unbalanced,
    #[error("one element of the answer is larger than {0} bytes")]
    TooLarge(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the opening `[`.
    Start,
    /// Inside the array, between elements (after `[` or `,`).
    Between,
    /// Inside an element.
    Element,
    /// After the closing `]`.
    End,
}

/// Splits a JSON array's bytes, fed in chunks of any size, into its top-level elements.
#[derive(Debug)]
pub struct ArraySplitter {
    state: State,
    element: Vec<u8>,
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// Whether the last element ended with `,` (so another must follow before `]`).
    expect_element: bool,
    max_element: usize,
}

impl ArraySplitter {
    /// A splitter refusing elements longer than `max_element` bytes.
    pub fn new(max_element: usize) -> Self {
        Self {
            state: State::Start,
            element: Vec::new(),
            depth: 0,
            in_string: false,
            escaped: false,
            expect_element: false,
            max_element,
        }
    }

    /// Feed the next chunk; returns the elements it completed, in order, as raw JSON.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Vec<Vec<u8>>, SplitError> {
        let mut done = Vec::new();
        for &b in chunk {
            match self.state {
                State::Start => match b {
                    b'[' => self.state = State::Between,
                    // A UTF-8 byte order mark is tolerated before the array.
                    0xEF | 0xBB | 0xBF => {}
                    _ if b.is_ascii_whitespace() => {}
                    _ => return Err(SplitError::NotAnArray),
                },
                State::Between => match b {
                    _ if b.is_ascii_whitespace() => {}
                    b']' if !self.expect_element => self.state = State::End,
                    b']' | b',' => return Err(SplitError::Unbalanced),
                    _ => {
                        self.state = State::Element;
                        self.expect_element = false;
                        self.byte(b)?;
                    }
                },
                State::Element => {
                    if !self.in_string && self.depth == 0 && (b == b',' || b == b']') {
                        let mut element = std::mem::take(&mut self.element);
                        while element.last().is_some_and(u8::is_ascii_whitespace) {
                            element.pop();
                        }
                        done.push(element);
                        if b == b',' {
                            self.state = State::Between;
                            self.expect_element = true;
                        } else {
                            self.state = State::End;
                        }
                    } else {
                        self.byte(b)?;
                    }
                }
                State::End => {
                    if !b.is_ascii_whitespace() {
                        return Err(SplitError::TrailingData);
                    }
                }
            }
        }
        Ok(done)
    }

    /// The stream ended: fine only after the closing bracket.
    pub fn finish(&self) -> Result<(), SplitError> {
        match self.state {
            State::End => Ok(()),
            State::Start => Err(SplitError::NotAnArray),
            _ => Err(SplitError::Truncated),
        }
    }

    /// One byte of an element.
    fn byte(&mut self, b: u8) -> Result<(), SplitError> {
        if self.element.len() >= self.max_element {
            return Err(SplitError::TooLarge(self.max_element));
        }
        self.element.push(b);
        if self.in_string {
            if self.escaped {
                self.escaped = false;
            } else if b == b'\\' {
                self.escaped = true;
            } else if b == b'"' {
                self.in_string = false;
            }
            return Ok(());
        }
        match b {
            b'"' => self.in_string = true,
            b'{' | b'[' => self.depth += 1,
            b'}' | b']' => {
                self.depth = self.depth.checked_sub(1).ok_or(SplitError::Unbalanced)?;
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    fn split_all(bytes: &[u8], cuts: &[usize]) -> Result<Vec<Value>, SplitError> {
        let mut s = ArraySplitter::new(1 << 20);
        let mut out = Vec::new();
        let mut start = 0;
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
        cuts.sort_unstable();
        for cut in cuts.into_iter().chain([bytes.len()]) {
            for e in s.push(&bytes[start..cut])? {
                out.push(serde_json::from_slice(&e).expect("each element is valid JSON"));
            }
            start = cut;
        }
        s.finish()?;
        Ok(out)
    }

    #[test]
    fn elements_come_out_whole_whatever_the_chunks() {
        let text = br#" [ {"a":"x,]\"}"} , [1,[2]] ,"s\\",3 ,null]  "#;
        let expected = vec![
            serde_json::json!({"a": "x,]\"}"}),
            serde_json::json!([1, [2]]),
            serde_json::json!("s\\"),
            serde_json::json!(3),
            Value::Null,
        ];
        for cut in 0..text.len() {
            assert_eq!(
                split_all(text, &[cut]),
                Ok(expected.clone()),
                "cut at {cut}"
            );
        }
        assert_eq!(split_all(b"[]", &[]), Ok(vec![]), "an empty array");
    }

    #[test]
    fn broken_streams_are_refused() {
        assert_eq!(
            split_all(br#"{"error":1}"#, &[]),
            Err(SplitError::NotAnArray)
        );
        assert_eq!(split_all(br#"[{"a":1}"#, &[]), Err(SplitError::Truncated));
        assert_eq!(split_all(br#"[{"a":1},"#, &[]), Err(SplitError::Truncated));
        assert_eq!(split_all(br#"[1] x"#, &[]), Err(SplitError::TrailingData));
        assert_eq!(split_all(br#"[1,]"#, &[]), Err(SplitError::Unbalanced));
        assert_eq!(split_all(br#"[}]"#, &[]), Err(SplitError::Unbalanced));
        assert_eq!(split_all(b"", &[]), Err(SplitError::NotAnArray));
        let mut small = ArraySplitter::new(4);
        assert_eq!(
            small.push(b"[\"abcdef\"]"),
            Err(SplitError::TooLarge(4)),
            "an element over the limit"
        );
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            (-1e12f64..1e12).prop_map(Value::from),
            // Brackets, commas, quotes, backslashes, control characters and non-ASCII.
            "[\\[\\]{},\"\\\\:a-zé€😀\u{0}-\u{1f} ]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::btree_map("[a-z\"\\\\,\\]]{0,6}", inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Any array, compact or pretty, split anywhere, gives back exactly its elements.
        #[test]
        fn matches_serde_json(
            items in prop::collection::vec(json_value(), 0..8),
            pretty in any::<bool>(),
            cuts in prop::collection::vec(any::<usize>(), 0..12),
        ) {
            let array = Value::Array(items.clone());
            let bytes = if pretty {
                serde_json::to_vec_pretty(&array)
            } else {
                serde_json::to_vec(&array)
            }.expect("serialisable");
            // Compared with serde_json reading the whole array (its float parsing is not an
            // exact round trip, so the generated values themselves are not the reference).
            let whole: Vec<Value> = serde_json::from_slice(&bytes).expect("valid JSON");
            prop_assert_eq!(whole.len(), items.len());
            prop_assert_eq!(split_all(&bytes, &cuts), Ok(whole));
        }

        /// Arbitrary bytes never panic.
        #[test]
        fn never_panics(bytes in prop::collection::vec(any::<u8>(), 0..64), cut in any::<usize>()) {
            let mut s = ArraySplitter::new(16);
            let cut = cut % (bytes.len() + 1);
            let _ = s.push(&bytes[..cut]).and_then(|_| s.push(&bytes[cut..]));
            let _ = s.finish();
        }
    }
}
