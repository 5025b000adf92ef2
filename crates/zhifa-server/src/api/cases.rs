//! `/api/v1/cases`: case handling (执法办案, F3/F5) — start a case (案源登记 or 当场处罚), list
//! cases with filters, read one case (summary, state, timeline with ledger leaves, statutory
//! clocks, the caller's commands, documents), issue any command, read a document as printable
//! HTML; and `/api/v1/settings/case-rules`, the node's thresholds (administrators edit, everyone
//! signed in reads).
//!
//! The actor, role and officer come from the account behind the token; every write carries an
//! idempotency key (header `Idempotency-Key` or body field `idempotency_key`): a retried
//! command returns the first result (`replayed: true`) and writes nothing. A command the rules
//! refuse is answered 409 with the refusal's stable code, article, Chinese message and remedy.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use utoipa::{OpenApi, ToSchema};
use zhifa_domain::case::{CaseRules, Command};
use zhifa_store::case_model::{CaseFilter, CaseSummary, CommandOutcome};
use zhifa_store::model::{Page, PageRequest};
use zhifa_store::scope::roles;

use super::docs::{ListErrors, ReadErrors, WriteErrors};
use crate::auth::{ReadAccess, WriteAccess};
use crate::cases::{self, CaseView};
use crate::documents::{self, DocumentRef};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::state::AppState;

/// Header carrying the idempotency key of a write.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// The routes of this resource.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/cases", get(list).post(create))
        .route("/api/v1/cases/{id}", get(detail))
        .route("/api/v1/cases/{id}/commands", post(command))
        .route("/api/v1/cases/{id}/documents/{kind}", get(document))
        .route("/api/v1/settings/case-rules", get(get_rules).put(put_rules))
}

/// The OpenAPI part of this resource.
#[derive(OpenApi)]
#[openapi(
    paths(list, create, detail, command, document, get_rules, put_rules),
    components(schemas(CommandRequest, CaseView, DocumentRef, CaseSummary, CommandOutcome))
)]
pub struct Doc;

/// A command with its envelope fields.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CommandRequest {
    /// The command (`{"command":"file_case","on":"2026-03-02", …}`; see `zhifa_domain::case::Command`).
    #[schema(value_type = Object)]
    pub command: serde_json::Value,
    /// Idempotency key (or header `Idempotency-Key`).
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// Place of the act (address or coordinates).
    #[serde(default)]
    pub place: Option<String>,
}

fn idempotency_key(headers: &HeaderMap, body: &CommandRequest) -> ApiResult<String> {
    let from_header = headers
        .get(IDEMPOTENCY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string);
    from_header
        .or_else(|| {
            body.idempotency_key
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        })
        .filter(|k| k.chars().count() <= 200)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency.missing",
                "写操作须携带幂等键（请求头 Idempotency-Key 或字段 idempotency_key，不超过 200 个字符）",
            )
            .with_field("idempotency_key", "《行政处罚法》第四十七条")
        })
}

fn parse_command(value: serde_json::Value) -> ApiResult<Command> {
    serde_path_to_error::deserialize::<_, Command>(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "command".to_string()
        } else {
            format!("command.{path}")
        };
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "json.data",
            format!("指令格式不正确：{}", e.inner()),
        )
        .with_field(field, "Zhifa 数据标准 ZF-1.0")
    })
}

async fn run(
    state: &AppState,
    access: &WriteAccess,
    headers: &HeaderMap,
    case_id: Option<&str>,
    body: CommandRequest,
) -> ApiResult<CommandOutcome> {
    let key = idempotency_key(headers, &body)?;
    let cmd = parse_command(body.command)?;
    if case_id.is_none() && !cmd.starts_case() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "case.command.not_starting",
            "新建案件只能使用案源登记（register_lead）或当场处罚（impose_on_spot）指令",
        )
        .with_field("command.command", "《行政处罚法》第五十一条、第五十四条"));
    }
    if case_id.is_some() && cmd.starts_case() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "case.command.starting",
            "案源登记和当场处罚指令用于新建案件，请向 /api/v1/cases 提交",
        )
        .with_field("command.command", "《行政处罚法》第五十一条、第五十四条"));
    }
    let env = cases::envelope(&access.actor.user, access.user.as_ref(), body.place, key);
    Ok(cases::execute(state, &access.scope, case_id, &env, &cmd).await?)
}

/// 案件列表 — cases within the caller's data scope, filtered (stage, procedure, agency, officer,
/// text, overdue, due soon, review queue, head queue) and paged.
#[utoipa::path(
    get, path = "/api/v1/cases", tag = "cases",
    params(CaseFilter, PageRequest),
    responses((status = 200, description = "一页案件", body = Page<CaseSummary>), ListErrors)
)]
pub async fn list(
    State(state): State<AppState>,
    access: ReadAccess,
    Query(filter): Query<CaseFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Json<Page<CaseSummary>>> {
    Ok(Json(
        state
            .store
            .list_cases_in(&access.scope, &filter, cases::today(), page)
            .await?,
    ))
}

/// 新建案件 — a starting command: `register_lead` (案源登记, general procedure) or
/// `impose_on_spot` (当场处罚, simple procedure, APL Art. 51–52).
#[utoipa::path(
    post, path = "/api/v1/cases", tag = "cases",
    request_body = CommandRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "幂等键（也可放在请求体 idempotency_key）")),
    responses(
        (status = 201, description = "已新建案件", body = CommandOutcome),
        (status = 200, description = "重复提交：返回首次结果（replayed = true）", body = CommandOutcome),
        (status = 409, description = "程序规则拒绝（code、article、message、remedy）或幂等键冲突", body = crate::error::ErrorBody),
        WriteErrors
    ),
    security(("api_token" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    access: WriteAccess,
    headers: HeaderMap,
    Json(body): Json<CommandRequest>,
) -> ApiResult<Response> {
    let outcome = run(&state, &access, &headers, None, body).await?;
    let status = if outcome.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let location = format!("/api/v1/cases/{}", outcome.case_id);
    Ok((status, [(header::LOCATION, location)], Json(outcome)).into_response())
}

/// 案件详情 — summary, folded state, timeline (each event with its ledger leaf index),
/// statutory clocks, the commands the caller may issue now (and why not), documents.
#[utoipa::path(
    get, path = "/api/v1/cases/{id}", tag = "cases",
    params(("id" = String, Path, description = "案件 ID")),
    responses((status = 200, description = "案件", body = CaseView), ReadErrors)
)]
pub async fn detail(
    State(state): State<AppState>,
    access: ReadAccess,
    Path(id): Path<String>,
) -> ApiResult<Json<CaseView>> {
    let role = cases::role_of(access.user.as_ref());
    let (view, _) = cases::view(&state, &access.scope, &id, &role).await?;
    Ok(Json(view))
}

/// 办案指令 — any command on an existing case.
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/commands", tag = "cases",
    params(("id" = String, Path, description = "案件 ID"),
           ("Idempotency-Key" = Option<String>, Header, description = "幂等键（也可放在请求体 idempotency_key）")),
    request_body = CommandRequest,
    responses(
        (status = 200, description = "已记录的事件（重复提交时 replayed = true）", body = CommandOutcome),
        (status = 409, description = "程序规则拒绝（code、article、message、remedy）或幂等键冲突", body = crate::error::ErrorBody),
        WriteErrors
    ),
    security(("api_token" = []))
)]
pub async fn command(
    State(state): State<AppState>,
    access: WriteAccess,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<CommandRequest>,
) -> ApiResult<Json<CommandOutcome>> {
    Ok(Json(run(&state, &access, &headers, Some(&id), body).await?))
}

/// 执法文书 — a document of the case as printable HTML (available once its step happened;
/// missing required content is listed on it as 缺少必备内容).
#[utoipa::path(
    get, path = "/api/v1/cases/{id}/documents/{kind}", tag = "cases",
    params(("id" = String, Path, description = "案件 ID"),
           ("kind" = String, Path, description = "文书种类：filing、inquiry、inspection、notice、hearing_notice、review、discussion、decision、on_spot、service、closure")),
    responses((status = 200, description = "可打印的文书", body = String, content_type = "text/html"), ReadErrors)
)]
pub async fn document(
    State(state): State<AppState>,
    access: ReadAccess,
    Path((id, kind)): Path<(String, String)>,
) -> ApiResult<Response> {
    let html = document_html(&state, &access.scope, &id, &kind).await?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response())
}

/// The printable HTML of a case document within `scope` (404 outside it, or before its step).
pub async fn document_html(
    state: &AppState,
    scope: &zhifa_store::Scope,
    id: &str,
    kind: &str,
) -> ApiResult<String> {
    let detail = state.store.get_case_in(scope, id).await?;
    let title = documents::KINDS
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map(|(_, t, _)| *t)
        .ok_or_else(|| ApiError::not_found(format!("未找到文书种类：{kind}")))?;
    let doc = documents::build(&detail, kind)
        .ok_or_else(|| ApiError::not_found(format!("本案尚未形成{title}")))?;
    documents::render(&doc).map_err(ApiError::internal)
}

/// 办案规则参数 — the node's case-handling thresholds (defaults when never set).
#[utoipa::path(
    get, path = "/api/v1/settings/case-rules", tag = "cases",
    responses((status = 200, description = "办案规则参数", body = Object), ReadErrors)
)]
pub async fn get_rules(
    State(state): State<AppState>,
    access: ReadAccess,
) -> ApiResult<Json<CaseRules>> {
    if access.user.is_none() && matches!(access.scope, zhifa_store::Scope::Public) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "auth.token",
            "需要登录或有效的 API 令牌",
        ));
    }
    Ok(Json(state.store.case_rules().await?))
}

/// 修改办案规则参数 — administrators only; validated, recorded in the change log and the ledger.
#[utoipa::path(
    put, path = "/api/v1/settings/case-rules", tag = "cases",
    request_body = Object,
    responses((status = 200, description = "已保存的参数", body = Object), WriteErrors),
    security(("api_token" = []))
)]
pub async fn put_rules(
    State(state): State<AppState>,
    access: WriteAccess,
    Json(rules): Json<CaseRules>,
) -> ApiResult<Json<CaseRules>> {
    if access.user.as_ref().is_some_and(|u| u.role != roles::ADMIN) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "auth.role",
            "只有系统管理员可以修改办案规则参数",
        ));
    }
    Ok(Json(
        state.store.set_case_rules(&access.actor, &rules).await?,
    ))
}
