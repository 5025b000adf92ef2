//! `/api/v1/calendar`: the legal working-day calendar (法定工作日历) — is a day a working day,
//! when does a period end, how many working days lie between two dates (行政处罚法 第八十五条,
//! 行政强制法 第六十九条). Results that consult a year without an official table are marked
//! `provisional`.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use zhifa_domain::calendar::LegalCalendar;
use zhifa_domain::time::ChinaDate;

use super::docs::ListErrors;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Query};
use crate::state::AppState;

/// Longest period `add` computes, in days (ten years).
const MAX_DAYS: u32 = 3660;
/// Longest span `between` counts over, in days (about a century).
const MAX_SPAN_DAYS: i64 = 36_600;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/calendar/day", get(day))
        .route("/api/v1/calendar/add", get(add))
        .route("/api/v1/calendar/between", get(between))
}

/// The OpenAPI part of this module.
#[derive(OpenApi)]
#[openapi(paths(day, add, between))]
pub struct Doc;

/// Parameters of `day`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct DayQuery {
    /// Date (`2026-01-05`, `2026/1/5`, `2026年1月5日`, `20260105`).
    pub date: String,
}

/// Whether a day is a working day.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayAnswer {
    /// The date (ISO).
    pub date: String,
    /// 星期几.
    pub weekday: String,
    /// Whether it is a working day (工作日).
    pub working_day: bool,
    /// The festival of a listed holiday or make-up workday, e.g. `Spring Festival`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub festival: Option<String>,
    /// True if the year has no official table yet (weekends-only rule applied).
    pub provisional: bool,
}

/// Unit of a period.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Working days (工作日; periods of ten days or less in APL/ACL).
    #[default]
    Working,
    /// Calendar days (自然日); a last day that is not a working day rolls forward.
    Calendar,
}

/// Parameters of `add`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct AddQuery {
    /// Date of the triggering act (the period starts the day after).
    pub date: String,
    /// Length of the period (0–3660).
    pub days: u32,
    /// `working` (default) or `calendar`.
    #[serde(default)]
    #[param(inline)]
    pub unit: Unit,
}

/// The last day of a period (期限届满日).
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineAnswer {
    /// The last day (ISO).
    pub deadline: String,
    /// 星期几 of the last day.
    pub weekday: String,
    /// The nominal last day when it was not a working day and the deadline rolled forward.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rolled_from: Option<String>,
    /// True if a year without an official table was consulted.
    pub provisional: bool,
}

/// Parameters of `between`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct BetweenQuery {
    /// First date (not counted).
    pub from: String,
    /// Last date (counted).
    pub to: String,
}

/// A number of working days.
#[derive(Debug, Serialize, ToSchema)]
pub struct BetweenAnswer {
    /// Working days `d` with `from < d ≤ to` (0 if `to ≤ from`).
    pub working_days: u32,
    /// True if a year without an official table was consulted.
    pub provisional: bool,
}

fn parse_date(field: &str, value: &str) -> ApiResult<NaiveDate> {
    ChinaDate::parse(value)
        .map(ChinaDate::date)
        .map_err(|e| ApiError::invalid(field, e))
}

fn weekday_zh(d: NaiveDate) -> String {
    [
        "星期一",
        "星期二",
        "星期三",
        "星期四",
        "星期五",
        "星期六",
        "星期日",
    ][d.weekday().num_days_from_monday() as usize]
        .to_string()
}

fn calendar(state: &AppState) -> ApiResult<std::sync::RwLockReadGuard<'_, LegalCalendar>> {
    state
        .calendar
        .read()
        .map_err(|_| ApiError::internal("legal calendar lock poisoned"))
}

/// 是否工作日 — whether a date is a working day.
#[utoipa::path(
    get, path = "/api/v1/calendar/day", tag = "calendar",
    params(DayQuery),
    responses((status = 200, description = "该日是否工作日", body = DayAnswer), ListErrors)
)]
pub async fn day(
    State(state): State<AppState>,
    Query(q): Query<DayQuery>,
) -> ApiResult<Json<DayAnswer>> {
    let date = parse_date("date", &q.date)?;
    let calendar = calendar(&state)?;
    let working = calendar.is_working_day(date);
    Ok(Json(DayAnswer {
        date: date.to_string(),
        weekday: weekday_zh(date),
        working_day: working.value,
        festival: calendar.festival(date).map(str::to_string),
        provisional: working.provisional,
    }))
}

/// 计算期限 — the last day of a period of `days` working or calendar days after `date`.
#[utoipa::path(
    get, path = "/api/v1/calendar/add", tag = "calendar",
    params(AddQuery),
    responses((status = 200, description = "期限届满日", body = DeadlineAnswer), ListErrors)
)]
pub async fn add(
    State(state): State<AppState>,
    Query(q): Query<AddQuery>,
) -> ApiResult<Json<DeadlineAnswer>> {
    let date = parse_date("date", &q.date)?;
    if q.days > MAX_DAYS {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "calendar.days",
            format!("期间天数不能超过 {MAX_DAYS} 天"),
        )
        .with_field("days", "Zhifa API"));
    }
    let calendar = calendar(&state)?;
    let deadline = match q.unit {
        Unit::Working => calendar.add_working_days(date, q.days),
        Unit::Calendar => calendar.add_calendar_days(date, q.days),
    };
    Ok(Json(DeadlineAnswer {
        deadline: deadline.date.to_string(),
        weekday: weekday_zh(deadline.date),
        rolled_from: deadline.rolled_from.map(|d| d.to_string()),
        provisional: deadline.provisional,
    }))
}

/// 工作日天数 — the number of working days after `from` up to and including `to`.
#[utoipa::path(
    get, path = "/api/v1/calendar/between", tag = "calendar",
    params(BetweenQuery),
    responses((status = 200, description = "工作日天数", body = BetweenAnswer), ListErrors)
)]
pub async fn between(
    State(state): State<AppState>,
    Query(q): Query<BetweenQuery>,
) -> ApiResult<Json<BetweenAnswer>> {
    let from = parse_date("from", &q.from)?;
    let to = parse_date("to", &q.to)?;
    if (to - from).num_days() > MAX_SPAN_DAYS {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "calendar.span",
            format!("起止日期相隔不能超过 {MAX_SPAN_DAYS} 天"),
        )
        .with_field("to", "Zhifa API"));
    }
    let count = calendar(&state)?.working_days_between(from, to);
    Ok(Json(BetweenAnswer {
        working_days: count.value,
        provisional: count.provisional,
    }))
}
