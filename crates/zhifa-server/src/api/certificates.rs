//! `/api/v1/certificates`: enforcement certificates (行政执法证).

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use utoipa::OpenApi;
use zhifa_store::model::{Certificate, CertificateFilter, CertificateInput, Page, PageRequest};

use super::docs::{ActionErrors, ListErrors, ReadErrors, WriteErrors};
use super::{Created, Listed, created};
use crate::auth::{ReadAccess, WriteAccess};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::state::AppState;

/// The routes of this resource.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/certificates", get(list).post(create))
        .route("/api/v1/certificates/{id}", get(read).put(update))
        .route("/api/v1/certificates/{id}/deactivate", post(deactivate))
        .route("/api/v1/certificates/by-number/{number}", get(by_number))
}

/// The OpenAPI part of this resource.
#[derive(OpenApi)]
#[openapi(paths(list, create, read, update, deactivate, by_number))]
pub struct Doc;

/// 列出执法证 — list certificates, filtered by officer, certificate and status.
#[utoipa::path(
    get, path = "/api/v1/certificates", tag = "certificates",
    params(CertificateFilter, PageRequest),
    responses((status = 200, description = "一页执法证", body = Page<Certificate>), ListErrors)
)]
pub async fn list(
    State(state): State<AppState>,
    access: ReadAccess,
    Query(filter): Query<CertificateFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Listed<Certificate>> {
    Ok(Json(
        state
            .store
            .list_certificates_in(&access.scope, &filter, page)
            .await?,
    ))
}

/// 新建执法证 — create a certificate for an officer.
#[utoipa::path(
    post, path = "/api/v1/certificates", tag = "certificates",
    request_body = CertificateInput,
    responses((status = 201, description = "已创建", body = Certificate), WriteErrors),
    security(("api_token" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    access: WriteAccess,
    Json(input): Json<CertificateInput>,
) -> ApiResult<Created<Certificate>> {
    let certificate = state
        .store
        .create_certificate_in(&access.scope, &input, &access.actor)
        .await?;
    Ok(created(
        format!("/api/v1/certificates/{}", certificate.id),
        certificate,
    ))
}

/// 查看执法证 — one certificate by id.
#[utoipa::path(
    get, path = "/api/v1/certificates/{id}", tag = "certificates",
    params(("id" = String, Path, description = "执法证 id")),
    responses((status = 200, description = "执法证", body = Certificate), ReadErrors)
)]
pub async fn read(
    State(state): State<AppState>,
    access: ReadAccess,
    Path(id): Path<String>,
) -> ApiResult<Json<Certificate>> {
    Ok(Json(
        state.store.get_certificate_in(&access.scope, &id).await?,
    ))
}

/// 修改执法证 — replace a certificate entirely with the given input.
#[utoipa::path(
    put, path = "/api/v1/certificates/{id}", tag = "certificates",
    params(("id" = String, Path, description = "执法证 id")),
    request_body = CertificateInput,
    responses((status = 200, description = "已修改", body = Certificate), WriteErrors),
    security(("api_token" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    access: WriteAccess,
    Path(id): Path<String>,
    Json(input): Json<CertificateInput>,
) -> ApiResult<Json<Certificate>> {
    Ok(Json(
        state
            .store
            .update_certificate_in(&access.scope, &id, &input, &access.actor)
            .await?,
    ))
}

/// 撤销执法证 — deactivate a certificate (kept, marked inactive; recorded in the change log).
#[utoipa::path(
    post, path = "/api/v1/certificates/{id}/deactivate", tag = "certificates",
    params(("id" = String, Path, description = "执法证 id")),
    responses((status = 200, description = "已撤销", body = Certificate), ActionErrors),
    security(("api_token" = []))
)]
pub async fn deactivate(
    State(state): State<AppState>,
    access: WriteAccess,
    Path(id): Path<String>,
) -> ApiResult<Json<Certificate>> {
    Ok(Json(
        state
            .store
            .deactivate_certificate_in(&access.scope, &id, &access.actor)
            .await?,
    ))
}

/// 按证号查询执法证 — one certificate by its number (for verification).
#[utoipa::path(
    get, path = "/api/v1/certificates/by-number/{number}", tag = "certificates",
    params(("number" = String, Path, description = "执法证号")),
    responses((status = 200, description = "执法证", body = Certificate), ReadErrors)
)]
pub async fn by_number(
    State(state): State<AppState>,
    Path(number): Path<String>,
) -> ApiResult<Json<Certificate>> {
    match state.store.certificate_by_number(&number).await? {
        Some(certificate) => Ok(Json(certificate)),
        None => Err(ApiError::not_found(format!("未找到执法证：{number}"))),
    }
}
