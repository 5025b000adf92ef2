//! Cross-check against ct-merkle 0.3 (an independent RFC 6962 implementation, memory-backed),
//! for both SHA-256 and SM3: roots, proof bytes, and each side verifying the other's proofs.

use ct_merkle::mem_backed_tree::MemoryBackedTree;
use ct_merkle::{ConsistencyProof as CtConsistency, InclusionProof as CtInclusion, RootHash};
use sm3::digest::Digest;
use zhifa_ledger::{Hash, HashAlg, MemoryTree, leaf_hash, verify_consistency, verify_inclusion};

fn data(i: u64) -> Vec<u8> {
    format!("event-{i}").into_bytes()
}

fn bytes(hashes: &[Hash]) -> Vec<u8> {
    hashes.iter().flat_map(|h| h.0).collect()
}

fn cross_check<D: Digest>(alg: HashAlg, max: u64) {
    let mut theirs = MemoryBackedTree::<D, Vec<u8>>::new();
    let mut ours = MemoryTree::new(alg);
    for n in 1..=max {
        theirs.push(data(n - 1));
        ours.push(leaf_hash(alg, &data(n - 1)));
        let their_root = theirs.root();
        assert_eq!(
            their_root.as_bytes().as_slice(),
            ours.root().0.as_slice(),
            "root of {n}"
        );

        for m in 0..n {
            let proof = ours.inclusion_proof(m, n).unwrap();
            let their_proof = theirs.prove_inclusion(m as usize);
            assert_eq!(
                their_proof.as_bytes(),
                bytes(&proof).as_slice(),
                "PATH({m}, {n})"
            );
            // ct-merkle accepts our proof; we accept theirs.
            let ours_as_theirs = CtInclusion::<D>::try_from_bytes(bytes(&proof)).unwrap();
            their_root
                .verify_inclusion(&data(m), m, &ours_as_theirs)
                .unwrap();
            let their_hashes: Vec<Hash> = their_proof
                .as_bytes()
                .chunks(32)
                .map(|c| Hash::from_slice(c).unwrap())
                .collect();
            let leaf = leaf_hash(alg, &data(m));
            verify_inclusion(alg, &leaf, m, n, &their_hashes, &ours.root()).unwrap();
        }
        for m in 1..n {
            let proof = ours.consistency_proof(m, n).unwrap();
            let their_proof = theirs.prove_consistency((n - m) as usize);
            assert_eq!(
                their_proof.as_bytes(),
                bytes(&proof).as_slice(),
                "PROOF({m}, {n})"
            );
            let old_root = ours.root_at(m).unwrap();
            let mut digest = sm3::digest::Output::<D>::default();
            digest.copy_from_slice(&old_root.0);
            let their_old = RootHash::<D>::new(digest, m);
            let ours_as_theirs = CtConsistency::<D>::try_from_bytes(bytes(&proof)).unwrap();
            their_root
                .verify_consistency(&their_old, &ours_as_theirs)
                .unwrap();
            verify_consistency(alg, m, n, &proof, &old_root, &ours.root()).unwrap();
        }
    }
}

#[test]
fn sha256_matches_ct_merkle() {
    cross_check::<sha2::Sha256>(HashAlg::Sha256, 70);
}

#[test]
fn sm3_matches_ct_merkle() {
    cross_check::<sm3::Sm3>(HashAlg::Sm3, 70);
}
