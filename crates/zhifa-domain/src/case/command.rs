//! Commands (办案指令): what a user asks to do on a case. Every command travels in an
//! [`Envelope`] with its actor, time, place and idempotency key.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::model::*;

/// Who, when, where, and the idempotency key of a command. A retried command (same key)
/// never produces a second event: the store returns the first result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// Acting user id.
    pub actor: String,
    /// The actor's role code (`officer`, `reviewer`, `head`, …).
    pub role: String,
    /// The actor's officer id, when the account is an officer's.
    pub officer_id: Option<String>,
    /// Time the command was issued (RFC 3339, China time).
    pub at: String,
    /// Place (address or coordinates), if given.
    pub place: Option<String>,
    /// Idempotency key chosen by the client.
    pub idempotency_key: String,
}

/// A command on a case. Dates (`on`) are the dates of the acts; they may not lie in the future.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// 案源登记 — starts a general-procedure case.
    RegisterLead {
        /// Date.
        on: NaiveDate,
        /// Agency id.
        agency_id: String,
        /// Source code.
        source: String,
        /// 案由.
        cause: String,
        /// Party.
        party: Party,
        /// Date of the act.
        act_date: NaiveDate,
        /// End of a continuing act.
        #[serde(default)]
        act_ended: Option<NaiveDate>,
        /// Harm to life, health or financial safety (5-year limitation).
        #[serde(default)]
        serious_harm: bool,
        /// Power id.
        #[serde(default)]
        power_id: Option<String>,
        /// Summary.
        #[serde(default)]
        summary: String,
    },
    /// 不予立案 (head).
    RejectLead {
        /// Date.
        on: NaiveDate,
        /// Reason.
        reason: String,
    },
    /// 立案 (head approval).
    FileCase {
        /// Date.
        on: NaiveDate,
        /// Reason recorded when filing beyond the limitation period.
        #[serde(default)]
        limitation_override: Option<String>,
    },
    /// Assign investigating officers (≥ 2 qualified, Art. 42).
    AssignOfficers {
        /// Date.
        on: NaiveDate,
        /// Officer ids.
        officers: Vec<String>,
    },
    /// 询问 / 现场检查 record (Art. 55).
    MakeRecord {
        /// Date.
        on: NaiveDate,
        /// `inquiry` or `inspection`.
        kind: String,
        /// Place.
        place: String,
        /// Officer ids present.
        officers: Vec<String>,
        /// Interviewee.
        #[serde(default)]
        interviewee: Option<String>,
        /// Content.
        content: String,
    },
    /// Add evidence (Art. 46).
    AddEvidence {
        /// Date.
        on: NaiveDate,
        /// Evidence type code.
        evidence_type: String,
        /// Description.
        description: String,
        /// SM3 of an uploaded file.
        #[serde(default)]
        sm3: Option<String>,
    },
    /// Record the party's recusal application against an officer (Art. 43).
    RequestRecusal {
        /// Date.
        on: NaiveDate,
        /// Officer whose recusal is asked.
        officer_id: String,
        /// Grounds (direct interest in the case).
        reason: String,
    },
    /// Decide the recusal application (head, Art. 43 para 2).
    DecideRecusal {
        /// Date.
        on: NaiveDate,
        /// Officer concerned.
        officer_id: String,
        /// Recusal granted.
        granted: bool,
        /// Reasons of the decision.
        reason: String,
    },
    /// 先行登记保存 (head approval, Art. 56).
    PreserveEvidence {
        /// Date.
        on: NaiveDate,
        /// Items.
        items: String,
    },
    /// Decide on preserved evidence (Art. 56: within 7 working days).
    DecidePreservation {
        /// Date.
        on: NaiveDate,
        /// Disposition.
        disposition: String,
    },
    /// 查封/扣押 (head approval, ACL Art. 18, 24).
    Seize {
        /// Date.
        on: NaiveDate,
        /// `2` 查封 or `3` 扣押.
        measure: String,
        /// Inventory.
        items: String,
        /// Officer ids.
        officers: Vec<String>,
    },
    /// Extend the seizure once (ACL Art. 25).
    ExtendSeizure {
        /// Date.
        on: NaiveDate,
        /// Days.
        days: u32,
        /// Reason.
        reason: String,
    },
    /// Testing starts (term paused).
    StartSeizureTesting {
        /// Date.
        on: NaiveDate,
    },
    /// Testing ends.
    EndSeizureTesting {
        /// Date.
        on: NaiveDate,
    },
    /// Lift the seizure.
    ReleaseSeizure {
        /// Date.
        on: NaiveDate,
    },
    /// 调查终结 (Art. 57).
    Conclude {
        /// Date.
        on: NaiveDate,
        /// Outcome.
        outcome: Outcome,
        /// 重大复杂.
        #[serde(default)]
        major_complex: bool,
        /// Ask for legal review by hand.
        #[serde(default)]
        review_requested: bool,
        /// Written reason for a fine outside the benchmark.
        #[serde(default)]
        deviation_reason: Option<String>,
        /// Circumstance level code (`circumstance_level`) selecting the benchmark range.
        #[serde(default)]
        circumstance: Option<String>,
    },
    /// Revise the proposed penalty.
    RevisePenalty {
        /// Date.
        on: NaiveDate,
        /// New penalty.
        penalty: Penalty,
        /// Reason.
        reason: String,
        /// Written reason for a fine outside the benchmark.
        #[serde(default)]
        deviation_reason: Option<String>,
        /// Circumstance level code selecting the benchmark range.
        #[serde(default)]
        circumstance: Option<String>,
    },
    /// Record the party's consent to electronic service (Art. 61).
    RecordEServiceConsent {
        /// Date.
        on: NaiveDate,
        /// Address.
        address: String,
    },
    /// Serve the prior notice (Art. 44).
    ServeNotice {
        /// Date.
        on: NaiveDate,
        /// Method code.
        method: String,
    },
    /// Receive statements/defence (Art. 45).
    ReceiveStatement {
        /// Date.
        on: NaiveDate,
        /// Content.
        content: String,
    },
    /// Review the statements (复核, Art. 45).
    ReviewStatement {
        /// Date.
        on: NaiveDate,
        /// Adopted.
        adopted: bool,
        /// Opinion.
        opinion: String,
    },
    /// The party waives statements and hearing in writing.
    WaiveRights {
        /// Date.
        on: NaiveDate,
    },
    /// The party requests a hearing (Art. 64 (1)).
    RequestHearing {
        /// Date.
        on: NaiveDate,
    },
    /// Serve the hearing notice (Art. 64 (2), (4)).
    NoticeHearing {
        /// Date.
        on: NaiveDate,
        /// Hearing date.
        hearing_date: NaiveDate,
        /// Host officer id.
        host: String,
    },
    /// Hold the hearing.
    HoldHearing {
        /// Date.
        on: NaiveDate,
        /// Record summary.
        record: String,
    },
    /// The hearing is waived (withdrawn / absent).
    WaiveHearing {
        /// Date.
        on: NaiveDate,
        /// Reason.
        reason: String,
    },
    /// Submit for legal review (Art. 58).
    RequestReview {
        /// Date.
        on: NaiveDate,
    },
    /// Give the legal review opinion (reviewer, Art. 58).
    GiveReview {
        /// Date.
        on: NaiveDate,
        /// Opinion.
        opinion: ReviewOpinion,
        /// Comments.
        comments: String,
    },
    /// Record the collective discussion (head, Art. 57 para 2).
    HoldDiscussion {
        /// Date.
        on: NaiveDate,
        /// Participants.
        participants: Vec<String>,
        /// Conclusion.
        conclusion: String,
    },
    /// Extend the decision period (head, Art. 60).
    ExtendDecisionPeriod {
        /// Date.
        on: NaiveDate,
        /// Days.
        days: u32,
        /// Reason.
        reason: String,
    },
    /// Suspend the case (中止).
    Suspend {
        /// Date.
        on: NaiveDate,
        /// Reason.
        reason: String,
    },
    /// Resume the case.
    Resume {
        /// Date.
        on: NaiveDate,
    },
    /// Make the decision (head, Art. 57, 59).
    Decide {
        /// Date.
        on: NaiveDate,
    },
    /// Simple procedure: decide on the spot (Art. 51–52). Starts a case.
    ImposeOnSpot {
        /// Date.
        on: NaiveDate,
        /// Agency id.
        agency_id: String,
        /// Party.
        party: Party,
        /// Place.
        place: String,
        /// Penalty (warning or fine within Art. 51).
        penalty: Penalty,
        /// Officer ids.
        officers: Vec<String>,
        /// Party signed.
        party_signed: bool,
        /// Fine collected on the spot (Art. 68).
        #[serde(default)]
        collected_on_spot: bool,
    },
    /// Serve the decision (Art. 61).
    ServeDecision {
        /// Date.
        on: NaiveDate,
        /// Method code.
        method: String,
    },
    /// Publish the decision (Art. 48; 118号).
    Publish {
        /// Date.
        on: NaiveDate,
    },
    /// Withdraw the publication (Art. 48).
    WithdrawPublication {
        /// Date.
        on: NaiveDate,
        /// Reason.
        reason: String,
    },
    /// Record a payment; a late one accrues the surcharge first (Art. 67, 72).
    RecordPayment {
        /// Date.
        on: NaiveDate,
        /// Amount, fen.
        amount_fen: i64,
    },
    /// Approve deferral or instalments (head, Art. 66).
    ApproveDeferral {
        /// Date.
        on: NaiveDate,
        /// New due date.
        due: NaiveDate,
    },
    /// Record an appeal (Art. 73).
    RecordAppeal {
        /// Date.
        on: NaiveDate,
        /// Kind.
        kind: AppealKind,
    },
    /// Record the appeal's end (decision upheld).
    ConcludeAppeal {
        /// Date.
        on: NaiveDate,
        /// Result.
        result: String,
    },
    /// Serve a 催告书 (ACL Art. 35).
    ServeDemand {
        /// Date.
        on: NaiveDate,
    },
    /// Apply to the court for enforcement (ACL Art. 53–54).
    ApplyToCourt {
        /// Date.
        on: NaiveDate,
        /// Court.
        court: String,
    },
    /// Close the case (head, 结案审批).
    Close {
        /// Date.
        on: NaiveDate,
    },
    /// Archive the closed case.
    Archive {
        /// Date.
        on: NaiveDate,
    },
}

/// The name of a command kind (e.g. `file_case`).
pub type CommandKind = &'static str;

/// Every command kind with its Chinese label, in procedure order.
pub const COMMANDS: &[(CommandKind, &str)] = &[
    ("register_lead", "案源登记"),
    ("reject_lead", "不予立案"),
    ("file_case", "立案"),
    ("assign_officers", "指派承办人员"),
    ("make_record", "制作笔录"),
    ("add_evidence", "添加证据"),
    ("request_recusal", "记录回避申请"),
    ("decide_recusal", "决定是否回避"),
    ("preserve_evidence", "先行登记保存"),
    ("decide_preservation", "处理登记保存物品"),
    ("seize", "查封/扣押"),
    ("extend_seizure", "延长查封/扣押"),
    ("start_seizure_testing", "开始检测"),
    ("end_seizure_testing", "检测结束"),
    ("release_seizure", "解除查封/扣押"),
    ("conclude", "调查终结"),
    ("revise_penalty", "修改处罚建议"),
    ("record_e_service_consent", "记录电子送达同意"),
    ("serve_notice", "送达事先告知书"),
    ("receive_statement", "记录陈述申辩"),
    ("review_statement", "复核陈述申辩"),
    ("waive_rights", "当事人放弃陈述申辩"),
    ("request_hearing", "记录听证申请"),
    ("notice_hearing", "送达听证通知书"),
    ("hold_hearing", "举行听证"),
    ("waive_hearing", "放弃听证"),
    ("request_review", "提请法制审核"),
    ("give_review", "法制审核意见"),
    ("hold_discussion", "集体讨论"),
    ("extend_decision_period", "延长办案期限"),
    ("suspend", "中止案件"),
    ("resume", "恢复办理"),
    ("decide", "作出决定"),
    ("impose_on_spot", "当场处罚"),
    ("serve_decision", "送达决定书"),
    ("publish", "公示决定"),
    ("withdraw_publication", "撤回公示"),
    ("record_payment", "登记缴款"),
    ("approve_deferral", "批准延期/分期缴纳"),
    ("record_appeal", "登记复议/诉讼"),
    ("conclude_appeal", "复议/诉讼终结"),
    ("serve_demand", "送达催告书"),
    ("apply_to_court", "申请法院强制执行"),
    ("close", "结案"),
    ("archive", "归档"),
];

impl Command {
    /// The kind (snake case of the variant).
    pub fn kind(&self) -> CommandKind {
        use Command::*;
        match self {
            RegisterLead { .. } => "register_lead",
            RejectLead { .. } => "reject_lead",
            FileCase { .. } => "file_case",
            AssignOfficers { .. } => "assign_officers",
            MakeRecord { .. } => "make_record",
            AddEvidence { .. } => "add_evidence",
            RequestRecusal { .. } => "request_recusal",
            DecideRecusal { .. } => "decide_recusal",
            PreserveEvidence { .. } => "preserve_evidence",
            DecidePreservation { .. } => "decide_preservation",
            Seize { .. } => "seize",
            ExtendSeizure { .. } => "extend_seizure",
            StartSeizureTesting { .. } => "start_seizure_testing",
            EndSeizureTesting { .. } => "end_seizure_testing",
            ReleaseSeizure { .. } => "release_seizure",
            Conclude { .. } => "conclude",
            RevisePenalty { .. } => "revise_penalty",
            RecordEServiceConsent { .. } => "record_e_service_consent",
            ServeNotice { .. } => "serve_notice",
            ReceiveStatement { .. } => "receive_statement",
            ReviewStatement { .. } => "review_statement",
            WaiveRights { .. } => "waive_rights",
            RequestHearing { .. } => "request_hearing",
            NoticeHearing { .. } => "notice_hearing",
            HoldHearing { .. } => "hold_hearing",
            WaiveHearing { .. } => "waive_hearing",
            RequestReview { .. } => "request_review",
            GiveReview { .. } => "give_review",
            HoldDiscussion { .. } => "hold_discussion",
            ExtendDecisionPeriod { .. } => "extend_decision_period",
            Suspend { .. } => "suspend",
            Resume { .. } => "resume",
            Decide { .. } => "decide",
            ImposeOnSpot { .. } => "impose_on_spot",
            ServeDecision { .. } => "serve_decision",
            Publish { .. } => "publish",
            WithdrawPublication { .. } => "withdraw_publication",
            RecordPayment { .. } => "record_payment",
            ApproveDeferral { .. } => "approve_deferral",
            RecordAppeal { .. } => "record_appeal",
            ConcludeAppeal { .. } => "conclude_appeal",
            ServeDemand { .. } => "serve_demand",
            ApplyToCourt { .. } => "apply_to_court",
            Close { .. } => "close",
            Archive { .. } => "archive",
        }
    }

    /// The date of the act.
    pub fn on(&self) -> NaiveDate {
        use Command::*;
        match self {
            RegisterLead { on, .. }
            | RejectLead { on, .. }
            | FileCase { on, .. }
            | AssignOfficers { on, .. }
            | MakeRecord { on, .. }
            | AddEvidence { on, .. }
            | RequestRecusal { on, .. }
            | DecideRecusal { on, .. }
            | PreserveEvidence { on, .. }
            | DecidePreservation { on, .. }
            | Seize { on, .. }
            | ExtendSeizure { on, .. }
            | StartSeizureTesting { on }
            | EndSeizureTesting { on }
            | ReleaseSeizure { on }
            | Conclude { on, .. }
            | RevisePenalty { on, .. }
            | RecordEServiceConsent { on, .. }
            | ServeNotice { on, .. }
            | ReceiveStatement { on, .. }
            | ReviewStatement { on, .. }
            | WaiveRights { on }
            | RequestHearing { on }
            | NoticeHearing { on, .. }
            | HoldHearing { on, .. }
            | WaiveHearing { on, .. }
            | RequestReview { on }
            | GiveReview { on, .. }
            | HoldDiscussion { on, .. }
            | ExtendDecisionPeriod { on, .. }
            | Suspend { on, .. }
            | Resume { on }
            | Decide { on }
            | ImposeOnSpot { on, .. }
            | ServeDecision { on, .. }
            | Publish { on }
            | WithdrawPublication { on, .. }
            | RecordPayment { on, .. }
            | ApproveDeferral { on, .. }
            | RecordAppeal { on, .. }
            | ConcludeAppeal { on, .. }
            | ServeDemand { on }
            | ApplyToCourt { on, .. }
            | Close { on }
            | Archive { on } => *on,
        }
    }

    /// Officer ids the command names (the store loads their certificates into the context).
    pub fn officer_ids(&self) -> Vec<String> {
        match self {
            Command::AssignOfficers { officers, .. }
            | Command::MakeRecord { officers, .. }
            | Command::Seize { officers, .. }
            | Command::ImposeOnSpot { officers, .. } => officers.clone(),
            Command::NoticeHearing { host, .. } => vec![host.clone()],
            _ => Vec::new(),
        }
    }

    /// Whether the command starts a new case (no prior events).
    pub fn starts_case(&self) -> bool {
        matches!(
            self,
            Command::RegisterLead { .. } | Command::ImposeOnSpot { .. }
        )
    }
}
