//! `/api/v1/supervision/stats` and `/api/v1/supervision/indicators`: the supervisor's figures
//! and the effectiveness evaluation as JSON (the same as the `/supervision` pages), and
//! `/api/v1/settings/indicators`, the node's indicator tree (supervisors and administrators
//! read; administrators replace it). Supervisors see their region, administrators and the
//! node token everything; other roles get 403.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use utoipa::OpenApi;
use zhifa_store::indicators::IndicatorTree;
use zhifa_store::scope::roles;

use super::docs::{ListErrors, WriteErrors};
use crate::auth::{ReadAccess, WriteAccess};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Query};
use crate::state::AppState;
use crate::supervision_stats::{
    self as stats, Dashboard, IndicatorReport, StatsParams, TrendPoint, UnitDetail,
};

/// The routes of this resource.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/supervision/stats", get(stats_handler))
        .route("/api/v1/supervision/indicators", get(indicators))
        .route("/api/v1/settings/indicators", get(get_tree).put(put_tree))
}

/// The OpenAPI part of this resource.
#[derive(OpenApi)]
#[openapi(
    paths(stats_handler, indicators, get_tree, put_tree),
    components(schemas(Dashboard, IndicatorReport, UnitDetail, TrendPoint, IndicatorTree))
)]
pub struct Doc;

/// 执法监督统计 — totals, the breakdown (regions one level down, agencies or fields), months
/// and alerts by rule for a period, within the caller's scope. Figures: received, filed,
/// decided (with fines in fen), closed, open, overdue, discretion deviations, late decisions,
/// published, legal review, inspection records, alerts, complaints (`null` while not
/// connected).
#[utoipa::path(
    get, path = "/api/v1/supervision/stats", tag = "supervision",
    params(StatsParams),
    responses(
        (status = 200, description = "统计", body = Dashboard),
        (status = 403, description = "只有执法监督人员和系统管理员可以查看 (`auth.role`)", body = crate::error::ErrorBody),
        (status = 404, description = "地区或执法主体不在数据范围内", body = crate::error::ErrorBody),
        ListErrors
    )
)]
pub async fn stats_handler(
    State(state): State<AppState>,
    access: ReadAccess,
    Query(params): Query<StatsParams>,
) -> ApiResult<Json<Dashboard>> {
    stats::require_supervisor(access.user.as_ref(), &access.scope)?;
    Ok(Json(
        stats::dashboard(&state, &access.scope, &params, crate::cases::today()).await?,
    ))
}

/// 执法效能评价 — the units of the target ranked by the node's indicator tree, and one unit
/// (`unit`, else the whole target) with every indicator's formula, inputs and score, and its
/// monthly trend.
#[utoipa::path(
    get, path = "/api/v1/supervision/indicators", tag = "supervision",
    params(StatsParams),
    responses(
        (status = 200, description = "效能评价", body = IndicatorReport),
        (status = 403, description = "只有执法监督人员和系统管理员可以查看 (`auth.role`)", body = crate::error::ErrorBody),
        (status = 404, description = "地区或执法主体不在数据范围内", body = crate::error::ErrorBody),
        ListErrors
    )
)]
pub async fn indicators(
    State(state): State<AppState>,
    access: ReadAccess,
    Query(params): Query<StatsParams>,
) -> ApiResult<Json<IndicatorReport>> {
    stats::require_supervisor(access.user.as_ref(), &access.scope)?;
    Ok(Json(
        stats::indicator_report(&state, &access.scope, &params, crate::cases::today()).await?,
    ))
}

/// 效能评价指标配置 — the node's indicator tree (the shipped default until changed).
#[utoipa::path(
    get, path = "/api/v1/settings/indicators", tag = "supervision",
    responses(
        (status = 200, description = "指标体系", body = IndicatorTree),
        (status = 403, description = "只有执法监督人员和系统管理员可以查看 (`auth.role`)", body = crate::error::ErrorBody),
        ListErrors
    )
)]
pub async fn get_tree(
    State(state): State<AppState>,
    access: ReadAccess,
) -> ApiResult<Json<IndicatorTree>> {
    stats::require_supervisor(access.user.as_ref(), &access.scope)?;
    Ok(Json(state.store.indicator_tree().await?.0))
}

/// 修改效能评价指标配置 — administrators only; checked (weights of siblings sum to 100, ids
/// unique, leaves with a complete formula …: 422 naming each problem), recorded in the change
/// log and the ledger.
#[utoipa::path(
    put, path = "/api/v1/settings/indicators", tag = "supervision",
    request_body = IndicatorTree,
    responses((status = 200, description = "已保存的指标体系", body = IndicatorTree), WriteErrors),
    security(("api_token" = []))
)]
pub async fn put_tree(
    State(state): State<AppState>,
    access: WriteAccess,
    Json(tree): Json<IndicatorTree>,
) -> ApiResult<Json<IndicatorTree>> {
    if access.user.as_ref().is_some_and(|u| u.role != roles::ADMIN) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "auth.role",
            "只有系统管理员可以修改效能评价指标",
        ));
    }
    Ok(Json(
        state.store.set_indicator_tree(&access.actor, &tree).await?,
    ))
}
