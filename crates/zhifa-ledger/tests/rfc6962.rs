//! RFC 6962 reference data for the SHA-256 profile: roots of the 8-leaf test tree at every
//! size, and the published inclusion and consistency proofs, generated and verified, plus the
//! corruption probes those reference suites run.

mod common;

use common::*;
use zhifa_ledger::{
    CompactRange, Hash, HashAlg, MemoryTree, ProofError, empty_root, root, verify_consistency,
    verify_inclusion,
};

const ALG: HashAlg = HashAlg::Sha256;

fn tree() -> MemoryTree {
    MemoryTree::from_leaf_hashes(ALG, rfc6962_leaf_hashes(ALG))
}

#[test]
fn roots_of_every_size_match_rfc6962_data() {
    let leaves = rfc6962_leaf_hashes(ALG);
    let tree = tree();
    let mut compact = CompactRange::new(ALG);
    for (i, expected) in RFC6962_ROOTS.iter().enumerate() {
        let n = i + 1;
        compact.append(leaves[i]);
        assert_eq!(
            root(ALG, &leaves[..n]),
            h(expected),
            "reference root, size {n}"
        );
        assert_eq!(
            tree.root_at(n as u64).unwrap(),
            h(expected),
            "node source, size {n}"
        );
        assert_eq!(compact.root(), h(expected), "compact range, size {n}");
    }
    assert_eq!(tree.root(), h(RFC6962_ROOTS[7]));
    assert_eq!(tree.root_at(0).unwrap(), empty_root(ALG));
}

#[test]
fn published_inclusion_proofs_are_generated_and_verify() {
    let tree = tree();
    let leaves = rfc6962_leaf_hashes(ALG);
    for &(index, size, proof) in RFC6962_INCLUSION {
        let expected = hs(proof);
        assert_eq!(
            tree.inclusion_proof(index, size).unwrap(),
            expected,
            "({index}, {size})"
        );
        let root = h(RFC6962_ROOTS[size as usize - 1]);
        verify_inclusion(ALG, &leaves[index as usize], index, size, &expected, &root).unwrap();
    }
}

#[test]
fn published_consistency_proofs_are_generated_and_verify() {
    let tree = tree();
    for &(size1, size2, proof) in RFC6962_CONSISTENCY {
        let expected = hs(proof);
        assert_eq!(
            tree.consistency_proof(size1, size2).unwrap(),
            expected,
            "({size1}, {size2})"
        );
        let root1 = h(RFC6962_ROOTS[size1 as usize - 1]);
        let root2 = h(RFC6962_ROOTS[size2 as usize - 1]);
        verify_consistency(ALG, size1, size2, &expected, &root1, &root2).unwrap();
    }
}

/// The probes of the reference suites: wrong index or size, wrong leaf or root, garbage
/// before or after, flipped bits, removed or inserted elements. All must fail.
#[test]
fn corrupted_inclusion_proofs_are_rejected() {
    let leaves = rfc6962_leaf_hashes(ALG);
    let some = h("abacaba000000000000000000000000000000000000000000060061e00123456");
    for &(index, size, proof) in RFC6962_INCLUSION.iter().filter(|p| !p.2.is_empty()) {
        let proof = hs(proof);
        let root = h(RFC6962_ROOTS[size as usize - 1]);
        let leaf = leaves[index as usize];
        let check = |i: u64, n: u64, leaf: Hash, p: &[Hash], r: Hash| {
            verify_inclusion(ALG, &leaf, i, n, p, &r).is_err()
        };
        assert!(check(index.wrapping_sub(1), size, leaf, &proof, root));
        assert!(check(index + 1, size, leaf, &proof, root));
        assert!(check(index ^ 2, size, leaf, &proof, root));
        assert!(check(index, size * 2, leaf, &proof, root));
        assert!(check(index, size / 2, leaf, &proof, root));
        assert!(check(index, size, some, &proof, root));
        assert!(check(index, size, leaf, &proof, empty_root(ALG)));
        assert!(check(index, size, leaf, &proof, some));
        let mut longer = proof.clone();
        longer.push(root);
        assert!(check(index, size, leaf, &longer, root));
        let mut longer = vec![root];
        longer.extend_from_slice(&proof);
        assert!(check(index, size, leaf, &longer, root));
        for i in 0..proof.len() {
            let mut bad = proof.clone();
            bad[i].0[0] ^= 8;
            assert!(check(index, size, leaf, &bad, root));
        }
        assert!(check(index, size, leaf, &proof[..proof.len() - 1], root));
        if proof.len() > 1 {
            let mut bad = vec![proof[0], some];
            bad.extend_from_slice(&proof[1..]);
            assert!(check(index, size, leaf, &bad, root));
        }
    }
}

#[test]
fn corrupted_consistency_proofs_are_rejected() {
    for &(size1, size2, proof) in RFC6962_CONSISTENCY.iter().filter(|p| !p.2.is_empty()) {
        let proof = hs(proof);
        let root1 = h(RFC6962_ROOTS[size1 as usize - 1]);
        let root2 = h(RFC6962_ROOTS[size2 as usize - 1]);
        let wrong = h(RFC6962_ROOTS[0]).0.map(|b| !b);
        let wrong = Hash(wrong);
        let bad = |s1: u64, s2: u64, p: &[Hash], r1: Hash, r2: Hash| {
            verify_consistency(ALG, s1, s2, p, &r1, &r2).is_err()
        };
        assert!(bad(size1 - 1, size2, &proof, root1, root2));
        assert!(bad(size1 + 1, size2, &proof, root1, root2));
        assert!(bad(size1 ^ 2, size2, &proof, root1, root2));
        assert!(bad(size1, size2 * 2, &proof, root1, root2));
        assert!(bad(size1, size2 / 2, &proof, root1, root2));
        assert!(bad(size1, size2, &proof, wrong, root2));
        assert!(bad(size1, size2, &proof, root1, wrong));
        assert!(bad(size1, size2, &proof, root2, root1));
        assert!(bad(size1, size2, &[], root1, root2));
        for extra in [root1, root2] {
            let mut longer = proof.clone();
            longer.push(extra);
            assert!(bad(size1, size2, &longer, root1, root2));
            let mut longer = vec![extra];
            longer.extend_from_slice(&proof);
            assert!(bad(size1, size2, &longer, root1, root2));
        }
        let mut longer = vec![proof[0]];
        longer.extend_from_slice(&proof);
        assert!(bad(size1, size2, &longer, root1, root2));
        assert!(bad(size1, size2, &proof[..proof.len() - 1], root1, root2));
        for i in 0..proof.len() {
            let mut p = proof.clone();
            p[i].0[0] ^= 16;
            assert!(bad(size1, size2, &p, root1, root2));
        }
    }
}

#[test]
fn degenerate_cases_and_error_codes() {
    let leaf = leaf_hash_of(b"data");
    // A one-leaf tree: the root is the leaf hash and the proof is empty.
    verify_inclusion(ALG, &leaf, 0, 1, &[], &leaf).unwrap();
    let err = verify_inclusion(ALG, &leaf, 0, 0, &[], &leaf).unwrap_err();
    assert_eq!(err.code(), "proof.index_out_of_range");
    let err = verify_inclusion(ALG, &leaf, 2, 1, &[], &leaf).unwrap_err();
    assert_eq!(err.code(), "proof.index_out_of_range");
    let err = verify_inclusion(ALG, &leaf, 0, 2, &[], &leaf).unwrap_err();
    assert_eq!(err.code(), "proof.wrong_length");
    let err = verify_inclusion(ALG, &leaf, 0, 1, &[leaf], &leaf).unwrap_err();
    assert_eq!(err.code(), "proof.wrong_length");
    let other = leaf_hash_of(b"other");
    let err = verify_inclusion(ALG, &leaf, 0, 1, &[], &other).unwrap_err();
    assert_eq!(
        err,
        ProofError::RootMismatch {
            expected: other,
            computed: leaf
        }
    );
    assert_eq!(err.code(), "proof.root_mismatch");
    assert!(err.to_string().contains("root mismatch"));
    let long = vec![leaf; 65];
    assert_eq!(
        verify_inclusion(ALG, &leaf, 0, u64::MAX, &long, &leaf)
            .unwrap_err()
            .code(),
        "proof.wrong_length"
    );

    let empty = empty_root(ALG);
    // Equal sizes: empty proof and equal roots.
    verify_consistency(ALG, 3, 3, &[], &leaf, &leaf).unwrap();
    assert!(verify_consistency(ALG, 3, 3, &[], &leaf, &other).is_err());
    assert!(verify_consistency(ALG, 3, 3, &[leaf], &leaf, &leaf).is_err());
    // From the empty tree: empty proof, root1 = H("").
    verify_consistency(ALG, 0, 5, &[], &empty, &other).unwrap();
    verify_consistency(ALG, 0, 0, &[], &empty, &empty).unwrap();
    assert!(verify_consistency(ALG, 0, 5, &[], &leaf, &other).is_err());
    assert!(verify_consistency(ALG, 0, 5, &[empty], &empty, &other).is_err());
    // Time travel.
    let err = verify_consistency(ALG, 2, 1, &[], &leaf, &leaf).unwrap_err();
    assert_eq!(err.code(), "proof.size_order");
    // Non-trivial sizes need a proof.
    let err = verify_consistency(ALG, 1, 2, &[], &leaf, &other).unwrap_err();
    assert_eq!(err.code(), "proof.wrong_length");
}

fn leaf_hash_of(data: &[u8]) -> Hash {
    zhifa_ledger::leaf_hash(ALG, data)
}

/// RFC 9162 proofs hash the same for claims of the same shape: leaf 0 of 5 leaves and leaf 0 of
/// 7 leaves both have three right siblings. The verifier cannot (and does not) tell them apart,
/// which is why proofs are checked against a signed checkpoint's (size, root) pair.
#[test]
fn tree_size_is_bound_by_the_checkpoint_not_by_the_proof() {
    let leaves = rfc6962_leaf_hashes(ALG);
    let tree = tree();
    let proof = tree.inclusion_proof(0, 5).unwrap();
    let root5 = h(RFC6962_ROOTS[4]);
    verify_inclusion(ALG, &leaves[0], 0, 5, &proof, &root5).unwrap();
    verify_inclusion(ALG, &leaves[0], 0, 7, &proof, &root5).unwrap();
    assert_eq!(inclusion_shape(0, 5), inclusion_shape(0, 7));
    // With the true root of 7 leaves the altered claim fails.
    assert!(verify_inclusion(ALG, &leaves[0], 0, 7, &proof, &h(RFC6962_ROOTS[6])).is_err());
}
