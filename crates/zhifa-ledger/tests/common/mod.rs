//! Shared test data and reference implementations written straight from RFC 9162's recursive
//! definitions (over slices of leaf hashes), independent of the crate's node-source prover.

#![allow(dead_code)]

use zhifa_ledger::{Hash, HashAlg, leaf_hash, node_hash, root};

/// The eight leaves of the RFC 6962 reference tests (certificate-transparency / trillian /
/// transparency-dev `merkle`).
pub const RFC6962_LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

/// SHA-256 roots of the first 1..=8 of those leaves.
pub const RFC6962_ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// Known inclusion proofs: (zero-based leaf index, tree size, proof).
pub const RFC6962_INCLUSION: &[(u64, u64, &[&str])] = &[
    (0, 1, &[]),
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        3,
        &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    ),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

/// Known consistency proofs: (size1, size2, proof).
pub const RFC6962_CONSISTENCY: &[(u64, u64, &[&str])] = &[
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

pub fn h(hex: &str) -> Hash {
    hex.parse().expect("test hash")
}

pub fn hs(hexes: &[&str]) -> Vec<Hash> {
    hexes.iter().map(|x| h(x)).collect()
}

/// Leaf hashes of the RFC 6962 reference leaves.
pub fn rfc6962_leaf_hashes(alg: HashAlg) -> Vec<Hash> {
    RFC6962_LEAVES
        .iter()
        .map(|x| leaf_hash(alg, &hex::decode(x).expect("hex")))
        .collect()
}

/// Deterministic leaf hashes `H(0x00 ‖ i as 8 bytes)` for `0..n`.
pub fn leaves(alg: HashAlg, n: u64) -> Vec<Hash> {
    (0..n).map(|i| leaf_hash(alg, &i.to_be_bytes())).collect()
}

fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// `PATH(m, D[n])`, RFC 9162 §2.1.3.1, by recursion on the slice.
pub fn ref_path(m: usize, d: &[Hash], alg: HashAlg) -> Vec<Hash> {
    if d.len() <= 1 {
        return Vec::new();
    }
    let k = split(d.len());
    if m < k {
        let mut p = ref_path(m, &d[..k], alg);
        p.push(root(alg, &d[k..]));
        p
    } else {
        let mut p = ref_path(m - k, &d[k..], alg);
        p.push(root(alg, &d[..k]));
        p
    }
}

/// `PROOF(m, D[n])` = `SUBPROOF(m, D[n], true)`, RFC 9162 §2.1.4.1.
pub fn ref_proof(m: usize, d: &[Hash], alg: HashAlg) -> Vec<Hash> {
    if m == 0 || m == d.len() {
        return Vec::new();
    }
    ref_subproof(m, d, true, alg)
}

fn ref_subproof(m: usize, d: &[Hash], b: bool, alg: HashAlg) -> Vec<Hash> {
    let n = d.len();
    if m == n {
        return if b { Vec::new() } else { vec![root(alg, d)] };
    }
    let k = split(n);
    if m <= k {
        let mut p = ref_subproof(m, &d[..k], b, alg);
        p.push(root(alg, &d[k..]));
        p
    } else {
        let mut p = ref_subproof(m - k, &d[k..], false, alg);
        p.push(root(alg, &d[..k]));
        p
    }
}

/// The hashing "shape" of an inclusion proof: for each element, whether it is a left (true)
/// or right sibling, from the leaf up. Two claims with equal shapes hash identically (RFC 9162
/// cannot tell them apart without the signed size).
pub fn inclusion_shape(m: u64, n: u64) -> Vec<bool> {
    if n <= 1 {
        return Vec::new();
    }
    let k = split(n as usize) as u64;
    let (mut shape, left) = if m < k {
        (inclusion_shape(m, k), false)
    } else {
        (inclusion_shape(m - k, n - k), true)
    };
    shape.push(left);
    shape
}

/// The shape of `PROOF(m, D[n])`: per element, (is a left sibling, is part of the old root).
pub fn consistency_shape(m: u64, n: u64) -> Vec<(bool, bool)> {
    fn sub(m: u64, n: u64, b: bool) -> Vec<(bool, bool)> {
        if m == n {
            return if b { Vec::new() } else { vec![(true, true)] };
        }
        let k = split(n as usize) as u64;
        let mut s;
        if m <= k {
            s = sub(m, k, b);
            s.push((false, false));
        } else {
            s = sub(m - k, n - k, false);
            s.push((true, true));
        }
        s
    }
    if m == 0 || m == n {
        return Vec::new();
    }
    sub(m, n, true)
}

/// Helper for the RFC 6962 reference data: a check that `node_hash` is used as documented.
pub fn manual_root_2(alg: HashAlg, a: &Hash, b: &Hash) -> Hash {
    node_hash(alg, a, b)
}
