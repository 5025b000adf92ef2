//! The upload form of `POST /api/v1/imports`, read as it streams in: the export to a
//! temporary file, the small text fields into memory, every byte counted against
//! `max_import_bytes`; and the 4xx answers that name the form field at fault.

use std::path::Path as FsPath;

use axum::body::Bytes;
use axum::extract::multipart::Field;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{HeaderMap, StatusCode, header};
use tempfile::NamedTempFile;
use tokio::io::AsyncWriteExt;
use zhifa_exchange::{MappingError, ReadError};

use super::{EXCHANGE_RULE, MAX_BATCH};
use crate::api::evidence::multipart_error;
use crate::error::{ApiError, ApiResult};
use crate::imports::DEFAULT_BATCH;
use crate::state::AppState;

/// The parts of the upload form.
pub(super) struct Form {
    /// The mapping's TOML text.
    pub(super) mapping: Option<String>,
    /// The export.
    pub(super) file: Option<Upload>,
    /// Store nothing.
    pub(super) dry_run: bool,
    /// Records per transaction.
    pub(super) batch: usize,
}

/// The uploaded export, on disk.
pub(super) struct Upload {
    /// The file (removed when dropped).
    pub(super) file: NamedTempFile,
    /// The name the client gave it.
    pub(super) name: Option<String>,
}

/// Whether the body is a `multipart/form-data` form.
pub(super) fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// Reads the form as it streams in: `file` to a temporary file in `tmp_dir`, the other
/// fields (at most `max_body_bytes` each) into memory; every byte counts against `limit`.
pub(super) async fn receive(
    request: Request,
    state: &AppState,
    limit: u64,
    tmp_dir: &FsPath,
) -> ApiResult<Form> {
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|e| multipart_error(&e.body_text()))?;
    let text_limit = state.config.max_body_bytes;
    let mut received = 0u64;
    let mut form = Form {
        mapping: None,
        file: None,
        dry_run: false,
        batch: DEFAULT_BATCH,
    };
    let mut seen: Vec<String> = Vec::new();
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(&e.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_string();
        if !["mapping", "file", "dry_run", "batch"].contains(&name.as_str()) {
            return Err(field_invalid(
                &name,
                "import.field_unknown",
                format!("表单字段“{name}”无法识别（可用字段：mapping、file、dry_run、batch）"),
            ));
        }
        if seen.contains(&name) {
            return Err(field_invalid(
                &name,
                "import.field_repeated",
                format!("表单字段“{name}”只能出现一次"),
            ));
        }
        seen.push(name.clone());
        match name.as_str() {
            "file" => {
                let file_name = field
                    .file_name()
                    .map(str::trim)
                    .filter(|n| !n.is_empty() && !n.chars().any(char::is_control))
                    .map(str::to_string);
                let file = save(&mut field, tmp_dir, &mut received, limit).await?;
                form.file = Some(Upload {
                    file,
                    name: file_name,
                });
            }
            "mapping" => {
                form.mapping =
                    Some(text(&mut field, &name, text_limit, &mut received, limit).await?);
            }
            "dry_run" => {
                let v = text(&mut field, &name, text_limit, &mut received, limit).await?;
                form.dry_run = parse_flag(&v).ok_or_else(|| {
                    field_invalid(
                        "dry_run",
                        "import.dry_run",
                        format!("dry_run 只能是 true 或 false，而不是“{}”", v.trim()),
                    )
                })?;
            }
            _ => {
                let v = text(&mut field, &name, text_limit, &mut received, limit).await?;
                form.batch = v
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_BATCH).contains(n))
                    .ok_or_else(|| {
                        field_invalid(
                            "batch",
                            "import.batch",
                            format!(
                                "batch 须为 1 到 {MAX_BATCH} 之间的整数（每个事务的记录数），而不是“{}”",
                                v.trim()
                            ),
                        )
                    })?;
            }
        }
    }
    Ok(form)
}

/// The next chunk of a part, counted in `received`: 413 once the body passes `limit`.
async fn next_chunk(
    field: &mut Field<'_>,
    received: &mut u64,
    limit: u64,
) -> ApiResult<Option<Bytes>> {
    let chunk = field
        .chunk()
        .await
        .map_err(|e| multipart_error(&e.body_text()))?;
    if let Some(c) = &chunk {
        *received += c.len() as u64;
        if *received > limit {
            return Err(too_large(limit));
        }
    }
    Ok(chunk)
}

/// Streams a part into a new temporary file in `dir`.
async fn save(
    field: &mut Field<'_>,
    dir: &FsPath,
    received: &mut u64,
    limit: u64,
) -> ApiResult<NamedTempFile> {
    let dir = dir.to_path_buf();
    let file = tokio::task::spawn_blocking(move || {
        tempfile::Builder::new().prefix("upload-").tempfile_in(&dir)
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)?;
    let mut out = tokio::fs::File::from_std(file.reopen().map_err(ApiError::internal)?);
    while let Some(chunk) = next_chunk(field, received, limit).await? {
        out.write_all(&chunk).await.map_err(ApiError::internal)?;
    }
    out.flush().await.map_err(ApiError::internal)?;
    Ok(file)
}

/// A text part (UTF-8), at most `text_limit` bytes.
async fn text(
    field: &mut Field<'_>,
    name: &str,
    text_limit: usize,
    received: &mut u64,
    limit: u64,
) -> ApiResult<String> {
    let mut buf = Vec::new();
    while let Some(chunk) = next_chunk(field, received, limit).await? {
        if buf.len() + chunk.len() > text_limit {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "import.too_large",
                format!("表单字段 {name} 超过 {text_limit} 字节的上限"),
            )
            .with_field(name, EXCHANGE_RULE));
        }
        buf.extend_from_slice(&chunk);
    }
    String::from_utf8(buf).map_err(|_| {
        field_invalid(
            name,
            "import.encoding",
            format!("表单字段 {name} 必须是 UTF-8 文本"),
        )
    })
}

/// `true` / `false` (also `1` / `0`, `yes` / `no`, `on` / `off`).
fn parse_flag(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" | "" => Some(false),
        _ => None,
    }
}

/// 422 for a form field, naming it.
fn field_invalid(field: &str, code: &'static str, message: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
        .with_rule(EXCHANGE_RULE)
        .with_field(field, EXCHANGE_RULE)
}

/// 422: a required form field is missing.
pub(super) fn missing(field: &str) -> ApiError {
    let what = if field == "file" {
        "导出文件"
    } else {
        "映射文件（TOML 文本）"
    };
    field_invalid(
        field,
        "import.field_missing",
        format!("表单缺少字段 {field}：{what}"),
    )
}

/// 422 naming `mapping`, with the exchange crate's code and Chinese message.
pub(super) fn mapping_error(e: MappingError) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code, e.to_string())
        .with_rule(EXCHANGE_RULE)
        .with_field("mapping", EXCHANGE_RULE)
}

/// 422 naming `file`, with the exchange crate's code and Chinese message.
pub(super) fn file_error(e: ReadError) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code, e.to_string())
        .with_rule(EXCHANGE_RULE)
        .with_field("file", EXCHANGE_RULE)
}

/// 413: the upload is larger than `max_import_bytes`.
pub(super) fn too_large(limit: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "import.too_large",
        format!("上传内容超过导入文件大小上限（{limit} 字节，配置项 max_import_bytes）"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_content_types() {
        assert_eq!(parse_flag(" TRUE "), Some(true));
        assert_eq!(parse_flag("0"), Some(false));
        assert_eq!(parse_flag(""), Some(false));
        assert_eq!(parse_flag("maybe"), None);
        let mut h = HeaderMap::new();
        assert!(!is_multipart(&h));
        h.insert(
            header::CONTENT_TYPE,
            "Multipart/Form-Data; boundary=x".parse().unwrap(),
        );
        assert!(is_multipart(&h));
    }
}
