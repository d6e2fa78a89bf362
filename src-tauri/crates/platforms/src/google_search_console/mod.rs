//! Google Search Console.

use switchboard_oauth::{Capability, CredentialField, ProviderDescriptor, SignIn};

pub fn descriptor() -> ProviderDescriptor {
    ProviderDescriptor {
        id: "google_search_console",
        display_name: "Google Search Console",
        docs_url: "https://developers.google.com/identity/protocols/oauth2/native-app",
        app_credentials: &[CredentialField::ClientId, CredentialField::ClientSecret],
        // why: the read-only scope suffices for search analytics (least privilege,
        // RFC 9700 §2.3); the scope name is from common public code, not a cited Google page.
        sign_in: SignIn::OAuth(Box::new(crate::google::flow(&[(
            Capability::ReadSearchData,
            &["https://www.googleapis.com/auth/webmasters.readonly"],
        )]))),
    }
}
