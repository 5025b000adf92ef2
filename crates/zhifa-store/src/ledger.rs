//! The whole-process record (全过程记录, APL Art. 47; 国办发〔2018〕118号 “执法全过程记录”):
//! what a ledger leaf contains, and the records the ledger API and the audit return.
//!
//! Every `changes` row, every case event and every evidence file is one leaf of an RFC 9162
//! Merkle log. The log's hash function is a property of the log: SM3 (GB/T 32905, the default)
//! or SHA-256, chosen when the node's database is initialised, recorded in the `meta` row
//! [`LEDGER_HASH_KEY`] and fixed once the log has a leaf ([`crate::Store::init_ledger_hash`]).
//! The leaf data is the entry's **canonical byte encoding**, computed
//! from stored columns only, so the audit can re-hash the row as it is now and compare it with
//! what the signed tree committed to (docs/ledger.md defines the format):
//!
//! ```text
//! field(tag) ‖ field(col1) ‖ field(col2) ‖ …
//! field(None)    = 0x00
//! field(Some(s)) = 0x01 ‖ u32 big-endian byte length of s ‖ UTF-8 bytes of s
//! ```
//!
//! with the tag `zhifa-ledger/change/v1`, `zhifa-ledger/case-event/v1` or
//! `zhifa-ledger/evidence/v1` naming kind and version,
//! integers in decimal ASCII and JSON columns as the exact stored text.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zhifa_ledger::{Hash, HashAlg, leaf_hash};

/// The hash function of a log whose database records none: SM3 (GB/T 32905-2016).
pub const DEFAULT_LEDGER_HASH: HashAlg = HashAlg::Sm3;

/// The `meta` key that records the log's hash function (`sm3` or `sha256`).
pub const LEDGER_HASH_KEY: &str = "ledger_hash";

/// Tag (kind and version) of the canonical encoding of a change-log row.
pub const CHANGE_TAG: &str = "zhifa-ledger/change/v1";
/// Tag (kind and version) of the canonical encoding of an evidence file record.
pub const EVIDENCE_TAG: &str = "zhifa-ledger/evidence/v1";

/// Tag (kind and version) of the canonical encoding of a case event.
pub const CASE_EVENT_TAG: &str = "zhifa-ledger/case-event/v1";

/// Leaf kind of a change-log row (`ref` = `changes.seq` in decimal).
pub const KIND_CHANGE: &str = "change";
/// Leaf kind of an evidence file (`ref` = its SM3 in lowercase hex).
pub const KIND_EVIDENCE: &str = "evidence";
/// Leaf kind of a case event (`ref` = `case_events.seq` in decimal).
pub const KIND_CASE_EVENT: &str = "case_event";

/// Length-prefixed field encoder of the canonical leaf data, appending to a buffer.
struct Encoder<'o>(&'o mut Vec<u8>);

impl Encoder<'_> {
    fn field(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            None => self.0.push(0),
            Some(s) => {
                self.0.push(1);
                // Columns are far below 4 GiB; saturate rather than wrap if one ever is not.
                let len = u32::try_from(s.len()).unwrap_or(u32::MAX);
                self.0.extend_from_slice(&len.to_be_bytes());
                self.0.extend_from_slice(s.as_bytes());
            }
        }
        self
    }

    /// An integer column in decimal ASCII.
    fn int(&mut self, value: i64) -> &mut Self {
        use std::io::Write;
        let mut digits = [0u8; 20];
        let mut cursor = std::io::Cursor::new(&mut digits[..]);
        // 20 bytes hold every i64 in decimal.
        let _ = write!(cursor, "{value}");
        let n = cursor.position() as usize;
        self.0.push(1);
        self.0.extend_from_slice(&(n as u32).to_be_bytes());
        self.0.extend_from_slice(&digits[..n]);
        self
    }
}

/// The columns of a `changes` row, borrowed: what `zhifa-ledger/change/v1` encodes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChangeFields<'a> {
    pub seq: i64,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub action: &'a str,
    pub actor: &'a str,
    pub ip: Option<&'a str>,
    pub at: &'a str,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

impl ChangeFields<'_> {
    /// Appends the canonical byte encoding `zhifa-ledger/change/v1` to `out`.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        Encoder(out)
            .field(Some(CHANGE_TAG))
            .int(self.seq)
            .field(Some(self.entity))
            .field(Some(self.entity_id))
            .field(Some(self.action))
            .field(Some(self.actor))
            .field(self.ip)
            .field(Some(self.at))
            .field(self.before)
            .field(self.after);
    }

    /// The owned row (for reports).
    pub(crate) fn to_row(self) -> ChangeRow {
        ChangeRow {
            seq: self.seq,
            entity: self.entity.to_string(),
            entity_id: self.entity_id.to_string(),
            action: self.action.to_string(),
            actor: self.actor.to_string(),
            ip: self.ip.map(str::to_string),
            at: self.at.to_string(),
            before: self.before.map(str::to_string),
            after: self.after.map(str::to_string),
        }
    }
}

/// The columns of a `case_events` row, borrowed: what `zhifa-ledger/case-event/v1` encodes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CaseEventFields<'a> {
    pub seq: i64,
    pub case_id: &'a str,
    pub version: i64,
    pub kind: &'a str,
    pub actor: &'a str,
    pub role: &'a str,
    pub at: &'a str,
    pub place: Option<&'a str>,
    pub idempotency_key: &'a str,
    pub payload: &'a str,
}

impl CaseEventFields<'_> {
    /// Appends the canonical byte encoding `zhifa-ledger/case-event/v1` to `out`.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        Encoder(out)
            .field(Some(CASE_EVENT_TAG))
            .int(self.seq)
            .field(Some(self.case_id))
            .int(self.version)
            .field(Some(self.kind))
            .field(Some(self.actor))
            .field(Some(self.role))
            .field(Some(self.at))
            .field(self.place)
            .field(Some(self.idempotency_key))
            .field(Some(self.payload));
    }

    /// The owned row (for reports).
    pub(crate) fn to_row(self) -> CaseEventRow {
        CaseEventRow {
            seq: self.seq,
            case_id: self.case_id.to_string(),
            version: self.version,
            kind: self.kind.to_string(),
            actor: self.actor.to_string(),
            role: self.role.to_string(),
            at: self.at.to_string(),
            place: self.place.map(str::to_string),
            idempotency_key: self.idempotency_key.to_string(),
            payload: self.payload.to_string(),
        }
    }
}

/// A `changes` row exactly as stored (JSON columns as their stored text), the unit a change
/// leaf commits to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChangeRow {
    /// Position in the change log.
    pub seq: i64,
    /// Entity kind, e.g. `subject`.
    pub entity: String,
    /// Id of the changed record.
    pub entity_id: String,
    /// `create`, `update`, `deactivate`, `import`.
    pub action: String,
    /// Acting user.
    pub actor: String,
    /// Client address.
    pub ip: Option<String>,
    /// Time (RFC 3339, UTC+8).
    pub at: String,
    /// Record before, JSON text as stored.
    pub before: Option<String>,
    /// Record after, JSON text as stored.
    pub after: Option<String>,
}

impl ChangeRow {
    /// The canonical byte encoding `zhifa-ledger/change/v1` of this row.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.fields().encode(&mut out);
        out
    }

    /// The columns, borrowed.
    pub(crate) fn fields(&self) -> ChangeFields<'_> {
        ChangeFields {
            seq: self.seq,
            entity: &self.entity,
            entity_id: &self.entity_id,
            action: &self.action,
            actor: &self.actor,
            ip: self.ip.as_deref(),
            at: &self.at,
            before: self.before.as_deref(),
            after: self.after.as_deref(),
        }
    }

    /// `H(0x00 ‖ canonical bytes)` with the log's hash function `alg`.
    pub fn leaf_hash(&self, alg: HashAlg) -> Hash {
        leaf_hash(alg, &self.canonical_bytes())
    }
}

/// A `case_events` row exactly as stored (the payload as its stored text, party data
/// encrypted), the unit a case-event leaf commits to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CaseEventRow {
    /// Global sequence number.
    pub seq: i64,
    /// Case id.
    pub case_id: String,
    /// Position in the case (1-based).
    pub version: i64,
    /// Event kind, e.g. `case_filed`.
    pub kind: String,
    /// Acting user.
    pub actor: String,
    /// Actor's role.
    pub role: String,
    /// Time given with the command (RFC 3339).
    pub at: String,
    /// Place given with the command.
    pub place: Option<String>,
    /// Idempotency key of the command.
    pub idempotency_key: String,
    /// Event JSON as stored.
    pub payload: String,
}

impl CaseEventRow {
    /// The canonical byte encoding `zhifa-ledger/case-event/v1` of this row.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        CaseEventFields {
            seq: self.seq,
            case_id: &self.case_id,
            version: self.version,
            kind: &self.kind,
            actor: &self.actor,
            role: &self.role,
            at: &self.at,
            place: self.place.as_deref(),
            idempotency_key: &self.idempotency_key,
            payload: &self.payload,
        }
        .encode(&mut out);
        out
    }

    /// `H(0x00 ‖ canonical bytes)` with the log's hash function `alg`.
    pub fn leaf_hash(&self, alg: HashAlg) -> Hash {
        leaf_hash(alg, &self.canonical_bytes())
    }
}

/// An evidence file as recorded (证据文件): content-addressed by SM3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Evidence {
    /// SM3 of the file content, lowercase hex (64 digits).
    pub sm3: String,
    /// Size in bytes.
    pub size: i64,
    /// Media type given at upload, e.g. `image/jpeg`.
    pub media_type: String,
    /// File name given at upload.
    pub original_name: Option<String>,
    /// Path under the evidence directory (`ab/cdef…`).
    pub stored_path: String,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// Time of upload (RFC 3339, UTC+8).
    pub at: String,
    /// Its leaf in the ledger.
    pub leaf_index: i64,
}

impl Evidence {
    /// The canonical byte encoding `zhifa-ledger/evidence/v1` (the stored path and the leaf
    /// index are where the file is kept, not what it is, and are left out).
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        Encoder(&mut out)
            .field(Some(EVIDENCE_TAG))
            .field(Some(&self.sm3))
            .int(self.size)
            .field(Some(&self.media_type))
            .field(self.original_name.as_deref())
            .field(Some(&self.uploaded_by))
            .field(Some(&self.at));
        out
    }

    /// `H(0x00 ‖ canonical bytes)` with the log's hash function `alg`.
    pub fn leaf_hash(&self, alg: HashAlg) -> Hash {
        leaf_hash(alg, &self.canonical_bytes())
    }
}

/// A stored signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StoredCheckpoint {
    /// Tree size it signs.
    pub tree_size: i64,
    /// Root hash, hex.
    pub root: String,
    /// The signed note text (c2sp.org/tlog-checkpoint).
    pub note: String,
    /// When it was signed (RFC 3339, UTC+8).
    pub at: String,
}

/// One leaf as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LeafRow {
    /// Index in the log (0-based).
    pub leaf_index: i64,
    /// `change` or `evidence`.
    pub kind: String,
    /// `changes.seq` or the evidence SM3.
    pub reference: String,
    /// Stored leaf hash, hex (the audit recomputes it).
    pub leaf_hash: String,
    /// When it was appended.
    pub at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> ChangeRow {
        ChangeRow {
            seq: 7,
            entity: "subject".into(),
            entity_id: "id-1".into(),
            action: "create".into(),
            actor: "admin".into(),
            ip: None,
            at: "2026-01-02T03:04:05.000+08:00".into(),
            before: None,
            after: Some("{\"a\":1}".into()),
        }
    }

    #[test]
    fn change_encoding_is_length_prefixed_and_versioned() {
        let bytes = row().canonical_bytes();
        let tag = CHANGE_TAG.as_bytes();
        assert_eq!(bytes[0], 1);
        assert_eq!(&bytes[1..5], &(tag.len() as u32).to_be_bytes());
        assert_eq!(&bytes[5..5 + tag.len()], tag);
        assert_eq!(
            &bytes[5 + tag.len()..5 + tag.len() + 6],
            &[1, 0, 0, 0, 1, b'7']
        );
        assert_eq!(bytes.last(), Some(&b'}'));
    }

    #[test]
    fn the_hash_function_is_the_log_s() {
        let r = row();
        let bytes = r.canonical_bytes();
        assert_eq!(
            r.leaf_hash(HashAlg::Sha256),
            leaf_hash(HashAlg::Sha256, &bytes)
        );
        assert_eq!(r.leaf_hash(HashAlg::Sm3), leaf_hash(HashAlg::Sm3, &bytes));
        assert_ne!(r.leaf_hash(HashAlg::Sm3), r.leaf_hash(HashAlg::Sha256));
        assert_eq!(DEFAULT_LEDGER_HASH, HashAlg::Sm3);
    }

    #[test]
    fn integers_are_decimal_text_fields() {
        for n in [0i64, 7, -1, i64::MAX, i64::MIN] {
            let mut a = Vec::new();
            Encoder(&mut a).int(n);
            let mut b = Vec::new();
            Encoder(&mut b).field(Some(&n.to_string()));
            assert_eq!(a, b, "{n}");
        }
    }

    #[test]
    fn every_column_changes_the_leaf() {
        let base = row().leaf_hash(DEFAULT_LEDGER_HASH);
        let mut r = row();
        r.seq = 8;
        assert_ne!(r.leaf_hash(DEFAULT_LEDGER_HASH), base);
        let mut r = row();
        r.ip = Some(String::new());
        assert_ne!(
            r.leaf_hash(DEFAULT_LEDGER_HASH),
            base,
            "absent and empty differ"
        );
        let mut r = row();
        r.after = Some("{\"a\":2}".into());
        assert_ne!(r.leaf_hash(DEFAULT_LEDGER_HASH), base);
        // Moving bytes between adjacent fields changes the encoding.
        let mut a = row();
        a.entity = "subjec".into();
        a.entity_id = "tid-1".into();
        assert_ne!(a.leaf_hash(DEFAULT_LEDGER_HASH), base);
    }

    #[test]
    fn every_case_event_column_changes_the_leaf() {
        let row = CaseEventRow {
            seq: 3,
            case_id: "c".into(),
            version: 2,
            kind: "case_filed".into(),
            actor: "u".into(),
            role: "head".into(),
            at: "2026-03-02T10:00:00.000+08:00".into(),
            place: None,
            idempotency_key: "k".into(),
            payload: "{}".into(),
        };
        let base = row.leaf_hash(DEFAULT_LEDGER_HASH);
        let edits: [fn(&mut CaseEventRow); 10] = [
            |r| r.seq = 4,
            |r| r.case_id = "d".into(),
            |r| r.version = 3,
            |r| r.kind = "case_closed".into(),
            |r| r.actor = "v".into(),
            |r| r.role = "officer".into(),
            |r| r.at = "2026-03-03T10:00:00.000+08:00".into(),
            |r| r.place = Some(String::new()),
            |r| r.idempotency_key = "l".into(),
            |r| r.payload = "{ }".into(),
        ];
        for edit in edits {
            let mut r = row.clone();
            edit(&mut r);
            assert_ne!(r.leaf_hash(DEFAULT_LEDGER_HASH), base, "{r:?}");
        }
        assert_ne!(
            row.leaf_hash(DEFAULT_LEDGER_HASH),
            row_change_like(&row),
            "tags separate the kinds"
        );
    }

    fn row_change_like(e: &CaseEventRow) -> Hash {
        ChangeRow {
            seq: e.seq,
            entity: e.case_id.clone(),
            entity_id: e.version.to_string(),
            action: e.kind.clone(),
            actor: e.actor.clone(),
            ip: Some(e.role.clone()),
            at: e.at.clone(),
            before: e.place.clone(),
            after: Some(e.payload.clone()),
        }
        .leaf_hash(DEFAULT_LEDGER_HASH)
    }
}
