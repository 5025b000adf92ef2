//! The `TestApp` builder: the whole router in process (`tower::ServiceExt::oneshot`) over a
//! fresh SQLite file, or a fresh PostgreSQL database when `ZHIFA_TEST_DATABASE_URL` is set.

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use zhifa_domain::calendar::LegalCalendar;
use zhifa_domain::region::RegionTable;
use zhifa_server::{AppState, ImportSettings, ServerConfig};
use zhifa_store::crypto::Sm4GcmCipher;
use zhifa_store::model::{Actor, ChangeFilter, Counts, PageRequest};
use zhifa_store::testing::TestDb;
use zhifa_store::{Store, StoreOptions};

use crate::fixtures::{TEST_LAW, TEST_LAW_PATH};

/// The API token of test apps.
pub const TOKEN: &str = "test-token-0123456789";

/// The address test requests come from (recorded in the change log).
pub const CLIENT_IP: &str = "127.0.0.1";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    /// A fresh SQLite file in a temporary directory.
    Sqlite,
    /// A fresh database on `ZHIFA_TEST_DATABASE_URL`.
    Postgres,
}

impl Db {
    /// Whether this backend is configured (SQLite always is).
    pub fn enabled(self) -> bool {
        match self {
            Db::Sqlite => true,
            Db::Postgres => zhifa_store::testing::postgres_admin_url().is_some(),
        }
    }
}

/// Runs a test body on SQLite (`_sqlite`) and on PostgreSQL (`_postgres`; passes with a note
/// when `ZHIFA_TEST_DATABASE_URL` is not set).
macro_rules! on_both {
    ($body:ident => $sqlite:ident, $postgres:ident) => {
        #[tokio::test]
        async fn $sqlite() {
            $body(crate::common::Db::Sqlite).await
        }

        #[tokio::test]
        async fn $postgres() {
            if crate::common::Db::Postgres.enabled() {
                $body(crate::common::Db::Postgres).await
            } else {
                eprintln!("ZHIFA_TEST_DATABASE_URL not set: PostgreSQL run of this test not done");
            }
        }
    };
}

/// Builder of a [`TestApp`].
pub struct TestAppBuilder {
    token: Option<String>,
    max_body_bytes: usize,
    secure_cookies: bool,
    imports: ImportSettings,
}

impl TestAppBuilder {
    /// No API token configured: writes are refused with 403.
    pub fn without_token(mut self) -> Self {
        self.token = None;
        self
    }

    /// Served as if over TLS: session cookies are `Secure`.
    pub fn secure_cookies(mut self) -> Self {
        self.secure_cookies = true;
        self
    }

    /// Export uploads: their directory and size limit.
    pub fn imports(mut self, imports: ImportSettings) -> Self {
        self.imports = imports;
        self
    }

    /// A smaller body limit.
    pub fn max_body_bytes(mut self, n: usize) -> Self {
        self.max_body_bytes = n;
        self
    }

    /// Creates the database, migrates it, loads the regions and builds the router.
    pub async fn start(self, db: Db) -> TestApp {
        let guard = match db {
            Db::Sqlite => TestDb::sqlite(),
            Db::Postgres => TestDb::postgres("zhifa_srv")
                .await
                .expect("ZHIFA_TEST_DATABASE_URL"),
        };
        let url = guard.url().to_string();
        let store = Store::connect(StoreOptions {
            url,
            max_connections: 4,
            cipher: Arc::new(Sm4GcmCipher::new([7; 16])),
        })
        .await
        .expect("connect store");
        store.migrate().await.expect("migrate");
        store
            .load_regions(RegionTable::builtin())
            .await
            .expect("load regions");
        let config = ServerConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            api_token: self.token.clone(),
            max_body_bytes: self.max_body_bytes,
            secure_cookies: self.secure_cookies,
            imports: self.imports,
            ..ServerConfig::default()
        };
        let state = AppState {
            store: store.clone(),
            calendar: Arc::new(RwLock::new(LegalCalendar::builtin())),
            config: Arc::new(config),
        };
        let client: SocketAddr = format!("{CLIENT_IP}:40000").parse().expect("address");
        let router = zhifa_server::router(state).layer(MockConnectInfo(client));
        TestApp {
            router,
            store,
            _guard: guard,
        }
    }
}

/// The application under test.
pub struct TestApp {
    /// The whole router.
    pub router: Router,
    /// The store behind it (to check what was or was not written).
    pub store: Store,
    _guard: TestDb,
}

/// A response, fully read.
pub struct TestResponse {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body.
    pub body: Bytes,
}

impl TestResponse {
    /// The body as JSON (panics with the body text if it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("response is not JSON ({e}): {}", self.text()))
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts an error body: status, code, a Chinese message; returns the body.
    pub fn assert_error(&self, status: StatusCode, code: &str) -> Value {
        assert_eq!(self.status, status, "body: {}", self.text());
        let body = self.json();
        assert_eq!(body["error"]["code"], code, "body: {body}");
        let message = body["error"]["message"].as_str().expect("message");
        assert!(
            message
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "not Chinese: {message}"
        );
        body
    }
}

/// Field names listed in an error body.
pub fn error_fields(body: &Value) -> Vec<String> {
    body["error"]["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["field"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// What a write could have changed: the counts and the change log length.
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    counts: Counts,
    changes: i64,
}

impl TestApp {
    /// A builder with the token [`TOKEN`] and a 1 MiB body limit.
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder {
            token: Some(TOKEN.to_string()),
            max_body_bytes: zhifa_server::DEFAULT_MAX_BODY_BYTES,
            secure_cookies: false,
            imports: ImportSettings::default(),
        }
    }

    /// A default app on `db`.
    pub async fn start(db: Db) -> TestApp {
        Self::builder().start(db).await
    }

    /// Sends a request.
    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        TestResponse {
            status,
            headers,
            body,
        }
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(Request::get(path).body(Body::empty()).expect("request"))
            .await
    }

    /// `GET path` with the token.
    pub async fn get_authorized(&self, path: &str) -> TestResponse {
        let request = Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .body(Body::empty())
            .expect("request");
        self.send(request).await
    }

    /// A write with the token and a JSON body.
    pub async fn write(&self, method: Method, path: &str, body: &Value) -> TestResponse {
        self.raw(
            method,
            path,
            Some(TOKEN),
            Some("application/json"),
            body.to_string(),
        )
        .await
    }

    /// `POST path` with the token and a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> TestResponse {
        self.write(Method::POST, path, body).await
    }

    /// `PUT path` with the token and a JSON body.
    pub async fn put(&self, path: &str, body: &Value) -> TestResponse {
        self.write(Method::PUT, path, body).await
    }

    /// `POST path` with the token and no body (deactivation).
    pub async fn post_empty(&self, path: &str) -> TestResponse {
        self.raw(Method::POST, path, Some(TOKEN), None, String::new())
            .await
    }

    /// Any request: method, path, optional bearer token, optional content type, body text.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: String,
    ) -> TestResponse {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(ct) = content_type {
            request = request.header(header::CONTENT_TYPE, ct);
        }
        self.send(request.body(Body::from(body)).expect("request"))
            .await
    }

    /// Counts and change-log length, to prove a refused write changed nothing.
    pub async fn snapshot(&self) -> Snapshot {
        let counts = self.store.counts().await.expect("counts");
        let changes = self
            .store
            .list_changes(&ChangeFilter::default(), PageRequest::default())
            .await
            .expect("changes")
            .total;
        Snapshot { counts, changes }
    }

    /// Creates a record through the API and returns it (asserting 201).
    pub async fn create(&self, resource: &str, body: &Value) -> Value {
        let r = self.post(&format!("/api/v1/{resource}"), body).await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "create {resource}: {}",
            r.text()
        );
        r.json()
    }

    /// Imports the small test law and returns the ids of its articles in order.
    pub async fn import_test_law(&self) -> Vec<String> {
        let law = zhifa_laws::parse_law(TEST_LAW_PATH, TEST_LAW).expect("test law parses");
        self.store
            .import_laws(&[law], &Actor::system("test"))
            .await
            .expect("import law");
        let laws = self.get("/api/v1/laws?q=%E6%B5%8B%E8%AF%95").await.json();
        let id = laws["items"][0]["id"].as_str().expect("law id").to_string();
        let articles = self
            .get(&format!("/api/v1/laws/{id}/articles"))
            .await
            .json();
        articles
            .as_array()
            .expect("articles")
            .iter()
            .map(|a| a["id"].as_str().expect("id").to_string())
            .collect()
    }
}
