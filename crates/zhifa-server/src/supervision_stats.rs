//! The supervisor's view of the numbers (执法监督统计与效能评价, F11), shared by the pages
//! (`web::supervision`) and the JSON API (`api::supervision_stats`): the query parameters
//! (period, region, agency, field, breakdown), who may ask, the dashboard figures and the
//! indicator evaluation with its ranking and monthly trend.
//!
//! Complaints (投诉举报) feed the complaint-rate indicator through one function,
//! [`complaint_counts`]: the complaints module counts them per agency, region and field for a
//! scope and period; until it is connected here the indicator is reported as not applicable,
//! never estimated.

use axum::http::StatusCode;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zhifa_store::indicators::{Evaluation, IndicatorTree, Ranked, rank};
use zhifa_store::model::User;
use zhifa_store::scope::roles;
use zhifa_store::stats_model::{
    Breakdown, ComplaintCount, Metrics, MonthRow, RuleCount, StatsQuery, StatsRow, StatsTarget,
    apply_complaints,
};
use zhifa_store::{Scope, StoreError};

use crate::error::{ApiError, ApiResult};
use crate::sheets::Cell;
use crate::state::AppState;

/// Query parameters of the statistics pages and API.
#[derive(Debug, Clone, Default, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// Calendar year (default: this year); ignored when `from` and `to` are given.
    pub year: Option<String>,
    /// First day of the period (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Last day of the period (`YYYY-MM-DD`).
    pub to: Option<String>,
    /// Region code (GB/T 2260, 6 digits) to narrow to, inside the caller's scope.
    pub region: Option<String>,
    /// Agency (enforcement subject) id.
    pub agency: Option<String>,
    /// Enforcement field code.
    pub field: Option<String>,
    /// Breakdown: `regions`, `agencies` or `fields` (default: regions above county level,
    /// agencies at county level).
    pub by: Option<String>,
    /// Indicators: the unit (row key) whose formulas and trend to show.
    pub unit: Option<String>,
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn period_error(field: &str, message: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "stats.period", message)
        .with_field(field, "Zhifa 执法监督统计")
}

impl StatsParams {
    /// The statistics query: the period (`from`–`to`, else the `year`, else this year) and
    /// the narrowing filters.
    pub fn query(&self, today: NaiveDate) -> ApiResult<StatsQuery> {
        let date = |field: &str, v: &str| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map_err(|_| period_error(field, format!("日期“{v}”格式错误，应为 YYYY-MM-DD")))
        };
        let mut q = match (blank(&self.from), blank(&self.to)) {
            (Some(f), Some(t)) => StatsQuery::new(date("from", f)?, date("to", t)?, today)?,
            (Some(_), None) | (None, Some(_)) => {
                return Err(period_error(
                    if blank(&self.from).is_some() {
                        "to"
                    } else {
                        "from"
                    },
                    "请同时填写统计起止日期".to_string(),
                ));
            }
            (None, None) => {
                let year = match blank(&self.year) {
                    Some(y) => y
                        .parse::<i32>()
                        .map_err(|_| period_error("year", format!("统计年度“{y}”应为四位数字")))?,
                    None => today.year(),
                };
                StatsQuery::year(year, today)?
            }
        };
        q.region = blank(&self.region).map(str::to_string);
        q.agency_id = blank(&self.agency).map(str::to_string);
        q.field = blank(&self.field).map(str::to_string);
        Ok(q)
    }

    /// The breakdown asked for (`None`: the default for the target).
    pub fn breakdown(&self) -> ApiResult<Option<Breakdown>> {
        match blank(&self.by) {
            None => Ok(None),
            Some(b) => Breakdown::parse(b).map(Some).ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "stats.by",
                    format!("分组方式“{b}”无效：应为 regions、agencies 或 fields"),
                )
                .with_field("by", "Zhifa 执法监督统计")
            }),
        }
    }

    /// The period as address parameters (`year=2026` or `from=…&to=…`).
    pub fn period_pairs(&self, q: &StatsQuery) -> Vec<(&'static str, String)> {
        match (blank(&self.from), blank(&self.to)) {
            (Some(_), Some(_)) => vec![("from", q.from.to_string()), ("to", q.to.to_string())],
            _ => vec![("year", q.from.year().to_string())],
        }
    }
}

/// Only supervisors (their region) and administrators (everything, also the node token) see
/// the statistics; everyone else gets 403 `auth.role`.
pub fn require_supervisor(user: Option<&User>, scope: &Scope) -> ApiResult<()> {
    let allowed = match user {
        Some(u) => u.role == roles::SUPERVISOR || u.role == roles::ADMIN,
        None => matches!(scope, Scope::All),
    };
    if allowed && !matches!(scope, Scope::Public) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "auth.role",
            "只有执法监督人员和系统管理员可以查看执法监督统计",
        ))
    }
}

/// Complaint counts (投诉举报) of a scope and period, per agency, region and field, for the
/// complaint-rate indicator (投诉率).
///
/// The complaints (投诉举报) received in the period within the scope, by routed agency, region
/// and field ([`zhifa_store::Store::complaint_counts_by_place`]): the input of the complaint
/// counts of the tables and of the complaint-rate indicator (投诉率).
pub async fn complaint_counts(
    state: &AppState,
    scope: &Scope,
    q: &StatsQuery,
) -> Result<Option<Vec<ComplaintCount>>, StoreError> {
    Ok(Some(
        state
            .store
            .complaint_counts_by_place(scope, q.from, q.to)
            .await?,
    ))
}

/// A figure of [`Metrics`] as a table column: header and cell (the same for the pages and the
/// CSV/XLSX downloads).
pub type MetricColumn = (&'static str, fn(&Metrics) -> Cell);

/// The columns of a breakdown table, in display order.
pub const METRIC_COLUMNS: [MetricColumn; 18] = [
    ("执法主体", |m| Cell::Int(m.agencies)),
    ("零执法主体", |m| Cell::Int(m.zero_agencies())),
    ("受理", |m| Cell::Int(m.received)),
    ("立案", |m| Cell::Int(m.filed)),
    ("作出决定", |m| Cell::Int(m.decided)),
    ("罚款（元）", |m| Cell::Yuan(m.fine)),
    ("结案", |m| Cell::Int(m.closed)),
    ("在办", |m| Cell::Int(m.open_now)),
    ("当前超期", |m| Cell::Int(m.overdue)),
    ("超出裁量基准", |m| Cell::Int(m.discretion_deviations)),
    ("超期决定", |m| Cell::Int(m.late_decisions)),
    ("已公示", |m| Cell::Int(m.published)),
    ("应法制审核", |m| Cell::Int(m.reviews_due)),
    ("已法制审核", |m| Cell::Int(m.reviewed)),
    ("现场检查笔录", |m| Cell::Int(m.inspections)),
    ("监督预警", |m| Cell::Int(m.alerts_total)),
    ("未销号预警", |m| Cell::Int(m.alerts_open)),
    ("投诉举报", |m| match m.complaints {
        Some(n) => Cell::Int(n),
        None => Cell::text(NOT_CONNECTED),
    }),
];

/// What a figure that is not connected shows.
pub const NOT_CONNECTED: &str = "未接入";

/// How the figures are counted (shown under tables and in downloads).
pub const METRIC_NOTES: [&str; 5] = [
    "口径：受理按案源登记（或当场处罚）日期、立案按立案日期、作出决定和罚款按决定日期、结案按结案日期计入统计期间；监督预警按预警日期。",
    "在办、当前超期：统计期间内的案件中目前尚未结案（含未立案）的数量，及其中最近法定期限已过的数量（按今日计算）。",
    "零执法主体：在用的执法主体中，统计期间内既无受理也无决定的数量。应法制审核：普通程序作出的决定中已提请法制审核的（《行政处罚法》第五十八条）。",
    "现场检查笔录：办案过程中制作的现场检查笔录（行政检查）；未纳入案件的日常检查不在本节点。",
    "投诉举报：由投诉举报模块提供；显示“未接入”时本节点尚未将其纳入统计，相关指标不计分。",
];

/// The default breakdown of a target: none for one agency, agencies at county level,
/// regions above.
pub fn default_breakdown(t: &StatsTarget) -> Option<Breakdown> {
    if t.agency_id.is_some() {
        None
    } else if t.prefix.len() >= 6 {
        Some(Breakdown::Agencies)
    } else {
        Some(Breakdown::Regions)
    }
}

/// The totals of a query and its breakdown rows. Every case, alert, inspection record and
/// agency of the target falls in exactly one region row or one agency row, so for those the
/// totals are the rows' sum (one set of queries instead of two); an agency may act in several
/// fields, so a field breakdown has its totals counted separately.
async fn totals_and_rows(
    state: &AppState,
    scope: &Scope,
    q: &StatsQuery,
    by: Option<Breakdown>,
) -> ApiResult<(Metrics, Vec<StatsRow>)> {
    let store = &state.store;
    Ok(match by {
        Some(b @ (Breakdown::Regions | Breakdown::Agencies)) => {
            let rows = store.stats_breakdown_in(scope, q, b).await?.1;
            let mut totals = Metrics::default();
            for r in &rows {
                totals.add(&r.metrics);
            }
            (totals, rows)
        }
        Some(Breakdown::Fields) => (
            store.stats_totals_in(scope, q).await?.1,
            store
                .stats_breakdown_in(scope, q, Breakdown::Fields)
                .await?
                .1,
        ),
        None => (store.stats_totals_in(scope, q).await?.1, Vec::new()),
    })
}

/// Everything the dashboard shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dashboard {
    /// What the figures cover.
    pub target: StatsTarget,
    /// First day of the period.
    pub from: String,
    /// Last day of the period.
    pub to: String,
    /// The figures of the whole target.
    pub totals: Metrics,
    /// How `rows` are grouped (`null` for one agency).
    pub by: Option<Breakdown>,
    /// One row per unit below the target.
    pub rows: Vec<StatsRow>,
    /// Figures per month.
    pub months: Vec<MonthRow>,
    /// Figures per enforcement field.
    pub fields: Vec<StatsRow>,
    /// Alerts per rule.
    pub alerts_by_rule: Vec<RuleCount>,
}

/// The dashboard figures of `params` within `scope`.
pub async fn dashboard(
    state: &AppState,
    scope: &Scope,
    params: &StatsParams,
    today: NaiveDate,
) -> ApiResult<Dashboard> {
    let q = params.query(today)?;
    let asked = params.breakdown()?;
    let store = &state.store;
    let target = store.stats_target(scope, &q).await?;
    let by = match asked {
        Some(b) if target.agency_id.is_none() => Some(b),
        _ => default_breakdown(&target),
    };
    let counts = complaint_counts(state, scope, &q).await?;
    let (mut totals, mut rows) = totals_and_rows(state, scope, &q, by).await?;
    apply_complaints(&target, by, Some(&mut totals), &mut rows, counts.as_deref());
    let mut fields = if by == Some(Breakdown::Fields) {
        rows.clone()
    } else {
        store
            .stats_breakdown_in(scope, &q, Breakdown::Fields)
            .await?
            .1
    };
    apply_complaints(
        &target,
        Some(Breakdown::Fields),
        None,
        &mut fields,
        counts.as_deref(),
    );
    Ok(Dashboard {
        from: q.from.to_string(),
        to: q.to.to_string(),
        months: store.stats_monthly_in(scope, &q).await?,
        alerts_by_rule: store.alerts_by_rule_in(scope, &q).await?,
        target,
        totals,
        by,
        rows,
        fields,
    })
}

/// One month of an indicator trend.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrendPoint {
    /// `YYYY-MM`.
    pub month: String,
    /// Total score of the month.
    pub score: Option<f64>,
    /// Scores of the first-level indicators, in configuration order.
    pub groups: Vec<Option<f64>>,
}

/// The evaluation of one unit with its monthly trend.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitDetail {
    /// Unit key (`*` for the whole target).
    pub key: String,
    /// Unit label.
    pub label: String,
    /// Figures of the period.
    pub metrics: Metrics,
    /// Evaluation of the period.
    pub evaluation: Evaluation,
    /// One point per month of the period that has begun.
    pub trend: Vec<TrendPoint>,
}

/// The effectiveness evaluation of a target: the tree, the ranking of its units, one unit's
/// formulas and trend.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorReport {
    /// What is evaluated.
    pub target: StatsTarget,
    /// First day of the period.
    pub from: String,
    /// Last day of the period.
    pub to: String,
    /// The indicator tree in force.
    pub tree: IndicatorTree,
    /// Whether the tree is the shipped default.
    pub default_tree: bool,
    /// How the ranked units are grouped.
    pub by: Breakdown,
    /// Units, best first.
    pub ranking: Vec<Ranked>,
    /// The selected unit (or the whole target), with formulas and trend.
    pub unit: UnitDetail,
}

/// The indicator report of `params` within `scope`.
pub async fn indicator_report(
    state: &AppState,
    scope: &Scope,
    params: &StatsParams,
    today: NaiveDate,
) -> ApiResult<IndicatorReport> {
    let q = params.query(today)?;
    let store = &state.store;
    let (tree, default_tree) = store.indicator_tree().await?;
    let target = store.stats_target(scope, &q).await?;
    let by = match params.breakdown()? {
        Some(b) => b,
        None => default_breakdown(&target).unwrap_or(Breakdown::Agencies),
    };
    let counts = complaint_counts(state, scope, &q).await?;
    let (mut totals, mut rows) = totals_and_rows(state, scope, &q, Some(by)).await?;
    apply_complaints(
        &target,
        Some(by),
        Some(&mut totals),
        &mut rows,
        counts.as_deref(),
    );
    let ranking = rank(
        rows.iter()
            .map(|r| (r.key.clone(), r.label.clone(), tree.evaluate(&r.metrics)))
            .collect(),
    );
    // The unit: a row of the ranking, or the whole target.
    let chosen = blank(&params.unit).and_then(|k| rows.iter().find(|r| r.key == k));
    let (key, label, metrics, unit_q) = match chosen {
        Some(r) => {
            let mut uq = q.clone();
            match by {
                Breakdown::Agencies => uq.agency_id = Some(r.key.clone()),
                Breakdown::Fields => uq.field = Some(r.key.clone()),
                // The “本级” row has no region of its own: its trend is the target's.
                Breakdown::Regions => {
                    if let Some(code) = &r.region_code {
                        uq.region = Some(code.clone());
                    }
                }
            }
            (r.key.clone(), r.label.clone(), r.metrics.clone(), uq)
        }
        None => (
            "*".to_string(),
            "全部".to_string(),
            totals.clone(),
            q.clone(),
        ),
    };
    let mut trend = Vec::new();
    for (month, from, to) in q.months_to_date() {
        let mq = unit_q.over(from, to);
        let (t, mut m) = store.stats_totals_in(scope, &mq).await?;
        let c = complaint_counts(state, scope, &mq).await?;
        apply_complaints(&t, None, Some(&mut m), &mut [], c.as_deref());
        let e = tree.evaluate(&m);
        let groups = e
            .nodes
            .iter()
            .filter(|n| n.depth == 1)
            .map(|n| n.score)
            .collect();
        trend.push(TrendPoint {
            month,
            score: e.score,
            groups,
        });
    }
    Ok(IndicatorReport {
        from: q.from.to_string(),
        to: q.to.to_string(),
        unit: UnitDetail {
            key,
            label,
            evaluation: tree.evaluate(&metrics),
            metrics,
            trend,
        },
        target,
        tree,
        default_tree,
        by,
        ranking,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods_from_parameters() {
        let today = d("2026-05-10");
        let q = StatsParams::default().query(today).unwrap();
        assert_eq!((q.from, q.to), (d("2026-01-01"), d("2026-12-31")));
        let p = StatsParams {
            year: Some("2025".into()),
            region: Some(" 440100 ".into()),
            ..Default::default()
        };
        let q = p.query(today).unwrap();
        assert_eq!((q.from, q.to), (d("2025-01-01"), d("2025-12-31")));
        assert_eq!(q.region.as_deref(), Some("440100"));
        assert_eq!(p.period_pairs(&q), [("year", "2025".to_string())]);
        let p = StatsParams {
            from: Some("2026-03-01".into()),
            to: Some("2026-04-15".into()),
            year: Some("2020".into()),
            ..Default::default()
        };
        let q = p.query(today).unwrap();
        assert_eq!((q.from, q.to), (d("2026-03-01"), d("2026-04-15")));
        assert_eq!(p.period_pairs(&q)[0], ("from", "2026-03-01".to_string()));
        for (bad, field) in [
            (
                StatsParams {
                    from: Some("2026-02-30".into()),
                    to: Some("2026-04-15".into()),
                    ..Default::default()
                },
                "from",
            ),
            (
                StatsParams {
                    from: Some("2026-03-01".into()),
                    ..Default::default()
                },
                "to",
            ),
            (
                StatsParams {
                    year: Some("二〇二六".into()),
                    ..Default::default()
                },
                "year",
            ),
        ] {
            let e = bad.query(today).unwrap_err();
            assert_eq!(e.status(), StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(e.body().error.fields[0].field, field);
        }
        let inverted = StatsParams {
            from: Some("2026-05-01".into()),
            to: Some("2026-04-01".into()),
            ..Default::default()
        };
        assert_eq!(
            inverted.query(today).unwrap_err().body().error.fields[0].code,
            "stats.period.order"
        );
    }

    #[test]
    fn breakdowns_and_roles() {
        let p = StatsParams {
            by: Some("fields".into()),
            ..Default::default()
        };
        assert_eq!(p.breakdown().unwrap(), Some(Breakdown::Fields));
        let p = StatsParams {
            by: Some("people".into()),
            ..Default::default()
        };
        assert_eq!(p.breakdown().unwrap_err().code(), "stats.by");
        let t = |prefix: &str, agency: Option<&str>| StatsTarget {
            prefix: prefix.into(),
            region_code: None,
            agency_id: agency.map(Into::into),
            field: None,
        };
        assert_eq!(default_breakdown(&t("44", None)), Some(Breakdown::Regions));
        assert_eq!(
            default_breakdown(&t("440106", None)),
            Some(Breakdown::Agencies)
        );
        assert_eq!(default_breakdown(&t("4401", Some("a"))), None);
        let user = |role: &str| User {
            id: "u".into(),
            username: "u".into(),
            display_name: "u".into(),
            role: role.into(),
            subject_id: None,
            officer_id: None,
            region_code: Some("440100".into()),
            active: true,
            created_at: String::new(),
        };
        let region = Scope::region("440100");
        assert!(require_supervisor(Some(&user("supervisor")), &region).is_ok());
        assert!(require_supervisor(Some(&user("admin")), &Scope::All).is_ok());
        assert!(require_supervisor(None, &Scope::All).is_ok());
        let refused = require_supervisor(Some(&user("officer")), &Scope::Agency("a".into()));
        assert_eq!(refused.unwrap_err().status(), StatusCode::FORBIDDEN);
        assert!(require_supervisor(None, &Scope::Public).is_err());
    }
}
