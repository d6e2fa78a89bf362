//! The networks whose rules we know, and the shape of those rules.
//!
//! Adding a network means a module with its `RULES`, a variant here, and its line in
//! [`Network::ALL`] and [`Network::rules`]; the checking code reads only [`Rules`].

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::media::MediaRules;
use crate::{facebook_pages, linkedin, x};

/// A network whose post rules we know. Over IPC it is its platform id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
pub enum Network {
    #[serde(rename = "x")]
    X,
    #[serde(rename = "linkedin")]
    LinkedIn,
    #[serde(rename = "facebook_pages")]
    FacebookPages,
}

impl Network {
    /// Every network with rules, in the order the composer lists them.
    pub const ALL: [Network; 3] = [Network::X, Network::LinkedIn, Network::FacebookPages];

    /// The network for a platform id (`"x"`, `"linkedin"`, `"facebook_pages"`), if we know its rules.
    pub fn from_platform(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.id() == id)
    }

    /// The platform id, as used over IPC and in the store.
    pub fn id(self) -> &'static str {
        self.rules().id
    }

    pub fn rules(self) -> &'static Rules {
        match self {
            Network::X => &x::RULES,
            Network::LinkedIn => &linkedin::RULES,
            Network::FacebookPages => &facebook_pages::RULES,
        }
    }
}

/// Everything the checker needs to know about one network.
#[derive(Debug)]
pub struct Rules {
    /// Platform id (`"x"`).
    pub id: &'static str,
    /// Name shown to the user in messages (`"X"`).
    pub name: &'static str,
    pub text: TextRules,
    pub link: LinkPlacement,
    pub media: MediaRules,
    /// Longest first comment, or `None` when the network has no first comment.
    pub first_comment_limit: Option<u32>,
    /// Whether a post can carry follow-up posts (a thread).
    pub threads: bool,
}

#[derive(Debug)]
pub struct TextRules {
    pub limit: u32,
    /// A higher limit some accounts have (X Premium), applied when the caller says so.
    pub premium_limit: Option<u32>,
    pub counting: Counting,
    /// Characters that make the network refuse the text.
    pub forbidden: &'static [char],
}

/// How a network counts characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counting {
    /// twitter-text v3: see [`crate::x_weighted_length`].
    XWeighted,
    /// UTF-16 code units, which is what Java and JavaScript backends measure as a string's
    /// length: an emoji outside the Basic Multilingual Plane counts 2.
    Utf16,
}

impl Counting {
    pub fn count(self, text: &str) -> u32 {
        let n = match self {
            Counting::XWeighted => return x::x_weighted_length(text),
            Counting::Utf16 => text.encode_utf16().count(),
        };
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

/// Where the draft's link goes when the post is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPlacement {
    /// Appended to the text after a space (X), so it counts toward the text's length.
    InText,
    /// Sent as a link share with its preview card, outside the text; the network then shows
    /// either the preview or attached media, not both.
    Preview,
}

impl LinkPlacement {
    /// The text as the network receives it. With [`LinkPlacement::InText`] the link follows the
    /// text after one space (none when the text is blank or already ends in whitespace).
    pub fn text_with_link<'t>(self, text: &'t str, link: Option<&str>) -> Cow<'t, str> {
        let link = link.map(str::trim).filter(|l| !l.is_empty());
        match (self, link) {
            (LinkPlacement::InText, Some(link)) if text.trim().is_empty() => {
                Cow::Owned(link.to_string())
            }
            (LinkPlacement::InText, Some(link)) if text.ends_with(char::is_whitespace) => {
                Cow::Owned(format!("{text}{link}"))
            }
            (LinkPlacement::InText, Some(link)) => Cow::Owned(format!("{text} {link}")),
            _ => Cow::Borrowed(text),
        }
    }
}
