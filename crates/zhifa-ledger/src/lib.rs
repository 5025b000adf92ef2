//! Zhifa whole-process record (全过程记录) ledger primitives: the pure half of a tamper-evident
//! Merkle log.
//!
//! What it is:
//! - tree hashing of RFC 9162 §2.1 (RFC 6962) with SM3 (GB/T 32905-2016, the default) or
//!   SHA-256 ([`hash`]);
//! - roots, inclusion and consistency proofs computed from stored perfect-subtree hashes
//!   through the [`NodeSource`] trait, the append-side [`CompactRange`] that tells a store which
//!   nodes to persist, an in-memory [`MemoryTree`], and a [`NodeMap`] of prefetched nodes for
//!   async stores ([`tree`], [`compact`], [`memory`]);
//! - verifiers written from RFC 9162 §2.1.3.2 / §2.1.4.2, independent of the prover
//!   ([`verify`]), and the bare proof JSON of `zhifa ledger verify-proof` ([`json`]);
//! - C2SP signed notes and tlog checkpoints with Ed25519 and SM2 (GB/T 32918) signatures behind
//!   the [`NoteSigner`] / [`NoteVerifier`] traits ([`note`], [`checkpoint`]).
//!
//! What it is not: it does no I/O. It has no database, files, network or clock; durable storage
//! of leaves and nodes, key files, the checkpoint schedule, the CLI and the HTTP API live in the
//! crates that use it. It does not decide what a leaf contains (the canonical event encoding
//! belongs to the store).
//!
//! ```
//! use zhifa_ledger::{CompactRange, HashAlg, MemoryTree, leaf_hash, verify_inclusion};
//!
//! let alg = HashAlg::Sm3;
//! let mut log = CompactRange::new(alg);
//! let mut tree = MemoryTree::new(alg);
//! for event in ["立案", "调查取证", "告知", "决定"] {
//!     let leaf = leaf_hash(alg, event.as_bytes());
//!     log.append(leaf); // returns the nodes a store must persist
//!     tree.push(leaf);
//! }
//! let proof = tree.inclusion_proof(2, 4).unwrap();
//! let leaf = leaf_hash(alg, "告知".as_bytes());
//! assert!(verify_inclusion(alg, &leaf, 2, 4, &proof, &log.root()).is_ok());
//! ```

#![forbid(unsafe_code)]

pub mod checkpoint;
pub mod compact;
pub mod hash;
pub mod json;
pub mod memory;
pub mod note;
pub mod tree;
pub mod verify;

pub use checkpoint::Checkpoint;
pub use compact::{CompactRange, EdgeMismatch, Node};
pub use hash::{Hash, HashAlg, HashParseError, empty_root, leaf_hash, node_hash, root};
pub use json::{ConsistencyProof, InclusionProof, ProofJson, ProofJsonError};
pub use memory::{MemoryTree, MissingNode, NodeMap};
pub use note::keys::{KeyAlg, SoftwareSigner, VerifierKey};
pub use note::{Note, NoteError, NoteSigner, NoteVerifier, SignError};
pub use tree::{
    NodeId, NodeSource, TreeError, consistency_proof, consistency_proof_nodes, inclusion_proof,
    inclusion_proof_nodes, root_from,
};
pub use verify::{ProofError, verify_consistency, verify_inclusion};
