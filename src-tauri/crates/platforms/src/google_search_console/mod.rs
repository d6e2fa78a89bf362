//! Google Search Console.

use switchboard_oauth::{
    Capability, CredentialField, IdentityEndpoints, ProviderDescriptor, SignIn,
};

pub fn descriptor() -> ProviderDescriptor {
    ProviderDescriptor {
        id: "google_search_console".into(),
        display_name: "Google Search Console".into(),
        docs_url: "https://developers.google.com/identity/protocols/oauth2/native-app".into(),
        app_credentials: &[CredentialField::ClientId, CredentialField::ClientSecret],
        // why: the read-only scope suffices for search analytics (least privilege,
        // RFC 9700 §2.3); the scope name is from common public code, not a cited Google page.
        identity: IdentityEndpoints::default(),
        sign_in: SignIn::OAuth(Box::new(crate::google::flow(&[(
            Capability::ReadSearchData,
            &["https://www.googleapis.com/auth/webmasters.readonly"],
        )]))),
    }
}
