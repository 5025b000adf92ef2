//! Log checkpoints (<https://c2sp.org/tlog-checkpoint>): a signed note whose text is
//!
//! ```text
//! <origin>
//! <tree size in decimal, no leading zeros>
//! <base64 root hash>
//! [<extension line>…]
//! ```
//!
//! The root is the RFC 9162 tree head with the log's hash (SM3 or SHA-256); the checkpoint text
//! does not name the hash, which is a property of the log the origin identifies.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::hash::{Hash, HashAlg};
use crate::note::{Note, NoteError, NoteSigner, NoteVerifier};
use crate::verify::{ProofError, verify_consistency, verify_inclusion};

/// A log's signed tree head: origin, size and root, plus optional extension lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    origin: String,
    size: u64,
    root: Hash,
    extensions: Vec<String>,
}

fn check_line(line: &str, what: &'static str) -> Result<(), NoteError> {
    if line.is_empty() || line.chars().any(|c| c.is_control()) {
        Err(NoteError::Checkpoint(what))
    } else {
        Ok(())
    }
}

const BAD_ORIGIN: &str = "origin must be a non-empty line";
const BAD_EXTENSION: &str = "extension lines must be non-empty";

impl Checkpoint {
    /// A checkpoint of `size` leaves with root `root`. The origin names the log, e.g.
    /// `zhifa.example.gov.cn/ledger`; it must be a non-empty line.
    pub fn new(origin: impl Into<String>, size: u64, root: Hash) -> Result<Self, NoteError> {
        let origin = origin.into();
        check_line(&origin, BAD_ORIGIN)?;
        Ok(Checkpoint {
            origin,
            size,
            root,
            extensions: Vec::new(),
        })
    }

    /// Adds an extension line (opaque, non-empty; c2sp.org/tlog-checkpoint does not recommend
    /// them as monitors cannot audit them).
    pub fn with_extension(mut self, line: impl Into<String>) -> Result<Self, NoteError> {
        let line = line.into();
        check_line(&line, BAD_EXTENSION)?;
        self.extensions.push(line);
        Ok(self)
    }

    /// The log's origin line.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The tree size.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The root hash.
    pub fn root(&self) -> Hash {
        self.root
    }

    /// The extension lines.
    pub fn extensions(&self) -> &[String] {
        &self.extensions
    }

    /// The note text: origin, size, base64 root, extensions, each ending with a newline.
    pub fn to_body(&self) -> String {
        let mut body = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root.0)
        );
        for line in &self.extensions {
            body.push_str(line);
            body.push('\n');
        }
        body
    }

    /// Reads a checkpoint body strictly (c2sp.org/tlog-checkpoint "Note text").
    pub fn parse_body(text: &str) -> Result<Self, NoteError> {
        let lines = text
            .strip_suffix('\n')
            .ok_or(NoteError::Checkpoint("text must end with a newline"))?;
        let mut lines = lines.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(NoteError::Checkpoint("needs origin, size and root lines"));
        };
        let mut checkpoint = Checkpoint::new(origin, parse_size(size)?, parse_root(root)?)?;
        for line in lines {
            checkpoint = checkpoint.with_extension(line)?;
        }
        Ok(checkpoint)
    }

    /// Signs the checkpoint with one or more keys and returns the signed-note text.
    pub fn sign(&self, signers: &[&dyn NoteSigner]) -> Result<String, NoteError> {
        if signers.is_empty() {
            return Err(NoteError::Malformed("a note needs at least one signature"));
        }
        let mut note = Note::new(self.to_body())?;
        for signer in signers {
            note.sign(*signer)?;
        }
        Ok(note.to_string())
    }

    /// Parses a signed checkpoint, verifies it against trusted keys (c2sp.org/signed-note
    /// rules: unknown keys ignored, any failing known key rejects, at least one known key
    /// required) and returns it with the names of the keys that verified.
    pub fn parse_and_verify(
        note_text: &str,
        verifiers: &[&dyn NoteVerifier],
    ) -> Result<(Checkpoint, Vec<String>), NoteError> {
        let note = Note::parse(note_text)?;
        let names = note.verify(verifiers)?;
        Ok((Checkpoint::parse_body(note.text())?, names))
    }

    /// Checks that `leaf_hash` is leaf `leaf_index` of the tree this checkpoint signs
    /// (size and root together, RFC 9162 §2.1.3.2).
    pub fn verify_inclusion(
        &self,
        alg: HashAlg,
        leaf_hash: &Hash,
        leaf_index: u64,
        proof: &[Hash],
    ) -> Result<(), ProofError> {
        verify_inclusion(alg, leaf_hash, leaf_index, self.size, proof, &self.root)
    }

    /// Checks that this checkpoint's tree is a prefix of `newer`'s (RFC 9162 §2.1.4.2).
    pub fn verify_consistency(
        &self,
        alg: HashAlg,
        newer: &Checkpoint,
        proof: &[Hash],
    ) -> Result<(), ProofError> {
        verify_consistency(alg, self.size, newer.size, proof, &self.root, &newer.root)
    }
}

fn parse_size(line: &str) -> Result<u64, NoteError> {
    const BAD: NoteError = NoteError::Checkpoint("tree size must be decimal without leading zeros");
    let canonical = !line.is_empty()
        && line.bytes().all(|b| b.is_ascii_digit())
        && (line == "0" || !line.starts_with('0'));
    if !canonical {
        return Err(BAD);
    }
    line.parse().map_err(|_| BAD)
}

fn parse_root(line: &str) -> Result<Hash, NoteError> {
    const BAD: NoteError = NoteError::Checkpoint("root must be base64 of 32 bytes");
    let raw = STANDARD.decode(line).map_err(|_| BAD)?;
    Hash::from_slice(&raw).map_err(|_| BAD)
}
