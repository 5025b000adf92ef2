//! `/supervision/annual` (行政执法数据年度统计, D5; 国办发〔2018〕118号: the previous year's
//! figures published by 31 January): the report per type — 许可, 处罚, 强制, 征收, 征用,
//! 检查 — for a region or an agency, as a page and as `.csv` / `.xlsx` downloads.
//!
//! Only what this node holds is counted: penalty cases, coercive measures and inspection
//! records of the case log. Licensing, levies and requisition are handled in other systems:
//! for them the report gives the power catalogue and says plainly that the handling data is
//! not held here — no number is invented.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use zhifa_store::stats_model::{AnnualAgencyRow, AnnualReport};

use super::{Crumb, crumbs, href, require, target_label};
use crate::auth::SignedIn;
use crate::error::ApiError;
use crate::sheets::{self, Cell, Sheet};
use crate::state::AppState;
use crate::supervision_stats::StatsParams;
use crate::web::labels::region_name;
use crate::web::member::Me;
use crate::web::{PageError, PageQuery, PageResult, render};

/// The routes of the annual statistics.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/supervision/annual", get(page))
        .route("/supervision/annual.csv", get(csv))
        .route("/supervision/annual.xlsx", get(xlsx))
}

/// What is said for the types whose handling data is not on this node.
const NOT_HELD: &str =
    "本节点不掌握该类行政执法行为的办理数据（由相应业务系统办理），未作统计，不作估算。";

/// One line of the report.
pub struct Line {
    /// 类别.
    pub category: &'static str,
    /// 项目.
    pub item: String,
    /// 数值 (`None`: not held).
    pub value: Option<Cell>,
    /// 说明.
    pub note: String,
}

fn powers(r: &AnnualReport, code: &str) -> i64 {
    r.powers
        .iter()
        .find(|p| p.category == code)
        .map_or(0, |p| p.count)
}

/// The lines of the report, by type.
pub fn lines(r: &AnnualReport) -> Vec<Line> {
    let line = |category, item: &str, value: Option<Cell>, note: &str| Line {
        category,
        item: item.to_string(),
        value,
        note: note.to_string(),
    };
    let catalogue =
        "本节点职权清单中在用的事项数（职权清单不分地区；按执法主体统计时为其执法领域）。";
    let p = &r.penalty;
    let c = &r.coercion;
    vec![
        line("行政许可", "办理数量", None, NOT_HELD),
        line(
            "行政许可",
            "职权清单事项数",
            Some(Cell::Int(powers(r, "01"))),
            catalogue,
        ),
        line(
            "行政处罚",
            "立案数",
            Some(Cell::Int(p.filed)),
            "按立案日期。",
        ),
        line(
            "行政处罚",
            "作出行政处罚决定数",
            Some(Cell::Int(p.penalty_decisions)),
            "含当场处罚决定；按决定日期。",
        ),
        line(
            "行政处罚",
            "其中：当场处罚（简易程序）",
            Some(Cell::Int(p.on_spot)),
            "《行政处罚法》第五十一条。",
        ),
        line(
            "行政处罚",
            "不予行政处罚决定数",
            Some(Cell::Int(p.no_penalty_decisions)),
            "《行政处罚法》第三十三条、第五十七条。",
        ),
        line(
            "行政处罚",
            "罚款金额（元）",
            Some(Cell::Yuan(p.fines)),
            "决定的罚款数额。",
        ),
        line(
            "行政处罚",
            "没收违法所得、非法财物金额（元）",
            Some(Cell::Yuan(p.confiscations)),
            "决定的没收金额。",
        ),
        line(
            "行政处罚",
            "经听证的决定数",
            Some(Cell::Int(p.hearings)),
            "当事人要求听证或已举行听证（《行政处罚法》第六十三条）。",
        ),
        line(
            "行政处罚",
            "经法制审核的决定数",
            Some(Cell::Int(p.reviewed)),
            "《行政处罚法》第五十八条。",
        ),
        line(
            "行政处罚",
            "已公示的决定数",
            Some(Cell::Int(p.published)),
            "《行政处罚法》第四十八条。",
        ),
        line(
            "行政处罚",
            "结案数",
            Some(Cell::Int(p.closed)),
            "按结案日期。",
        ),
        line(
            "行政处罚",
            "职权清单事项数",
            Some(Cell::Int(powers(r, "02"))),
            catalogue,
        ),
        line(
            "行政强制",
            "查封场所、设施或者财物",
            Some(Cell::Int(c.sealed)),
            "《行政强制法》第二十四条；按实施日期。",
        ),
        line(
            "行政强制",
            "扣押财物",
            Some(Cell::Int(c.detained)),
            "《行政强制法》第二十四条；按实施日期。",
        ),
        line(
            "行政强制",
            "先行登记保存证据",
            Some(Cell::Int(c.preserved)),
            "《行政处罚法》第五十六条规定的证据保全措施，单列；按批准日期。",
        ),
        line(
            "行政强制",
            "其他行政强制措施、行政强制执行",
            None,
            "本节点办案记录仅含查封、扣押和先行登记保存，其他措施和强制执行未作统计。",
        ),
        line(
            "行政强制",
            "职权清单事项数",
            Some(Cell::Int(powers(r, "03"))),
            catalogue,
        ),
        line("行政征收", "办理数量", None, NOT_HELD),
        line(
            "行政征收",
            "职权清单事项数",
            Some(Cell::Int(powers(r, "04"))),
            catalogue,
        ),
        line(
            "行政征用",
            "办理数量",
            None,
            "本节点不掌握行政征用的办理数据；数据标准 ZF-1.0 职权类别代码集未单列“行政征用”，职权清单中无对应类别。",
        ),
        line(
            "行政检查",
            "现场检查笔录数",
            Some(Cell::Int(r.inspections.records)),
            "办案过程中制作的现场检查笔录，按笔录日期；未纳入案件的日常检查不在本节点。",
        ),
        line(
            "行政检查",
            "涉及案件数",
            Some(Cell::Int(r.inspections.cases)),
            "有现场检查笔录的案件数。",
        ),
        line(
            "行政检查",
            "职权清单事项数",
            Some(Cell::Int(powers(r, "06"))),
            catalogue,
        ),
    ]
}

/// Headers and cells of the per-agency table.
fn agency_header() -> Vec<String> {
    [
        "执法主体",
        "行政区划",
        "立案",
        "处罚决定",
        "当场处罚",
        "不予处罚",
        "罚款（元）",
        "没收（元）",
        "听证",
        "法制审核",
        "公示",
        "结案",
        "查封",
        "扣押",
        "先行登记保存",
        "现场检查笔录",
        "检查涉及案件",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn agency_cells(a: &AnnualAgencyRow) -> Vec<Cell> {
    let p = &a.penalty;
    vec![
        Cell::text(a.agency_name.clone()),
        Cell::text(region_name(&a.region_code)),
        Cell::Int(p.filed),
        Cell::Int(p.penalty_decisions),
        Cell::Int(p.on_spot),
        Cell::Int(p.no_penalty_decisions),
        Cell::Yuan(p.fines),
        Cell::Yuan(p.confiscations),
        Cell::Int(p.hearings),
        Cell::Int(p.reviewed),
        Cell::Int(p.published),
        Cell::Int(p.closed),
        Cell::Int(a.coercion.sealed),
        Cell::Int(a.coercion.detained),
        Cell::Int(a.coercion.preserved),
        Cell::Int(a.inspections.records),
        Cell::Int(a.inspections.cases),
    ]
}

/// The publication deadline of a year's report and what it means today.
fn deadline(year: i32, today: NaiveDate) -> (String, String) {
    let due = NaiveDate::from_ymd_opt(year + 1, 1, 31).unwrap_or(today);
    let status = if today > due {
        format!("已过公开期限 {due}")
    } else if today.year() <= year {
        format!("统计年度尚未结束，应于 {due} 前公开")
    } else {
        format!("应于 {due} 前公开，还有 {} 天", (due - today).num_days())
    };
    (due.to_string(), status)
}

struct LineView {
    category: &'static str,
    first: bool,
    span: usize,
    item: String,
    value: String,
    held: bool,
    note: String,
}

#[derive(Template)]
#[template(path = "supervision_annual.html")]
struct AnnualPage {
    me: Me,
    title: String,
    crumbs: Vec<Crumb>,
    year: i32,
    years: Vec<(i32, bool)>,
    hidden: Vec<(&'static str, String)>,
    deadline_status: String,
    lines: Vec<LineView>,
    header: Vec<String>,
    agencies: Vec<Vec<String>>,
    csv_href: String,
    xlsx_href: String,
}

/// The report of the parameters' `year` (default: last year) within the caller's scope.
async fn report(
    state: &AppState,
    me: &SignedIn,
    params: &StatsParams,
) -> Result<(AnnualReport, String), PageError> {
    require(me)?;
    let today = crate::cases::today();
    let year = match params
        .year
        .as_deref()
        .map(str::trim)
        .filter(|y| !y.is_empty())
    {
        Some(y) => y.parse::<i32>().map_err(|_| {
            PageError(
                ApiError::new(
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    "stats.year",
                    format!("统计年度“{y}”应为四位数字"),
                )
                .with_field("year", "Zhifa 执法监督统计"),
            )
        })?,
        None => today.year() - 1,
    };
    let yearly = StatsParams {
        year: Some(year.to_string()),
        from: None,
        to: None,
        ..params.clone()
    };
    let q = yearly.query(today)?;
    let r = state.store.annual_report_in(&me.scope, &q, year).await?;
    let label = target_label(state, &r.target).await?;
    Ok((r, label))
}

fn params_of(r: &AnnualReport) -> Vec<(&'static str, String)> {
    vec![
        ("year", r.year.to_string()),
        ("region", r.target.region_code.clone().unwrap_or_default()),
        ("agency", r.target.agency_id.clone().unwrap_or_default()),
        ("field", r.target.field.clone().unwrap_or_default()),
    ]
}

/// `GET /supervision/annual`.
async fn page(
    State(state): State<AppState>,
    me: SignedIn,
    PageQuery(params): PageQuery<StatsParams>,
) -> PageResult {
    let (r, title) = report(&state, &me, &params).await?;
    let today = crate::cases::today();
    let all = lines(&r);
    let views = all
        .iter()
        .enumerate()
        .map(|(i, l)| LineView {
            category: l.category,
            first: i == 0 || all[i - 1].category != l.category,
            span: all.iter().filter(|x| x.category == l.category).count(),
            item: l.item.clone(),
            value: l
                .value
                .as_ref()
                .map_or_else(|| "未掌握".to_string(), Cell::display),
            held: l.value.is_some(),
            note: l.note.clone(),
        })
        .collect();
    let agency = match &r.target.agency_id {
        Some(_) => r
            .agencies
            .first()
            .map(|a| (a.agency_name.as_str(), a.region_code.as_str())),
        None => None,
    };
    let (_, deadline_status) = deadline(r.year, today);
    let pairs = params_of(&r);
    let hidden = pairs
        .iter()
        .filter(|(k, v)| *k != "year" && !v.is_empty())
        .cloned()
        .collect();
    let page = AnnualPage {
        me: Me::of(&me),
        crumbs: crumbs(
            "/supervision/annual",
            &me.scope,
            &r.target,
            agency,
            &[("year", r.year.to_string())],
        ),
        year: r.year,
        years: (1..=6)
            .map(|k| today.year() - k + 1)
            .map(|y| (y, y == r.year))
            .collect(),
        hidden,
        deadline_status,
        lines: views,
        header: agency_header(),
        agencies: r
            .agencies
            .iter()
            .map(|a| agency_cells(a).iter().map(Cell::display).collect())
            .collect(),
        csv_href: href("/supervision/annual.csv", &pairs),
        xlsx_href: href("/supervision/annual.xlsx", &pairs),
        title,
    };
    Ok(render(&page))
}

/// The report as download sheets: the lines by type, and one line per agency.
fn sheets_of(r: &AnnualReport, label: &str) -> Vec<Sheet> {
    let title = format!("{label} {} 年度行政执法数据统计", r.year);
    let (due, _) = deadline(r.year, crate::cases::today());
    vec![
        Sheet {
            name: "年度统计".into(),
            title: title.clone(),
            header: vec!["类别".into(), "项目".into(), "数值".into(), "说明".into()],
            rows: lines(r)
                .into_iter()
                .map(|l| {
                    vec![
                        Cell::text(l.category),
                        Cell::text(l.item),
                        l.value.unwrap_or_else(|| Cell::text("未掌握")),
                        Cell::text(l.note),
                    ]
                })
                .collect(),
            notes: vec![format!(
                "按照国办发〔2018〕118号，年度行政执法数据应于次年 1 月 31 日前公开（本年度：{due} 前；期限为默认值）。"
            )],
        },
        Sheet {
            name: "分执法主体".into(),
            title: format!("{title}（分执法主体）"),
            header: agency_header(),
            rows: r.agencies.iter().map(agency_cells).collect(),
            notes: Vec::new(),
        },
    ]
}

/// `GET /supervision/annual.csv`.
async fn csv(
    State(state): State<AppState>,
    me: SignedIn,
    PageQuery(params): PageQuery<StatsParams>,
) -> Result<Response, PageError> {
    let (r, label) = report(&state, &me, &params).await?;
    Ok(sheets::download(
        sheets::to_csv(&sheets_of(&r, &label)),
        sheets::CSV_TYPE,
        &format!("annual-{}.csv", r.year),
        &format!("{label}{}年度行政执法数据统计.csv", r.year),
    ))
}

/// `GET /supervision/annual.xlsx`.
async fn xlsx(
    State(state): State<AppState>,
    me: SignedIn,
    PageQuery(params): PageQuery<StatsParams>,
) -> Result<Response, PageError> {
    let (r, label) = report(&state, &me, &params).await?;
    let bytes =
        sheets::to_xlsx(&sheets_of(&r, &label)).map_err(|e| PageError(ApiError::internal(e)))?;
    Ok(sheets::download(
        bytes,
        sheets::XLSX_TYPE,
        &format!("annual-{}.xlsx", r.year),
        &format!("{label}{}年度行政执法数据统计.xlsx", r.year),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_of_d5() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(
            deadline(2025, d("2026-01-10")),
            (
                "2026-01-31".into(),
                "应于 2026-01-31 前公开，还有 21 天".into()
            )
        );
        assert_eq!(deadline(2025, d("2026-02-01")).1, "已过公开期限 2026-01-31");
        assert_eq!(
            deadline(2026, d("2026-06-01")).1,
            "统计年度尚未结束，应于 2027-01-31 前公开"
        );
    }
}
