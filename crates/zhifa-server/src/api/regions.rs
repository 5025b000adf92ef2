//! `/api/v1/regions`: administrative divisions (行政区划, GB/T 2260, 2023 edition, with the
//! NBS township codes).

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use utoipa::OpenApi;
use zhifa_store::model::{Page, PageRequest, RegionFilter, RegionRow};

use super::Listed;
use super::docs::{ListErrors, ReadErrors};
use crate::error::ApiResult;
use crate::extract::{Json, Path, Query};
use crate::state::AppState;

/// The routes of this resource.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/regions", get(list))
        .route("/api/v1/regions/{code}", get(read))
}

/// The OpenAPI part of this resource.
#[derive(OpenApi)]
#[openapi(paths(list, read))]
pub struct Doc;

/// 列出行政区划 — list regions by parent, level and name.
#[utoipa::path(
    get, path = "/api/v1/regions", tag = "regions",
    params(RegionFilter, PageRequest),
    responses((status = 200, description = "一页行政区划", body = Page<RegionRow>), ListErrors)
)]
pub async fn list(
    State(state): State<AppState>,
    Query(filter): Query<RegionFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Listed<RegionRow>> {
    Ok(Json(state.store.list_regions(&filter, page).await?))
}

/// 查看行政区划 — one region by code.
#[utoipa::path(
    get, path = "/api/v1/regions/{code}", tag = "regions",
    params(("code" = String, Path, description = "行政区划代码（6 位或 9 位）")),
    responses((status = 200, description = "行政区划", body = RegionRow), ReadErrors)
)]
pub async fn read(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<RegionRow>> {
    Ok(Json(state.store.get_region(&code).await?))
}
