//! Node configuration (配置): built-in defaults → `zhifa.toml` → `ZHIFA_*` environment
//! variables → command-line flags, each layer overriding the one before (figment).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// The whole configuration of a node. Field names are the `zhifa.toml` keys; the environment
/// variable of a key is `ZHIFA_` + the key in capitals (e.g. `ZHIFA_DATABASE_URL`).
#[derive(Clone, Serialize, Deserialize)]
pub struct Config {
    /// Data directory: SQLite file, keys, API token (default `./zhifa-data`).
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; empty means the SQLite file `<data_dir>/zhifa.db`.
    pub database_url: String,
    /// Address to listen on (default `127.0.0.1:8080`).
    pub bind: String,
    /// Bearer token for API writes; empty means read it from `api_token_file`, or from
    /// `<data_dir>/api-token` (created on first start).
    pub api_token: String,
    /// File holding the API token.
    pub api_token_file: String,
    /// File holding the 128-bit SM4 key for personal data at rest (hex); default
    /// `<data_dir>/keys/field.key`, created with mode 0600 on first start.
    pub key_file: String,
    /// Largest accepted request body in bytes (default 1 MiB).
    pub max_body_bytes: usize,
    /// Database pool size.
    pub max_connections: u32,
    /// Law corpus folder to import; empty means the corpus compiled into the binary.
    pub laws_dir: String,
    /// Origin line of this node's ledger checkpoints (c2sp.org/tlog-checkpoint), also the
    /// name of its signing keys; empty means `zhifa.local/<data_dir name>`.
    pub ledger_origin: String,
    /// SM2 checkpoint signing key (GB/T 32918); default `<data_dir>/keys/ledger-sm2.key`,
    /// created with mode 0600 on first start.
    pub ledger_sm2_key_file: String,
    /// Ed25519 checkpoint signing key; default `<data_dir>/keys/ledger-ed25519.key`.
    pub ledger_ed25519_key_file: String,
    /// How often (milliseconds) a checkpoint is signed when the ledger grew (default 1000).
    pub checkpoint_interval_ms: u64,
    /// Hash function of the ledger (账本哈希算法): `sm3` (GB/T 32905) or `sha256`. It is
    /// recorded in the database when the node is initialised and cannot change once the log
    /// has a leaf; empty means what the database records (`sm3` for a new one).
    pub ledger_hash: String,
    /// Evidence file directory; default `<data_dir>/evidence`.
    pub evidence_dir: String,
    /// Largest accepted evidence file in bytes (default 200 MiB).
    pub max_evidence_bytes: u64,
    /// Directory of export uploads in progress and of their kept validation reports
    /// (`POST /api/v1/imports`); default `<data_dir>/imports`.
    pub import_dir: String,
    /// Largest accepted export upload in bytes (default 200 MiB).
    pub max_import_bytes: u64,
    /// Served over TLS (directly or behind an HTTPS proxy): session cookies get `Secure`.
    pub https: bool,
    /// Hours a login session lasts (default 8).
    pub session_hours: i64,
    /// Failed logins of one name before it is locked (default 5).
    pub login_max_failures: i64,
    /// Minutes a locked login name stays locked (default 15).
    pub login_lock_minutes: i64,
    /// Milliseconds between outbox passes (materialise new records, deliver due ones).
    pub outbox_interval_ms: u64,
    /// Delay after the first failed delivery attempt, milliseconds; doubles per attempt.
    pub outbox_backoff_base_ms: i64,
    /// Longest delay between delivery attempts, milliseconds.
    pub outbox_backoff_max_ms: i64,
    /// Attempts before a delivery is marked failed (an administrator may retry it).
    pub outbox_max_attempts: i64,
    /// Months a 双公示 record stays published after the decision (公示截止期).
    pub credit_publicity_months: u32,
    /// Milliseconds between supervision passes over new case events (default 250: alerts
    /// appear within a second of the event that triggers them).
    pub supervision_interval_ms: u64,
    /// Seconds between full supervision sweeps (time-based clocks, cross-case rules,
    /// escalation; default 600).
    pub supervision_sweep_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("zhifa-data"),
            database_url: String::new(),
            bind: "127.0.0.1:8080".into(),
            api_token: String::new(),
            api_token_file: String::new(),
            key_file: String::new(),
            max_body_bytes: 1024 * 1024,
            max_connections: 8,
            laws_dir: String::new(),
            ledger_origin: String::new(),
            ledger_sm2_key_file: String::new(),
            ledger_ed25519_key_file: String::new(),
            checkpoint_interval_ms: 1000,
            ledger_hash: String::new(),
            evidence_dir: String::new(),
            max_evidence_bytes: 200 * 1024 * 1024,
            import_dir: String::new(),
            max_import_bytes: zhifa_server::DEFAULT_MAX_IMPORT_BYTES,
            https: false,
            session_hours: 8,
            login_max_failures: 5,
            login_lock_minutes: 15,
            outbox_interval_ms: 1000,
            outbox_backoff_base_ms: 5_000,
            outbox_backoff_max_ms: 3_600_000,
            outbox_max_attempts: 10,
            credit_publicity_months: 12,
            supervision_interval_ms: 250,
            supervision_sweep_secs: 600,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("database", &self.database_kind())
            .field("bind", &self.bind)
            .field("api_token", &"<hidden>")
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_connections", &self.max_connections)
            .field("laws_dir", &self.laws_dir)
            .field("ledger_origin", &self.ledger_origin())
            .field("checkpoint_interval_ms", &self.checkpoint_interval_ms)
            .field("ledger_hash", &self.ledger_hash)
            .field("max_evidence_bytes", &self.max_evidence_bytes)
            .field("import_dir", &self.import_dir)
            .field("max_import_bytes", &self.max_import_bytes)
            .field("https", &self.https)
            .field("session_hours", &self.session_hours)
            .field("login_max_failures", &self.login_max_failures)
            .field("login_lock_minutes", &self.login_lock_minutes)
            .field("outbox_interval_ms", &self.outbox_interval_ms)
            .field("outbox_backoff_base_ms", &self.outbox_backoff_base_ms)
            .field("outbox_backoff_max_ms", &self.outbox_backoff_max_ms)
            .field("outbox_max_attempts", &self.outbox_max_attempts)
            .field("credit_publicity_months", &self.credit_publicity_months)
            .field("supervision_interval_ms", &self.supervision_interval_ms)
            .field("supervision_sweep_secs", &self.supervision_sweep_secs)
            .finish()
    }
}

/// Flags that override the configuration when given.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Overrides {
    /// `--data-dir`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    /// `--database-url`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    /// `--bind`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    /// `--laws-dir`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub laws_dir: Option<String>,
}

impl Config {
    /// Loads the layers. `file` is `--config`; without it `./zhifa.toml` is read if present.
    pub fn load(file: Option<&Path>, flags: &Overrides) -> Result<Config> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => {
                anyhow::ensure!(path.exists(), "配置文件不存在：{}", path.display());
                fig = fig.merge(Toml::file(path));
            }
            None => fig = fig.merge(Toml::file("zhifa.toml")),
        }
        fig = fig
            .merge(Env::prefixed("ZHIFA_").ignore(&["test_database_url"]))
            .merge(Serialized::defaults(flags));
        fig.extract()
            .context("while reading the configuration (zhifa.toml / ZHIFA_* / flags)")
    }

    /// The database URL, defaulting to the SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("zhifa.db").display()
            )
        } else {
            self.database_url.clone()
        }
    }

    /// `sqlite` or `postgres`, for messages that must not show the URL (it may hold a
    /// password).
    pub fn database_kind(&self) -> &'static str {
        if self.database_url().starts_with("postgres") {
            "postgres"
        } else {
            "sqlite"
        }
    }

    /// Path of the SM4 key file.
    pub fn key_path(&self) -> PathBuf {
        if self.key_file.is_empty() {
            self.data_dir.join("keys").join("field.key")
        } else {
            PathBuf::from(&self.key_file)
        }
    }

    /// The ledger origin: configured, or `zhifa.local/<data_dir name>` with characters a
    /// signed-note key name cannot hold (spaces, `+`) replaced by `-`.
    pub fn ledger_origin(&self) -> String {
        if !self.ledger_origin.trim().is_empty() {
            return self.ledger_origin.trim().to_string();
        }
        let dir = std::path::absolute(&self.data_dir).unwrap_or_else(|_| self.data_dir.clone());
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "zhifa-data".to_string());
        let name: String = name
            .chars()
            .map(|c| {
                if c.is_whitespace() || c == '+' || c.is_control() {
                    '-'
                } else {
                    c
                }
            })
            .collect();
        format!("zhifa.local/{name}")
    }

    /// The configured ledger hash function, `None` when left empty (keep what is recorded).
    pub fn ledger_hash(&self) -> Result<Option<zhifa_ledger::HashAlg>> {
        let name = self.ledger_hash.trim().to_ascii_lowercase();
        if name.is_empty() {
            return Ok(None);
        }
        let alg = name.parse().map_err(|e: zhifa_ledger::HashParseError| {
            anyhow::anyhow!("配置项 ledger_hash（{}）：{e}", e.code())
        })?;
        Ok(Some(alg))
    }

    /// Paths of the SM2 and Ed25519 checkpoint signing keys.
    pub fn ledger_key_paths(&self) -> [PathBuf; 2] {
        let pick = |configured: &str, default: &str| {
            if configured.is_empty() {
                self.data_dir.join("keys").join(default)
            } else {
                PathBuf::from(configured)
            }
        };
        [
            pick(&self.ledger_sm2_key_file, "ledger-sm2.key"),
            pick(&self.ledger_ed25519_key_file, "ledger-ed25519.key"),
        ]
    }

    /// The evidence file directory.
    pub fn evidence_path(&self) -> PathBuf {
        if self.evidence_dir.is_empty() {
            self.data_dir.join("evidence")
        } else {
            PathBuf::from(&self.evidence_dir)
        }
    }

    /// What the server needs for export uploads: the import directory (default
    /// `<data_dir>/imports`) and the size limit.
    pub fn import_settings(&self) -> zhifa_server::ImportSettings {
        zhifa_server::ImportSettings {
            dir: Some(if self.import_dir.is_empty() {
                self.data_dir.join("imports")
            } else {
                PathBuf::from(&self.import_dir)
            }),
            max_import_bytes: self.max_import_bytes,
        }
    }

    /// Path of the API token file.
    pub fn token_path(&self) -> PathBuf {
        if self.api_token_file.is_empty() {
            self.data_dir.join("api-token")
        } else {
            PathBuf::from(&self.api_token_file)
        }
    }
}

/// The outbox settings of a node (一次报送，多头应用).
impl Config {
    /// The 双公示 export rules.
    pub fn shuanggongshi_rules(&self) -> zhifa_store::shuanggongshi::ShuangGongShiRules {
        zhifa_store::shuanggongshi::ShuangGongShiRules {
            publicity_months: self.credit_publicity_months,
        }
    }

    /// The outbox worker's settings.
    pub fn outbox_settings(&self) -> zhifa_server::outbox::OutboxSettings {
        let base = zhifa_store::outbox::RetryPolicy::default();
        zhifa_server::outbox::OutboxSettings {
            interval: std::time::Duration::from_millis(self.outbox_interval_ms.max(10)),
            policy: zhifa_store::outbox::RetryPolicy {
                base_ms: self.outbox_backoff_base_ms.max(1),
                max_ms: self.outbox_backoff_max_ms.max(1),
                max_attempts: self.outbox_max_attempts.max(1),
                ..base
            },
            rules: self.shuanggongshi_rules(),
            ..zhifa_server::outbox::OutboxSettings::default()
        }
    }
}

/// The supervision worker of a node (执法监督).
impl Config {
    /// The supervision worker's settings.
    pub fn supervision_settings(&self) -> zhifa_server::supervision::SupervisionSettings {
        zhifa_server::supervision::SupervisionSettings {
            interval: std::time::Duration::from_millis(self.supervision_interval_ms.max(10)),
            sweep_every: std::time::Duration::from_secs(self.supervision_sweep_secs.max(1)),
            ..zhifa_server::supervision::SupervisionSettings::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail closure returns figment::Error
    fn layers_override_in_order() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "zhifa.toml",
                "bind = \"127.0.0.1:9000\"\nmax_connections = 3\n",
            )?;
            jail.set_env("ZHIFA_MAX_CONNECTIONS", "5");
            let flags = Overrides {
                data_dir: Some("/tmp/x".into()),
                ..Default::default()
            };
            let c = Config::load(None, &flags).map_err(|e| e.to_string())?;
            assert_eq!(c.bind, "127.0.0.1:9000"); // file over default
            assert_eq!(c.max_connections, 5); // env over file
            assert_eq!(c.data_dir, PathBuf::from("/tmp/x")); // flag over all
            assert_eq!(c.database_url(), "sqlite:///tmp/x/zhifa.db?mode=rwc");
            assert_eq!(c.ledger_origin(), "zhifa.local/x");
            assert_eq!(c.checkpoint_interval_ms, 1000);
            assert_eq!(c.ledger_hash().map_err(|e| e.to_string())?, None);
            jail.set_env("ZHIFA_LEDGER_HASH", "SHA256");
            let c = Config::load(None, &flags).map_err(|e| e.to_string())?;
            assert_eq!(
                c.ledger_hash().map_err(|e| e.to_string())?,
                Some(zhifa_ledger::HashAlg::Sha256)
            );
            jail.set_env("ZHIFA_LEDGER_HASH", "md5");
            let c = Config::load(None, &flags).map_err(|e| e.to_string())?;
            assert!(c.ledger_hash().is_err());
            Ok(())
        });
    }

    #[test]
    fn debug_hides_secrets() {
        let c = Config {
            api_token: "secret-token".into(),
            database_url: "postgres://u:pw@h/db".into(),
            ..Config::default()
        };
        let s = format!("{c:?}");
        assert!(!s.contains("secret-token") && !s.contains("pw@"), "{s}");
    }
}
