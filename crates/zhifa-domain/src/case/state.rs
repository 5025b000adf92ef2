//! The state of a case, derived by folding its events. Never stored as the source of truth:
//! the store keeps it as a projection it can rebuild from the events at any time.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::config::CaseRules;
use super::event::CaseEvent;
use super::model::*;

/// Stage of a case (code set `case_stage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 1 案源登记.
    #[default]
    Lead,
    /// 2 调查取证.
    Investigating,
    /// 3 告知 (proposal, prior notice, statements, hearing).
    Notice,
    /// 4 审核 (legal review, collective discussion, awaiting the decision).
    Review,
    /// 5 已决定 (awaiting service).
    Decided,
    /// 6 执行.
    Executing,
    /// 7 已结案.
    Closed,
    /// 8 已归档.
    Archived,
    /// 9 已移送.
    Transferred,
}

impl Stage {
    /// Code in the data standard.
    pub fn code(self) -> &'static str {
        match self {
            Stage::Lead => "1",
            Stage::Investigating => "2",
            Stage::Notice => "3",
            Stage::Review => "4",
            Stage::Decided => "5",
            Stage::Executing => "6",
            Stage::Closed => "7",
            Stage::Archived => "8",
            Stage::Transferred => "9",
        }
    }

    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            Stage::Lead => "案源登记",
            Stage::Investigating => "调查取证",
            Stage::Notice => "告知",
            Stage::Review => "审核",
            Stage::Decided => "已决定",
            Stage::Executing => "执行",
            Stage::Closed => "已结案",
            Stage::Archived => "已归档",
            Stage::Transferred => "已移送",
        }
    }

    /// Whether the case is still open (has running clocks).
    pub fn is_open(self) -> bool {
        !matches!(self, Stage::Closed | Stage::Archived | Stage::Transferred)
    }
}

/// The prior notice as served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeState {
    /// Date served.
    pub on: NaiveDate,
    /// Method code.
    pub method: String,
    /// Penalty notified.
    pub penalty: Penalty,
    /// Hearing rights notified.
    pub hearing_right: bool,
}

/// Hearing branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct HearingState {
    /// Requested on.
    pub requested: Option<NaiveDate>,
    /// Notice served on, for the hearing date, with the host.
    pub notice: Option<(NaiveDate, NaiveDate, OfficerRef)>,
    /// Held on.
    pub held: Option<NaiveDate>,
    /// Waived on.
    pub waived: Option<NaiveDate>,
}

/// Legal review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ReviewState {
    /// Requested on, with the triggers.
    pub requested: Option<(NaiveDate, Vec<ReviewTrigger>)>,
    /// Last opinion on the current proposal.
    pub opinion: Option<(NaiveDate, ReviewOpinion, OfficerRef)>,
}

/// A decision (处罚决定 / 不予处罚决定 / 当场处罚决定).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionState {
    /// Date.
    pub on: NaiveDate,
    /// Document number.
    pub number: String,
    /// Penalty, or none for 不予处罚.
    pub penalty: Option<Penalty>,
    /// Made after the decision period.
    pub late: bool,
}

/// Seizure/detention (查封/扣押).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeizureState {
    /// Started.
    pub on: NaiveDate,
    /// Measure code.
    pub measure: String,
    /// Extension days granted.
    pub extended_days: u32,
    /// Testing intervals (term paused).
    pub testing: Vec<Interval>,
    /// Released on.
    pub released: Option<NaiveDate>,
}

/// Everything known about a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CaseState {
    /// Number of events folded.
    pub version: u64,
    /// Procedure, once known.
    pub procedure: Option<Procedure>,
    /// Agency id.
    pub agency_id: String,
    /// Agency name.
    pub agency_name: String,
    /// Field code.
    pub field: String,
    /// Source code.
    pub source: String,
    /// 案由.
    pub cause: String,
    /// Party.
    pub party: Party,
    /// Act date.
    pub act_date: Option<NaiveDate>,
    /// End of a continuing act.
    pub act_ended: Option<NaiveDate>,
    /// Harm to life/health/financial safety.
    pub serious_harm: bool,
    /// Power id.
    pub power_id: Option<String>,
    /// Lead summary.
    pub summary: String,
    /// Lead registered on.
    pub lead_on: Option<NaiveDate>,
    /// Lead rejected, with reason.
    pub rejected: Option<String>,
    /// Case number.
    pub number: Option<String>,
    /// Filed on.
    pub filed_on: Option<NaiveDate>,
    /// Limitation end.
    pub limitation_until: Option<NaiveDate>,
    /// Filed late.
    pub filed_late: bool,
    /// Assigned officers.
    pub officers: Vec<OfficerRef>,
    /// Officers with a recusal application not yet decided (APL Art. 43).
    #[serde(default)]
    pub recusal_pending: Vec<String>,
    /// Officers recused from the case.
    #[serde(default)]
    pub recused: Vec<String>,
    /// Records made.
    pub records: u32,
    /// Evidence items.
    pub evidence: u32,
    /// Evidence preservation: approved on, decided on.
    pub preservation: Option<(NaiveDate, Option<NaiveDate>)>,
    /// Seizure.
    pub seizure: Option<SeizureState>,
    /// Concluded on.
    pub concluded_on: Option<NaiveDate>,
    /// Outcome.
    pub outcome: Option<Outcome>,
    /// 重大复杂.
    pub major_complex: bool,
    /// Legal review asked for by hand.
    pub review_manual: bool,
    /// Discretion check of the current proposal.
    pub discretion: Option<Discretion>,
    /// Current proposed penalty.
    pub proposal: Option<Penalty>,
    /// Electronic service consent (address).
    pub e_service: Option<String>,
    /// Prior notice.
    pub notice: Option<NoticeState>,
    /// Statements received (date, content).
    pub statements: Vec<(NaiveDate, String)>,
    /// A received statement awaits its review (复核).
    pub statement_unreviewed: bool,
    /// Rights waived in writing.
    pub rights_waived: bool,
    /// Hearing.
    pub hearing: HearingState,
    /// A hearing was held at some point: kept when a new prior notice resets
    /// [`CaseState::hearing`], because the case still "went through a hearing" (APL Art. 58 (2)).
    #[serde(default)]
    pub hearing_was_held: bool,
    /// Legal review.
    pub review: ReviewState,
    /// Collective discussion held on.
    pub discussion: Option<NaiveDate>,
    /// Decision period extensions, days.
    pub extension_days: u32,
    /// Suspensions of the case.
    pub suspensions: Vec<Interval>,
    /// Decision.
    pub decision: Option<DecisionState>,
    /// On-the-spot decision filed (备案).
    pub on_spot_filed: bool,
    /// Party signed the on-the-spot decision.
    pub party_signed: bool,
    /// Decision served: date, method, late.
    pub served: Option<(NaiveDate, String, bool)>,
    /// Published on (and not withdrawn).
    pub published: Option<NaiveDate>,
    /// Publication withdrawn (date, reason).
    pub withdrawn: Option<(NaiveDate, String)>,
    /// Amount paid, fen.
    pub paid_fen: i64,
    /// Surcharge accrued, fen.
    pub surcharge_fen: i64,
    /// Deferred payment due date.
    pub deferred_due: Option<NaiveDate>,
    /// Appeals (surcharge paused).
    pub appeals: Vec<Interval>,
    /// 催告 served on.
    pub demand_on: Option<NaiveDate>,
    /// Court application on.
    pub court_applied: Option<NaiveDate>,
    /// Closed on.
    pub closed_on: Option<NaiveDate>,
    /// Archived on.
    pub archived_on: Option<NaiveDate>,
    /// Date of the last event.
    pub last_on: Option<NaiveDate>,
}

impl CaseState {
    /// Folds events into a state.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a CaseEvent>) -> Self {
        let mut s = CaseState::default();
        for e in events {
            s.apply(e);
        }
        s
    }

    /// Applies one event.
    pub fn apply(&mut self, event: &CaseEvent) {
        use CaseEvent::*;
        self.version += 1;
        match event {
            LeadRegistered {
                on,
                agency_id,
                agency_name,
                field,
                source,
                cause,
                party,
                act_date,
                act_ended,
                serious_harm,
                power_id,
                summary,
            } => {
                self.procedure = Some(Procedure::General);
                self.lead_on = Some(*on);
                self.agency_id = agency_id.clone();
                self.agency_name = agency_name.clone();
                self.field = field.clone();
                self.source = source.clone();
                self.cause = cause.clone();
                self.party = party.clone();
                self.act_date = Some(*act_date);
                self.act_ended = *act_ended;
                self.serious_harm = *serious_harm;
                self.power_id = power_id.clone();
                self.summary = summary.clone();
            }
            LeadRejected { on, reason } => {
                self.rejected = Some(reason.clone());
                self.closed_on = Some(*on);
            }
            CaseFiled {
                on,
                number,
                limitation_until,
                late,
                ..
            } => {
                self.filed_on = Some(*on);
                self.number = Some(number.clone());
                self.limitation_until = Some(*limitation_until);
                self.filed_late = *late;
            }
            OfficersAssigned { officers, .. } => self.officers = officers.clone(),
            RecusalRequested { officer_id, .. } => {
                if !self.recusal_pending.contains(officer_id) {
                    self.recusal_pending.push(officer_id.clone());
                }
            }
            RecusalDecided {
                officer_id,
                granted,
                ..
            } => {
                self.recusal_pending.retain(|o| o != officer_id);
                if *granted {
                    self.officers.retain(|o| &o.officer_id != officer_id);
                    if !self.recused.contains(officer_id) {
                        self.recused.push(officer_id.clone());
                    }
                }
            }
            RecordMade { .. } => self.records += 1,
            EvidenceAdded { .. } => self.evidence += 1,
            PreservationApproved { on, .. } => self.preservation = Some((*on, None)),
            PreservationDecided { on, .. } => {
                if let Some(p) = &mut self.preservation {
                    p.1 = Some(*on);
                }
            }
            SeizureApplied { on, measure, .. } => {
                self.seizure = Some(SeizureState {
                    on: *on,
                    measure: measure.clone(),
                    extended_days: 0,
                    testing: Vec::new(),
                    released: None,
                })
            }
            SeizureExtended { days, .. } => {
                if let Some(s) = &mut self.seizure {
                    s.extended_days += days;
                }
            }
            SeizureTestingStarted { on } => {
                if let Some(s) = &mut self.seizure {
                    s.testing.push(Interval {
                        from: *on,
                        to: None,
                    });
                }
            }
            SeizureTestingEnded { on } => {
                if let Some(i) = self
                    .seizure
                    .as_mut()
                    .and_then(|s| s.testing.last_mut())
                    .filter(|i| i.to.is_none())
                {
                    i.to = Some(*on);
                }
            }
            SeizureReleased { on } => {
                if let Some(s) = &mut self.seizure {
                    s.released = Some(*on);
                }
            }
            InvestigationConcluded {
                on,
                outcome,
                major_complex,
                review_requested,
                discretion,
            } => {
                self.concluded_on = Some(*on);
                self.major_complex = *major_complex;
                self.review_manual = *review_requested;
                self.discretion = discretion.clone();
                self.proposal = match outcome {
                    Outcome::Penalty { penalty } => Some(penalty.clone()),
                    _ => None,
                };
                self.outcome = Some(outcome.clone());
                // A renewed conclusion needs a new review opinion (APL Art. 58).
                self.review = ReviewState::default();
            }
            PenaltyRevised {
                penalty,
                discretion,
                ..
            } => {
                self.proposal = Some(penalty.clone());
                self.outcome = Some(Outcome::Penalty {
                    penalty: penalty.clone(),
                });
                self.discretion = discretion.clone();
                // A new proposal needs a new review opinion (APL Art. 58).
                self.review = ReviewState::default();
            }
            EServiceConsented { address, .. } => self.e_service = Some(address.clone()),
            NoticeServed {
                on,
                method,
                penalty,
                hearing_right,
            } => {
                self.notice = Some(NoticeState {
                    on: *on,
                    method: method.clone(),
                    penalty: penalty.clone(),
                    hearing_right: *hearing_right,
                });
                // A new notice opens new windows.
                self.rights_waived = false;
                self.hearing = HearingState::default();
            }
            StatementReceived { on, content } => {
                self.statements.push((*on, content.clone()));
                self.statement_unreviewed = true;
            }
            StatementReviewed { .. } => self.statement_unreviewed = false,
            RightsWaived { .. } => self.rights_waived = true,
            HearingRequested { on } => self.hearing.requested = Some(*on),
            HearingNoticeServed {
                on,
                hearing_date,
                host,
            } => self.hearing.notice = Some((*on, *hearing_date, host.clone())),
            HearingHeld { on, .. } => {
                self.hearing.held = Some(*on);
                self.hearing_was_held = true;
            }
            HearingWaived { on, .. } => self.hearing.waived = Some(*on),
            ReviewRequested { on, triggers } => {
                self.review.requested = Some((*on, triggers.clone()));
                self.review.opinion = None;
            }
            ReviewOpinionGiven {
                on,
                reviewer,
                opinion,
                ..
            } => {
                self.review.opinion = Some((*on, *opinion, reviewer.clone()));
                if *opinion != ReviewOpinion::Agree {
                    // 不同意 / 修改后再报: back to the proposal (loop to notice stage).
                    self.review.requested = None;
                }
            }
            DiscussionHeld { on, .. } => self.discussion = Some(*on),
            DecisionPeriodExtended { days, .. } => self.extension_days += days,
            CaseSuspended { on, .. } => self.suspensions.push(Interval {
                from: *on,
                to: None,
            }),
            CaseResumed { on } => {
                if let Some(i) = self.suspensions.last_mut().filter(|i| i.to.is_none()) {
                    i.to = Some(*on);
                }
            }
            DecisionMade {
                on,
                number,
                penalty,
                late,
                ..
            } => {
                self.decision = Some(DecisionState {
                    on: *on,
                    number: number.clone(),
                    penalty: penalty.clone(),
                    late: *late,
                })
            }
            OnSpotDecided {
                on,
                number,
                agency_id,
                agency_name,
                field,
                party,
                penalty,
                officers,
                party_signed,
                ..
            } => {
                self.procedure = Some(Procedure::Simple);
                self.agency_id = agency_id.clone();
                self.agency_name = agency_name.clone();
                self.field = field.clone();
                self.party = party.clone();
                self.act_date = Some(*on);
                self.number = Some(number.clone());
                self.officers = officers.clone();
                self.party_signed = *party_signed;
                self.cause = penalty.violated.clone();
                self.proposal = Some(penalty.clone());
                self.outcome = Some(Outcome::Penalty {
                    penalty: penalty.clone(),
                });
                self.decision = Some(DecisionState {
                    on: *on,
                    number: number.clone(),
                    penalty: Some(penalty.clone()),
                    late: false,
                });
                // Handed over on the spot (APL Art. 52).
                self.served = Some((*on, "1".to_string(), false));
            }
            OnSpotFiled { .. } => self.on_spot_filed = true,
            DecisionServed { on, method, late } => self.served = Some((*on, method.clone(), *late)),
            DecisionPublished { on } => {
                self.published = Some(*on);
                self.withdrawn = None;
            }
            PublicationWithdrawn { on, reason } => {
                self.published = None;
                self.withdrawn = Some((*on, reason.clone()));
            }
            SurchargeAccrued { amount_fen, .. } => self.surcharge_fen = *amount_fen,
            PaymentReceived { amount_fen, .. } => self.paid_fen += amount_fen,
            DeferralApproved { due, .. } => self.deferred_due = Some(*due),
            AppealFiled { on, .. } => self.appeals.push(Interval {
                from: *on,
                to: None,
            }),
            AppealConcluded { on, .. } => {
                if let Some(i) = self.appeals.last_mut().filter(|i| i.to.is_none()) {
                    i.to = Some(*on);
                }
            }
            DemandServed { on } => self.demand_on = Some(*on),
            CourtApplied { on, .. } => self.court_applied = Some(*on),
            CaseClosed { on, .. } => self.closed_on = Some(*on),
            CaseArchived { on } => self.archived_on = Some(*on),
        }
        self.last_on = Some(event_on(event));
    }

    /// The stage, derived from the facts.
    pub fn stage(&self) -> Stage {
        if self.archived_on.is_some() {
            return Stage::Archived;
        }
        if self.closed_on.is_some() {
            return Stage::Closed;
        }
        if matches!(self.outcome, Some(Outcome::Transfer { .. })) {
            return Stage::Transferred;
        }
        if let Some(d) = &self.decision {
            return if self.served.is_some() && d.penalty.is_some() {
                Stage::Executing
            } else {
                Stage::Decided
            };
        }
        match &self.outcome {
            Some(Outcome::Penalty { .. }) => {
                if self.review.requested.is_some() {
                    Stage::Review
                } else {
                    Stage::Notice
                }
            }
            Some(_) => Stage::Review,
            None if self.filed_on.is_some() => Stage::Investigating,
            None => Stage::Lead,
        }
    }

    /// Whether a case exists (any event folded).
    pub fn exists(&self) -> bool {
        self.version > 0
    }

    /// The fine decided (0 when none).
    pub fn decided_fine(&self) -> i64 {
        self.decision
            .as_ref()
            .and_then(|d| d.penalty.as_ref())
            .map_or(0, |p| p.fine_fen + p.confiscation_fen)
    }

    /// Amount still owed (fine and confiscation plus surcharge, minus payments), fen.
    pub fn outstanding(&self) -> i64 {
        (self.decided_fine() + self.surcharge_fen - self.paid_fen).max(0)
    }

    /// Why legal review is required now (empty: not required), APL Art. 58.
    pub fn review_triggers(&self, rules: &CaseRules) -> Vec<ReviewTrigger> {
        let mut t = Vec::new();
        if self.procedure == Some(Procedure::Simple) {
            return t;
        }
        if let Some(p) = &self.proposal {
            let threshold = if self.party.is_citizen() {
                rules.review_fine_citizen
            } else {
                rules.review_fine_org
            };
            if p.fine_fen >= threshold {
                t.push(ReviewTrigger::FineThreshold);
            }
        }
        if self.hearing.held.is_some() || self.hearing_was_held {
            t.push(ReviewTrigger::HearingHeld);
        }
        if self.major_complex {
            t.push(ReviewTrigger::MajorComplex);
        }
        if self.discretion.as_ref().is_some_and(|d| d.deviates) {
            t.push(ReviewTrigger::DiscretionDeviation);
        }
        if self.review_manual {
            t.push(ReviewTrigger::Manual);
        }
        t
    }

    /// Whether the current proposal has an approving (同意) review opinion.
    pub fn review_approved(&self) -> bool {
        self.review.requested.is_some()
            && matches!(self.review.opinion, Some((_, ReviewOpinion::Agree, _)))
    }
}

/// The date of an event.
pub fn event_on(event: &CaseEvent) -> NaiveDate {
    use CaseEvent::*;
    match event {
        LeadRegistered { on, .. }
        | LeadRejected { on, .. }
        | CaseFiled { on, .. }
        | OfficersAssigned { on, .. }
        | RecordMade { on, .. }
        | EvidenceAdded { on, .. }
        | RecusalRequested { on, .. }
        | RecusalDecided { on, .. }
        | PreservationApproved { on, .. }
        | PreservationDecided { on, .. }
        | SeizureApplied { on, .. }
        | SeizureExtended { on, .. }
        | SeizureTestingStarted { on }
        | SeizureTestingEnded { on }
        | SeizureReleased { on }
        | InvestigationConcluded { on, .. }
        | PenaltyRevised { on, .. }
        | EServiceConsented { on, .. }
        | NoticeServed { on, .. }
        | StatementReceived { on, .. }
        | StatementReviewed { on, .. }
        | RightsWaived { on }
        | HearingRequested { on }
        | HearingNoticeServed { on, .. }
        | HearingHeld { on, .. }
        | HearingWaived { on, .. }
        | ReviewRequested { on, .. }
        | ReviewOpinionGiven { on, .. }
        | DiscussionHeld { on, .. }
        | DecisionPeriodExtended { on, .. }
        | CaseSuspended { on, .. }
        | CaseResumed { on }
        | DecisionMade { on, .. }
        | OnSpotDecided { on, .. }
        | OnSpotFiled { on }
        | DecisionServed { on, .. }
        | DecisionPublished { on }
        | PublicationWithdrawn { on, .. }
        | PaymentReceived { on, .. }
        | DeferralApproved { on, .. }
        | AppealFiled { on, .. }
        | AppealConcluded { on, .. }
        | DemandServed { on }
        | CourtApplied { on, .. }
        | CaseClosed { on, .. }
        | CaseArchived { on } => *on,
        SurchargeAccrued { as_of, .. } => *as_of,
    }
}
