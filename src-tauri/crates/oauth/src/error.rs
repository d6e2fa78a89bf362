/// Why a descriptor or an endpoint override was refused.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("provider '{provider}': {reason}")]
    InvalidDescriptor { provider: String, reason: String },
    #[error("endpoint overrides are not valid JSON: {0}")]
    OverridesSyntax(#[from] serde_json::Error),
    #[error("'{value}' is not an origin ({reason})")]
    NotAnOrigin { value: String, reason: &'static str },
    #[error("'{origin}' is neither https nor http on a loopback address")]
    InsecureOrigin { origin: String },
    #[error("endpoint overrides name '{0}', which is not a known provider")]
    UnknownProvider(String),
    #[error(
        "endpoint overrides for '{provider}' replace '{origin}', which none of its endpoints use"
    )]
    UnusedOverride { provider: String, origin: String },
}
