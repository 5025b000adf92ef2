//! Errors of signed notes, keys and checkpoints.

/// A signing module (software key, HSM, GM/T 0018 SDF device) failed to sign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("签名失败 (signing failed): {message}")]
pub struct SignError {
    /// What the module reported (never key material).
    pub message: String,
}

impl SignError {
    /// Builds an error from a message.
    pub fn new(message: impl Into<String>) -> Self {
        SignError {
            message: message.into(),
        }
    }
}

/// A note, key or checkpoint was malformed, or a signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// The note text or signature block does not follow c2sp.org/signed-note.
    #[error("签名便笺格式错误 (malformed signed note): {0}")]
    Malformed(&'static str),
    /// A key name is empty or contains a space or `+` (c2sp.org/signed-note).
    #[error("密钥名称不合法 (invalid key name): {0:?}")]
    BadKeyName(String),
    /// A verifier or private key text could not be read.
    #[error("密钥格式错误 (malformed key): {0}")]
    BadKey(&'static str),
    /// A key's stated key ID is not the one computed from its name and public key.
    #[error("密钥标识与公钥不符 (key ID does not match the key)")]
    KeyIdMismatch,
    /// The key's signature type is not one this crate implements.
    #[error("不支持的签名算法 (unsupported signature type)")]
    UnknownKeyType,
    /// No signature from a known key was found (c2sp.org/signed-note: MUST reject).
    #[error("没有受信任密钥的签名 (no signature from a trusted key)")]
    Unverified,
    /// A signature from a known key failed to verify: the note was altered or forged.
    #[error("密钥 {name} 的签名验证失败 (signature by {name} does not verify)")]
    BadSignature {
        /// The key name whose signature failed.
        name: String,
    },
    /// The checkpoint body does not follow c2sp.org/tlog-checkpoint.
    #[error("检查点格式错误 (malformed checkpoint): {0}")]
    Checkpoint(&'static str),
    /// Signing failed.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// The system random number generator failed during key generation.
    #[error("无法获取随机数 (system random number generator failed)")]
    Random,
}

impl NoteError {
    /// Stable machine code, e.g. `note.bad_signature`.
    pub fn code(&self) -> &'static str {
        match self {
            NoteError::Malformed(_) => "note.malformed",
            NoteError::BadKeyName(_) => "note.key_name",
            NoteError::BadKey(_) => "note.key_format",
            NoteError::KeyIdMismatch => "note.key_id_mismatch",
            NoteError::UnknownKeyType => "note.key_type",
            NoteError::Unverified => "note.unverified",
            NoteError::BadSignature { .. } => "note.bad_signature",
            NoteError::Checkpoint(_) => "checkpoint.malformed",
            NoteError::Sign(_) => "note.sign_failed",
            NoteError::Random => "note.random",
        }
    }
}
