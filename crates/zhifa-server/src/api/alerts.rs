//! `/api/v1/supervision/alerts` and `/api/v1/supervision/rules`: supervision alerts (监督线索)
//! within the caller's scope, their handling loop (处置闭环), and the node's alert rules as
//! configuration.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use zhifa_domain::time::ChinaDate;
use zhifa_store::Scope;
use zhifa_store::model::{Change, Page, PageRequest, User};
use zhifa_store::scope::roles;
use zhifa_store::supervision_model::{Alert, AlertAction, AlertFilter, PassReport, SweepReport};

use super::Listed;
use super::docs::{ActionErrors, ListErrors, WriteErrors};
use crate::auth::{ReadAccess, WriteAccess};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::state::AppState;

/// The routes of this resource.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/supervision/alerts", get(list))
        .route("/api/v1/supervision/alerts/{id}", get(one))
        .route("/api/v1/supervision/alerts/{id}/history", get(history))
        .route("/api/v1/supervision/alerts/{id}/actions", post(act))
        .route("/api/v1/supervision/rules", get(rules).put(set_rules))
        .route("/api/v1/supervision/sweep", post(sweep))
}

/// The OpenAPI part of this resource.
#[derive(OpenApi)]
#[openapi(
    paths(list, one, history, act, rules, set_rules, sweep),
    components(schemas(Alert, AlertAction, AlertRules, RulesInput, SweepResult))
)]
pub struct Doc;

/// The node's alert rules: as data and as the TOML text an administrator edits.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertRules {
    /// The rule set (escalation and rules with id, name, citation, severity, scope, check).
    #[schema(value_type = Object)]
    pub rules: serde_json::Value,
    /// The same as TOML (see `crates/zhifa-supervise/rules/default.toml` for every field).
    pub toml: String,
}

/// New alert rules, as TOML text.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RulesInput {
    /// The rule set in TOML.
    pub toml: String,
}

/// What a sweep did, after evaluating the case events not yet seen.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SweepResult {
    /// The pass over new case events.
    pub pass: PassReport,
    /// The sweep.
    pub sweep: SweepReport,
}

/// The caller as a user: the node token acts as an administrator.
fn acting_user(user: Option<User>, scope: &Scope) -> ApiResult<User> {
    match user {
        Some(u) => Ok(u),
        None if *scope == Scope::All => Ok(User {
            id: "api".into(),
            username: "api".into(),
            display_name: "节点令牌".into(),
            role: roles::ADMIN.into(),
            subject_id: None,
            officer_id: None,
            region_code: None,
            active: true,
            created_at: String::new(),
        }),
        None => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "auth.token",
            "需要登录或有效的 API 令牌",
        )),
    }
}

/// Supervision data is for accounts: the public sees none of it.
fn signed_in(access: &ReadAccess) -> ApiResult<()> {
    if access.scope == Scope::Public {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "auth.token",
            "需要登录或有效的 API 令牌",
        ));
    }
    Ok(())
}

/// 监督线索列表 — alerts within the caller's scope (a supervisor: their region; an agency
/// role: its own agency), newest first; `status=active` for those not closed or muted.
#[utoipa::path(
    get, path = "/api/v1/supervision/alerts", tag = "supervision",
    params(AlertFilter, PageRequest),
    responses((status = 200, description = "一页监督线索", body = Page<Alert>), ListErrors),
    security(("api_token" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    access: ReadAccess,
    Query(filter): Query<AlertFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Listed<Alert>> {
    signed_in(&access)?;
    Ok(Json(
        state
            .store
            .list_alerts_in(&access.scope, &filter, page)
            .await?,
    ))
}

/// 查看监督线索.
#[utoipa::path(
    get, path = "/api/v1/supervision/alerts/{id}", tag = "supervision",
    params(("id" = String, Path, description = "线索 id")),
    responses((status = 200, description = "监督线索", body = Alert), ActionErrors),
    security(("api_token" = []))
)]
pub async fn one(
    State(state): State<AppState>,
    access: ReadAccess,
    Path(id): Path<String>,
) -> ApiResult<Json<Alert>> {
    signed_in(&access)?;
    Ok(Json(state.store.get_alert_in(&access.scope, &id).await?))
}

/// 处置记录 — every step of the alert (raised, escalated, assigned, opinion, rectification,
/// feedback, closed, muted) from the change log, oldest first; each is a ledger leaf.
#[utoipa::path(
    get, path = "/api/v1/supervision/alerts/{id}/history", tag = "supervision",
    params(("id" = String, Path, description = "线索 id")),
    responses((status = 200, description = "处置记录", body = Vec<Change>), ActionErrors),
    security(("api_token" = []))
)]
pub async fn history(
    State(state): State<AppState>,
    access: ReadAccess,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Change>>> {
    signed_in(&access)?;
    Ok(Json(state.store.alert_history(&access.scope, &id).await?))
}

/// 处置 — one step of the handling loop: `assign`, `issue_opinion` (监督意见书 with the
/// rectification deadline), `close`, `return`, `mute` (with a reason) by supervisors;
/// `rectify` and `feedback` by the agency's head. A step the role may not take or the status
/// does not allow is refused (422 `alert.role` / `alert.status`).
#[utoipa::path(
    post, path = "/api/v1/supervision/alerts/{id}/actions", tag = "supervision",
    params(("id" = String, Path, description = "线索 id")),
    request_body = AlertAction,
    responses((status = 200, description = "处置后的线索", body = Alert), WriteErrors),
    security(("api_token" = []))
)]
pub async fn act(
    State(state): State<AppState>,
    access: WriteAccess,
    Path(id): Path<String>,
    Json(action): Json<AlertAction>,
) -> ApiResult<Json<Alert>> {
    let user = acting_user(access.user, &access.scope)?;
    Ok(Json(
        state
            .store
            .act_on_alert(
                &access.scope,
                &user,
                &access.actor,
                &id,
                &action,
                ChinaDate::today().date(),
            )
            .await?,
    ))
}

fn rules_doc(set: &zhifa_supervise::RuleSet) -> AlertRules {
    AlertRules {
        rules: serde_json::to_value(set).unwrap_or_default(),
        toml: set.to_toml(),
    }
}

/// 预警规则 — the node's alert rules (id, name, legal basis, severity, scope, check and its
/// parameters), as data and as TOML.
#[utoipa::path(
    get, path = "/api/v1/supervision/rules", tag = "supervision",
    responses((status = 200, description = "预警规则", body = AlertRules), ActionErrors),
    security(("api_token" = []))
)]
pub async fn rules(
    State(state): State<AppState>,
    access: ReadAccess,
) -> ApiResult<Json<AlertRules>> {
    signed_in(&access)?;
    Ok(Json(rules_doc(&state.store.alert_rules().await?)))
}

fn admin(user: &User) -> ApiResult<()> {
    if user.role == roles::ADMIN {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "auth.role",
            "只有系统管理员可以修改预警规则或发起全面扫描",
        ))
    }
}

/// 修改预警规则 — administrators; every error names its field (`rule[3].check.share_percent`)
/// and rule; the change is in the change log and the ledger.
#[utoipa::path(
    put, path = "/api/v1/supervision/rules", tag = "supervision",
    request_body = RulesInput,
    responses((status = 200, description = "新的预警规则", body = AlertRules), WriteErrors),
    security(("api_token" = []))
)]
pub async fn set_rules(
    State(state): State<AppState>,
    access: WriteAccess,
    Json(input): Json<RulesInput>,
) -> ApiResult<Json<AlertRules>> {
    admin(&acting_user(access.user, &access.scope)?)?;
    let set = state
        .store
        .set_alert_rules(&access.actor, &input.toml)
        .await?;
    Ok(Json(rules_doc(&set)))
}

/// Options of a sweep.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SweepQuery {
    /// Every case, closed ones included (after loading history or changing rules); default:
    /// the open cases.
    pub full: Option<bool>,
}

/// 全面扫描 — evaluates the case events not yet seen, then the per-case rules over the open
/// cases (`full=true`: every case), the cross-case rules, and escalates ignored alerts.
#[utoipa::path(
    post, path = "/api/v1/supervision/sweep", tag = "supervision",
    params(SweepQuery),
    responses((status = 200, description = "扫描结果", body = SweepResult), WriteErrors),
    security(("api_token" = []))
)]
pub async fn sweep(
    State(state): State<AppState>,
    access: WriteAccess,
    Query(q): Query<SweepQuery>,
) -> ApiResult<Json<SweepResult>> {
    admin(&acting_user(access.user, &access.scope)?)?;
    let calendar = crate::cases::calendar(&state);
    let today = crate::cases::today();
    let pass = state
        .store
        .supervision_catch_up(&calendar, today, 5_000)
        .await?;
    let sweep = state
        .store
        .supervision_sweep(&calendar, today, q.full.unwrap_or(false))
        .await?;
    Ok(Json(SweepResult { pass, sweep }))
}
