//! Google Search Console.

mod adapter;

pub use adapter::GoogleSearchConsole;

use switchboard_oauth::{
    Capability, CredentialField, IdentityEndpoints, ProviderDescriptor, SignIn,
};

pub fn descriptor() -> ProviderDescriptor {
    ProviderDescriptor {
        id: "google_search_console".into(),
        display_name: "Google Search Console".into(),
        docs_url: "https://developers.google.com/identity/protocols/oauth2/native-app".into(),
        app_credentials: &[CredentialField::ClientId, CredentialField::ClientSecret],
        // why: `sites` lists the properties the user can read, as `siteEntry[].siteUrl`
        // (Search Console API v3, webmasters/v3/sites; not in the research note).
        identity: IdentityEndpoints {
            profile_url: Some(crate::google::USERINFO_URL.into()),
            accounts_url: Some("https://www.googleapis.com/webmasters/v3/sites".into()),
        },
        // why: the read-only scope suffices for search analytics (least privilege,
        // RFC 9700 §2.3); the scope name is from common public code, not a cited Google page.
        sign_in: SignIn::OAuth(Box::new(crate::google::flow(&[(
            Capability::ReadSearchData,
            &["https://www.googleapis.com/auth/webmasters.readonly"],
        )]))),
    }
}
