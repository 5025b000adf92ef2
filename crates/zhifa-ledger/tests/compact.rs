//! The compact range: which nodes an append completes, the right edge a store reads back, and
//! the root it keeps, against the reference `MTH`.

mod common;

use common::*;
use zhifa_ledger::{CompactRange, HashAlg, MemoryTree, NodeId, empty_root, node_hash, root};

#[test]
fn appends_report_the_completed_perfect_nodes() {
    let alg = HashAlg::Sm3;
    let l = leaves(alg, 8);
    let mut range = CompactRange::new(alg);
    assert_eq!(range.root(), empty_root(alg));
    let ids = |nodes: Vec<zhifa_ledger::Node>| {
        nodes.iter().map(|n| (n.level, n.index)).collect::<Vec<_>>()
    };
    assert_eq!(ids(range.append(l[0])), [(0, 0)]);
    assert_eq!(ids(range.append(l[1])), [(0, 1), (1, 0)]);
    assert_eq!(ids(range.append(l[2])), [(0, 2)]);
    let nodes = range.append(l[3]);
    assert_eq!(ids(nodes.clone()), [(0, 3), (1, 1), (2, 0)]);
    let n01 = node_hash(alg, &l[0], &l[1]);
    let n23 = node_hash(alg, &l[2], &l[3]);
    assert_eq!(nodes[1].hash, n23);
    assert_eq!(nodes[2].hash, node_hash(alg, &n01, &n23));
    for leaf in &l[4..7] {
        range.append(*leaf);
    }
    assert_eq!(ids(range.append(l[7])), [(0, 7), (1, 3), (2, 1), (3, 0)]);
    assert_eq!(range.size(), 8);
    assert_eq!(range.root(), root(alg, &l));
    assert_eq!(range.nodes(), [root(alg, &l)]);
}

#[test]
fn right_edge_ids_and_restore() {
    assert!(CompactRange::edge_ids(0).is_empty());
    assert_eq!(
        CompactRange::edge_ids(13),
        [NodeId::new(3, 0), NodeId::new(2, 2), NodeId::new(0, 12)]
    );
    assert_eq!(
        CompactRange::edge_ids(10_000_000).len(),
        10_000_000u64.count_ones() as usize
    );

    let alg = HashAlg::Sha256;
    let l = leaves(alg, 13);
    let tree = MemoryTree::from_leaf_hashes(alg, l.iter().copied());
    let range = tree.compact_range();
    assert_eq!(range.size(), 13);
    assert_eq!(range.root(), root(alg, &l));
    let err = CompactRange::from_nodes(alg, 13, range.nodes()[..2].to_vec()).unwrap_err();
    assert_eq!((err.expected, err.got), (3, 2));
    assert!(err.to_string().contains("right-edge"));
    let mut restored = CompactRange::from_nodes(alg, 13, range.nodes().to_vec()).unwrap();
    let mut out = Vec::new();
    restored.append_into(l[0], &mut out);
    assert_eq!(out.len(), 2); // 13 = 0b1101: the new leaf 13 pairs with leaf 12
    assert_eq!(restored.size(), 14);
}
