use switchboard_oauth::{ErrorClass, FlowError};
use switchboard_store::StoreError;

/// Why a connection operation failed. Messages are for people and never carry a token,
/// secret, code or state value.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    /// The callback's `state` does not match a sign-in this Switchboard started.
    #[error("{0}")]
    State(String),
    /// The user or the provider refused the authorization.
    #[error("{platform} did not grant access: {error}{}", description.as_ref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Denied {
        platform: String,
        error: String,
        description: Option<String>,
    },
    /// The provider answered with an error.
    #[error("{platform}: {source}")]
    Provider {
        platform: String,
        #[source]
        source: FlowError,
    },
    /// Too many recent failures at this platform; calls wait for the breaker to close.
    #[error("{platform} is failing; Switchboard pauses calls until {until} and then tries once")]
    CircuitOpen { platform: String, until: String },
    #[error("the sign-in was cancelled")]
    Cancelled,
    #[error("the sign-in timed out: nothing came back from the browser within {0} minutes")]
    TimedOut(u64),
}

impl ConnectError {
    pub fn code(&self) -> &'static str {
        match self {
            ConnectError::Store(e) => e.code(),
            ConnectError::Invalid(_) => "invalid_input",
            ConnectError::NotFound(_) => "not_found",
            ConnectError::State(_) => "oauth_state_rejected",
            ConnectError::Denied { .. } => "oauth_denied",
            ConnectError::Provider { source, .. } => match source.class() {
                ErrorClass::GrantDead => "needs_reconnect",
                ErrorClass::Transient => "provider_unavailable",
                ErrorClass::Permanent => "provider_error",
            },
            ConnectError::CircuitOpen { .. } => "circuit_open",
            ConnectError::Cancelled => "cancelled",
            ConnectError::TimedOut(_) => "timed_out",
        }
    }

    pub(crate) fn provider(platform: &str, source: FlowError) -> Self {
        ConnectError::Provider {
            platform: platform.to_owned(),
            source,
        }
    }
}

pub type Result<T> = std::result::Result<T, ConnectError>;
