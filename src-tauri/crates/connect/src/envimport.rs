//! Importing app credentials from an existing `.env` file, by the variable names common
//! setups use. Values are never echoed: the report names variables only.

use crate::catalogue::Catalogue;
use crate::error::{ConnectError, Result};
use secrecy::SecretString;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use switchboard_oauth::CredentialField;
use switchboard_store::domain::AppCredentialInput;
use switchboard_store::{Origin, Vault};

/// The label imported apps get (re-importing updates the same app).
pub const IMPORT_LABEL: &str = "Imported from .env";

/// Variable → (platforms, field). A shared Google or Microsoft app serves each product.
const NAMES: &[(&str, &[&str], CredentialField)] = &[
    ("META_APP_ID", &["meta"], CredentialField::ClientId),
    ("FACEBOOK_APP_ID", &["meta"], CredentialField::ClientId),
    ("FACEBOOK_CLIENT_ID", &["meta"], CredentialField::ClientId),
    ("META_APP_SECRET", &["meta"], CredentialField::ClientSecret),
    (
        "FACEBOOK_APP_SECRET",
        &["meta"],
        CredentialField::ClientSecret,
    ),
    (
        "FACEBOOK_CLIENT_SECRET",
        &["meta"],
        CredentialField::ClientSecret,
    ),
    (
        "INSTAGRAM_APP_ID",
        &["instagram"],
        CredentialField::ClientId,
    ),
    (
        "INSTAGRAM_CLIENT_ID",
        &["instagram"],
        CredentialField::ClientId,
    ),
    (
        "INSTAGRAM_APP_SECRET",
        &["instagram"],
        CredentialField::ClientSecret,
    ),
    (
        "INSTAGRAM_CLIENT_SECRET",
        &["instagram"],
        CredentialField::ClientSecret,
    ),
    (
        "GOOGLE_CLIENT_ID",
        &["google_ads", "google_search_console"],
        CredentialField::ClientId,
    ),
    (
        "GOOGLE_CLIENT_SECRET",
        &["google_ads", "google_search_console"],
        CredentialField::ClientSecret,
    ),
    (
        "GOOGLE_ADS_CLIENT_ID",
        &["google_ads"],
        CredentialField::ClientId,
    ),
    (
        "GOOGLE_ADS_CLIENT_SECRET",
        &["google_ads"],
        CredentialField::ClientSecret,
    ),
    (
        "GOOGLE_ADS_DEVELOPER_TOKEN",
        &["google_ads"],
        CredentialField::DeveloperToken,
    ),
    (
        "GOOGLE_ADS_LOGIN_CUSTOMER_ID",
        &["google_ads"],
        CredentialField::LoginCustomerId,
    ),
    (
        "GOOGLE_SEARCH_CONSOLE_CLIENT_ID",
        &["google_search_console"],
        CredentialField::ClientId,
    ),
    (
        "GOOGLE_SEARCH_CONSOLE_CLIENT_SECRET",
        &["google_search_console"],
        CredentialField::ClientSecret,
    ),
    (
        "MICROSOFT_CLIENT_ID",
        &["microsoft_ads", "bing_webmaster"],
        CredentialField::ClientId,
    ),
    (
        "MICROSOFT_CLIENT_SECRET",
        &["microsoft_ads"],
        CredentialField::ClientSecret,
    ),
    (
        "MICROSOFT_ADS_CLIENT_ID",
        &["microsoft_ads"],
        CredentialField::ClientId,
    ),
    (
        "MICROSOFT_ADS_CLIENT_SECRET",
        &["microsoft_ads"],
        CredentialField::ClientSecret,
    ),
    (
        "MICROSOFT_ADS_DEVELOPER_TOKEN",
        &["microsoft_ads"],
        CredentialField::DeveloperToken,
    ),
    (
        "BING_ADS_DEVELOPER_TOKEN",
        &["microsoft_ads"],
        CredentialField::DeveloperToken,
    ),
    (
        "BING_WEBMASTER_CLIENT_ID",
        &["bing_webmaster"],
        CredentialField::ClientId,
    ),
    (
        "BING_WEBMASTER_CLIENT_SECRET",
        &["bing_webmaster"],
        CredentialField::ClientSecret,
    ),
    (
        "LINKEDIN_CLIENT_ID",
        &["linkedin"],
        CredentialField::ClientId,
    ),
    (
        "LINKEDIN_CLIENT_SECRET",
        &["linkedin"],
        CredentialField::ClientSecret,
    ),
    ("REDDIT_CLIENT_ID", &["reddit"], CredentialField::ClientId),
    (
        "REDDIT_CLIENT_SECRET",
        &["reddit"],
        CredentialField::ClientSecret,
    ),
    ("TIKTOK_CLIENT_KEY", &["tiktok"], CredentialField::ClientId),
    ("TIKTOK_CLIENT_ID", &["tiktok"], CredentialField::ClientId),
    (
        "TIKTOK_CLIENT_SECRET",
        &["tiktok"],
        CredentialField::ClientSecret,
    ),
    (
        "TIKTOK_ADS_APP_ID",
        &["tiktok_ads"],
        CredentialField::ClientId,
    ),
    ("TIKTOK_APP_ID", &["tiktok_ads"], CredentialField::ClientId),
    (
        "TIKTOK_ADS_SECRET",
        &["tiktok_ads"],
        CredentialField::ClientSecret,
    ),
    (
        "TIKTOK_APP_SECRET",
        &["tiktok_ads"],
        CredentialField::ClientSecret,
    ),
    (
        "PINTEREST_APP_ID",
        &["pinterest"],
        CredentialField::ClientId,
    ),
    (
        "PINTEREST_CLIENT_ID",
        &["pinterest"],
        CredentialField::ClientId,
    ),
    (
        "PINTEREST_APP_SECRET",
        &["pinterest"],
        CredentialField::ClientSecret,
    ),
    (
        "PINTEREST_CLIENT_SECRET",
        &["pinterest"],
        CredentialField::ClientSecret,
    ),
    ("X_CLIENT_ID", &["x"], CredentialField::ClientId),
    ("TWITTER_CLIENT_ID", &["x"], CredentialField::ClientId),
    ("X_CLIENT_SECRET", &["x"], CredentialField::ClientSecret),
    (
        "TWITTER_CLIENT_SECRET",
        &["x"],
        CredentialField::ClientSecret,
    ),
    (
        "WORDPRESS_CLIENT_ID",
        &["wordpress_com"],
        CredentialField::ClientId,
    ),
    (
        "WPCOM_CLIENT_ID",
        &["wordpress_com"],
        CredentialField::ClientId,
    ),
    (
        "WORDPRESS_CLIENT_SECRET",
        &["wordpress_com"],
        CredentialField::ClientSecret,
    ),
    (
        "WPCOM_CLIENT_SECRET",
        &["wordpress_com"],
        CredentialField::ClientSecret,
    ),
    ("WIX_API_KEY", &["wix"], CredentialField::ApiKey),
    ("WIX_SITE_ID", &["wix"], CredentialField::SiteId),
];

/// What an import did, by variable name only.
#[derive(Debug, Clone, Default, Serialize, specta::Type, PartialEq, Eq)]
pub struct EnvImportReport {
    /// Platform → the variables stored for it.
    pub imported: BTreeMap<String, Vec<String>>,
    /// Variable → why it was not imported.
    pub skipped: BTreeMap<String, String>,
}

/// Read `path` and store what it holds for each platform in an app labelled
/// [`IMPORT_LABEL`] (created, or updated when it exists).
pub fn import_env_file(
    vault: &Vault,
    catalogue: &Catalogue,
    path: &Path,
) -> Result<EnvImportReport> {
    let iter = dotenvy::from_path_iter(path).map_err(|e| {
        ConnectError::Invalid(format!(
            "could not read {}: {}",
            path.display(),
            io_reason(&e)
        ))
    })?;
    let mut report = EnvImportReport::default();
    let mut per_platform: BTreeMap<&str, Vec<(CredentialField, String, String)>> = BTreeMap::new();
    for (line, item) in iter.enumerate() {
        let (name, value) = match item {
            Ok(kv) => kv,
            Err(_) => {
                report
                    .skipped
                    .insert(format!("line {}", line + 1), "not a KEY=value line".into());
                continue;
            }
        };
        let Some((_, platforms, field)) = NAMES.iter().find(|(n, _, _)| *n == name) else {
            if looks_relevant(&name) {
                report
                    .skipped
                    .insert(name, "not a variable Switchboard knows".into());
            }
            continue;
        };
        if value.trim().is_empty() {
            report.skipped.insert(name, "empty".into());
            continue;
        }
        let mut used = false;
        for p in *platforms {
            let Ok(entry) = catalogue.get(p) else {
                continue;
            };
            if entry.descriptor.app_credentials.contains(field) {
                per_platform.entry(p).or_default().push((
                    *field,
                    name.clone(),
                    value.trim().to_owned(),
                ));
                used = true;
            }
        }
        if !used {
            report.skipped.insert(
                name,
                format!("{} does not use this value", platforms.join(", ")),
            );
        }
    }
    vault.write(Origin::User, |w| {
        for (platform, fields) in &per_platform {
            let mut input = AppCredentialInput::default();
            for (field, _, value) in fields {
                match field {
                    CredentialField::ClientId => input.client_id = Some(value.clone()),
                    CredentialField::ClientSecret => {
                        input.client_secret = Some(SecretString::from(value.clone()))
                    }
                    CredentialField::DeveloperToken => {
                        input.developer_token = Some(SecretString::from(value.clone()))
                    }
                    CredentialField::LoginCustomerId => {
                        input.login_customer_id = Some(value.clone())
                    }
                    CredentialField::ApiKey => {
                        input.api_key = Some(SecretString::from(value.clone()))
                    }
                    CredentialField::SiteId => input.site_id = Some(value.clone()),
                }
            }
            let existing = w
                .read()
                .app_credentials(Some(platform))?
                .into_iter()
                .find(|a| a.label == IMPORT_LABEL);
            match existing {
                Some(a) => {
                    w.update_app_credential(&a.id, input)?;
                }
                None => {
                    input.label = Some(IMPORT_LABEL.into());
                    w.create_app_credential(platform, input)?;
                }
            }
            report.imported.insert(
                (*platform).to_owned(),
                fields.iter().map(|(_, n, _)| n.clone()).collect(),
            );
        }
        w.audit(
            "app_credential.env_import",
            None,
            None,
            &format!("{} platforms from {}", per_platform.len(), path.display()),
        )
    })?;
    Ok(report)
}

fn io_reason(e: &dotenvy::Error) -> String {
    match e {
        dotenvy::Error::Io(io) => io.kind().to_string(),
        _ => "it is not a .env file".into(),
    }
}

/// Variables that look like credentials for a platform we know, worth reporting.
fn looks_relevant(name: &str) -> bool {
    const HINTS: &[&str] = &[
        "META_",
        "FACEBOOK_",
        "INSTAGRAM_",
        "GOOGLE_",
        "MICROSOFT_",
        "BING_",
        "LINKEDIN_",
        "REDDIT_",
        "TIKTOK_",
        "PINTEREST_",
        "TWITTER_",
        "X_",
        "WORDPRESS_",
        "WPCOM_",
        "WIX_",
    ];
    HINTS.iter().any(|h| name.starts_with(h))
}
