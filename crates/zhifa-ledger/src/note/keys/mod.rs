//! Software note keys: Ed25519 (RFC 8032) and SM2 (GB/T 32918.2-2016), and their text forms.
//!
//! # Signature types
//!
//! - Ed25519: type byte `0x01`, public key the 32-byte RFC 8032 encoding, signature 64 bytes,
//!   exactly as c2sp.org/signed-note specifies (interoperable with Go's `sumdb/note`).
//! - SM2: c2sp.org/signed-note assigns no byte, and reserves `0xff` for such algorithms,
//!   "followed by a longer identifier that is unlikely to collide". The SM2 type is therefore
//!   the 11 bytes `0xff ‖ DER(OID 1.2.156.10197.1.501)` — the SM2-with-SM3 signature
//!   algorithm OID of GM/T 0006 / GB/T 35276, encoded as `06 08 2a 81 1c cf 55 01 83 75`,
//!   which is self-delimiting. The public key is the 65-byte uncompressed SEC1 point
//!   `04 ‖ x ‖ y`; the signature is the 64 bytes `r ‖ s` (each 32-byte big-endian), computed
//!   over the note text with the default user ID `1234567812345678` (GB/T 35276-2017 §5.1).
//!
//! # Text forms
//!
//! - Verifier key (public): `<name>+<8 hex key ID>+<base64(type ‖ public key)>`, the
//!   `sumdb/note` form, e.g. `PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW`.
//! - Private key: `PRIVATE+KEY+<name>+<8 hex key ID>+<base64(type ‖ secret)>`, where the secret
//!   is the 32-byte Ed25519 seed or the 32-byte big-endian SM2 private scalar. For Ed25519 this
//!   is the `sumdb/note` signer-key form. Store it with 0600 permissions.
//!
//! The key ID is `SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]` (c2sp.org/signed-note).

mod signer;
mod sm2_key;

pub use signer::SoftwareSigner;

use std::fmt;
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use super::{NoteError, NoteVerifier, check_key_name};

/// Type byte of Ed25519 note signatures (c2sp.org/signed-note).
pub const ED25519_TYPE: &[u8] = &[0x01];
/// Type identifier of SM2 note signatures: `0xff ‖ DER(OID 1.2.156.10197.1.501)` (see the
/// [module docs](self)).
pub const SM2_TYPE: &[u8] = &[
    0xff, 0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x75,
];
/// SM2 user ID (distinguishing identifier) used for note signatures, the GB/T 35276 default.
pub const SM2_USER_ID: &str = "1234567812345678";

/// A note signature algorithm implemented in software here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAlg {
    /// Ed25519 (RFC 8032), type `0x01`.
    Ed25519,
    /// SM2 with SM3 (GB/T 32918.2-2016), type [`SM2_TYPE`].
    Sm2,
}

impl KeyAlg {
    /// The signature type identifier bytes that prefix the key in text forms and key IDs.
    pub fn type_bytes(self) -> &'static [u8] {
        match self {
            KeyAlg::Ed25519 => ED25519_TYPE,
            KeyAlg::Sm2 => SM2_TYPE,
        }
    }

    /// Splits `type ‖ key` into the algorithm and the key bytes.
    fn split(bytes: &[u8]) -> Result<(KeyAlg, &[u8]), NoteError> {
        if let Some(rest) = bytes.strip_prefix(SM2_TYPE) {
            Ok((KeyAlg::Sm2, rest))
        } else if let Some(rest) = bytes.strip_prefix(ED25519_TYPE) {
            Ok((KeyAlg::Ed25519, rest))
        } else {
            Err(NoteError::UnknownKeyType)
        }
    }
}

/// The recommended key ID: `SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]` (c2sp.org/signed-note).
pub fn key_id(name: &str, type_bytes: &[u8], public_key: &[u8]) -> [u8; 4] {
    let digest = Sha256::new()
        .chain_update(name.as_bytes())
        .chain_update([0x0a])
        .chain_update(type_bytes)
        .chain_update(public_key)
        .finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

fn parse_hex_id(s: &str) -> Result<[u8; 4], NoteError> {
    let mut id = [0u8; 4];
    if s.len() != 8 {
        return Err(NoteError::BadKey("key ID must be 8 hex digits"));
    }
    hex::decode_to_slice(s, &mut id)
        .map_err(|_| NoteError::BadKey("key ID must be 8 hex digits"))?;
    Ok(id)
}

/// Splits `<name>+<hex id>+<base64>` into its parts, decoding the last two.
fn split_key_text(text: &str) -> Result<(&str, [u8; 4], Vec<u8>), NoteError> {
    // The base64 part may itself contain '+', the name may not.
    let mut parts = text.splitn(3, '+');
    let (Some(name), Some(id), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(NoteError::BadKey("expected <name>+<key id>+<base64 key>"));
    };
    check_key_name(name)?;
    let id = parse_hex_id(id)?;
    let raw = STANDARD
        .decode(b64)
        .map_err(|_| NoteError::BadKey("key is not base64"))?;
    Ok((name, id, raw))
}

#[derive(Clone)]
enum PublicKey {
    Ed25519(ed25519_dalek::VerifyingKey),
    Sm2(Box<sm2::dsa::VerifyingKey>),
}

impl PublicKey {
    fn alg(&self) -> KeyAlg {
        match self {
            PublicKey::Ed25519(_) => KeyAlg::Ed25519,
            PublicKey::Sm2(_) => KeyAlg::Sm2,
        }
    }

    fn to_bytes(&self) -> Vec<u8> {
        match self {
            PublicKey::Ed25519(k) => k.to_bytes().to_vec(),
            PublicKey::Sm2(k) => sm2_key::public_bytes(k),
        }
    }
}

/// A trusted public key of a log or witness, in the verifier-key text form
/// `<name>+<hex key ID>+<base64(type ‖ public key)>` (what `/api/v1/ledger/keys` publishes).
#[derive(Clone)]
pub struct VerifierKey {
    name: String,
    key_id: [u8; 4],
    key: PublicKey,
}

impl VerifierKey {
    /// Reads a verifier key text; checks the key ID against the name and key.
    pub fn parse(text: &str) -> Result<Self, NoteError> {
        let (name, id, raw) = split_key_text(text)?;
        let (alg, key_bytes) = KeyAlg::split(&raw)?;
        let key = match alg {
            KeyAlg::Ed25519 => {
                let bytes: &[u8; 32] = key_bytes
                    .try_into()
                    .map_err(|_| NoteError::BadKey("Ed25519 public key must be 32 bytes"))?;
                let key = ed25519_dalek::VerifyingKey::from_bytes(bytes)
                    .map_err(|_| NoteError::BadKey("not an Ed25519 public key"))?;
                PublicKey::Ed25519(key)
            }
            KeyAlg::Sm2 => PublicKey::Sm2(Box::new(sm2_key::parse_public(key_bytes)?)),
        };
        if key_id(name, alg.type_bytes(), key_bytes) != id {
            return Err(NoteError::KeyIdMismatch);
        }
        Ok(VerifierKey {
            name: name.to_string(),
            key_id: id,
            key,
        })
    }

    /// The signature algorithm.
    pub fn alg(&self) -> KeyAlg {
        self.key.alg()
    }

    /// The encoded public key (32 bytes Ed25519, 65 bytes uncompressed SEC1 for SM2).
    pub fn public_key(&self) -> Vec<u8> {
        self.key.to_bytes()
    }
}

impl NoteVerifier for VerifierKey {
    fn name(&self) -> &str {
        &self.name
    }

    fn key_id(&self) -> [u8; 4] {
        self.key_id
    }

    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        match &self.key {
            PublicKey::Ed25519(k) => ed25519_dalek::Signature::from_slice(sig)
                .is_ok_and(|s| k.verify_strict(msg, &s).is_ok()),
            PublicKey::Sm2(k) => sm2_key::verify(k, msg, sig),
        }
    }
}

impl fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut raw = self.alg().type_bytes().to_vec();
        raw.extend_from_slice(&self.key.to_bytes());
        let id = hex::encode(self.key_id);
        write!(f, "{}+{id}+{}", self.name, STANDARD.encode(raw))
    }
}

impl fmt::Debug for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifierKey({self})")
    }
}

impl FromStr for VerifierKey {
    type Err = NoteError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        VerifierKey::parse(s)
    }
}

impl serde::Serialize for VerifierKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for VerifierKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        VerifierKey::parse(&s).map_err(serde::de::Error::custom)
    }
}
