//! `/api/v1/imports`: a department system pushes its export over HTTP (数据导入, 汇聚, issue 7)
//! — the same pipeline as `zhifa import` ([`crate::imports`]), for machine clients with a
//! bearer token of an administrator (or the node token).
//!
//! `POST /api/v1/imports` takes a `multipart/form-data` form: `mapping` (the TOML mapping
//! text, docs/exchange-mapping.md), `file` (the export), optional `dry_run` (`true`: map and
//! validate, store nothing, record no run) and `batch` (records per transaction, 1–10,000,
//! default 1,000). The file is streamed to a temporary file — never held in memory — and
//! refused with 413 past `max_import_bytes`; then it is imported like the CLI does: accepted
//! records by natural key (a re-upload adds nothing), a change-log row and ledger leaf for
//! each new or changed one, rejected rows in the validation report. The answer carries the
//! counts and the first 1,000 rejections; the full report of a stored run is kept as
//! `GET /api/v1/imports/{id}/report.csv` when the node has an import directory.

mod form;

use std::path::{Path as FsPath, PathBuf};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use tempfile::NamedTempFile;
use utoipa::{IntoResponses, OpenApi, ToSchema};
use zhifa_exchange::report::SkippedRow;
use zhifa_exchange::{CsvReportWriter, Mapping, Rejection, Report};
use zhifa_store::model::{Actor, Page, PageRequest};
use zhifa_store::{ImportRun, ImportTotals, Store};

use self::form::{file_error, is_multipart, mapping_error, missing, receive, too_large};
use super::stream_file;
use crate::auth::{ReadAccess, WriteAccess, require_admin};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Path, Query};
use crate::imports::{ImportError, ImportJob, run_import};
use crate::state::AppState;

/// Rejections (and skipped rows) listed in the answer; all are counted.
pub const ANSWER_LIMIT: usize = 1000;

/// Largest `batch` an upload may ask for (one transaction).
pub const MAX_BATCH: usize = 10_000;

/// Where the mapping format and the exchange standard are described.
const EXCHANGE_RULE: &str = "Zhifa 数据交换标准 ZF-1.0（docs/exchange-mapping.md）";

/// What is allowed only to administrators, for the 403 message.
const ADMIN_WHAT: &str = "查看数据导入记录";

/// The routes of this resource. The upload route lifts the JSON body limit: it enforces its
/// own (`max_import_bytes`) while streaming.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/imports",
            post(upload).layer(DefaultBodyLimit::disable()).get(list),
        )
        .route("/api/v1/imports/{id}", get(read))
        .route("/api/v1/imports/{id}/report.csv", get(report))
}

/// The OpenAPI part of this resource.
#[derive(OpenApi)]
#[openapi(
    paths(upload, list, read, report),
    components(schemas(ImportForm, ImportAnswer, ImportCountsView, ImportRunView, ImportRun))
)]
pub struct Doc;

/// The upload form (documentation only: the handler reads the parts as they stream in).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImportForm {
    /// The mapping file's TOML text (docs/exchange-mapping.md), UTF-8.
    mapping: String,
    /// The export: CSV, XLSX or JSON Lines, as the mapping's `[input]` declares.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// `true`: map and validate only, store nothing and record no run (default `false`).
    dry_run: Option<bool>,
    /// Accepted records per transaction, 1–10,000 (default 1,000).
    batch: Option<u32>,
}

/// Counts of an import.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
pub struct ImportCountsView {
    /// Rows read (读取).
    pub read: u64,
    /// Rows accepted by the mapping (通过).
    pub accepted: u64,
    /// Records added (新增; 0 in a dry run).
    pub added: u64,
    /// Records replaced with other content (更新; 0 in a dry run).
    pub changed: u64,
    /// Records identical to what was stored (未变; 0 in a dry run).
    pub unchanged: u64,
    /// Rows rejected (驳回).
    pub rejected: u64,
    /// Rows skipped by a `[[skip]]` condition of the mapping (跳过).
    pub skipped: u64,
    /// Officers and certificates of the node created or updated from the records (0 in a dry
    /// run).
    pub base: u64,
    /// Cases created from case, decision and inspection records (0 in a dry run).
    pub cases: u64,
}

/// Errors of every endpoint of this resource (administrators and the node token only).
#[derive(IntoResponses)]
#[allow(dead_code)]
enum AdminErrors {
    /// 需要有效的 API 令牌 (`auth.token`).
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// 不是系统管理员 (`auth.role`)，或令牌只有读取权限 (`auth.scope`，上传时).
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// 数据库暂不可用。
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// The answer of an upload.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportAnswer {
    /// The recorded run (导入批次); `null` for a dry run, which records nothing.
    pub run_id: Option<String>,
    /// Whether this was a dry run (nothing stored).
    pub dry_run: bool,
    /// Name of the mapping.
    pub mapping: String,
    /// Record type produced, e.g. `decision`.
    pub record_type: String,
    /// The input as recorded (`upload:<file name>`).
    pub input: String,
    /// What happened to the rows.
    pub counts: ImportCountsView,
    /// The error that stopped reading part-way (a broken file), with its line: the rows before
    /// it were imported, none after it were read. Fix the file and upload it again.
    pub stopped: Option<String>,
    /// The first 1,000 rejections, in row order: `line`, `column` (source column, `*` for the
    /// whole row), `field`, `element` (data element of ZF-1.0), `code` (stable rule code such
    /// as `uscc.check_char`), `rule` (the standard or article), `value` (personal identity
    /// numbers masked), `message` (Chinese) — the columns of the CSV report.
    #[schema(value_type = Vec<Object>)]
    pub rejections: Vec<Rejection>,
    /// The first 1,000 rows skipped by the mapping: `line`, `reason`.
    #[schema(value_type = Vec<Object>)]
    pub skipped_rows: Vec<SkippedRow>,
    /// Rejections and skipped rows counted but not listed here (see `report`).
    pub not_listed: u64,
    /// Link to the full validation report (CSV), when it is kept.
    pub report: Option<String>,
}

/// An import run with the link to its kept report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportRunView {
    /// The run as recorded.
    #[serde(flatten)]
    pub run: ImportRun,
    /// Link to the full validation report (CSV) of an API upload, when it is kept.
    pub report: Option<String>,
}

/// 上传导入 — import a department system's export: a `multipart/form-data` form with the
/// mapping text (`mapping`), the export (`file`), optional `dry_run` and `batch`. Streamed to
/// a temporary file, then mapped row by row and stored by natural key in batches (a re-upload
/// adds nothing); every new or changed record is a change-log row and a ledger leaf.
#[utoipa::path(
    post, path = "/api/v1/imports", tag = "imports",
    request_body(content = ImportForm, content_type = "multipart/form-data", description = "mapping：映射文件（TOML 文本）；file：导出文件；dry_run：试运行；batch：每个事务的记录数"),
    responses(
        (status = 200, description = "已导入（或试运行已校验）：计数、前 1000 条驳回原因、完整报告链接", body = ImportAnswer),
        (status = 400, description = "multipart 表单无法解析 (`body.multipart`)", body = crate::error::ErrorBody),
        (status = 413, description = "超过导入文件大小上限 max_import_bytes (`import.too_large`)", body = crate::error::ErrorBody),
        (status = 415, description = "请求体不是 multipart/form-data (`import.content_type`)", body = crate::error::ErrorBody),
        (status = 422, description = "映射文件有误（字段 `mapping`，映射错误代码如 `mapping.syntax`）、文件无法读取（字段 `file`，如 `xlsx.read`、`csv.column_missing`）、缺少或多出表单字段、dry_run 或 batch 不合规；均未导入任何数据", body = crate::error::ErrorBody),
        AdminErrors
    ),
    security(("api_token" = []))
)]
pub async fn upload(
    State(state): State<AppState>,
    access: WriteAccess,
    request: Request,
) -> ApiResult<Json<ImportAnswer>> {
    // `WriteAccess` already refused accounts other than administrators (`role_may_write`).
    require_admin(access.user.as_ref(), &access.scope, "通过接口导入数据")?;
    let limit = state.config.imports.max_import_bytes;
    if !is_multipart(request.headers()) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "import.content_type",
            "请求体必须是 multipart/form-data 表单（字段 mapping 为映射文件，file 为导出文件）",
        ));
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    let dir = state.config.imports.dir.clone();
    let tmp_dir = match &dir {
        Some(d) => d.join("tmp"),
        None => std::env::temp_dir(),
    };
    tokio::fs::create_dir_all(&tmp_dir)
        .await
        .map_err(ApiError::internal)?;
    let form = receive(request, &state, limit, &tmp_dir).await?;
    let mapping_text = form.mapping.ok_or_else(|| missing("mapping"))?;
    let upload = form.file.ok_or_else(|| missing("file"))?;
    let mapping = Mapping::from_toml(&mapping_text).map_err(mapping_error)?;
    let input = format!("upload:{}", upload.name.as_deref().unwrap_or("file"));
    let mut job = ImportJob::new(mapping, mapping_text.as_bytes(), input, ANSWER_LIMIT);
    job.batch = form.batch;
    // Run to the end even if the client goes away: a received upload is imported whole.
    let store = state.store.clone();
    let actor = access.actor.clone();
    let keep = if form.dry_run { None } else { dir };
    let answer = tokio::spawn(async move {
        import_upload(store, job, upload.file, actor, form.dry_run, keep).await
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(Json(answer))
}

/// Opens the uploaded file, imports it, keeps the full report under `keep` (stored runs).
async fn import_upload(
    store: Store,
    job: ImportJob,
    file: NamedTempFile,
    actor: Actor,
    dry_run: bool,
    keep: Option<PathBuf>,
) -> ApiResult<ImportAnswer> {
    let mapping = job.mapping.clone();
    let path = file.path().to_path_buf();
    let rows = tokio::task::spawn_blocking(move || mapping.open_path(&path))
        .await
        .map_err(ApiError::internal)?
        .map_err(file_error)?;
    let report = match &keep {
        Some(dir) => Some(report_file(dir).await?),
        None => None,
    };
    let writer = match &report {
        Some(f) => {
            let out = std::io::BufWriter::new(f.reopen().map_err(ApiError::internal)?);
            Some(CsvReportWriter::new(out).map_err(ApiError::internal)?)
        }
        None => None,
    };
    let outcome = run_import((!dry_run).then_some(&store), &job, rows, &actor, writer)
        .await
        .map_err(|e| match e {
            ImportError::Store(e) => ApiError::from(e),
            other => ApiError::internal(other),
        })?;
    drop(file);
    let kept = match (report, &outcome.run_id, keep) {
        (Some(report), Some(id), Some(dir)) => keep_report(report, outcome.observer, &dir, id)
            .await
            .then(|| report_link(id)),
        _ => None,
    };
    Ok(answer(
        job.input,
        outcome.run_id,
        outcome.report,
        outcome.totals,
        dry_run,
        kept,
    ))
}

/// A temporary file for the streamed report, in `<dir>/tmp`.
async fn report_file(dir: &FsPath) -> ApiResult<NamedTempFile> {
    let tmp = dir.join("tmp");
    tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&tmp)?;
        tempfile::Builder::new()
            .prefix("report-")
            .suffix(".csv")
            .tempfile_in(&tmp)
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)
}

/// Finishes the streamed report and moves it to `<dir>/reports/<run id>.csv`. A failure is
/// logged, not answered: the records are imported, only the kept report is missing.
async fn keep_report<W: std::io::Write + Send + 'static>(
    report: NamedTempFile,
    writer: Option<CsvReportWriter<W>>,
    dir: &FsPath,
    run_id: &str,
) -> bool {
    let target = report_path(dir, run_id);
    let kept = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        if let Some(w) = writer {
            w.finish()?.flush()?;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        report.persist(&target).map_err(|e| e.error)?;
        Ok(())
    })
    .await;
    match kept {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, run = run_id, "import report not kept");
            false
        }
        Err(e) => {
            tracing::warn!(error = %e, run = run_id, "import report not kept");
            false
        }
    }
}

fn report_path(dir: &FsPath, run_id: &str) -> PathBuf {
    dir.join("reports").join(format!("{run_id}.csv"))
}

fn report_link(run_id: &str) -> String {
    format!("/api/v1/imports/{run_id}/report.csv")
}

/// The answer of an upload, from what the import did.
fn answer(
    input: String,
    run_id: Option<String>,
    r: Report,
    totals: ImportTotals,
    dry_run: bool,
    report: Option<String>,
) -> ImportAnswer {
    let c = totals.counts;
    ImportAnswer {
        run_id,
        dry_run,
        record_type: r.record_type.id().to_string(),
        mapping: r.mapping,
        input,
        counts: ImportCountsView {
            read: r.total,
            accepted: r.accepted,
            added: c.added,
            changed: c.changed,
            unchanged: c.unchanged,
            rejected: r.rejected,
            skipped: r.skipped,
            base: c.base,
            cases: c.cases,
        },
        stopped: r.stopped,
        rejections: r.rejections,
        skipped_rows: r.skipped_rows,
        not_listed: r.not_listed,
        report,
    }
}

/// The link to a run's kept report, if the file is there.
async fn kept_report(state: &AppState, run_id: &str) -> Option<String> {
    let dir = state.config.imports.dir.as_ref()?;
    tokio::fs::try_exists(report_path(dir, run_id))
        .await
        .unwrap_or(false)
        .then(|| report_link(run_id))
}

/// 导入记录 — import runs (of `zhifa import` and of uploads), newest first.
#[utoipa::path(
    get, path = "/api/v1/imports", tag = "imports",
    params(PageRequest),
    responses((status = 200, description = "一页导入批次", body = Page<ImportRunView>), AdminErrors),
    security(("api_token" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    access: ReadAccess,
    Query(page): Query<PageRequest>,
) -> ApiResult<Json<Page<ImportRunView>>> {
    require_admin(access.user.as_ref(), &access.scope, ADMIN_WHAT)?;
    let runs = state.store.list_import_runs(page).await?;
    let mut items = Vec::with_capacity(runs.items.len());
    for run in runs.items {
        let report = kept_report(&state, &run.id).await;
        items.push(ImportRunView { run, report });
    }
    Ok(Json(Page {
        items,
        total: runs.total,
        offset: runs.offset,
        limit: runs.limit,
    }))
}

/// 查看导入批次 — one import run: mapping, input, who, when, counts.
#[utoipa::path(
    get, path = "/api/v1/imports/{id}", tag = "imports",
    params(("id" = String, Path, description = "导入批次 id")),
    responses(
        (status = 200, description = "导入批次", body = ImportRunView),
        (status = 404, description = "没有该导入批次 (`not_found`)", body = crate::error::ErrorBody),
        AdminErrors
    ),
    security(("api_token" = []))
)]
pub async fn read(
    State(state): State<AppState>,
    access: ReadAccess,
    Path(id): Path<String>,
) -> ApiResult<Json<ImportRunView>> {
    require_admin(access.user.as_ref(), &access.scope, ADMIN_WHAT)?;
    let run = state.store.import_run(&id).await?;
    let report = kept_report(&state, &run.id).await;
    Ok(Json(ImportRunView { run, report }))
}

/// 校验报告 — the full validation report (CSV, UTF-8 with BOM) of a run uploaded through the
/// API: every rejection with line, column, field, element, rule code, basis, value and
/// message. Kept only for stored uploads on a node with an import directory; a dry run keeps
/// none (its answer lists the first 1,000), and `zhifa import` writes its report where
/// `--report` says.
#[utoipa::path(
    get, path = "/api/v1/imports/{id}/report.csv", tag = "imports",
    params(("id" = String, Path, description = "导入批次 id")),
    responses(
        (status = 200, description = "校验报告（CSV）", content_type = "text/csv"),
        (status = 404, description = "没有该导入批次，或其报告未保存 (`not_found`, `import.report_missing`)", body = crate::error::ErrorBody),
        AdminErrors
    ),
    security(("api_token" = []))
)]
pub async fn report(
    State(state): State<AppState>,
    access: ReadAccess,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    require_admin(access.user.as_ref(), &access.scope, ADMIN_WHAT)?;
    let run = state.store.import_run(&id).await?;
    let not_kept = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "import.report_missing",
            "该导入批次的校验报告未保存（试运行和命令行导入不在服务器上保存报告）",
        )
    };
    let dir = state.config.imports.dir.as_ref().ok_or_else(not_kept)?;
    let file = match tokio::fs::File::open(report_path(dir, &run.id)).await {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(not_kept()),
        Err(e) => return Err(ApiError::internal(e)),
    };
    let size = file.metadata().await.map_err(ApiError::internal)?.len();
    let mut response = stream_file(file).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"import-{}.csv\"", run.id))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}
