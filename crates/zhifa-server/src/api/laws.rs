//! `/api/v1/laws` and `/api/v1/articles`: the law corpus (法律法规) as stored — laws, and their
//! articles (条) with paragraphs (款) and items (项).

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use utoipa::OpenApi;
use zhifa_store::model::{ArticleRow, LawFilter, LawRow, Page, PageRequest};

use super::Listed;
use super::docs::{ListErrors, ReadErrors};
use crate::error::ApiResult;
use crate::extract::{Json, Path, Query};
use crate::state::AppState;

/// The routes of this resource.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/laws", get(list))
        .route("/api/v1/laws/{id}", get(read))
        .route("/api/v1/laws/{id}/articles", get(articles))
        .route("/api/v1/articles/{id}", get(article))
}

/// The OpenAPI part of this resource.
#[derive(OpenApi)]
#[openapi(paths(list, read, articles, article))]
pub struct Doc;

/// 检索法律法规 — list laws by title, level and category.
#[utoipa::path(
    get, path = "/api/v1/laws", tag = "laws",
    params(LawFilter, PageRequest),
    responses((status = 200, description = "一页法律法规", body = Page<LawRow>), ListErrors)
)]
pub async fn list(
    State(state): State<AppState>,
    Query(filter): Query<LawFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Listed<LawRow>> {
    Ok(Json(state.store.list_laws(&filter, page).await?))
}

/// 查看法律法规 — one law by id.
#[utoipa::path(
    get, path = "/api/v1/laws/{id}", tag = "laws",
    params(("id" = String, Path, description = "法律法规 id")),
    responses((status = 200, description = "法律法规", body = LawRow), ReadErrors)
)]
pub async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<LawRow>> {
    Ok(Json(state.store.get_law(&id).await?))
}

/// 法条列表 — every article of a law, in order.
#[utoipa::path(
    get, path = "/api/v1/laws/{id}/articles", tag = "laws",
    params(("id" = String, Path, description = "法律法规 id")),
    responses((status = 200, description = "法条", body = Vec<ArticleRow>), ReadErrors)
)]
pub async fn articles(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<ArticleRow>>> {
    // Distinguish an unknown law (404) from a law without articles (empty list).
    state.store.get_law(&id).await?;
    Ok(Json(state.store.list_articles(&id).await?))
}

/// 查看法条 — one article by id.
#[utoipa::path(
    get, path = "/api/v1/articles/{id}", tag = "laws",
    params(("id" = String, Path, description = "法条 id")),
    responses((status = 200, description = "法条", body = ArticleRow), ReadErrors)
)]
pub async fn article(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<ArticleRow>> {
    Ok(Json(state.store.get_article(&id).await?))
}
