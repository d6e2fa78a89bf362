//! Checking a draft against a network's [`Rules`]; nothing here is specific to one network.

use crate::media::{self, index_u32, thousands};
use crate::network::{LinkPlacement, Network, Rules};
use crate::report::{Count, Field, Issue, IssueCode, Report, Severity};
use crate::{x, Draft, Options};

pub(crate) fn run(network: Network, draft: &Draft, options: &Options) -> Report {
    let rules = network.rules();
    let limit = match (options.premium, rules.text.premium_limit) {
        (true, Some(premium)) => premium,
        _ => rules.text.limit,
    };
    let link = draft.link.map(str::trim).filter(|l| !l.is_empty());
    let mut counts = Vec::new();
    let mut issues = Vec::new();

    let body = rules.link.text_with_link(draft.text, link);
    if is_blank(&body) && draft.media.is_empty() && link.is_none() {
        issues.push(error(
            IssueCode::TextEmpty,
            Field::Text,
            None,
            format!(
                "Write something or attach media: {} posts can't be empty.",
                rules.name
            ),
        ));
    }
    check_text(
        rules,
        &body,
        Field::Text,
        None,
        limit,
        &mut counts,
        &mut issues,
    );

    if let Some(link) = link {
        check_link(rules, link, draft, &mut issues);
    }

    media::check(rules.name, &rules.media, draft.media, &mut issues);

    if let Some(comment) = draft.first_comment.filter(|c| !is_blank(c)) {
        check_first_comment(rules, comment, &mut counts, &mut issues);
    }

    check_thread(rules, draft.thread, limit, &mut counts, &mut issues);

    let ok = !issues.iter().any(|i| i.severity == Severity::Error);
    Report {
        network: rules.id.to_string(),
        counts,
        issues,
        ok,
    }
}

/// Counts one post's text and checks its length and characters.
fn check_text(
    rules: &Rules,
    text: &str,
    field: Field,
    index: Option<u32>,
    limit: u32,
    counts: &mut Vec<Count>,
    issues: &mut Vec<Issue>,
) {
    let used = rules.text.counting.count(text);
    counts.push(Count {
        field,
        index,
        used,
        limit,
    });
    let what = match index {
        Some(i) => format!("Post {} of the thread", i + 2),
        None => "This post".to_string(),
    };
    if used > limit {
        let premium_hint = match rules.text.premium_limit {
            Some(premium) if limit < premium => {
                format!(
                    " ({} with {} Premium)",
                    thousands(premium.into()),
                    rules.name
                )
            }
            _ => String::new(),
        };
        issues.push(error(
            IssueCode::TextTooLong,
            field,
            index,
            format!(
                "{what} is {} characters; {} allows {}{premium_hint}.",
                thousands(used.into()),
                rules.name,
                thousands(limit.into()),
            ),
        ));
    }
    if let Some(c) = text.chars().find(|c| rules.text.forbidden.contains(c)) {
        issues.push(error(
            IssueCode::InvalidCharacters,
            field,
            index,
            format!(
                "{what} contains an invisible character (U+{:04X}) that {} refuses; delete it.",
                u32::from(c),
                rules.name
            ),
        ));
    }
}

fn check_link(rules: &Rules, link: &str, draft: &Draft, issues: &mut Vec<Issue>) {
    match rules.link {
        LinkPlacement::InText => {
            // why: X only shortens (and counts as 23) what twitter-text recognises as a URL;
            // anything else is posted as plain text.
            if !x::is_link(link) {
                issues.push(error(
                    IssueCode::LinkInvalid,
                    Field::Link,
                    None,
                    format!(
                        "{} won't recognise this link as a web address, so it would be posted as plain text.",
                        rules.name
                    ),
                ));
            }
        }
        LinkPlacement::Preview => {
            if !is_web_address(link) {
                issues.push(error(
                    IssueCode::LinkInvalid,
                    Field::Link,
                    None,
                    "The link must be a full web address, starting with https://.".to_string(),
                ));
            }
            // why: a link share is its own kind of post (LinkedIn `content.article`, Facebook
            // `/feed` with `link`); photos and videos are posted through other content types.
            if !draft.media.is_empty() {
                issues.push(error(
                    IssueCode::LinkWithMedia,
                    Field::Link,
                    None,
                    format!(
                        "{} shows either attached media or a link preview, not both. Remove the media, or put the link in the text.",
                        rules.name
                    ),
                ));
            }
        }
    }
}

fn check_first_comment(
    rules: &Rules,
    comment: &str,
    counts: &mut Vec<Count>,
    issues: &mut Vec<Issue>,
) {
    let Some(limit) = rules.first_comment_limit else {
        let hint = if rules.threads {
            "; add it to a thread as the next post instead"
        } else {
            ""
        };
        issues.push(error(
            IssueCode::FirstCommentNotSupported,
            Field::FirstComment,
            None,
            format!("{} has no first comment{hint}.", rules.name),
        ));
        return;
    };
    let used = rules.text.counting.count(comment);
    counts.push(Count {
        field: Field::FirstComment,
        index: None,
        used,
        limit,
    });
    if used > limit {
        issues.push(error(
            IssueCode::CommentTooLong,
            Field::FirstComment,
            None,
            format!(
                "The first comment is {} characters; {} allows {} in a comment.",
                thousands(used.into()),
                rules.name,
                thousands(limit.into())
            ),
        ));
    }
}

fn check_thread(
    rules: &Rules,
    thread: &[String],
    limit: u32,
    counts: &mut Vec<Count>,
    issues: &mut Vec<Issue>,
) {
    if !rules.threads {
        if thread.iter().any(|p| !is_blank(p)) {
            issues.push(error(
                IssueCode::ThreadNotSupported,
                Field::Thread,
                None,
                format!(
                    "{} has no threads: merge the follow-up posts into the text or publish them separately.",
                    rules.name
                ),
            ));
        }
        return;
    }
    for (i, part) in thread.iter().enumerate() {
        let index = Some(index_u32(i));
        if is_blank(part) {
            issues.push(error(
                IssueCode::TextEmpty,
                Field::Thread,
                index,
                format!("Post {} of the thread is empty.", i + 2),
            ));
        }
        check_text(rules, part, Field::Thread, index, limit, counts, issues);
    }
}

fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// `https://host.tld/…`: a scheme, a dotted host, and no spaces.
fn is_web_address(link: &str) -> bool {
    let lower = link.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return false;
    };
    if link.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host = match host_port.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => host_port,
    };
    host.contains('.') && host.split('.').all(|label| !label.is_empty())
}

fn error(code: IssueCode, field: Field, index: Option<u32>, message: String) -> Issue {
    Issue {
        code,
        severity: Severity::Error,
        field,
        index,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::is_web_address;

    #[test]
    fn web_addresses() {
        assert!(is_web_address("https://example.com"), "plain https address");
        assert!(
            is_web_address("HTTP://Example.com:8080/a?b#c"),
            "port, path, query, fragment, upper case"
        );
        assert!(!is_web_address("example.com"), "no scheme");
        assert!(!is_web_address("https://localhost/x"), "host without a dot");
        assert!(!is_web_address("https://exa mple.com"), "space inside");
        assert!(!is_web_address("ftp://example.com"), "not a web scheme");
        assert!(!is_web_address("https://example..com"), "empty label");
    }
}
