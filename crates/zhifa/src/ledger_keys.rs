//! The node's checkpoint signing keys and the checkpoint schedule (全过程记录, APL Art. 47;
//! 118号): an SM2 (GB/T 32918) and an Ed25519 key, generated at first start into files of
//! mode 0600, and a background task that signs a checkpoint whenever the ledger grew.

use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use zhifa_ledger::{KeyAlg, NoteSigner, SoftwareSigner, VerifierKey};
use zhifa_store::Store;
use zhifa_store::ledger::StoredCheckpoint;

use crate::config::Config;
use crate::node::write_private;

/// The origin and signers of this node's checkpoints.
#[derive(Debug)]
pub struct LedgerKeys {
    /// Checkpoint origin line.
    pub origin: String,
    /// SM2 first, then Ed25519.
    pub signers: Vec<SoftwareSigner>,
}

fn read_key(path: &Path) -> Result<SoftwareSigner> {
    let text =
        fs::read_to_string(path).with_context(|| format!("while reading {}", path.display()))?;
    SoftwareSigner::from_private_text(text.trim())
        .map_err(|e| anyhow::anyhow!("签名密钥文件格式错误：{}：{e}", path.display()))
}

impl LedgerKeys {
    /// Reads the keys, generating any missing one (mode 0600) on first start.
    pub fn load_or_create(config: &Config) -> Result<Self> {
        let origin = config.ledger_origin();
        let mut signers = Vec::with_capacity(2);
        for (path, alg) in config
            .ledger_key_paths()
            .into_iter()
            .zip([KeyAlg::Sm2, KeyAlg::Ed25519])
        {
            if !path.exists() {
                let key = SoftwareSigner::generate(alg, &origin)
                    .map_err(|e| anyhow::anyhow!("无法生成签名密钥（源名称 {origin}）：{e}"))?;
                write_private(&path, &format!("{}\n", key.to_private_text()))?;
                tracing::info!("created ledger signing key {}", path.display());
            }
            signers.push(read_key(&path)?);
        }
        Ok(LedgerKeys { origin, signers })
    }

    /// The public verifier keys of the keys that exist (none are created).
    pub fn existing_verifiers(config: &Config) -> Result<Vec<VerifierKey>> {
        config
            .ledger_key_paths()
            .iter()
            .filter(|p| p.exists())
            .map(|p| read_key(p).map(|k| k.verifier()))
            .collect()
    }

    /// The public verifier keys (vkey text form with `Display`).
    pub fn verifiers(&self) -> Vec<VerifierKey> {
        self.signers.iter().map(SoftwareSigner::verifier).collect()
    }

    /// What the server publishes and needs for evidence files.
    pub fn settings(&self, config: &Config) -> zhifa_server::LedgerSettings {
        zhifa_server::LedgerSettings {
            origin: self.origin.clone(),
            verifier_keys: self.verifiers().iter().map(ToString::to_string).collect(),
            evidence_dir: Some(config.evidence_path()),
            max_evidence_bytes: config.max_evidence_bytes,
        }
    }

    /// Signs a checkpoint now if the ledger grew since the latest one.
    pub async fn checkpoint(&self, store: &Store) -> Result<Option<StoredCheckpoint>> {
        let refs: Vec<&(dyn NoteSigner + Send + Sync)> = self
            .signers
            .iter()
            .map(|s| s as &(dyn NoteSigner + Send + Sync))
            .collect();
        store
            .sign_checkpoint(&self.origin, &refs)
            .await
            .context("while signing a ledger checkpoint")
    }
}

/// Signs a checkpoint every `interval` while the ledger grows, until the task is aborted.
/// Errors are logged and retried at the next tick (a checkpoint is only ever late).
pub fn spawn_checkpointer(
    store: Store,
    keys: Arc<LedgerKeys>,
    interval: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval.max(Duration::from_millis(10)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match keys.checkpoint(&store).await {
                Ok(Some(c)) => tracing::debug!(size = c.tree_size, "ledger checkpoint signed"),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "ledger checkpoint failed"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_created_once_private_and_reloaded() {
        let dir = tempfile::tempdir().expect("dir");
        let config = Config {
            data_dir: dir.path().join("node 1+a"),
            ..Config::default()
        };
        assert!(
            LedgerKeys::existing_verifiers(&config)
                .expect("none")
                .is_empty()
        );
        let first = LedgerKeys::load_or_create(&config).expect("create");
        assert_eq!(
            first.origin, "zhifa.local/node-1-a",
            "key names hold no space or +"
        );
        let [sm2, ed] = config.ledger_key_paths();
        #[cfg(unix)]
        for path in [&sm2, &ed] {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(path).expect("key file").permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", path.display());
        }
        let again = LedgerKeys::load_or_create(&config).expect("reload");
        let text = |k: &LedgerKeys| {
            k.verifiers()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(text(&first), text(&again));
        assert_eq!(
            first
                .verifiers()
                .iter()
                .map(|v| v.alg())
                .collect::<Vec<_>>(),
            [KeyAlg::Sm2, KeyAlg::Ed25519]
        );
        assert_eq!(
            LedgerKeys::existing_verifiers(&config).expect("two").len(),
            2
        );
    }
}
