//! The `Store`: connection, migrations, meta data and counts. The repositories of each
//! resource live in the submodules (`impl Store` blocks), one file per resource.

use std::sync::Arc;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor, Row};

use crate::crypto::FieldCipher;
use crate::error::{Result, StoreError};
use crate::model::*;

pub(crate) mod access;
mod annual;
mod benchmarks;
mod calendar;
mod cases;
mod certificates;
pub(crate) mod changes;
mod complaint_steps;
pub(crate) mod complaints;
pub(crate) mod evidence;
pub(crate) mod import_merge;
pub(crate) mod imports;
mod indicator_settings;
mod laws;
mod ledger;
mod ledger_read;
pub(crate) mod ledger_verify;
mod officers;
pub(crate) mod outbox;
mod outbox_delivery;
mod powers;
mod regions;
mod settings;
mod stats;
mod subjects;
pub(crate) mod supervision;
mod support;
mod users;

use users::Passwords;

/// How long a SQLite connection waits for the write lock before giving up.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 10_000;

/// Which database a store talks to (picked by the URL scheme).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `sqlite://path` — embedded default, WAL mode.
    Sqlite,
    /// `postgres://…` — production.
    Postgres,
}

impl Backend {
    /// The backend a database URL names, by its scheme.
    pub fn from_url(url: &str) -> Option<Backend> {
        let scheme = url.split(':').next()?.to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" => Some(Backend::Postgres),
            _ => None,
        }
    }
}

/// How to open a store.
#[derive(Clone)]
pub struct StoreOptions {
    /// `sqlite://…?mode=rwc` or `postgres://…`. Never printed (may hold a password).
    pub url: String,
    /// Pool size.
    pub max_connections: u32,
    /// Cipher for personal data.
    pub cipher: Arc<dyn FieldCipher>,
}

impl std::fmt::Debug for StoreOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreOptions")
            .field("url", &"<hidden>")
            .field("max_connections", &self.max_connections)
            .field("cipher", &self.cipher)
            .finish()
    }
}

/// The store. Cheap to clone (a pool handle).
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    cipher: Arc<dyn FieldCipher>,
    passwords: Arc<Passwords>,
    group: Arc<cases::GroupCommit>,
    tokens: Arc<access::TokenCache>,
    ledger: Arc<ledger::LedgerCache>,
}

impl Store {
    /// Opens the database (creating a SQLite file if missing, WAL mode, foreign keys on).
    /// Any failure to reach the database is `StoreError::Unavailable`.
    pub async fn connect(opts: StoreOptions) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(&opts.url).ok_or_else(|| {
            StoreError::Unavailable("数据库地址应以 sqlite: 或 postgres: 开头".to_string())
        })?;
        let url = match backend {
            Backend::Sqlite => sqlite_url(&opts.url)?,
            Backend::Postgres => opts.url.clone(),
        };
        let mut pool_options = AnyPoolOptions::new()
            .max_connections(opts.max_connections.max(1))
            .acquire_timeout(Duration::from_secs(30));
        if backend == Backend::Sqlite && is_sqlite_memory(&url) {
            // Every connection to `sqlite::memory:` is its own empty database: keep exactly
            // one, for the life of the pool.
            pool_options = pool_options
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None);
        }
        let pool_options = match backend {
            // A local file does not drop connections: skip the ping sqlx otherwise sends
            // before handing out an idle connection (a second round trip per query).
            Backend::Sqlite => {
                pool_options
                    .test_before_acquire(false)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // busy_timeout first: switching to WAL needs a lock another connection
                            // may hold.
                            for pragma in [
                                format!("PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}"),
                                "PRAGMA journal_mode = WAL".to_string(),
                                "PRAGMA synchronous = NORMAL".to_string(),
                                "PRAGMA foreign_keys = ON".to_string(),
                                // 32 MiB page cache (allocated as used): bulk case loading touches
                                // several indexes per event.
                                "PRAGMA cache_size = -32768".to_string(),
                            ] {
                                conn.execute(sqlx::AssertSqlSafe(pragma)).await?;
                            }
                            Ok(())
                        })
                    })
            }
            Backend::Postgres => pool_options,
        };
        let pool = pool_options
            .connect(&url)
            .await
            .map_err(|e| StoreError::Unavailable(redact(&e.to_string(), &opts.url)))?;
        Ok(Store {
            pool,
            backend,
            cipher: opts.cipher,
            passwords: Arc::new(Passwords::standard()),
            group: Arc::default(),
            tokens: Arc::default(),
            ledger: Arc::default(),
        })
    }

    /// Runs the embedded migrations of this backend.
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                sqlx::migrate!("./migrations/sqlite")
                    .run(&self.pool)
                    .await?
            }
            Backend::Postgres => {
                sqlx::migrate!("./migrations/postgres")
                    .run(&self.pool)
                    .await?
            }
        }
        Ok(())
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool (for crates above that add their own tables).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Whether the database answers (for health checks).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(())
    }

    /// Counts for the home page: one `COUNT(*)` per table (regions grouped by level).
    pub async fn counts(&self) -> Result<Counts> {
        let mut counts = Counts::default();
        for row in sqlx::query("SELECT level, COUNT(*) AS n FROM regions GROUP BY level")
            .fetch_all(&self.pool)
            .await?
        {
            let level: String = row.try_get("level")?;
            let n: i64 = row.try_get("n")?;
            if let Some(i) = ["province", "city", "county", "township"]
                .iter()
                .position(|l| *l == level)
            {
                counts.regions[i] = n;
            }
        }
        let count = |sql: &'static str| async move {
            let row = sqlx::query(sql).bind(true).fetch_one(&self.pool).await?;
            Ok::<i64, StoreError>(row.try_get(0)?)
        };
        counts.subjects = count("SELECT COUNT(*) FROM subjects WHERE active = $1").await?;
        counts.officers = count("SELECT COUNT(*) FROM officers WHERE active = $1").await?;
        counts.certificates = count("SELECT COUNT(*) FROM certificates WHERE active = $1").await?;
        counts.powers = count("SELECT COUNT(*) FROM powers WHERE active = $1").await?;
        counts.benchmarks = count("SELECT COUNT(*) FROM benchmarks WHERE active = $1").await?;
        let count_all = |sql: &'static str| async move {
            let row = sqlx::query(sql).fetch_one(&self.pool).await?;
            Ok::<i64, StoreError>(row.try_get(0)?)
        };
        counts.laws = count_all("SELECT COUNT(*) FROM laws").await?;
        counts.articles = count_all("SELECT COUNT(*) FROM articles").await?;
        counts.users = count_all("SELECT COUNT(*) FROM users").await?;
        counts.changes = count_all("SELECT COUNT(*) FROM changes").await?;
        Ok(counts)
    }

    /// A value of the key/value table (e.g. reference-data versions).
    pub async fn meta_get(&self, key: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("value")).transpose()?)
    }

    /// Sets a value of the key/value table.
    pub async fn meta_set(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// The SQLite URL to open: with `mode=rwc` (create if missing) unless a mode is given, and
/// the file's directory created.
fn sqlite_url(url: &str) -> Result<String> {
    let rest = url.split_once(':').map(|(_, r)| r).unwrap_or_default();
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    let path = path.strip_prefix("//").unwrap_or(path);
    let memory = path.is_empty() || path == ":memory:";
    if !memory
        && let Some(dir) = std::path::Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Unavailable(format!("无法创建数据库目录 {}：{e}", dir.display()))
        })?;
    }
    Ok(match query {
        _ if memory => url.to_string(),
        Some(q) if q.split('&').any(|kv| kv.starts_with("mode=")) => url.to_string(),
        Some(_) => format!("{url}&mode=rwc"),
        None => format!("{url}?mode=rwc"),
    })
}

/// Whether a SQLite URL names an in-memory database.
fn is_sqlite_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

/// Removes the password of `url` (if any) from a message that may quote it.
fn redact(message: &str, url: &str) -> String {
    let password = url
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
        .map(|(_, pw)| pw)
        .filter(|pw| !pw.is_empty());
    match password {
        Some(pw) => message.replace(pw, "***"),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_from_scheme() {
        assert_eq!(Backend::from_url("sqlite://a.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::from_url("sqlite::memory:"), Some(Backend::Sqlite));
        assert_eq!(
            Backend::from_url("postgres://u@h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::from_url("mysql://u@h/db"), None);
    }

    #[test]
    fn sqlite_url_gets_create_mode() {
        assert_eq!(
            sqlite_url("sqlite://zhifa.db").ok().as_deref(),
            Some("sqlite://zhifa.db?mode=rwc")
        );
        assert_eq!(
            sqlite_url("sqlite:zhifa.db?cache=shared").ok().as_deref(),
            Some("sqlite:zhifa.db?cache=shared&mode=rwc")
        );
        assert_eq!(
            sqlite_url("sqlite://zhifa.db?mode=ro").ok().as_deref(),
            Some("sqlite://zhifa.db?mode=ro")
        );
        assert_eq!(
            sqlite_url("sqlite::memory:").ok().as_deref(),
            Some("sqlite::memory:")
        );
    }

    #[test]
    fn redact_hides_the_password() {
        assert_eq!(
            redact("auth failed for u:s3cret", "postgres://u:s3cret@h/db"),
            "auth failed for u:***"
        );
        assert_eq!(redact("no route", "postgres://u@h/db"), "no route");
    }
}
