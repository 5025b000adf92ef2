//! Node sources held in memory: a whole tree level by level, or a prefetched set of nodes.

use std::collections::HashMap;

use crate::compact::CompactRange;
use crate::hash::{Hash, HashAlg, empty_root, node_hash};
use crate::tree::{self, NodeId, NodeSource, TreeError, fold};

/// A `Vec`-backed [`NodeSource`] holding every perfect subtree hash: for tests, tools and
/// small logs. Uses `2·n·32` bytes for `n` leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryTree {
    alg: HashAlg,
    /// `levels[l][i]` = hash of the perfect subtree `(l, i)`.
    levels: Vec<Vec<Hash>>,
}

/// [`MemoryTree`] was asked for a node it does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("内存树中没有节点 (level {level}, index {index}) (no such node in the memory tree)")]
pub struct MissingNode {
    /// Level asked for.
    pub level: u8,
    /// Index asked for.
    pub index: u64,
}

impl MemoryTree {
    /// An empty tree.
    pub fn new(alg: HashAlg) -> Self {
        MemoryTree {
            alg,
            levels: vec![Vec::new()],
        }
    }

    /// A tree of the given leaf hashes.
    pub fn from_leaf_hashes(alg: HashAlg, leaves: impl IntoIterator<Item = Hash>) -> Self {
        let mut tree = Self::new(alg);
        for leaf in leaves {
            tree.push(leaf);
        }
        tree
    }

    /// Appends a leaf hash, completes the perfect subtrees it closes, returns its index.
    pub fn push(&mut self, leaf_hash: Hash) -> u64 {
        let index = self.size();
        let mut hash = leaf_hash;
        let mut level = 0;
        loop {
            if self.levels.len() <= level {
                self.levels.push(Vec::new());
            }
            let row = &mut self.levels[level];
            row.push(hash);
            if row.len() % 2 == 1 {
                break;
            }
            hash = node_hash(self.alg, &row[row.len() - 2], &row[row.len() - 1]);
            level += 1;
        }
        index
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |leaves| leaves.len() as u64)
    }

    /// The leaf hash at `index`, if any.
    pub fn leaf(&self, index: u64) -> Option<Hash> {
        let i = usize::try_from(index).ok()?;
        self.levels.first()?.get(i).copied()
    }

    /// The root of the whole tree.
    pub fn root(&self) -> Hash {
        let edge: Vec<Hash> = CompactRange::edge_ids(self.size())
            .iter()
            .filter_map(|id| self.node(id.level, id.index).ok())
            .collect();
        fold(self.alg, &edge).unwrap_or_else(|| empty_root(self.alg))
    }

    /// The root of the first `n` leaves.
    pub fn root_at(&self, n: u64) -> Result<Hash, TreeError<MissingNode>> {
        tree::root_from(self, n)
    }

    /// Inclusion proof of `leaf_index` in the first `n` leaves (RFC 9162 §2.1.3.1).
    pub fn inclusion_proof(
        &self,
        leaf_index: u64,
        n: u64,
    ) -> Result<Vec<Hash>, TreeError<MissingNode>> {
        tree::inclusion_proof(self, leaf_index, n)
    }

    /// Consistency proof from the first `m` to the first `n` leaves (RFC 9162 §2.1.4.1).
    pub fn consistency_proof(&self, m: u64, n: u64) -> Result<Vec<Hash>, TreeError<MissingNode>> {
        tree::consistency_proof(self, m, n)
    }

    /// The compact range of the whole tree, to continue appending elsewhere.
    pub fn compact_range(&self) -> CompactRange {
        let nodes = CompactRange::edge_ids(self.size())
            .iter()
            .filter_map(|id| self.node(id.level, id.index).ok())
            .collect();
        CompactRange::from_nodes(self.alg, self.size(), nodes)
            .unwrap_or_else(|_| CompactRange::new(self.alg))
    }
}

impl NodeSource for MemoryTree {
    type Error = MissingNode;

    fn hash_alg(&self) -> HashAlg {
        self.alg
    }

    fn node(&self, level: u8, index: u64) -> Result<Hash, MissingNode> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.levels.get(usize::from(level))?.get(i).copied())
            .ok_or(MissingNode { level, index })
    }
}

/// A [`NodeSource`] over nodes fetched beforehand: an async store asks
/// [`crate::tree::inclusion_proof_nodes`] (or `consistency_proof_nodes`, or
/// [`CompactRange::edge_ids`] for a root) which nodes it needs, reads them in one query, and runs
/// the synchronous proof functions on this map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeMap {
    alg: HashAlg,
    nodes: HashMap<NodeId, Hash>,
}

impl NodeMap {
    /// A map of the given nodes, in any order.
    pub fn new(alg: HashAlg, nodes: impl IntoIterator<Item = (NodeId, Hash)>) -> Self {
        NodeMap {
            alg,
            nodes: nodes.into_iter().collect(),
        }
    }

    /// Adds or replaces one node.
    pub fn insert(&mut self, id: NodeId, hash: Hash) {
        self.nodes.insert(id, hash);
    }
}

impl NodeSource for NodeMap {
    type Error = MissingNode;

    fn hash_alg(&self) -> HashAlg {
        self.alg
    }

    fn node(&self, level: u8, index: u64) -> Result<Hash, MissingNode> {
        self.nodes
            .get(&NodeId::new(level, index))
            .copied()
            .ok_or(MissingNode { level, index })
    }
}
