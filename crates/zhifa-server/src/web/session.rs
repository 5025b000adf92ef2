//! Login, logout and password change (F13). Failed logins are counted per login name; after
//! `lockout.max_failures` failures the name is locked for `lockout.lock_for` (GB/T 22239-2019
//! 8.1.4.1 b, 登录失败处理). The login form is protected by a double-submit CSRF cookie, every
//! later form by the session's CSRF token.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Duration;
use serde::Deserialize;
use zhifa_store::random_secret;

use super::member::{FieldErrors, FormFields, Me, field, require_csrf};
use super::{PageError, PageQuery, PageResult, render};
use crate::auth::{
    LOGIN_CSRF_COOKIE, MaybeSignedIn, SESSION_COOKIE, SignedIn, check_csrf, cookie_value,
    set_cookie,
};
use crate::state::AppState;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route(
            "/account/password",
            get(password_form).post(change_password),
        )
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
}

/// Only local paths are followed after login (no open redirect).
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        "/".to_string()
    }
}

fn login_page(
    state: &AppState,
    status: StatusCode,
    next: &str,
    username: &str,
    error: Option<String>,
) -> Response {
    let csrf = random_secret();
    let cookie = set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, state.config.secure_cookies);
    let page = LoginPage {
        csrf,
        next: safe_next(next),
        username: username.to_string(),
        error,
    };
    (status, [(header::SET_COOKIE, cookie)], render(&page)).into_response()
}

/// `GET /login`.
async fn login_form(
    State(state): State<AppState>,
    MaybeSignedIn(me): MaybeSignedIn,
    PageQuery(q): PageQuery<NextQuery>,
) -> Response {
    let next = q.next.unwrap_or_default();
    if me.is_some() {
        return Redirect::to(&safe_next(&next)).into_response();
    }
    login_page(&state, StatusCode::OK, &next, "", None)
}

/// `POST /login`.
async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    client: crate::auth::Client,
    Form(form): Form<FormFields>,
) -> PageResult {
    let expected = cookie_value(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    check_csrf(&expected, form.get("_csrf").map(String::as_str))?;
    let (username, password, next) = (
        field(&form, "username"),
        form.get("password").cloned().unwrap_or_default(),
        field(&form, "next"),
    );
    if username.is_empty() || password.is_empty() {
        let msg = "请输入用户名和密码".to_string();
        return Ok(login_page(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            &next,
            &username,
            Some(msg),
        ));
    }
    if let Some(until) = state.store.login_locked_until(&username).await? {
        return Ok(locked(&state, &next, &username, &until));
    }
    let Some(user) = state.store.verify_password(&username, &password).await? else {
        let ip = client.0.ip.clone();
        let lock = state
            .store
            .record_login_failure(&username, ip.as_deref(), state.config.lockout)
            .await?;
        if let Some(until) = lock {
            return Ok(locked(&state, &next, &username, &until));
        }
        let msg = "用户名或密码错误".to_string();
        return Ok(login_page(
            &state,
            StatusCode::UNAUTHORIZED,
            &next,
            &username,
            Some(msg),
        ));
    };
    state.store.clear_login_failures(&username).await?;
    let hours = state.config.session_hours.max(1);
    let session = state
        .store
        .create_session(&user.id, Duration::hours(hours), &client.0)
        .await?;
    let secure = state.config.secure_cookies;
    let cookies = [
        set_cookie(SESSION_COOKIE, &session.token, hours * 3600, secure),
        set_cookie(LOGIN_CSRF_COOKIE, "", 0, secure),
    ];
    let mut response = Redirect::to(&safe_next(&next)).into_response();
    for c in cookies {
        if let Ok(v) = c.parse() {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(response)
}

fn locked(state: &AppState, next: &str, username: &str, until: &str) -> Response {
    let time = until.get(11..16).unwrap_or(until);
    let msg = format!(
        "登录失败次数过多，账号已临时锁定，请于 {time}（北京时间）后再试（连续失败 {} 次锁定 {} 分钟）",
        state.config.lockout.max_failures,
        state.config.lockout.lock_for.num_minutes()
    );
    login_page(
        state,
        StatusCode::TOO_MANY_REQUESTS,
        next,
        username,
        Some(msg),
    )
}

/// `POST /logout`: ends the session.
async fn logout(
    State(state): State<AppState>,
    me: SignedIn,
    headers: HeaderMap,
    Form(form): Form<FormFields>,
) -> PageResult {
    require_csrf(&me, &form)?;
    if let Some(token) = cookie_value(&headers, SESSION_COOKIE) {
        state.store.delete_session(&token).await?;
    }
    let cookie = set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response())
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    me: Me,
    errors: FieldErrors,
    done: bool,
}

/// `GET /account/password`.
async fn password_form(me: SignedIn) -> PageResult {
    Ok(render(&PasswordPage {
        me: Me::of(&me),
        errors: FieldErrors::default(),
        done: false,
    }))
}

/// `POST /account/password`: checks the current password, sets the new one, ends every other
/// session of the account and opens a fresh one.
async fn change_password(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<FormFields>,
) -> PageResult {
    require_csrf(&me, &form)?;
    let current = form.get("current").cloned().unwrap_or_default();
    let new = form.get("new").cloned().unwrap_or_default();
    let confirm = form.get("confirm").cloned().unwrap_or_default();
    let username = me.user().username.clone();
    let errors = if state
        .store
        .verify_password(&username, &current)
        .await?
        .is_none()
    {
        FieldErrors::one("current", "当前密码不正确")
    } else if new != confirm {
        FieldErrors::one("confirm", "两次输入的新密码不一致")
    } else {
        match state
            .store
            .set_user_password(&me.user().id, &new, &me.actor)
            .await
        {
            Ok(_) => FieldErrors::default(),
            Err(zhifa_store::StoreError::Invalid(f)) => {
                let mut e = FieldErrors::from_fields(&f);
                if let Some(m) = e.0.remove("password") {
                    e.0.insert("new".into(), m);
                }
                e
            }
            Err(e) => return Err(PageError::from(e)),
        }
    };
    if !errors.is_empty() {
        let page = PasswordPage {
            me: Me::of(&me),
            errors,
            done: false,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response());
    }
    state.store.delete_user_sessions(&me.user().id).await?;
    let hours = state.config.session_hours.max(1);
    let session = state
        .store
        .create_session(&me.user().id, Duration::hours(hours), &me.client)
        .await?;
    let mut fresh = me.clone();
    fresh.session.csrf = session.csrf;
    let cookie = set_cookie(
        SESSION_COOKIE,
        &session.token,
        hours * 3600,
        state.config.secure_cookies,
    );
    let page = PasswordPage {
        me: Me::of(&fresh),
        errors: FieldErrors::default(),
        done: true,
    };
    Ok(([(header::SET_COOKIE, cookie)], render(&page)).into_response())
}
