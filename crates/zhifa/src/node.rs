//! Opening a node: data directory, keys, API token, store, calendar.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, RwLock};

use anyhow::{Context, Result};
use zhifa_domain::calendar::LegalCalendar;
use zhifa_store::crypto::Sm4GcmCipher;
use zhifa_store::{Store, StoreOptions};

use crate::config::Config;

/// Writes `contents` to a new file readable by the owner only (0600 on Unix).
pub(crate) fn write_private(path: &Path, contents: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("while creating {}", dir.display()))?;
    }
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("while creating {}", path.display()))?;
    f.write_all(contents.as_bytes())
        .with_context(|| format!("while writing {}", path.display()))
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("operating system random source");
    hex::encode(buf)
}

/// Reads the SM4 field key, creating it (0600) on first start.
pub fn field_key(config: &Config) -> Result<[u8; 16]> {
    let path = config.key_path();
    if !path.exists() {
        write_private(&path, &hex::encode(Sm4GcmCipher::generate_key()))?;
        tracing::info!("created field encryption key {}", path.display());
    }
    let text =
        fs::read_to_string(&path).with_context(|| format!("while reading {}", path.display()))?;
    let bytes = hex::decode(text.trim())
        .with_context(|| format!("密钥文件格式错误（应为 32 位十六进制）：{}", path.display()))?;
    bytes.try_into().map_err(|_| {
        anyhow::anyhow!(
            "密钥文件长度错误（应为 128 位 SM4 密钥）：{}",
            path.display()
        )
    })
}

/// The API write token: configured, or read from its file, created on first start.
pub fn api_token(config: &Config) -> Result<String> {
    if !config.api_token.is_empty() {
        return Ok(config.api_token.clone());
    }
    let path = config.token_path();
    if !path.exists() {
        write_private(&path, &random_hex(24))?;
    }
    Ok(fs::read_to_string(&path)
        .with_context(|| format!("while reading {}", path.display()))?
        .trim()
        .to_string())
}

/// Opens (and migrates) the store of this node.
pub async fn open_store(config: &Config) -> Result<Store> {
    if config.database_kind() == "sqlite" {
        fs::create_dir_all(&config.data_dir).with_context(|| {
            format!(
                "while creating the data directory {}",
                config.data_dir.display()
            )
        })?;
    }
    let cipher = Arc::new(Sm4GcmCipher::new(field_key(config)?));
    let store = Store::connect(StoreOptions {
        url: config.database_url(),
        max_connections: config.max_connections,
        cipher,
    })
    .await
    .with_context(|| {
        format!(
            "while connecting to the {} database",
            config.database_kind()
        )
    })?;
    store
        .migrate()
        .await
        .context("while running database migrations")?;
    let hash = config.ledger_hash()?;
    store
        .init_ledger_hash(hash, &zhifa_store::model::Actor::system("init"))
        .await
        .context("while recording the ledger hash function (ledger_hash)")?;
    Ok(store)
}

/// The legal calendar in force: the shipped table plus what an administrator loaded.
pub async fn calendar(store: &Store) -> Result<LegalCalendar> {
    let mut cal = LegalCalendar::builtin();
    if let Some(csv) = store
        .calendar_csv()
        .await
        .context("while reading the loaded calendar")?
    {
        cal.load_csv(&csv)
            .context("while applying the loaded calendar")?;
    }
    Ok(cal)
}

/// Shared calendar handle for the server.
pub fn shared(cal: LegalCalendar) -> Arc<RwLock<LegalCalendar>> {
    Arc::new(RwLock::new(cal))
}
