//! Zhifa HTTP server (服务层): the JSON API under `/api/v1` for the base data (F1 data
//! standard, F2 base data) and case handling (F3/F5: [`cases`], [`documents`]), its OpenAPI
//! document with an offline Swagger UI at `/api/docs`, and
//! the server-rendered Simplified-Chinese pages (the public portal, login, each role's workbench,
//! officers and certificates, administration), and the [`outbox`] worker that delivers the
//! node's records to the credit platform, department systems and the publicity portal. The
//! supervisor's statistics, effectiveness evaluation and annual report
//! ([`supervision_stats`]) render their charts as SVG here ([`charts`]) and download as CSV and
//! XLSX ([`sheets`]).
//!
//! This crate holds no legal rules (`zhifa-domain`) and no SQL (`zhifa-store`): handlers parse
//! the request, call the store or the domain, and map the outcome to HTTP through one
//! [`ApiError`](error::ApiError). Who is asking and which records they may see (sessions, API
//! tokens, the node token, roles and data scopes, F13) is decided in [`auth`].
//!
//! ```no_run
//! # async fn demo(state: zhifa_server::AppState) -> std::io::Result<()> {
//! let app = zhifa_server::Application::build(state).await?;
//! println!("listening on http://{}", app.local_addr());
//! app.run(async { let _ = tokio::signal::ctrl_c().await; }).await
//! # }
//! ```

#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod cases;
pub mod charts;
pub mod complaints;
pub mod documents;
pub mod error;
pub mod extract;
pub mod imports;
pub mod outbox;
pub mod sheets;
mod state;
pub mod supervision;
pub mod supervision_stats;
pub mod web;

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

pub use state::{
    AppState, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_EVIDENCE_BYTES, DEFAULT_MAX_IMPORT_BYTES,
    ImportSettings, LedgerSettings, ServerConfig,
};

/// Path of the OpenAPI document.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";
/// Path of the Swagger UI.
pub const DOCS_PATH: &str = "/api/docs";

/// The whole application: API, documentation and web pages, with the body limit and request
/// tracing applied.
pub fn router(state: AppState) -> Router {
    let max_body_bytes = state.config.max_body_bytes;
    let docs = utoipa_swagger_ui::SwaggerUi::new(DOCS_PATH).url(OPENAPI_PATH, openapi());
    Router::new()
        .merge(api::routes())
        .merge(web::routes())
        .merge(docs)
        .fallback(web::not_found)
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The OpenAPI document of `/api/v1`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::openapi()
}

/// A bound listener and the router, ready to serve (zero2prod `startup.rs`).
pub struct Application {
    listener: TcpListener,
    router: Router,
    local_addr: SocketAddr,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("local_addr", &self.local_addr)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Binds `state.config.bind` (port 0 picks a free port) and builds the router.
    pub async fn build(state: AppState) -> std::io::Result<Self> {
        let listener = TcpListener::bind(state.config.bind).await?;
        let local_addr = listener.local_addr()?;
        Ok(Application {
            listener,
            router: router(state),
            local_addr,
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        tracing::info!(addr = %self.local_addr, "zhifa server listening");
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await
    }
}
