//! Statutory clocks (法定期限): every deadline of an open case, computed with the legal
//! calendar (APL Art. 85: "days" of five or fewer are working days; longer periods are
//! calendar days whose last day rolls to the next working day).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::config::CaseRules;
use super::law;
use super::model::Procedure;
use super::state::{CaseState, Stage};
use crate::calendar::{Deadline, LegalCalendar};

/// Which clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    /// 立案期限 (Art. 54; configurable).
    Filing,
    /// 先行登记保存处理期限 (Art. 56).
    Preservation,
    /// 查封扣押期限 (ACL Art. 25).
    Seizure,
    /// 陈述申辩期限.
    Statement,
    /// 听证申请期限 (Art. 64 (1)).
    HearingRequest,
    /// 听证通知最迟送达日 (Art. 64 (2)).
    HearingNotice,
    /// 办案期限 (Art. 60).
    Decision,
    /// 送达期限 (Art. 61).
    Service,
    /// 缴款期限 (Art. 67).
    Payment,
    /// 申请法院强制执行期限 (ACL Art. 53).
    CourtApplication,
    /// 公示期限 (118号).
    Publication,
}

impl ClockKind {
    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            ClockKind::Filing => "立案期限",
            ClockKind::Preservation => "登记保存物品处理期限",
            ClockKind::Seizure => "查封/扣押期限",
            ClockKind::Statement => "陈述申辩期限",
            ClockKind::HearingRequest => "听证申请期限",
            ClockKind::HearingNotice => "听证通知最迟送达日",
            ClockKind::Decision => "办案期限（作出决定）",
            ClockKind::Service => "决定书送达期限",
            ClockKind::Payment => "缴纳罚款期限",
            ClockKind::CourtApplication => "申请法院强制执行期限",
            ClockKind::Publication => "处罚决定公示期限",
        }
    }

    /// The article the clock comes from.
    pub fn article(self) -> &'static str {
        match self {
            ClockKind::Filing => law::APL_54,
            ClockKind::Preservation => law::APL_56,
            ClockKind::Seizure => law::ACL_25,
            ClockKind::Statement => law::APL_45,
            ClockKind::HearingRequest | ClockKind::HearingNotice => law::APL_64,
            ClockKind::Decision => law::APL_60,
            ClockKind::Service => law::APL_61,
            ClockKind::Payment => law::APL_67,
            ClockKind::CourtApplication => law::ACL_53,
            ClockKind::Publication => law::GB_118,
        }
    }
}

/// Where a clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockStatus {
    /// Running, not yet near.
    Running,
    /// Due within the configured days.
    DueSoon,
    /// Past due and not met.
    Overdue,
    /// Met (the act was done), on time or not.
    Met,
    /// Paused (suspension, testing, appeal).
    Paused,
}

impl ClockStatus {
    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            ClockStatus::Running => "进行中",
            ClockStatus::DueSoon => "即将到期",
            ClockStatus::Overdue => "已超期",
            ClockStatus::Met => "已完成",
            ClockStatus::Paused => "已中止",
        }
    }
}

/// One deadline of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatutoryClock {
    /// Which clock.
    pub kind: ClockKind,
    /// Chinese label.
    pub label: String,
    /// Last day.
    pub due: NaiveDate,
    /// The article.
    pub article: String,
    /// Status as of the day asked.
    pub status: ClockStatus,
    /// True when the calendar for a consulted year is not loaded (weekends-only rule).
    pub provisional: bool,
    /// The day the act was done, when met.
    pub met_on: Option<NaiveDate>,
}

struct Builder<'a> {
    today: NaiveDate,
    rules: &'a CaseRules,
    out: Vec<StatutoryClock>,
}

impl Builder<'_> {
    fn push(&mut self, kind: ClockKind, d: Deadline, met_on: Option<NaiveDate>, paused: bool) {
        let status = if met_on.is_some() {
            ClockStatus::Met
        } else if paused {
            ClockStatus::Paused
        } else if self.today > d.date {
            ClockStatus::Overdue
        } else if (d.date - self.today).num_days() <= i64::from(self.rules.due_soon_days) {
            ClockStatus::DueSoon
        } else {
            ClockStatus::Running
        };
        self.out.push(StatutoryClock {
            kind,
            label: kind.zh().to_string(),
            due: d.date,
            article: kind.article().to_string(),
            status,
            provisional: d.provisional,
            met_on,
        });
    }
}

/// The last day of the decision period (APL Art. 60): 90 days from filing plus approved
/// extensions and suspended days.
pub(crate) fn decision_due(
    s: &CaseState,
    calendar: &LegalCalendar,
    rules: &CaseRules,
    today: NaiveDate,
) -> Option<Deadline> {
    let filed = s.filed_on?;
    let until = s.decision.as_ref().map_or(today, |d| d.on);
    let paused: i64 = s
        .suspensions
        .iter()
        .map(|i| i.days_within(filed, until.max(filed)))
        .sum();
    let days = i64::from(rules.decision_days) + i64::from(s.extension_days) + paused;
    Some(calendar.add_calendar_days(filed, u32::try_from(days).unwrap_or(u32::MAX)))
}

/// The last day of the seizure term (ACL Art. 25): 30 days plus the extension, not counting
/// testing days (counted up to the release, or `today` while it lasts).
pub(crate) fn seizure_due(
    s: &CaseState,
    calendar: &LegalCalendar,
    rules: &CaseRules,
    today: NaiveDate,
) -> Option<Deadline> {
    let z = s.seizure.as_ref()?;
    let paused: i64 = z
        .testing
        .iter()
        .map(|i| i.days_within(z.on, z.released.unwrap_or(today).max(z.on)))
        .sum();
    let days = i64::from(rules.seizure_days) + i64::from(z.extended_days) + paused;
    Some(calendar.add_calendar_days(z.on, u32::try_from(days).unwrap_or(u32::MAX)))
}

/// The payment due date (APL Art. 67: 15 days from service; or the approved deferral).
pub(crate) fn payment_due(
    s: &CaseState,
    calendar: &LegalCalendar,
    rules: &CaseRules,
) -> Option<Deadline> {
    let (served, _, _) = s.served.as_ref()?;
    if let Some(d) = s.deferred_due {
        // The approved date itself when it is a working day, else the next one (a
        // `next_working_day` here would wrongly push a working-day due date back a day).
        return Some(calendar.add_working_days(d, 0));
    }
    Some(calendar.add_calendar_days(*served, rules.payment_days))
}

/// The court-application window (ACL Art. 53): it opens when the periods for administrative
/// review and litigation after service have run out and closes three months later; when a
/// deferral or instalments were approved, the period is counted from the end of the deferral
/// instead (APL Art. 72 para 2). Returns (last day of the appeal periods or deferral, last
/// day to apply).
pub(crate) fn court_window(
    s: &CaseState,
    calendar: &LegalCalendar,
    rules: &CaseRules,
) -> Option<(NaiveDate, Deadline)> {
    let (served, _, _) = s.served.as_ref()?;
    let appeal_end = calendar.add_months(*served, rules.appeal_months).date;
    let opens = match s.deferred_due {
        Some(deferred) => appeal_end.max(calendar.add_working_days(deferred, 0).date),
        None => appeal_end,
    };
    Some((
        opens,
        calendar.add_months(opens, rules.court_application_months),
    ))
}

/// Every deadline of the case as of `today` (met ones included, with the day they were met).
pub fn deadlines(
    s: &CaseState,
    calendar: &LegalCalendar,
    rules: &CaseRules,
    today: NaiveDate,
) -> Vec<StatutoryClock> {
    let mut b = Builder {
        today,
        rules,
        out: Vec::new(),
    };
    let stage = s.stage();
    let suspended = s.suspensions.last().is_some_and(|i| i.to.is_none());
    if let Some(lead) = s.lead_on
        && s.rejected.is_none()
    {
        let d = calendar.add_working_days(lead, rules.filing_working_days);
        b.push(ClockKind::Filing, d, s.filed_on, false);
    }
    if let Some((on, decided)) = s.preservation {
        let d = calendar.add_working_days(on, rules.preservation_working_days);
        b.push(ClockKind::Preservation, d, decided, false);
    }
    if let Some(z) = &s.seizure
        && let Some(d) = seizure_due(s, calendar, rules, today)
    {
        let testing = z.testing.last().is_some_and(|i| i.to.is_none());
        b.push(ClockKind::Seizure, d, z.released, testing);
    }
    if let Some(n) = &s.notice
        && s.decision.is_none()
    {
        let d = calendar.add_working_days(n.on, rules.statement_working_days);
        let met = if s.rights_waived {
            s.last_on
        } else {
            s.statements.last().map(|x| x.0).filter(|on| *on >= n.on)
        };
        b.push(ClockKind::Statement, d, met, false);
        if n.hearing_right {
            let d = calendar.add_working_days(n.on, rules.hearing_request_working_days);
            // A written waiver of all rights also ends the hearing-request window.
            let met = s
                .hearing
                .requested
                .or(s.hearing.waived)
                .or(if s.rights_waived { s.last_on } else { None });
            b.push(ClockKind::HearingRequest, d, met, false);
        }
        if let Some((_, hearing_date, _)) = &s.hearing.notice {
            let d = calendar.sub_working_days(*hearing_date, rules.hearing_notice_working_days);
            b.push(
                ClockKind::HearingNotice,
                d,
                s.hearing.notice.as_ref().map(|x| x.0),
                false,
            );
        }
    }
    if s.procedure == Some(Procedure::General)
        && s.filed_on.is_some()
        && !matches!(stage, Stage::Transferred)
        && s.rejected.is_none()
        && let Some(d) = decision_due(s, calendar, rules, today)
    {
        b.push(
            ClockKind::Decision,
            d,
            s.decision.as_ref().map(|x| x.on),
            suspended,
        );
    }
    if let Some(dec) = &s.decision {
        if s.procedure == Some(Procedure::General) {
            let d = calendar.add_working_days(dec.on, rules.service_working_days);
            b.push(ClockKind::Service, d, s.served.as_ref().map(|x| x.0), false);
        }
        if dec.penalty.is_some() && s.procedure == Some(Procedure::General) {
            let d = calendar.add_working_days(dec.on, rules.publication_working_days);
            b.push(
                ClockKind::Publication,
                d,
                s.published.or(s.withdrawn.as_ref().map(|w| w.0)),
                false,
            );
        }
        if dec
            .penalty
            .as_ref()
            .is_some_and(|p| p.fine_fen + p.confiscation_fen > 0)
            && let Some(d) = payment_due(s, calendar, rules)
        {
            let paid_off = s.outstanding() == 0 && s.paid_fen > 0;
            let appeal = s.appeals.last().is_some_and(|i| i.to.is_none());
            b.push(
                ClockKind::Payment,
                d,
                paid_off.then(|| s.last_on.unwrap_or(today)),
                appeal,
            );
            if !paid_off
                && s.court_applied.is_none()
                && today > d.date
                && let Some((_, closes)) = court_window(s, calendar, rules)
            {
                b.push(ClockKind::CourtApplication, closes, s.court_applied, appeal);
            }
        }
    }
    if !stage.is_open() {
        // A closed case keeps its history but nothing is overdue any more.
        b.out.retain(|c| c.status == ClockStatus::Met);
    }
    b.out
}

/// The nearest unmet deadline (for lists and traffic lights).
pub fn next_due(clocks: &[StatutoryClock]) -> Option<&StatutoryClock> {
    clocks
        .iter()
        .filter(|c| !matches!(c.status, ClockStatus::Met | ClockStatus::Paused))
        .min_by_key(|c| c.due)
}
