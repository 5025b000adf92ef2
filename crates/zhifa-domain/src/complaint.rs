//! Complaints and reports (投诉举报) as rules: their kinds, the handling status flow, who may
//! take which step, and the handling deadlines computed with the legal calendar.
//!
//! The flow (each step refused out of order, with the article it enforces):
//!
//! ```text
//! 已登记 received ──route──▶ 已分派 routed ──accept──▶ 已受理 accepted ──handle──▶ 已办结 handled ──reply──▶ 已答复 replied
//!                                   │  ▲                                                               ▲
//!                                   │  └─route (re-route before the decision)                          │
//!                                   └──reject──▶ 不予受理 rejected ──reply────────────────────────────┘
//! ```
//!
//! - Routing (分送, 《市场监督管理投诉举报处理暂行办法》第三十七条) is done at intake when exactly
//!   one agency of the field covers the region most locally; otherwise a supervisor or an
//!   administrator routes by hand.
//! - The acceptance decision is due within [`ComplaintRules::accept_working_days`] working days
//!   of receipt (default 7, 暂行办法第十四条); refusals give a reason (第十五条).
//! - Handling is due within [`ComplaintRules::handle_days`] days of acceptance (default 60,
//!   《信访工作条例》第三十四条).
//! - The reply (答复, 《信访工作条例》第三十二条; for reports 暂行办法第三十一条) closes the matter.
//!
//! Pure: no database. The store supplies the record's status and dates.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::{Deadline, LegalCalendar};
use crate::case::Refusal;

/// 《市场监督管理投诉举报处理暂行办法》第九条: what a complaint must state (the complainant's
/// name and telephone among it).
pub const ART_MATERIALS: &str = "《市场监督管理投诉举报处理暂行办法》第九条";
/// 第十四条: acceptance decision within seven working days of receipt.
pub const ART_ACCEPT: &str = "《市场监督管理投诉举报处理暂行办法》第十四条";
/// 第十五条: the grounds for not accepting a complaint.
pub const ART_REJECT: &str = "《市场监督管理投诉举报处理暂行办法》第十五条";
/// 第三十一条: reports are handled under the penalty procedure; the reporter is told.
pub const ART_REPORT: &str = "《市场监督管理投诉举报处理暂行办法》第三十一条";
/// 第三十三条: the reporter's personal data is kept confidential.
pub const ART_CONFIDENTIAL: &str = "《市场监督管理投诉举报处理暂行办法》第三十三条";
/// 第三十七条: the receiving body passes the matter to the body competent to handle it.
pub const ART_ROUTE: &str = "《市场监督管理投诉举报处理暂行办法》第三十七条";
/// 《信访工作条例》第三十四条: handled within 60 days of acceptance.
pub const ART_HANDLE: &str = "《信访工作条例》第三十四条";
/// 《信访工作条例》第三十二条: the written reply states the request, facts, opinion and basis.
pub const ART_REPLY: &str = "《信访工作条例》第三十二条";

/// Whether it is a complaint (投诉: a consumer's own dispute, needs the complainant's contact)
/// or a report (举报: a suspected violation, may be anonymous).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintKind {
    /// 投诉.
    Complaint,
    /// 举报.
    Report,
}

impl ComplaintKind {
    /// Both kinds, in display order.
    pub const ALL: [ComplaintKind; 2] = [ComplaintKind::Complaint, ComplaintKind::Report];

    /// Stored code: `complaint` or `report`.
    pub fn code(self) -> &'static str {
        match self {
            ComplaintKind::Complaint => "complaint",
            ComplaintKind::Report => "report",
        }
    }

    /// Chinese name, also the word of the number (`投诉〔2026〕17号`).
    pub fn zh(self) -> &'static str {
        match self {
            ComplaintKind::Complaint => "投诉",
            ComplaintKind::Report => "举报",
        }
    }

    /// The kind of a stored code or of its Chinese name.
    pub fn parse(s: &str) -> Option<ComplaintKind> {
        ComplaintKind::ALL
            .into_iter()
            .find(|k| k.code() == s.trim() || k.zh() == s.trim())
    }
}

/// Where a complaint stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintStatus {
    /// 已登记 (待分派): received, no agency yet.
    Received,
    /// 已分派: routed to an agency, acceptance decision pending.
    Routed,
    /// 已受理.
    Accepted,
    /// 不予受理 (with the reason).
    Rejected,
    /// 已办结 (with the result).
    Handled,
    /// 已答复 (reply text and date).
    Replied,
}

impl ComplaintStatus {
    /// Every status, in flow order.
    pub const ALL: [ComplaintStatus; 6] = [
        ComplaintStatus::Received,
        ComplaintStatus::Routed,
        ComplaintStatus::Accepted,
        ComplaintStatus::Rejected,
        ComplaintStatus::Handled,
        ComplaintStatus::Replied,
    ];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            ComplaintStatus::Received => "received",
            ComplaintStatus::Routed => "routed",
            ComplaintStatus::Accepted => "accepted",
            ComplaintStatus::Rejected => "rejected",
            ComplaintStatus::Handled => "handled",
            ComplaintStatus::Replied => "replied",
        }
    }

    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            ComplaintStatus::Received => "已登记（待分派）",
            ComplaintStatus::Routed => "已分派",
            ComplaintStatus::Accepted => "已受理",
            ComplaintStatus::Rejected => "不予受理",
            ComplaintStatus::Handled => "已办结",
            ComplaintStatus::Replied => "已答复",
        }
    }

    /// The status of a stored code.
    pub fn parse(s: &str) -> Option<ComplaintStatus> {
        ComplaintStatus::ALL
            .into_iter()
            .find(|k| k.code() == s.trim())
    }

    /// The code of the data standard's set `complaint_status` (1 已登记, 2 办理中, 3 已办结,
    /// 4 不予受理) for the exchange format.
    pub fn standard_code(self) -> &'static str {
        match self {
            ComplaintStatus::Received | ComplaintStatus::Routed => "1",
            ComplaintStatus::Accepted => "2",
            ComplaintStatus::Handled | ComplaintStatus::Replied => "3",
            ComplaintStatus::Rejected => "4",
        }
    }

    /// Whether a deadline is still running (the acceptance decision or the handling is due).
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            ComplaintStatus::Received | ComplaintStatus::Routed | ComplaintStatus::Accepted
        )
    }
}

/// A handling step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintAction {
    /// 分派 to an agency (supervisors, administrators).
    Route,
    /// 受理.
    Accept,
    /// 不予受理 (reason).
    Reject,
    /// 办结 (result; may link a case or a supervision alert).
    Handle,
    /// 答复 (reply text).
    Reply,
}

impl ComplaintAction {
    /// Every step, in flow order.
    pub const ALL: [ComplaintAction; 5] = [
        ComplaintAction::Route,
        ComplaintAction::Accept,
        ComplaintAction::Reject,
        ComplaintAction::Handle,
        ComplaintAction::Reply,
    ];

    /// Code (the last path segment of the API and page actions).
    pub fn code(self) -> &'static str {
        match self {
            ComplaintAction::Route => "route",
            ComplaintAction::Accept => "accept",
            ComplaintAction::Reject => "reject",
            ComplaintAction::Handle => "handle",
            ComplaintAction::Reply => "reply",
        }
    }

    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            ComplaintAction::Route => "分派",
            ComplaintAction::Accept => "受理",
            ComplaintAction::Reject => "不予受理",
            ComplaintAction::Handle => "办结",
            ComplaintAction::Reply => "答复",
        }
    }

    /// The step of a code.
    pub fn parse(s: &str) -> Option<ComplaintAction> {
        ComplaintAction::ALL
            .into_iter()
            .find(|a| a.code() == s.trim())
    }

    /// The article the step carries out.
    pub fn article(self) -> &'static str {
        match self {
            ComplaintAction::Route => ART_ROUTE,
            ComplaintAction::Accept => ART_ACCEPT,
            ComplaintAction::Reject => ART_REJECT,
            ComplaintAction::Handle => ART_HANDLE,
            ComplaintAction::Reply => ART_REPLY,
        }
    }

    /// The statuses the step may start from.
    pub fn from_statuses(self) -> &'static [ComplaintStatus] {
        use ComplaintStatus::*;
        match self {
            ComplaintAction::Route => &[Received, Routed],
            ComplaintAction::Accept | ComplaintAction::Reject => &[Routed],
            ComplaintAction::Handle => &[Accepted],
            ComplaintAction::Reply => &[Handled, Rejected],
        }
    }

    /// The status after the step.
    pub fn to_status(self) -> ComplaintStatus {
        match self {
            ComplaintAction::Route => ComplaintStatus::Routed,
            ComplaintAction::Accept => ComplaintStatus::Accepted,
            ComplaintAction::Reject => ComplaintStatus::Rejected,
            ComplaintAction::Handle => ComplaintStatus::Handled,
            ComplaintAction::Reply => ComplaintStatus::Replied,
        }
    }

    /// The roles that take the step: routing is the supervisors' and administrators' (the
    /// receiving body passes the matter on), the other steps the routed agency's officers and
    /// head.
    pub fn roles(self) -> &'static [&'static str] {
        match self {
            ComplaintAction::Route => &["supervisor", "admin"],
            _ => &["officer", "head"],
        }
    }
}

/// The complaint thresholds of a node (node setting `complaint_rules`), with their documented
/// defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ComplaintRules {
    /// Acceptance decision after receipt, working days (暂行办法第十四条): 7.
    pub accept_working_days: u32,
    /// Handling after acceptance, calendar days (《信访工作条例》第三十四条): 60.
    pub handle_days: u32,
    /// The basis shown with the acceptance deadline.
    pub accept_basis: String,
    /// The basis shown with the handling deadline.
    pub handle_basis: String,
}

impl Default for ComplaintRules {
    fn default() -> Self {
        ComplaintRules {
            accept_working_days: 7,
            handle_days: 60,
            accept_basis: ART_ACCEPT.to_string(),
            handle_basis: ART_HANDLE.to_string(),
        }
    }
}

impl ComplaintRules {
    /// Checks the values are usable; returns the offending field and a Chinese message.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if !(1..=30).contains(&self.accept_working_days) {
            return Err((
                "accept_working_days",
                "受理决定期限应为 1–30 个工作日（默认 7 个工作日）".to_string(),
            ));
        }
        if !(1..=365).contains(&self.handle_days) {
            return Err((
                "handle_days",
                "办理期限应为 1–365 日（默认 60 日）".to_string(),
            ));
        }
        for (field, v) in [
            ("accept_basis", &self.accept_basis),
            ("handle_basis", &self.handle_basis),
        ] {
            if v.trim().is_empty() || v.chars().count() > 200 {
                return Err((field, "依据应填写，且不超过 200 个字符".to_string()));
            }
        }
        Ok(())
    }

    /// The acceptance decision's deadline: `accept_working_days` working days after receipt
    /// (the day of receipt not counted).
    pub fn acceptance_due(&self, calendar: &LegalCalendar, received_on: NaiveDate) -> Deadline {
        calendar.add_working_days(received_on, self.accept_working_days)
    }

    /// The handling deadline: `handle_days` calendar days after acceptance, rolled forward to
    /// a working day when it falls on a rest day.
    pub fn handling_due(&self, calendar: &LegalCalendar, accepted_on: NaiveDate) -> Deadline {
        calendar.add_calendar_days(accepted_on, self.handle_days)
    }
}

/// Whether `role` may take `action` on a complaint in `status` now: the order of the flow
/// first (`complaint.status`), then the role (`complaint.role`).
pub fn gate(status: ComplaintStatus, action: ComplaintAction, role: &str) -> Result<(), Refusal> {
    if !action.from_statuses().contains(&status) {
        let from = action
            .from_statuses()
            .iter()
            .map(|s| s.zh())
            .collect::<Vec<_>>()
            .join("或");
        return Err(Refusal::new(
            "complaint.status",
            action.article(),
            format!(
                "当前状态为“{}”，不能{}：只有“{from}”的投诉举报可以{}",
                status.zh(),
                action.zh(),
                action.zh()
            ),
            remedy_for(status),
        ));
    }
    if !action.roles().contains(&role) {
        let who = if action == ComplaintAction::Route {
            "执法监督人员或系统管理员"
        } else {
            "承办执法主体的执法人员或机关负责人"
        };
        return Err(Refusal::new(
            "complaint.role",
            action.article(),
            format!("{}只能由{who}办理", action.zh()),
            format!("请由{who}登录后办理"),
        ));
    }
    Ok(())
}

/// What the next step of a complaint in `status` is.
fn remedy_for(status: ComplaintStatus) -> String {
    match status {
        ComplaintStatus::Received => "请先由执法监督人员或系统管理员分派给承办执法主体".into(),
        ComplaintStatus::Routed => "请先由承办执法主体作出受理或不予受理决定".into(),
        ComplaintStatus::Accepted => "请先办结并记录处理结果".into(),
        ComplaintStatus::Rejected | ComplaintStatus::Handled => "请答复投诉举报人".into(),
        ComplaintStatus::Replied => "本件已答复办结，无需再办理".into(),
    }
}

/// A step's date must lie between the previous step's date and today
/// (`complaint.date.before_previous`, `complaint.date.future`).
pub fn check_date(on: NaiveDate, previous: NaiveDate, today: NaiveDate) -> Result<(), Refusal> {
    if on > today {
        return Err(Refusal::new(
            "complaint.date.future",
            ART_HANDLE,
            format!("办理日期 {on} 晚于今天 {today}"),
            "请填写实际办理的日期",
        ));
    }
    if on < previous {
        return Err(Refusal::new(
            "complaint.date.before_previous",
            ART_HANDLE,
            format!("办理日期 {on} 早于上一环节的日期 {previous}"),
            "请填写不早于上一环节的日期",
        ));
    }
    Ok(())
}

/// Every step with whether `role` may take it now (the complaint page shows the allowed ones
/// as forms).
pub fn available(
    status: ComplaintStatus,
    role: &str,
) -> Vec<(ComplaintAction, Result<(), Refusal>)> {
    ComplaintAction::ALL
        .into_iter()
        .map(|a| (a, gate(status, a, role)))
        .collect()
}

/// The number of a complaint: `投诉〔2026〕17号`.
pub fn format_number(kind: ComplaintKind, year: i32, seq: i64) -> String {
    format!("{}〔{year}〕{seq}号", kind.zh())
}

/// Reads a number as a citizen may type it (`投诉〔2026〕17号`, `投诉[2026]17号`,
/// `举报(2026)3`, `投诉2026-17`): the kind, the year and the sequence number.
pub fn parse_number(s: &str) -> Option<(ComplaintKind, i32, i64)> {
    let s = s.trim();
    let kind = ComplaintKind::ALL
        .into_iter()
        .find(|k| s.starts_with(k.zh()))?;
    let rest = &s[kind.zh().len()..];
    let mut groups = rest
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty());
    let year = groups.next().filter(|g| g.len() == 4)?.parse().ok()?;
    let seq: i64 = groups.next()?.parse().ok()?;
    if groups.next().is_some() || seq < 1 {
        return None;
    }
    Some((kind, year, seq))
}

/// A name with all but its first character hidden (`张**`); blank stays blank.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        Some(first) => {
            let rest = chars.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
        None => String::new(),
    }
}

/// A telephone number with its middle hidden: a mobile as `138****8000`, any other number
/// with all but its last four digits hidden.
pub fn mask_phone(phone: &str) -> String {
    let p = phone.trim();
    if p.len() == 11 && p.bytes().all(|b| b.is_ascii_digit()) {
        return format!("{}****{}", &p[..3], &p[7..]);
    }
    let chars: Vec<char> = p.chars().collect();
    let keep = chars.len().saturating_sub(4);
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < keep && c.is_ascii_digit() {
                '*'
            } else {
                *c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// 暂行办法第十四条: seven working days; received on Friday 2024-09-27, the National Day
    /// holidays (10-01 to 10-07) and the weekend are skipped, the make-up workday 09-29 counts.
    #[test]
    fn acceptance_due_counts_working_days_art_14() {
        let rules = ComplaintRules::default();
        let cal = LegalCalendar::builtin();
        let due = rules.acceptance_due(&cal, d("2024-09-27"));
        // 09-29 (调休上班), 09-30, 10-08, 10-09, 10-10, 10-11, 10-12 (调休上班).
        assert_eq!(due.date, d("2024-10-12"));
        assert!(!due.provisional);
        for n in 0..40 {
            let start = d("2024-01-01") + chrono::Duration::days(n * 9);
            let due = rules.acceptance_due(&cal, start).date;
            assert!(cal.is_working_day(due).value, "{due} is a working day");
            assert_eq!(cal.working_days_between(start, due).value, 7);
        }
    }

    /// 《信访工作条例》第三十四条: sixty days after acceptance, rolled to a working day.
    #[test]
    fn handling_due_is_sixty_days_art_34() {
        let rules = ComplaintRules::default();
        let cal = LegalCalendar::builtin();
        assert_eq!(
            rules.handling_due(&cal, d("2024-03-01")).date,
            d("2024-04-30")
        );
        // 2024-08-02 + 60 = 2024-10-01 (国庆): rolled to 10-08.
        let due = rules.handling_due(&cal, d("2024-08-02"));
        assert_eq!(due.date, d("2024-10-08"));
        assert_eq!(due.rolled_from, Some(d("2024-10-01")));
    }

    #[test]
    fn flow_refuses_steps_out_of_order() {
        use ComplaintAction::*;
        use ComplaintStatus::*;
        assert!(gate(Received, Route, "supervisor").is_ok());
        assert!(
            gate(Routed, Route, "admin").is_ok(),
            "re-routing before the decision"
        );
        assert!(gate(Routed, Accept, "officer").is_ok());
        assert!(gate(Routed, Reject, "head").is_ok());
        assert!(gate(Accepted, Handle, "officer").is_ok());
        assert!(gate(Handled, Reply, "officer").is_ok());
        assert!(gate(Rejected, Reply, "head").is_ok());
        for (status, action) in [
            (Received, Accept),
            (Received, Handle),
            (Routed, Handle),
            (Routed, Reply),
            (Accepted, Accept),
            (Accepted, Route),
            (Accepted, Reply),
            (Rejected, Handle),
            (Handled, Handle),
            (Replied, Reply),
            (Replied, Route),
        ] {
            let r = gate(status, action, "head").and(gate(status, action, "admin"));
            let e = r.expect_err("refused");
            assert_eq!(e.code, "complaint.status", "{status:?} {action:?}");
            assert!(e.message.contains(status.zh()));
            assert_eq!(e.article, action.article());
        }
    }

    #[test]
    fn roles_per_step() {
        use ComplaintAction::*;
        use ComplaintStatus::*;
        assert_eq!(
            gate(Received, Route, "officer").unwrap_err().code,
            "complaint.role"
        );
        assert_eq!(
            gate(Routed, Accept, "supervisor").unwrap_err().code,
            "complaint.role"
        );
        assert_eq!(
            gate(Routed, Accept, "reviewer").unwrap_err().code,
            "complaint.role"
        );
        assert_eq!(
            gate(Accepted, Handle, "admin").unwrap_err().code,
            "complaint.role"
        );
        let offered: Vec<_> = available(Routed, "officer")
            .into_iter()
            .filter(|(_, r)| r.is_ok())
            .map(|(a, _)| a)
            .collect();
        assert_eq!(offered, vec![Accept, Reject]);
    }

    #[test]
    fn step_dates_are_ordered() {
        let today = d("2026-03-10");
        assert!(check_date(d("2026-03-10"), d("2026-03-01"), today).is_ok());
        assert_eq!(
            check_date(d("2026-03-11"), d("2026-03-01"), today)
                .unwrap_err()
                .code,
            "complaint.date.future"
        );
        assert_eq!(
            check_date(d("2026-02-28"), d("2026-03-01"), today)
                .unwrap_err()
                .code,
            "complaint.date.before_previous"
        );
    }

    #[test]
    fn numbers_format_and_parse() {
        assert_eq!(
            format_number(ComplaintKind::Complaint, 2026, 17),
            "投诉〔2026〕17号"
        );
        for s in [
            "投诉〔2026〕17号",
            "投诉[2026]17号",
            " 投诉(2026)17 ",
            "投诉2026-17",
        ] {
            assert_eq!(
                parse_number(s),
                Some((ComplaintKind::Complaint, 2026, 17)),
                "{s}"
            );
        }
        assert_eq!(
            parse_number("举报〔2025〕3号"),
            Some((ComplaintKind::Report, 2025, 3))
        );
        for s in [
            "",
            "投诉",
            "投诉〔26〕1号",
            "信访〔2026〕1号",
            "投诉〔2026〕0号",
            "投诉〔2026〕1号2",
        ] {
            assert_eq!(parse_number(s), None, "{s}");
        }
    }

    /// 暂行办法第三十三条: personal data of complainants is shown masked.
    #[test]
    fn masking_art_33() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_name("李"), "李*");
        assert_eq!(mask_name("  "), "");
        assert_eq!(mask_phone("13800138000"), "138****8000");
        assert_eq!(mask_phone("020-12345678"), "***-****5678");
    }

    #[test]
    fn rules_checked_and_codes_round_trip() {
        assert!(ComplaintRules::default().check().is_ok());
        let bad = ComplaintRules {
            accept_working_days: 0,
            ..ComplaintRules::default()
        };
        assert_eq!(bad.check().unwrap_err().0, "accept_working_days");
        for s in ComplaintStatus::ALL {
            assert_eq!(ComplaintStatus::parse(s.code()), Some(s));
            assert!(crate::check_code("complaint_status", s.standard_code()).is_ok());
        }
        for a in ComplaintAction::ALL {
            assert_eq!(ComplaintAction::parse(a.code()), Some(a));
        }
        assert_eq!(ComplaintKind::parse("举报"), Some(ComplaintKind::Report));
    }
}
