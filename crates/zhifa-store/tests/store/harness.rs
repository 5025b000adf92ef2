//! The test harness: every store test runs twice, on a fresh SQLite file and on a fresh
//! PostgreSQL database (when `ZHIFA_TEST_DATABASE_URL` is set), through the same body.

use std::future::Future;
use std::sync::Arc;

use zhifa_store::crypto::Sm4GcmCipher;
use zhifa_store::testing::TestDb;
use zhifa_store::{Store, StoreOptions};

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
    run_on(TestDb::sqlite(), body).await;
}

/// Runs a test body on a fresh PostgreSQL database created for it (and dropped afterwards).
/// Prints a skip notice when `ZHIFA_TEST_DATABASE_URL` is unset; fails when it is set but the
/// server cannot be reached.
pub async fn run_postgres<F, Fut>(body: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    sqlx::any::install_default_drivers();
    if let Some(db) = TestDb::postgres("zhifa_test").await {
        run_on(db, body).await;
    }
}

async fn run_on<F, Fut>(db: TestDb, body: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let store = open(db.url()).await;
    let result = run_body(store, body).await;
    drop(db);
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
