//! The test harness: every store test runs twice, on a fresh SQLite file and on a fresh
//! PostgreSQL database (when `ZHIFA_TEST_DATABASE_URL` is set), through the same body.

use std::future::Future;
use std::sync::Arc;

use sqlx::Connection;
use zhifa_store::crypto::Sm4GcmCipher;
use zhifa_store::{Store, StoreOptions};

/// The environment variable naming a PostgreSQL server for the tests (an administrative
/// database such as `postgres://postgres@127.0.0.1:5432/postgres`).
pub const PG_ENV: &str = "ZHIFA_TEST_DATABASE_URL";

/// The field-encryption key of the test stores.
pub const TEST_KEY: [u8; 16] = *b"zhifa-test-key!!";

/// Declares one store test twice: `$sqlite` on SQLite and `$postgres` on PostgreSQL, both
/// running `$body(store)`.
#[macro_export]
macro_rules! store_test {
    ($body:path, $sqlite:ident, $postgres:ident) => {
        #[tokio::test]
        async fn $sqlite() {
            $crate::harness::run_sqlite($body).await;
        }

        #[tokio::test]
        async fn $postgres() {
            $crate::harness::run_postgres($body).await;
        }
    };
}

async fn open(url: &str) -> Store {
    let opts = StoreOptions {
        url: url.to_string(),
        max_connections: 4,
        cipher: Arc::new(Sm4GcmCipher::new(TEST_KEY)),
    };
    let store = Store::connect(opts)
        .await
        .unwrap_or_else(|e| panic!("cannot open the test store: {e}"))
        .with_fast_password_hashing();
    store
        .migrate()
        .await
        .unwrap_or_else(|e| panic!("migrations failed: {e}"));
    store
}

/// Runs `body` in its own task so a failing assertion still lets the harness clean up, then
/// re-raises the failure.
async fn run_body<F, Fut>(store: Store, body: F) -> Result<(), Box<dyn std::any::Any + Send>>
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let result = tokio::spawn(body(store.clone())).await;
    store.pool().close().await;
    result.map_err(|e| e.into_panic())
}

/// Runs a test body on a fresh SQLite file in a temporary directory.
pub async fn run_sqlite<F, Fut>(body: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("zhifa.db").display());
    let store = open(&url).await;
    if let Err(panic) = run_body(store, body).await {
        std::panic::resume_unwind(panic);
    }
}

/// The URL of database `name` on the server of `admin_url`.
fn database_url(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (admin_url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let server = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

/// Runs a test body on a fresh PostgreSQL database created for it (and dropped afterwards,
/// best effort). Prints a skip notice when `ZHIFA_TEST_DATABASE_URL` is unset; fails when it
/// is set but the server cannot be reached.
pub async fn run_postgres<F, Fut>(body: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Ok(admin_url) = std::env::var(PG_ENV) else {
        eprintln!("skipped: {PG_ENV} not set");
        return;
    };
    sqlx::any::install_default_drivers();
    let name = format!("zhifa_test_{}", uuid::Uuid::now_v7().simple());
    let mut admin = sqlx::AnyConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("{PG_ENV} is set but PostgreSQL cannot be reached: {e}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
    let store = open(&database_url(&admin_url, &name)).await;
    let result = run_body(store, body).await;
    let drop = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await;
    if let Err(e) = drop {
        eprintln!("note: could not drop test database {name}: {e}");
    }
    let _ = admin.close().await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn database_url_replaces_the_database() {
    assert_eq!(
        database_url("postgres://postgres@127.0.0.1:5432/postgres", "zt"),
        "postgres://postgres@127.0.0.1:5432/zt"
    );
    assert_eq!(
        database_url("postgres://u:p@h/db?sslmode=disable", "zt"),
        "postgres://u:p@h/zt?sslmode=disable"
    );
    assert_eq!(database_url("postgres://h", "zt"), "postgres://h/zt");
}
