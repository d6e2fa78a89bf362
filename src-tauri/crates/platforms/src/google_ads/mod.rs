//! Google Ads API.

use switchboard_oauth::{
    Capability, CredentialField, IdentityEndpoints, ProviderDescriptor, SignIn,
};

const ADWORDS: &[&str] = &["https://www.googleapis.com/auth/adwords"];

pub fn descriptor() -> ProviderDescriptor {
    ProviderDescriptor {
        id: "google_ads".into(),
        display_name: "Google Ads".into(),
        docs_url: "https://developers.google.com/google-ads/api/rest/auth".into(),
        // The developer token goes in a header on every call; the login customer id names
        // the manager (MCC) account the client accounts are reached through.
        app_credentials: &[
            CredentialField::ClientId,
            CredentialField::ClientSecret,
            CredentialField::DeveloperToken,
            CredentialField::LoginCustomerId,
        ],
        identity: IdentityEndpoints::default(),
        sign_in: SignIn::OAuth(Box::new(crate::google::flow(&[
            (Capability::ReadCampaigns, ADWORDS),
            (Capability::ManageCampaigns, ADWORDS),
        ]))),
    }
}
