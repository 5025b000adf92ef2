//! Tree hashing of RFC 9162 §2.1.1 (same as RFC 6962 §2.1) with SM3 or SHA-256.
//!
//! - leaf: `H(0x00 ‖ data)`
//! - interior node: `H(0x01 ‖ left ‖ right)`
//! - empty tree: `H("")`
//!
//! SM3 (GB/T 32905-2016) is the default; SHA-256 (FIPS 180-4) is selectable per log so that
//! tools written for Certificate Transparency can check a Zhifa log.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::Sha256;
use sm3::{Digest, Sm3};

/// Domain-separation prefix of a leaf hash (RFC 9162 §2.1.1).
const LEAF_PREFIX: u8 = 0x00;
/// Domain-separation prefix of an interior node hash (RFC 9162 §2.1.1).
const NODE_PREFIX: u8 = 0x01;

/// The hash function of a log. Serialised as `"sm3"` or `"sha256"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HashAlg {
    /// SM3, GB/T 32905-2016 (the default for Chinese government systems).
    #[default]
    Sm3,
    /// SHA-256, FIPS 180-4 (RFC 6962 / RFC 9162 interoperability).
    Sha256,
}

impl HashAlg {
    /// The name used in JSON and configuration: `sm3` or `sha256`.
    pub fn as_str(self) -> &'static str {
        match self {
            HashAlg::Sm3 => "sm3",
            HashAlg::Sha256 => "sha256",
        }
    }

    /// Hashes the concatenation of `parts` with this algorithm.
    pub fn digest(self, parts: &[&[u8]]) -> Hash {
        match self {
            HashAlg::Sm3 => Hash(digest_parts::<Sm3>(parts)),
            HashAlg::Sha256 => Hash(digest_parts::<Sha256>(parts)),
        }
    }
}

impl fmt::Display for HashAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HashAlg {
    type Err = HashParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "sm3" => Ok(HashAlg::Sm3),
            "sha256" => Ok(HashAlg::Sha256),
            _ => Err(HashParseError::UnknownAlg(s.chars().take(32).collect())),
        }
    }
}

fn digest_parts<D: Digest>(parts: &[&[u8]]) -> [u8; 32] {
    let mut hasher = D::new();
    for part in parts {
        hasher.update(part);
    }
    let out = hasher.finalize();
    let mut hash = [0u8; 32];
    // Both SM3 and SHA-256 produce exactly 32 bytes.
    hash.copy_from_slice(&out);
    hash
}

/// A 32-byte tree hash (leaf, node or root). Displays and serialises as lowercase hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// Length of every hash in this crate (SM3 and SHA-256 are both 256-bit).
    pub const LEN: usize = 32;

    /// Builds a hash from a byte slice, which must be exactly 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, HashParseError> {
        let arr: [u8; 32] = bytes
            .try_into()
            .map_err(|_| HashParseError::WrongLength(bytes.len()))?;
        Ok(Hash(arr))
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lowercase hex, 64 characters.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl AsRef<[u8]> for Hash {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl FromStr for Hash {
    type Err = HashParseError;

    /// Parses 64 hex digits (either case).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != 64 {
            return Err(HashParseError::WrongLength(s.len() / 2));
        }
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).map_err(|_| HashParseError::BadHex)?;
        Ok(Hash(out))
    }
}

impl Serialize for Hash {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Hash {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A hash or hash-algorithm name could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashParseError {
    /// Not hexadecimal.
    #[error("哈希值不是十六进制 (hash is not hexadecimal)")]
    BadHex,
    /// Not 32 bytes.
    #[error("哈希值应为 32 字节，实为 {0} 字节 (hash must be 32 bytes, got {0})")]
    WrongLength(usize),
    /// Neither `sm3` nor `sha256`.
    #[error(
        "未知的哈希算法 {0:?}，应为 sm3 或 sha256 (unknown hash algorithm, expected sm3 or sha256)"
    )]
    UnknownAlg(String),
}

impl HashParseError {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            HashParseError::BadHex => "hash.bad_hex",
            HashParseError::WrongLength(_) => "hash.wrong_length",
            HashParseError::UnknownAlg(_) => "hash.unknown_alg",
        }
    }
}

/// Leaf hash `H(0x00 ‖ data)` (RFC 9162 §2.1.1).
pub fn leaf_hash(alg: HashAlg, data: &[u8]) -> Hash {
    alg.digest(&[&[LEAF_PREFIX], data])
}

/// Interior node hash `H(0x01 ‖ left ‖ right)` (RFC 9162 §2.1.1).
pub fn node_hash(alg: HashAlg, left: &Hash, right: &Hash) -> Hash {
    alg.digest(&[&[NODE_PREFIX], &left.0, &right.0])
}

/// Root of the empty tree, `H("")` (RFC 9162 §2.1.1).
pub fn empty_root(alg: HashAlg) -> Hash {
    alg.digest(&[])
}

/// Merkle Tree Hash `MTH(D[n])` over leaf hashes, written straight from the recursive
/// definition of RFC 9162 §2.1.1: split at the largest power of two `k < n`,
/// `MTH(D[n]) = H(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n]))`.
///
/// This is the reference implementation (it reads every leaf); logs use
/// [`crate::CompactRange`] or [`crate::root_from`] instead.
pub fn root(alg: HashAlg, leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(alg),
        1 => leaves[0],
        n => {
            let k = largest_power_of_two_below(n as u64) as usize;
            node_hash(alg, &root(alg, &leaves[..k]), &root(alg, &leaves[k..]))
        }
    }
}

/// The largest power of two strictly smaller than `n` (`n >= 2`), the split point `k` of
/// RFC 9162 §2.1.1.
pub(crate) fn largest_power_of_two_below(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}
