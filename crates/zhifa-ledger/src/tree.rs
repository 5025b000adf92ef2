//! Roots and proofs of RFC 9162 §2.1 computed from stored perfect-subtree hashes.
//!
//! A log store keeps, for every complete ("perfect") subtree of 2^level leaves, its hash,
//! addressed by [`NodeId`] `(level, index)` = leaves `[index·2^level, (index+1)·2^level)`.
//! Those hashes never change once written, so they can be stored as rows or tiles. The
//! functions here express every proof element as a fold of such nodes (a non-perfect right
//! edge `MTH(D[a:b])` is the right-to-left fold of the perfect subtrees of `b-a` leaves
//! starting at `a`), ask the source for all of them in one [`NodeSource::nodes`] call and
//! fold. A proof at 10^7 leaves reads about `2·log2(n)` nodes; the tree is never rebuilt.
//!
//! The verifiers in [`crate::verify`] do not share any of this code.

use std::convert::Infallible;

use crate::hash::{Hash, HashAlg, empty_root, largest_power_of_two_below, node_hash};

/// The address of a perfect subtree: leaves `[index·2^level, (index+1)·2^level)`.
/// Level 0 is a leaf hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    /// Height of the subtree (0 = leaf, at most 63).
    pub level: u8,
    /// Position of the subtree among those of its level, from the left.
    pub index: u64,
}

impl NodeId {
    /// Builds an address.
    pub fn new(level: u8, index: u64) -> Self {
        NodeId { level, index }
    }
}

/// Somewhere that perfect-subtree hashes can be read from: memory, a database table, tiles.
///
/// Implementations must return `H` of the perfect subtree at `(level, index)` as defined by
/// RFC 9162 §2.1.1; they are never asked for a subtree that is not complete within the tree
/// size being proved.
pub trait NodeSource {
    /// What a failed read reports (e.g. a database error, or a missing node).
    type Error;

    /// The hash function of this log.
    fn hash_alg(&self) -> HashAlg;

    /// The hash of the perfect subtree covering leaves `[index·2^level, (index+1)·2^level)`.
    fn node(&self, level: u8, index: u64) -> Result<Hash, Self::Error>;

    /// Several nodes at once, in the order asked. Override this to answer with one query;
    /// the default calls [`NodeSource::node`] for each id.
    fn nodes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, Self::Error> {
        ids.iter().map(|id| self.node(id.level, id.index)).collect()
    }
}

impl<T: NodeSource + ?Sized> NodeSource for &T {
    type Error = T::Error;

    fn hash_alg(&self) -> HashAlg {
        (**self).hash_alg()
    }

    fn node(&self, level: u8, index: u64) -> Result<Hash, Self::Error> {
        (**self).node(level, index)
    }

    fn nodes(&self, ids: &[NodeId]) -> Result<Vec<Hash>, Self::Error> {
        (**self).nodes(ids)
    }
}

/// A root or proof could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum TreeError<E> {
    /// The leaf index is not below the tree size.
    #[error(
        "叶子序号 {index} 超出树的大小 {size} (leaf index {index} is out of range for tree size {size})"
    )]
    IndexOutOfRange {
        /// The index asked for.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// A consistency proof was asked from a larger to a smaller tree.
    #[error(
        "一致性证明要求 size1 ≤ size2，实为 {size1} > {size2} (consistency needs size1 <= size2)"
    )]
    SizeOrder {
        /// The older size.
        size1: u64,
        /// The newer size.
        size2: u64,
    },
    /// The source answered a batch read with the wrong number of nodes.
    #[error(
        "节点源返回 {got} 个节点，应为 {expected} 个 (node source returned {got} nodes, expected {expected})"
    )]
    ShortRead {
        /// Nodes asked for.
        expected: usize,
        /// Nodes returned.
        got: usize,
    },
    /// The source failed.
    #[error("读取树节点失败 (reading a tree node failed)")]
    Source(#[source] E),
}

impl<E> TreeError<E> {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            TreeError::IndexOutOfRange { .. } => "proof.index_out_of_range",
            TreeError::SizeOrder { .. } => "proof.size_order",
            TreeError::ShortRead { .. } => "tree.short_read",
            TreeError::Source(_) => "tree.source",
        }
    }
}

/// The perfect subtrees that make up `MTH(D[start:start+len])`, left to right. `start` must be
/// a multiple of a power of two `>= len`, which holds for every subtree RFC 9162 refers to.
pub(crate) fn subtree_nodes(start: u64, len: u64, out: &mut Vec<NodeId>) {
    let mut pos = start;
    for level in (0..64u8).rev() {
        let width = 1u64 << level;
        if len & width != 0 {
            out.push(NodeId::new(level, pos >> level));
            pos += width;
        }
    }
}

/// Folds perfect subtree hashes (left to right) into the hash of the subtree they cover:
/// the rightmost pair first, as MTH splits at the largest power of two.
pub(crate) fn fold(alg: HashAlg, hashes: &[Hash]) -> Option<Hash> {
    let (last, rest) = hashes.split_last()?;
    Some(
        rest.iter()
            .rev()
            .fold(*last, |acc, h| node_hash(alg, h, &acc)),
    )
}

/// The perfect nodes making up the given subtrees `(start, len)`, and how many per subtree.
fn subtree_ids(subtrees: &[(u64, u64)]) -> (Vec<NodeId>, Vec<usize>) {
    let mut ids = Vec::new();
    let mut counts = Vec::with_capacity(subtrees.len());
    for &(start, len) in subtrees {
        let before = ids.len();
        subtree_nodes(start, len, &mut ids);
        counts.push(ids.len() - before);
    }
    (ids, counts)
}

/// Reads the nodes of the given subtrees `(start, len)` in one batch and folds each.
fn read_subtrees<S: NodeSource>(
    src: &S,
    subtrees: &[(u64, u64)],
) -> Result<Vec<Hash>, TreeError<S::Error>> {
    let (ids, counts) = subtree_ids(subtrees);
    let hashes = src.nodes(&ids).map_err(TreeError::Source)?;
    if hashes.len() != ids.len() {
        return Err(TreeError::ShortRead {
            expected: ids.len(),
            got: hashes.len(),
        });
    }
    let alg = src.hash_alg();
    let mut out = Vec::with_capacity(subtrees.len());
    let mut at = 0;
    for count in counts {
        // `count >= 1` because every subtree asked for is non-empty.
        out.extend(fold(alg, &hashes[at..at + count]));
        at += count;
    }
    Ok(out)
}

/// `MTH(D[n])` of the first `n` leaves of the source (RFC 9162 §2.1.1), from at most
/// `log2(n)+1` perfect nodes.
pub fn root_from<S: NodeSource>(src: &S, n: u64) -> Result<Hash, TreeError<S::Error>> {
    if n == 0 {
        return Ok(empty_root(src.hash_alg()));
    }
    let mut roots = read_subtrees(src, &[(0, n)])?;
    roots.pop().ok_or(TreeError::ShortRead {
        expected: 1,
        got: 0,
    })
}

/// The subtrees `(start, len)` of the audit path `PATH(m, D[n])` (RFC 9162 §2.1.3.1),
/// ordered from the leaf up.
fn inclusion_subtrees(m: u64, n: u64) -> Vec<(u64, u64)> {
    let (mut start, mut size, mut m) = (0u64, n, m);
    let mut out = Vec::new();
    while size > 1 {
        let k = largest_power_of_two_below(size);
        if m < k {
            out.push((start + k, size - k));
            size = k;
        } else {
            out.push((start, k));
            start += k;
            m -= k;
            size -= k;
        }
    }
    out.reverse();
    out
}

/// The inclusion proof (audit path) of leaf `leaf_index` in the tree of the first `n` leaves,
/// as defined by RFC 9162 §2.1.3.1, ordered from the leaf towards the root.
pub fn inclusion_proof<S: NodeSource>(
    src: &S,
    leaf_index: u64,
    n: u64,
) -> Result<Vec<Hash>, TreeError<S::Error>> {
    if leaf_index >= n {
        return Err(TreeError::IndexOutOfRange {
            index: leaf_index,
            size: n,
        });
    }
    read_subtrees(src, &inclusion_subtrees(leaf_index, n))
}

/// The perfect nodes [`inclusion_proof`] reads, for a store that must fetch them (e.g.
/// asynchronously) before calling it on a [`crate::NodeMap`].
pub fn inclusion_proof_nodes(
    leaf_index: u64,
    n: u64,
) -> Result<Vec<NodeId>, TreeError<Infallible>> {
    if leaf_index >= n {
        return Err(TreeError::IndexOutOfRange {
            index: leaf_index,
            size: n,
        });
    }
    Ok(subtree_ids(&inclusion_subtrees(leaf_index, n)).0)
}

/// The subtrees of `PROOF(m, D[n])` = `SUBPROOF(m, D[n], true)` (RFC 9162 §2.1.4.1),
/// for `0 < m < n`, in proof order.
fn consistency_subtrees(m: u64, n: u64) -> Vec<(u64, u64)> {
    let (mut start, mut size, mut m, mut whole) = (0u64, n, m, true);
    let mut out = Vec::new();
    loop {
        if m == size {
            if !whole {
                out.push((start, size));
            }
            break;
        }
        let k = largest_power_of_two_below(size);
        if m <= k {
            out.push((start + k, size - k));
            size = k;
        } else {
            out.push((start, k));
            start += k;
            m -= k;
            size -= k;
            whole = false;
        }
    }
    out.reverse();
    out
}

/// The consistency proof between the trees of the first `m` and first `n` leaves
/// (RFC 9162 §2.1.4.1). Empty when `m == 0` or `m == n`.
pub fn consistency_proof<S: NodeSource>(
    src: &S,
    m: u64,
    n: u64,
) -> Result<Vec<Hash>, TreeError<S::Error>> {
    if m > n {
        return Err(TreeError::SizeOrder { size1: m, size2: n });
    }
    if m == 0 || m == n {
        return Ok(Vec::new());
    }
    read_subtrees(src, &consistency_subtrees(m, n))
}

/// The perfect nodes [`consistency_proof`] reads (see [`inclusion_proof_nodes`]).
pub fn consistency_proof_nodes(m: u64, n: u64) -> Result<Vec<NodeId>, TreeError<Infallible>> {
    if m > n {
        return Err(TreeError::SizeOrder { size1: m, size2: n });
    }
    if m == 0 || m == n {
        return Ok(Vec::new());
    }
    Ok(subtree_ids(&consistency_subtrees(m, n)).0)
}
