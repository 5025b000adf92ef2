//! The one error type of the store.

use zhifa_domain::FieldError;

/// What can go wrong in a store call. The server maps these to HTTP: `NotFound` → 404,
/// `Invalid` → 422, `Unavailable` → 503, anything else → 500.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No record of that kind with that id (or it is outside the caller's scope).
    #[error("未找到{entity}：{id}")]
    NotFound {
        /// Entity name, e.g. `subject`.
        entity: &'static str,
        /// The id that was asked for.
        id: String,
    },
    /// The input broke one or more rules; nothing was written.
    #[error("输入数据不合规：{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("；"))]
    Invalid(Vec<FieldError>),
    /// The database cannot be reached.
    #[error("数据库不可用：{0}")]
    Unavailable(String),
    /// Any other database error.
    #[error("数据库错误：{0}")]
    Database(#[source] sqlx::Error),
    /// Migration failure.
    #[error("数据库迁移失败：{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The ledger's stored tree is inconsistent (a node or leaf missing or malformed): a sign
    /// of tampering or corruption; `zhifa ledger verify` locates it.
    #[error("账本数据不一致：{0}")]
    Ledger(String),
    /// The procedure rules refused a case command (stable code, article, message, remedy);
    /// nothing was written.
    #[error("{0}")]
    Refused(zhifa_domain::case::Refusal),
    /// An idempotency key was reused for a different command.
    #[error("幂等键“{0}”已用于另一条指令")]
    IdempotencyConflict(String),
    /// Encryption or decryption of a protected field failed.
    #[error("加密字段处理失败：{0}")]
    Crypto(String),
}

impl StoreError {
    /// A single-field validation error.
    pub fn invalid(e: FieldError) -> Self {
        StoreError::Invalid(vec![e])
    }
}

impl From<sqlx::Error> for StoreError {
    /// Connection-level failures (network, pool timeout, closed pool, TLS) become
    /// `Unavailable`, so the server answers 503 rather than 500; everything else is `Database`.
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(e.to_string()),
            e => StoreError::Database(e),
        }
    }
}

/// Shorthand result.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
