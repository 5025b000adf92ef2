//! Pieces of the OpenAPI document shared by the route modules: the error responses each kind
//! of endpoint can give, and the bearer-token security scheme.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoResponses, Modify};

use crate::error::ErrorBody;

/// Name of the security scheme of write endpoints.
pub const API_TOKEN: &str = "api_token";

/// Errors of a read by id.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum ReadErrors {
    /// 未找到：no record with that id.
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// 数据库暂不可用。
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// Errors of a list.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum ListErrors {
    /// 查询参数不正确：the parameter is named in `fields`.
    #[response(status = 422)]
    BadQuery(ErrorBody),
    /// 数据库暂不可用。
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// Errors of a write with a JSON body (create, replace).
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum WriteErrors {
    /// JSON 格式错误 (`json.syntax`, with line and column).
    #[response(status = 400)]
    Syntax(ErrorBody),
    /// 需要有效的 API 令牌 (`auth.token`).
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// 服务器未配置 API 令牌 (`auth.disabled`).
    #[response(status = 403)]
    Disabled(ErrorBody),
    /// 未找到 (the record to replace, or a referenced record).
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// 请求体过大 (`body.too_large`).
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// 请求体必须是 JSON (`json.content_type`).
    #[response(status = 415)]
    NotJson(ErrorBody),
    /// 输入数据不合规 (`validation`, `json.data`): every rejected field in `fields`.
    #[response(status = 422)]
    Invalid(ErrorBody),
    /// 数据库暂不可用。
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// Errors of a write without a body (deactivate) or of a guarded read (citizen ID).
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum ActionErrors {
    /// 需要有效的 API 令牌 (`auth.token`).
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// 服务器未配置 API 令牌 (`auth.disabled`).
    #[response(status = 403)]
    Disabled(ErrorBody),
    /// 未找到。
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// 数据库暂不可用。
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// Adds the `api_token` bearer scheme used by write endpoints.
pub struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            API_TOKEN,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "写操作需要的 API 令牌（请求头 Authorization: Bearer 加令牌）",
                    ))
                    .build(),
            ),
        );
    }
}
