//! Which platform a listener plays, its routes (the real paths of the descriptor's
//! endpoints, so the app and the emulator cannot drift) and its seeded accounts.

use switchboard_oauth::{ProviderDescriptor, Renewal, TokenExchange};
use url::Url;

/// The platforms the emulator knows how to play; each `match` on it is one quirk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Meta,
    Instagram,
    GoogleAds,
    GoogleSearchConsole,
    MicrosoftAds,
    BingWebmaster,
    LinkedIn,
    Reddit,
    TikTok,
    TikTokAds,
    Pinterest,
    X,
    WordPressCom,
    Wix,
}

impl Kind {
    fn of(id: &str) -> Option<Kind> {
        Some(match id {
            "meta" => Kind::Meta,
            "instagram" => Kind::Instagram,
            "google_ads" => Kind::GoogleAds,
            "google_search_console" => Kind::GoogleSearchConsole,
            "microsoft_ads" => Kind::MicrosoftAds,
            "bing_webmaster" => Kind::BingWebmaster,
            "linkedin" => Kind::LinkedIn,
            "reddit" => Kind::Reddit,
            "tiktok" => Kind::TikTok,
            "tiktok_ads" => Kind::TikTokAds,
            "pinterest" => Kind::Pinterest,
            "x" => Kind::X,
            "wordpress_com" => Kind::WordPressCom,
            "wix" => Kind::Wix,
            _ => return None,
        })
    }

    pub fn is_google(self) -> bool {
        matches!(self, Kind::GoogleAds | Kind::GoogleSearchConsole)
    }
}

/// What a request path is, for one platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    Authorize,
    Token,
    Revoke,
    /// Instagram's `ig_exchange_token`.
    LongLived,
    /// Instagram's `ig_refresh_token`.
    Renew,
    Profile,
    Accounts,
    /// Meta's `DELETE /me/permissions`.
    Permissions,
}

impl Route {
    /// Routes answered by the authorization server (token-style errors, token faults).
    pub fn is_token(self) -> bool {
        matches!(self, Route::Token | Route::LongLived | Route::Renew)
    }
}

/// One platform as the emulator plays it.
pub(crate) struct Spec {
    pub id: String,
    pub display_name: String,
    pub kind: Kind,
    pub descriptor: ProviderDescriptor,
    routes: Vec<(String, Route)>,
    pub users: Vec<User>,
}

/// A seeded person who can sign in, with the accounts (ad accounts, sites, blogs) they reach.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub id: String,
    pub name: String,
    pub username: String,
    pub email: String,
    pub accounts: Vec<Account>,
}

#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub id: String,
    pub name: String,
    pub currency: &'static str,
    pub url: String,
}

impl Spec {
    /// The spec for a descriptor the emulator knows, else `None`.
    pub fn new(descriptor: ProviderDescriptor) -> Option<Spec> {
        let kind = Kind::of(&descriptor.id)?;
        let mut urls: Vec<(String, Route)> = Vec::new();
        if let Some(flow) = descriptor.oauth() {
            urls.push((flow.authorize_url.clone(), Route::Authorize));
            urls.push((flow.token_url.clone(), Route::Token));
            urls.extend(flow.revoke_url.clone().map(|u| (u, Route::Revoke)));
            if let TokenExchange::InstagramIgExchange { long_lived_url } = &flow.token_exchange {
                urls.push((long_lived_url.clone(), Route::LongLived));
            }
            if let Renewal::ExchangeAccessToken { url, .. } = &flow.refresh.renewal {
                urls.push((url.clone(), Route::Renew));
            }
        }
        urls.extend(
            descriptor
                .identity
                .profile_url
                .clone()
                .map(|u| (u, Route::Profile)),
        );
        urls.extend(
            descriptor
                .identity
                .accounts_url
                .clone()
                .map(|u| (u, Route::Accounts)),
        );
        if kind == Kind::Meta {
            urls.extend(
                switchboard_platforms::meta::permissions_url(&descriptor)
                    .map(|u| (u, Route::Permissions)),
            );
        }
        let routes = urls
            .into_iter()
            .filter_map(|(url, route)| Some((Url::parse(&url).ok()?.path().to_owned(), route)))
            .collect();
        let users = seed(&descriptor.id, &descriptor.display_name, kind);
        Some(Spec {
            id: descriptor.id.to_string(),
            display_name: descriptor.display_name.to_string(),
            kind,
            descriptor,
            routes,
            users,
        })
    }

    /// The route a path plays, compared exactly (TikTok's trailing slashes included).
    pub fn route(&self, path: &str) -> Option<Route> {
        self.routes
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, r)| *r)
            // why: Reddit Ads lists a business's ad accounts under a path with its id.
            .or_else(|| {
                (self.kind == Kind::Reddit
                    && path.starts_with("/api/v3/businesses/")
                    && path.ends_with("/ad_accounts"))
                .then_some(Route::Accounts)
            })
    }

    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }
}

/// Makes the n-th account of the u-th user of a platform: its id and URL.
type MakeAccount = fn(&str, usize, usize) -> (String, String);

/// The accounts a platform lists, and how many per user.
fn account_shape(kind: Kind) -> Option<(usize, MakeAccount)> {
    // Ids look like the platform's own, so Demo mode reads true to life.
    Some(match kind {
        Kind::Meta => (3, |_, u, n| (format!("10{u}00000000000{n}"), String::new())),
        Kind::GoogleAds => (2, |_, u, n| (format!("{u}00000000{n}"), String::new())),
        Kind::GoogleSearchConsole => (2, |_, u, n| {
            let url = if n == 1 {
                format!("https://www.demo-brand-{u}.example/")
            } else {
                format!("sc-domain:demo-brand-{u}-{n}.example")
            };
            (url.clone(), url)
        }),
        Kind::BingWebmaster => (2, |_, u, n| {
            let url = format!("https://www.demo-brand-{u}-{n}.example/");
            (url.clone(), url)
        }),
        Kind::LinkedIn => (2, |_, u, n| (format!("5{u}000000{n}"), String::new())),
        Kind::TikTokAds => (2, |_, u, n| {
            (format!("7{u}0000000000000000{n}"), String::new())
        }),
        Kind::Pinterest => (3, |_, u, n| (format!("54{u}0000000{n}"), String::new())),
        Kind::WordPressCom => (2, |_, u, n| {
            (
                format!("{u}0000{n}"),
                format!("https://demo-brand-{u}-{n}.wordpress.com"),
            )
        }),
        Kind::Wix => (2, |id, u, n| {
            (format!("emu-{id}-site-{u}-{n}"), String::new())
        }),
        Kind::MicrosoftAds => (2, |_, u, n| (format!("1{u}00000{n}"), String::new())),
        Kind::Reddit => (2, |_, u, n| (format!("a2_{u}00{n}"), String::new())),
        Kind::Instagram | Kind::TikTok | Kind::X => return None,
    })
}

/// Two people per platform: `emu-<platform>-user-1` ("Demo … User", the default) and
/// `emu-<platform>-user-2`, for wrong-account checks.
fn seed(id: &str, display: &str, kind: Kind) -> Vec<User> {
    let short = display.split(" (").next().unwrap_or(display);
    (1..=2)
        .map(|u| {
            let accounts = account_shape(kind)
                .map(|(count, make)| {
                    (1..=count)
                        .map(|n| {
                            let (account_id, url) = make(id, u, n);
                            Account {
                                id: account_id,
                                name: format!("Demo Brand {u}.{n}"),
                                currency: if n % 2 == 1 { "USD" } else { "EUR" },
                                url,
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            User {
                id: format!("emu-{id}-user-{u}"),
                name: if u == 1 {
                    format!("Demo {short} User")
                } else {
                    format!("Second {short} User")
                },
                username: format!("demo_{id}_{u}"),
                email: format!("demo{u}@{}.emulator.test", id.replace('_', "-")),
                accounts,
            }
        })
        .collect()
}
