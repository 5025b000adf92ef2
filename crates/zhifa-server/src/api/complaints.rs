//! `/api/v1/complaints`: complaints and reports (投诉举报) — the public intake (no login; answers
//! the number and a query code), tracking by number and query code, the list and one
//! complaint within the caller's data scope, the handling steps (分派 by supervisors and
//! administrators; 受理, 不予受理, 办结, 答复 by the routed agency's officers and head), counts per
//! agency for the indicators, and `/api/v1/settings/complaint-rules` (the node's deadlines).
//!
//! A step the flow or the role does not allow is answered 409 with its stable code, the article
//! and a Chinese message; missing data is 422 naming each field; a complaint outside the
//! caller's scope is 404.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi, ToSchema};
use zhifa_domain::complaint::{ComplaintAction, ComplaintRules};
use zhifa_domain::time::ChinaDate;
use zhifa_store::complaint_model::{
    Complaint, ComplaintCount, ComplaintFilter, ComplaintInput, ComplaintReceipt, ComplaintStep,
    ComplaintTrack,
};
use zhifa_store::model::{Actor, Page, PageRequest};
use zhifa_store::scope::roles;

use super::docs::{ListErrors, ReadErrors, WriteErrors};
use super::{Created, created};
use crate::auth::{API_ACTOR, Client, ReadAccess, WriteAccess};
use crate::cases::{calendar, role_of, today};
use crate::complaints::{self, ComplaintView, PUBLIC_ACTOR};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::state::AppState;

/// The routes of this resource.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/complaints", get(list).post(intake))
        .route("/api/v1/complaints/track", post(track))
        .route("/api/v1/complaints/counts", get(counts))
        .route("/api/v1/complaints/{id}", get(detail))
        .route("/api/v1/complaints/{id}/{action}", post(step))
        .route(
            "/api/v1/settings/complaint-rules",
            get(get_rules).put(put_rules),
        )
}

/// The OpenAPI part of this resource.
#[derive(OpenApi)]
#[openapi(
    paths(intake, track, list, counts, detail, step, get_rules, put_rules),
    components(schemas(
        ComplaintInput,
        ComplaintReceipt,
        ComplaintTrack,
        TrackRequest,
        Complaint,
        ComplaintView,
        crate::complaints::ActionView,
        ComplaintStep,
        ComplaintCount
    ))
)]
pub struct Doc;

/// Who registers an intake: the account or node token when one is presented, else the public
/// (with the client address).
fn intake_actor(access: &ReadAccess, ip: Option<String>) -> Actor {
    let user = match (&access.user, &access.scope) {
        (Some(u), _) => u.username.clone(),
        (None, zhifa_store::Scope::All) => API_ACTOR.to_string(),
        (None, _) => PUBLIC_ACTOR.to_string(),
    };
    Actor { user, ip }
}

fn signed_in(access: &ReadAccess) -> ApiResult<()> {
    if access.user.is_none() && matches!(access.scope, zhifa_store::Scope::Public) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "auth.token",
            "需要登录或有效的 API 令牌",
        ));
    }
    Ok(())
}

/// 投诉举报登记 — public intake, no login needed. Every missing or wrong field is named at once
/// (422). The answer carries the number and the query code (查询码, shown only here) with which
/// the complainant tracks the matter; the complaint is routed to the competent agency when
/// exactly one covers the region most locally for the field.
#[utoipa::path(
    post, path = "/api/v1/complaints", tag = "complaints",
    request_body = ComplaintInput,
    responses(
        (status = 201, description = "已登记：编号与查询码", body = ComplaintReceipt),
        (status = 400, description = "JSON 格式错误", body = crate::error::ErrorBody),
        (status = 422, description = "输入数据不合规：逐项列出", body = crate::error::ErrorBody),
        (status = 503, description = "数据库暂不可用", body = crate::error::ErrorBody),
    )
)]
pub async fn intake(
    State(state): State<AppState>,
    access: ReadAccess,
    Client(client): Client,
    Json(input): Json<ComplaintInput>,
) -> ApiResult<Created<ComplaintReceipt>> {
    let actor = intake_actor(&access, client.ip);
    let receipt = state
        .store
        .create_complaint(&input, today(), &calendar(&state), &actor)
        .await?;
    Ok(created(
        format!("/api/v1/complaints/{}", receipt.id),
        receipt,
    ))
}

/// Number and query code of a complaint.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct TrackRequest {
    /// Number, e.g. `投诉〔2026〕17号` (also `投诉[2026]17号`, `投诉2026-17`).
    pub number: String,
    /// The query code given at intake.
    pub query_code: String,
}

/// 投诉举报查询 — progress and reply of one complaint by its number and query code (no login).
/// An unknown number and a wrong code are both 404.
#[utoipa::path(
    post, path = "/api/v1/complaints/track", tag = "complaints",
    request_body = TrackRequest,
    responses((status = 200, description = "办理进度与答复", body = ComplaintTrack), ReadErrors)
)]
pub async fn track(
    State(state): State<AppState>,
    Json(req): Json<TrackRequest>,
) -> ApiResult<Json<ComplaintTrack>> {
    state
        .store
        .track_complaint(&req.number, &req.query_code)
        .await
        .map(Json)
        .map_err(|e| match e {
            zhifa_store::StoreError::NotFound { .. } => {
                ApiError::not_found("未找到该投诉举报：请核对编号和查询码")
            }
            other => other.into(),
        })
}

/// 投诉举报列表 — within the caller's data scope (an agency its own, a supervisor its region,
/// an administrator all), filtered by status, overdue, kind, agency, text, received dates.
#[utoipa::path(
    get, path = "/api/v1/complaints", tag = "complaints",
    params(ComplaintFilter, PageRequest),
    responses((status = 200, description = "一页投诉举报", body = Page<Complaint>), ListErrors)
)]
pub async fn list(
    State(state): State<AppState>,
    access: ReadAccess,
    Query(filter): Query<ComplaintFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Json<Page<Complaint>>> {
    signed_in(&access)?;
    Ok(Json(
        state
            .store
            .list_complaints_in(&access.scope, &filter, today(), page)
            .await?,
    ))
}

/// Period of the counts.
#[derive(Debug, Clone, Deserialize, IntoParams)]
pub struct CountsQuery {
    /// First day (YYYY-MM-DD, default 1 January of this year).
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD, default today).
    pub to: Option<String>,
}

fn date_or(field: &str, value: Option<&str>, default: NaiveDate) -> ApiResult<NaiveDate> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => ChinaDate::parse(v)
            .map(ChinaDate::date)
            .map_err(|e| ApiError::invalid(field, e)),
    }
}

/// 投诉举报统计 — per agency within the caller's scope, for complaints received in the period:
/// received, overdue (decided or handled after the deadline, or open past it), replied.
#[utoipa::path(
    get, path = "/api/v1/complaints/counts", tag = "complaints",
    params(CountsQuery),
    responses((status = 200, description = "各执法主体的件数", body = Vec<ComplaintCount>), ListErrors)
)]
pub async fn counts(
    State(state): State<AppState>,
    access: ReadAccess,
    Query(q): Query<CountsQuery>,
) -> ApiResult<Json<Vec<ComplaintCount>>> {
    signed_in(&access)?;
    let t = today();
    let jan1 = t.with_ordinal(1).unwrap_or(t);
    let from = date_or("from", q.from.as_deref(), jan1)?;
    let to = date_or("to", q.to.as_deref(), t)?;
    Ok(Json(
        state
            .store
            .complaint_counts(&access.scope, from, to, t)
            .await?,
    ))
}

/// 投诉举报详情 — one complaint (contact data masked) with the steps the caller may take now.
#[utoipa::path(
    get, path = "/api/v1/complaints/{id}", tag = "complaints",
    params(("id" = String, Path, description = "投诉举报 ID")),
    responses((status = 200, description = "投诉举报", body = ComplaintView), ReadErrors)
)]
pub async fn detail(
    State(state): State<AppState>,
    access: ReadAccess,
    Path(id): Path<String>,
) -> ApiResult<Json<ComplaintView>> {
    let c = state.store.get_complaint_in(&access.scope, &id).await?;
    Ok(Json(complaints::view(c, &role_of(access.user.as_ref()))))
}

/// 办理环节 — `route` (分派: `agency_id`; supervisors, administrators), `accept` (受理),
/// `reject` (不予受理: `reason`), `handle` (办结: `result`, optional `case_id`, `alert_id`),
/// `reply` (答复: `reply`); each optionally dated `on` (default today).
#[utoipa::path(
    post, path = "/api/v1/complaints/{id}/{action}", tag = "complaints",
    params(("id" = String, Path, description = "投诉举报 ID"),
           ("action" = String, Path, description = "route、accept、reject、handle、reply")),
    request_body = ComplaintStep,
    responses(
        (status = 200, description = "办理后的投诉举报", body = Complaint),
        (status = 409, description = "办理顺序或角色不允许（code、article、message、remedy）", body = crate::error::ErrorBody),
        WriteErrors
    ),
    security(("api_token" = []))
)]
pub async fn step(
    State(state): State<AppState>,
    access: WriteAccess,
    Path((id, action)): Path<(String, String)>,
    Json(data): Json<ComplaintStep>,
) -> ApiResult<Json<Complaint>> {
    let action = ComplaintAction::parse(&action)
        .ok_or_else(|| ApiError::not_found(format!("未找到办理环节：{action}")))?;
    Ok(Json(
        complaints::step(
            &state,
            &access.scope,
            access.user.as_ref(),
            &access.actor,
            &id,
            action,
            &data,
        )
        .await?,
    ))
}

/// 投诉举报办理期限参数 — the node's deadlines (defaults when never set: acceptance within 7
/// working days, 暂行办法第十四条; handling within 60 days, 《信访工作条例》第三十四条).
#[utoipa::path(
    get, path = "/api/v1/settings/complaint-rules", tag = "complaints",
    responses((status = 200, description = "投诉举报办理期限参数", body = Object), ReadErrors)
)]
pub async fn get_rules(
    State(state): State<AppState>,
    access: ReadAccess,
) -> ApiResult<Json<ComplaintRules>> {
    signed_in(&access)?;
    Ok(Json(state.store.complaint_rules().await?))
}

/// 修改投诉举报办理期限参数 — administrators only; validated and recorded in the change log.
#[utoipa::path(
    put, path = "/api/v1/settings/complaint-rules", tag = "complaints",
    request_body = Object,
    responses((status = 200, description = "已保存的参数", body = Object), WriteErrors),
    security(("api_token" = []))
)]
pub async fn put_rules(
    State(state): State<AppState>,
    access: WriteAccess,
    Json(rules): Json<ComplaintRules>,
) -> ApiResult<Json<ComplaintRules>> {
    if access.user.as_ref().is_some_and(|u| u.role != roles::ADMIN) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "auth.role",
            "只有系统管理员可以修改投诉举报办理期限参数",
        ));
    }
    Ok(Json(
        state
            .store
            .set_complaint_rules(&access.actor, &rules)
            .await?,
    ))
}
