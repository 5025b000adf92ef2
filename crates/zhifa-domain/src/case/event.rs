//! Case events (案件事件): the source of truth of a case. Each is appended once, never
//! changed, and becomes a ledger leaf in the same transaction (APL Art. 47).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::model::*;

/// Something that happened in a case. Dates are the dates of the acts (China time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CaseEvent {
    /// 案源登记: a lead was registered.
    LeadRegistered {
        /// Date registered.
        on: NaiveDate,
        /// Agency (enforcement subject) id.
        agency_id: String,
        /// Agency name.
        agency_name: String,
        /// Enforcement field code.
        field: String,
        /// Case source code (`case_source`).
        source: String,
        /// 案由 (cause).
        cause: String,
        /// The party.
        party: Party,
        /// Date of the act (违法行为发生日).
        act_date: NaiveDate,
        /// Date a continuing act ended (APL Art. 36 para 2), if it has.
        act_ended: Option<NaiveDate>,
        /// Harm to life, health or financial safety (APL Art. 36: 5-year limitation).
        serious_harm: bool,
        /// The power (事项) the case applies, if known.
        power_id: Option<String>,
        /// Summary of the lead.
        summary: String,
    },
    /// 不予立案.
    LeadRejected {
        /// Date.
        on: NaiveDate,
        /// Reason.
        reason: String,
    },
    /// 立案 (APL Art. 54), approved by the head; the case number is allocated here.
    CaseFiled {
        /// Date filed.
        on: NaiveDate,
        /// Case number (案件编号), `{agency}{word}〔{year}〕{n}号`.
        number: String,
        /// Last day of the limitation period (APL Art. 36).
        limitation_until: NaiveDate,
        /// Filed later than the configured filing deadline (APL Art. 54, 76).
        late: bool,
        /// Head's recorded reason when the limitation check was overridden.
        limitation_override: Option<String>,
    },
    /// 指派承办人员 (APL Art. 42).
    OfficersAssigned {
        /// Date.
        on: NaiveDate,
        /// Officers with the certificate each shows.
        officers: Vec<OfficerRef>,
    },
    /// 询问笔录 / 现场检查笔录 (APL Art. 55).
    RecordMade {
        /// Date.
        on: NaiveDate,
        /// `inquiry` (询问) or `inspection` (现场检查).
        kind: String,
        /// Place.
        place: String,
        /// Officers present, with certificates shown.
        officers: Vec<OfficerRef>,
        /// Person questioned or present.
        interviewee: Option<String>,
        /// Content (questions and answers or findings).
        content: String,
    },
    /// 证据 (APL Art. 46).
    EvidenceAdded {
        /// Date.
        on: NaiveDate,
        /// Evidence type code (`evidence_type`).
        evidence_type: String,
        /// Description.
        description: String,
        /// SM3 of the stored file, if any (hashed at capture).
        sm3: Option<String>,
    },
    /// A recusal application against an officer (回避申请, APL Art. 43).
    RecusalRequested {
        /// Date.
        on: NaiveDate,
        /// Officer concerned.
        officer_id: String,
        /// Grounds.
        reason: String,
    },
    /// The head's decision on it (APL Art. 43 para 2); a granted recusal takes the officer
    /// off the case.
    RecusalDecided {
        /// Date.
        on: NaiveDate,
        /// Officer concerned.
        officer_id: String,
        /// Granted.
        granted: bool,
        /// Reasons.
        reason: String,
        /// Deciding head.
        decided_by: String,
    },
    /// 先行登记保存 approved (APL Art. 56).
    PreservationApproved {
        /// Date.
        on: NaiveDate,
        /// Items.
        items: String,
        /// Approving head (user id).
        approved_by: String,
    },
    /// Decision on preserved evidence within 7 working days (APL Art. 56).
    PreservationDecided {
        /// Date.
        on: NaiveDate,
        /// Disposition.
        disposition: String,
    },
    /// 查封/扣押 (ACL Art. 18, 24).
    SeizureApplied {
        /// Date.
        on: NaiveDate,
        /// Measure code (`coercive_measure_type`: 2 查封, 3 扣押).
        measure: String,
        /// Inventory.
        items: String,
        /// Officers.
        officers: Vec<OfficerRef>,
        /// Approving head.
        approved_by: String,
    },
    /// Seizure term extended once (ACL Art. 25).
    SeizureExtended {
        /// Date.
        on: NaiveDate,
        /// Days.
        days: u32,
        /// Approving head.
        approved_by: String,
        /// Reason.
        reason: String,
    },
    /// Testing/inspection started: the seizure term is paused (ACL Art. 25 para 3).
    SeizureTestingStarted {
        /// Date.
        on: NaiveDate,
    },
    /// Testing ended: the seizure term runs again.
    SeizureTestingEnded {
        /// Date.
        on: NaiveDate,
    },
    /// Seizure lifted (ACL Art. 28).
    SeizureReleased {
        /// Date.
        on: NaiveDate,
    },
    /// 调查终结 with the Art. 57 outcome.
    InvestigationConcluded {
        /// Date.
        on: NaiveDate,
        /// Outcome.
        outcome: Outcome,
        /// Major or complex (重大复杂): collective discussion and legal review required.
        major_complex: bool,
        /// Legal review asked for by hand (Art. 58 (1), (4)).
        review_requested: bool,
        /// Discretion check against the benchmark, when one applies.
        discretion: Option<Discretion>,
    },
    /// The proposal was revised (after statements, review or discussion).
    PenaltyRevised {
        /// Date.
        on: NaiveDate,
        /// New proposal.
        penalty: Penalty,
        /// Reason.
        reason: String,
        /// Discretion check of the new fine.
        discretion: Option<Discretion>,
    },
    /// Party consented to electronic service (APL Art. 61 para 2).
    EServiceConsented {
        /// Date.
        on: NaiveDate,
        /// Electronic address.
        address: String,
    },
    /// 行政处罚事先告知书 served (APL Art. 44), with hearing rights when Art. 63 applies.
    NoticeServed {
        /// Date served.
        on: NaiveDate,
        /// Service method code.
        method: String,
        /// The penalty notified.
        penalty: Penalty,
        /// Hearing rights notified (Art. 63).
        hearing_right: bool,
    },
    /// 陈述、申辩 received (APL Art. 45).
    StatementReceived {
        /// Date.
        on: NaiveDate,
        /// Content.
        content: String,
    },
    /// The statements were reviewed (复核, Art. 45).
    StatementReviewed {
        /// Date.
        on: NaiveDate,
        /// Whether adopted.
        adopted: bool,
        /// Opinion.
        opinion: String,
    },
    /// The party waived statements and hearing in writing.
    RightsWaived {
        /// Date.
        on: NaiveDate,
    },
    /// 听证申请 (APL Art. 64 (1)).
    HearingRequested {
        /// Date.
        on: NaiveDate,
    },
    /// 听证通知书 (APL Art. 64 (2)).
    HearingNoticeServed {
        /// Date.
        on: NaiveDate,
        /// Hearing date.
        hearing_date: NaiveDate,
        /// Host (not an investigator, Art. 64 (4)).
        host: OfficerRef,
    },
    /// Hearing held, record signed (Art. 64 (8), 65).
    HearingHeld {
        /// Date.
        on: NaiveDate,
        /// Record summary.
        record: String,
    },
    /// Hearing waived: withdrawn or absent without reason (Art. 64 (8)).
    HearingWaived {
        /// Date.
        on: NaiveDate,
        /// Reason.
        reason: String,
    },
    /// Case submitted for legal review (法制审核, Art. 58).
    ReviewRequested {
        /// Date.
        on: NaiveDate,
        /// Why review is required.
        triggers: Vec<ReviewTrigger>,
    },
    /// 法制审核意见 (Art. 58).
    ReviewOpinionGiven {
        /// Date.
        on: NaiveDate,
        /// Reviewer.
        reviewer: OfficerRef,
        /// Opinion.
        opinion: ReviewOpinion,
        /// Comments.
        comments: String,
    },
    /// 集体讨论 (Art. 57 para 2).
    DiscussionHeld {
        /// Date.
        on: NaiveDate,
        /// Participants.
        participants: Vec<String>,
        /// Conclusion.
        conclusion: String,
    },
    /// Decision period extended with approval (Art. 60).
    DecisionPeriodExtended {
        /// Date.
        on: NaiveDate,
        /// Days.
        days: u32,
        /// Approving head.
        approved_by: String,
        /// Reason.
        reason: String,
    },
    /// Case suspended (中止): the decision period is paused.
    CaseSuspended {
        /// Date.
        on: NaiveDate,
        /// Reason.
        reason: String,
    },
    /// Case resumed.
    CaseResumed {
        /// Date.
        on: NaiveDate,
    },
    /// 行政处罚决定 (Art. 57, 59) — or 不予行政处罚决定 when `penalty` is `None`.
    DecisionMade {
        /// Date.
        on: NaiveDate,
        /// Document number (决定书文号).
        number: String,
        /// The penalty decided, or none.
        penalty: Option<Penalty>,
        /// Decided after the decision period (Art. 60).
        late: bool,
        /// Deciding head.
        decided_by: String,
    },
    /// 当场行政处罚决定 (simple procedure, Art. 51–52).
    OnSpotDecided {
        /// Date.
        on: NaiveDate,
        /// Document number.
        number: String,
        /// Agency id.
        agency_id: String,
        /// Agency name.
        agency_name: String,
        /// Field code.
        field: String,
        /// Party.
        party: Party,
        /// Place.
        place: String,
        /// Penalty.
        penalty: Penalty,
        /// Officers (certificates shown).
        officers: Vec<OfficerRef>,
        /// Party signed; if not, the refusal is noted (Art. 52 para 2).
        party_signed: bool,
    },
    /// 备案: the on-the-spot decision filed with the agency (Art. 52 para 3).
    OnSpotFiled {
        /// Date.
        on: NaiveDate,
    },
    /// Decision served (送达, Art. 61).
    DecisionServed {
        /// Date.
        on: NaiveDate,
        /// Method code.
        method: String,
        /// Served after the 7 working days.
        late: bool,
    },
    /// Decision published (Art. 48; 118号).
    DecisionPublished {
        /// Date.
        on: NaiveDate,
    },
    /// Publication withdrawn (Art. 48).
    PublicationWithdrawn {
        /// Date.
        on: NaiveDate,
        /// Reason.
        reason: String,
    },
    /// Late surcharge accrued (加处罚款, Art. 72), capped at the fine.
    SurchargeAccrued {
        /// Up to this date.
        as_of: NaiveDate,
        /// Days counted (paused days excluded).
        days: i64,
        /// Amount, fen.
        amount_fen: i64,
    },
    /// Payment received (罚缴分离: bank receipt; or on-the-spot collection, Art. 68).
    PaymentReceived {
        /// Date.
        on: NaiveDate,
        /// Amount, fen.
        amount_fen: i64,
        /// Collected on the spot.
        on_spot: bool,
    },
    /// Deferral or instalments approved (Art. 66).
    DeferralApproved {
        /// Date.
        on: NaiveDate,
        /// New due date.
        due: NaiveDate,
        /// Approving head.
        approved_by: String,
    },
    /// Administrative review or litigation filed (Art. 73): surcharge paused.
    AppealFiled {
        /// Date.
        on: NaiveDate,
        /// Kind.
        kind: AppealKind,
    },
    /// Appeal concluded with the decision upheld.
    AppealConcluded {
        /// Date.
        on: NaiveDate,
        /// Result.
        result: String,
    },
    /// 催告书 (ACL Art. 35).
    DemandServed {
        /// Date.
        on: NaiveDate,
    },
    /// 申请人民法院强制执行 (ACL Art. 53–54).
    CourtApplied {
        /// Date.
        on: NaiveDate,
        /// Court.
        court: String,
    },
    /// 结案 (结案审批表).
    CaseClosed {
        /// Date.
        on: NaiveDate,
        /// Approving head.
        approved_by: String,
    },
    /// 归档: the file is sealed.
    CaseArchived {
        /// Date.
        on: NaiveDate,
    },
}

/// The name of an event's kind (as stored, e.g. `case_filed`).
pub type EventKind = &'static str;

impl CaseEvent {
    /// The kind as stored (snake case of the variant).
    pub fn kind(&self) -> EventKind {
        match self {
            CaseEvent::LeadRegistered { .. } => "lead_registered",
            CaseEvent::LeadRejected { .. } => "lead_rejected",
            CaseEvent::CaseFiled { .. } => "case_filed",
            CaseEvent::OfficersAssigned { .. } => "officers_assigned",
            CaseEvent::RecordMade { .. } => "record_made",
            CaseEvent::EvidenceAdded { .. } => "evidence_added",
            CaseEvent::RecusalRequested { .. } => "recusal_requested",
            CaseEvent::RecusalDecided { .. } => "recusal_decided",
            CaseEvent::PreservationApproved { .. } => "preservation_approved",
            CaseEvent::PreservationDecided { .. } => "preservation_decided",
            CaseEvent::SeizureApplied { .. } => "seizure_applied",
            CaseEvent::SeizureExtended { .. } => "seizure_extended",
            CaseEvent::SeizureTestingStarted { .. } => "seizure_testing_started",
            CaseEvent::SeizureTestingEnded { .. } => "seizure_testing_ended",
            CaseEvent::SeizureReleased { .. } => "seizure_released",
            CaseEvent::InvestigationConcluded { .. } => "investigation_concluded",
            CaseEvent::PenaltyRevised { .. } => "penalty_revised",
            CaseEvent::EServiceConsented { .. } => "e_service_consented",
            CaseEvent::NoticeServed { .. } => "notice_served",
            CaseEvent::StatementReceived { .. } => "statement_received",
            CaseEvent::StatementReviewed { .. } => "statement_reviewed",
            CaseEvent::RightsWaived { .. } => "rights_waived",
            CaseEvent::HearingRequested { .. } => "hearing_requested",
            CaseEvent::HearingNoticeServed { .. } => "hearing_notice_served",
            CaseEvent::HearingHeld { .. } => "hearing_held",
            CaseEvent::HearingWaived { .. } => "hearing_waived",
            CaseEvent::ReviewRequested { .. } => "review_requested",
            CaseEvent::ReviewOpinionGiven { .. } => "review_opinion_given",
            CaseEvent::DiscussionHeld { .. } => "discussion_held",
            CaseEvent::DecisionPeriodExtended { .. } => "decision_period_extended",
            CaseEvent::CaseSuspended { .. } => "case_suspended",
            CaseEvent::CaseResumed { .. } => "case_resumed",
            CaseEvent::DecisionMade { .. } => "decision_made",
            CaseEvent::OnSpotDecided { .. } => "on_spot_decided",
            CaseEvent::OnSpotFiled { .. } => "on_spot_filed",
            CaseEvent::DecisionServed { .. } => "decision_served",
            CaseEvent::DecisionPublished { .. } => "decision_published",
            CaseEvent::PublicationWithdrawn { .. } => "publication_withdrawn",
            CaseEvent::SurchargeAccrued { .. } => "surcharge_accrued",
            CaseEvent::PaymentReceived { .. } => "payment_received",
            CaseEvent::DeferralApproved { .. } => "deferral_approved",
            CaseEvent::AppealFiled { .. } => "appeal_filed",
            CaseEvent::AppealConcluded { .. } => "appeal_concluded",
            CaseEvent::DemandServed { .. } => "demand_served",
            CaseEvent::CourtApplied { .. } => "court_applied",
            CaseEvent::CaseClosed { .. } => "case_closed",
            CaseEvent::CaseArchived { .. } => "case_archived",
        }
    }

    /// Chinese label for timelines.
    pub fn zh(&self) -> &'static str {
        match self {
            CaseEvent::LeadRegistered { .. } => "案源登记",
            CaseEvent::LeadRejected { .. } => "不予立案",
            CaseEvent::CaseFiled { .. } => "立案",
            CaseEvent::OfficersAssigned { .. } => "指派承办人员",
            CaseEvent::RecordMade { .. } => "制作笔录",
            CaseEvent::EvidenceAdded { .. } => "收集证据",
            CaseEvent::RecusalRequested { .. } => "回避申请",
            CaseEvent::RecusalDecided { .. } => "回避决定",
            CaseEvent::PreservationApproved { .. } => "先行登记保存证据",
            CaseEvent::PreservationDecided { .. } => "登记保存物品处理",
            CaseEvent::SeizureApplied { .. } => "查封/扣押",
            CaseEvent::SeizureExtended { .. } => "延长查封/扣押期限",
            CaseEvent::SeizureTestingStarted { .. } => "检测开始（期限中止）",
            CaseEvent::SeizureTestingEnded { .. } => "检测结束",
            CaseEvent::SeizureReleased { .. } => "解除查封/扣押",
            CaseEvent::InvestigationConcluded { .. } => "调查终结",
            CaseEvent::PenaltyRevised { .. } => "修改处罚建议",
            CaseEvent::EServiceConsented { .. } => "同意电子送达",
            CaseEvent::NoticeServed { .. } => "送达事先告知书",
            CaseEvent::StatementReceived { .. } => "收到陈述申辩",
            CaseEvent::StatementReviewed { .. } => "陈述申辩复核",
            CaseEvent::RightsWaived { .. } => "当事人放弃陈述申辩和听证",
            CaseEvent::HearingRequested { .. } => "申请听证",
            CaseEvent::HearingNoticeServed { .. } => "送达听证通知书",
            CaseEvent::HearingHeld { .. } => "举行听证",
            CaseEvent::HearingWaived { .. } => "放弃听证",
            CaseEvent::ReviewRequested { .. } => "提请法制审核",
            CaseEvent::ReviewOpinionGiven { .. } => "法制审核意见",
            CaseEvent::DiscussionHeld { .. } => "集体讨论",
            CaseEvent::DecisionPeriodExtended { .. } => "延长办案期限",
            CaseEvent::CaseSuspended { .. } => "案件中止",
            CaseEvent::CaseResumed { .. } => "恢复办理",
            CaseEvent::DecisionMade { .. } => "作出决定",
            CaseEvent::OnSpotDecided { .. } => "当场处罚决定",
            CaseEvent::OnSpotFiled { .. } => "当场处罚备案",
            CaseEvent::DecisionServed { .. } => "送达决定书",
            CaseEvent::DecisionPublished { .. } => "决定公示",
            CaseEvent::PublicationWithdrawn { .. } => "撤回公示",
            CaseEvent::SurchargeAccrued { .. } => "加处罚款",
            CaseEvent::PaymentReceived { .. } => "缴纳罚没款",
            CaseEvent::DeferralApproved { .. } => "批准延期/分期缴纳",
            CaseEvent::AppealFiled { .. } => "申请复议/提起诉讼",
            CaseEvent::AppealConcluded { .. } => "复议/诉讼终结",
            CaseEvent::DemandServed { .. } => "送达催告书",
            CaseEvent::CourtApplied { .. } => "申请法院强制执行",
            CaseEvent::CaseClosed { .. } => "结案",
            CaseEvent::CaseArchived { .. } => "归档",
        }
    }
}
