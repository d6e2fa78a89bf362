use switchboard_connect::ConnectError;
use switchboard_store::StoreError;

/// Why an import operation failed. Messages are for people and never hold a token.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Connect(#[from] ConnectError),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    /// An import of this account is already queued, running or paused.
    #[error("an import of this account is already under way (job {0})")]
    AlreadyRunning(String),
    #[error("{0} has no import yet")]
    Unsupported(String),
}

impl LibraryError {
    pub fn code(&self) -> &'static str {
        match self {
            LibraryError::Store(e) => e.code(),
            LibraryError::Connect(e) => e.code(),
            LibraryError::Invalid(_) => "invalid_input",
            LibraryError::NotFound(_) => "not_found",
            LibraryError::AlreadyRunning(_) => "import_running",
            LibraryError::Unsupported(_) => "unsupported",
        }
    }
}

pub type Result<T, E = LibraryError> = std::result::Result<T, E>;
