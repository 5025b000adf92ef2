//! Server configuration and the state shared by every handler.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, RwLock};

use zhifa_domain::calendar::LegalCalendar;
use zhifa_store::{LockoutPolicy, Store};

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
    /// Mark the session cookie `Secure` (served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Hours a login session lasts.
    pub session_hours: i64,
    /// Failed logins before a temporary lock, and its length.
    pub lockout: LockoutPolicy,
    /// The ledger's public side and the evidence store.
    pub ledger: LedgerSettings,
    /// API uploads of department systems' exports (`POST /api/v1/imports`).
    pub imports: ImportSettings,
}

/// Default largest evidence file: 200 MiB.
pub const DEFAULT_MAX_EVIDENCE_BYTES: u64 = 200 * 1024 * 1024;

/// What the ledger and evidence endpoints need besides the store (全过程记录).
#[derive(Clone, Debug)]
pub struct LedgerSettings {
    /// Checkpoint origin line of this node.
    pub origin: String,
    /// Public verifier keys of the checkpoint signers (vkey text form).
    pub verifier_keys: Vec<String>,
    /// Evidence file directory; `None` disables the evidence endpoints (503).
    pub evidence_dir: Option<std::path::PathBuf>,
    /// Largest accepted evidence file in bytes.
    pub max_evidence_bytes: u64,
}

impl Default for LedgerSettings {
    fn default() -> Self {
        LedgerSettings {
            origin: String::new(),
            verifier_keys: Vec::new(),
            evidence_dir: None,
            max_evidence_bytes: DEFAULT_MAX_EVIDENCE_BYTES,
        }
    }
}

/// Default largest import upload (`max_import_bytes`): 200 MiB.
pub const DEFAULT_MAX_IMPORT_BYTES: u64 = 200 * 1024 * 1024;

/// Where API uploads of exports go and how large they may be (数据导入).
#[derive(Clone, Debug)]
pub struct ImportSettings {
    /// Directory of uploads in progress (`tmp/`) and of kept validation reports
    /// (`reports/<run id>.csv`). `None`: uploads go to the system's temporary directory and
    /// no report is kept (the answer still lists the first rejections).
    pub dir: Option<std::path::PathBuf>,
    /// Largest accepted upload body in bytes (larger → 413 `import.too_large`).
    pub max_import_bytes: u64,
}

impl Default for ImportSettings {
    fn default() -> Self {
        ImportSettings {
            dir: None,
            max_import_bytes: DEFAULT_MAX_IMPORT_BYTES,
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 8080)),
            api_token: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            secure_cookies: false,
            session_hours: 8,
            lockout: LockoutPolicy::default(),
            ledger: LedgerSettings::default(),
            imports: ImportSettings::default(),
        }
    }
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("bind", &self.bind)
            .field("api_token", &self.api_token.as_ref().map(|_| "<hidden>"))
            .field("max_body_bytes", &self.max_body_bytes)
            .field("secure_cookies", &self.secure_cookies)
            .field("session_hours", &self.session_hours)
            .field("lockout", &self.lockout)
            .field("ledger", &self.ledger)
            .field("imports", &self.imports)
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
