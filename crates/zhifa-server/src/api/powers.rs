//! `/api/v1/powers`: the powers catalogue (权责清单 / 执法事项) with legal bases.

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use utoipa::OpenApi;
use zhifa_store::model::{Page, PageRequest, Power, PowerFilter, PowerInput};

use super::docs::{ActionErrors, ListErrors, ReadErrors, WriteErrors};
use super::{Created, Listed, created};
use crate::auth::WriteAccess;
use crate::error::ApiResult;
use crate::extract::{Json, Path, Query};
use crate::state::AppState;

/// The routes of this resource.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/powers", get(list).post(create))
        .route("/api/v1/powers/{id}", get(read).put(update))
        .route("/api/v1/powers/{id}/deactivate", post(deactivate))
}

/// The OpenAPI part of this resource.
#[derive(OpenApi)]
#[openapi(paths(list, create, read, update, deactivate))]
pub struct Doc;

/// 列出执法事项 — list powers, filtered by category, field and name or code.
#[utoipa::path(
    get, path = "/api/v1/powers", tag = "powers",
    params(PowerFilter, PageRequest),
    responses((status = 200, description = "一页执法事项", body = Page<Power>), ListErrors)
)]
pub async fn list(
    State(state): State<AppState>,
    Query(filter): Query<PowerFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Listed<Power>> {
    Ok(Json(state.store.list_powers(&filter, page).await?))
}

/// 新建执法事项 — create a power; every legal basis must name a stored article.
#[utoipa::path(
    post, path = "/api/v1/powers", tag = "powers",
    request_body = PowerInput,
    responses((status = 201, description = "已创建", body = Power), WriteErrors),
    security(("api_token" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    access: WriteAccess,
    Json(input): Json<PowerInput>,
) -> ApiResult<Created<Power>> {
    let power = state.store.create_power(&input, &access.actor).await?;
    Ok(created(format!("/api/v1/powers/{}", power.id), power))
}

/// 查看执法事项 — one power by id.
#[utoipa::path(
    get, path = "/api/v1/powers/{id}", tag = "powers",
    params(("id" = String, Path, description = "执法事项 id")),
    responses((status = 200, description = "执法事项", body = Power), ReadErrors)
)]
pub async fn read(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Power>> {
    Ok(Json(state.store.get_power(&id).await?))
}

/// 修改执法事项 — replace a power entirely with the given input.
#[utoipa::path(
    put, path = "/api/v1/powers/{id}", tag = "powers",
    params(("id" = String, Path, description = "执法事项 id")),
    request_body = PowerInput,
    responses((status = 200, description = "已修改", body = Power), WriteErrors),
    security(("api_token" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    access: WriteAccess,
    Path(id): Path<String>,
    Json(input): Json<PowerInput>,
) -> ApiResult<Json<Power>> {
    Ok(Json(
        state.store.update_power(&id, &input, &access.actor).await?,
    ))
}

/// 撤销执法事项 — deactivate a power (kept, marked inactive; recorded in the change log).
#[utoipa::path(
    post, path = "/api/v1/powers/{id}/deactivate", tag = "powers",
    params(("id" = String, Path, description = "执法事项 id")),
    responses((status = 200, description = "已撤销", body = Power), ActionErrors),
    security(("api_token" = []))
)]
pub async fn deactivate(
    State(state): State<AppState>,
    access: WriteAccess,
    Path(id): Path<String>,
) -> ApiResult<Json<Power>> {
    Ok(Json(
        state.store.deactivate_power(&id, &access.actor).await?,
    ))
}
