//! The JSON API under `/api/v1` (and `/healthz`): one module per resource, each with its
//! routes and its part of the OpenAPI document.

pub mod alerts;
pub mod benchmarks;
pub mod calendar;
pub mod cases;
pub mod certificates;
pub mod changes;
pub mod check;
pub mod complaints;
pub mod docs;
pub mod evidence;
pub mod health;
pub mod imports;
pub mod laws;
pub mod ledger;
pub mod officers;
pub mod outbox;
pub mod powers;
pub mod regions;
pub mod standard;
pub mod subjects;
pub mod supervision_stats;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderName, StatusCode, header};
use utoipa::OpenApi;
use zhifa_store::model::Page;

use crate::error::{ErrorBody, ErrorDetail, FieldErrorBody};
use crate::extract::Json;
use crate::state::AppState;
use docs::SecurityAddon;
use tokio::io::AsyncReadExt;

/// Answer of a list endpoint.
pub type Listed<T> = Json<Page<T>>;

/// Answer of a create endpoint: `201 Created`, `Location` of the new record, the record.
pub type Created<T> = (StatusCode, [(HeaderName, String); 1], Json<T>);

/// Builds the answer of a create endpoint.
pub fn created<T>(location: String, record: T) -> Created<T> {
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(record),
    )
}

/// A response body streaming a file 64 KiB at a time: the file is never held in memory.
pub(crate) fn stream_file(file: tokio::fs::File) -> Body {
    let stream = futures_util::stream::unfold(file, |mut f| async move {
        let mut buf = vec![0u8; 64 * 1024];
        match f.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(buf), f))
            }
            Err(e) => Some((Err(e), f)),
        }
    });
    Body::from_stream(stream)
}

/// Every API route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(health::routes())
        .merge(standard::routes())
        .merge(check::routes())
        .merge(calendar::routes())
        .merge(regions::routes())
        .merge(subjects::routes())
        .merge(officers::routes())
        .merge(certificates::routes())
        .merge(powers::routes())
        .merge(benchmarks::routes())
        .merge(laws::routes())
        .merge(changes::routes())
        .merge(ledger::routes())
        .merge(evidence::routes())
        .merge(cases::routes())
        .merge(outbox::routes())
        .merge(alerts::routes())
        .merge(complaints::routes())
        .merge(supervision_stats::routes())
        .merge(imports::routes())
}

/// Title, version, tags and security scheme of the document; the paths come from the modules.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "执法 Zhifa API",
        description = "行政执法基础数据接口：数据标准、标识符校验、法定工作日历、行政区划、执法主体、执法人员、执法证、执法事项、裁量基准、法律法规与变更记录。写操作需要 API 令牌（请求头 Authorization: Bearer 加令牌）。错误统一为 {\"error\":{\"code\",\"message\",\"rule\",\"fields\"}}。",
    ),
    tags(
        (name = "health", description = "健康检查"),
        (name = "standard", description = "数据标准（数据元和代码集）"),
        (name = "check", description = "标识符校验"),
        (name = "calendar", description = "法定工作日历"),
        (name = "regions", description = "行政区划"),
        (name = "subjects", description = "执法主体"),
        (name = "officers", description = "执法人员"),
        (name = "certificates", description = "执法证"),
        (name = "powers", description = "执法事项（权责清单）"),
        (name = "benchmarks", description = "裁量基准"),
        (name = "laws", description = "法律法规"),
        (name = "changes", description = "变更记录"),
        (name = "ledger", description = "全过程记录账本：检查点、公钥与证明"),
        (name = "evidence", description = "证据文件（按 SM3 内容寻址）"),
        (name = "cases", description = "执法办案：案件、办案指令、法定期限、执法文书、办案规则参数"),
        (name = "supervision", description = "执法监督：预警规则、监督线索及其处置闭环（指派、监督意见书、整改、反馈、核查销号、屏蔽）"),
        (name = "complaints", description = "投诉举报：公开登记与查询、分派、受理、办结、答复、统计、办理期限参数"),
        (name = "imports", description = "数据导入（汇聚）：部门系统按映射文件上传导出文件、导入批次与校验报告（仅系统管理员）"),
        (name = "outbox", description = "数据报送（一次报送，多头应用）：接收方、投递记录、回执与重试（仅系统管理员）"),
        (name = "supervision", description = "执法监督：统计（按地区、执法主体、领域、月份）、效能评价指标与排名（执法监督人员、系统管理员）"),
    ),
    components(schemas(ErrorBody, ErrorDetail, FieldErrorBody)),
    modifiers(&SecurityAddon),
)]
struct ApiDoc;

/// The OpenAPI document of the whole API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    for part in [
        health::Doc::openapi(),
        standard::Doc::openapi(),
        check::Doc::openapi(),
        calendar::Doc::openapi(),
        regions::Doc::openapi(),
        subjects::Doc::openapi(),
        officers::Doc::openapi(),
        certificates::Doc::openapi(),
        powers::Doc::openapi(),
        benchmarks::Doc::openapi(),
        laws::Doc::openapi(),
        changes::Doc::openapi(),
        ledger::Doc::openapi(),
        evidence::Doc::openapi(),
        cases::Doc::openapi(),
        outbox::Doc::openapi(),
        alerts::Doc::openapi(),
        complaints::Doc::openapi(),
        supervision_stats::Doc::openapi(),
        imports::Doc::openapi(),
    ] {
        doc.merge(part);
    }
    doc
}
