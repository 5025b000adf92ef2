//! `/api/v1/standard`: the Zhifa data standard ZF-1.0 (数据元和代码集, F1) in its published
//! machine-readable form — element classes, data elements and code sets — and the JSON
//! Schemas of the standard exchange format (标准交换格式, F9) generated from it.

use axum::Router;
use axum::routing::get;
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};
use zhifa_domain::standard::{CodeSet, Standard};
use zhifa_exchange::schema::json_schema;
use zhifa_exchange::{RecordType, Version};

use super::docs::ReadErrors;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::state::AppState;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/standard", get(standard))
        .route("/api/v1/standard/code-sets/{id}", get(code_set))
        .route("/api/v1/standard/schema/{record_type}", get(schema))
}

/// The OpenAPI part of this module.
#[derive(OpenApi)]
#[openapi(paths(standard, code_set, schema))]
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

/// Parameters of `schema`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SchemaQuery {
    /// Exchange format version (交换格式版本), `v1` by default.
    pub version: Option<String>,
}

/// 交换格式 JSON Schema — the JSON Schema (draft 2020-12) of one record type of the standard
/// exchange format: `subject` 执法对象, `officer` 执法人员, `matter` 执法事项, `case` 案件,
/// `case_event` 案件事件, `decision` 处罚决定, `inspection` 行政检查. Generated from the data
/// standard's elements (type, pattern, length, code set, description).
#[utoipa::path(
    get, path = "/api/v1/standard/schema/{record_type}", tag = "standard",
    params(
        ("record_type" = String, Path, description = "记录类型，如 case、decision、inspection"),
        SchemaQuery
    ),
    responses((status = 200, description = "JSON Schema（draft 2020-12）", body = serde_json::Value), ReadErrors)
)]
pub async fn schema(
    Path(record_type): Path<String>,
    Query(query): Query<SchemaQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let record_type =
        RecordType::parse(&record_type).map_err(|e| ApiError::not_found(e.message))?;
    let version = match query.version.as_deref() {
        Some(v) => Version::parse(v).map_err(|e| ApiError::invalid("version", e))?,
        None => Version::V1,
    };
    Ok(Json(json_schema(record_type, version)))
}
