//! What a check tells the composer: live counters and the problems found.

use serde::{Deserialize, Serialize};

/// The result of checking one draft against one network's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The network's IPC id (`"x"`, `"linkedin"`, `"facebook_pages"`).
    pub network: String,
    /// One counter per counted field: the text, each thread post, the first comment.
    pub counts: Vec<Count>,
    pub issues: Vec<Issue>,
    /// True when no issue has [`Severity::Error`]: the draft can be published as it is.
    pub ok: bool,
}

impl Report {
    /// The first issue with this code, if any.
    pub fn issue(&self, code: IssueCode) -> Option<&Issue> {
        self.issues.iter().find(|i| i.code == code)
    }

    /// Whether an issue with this code was raised.
    pub fn has(&self, code: IssueCode) -> bool {
        self.issue(code).is_some()
    }

    /// The counter for a field (and thread position), if that field was counted.
    pub fn count(&self, field: Field, index: Option<u32>) -> Option<&Count> {
        self.counts
            .iter()
            .find(|c| c.field == field && c.index == index)
    }
}

/// A live counter, shown as "243 / 280".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Count {
    pub field: Field,
    /// Position in the thread (0 = the first follow-up post) for [`Field::Thread`].
    pub index: Option<u32>,
    /// Characters used, in the network's own way of counting.
    pub used: u32,
    pub limit: u32,
}

/// One problem with a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Issue {
    pub code: IssueCode,
    pub severity: Severity,
    pub field: Field,
    /// The media item or thread post concerned, counted from 0.
    pub index: Option<u32>,
    /// A sentence for the user, in plain English.
    pub message: String,
}

/// What is wrong, for the UI to branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum IssueCode {
    /// No text, no media and no link.
    TextEmpty,
    TextTooLong,
    /// Characters the network refuses (X: U+FFFE, U+FEFF, U+FFFF).
    InvalidCharacters,
    /// The link is not a web address the network will recognise.
    LinkInvalid,
    /// A link preview and attached media cannot go in the same post.
    LinkWithMedia,
    TooManyMedia,
    /// Media of different kinds (images, GIF, video) in one post.
    MixedMedia,
    /// A file type the network does not accept.
    MediaType,
    MediaTooLarge,
    /// Width × height over the network's pixel limit.
    MediaDimensions,
    /// The file is accepted but may come out degraded (a warning).
    MediaQuality,
    ThreadNotSupported,
    FirstCommentNotSupported,
    CommentTooLong,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The network would refuse the post, or publish something other than what was written.
    Error,
    /// The post can go out, but the user should know something.
    Warning,
}

/// The part of the draft an issue or counter is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Text,
    Link,
    Media,
    FirstComment,
    Thread,
}
