//! Records of the supervisor's statistics (执法监督统计, F11): the period and unit a query
//! covers, the figures counted for a unit ([`Metrics`]), breakdowns by region, agency, field
//! and month, alerts by rule, and the annual statistics of the three systems (D5, 国办发
//! 〔2018〕118号: 行政执法数据年度统计, published by 31 January of the next year).
//!
//! Every figure is counted from what this node holds (`cases`, `case_events`,
//! `supervision_alerts`, `subjects`, `powers`); what it does not hold is reported as such,
//! never estimated.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zhifa_domain::money::Fen;

use crate::error::{Result, StoreError};

/// Longest period a statistics query may cover, in months (a monthly chart stays readable and
/// the per-month indicator trend stays a bounded number of queries).
pub const MAX_PERIOD_MONTHS: u32 = 60;

/// What a statistics query covers: a period (both ends inclusive), the day "overdue" is
/// measured against, and optional narrowing filters inside the caller's data scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsQuery {
    /// First day of the period.
    pub from: NaiveDate,
    /// Last day of the period.
    pub to: NaiveDate,
    /// Today (China time): cases still open with a deadline before it are overdue.
    pub today: NaiveDate,
    /// A GB/T 2260 region code (6 digits) to narrow to; it must lie inside the scope.
    pub region: Option<String>,
    /// One agency (enforcement subject) id; it must lie inside the scope.
    pub agency_id: Option<String>,
    /// One enforcement field code (`enforcement_field`).
    pub field: Option<String>,
}

impl StatsQuery {
    /// A query over `from..=to`, checked: `from` not after `to` (`stats.period.order`), at
    /// most [`MAX_PERIOD_MONTHS`] calendar months (`stats.period.span`).
    pub fn new(from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Result<Self> {
        let invalid = |field: &str, code: &str, message: String| {
            StoreError::invalid(zhifa_domain::FieldError {
                field: field.to_string(),
                code: code.to_string(),
                rule: "Zhifa 执法监督统计".to_string(),
                message,
            })
        };
        if from > to {
            return Err(invalid(
                "from",
                "stats.period.order",
                format!("统计起始日期 {from} 晚于截止日期 {to}"),
            ));
        }
        let months = month_index(to) - month_index(from) + 1;
        if months > i64::from(MAX_PERIOD_MONTHS) {
            return Err(invalid(
                "to",
                "stats.period.span",
                format!("统计期间跨 {months} 个月，最长 {MAX_PERIOD_MONTHS} 个月"),
            ));
        }
        Ok(StatsQuery {
            from,
            to,
            today,
            region: None,
            agency_id: None,
            field: None,
        })
    }

    /// The calendar year `year` (1 January to 31 December).
    pub fn year(year: i32, today: NaiveDate) -> Result<Self> {
        let (from, to) = year_bounds(year)?;
        Self::new(from, to, today)
    }

    /// The months of the period, each clipped to it: (`YYYY-MM`, first day, last day).
    pub fn months(&self) -> Vec<(String, NaiveDate, NaiveDate)> {
        let mut out = Vec::new();
        let mut start = self.from;
        while start <= self.to {
            let end = last_of_month(start).min(self.to);
            out.push((start.format("%Y-%m").to_string(), start, end));
            match end.succ_opt() {
                Some(next) => start = next,
                None => break,
            }
        }
        out
    }

    /// The months of the period that have begun by `today` (a trend does not show months
    /// still to come as zeros).
    pub fn months_to_date(&self) -> Vec<(String, NaiveDate, NaiveDate)> {
        self.months()
            .into_iter()
            .filter(|(_, start, _)| *start <= self.today)
            .collect()
    }

    /// The same query over another period (same filters and today).
    pub fn over(&self, from: NaiveDate, to: NaiveDate) -> StatsQuery {
        StatsQuery {
            from,
            to,
            ..self.clone()
        }
    }

    /// Whether the period is whole calendar months, so the monthly aggregates alone answer it:
    /// it starts on the 1st and ends on the last day of a month or on or after today (acts may
    /// not be dated in the future, `case.date.future`, so the rest of the current month holds
    /// nothing yet).
    pub fn whole_months(&self) -> bool {
        let (_, days) = self.buckets();
        days.is_empty()
    }

    /// The `YYYY-MM` months the period touches, in order.
    pub fn month_keys(&self) -> Vec<String> {
        self.months().into_iter().map(|(m, _, _)| m).collect()
    }

    /// The period as the buckets of the maintained aggregates: its whole months (`YYYY-MM`)
    /// and the days (`YYYY-MM-DD`) of the months it cuts.
    pub fn buckets(&self) -> (Vec<String>, Vec<String>) {
        let mut months = Vec::new();
        let mut days = Vec::new();
        for (m, start, end) in self.months() {
            if start.day() == 1 && (end == last_of_month(end) || end >= self.today) {
                months.push(m);
            } else {
                let mut d = start;
                while d <= end {
                    days.push(d.to_string());
                    match d.succ_opt() {
                        Some(next) => d = next,
                        None => break,
                    }
                }
            }
        }
        (months, days)
    }
}

/// Where a statistics query reads its dated figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsSource {
    /// What the store uses: the maintained aggregates.
    Auto,
    /// The maintained buckets (`case_stats` for whole months, `case_stats_day` for the days of
    /// cut months, `open_stats`, and `alert_stats` for whole months — alerts of cut months are
    /// counted from `supervision_alerts`).
    Aggregates,
    /// The `cases` projection, `case_events` and `supervision_alerts` themselves: the
    /// reference the aggregates are tested against.
    Projection,
}

impl StatsSource {
    /// The source actually read.
    pub fn resolve(self) -> StatsSource {
        match self {
            StatsSource::Auto => StatsSource::Aggregates,
            other => other,
        }
    }
}

/// Months since year 0, for spans.
fn month_index(d: NaiveDate) -> i64 {
    i64::from(d.year()) * 12 + i64::from(d.month0())
}

/// The last day of the month of `d`.
pub fn last_of_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|n| n.pred_opt())
        .unwrap_or(d)
}

/// 1 January and 31 December of `year` (`stats.year`: outside 2000–2100).
pub fn year_bounds(year: i32) -> Result<(NaiveDate, NaiveDate)> {
    let bounds = (2000..=2100)
        .contains(&year)
        .then(|| {
            Some((
                NaiveDate::from_ymd_opt(year, 1, 1)?,
                NaiveDate::from_ymd_opt(year, 12, 31)?,
            ))
        })
        .flatten();
    bounds.ok_or_else(|| {
        StoreError::invalid(zhifa_domain::FieldError {
            field: "year".to_string(),
            code: "stats.year".to_string(),
            rule: "Zhifa 执法监督统计".to_string(),
            message: format!("统计年度 {year} 不在 2000–2100 之间"),
        })
    })
}

/// How a breakdown groups its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Breakdown {
    /// The next region level below the query's region (province → cities → counties →
    /// townships); agencies of the region itself are one row “本级”.
    Regions,
    /// Each agency (enforcement subject), including active ones without any case (零执法).
    Agencies,
    /// Each enforcement field.
    Fields,
}

impl Breakdown {
    /// Parses `regions` / `agencies` / `fields` (also the singular forms).
    pub fn parse(s: &str) -> Option<Breakdown> {
        match s.trim() {
            "regions" | "region" => Some(Breakdown::Regions),
            "agencies" | "agency" => Some(Breakdown::Agencies),
            "fields" | "field" => Some(Breakdown::Fields),
            _ => None,
        }
    }

    /// The code used in addresses.
    pub fn code(self) -> &'static str {
        match self {
            Breakdown::Regions => "regions",
            Breakdown::Agencies => "agencies",
            Breakdown::Fields => "fields",
        }
    }

    /// Chinese name: 按地区 / 按执法主体 / 按执法领域.
    pub fn zh(self) -> &'static str {
        match self {
            Breakdown::Regions => "按地区",
            Breakdown::Agencies => "按执法主体",
            Breakdown::Fields => "按执法领域",
        }
    }
}

/// The figures of one unit (a region, an agency, a field, or everything in scope) over a
/// period. Case counts are by the date of the act: received (案源登记) by `opened_on`, filed
/// by `filed_on`, decided by `decided_on`, closed by `closed_on`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Metrics {
    /// Active enforcement subjects (agencies) of the unit.
    pub agencies: i64,
    /// Agencies that registered a case or made a decision in the period.
    pub acting_agencies: i64,
    /// Cases received (案源登记, or on-the-spot decisions) in the period.
    pub received: i64,
    /// Cases filed (立案) in the period.
    pub filed: i64,
    /// Decisions (处罚决定, 不予处罚决定, 当场处罚决定) made in the period.
    pub decided: i64,
    /// Cases closed (结案) in the period.
    pub closed: i64,
    /// Cases of the period still open today.
    pub open_now: i64,
    /// Of those, with a statutory deadline already passed (当前超期).
    pub overdue: i64,
    /// Fines decided in the period, fen.
    #[schema(value_type = i64)]
    pub fine: Fen,
    /// Decisions of the period outside the discretion benchmark (APL Art. 34).
    pub discretion_deviations: i64,
    /// Decisions of the period made after the decision period (APL Art. 60).
    pub late_decisions: i64,
    /// Decisions of the period published on the portal (APL Art. 48).
    pub published: i64,
    /// Decisions of the period by the general procedure whose legal review was requested
    /// (APL Art. 58).
    pub reviews_due: i64,
    /// Of those, with a legal-review opinion.
    pub reviewed: i64,
    /// On-site inspection records (现场检查笔录) made in the period.
    pub inspections: i64,
    /// Supervision alerts raised in the period.
    pub alerts_total: i64,
    /// Of those, not yet closed or muted (未销号).
    pub alerts_open: i64,
    /// Complaints received in the period (投诉举报); `None` while the node's complaint
    /// records are not connected to the statistics.
    pub complaints: Option<i64>,
}

impl Metrics {
    /// Agencies without any case activity in the period (零执法), never negative.
    pub fn zero_agencies(&self) -> i64 {
        (self.agencies - self.acting_agencies).max(0)
    }

    /// Adds another unit's figures (a roll-up); `complaints` stays `None` only if both are.
    pub fn add(&mut self, o: &Metrics) {
        self.agencies += o.agencies;
        self.acting_agencies += o.acting_agencies;
        self.received += o.received;
        self.filed += o.filed;
        self.decided += o.decided;
        self.closed += o.closed;
        self.open_now += o.open_now;
        self.overdue += o.overdue;
        self.fine = self.fine.checked_add(o.fine).unwrap_or(self.fine);
        self.discretion_deviations += o.discretion_deviations;
        self.late_decisions += o.late_decisions;
        self.published += o.published;
        self.reviews_due += o.reviews_due;
        self.reviewed += o.reviewed;
        self.inspections += o.inspections;
        self.alerts_total += o.alerts_total;
        self.alerts_open += o.alerts_open;
        self.complaints = match (self.complaints, o.complaints) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
        };
    }
}

/// One row of a breakdown: the unit, where it drills to, its figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StatsRow {
    /// Group key: a region prefix, an agency id or a field code.
    pub key: String,
    /// Chinese label, e.g. `天河区`, `广州市本级`, an agency's name, `市场监管`.
    pub label: String,
    /// For a region row, the region to drill into (`None` for the “本级” row).
    pub region_code: Option<String>,
    /// For an agency row, the agency id.
    pub agency_id: Option<String>,
    /// For a field row, the field code.
    pub field: Option<String>,
    /// The figures.
    pub metrics: Metrics,
}

/// Case figures of one month of the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MonthRow {
    /// `YYYY-MM`.
    pub month: String,
    /// Cases received.
    pub received: i64,
    /// Cases filed.
    pub filed: i64,
    /// Decisions made.
    pub decided: i64,
    /// Cases closed.
    pub closed: i64,
    /// Fines decided, fen.
    #[schema(value_type = i64)]
    pub fine: Fen,
    /// Supervision alerts raised.
    pub alerts: i64,
}

/// Alerts of one rule in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RuleCount {
    /// Rule id.
    pub rule_id: String,
    /// Rule name.
    pub rule_name: String,
    /// Alerts raised.
    pub total: i64,
    /// Of those, not closed or muted.
    pub open: i64,
}

/// Complaints counted for a unit (投诉举报): one row per agency (or unrouted complaint
/// group), region and field, as the complaints module counts them for a scope and period.
/// The statistics only add them up; they never read the complaints table themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ComplaintCount {
    /// Agency the complaints were routed to (`None` until routed).
    pub agency_id: Option<String>,
    /// Region code of the complaints.
    pub region_code: String,
    /// Enforcement field code.
    pub field: String,
    /// Number of complaints received in the period.
    pub count: i64,
}

impl StatsTarget {
    /// Whether a complaint count belongs to this target (region prefix, agency, field).
    pub fn covers(&self, c: &ComplaintCount) -> bool {
        c.region_code.starts_with(&self.prefix)
            && self
                .agency_id
                .as_ref()
                .is_none_or(|a| c.agency_id.as_ref() == Some(a))
            && self.field.as_ref().is_none_or(|f| &c.field == f)
    }
}

/// Fills `complaints` of a target's totals and of its breakdown rows from the complaint
/// counts of the scope and period (`None` leaves them unconnected). Region rows take the
/// complaints whose region code starts with the row's key, agency rows those routed to the
/// agency, field rows those of the field.
pub fn apply_complaints(
    target: &StatsTarget,
    by: Option<Breakdown>,
    totals: Option<&mut Metrics>,
    rows: &mut [StatsRow],
    counts: Option<&[ComplaintCount]>,
) {
    let Some(counts) = counts else {
        return;
    };
    let ours: Vec<&ComplaintCount> = counts.iter().filter(|c| target.covers(c)).collect();
    if let Some(t) = totals {
        t.complaints = Some(ours.iter().map(|c| c.count).sum());
    }
    let Some(by) = by else {
        return;
    };
    for row in rows {
        let n = ours
            .iter()
            .filter(|c| match by {
                Breakdown::Regions => c.region_code.starts_with(&row.key),
                Breakdown::Agencies => c.agency_id.as_deref() == Some(row.key.as_str()),
                Breakdown::Fields => c.field == row.key,
            })
            .map(|c| c.count)
            .sum();
        row.metrics.complaints = Some(n);
    }
}

/// The region a statistics query is about, after the scope and the query were combined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatsTarget {
    /// Region prefix (GB/T 2260: 2 digits province, 4 city, 6 county); empty for the whole
    /// country (administrators of a national node).
    pub prefix: String,
    /// The canonical code of that region (`440100`), if any.
    pub region_code: Option<String>,
    /// Agency id, if the query is about one agency.
    pub agency_id: Option<String>,
    /// Field code, if the query is about one field.
    pub field: Option<String>,
}

/// Penalty figures of a year (行政处罚).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PenaltyFigures {
    /// Cases filed (立案).
    pub filed: i64,
    /// Penalty decisions (给予行政处罚的决定, including on-the-spot ones).
    pub penalty_decisions: i64,
    /// Of those, on-the-spot decisions (简易程序, APL Art. 51).
    pub on_spot: i64,
    /// Decisions not to penalise (不予行政处罚, APL Art. 33, 57).
    pub no_penalty_decisions: i64,
    /// Fines decided, fen.
    #[schema(value_type = i64)]
    pub fines: Fen,
    /// Confiscations decided (没收违法所得、非法财物), fen.
    #[schema(value_type = i64)]
    pub confiscations: Fen,
    /// Decided cases in which a hearing was requested or held (APL Art. 63).
    pub hearings: i64,
    /// Decided cases with a legal-review opinion (APL Art. 58).
    pub reviewed: i64,
    /// Decided cases published (APL Art. 48).
    pub published: i64,
    /// Cases closed (结案).
    pub closed: i64,
}

/// Coercive-measure figures of a year (行政强制), from the cases' state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CoercionFigures {
    /// Sealing-up (查封) started in the year (ACL Art. 24).
    pub sealed: i64,
    /// Seizure/detention (扣押) started in the year (ACL Art. 24).
    pub detained: i64,
    /// Evidence preservation (先行登记保存) approved in the year (APL Art. 56).
    pub preserved: i64,
}

/// Inspection figures of a year (行政检查).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct InspectionFigures {
    /// On-site inspection records (现场检查笔录) made in the year.
    pub records: i64,
    /// Cases with at least one of them.
    pub cases: i64,
}

/// Active powers of one category in the power catalogue (权责清单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PowerCount {
    /// Category code (`power_category`).
    pub category: String,
    /// Active powers.
    pub count: i64,
}

/// One agency's line of the annual statistics.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AnnualAgencyRow {
    /// Agency id.
    pub agency_id: String,
    /// Agency name.
    pub agency_name: String,
    /// Region code.
    pub region_code: String,
    /// Penalty figures.
    pub penalty: PenaltyFigures,
    /// Coercive measures.
    pub coercion: CoercionFigures,
    /// Inspections.
    pub inspections: InspectionFigures,
}

/// The annual statistics of enforcement data (行政执法数据年度统计, D5) for a region or an
/// agency: the figures this node holds per type, the power catalogue per category, and one
/// line per agency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AnnualReport {
    /// The year.
    pub year: i32,
    /// What the report covers.
    pub target: StatsTarget,
    /// 行政处罚.
    pub penalty: PenaltyFigures,
    /// 行政强制.
    pub coercion: CoercionFigures,
    /// 行政检查.
    pub inspections: InspectionFigures,
    /// Active powers per category (all categories of the code set, zeros included). The
    /// catalogue is node-wide (powers carry no region); narrowed to the agency's field when
    /// the report is about one agency.
    pub powers: Vec<PowerCount>,
    /// One line per agency of the target (active ones, and inactive ones with figures).
    pub agencies: Vec<AnnualAgencyRow>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn periods_are_checked() {
        assert!(StatsQuery::new(d("2026-01-01"), d("2026-12-31"), d("2026-06-01")).is_ok());
        let codes = |r: Result<StatsQuery>| match r {
            Err(StoreError::Invalid(f)) => f.into_iter().map(|e| e.code).collect::<Vec<_>>(),
            other => panic!("expected Invalid, got {other:?}"),
        };
        assert_eq!(
            codes(StatsQuery::new(
                d("2026-02-01"),
                d("2026-01-31"),
                d("2026-06-01")
            )),
            ["stats.period.order"]
        );
        assert_eq!(
            codes(StatsQuery::new(
                d("2020-01-01"),
                d("2025-01-01"),
                d("2026-06-01")
            )),
            ["stats.period.span"]
        );
        assert!(StatsQuery::new(d("2020-01-01"), d("2024-12-31"), d("2026-06-01")).is_ok());
        assert_eq!(
            codes(StatsQuery::year(1999, d("2026-01-01"))),
            ["stats.year"]
        );
    }

    #[test]
    fn months_are_clipped_to_the_period() {
        let q = StatsQuery::new(d("2025-11-15"), d("2026-02-10"), d("2026-06-01")).unwrap();
        let m = q.months();
        assert_eq!(
            m,
            vec![
                ("2025-11".to_string(), d("2025-11-15"), d("2025-11-30")),
                ("2025-12".to_string(), d("2025-12-01"), d("2025-12-31")),
                ("2026-01".to_string(), d("2026-01-01"), d("2026-01-31")),
                ("2026-02".to_string(), d("2026-02-01"), d("2026-02-10")),
            ]
        );
        assert_eq!(last_of_month(d("2024-02-03")), d("2024-02-29"));
        let q = StatsQuery::year(2026, d("2026-03-31")).unwrap();
        let started: Vec<String> = q.months_to_date().into_iter().map(|m| m.0).collect();
        assert_eq!(started, ["2026-01", "2026-02", "2026-03"]);
        assert!(
            StatsQuery::year(2027, d("2026-03-31"))
                .unwrap()
                .months_to_date()
                .is_empty()
        );
    }

    #[test]
    fn periods_as_buckets() {
        let q = |f: &str, t: &str, today: &str| StatsQuery::new(d(f), d(t), d(today)).unwrap();
        // A year, a quarter, a month: whole months.
        assert!(q("2026-01-01", "2026-12-31", "2026-06-01").whole_months());
        assert!(q("2026-04-01", "2026-06-30", "2026-06-01").whole_months());
        assert!(q("2024-02-01", "2024-02-29", "2026-06-01").whole_months());
        // This year to date: nothing can be dated after today.
        assert!(q("2026-01-01", "2026-06-01", "2026-06-01").whole_months());
        // Cut months: their days.
        assert!(!q("2026-01-02", "2026-12-31", "2026-06-01").whole_months());
        let (months, days) = q("2026-03-30", "2026-06-02", "2026-07-01").buckets();
        assert_eq!(months, ["2026-04", "2026-05"]);
        assert_eq!(
            days,
            ["2026-03-30", "2026-03-31", "2026-06-01", "2026-06-02"]
        );
        let (months, days) = q("2026-03-15", "2026-03-16", "2026-07-01").buckets();
        assert!(months.is_empty());
        assert_eq!(days, ["2026-03-15", "2026-03-16"]);
        assert_eq!(StatsSource::Auto.resolve(), StatsSource::Aggregates);
        assert_eq!(StatsSource::Projection.resolve(), StatsSource::Projection);
        let cut = q("2026-03-15", "2026-06-20", "2026-07-01");
        assert_eq!(
            cut.month_keys(),
            ["2026-03", "2026-04", "2026-05", "2026-06"]
        );
    }

    #[test]
    fn metrics_roll_up() {
        let mut a = Metrics {
            agencies: 2,
            acting_agencies: 1,
            received: 3,
            fine: Fen::new(500).unwrap(),
            ..Default::default()
        };
        let b = Metrics {
            agencies: 1,
            received: 1,
            fine: Fen::new(250).unwrap(),
            complaints: Some(4),
            ..Default::default()
        };
        a.add(&b);
        assert_eq!(a.agencies, 3);
        assert_eq!(a.received, 4);
        assert_eq!(a.fine.value(), 750);
        assert_eq!(a.complaints, Some(4));
        assert_eq!(a.zero_agencies(), 2);
        assert_eq!(Breakdown::parse("agency"), Some(Breakdown::Agencies));
        assert_eq!(Breakdown::parse("x"), None);
    }

    #[test]
    fn complaints_go_to_their_units() {
        let target = StatsTarget {
            prefix: "4401".into(),
            region_code: Some("440100".into()),
            agency_id: None,
            field: None,
        };
        let c = |agency: Option<&str>, region: &str, field: &str, count: i64| ComplaintCount {
            agency_id: agency.map(Into::into),
            region_code: region.into(),
            field: field.into(),
            count,
        };
        let counts = vec![
            c(Some("a1"), "440106", "01", 3),
            c(None, "440106", "01", 2),
            c(Some("a2"), "440104", "02", 1),
            c(Some("n1"), "440305", "01", 9),
        ];
        let row = |key: &str| StatsRow {
            key: key.into(),
            label: key.into(),
            region_code: None,
            agency_id: None,
            field: None,
            metrics: Metrics::default(),
        };
        let mut totals = Metrics::default();
        let mut rows = vec![row("440106"), row("440104"), row("440103")];
        apply_complaints(
            &target,
            Some(Breakdown::Regions),
            Some(&mut totals),
            &mut rows,
            Some(&counts),
        );
        assert_eq!(totals.complaints, Some(6));
        let got: Vec<Option<i64>> = rows.iter().map(|r| r.metrics.complaints).collect();
        assert_eq!(got, [Some(5), Some(1), Some(0)]);
        let mut rows = vec![row("a1"), row("a2")];
        apply_complaints(
            &target,
            Some(Breakdown::Agencies),
            None,
            &mut rows,
            Some(&counts),
        );
        assert_eq!(rows[0].metrics.complaints, Some(3));
        let mut rows = vec![row("01")];
        apply_complaints(
            &target,
            Some(Breakdown::Fields),
            None,
            &mut rows,
            Some(&counts),
        );
        assert_eq!(rows[0].metrics.complaints, Some(5));
        // Not connected: nothing changes.
        let mut totals = Metrics::default();
        apply_complaints(&target, None, Some(&mut totals), &mut [], None);
        assert_eq!(totals.complaints, None);
    }
}
