//! Signed notes (<https://c2sp.org/signed-note>): text followed by a blank line and one or
//! more signature lines `— <key name> <base64(4-byte key ID ‖ signature)>`.
//!
//! Signing and verifying go through the [`NoteSigner`] and [`NoteVerifier`] traits, so a
//! certified cryptographic module (GM/T 0018 SDF device, HSM) can replace the software keys
//! of [`keys`] without changing anything else.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

mod error;
pub mod keys;

pub use error::{NoteError, SignError};

/// The em dash and space that open a signature line (U+2014 U+0020).
const SIG_PREFIX: &str = "\u{2014} ";
/// More signatures than this make a note malformed (c2sp.org/signed-note asks for ≥ 16).
pub const MAX_SIGNATURES: usize = 100;

/// Something that signs note text under a key name (c2sp.org/signed-note).
pub trait NoteSigner {
    /// The key name, e.g. the log origin `zhifa.example.gov.cn/ledger`.
    fn name(&self) -> &str;
    /// The 4-byte key ID (see [`keys::key_id`]).
    fn key_id(&self) -> [u8; 4];
    /// Signs the note text; returns the bare signature (without the key ID).
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, SignError>;
}

/// Something that checks signatures of one key (c2sp.org/signed-note).
pub trait NoteVerifier {
    /// The key name.
    fn name(&self) -> &str;
    /// The 4-byte key ID.
    fn key_id(&self) -> [u8; 4];
    /// Whether `sig` is a valid signature of `msg` by this key.
    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool;
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// Key name.
    pub name: String,
    /// Key ID (first four bytes of the base64 payload).
    pub key_id: [u8; 4],
    /// The signature bytes after the key ID.
    pub signature: Vec<u8>,
}

/// A parsed note: its text and its signature lines, not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    text: String,
    signatures: Vec<NoteSignature>,
}

/// Key names are non-empty and contain no Unicode space and no `+` (c2sp.org/signed-note).
pub fn check_key_name(name: &str) -> Result<(), NoteError> {
    let bad = name.is_empty()
        || name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control());
    if bad {
        Err(NoteError::BadKeyName(name.chars().take(64).collect()))
    } else {
        Ok(())
    }
}

fn check_text(text: &str) -> Result<(), NoteError> {
    if !text.ends_with('\n') {
        return Err(NoteError::Malformed("text must end with a newline"));
    }
    if text.chars().any(|c| c.is_ascii_control() && c != '\n') {
        return Err(NoteError::Malformed(
            "control characters other than newline are not allowed",
        ));
    }
    Ok(())
}

impl Note {
    /// An unsigned note with the given text, which must end with a newline and contain no
    /// control character other than newline.
    pub fn new(text: impl Into<String>) -> Result<Self, NoteError> {
        let text = text.into();
        check_text(&text)?;
        Ok(Note {
            text,
            signatures: Vec::new(),
        })
    }

    /// Splits a signed note into text and signature lines. Checks the syntax only; call
    /// [`Note::verify`] before trusting the text.
    pub fn parse(note: &str) -> Result<Self, NoteError> {
        check_text(note)?;
        // The text is separated from the signatures by the last empty line.
        let split = note
            .rfind("\n\n")
            .ok_or(NoteError::Malformed("no blank line before the signatures"))?;
        let text = &note[..split + 1];
        let block = &note[split + 2..];
        let mut signatures = Vec::new();
        for line in block.split_terminator('\n') {
            if signatures.len() == MAX_SIGNATURES {
                return Err(NoteError::Malformed("too many signatures"));
            }
            signatures.push(parse_signature_line(line)?);
        }
        if signatures.is_empty() {
            return Err(NoteError::Malformed("no signature lines"));
        }
        Ok(Note {
            text: text.to_string(),
            signatures,
        })
    }

    /// The signed text, including its final newline.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signature lines, in order.
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// Adds a signature line by `signer` (e.g. a parent node's witness cosignature).
    pub fn sign(&mut self, signer: &dyn NoteSigner) -> Result<(), NoteError> {
        check_key_name(signer.name())?;
        if self.signatures.len() == MAX_SIGNATURES {
            return Err(NoteError::Malformed("too many signatures"));
        }
        let signature = signer.sign(self.text.as_bytes())?;
        self.signatures.push(NoteSignature {
            name: signer.name().to_string(),
            key_id: signer.key_id(),
            signature,
        });
        Ok(())
    }

    /// Verifies the note against trusted keys, following c2sp.org/signed-note: signatures of
    /// unknown keys (name and key ID not both matching) are ignored; a failing signature of a
    /// known key rejects the note; at least one known key must have signed. Returns the names
    /// of the keys whose signatures verified, in order of appearance.
    pub fn verify(&self, verifiers: &[&dyn NoteVerifier]) -> Result<Vec<String>, NoteError> {
        let mut verified: Vec<String> = Vec::new();
        for sig in &self.signatures {
            let known = verifiers
                .iter()
                .find(|v| v.name() == sig.name && v.key_id() == sig.key_id);
            let Some(verifier) = known else { continue };
            if !verifier.verify(self.text.as_bytes(), &sig.signature) {
                return Err(NoteError::BadSignature {
                    name: sig.name.clone(),
                });
            }
            if !verified.contains(&sig.name) {
                verified.push(sig.name.clone());
            }
        }
        if verified.is_empty() {
            return Err(NoteError::Unverified);
        }
        Ok(verified)
    }
}

fn parse_signature_line(line: &str) -> Result<NoteSignature, NoteError> {
    let rest = line.strip_prefix(SIG_PREFIX).ok_or(NoteError::Malformed(
        "signature line must start with an em dash and a space",
    ))?;
    let (name, b64) = rest.split_once(' ').ok_or(NoteError::Malformed(
        "signature line needs a key name and a signature",
    ))?;
    check_key_name(name)?;
    let raw = STANDARD
        .decode(b64)
        .map_err(|_| NoteError::Malformed("signature is not base64"))?;
    if raw.len() < 5 {
        return Err(NoteError::Malformed("signature is too short"));
    }
    let (id, signature) = raw.split_at(4);
    let key_id = [id[0], id[1], id[2], id[3]];
    Ok(NoteSignature {
        name: name.to_string(),
        key_id,
        signature: signature.to_vec(),
    })
}

impl fmt::Display for Note {
    /// The signed-note text: the text, a blank line, one line per signature.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)?;
        f.write_str("\n")?;
        for sig in &self.signatures {
            let mut raw = Vec::with_capacity(4 + sig.signature.len());
            raw.extend_from_slice(&sig.key_id);
            raw.extend_from_slice(&sig.signature);
            writeln!(f, "{SIG_PREFIX}{} {}", sig.name, STANDARD.encode(raw))?;
        }
        Ok(())
    }
}
