//! `/api/v1/standard`: the Zhifa data standard ZF-1.0 (数据元和代码集, F1) in its published
//! machine-readable form — element classes, data elements and code sets.

use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;
use zhifa_domain::standard::{CodeSet, Standard};

use super::docs::ReadErrors;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path};
use crate::state::AppState;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/standard", get(standard))
        .route("/api/v1/standard/code-sets/{id}", get(code_set))
}

/// The OpenAPI part of this module.
#[derive(OpenApi)]
#[openapi(paths(standard, code_set))]
pub struct Doc;

/// 数据标准 — the whole standard: `id`, `version`, `title`, `classes`, `elements`,
/// `code_sets`.
#[utoipa::path(
    get, path = "/api/v1/standard", tag = "standard",
    responses((status = 200, description = "数据标准全文（JSON）", body = serde_json::Value))
)]
pub async fn standard() -> Json<&'static Standard> {
    Json(Standard::builtin())
}

/// 代码集 — one code set: `id`, `name_zh`, `name_en`, `basis`, `since`, `codes` (each with
/// `code`, `name_zh`, `name_en`, `note`).
#[utoipa::path(
    get, path = "/api/v1/standard/code-sets/{id}", tag = "standard",
    params(("id" = String, Path, description = "代码集标识，如 enforcement_field")),
    responses((status = 200, description = "代码集（JSON）", body = serde_json::Value), ReadErrors)
)]
pub async fn code_set(Path(id): Path<String>) -> ApiResult<Json<&'static CodeSet>> {
    Standard::builtin()
        .code_set(&id)
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("未找到代码集：{id}")))
}
