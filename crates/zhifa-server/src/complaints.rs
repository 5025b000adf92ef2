//! What the complaint API and pages share (投诉举报): the view of one complaint with its Chinese
//! labels and the handling steps the caller may take now (and why not the others), the actor
//! of a public intake, and one entry point for a step.

use serde::Serialize;
use utoipa::ToSchema;
use zhifa_domain::complaint::{ComplaintAction, ComplaintKind, ComplaintStatus, available};
use zhifa_store::complaint_model::{Complaint, ComplaintStep, StepContext};
use zhifa_store::model::{Actor, User};
use zhifa_store::{Scope, StoreError};

use crate::cases::{calendar, role_of, today};
use crate::state::AppState;
use crate::web::labels::{code_label, region_name};

/// Actor name recorded for intakes from the public (no account).
pub const PUBLIC_ACTOR: &str = "public";

/// A handling step as the caller sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActionView {
    /// Step code (`route`, `accept`, `reject`, `handle`, `reply`).
    pub action: String,
    /// Chinese name.
    pub label: String,
    /// Whether the caller may take it now.
    pub allowed: bool,
    /// The article the step carries out.
    pub article: String,
    /// Why not (stable code), when refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refusal_code: Option<String>,
    /// Why not (Chinese), when refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refusal: Option<String>,
    /// What would allow it (Chinese), when refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remedy: Option<String>,
}

/// One complaint with its labels, whether its running deadline has passed, and the steps.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplaintView {
    /// The record (contact data masked).
    #[serde(flatten)]
    pub complaint: Complaint,
    /// 投诉 or 举报.
    pub kind_name: String,
    /// Channel name.
    pub channel_name: String,
    /// Enforcement field name.
    pub field_name: String,
    /// Full region name.
    pub region_name: String,
    /// Chinese status.
    pub status_name: String,
    /// How it was routed, in Chinese.
    pub routing_name: String,
    /// The running deadline has passed.
    pub overdue: bool,
    /// Every step with whether the caller may take it now.
    pub actions: Vec<ActionView>,
}

/// Chinese name of a routing code.
pub fn routing_zh(code: Option<&str>) -> &'static str {
    match code {
        Some("auto") => "按领域和属地自动分派",
        Some("manual") => "人工分派",
        Some("none") => "未找到有管辖权的执法主体，待人工分派",
        Some("ambiguous") => "多个执法主体均有管辖权，待人工分派",
        _ => "",
    }
}

/// Chinese name of a status code.
pub fn status_zh(code: &str) -> String {
    ComplaintStatus::parse(code).map_or_else(|| code.to_string(), |s| s.zh().to_string())
}

/// Chinese name of a kind code.
pub fn kind_zh(code: &str) -> String {
    ComplaintKind::parse(code).map_or_else(|| code.to_string(), |k| k.zh().to_string())
}

/// The view of a complaint for a caller acting in `role`.
pub fn view(c: Complaint, role: &str) -> ComplaintView {
    let actions = match c.status() {
        Some(status) => available(status, role)
            .into_iter()
            .map(|(a, r)| ActionView {
                action: a.code().to_string(),
                label: a.zh().to_string(),
                allowed: r.is_ok(),
                article: a.article().to_string(),
                refusal_code: r.as_ref().err().map(|e| e.code.clone()),
                remedy: r.as_ref().err().map(|e| e.remedy.clone()),
                refusal: r.err().map(|e| e.message),
            })
            .collect(),
        None => Vec::new(),
    };
    ComplaintView {
        kind_name: kind_zh(&c.kind),
        channel_name: code_label("complaint_channel", &c.channel),
        field_name: code_label("enforcement_field", &c.field),
        region_name: region_name(&c.region_code),
        status_name: status_zh(&c.status),
        routing_name: routing_zh(c.routing.as_deref()).to_string(),
        overdue: c.is_overdue(today()),
        actions,
        complaint: c,
    }
}

/// Takes a handling step for a caller (account or node token) within its scope, dated `on`
/// (default today).
pub async fn step(
    state: &AppState,
    scope: &Scope,
    user: Option<&User>,
    actor: &Actor,
    id: &str,
    action: ComplaintAction,
    data: &ComplaintStep,
) -> Result<Complaint, StoreError> {
    let role = role_of(user);
    let cal = calendar(state);
    let ctx = StepContext {
        role: &role,
        today: today(),
        calendar: &cal,
    };
    state
        .store
        .complaint_step_in(scope, id, action, data, ctx, actor)
        .await
}
