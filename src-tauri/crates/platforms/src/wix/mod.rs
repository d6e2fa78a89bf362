//! Wix: site API keys.

mod adapter;

pub use adapter::Wix;

use switchboard_oauth::{CredentialField, IdentityEndpoints, ProviderDescriptor, SignIn};

pub fn descriptor() -> ProviderDescriptor {
    ProviderDescriptor {
        id: "wix".into(),
        display_name: "Wix".into(),
        docs_url: "https://dev.wix.com/docs/go-headless/develop-your-project/admin-operations/make-rest-api-calls-with-an-api-key".into(),
        // Sent as the `Authorization` and `wix-site-id` headers.
        app_credentials: &[CredentialField::ApiKey, CredentialField::SiteId],
        // why: the site properties name the site the key is used on
        // (`properties.siteDisplayName`, Site Properties API v4); the site is the account.
        identity: IdentityEndpoints {
            profile_url: Some("https://www.wixapis.com/site-properties/v4/properties".into()),
            accounts_url: None,
        },
        // why: new Wix apps get no user consent redirect; app OAuth is client credentials
        // with a server-side secret and an `instanceId`
        // (https://dev.wix.com/docs/build-apps/develop-your-app/access/authentication/about-oauth),
        // so an agency uses an API key the site owner creates.
        sign_in: SignIn::ApiKeyOnly,
    }
}
