//! Records of case handling (执法办案) the store returns: the case list row (a projection of
//! the events), the stored events with their ledger leaves, and a command's outcome.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zhifa_domain::case::{CaseEvent, CaseState, Refusal};

/// One row of a case list (projection `cases`, rebuilt from the events).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct CaseSummary {
    /// Case id (UUID v7).
    pub id: String,
    /// Case number, once filed (or the on-the-spot decision number).
    pub number: Option<String>,
    /// Agency (subject) id.
    pub agency_id: String,
    /// Agency name.
    pub agency_name: String,
    /// Agency region code.
    pub region_code: String,
    /// Enforcement field code.
    pub field: String,
    /// Procedure code (`1` 简易, `2` 普通).
    pub procedure: String,
    /// Stage code (`case_stage`).
    pub stage: String,
    /// Stage name.
    pub stage_name: String,
    /// 案由.
    pub cause: String,
    /// Party name as the agency sees it.
    pub party_name: String,
    /// Party type code.
    pub party_type: String,
    /// Fine proposed or decided, fen.
    pub fine_fen: i64,
    /// Lead registered on (or on-the-spot decision date).
    pub opened_on: String,
    /// Filed on.
    pub filed_on: Option<String>,
    /// Decided on.
    pub decided_on: Option<String>,
    /// Closed on.
    pub closed_on: Option<String>,
    /// Nearest unmet deadline (ISO date), if any.
    pub next_due: Option<String>,
    /// Its label.
    pub next_due_label: Option<String>,
    /// Legal review required and not yet approved.
    pub review_pending: bool,
    /// Fine outside the discretion benchmark.
    pub discretion_deviation: bool,
    /// Hearing requested.
    pub hearing: bool,
    /// Decision made after the decision period (APL Art. 60).
    pub late_decision: bool,
    /// Published on (portal), if published.
    pub published_on: Option<String>,
    /// Officer ids on the case.
    pub officer_ids: Vec<String>,
    /// Number of events.
    pub version: i64,
    /// Last change (RFC 3339).
    pub updated_at: String,
}

/// Filters of the case list.
#[derive(Debug, Clone, Default, Deserialize, Serialize, IntoParams, ToSchema)]
pub struct CaseFilter {
    /// Stage code.
    pub stage: Option<String>,
    /// Procedure code.
    pub procedure: Option<String>,
    /// Agency id.
    pub agency_id: Option<String>,
    /// Officer id (cases the officer works on).
    pub officer_id: Option<String>,
    /// Text in the number, cause or party name.
    pub q: Option<String>,
    /// Only cases with an unmet deadline before today.
    pub overdue: Option<bool>,
    /// Only cases with an unmet deadline within `due_soon_days` from today (not overdue).
    pub due_soon: Option<bool>,
    /// Reviewer queue: legal review requested and no opinion yet.
    pub review_queue: Option<bool>,
    /// Head queue: cases waiting for a head's approval (filing, decision, closure).
    pub head_queue: Option<bool>,
}

/// A stored case event.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct StoredEvent {
    /// Global sequence number.
    pub seq: i64,
    /// Case id.
    pub case_id: String,
    /// Position in the case (1-based).
    pub version: i64,
    /// Kind (e.g. `case_filed`).
    pub kind: String,
    /// Chinese label.
    pub label: String,
    /// Acting user.
    pub actor: String,
    /// Actor's role.
    pub role: String,
    /// Time recorded (RFC 3339).
    pub at: String,
    /// Place given with the command.
    pub place: Option<String>,
    /// Idempotency key of the command that produced it.
    pub idempotency_key: String,
    /// The event (personal data decrypted for callers within scope).
    #[schema(value_type = Object)]
    pub event: CaseEvent,
    /// Ledger leaf index.
    pub leaf_index: Option<i64>,
}

/// A case with everything derived from its events.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseDetail {
    /// List row.
    pub summary: CaseSummary,
    /// Folded state.
    #[schema(value_type = Object)]
    pub state: CaseState,
    /// Events in order.
    pub events: Vec<StoredEvent>,
}

/// What a command did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommandOutcome {
    /// Case id.
    pub case_id: String,
    /// Events appended (or, for a replay, the events the first attempt appended).
    pub events: Vec<StoredEvent>,
    /// True when the idempotency key had been used: nothing new was written.
    pub replayed: bool,
}

/// A published decision as the public portal shows it (personal data masked, 118号).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct PublishedDecision {
    /// Case id.
    pub case_id: String,
    /// Decision document number.
    pub number: String,
    /// Party name, a natural person's masked (张某某).
    pub party: String,
    /// Party identifier, a citizen ID masked; USCC in full.
    pub party_id: Option<String>,
    /// 案由 / violated provisions.
    pub cause: String,
    /// Facts found.
    pub facts: String,
    /// Basis.
    pub basis: String,
    /// Penalty summary.
    pub penalty: String,
    /// Fine, fen.
    pub fine_fen: i64,
    /// Agency name.
    pub agency_name: String,
    /// Decision date.
    pub decided_on: String,
    /// Published on.
    pub published_on: String,
    /// Ledger leaf index of the decision event (for verification).
    pub leaf_index: Option<i64>,
    /// SM3 leaf hash (hex) of the decision event: the verification code.
    pub verification_code: Option<String>,
}

/// A command the store refused: either the rules said no, or the input was bad.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RefusalBody {
    /// The refusal.
    #[schema(value_type = Object)]
    pub refusal: Refusal,
}

/// The commands of one case, in order, for bulk loading ([`crate::Store::run_case_scripts`]):
/// the first command starts the case (`register_lead` or `impose_on_spot`).
#[derive(Debug, Clone, Default)]
pub struct CaseScript {
    /// Envelope and command, in order.
    pub commands: Vec<(zhifa_domain::case::Envelope, zhifa_domain::case::Command)>,
}

/// A case handled in another system, imported with its history
/// ([`crate::Store::import_case_history`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportedCase {
    /// Source system (来源系统), e.g. `gd-scjg-2019`.
    pub source_system: String,
    /// The case's id in that system (原系统编号).
    pub source_id: String,
    /// Who imports (user id).
    pub actor: String,
    /// The events, in order, as that system recorded them.
    pub events: Vec<zhifa_domain::case::CaseEvent>,
}

/// The result of checking a decision's verification code against the ledger: the published
/// decision, its leaf's inclusion proof and the root (of a signed checkpoint when one covers
/// the leaf, else of the current tree) it was verified against.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionVerification {
    /// The published decision (masked).
    pub decision: PublishedDecision,
    /// Leaf index of the decision event.
    pub leaf_index: i64,
    /// Size of the tree the proof is against.
    pub tree_size: i64,
    /// Audit path, hex hashes from the leaf upwards.
    pub proof: Vec<String>,
    /// Root hash (hex) of that tree.
    pub root: String,
    /// The signed checkpoint note covering the leaf, if one exists.
    pub checkpoint: Option<String>,
    /// True when the proof verifies against the root with the independent verifier.
    pub verified: bool,
}
