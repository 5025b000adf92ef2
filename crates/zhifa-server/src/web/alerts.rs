//! `/supervision/alerts` (监督线索): the alerts raised by the node's rules within the
//! account's scope — a supervisor's region, an agency's own — and each alert's handling loop
//! (处置闭环): assign, supervision opinion (监督意见书, printable), the agency's rectification
//! and feedback, verification and closing, or muting with a recorded reason.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use zhifa_store::StoreError;
use zhifa_store::model::{Change, PageRequest};
use zhifa_store::scope::roles;
use zhifa_store::supervision_model::{
    ALERT_STATUSES, Alert, AlertAction, AlertFilter, alert_status_zh,
};

use super::admin::require_role;
use super::labels::{code_label, region_name};
use super::member::{FieldErrors, FormFields, Me, field, require_csrf};
use super::{PAGE_SIZE, PageQuery, PageResult, Pager, non_empty, offset_param, render};
use crate::auth::SignedIn;
use crate::state::AppState;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/supervision/alerts", get(list))
        .route("/supervision/alerts/{id}", get(detail))
        .route("/supervision/alerts/{id}/action", post(act))
        .route("/supervision/alerts/{id}/opinion", get(opinion))
}

/// Roles that see alerts: supervisors and administrators (their scope), the agency's roles
/// (their agency's; only the head takes steps).
const READERS: [&str; 5] = [
    roles::SUPERVISOR,
    roles::ADMIN,
    roles::HEAD,
    roles::OFFICER,
    roles::REVIEWER,
];

#[derive(Debug, Deserialize, Default)]
struct AlertQuery {
    status: Option<String>,
    severity: Option<String>,
    rule_id: Option<String>,
    region: Option<String>,
    agency_id: Option<String>,
    case_id: Option<String>,
    offset: Option<String>,
}

/// Severity badge class and label.
fn severity(code: &str) -> (&'static str, &'static str) {
    match code {
        "high" => ("bad", "高"),
        "medium" => ("warn", "中"),
        _ => ("none", "低"),
    }
}

/// An alert row.
struct Row {
    a: Alert,
    badge: &'static str,
    severity_zh: &'static str,
    status_zh: &'static str,
    region_zh: String,
}

impl Row {
    fn of(a: Alert) -> Row {
        let (badge, severity_zh) = severity(&a.severity);
        Row {
            status_zh: alert_status_zh(&a.status),
            region_zh: region_name(&a.region_code),
            badge,
            severity_zh,
            a,
        }
    }
}

#[derive(Template)]
#[template(path = "alerts.html")]
struct ListPage {
    me: Me,
    scope: String,
    rows: Vec<Row>,
    pager: Pager,
    status: String,
    severity: String,
    rule_id: String,
    region: String,
    statuses: Vec<(&'static str, &'static str)>,
    rules: Vec<(String, String)>,
    total_active: i64,
}

/// `GET /supervision/alerts`.
async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    PageQuery(q): PageQuery<AlertQuery>,
) -> PageResult {
    require_role(&me, &READERS)?;
    let offset = offset_param(q.offset.as_deref());
    let filter = AlertFilter {
        status: Some(non_empty(&q.status).unwrap_or_else(|| "active".into())),
        rule_id: non_empty(&q.rule_id),
        severity: non_empty(&q.severity),
        agency_id: non_empty(&q.agency_id),
        region: non_empty(&q.region),
        case_id: non_empty(&q.case_id),
        escalated: None,
    };
    let page = state
        .store
        .list_alerts_in(
            &me.scope,
            &filter,
            PageRequest {
                offset,
                limit: PAGE_SIZE,
            },
        )
        .await?;
    let total_active = state
        .store
        .list_alerts_in(
            &me.scope,
            &AlertFilter {
                status: Some("active".into()),
                ..AlertFilter::default()
            },
            PageRequest {
                offset: 0,
                limit: 1,
            },
        )
        .await?
        .total;
    let status = filter.status.clone().unwrap_or_default();
    let severity = filter.severity.clone().unwrap_or_default();
    let rule_id = filter.rule_id.clone().unwrap_or_default();
    let region = filter.region.clone().unwrap_or_default();
    let agency_id = filter.agency_id.clone().unwrap_or_default();
    let case_id = filter.case_id.clone().unwrap_or_default();
    let pager = Pager::new(
        "/supervision/alerts",
        &[
            ("status", &status),
            ("severity", &severity),
            ("rule_id", &rule_id),
            ("region", &region),
            ("agency_id", &agency_id),
            ("case_id", &case_id),
        ],
        offset,
        page.items.len(),
        page.total,
    );
    let rules = state
        .store
        .alert_rules()
        .await?
        .rules
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let mut statuses = vec![("active", "未办结")];
    statuses.extend(ALERT_STATUSES.iter().copied());
    let page = ListPage {
        me: Me::of(&me),
        scope: me.scope.describe(),
        rows: page.items.into_iter().map(Row::of).collect(),
        pager,
        status,
        severity,
        rule_id,
        region,
        statuses,
        rules,
        total_active,
    };
    Ok(render(&page))
}

/// A step of the history as the page shows it.
struct Step {
    at: String,
    actor: String,
    what: &'static str,
}

fn step_zh(action: &str) -> &'static str {
    match action {
        "raise" => "规则触发，生成线索",
        "escalate" => "逾期未处置，升级督办",
        "assign" => "指派承办",
        "issue_opinion" => "发出监督意见书",
        "rectify" => "被监督机关记录整改情况",
        "feedback" => "被监督机关反馈整改结果",
        "close" => "核查销号",
        "return" => "退回重新整改",
        "mute" => "屏蔽",
        _ => "变更",
    }
}

#[derive(Template)]
#[template(path = "alert.html")]
struct DetailPage {
    me: Me,
    r: Row,
    facts: Vec<(String, String)>,
    history: Vec<Step>,
    field_zh: String,
    escalation_zh: &'static str,
    /// Steps this account may take now: (code, label).
    can: Vec<&'static str>,
    errors: FieldErrors,
    form: FormFields,
    today: String,
}

impl DetailPage {
    fn value(&self, name: &str) -> String {
        field(&self.form, name)
    }

    fn may(&self, step: &str) -> bool {
        self.can.contains(&step)
    }
}

/// The steps an account may take on an alert in its status.
fn allowed_steps(role: &str, status: &str) -> Vec<&'static str> {
    let supervisor = role == roles::SUPERVISOR || role == roles::ADMIN;
    let probe = |a: AlertAction| {
        let ok_role = if a.by_supervisor() {
            supervisor
        } else {
            role == roles::HEAD
        };
        (ok_role && a.from_statuses().contains(&status)).then_some(a.code())
    };
    let text = String::new;
    [
        AlertAction::Assign { assignee_id: None },
        AlertAction::IssueOpinion {
            opinion: text(),
            rectify_due: text(),
        },
        AlertAction::Rectify {
            rectification: text(),
        },
        AlertAction::Feedback { feedback: text() },
        AlertAction::Close { note: text() },
        AlertAction::Return { note: text() },
        AlertAction::Mute { reason: text() },
    ]
    .into_iter()
    .filter_map(probe)
    .collect()
}

/// Flattens an alert's facts (JSON) into label/value rows.
fn fact_rows(v: &serde_json::Value) -> Vec<(String, String)> {
    let label = |k: &str| -> String {
        match k {
            "clock" => "期限",
            "due" => "到期日",
            "met_on" => "完成日",
            "days_late" => "超期天数",
            "article" => "条款",
            "decided_on" => "决定日期",
            "notice_on" => "告知日期",
            "triggers" => "审核情形",
            "opinion" => "审核意见",
            "acts" => "执法行为",
            "min" => "法定最少人数",
            "problems" => "证件问题",
            "officer_id" => "执法人员",
            "fine_fen" => "罚款（分）",
            "benchmark" => "裁量基准",
            "reason" => "理由",
            "statutory_max_fen" => "法定最高罚款（分）",
            "power_id" => "执法事项",
            "filed_on" => "立案日期",
            "limitation_until" => "追责时效届满日",
            "act_date" => "违法行为发生日",
            "paid_on" => "缴清日期",
            "days" => "逾期天数",
            "surcharge_fen" => "应加处罚款（分）",
            "party" => "当事人",
            "on" => "日期",
            "window_days" => "时间窗（日）",
            "earlier" => "此前检查",
            "penalty_powers" => "行政处罚职权数",
            "period_days" => "统计期间（日）",
            "until" => "截至",
            "officer" => "执法人员",
            "decisions" => "罚款决定数",
            "at_max" => "处于上限数",
            "share_percent" => "关注线（%）",
            "cases" => "案件",
            "concluded" => "调查终结数",
            "no_penalty" => "不予处罚数",
            other => other,
        }
        .to_string()
    };
    match v {
        serde_json::Value::Object(m) => m
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| {
                let text = match v {
                    serde_json::Value::String(s) if k == "clock" => {
                        serde_json::from_value::<zhifa_domain::case::ClockKind>(v.clone())
                            .map_or_else(|_| s.clone(), |c| c.zh().to_string())
                    }
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (label(k), text)
            })
            .collect(),
        _ => Vec::new(),
    }
}

async fn detail_page(
    state: &AppState,
    me: &SignedIn,
    id: &str,
    errors: FieldErrors,
    form: FormFields,
) -> PageResult {
    let a = state.store.get_alert_in(&me.scope, id).await?;
    let history: Vec<Change> = state.store.alert_history(&me.scope, id).await?;
    let history = history
        .into_iter()
        .map(|c| Step {
            at: c.at.get(..19).unwrap_or(&c.at).replace('T', " "),
            actor: c.actor,
            what: step_zh(&c.action),
        })
        .collect();
    let can = allowed_steps(&me.user().role, &a.status);
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = DetailPage {
        me: Me::of(me),
        facts: fact_rows(&a.facts),
        field_zh: code_label("enforcement_field", &a.field),
        escalation_zh: match a.escalation {
            0 => "",
            1 => "提级督办",
            _ => "挂牌督办",
        },
        r: Row::of(a),
        history,
        can,
        errors,
        form,
        today: crate::cases::today().to_string(),
    };
    Ok((code, render(&page)).into_response())
}

/// `GET /supervision/alerts/{id}`.
async fn detail(State(state): State<AppState>, me: SignedIn, Path(id): Path<String>) -> PageResult {
    require_role(&me, &READERS)?;
    detail_page(&state, &me, &id, FieldErrors::default(), FormFields::new()).await
}

/// `POST /supervision/alerts/{id}/action`: one step of the loop; errors shown beside their
/// fields with the typed values kept.
async fn act(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<FormFields>,
) -> PageResult {
    require_role(&me, &READERS)?;
    require_csrf(&me, &form)?;
    let action = match field(&form, "action").as_str() {
        "assign" => AlertAction::Assign {
            assignee_id: Some(field(&form, "assignee_id")),
        },
        "issue_opinion" => AlertAction::IssueOpinion {
            opinion: field(&form, "opinion"),
            rectify_due: field(&form, "rectify_due"),
        },
        "rectify" => AlertAction::Rectify {
            rectification: field(&form, "rectification"),
        },
        "feedback" => AlertAction::Feedback {
            feedback: field(&form, "feedback"),
        },
        "close" => AlertAction::Close {
            note: field(&form, "note"),
        },
        "return" => AlertAction::Return {
            note: field(&form, "return_note"),
        },
        "mute" => AlertAction::Mute {
            reason: field(&form, "reason"),
        },
        _ => {
            return detail_page(
                &state,
                &me,
                &id,
                FieldErrors::one("action", "未知的处置操作"),
                form,
            )
            .await;
        }
    };
    match state
        .store
        .act_on_alert(
            &me.scope,
            me.user(),
            &me.actor,
            &id,
            &action,
            crate::cases::today(),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/supervision/alerts/{id}")).into_response()),
        Err(StoreError::Invalid(f)) => {
            // `return` shares the note field name with `close` in the store.
            let f: Vec<_> = f
                .into_iter()
                .map(|mut e| {
                    if matches!(action, AlertAction::Return { .. }) && e.field == "note" {
                        e.field = "return_note".into();
                    }
                    e
                })
                .collect();
            detail_page(&state, &me, &id, FieldErrors::from_fields(&f), form).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "alert_opinion.html")]
struct OpinionPage {
    a: Alert,
    issuer: String,
    field_zh: String,
    issued_on: String,
}

/// `GET /supervision/alerts/{id}/opinion`: the supervision opinion (监督意见书), printable.
async fn opinion(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    require_role(&me, &READERS)?;
    let a = state.store.get_alert_in(&me.scope, &id).await?;
    if a.opinion_number.is_none() {
        return Err(super::PageError(crate::error::ApiError::new(
            StatusCode::NOT_FOUND,
            "alert.no_opinion",
            "该线索尚未发出监督意见书",
        )));
    }
    // The supervising justice department of the issuer's region (province: 司法厅).
    let code = me
        .user()
        .region_code
        .clone()
        .unwrap_or_else(|| format!("{}0000", a.region_code.get(..2).unwrap_or("00")));
    let bureau = if code.ends_with("0000") {
        "司法厅"
    } else {
        "司法局"
    };
    let issuer = format!("{}{bureau}", region_name(&code));
    // The date of the (latest) opinion step in the change log.
    let issued_on = state
        .store
        .alert_history(&me.scope, &id)
        .await?
        .into_iter()
        .rev()
        .find(|c| c.action == "issue_opinion")
        .map(|c| c.at.get(..10).unwrap_or(&c.at).to_string())
        .unwrap_or_default();
    let page = OpinionPage {
        field_zh: code_label("enforcement_field", &a.field),
        issuer,
        issued_on,
        a,
    };
    Ok(render(&page))
}
