//! The whole-process record (全过程记录, APL Art. 47; 国办发〔2018〕118号 “执法全过程记录”):
//! what a ledger leaf contains, and the records the ledger API and the audit return.
//!
//! Every `changes` row, every case event and every evidence file is one leaf of an RFC 9162 Merkle log hashed
//! with SM3 (GB/T 32905). The leaf data is the entry's **canonical byte encoding**, computed
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

/// The hash function of this node's log: SM3 (GB/T 32905-2016).
pub const LEDGER_HASH: HashAlg = HashAlg::Sm3;

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

/// Length-prefixed field encoder of the canonical leaf data.
#[derive(Debug, Default)]
struct Encoder(Vec<u8>);

impl Encoder {
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
        let mut e = Encoder::default();
        e.field(Some(CHANGE_TAG))
            .field(Some(&self.seq.to_string()))
            .field(Some(&self.entity))
            .field(Some(&self.entity_id))
            .field(Some(&self.action))
            .field(Some(&self.actor))
            .field(self.ip.as_deref())
            .field(Some(&self.at))
            .field(self.before.as_deref())
            .field(self.after.as_deref());
        e.0
    }

    /// `H(0x00 ‖ canonical bytes)` with the ledger's hash.
    pub fn leaf_hash(&self) -> Hash {
        leaf_hash(LEDGER_HASH, &self.canonical_bytes())
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
        let mut e = Encoder::default();
        e.field(Some(CASE_EVENT_TAG))
            .field(Some(&self.seq.to_string()))
            .field(Some(&self.case_id))
            .field(Some(&self.version.to_string()))
            .field(Some(&self.kind))
            .field(Some(&self.actor))
            .field(Some(&self.role))
            .field(Some(&self.at))
            .field(self.place.as_deref())
            .field(Some(&self.idempotency_key))
            .field(Some(&self.payload));
        e.0
    }

    /// `H(0x00 ‖ canonical bytes)` with the ledger's hash.
    pub fn leaf_hash(&self) -> Hash {
        leaf_hash(LEDGER_HASH, &self.canonical_bytes())
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
        let mut e = Encoder::default();
        e.field(Some(EVIDENCE_TAG))
            .field(Some(&self.sm3))
            .field(Some(&self.size.to_string()))
            .field(Some(&self.media_type))
            .field(self.original_name.as_deref())
            .field(Some(&self.uploaded_by))
            .field(Some(&self.at));
        e.0
    }

    /// `H(0x00 ‖ canonical bytes)` with the ledger's hash.
    pub fn leaf_hash(&self) -> Hash {
        leaf_hash(LEDGER_HASH, &self.canonical_bytes())
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
    fn every_column_changes_the_leaf() {
        let base = row().leaf_hash();
        let mut r = row();
        r.seq = 8;
        assert_ne!(r.leaf_hash(), base);
        let mut r = row();
        r.ip = Some(String::new());
        assert_ne!(r.leaf_hash(), base, "absent and empty differ");
        let mut r = row();
        r.after = Some("{\"a\":2}".into());
        assert_ne!(r.leaf_hash(), base);
        // Moving bytes between adjacent fields changes the encoding.
        let mut a = row();
        a.entity = "subjec".into();
        a.entity_id = "tid-1".into();
        assert_ne!(a.leaf_hash(), base);
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
        let base = row.leaf_hash();
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
            assert_ne!(r.leaf_hash(), base, "{r:?}");
        }
        assert_ne!(
            row.leaf_hash(),
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
        .leaf_hash()
    }
}
