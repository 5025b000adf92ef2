//! The rules: which command is allowed when, and what events it produces.
//!
//! [`decide`] is the only way events come into being. It first applies the command's
//! *gate* (stage, role, and time-dependent conditions that do not depend on the command's
//! data — the same check [`available`] shows on the case page), then checks the command's
//! data and emits events. Every refusal cites its article.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::clocks::{court_window, decision_due, payment_due, seizure_due};
use super::command::{COMMANDS, Command, CommandKind, Envelope};
use super::config::CaseRules;
use super::event::CaseEvent;
use super::law;
use super::model::*;
use super::refusal::{Refusal, ensure};
use super::state::{CaseState, Stage};
use super::surcharge::surcharge;
use crate::calendar::LegalCalendar;
use crate::standard::check_code;

/// A certificate as the rules need it (from the store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertFacts {
    /// Certificate number.
    pub number: String,
    /// Status code (`certificate_status`: 1 有效, 2 暂扣, 3 注销).
    pub status: String,
    /// First valid day.
    pub valid_from: NaiveDate,
    /// Last valid day.
    pub valid_to: NaiveDate,
    /// Enforcement fields covered.
    pub fields: Vec<String>,
    /// Legal-review qualification (法律职业资格, APL Art. 58 para 2).
    pub legal_review_qualified: bool,
}

/// An officer as the rules need it (from the store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerFacts {
    /// Officer id.
    pub officer_id: String,
    /// Name.
    pub name: String,
    /// Agency (subject) id.
    pub subject_id: String,
    /// Active record.
    pub active: bool,
    /// Certificates (active records).
    pub certificates: Vec<CertFacts>,
}

/// The agency a case belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyFacts {
    /// Subject id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Short name used in document numbers (e.g. 穗市监).
    pub short_name: String,
    /// Enforcement field code.
    pub field: String,
    /// Region code.
    pub region_code: String,
}

/// Facts from outside the case that the rules consult.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Today (China time).
    pub today: NaiveDate,
    /// Legal calendar.
    pub calendar: &'a LegalCalendar,
    /// Node thresholds.
    pub rules: &'a CaseRules,
    /// Officers the command names, and the acting officer.
    pub officers: &'a [OfficerFacts],
    /// The agency (from the command for a new case, else the case's).
    pub agency: Option<&'a AgencyFacts>,
    /// Discretion benchmark ranges of the case's power.
    pub benchmarks: &'a [BenchmarkRange],
    /// Number allocated in the transaction when [`number_word`] asks for one.
    pub number: Option<&'a str>,
}

/// The word of the number series a command needs a number from (`处罚` for filing,
/// `当罚` for an on-the-spot decision), if any.
pub fn number_word(cmd: &Command) -> Option<&'static str> {
    match cmd {
        Command::FileCase { .. } => Some("处罚"),
        Command::ImposeOnSpot { .. } => Some("当罚"),
        _ => None,
    }
}

/// A case or document number: `{short}{word}〔{year}〕{seq}号` (data standard), e.g.
/// `穗市监处罚〔2026〕17号`.
pub fn format_number(short_name: &str, word: &str, year: i32, seq: i64) -> String {
    format!("{short_name}{word}〔{year}〕{seq}号")
}

/// Whether a command, as offered on a case page, is allowed now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    /// Command kind.
    pub kind: CommandKind,
    /// Chinese label.
    pub label: &'static str,
    /// The refusal, when not allowed.
    pub refusal: Option<Refusal>,
}

/// The commands relevant to the case's stage, each with whether the actor may issue it now
/// (and why not). Commands of other stages are left out; a case that does not exist (no
/// events) offers none, as [`decide`] refuses every command on it but the starting ones.
pub fn available(state: &CaseState, role: &str, ctx: &Context<'_>) -> Vec<Availability> {
    if !state.exists() {
        return Vec::new();
    }
    COMMANDS
        .iter()
        .filter(|(k, _)| !matches!(*k, "register_lead" | "impose_on_spot"))
        .filter_map(
            |(kind, label)| match gate(state, kind, role, ctx, ctx.today) {
                Ok(()) => Some(Availability {
                    kind,
                    label,
                    refusal: None,
                }),
                Err(r) if r.code == STAGE => None,
                Err(r) => Some(Availability {
                    kind,
                    label,
                    refusal: Some(r),
                }),
            },
        )
        .collect()
}

/// Whether `role` may issue a command of `kind` on `state` now: the gate [`available`]
/// applies to each kind (stage, role and conditions independent of the command's data).
pub fn allowed(state: &CaseState, kind: &str, role: &str, ctx: &Context<'_>) -> bool {
    state.exists() && gate(state, kind, role, ctx, ctx.today).is_ok()
}

const STAGE: &str = "case.stage";

fn wrong_stage(s: &CaseState, what: &str) -> Refusal {
    Refusal::new(
        STAGE,
        law::APL_57,
        format!("案件当前处于“{}”阶段，不能{what}", s.stage().zh()),
        "按程序完成前一步骤",
    )
}

fn role_refusal(needed: &str, what: &str) -> Refusal {
    Refusal::new(
        "case.role",
        law::ROLES,
        format!("{what}须由{needed}办理"),
        format!("请{needed}登录后办理"),
    )
}

const HEAD_ONLY: &[&str] = &[
    "reject_lead",
    "decide_recusal",
    "file_case",
    "preserve_evidence",
    "seize",
    "extend_seizure",
    "release_seizure",
    "hold_discussion",
    "extend_decision_period",
    "suspend",
    "resume",
    "decide",
    "approve_deferral",
    "close",
    "archive",
    "withdraw_publication",
];

fn check_role(kind: &str, role: &str) -> Result<(), Refusal> {
    let label = COMMANDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("此操作", |(_, l)| l);
    if kind == "give_review" {
        return ensure(role == "reviewer", || role_refusal("法制审核人员", label));
    }
    if HEAD_ONLY.contains(&kind) {
        return ensure(role == "head", || role_refusal("机关负责人", label));
    }
    ensure(role == "officer" || role == "head", || {
        role_refusal("执法人员", label)
    })
}

/// Whether the notice phase is complete on `d`: notice served, statement window closed (or
/// statements received and reviewed, or waived), hearing resolved (APL Art. 44, 45, 62–64).
fn notice_phase(s: &CaseState, ctx: &Context<'_>, d: NaiveDate) -> Result<(), Refusal> {
    let Some(n) = &s.notice else {
        return Err(Refusal::new(
            "case.notice.missing",
            law::APL_44,
            "未送达行政处罚事先告知书，不得作出行政处罚决定",
            "先送达事先告知书，告知拟作出的处罚内容及事实、理由、依据和陈述、申辩、听证权利",
        ));
    };
    let proposal = s.proposal.as_ref();
    if let Some(p) = proposal
        && p.heavier_than(&n.penalty)
    {
        return Err(Refusal::new(
            "case.notice.heavier",
            law::APL_45,
            "拟作出的处罚重于已告知的处罚，不得因当事人陈述、申辩而给予更重的处罚",
            "按新的处罚建议重新送达事先告知书",
        ));
    }
    ensure(!s.statement_unreviewed, || {
        Refusal::new(
            "case.statement.unreviewed",
            law::APL_45,
            "当事人提出的陈述、申辩尚未复核",
            "对陈述、申辩的事实、理由和证据进行复核并记录意见",
        )
    })?;
    let window = ctx
        .calendar
        .add_working_days(n.on, ctx.rules.statement_working_days);
    // Only statements made on or after this notice answer it: a new (heavier) notice gives
    // the party a new chance to state and defend (Art. 44, 45).
    let answered = s.statements.iter().any(|(on, _)| *on >= n.on);
    ensure(s.rights_waived || answered || d > window.date, || {
        Refusal::new(
            "case.statement.window_open",
            law::APL_62,
            format!("陈述、申辩期限至 {} 届满，期间不得作出决定", window.date),
            "待陈述申辩期限届满，或当事人提出陈述申辩、书面放弃后办理",
        )
    })?;
    if n.hearing_right && !s.rights_waived {
        let h = &s.hearing;
        if h.requested.is_some() {
            ensure(h.held.is_some() || h.waived.is_some(), || {
                Refusal::new(
                    "case.hearing.pending",
                    law::APL_64,
                    "当事人已申请听证，听证尚未举行或终止",
                    "组织听证并制作听证笔录，或记录当事人放弃听证",
                )
            })?;
        } else {
            let due = ctx
                .calendar
                .add_working_days(n.on, ctx.rules.hearing_request_working_days);
            ensure(h.waived.is_some() || d > due.date, || {
                Refusal::new(
                    "case.hearing.window_open",
                    law::APL_64,
                    format!("听证申请期限至 {} 届满，期间不得作出决定", due.date),
                    "待听证申请期限届满，或当事人书面放弃听证后办理",
                )
            })?;
        }
    }
    Ok(())
}

fn decide_gates(s: &CaseState, ctx: &Context<'_>, d: NaiveDate) -> Result<(), Refusal> {
    ensure(!suspended(s), || {
        Refusal::new(
            "case.suspended",
            law::APL_60,
            "案件已中止，不能作出决定",
            "恢复办理后再作决定",
        )
    })?;
    if matches!(s.outcome, Some(Outcome::Penalty { .. })) {
        notice_phase(s, ctx, d)?;
    }
    let triggers = s.review_triggers(ctx.rules);
    if !triggers.is_empty() {
        ensure(s.review_approved(), || {
            let why: Vec<&str> = triggers.iter().map(|t| t.zh()).collect();
            Refusal::new(
                "case.review.required",
                law::APL_58,
                format!(
                    "本案须经法制审核且审核意见为“同意”后方可作出决定（{}）",
                    why.join("；")
                ),
                "提请法制审核，由具备资格的法制审核人员出具“同意”意见",
            )
        })?;
    }
    ensure(!s.major_complex || s.discussion.is_some(), || {
        Refusal::new(
            "case.discussion.required",
            law::APL_57,
            "情节复杂或者重大违法行为给予行政处罚，应当由行政机关负责人集体讨论决定",
            "召开负责人集体讨论并记录讨论结论",
        )
    })
}

fn suspended(s: &CaseState) -> bool {
    s.suspensions.last().is_some_and(|i| i.to.is_none())
}

fn seizure_active(s: &CaseState) -> bool {
    s.seizure.as_ref().is_some_and(|z| z.released.is_none())
}

fn open_appeal(s: &CaseState) -> bool {
    s.appeals.last().is_some_and(|i| i.to.is_none())
}

/// The gate of a command kind: stage, role and conditions independent of its data, as of `d`.
fn gate(
    s: &CaseState,
    kind: &str,
    role: &str,
    ctx: &Context<'_>,
    d: NaiveDate,
) -> Result<(), Refusal> {
    let stage = s.stage();
    let general = s.procedure == Some(Procedure::General);
    let in_stage = |ok: bool, what: &str| ensure(ok, || wrong_stage(s, what));
    match kind {
        "reject_lead" | "file_case" => in_stage(stage == Stage::Lead, "立案")?,
        "assign_officers" | "make_record" | "preserve_evidence" | "seize" => {
            in_stage(stage == Stage::Investigating, "调查取证")?
        }
        "add_evidence" => in_stage(
            matches!(stage, Stage::Investigating | Stage::Notice | Stage::Review),
            "收集证据",
        )?,
        "request_recusal" => in_stage(
            general
                && s.decision.is_none()
                && matches!(stage, Stage::Investigating | Stage::Notice | Stage::Review)
                && !s.officers.is_empty(),
            "申请回避",
        )?,
        "decide_recusal" => in_stage(!s.recusal_pending.is_empty(), "决定回避")?,
        "decide_preservation" => in_stage(
            s.preservation.is_some_and(|p| p.1.is_none()),
            "处理登记保存物品",
        )?,
        "extend_seizure" | "start_seizure_testing" | "end_seizure_testing" | "release_seizure" => {
            in_stage(seizure_active(s), "变更查封/扣押")?;
            let z = s
                .seizure
                .as_ref()
                .map(|z| (z.extended_days, z.testing.last()));
            let testing = z.and_then(|z| z.1).is_some_and(|i| i.to.is_none());
            match kind {
                "extend_seizure" => ensure(z.is_some_and(|z| z.0 == 0), || {
                    Refusal::new(
                        "case.seizure.extended_once",
                        law::ACL_25,
                        "查封、扣押期限只能延长一次",
                        "期限届满前作出处理决定或解除查封、扣押",
                    )
                })?,
                "start_seizure_testing" => in_stage(!testing, "开始检测")?,
                "end_seizure_testing" => in_stage(testing, "结束检测")?,
                _ => {}
            }
        }
        "conclude" => {
            // Also again before the decision, when the party's statements or the hearing
            // change the findings: the agency must then adopt them (APL Art. 45 para 1) and
            // may reach another Art. 57 outcome (e.g. 违法事实不能成立).
            in_stage(
                stage == Stage::Investigating
                    || (general
                        && s.decision.is_none()
                        && matches!(stage, Stage::Notice | Stage::Review)),
                "调查终结",
            )?;
            ensure(s.officers.len() >= ctx.rules.min_officers as usize, || {
                Refusal::new(
                    "case.officers.too_few",
                    law::APL_42,
                    "尚未指派不少于两名具有执法资格的承办人员",
                    "指派两名以上持有有效执法证的执法人员",
                )
            })?;
            ensure(s.records + s.evidence > 0, || {
                Refusal::new(
                    "case.investigation.empty",
                    law::APL_57,
                    "尚无调查笔录或证据，不能调查终结",
                    "制作询问或现场检查笔录、收集证据后再调查终结",
                )
            })?;
            ensure(s.preservation.is_none_or(|p| p.1.is_some()), || {
                Refusal::new(
                    "case.preservation.pending",
                    law::APL_56,
                    "先行登记保存的证据尚未作出处理决定",
                    "在七个工作日内对登记保存的物品作出处理决定",
                )
            })?;
        }
        "revise_penalty" => in_stage(
            matches!(stage, Stage::Notice | Stage::Review)
                && matches!(s.outcome, Some(Outcome::Penalty { .. })),
            "修改处罚建议",
        )?,
        "record_e_service_consent" => in_stage(s.exists() && stage.is_open(), "记录送达地址")?,
        "serve_notice" => {
            in_stage(stage == Stage::Notice, "送达事先告知书")?;
            ensure(
                s.notice.as_ref().map(|n| &n.penalty) != s.proposal.as_ref(),
                || {
                    Refusal::new(
                        "case.notice.already_served",
                        law::APL_44,
                        "事先告知书已送达，处罚建议未变化",
                        "处罚建议加重时须重新告知",
                    )
                },
            )?;
        }
        "receive_statement" | "waive_rights" => {
            in_stage(
                s.notice.is_some() && matches!(stage, Stage::Notice | Stage::Review),
                "记录陈述申辩",
            )?;
            if kind == "waive_rights" {
                in_stage(!s.rights_waived, "重复记录放弃")?;
            }
        }
        "review_statement" => in_stage(s.statement_unreviewed, "复核陈述申辩")?,
        "request_hearing" => {
            let n = s.notice.as_ref().filter(|_| stage == Stage::Notice);
            in_stage(n.is_some_and(|n| n.hearing_right), "申请听证")?;
            in_stage(
                s.hearing.requested.is_none() && s.hearing.waived.is_none() && !s.rights_waived,
                "申请听证",
            )?;
            if let Some(n) = n {
                let due = ctx
                    .calendar
                    .add_working_days(n.on, ctx.rules.hearing_request_working_days);
                ensure(d <= due.date, || {
                    Refusal::new(
                        "case.hearing.request_late",
                        law::APL_64,
                        format!("听证申请期限已于 {} 届满", due.date),
                        "当事人应在告知后五个工作日内提出听证申请",
                    )
                })?;
            }
        }
        "notice_hearing" => in_stage(
            s.hearing.requested.is_some()
                && s.hearing.notice.is_none()
                && s.hearing.waived.is_none(),
            "通知听证",
        )?,
        "hold_hearing" => in_stage(
            s.hearing.notice.is_some() && s.hearing.held.is_none() && s.hearing.waived.is_none(),
            "举行听证",
        )?,
        "waive_hearing" => in_stage(
            s.hearing.requested.is_some() && s.hearing.held.is_none() && s.hearing.waived.is_none(),
            "记录放弃听证",
        )?,
        "request_review" => {
            in_stage(
                stage == Stage::Notice
                    || (stage == Stage::Review
                        && s.review.requested.is_none()
                        && !matches!(s.outcome, Some(Outcome::Penalty { .. }))),
                "提请法制审核",
            )?;
            if matches!(s.outcome, Some(Outcome::Penalty { .. })) {
                notice_phase(s, ctx, d)?;
            }
        }
        "give_review" => in_stage(
            s.review.requested.is_some() && s.review.opinion.is_none(),
            "出具法制审核意见",
        )?,
        "hold_discussion" => {
            in_stage(matches!(stage, Stage::Notice | Stage::Review), "集体讨论")?;
            in_stage(s.major_complex, "集体讨论（非重大复杂案件）")?;
        }
        "extend_decision_period" | "suspend" => {
            in_stage(
                general && s.filed_on.is_some() && s.decision.is_none() && stage.is_open(),
                "调整办案期限",
            )?;
            if kind == "suspend" {
                in_stage(!suspended(s), "中止")?;
            }
        }
        "resume" => in_stage(suspended(s), "恢复办理")?,
        "decide" => {
            in_stage(
                general && s.decision.is_none() && matches!(stage, Stage::Notice | Stage::Review),
                "作出决定",
            )?;
            decide_gates(s, ctx, d)?;
        }
        "serve_decision" => in_stage(s.decision.is_some() && s.served.is_none(), "送达决定书")?,
        // A publication withdrawn because the decision was changed or revoked (APL Art. 48
        // para 2) is not published again.
        "publish" => in_stage(
            s.decision.as_ref().is_some_and(|x| x.penalty.is_some())
                && s.published.is_none()
                && s.withdrawn.is_none(),
            "公示",
        )?,
        "withdraw_publication" => in_stage(s.published.is_some(), "撤回公示")?,
        "record_payment" | "approve_deferral" => {
            in_stage(stage == Stage::Executing && s.outstanding() > 0, "缴款")?
        }
        "record_appeal" => in_stage(
            s.served.is_some() && stage.is_open() && s.decision.is_some() && !open_appeal(s),
            "登记复议诉讼",
        )?,
        "conclude_appeal" => in_stage(open_appeal(s), "登记复议诉讼结果")?,
        "serve_demand" | "apply_to_court" => {
            in_stage(stage == Stage::Executing && s.outstanding() > 0, "强制执行")?;
            let due = payment_due(s, ctx.calendar, ctx.rules);
            ensure(due.is_some_and(|due| d > due.date), || {
                Refusal::new(
                    "case.enforcement.not_due",
                    law::ACL_35,
                    "缴款期限尚未届满，不能催告或申请强制执行",
                    "缴款期限届满后当事人仍未履行的，先送达催告书",
                )
            })?;
            if kind == "apply_to_court" {
                let Some(demand) = s.demand_on else {
                    return Err(Refusal::new(
                        "case.court.no_demand",
                        law::ACL_54,
                        "申请人民法院强制执行前，应当催告当事人履行义务",
                        "先送达催告书",
                    ));
                };
                let after = ctx
                    .calendar
                    .add_working_days(demand, ctx.rules.demand_working_days);
                ensure(d > after.date, || {
                    Refusal::new(
                        "case.court.demand_period",
                        law::ACL_54,
                        format!(
                            "催告书送达十日后当事人仍未履行的方可申请，最早 {} 之后",
                            after.date
                        ),
                        "待催告期满后申请",
                    )
                })?;
                let (opens, closes) = court_window(s, ctx.calendar, ctx.rules)
                    .unwrap_or((d, ctx.calendar.add_working_days(d, 0)));
                ensure(!open_appeal(s), || {
                    Refusal::new(
                        "case.court.appeal_pending",
                        law::ACL_53,
                        "当事人已申请行政复议或者提起行政诉讼，复议、诉讼终结前不能申请法院强制执行",
                        "待复议、诉讼终结后依法处理",
                    )
                })?;
                ensure(d > opens, || {
                    Refusal::new(
                        "case.court.appeal_period",
                        law::ACL_53,
                        format!(
                            "当事人申请复议、提起诉讼的法定期限（或者批准的延期、分期缴纳期限）至 {opens} 届满，期满后方可申请"
                        ),
                        "待复议、诉讼期限届满后申请",
                    )
                })?;
                ensure(d <= closes.date, || {
                    Refusal::new(
                        "case.court.window_closed",
                        law::ACL_53,
                        format!("申请法院强制执行的期限已于 {} 届满", closes.date),
                        "已超过申请期限，报告负责人依法处理",
                    )
                })?;
            }
        }
        "close" => {
            let done = match stage {
                Stage::Transferred => true,
                Stage::Decided => {
                    s.decision.as_ref().is_some_and(|x| x.penalty.is_none()) && s.served.is_some()
                }
                Stage::Executing => {
                    (s.outstanding() == 0 || s.court_applied.is_some())
                        && (s.procedure != Some(Procedure::Simple) || s.on_spot_filed)
                }
                _ => false,
            };
            ensure(done, || {
                Refusal::new(
                    "case.close.not_done",
                    law::APL_57,
                    format!("案件处于“{}”阶段，尚未执行完毕，不能结案", stage.zh()),
                    "决定已送达且罚没款缴清（或已申请法院强制执行），或案件已移送、不予处罚决定已送达",
                )
            })?;
            ensure(!seizure_active(s), || {
                Refusal::new(
                    "case.close.seizure",
                    law::ACL_25,
                    "查封、扣押尚未解除或处理",
                    "先解除查封、扣押或依法处理查封、扣押物",
                )
            })?;
        }
        "archive" => in_stage(stage == Stage::Closed && s.archived_on.is_none(), "归档")?,
        _ => {}
    }
    check_role(kind, role)
}

fn nonblank(v: &str, code: &str, article: &str, what: &str) -> Result<(), Refusal> {
    ensure(!v.trim().is_empty(), || {
        Refusal::new(
            code,
            article,
            format!("{what}不能为空"),
            format!("填写{what}"),
        )
    })
}

fn code_in(set: &str, v: &str, code: &str, article: &str, what: &str) -> Result<(), Refusal> {
    check_code(set, v).map_err(|e| {
        Refusal::new(
            code,
            article,
            format!("{what}：{}", e.message),
            format!("选择有效的{what}"),
        )
    })
}

fn field_name(code: &str) -> String {
    crate::standard::Standard::builtin()
        .code_set("enforcement_field")
        .and_then(|s| s.name_of(code))
        .unwrap_or(code)
        .to_string()
}

/// Officers qualified for an act on `on` in `field` for `agency` (APL Art. 42, 55): at least
/// `min_officers` distinct officers of the agency, each with a certificate valid on that day
/// that covers the field.
pub(crate) fn qualified_officers(
    ids: &[String],
    recused: &[String],
    ctx: &Context<'_>,
    agency_id: &str,
    field: &str,
    on: NaiveDate,
) -> Result<Vec<OfficerRef>, Refusal> {
    let mut distinct: Vec<&String> = Vec::new();
    for id in ids {
        if !distinct.contains(&id) {
            distinct.push(id);
        }
    }
    ensure(distinct.len() >= ctx.rules.min_officers as usize, || {
        Refusal::new(
            "case.officers.too_few",
            law::APL_42,
            format!(
                "执法人员不得少于{}人，本次仅{}人",
                ctx.rules.min_officers,
                distinct.len()
            ),
            "增加持有有效执法证的执法人员",
        )
    })?;
    let mut out = Vec::new();
    for id in distinct {
        ensure(!recused.contains(id), || {
            Refusal::new(
                "case.recusal.recused",
                law::APL_43,
                "该执法人员已决定回避，不得参与本案",
                "改由其他执法人员办理",
            )
        })?;
        let Some(o) = ctx.officers.iter().find(|o| &o.officer_id == id) else {
            return Err(Refusal::new(
                "case.officers.unknown",
                law::APL_42,
                format!("执法人员“{id}”不存在"),
                "从本机关执法人员中选择",
            ));
        };
        ensure(o.active && o.subject_id == agency_id, || {
            Refusal::new(
                "case.officers.other_agency",
                law::APL_42,
                format!("{}不是本机关在职执法人员", o.name),
                "从本机关在职执法人员中选择",
            )
        })?;
        let cert = o.certificates.iter().find(|c| {
            c.status == "1"
                && c.valid_from <= on
                && on <= c.valid_to
                && c.fields.iter().any(|f| f == field)
        });
        let Some(cert) = cert else {
            let why = match o.certificates.first() {
                None => "未持有执法证".to_string(),
                Some(c) if c.status == "2" => format!("执法证 {} 已暂扣", c.number),
                Some(c) if c.status == "3" => format!("执法证 {} 已注销", c.number),
                Some(c) if on < c.valid_from || on > c.valid_to => format!(
                    "执法证 {} 有效期为 {} 至 {}",
                    c.number, c.valid_from, c.valid_to
                ),
                Some(c) => format!("执法证 {} 未覆盖{}领域", c.number, field_name(field)),
            };
            return Err(Refusal::new(
                "case.officers.certificate",
                law::APL_42,
                format!(
                    "{}在 {on} 不具备{}领域执法资格：{why}",
                    o.name,
                    field_name(field)
                ),
                "改由持有覆盖本领域、在有效期内的执法证的人员办理",
            ));
        };
        out.push(OfficerRef {
            officer_id: o.officer_id.clone(),
            name: o.name.clone(),
            certificate: cert.number.clone(),
        });
    }
    Ok(out)
}

/// APL Art. 30: a minor under fourteen at the time of the act is not penalised.
fn minor_under_14(party: &Party, act: NaiveDate) -> Result<(), Refusal> {
    ensure(
        party
            .citizen_id()
            .is_none_or(|id| id.statutory_age_on(act) >= 14),
        || {
            Refusal::new(
                "case.minor",
                law::APL_30,
                "不满十四周岁的未成年人有违法行为的，不予行政处罚",
                "调查终结结论改为不予行政处罚（原因：不满十四周岁），责令监护人加以管教",
            )
        },
    )
}

/// Checks a penalty against the benchmark (APL Art. 34) and the minors rule (Art. 30).
fn discretion(
    s: &CaseState,
    penalty: &Penalty,
    circumstance: Option<&str>,
    reason: Option<&str>,
    ctx: &Context<'_>,
) -> Result<Option<Discretion>, Refusal> {
    if let Some(act) = s.act_date {
        minor_under_14(&s.party, act)?;
    }
    if ctx.benchmarks.is_empty() || !penalty.has_type("03") {
        return Ok(None);
    }
    let level = circumstance
        .map(str::to_string)
        .or_else(|| s.discretion.as_ref().map(|d| d.benchmark.level.clone()));
    let Some(level) = level else {
        return Err(Refusal::new(
            "case.discretion.level_required",
            law::APL_34,
            "本事项已公布裁量基准，须选择违法情节等级",
            "选择情节等级（轻微、一般、较重、严重）以适用裁量基准",
        ));
    };
    let Some(range) = ctx.benchmarks.iter().find(|b| b.level == level) else {
        return Err(Refusal::new(
            "case.discretion.level_unknown",
            law::APL_34,
            format!("本事项的裁量基准没有情节等级“{level}”"),
            "选择裁量基准中列明的情节等级",
        ));
    };
    let deviates = penalty.fine_fen < range.min_fen || penalty.fine_fen > range.max_fen;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    ensure(!deviates || reason.is_some(), || {
        Refusal::new(
            "case.discretion.reason_required",
            law::APL_34,
            format!(
                "罚款 {} 元超出裁量基准 {}–{} 元",
                yuan(penalty.fine_fen),
                yuan(range.min_fen),
                yuan(range.max_fen)
            ),
            "在基准范围内确定罚款，或书面说明偏离基准的理由（将提请法制审核并报监督）",
        )
    })?;
    Ok(Some(Discretion {
        benchmark: range.clone(),
        deviates,
        reason: reason.map(str::to_string),
    }))
}

fn service_method(s: &CaseState, method: &str) -> Result<(), Refusal> {
    code_in(
        "service_method",
        method,
        "case.service.method",
        law::APL_61,
        "送达方式",
    )?;
    ensure(method != "5" || s.e_service.is_some(), || {
        Refusal::new(
            "case.service.no_consent",
            law::APL_61,
            "当事人未同意并签订确认书，不得采用电子送达",
            "记录当事人同意电子送达的确认书及电子送达地址，或改用其他送达方式",
        )
    })
}

/// Checks `cmd` against the rules and returns the events it produces, or why not.
pub fn decide(
    s: &CaseState,
    env: &Envelope,
    cmd: &Command,
    ctx: &Context<'_>,
) -> Result<Vec<CaseEvent>, Refusal> {
    let on = cmd.on();
    ensure(on <= ctx.today, || {
        Refusal::new(
            "case.date.future",
            law::APL_47_RECORD,
            format!("日期 {on} 晚于今天"),
            "填写实际办理日期",
        )
    })?;
    if let Some(last) = s.last_on {
        ensure(on >= last, || {
            Refusal::new(
                "case.date.order",
                law::APL_47_RECORD,
                format!("日期 {on} 早于本案上一步骤的日期 {last}"),
                "按实际办理顺序记录，日期不得早于上一步骤",
            )
        })?;
    }
    if cmd.starts_case() {
        ensure(!s.exists(), || {
            Refusal::new("case.exists", law::APL_47_RECORD, "案件已存在", "新建案件")
        })?;
        check_role(cmd.kind(), &env.role)?;
    } else {
        ensure(s.exists(), || {
            Refusal::new(
                "case.not_found",
                law::APL_47_RECORD,
                "案件不存在",
                "先登记案源",
            )
        })?;
        gate(s, cmd.kind(), &env.role, ctx, on)?;
    }
    let rules = ctx.rules;
    let cal = ctx.calendar;
    use CaseEvent as E;
    use Command as C;
    Ok(match cmd {
        C::RegisterLead {
            agency_id,
            source,
            cause,
            party,
            act_date,
            act_ended,
            serious_harm,
            power_id,
            summary,
            ..
        } => {
            let agency = ctx.agency.filter(|a| &a.id == agency_id).ok_or_else(|| {
                Refusal::new(
                    "case.agency.unknown",
                    law::APL_54,
                    "执法主体不存在或不在您的权限范围内",
                    "选择本机关",
                )
            })?;
            code_in(
                "case_source",
                source,
                "case.source",
                law::APL_54,
                "案件来源",
            )?;
            nonblank(cause, "case.cause", law::APL_54, "案由")?;
            party.check()?;
            ensure(
                *act_date <= on && act_ended.is_none_or(|e| e >= *act_date && e <= on),
                || {
                    Refusal::new(
                        "case.act_date",
                        law::APL_36,
                        "违法行为发生日期（或连续状态终了日期）不得晚于登记日期",
                        "核对违法行为发生日期",
                    )
                },
            )?;
            vec![E::LeadRegistered {
                on,
                agency_id: agency.id.clone(),
                agency_name: agency.name.clone(),
                field: agency.field.clone(),
                source: source.clone(),
                cause: cause.trim().to_string(),
                party: party.clone(),
                act_date: *act_date,
                act_ended: *act_ended,
                serious_harm: *serious_harm,
                power_id: power_id.clone().filter(|p| !p.trim().is_empty()),
                summary: summary.clone(),
            }]
        }
        C::RejectLead { reason, .. } => {
            nonblank(reason, "case.reason", law::APL_54, "不予立案理由")?;
            vec![E::LeadRejected {
                on,
                reason: reason.clone(),
            }]
        }
        C::FileCase {
            limitation_override,
            ..
        } => {
            let act = s.act_ended.or(s.act_date).unwrap_or(on);
            let years = if s.serious_harm {
                rules.limitation_years_serious
            } else {
                rules.limitation_years
            };
            let until = cal.add_months(act, years * 12).date;
            let over = limitation_override
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty());
            // Art. 36 bars a penalty for an act "not discovered" within the period: what
            // counts is when the act was discovered (the lead's registration), not the day
            // the case is filed.
            let discovered = s.lead_on.unwrap_or(on);
            let expired = discovered > until;
            ensure(!expired || over.is_some(), || {
                Refusal::new(
                    "case.limitation",
                    law::APL_36,
                    format!(
                        "违法行为在{years}年内未被发现的，不再给予行政处罚：追责时效已于 {until} 届满，案源于 {discovered} 登记"
                    ),
                    "不予立案；如属连续或继续状态、法律另有规定等情形，由负责人记录超时效立案理由",
                )
            })?;
            let number = ctx.number.ok_or_else(|| {
                Refusal::new(
                    "case.number.missing",
                    law::APL_54,
                    "未能分配案件编号",
                    "联系系统管理员",
                )
            })?;
            let late = s.lead_on.is_some_and(|lead| {
                on > cal.add_working_days(lead, rules.filing_working_days).date
            });
            vec![E::CaseFiled {
                on,
                number: number.to_string(),
                limitation_until: until,
                late,
                limitation_override: if expired {
                    over.map(str::to_string)
                } else {
                    None
                },
            }]
        }
        C::AssignOfficers { officers, .. } => vec![E::OfficersAssigned {
            on,
            officers: qualified_officers(officers, &s.recused, ctx, &s.agency_id, &s.field, on)?,
        }],
        C::MakeRecord {
            kind,
            place,
            officers,
            interviewee,
            content,
            ..
        } => {
            ensure(kind == "inquiry" || kind == "inspection", || {
                Refusal::new(
                    "case.record.kind",
                    law::APL_55,
                    "笔录类型应为询问笔录或现场检查笔录",
                    "选择笔录类型",
                )
            })?;
            nonblank(place, "case.record.place", law::APL_55, "地点")?;
            nonblank(content, "case.record.content", law::APL_55, "笔录内容")?;
            vec![E::RecordMade {
                on,
                kind: kind.clone(),
                place: place.clone(),
                officers: qualified_officers(
                    officers,
                    &s.recused,
                    ctx,
                    &s.agency_id,
                    &s.field,
                    on,
                )?,
                interviewee: interviewee.clone(),
                content: content.clone(),
            }]
        }
        C::AddEvidence {
            evidence_type,
            description,
            sm3,
            ..
        } => {
            code_in(
                "evidence_type",
                evidence_type,
                "case.evidence.type",
                law::APL_46,
                "证据类型",
            )?;
            nonblank(
                description,
                "case.evidence.description",
                law::APL_46,
                "证据描述",
            )?;
            let sm3 = sm3.as_deref().map(str::trim).filter(|h| !h.is_empty());
            ensure(
                sm3.is_none_or(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit())),
                || {
                    Refusal::new(
                        "case.evidence.sm3",
                        law::APL_46,
                        "证据文件摘要应为 64 位十六进制 SM3 值",
                        "上传文件后使用系统返回的 SM3 摘要",
                    )
                },
            )?;
            vec![E::EvidenceAdded {
                on,
                evidence_type: evidence_type.clone(),
                description: description.clone(),
                sm3: sm3.map(|h| h.to_ascii_lowercase()),
            }]
        }
        C::RequestRecusal {
            officer_id, reason, ..
        } => {
            ensure(
                s.officers.iter().any(|o| &o.officer_id == officer_id),
                || {
                    Refusal::new(
                        "case.recusal.not_on_case",
                        law::APL_43,
                        "申请回避的人员不是本案承办人员",
                        "选择本案承办人员",
                    )
                },
            )?;
            ensure(!s.recusal_pending.contains(officer_id), || {
                Refusal::new(
                    "case.recusal.pending",
                    law::APL_43,
                    "对该执法人员的回避申请尚未决定",
                    "由机关负责人先对已提出的申请作出决定",
                )
            })?;
            nonblank(reason, "case.recusal.reason", law::APL_43, "申请回避的理由")?;
            vec![E::RecusalRequested {
                on,
                officer_id: officer_id.clone(),
                reason: reason.clone(),
            }]
        }
        C::DecideRecusal {
            officer_id,
            granted,
            reason,
            ..
        } => {
            ensure(s.recusal_pending.contains(officer_id), || {
                Refusal::new(
                    "case.recusal.no_application",
                    law::APL_43,
                    "没有对该执法人员的待决回避申请",
                    "先记录当事人的回避申请",
                )
            })?;
            nonblank(
                reason,
                "case.recusal.decision_reason",
                law::APL_43,
                "回避决定理由",
            )?;
            vec![E::RecusalDecided {
                on,
                officer_id: officer_id.clone(),
                granted: *granted,
                reason: reason.clone(),
                decided_by: env.actor.clone(),
            }]
        }
        C::PreserveEvidence { items, .. } => {
            nonblank(
                items,
                "case.preservation.items",
                law::APL_56,
                "登记保存物品",
            )?;
            ensure(s.preservation.is_none_or(|p| p.1.is_some()), || {
                Refusal::new(
                    "case.preservation.pending",
                    law::APL_56,
                    "已有尚未处理的先行登记保存",
                    "先对已登记保存的物品作出处理决定",
                )
            })?;
            vec![E::PreservationApproved {
                on,
                items: items.clone(),
                approved_by: env.actor.clone(),
            }]
        }
        C::DecidePreservation { disposition, .. } => {
            nonblank(
                disposition,
                "case.preservation.disposition",
                law::APL_56,
                "处理决定",
            )?;
            vec![E::PreservationDecided {
                on,
                disposition: disposition.clone(),
            }]
        }
        C::Seize {
            measure,
            items,
            officers,
            ..
        } => {
            ensure(measure == "2" || measure == "3", || {
                Refusal::new(
                    "case.seizure.measure",
                    law::ACL_24,
                    "强制措施应为查封或扣押",
                    "选择查封或扣押",
                )
            })?;
            nonblank(items, "case.seizure.items", law::ACL_24, "查封、扣押清单")?;
            ensure(!seizure_active(s), || {
                Refusal::new(
                    "case.seizure.active",
                    law::ACL_25,
                    "已有未解除的查封、扣押",
                    "先解除或处理现有查封、扣押",
                )
            })?;
            vec![E::SeizureApplied {
                on,
                measure: measure.clone(),
                items: items.clone(),
                officers: qualified_officers(
                    officers,
                    &s.recused,
                    ctx,
                    &s.agency_id,
                    &s.field,
                    on,
                )?,
                approved_by: env.actor.clone(),
            }]
        }
        C::ExtendSeizure { days, reason, .. } => {
            ensure(*days >= 1 && *days <= rules.seizure_extension_days, || {
                Refusal::new(
                    "case.seizure.extension_days",
                    law::ACL_25,
                    format!("延长期限不得超过{}日", rules.seizure_extension_days),
                    "缩短延长天数",
                )
            })?;
            nonblank(reason, "case.seizure.reason", law::ACL_25, "延长理由")?;
            if let Some(due) = seizure_due(s, cal, rules, on) {
                ensure(on <= due.date, || {
                    Refusal::new(
                        "case.seizure.expired",
                        law::ACL_25,
                        format!(
                            "查封、扣押期限已于 {} 届满，不能再延长，应当解除（《行政强制法》第二十八条）",
                            due.date
                        ),
                        "解除查封、扣押或依法作出处理决定",
                    )
                })?;
            }
            vec![E::SeizureExtended {
                on,
                days: *days,
                approved_by: env.actor.clone(),
                reason: reason.clone(),
            }]
        }
        C::StartSeizureTesting { .. } => vec![E::SeizureTestingStarted { on }],
        C::EndSeizureTesting { .. } => vec![E::SeizureTestingEnded { on }],
        C::ReleaseSeizure { .. } => vec![E::SeizureReleased { on }],
        C::Conclude {
            outcome,
            major_complex,
            review_requested,
            deviation_reason,
            circumstance,
            ..
        } => {
            let discretion = match outcome {
                Outcome::Penalty { penalty } => {
                    penalty.check()?;
                    discretion(
                        s,
                        penalty,
                        circumstance.as_deref(),
                        deviation_reason.as_deref(),
                        ctx,
                    )?
                }
                Outcome::NoPenalty { reason, education } => {
                    code_in(
                        "no_penalty_reason",
                        reason,
                        "case.no_penalty.reason",
                        law::APL_33,
                        "不予处罚原因",
                    )?;
                    // Art. 33 para 3: a party not penalised under Art. 33 must be educated.
                    let art33 = matches!(reason.as_str(), "1" | "2" | "3");
                    ensure(
                        !art33 || education.as_deref().is_some_and(|e| !e.trim().is_empty()),
                        || {
                            Refusal::new(
                                "case.no_penalty.education",
                                law::APL_33,
                                "依法不予行政处罚的，行政机关应当对当事人进行教育",
                                "记录对当事人采取的教育措施",
                            )
                        },
                    )?;
                    None
                }
                Outcome::NotEstablished => None,
                Outcome::Transfer { organ } => {
                    nonblank(organ, "case.transfer.organ", law::APL_27, "移送机关")?;
                    None
                }
            };
            // A renewed conclusion cannot drop the flags that require collective discussion
            // and legal review (APL Art. 57 para 2, Art. 58).
            vec![E::InvestigationConcluded {
                on,
                outcome: outcome.clone(),
                major_complex: *major_complex || s.major_complex,
                review_requested: *review_requested || s.review_manual,
                discretion,
            }]
        }
        C::RevisePenalty {
            penalty,
            reason,
            deviation_reason,
            circumstance,
            ..
        } => {
            penalty.check()?;
            nonblank(reason, "case.revise.reason", law::APL_45, "修改理由")?;
            let discretion = discretion(
                s,
                penalty,
                circumstance.as_deref(),
                deviation_reason.as_deref(),
                ctx,
            )?;
            vec![E::PenaltyRevised {
                on,
                penalty: penalty.clone(),
                reason: reason.clone(),
                discretion,
            }]
        }
        C::RecordEServiceConsent { address, .. } => {
            nonblank(address, "case.service.address", law::APL_61, "电子送达地址")?;
            vec![E::EServiceConsented {
                on,
                address: address.clone(),
            }]
        }
        C::ServeNotice { method, .. } => {
            service_method(s, method)?;
            let penalty = s.proposal.clone().unwrap_or_default();
            vec![E::NoticeServed {
                on,
                method: method.clone(),
                hearing_right: penalty.gives_hearing_right(&s.party, rules),
                penalty,
            }]
        }
        C::ReceiveStatement { content, .. } => {
            nonblank(
                content,
                "case.statement.content",
                law::APL_45,
                "陈述申辩内容",
            )?;
            vec![E::StatementReceived {
                on,
                content: content.clone(),
            }]
        }
        C::ReviewStatement {
            adopted, opinion, ..
        } => {
            nonblank(opinion, "case.statement.opinion", law::APL_45, "复核意见")?;
            vec![E::StatementReviewed {
                on,
                adopted: *adopted,
                opinion: opinion.clone(),
            }]
        }
        C::WaiveRights { .. } => vec![E::RightsWaived { on }],
        C::RequestHearing { .. } => vec![E::HearingRequested { on }],
        C::NoticeHearing {
            hearing_date, host, ..
        } => {
            let earliest = cal.add_working_days(on, rules.hearing_notice_working_days);
            ensure(*hearing_date >= earliest.date, || {
                Refusal::new(
                    "case.hearing.notice_short",
                    law::APL_64,
                    format!(
                        "应当在举行听证的七日前通知当事人：{on} 送达的通知，听证日最早为 {}",
                        earliest.date
                    ),
                    "推迟听证日期",
                )
            })?;
            ensure(!s.officers.iter().any(|o| &o.officer_id == host), || {
                Refusal::new(
                    "case.hearing.host_investigator",
                    law::APL_64,
                    "听证由行政机关指定的非本案调查人员主持",
                    "指定未参与本案调查的人员主持听证",
                )
            })?;
            let mut one = ctx.rules.clone();
            one.min_officers = 1;
            let c1 = Context {
                rules: &one,
                ..*ctx
            };
            let host = qualified_officers(
                std::slice::from_ref(host),
                &s.recused,
                &c1,
                &s.agency_id,
                &s.field,
                on,
            )?
            .remove(0);
            vec![E::HearingNoticeServed {
                on,
                hearing_date: *hearing_date,
                host,
            }]
        }
        C::HoldHearing { record, .. } => {
            let date = s.hearing.notice.as_ref().map_or(on, |n| n.1);
            ensure(on >= date, || {
                Refusal::new(
                    "case.hearing.before_date",
                    law::APL_64,
                    format!("听证日期为 {date}"),
                    "在通知的听证日期举行",
                )
            })?;
            nonblank(record, "case.hearing.record", law::APL_64, "听证笔录")?;
            vec![E::HearingHeld {
                on,
                record: record.clone(),
            }]
        }
        C::WaiveHearing { reason, .. } => {
            nonblank(reason, "case.hearing.reason", law::APL_64, "放弃听证原因")?;
            vec![E::HearingWaived {
                on,
                reason: reason.clone(),
            }]
        }
        C::RequestReview { .. } => {
            let mut triggers = s.review_triggers(rules);
            if triggers.is_empty() {
                triggers.push(ReviewTrigger::Manual);
            }
            vec![E::ReviewRequested { on, triggers }]
        }
        C::GiveReview {
            opinion, comments, ..
        } => {
            let me = env
                .officer_id
                .as_deref()
                .and_then(|id| ctx.officers.iter().find(|o| o.officer_id == id));
            let cert = me.and_then(|o| {
                o.certificates.iter().find(|c| {
                    c.legal_review_qualified
                        && c.status == "1"
                        && c.valid_from <= on
                        && on <= c.valid_to
                })
            });
            let (Some(me), Some(cert)) = (me, cert) else {
                return Err(Refusal::new(
                    "case.review.unqualified",
                    law::APL_58,
                    "法制审核人员须具备法制审核资格（初次从事的应取得法律职业资格）",
                    "由持有有效证件且具备法制审核资格的人员审核",
                ));
            };
            ensure(!s.recused.contains(&me.officer_id), || {
                Refusal::new(
                    "case.recusal.recused",
                    law::APL_43,
                    "该人员已决定回避，不得审核本案",
                    "由其他法制审核人员审核",
                )
            })?;
            ensure(
                !s.officers.iter().any(|o| o.officer_id == me.officer_id),
                || {
                    Refusal::new(
                        "case.review.investigator",
                        law::APL_58,
                        "本案承办人员不得担任本案法制审核人员",
                        "由未参与本案调查的法制审核人员审核",
                    )
                },
            )?;
            ensure(
                *opinion == ReviewOpinion::Agree || !comments.trim().is_empty(),
                || {
                    Refusal::new(
                        "case.review.comments",
                        law::APL_58,
                        "审核意见为不同意或修改后再报时须写明理由",
                        "填写审核意见",
                    )
                },
            )?;
            vec![E::ReviewOpinionGiven {
                on,
                reviewer: OfficerRef {
                    officer_id: me.officer_id.clone(),
                    name: me.name.clone(),
                    certificate: cert.number.clone(),
                },
                opinion: *opinion,
                comments: comments.clone(),
            }]
        }
        C::HoldDiscussion {
            participants,
            conclusion,
            ..
        } => {
            let n = participants.iter().filter(|p| !p.trim().is_empty()).count();
            ensure(n >= 3, || {
                Refusal::new(
                    "case.discussion.participants",
                    law::APL_57,
                    "集体讨论应由行政机关负责人集体进行（至少三人）",
                    "记录参加讨论的负责人",
                )
            })?;
            nonblank(
                conclusion,
                "case.discussion.conclusion",
                law::APL_57,
                "讨论结论",
            )?;
            vec![E::DiscussionHeld {
                on,
                participants: participants.clone(),
                conclusion: conclusion.clone(),
            }]
        }
        C::ExtendDecisionPeriod { days, reason, .. } => {
            ensure(
                *days >= 1 && s.extension_days + days <= rules.decision_extension_max_days,
                || {
                    Refusal::new(
                        "case.decision_period.extension_max",
                        law::APL_60,
                        format!(
                            "办案期限累计延长不得超过{}日（已延长{}日）",
                            rules.decision_extension_max_days, s.extension_days
                        ),
                        "按规定报上级批准或集体讨论",
                    )
                },
            )?;
            nonblank(
                reason,
                "case.decision_period.reason",
                law::APL_60,
                "延期理由",
            )?;
            if let Some(due) = decision_due(s, cal, rules, on) {
                ensure(on <= due.date, || {
                    Refusal::new(
                        "case.decision_period.expired",
                        law::APL_60,
                        format!("办案期限已于 {} 届满，不能再延长", due.date),
                        "期限届满前申请延长",
                    )
                })?;
            }
            vec![E::DecisionPeriodExtended {
                on,
                days: *days,
                approved_by: env.actor.clone(),
                reason: reason.clone(),
            }]
        }
        C::Suspend { reason, .. } => {
            nonblank(reason, "case.suspend.reason", law::APL_60, "中止理由")?;
            vec![E::CaseSuspended {
                on,
                reason: reason.clone(),
            }]
        }
        C::Resume { .. } => vec![E::CaseResumed { on }],
        C::Decide { .. } => {
            let late = decision_due(s, cal, rules, on).is_some_and(|d| on > d.date);
            vec![E::DecisionMade {
                on,
                number: s.number.clone().unwrap_or_default(),
                penalty: match &s.outcome {
                    Some(Outcome::Penalty { .. }) => s.proposal.clone(),
                    _ => None,
                },
                late,
                decided_by: env.actor.clone(),
            }]
        }
        C::ImposeOnSpot {
            agency_id,
            party,
            place,
            penalty,
            officers,
            party_signed,
            collected_on_spot,
            ..
        } => {
            let agency = ctx.agency.filter(|a| &a.id == agency_id).ok_or_else(|| {
                Refusal::new(
                    "case.agency.unknown",
                    law::APL_51,
                    "执法主体不存在或不在您的权限范围内",
                    "选择本机关",
                )
            })?;
            party.check()?;
            penalty.check()?;
            minor_under_14(party, on)?;
            nonblank(place, "case.simple.place", law::APL_52, "处罚地点")?;
            ensure(penalty.types.iter().all(|t| t == "01" || t == "03"), || {
                Refusal::new(
                    "case.simple.type",
                    law::APL_51,
                    "当场处罚仅限警告或罚款",
                    "改用普通程序",
                )
            })?;
            let max = if party.is_citizen() {
                rules.simple_max_fine_citizen
            } else {
                rules.simple_max_fine_org
            };
            ensure(penalty.fine_fen <= max, || {
                Refusal::new(
                    "case.simple.threshold",
                    law::APL_51,
                    format!(
                        "当场处罚对{}罚款不得超过 {} 元，本次 {} 元",
                        if party.is_citizen() {
                            "公民"
                        } else {
                            "法人或者其他组织"
                        },
                        yuan(max),
                        yuan(penalty.fine_fen)
                    ),
                    "改用普通程序立案调查",
                )
            })?;
            ensure(
                !collected_on_spot || penalty.fine_fen <= rules.on_spot_collection_max,
                || {
                    Refusal::new(
                        "case.simple.collection",
                        law::APL_68,
                        format!(
                            "当场收缴罚款限于 {} 元以下（或不当场收缴事后难以执行的）",
                            yuan(rules.on_spot_collection_max)
                        ),
                        "开具缴款通知，由当事人到指定银行或者通过电子支付系统缴纳",
                    )
                },
            )?;
            let officers =
                qualified_officers(officers, &s.recused, ctx, &agency.id, &agency.field, on)?;
            let number = ctx.number.ok_or_else(|| {
                Refusal::new(
                    "case.number.missing",
                    law::APL_52,
                    "未能分配当场处罚决定书编号",
                    "联系系统管理员",
                )
            })?;
            let mut events = vec![
                E::OnSpotDecided {
                    on,
                    number: number.to_string(),
                    agency_id: agency.id.clone(),
                    agency_name: agency.name.clone(),
                    field: agency.field.clone(),
                    party: party.clone(),
                    place: place.clone(),
                    penalty: penalty.clone(),
                    officers,
                    party_signed: *party_signed,
                },
                E::OnSpotFiled { on },
            ];
            if *collected_on_spot && penalty.fine_fen > 0 {
                events.push(E::PaymentReceived {
                    on,
                    amount_fen: penalty.fine_fen,
                    on_spot: true,
                });
            }
            events
        }
        C::ServeDecision { method, .. } => {
            service_method(s, method)?;
            let late = s
                .decision
                .as_ref()
                .is_some_and(|d| on > cal.add_working_days(d.on, rules.service_working_days).date);
            vec![E::DecisionServed {
                on,
                method: method.clone(),
                late,
            }]
        }
        C::Publish { .. } => vec![E::DecisionPublished { on }],
        C::WithdrawPublication { reason, .. } => {
            nonblank(reason, "case.publication.reason", law::APL_48, "撤回理由")?;
            vec![E::PublicationWithdrawn {
                on,
                reason: reason.clone(),
            }]
        }
        C::RecordPayment { amount_fen, .. } => {
            let mut events = Vec::new();
            let fine = s
                .decision
                .as_ref()
                .and_then(|d| d.penalty.as_ref())
                .map_or(0, |p| p.fine_fen);
            let mut surcharge_total = s.surcharge_fen;
            if let Some(due) = payment_due(s, cal, rules) {
                let acc = surcharge(fine, due.date, on, rules.surcharge_per_mille, &s.appeals);
                // The surcharge stops growing once the fine itself is paid.
                let fine_paid = s.paid_fen >= s.decided_fine();
                if acc.amount_fen > s.surcharge_fen && !fine_paid {
                    surcharge_total = acc.amount_fen;
                    events.push(E::SurchargeAccrued {
                        as_of: on,
                        days: acc.days,
                        amount_fen: acc.amount_fen,
                    });
                }
            }
            let owed = (s.decided_fine() + surcharge_total - s.paid_fen).max(0);
            ensure(*amount_fen > 0 && *amount_fen <= owed, || {
                Refusal::new(
                    "case.payment.amount",
                    law::APL_72,
                    format!(
                        "缴款金额应大于零且不超过应缴金额 {} 元（含加处罚款）",
                        yuan(owed)
                    ),
                    "核对缴款凭证金额",
                )
            })?;
            events.push(E::PaymentReceived {
                on,
                amount_fen: *amount_fen,
                on_spot: false,
            });
            events
        }
        C::ApproveDeferral { due, .. } => {
            let current = payment_due(s, cal, rules).map(|d| d.date);
            ensure(current.is_none_or(|c| *due > c), || {
                Refusal::new(
                    "case.deferral.date",
                    law::APL_66,
                    "延期后的缴款期限应晚于原期限",
                    "选择更晚的缴款日期",
                )
            })?;
            vec![E::DeferralApproved {
                on,
                due: *due,
                approved_by: env.actor.clone(),
            }]
        }
        C::RecordAppeal { kind, .. } => vec![E::AppealFiled { on, kind: *kind }],
        C::ConcludeAppeal { result, .. } => {
            nonblank(result, "case.appeal.result", law::APL_73, "复议诉讼结果")?;
            vec![E::AppealConcluded {
                on,
                result: result.clone(),
            }]
        }
        C::ServeDemand { .. } => vec![E::DemandServed { on }],
        C::ApplyToCourt { court, .. } => {
            nonblank(court, "case.court.name", law::ACL_53, "受理法院")?;
            vec![E::CourtApplied {
                on,
                court: court.clone(),
            }]
        }
        C::Close { .. } => vec![E::CaseClosed {
            on,
            approved_by: env.actor.clone(),
        }],
        C::Archive { .. } => vec![E::CaseArchived { on }],
    })
}

/// The year a number is allocated in (the act's date).
pub fn number_year(cmd: &Command) -> i32 {
    cmd.on().year()
}
