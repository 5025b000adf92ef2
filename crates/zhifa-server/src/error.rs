//! The one error type of the HTTP layer (house style: crates.io `util/errors.rs`).
//!
//! Every failure a handler or an extractor can meet becomes an [`ApiError`], answered as
//! `{"error":{"code":"…","message":"中文消息","rule":"…","fields":[…]}}` with the matching
//! status. The user-facing Chinese message is kept apart from the cause, which only goes to the
//! log (vaultwarden `error.rs`).

use std::borrow::Cow;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use zhifa_domain::{FieldError, Invalid};
use zhifa_store::StoreError;

/// The body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong, for a machine (`code`) and for a person (`message`, Chinese).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine code, e.g. `not_found`, `validation`, `json.syntax`, `auth.token`.
    pub code: String,
    /// Chinese message for the user.
    pub message: String,
    /// The standard or article the broken rule comes from, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The article a refused case command violates (refusals only; same as `rule`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
    /// What would make a refused case command allowed (refusals only, Chinese).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remedy: Option<String>,
    /// One entry per rejected field (validation errors only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldErrorBody>,
}

/// A rejected field: its name (or JSON path), machine code, rule and Chinese message.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldErrorBody {
    /// Field name or path, e.g. `uscc`, `bases[0].article_id`.
    pub field: String,
    /// Stable machine code, e.g. `uscc.check_char`.
    pub code: String,
    /// The standard or article the rule comes from.
    pub rule: String,
    /// Chinese message for the user.
    pub message: String,
}

impl From<FieldError> for FieldErrorBody {
    fn from(e: FieldError) -> Self {
        FieldErrorBody {
            field: e.field,
            code: e.code,
            rule: e.rule,
            message: e.message,
        }
    }
}

/// An error answered to an API client.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: Cow<'static, str>,
    message: String,
    rule: Option<String>,
    // Boxed to keep `ApiError` small (it is the `Err` of every handler).
    remedy: Option<Box<str>>,
    fields: Vec<FieldErrorBody>,
}

impl ApiError {
    /// An error with a status, a machine code and a Chinese message.
    pub fn new(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            code: code.into(),
            message: message.into(),
            rule: None,
            remedy: None,
            fields: Vec::new(),
        }
    }

    /// 404 `not_found` with a Chinese message such as `未找到执法主体：…`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 422 `validation` listing every rejected field.
    pub fn invalid_fields(fields: Vec<FieldError>) -> Self {
        let message = match fields.as_slice() {
            [one] => format!("输入数据不合规：{}：{}", one.field, one.message),
            many => format!("输入数据不合规：共 {} 处错误", many.len()),
        };
        let mut e = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", message);
        e.fields = fields.into_iter().map(FieldErrorBody::from).collect();
        e
    }

    /// 422 for one value rejected by a domain rule, given for `field`.
    pub fn invalid(field: &str, invalid: Invalid) -> Self {
        let rule = invalid.rule.to_string();
        let mut e = Self::invalid_fields(vec![invalid.at(field)]);
        e.rule = Some(rule);
        e
    }

    /// 500 with the opaque message `服务器内部错误`; the cause is logged, never answered.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error while handling a request");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "服务器内部错误",
        )
    }

    /// 409 for a case command the procedure rules refused: the refusal's stable code, the
    /// article as the rule, its Chinese message and what would make the command allowed.
    pub fn refused(r: zhifa_domain::case::Refusal) -> Self {
        let mut e = Self::new(StatusCode::CONFLICT, r.code, r.message);
        e.rule = Some(r.article);
        e.remedy = Some(r.remedy.into_boxed_str());
        e
    }

    /// What would make a refused command allowed (Chinese), for refusals.
    pub fn remedy(&self) -> Option<&str> {
        self.remedy.as_deref()
    }

    /// The rule (standard or article) of the error, if any.
    pub fn rule(&self) -> Option<&str> {
        self.rule.as_deref()
    }

    /// Sets the rule (standard or article) the error comes from.
    pub fn with_rule(mut self, rule: impl Into<String>) -> Self {
        self.rule = Some(rule.into());
        self
    }

    /// Adds one field entry (used for JSON and query errors that name a path).
    pub fn with_field(mut self, field: impl Into<String>, rule: &str) -> Self {
        self.fields.push(FieldErrorBody {
            field: field.into(),
            code: self.code.to_string(),
            rule: rule.to_string(),
            message: self.message.clone(),
        });
        self
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The machine code of this error.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The Chinese message of this error.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The body answered for this error.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message.clone(),
                rule: self.rule.clone(),
                article: self.remedy.as_ref().and(self.rule.clone()),
                remedy: self.remedy.as_deref().map(str::to_string),
                fields: self.fields.clone(),
            },
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { entity, id } => {
                Self::not_found(format!("未找到{}：{id}", entity_zh(entity)))
            }
            StoreError::Invalid(fields) => Self::invalid_fields(fields),
            StoreError::Unavailable(cause) => {
                tracing::error!(error = %cause, "database unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "数据库暂不可用，请稍后重试",
                )
            }
            StoreError::Refused(r) => Self::refused(r),
            StoreError::IdempotencyConflict(key) => Self::new(
                StatusCode::CONFLICT,
                "idempotency.conflict",
                format!("幂等键“{key}”已用于另一条指令，请为新指令使用新的幂等键"),
            ),
            other => Self::internal(other),
        }
    }
}

/// Chinese name of a store entity, for `未找到…` messages.
pub fn entity_zh(entity: &str) -> &str {
    match entity {
        "subject" => "执法主体",
        "officer" => "执法人员",
        "certificate" => "执法证",
        "power" => "执法事项",
        "benchmark" => "裁量基准",
        "law" => "法律法规",
        "article" => "法条",
        "region" => "行政区划",
        "user" => "账号",
        "case" => "案件",
        "decision" => "处罚决定",
        "complaint" => "投诉举报",
        other => other,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Result of an API handler.
pub type ApiResult<T> = Result<T, ApiError>;
