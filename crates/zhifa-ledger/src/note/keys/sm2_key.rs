//! SM2 (GB/T 32918.2-2016) key and signature encodings for notes.

use sm2::dsa::signature::{Signer, Verifier};
use sm2::dsa::{Signature, SigningKey, VerifyingKey};
use sm2::elliptic_curve::sec1::ToSec1Point;

use super::SM2_USER_ID;
use crate::note::{NoteError, SignError};

/// `n - 1` for the SM2 curve order `n` (GB/T 32918.5-2017): not a valid private key, since
/// GB/T 32918.1 requires `d ∈ [1, n-2]` (signing divides by `1 + d`).
const N_MINUS_ONE: [u8; 32] = [
    0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x72, 0x03, 0xdf, 0x6b, 0x21, 0xc6, 0x05, 0x2b, 0x53, 0xbb, 0xf4, 0x09, 0x39, 0xd5, 0x41, 0x22,
];

/// Reads a 32-byte big-endian private key `d ∈ [1, n-2]`.
pub(super) fn parse_secret(bytes: &[u8]) -> Result<SigningKey, NoteError> {
    if bytes.len() != 32 || bytes == N_MINUS_ONE {
        return Err(NoteError::BadKey(
            "SM2 private key must be 32 bytes in [1, n-2]",
        ));
    }
    SigningKey::from_slice(SM2_USER_ID, bytes)
        .map_err(|_| NoteError::BadKey("SM2 private key must be 32 bytes in [1, n-2]"))
}

/// Draws a private key from the operating system's random number generator by rejection
/// sampling (GB/T 32918.1-2016 §6.1).
pub(super) fn generate() -> Result<SigningKey, NoteError> {
    for _ in 0..64 {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|_| NoteError::Random)?;
        if let Ok(key) = parse_secret(&bytes) {
            return Ok(key);
        }
    }
    Err(NoteError::Random)
}

/// The 32-byte big-endian private key.
pub(super) fn secret_bytes(key: &SigningKey) -> Vec<u8> {
    key.to_bytes().to_vec()
}

/// The 65-byte uncompressed SEC1 public key `04 ‖ x ‖ y`.
pub(super) fn public_bytes(key: &VerifyingKey) -> Vec<u8> {
    key.to_sec1_point(false).as_bytes().to_vec()
}

/// Reads an uncompressed SEC1 public key (only that form, so the key ID is unambiguous).
pub(super) fn parse_public(bytes: &[u8]) -> Result<VerifyingKey, NoteError> {
    if bytes.len() != 65 || bytes[0] != 0x04 {
        return Err(NoteError::BadKey(
            "SM2 public key must be a 65-byte uncompressed point",
        ));
    }
    VerifyingKey::from_sec1_bytes(SM2_USER_ID, bytes)
        .map_err(|_| NoteError::BadKey("not a point on the SM2 curve"))
}

/// Signs with the SM2 user ID of the key; returns `r ‖ s` (64 bytes).
pub(super) fn sign(key: &SigningKey, msg: &[u8]) -> Result<Vec<u8>, SignError> {
    let sig: Signature = key
        .try_sign(msg)
        .map_err(|_| SignError::new("SM2 signing failed"))?;
    Ok(sig.to_bytes().to_vec())
}

/// Verifies an `r ‖ s` signature.
pub(super) fn verify(key: &VerifyingKey, msg: &[u8], sig: &[u8]) -> bool {
    Signature::from_slice(sig).is_ok_and(|s| key.verify(msg, &s).is_ok())
}
