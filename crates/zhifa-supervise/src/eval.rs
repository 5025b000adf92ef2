//! Per-case evaluation: the rules that look at one case (its folded state and its events) and
//! the facts from outside it (certificates, the statutory maximum of the applied article).
//!
//! The functions are pure: the store gathers a [`CaseView`] and [`Facts`], this module says
//! which [`Finding`]s hold. A finding is a situation, not an event: evaluating the same case
//! again yields the same findings with the same dedupe keys, so the store raises each once.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::json;
use zhifa_domain::calendar::LegalCalendar;
use zhifa_domain::case::{
    CaseEvent, CaseRules, CaseState, ClockKind, ClockStatus, OfficerRef, Procedure, ReviewOpinion,
    deadlines, surcharge, yuan,
};

use crate::rules::{Check, RuleDef, RuleSet};

/// A certificate as the evaluator needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRecord {
    /// Holder.
    pub officer_id: String,
    /// Status code (`certificate_status`: 1 有效, 2 暂扣, 3 注销).
    pub status: String,
    /// When a status other than 有效 took effect (the record's last change), if known.
    pub status_since: Option<NaiveDate>,
    /// First valid day.
    pub valid_from: NaiveDate,
    /// Last valid day.
    pub valid_to: NaiveDate,
    /// Enforcement fields covered.
    pub fields: Vec<String>,
}

/// Facts from outside a case, looked up by the store before evaluating.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Certificates by number.
    pub certificates: HashMap<String, CertificateRecord>,
    /// Highest fine the applied article allows, by power id (`None`: no absolute range).
    pub statutory_max: HashMap<String, Option<i64>>,
}

/// One case as stored.
#[derive(Debug, Clone, Copy)]
pub struct CaseView<'a> {
    /// Case id.
    pub case_id: &'a str,
    /// Region code of the agency.
    pub region_code: &'a str,
    /// Folded state.
    pub state: &'a CaseState,
    /// Every event, in order.
    pub events: &'a [CaseEvent],
}

/// What the evaluation runs against.
#[derive(Debug, Clone, Copy)]
pub struct EvalContext<'a> {
    /// Today (China time).
    pub today: NaiveDate,
    /// Legal calendar.
    pub calendar: &'a LegalCalendar,
    /// The node's case rules (periods, thresholds).
    pub case_rules: &'a CaseRules,
    /// Outside facts.
    pub facts: &'a Facts,
}

/// A situation a rule found.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Rule id.
    pub rule_id: String,
    /// Unique per situation: `{rule}:{what}`.
    pub dedupe_key: String,
    /// Case concerned, if one.
    pub case_id: Option<String>,
    /// Officer concerned, if one.
    pub officer_id: Option<String>,
    /// Agency concerned.
    pub agency_id: String,
    /// What was found, in Chinese, with the numbers.
    pub message: String,
    /// The facts behind it (shown to the supervisor, kept with the alert).
    pub facts: serde_json::Value,
}

/// Every per-case finding of the enabled rules of `set` on one case.
pub fn evaluate_case(set: &RuleSet, case: &CaseView<'_>, ctx: &EvalContext<'_>) -> Vec<Finding> {
    let s = case.state;
    let mut out = Vec::new();
    for rule in set.enabled() {
        if !rule.check.per_case() || !rule.scope.covers(&s.field, case.region_code) {
            continue;
        }
        if let Some((message, facts)) = check_case(rule, case, ctx) {
            out.push(Finding {
                rule_id: rule.id.clone(),
                dedupe_key: format!("{}:{}", rule.id, case.case_id),
                case_id: Some(case.case_id.to_string()),
                officer_id: facts
                    .get("officer_id")
                    .and_then(|v| v.as_str())
                    .map(str::to_string),
                agency_id: s.agency_id.clone(),
                message,
                facts,
            });
        }
    }
    out
}

fn check_case(
    rule: &RuleDef,
    case: &CaseView<'_>,
    ctx: &EvalContext<'_>,
) -> Option<(String, serde_json::Value)> {
    let s = case.state;
    match &rule.check {
        Check::Clock { clock, grace_days } => clock_lapse(s, ctx, *clock, *grace_days),
        Check::ReviewMissing => review_missing(s, ctx),
        Check::NoticeMissing => notice_missing(s),
        Check::OfficerCount { min } => officer_count(s, case.events, *min),
        Check::CertificateValidity => certificate_validity(s, case.events, ctx.facts),
        Check::DiscretionDeviation => discretion_deviation(s),
        Check::StatutoryMaximum => statutory_maximum(s, ctx.facts),
        Check::Limitation => limitation(s),
        Check::SurchargeMissing => surcharge_missing(s, case.events, ctx),
        Check::RepeatInspection { .. }
        | Check::ZeroEnforcement { .. }
        | Check::FinesAtMaximum { .. }
        | Check::NoPenaltyRate { .. } => None,
    }
}

/// A statutory clock overdue, or met late, by more than `grace` days.
fn clock_lapse(
    s: &CaseState,
    ctx: &EvalContext<'_>,
    kind: ClockKind,
    grace: u32,
) -> Option<(String, serde_json::Value)> {
    let clocks = deadlines(s, ctx.calendar, ctx.case_rules, ctx.today);
    let c = clocks.iter().find(|c| c.kind == kind)?;
    let limit = c.due + chrono::Days::new(u64::from(grace));
    let (late_by, how) = match (c.status, c.met_on) {
        (ClockStatus::Met, Some(met)) if met > limit => ((met - c.due).num_days(), "met_late"),
        (ClockStatus::Overdue, _) if ctx.today > limit => {
            ((ctx.today - c.due).num_days(), "overdue")
        }
        _ => return None,
    };
    let message = if how == "met_late" {
        format!(
            "{}为 {}，实际于 {} 完成，超期 {late_by} 日",
            c.label,
            c.due,
            c.met_on.map(|d| d.to_string()).unwrap_or_default()
        )
    } else {
        format!(
            "{}为 {}，至 {} 仍未完成，已超期 {late_by} 日",
            c.label, c.due, ctx.today
        )
    };
    Some((
        message,
        json!({"clock": kind, "due": c.due, "met_on": c.met_on, "days_late": late_by, "article": c.article}),
    ))
}

/// The decided penalty of a general-procedure case, if any.
fn general_penalty(s: &CaseState) -> Option<(NaiveDate, &zhifa_domain::case::Penalty)> {
    if s.procedure != Some(Procedure::General) {
        return None;
    }
    let d = s.decision.as_ref()?;
    Some((d.on, d.penalty.as_ref()?))
}

fn review_missing(s: &CaseState, ctx: &EvalContext<'_>) -> Option<(String, serde_json::Value)> {
    let (on, _) = general_penalty(s)?;
    let triggers = s.review_triggers(ctx.case_rules);
    if triggers.is_empty() {
        return None;
    }
    let agreed = s
        .review
        .opinion
        .as_ref()
        .is_some_and(|(d, o, _)| *o == ReviewOpinion::Agree && *d <= on);
    if agreed {
        return None;
    }
    let why: Vec<&str> = triggers.iter().map(|t| t.zh()).collect();
    Some((
        format!(
            "{on} 作出处罚决定前未取得“同意”的法制审核意见，而本案应当审核：{}",
            why.join("；")
        ),
        json!({"decided_on": on, "triggers": triggers, "opinion": s.review.opinion.as_ref().map(|o| o.1)}),
    ))
}

fn notice_missing(s: &CaseState) -> Option<(String, serde_json::Value)> {
    let (on, _) = general_penalty(s)?;
    match &s.notice {
        Some(n) if n.on <= on => None,
        Some(n) => Some((
            format!("事先告知书于 {} 送达，晚于 {on} 作出的处罚决定", n.on),
            json!({"decided_on": on, "notice_on": n.on}),
        )),
        None => Some((
            format!(
                "{on} 作出处罚决定，未见事先告知当事人拟作出的处罚内容及事实、理由、依据和陈述申辩权利"
            ),
            json!({"decided_on": on, "notice_on": null}),
        )),
    }
}

/// The officer acts of a case: (date, what, officers).
fn acts(events: &[CaseEvent]) -> impl Iterator<Item = (NaiveDate, &'static str, &[OfficerRef])> {
    events.iter().filter_map(|e| match e {
        CaseEvent::OfficersAssigned { on, officers } => Some((*on, "指派承办人员", &officers[..])),
        CaseEvent::RecordMade {
            on, kind, officers, ..
        } => Some((
            *on,
            if kind == "inspection" {
                "现场检查"
            } else {
                "询问"
            },
            &officers[..],
        )),
        CaseEvent::OnSpotDecided { on, officers, .. } => Some((*on, "当场处罚决定", &officers[..])),
        _ => None,
    })
}

fn officer_count(
    s: &CaseState,
    events: &[CaseEvent],
    min: u32,
) -> Option<(String, serde_json::Value)> {
    let _ = s;
    let bad: Vec<_> = acts(events)
        .filter_map(|(on, what, officers)| {
            let mut ids: Vec<&str> = officers.iter().map(|o| o.officer_id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            (ids.len() < min as usize).then_some((on, what, ids.len()))
        })
        .collect();
    let (on, what, n) = *bad.first()?;
    Some((
        format!(
            "{on} {what}仅有 {n} 名执法人员，少于法定的 {min} 人{}",
            if bad.len() > 1 {
                format!("（共 {} 次执法行为人数不足）", bad.len())
            } else {
                String::new()
            }
        ),
        json!({"acts": bad.iter().map(|(on, what, n)| json!({"on": on, "act": what, "officers": n})).collect::<Vec<_>>(), "min": min}),
    ))
}

/// Why a certificate was not valid for `field` on `on`, if it was not.
pub fn certificate_problem(
    cert: Option<&CertificateRecord>,
    officer_id: &str,
    field: &str,
    on: NaiveDate,
) -> Option<String> {
    let Some(c) = cert else {
        return Some("执法证号在证件库中不存在".into());
    };
    if c.officer_id != officer_id {
        return Some("执法证不属于该执法人员".into());
    }
    if on < c.valid_from || on > c.valid_to {
        return Some(format!("执法证有效期为 {} 至 {}", c.valid_from, c.valid_to));
    }
    if c.status != "1" && c.status_since.is_none_or(|since| since <= on) {
        let what = match c.status.as_str() {
            "2" => "暂扣",
            "3" => "注销",
            _ => "无效",
        };
        return Some(match c.status_since {
            Some(d) => format!("执法证自 {d} 起已{what}"),
            None => format!("执法证已{what}"),
        });
    }
    if !c.fields.iter().any(|f| f == field) {
        return Some("执法证未覆盖本案执法领域".into());
    }
    None
}

fn certificate_validity(
    s: &CaseState,
    events: &[CaseEvent],
    facts: &Facts,
) -> Option<(String, serde_json::Value)> {
    let mut bad = Vec::new();
    for (on, what, officers) in acts(events) {
        for o in officers {
            if let Some(why) = certificate_problem(
                facts.certificates.get(&o.certificate),
                &o.officer_id,
                &s.field,
                on,
            ) {
                bad.push((on, what, o, why));
            }
        }
    }
    let (on, what, o, why) = bad.first()?;
    Some((
        format!(
            "{on} {what}时，{}出示的执法证 {} 无效：{why}",
            o.name, o.certificate
        ),
        json!({
            "officer_id": o.officer_id,
            "problems": bad.iter().map(|(on, what, o, why)| json!({"on": on, "act": what, "officer": o.name, "certificate": o.certificate, "problem": why})).collect::<Vec<_>>(),
        }),
    ))
}

fn discretion_deviation(s: &CaseState) -> Option<(String, serde_json::Value)> {
    let d = s.decision.as_ref()?;
    let p = d.penalty.as_ref()?;
    let dis = s.discretion.as_ref().filter(|x| x.deviates)?;
    Some((
        format!(
            "罚款 {} 元超出裁量基准 {}–{} 元；说明理由：{}",
            yuan(p.fine_fen),
            yuan(dis.benchmark.min_fen),
            yuan(dis.benchmark.max_fen),
            dis.reason.as_deref().unwrap_or("（未说明）")
        ),
        json!({"fine_fen": p.fine_fen, "benchmark": dis.benchmark, "reason": dis.reason}),
    ))
}

fn statutory_maximum(s: &CaseState, facts: &Facts) -> Option<(String, serde_json::Value)> {
    let d = s.decision.as_ref()?;
    let p = d.penalty.as_ref()?;
    let power = s.power_id.as_deref()?;
    let max = (*facts.statutory_max.get(power)?)?;
    (p.fine_fen > max).then(|| {
        (
            format!(
                "罚款 {} 元超过所适用条款规定的最高罚款 {} 元",
                yuan(p.fine_fen),
                yuan(max)
            ),
            json!({"fine_fen": p.fine_fen, "statutory_max_fen": max, "power_id": power}),
        )
    })
}

fn limitation(s: &CaseState) -> Option<(String, serde_json::Value)> {
    let filed = s.filed_on?;
    let until = s.limitation_until?;
    (filed > until).then(|| {
        (
            format!("{filed} 立案，已超过 {until} 届满的追责时效"),
            json!({"filed_on": filed, "limitation_until": until, "act_date": s.act_date}),
        )
    })
}

fn surcharge_missing(
    s: &CaseState,
    events: &[CaseEvent],
    ctx: &EvalContext<'_>,
) -> Option<(String, serde_json::Value)> {
    let fine = s.decided_fine();
    if fine <= 0 || s.surcharge_fen > 0 {
        return None;
    }
    let clocks = deadlines(s, ctx.calendar, ctx.case_rules, ctx.today);
    let due = clocks.iter().find(|c| c.kind == ClockKind::Payment)?.due;
    // The day the payments reached the fine.
    let mut paid = 0;
    let mut paid_on = None;
    for e in events {
        if let CaseEvent::PaymentReceived { on, amount_fen, .. } = e {
            paid += amount_fen;
            if paid >= fine {
                paid_on = Some(*on);
                break;
            }
        }
    }
    let paid_on = paid_on?;
    let owed = surcharge(
        fine,
        due,
        paid_on,
        ctx.case_rules.surcharge_per_mille,
        &s.appeals,
    );
    (owed.amount_fen > 0).then(|| {
        (
            format!(
                "罚款缴纳期限为 {due}，{paid_on} 才缴清，逾期 {} 日，应加处罚款 {} 元而未加处",
                owed.days,
                yuan(owed.amount_fen)
            ),
            json!({"due": due, "paid_on": paid_on, "days": owed.days, "surcharge_fen": owed.amount_fen}),
        )
    })
}
