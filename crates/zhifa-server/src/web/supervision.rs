//! `/supervision` (可视化运行监控, F11/F14): the supervisor's dashboard. It drills down
//! province → city → county → agency → the agency's cases, with breadcrumbs; shows tiles
//! (counts, amounts, alerts), SVG charts rendered here (monthly trend, the breakdown, fields,
//! alerts by rule) beside tables of the same figures, and a period selector (year or
//! from–to). `/supervision.csv` and `/supervision.xlsx` download the same figures.
//!
//! Supervisors see their region and below, administrators everything; other roles get 403.
//! Submodules: [`indicators`] (效能评价, `/supervision/indicators`) and [`annual`] (D5 年度
//! 统计, `/supervision/annual`).

pub mod annual;
pub mod indicators;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use chrono::Datelike;
use zhifa_domain::region::RegionTable;
use zhifa_store::Scope;
use zhifa_store::case_model::CaseFilter;
use zhifa_store::scope::region_prefix;
use zhifa_store::stats_model::{Breakdown, Metrics, StatsRow, StatsTarget};

use super::cases::CaseRow;
use super::labels::{code_label, region_name, yuan};
use super::member::Me;
use super::{PageError, PageQuery, PageResult, render};
use crate::auth::SignedIn;
use crate::charts::{self, Bar, Caption, Series};
use crate::error::ApiError;
use crate::sheets::{self, Cell, Sheet};
use crate::state::AppState;
use crate::supervision_stats::{
    self as stats, Dashboard, METRIC_COLUMNS, METRIC_NOTES, StatsParams,
};

/// The routes of the supervision pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/supervision", get(page))
        .route("/supervision.csv", get(csv))
        .route("/supervision.xlsx", get(xlsx))
        .merge(indicators::routes())
        .merge(annual::routes())
}

/// Refuses every role but supervisors and administrators (403 page).
pub(crate) fn require(me: &SignedIn) -> Result<(), PageError> {
    stats::require_supervisor(Some(me.user()), &me.scope).map_err(PageError)
}

/// An address with query parameters (empty values left out).
pub(crate) fn href(path: &str, pairs: &[(&str, String)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        q.append_pair(k, v);
    }
    let q = q.finish();
    if q.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{q}")
    }
}

/// The canonical code of a region key of a breakdown (`4401` → `440100`).
pub(crate) fn canonical_of(key: &str) -> String {
    if key.len() < 6 {
        format!("{key:0<6}")
    } else {
        key.to_string()
    }
}

/// One step of the breadcrumbs.
pub(crate) struct Crumb {
    /// Label.
    pub label: String,
    /// Link (none for the current step).
    pub href: Option<String>,
}

/// The name of what a target covers: the agency, else the region (全国 for everything), with
/// the field when narrowed to one.
pub(crate) async fn target_label(state: &AppState, t: &StatsTarget) -> Result<String, PageError> {
    let mut label = match (&t.agency_id, &t.region_code) {
        (Some(a), _) => state.store.get_subject(a).await?.name,
        (None, Some(code)) => region_name(code),
        (None, None) => "全国".to_string(),
    };
    if let Some(f) = &t.field {
        label.push_str(&format!("（{}）", code_label("enforcement_field", f)));
    }
    Ok(label)
}

/// The name and region code of the target's agency, if it is about one.
pub(crate) async fn agency_of(
    state: &AppState,
    t: &StatsTarget,
) -> Result<Option<(String, String)>, PageError> {
    Ok(match &t.agency_id {
        Some(a) => {
            let s = state.store.get_subject(a).await?;
            Some((s.name, s.region_code))
        }
        None => None,
    })
}

/// Breadcrumbs from the top of the caller's scope down to the target: 全国 (administrators) or
/// the supervisor's region, the regions between, the target region (for an agency: the
/// regions down to the agency's), the agency.
pub(crate) fn crumbs(
    path: &str,
    scope: &Scope,
    t: &StatsTarget,
    agency: Option<(&str, &str)>,
    period: &[(&'static str, String)],
) -> Vec<Crumb> {
    let table = RegionTable::builtin();
    let root = match scope {
        Scope::Region(p) => p.clone(),
        _ => String::new(),
    };
    let link = |region: Option<&str>| {
        let mut pairs = period.to_vec();
        if let Some(r) = region {
            pairs.push(("region", r.to_string()));
        }
        href(path, &pairs)
    };
    let mut out = Vec::new();
    if root.is_empty() {
        out.push(Crumb {
            label: "全国".into(),
            href: Some(link(None)),
        });
    }
    let region = agency
        .map(|(_, r)| r.to_string())
        .or_else(|| t.region_code.clone());
    if let Some(code) = &region {
        let mut chain: Vec<&str> = table
            .ancestors(code)
            .iter()
            .rev()
            .map(|r| r.code.as_str())
            .collect();
        chain.push(code);
        for c in chain {
            if region_prefix(c).len() >= root.len() && region_prefix(c).starts_with(&root) {
                out.push(Crumb {
                    label: table
                        .get(c)
                        .map_or_else(|| c.to_string(), |r| r.name.clone()),
                    href: Some(link(Some(c))),
                });
            }
        }
    }
    if let Some((name, _)) = agency {
        out.push(Crumb {
            label: name.to_string(),
            href: None,
        });
    }
    if let Some(last) = out.last_mut() {
        last.href = None;
    }
    out
}

/// A tile of the dashboard.
struct Tile {
    label: &'static str,
    value: String,
    note: String,
    css: &'static str,
}

/// A breakdown row as the table shows it.
struct RowView {
    label: String,
    href: Option<String>,
    cells: Vec<String>,
}

/// A tab of the breakdown.
struct Tab {
    label: &'static str,
    href: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "supervision_dashboard.html")]
struct DashboardPage {
    me: Me,
    title: String,
    crumbs: Vec<Crumb>,
    from: String,
    to: String,
    period: PeriodForm,
    scope_label: String,
    tiles: Vec<Tile>,
    trend_svg: String,
    tabs: Vec<Tab>,
    by_label: &'static str,
    breakdown_svg: String,
    headers: Vec<&'static str>,
    rows: Vec<RowView>,
    fields_svg: String,
    rules_svg: String,
    rules: Vec<zhifa_store::stats_model::RuleCount>,
    /// The alert list's filter for this target: `&region=…` or `&agency_id=…`.
    alerts_filter: String,
    notes: Vec<&'static str>,
    agency: Option<String>,
    cases: Vec<CaseRow>,
    cases_total: i64,
    cases_href: String,
    csv_href: String,
    xlsx_href: String,
    indicators_href: String,
    annual_href: String,
}

fn tiles(m: &Metrics) -> Vec<Tile> {
    let tile = |label, value: i64, note: String, css| Tile {
        label,
        value: value.to_string(),
        note,
        css,
    };
    vec![
        tile("受理", m.received, "案源登记与当场处罚".into(), ""),
        tile("立案", m.filed, String::new(), ""),
        tile("作出决定", m.decided, format!("已公示 {}", m.published), ""),
        Tile {
            label: "罚款金额",
            value: compact_yuan(m.fine.value()),
            note: yuan(m.fine.value()),
            css: "",
        },
        tile("结案", m.closed, String::new(), ""),
        tile("在办", m.open_now, String::new(), ""),
        tile(
            "当前超期",
            m.overdue,
            "已过法定期限".into(),
            if m.overdue > 0 { "bad" } else { "" },
        ),
        tile(
            "监督预警",
            m.alerts_total,
            format!("未销号 {}", m.alerts_open),
            if m.alerts_open > 0 { "warn" } else { "" },
        ),
        tile("现场检查笔录", m.inspections, String::new(), ""),
        tile(
            "执法主体",
            m.agencies,
            format!("零执法 {}", m.zero_agencies()),
            if m.zero_agencies() > 0 { "warn" } else { "" },
        ),
    ]
}

/// An amount for a tile: `1234.50 元` below 10,000 元, else `12.35 万元` (rounded half up, in
/// integer arithmetic).
pub(crate) fn compact_yuan(fen: i64) -> String {
    if fen < 1_000_000 {
        return yuan(fen);
    }
    // Hundredths of 万元 = 100 元 = 10,000 fen.
    let hundredths = (fen + 5_000) / 10_000;
    format!("{}.{:02} 万元", hundredths / 100, hundredths % 100)
}

/// Short x-axis labels of months: `3月` when the period is within one year, else `2025.11`.
pub(crate) fn month_labels(months: &[String]) -> Vec<String> {
    let years: std::collections::BTreeSet<&str> =
        months.iter().filter_map(|m| m.get(..4)).collect();
    months
        .iter()
        .map(|m| match (m.get(..4), m.get(5..7)) {
            (Some(_), Some(mm)) if years.len() == 1 => {
                format!("{}月", mm.trim_start_matches('0'))
            }
            (Some(y), Some(mm)) => format!("{y}.{mm}"),
            _ => m.clone(),
        })
        .collect()
}

/// Where a breakdown row drills to.
fn row_href(row: &StatsRow, period: &[(&'static str, String)], keep_field: &str) -> Option<String> {
    let mut pairs = period.to_vec();
    if !keep_field.is_empty() {
        pairs.push(("field", keep_field.to_string()));
    }
    if let Some(code) = &row.region_code {
        pairs.push(("region", code.clone()));
    } else if let Some(a) = &row.agency_id {
        pairs.push(("agency", a.clone()));
    } else if let Some(f) = &row.field {
        pairs.retain(|(k, _)| *k != "field");
        pairs.push(("field", f.clone()));
    } else {
        return None;
    }
    Some(href("/supervision", &pairs))
}

/// The period selector (`supervision_period.html`): a year, or from–to; the other
/// parameters of the page are kept as hidden fields.
pub(crate) struct PeriodForm {
    /// The page the form submits to.
    pub action: &'static str,
    /// Parameters kept (region, agency, field, by, unit).
    pub hidden: Vec<(&'static str, String)>,
    /// The last six years, the current one selected (unless a from–to period is shown).
    pub years: Vec<(i32, bool)>,
    /// First day shown.
    pub from: String,
    /// Last day shown.
    pub to: String,
}

impl PeriodForm {
    /// The selector of a page showing `q`.
    pub fn new(
        action: &'static str,
        params: &StatsParams,
        q: &zhifa_store::stats_model::StatsQuery,
        today: chrono::NaiveDate,
    ) -> Self {
        let custom = params.period_pairs(q).iter().any(|(k, _)| *k == "from");
        let year = q.from.year();
        let hidden = [
            ("region", &params.region),
            ("agency", &params.agency),
            ("field", &params.field),
            ("by", &params.by),
            ("unit", &params.unit),
        ]
        .into_iter()
        .filter_map(|(k, v)| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| (k, v.to_string()))
        })
        .collect();
        PeriodForm {
            action,
            hidden,
            years: (0..6)
                .map(|k| today.year() - k)
                .map(|y| (y, y == year && !custom))
                .collect(),
            from: q.from.to_string(),
            to: q.to.to_string(),
        }
    }
}

/// What every supervision page works out after its figures: the query, the period as address
/// parameters, the agency (name, region) when the target is one, and the parameters that keep
/// the target (period, region, field, agency) for links.
pub(crate) struct Frame {
    /// The statistics query.
    pub q: zhifa_store::stats_model::StatsQuery,
    /// `year=…` or `from=…&to=…`.
    pub period: Vec<(&'static str, String)>,
    /// The agency's name and region code.
    pub agency: Option<(String, String)>,
    /// Period, region, field and agency of the target.
    pub base: Vec<(&'static str, String)>,
}

impl Frame {
    /// The frame of a page showing target `t` for `params`.
    pub async fn of(
        state: &AppState,
        params: &StatsParams,
        today: chrono::NaiveDate,
        t: &StatsTarget,
    ) -> Result<Frame, PageError> {
        let q = params.query(today)?;
        let period = params.period_pairs(&q);
        let mut base = period.clone();
        base.push(("region", t.region_code.clone().unwrap_or_default()));
        base.push(("field", t.field.clone().unwrap_or_default()));
        base.push(("agency", t.agency_id.clone().unwrap_or_default()));
        Ok(Frame {
            agency: agency_of(state, t).await?,
            q,
            period,
            base,
        })
    }
}

/// `GET /supervision`.
async fn page(
    State(state): State<AppState>,
    me: SignedIn,
    PageQuery(params): PageQuery<StatsParams>,
) -> PageResult {
    require(&me)?;
    let today = crate::cases::today();
    let d = stats::dashboard(&state, &me.scope, &params, today).await?;
    let t = &d.target;
    let Frame {
        q,
        period,
        agency,
        base,
    } = Frame::of(&state, &params, today, t).await?;
    let title = target_label(&state, t).await?;
    let region = t.region_code.clone().unwrap_or_default();
    let field = t.field.clone().unwrap_or_default();
    let tabs = if t.agency_id.is_none() {
        [Breakdown::Regions, Breakdown::Agencies, Breakdown::Fields]
            .into_iter()
            .map(|b| {
                let mut pairs = base.clone();
                pairs.push(("by", b.code().to_string()));
                Tab {
                    label: b.zh(),
                    href: href("/supervision", &pairs),
                    current: d.by == Some(b),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let rows: Vec<RowView> = d
        .rows
        .iter()
        .map(|r| RowView {
            label: r.label.clone(),
            href: row_href(r, &period, &field),
            cells: METRIC_COLUMNS
                .iter()
                .map(|(_, f)| f(&r.metrics).display())
                .collect(),
        })
        .collect();
    // The breakdown chart: the busiest 15 units by cases received.
    let mut busiest: Vec<&StatsRow> = d.rows.iter().collect();
    busiest.sort_by_key(|r| std::cmp::Reverse(r.metrics.received));
    let bars: Vec<Bar> = busiest
        .iter()
        .take(15)
        .map(|r| Bar::count(r.label.clone(), r.metrics.received))
        .collect();
    let by_label = d.by.map_or("", Breakdown::zh);
    let breakdown_svg = charts::ranking_bars(
        Caption {
            id: "chart-breakdown",
            title: &format!("受理案件数（{by_label}，前 15 位）"),
            desc: "各单位统计期间受理的案件数，由多到少排列；数字见下表。",
        },
        &bars,
    );
    let (cases, cases_total) = match &t.agency_id {
        Some(a) => {
            super::cases::workbench_rows(
                &state,
                &me,
                CaseFilter {
                    agency_id: Some(a.clone()),
                    ..Default::default()
                },
            )
            .await?
        }
        None => (Vec::new(), 0),
    };
    let mut export = base.clone();
    export.push(("by", d.by.map(|b| b.code().to_string()).unwrap_or_default()));
    let alerts_filter = match (&t.agency_id, &t.region_code) {
        (Some(a), _) => format!("&agency_id={a}"),
        (None, Some(r)) => format!("&region={r}"),
        (None, None) => String::new(),
    };
    let page = DashboardPage {
        alerts_filter,
        me: Me::of(&me),
        crumbs: crumbs(
            "/supervision",
            &me.scope,
            t,
            agency.as_ref().map(|(n, r)| (n.as_str(), r.as_str())),
            &period,
        ),
        from: d.from.clone(),
        to: d.to.clone(),
        period: PeriodForm::new("/supervision", &params, &q, today),
        scope_label: me.scope.describe(),
        tiles: tiles(&d.totals),
        trend_svg: trend_chart(&d),
        tabs,
        by_label,
        breakdown_svg,
        headers: METRIC_COLUMNS.iter().map(|(h, _)| *h).collect(),
        rows,
        fields_svg: charts::bar_chart(
            Caption {
                id: "chart-fields",
                title: "按执法领域：受理案件数",
                desc: "各执法领域统计期间受理的案件数。",
            },
            &d.fields
                .iter()
                .map(|r| Bar::count(r.label.clone(), r.metrics.received))
                .collect::<Vec<_>>(),
        ),
        rules_svg: charts::ranking_bars(
            Caption {
                id: "chart-rules",
                title: "监督预警（按规则）",
                desc: "统计期间各预警规则产生的监督预警数。",
            },
            &d.alerts_by_rule
                .iter()
                .map(|r| Bar::count(r.rule_name.clone(), r.total))
                .collect::<Vec<_>>(),
        ),
        rules: d.alerts_by_rule.clone(),
        notes: METRIC_NOTES.to_vec(),
        agency: agency.map(|(n, _)| n),
        cases,
        cases_total,
        cases_href: href(
            "/cases",
            &[("agency_id", t.agency_id.clone().unwrap_or_default())],
        ),
        csv_href: href("/supervision.csv", &export),
        xlsx_href: href("/supervision.xlsx", &export),
        indicators_href: href("/supervision/indicators", &base),
        annual_href: href(
            "/supervision/annual",
            &[
                ("year", (today.year() - 1).to_string()),
                ("region", region),
                ("agency", t.agency_id.clone().unwrap_or_default()),
            ],
        ),
        title,
    };
    Ok(render(&page))
}

/// The monthly trend: received, filed, decided, closed.
fn trend_chart(d: &Dashboard) -> String {
    let labels = month_labels(&d.months.iter().map(|m| m.month.clone()).collect::<Vec<_>>());
    let series = |name: &str, f: fn(&zhifa_store::stats_model::MonthRow) -> i64| Series {
        name: name.to_string(),
        values: d.months.iter().map(|m| Some(f(m) as f64)).collect(),
    };
    charts::line_chart(
        Caption {
            id: "chart-trend",
            title: "月度趋势",
            desc: "统计期间每月受理、立案、作出决定和结案的案件数；数字见“导出”。",
        },
        &labels,
        &[
            series("受理", |m| m.received),
            series("立案", |m| m.filed),
            series("作出决定", |m| m.decided),
            series("结案", |m| m.closed),
        ],
        None,
    )
}

/// The dashboard as download sheets: overview, breakdown, months, fields, alerts by rule.
async fn sheets_of(
    state: &AppState,
    me: &SignedIn,
    params: &StatsParams,
) -> Result<Vec<Sheet>, PageError> {
    require(me)?;
    let today = crate::cases::today();
    let d = stats::dashboard(state, &me.scope, params, today).await?;
    let label = target_label(state, &d.target).await?;
    let title = |what: &str| format!("{label}{what}（{} 至 {}）", d.from, d.to);
    let notes: Vec<String> = METRIC_NOTES.iter().map(|n| n.to_string()).collect();
    let mut out = vec![Sheet {
        name: "概况".into(),
        title: title("执法监督统计"),
        header: vec!["指标".into(), "数值".into()],
        rows: METRIC_COLUMNS
            .iter()
            .map(|(h, f)| vec![Cell::text(*h), f(&d.totals)])
            .collect(),
        notes: notes.clone(),
    }];
    let table = |name: &str, rows: &[StatsRow]| Sheet {
        name: name.to_string(),
        title: title(name),
        header: std::iter::once("单位".to_string())
            .chain(METRIC_COLUMNS.iter().map(|(h, _)| h.to_string()))
            .collect(),
        rows: rows
            .iter()
            .map(|r| {
                std::iter::once(Cell::text(r.label.clone()))
                    .chain(METRIC_COLUMNS.iter().map(|(_, f)| f(&r.metrics)))
                    .collect()
            })
            .collect(),
        notes: notes.clone(),
    };
    if let Some(b) = d.by {
        out.push(table(b.zh(), &d.rows));
    }
    out.push(Sheet {
        name: "月度".into(),
        title: title("月度统计"),
        header: [
            "月份",
            "受理",
            "立案",
            "作出决定",
            "罚款（元）",
            "结案",
            "监督预警",
        ]
        .iter()
        .map(|h| h.to_string())
        .collect(),
        rows: d
            .months
            .iter()
            .map(|m| {
                vec![
                    Cell::text(m.month.clone()),
                    Cell::Int(m.received),
                    Cell::Int(m.filed),
                    Cell::Int(m.decided),
                    Cell::Yuan(m.fine),
                    Cell::Int(m.closed),
                    Cell::Int(m.alerts),
                ]
            })
            .collect(),
        notes: Vec::new(),
    });
    if d.by != Some(Breakdown::Fields) {
        out.push(table(Breakdown::Fields.zh(), &d.fields));
    }
    out.push(Sheet {
        name: "监督预警".into(),
        title: title("监督预警（按规则）"),
        header: vec!["规则".into(), "预警数".into(), "未销号".into()],
        rows: d
            .alerts_by_rule
            .iter()
            .map(|r| {
                vec![
                    Cell::text(r.rule_name.clone()),
                    Cell::Int(r.total),
                    Cell::Int(r.open),
                ]
            })
            .collect(),
        notes: Vec::new(),
    });
    Ok(out)
}

/// `GET /supervision.csv`.
async fn csv(
    State(state): State<AppState>,
    me: SignedIn,
    PageQuery(params): PageQuery<StatsParams>,
) -> Result<Response, PageError> {
    let sheets = sheets_of(&state, &me, &params).await?;
    Ok(sheets::download(
        sheets::to_csv(&sheets),
        sheets::CSV_TYPE,
        "supervision.csv",
        "执法监督统计.csv",
    ))
}

/// `GET /supervision.xlsx`.
async fn xlsx(
    State(state): State<AppState>,
    me: SignedIn,
    PageQuery(params): PageQuery<StatsParams>,
) -> Result<Response, PageError> {
    let sheets = sheets_of(&state, &me, &params).await?;
    let bytes = sheets::to_xlsx(&sheets).map_err(|e| PageError(ApiError::internal(e)))?;
    Ok(sheets::download(
        bytes,
        sheets::XLSX_TYPE,
        "supervision.xlsx",
        "执法监督统计.xlsx",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_and_axes_stay_short() {
        assert_eq!(compact_yuan(123_450), "1234.50 元");
        assert_eq!(compact_yuan(20_037_528_296), "20037.53 万元");
        assert_eq!(compact_yuan(1_000_000), "1.00 万元");
        let one = ["2026-01".to_string(), "2026-10".to_string()];
        assert_eq!(month_labels(&one), ["1月", "10月"]);
        let two = ["2025-12".to_string(), "2026-01".to_string()];
        assert_eq!(month_labels(&two), ["2025.12", "2026.01"]);
    }

    #[test]
    fn crumbs_start_at_the_scope() {
        let t = StatsTarget {
            prefix: "440106".into(),
            region_code: Some("440106".into()),
            agency_id: None,
            field: None,
        };
        let period = [("year", "2026".to_string())];
        let c = crumbs("/supervision", &Scope::region("440100"), &t, None, &period);
        let labels: Vec<&str> = c.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["广州市", "天河区"]);
        assert_eq!(
            c[0].href.as_deref(),
            Some("/supervision?year=2026&region=440100")
        );
        assert_eq!(c[1].href, None);
        let c = crumbs(
            "/supervision",
            &Scope::All,
            &t,
            Some(("某局", "440106")),
            &period,
        );
        let labels: Vec<&str> = c.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["全国", "广东省", "广州市", "天河区", "某局"]);
        assert_eq!(c[0].href.as_deref(), Some("/supervision?year=2026"));
        assert!(c[3].href.is_some() && c[4].href.is_none());
    }
}
