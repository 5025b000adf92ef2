//! Proof verification, written from the algorithms of RFC 9162 §2.1.3.2 (inclusion) and
//! §2.1.4.2 (consistency) and sharing no code with the prover in [`crate::tree`].
//!
//! Note on what a proof binds: an RFC 9162 proof is checked against a root; the tree size
//! and leaf index only shape the hashing. Two claims whose shapes coincide — e.g. leaf 0 of a
//! 5-leaf tree and leaf 0 of a 7-leaf tree (three right siblings each) — hash identically, so
//! no verifier can tell them apart from the proof alone. The size is bound to the root by the
//! signed checkpoint, which is why a proof must be checked against a checkpoint's
//! `(size, root)` pair, never against a root taken alone.

use crate::hash::{Hash, HashAlg, empty_root, node_hash};

/// A proof longer than this cannot belong to any tree of at most 2^64 leaves.
const MAX_PROOF_LEN: usize = 64;

/// Why a proof was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// `leaf_index >= tree_size` (RFC 9162 §2.1.3.2 step 1).
    #[error(
        "叶子序号 {index} 超出树的大小 {size} (leaf index {index} is out of range for tree size {size})"
    )]
    IndexOutOfRange {
        /// Claimed leaf index.
        index: u64,
        /// Claimed tree size.
        size: u64,
    },
    /// `size1 > size2`: a tree cannot shrink.
    #[error(
        "一致性证明要求 size1 ≤ size2，实为 {size1} > {size2} (consistency needs size1 <= size2)"
    )]
    SizeOrder {
        /// Older size.
        size1: u64,
        /// Newer size.
        size2: u64,
    },
    /// The proof has more or fewer hashes than the sizes and index require.
    #[error(
        "证明的哈希个数 {len} 与树的大小或序号不符 (proof has the wrong number of hashes: {len})"
    )]
    WrongLength {
        /// Number of hashes given.
        len: usize,
    },
    /// The recomputed root differs from the one claimed.
    #[error(
        "由证明算出的根哈希与所给根哈希不符 (root mismatch: expected {expected}, computed {computed})"
    )]
    RootMismatch {
        /// The root given (for consistency: `root1` or `root2`, whichever failed).
        expected: Hash,
        /// The root the proof leads to.
        computed: Hash,
    },
}

impl ProofError {
    /// Stable machine code, e.g. `proof.root_mismatch`.
    pub fn code(&self) -> &'static str {
        match self {
            ProofError::IndexOutOfRange { .. } => "proof.index_out_of_range",
            ProofError::SizeOrder { .. } => "proof.size_order",
            ProofError::WrongLength { .. } => "proof.wrong_length",
            ProofError::RootMismatch { .. } => "proof.root_mismatch",
        }
    }
}

fn check_root(expected: &Hash, computed: Hash) -> Result<(), ProofError> {
    if *expected == computed {
        Ok(())
    } else {
        Err(ProofError::RootMismatch {
            expected: *expected,
            computed,
        })
    }
}

/// Checks that `leaf_hash` is leaf number `leaf_index` of the tree of `tree_size` leaves whose
/// root is `root` (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    alg: HashAlg,
    leaf_hash: &Hash,
    leaf_index: u64,
    tree_size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    // Step 1.
    if leaf_index >= tree_size {
        return Err(ProofError::IndexOutOfRange {
            index: leaf_index,
            size: tree_size,
        });
    }
    let wrong_length = ProofError::WrongLength { len: proof.len() };
    if proof.len() > MAX_PROOF_LEN {
        return Err(wrong_length);
    }
    // Steps 2 and 3.
    let (mut fnode, mut snode) = (leaf_index, tree_size - 1);
    let mut r = *leaf_hash;
    // Step 4.
    for p in proof {
        if snode == 0 {
            return Err(wrong_length);
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(alg, p, &r);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = node_hash(alg, &r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    // Step 5.
    if snode != 0 {
        return Err(wrong_length);
    }
    check_root(root, r)
}

/// Checks that the tree of `size1` leaves with root `root1` is a prefix of the tree of `size2`
/// leaves with root `root2` (RFC 9162 §2.1.4.2).
///
/// The cases RFC 9162 leaves open are decided strictly: equal sizes need an empty proof and
/// equal roots; `size1 == 0` needs an empty proof and `root1` = the empty-tree root `H("")`.
pub fn verify_consistency(
    alg: HashAlg,
    size1: u64,
    size2: u64,
    proof: &[Hash],
    root1: &Hash,
    root2: &Hash,
) -> Result<(), ProofError> {
    if size1 > size2 {
        return Err(ProofError::SizeOrder { size1, size2 });
    }
    let wrong_length = ProofError::WrongLength { len: proof.len() };
    if size1 == 0 || size1 == size2 {
        if !proof.is_empty() {
            return Err(wrong_length);
        }
        if size1 == 0 {
            check_root(root1, empty_root(alg))?;
        }
        if size1 == size2 {
            check_root(root2, *root1)?;
        }
        return Ok(());
    }
    // Step 1.
    if proof.is_empty() || proof.len() > MAX_PROOF_LEN {
        return Err(wrong_length);
    }
    // Step 2: when size1 is a power of two, the old root is itself a node of the new tree.
    let mut path = proof.iter();
    let first = if size1.is_power_of_two() {
        *root1
    } else {
        match path.next() {
            Some(h) => *h,
            None => return Err(wrong_length),
        }
    };
    // Steps 3 and 4.
    let (mut fnode, mut snode) = (size1 - 1, size2 - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    // Step 5.
    let (mut fr, mut sr) = (first, first);
    // Step 6.
    for c in path {
        if snode == 0 {
            return Err(wrong_length);
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(alg, c, &fr);
            sr = node_hash(alg, c, &sr);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            sr = node_hash(alg, &sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    // Step 7.
    if snode != 0 {
        return Err(wrong_length);
    }
    check_root(root1, fr)?;
    check_root(root2, sr)
}
