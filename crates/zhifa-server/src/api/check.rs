//! `/api/v1/check/{kind}/{value}`: check one identifier against its standard (F1) and say
//! what it encodes. An invalid value is a normal answer (`200`, `valid: false` with the broken
//! rule), not an HTTP error.

use axum::Router;
use axum::routing::get;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
use zhifa_domain::Invalid;
use zhifa_domain::ids::{CertificateNumber, CitizenId, Uscc};
use zhifa_domain::region::{RegionCode, RegionTable};

use super::docs::ReadErrors;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path};
use crate::state::AppState;
use crate::web::labels;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/check/{kind}/{value}", get(check))
}

/// The OpenAPI part of this module.
#[derive(OpenApi)]
#[openapi(paths(check))]
pub struct Doc;

/// Kinds of identifier that can be checked.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// 统一社会信用代码 (GB 32100-2015).
    Uscc,
    /// 公民身份号码 (GB 11643-1999).
    Idcard,
    /// 行政区划代码 (GB/T 2260).
    Region,
    /// 执法证号 (Zhifa 数据标准 ZF-1.0).
    CertNo,
}

/// Outcome of a check.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckResult {
    /// Whether the value passed every rule.
    pub valid: bool,
    /// The value in canonical form (upper case; 15-digit citizen IDs converted to 18).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub normalized: Option<String>,
    /// What the value encodes (valid values only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<CheckDetails>,
    /// The broken rule (invalid values only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<CheckError>,
}

/// The rule a value broke.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckError {
    /// Stable machine code, e.g. `uscc.check_char`.
    pub code: String,
    /// The standard the rule comes from.
    pub rule: String,
    /// Chinese message.
    pub message: String,
}

/// What a valid identifier encodes; only the parts that apply to its kind are present.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct CheckDetails {
    /// GB/T 2260 region code contained in the value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_code: Option<String>,
    /// Written full name of that region, when it is in the current table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_name: Option<String>,
    /// Region level (`province`, `city`, `county`, `township`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// Parent region code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Birth date (citizen ID).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// Sex, 男 or 女 (citizen ID).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    /// Masked form for display (citizen ID).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked: Option<String>,
    /// Registration authority code, position 1 (USCC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_authority: Option<String>,
    /// Organisation category code, position 2 (USCC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Organisation code (GB 11714), positions 9–17 (USCC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_code: Option<String>,
    /// Enforcement field code (certificate number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_code: Option<String>,
    /// Enforcement field name (certificate number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_name: Option<String>,
    /// Sequence number (certificate number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u32>,
}

/// 校验标识符 — check a unified social credit code, citizen ID, region code or certificate
/// number. Invalid values answer `valid: false` with the rule they break.
#[utoipa::path(
    get, path = "/api/v1/check/{kind}/{value}", tag = "check",
    params(
        ("kind" = CheckKind, Path, description = "标识符种类：uscc、idcard、region、cert_no"),
        ("value" = String, Path, description = "待校验的值"),
    ),
    responses((status = 200, description = "校验结果", body = CheckResult), ReadErrors)
)]
pub async fn check(Path((kind, value)): Path<(String, String)>) -> ApiResult<Json<CheckResult>> {
    let outcome = match kind.as_str() {
        "uscc" => Uscc::parse(&value).map(uscc_details),
        "idcard" => CitizenId::parse(&value).map(citizen_id_details),
        "region" => RegionCode::parse(&value).map(region_details),
        "cert_no" => CertificateNumber::parse(&value).map(cert_no_details),
        other => {
            return Err(ApiError::not_found(format!(
                "不支持的校验类型：{other}（支持 uscc、idcard、region、cert_no）"
            )));
        }
    };
    Ok(Json(match outcome {
        Ok((normalized, details)) => CheckResult {
            valid: true,
            normalized: Some(normalized),
            details: Some(details),
            error: None,
        },
        Err(Invalid {
            code,
            rule,
            message,
        }) => CheckResult {
            valid: false,
            normalized: None,
            details: None,
            error: Some(CheckError {
                code: code.to_string(),
                rule: rule.to_string(),
                message,
            }),
        },
    }))
}

fn region_name(code: &str) -> Option<String> {
    RegionTable::builtin().full_name(code)
}

fn uscc_details(uscc: Uscc) -> (String, CheckDetails) {
    let details = CheckDetails {
        region_code: Some(uscc.region_code().to_string()),
        region_name: region_name(uscc.region_code()),
        registration_authority: Some(uscc.registration_authority().to_string()),
        category: Some(uscc.category().to_string()),
        org_code: Some(uscc.org_code().to_string()),
        ..CheckDetails::default()
    };
    (uscc.as_str().to_string(), details)
}

fn citizen_id_details(id: CitizenId) -> (String, CheckDetails) {
    let details = CheckDetails {
        region_code: Some(id.region_code().to_string()),
        region_name: region_name(id.region_code()),
        birth_date: Some(id.birth_date().to_string()),
        sex: Some(id.sex().zh().to_string()),
        masked: Some(id.masked()),
        ..CheckDetails::default()
    };
    (id.as_str().to_string(), details)
}

fn region_details(code: RegionCode) -> (String, CheckDetails) {
    let region = code.region();
    let details = CheckDetails {
        region_code: Some(region.code.clone()),
        region_name: Some(code.full_name()),
        level: Some(labels::region_level(region.level).to_string()),
        parent: region.parent.clone(),
        ..CheckDetails::default()
    };
    (code.as_str().to_string(), details)
}

fn cert_no_details(number: CertificateNumber) -> (String, CheckDetails) {
    let details = CheckDetails {
        region_code: Some(number.region_code().to_string()),
        region_name: region_name(number.region_code()),
        field_code: Some(number.field_code().to_string()),
        field_name: labels::code_name("enforcement_field", number.field_code()).map(str::to_string),
        sequence: Some(number.sequence()),
        ..CheckDetails::default()
    };
    (number.as_str().to_string(), details)
}
