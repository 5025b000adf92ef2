//! The compact range (Merkle frontier) of a log: the perfect subtrees on its right edge.
//!
//! A tree of `n` leaves is the concatenation of one perfect subtree per set bit of `n`
//! (RFC 9162 §2.1.1 splits at powers of two). Keeping only those `popcount(n)` hashes is
//! enough to append a leaf and to compute the root, so an append costs one leaf hash plus,
//! on average, one node hash, and never reads the stored tree. Each append reports the perfect
//! nodes it completed, which is exactly what a store must persist for
//! [`crate::NodeSource`]-backed proofs.

use crate::hash::{Hash, HashAlg, empty_root, node_hash};
use crate::tree::{NodeId, NodeSource, TreeError, fold, subtree_nodes};

/// A perfect-subtree hash completed by [`CompactRange::append`], to be persisted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Node {
    /// Height of the subtree (0 = the leaf itself).
    pub level: u8,
    /// Position among the subtrees of that level.
    pub index: u64,
    /// Its hash.
    pub hash: Hash,
}

impl Node {
    /// The address of this node.
    pub fn id(&self) -> NodeId {
        NodeId::new(self.level, self.index)
    }
}

/// The right-edge state of an append-only RFC 9162 tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompactRange {
    alg: HashAlg,
    size: u64,
    /// Perfect subtree hashes for the set bits of `size`, highest level (leftmost) first.
    nodes: Vec<Hash>,
}

/// Stored right-edge nodes did not match the size they were given for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "树大小 {size} 需要 {expected} 个右边界节点，实为 {got} 个 (size {size} needs {expected} right-edge nodes, got {got})"
)]
pub struct EdgeMismatch {
    /// The tree size.
    pub size: u64,
    /// `popcount(size)`.
    pub expected: usize,
    /// Nodes given.
    pub got: usize,
}

impl CompactRange {
    /// The range of an empty tree.
    pub fn new(alg: HashAlg) -> Self {
        CompactRange {
            alg,
            size: 0,
            nodes: Vec::new(),
        }
    }

    /// The addresses of the right-edge nodes of a tree of `size` leaves, leftmost first: what
    /// a store reads to restore a range with [`CompactRange::from_nodes`].
    pub fn edge_ids(size: u64) -> Vec<NodeId> {
        let mut ids = Vec::with_capacity(size.count_ones() as usize);
        subtree_nodes(0, size, &mut ids);
        ids
    }

    /// Restores a range from its right-edge node hashes, in the order of
    /// [`CompactRange::edge_ids`].
    pub fn from_nodes(alg: HashAlg, size: u64, nodes: Vec<Hash>) -> Result<Self, EdgeMismatch> {
        let expected = size.count_ones() as usize;
        if nodes.len() != expected {
            return Err(EdgeMismatch {
                size,
                expected,
                got: nodes.len(),
            });
        }
        Ok(CompactRange { alg, size, nodes })
    }

    /// Restores the range of the first `size` leaves of a node source.
    pub fn from_source<S: NodeSource>(src: &S, size: u64) -> Result<Self, TreeError<S::Error>> {
        let ids = Self::edge_ids(size);
        let nodes = src.nodes(&ids).map_err(TreeError::Source)?;
        Self::from_nodes(src.hash_alg(), size, nodes).map_err(|e| TreeError::ShortRead {
            expected: e.expected,
            got: e.got,
        })
    }

    /// The hash function of the log.
    pub fn alg(&self) -> HashAlg {
        self.alg
    }

    /// Number of leaves appended so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The right-edge hashes, leftmost (highest) first.
    pub fn nodes(&self) -> &[Hash] {
        &self.nodes
    }

    /// Appends a leaf hash and returns the perfect nodes it completed: the leaf itself at
    /// level 0, then one node per level merged.
    pub fn append(&mut self, leaf_hash: Hash) -> Vec<Node> {
        let mut out = Vec::with_capacity(1 + self.size.trailing_ones() as usize);
        self.append_into(leaf_hash, &mut out);
        out
    }

    /// Like [`CompactRange::append`] but pushes the completed nodes onto `out`, so a batch of
    /// appends needs no allocation per leaf.
    pub fn append_into(&mut self, leaf_hash: Hash, out: &mut Vec<Node>) {
        let mut node = Node {
            level: 0,
            index: self.size,
            hash: leaf_hash,
        };
        out.push(node);
        // Every trailing one bit of the old size is a perfect subtree of the same height as
        // the one just completed, directly to its left: merge them.
        let mut merges = self.size.trailing_ones();
        while merges > 0 {
            let Some(left) = self.nodes.pop() else {
                break; // unreachable: `nodes` holds one hash per set bit of `size`
            };
            node = Node {
                level: node.level + 1,
                index: node.index >> 1,
                hash: node_hash(self.alg, &left, &node.hash),
            };
            out.push(node);
            merges -= 1;
        }
        self.nodes.push(node.hash);
        self.size += 1;
    }

    /// `MTH` of the leaves appended so far (RFC 9162 §2.1.1).
    pub fn root(&self) -> Hash {
        fold(self.alg, &self.nodes).unwrap_or_else(|| empty_root(self.alg))
    }
}
