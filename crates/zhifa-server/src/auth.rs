//! Who is asking, and what they may see and change (F13): the one place that decides.
//!
//! - **Browsers** log in with a user name and password and get a session cookie
//!   (`zhifa_session`: HttpOnly, SameSite=Lax, Secure when the server is configured for TLS).
//!   Every form carries the session's CSRF token (checked in [`check_csrf`]).
//! - **Machine clients** (department systems, child nodes) send `Authorization: Bearer
//!   <token>`: an API token from the `api_tokens` table (SM3 hash at rest, scopes `read` /
//!   `write`, revocable) acting in the data scope of its owner account, or the node token
//!   (`api_token` in the configuration, generated into the data directory), which acts as an
//!   administrator so the CLI and demo keep working.
//! - Anyone else is the public: [`Scope::Public`].
//!
//! Handlers take [`WriteAccess`] (writes), [`ReadAccess`] (scoped reads) or, for pages,
//! [`SignedIn`] / [`MaybeSignedIn`]; the scope they carry goes into the store queries, which
//! answer records outside it as not found (404).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use subtle::ConstantTimeEq;
use zhifa_store::model::{Actor, User};
use zhifa_store::scope::roles;
use zhifa_store::{ClientInfo, Scope, Session};

use crate::error::ApiError;
use crate::state::AppState;

/// Actor name recorded in the change log for writes through the node token.
pub const API_ACTOR: &str = "api";

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "zhifa_session";

/// Name of the cookie holding the CSRF token of the login form (before a session exists).
pub const LOGIN_CSRF_COOKIE: &str = "zhifa_login_csrf";

/// Name of the hidden form field carrying the CSRF token.
pub const CSRF_FIELD: &str = "_csrf";

/// Proof that the request may write, carrying the actor to record and the data scope the
/// write must stay inside.
#[derive(Debug, Clone)]
pub struct WriteAccess {
    /// Who performs the change (user name or `api`, and the client IP).
    pub actor: Actor,
    /// Records the caller may change.
    pub scope: Scope,
    /// The account behind the token (`None` for the node token).
    pub user: Option<User>,
}

/// Which roles may change which records through the API (the data scope still applies on
/// top): base data of the whole node (subjects, powers, benchmarks, the calendar) and imports
/// of department systems' exports (数据导入) only administrators; officers administrators and
/// agency heads (their agency); certificates also supervisors of the justice bureau, which
/// issue them (《行政执法证件管理办法》). Revealing a citizen ID is a read (scoped, audited) open
/// to every role. Other write routes accept any account whose token has the `write` scope.
pub fn role_may_write(role: &str, path: &str) -> bool {
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    if path.ends_with("/citizen-id") {
        return true;
    }
    if [
        "/api/v1/subjects",
        "/api/v1/powers",
        "/api/v1/benchmarks",
        "/api/v1/calendar",
        "/api/v1/imports",
    ]
    .iter()
    .any(|p| under(p))
    {
        return role == roles::ADMIN;
    }
    if under("/api/v1/officers") {
        return role == roles::ADMIN || role == roles::HEAD;
    }
    if under("/api/v1/certificates") {
        return [roles::ADMIN, roles::HEAD, roles::SUPERVISOR].contains(&role);
    }
    true
}

/// Resources only administrators (or the node token) may see and change through the API,
/// e.g. the outbox and import runs: `Ok` for an administrator account or the node token,
/// 401 `auth.token` for an anonymous caller, 403 `auth.role` naming `what` for anyone else.
pub fn require_admin(user: Option<&User>, scope: &Scope, what: &str) -> Result<(), ApiError> {
    let admin = match user {
        Some(u) => u.role == roles::ADMIN,
        None => *scope == Scope::All,
    };
    if admin {
        Ok(())
    } else if user.is_none() {
        Err(unauthorized())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "auth.role",
            format!("只有系统管理员可以{what}"),
        ))
    }
}

/// A caller of a read endpoint and the records they may see (the public when anonymous).
#[derive(Debug, Clone)]
pub struct ReadAccess {
    /// Records the caller may read.
    pub scope: Scope,
    /// The account, when signed in or using an API token.
    pub user: Option<User>,
}

/// What a bearer token resolves to.
struct TokenCaller {
    actor_name: String,
    scope: Scope,
    user: Option<User>,
    can_write: bool,
}

fn unauthorized() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "auth.token",
        "需要有效的 API 令牌",
    )
}

/// Resolves the bearer token of a request, if one is presented: `Err` for a token that is
/// unknown or revoked.
async fn token_caller(parts: &Parts, state: &AppState) -> Result<Option<TokenCaller>, ApiError> {
    let Some(presented) = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
    else {
        return Ok(None);
    };
    if let Some(node) = state.config.api_token.as_deref().filter(|t| !t.is_empty())
        && bool::from(presented.as_bytes().ct_eq(node.as_bytes()))
    {
        return Ok(Some(TokenCaller {
            actor_name: API_ACTOR.to_string(),
            scope: Scope::All,
            user: None,
            can_write: true,
        }));
    }
    match state.store.api_token_by_secret(presented).await? {
        Some((token, user)) => Ok(Some(TokenCaller {
            actor_name: user.username.clone(),
            scope: Scope::of_user(&user),
            can_write: token.scopes.iter().any(|s| s == "write"),
            user: Some(user),
        })),
        None => Err(unauthorized()),
    }
}

impl FromRequestParts<AppState> for WriteAccess {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match token_caller(parts, state).await? {
            Some(caller)
                if caller.can_write
                    && caller
                        .user
                        .as_ref()
                        .is_some_and(|u| !role_may_write(&u.role, parts.uri.path())) =>
            {
                Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "auth.role",
                    format!(
                        "{}不能通过接口修改此类数据",
                        roles::label(&caller.user.map(|u| u.role).unwrap_or_default())
                    ),
                ))
            }
            Some(caller) if caller.can_write => Ok(WriteAccess {
                actor: Actor {
                    user: caller.actor_name,
                    ip: client_ip(parts, state).await,
                },
                scope: caller.scope,
                user: caller.user,
            }),
            Some(_) => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "auth.scope",
                "该 API 令牌只有读取权限，不能写入",
            )),
            None => Err(unauthorized()),
        }
    }
}

impl FromRequestParts<AppState> for ReadAccess {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(caller) = token_caller(parts, state).await? {
            return Ok(ReadAccess {
                scope: caller.scope,
                user: caller.user,
            });
        }
        Ok(match session_of(&parts.headers, state).await? {
            Some(s) => ReadAccess {
                scope: Scope::of_user(&s.user),
                user: Some(s.user),
            },
            None => ReadAccess {
                scope: Scope::Public,
                user: None,
            },
        })
    }
}

/// A signed-in browser user (pages that need a login redirect to `/login` otherwise).
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The session (account and CSRF token).
    pub session: Session,
    /// The account's data scope.
    pub scope: Scope,
    /// The actor to record for changes.
    pub actor: Actor,
    /// Where the request came from.
    pub client: ClientInfo,
}

impl SignedIn {
    /// The account.
    pub fn user(&self) -> &User {
        &self.session.user
    }

    /// Whether the account has one of these roles.
    pub fn is(&self, roles: &[&str]) -> bool {
        roles.contains(&self.session.user.role.as_str())
    }
}

/// Rejection of [`SignedIn`]: a redirect to the login page, or an error page.
#[derive(Debug)]
pub enum SignInRequired {
    /// Not signed in: go to the login page and come back.
    Redirect(String),
    /// The session could not be checked.
    Error(ApiError),
}

impl IntoResponse for SignInRequired {
    fn into_response(self) -> Response {
        match self {
            SignInRequired::Redirect(to) => Redirect::to(&to).into_response(),
            SignInRequired::Error(e) => crate::web::PageError(e).into_response(),
        }
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = SignInRequired;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match MaybeSignedIn::from_request_parts(parts, state).await {
            Ok(MaybeSignedIn(Some(s))) => Ok(s),
            Ok(MaybeSignedIn(None)) => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map_or("/", |p| p.as_str())
                    .to_string();
                let query = form_urlencoded::Serializer::new(String::new())
                    .append_pair("next", &next)
                    .finish();
                Err(SignInRequired::Redirect(format!("/login?{query}")))
            }
            Err(e) => Err(SignInRequired::Error(e)),
        }
    }
}

/// The signed-in user, if any (public pages that show more to members).
#[derive(Debug, Clone)]
pub struct MaybeSignedIn(pub Option<SignedIn>);

impl FromRequestParts<AppState> for MaybeSignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(session) = session_of(&parts.headers, state).await? else {
            return Ok(MaybeSignedIn(None));
        };
        let client = client_info(parts, state).await;
        Ok(MaybeSignedIn(Some(SignedIn {
            scope: Scope::of_user(&session.user),
            actor: Actor {
                user: session.user.username.clone(),
                ip: client.ip.clone(),
            },
            session,
            client,
        })))
    }
}

/// The live session named by the request's cookie.
async fn session_of(headers: &HeaderMap, state: &AppState) -> Result<Option<Session>, ApiError> {
    match cookie_value(headers, SESSION_COOKIE) {
        Some(token) => Ok(state.store.session(&token).await?),
        None => Ok(None),
    }
}

/// Checks a form's CSRF token against the expected one in constant time; a missing or wrong
/// token is refused with 403 and a Chinese explanation.
pub fn check_csrf(expected: &str, presented: Option<&str>) -> Result<(), ApiError> {
    match presented {
        Some(p) if !expected.is_empty() && bool::from(p.as_bytes().ct_eq(expected.as_bytes())) => {
            Ok(())
        }
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "auth.csrf",
            "表单校验码缺失或无效（CSRF 防护），请求已拒绝。请返回并刷新页面后重新提交。",
        )),
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path `/`, `Secure` when asked; `max_age`
/// in seconds (0 deletes the cookie).
pub fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// The token of an `Authorization: Bearer <token>` header value (scheme case-insensitive).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The client's IP address, when the server was started with connection info (or a
/// `MockConnectInfo` layer in tests).
pub async fn client_ip<S: Send + Sync>(parts: &mut Parts, state: &S) -> Option<String> {
    ConnectInfo::<SocketAddr>::from_request_parts(parts, state)
        .await
        .ok()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
}

/// Where the request came from, as an extractor.
#[derive(Debug, Clone)]
pub struct Client(pub ClientInfo);

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Client(client_info(parts, state).await))
    }
}

/// IP address and user agent of a request.
pub async fn client_info<S: Send + Sync>(parts: &mut Parts, state: &S) -> ClientInfo {
    ClientInfo {
        ip: client_ip(parts, state).await,
        user_agent: parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_scheme_is_case_insensitive_and_trimmed() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer"), None);
    }

    #[test]
    fn write_roles_per_resource() {
        assert!(role_may_write("admin", "/api/v1/subjects"));
        assert!(!role_may_write("head", "/api/v1/subjects/x"));
        assert!(!role_may_write("supervisor", "/api/v1/powers"));
        assert!(role_may_write("admin", "/api/v1/imports"));
        assert!(!role_may_write("head", "/api/v1/imports"));
        assert!(role_may_write("head", "/api/v1/officers/x"));
        assert!(!role_may_write("officer", "/api/v1/officers"));
        assert!(!role_may_write(
            "supervisor",
            "/api/v1/officers/x/deactivate"
        ));
        assert!(role_may_write("supervisor", "/api/v1/certificates/x"));
        assert!(!role_may_write("reviewer", "/api/v1/certificates"));
        assert!(role_may_write("reviewer", "/api/v1/officers/x/citizen-id"));
        // Prefixes match whole path segments only.
        assert!(role_may_write("head", "/api/v1/subjectsx"));
    }

    #[test]
    fn csrf_refuses_missing_and_wrong_tokens() {
        assert!(check_csrf("abc", Some("abc")).is_ok());
        assert_eq!(
            check_csrf("abc", Some("abd")).unwrap_err().status(),
            StatusCode::FORBIDDEN
        );
        assert!(check_csrf("abc", None).is_err());
        assert!(check_csrf("", Some("")).is_err());
    }

    #[test]
    fn cookies_are_found_and_flagged() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; zhifa_session=xyz".parse().unwrap());
        assert_eq!(cookie_value(&h, SESSION_COOKIE).as_deref(), Some("xyz"));
        assert_eq!(cookie_value(&h, "b"), None);
        let c = set_cookie(SESSION_COOKIE, "v", 60, true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Secure"));
        assert!(!set_cookie(SESSION_COOKIE, "v", 60, false).contains("Secure"));
    }
}
