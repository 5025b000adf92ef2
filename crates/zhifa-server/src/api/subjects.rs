//! `/api/v1/subjects`: enforcement subjects (执法主体).

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use utoipa::OpenApi;
use zhifa_store::model::{Page, PageRequest, Subject, SubjectFilter, SubjectInput};

use super::docs::{ActionErrors, ListErrors, ReadErrors, WriteErrors};
use super::{Created, Listed, created};
use crate::auth::WriteAccess;
use crate::error::ApiResult;
use crate::extract::{Json, Path, Query};
use crate::state::AppState;

/// The routes of this resource.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/subjects", get(list).post(create))
        .route("/api/v1/subjects/{id}", get(read).put(update))
        .route("/api/v1/subjects/{id}/deactivate", post(deactivate))
}

/// The OpenAPI part of this resource.
#[derive(OpenApi)]
#[openapi(paths(list, create, read, update, deactivate))]
pub struct Doc;

/// 列出执法主体 — list subjects, filtered by region (and everything below it), field and name.
#[utoipa::path(
    get, path = "/api/v1/subjects", tag = "subjects",
    params(SubjectFilter, PageRequest),
    responses((status = 200, description = "一页执法主体", body = Page<Subject>), ListErrors)
)]
pub async fn list(
    State(state): State<AppState>,
    Query(filter): Query<SubjectFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Listed<Subject>> {
    Ok(Json(state.store.list_subjects(&filter, page).await?))
}

/// 新建执法主体 — create a subject; every field is checked against the data standard.
#[utoipa::path(
    post, path = "/api/v1/subjects", tag = "subjects",
    request_body = SubjectInput,
    responses((status = 201, description = "已创建", body = Subject), WriteErrors),
    security(("api_token" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    access: WriteAccess,
    Json(input): Json<SubjectInput>,
) -> ApiResult<Created<Subject>> {
    let subject = state.store.create_subject(&input, &access.actor).await?;
    Ok(created(format!("/api/v1/subjects/{}", subject.id), subject))
}

/// 查看执法主体 — one subject by id.
#[utoipa::path(
    get, path = "/api/v1/subjects/{id}", tag = "subjects",
    params(("id" = String, Path, description = "执法主体 id")),
    responses((status = 200, description = "执法主体", body = Subject), ReadErrors)
)]
pub async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Subject>> {
    Ok(Json(state.store.get_subject(&id).await?))
}

/// 修改执法主体 — replace a subject entirely with the given input.
#[utoipa::path(
    put, path = "/api/v1/subjects/{id}", tag = "subjects",
    params(("id" = String, Path, description = "执法主体 id")),
    request_body = SubjectInput,
    responses((status = 200, description = "已修改", body = Subject), WriteErrors),
    security(("api_token" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    access: WriteAccess,
    Path(id): Path<String>,
    Json(input): Json<SubjectInput>,
) -> ApiResult<Json<Subject>> {
    Ok(Json(
        state
            .store
            .update_subject(&id, &input, &access.actor)
            .await?,
    ))
}

/// 撤销执法主体 — deactivate a subject (kept, marked inactive; recorded in the change log).
#[utoipa::path(
    post, path = "/api/v1/subjects/{id}/deactivate", tag = "subjects",
    params(("id" = String, Path, description = "执法主体 id")),
    responses((status = 200, description = "已撤销", body = Subject), ActionErrors),
    security(("api_token" = []))
)]
pub async fn deactivate(
    State(state): State<AppState>,
    access: WriteAccess,
    Path(id): Path<String>,
) -> ApiResult<Json<Subject>> {
    Ok(Json(
        state.store.deactivate_subject(&id, &access.actor).await?,
    ))
}
