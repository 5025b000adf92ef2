//! The bare proof JSON that `zhifa ledger verify-proof` and the proof API exchange.
//!
//! An inclusion proof (RFC 9162 §2.1.3):
//!
//! ```json
//! {"hash":"sha256","leaf_index":5,"tree_size":8,
//!  "leaf_hash":"<64 hex>","proof":["<64 hex>","<64 hex>","<64 hex>"],"root":"<64 hex>"}
//! ```
//!
//! A consistency proof (RFC 9162 §2.1.4):
//!
//! ```json
//! {"hash":"sm3","size1":6,"size2":8,"root1":"<64 hex>","root2":"<64 hex>",
//!  "proof":["<64 hex>","<64 hex>","<64 hex>"]}
//! ```
//!
//! - `hash` is `"sm3"` (GB/T 32905) or `"sha256"`; every hash is 32 bytes as 64 hex digits.
//! - `proof` lists the hashes in RFC 9162 order (from the leaf up; for consistency, as
//!   `PROOF(size1, D[size2])`); it is `[]` when the proof is empty.
//! - Sizes and the index are JSON integers in `0 ..= 2^64-1`.
//! - No other field is allowed. Which kind it is follows from the fields present.
//!
//! Reading and checking are separate steps with separate errors: [`ProofJson::parse`] fails
//! with [`ProofJsonError`] on anything unreadable (syntax, unknown or missing field, bad hex,
//! a hash not 32 bytes, unknown algorithm); [`ProofJson::verify`] fails with
//! [`ProofError`] when a readable proof does not hold (wrong length, index or size out of
//! range, root mismatch). The CLI maps these to exit codes 2 and 1.
//!
//! A bare proof shows that the hashes fit together under `root`; `tree_size` only shapes the
//! hashing (see [`crate::verify`]). Trust the size and root only when they come from a signed
//! [`crate::Checkpoint`].

use serde::{Deserialize, Deserializer, Serialize};

use crate::hash::{Hash, HashAlg};
use crate::verify::{ProofError, verify_consistency, verify_inclusion};

/// An inclusion proof with everything needed to check it (RFC 9162 §2.1.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionProof {
    /// Hash function of the log.
    pub hash: HashAlg,
    /// Zero-based index of the leaf.
    pub leaf_index: u64,
    /// Size of the tree the proof is for.
    pub tree_size: u64,
    /// `H(0x00 ‖ data)` of the leaf.
    pub leaf_hash: Hash,
    /// The audit path, from the leaf up.
    pub proof: Vec<Hash>,
    /// Root of the tree of `tree_size` leaves.
    pub root: Hash,
}

impl InclusionProof {
    /// Checks the proof with [`verify_inclusion`].
    pub fn verify(&self) -> Result<(), ProofError> {
        verify_inclusion(
            self.hash,
            &self.leaf_hash,
            self.leaf_index,
            self.tree_size,
            &self.proof,
            &self.root,
        )
    }
}

/// A consistency proof with everything needed to check it (RFC 9162 §2.1.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyProof {
    /// Hash function of the log.
    pub hash: HashAlg,
    /// Older tree size.
    pub size1: u64,
    /// Newer tree size.
    pub size2: u64,
    /// Root of the older tree.
    pub root1: Hash,
    /// Root of the newer tree.
    pub root2: Hash,
    /// `PROOF(size1, D[size2])`.
    pub proof: Vec<Hash>,
}

impl ConsistencyProof {
    /// Checks the proof with [`verify_consistency`].
    pub fn verify(&self) -> Result<(), ProofError> {
        verify_consistency(
            self.hash,
            self.size1,
            self.size2,
            &self.proof,
            &self.root1,
            &self.root2,
        )
    }
}

/// Either kind of bare proof, as read from JSON (see the [module docs](self) for the format).
/// Serialises untagged, i.e. exactly as the inner object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ProofJson {
    /// An inclusion proof.
    Inclusion(InclusionProof),
    /// A consistency proof.
    Consistency(ConsistencyProof),
}

/// A proof document could not be read (as opposed to read and found invalid).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("无法读取证明 JSON (unreadable proof JSON): {message}")]
pub struct ProofJsonError {
    /// What was wrong, from the JSON reader.
    pub message: String,
}

impl ProofJsonError {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        "proof.unreadable"
    }
}

impl ProofJson {
    /// Reads a proof from JSON text.
    pub fn parse(text: &str) -> Result<Self, ProofJsonError> {
        serde_json::from_str(text).map_err(|e| ProofJsonError {
            message: e.to_string(),
        })
    }

    /// Reads a proof from JSON bytes (must be UTF-8).
    pub fn parse_slice(bytes: &[u8]) -> Result<Self, ProofJsonError> {
        serde_json::from_slice(bytes).map_err(|e| ProofJsonError {
            message: e.to_string(),
        })
    }

    /// The hash function named in the proof.
    pub fn hash_alg(&self) -> HashAlg {
        match self {
            ProofJson::Inclusion(p) => p.hash,
            ProofJson::Consistency(p) => p.hash,
        }
    }

    /// Checks the proof (RFC 9162 §2.1.3.2 or §2.1.4.2).
    pub fn verify(&self) -> Result<(), ProofError> {
        match self {
            ProofJson::Inclusion(p) => p.verify(),
            ProofJson::Consistency(p) => p.verify(),
        }
    }
}

const INCLUSION_KEYS: [&str; 3] = ["leaf_index", "tree_size", "leaf_hash"];
const CONSISTENCY_KEYS: [&str; 4] = ["size1", "size2", "root1", "root2"];

impl<'de> Deserialize<'de> for ProofJson {
    /// Picks the kind from the fields present, then reads it strictly, so that an error names
    /// the offending field instead of "did not match any variant".
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_json::Value::deserialize(deserializer)?;
        let Some(object) = value.as_object() else {
            return Err(D::Error::custom("a proof must be a JSON object"));
        };
        let inclusion = INCLUSION_KEYS.iter().any(|k| object.contains_key(*k));
        let consistency = CONSISTENCY_KEYS.iter().any(|k| object.contains_key(*k));
        match (inclusion, consistency) {
            (true, false) => serde_json::from_value(value)
                .map(ProofJson::Inclusion)
                .map_err(D::Error::custom),
            (false, true) => serde_json::from_value(value)
                .map(ProofJson::Consistency)
                .map_err(D::Error::custom),
            (true, true) => Err(D::Error::custom(
                "a proof has either leaf_index/tree_size/leaf_hash or size1/size2/root1/root2, not both",
            )),
            (false, false) => Err(D::Error::custom(
                "not a proof: expected leaf_index/tree_size/leaf_hash (inclusion) or size1/size2/root1/root2 (consistency)",
            )),
        }
    }
}
