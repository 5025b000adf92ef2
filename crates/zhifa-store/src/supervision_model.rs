//! Records of supervision (执法监督, F11): alerts (监督线索) and the steps of their handling
//! loop (处置闭环). The rules that raise them live in `zhifa-supervise`.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Alert status codes with their Chinese names, in the order of the handling loop.
pub const ALERT_STATUSES: [(&str, &str); 7] = [
    ("open", "待处置"),
    ("assigned", "已指派"),
    ("opinion_issued", "已发监督意见"),
    ("rectified", "已整改"),
    ("feedback", "已反馈"),
    ("closed", "已核查销号"),
    ("muted", "已屏蔽"),
];

/// The Chinese name of an alert status.
pub fn alert_status_zh(code: &str) -> &'static str {
    ALERT_STATUSES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("未知", |(_, zh)| zh)
}

/// One alert.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Alert {
    /// Id.
    pub id: String,
    /// Rule id.
    pub rule_id: String,
    /// Rule name.
    pub rule_name: String,
    /// Legal basis.
    pub citation: String,
    /// `high` | `medium` | `low`.
    pub severity: String,
    /// Case concerned, if one.
    pub case_id: Option<String>,
    /// Its number, if filed.
    pub case_number: Option<String>,
    /// Agency concerned.
    pub agency_id: String,
    /// Agency name.
    pub agency_name: String,
    /// Agency region code.
    pub region_code: String,
    /// Enforcement field code.
    pub field: String,
    /// Officer concerned, if one.
    pub officer_id: Option<String>,
    /// What was found.
    pub message: String,
    /// The facts behind it (JSON).
    #[schema(value_type = Object)]
    pub facts: serde_json::Value,
    /// Status code (see [`ALERT_STATUSES`]).
    pub status: String,
    /// Escalation level (0 none, 1 提级督办, 2 挂牌督办).
    pub escalation: i64,
    /// Raised at (RFC 3339).
    pub raised_at: String,
    /// Raised on (date).
    pub raised_on: String,
    /// Case-log position of the triggering event, when raised as events arrived.
    pub trigger_seq: Option<i64>,
    /// Supervisor handling it.
    pub assignee_id: Option<String>,
    /// Their name.
    pub assignee_name: Option<String>,
    /// Supervision opinion (监督意见).
    pub opinion: Option<String>,
    /// Its document number (监督意见书文号).
    pub opinion_number: Option<String>,
    /// Rectification due date.
    pub rectify_due: Option<String>,
    /// Rectification recorded by the agency (整改情况).
    pub rectification: Option<String>,
    /// Feedback by the agency (整改反馈).
    pub feedback: Option<String>,
    /// Supervisor's verification note on closing.
    pub closing_note: Option<String>,
    /// Reason recorded for muting.
    pub mute_reason: Option<String>,
    /// Version (+1 per step).
    pub version: i64,
    /// Last change.
    pub updated_at: String,
}

/// Filters of the alert list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct AlertFilter {
    /// Status code; `active` = every status before closed/muted.
    pub status: Option<String>,
    /// Rule id.
    pub rule_id: Option<String>,
    /// Severity.
    pub severity: Option<String>,
    /// Agency id.
    pub agency_id: Option<String>,
    /// Region-code prefix (within the caller's scope).
    pub region: Option<String>,
    /// Case id.
    pub case_id: Option<String>,
    /// Escalated only.
    pub escalated: Option<bool>,
}

/// A step of the handling loop.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum AlertAction {
    /// 指派: a supervisor takes the alert or gives it to another supervisor.
    Assign {
        /// User id of the supervisor (blank: the actor).
        assignee_id: Option<String>,
    },
    /// 发出监督意见书: with the rectification deadline.
    IssueOpinion {
        /// The opinion.
        opinion: String,
        /// Rectification due (YYYY-MM-DD).
        rectify_due: String,
    },
    /// 整改: the agency records what it did.
    Rectify {
        /// Rectification measures.
        rectification: String,
    },
    /// 反馈: the agency reports back.
    Feedback {
        /// Feedback.
        feedback: String,
    },
    /// 核查销号: the supervisor verifies and closes.
    Close {
        /// Verification note.
        note: String,
    },
    /// 退回重新整改: the supervisor sends it back to the agency.
    Return {
        /// Why.
        note: String,
    },
    /// 屏蔽: only with a recorded reason.
    Mute {
        /// Reason.
        reason: String,
    },
}

impl AlertAction {
    /// Stable code (the change-log action).
    pub fn code(&self) -> &'static str {
        match self {
            AlertAction::Assign { .. } => "assign",
            AlertAction::IssueOpinion { .. } => "issue_opinion",
            AlertAction::Rectify { .. } => "rectify",
            AlertAction::Feedback { .. } => "feedback",
            AlertAction::Close { .. } => "close",
            AlertAction::Return { .. } => "return",
            AlertAction::Mute { .. } => "mute",
        }
    }

    /// Chinese name.
    pub fn zh(&self) -> &'static str {
        match self {
            AlertAction::Assign { .. } => "指派",
            AlertAction::IssueOpinion { .. } => "发出监督意见书",
            AlertAction::Rectify { .. } => "记录整改情况",
            AlertAction::Feedback { .. } => "反馈整改结果",
            AlertAction::Close { .. } => "核查销号",
            AlertAction::Return { .. } => "退回重新整改",
            AlertAction::Mute { .. } => "屏蔽",
        }
    }

    /// Whether a supervisor (rather than the agency) takes this step.
    pub fn by_supervisor(&self) -> bool {
        !matches!(
            self,
            AlertAction::Rectify { .. } | AlertAction::Feedback { .. }
        )
    }

    /// The statuses this step may start from.
    pub fn from_statuses(&self) -> &'static [&'static str] {
        match self {
            AlertAction::Assign { .. } => &["open", "assigned"],
            AlertAction::IssueOpinion { .. } => &["open", "assigned"],
            AlertAction::Rectify { .. } => &["opinion_issued", "rectified"],
            AlertAction::Feedback { .. } => &["rectified"],
            AlertAction::Close { .. } | AlertAction::Return { .. } => &["feedback"],
            AlertAction::Mute { .. } => &["open", "assigned"],
        }
    }

    /// The status after this step.
    pub fn to_status(&self) -> &'static str {
        match self {
            AlertAction::Assign { .. } => "assigned",
            AlertAction::IssueOpinion { .. } => "opinion_issued",
            AlertAction::Rectify { .. } => "rectified",
            AlertAction::Feedback { .. } => "feedback",
            AlertAction::Close { .. } => "closed",
            AlertAction::Return { .. } => "opinion_issued",
            AlertAction::Mute { .. } => "muted",
        }
    }
}

/// What one pass of the supervision worker did.
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct PassReport {
    /// Case events read.
    pub events: u64,
    /// Cases evaluated.
    pub cases: u64,
    /// New alerts.
    pub raised: u64,
    /// Case-log position reached.
    pub position: i64,
    /// Whether decisions or conclusions were among the events (cross-case rules are due).
    pub decisions: bool,
}

/// What a sweep did.
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct SweepReport {
    /// Cases evaluated.
    pub cases: u64,
    /// New alerts.
    pub raised: u64,
    /// Alerts escalated.
    pub escalated: u64,
}
