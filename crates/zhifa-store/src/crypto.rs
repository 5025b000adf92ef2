//! Field encryption for personal data at rest (citizen ID numbers, phones): SM4-GCM
//! (GB/T 32907 block cipher in GCM mode) behind a trait, so a certified cryptographic module
//! (GM/T 0018 SDF / HSM) can replace the software implementation.

use aes_gcm::AesGcm;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use hmac::{Hmac, Mac};
use sm4::cipher::consts::U12;

use crate::StoreError;

/// Encrypts protected fields and computes blind indexes for exact-match lookup.
pub trait FieldCipher: Send + Sync + std::fmt::Debug {
    /// Encrypts `plaintext`, binding it to `aad` (e.g. `officer.citizen_id`). Output carries
    /// its own random nonce.
    fn encrypt(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, StoreError>;
    /// Decrypts what `encrypt` produced with the same `aad`.
    fn decrypt(&self, ciphertext: &[u8], aad: &[u8]) -> Result<Vec<u8>, StoreError>;
    /// Keyed hash (HMAC-SM3, hex) for uniqueness checks and lookups without decrypting.
    fn blind_index(&self, data: &[u8]) -> String;
}

/// SM4 in GCM mode with the usual 96-bit nonce (GB/T 32907 block cipher, NIST SP 800-38D mode).
type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

/// HMAC (RFC 2104 / GB/T 15852.2) over SM3 (GB/T 32905).
type HmacSm3 = Hmac<sm3::Sm3>;

/// Length of the random nonce prefixed to every ciphertext.
const NONCE_LEN: usize = 12;

/// Length of the GCM authentication tag appended to every ciphertext.
const TAG_LEN: usize = 16;

/// Label from which the blind-index key is derived, so the encryption key is never used as a
/// MAC key directly.
const BLIND_INDEX_LABEL: &[u8] = b"zhifa/blind-index/v1";

/// Software SM4-GCM with a 128-bit key. Output layout: `nonce (12) ‖ ciphertext ‖ tag (16)`.
/// Blind indexes are HMAC-SM3 under a key derived from the same master key
/// (`HMAC-SM3(key, "zhifa/blind-index/v1")`).
pub struct Sm4GcmCipher {
    key: [u8; 16],
    mac_key: [u8; 32],
}

impl std::fmt::Debug for Sm4GcmCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sm4GcmCipher(<key hidden>)")
    }
}

impl Sm4GcmCipher {
    /// A cipher with the given key.
    pub fn new(key: [u8; 16]) -> Self {
        let mac_key = hmac_sm3(&key, BLIND_INDEX_LABEL);
        Sm4GcmCipher { key, mac_key }
    }

    /// A fresh random key.
    pub fn generate_key() -> [u8; 16] {
        let mut k = [0u8; 16];
        getrandom::fill(&mut k).expect("operating system random source");
        k
    }

    fn aead(&self) -> Sm4Gcm {
        Sm4Gcm::new(&self.key.into())
    }
}

impl FieldCipher for Sm4GcmCipher {
    fn encrypt(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, StoreError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce)
            .map_err(|e| StoreError::Crypto(format!("无法取得随机数：{e}")))?;
        let sealed = self
            .aead()
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| StoreError::Crypto("SM4-GCM 加密失败".into()))?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    fn decrypt(&self, ciphertext: &[u8], aad: &[u8]) -> Result<Vec<u8>, StoreError> {
        if ciphertext.len() < NONCE_LEN + TAG_LEN {
            return Err(StoreError::Crypto("密文长度不足".into()));
        }
        let (nonce, sealed) = ciphertext.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce
            .try_into()
            .map_err(|_| StoreError::Crypto("密文随机数长度错误".into()))?;
        self.aead()
            .decrypt(&nonce.into(), Payload { msg: sealed, aad })
            .map_err(|_| StoreError::Crypto("SM4-GCM 解密失败：密钥不符或密文被篡改".into()))
    }

    fn blind_index(&self, data: &[u8]) -> String {
        hex::encode(hmac_sm3(&self.mac_key, data))
    }
}

/// HMAC-SM3 of `data` under `key`.
pub(crate) fn hmac_sm3(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length (longer keys are hashed first), so this cannot fail.
    let mut mac = <HmacSm3 as hmac::KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(data);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sm4::cipher::{Array, BlockCipherEncrypt};

    /// GB/T 32907-2016 Appendix A, example 1: key = plaintext = 0123456789abcdeffedcba9876543210.
    #[test]
    fn sm4_known_answer_gbt_32907() {
        let key = hex::decode("0123456789abcdeffedcba9876543210").expect("hex");
        let cipher = <sm4::Sm4 as sm4::cipher::KeyInit>::new_from_slice(&key).expect("key");
        let mut block = Array::try_from(&key[..]).expect("block");
        cipher.encrypt_block(&mut block);
        assert_eq!(hex::encode(block), "681edf34d206965e86b3e94f536e4246");
    }

    /// HMAC-SM3 computed by the `hmac` crate equals the RFC 2104 construction written out by
    /// hand over `sm3`.
    #[test]
    fn hmac_sm3_matches_rfc_2104_construction() {
        use sm3::{Digest, Sm3};
        let key = b"zhifa test key";
        let data = "110101199003070014".as_bytes();
        let mut k0 = [0u8; 64];
        k0[..key.len()].copy_from_slice(key);
        let ipad: Vec<u8> = k0.iter().map(|b| b ^ 0x36).collect();
        let opad: Vec<u8> = k0.iter().map(|b| b ^ 0x5c).collect();
        let inner = Sm3::new().chain_update(&ipad).chain_update(data).finalize();
        let outer = Sm3::new()
            .chain_update(&opad)
            .chain_update(inner)
            .finalize();
        assert_eq!(hmac_sm3(key, data).as_slice(), outer.as_slice());
    }

    #[test]
    fn gcm_round_trip_with_fresh_nonce() {
        let c = Sm4GcmCipher::new(Sm4GcmCipher::generate_key());
        let a = c
            .encrypt("110101199003070014".as_bytes(), b"officer.citizen_id")
            .expect("enc");
        let b = c
            .encrypt("110101199003070014".as_bytes(), b"officer.citizen_id")
            .expect("enc");
        assert_ne!(a, b, "a fresh nonce makes every ciphertext different");
        assert_eq!(a.len(), NONCE_LEN + 18 + TAG_LEN);
        let p = c.decrypt(&a, b"officer.citizen_id").expect("dec");
        assert_eq!(p, "110101199003070014".as_bytes());
    }

    #[test]
    fn gcm_rejects_tampering_wrong_aad_and_wrong_key() {
        let c = Sm4GcmCipher::new([7u8; 16]);
        let mut ct = c.encrypt(b"13800138000", b"officer.phone").expect("enc");
        assert!(
            c.decrypt(&ct, b"officer.citizen_id").is_err(),
            "aad is bound"
        );
        assert!(
            Sm4GcmCipher::new([8u8; 16])
                .decrypt(&ct, b"officer.phone")
                .is_err()
        );
        assert!(c.decrypt(&ct[..20], b"officer.phone").is_err(), "truncated");
        let last = ct.len() - 1;
        ct[last] ^= 1;
        assert!(c.decrypt(&ct, b"officer.phone").is_err(), "tag flipped");
        ct[last] ^= 1;
        ct[NONCE_LEN] ^= 0x80;
        assert!(
            c.decrypt(&ct, b"officer.phone").is_err(),
            "ciphertext flipped"
        );
    }

    #[test]
    fn blind_index_is_keyed_and_deterministic() {
        let a = Sm4GcmCipher::new([1u8; 16]);
        let b = Sm4GcmCipher::new([2u8; 16]);
        let id = "110101199003070014".as_bytes();
        assert_eq!(a.blind_index(id), a.blind_index(id));
        assert_ne!(a.blind_index(id), b.blind_index(id));
        assert_eq!(a.blind_index(id).len(), 64);
        assert!(!a.blind_index(id).contains("110101"));
    }

    #[test]
    fn debug_hides_the_key() {
        let c = Sm4GcmCipher::new([0xAB; 16]);
        assert_eq!(format!("{c:?}"), "Sm4GcmCipher(<key hidden>)");
    }
}
