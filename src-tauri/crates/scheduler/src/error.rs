use switchboard_connect::ConnectError;
use switchboard_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Connect(#[from] ConnectError),
    #[error("{0}")]
    Invalid(String),
    /// Another scheduler already publishes from this vault with this id.
    #[error("{0}")]
    Busy(String),
    #[error("scheduler lock file: {0}")]
    Lock(#[from] std::io::Error),
}

impl SchedulerError {
    pub fn code(&self) -> &'static str {
        match self {
            SchedulerError::Store(e) => e.code(),
            SchedulerError::Connect(e) => e.code(),
            SchedulerError::Invalid(_) => "invalid_input",
            SchedulerError::Busy(_) => "conflict",
            SchedulerError::Lock(_) => "io",
        }
    }
}

pub type Result<T, E = SchedulerError> = std::result::Result<T, E>;
