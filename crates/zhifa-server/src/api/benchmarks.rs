//! `/api/v1/benchmarks`: discretion benchmarks (裁量基准, 行政处罚法 第三十四条).

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use utoipa::OpenApi;
use zhifa_store::model::{Benchmark, BenchmarkFilter, BenchmarkInput, Page, PageRequest};

use super::docs::{ActionErrors, ListErrors, ReadErrors, WriteErrors};
use super::{Created, Listed, created};
use crate::auth::WriteAccess;
use crate::error::ApiResult;
use crate::extract::{Json, Path, Query};
use crate::state::AppState;

/// The routes of this resource.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/benchmarks", get(list).post(create))
        .route("/api/v1/benchmarks/{id}", get(read).put(update))
        .route("/api/v1/benchmarks/{id}/deactivate", post(deactivate))
}

/// The OpenAPI part of this resource.
#[derive(OpenApi)]
#[openapi(paths(list, create, read, update, deactivate))]
pub struct Doc;

/// 列出裁量基准 — list benchmark rows, filtered by power.
#[utoipa::path(
    get, path = "/api/v1/benchmarks", tag = "benchmarks",
    params(BenchmarkFilter, PageRequest),
    responses((status = 200, description = "一页裁量基准", body = Page<Benchmark>), ListErrors)
)]
pub async fn list(
    State(state): State<AppState>,
    Query(filter): Query<BenchmarkFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Listed<Benchmark>> {
    Ok(Json(state.store.list_benchmarks(&filter, page).await?))
}

/// 新建裁量基准 — create a benchmark row; exactly one fine range, no negative amount, min ≤ max.
#[utoipa::path(
    post, path = "/api/v1/benchmarks", tag = "benchmarks",
    request_body = BenchmarkInput,
    responses((status = 201, description = "已创建", body = Benchmark), WriteErrors),
    security(("api_token" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    access: WriteAccess,
    Json(input): Json<BenchmarkInput>,
) -> ApiResult<Created<Benchmark>> {
    let benchmark = state.store.create_benchmark(&input, &access.actor).await?;
    Ok(created(
        format!("/api/v1/benchmarks/{}", benchmark.id),
        benchmark,
    ))
}

/// 查看裁量基准 — one benchmark by id.
#[utoipa::path(
    get, path = "/api/v1/benchmarks/{id}", tag = "benchmarks",
    params(("id" = String, Path, description = "裁量基准 id")),
    responses((status = 200, description = "裁量基准", body = Benchmark), ReadErrors)
)]
pub async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Benchmark>> {
    Ok(Json(state.store.get_benchmark(&id).await?))
}

/// 修改裁量基准 — replace a benchmark entirely with the given input.
#[utoipa::path(
    put, path = "/api/v1/benchmarks/{id}", tag = "benchmarks",
    params(("id" = String, Path, description = "裁量基准 id")),
    request_body = BenchmarkInput,
    responses((status = 200, description = "已修改", body = Benchmark), WriteErrors),
    security(("api_token" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    access: WriteAccess,
    Path(id): Path<String>,
    Json(input): Json<BenchmarkInput>,
) -> ApiResult<Json<Benchmark>> {
    Ok(Json(
        state
            .store
            .update_benchmark(&id, &input, &access.actor)
            .await?,
    ))
}

/// 撤销裁量基准 — deactivate a benchmark (kept, marked inactive; recorded in the change log).
#[utoipa::path(
    post, path = "/api/v1/benchmarks/{id}/deactivate", tag = "benchmarks",
    params(("id" = String, Path, description = "裁量基准 id")),
    responses((status = 200, description = "已撤销", body = Benchmark), ActionErrors),
    security(("api_token" = []))
)]
pub async fn deactivate(
    State(state): State<AppState>,
    access: WriteAccess,
    Path(id): Path<String>,
) -> ApiResult<Json<Benchmark>> {
    Ok(Json(
        state.store.deactivate_benchmark(&id, &access.actor).await?,
    ))
}
