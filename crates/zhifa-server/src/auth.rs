//! Who may write: the one place that decides (to be replaced by accounts, sessions and roles
//! in a later issue, F13).
//!
//! For now a write (POST/PUT, and the explicit reveal of a citizen ID) must carry
//! `Authorization: Bearer <api_token>`; the token is compared in constant time. The change log
//! records the actor `api` with the client's IP address.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use subtle::ConstantTimeEq;
use zhifa_store::model::Actor;

use crate::error::ApiError;
use crate::state::AppState;

/// Actor name recorded in the change log for writes through the API token.
pub const API_ACTOR: &str = "api";

/// Proof that the request may write, carrying the actor to record.
#[derive(Debug, Clone)]
pub struct WriteAccess {
    /// Who performs the change (`api` and the client IP).
    pub actor: Actor,
}

impl FromRequestParts<AppState> for WriteAccess {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(expected) = state.config.api_token.as_deref().filter(|t| !t.is_empty()) else {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "auth.disabled",
                "服务器未配置 API 令牌，已禁止通过接口写入数据",
            ));
        };
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(bearer_token);
        match presented {
            Some(token) if bool::from(token.as_bytes().ct_eq(expected.as_bytes())) => {
                Ok(WriteAccess {
                    actor: Actor {
                        user: API_ACTOR.to_string(),
                        ip: client_ip(parts, state).await,
                    },
                })
            }
            _ => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "auth.token",
                "需要有效的 API 令牌",
            )),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn bearer_scheme_is_case_insensitive_and_trimmed() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer"), None);
    }
}
