//! switchboard-compose: per-network rules for a post, checked while the user types.
//!
//! Pure functions: no I/O, no clock, no Tauri. [`check`] takes a [`Draft`] (the text for one
//! target, its link, media, first comment and thread) and returns a [`Report`] with the live
//! counters the composer shows ("243 / 280") and the [`Issue`]s found, each with a code the UI
//! can branch on and an English message.
//!
//! Where the rules come from (each module says more, with `why:` comments at each number):
//! - [`x`]: twitter-text v3 weighted counting (the official `config/v3.json`, the Java
//!   `TwitterTextParser`, `Extractor` and `Regex`, checked against `conformance/validate.yml`),
//!   and X's media limits (docs.x.com media upload pages).
//! - [`linkedin`]: the Posts API "little text" format and commentary length, the Images and
//!   Videos APIs' limits (learn.microsoft.com, LinkedIn Marketing docs).
//! - [`facebook_pages`]: the Graph API's Page feed, photo and video upload docs
//!   (developers.facebook.com).
//!
//! Adding a network is a module with its `RULES` plus a line in [`Network`].

mod check;
pub mod facebook_pages;
pub mod linkedin;
mod media;
mod network;
mod report;
pub mod x;

use serde::{Deserialize, Serialize};

pub use linkedin::{linkedin_escape, linkedin_unescape};
pub use media::{Format, MediaInfo, MediaKind, MediaRules, GB, MB};
pub use network::{Counting, LinkPlacement, Network, Rules, TextRules};
pub use report::{Count, Field, Issue, IssueCode, Report, Severity};
pub use x::{x_text_with_link, x_weighted_length};

/// One target's version of a post, as the composer holds it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Draft<'a> {
    /// The body for this target (any per-network variant already applied).
    pub text: &'a str,
    /// The link attached to the post: a link share on Facebook and LinkedIn; on X it is
    /// appended to the text (see [`x_text_with_link`]) and counted there.
    pub link: Option<&'a str>,
    pub media: &'a [MediaInfo],
    pub first_comment: Option<&'a str>,
    /// Follow-up posts of a thread (X only), each checked on its own.
    pub thread: &'a [String],
}

/// Facts about the publishing account that change the limits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Options {
    /// The account has its network's paid tier, where that raises the text limit
    /// ([`TextRules::premium_limit`]; X Premium: 25,000 instead of 280).
    #[serde(default)]
    pub premium: bool,
}

/// Checks a draft against a network's rules with default [`Options`].
pub fn check(network: Network, draft: &Draft) -> Report {
    check_with(network, draft, &Options::default())
}

/// Checks a draft against a network's rules.
pub fn check_with(network: Network, draft: &Draft, options: &Options) -> Report {
    check::run(network, draft, options)
}
