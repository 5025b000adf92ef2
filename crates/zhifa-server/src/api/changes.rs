//! `/api/v1/changes`: the change log (变更记录) of the base data — who changed what, when,
//! from where, with the record before and after.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use utoipa::OpenApi;
use zhifa_store::model::{Change, ChangeFilter, Page, PageRequest};

use super::Listed;
use super::docs::ListErrors;
use zhifa_domain::FieldError;
use zhifa_store::Scope;

use crate::auth::ReadAccess;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Query};
use crate::state::AppState;

/// The routes of this resource.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/changes", get(list))
}

/// The OpenAPI part of this resource.
#[derive(OpenApi)]
#[openapi(paths(list))]
pub struct Doc;

/// 查询变更记录 — list change-log entries, filtered by entity kind and id, newest first.
/// Without an administrator's token only published kinds (subject, power, benchmark, law,
/// calendar) can be queried, and `entity` must name one.
#[utoipa::path(
    get, path = "/api/v1/changes", tag = "changes",
    params(ChangeFilter, PageRequest),
    responses((status = 200, description = "一页变更记录", body = Page<Change>), ListErrors)
)]
pub async fn list(
    State(state): State<AppState>,
    access: ReadAccess,
    Query(filter): Query<ChangeFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Listed<Change>> {
    if access.scope != Scope::All {
        // Only the history of published records (事前公开, APL Art. 39) is open to everyone;
        // officers, certificates and accounts belong to the administrators' full log.
        let entity = filter.entity.as_deref().map(str::trim).unwrap_or("");
        if !PUBLIC_ENTITIES.contains(&entity) {
            return Err(ApiError::invalid_fields(vec![FieldError {
                field: "entity".into(),
                code: "changes.entity.restricted".into(),
                rule: "《行政处罚法》第三十九条".into(),
                message: format!(
                    "只能查询已公开数据的变更记录：entity 应为 {}（完整变更记录需管理员令牌）",
                    PUBLIC_ENTITIES.join("、")
                ),
            }]));
        }
    }
    Ok(Json(state.store.list_changes(&filter, page).await?))
}

/// Kinds of record whose change history anyone may read.
pub const PUBLIC_ENTITIES: &[&str] = &["subject", "power", "benchmark", "law", "calendar"];
