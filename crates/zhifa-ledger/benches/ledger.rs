//! Ledger benchmarks (P3/P4 of the design benchmarks), run with `cargo bench -p zhifa-ledger`.
//!
//! - the reference: in-memory SM3 (and SHA-256) leaf hashing of a 256-byte event;
//! - compact-range appends (node hashing only, and leaf hashing + append as a store does);
//! - inclusion and consistency proof generation at 10^7 leaves from a node source;
//! - proof verification at 10^7 leaves, root computation, checkpoint signing and verifying.

use std::hint::black_box;
use std::sync::LazyLock;

use divan::Bencher;
use divan::counter::{BytesCount, ItemsCount};
use zhifa_ledger::{
    Checkpoint, CompactRange, Hash, HashAlg, KeyAlg, MemoryTree, SoftwareSigner, leaf_hash,
    root_from, verify_consistency, verify_inclusion,
};

fn main() {
    divan::main();
}

const EVENT_BYTES: usize = 256;
const BIG: u64 = 10_000_000;
const BATCH: usize = 10_000;

/// A 10^7-leaf SM3 tree with synthetic leaf hashes (built once, ~10 s, 640 MB).
static TREE: LazyLock<MemoryTree> = LazyLock::new(|| {
    let mut tree = MemoryTree::new(HashAlg::Sm3);
    for i in 0..BIG {
        let mut leaf = [0u8; 32];
        leaf[..8].copy_from_slice(&i.to_be_bytes());
        tree.push(Hash(leaf));
    }
    tree
});

/// Deterministic pseudo-random sequence (xorshift64) for picking indices.
fn indices(count: usize, below: u64) -> Vec<u64> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    (0..count)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % below
        })
        .collect()
}

#[divan::bench(args = [HashAlg::Sm3, HashAlg::Sha256])]
fn leaf_hash_256_bytes(bencher: Bencher, alg: HashAlg) {
    let event = [0x5au8; EVENT_BYTES];
    bencher
        .counter(BytesCount::new(EVENT_BYTES))
        .bench(|| leaf_hash(alg, black_box(&event)));
}

#[divan::bench(args = [HashAlg::Sm3, HashAlg::Sha256])]
fn compact_append(bencher: Bencher, alg: HashAlg) {
    let leaves: Vec<Hash> = (0..BATCH as u64)
        .map(|i| leaf_hash(alg, &i.to_be_bytes()))
        .collect();
    let mut out = Vec::with_capacity(4 * BATCH);
    bencher.counter(ItemsCount::new(BATCH)).bench_local(|| {
        let mut range = CompactRange::new(alg);
        out.clear();
        for leaf in &leaves {
            range.append_into(*leaf, &mut out);
        }
        range.root()
    });
}

#[divan::bench]
fn sm3_leaf_hash_and_append_256_bytes(bencher: Bencher) {
    let event = [0x5au8; EVENT_BYTES];
    let mut out = Vec::with_capacity(4 * BATCH);
    bencher.counter(ItemsCount::new(BATCH)).bench_local(|| {
        let mut range = CompactRange::new(HashAlg::Sm3);
        out.clear();
        for _ in 0..BATCH {
            range.append_into(leaf_hash(HashAlg::Sm3, black_box(&event)), &mut out);
        }
        range.root()
    });
}

#[divan::bench]
fn inclusion_proof_1e7(bencher: Bencher) {
    let tree = &*TREE;
    let idx = indices(1024, BIG);
    let mut i = 0;
    bencher.bench_local(|| {
        i = (i + 1) % idx.len();
        tree.inclusion_proof(idx[i], BIG)
    });
}

#[divan::bench]
fn consistency_proof_1e7(bencher: Bencher) {
    let tree = &*TREE;
    let idx = indices(1024, BIG - 1);
    let mut i = 0;
    bencher.bench_local(|| {
        i = (i + 1) % idx.len();
        tree.consistency_proof(idx[i] + 1, BIG)
    });
}

#[divan::bench]
fn root_from_1e7(bencher: Bencher) {
    let tree = &*TREE;
    bencher.bench(|| root_from(tree, black_box(BIG)));
}

#[divan::bench]
fn verify_inclusion_1e7(bencher: Bencher) {
    let tree = &*TREE;
    let root = tree.root();
    let cases: Vec<(u64, Hash, Vec<Hash>)> = indices(256, BIG)
        .into_iter()
        .filter_map(|i| Some((i, tree.leaf(i)?, tree.inclusion_proof(i, BIG).ok()?)))
        .collect();
    let mut k = 0;
    bencher.bench_local(|| {
        k = (k + 1) % cases.len();
        let (i, leaf, proof) = &cases[k];
        verify_inclusion(HashAlg::Sm3, leaf, *i, BIG, proof, &root)
    });
}

#[divan::bench]
fn verify_consistency_1e7(bencher: Bencher) {
    let tree = &*TREE;
    let root = tree.root();
    let cases: Vec<(u64, Hash, Vec<Hash>)> = indices(256, BIG - 1)
        .into_iter()
        .filter_map(|m| {
            let m = m + 1;
            Some((
                m,
                tree.root_at(m).ok()?,
                tree.consistency_proof(m, BIG).ok()?,
            ))
        })
        .collect();
    let mut k = 0;
    bencher.bench_local(|| {
        k = (k + 1) % cases.len();
        let (m, root1, proof) = &cases[k];
        verify_consistency(HashAlg::Sm3, *m, BIG, proof, root1, &root)
    });
}

#[divan::bench(args = [KeyAlg::Sm2, KeyAlg::Ed25519])]
fn checkpoint_sign(bencher: Bencher, alg: KeyAlg) {
    let Ok(signer) = SoftwareSigner::generate(alg, "bench.example/log") else {
        return;
    };
    let Ok(cp) = Checkpoint::new("bench.example/log", BIG, Hash([7; 32])) else {
        return;
    };
    bencher.bench(|| cp.sign(&[&signer]));
}

#[divan::bench(args = [KeyAlg::Sm2, KeyAlg::Ed25519])]
fn checkpoint_parse_and_verify(bencher: Bencher, alg: KeyAlg) {
    let Ok(signer) = SoftwareSigner::generate(alg, "bench.example/log") else {
        return;
    };
    let verifier = signer.verifier();
    let Ok(note) =
        Checkpoint::new("bench.example/log", BIG, Hash([7; 32])).and_then(|cp| cp.sign(&[&signer]))
    else {
        return;
    };
    bencher.bench(|| Checkpoint::parse_and_verify(black_box(&note), &[&verifier]));
}
