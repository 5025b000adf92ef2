//! Private note keys held in software.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::Signer as _;

use super::{KeyAlg, PublicKey, VerifierKey, key_id, sm2_key, split_key_text};
use crate::note::{NoteError, NoteSigner, SignError, check_key_name};

enum SecretKey {
    Ed25519(Box<ed25519_dalek::SigningKey>),
    Sm2(Box<sm2::dsa::SigningKey>),
}

/// A private note key held in process memory. Its `Debug` output never shows the secret.
pub struct SoftwareSigner {
    name: String,
    key_id: [u8; 4],
    key: SecretKey,
}

impl SoftwareSigner {
    /// Generates a new key from the operating system's random number generator.
    pub fn generate(alg: KeyAlg, name: &str) -> Result<Self, NoteError> {
        check_key_name(name)?;
        let key = match alg {
            KeyAlg::Ed25519 => {
                let mut seed = [0u8; 32];
                getrandom::fill(&mut seed).map_err(|_| NoteError::Random)?;
                SecretKey::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(&seed)))
            }
            KeyAlg::Sm2 => SecretKey::Sm2(Box::new(sm2_key::generate()?)),
        };
        Ok(Self::with_key(name, key))
    }

    fn with_key(name: &str, key: SecretKey) -> Self {
        let public = Self::public_of(&key);
        let key_id = key_id(name, public.alg().type_bytes(), &public.to_bytes());
        SoftwareSigner {
            name: name.to_string(),
            key_id,
            key,
        }
    }

    fn public_of(key: &SecretKey) -> PublicKey {
        match key {
            SecretKey::Ed25519(k) => PublicKey::Ed25519(k.verifying_key()),
            SecretKey::Sm2(k) => PublicKey::Sm2(Box::new(k.verifying_key().clone())),
        }
    }

    /// Reads `PRIVATE+KEY+<name>+<hex key ID>+<base64(type ‖ secret)>`.
    pub fn from_private_text(text: &str) -> Result<Self, NoteError> {
        let rest = text
            .trim_end()
            .strip_prefix("PRIVATE+KEY+")
            .ok_or(NoteError::BadKey(
                "private key must start with PRIVATE+KEY+",
            ))?;
        let (name, id, raw) = split_key_text(rest)?;
        let (alg, secret) = KeyAlg::split(&raw)?;
        let key = match alg {
            KeyAlg::Ed25519 => {
                let seed: &[u8; 32] = secret
                    .try_into()
                    .map_err(|_| NoteError::BadKey("Ed25519 seed must be 32 bytes"))?;
                SecretKey::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(seed)))
            }
            KeyAlg::Sm2 => SecretKey::Sm2(Box::new(sm2_key::parse_secret(secret)?)),
        };
        let signer = Self::with_key(name, key);
        if signer.key_id != id {
            return Err(NoteError::KeyIdMismatch);
        }
        Ok(signer)
    }

    /// The private key text `PRIVATE+KEY+<name>+<hex key ID>+<base64(type ‖ secret)>`.
    /// Secret material: write it only to a file with 0600 permissions.
    pub fn to_private_text(&self) -> String {
        let mut raw = self.alg().type_bytes().to_vec();
        match &self.key {
            SecretKey::Ed25519(k) => raw.extend_from_slice(&k.to_bytes()),
            SecretKey::Sm2(k) => raw.extend_from_slice(&sm2_key::secret_bytes(k)),
        }
        let id = hex::encode(self.key_id);
        format!("PRIVATE+KEY+{}+{id}+{}", self.name, STANDARD.encode(raw))
    }

    /// The signature algorithm.
    pub fn alg(&self) -> KeyAlg {
        Self::public_of(&self.key).alg()
    }

    /// The matching public verifier key.
    pub fn verifier(&self) -> VerifierKey {
        VerifierKey {
            name: self.name.clone(),
            key_id: self.key_id,
            key: Self::public_of(&self.key),
        }
    }
}

impl fmt::Debug for SoftwareSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftwareSigner")
            .field("name", &self.name)
            .field("key_id", &hex::encode(self.key_id))
            .field("alg", &self.alg())
            .finish_non_exhaustive()
    }
}

impl NoteSigner for SoftwareSigner {
    fn name(&self) -> &str {
        &self.name
    }

    fn key_id(&self) -> [u8; 4] {
        self.key_id
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, SignError> {
        match &self.key {
            SecretKey::Ed25519(k) => Ok(k.sign(msg).to_bytes().to_vec()),
            SecretKey::Sm2(k) => sm2_key::sign(k, msg),
        }
    }
}
