//! Extractors whose every rejection is an [`ApiError`] with a Chinese message naming where the
//! input went wrong: `Json` (content type, size, syntax with line/column, wrong types with the
//! field path), `Query` and `Path`.
//!
//! They keep axum's names so `utoipa` recognises request bodies and parameters in handler
//! signatures.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Rule cited for malformed JSON (the JSON grammar).
const JSON_RULE: &str = "RFC 8259";
/// Rule cited for parameters that do not match the API document.
const API_RULE: &str = "OpenAPI /api/v1/openapi.json";

/// A JSON request body (`application/json`) or a JSON response.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "json.content_type",
                "请求体必须是 JSON，请设置 Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body.too_large",
                    "请求体过大，超过服务器允许的上限",
                )
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, "body.read", "无法读取请求体")
            }
        })?;
        parse_json(&bytes).map(Json)
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parses a JSON document, classifying failures: syntax → 400 `json.syntax` with line and
/// column; well-formed but wrong shape → 422 `json.data` naming the field path.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        json_error(e.into_inner(), &path)
    })?;
    de.end().map_err(|e| json_error(e, "."))?;
    Ok(value)
}

fn json_error(e: serde_json::Error, path: &str) -> ApiError {
    use serde_json::error::Category;
    let detail = strip_position(&e);
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError::new(
            StatusCode::BAD_REQUEST,
            "json.syntax",
            format!(
                "JSON 格式错误：第 {} 行第 {} 列：{}",
                e.line(),
                e.column(),
                explain_syntax(&detail)
            ),
        )
        .with_rule(JSON_RULE),
        Category::Data => {
            let (field, message) = describe_data_error(path, &detail, "字段");
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "json.data", message)
                .with_field(field, JSON_RULE)
        }
    }
}

/// A Chinese explanation of a serde_json syntax error, keeping the original text where there
/// is no better one.
fn explain_syntax(detail: &str) -> String {
    let known = [
        ("EOF while parsing", "内容不完整（意外结束）"),
        ("expected value", "此处应为一个值"),
        ("trailing characters", "JSON 结束后还有多余字符"),
        ("trailing comma", "多余的逗号"),
        ("key must be a string", "对象的键必须是带引号的字符串"),
        ("expected `,` or `}`", "缺少逗号或右花括号"),
        ("expected `,` or `]`", "缺少逗号或右方括号"),
        ("expected `:`", "缺少冒号"),
        ("control character", "字符串中有未转义的控制字符"),
        ("invalid escape", "无效的转义字符"),
        ("invalid number", "无效的数字"),
    ];
    match known.iter().find(|(en, _)| detail.starts_with(en)) {
        Some((_, zh)) => format!("{zh}（{detail}）"),
        None => detail.to_string(),
    }
}

/// serde_json appends ` at line L column C`; the Chinese message states the place itself.
fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_string()
}

/// Turns a serde data error (`missing field `x``, `invalid type: …, expected …`, …) into
/// the field path and a Chinese message; `noun` names what the field is (`字段`, `查询参数`).
fn describe_data_error(path: &str, detail: &str, noun: &str) -> (String, String) {
    let join = |name: &str| {
        if path == "." || path.is_empty() {
            name.to_string()
        } else {
            format!("{path}.{name}")
        }
    };
    if let Some(name) = backticked(detail, "missing field `") {
        let field = join(name);
        return (field.clone(), format!("缺少必填{noun}：{field}"));
    }
    if let Some(name) = backticked(detail, "unknown field `") {
        let field = join(name);
        return (field.clone(), format!("不认识的{noun}：{field}"));
    }
    if let Some(name) = backticked(detail, "duplicate field `") {
        let field = join(name);
        return (field.clone(), format!("{noun} {field} 重复出现"));
    }
    let field = if path.is_empty() {
        ".".to_string()
    } else {
        path.to_string()
    };
    (field.clone(), format!("{noun} {field} {}", explain(detail)))
}

/// A Chinese explanation of a serde value error, keeping the original text where there is no
/// better one.
fn explain(detail: &str) -> String {
    if let Some((found, expected)) = detail
        .strip_prefix("invalid type: ")
        .and_then(|r| r.split_once(", expected "))
    {
        return format!("类型错误：应为 {expected}，实为 {found}");
    }
    if let Some((variant, expected)) = detail
        .strip_prefix("unknown variant `")
        .and_then(|r| r.split_once("`, expected "))
    {
        let allowed = expected.trim_start_matches("one of ").replace('`', "");
        return format!("取值“{variant}”无效：应为 {allowed}");
    }
    if detail.contains("provided string was not `true` or `false`") {
        return "取值不正确：应为 true 或 false".to_string();
    }
    if detail.contains("invalid digit") || detail.contains("number too large") {
        return "取值不正确：应为整数".to_string();
    }
    format!("取值不正确（{detail}）")
}

fn backticked<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    text.strip_prefix(prefix)?.split('`').next()
}

/// Query-string parameters; a malformed or mistyped parameter is a 422 naming it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parse_query(parts.uri.query().unwrap_or("")).map(Query)
    }
}

/// Parses a query string into `T`; errors are 422 `query.invalid` naming the parameter.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let (field, message) = describe_data_error(&path, &e.into_inner().to_string(), "查询参数");
        let e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "query.invalid", message);
        if field == "." {
            e
        } else {
            e.with_field(field, API_RULE)
        }
    })
}

/// Path parameters; a segment that cannot be decoded is a 400.
#[derive(Debug, Clone)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(rejection) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "path.invalid",
                format!("路径参数不正确（{}）", rejection.body_text()),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Input {
        name: String,
        amounts: Vec<i64>,
        #[serde(default)]
        flag: Option<bool>,
    }

    #[test]
    fn json_errors_say_where() {
        let e = parse_json::<Input>(b"{\"name\": \"a\",\n \"amounts\": [1,}").unwrap_err();
        assert_eq!(
            (e.status(), e.code()),
            (StatusCode::BAD_REQUEST, "json.syntax")
        );
        assert!(
            e.message()
                .starts_with("JSON 格式错误：第 2 行第 16 列：此处应为一个值"),
            "{}",
            e.message()
        );

        let e = parse_json::<Input>(br#"{"name": "a", "amounts": [1, "x"]}"#).unwrap_err();
        assert_eq!(
            (e.status(), e.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "json.data")
        );
        assert_eq!(e.body().error.fields[0].field, "amounts[1]");
        assert!(e.message().contains("类型错误"), "{}", e.message());

        let e = parse_json::<Input>(br#"{"amounts": []}"#).unwrap_err();
        assert_eq!(e.body().error.fields[0].field, "name");
        assert_eq!(e.message(), "缺少必填字段：name");
    }

    #[test]
    fn query_errors_name_the_parameter() {
        let e = parse_query::<Input>("name=a&amounts=1").unwrap_err();
        assert_eq!(e.code(), "query.invalid");
        let e = parse_query::<PageLike>("limit=ten").unwrap_err();
        assert_eq!(e.body().error.fields[0].field, "limit");
        assert!(e.message().contains("应为整数"), "{}", e.message());
        let e = parse_query::<PageLike>("limit=1&limit=2").unwrap_err();
        assert_eq!(e.message(), "查询参数 limit 重复出现");
        assert_eq!(parse_query::<PageLike>("limit=7").unwrap().limit, Some(7));
    }

    #[derive(Debug, Deserialize)]
    struct PageLike {
        limit: Option<i64>,
    }
}
