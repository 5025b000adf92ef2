//! `/api/v1/outbox`: the outbox (一次报送，多头应用) for administrators — consumers (credit
//! platform, department webhooks, publicity portal), deliveries pending / delivered / failed
//! with their errors and receipts, and retry.

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use utoipa::OpenApi;
use zhifa_store::Scope;
use zhifa_store::model::{Page, PageRequest, User};
use zhifa_store::outbox::{Consumer, ConsumerInput, Delivery, DeliveryFilter, OutboxStats};

use super::docs::{ActionErrors, ListErrors, WriteErrors};
use super::{Created, Listed, created};
use crate::auth::{ReadAccess, WriteAccess, require_admin};
use crate::error::ApiResult;
use crate::extract::{Json, Path, Query};
use crate::state::AppState;

/// The routes of this resource.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/outbox", get(stats))
        .route("/api/v1/outbox/consumers", get(consumers).post(create))
        .route("/api/v1/outbox/consumers/{id}", get(consumer).put(update))
        .route("/api/v1/outbox/deliveries", get(deliveries))
        .route("/api/v1/outbox/deliveries/{id}", get(delivery))
        .route("/api/v1/outbox/deliveries/{id}/retry", post(retry))
}

/// The OpenAPI part of this resource.
#[derive(OpenApi)]
#[openapi(
    paths(
        stats, consumers, create, consumer, update, deliveries, delivery, retry
    ),
    components(schemas(Consumer, ConsumerInput, Delivery, OutboxStats))
)]
pub struct Doc;

/// Only administrators (or the node token) see and manage the outbox.
fn admin_only(user: Option<&User>, scope: &Scope) -> ApiResult<()> {
    require_admin(user, scope, "管理数据报送")
}

/// 报送概况 — deliveries by status.
#[utoipa::path(
    get, path = "/api/v1/outbox", tag = "outbox",
    responses((status = 200, description = "各状态的投递数", body = OutboxStats), ActionErrors),
    security(("api_token" = []))
)]
pub async fn stats(
    State(state): State<AppState>,
    access: ReadAccess,
) -> ApiResult<Json<OutboxStats>> {
    admin_only(access.user.as_ref(), &access.scope)?;
    Ok(Json(state.store.outbox_stats().await?))
}

/// 列出接收方 — every consumer (secrets are never returned).
#[utoipa::path(
    get, path = "/api/v1/outbox/consumers", tag = "outbox",
    responses((status = 200, description = "接收方", body = Vec<Consumer>), ActionErrors),
    security(("api_token" = []))
)]
pub async fn consumers(
    State(state): State<AppState>,
    access: ReadAccess,
) -> ApiResult<Json<Vec<Consumer>>> {
    admin_only(access.user.as_ref(), &access.scope)?;
    Ok(Json(state.store.list_outbox_consumers().await?))
}

/// 新建接收方 — a credit platform export, department webhook or publicity portal. Records
/// committed from now on (or, with `backfill`, all records) are delivered to it.
#[utoipa::path(
    post, path = "/api/v1/outbox/consumers", tag = "outbox",
    request_body = ConsumerInput,
    responses((status = 201, description = "已创建", body = Consumer), WriteErrors),
    security(("api_token" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    access: WriteAccess,
    Json(input): Json<ConsumerInput>,
) -> ApiResult<Created<Consumer>> {
    admin_only(access.user.as_ref(), &access.scope)?;
    let c = state
        .store
        .create_outbox_consumer(&input, &access.actor)
        .await?;
    Ok(created(format!("/api/v1/outbox/consumers/{}", c.id), c))
}

/// 查看接收方.
#[utoipa::path(
    get, path = "/api/v1/outbox/consumers/{id}", tag = "outbox",
    params(("id" = String, Path, description = "接收方 id")),
    responses((status = 200, description = "接收方", body = Consumer), ActionErrors),
    security(("api_token" = []))
)]
pub async fn consumer(
    State(state): State<AppState>,
    access: ReadAccess,
    Path(id): Path<String>,
) -> ApiResult<Json<Consumer>> {
    admin_only(access.user.as_ref(), &access.scope)?;
    Ok(Json(state.store.get_outbox_consumer(&id).await?))
}

/// 修改接收方 — name, address, subscription, enabled; `secret` absent keeps the stored one.
#[utoipa::path(
    put, path = "/api/v1/outbox/consumers/{id}", tag = "outbox",
    params(("id" = String, Path, description = "接收方 id")),
    request_body = ConsumerInput,
    responses((status = 200, description = "已修改", body = Consumer), WriteErrors),
    security(("api_token" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    access: WriteAccess,
    Path(id): Path<String>,
    Json(input): Json<ConsumerInput>,
) -> ApiResult<Json<Consumer>> {
    admin_only(access.user.as_ref(), &access.scope)?;
    Ok(Json(
        state
            .store
            .update_outbox_consumer(&id, &input, &access.actor)
            .await?,
    ))
}

/// 列出投递记录 — by status (`pending` 待投递, `delivered` 已投递, `failed` 投递失败) and
/// consumer, newest first, with the last error and the receipt.
#[utoipa::path(
    get, path = "/api/v1/outbox/deliveries", tag = "outbox",
    params(DeliveryFilter, PageRequest),
    responses((status = 200, description = "一页投递记录", body = Page<Delivery>), ListErrors),
    security(("api_token" = []))
)]
pub async fn deliveries(
    State(state): State<AppState>,
    access: ReadAccess,
    Query(filter): Query<DeliveryFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Listed<Delivery>> {
    admin_only(access.user.as_ref(), &access.scope)?;
    Ok(Json(
        state.store.list_outbox_deliveries(&filter, page).await?,
    ))
}

/// 查看投递记录.
#[utoipa::path(
    get, path = "/api/v1/outbox/deliveries/{id}", tag = "outbox",
    params(("id" = String, Path, description = "投递记录 id")),
    responses((status = 200, description = "投递记录", body = Delivery), ActionErrors),
    security(("api_token" = []))
)]
pub async fn delivery(
    State(state): State<AppState>,
    access: ReadAccess,
    Path(id): Path<String>,
) -> ApiResult<Json<Delivery>> {
    admin_only(access.user.as_ref(), &access.scope)?;
    Ok(Json(state.store.get_outbox_delivery(&id).await?))
}

/// 重新投递 — puts a failed (or waiting) delivery back in the queue, due now; a delivered
/// one is refused (422 `delivery.delivered`).
#[utoipa::path(
    post, path = "/api/v1/outbox/deliveries/{id}/retry", tag = "outbox",
    params(("id" = String, Path, description = "投递记录 id")),
    responses((status = 200, description = "已重新排队", body = Delivery), WriteErrors),
    security(("api_token" = []))
)]
pub async fn retry(
    State(state): State<AppState>,
    access: WriteAccess,
    Path(id): Path<String>,
) -> ApiResult<Json<Delivery>> {
    admin_only(access.user.as_ref(), &access.scope)?;
    Ok(Json(
        state
            .store
            .retry_outbox_delivery(&id, &access.actor)
            .await?,
    ))
}
