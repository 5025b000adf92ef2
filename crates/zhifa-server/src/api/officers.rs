//! `/api/v1/officers`: enforcement officers (执法人员). The citizen ID is only ever answered masked,
//! except through the explicit, token-guarded and logged reveal endpoint.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use utoipa::OpenApi;
use zhifa_store::model::{Actor, Officer, OfficerFilter, OfficerInput, Page, PageRequest, User};
use zhifa_store::{AccessEvent, ClientInfo};

use super::docs::{ActionErrors, ListErrors, ReadErrors, WriteErrors};
use super::{Created, Listed, created};
use crate::auth::{ReadAccess, WriteAccess};
use crate::error::ApiResult;
use crate::extract::{Json, Path, Query};
use crate::state::AppState;

/// The routes of this resource.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/officers", get(list).post(create))
        .route("/api/v1/officers/{id}", get(read).put(update))
        .route("/api/v1/officers/{id}/deactivate", post(deactivate))
        .route("/api/v1/officers/{id}/citizen-id", get(citizen_id))
}

/// The OpenAPI part of this resource.
#[derive(OpenApi)]
#[openapi(paths(list, create, read, update, deactivate, citizen_id))]
pub struct Doc;

/// 列出执法人员 — list officers, filtered by officer and name.
#[utoipa::path(
    get, path = "/api/v1/officers", tag = "officers",
    params(OfficerFilter, PageRequest),
    responses((status = 200, description = "一页执法人员", body = Page<Officer>), ListErrors)
)]
pub async fn list(
    State(state): State<AppState>,
    access: ReadAccess,
    Query(filter): Query<OfficerFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Listed<Officer>> {
    Ok(Json(
        state
            .store
            .list_officers_in(&access.scope, &filter, page)
            .await?,
    ))
}

/// 新建执法人员 — create an officer; the citizen ID is checked (GB 11643) and stored encrypted.
#[utoipa::path(
    post, path = "/api/v1/officers", tag = "officers",
    request_body = OfficerInput,
    responses((status = 201, description = "已创建", body = Officer), WriteErrors),
    security(("api_token" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    access: WriteAccess,
    Json(input): Json<OfficerInput>,
) -> ApiResult<Created<Officer>> {
    let officer = state
        .store
        .create_officer_in(&access.scope, &input, &access.actor)
        .await?;
    Ok(created(format!("/api/v1/officers/{}", officer.id), officer))
}

/// 查看执法人员 — one officer by id.
#[utoipa::path(
    get, path = "/api/v1/officers/{id}", tag = "officers",
    params(("id" = String, Path, description = "执法人员 id")),
    responses((status = 200, description = "执法人员", body = Officer), ReadErrors)
)]
pub async fn read(
    State(state): State<AppState>,
    access: ReadAccess,
    Path(id): Path<String>,
) -> ApiResult<Json<Officer>> {
    Ok(Json(state.store.get_officer_in(&access.scope, &id).await?))
}

/// 修改执法人员 — replace an officer entirely with the given input.
#[utoipa::path(
    put, path = "/api/v1/officers/{id}", tag = "officers",
    params(("id" = String, Path, description = "执法人员 id")),
    request_body = OfficerInput,
    responses((status = 200, description = "已修改", body = Officer), WriteErrors),
    security(("api_token" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    access: WriteAccess,
    Path(id): Path<String>,
    Json(input): Json<OfficerInput>,
) -> ApiResult<Json<Officer>> {
    Ok(Json(
        state
            .store
            .update_officer_in(&access.scope, &id, &input, &access.actor)
            .await?,
    ))
}

/// 撤销执法人员 — deactivate an officer (kept, marked inactive; recorded in the change log).
#[utoipa::path(
    post, path = "/api/v1/officers/{id}/deactivate", tag = "officers",
    params(("id" = String, Path, description = "执法人员 id")),
    responses((status = 200, description = "已撤销", body = Officer), ActionErrors),
    security(("api_token" = []))
)]
pub async fn deactivate(
    State(state): State<AppState>,
    access: WriteAccess,
    Path(id): Path<String>,
) -> ApiResult<Json<Officer>> {
    Ok(Json(
        state
            .store
            .deactivate_officer_in(&access.scope, &id, &access.actor)
            .await?,
    ))
}

/// The full citizen ID of an officer (explicit reveal).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CitizenIdReveal {
    /// Officer id.
    pub officer_id: String,
    /// Full citizen ID (GB 11643).
    pub citizen_id: String,
}

/// 查看完整身份证号 — reveal an officer's full citizen ID. Requires the API token; every reveal
/// is written to the access audit (who, what, when, from where) and logged under `zhifa::audit`.
#[utoipa::path(
    get, path = "/api/v1/officers/{id}/citizen-id", tag = "officers",
    params(("id" = String, Path, description = "执法人员 id")),
    responses((status = 200, description = "完整身份证号", body = CitizenIdReveal), ActionErrors),
    security(("api_token" = []))
)]
pub async fn citizen_id(
    State(state): State<AppState>,
    access: WriteAccess,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let officer = state.store.get_officer_in(&access.scope, &id).await?;
    let citizen_id = state.store.officer_citizen_id(&id).await?;
    let who = access
        .user
        .clone()
        .unwrap_or_else(|| node_account(&access.actor));
    let event = AccessEvent {
        entity: "officer",
        entity_id: &id,
        field: "citizen_id",
        subject_id: Some(&officer.subject_id),
    };
    let client = ClientInfo {
        ip: access.actor.ip.clone(),
        user_agent: None,
    };
    state.store.record_access(&who, &event, &client).await?;
    tracing::info!(
        target: "zhifa::audit",
        actor = %access.actor.user,
        ip = access.actor.ip.as_deref().unwrap_or("-"),
        officer_id = %id,
        "citizen id revealed"
    );
    let body = CitizenIdReveal {
        officer_id: id,
        citizen_id,
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(body)))
}

/// The pseudo-account recorded in the access audit for the node token (an administrator).
fn node_account(actor: &Actor) -> User {
    User {
        id: String::new(),
        username: actor.user.clone(),
        display_name: "节点令牌".to_string(),
        role: zhifa_store::scope::roles::ADMIN.to_string(),
        subject_id: None,
        officer_id: None,
        region_code: None,
        active: true,
        created_at: String::new(),
    }
}
