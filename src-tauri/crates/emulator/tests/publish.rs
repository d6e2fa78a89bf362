//! The publishers of `switchboard-platforms` (X, LinkedIn, Facebook Pages) against the
//! running emulator over real HTTP: each plan carried out to the end, the exact requests
//! the platform received and what it keeps, every failure class, lookups after an
//! uncertain answer, and no token in any message.

mod support;

use chrono::{Duration as ChronoDuration, Utc};
use secrecy::SecretString;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use support::{registered_config, Harness};
use switchboard_emulator::{EmulatorConfig, Fault, PublishCall, PublishedPost, PUBLISHED_PATH};
use switchboard_oauth::AppCredentials;
use switchboard_platforms::publish::{
    publisher, Action, ActionRole, Destination, FailureClass, Lookup, MediaFile, Outcome, Progress,
    PublishCtx, PublishError, PublishRequest, Publisher, StepResult, POST_KEY,
};

/// The client timeout every test uses: short, so a held answer fails fast.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(2);

/// A connected platform, its publisher, and a client with a short timeout.
struct Pub {
    h: Harness,
    platform: &'static str,
    publisher: Arc<dyn Publisher>,
    descriptor: switchboard_oauth::ProviderDescriptor,
    app: AppCredentials,
    token: SecretString,
    http: reqwest::Client,
}

impl Pub {
    async fn new(platform: &'static str) -> Pub {
        Pub::with(platform, |_| {}).await
    }

    async fn with(platform: &'static str, tweak: impl FnOnce(&mut EmulatorConfig)) -> Pub {
        let mut config = registered_config();
        tweak(&mut config);
        let h = Harness::with(config).await;
        let (tokens, _) = h.connect(platform).await;
        Pub {
            descriptor: h.descriptor(platform),
            app: h.app(platform),
            publisher: publisher(platform).expect("a publisher"),
            token: tokens.access_token,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(CLIENT_TIMEOUT)
                .build()
                .expect("a client"),
            h,
            platform,
        }
    }

    fn ctx(&self) -> PublishCtx<'_> {
        PublishCtx {
            http: &self.http,
            descriptor: &self.descriptor,
            app: &self.app,
            token: &self.token,
            now: self.h.now(),
        }
    }

    async fn destinations(&self) -> Vec<Destination> {
        self.publisher
            .destinations(&self.ctx())
            .await
            .unwrap_or_else(|e| panic!("{}: destinations: {}", self.platform, checked(&e)))
    }

    /// The seeded destination of the default account at `index`.
    fn destination(&self, index: usize, kind: &str) -> Destination {
        let (id, name) = self
            .h
            .emu
            .publish_destinations(self.platform, "")
            .expect("seeded destinations")
            .remove(index);
        Destination {
            id,
            name: Some(name),
            kind: kind.into(),
        }
    }

    async fn perform(
        &self,
        req: &PublishRequest,
        progress: &Progress,
        action: &Action,
    ) -> Result<Outcome, PublishError> {
        self.publisher
            .perform(&self.ctx(), req, progress, action)
            .await
            .inspect_err(|e| {
                checked(e);
            })
    }

    async fn find(&self, req: &PublishRequest, progress: &Progress, key: &str) -> Lookup {
        let action = action(key);
        self.publisher
            .find(&self.ctx(), req, progress, &action)
            .await
            .unwrap_or_else(|e| panic!("{}: find {key}: {}", self.platform, checked(&e)))
    }

    /// Carry out the plan to the end as the scheduler would (polls repeated at once): the
    /// actions in order and how many times a poll said "again".
    async fn publish(&self, req: &PublishRequest) -> (Progress, Vec<(String, ActionRole)>, u32) {
        let mut progress = Progress::default();
        let (mut done, mut again) = (Vec::new(), 0);
        while let Some(a) = self.publisher.next_action(req, &progress) {
            assert!(done.len() + (again as usize) < 60, "the plan ends");
            match self.perform(req, &progress, &a).await {
                Ok(Outcome::Done(result)) => {
                    progress.steps.insert(a.key.clone(), result);
                    done.push((a.key, a.role));
                }
                Ok(Outcome::Again(wait)) => {
                    assert!(wait >= Duration::from_secs(1), "a poll waits: {wait:?}");
                    again += 1;
                }
                Err(e) => panic!("{}: {} failed: {e:?}", self.platform, a.key),
            }
        }
        (progress, done, again)
    }

    /// Perform the plan up to (not including) `key`.
    async fn publish_until(&self, req: &PublishRequest, key: &str) -> Progress {
        let mut progress = Progress::default();
        while let Some(a) = self.publisher.next_action(req, &progress) {
            if a.key == key {
                return progress;
            }
            match self.perform(req, &progress, &a).await {
                Ok(Outcome::Done(result)) => {
                    progress.steps.insert(a.key.clone(), result);
                }
                Ok(Outcome::Again(_)) => {}
                Err(e) => panic!("{} failed before {key}: {e:?}", a.key),
            }
        }
        panic!("the plan has no {key}");
    }

    /// Perform `key` alone, expecting it to fail.
    async fn fail(&self, req: &PublishRequest, progress: &Progress, key: &str) -> PublishError {
        match self.perform(req, progress, &action(key)).await {
            Err(e) => e,
            Ok(o) => panic!("{}: {key} was expected to fail, got {o:?}", self.platform),
        }
    }

    fn published(&self) -> Vec<PublishedPost> {
        self.h.emu.published(self.platform).expect("the platform")
    }

    fn calls(&self) -> Vec<PublishCall> {
        self.h
            .emu
            .publish_calls(self.platform)
            .expect("the platform")
    }

    fn calls_to(&self, method: &str, path_part: &str) -> Vec<PublishCall> {
        self.calls()
            .into_iter()
            .filter(|c| c.method == method && c.path.contains(path_part))
            .collect()
    }

    fn inject(&self, fault: Fault) {
        self.h.emu.inject(self.platform, fault).expect("injected");
    }
}

fn action(key: &str) -> Action {
    let role = match key {
        POST_KEY => ActionRole::Post,
        k if k.ends_with(":status") => ActionRole::Poll,
        k if k.starts_with("media:") => ActionRole::Prepare,
        _ => ActionRole::FollowUp,
    };
    Action::new(key, role)
}

/// The error, after checking no token leaked into its message or its Debug output.
fn checked(e: &PublishError) -> &PublishError {
    let text = format!("{e} {e:?}");
    assert!(
        !text.contains("CANARY"),
        "a token leaked into an error: {text}"
    );
    e
}

fn request(destination: Destination, text: &str) -> PublishRequest {
    PublishRequest {
        target_id: "target-1".into(),
        destination,
        text: text.into(),
        link: None,
        media: Vec::new(),
        first_comment: None,
        thread: Vec::new(),
        due: Utc::now(),
        native_schedule: false,
    }
}

/// A small file that starts like a JPEG.
fn jpeg(i: usize) -> MediaFile {
    let mut bytes = vec![0xff, 0xd8, 0xff, 0xe0];
    bytes.extend(std::iter::repeat_n(i as u8, 1_000 + i));
    MediaFile {
        id: format!("photo-{i}"),
        mime: "image/jpeg".into(),
        bytes: Arc::new(bytes),
        alt: Some(format!("Photo number {i}")),
    }
}

fn keys(list: &[(&str, ActionRole)]) -> Vec<(String, ActionRole)> {
    list.iter().map(|(k, r)| ((*k).to_owned(), *r)).collect()
}

fn value<'a>(progress: &'a Progress, key: &str) -> &'a StepResult {
    progress.get(key).unwrap_or_else(|| panic!("{key} is done"))
}

// ---------------------------------------------------------------------------------------
// X

#[tokio::test]
async fn x_posts_text_with_its_link_to_the_user_of_users_me() {
    let p = Pub::new("x").await;
    let dests = p.destinations().await;
    assert_eq!(
        dests,
        vec![Destination {
            id: "emu-x-user-1".into(),
            name: Some("Demo X User".into()),
            kind: "user".into()
        }],
        "the user of /2/users/me"
    );
    let mut req = request(dests[0].clone(), "Launch day & more");
    req.link = Some("https://example.com/launch".into());
    let (progress, done, _) = p.publish(&req).await;
    assert_eq!(done, keys(&[("post", ActionRole::Post)]), "one action");
    let post = value(&progress, "post");
    assert_eq!(
        post.url.as_deref(),
        Some(format!("https://x.com/i/web/status/{}", post.value).as_str()),
        "the post's URL"
    );
    let calls = p.calls_to("POST", "/2/tweets");
    assert_eq!(calls.len(), 1, "one create call");
    assert!(calls[0].bearer, "the token is a bearer");
    assert_eq!(
        calls[0].json,
        Some(json!({"text": "Launch day & more https://example.com/launch"})),
        "the exact body: the link at the end of the text"
    );
    let held = p.published();
    assert_eq!(held.len(), 1, "X holds one post");
    assert_eq!(held[0].id, post.value, "with the id the publisher stored");
    assert_eq!(held[0].author, "emu-x-user-1", "by the user");
    assert_eq!(held[0].kind, "post");
}

#[tokio::test]
async fn x_uploads_four_images_in_chunks_then_posts_them_in_order() {
    let p = Pub::new("x").await;
    let mut req = request(p.destination(0, "user"), "Four photos");
    req.media = (0..4).map(jpeg).collect();
    let (progress, done, again) = p.publish(&req).await;
    assert_eq!(
        done,
        keys(&[
            ("media:0", ActionRole::Prepare),
            ("media:1", ActionRole::Prepare),
            ("media:2", ActionRole::Prepare),
            ("media:3", ActionRole::Prepare),
            ("post", ActionRole::Post),
        ]),
        "images need no processing polls"
    );
    assert_eq!(again, 0, "no polls");
    let init = p.calls_to("POST", "/2/media/upload/initialize");
    assert_eq!(init.len(), 4, "one upload per image");
    assert_eq!(
        init[0].json,
        Some(
            json!({"media_type": "image/jpeg", "total_bytes": 1004, "media_category": "tweet_image"})
        ),
        "INIT names the type, size and category"
    );
    let append = p.calls_to("POST", "/append");
    assert_eq!(append.len(), 4, "one chunk each");
    assert_eq!(append[0].field("segment_index"), Some("0"), "segment 0");
    assert_eq!(
        append[0].files,
        vec![("media".to_owned(), "image/jpeg".to_owned(), 1004)],
        "the chunk is a multipart file named media"
    );
    assert_eq!(p.calls_to("POST", "/finalize").len(), 4, "each finalized");
    let ids: Vec<String> = (0..4)
        .map(|i| value(&progress, &format!("media:{i}")).value.clone())
        .collect();
    let create = p.calls_to("POST", "/2/tweets");
    assert_eq!(
        create[0].json,
        Some(json!({"text": "Four photos", "media": {"media_ids": ids}})),
        "the media ids in the files' order"
    );
    assert_eq!(
        p.published()[0].media,
        ids,
        "X holds the post with its media"
    );
    assert!(
        p.h.emu
            .uploaded_media("x")
            .unwrap()
            .iter()
            .all(|m| m.state == "ready" && m.declared_bytes == Some(m.bytes)),
        "every upload complete"
    );
}

#[tokio::test]
async fn an_x_thread_of_three_is_a_chain_of_replies() {
    let p = Pub::new("x").await;
    let mut req = request(p.destination(0, "user"), "1/3 A thread");
    req.thread = vec!["2/3 goes on".into(), "3/3 ends".into()];
    req.first_comment = Some("X has no comments; ignored".into());
    let (progress, done, _) = p.publish(&req).await;
    assert_eq!(
        done,
        keys(&[
            ("post", ActionRole::Post),
            ("thread:1", ActionRole::FollowUp),
            ("thread:2", ActionRole::FollowUp),
        ]),
        "the post, then each reply"
    );
    let held = p.published();
    assert_eq!(held.len(), 3, "three posts");
    assert_eq!(
        held[1].reply_to.as_deref(),
        Some(value(&progress, "post").value.as_str()),
        "part 2 answers the post"
    );
    assert_eq!(
        held[2].reply_to.as_deref(),
        Some(value(&progress, "thread:1").value.as_str()),
        "part 3 answers part 2"
    );
    let create = p.calls_to("POST", "/2/tweets");
    assert_eq!(
        create[2].json,
        Some(json!({"text": "3/3 ends", "reply": {"in_reply_to_tweet_id": held[1].id}})),
        "the exact reply body"
    );
    // A reply is found by its text and its parent.
    assert_eq!(
        p.find(&req, &progress, "thread:2").await,
        Lookup::Found(value(&progress, "thread:2").clone()),
        "the last reply is found"
    );
}

#[tokio::test]
async fn an_x_video_is_chunked_and_polled_until_processed() {
    let p = Pub::new("x").await;
    p.inject(Fault::MediaProcessing {
        polls: 2,
        fails: false,
    });
    let mut req = request(p.destination(0, "user"), "A video");
    req.media = vec![MediaFile {
        id: "video".into(),
        mime: "video/mp4".into(),
        bytes: Arc::new(vec![7u8; 4 * 1024 * 1024 + 1000]),
        alt: None,
    }];
    let (progress, done, again) = p.publish(&req).await;
    assert_eq!(
        done,
        keys(&[
            ("media:0", ActionRole::Prepare),
            ("media:0:status", ActionRole::Poll),
            ("post", ActionRole::Post),
        ]),
        "upload, poll, post"
    );
    assert_eq!(again, 2, "two polls answered in_progress");
    let append = p.calls_to("POST", "/append");
    assert_eq!(append.len(), 2, "two chunks of at most 4 MiB");
    assert_eq!(
        append[0].files[0].2,
        4 * 1024 * 1024,
        "the first chunk is full"
    );
    assert_eq!(append[1].files[0].2, 1000, "the second holds the rest");
    assert_eq!(append[1].field("segment_index"), Some("1"), "in order");
    let status = p.calls_to("GET", "/2/media/upload");
    assert_eq!(status.len(), 3, "three STATUS calls");
    assert_eq!(status[0].param("command"), Some("STATUS"));
    assert_eq!(
        status[0].param("media_id"),
        Some(value(&progress, "media:0").value.as_str()),
        "the uploaded media"
    );
    assert_eq!(
        p.calls_to("POST", "/initialize")[0].json.as_ref().unwrap()["media_category"],
        "tweet_video",
        "a video's category"
    );
    assert_eq!(p.published()[0].media.len(), 1, "posted with the video");
    let stats = p.h.emu.stats("x").unwrap();
    assert_eq!(
        (
            stats.publish_requests.get("media_append"),
            stats.publish_requests.get("media_status")
        ),
        (Some(&2), Some(&3)),
        "the stats count the publishing calls by kind"
    );
}

#[tokio::test]
async fn x_media_that_fails_processing_is_rejected() {
    let p = Pub::new("x").await;
    p.inject(Fault::MediaProcessing {
        polls: 0,
        fails: true,
    });
    let mut req = request(p.destination(0, "user"), "Broken video");
    req.media = vec![MediaFile {
        id: "v".into(),
        mime: "video/mp4".into(),
        bytes: Arc::new(vec![1; 10]),
        alt: None,
    }];
    let progress = p.publish_until(&req, "media:0:status").await;
    let e = p.fail(&req, &progress, "media:0:status").await;
    assert_eq!(e.class, FailureClass::Rejected, "failed processing: {e}");
    assert!(
        e.raw.contains("Unsupported video format"),
        "X's reason: {e}"
    );
}

#[tokio::test]
async fn x_rate_limits_say_when_they_reset() {
    let p = Pub::new("x").await;
    p.inject(Fault::PublishRateLimited {
        calls: 1,
        reset_secs: 90,
    });
    let req = request(p.destination(0, "user"), "Too soon");
    let e = p.fail(&req, &Progress::default(), "post").await;
    assert_eq!(e.class, FailureClass::RateLimited, "{e}");
    let wait = e.retry_after.expect("X's reset");
    assert!(
        (Duration::from_secs(87)..=Duration::from_secs(90)).contains(&wait),
        "x-rate-limit-reset minus now: {wait:?}"
    );
    assert!(p.published().is_empty(), "nothing was posted");
    assert_eq!(
        p.h.emu.stats("x").unwrap().publish_faults,
        1,
        "the fault is counted"
    );
}

#[tokio::test]
async fn the_x_post_budget_answers_429_once_spent() {
    let p = Pub::with("x", |c| {
        c.publish_budget = 2;
        c.publish_window = Duration::from_secs(3600);
    })
    .await;
    let dest = p.destination(0, "user");
    for i in 0..2 {
        p.publish(&request(dest.clone(), &format!("post {i}")))
            .await;
    }
    let e = p
        .fail(&request(dest, "post 3"), &Progress::default(), "post")
        .await;
    assert_eq!(e.class, FailureClass::RateLimited, "{e}");
    let wait = e.retry_after.expect("a reset");
    assert!(
        wait > Duration::from_secs(3500) && wait <= Duration::from_secs(3600),
        "the oldest post leaves the hour window: {wait:?}"
    );
    assert_eq!(p.published().len(), 2, "the budget held");
}

#[tokio::test]
async fn x_server_errors_and_unreadable_answers_are_uncertain() {
    let p = Pub::new("x").await;
    let req = request(p.destination(0, "user"), "Maybe");
    p.inject(Fault::PublishServerError(1));
    let e = p.fail(&req, &Progress::default(), "post").await;
    assert_eq!(e.class, FailureClass::Uncertain, "a 5xx: {e}");
    p.inject(Fault::MalformedJson);
    let e = p.fail(&req, &Progress::default(), "post").await;
    assert_eq!(e.class, FailureClass::Uncertain, "an HTML page: {e}");
    assert!(
        e.raw.contains("could not read"),
        "the message says the answer was not understood: {e}"
    );
    assert!(p.published().is_empty(), "neither kept anything");
    assert_eq!(
        p.find(&req, &Progress::default(), "post").await,
        Lookup::NotFound,
        "nothing to find"
    );
}

#[tokio::test]
async fn an_x_post_accepted_then_timed_out_is_uncertain_and_then_found() {
    let p = Pub::new("x").await;
    p.inject(Fault::PublishAcceptThenTimeout(1));
    let mut req = request(p.destination(0, "user"), "Did it go?");
    req.link = Some("https://example.com/x".into());
    let started = std::time::Instant::now();
    let e = p.fail(&req, &Progress::default(), "post").await;
    assert_eq!(e.class, FailureClass::Uncertain, "a timeout: {e}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the client gave up at its own timeout"
    );
    let held = p.published();
    assert_eq!(held.len(), 1, "X holds exactly one post");
    assert_eq!(
        p.find(&req, &Progress::default(), "post").await,
        Lookup::Found(StepResult {
            value: held[0].id.clone(),
            url: Some(format!("https://x.com/i/web/status/{}", held[0].id)),
        }),
        "the lookup finds it by its text"
    );
}

#[tokio::test]
async fn x_duplicates_and_long_texts_are_rejected_and_a_dead_token_reconnects() {
    let p = Pub::new("x").await;
    let req = request(p.destination(0, "user"), "Same words");
    p.publish(&req).await;
    let e = p.fail(&req, &Progress::default(), "post").await;
    assert_eq!(e.class, FailureClass::Rejected, "{e}");
    assert!(e.raw.contains("duplicate content"), "X's words: {e}");
    let long = request(p.destination(0, "user"), &"a".repeat(281));
    let e = p.fail(&long, &Progress::default(), "post").await;
    assert_eq!(e.class, FailureClass::Rejected, "{e}");
    assert!(e.raw.contains("too long"), "X's words: {e}");

    let dead = SecretString::from("CANARY-token-not-issued");
    let ctx = PublishCtx {
        token: &dead,
        ..p.ctx()
    };
    let e = p
        .publisher
        .perform(&ctx, &req, &Progress::default(), &action("post"))
        .await
        .expect_err("an unknown token");
    assert_eq!(checked(&e).class, FailureClass::Reconnect, "{e}");
}

#[tokio::test]
async fn a_refused_connection_sent_nothing() {
    let p = Pub::new("x").await;
    // A port nothing listens on: bind one, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let overrides = format!(r#"{{"x": {{"*": "http://127.0.0.1:{port}"}}}}"#);
    let descriptor = switchboard_oauth::EndpointOverrides::from_json(&overrides)
        .unwrap()
        .apply(vec![switchboard_platforms::x::descriptor()])
        .unwrap()
        .remove(0);
    let ctx = PublishCtx {
        descriptor: &descriptor,
        ..p.ctx()
    };
    let req = request(p.destination(0, "user"), "Nobody home");
    let e = p
        .publisher
        .perform(&ctx, &req, &Progress::default(), &action("post"))
        .await
        .expect_err("nothing listens");
    assert_eq!(checked(&e).class, FailureClass::NotSent, "{e}");
}

// ---------------------------------------------------------------------------------------
// LinkedIn

#[tokio::test]
async fn linkedin_destinations_are_the_member_and_the_pages_they_administer() {
    let p = Pub::new("linkedin").await;
    let dests = p.destinations().await;
    let seen: Vec<(String, Option<String>, String)> =
        dests.into_iter().map(|d| (d.id, d.name, d.kind)).collect();
    assert_eq!(
        seen,
        vec![
            (
                "urn:li:person:emu-linkedin-user-1".to_owned(),
                Some("Demo LinkedIn User".to_owned()),
                "person".to_owned()
            ),
            (
                "urn:li:organization:71000001".to_owned(),
                Some("Demo Brand 1.1 (Company Page)".to_owned()),
                "organization".to_owned()
            ),
            (
                "urn:li:organization:71000002".to_owned(),
                Some("Demo Brand 1.2 (Company Page)".to_owned()),
                "organization".to_owned()
            ),
        ],
        "the member, then each approved administrator role"
    );
    let acl = p.calls_to("GET", "/rest/organizationAcls");
    assert_eq!(acl[0].param("q"), Some("roleAssignee"));
    assert_eq!(acl[0].param("role"), Some("ADMINISTRATOR"));
    assert_eq!(acl[0].param("state"), Some("APPROVED"));
}

#[tokio::test]
async fn a_linkedin_text_post_escapes_little_text_and_sends_the_version() {
    let p = Pub::new("linkedin").await;
    let page = p.destination(1, "organization");
    let req = request(page.clone(), "Hello (world) #launch @team_a");
    let (progress, done, _) = p.publish(&req).await;
    assert_eq!(done, keys(&[("post", ActionRole::Post)]), "one action");
    let post = value(&progress, "post");
    assert!(
        post.value.starts_with("urn:li:share:"),
        "the URN from x-restli-id: {post:?}"
    );
    assert_eq!(
        post.url.as_deref(),
        Some(format!("https://www.linkedin.com/feed/update/{}/", post.value).as_str()),
        "the post's URL"
    );
    let create = &p.calls_to("POST", "/rest/posts")[0];
    assert_eq!(
        create.headers.get("linkedin-version").map(String::as_str),
        Some(switchboard_platforms::linkedin::LINKEDIN_VERSION),
        "the version header"
    );
    assert_eq!(
        create
            .headers
            .get("x-restli-protocol-version")
            .map(String::as_str),
        Some("2.0.0"),
        "the Rest.li protocol header"
    );
    assert_eq!(
        create.json,
        Some(json!({
            "author": page.id,
            "commentary": r"Hello \(world\) \#launch \@team\_a",
            "visibility": "PUBLIC",
            "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": false,
        })),
        "the exact body"
    );
    assert_eq!(
        p.published()[0].author,
        page.id,
        "LinkedIn holds it as the page"
    );
}

#[tokio::test]
async fn a_linkedin_link_is_an_article() {
    let p = Pub::new("linkedin").await;
    let mut req = request(p.destination(1, "organization"), "Read this");
    req.link = Some("https://www.example.com/story".into());
    p.publish(&req).await;
    let body = p.calls_to("POST", "/rest/posts")[0].json.clone().unwrap();
    assert_eq!(
        body["content"],
        json!({"article": {"source": "https://www.example.com/story", "title": "example.com"}}),
        "the link as an article titled by its host"
    );
    assert_eq!(
        body["commentary"], "Read this",
        "the link is not repeated in the text"
    );
}

#[tokio::test]
async fn a_linkedin_image_is_initialized_uploaded_and_attached() {
    let p = Pub::new("linkedin").await;
    let page = p.destination(1, "organization");
    let mut req = request(page.clone(), "One image");
    req.media = vec![jpeg(0)];
    let (progress, done, _) = p.publish(&req).await;
    assert_eq!(
        done,
        keys(&[("media:0", ActionRole::Prepare), ("post", ActionRole::Post)]),
        "upload, then post"
    );
    let image = &value(&progress, "media:0").value;
    assert!(image.starts_with("urn:li:image:"), "{image}");
    let init = &p.calls_to("POST", "/rest/images")[0];
    assert_eq!(init.param("action"), Some("initializeUpload"));
    assert_eq!(
        init.json,
        Some(json!({"initializeUploadRequest": {"owner": page.id}})),
        "the page owns the image"
    );
    let put = p.calls_to("PUT", "/dms-uploads/");
    assert_eq!(put.len(), 1, "the bytes are PUT to the upload URL");
    assert!(put[0].bearer, "with the token (the URL is LinkedIn's)");
    let body = p.calls_to("POST", "/rest/posts")[0].json.clone().unwrap();
    assert_eq!(
        body["content"],
        json!({"media": {"id": image, "altText": "Photo number 0"}}),
        "the image with its alt text"
    );
    let media = p.h.emu.uploaded_media("linkedin").unwrap();
    assert_eq!(
        (media[0].state.as_str(), media[0].bytes),
        ("ready", 1004),
        "received whole"
    );
}

#[tokio::test]
async fn four_linkedin_images_are_a_multi_image_post_with_a_first_comment() {
    let p = Pub::new("linkedin").await;
    let page = p.destination(2, "organization");
    let mut req = request(page.clone(), "Gallery");
    req.media = (0..4).map(jpeg).collect();
    req.first_comment = Some("More at example.com (link)".into());
    let (progress, done, _) = p.publish(&req).await;
    assert_eq!(
        done.len(),
        6,
        "four uploads, the post, the comment: {done:?}"
    );
    assert_eq!(done[5], ("comment".to_owned(), ActionRole::FollowUp));
    let images: Vec<Value> = (0..4)
        .map(|i| json!({"id": value(&progress, &format!("media:{i}")).value, "altText": format!("Photo number {i}")}))
        .collect();
    let body = p.calls_to("POST", "/rest/posts")[0].json.clone().unwrap();
    assert_eq!(
        body["content"],
        json!({"multiImage": {"images": images}}),
        "the images in order"
    );
    let post = &value(&progress, "post").value;
    let comment = &p.calls_to("POST", "/comments")[0];
    assert!(
        comment.path.contains("urn%3Ali%3Ashare%3A"),
        "the post URN is encoded in the path: {}",
        comment.path
    );
    assert_eq!(
        comment.json,
        Some(
            json!({"actor": page.id, "object": post, "message": {"text": r"More at example.com \(link\)"}})
        ),
        "the exact comment body"
    );
    let held = p.published();
    assert_eq!(held.len(), 2, "the post and its comment");
    assert_eq!(held[1].kind, "comment");
    assert_eq!(held[1].reply_to.as_ref(), Some(post), "on the post");
    assert_eq!(
        p.find(&req, &progress, "comment").await,
        Lookup::Found(value(&progress, "comment").clone()),
        "the comment is found again"
    );
}

#[tokio::test]
async fn linkedin_failures_map_to_their_classes() {
    let p = Pub::new("linkedin").await;
    let page = p.destination(1, "organization");
    let req = request(page.clone(), "Once only");
    p.publish(&req).await;
    let e = p.fail(&req, &Progress::default(), "post").await;
    assert_eq!(e.class, FailureClass::Rejected, "a duplicate: {e}");
    assert!(e.raw.contains("DUPLICATE_POST"), "LinkedIn's code: {e}");

    let other = request(page.clone(), "Another");
    p.inject(Fault::PublishRateLimited {
        calls: 1,
        reset_secs: 60,
    });
    let e = p.fail(&other, &Progress::default(), "post").await;
    assert_eq!(e.class, FailureClass::RateLimited, "{e}");
    assert_eq!(e.retry_after, None, "LinkedIn gives no reset time");
    p.inject(Fault::PublishServerError(1));
    let e = p.fail(&other, &Progress::default(), "post").await;
    assert_eq!(e.class, FailureClass::Uncertain, "a 5xx: {e}");
    p.inject(Fault::MalformedJson);
    let e = p.fail(&other, &Progress::default(), "post").await;
    assert_eq!(
        e.class,
        FailureClass::Uncertain,
        "an answer without the post's id: {e}"
    );

    // The member, with `w_member_social` granted: posts as the person.
    let member = request(p.destination(0, "person"), "As myself");
    p.publish(&member).await;
    assert!(
        p.published()
            .iter()
            .any(|x| x.author == "urn:li:person:emu-linkedin-user-1" && x.text == "As myself"),
        "the member's own post"
    );

    let dead = SecretString::from("CANARY-token-not-issued");
    let ctx = PublishCtx {
        token: &dead,
        ..p.ctx()
    };
    let e = p
        .publisher
        .perform(&ctx, &other, &Progress::default(), &action("post"))
        .await
        .expect_err("an unknown token");
    assert_eq!(checked(&e).class, FailureClass::Reconnect, "401: {e}");
    assert_eq!(
        p.published().len(),
        2,
        "only the first page post and the member's post were kept"
    );
}

#[tokio::test]
async fn a_linkedin_post_accepted_then_timed_out_is_found() {
    let p = Pub::new("linkedin").await;
    let req = request(p.destination(1, "organization"), "Did LinkedIn take it?");
    assert_eq!(
        p.find(&req, &Progress::default(), "post").await,
        Lookup::NotFound,
        "nothing before"
    );
    p.inject(Fault::PublishAcceptThenTimeout(1));
    let e = p.fail(&req, &Progress::default(), "post").await;
    assert_eq!(e.class, FailureClass::Uncertain, "{e}");
    let held = p.published();
    assert_eq!(held.len(), 1, "LinkedIn holds exactly one post");
    match p.find(&req, &Progress::default(), "post").await {
        Lookup::Found(r) => assert_eq!(r.value, held[0].id, "the same post"),
        other => panic!("expected the post, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Facebook Pages

#[tokio::test]
async fn facebook_destinations_are_the_pages_without_their_tokens() {
    let p = Pub::new("meta").await;
    let dests = p.destinations().await;
    assert_eq!(dests.len(), 2, "two Pages: {dests:?}");
    assert_eq!(dests[0].id, p.destination(0, "page").id, "the seeded Page");
    assert_eq!(dests[0].kind, "page");
    assert!(dests[0].name.is_some(), "with its name");
    let accounts = &p.calls_to("GET", "/me/accounts")[0];
    assert_eq!(
        accounts.param("fields"),
        Some("id,name"),
        "no token asked for"
    );
}

#[tokio::test]
async fn a_facebook_text_post_with_a_link_goes_to_the_feed_with_the_page_token() {
    let p = Pub::new("meta").await;
    let page = p.destination(0, "page");
    let mut req = request(page.clone(), "Fresh bread today");
    req.link = Some("https://example.com/bread".into());
    let (progress, done, _) = p.publish(&req).await;
    assert_eq!(done, keys(&[("post", ActionRole::Post)]), "one action");
    let post = value(&progress, "post");
    assert!(
        post.value.starts_with(&format!("{}_", page.id)),
        "a Page post id: {post:?}"
    );
    assert_eq!(
        post.url.as_deref(),
        Some(format!("https://www.facebook.com/{}", post.value).as_str())
    );
    let token_call = &p.calls_to("GET", &format!("/{}", page.id))[0];
    assert_eq!(
        token_call.param("fields"),
        Some("access_token"),
        "the Page token is read"
    );
    let feed = &p.calls_to("POST", "/feed")[0];
    assert_eq!(
        feed.form,
        vec![
            ("message".to_owned(), "Fresh bread today".to_owned()),
            ("link".to_owned(), "https://example.com/bread".to_owned()),
            ("access_token".to_owned(), "[redacted]".to_owned()),
        ],
        "the exact form, with the Page token in it"
    );
    assert!(!feed.bearer, "no user token on the feed call");
    let held = p.published();
    assert_eq!(
        (held.len(), held[0].link.as_deref()),
        (1, Some("https://example.com/bread"))
    );
}

#[tokio::test]
async fn one_facebook_photo_is_published_through_the_photos_edge() {
    let p = Pub::new("meta").await;
    let mut req = request(p.destination(0, "page"), "Our new shop");
    req.media = vec![jpeg(0)];
    let (progress, done, _) = p.publish(&req).await;
    assert_eq!(done, keys(&[("post", ActionRole::Post)]), "one action");
    let photos = &p.calls_to("POST", "/photos")[0];
    assert_eq!(photos.field("caption"), Some("Our new shop"), "the caption");
    assert_eq!(
        photos.files,
        vec![("source".to_owned(), "image/jpeg".to_owned(), 1004)],
        "the photo as a multipart source"
    );
    let held = p.published();
    assert_eq!(
        held[0].id,
        value(&progress, "post").value,
        "the post id, not the photo's"
    );
    assert_eq!(held[0].media.len(), 1, "with its photo");
}

#[tokio::test]
async fn four_facebook_photos_are_uploaded_unpublished_then_attached_with_a_comment() {
    let p = Pub::new("meta").await;
    let page = p.destination(1, "page");
    let mut req = request(page.clone(), "Four loaves");
    req.media = (0..4).map(jpeg).collect();
    req.first_comment = Some("Open until 6".into());
    let (progress, done, _) = p.publish(&req).await;
    assert_eq!(
        done,
        keys(&[
            ("media:0", ActionRole::Prepare),
            ("media:1", ActionRole::Prepare),
            ("media:2", ActionRole::Prepare),
            ("media:3", ActionRole::Prepare),
            ("post", ActionRole::Post),
            ("comment", ActionRole::FollowUp),
        ]),
        "photos, post, comment"
    );
    let photos = p.calls_to("POST", "/photos");
    assert!(
        photos.iter().all(|c| c.field("published") == Some("false")),
        "every photo unpublished"
    );
    let feed = &p.calls_to("POST", "/feed")[0];
    for i in 0..4 {
        assert_eq!(
            feed.field(&format!("attached_media[{i}]")),
            Some(
                json!({"media_fbid": value(&progress, &format!("media:{i}")).value})
                    .to_string()
                    .as_str()
            ),
            "photo {i} attached"
        );
    }
    let comment = &p.calls_to("POST", "/comments")[0];
    assert_eq!(comment.field("message"), Some("Open until 6"));
    assert_eq!(
        comment.path,
        format!("/v22.0/{}/comments", value(&progress, "post").value),
        "on the post"
    );
    let held = p.published();
    assert_eq!(held.len(), 2, "the post and its comment");
    assert_eq!(held[0].media.len(), 4, "four photos attached");
    assert_eq!(
        p.find(&req, &progress, "comment").await,
        Lookup::Found(value(&progress, "comment").clone()),
        "the comment is found again"
    );
}

#[tokio::test]
async fn facebook_holds_a_natively_scheduled_post_until_its_time() {
    let p = Pub::new("meta").await;
    let mut req = request(p.destination(0, "page"), "Tomorrow's special");
    req.native_schedule = true;
    req.due = p.h.now() + ChronoDuration::hours(20);
    req.media = vec![jpeg(3)];
    req.first_comment = Some("Cannot go on a held post".into());
    let progress = p.publish_until(&req, "comment").await;
    assert!(
        progress.has("media:0"),
        "a scheduled photo is uploaded first"
    );
    let photo = &p.calls_to("POST", "/photos")[0];
    assert_eq!(photo.field("temporary"), Some("true"), "a temporary photo");
    let feed = &p.calls_to("POST", "/feed")[0];
    assert_eq!(feed.field("published"), Some("false"));
    assert_eq!(
        feed.field("scheduled_publish_time"),
        Some(req.due.timestamp().to_string().as_str()),
        "the due time in Unix seconds"
    );
    let held = p.published();
    assert_eq!(held.len(), 1, "one post held");
    assert_eq!(
        held[0].scheduled_for.map(|t| t.timestamp()),
        Some(req.due.timestamp()),
        "kept with its time"
    );
    assert_eq!(
        p.find(&req, &progress, "post").await,
        Lookup::Found(value(&progress, "post").clone()),
        "found among the scheduled posts"
    );
    let e = p.fail(&req, &progress, "comment").await;
    assert_eq!(
        e.class,
        FailureClass::Permanent,
        "no comment on a held post: {e}"
    );
}

#[tokio::test]
async fn facebook_failures_map_to_their_classes() {
    let p = Pub::new("meta").await;
    let req = request(p.destination(0, "page"), "Only once");
    p.publish(&req).await;
    let e = p.fail(&req, &Progress::default(), "post").await;
    assert_eq!(e.class, FailureClass::Rejected, "a duplicate: {e}");
    assert!(e.raw.contains("506"), "Graph's code: {e}");

    let other = request(p.destination(0, "page"), "Throttled");
    p.inject(Fault::PublishRateLimited {
        calls: 1,
        reset_secs: 120,
    });
    let e = p.fail(&other, &Progress::default(), "post").await;
    assert_eq!(e.class, FailureClass::RateLimited, "{e}");
    assert_eq!(
        e.retry_after,
        Some(Duration::from_secs(120)),
        "estimated_time_to_regain_access (minutes)"
    );
    p.inject(Fault::PublishServerError(1));
    let e = p.fail(&other, &Progress::default(), "post").await;
    assert_eq!(e.class, FailureClass::Uncertain, "{e}");
    p.inject(Fault::PublishRejected(1));
    let e = p.fail(&other, &Progress::default(), "post").await;
    assert_eq!(e.class, FailureClass::Rejected, "blocked content: {e}");
    assert_eq!(p.published().len(), 1, "none of them kept anything");

    p.inject(Fault::RevokeGrant("emu-meta-user-1".into()));
    let e = p.fail(&other, &Progress::default(), "post").await;
    assert_eq!(e.class, FailureClass::Reconnect, "a revoked grant: {e}");
}

#[tokio::test]
async fn a_facebook_post_accepted_then_timed_out_is_found_once() {
    let p = Pub::new("meta").await;
    let req = request(p.destination(1, "page"), "Was it posted?");
    assert_eq!(
        p.find(&req, &Progress::default(), "post").await,
        Lookup::NotFound,
        "nothing before"
    );
    p.inject(Fault::PublishAcceptThenTimeout(1));
    let e = p.fail(&req, &Progress::default(), "post").await;
    assert_eq!(e.class, FailureClass::Uncertain, "{e}");
    let held = p.published();
    assert_eq!(held.len(), 1, "the Page holds exactly one post");
    assert_eq!(
        p.find(&req, &Progress::default(), "post").await,
        Lookup::Found(StepResult {
            value: held[0].id.clone(),
            url: Some(format!("https://www.facebook.com/{}", held[0].id)),
        }),
        "found by its message"
    );
}

// ---------------------------------------------------------------------------------------
// Secrets, the emulator's own surface

#[tokio::test]
async fn no_token_reaches_a_url_a_record_or_a_message() {
    for platform in ["x", "linkedin", "meta"] {
        let p = Pub::new(platform).await;
        let index = usize::from(platform == "linkedin");
        let mut req = request(p.destination(index, "any"), "Canary check");
        req.first_comment = (platform != "x").then(|| "first".into());
        p.publish(&req).await;
        p.inject(Fault::PublishServerError(1));
        let e = p
            .fail(
                &request(p.destination(index, "any"), "again"),
                &Progress::default(),
                "post",
            )
            .await;
        checked(&e);
        let records = serde_json::to_string(&p.calls()).unwrap();
        assert!(
            !records.contains("CANARY"),
            "{platform}: no token in any URL, form or body received: {records}"
        );
        let published = serde_json::to_string(&p.published()).unwrap();
        assert!(!published.contains("CANARY"), "{platform}: {published}");
    }
}

#[tokio::test]
async fn the_emulator_refuses_what_the_platforms_refuse() {
    let p = Pub::new("linkedin").await;
    let origin = p.h.emu.origin("linkedin").unwrap();
    let http = reqwest::Client::new();
    let token = secrecy::ExposeSecret::expose_secret(&p.token).to_owned();
    let r = http
        .post(format!("{origin}/rest/posts"))
        .bearer_auth(&token)
        .header("X-Restli-Protocol-Version", "2.0.0")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("VERSION_MISSING")),
        "no version: {body}"
    );

    let x = Pub::new("x").await;
    let origin = x.h.emu.origin("x").unwrap();
    let token = secrecy::ExposeSecret::expose_secret(&x.token).to_owned();
    let r = http
        .post(format!("{origin}/2/tweets"))
        .bearer_auth(&token)
        .json(&json!({"text": "with a stranger's media", "media": {"media_ids": ["1999"]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400, "media never uploaded");
    assert!(
        r.headers().contains_key("x-rate-limit-remaining"),
        "X's rate-limit headers on every answer"
    );
    let r = http
        .post(format!("{origin}/2/tweets"))
        .json(&json!({"text": "no token"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401, "no bearer");

    // Faults over HTTP, and the posts as JSON for end-to-end tests.
    let r = http
        .post(format!("{origin}/__emulator/faults"))
        .json(&json!({"publish_rejected": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204, "a publish fault over HTTP");
    let req = request(x.destination(0, "user"), "Refused by the fault");
    let e = x.fail(&req, &Progress::default(), "post").await;
    assert_eq!(e.class, FailureClass::Rejected, "{e}");
    x.publish(&request(x.destination(0, "user"), "Kept")).await;
    let listed: Value = http
        .get(format!("{origin}{PUBLISHED_PATH}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed.as_array().map(Vec::len),
        Some(1),
        "one post: {listed}"
    );
    assert_eq!(listed[0]["text"], "Kept");
}

// ---------------------------------------------------------------------------------------
// Lookups read back far enough

/// A post made before 150 others is still found: lookups page back to the due time (a
/// lookup that read one page would miss it, and the post would be published twice).
#[tokio::test]
async fn lookups_page_back_past_a_burst_of_newer_posts() {
    for (platform, kind, index) in [("x", "user", 0), ("linkedin", "organization", 1)] {
        let p = Pub::new(platform).await;
        let dest = p.destination(index, kind);
        let first = request(dest.clone(), "the one we look for");
        p.publish(&first).await;
        for i in 0..150 {
            p.publish(&request(dest.clone(), &format!("a newer post {i}")))
                .await;
        }
        assert_eq!(p.published().len(), 151, "{platform}: 151 posts");
        match p.find(&first, &Progress::default(), "post").await {
            Lookup::Found(r) => {
                assert_eq!(r.value, p.published()[0].id, "{platform}: the first post")
            }
            other => {
                panic!("{platform}: expected the first post behind 150 newer ones, got {other:?}")
            }
        }
    }
}
