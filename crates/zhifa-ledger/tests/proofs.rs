//! Proof round trips for every tree size up to a few hundred, from a [`MemoryTree`] and from a
//! store filled only by [`CompactRange::append`], checked against the RFC 9162 recursive
//! definitions and the independent verifiers; and single-bit corruption of every input.

mod common;

use std::collections::HashMap;

use common::*;
use proptest::prelude::*;
use zhifa_ledger::{
    CompactRange, Hash, HashAlg, MemoryTree, NodeId, NodeMap, NodeSource, consistency_proof,
    consistency_proof_nodes, inclusion_proof, inclusion_proof_nodes, root, root_from,
    verify_consistency, verify_inclusion,
};

/// A store that only ever saw the nodes `CompactRange::append` reported, as a database would.
struct AppendOnlyStore {
    alg: HashAlg,
    nodes: HashMap<NodeId, Hash>,
    range: CompactRange,
}

impl AppendOnlyStore {
    fn new(alg: HashAlg) -> Self {
        AppendOnlyStore {
            alg,
            nodes: HashMap::new(),
            range: CompactRange::new(alg),
        }
    }

    fn append(&mut self, leaf: Hash) {
        for node in self.range.append(leaf) {
            assert!(
                self.nodes.insert(node.id(), node.hash).is_none(),
                "node reported twice"
            );
        }
    }
}

impl NodeSource for AppendOnlyStore {
    type Error = NodeId;

    fn hash_alg(&self) -> HashAlg {
        self.alg
    }

    fn node(&self, level: u8, index: u64) -> Result<Hash, NodeId> {
        let id = NodeId::new(level, index);
        self.nodes.get(&id).copied().ok_or(id)
    }
}

/// Checks every inclusion and consistency proof of the tree of `n` leaves; `roots[m]` is the
/// root of `m` leaves as computed by a compact range.
fn check_all_proofs<S: NodeSource>(
    src: &S,
    leaves: &[Hash],
    roots: &[Hash],
    n: u64,
    against_reference: bool,
) where
    S::Error: std::fmt::Debug,
{
    let alg = src.hash_alg();
    let d = &leaves[..n as usize];
    let root_n = root_from(src, n).unwrap();
    assert_eq!(
        root_n, roots[n as usize],
        "root of {n} from the compact range"
    );
    if against_reference {
        assert_eq!(root_n, root(alg, d), "root of {n}");
    }
    for m in 0..n {
        let proof = inclusion_proof(src, m, n).unwrap();
        if against_reference {
            assert_eq!(proof, ref_path(m as usize, d, alg), "PATH({m}, D[{n}])");
        }
        verify_inclusion(alg, &leaves[m as usize], m, n, &proof, &root_n).unwrap();
    }
    for m in 0..=n {
        let proof = consistency_proof(src, m, n).unwrap();
        if against_reference {
            assert_eq!(proof, ref_proof(m as usize, d, alg), "PROOF({m}, D[{n}])");
        }
        verify_consistency(alg, m, n, &proof, &roots[m as usize], &root_n).unwrap();
    }
}

#[test]
fn every_proof_up_to_260_leaves_verifies_from_both_sources() {
    for alg in [HashAlg::Sm3, HashAlg::Sha256] {
        let max = if alg == HashAlg::Sm3 { 260 } else { 64 };
        let leaves = leaves(alg, max);
        let memory = MemoryTree::from_leaf_hashes(alg, leaves.iter().copied());
        let mut store = AppendOnlyStore::new(alg);
        let mut roots = vec![store.range.root()];
        for n in 1..=max {
            store.append(leaves[n as usize - 1]);
            roots.push(store.range.root());
            check_all_proofs(&store, &leaves, &roots, n, n <= 64);
            check_all_proofs(&memory, &leaves, &roots, n, false);
        }
        // The append-only store holds exactly the perfect nodes of the full tree.
        for (id, hash) in &store.nodes {
            assert_eq!(memory.node(id.level, id.index).unwrap(), *hash);
        }
        assert_eq!(
            store.nodes.len() as u64,
            2 * max - u64::from(max.count_ones())
        );
    }
}

#[test]
fn proof_generation_errors() {
    let tree = MemoryTree::from_leaf_hashes(HashAlg::Sm3, leaves(HashAlg::Sm3, 5));
    assert_eq!(
        tree.inclusion_proof(5, 5).unwrap_err().code(),
        "proof.index_out_of_range"
    );
    assert_eq!(
        tree.consistency_proof(6, 5).unwrap_err().code(),
        "proof.size_order"
    );
    // Asking beyond what the source holds is a source error, not a panic.
    let err = tree.inclusion_proof(3, 9).unwrap_err();
    assert_eq!(err.code(), "tree.source");
    assert!(tree.consistency_proof(0, 5).unwrap().is_empty());
    assert!(tree.consistency_proof(5, 5).unwrap().is_empty());
}

fn flip(mut hash: Hash, bit: usize) -> Hash {
    hash.0[bit / 8] ^= 1 << (bit % 8);
    hash
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Any single-bit change of a proof element, leaf hash, root or index is rejected. A
    /// flipped tree size is rejected unless the RFC 9162 proof shape of the altered claim is
    /// the same (then the hashing is identical and only the signed checkpoint, which binds
    /// size and root, can tell them apart; see `verify` module docs).
    #[test]
    fn inclusion_bit_flips_are_rejected(
        n in 1u64..1000, m_seed in any::<u64>(), which in 0usize..5, bit in 0usize..256, elem in any::<usize>(),
    ) {
        let alg = HashAlg::Sm3;
        let m = m_seed % n;
        let tree = MemoryTree::from_leaf_hashes(alg, leaves(alg, n));
        let root = tree.root();
        let leaf = tree.leaf(m).unwrap();
        let mut proof = tree.inclusion_proof(m, n).unwrap();
        prop_assert!(verify_inclusion(alg, &leaf, m, n, &proof, &root).is_ok());
        let (mut m2, mut n2, mut leaf2, mut root2) = (m, n, leaf, root);
        match which {
            0 if !proof.is_empty() => { let i = elem % proof.len(); proof[i] = flip(proof[i], bit); }
            0 | 1 => leaf2 = flip(leaf, bit),
            2 => root2 = flip(root, bit),
            3 => m2 = m ^ (1 << (bit % 64)),
            _ => n2 = n ^ (1 << (bit % 64)),
        }
        if verify_inclusion(alg, &leaf2, m2, n2, &proof, &root2).is_ok() {
            prop_assert!(which == 4, "a flipped hash or index was accepted");
            prop_assert_eq!(inclusion_shape(m2, n2), inclusion_shape(m, n));
        }
    }

    /// The same for consistency proofs: elements, both roots and `size1` always; `size2` as the
    /// tree size above.
    #[test]
    fn consistency_bit_flips_are_rejected(
        n in 2u64..1000, m_seed in any::<u64>(), which in 0usize..5, bit in 0usize..256, elem in any::<usize>(),
    ) {
        let alg = HashAlg::Sha256;
        let m = 1 + m_seed % (n - 1);
        let tree = MemoryTree::from_leaf_hashes(alg, leaves(alg, n));
        let (root1, root2) = (tree.root_at(m).unwrap(), tree.root());
        let mut proof = tree.consistency_proof(m, n).unwrap();
        prop_assert!(verify_consistency(alg, m, n, &proof, &root1, &root2).is_ok());
        let (mut m2, mut n2, mut r1, mut r2) = (m, n, root1, root2);
        match which {
            0 => { let i = elem % proof.len(); proof[i] = flip(proof[i], bit); }
            1 => r1 = flip(root1, bit),
            2 => r2 = flip(root2, bit),
            3 => m2 = m ^ (1 << (bit % 64)),
            _ => n2 = n ^ (1 << (bit % 64)),
        }
        if verify_consistency(alg, m2, n2, &proof, &r1, &r2).is_ok() {
            prop_assert!(which == 4, "a flipped hash or size1 was accepted");
            prop_assert_eq!(consistency_shape(m2, n2), consistency_shape(m, n));
        }
    }

    /// A range restored from the stored right edge continues exactly like the original.
    #[test]
    fn compact_range_restores_from_stored_edge(n in 0u64..600, more in 1u64..70) {
        let alg = HashAlg::Sm3;
        let all = leaves(alg, n + more);
        let mut store = AppendOnlyStore::new(alg);
        for leaf in &all[..n as usize] {
            store.append(*leaf);
        }
        let mut restored = CompactRange::from_source(&store, n).unwrap();
        prop_assert_eq!(&restored, &store.range);
        for leaf in &all[n as usize..] {
            prop_assert_eq!(restored.append(*leaf), store.range.append(*leaf));
        }
        prop_assert_eq!(restored.root(), root(alg, &all));
    }

    /// An async store's path: ask which nodes a proof needs, fetch exactly those, prove from
    /// the prefetched map. Same proofs, and no other node is read.
    #[test]
    fn prefetched_nodes_give_the_same_proofs(n in 1u64..3000, a in any::<u64>(), b in any::<u64>()) {
        let alg = HashAlg::Sm3;
        let tree = MemoryTree::from_leaf_hashes(alg, leaves(alg, n));
        let (i, m) = (a % n, b % (n + 1));
        let fetch = |ids: Vec<NodeId>| {
            NodeMap::new(alg, ids.into_iter().map(|id| (id, tree.node(id.level, id.index).unwrap())))
        };
        let ids = inclusion_proof_nodes(i, n).unwrap();
        prop_assert!(ids.len() <= 2 * 64);
        let map = fetch(ids);
        prop_assert_eq!(inclusion_proof(&map, i, n).unwrap(), tree.inclusion_proof(i, n).unwrap());
        let map = fetch(consistency_proof_nodes(m, n).unwrap());
        prop_assert_eq!(consistency_proof(&map, m, n).unwrap(), tree.consistency_proof(m, n).unwrap());
        let map = fetch(CompactRange::edge_ids(n));
        prop_assert_eq!(root_from(&map, n).unwrap(), tree.root());
        prop_assert!(inclusion_proof_nodes(n, n).is_err());
        prop_assert!(consistency_proof_nodes(n + 1, n).is_err());
    }
}
