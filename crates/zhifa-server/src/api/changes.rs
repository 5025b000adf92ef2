//! `/api/v1/changes`: the change log (变更记录) of the base data — who changed what, when,
//! from where, with the record before and after.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use utoipa::OpenApi;
use zhifa_store::model::{Change, ChangeFilter, Page, PageRequest};

use super::Listed;
use super::docs::ListErrors;
use crate::error::ApiResult;
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
#[utoipa::path(
    get, path = "/api/v1/changes", tag = "changes",
    params(ChangeFilter, PageRequest),
    responses((status = 200, description = "一页变更记录", body = Page<Change>), ListErrors)
)]
pub async fn list(
    State(state): State<AppState>,
    Query(filter): Query<ChangeFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Listed<Change>> {
    Ok(Json(state.store.list_changes(&filter, page).await?))
}
