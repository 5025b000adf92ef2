//! Administration pages (F13): accounts (`/admin/users`), API tokens (`/admin/tokens`: create
//! with scopes, shown once, revoke) for administrators, and the access audit of personal data
//! (`/admin/audit`) for administrators (everything) and supervisors (their region).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use zhifa_store::model::{PageRequest, User};
use zhifa_store::scope::roles;
use zhifa_store::{AccessRecord, ApiToken, StoreError};

use super::member::{FieldErrors, FormFields, Me, field, require_csrf};
use super::{PAGE_SIZE, PageError, PageQuery, PageResult, Pager, offset_param, render};
use crate::auth::SignedIn;
use crate::error::ApiError;
use crate::state::AppState;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(users))
        .route("/admin/users/{id}/disable", post(disable_user))
        .route("/admin/users/{id}/unlock", post(unlock_user))
        .route("/admin/tokens", get(tokens).post(create_token))
        .route("/admin/tokens/{id}/revoke", post(revoke_token))
        .route("/admin/audit", get(audit))
}

pub(crate) fn require_role(me: &SignedIn, allowed: &[&str]) -> Result<(), PageError> {
    if me.is(allowed) {
        Ok(())
    } else {
        Err(PageError(ApiError::new(
            StatusCode::FORBIDDEN,
            "auth.role",
            "您的角色无权访问此页面",
        )))
    }
}

#[derive(Debug, Deserialize, Default)]
struct OffsetQuery {
    offset: Option<String>,
}

struct UserRow {
    user: User,
    role_label: &'static str,
    locked_until: Option<String>,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    me: Me,
    rows: Vec<UserRow>,
    pager: Pager,
}

/// `GET /admin/users`.
async fn users(
    State(state): State<AppState>,
    me: SignedIn,
    PageQuery(q): PageQuery<OffsetQuery>,
) -> PageResult {
    require_role(&me, &[roles::ADMIN])?;
    let offset = offset_param(q.offset.as_deref());
    let page = state
        .store
        .list_users(PageRequest {
            offset,
            limit: PAGE_SIZE,
        })
        .await?;
    let mut rows = Vec::with_capacity(page.items.len());
    for u in page.items {
        rows.push(UserRow {
            role_label: roles::label(&u.role),
            locked_until: state.store.login_locked_until(&u.username).await?,
            user: u,
        });
    }
    let pager = Pager::new("/admin/users", &[], offset, rows.len(), page.total);
    Ok(render(&UsersPage {
        me: Me::of(&me),
        rows,
        pager,
    }))
}

/// `POST /admin/users/{id}/disable`: the account can no longer log in; its sessions end.
async fn disable_user(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<FormFields>,
) -> PageResult {
    require_role(&me, &[roles::ADMIN])?;
    require_csrf(&me, &form)?;
    if id == me.user().id {
        return Err(PageError(ApiError::new(
            StatusCode::CONFLICT,
            "user.self_disable",
            "不能停用当前登录的账号",
        )));
    }
    state.store.deactivate_user(&id, &me.actor).await?;
    state.store.delete_user_sessions(&id).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

/// `POST /admin/users/{id}/unlock`: lifts a temporary login lock.
async fn unlock_user(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<FormFields>,
) -> PageResult {
    require_role(&me, &[roles::ADMIN])?;
    require_csrf(&me, &form)?;
    let user = state
        .store
        .list_users(PageRequest {
            offset: 0,
            limit: 500,
        })
        .await?
        .items
        .into_iter()
        .find(|u| u.id == id)
        .ok_or_else(|| ApiError::not_found(format!("未找到账号：{id}")))?;
    state.store.clear_login_failures(&user.username).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

#[derive(Template)]
#[template(path = "admin_tokens.html")]
struct TokensPage {
    me: Me,
    rows: Vec<ApiToken>,
    pager: Pager,
    created: Option<String>,
    errors: FieldErrors,
    name: String,
    owner: String,
}

async fn tokens_page(
    state: &AppState,
    me: &SignedIn,
    offset: i64,
    created: Option<String>,
    errors: FieldErrors,
    name: String,
    owner: String,
) -> PageResult {
    let page = state
        .store
        .list_api_tokens(PageRequest {
            offset,
            limit: PAGE_SIZE,
        })
        .await?;
    let pager = Pager::new("/admin/tokens", &[], offset, page.items.len(), page.total);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = TokensPage {
        me: Me::of(me),
        rows: page.items,
        pager,
        created,
        errors,
        name,
        owner,
    };
    let mut response = (status, render(&page)).into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// `GET /admin/tokens`.
async fn tokens(
    State(state): State<AppState>,
    me: SignedIn,
    PageQuery(q): PageQuery<OffsetQuery>,
) -> PageResult {
    require_role(&me, &[roles::ADMIN])?;
    let offset = offset_param(q.offset.as_deref());
    tokens_page(
        &state,
        &me,
        offset,
        None,
        FieldErrors::default(),
        String::new(),
        String::new(),
    )
    .await
}

/// `POST /admin/tokens`: creates a token; its secret is shown once.
async fn create_token(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<FormFields>,
) -> PageResult {
    require_role(&me, &[roles::ADMIN])?;
    require_csrf(&me, &form)?;
    let (name, owner) = (field(&form, "name"), field(&form, "owner"));
    let scopes: Vec<String> = ["read", "write"]
        .iter()
        .filter(|s| form.contains_key(&format!("scope_{s}")))
        .map(|s| s.to_string())
        .collect();
    match state
        .store
        .create_api_token(&name, &owner, &scopes, &me.user().username)
        .await
    {
        Ok((_, secret)) => {
            tokens_page(
                &state,
                &me,
                0,
                Some(secret),
                FieldErrors::default(),
                String::new(),
                String::new(),
            )
            .await
        }
        Err(StoreError::Invalid(f)) => {
            tokens_page(
                &state,
                &me,
                0,
                None,
                FieldErrors::from_fields(&f),
                name,
                owner,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/tokens/{id}/revoke`.
async fn revoke_token(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<FormFields>,
) -> PageResult {
    require_role(&me, &[roles::ADMIN])?;
    require_csrf(&me, &form)?;
    state.store.revoke_api_token(&id).await?;
    Ok(Redirect::to("/admin/tokens").into_response())
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    me: Me,
    scope_label: String,
    rows: Vec<AccessRecord>,
    pager: Pager,
}

/// `GET /admin/audit`: who saw which personal data, newest first, within the viewer's scope.
async fn audit(
    State(state): State<AppState>,
    me: SignedIn,
    PageQuery(q): PageQuery<OffsetQuery>,
) -> PageResult {
    require_role(&me, &[roles::ADMIN, roles::SUPERVISOR])?;
    let offset = offset_param(q.offset.as_deref());
    let page = state
        .store
        .list_access_audit(
            &me.scope,
            PageRequest {
                offset,
                limit: PAGE_SIZE,
            },
        )
        .await?;
    let pager = Pager::new("/admin/audit", &[], offset, page.items.len(), page.total);
    Ok(render(&AuditPage {
        me: Me::of(&me),
        scope_label: me.scope.describe(),
        rows: page.items,
        pager,
    }))
}
