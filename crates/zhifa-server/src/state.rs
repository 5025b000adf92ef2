//! Server configuration and the state shared by every handler.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, RwLock};

use zhifa_domain::calendar::LegalCalendar;
use zhifa_store::Store;

/// Default request body limit: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// How the server listens and whom it lets write.
#[derive(Clone)]
pub struct ServerConfig {
    /// Address to bind (port 0 picks a free port).
    pub bind: SocketAddr,
    /// Bearer token that write requests must present. `None` disables writes through the API.
    /// Never printed by `Debug`.
    pub api_token: Option<String>,
    /// Largest accepted request body in bytes (default 1 MiB).
    pub max_body_bytes: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 8080)),
            api_token: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("bind", &self.bind)
            .field("api_token", &self.api_token.as_ref().map(|_| "<hidden>"))
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

/// What every handler can reach: the store, the legal calendar (replaceable when an
/// administrator loads new official days) and the configuration.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The legal working-day calendar (法定工作日历).
    pub calendar: Arc<RwLock<LegalCalendar>>,
    /// Server configuration.
    pub config: Arc<ServerConfig>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.store.backend())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}
