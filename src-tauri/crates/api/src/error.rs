use serde::Serialize;
use switchboard_store::StoreError;

/// What reaches the UI and the CLI: a stable code to branch on and a sentence for a person.
/// Built only from error messages that never carry secrets (see `StoreError`).
#[derive(
    Debug, Clone, Serialize, serde::Deserialize, specta::Type, thiserror::Error, PartialEq, Eq,
)]
#[error("{message}")]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        ApiError {
            code: code.to_owned(),
            message: message.into(),
        }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new("invalid_input", message)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        if matches!(e, StoreError::Sqlite(_) | StoreError::Io(_)) {
            tracing::error!(error = %e, "storage failure");
        }
        ApiError::new(e.code(), e.to_string())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
