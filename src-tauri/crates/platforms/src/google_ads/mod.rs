//! Google Ads API.

pub mod limits;

mod adapter;
mod import;
#[cfg(test)]
mod import_tests;
pub mod stream;

pub use adapter::GoogleAds;
pub use import::GoogleAdsImport;

/// The Google Ads API version every call uses (identity and import). One place, so a
/// version bump is one line.
// why: v23 replaces `campaign.start_date`/`end_date` with `start_date_time`/`end_date_time`
// (Google Ads API v23 release notes); the import's campaign query must change with a bump.
pub const API_VERSION: &str = "v22";

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
        // why: `customers:listAccessibleCustomers` lists the customers the signed-in user
        // reaches directly, as `resourceNames` (docs_url; the version is the API's, kept in
        // step with the rest of the Google Ads calls).
        identity: IdentityEndpoints {
            profile_url: Some(crate::google::USERINFO_URL.into()),
            accounts_url: Some(format!(
                "https://googleads.googleapis.com/{API_VERSION}/customers:listAccessibleCustomers"
            )),
        },
        sign_in: SignIn::OAuth(Box::new(crate::google::flow(&[
            (Capability::ReadCampaigns, ADWORDS),
            (Capability::ManageCampaigns, ADWORDS),
        ]))),
    }
}
