//! `/api/v1/evidence`: evidence files (证据, APL Art. 46–47; 118号 全过程记录), stored
//! content-addressed by SM3 (GB/T 32905); each file's record is a ledger leaf.
//!
//! Upload: the raw file as the request body (`Content-Type` = its media type, optional
//! `X-File-Name` percent-encoded UTF-8), or a `multipart/form-data` form whose field `file`
//! carries it (as a browser form sends it); either way streamed to disk while hashed — never
//! held in memory — and refused with 413 past the configured size. Download re-hashes the file first and refuses
//! (409 `evidence.tampered`) when it no longer matches its recorded SM3.

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http_body_util::BodyExt;
use utoipa::OpenApi;
use zhifa_store::ledger::Evidence;
use zhifa_store::{EvidenceError, EvidenceUpload, check_evidence_file};

use super::docs::ReadErrors;
use super::stream_file;
use crate::auth::WriteAccess;
use crate::error::{ApiError, ApiResult};
use crate::extract::Json;
use crate::state::AppState;

/// The routes of this resource. The upload route lifts the JSON body limit: it enforces
/// its own (`max_evidence_bytes`) while streaming.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/evidence",
            post(upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/api/v1/evidence/{sm3}", get(download))
}

/// The OpenAPI part of this resource.
#[derive(OpenApi)]
#[openapi(paths(upload, download), components(schemas(Evidence)))]
pub struct Doc;

impl From<EvidenceError> for ApiError {
    fn from(e: EvidenceError) -> Self {
        let status = match &e {
            EvidenceError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            EvidenceError::Tampered { .. } => StatusCode::CONFLICT,
            EvidenceError::Missing(_) => StatusCode::GONE,
            EvidenceError::Io(_) => return ApiError::internal(e),
        };
        ApiError::new(status, e.code(), e.to_string()).with_rule("APL Art. 47; 国办发〔2018〕118号")
    }
}

fn evidence_dir(state: &AppState) -> ApiResult<std::path::PathBuf> {
    state.config.ledger.evidence_dir.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "evidence.disabled",
            "本节点未配置证据文件目录",
        )
    })
}

/// A malformed multipart body (400 `body.multipart`).
pub(crate) fn multipart_error(detail: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "body.multipart",
        format!("multipart 表单无法解析：{detail}"),
    )
}

/// The file name of `X-File-Name` (percent-encoded UTF-8), if given.
fn file_name(headers: &HeaderMap) -> Option<String> {
    let raw = headers.get("x-file-name")?.to_str().ok()?;
    let decoded: String =
        form_urlencoded::parse(format!("n={}", raw.replace('+', "%2B")).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())?;
    let name = decoded.trim();
    (!name.is_empty() && !name.chars().any(char::is_control)).then(|| name.to_string())
}

/// 上传证据文件 — upload an evidence file (raw body); answers its record (201 new, 200 known).
#[utoipa::path(
    post, path = "/api/v1/evidence", tag = "evidence",
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "文件内容；Content-Type 为文件类型，X-File-Name 为百分号编码的文件名；或 multipart/form-data 表单的 file 字段"),
    responses(
        (status = 201, description = "已保存并记入账本", body = Evidence),
        (status = 200, description = "相同内容已存在", body = Evidence),
        (status = 401, description = "需要登录或有效令牌", body = crate::error::ErrorBody),
        (status = 413, description = "超过证据文件大小上限 (`evidence.too_large`)", body = crate::error::ErrorBody),
        (status = 503, description = "未配置证据目录或数据库不可用", body = crate::error::ErrorBody),
    ),
    security(("api_token" = []))
)]
pub async fn upload(
    State(state): State<AppState>,
    access: WriteAccess,
    request: Request,
) -> ApiResult<Response> {
    let dir = evidence_dir(&state)?;
    let limit = state.config.ledger.max_evidence_bytes;
    let headers = request.headers().clone();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(EvidenceError::TooLarge { limit }.into());
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .unwrap_or("application/octet-stream")
        .to_string();
    let mut upload = EvidenceUpload::begin(&dir, limit).await?;
    let (media_type, name) = if content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        let mut form = Multipart::from_request(request, &state)
            .await
            .map_err(|e| multipart_error(&e.body_text()))?;
        let mut found = None;
        while let Some(mut field) = form
            .next_field()
            .await
            .map_err(|e| multipart_error(&e.body_text()))?
        {
            if field.name() != Some("file") {
                continue;
            }
            let media = field
                .content_type()
                .map(str::to_string)
                .unwrap_or_else(|| "application/octet-stream".to_string());
            let name = field
                .file_name()
                .map(str::trim)
                .filter(|n| !n.is_empty() && !n.chars().any(char::is_control))
                .map(str::to_string);
            while let Some(chunk) = field
                .chunk()
                .await
                .map_err(|e| multipart_error(&e.body_text()))?
            {
                upload.write(&chunk).await?;
            }
            found = Some((media, name));
            break;
        }
        found.ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "evidence.file_missing",
                "表单中没有名为 file 的文件字段",
            )
            .with_rule("APL Art. 46")
        })?
    } else {
        let mut body: Body = request.into_body();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "body.read",
                    format!("读取请求体失败：{e}"),
                )
            })?;
            if let Ok(data) = frame.into_data() {
                upload.write(&data).await?;
            }
        }
        (content_type, file_name(&headers))
    };
    let finished = upload.finish().await?;
    let (evidence, created) = state
        .store
        .add_evidence(finished, &media_type, name.as_deref(), &access.actor)
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let location = format!("/api/v1/evidence/{}", evidence.sm3);
    Ok((status, [(header::LOCATION, location)], Json(evidence)).into_response())
}

/// 下载证据文件 — download an evidence file by SM3, after re-checking its hash.
#[utoipa::path(
    get, path = "/api/v1/evidence/{sm3}", tag = "evidence",
    params(("sm3" = String, Path, description = "文件内容的 SM3（64 位十六进制）")),
    responses(
        (status = 200, description = "文件内容（已核对 SM3）", content_type = "application/octet-stream"),
        (status = 409, description = "文件已被改动，与记录的 SM3 不符 (`evidence.tampered`)", body = crate::error::ErrorBody),
        (status = 410, description = "文件缺失 (`evidence.missing`)", body = crate::error::ErrorBody),
        ReadErrors
    ),
    security(("api_token" = []))
)]
pub async fn download(
    State(state): State<AppState>,
    _access: WriteAccess,
    Path(sm3): Path<String>,
) -> ApiResult<Response> {
    let dir = evidence_dir(&state)?;
    let evidence = state.store.evidence(&sm3).await?;
    let path = check_evidence_file(&dir, &evidence).await?;
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(|e| ApiError::from(EvidenceError::Io(e)))?;
    let mut response = stream_file(file).into_response();
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&evidence.media_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(evidence.size as u64),
    );
    if let Ok(v) = HeaderValue::from_str(&evidence.sm3) {
        h.insert("x-content-sm3", v);
    }
    Ok(response)
}
