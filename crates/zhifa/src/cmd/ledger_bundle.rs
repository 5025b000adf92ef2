//! The offline proof bundle of `zhifa ledger prove` / `verify-bundle` (format
//! `zhifa-ledger-bundle/v1`, docs/ledger.md): one entry, its canonical bytes, its leaf index,
//! the inclusion proof and the signed checkpoint the proof is for. Checking it needs no database,
//! only a trusted verifier key: the leaf hash is recomputed from the entry, the checkpoint's
//! signature is verified, and inclusion is checked against the checkpoint's own size and root
//! (a bare proof does not pin the tree size, RFC 9162 §2.1.3.2).

use serde::{Deserialize, Serialize};
use zhifa_ledger::{Checkpoint, Hash, HashAlg, NoteVerifier, VerifierKey, leaf_hash};
use zhifa_store::ledger::{CaseEventRow, ChangeRow, Evidence};

/// Format tag of the bundle.
pub const BUNDLE_FORMAT: &str = "zhifa-ledger-bundle/v1";

/// The entry a bundle proves.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Entry {
    /// A change-log row.
    Change(ChangeRow),
    /// An evidence file record.
    Evidence(Evidence),
    /// A case event as stored (party data as ciphertext), under `event` (the row has a
    /// `kind` of its own).
    #[serde(rename = "case_event")]
    CaseEvent {
        /// The `case_events` row.
        event: CaseEventRow,
    },
}

impl Entry {
    fn canonical_bytes(&self) -> Vec<u8> {
        match self {
            Entry::Change(c) => c.canonical_bytes(),
            Entry::Evidence(e) => e.canonical_bytes(),
            Entry::CaseEvent { event } => event.canonical_bytes(),
        }
    }
}

/// A proof bundle.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// `zhifa-ledger-bundle/v1`.
    pub format: String,
    /// The log's tree hash (`sm3` or `sha256`).
    pub hash: HashAlg,
    /// The entry as stored.
    pub entry: Entry,
    /// Its canonical byte encoding, hex (informative; recomputed when checking).
    pub canonical_hex: String,
    /// Leaf index.
    pub leaf_index: u64,
    /// `H(0x00 ‖ canonical bytes)`.
    pub leaf_hash: Hash,
    /// Audit path under the checkpoint's tree, from the leaf up.
    pub proof: Vec<Hash>,
    /// The signed checkpoint (c2sp.org/tlog-checkpoint signed note).
    pub checkpoint: String,
}

/// Why a readable bundle does not hold (codes are stable).
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Unknown format tag.
    #[error("不支持的证明包格式：{0}")]
    Format(String),
    /// The entry does not encode to the recorded bytes or leaf hash.
    #[error("记录内容与叶子哈希不符：记录已被改动")]
    Entry,
    /// The checkpoint's signature does not verify with the given keys.
    #[error("检查点签名无效：{0}")]
    Signature(String),
    /// The proof does not put the leaf under the checkpoint's root.
    #[error("包含证明不成立：{0}")]
    Proof(String),
}

impl BundleError {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            BundleError::Format(_) => "bundle.format",
            BundleError::Entry => "bundle.entry",
            BundleError::Signature(_) => "bundle.signature",
            BundleError::Proof(_) => "bundle.proof",
        }
    }
}

impl Bundle {
    /// Builds a bundle for a log hashed with `hash` (the caller supplies a proof for the
    /// checkpoint's tree size).
    pub fn new(
        hash: HashAlg,
        entry: Entry,
        leaf_index: u64,
        proof: Vec<Hash>,
        checkpoint: String,
    ) -> Self {
        let bytes = entry.canonical_bytes();
        Bundle {
            format: BUNDLE_FORMAT.to_string(),
            hash,
            leaf_hash: leaf_hash(hash, &bytes),
            canonical_hex: hex::encode(&bytes),
            entry,
            leaf_index,
            proof,
            checkpoint,
        }
    }

    /// Checks the bundle with trusted `keys`; returns the verified checkpoint.
    pub fn verify(&self, keys: &[VerifierKey]) -> Result<Checkpoint, BundleError> {
        if self.format != BUNDLE_FORMAT {
            return Err(BundleError::Format(self.format.clone()));
        }
        let bytes = self.entry.canonical_bytes();
        if hex::encode(&bytes) != self.canonical_hex
            || leaf_hash(self.hash, &bytes) != self.leaf_hash
        {
            return Err(BundleError::Entry);
        }
        let verifiers: Vec<&dyn NoteVerifier> =
            keys.iter().map(|k| k as &dyn NoteVerifier).collect();
        let (checkpoint, _) = Checkpoint::parse_and_verify(&self.checkpoint, &verifiers)
            .map_err(|e| BundleError::Signature(e.to_string()))?;
        checkpoint
            .verify_inclusion(self.hash, &self.leaf_hash, self.leaf_index, &self.proof)
            .map_err(|e| BundleError::Proof(e.to_string()))?;
        Ok(checkpoint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A case event's own `kind` does not clash with the entry tag: the bundle reads back
    /// with the same canonical bytes and leaf hash.
    #[test]
    fn case_event_bundle_round_trips() {
        let event = CaseEventRow {
            seq: 30,
            case_id: "0190a1b2-c3d4-7e5f-8a9b-000000000001".into(),
            version: 9,
            kind: "decision_made".into(),
            actor: "u-head".into(),
            role: "head".into(),
            at: "2026-11-27T10:00:00.000+08:00".into(),
            place: None,
            idempotency_key: "k-30".into(),
            payload: r#"{"kind":"decision_made","on":"2026-11-27"}"#.into(),
        };
        let bundle = Bundle::new(
            HashAlg::Sm3,
            Entry::CaseEvent {
                event: event.clone(),
            },
            29,
            Vec::new(),
            String::new(),
        );
        let text = serde_json::to_string(&bundle).expect("json");
        let back: Bundle = serde_json::from_str(&text).expect("reads back");
        assert_eq!(back.leaf_hash, event.leaf_hash(HashAlg::Sm3));
        assert_eq!(back.canonical_hex, hex::encode(event.canonical_bytes()));
        match back.entry {
            Entry::CaseEvent { event: e } => assert_eq!(e, event),
            other => panic!("{other:?}"),
        }
    }
}
