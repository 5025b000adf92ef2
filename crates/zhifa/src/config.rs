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

    /// Path of the API token file.
    pub fn token_path(&self) -> PathBuf {
        if self.api_token_file.is_empty() {
            self.data_dir.join("api-token")
        } else {
            PathBuf::from(&self.api_token_file)
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
