//! Supervision statistics (执法监督统计, F11), always inside the caller's [`Scope`] and a
//! period, from one of two sources ([`StatsSource`]):
//!
//! - **the maintained aggregates** (what the store serves): the buckets per (day, region,
//!   agency, field) rolled up per month that the triggers of migration 0010 keep in the
//!   writing transaction. A period reads its whole months from `case_stats` and the days of
//!   the months it cuts from `case_stats_day`, each as `key IN (…)` so that every bucket's
//!   region is one range of the clustered key; open cases from `open_stats`; overdue from the
//!   open cases by deadline (partial index `cases_overdue`); alerts from `alert_stats`. A
//!   target of the whole country or of one province not broken down below the province reads
//!   the roll-up per (month, province, field) of migration 0011 instead (`case_stats_prov`,
//!   `alert_stats_prov`, `open_stats_prov`: a few thousand rows for a national year instead
//!   of ~175,000 agency buckets). The acting agencies (执法主体 with a case received or
//!   decided) are counted from each agency's bitmask of acting months (`agency_months`);
//! - **the projection** (the reference the aggregates are tested against): one `GROUP BY` per
//!   table over `cases`, the inspection records in `case_events` and `supervision_alerts`,
//!   reading only cases “alive” in the period (registered before its end, not closed before
//!   its start); the legal-review figures come from the folded state's JSON (`json_extract` /
//!   `#>>`), independently of the projection column the aggregates use.
//!
//! The region condition is a range on `region_code` (`>= '4401' AND < '4402'`), which both
//! SQLite and PostgreSQL answer from an index (a `LIKE` prefix is not indexable on SQLite by
//! default).

use std::collections::{BTreeMap, HashMap};

use sqlx::Row;
use sqlx::any::AnyRow;
use zhifa_domain::case::Stage;
use zhifa_domain::money::Fen;
use zhifa_domain::region::{RegionCode, RegionTable};
use zhifa_domain::standard::check_code;

use super::support::{Arg, Where, escape_like, query_with};
use super::{Backend, Store};
use crate::error::{Result, StoreError};
use crate::scope::{Scope, region_prefix};
use crate::stats_model::*;

/// Column names of a table the scope and the filters apply to.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cols {
    /// The agency id column (`agency_id`; `id` in `subjects`).
    pub agency: &'static str,
    /// The region code column.
    pub region: &'static str,
    /// The field column.
    pub field: &'static str,
}

/// `cases` and `supervision_alerts` (and joins on `cases`, whose columns are unambiguous).
pub(super) const CASE_COLS: Cols = Cols {
    agency: "agency_id",
    region: "region_code",
    field: "field",
};

/// `subjects`.
pub(super) const SUBJECT_COLS: Cols = Cols {
    agency: "id",
    region: "region_code",
    field: "field",
};

/// The stage codes of cases no longer open (结案, 归档, 移送).
fn closed_stages() -> String {
    [Stage::Closed, Stage::Archived, Stage::Transferred]
        .iter()
        .map(|s| format!("'{}'", s.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The next prefix of the same length (`4401` → `4402`, `4409` → `4410`), the exclusive
/// upper end of a prefix range; `None` for all nines or a non-numeric prefix.
pub(super) fn next_prefix(prefix: &str) -> Option<String> {
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = prefix.parse().ok()?;
    let next = format!("{:0width$}", n + 1, width = prefix.len());
    (next.len() == prefix.len()).then_some(next)
}

/// Adds “`col` starts with `prefix`” as an indexable range (a `LIKE` when no range exists).
pub(super) fn prefix_condition(w: &mut Where, col: &str, prefix: &str) {
    if prefix.is_empty() {
        return;
    }
    match next_prefix(prefix) {
        Some(hi) => {
            let lo = w.arg(Arg::Text(prefix.to_string()));
            let hi = w.arg(Arg::Text(hi));
            w.and(format!("{col} >= {lo} AND {col} < {hi}"));
        }
        None => {
            let p = w.arg(Arg::Text(format!("{}%", escape_like(prefix))));
            w.and(format!("{col} LIKE {p} ESCAPE '\\'"));
        }
    }
}

/// The conditions of a target (region prefix, agency, field) on a table.
pub(super) fn target_where(w: &mut Where, cols: Cols, t: &StatsTarget) {
    prefix_condition(w, cols.region, &t.prefix);
    w.eq(cols.agency, t.agency_id.as_deref());
    w.eq(cols.field, t.field.as_deref());
}

/// The conditions of a target on `cols` and the period's bounds as placeholders (`from`,
/// `to`), for the conditions and columns that follow.
pub(super) fn period_where(cols: Cols, t: &StatsTarget, q: &StatsQuery) -> (Where, String, String) {
    let mut w = Where::new();
    target_where(&mut w, cols, t);
    let from = w.arg(Arg::Text(q.from.to_string()));
    let to = w.arg(Arg::Text(q.to.to_string()));
    (w, from, to)
}

/// A JSON value at `path` inside a TEXT column, as SQL text (`NULL` for a missing key or a
/// JSON null). Numeric path segments are array indexes.
pub(super) fn json_text(backend: Backend, column: &str, path: &[&str]) -> String {
    match backend {
        Backend::Sqlite => {
            let mut p = String::from("$");
            for seg in path {
                if seg.bytes().all(|b| b.is_ascii_digit()) {
                    p.push_str(&format!("[{seg}]"));
                } else {
                    p.push('.');
                    p.push_str(seg);
                }
            }
            format!("json_extract({column}, '{p}')")
        }
        Backend::Postgres => format!("({column}::json #>> '{{{}}}')", path.join(",")),
    }
}

/// `CAST(COALESCE(SUM(CASE WHEN cond THEN value ELSE 0 END), 0) AS BIGINT)`: PostgreSQL sums
/// of BIGINT are NUMERIC, which the `Any` driver cannot decode as an integer.
pub(super) fn sum_when(cond: &str, value: &str) -> String {
    format!("CAST(COALESCE(SUM(CASE WHEN {cond} THEN {value} ELSE 0 END), 0) AS BIGINT)")
}

/// `CAST(COALESCE(SUM(col), 0) AS BIGINT)` (see [`sum_when`]).
fn sum_of(col: &str) -> String {
    format!("CAST(COALESCE(SUM({col}), 0) AS BIGINT)")
}

/// The conditions of a target on the monthly alert buckets (`alert_stats`) of a period of
/// whole months: `month IN (…)`, so that each month's region is one range of the clustered key.
fn alert_bucket_where(t: &StatsTarget, q: &StatsQuery) -> Where {
    let mut w = Where::new();
    target_where(&mut w, CASE_COLS, t);
    let months: Vec<String> = q
        .month_keys()
        .into_iter()
        .map(|m| w.arg(Arg::Text(m)))
        .collect();
    w.and(format!("month IN ({})", months.join(", ")));
    w
}

/// Which buckets a query reads: the agencies' (migration 0010) or their roll-up per province
/// (migration 0011), whose `region_code` is the two-digit province prefix and which has no
/// agency column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grain {
    /// `case_stats`, `alert_stats`, `open_stats`.
    Agency,
    /// `case_stats_prov`, `alert_stats_prov`, `open_stats_prov`.
    Province,
}

/// The summed columns of the case buckets, in table order.
const BUCKET_SUMS: &str = "received, filed, decided, fine_fen, deviations, late, published, \
                           reviews_due, reviewed, closed, inspections";

impl Grain {
    /// The province roll-up answers a target of the whole country or of one province (not
    /// of one agency) that is grouped by nothing below the province.
    fn of(t: &StatsTarget, by: Option<(Breakdown, usize)>) -> Grain {
        let coarse = t.agency_id.is_none()
            && t.prefix.len() <= 2
            && match by {
                None | Some((Breakdown::Fields, _)) => true,
                Some((Breakdown::Regions, len)) => len <= 2,
                Some((Breakdown::Agencies, _)) => false,
            };
        if coarse {
            Grain::Province
        } else {
            Grain::Agency
        }
    }

    /// The monthly case buckets.
    fn cases(self) -> &'static str {
        match self {
            Grain::Agency => "case_stats",
            Grain::Province => "case_stats_prov",
        }
    }

    /// The monthly alert buckets.
    fn alerts(self) -> &'static str {
        match self {
            Grain::Agency => "alert_stats",
            Grain::Province => "alert_stats_prov",
        }
    }

    /// The key columns a union of monthly and daily buckets keeps.
    fn keys(self) -> &'static str {
        match self {
            Grain::Agency => "region_code, agency_id, field",
            Grain::Province => "region_code, field",
        }
    }
}

/// The case buckets of a target's period: its whole months from the monthly buckets of
/// `grain`, the days of the months it cuts from `case_stats_day` (same columns, the period
/// column named `month`), each read as `key IN (…)` so that each bucket's region is one range
/// of the clustered key. Returns the clause (its conditions, when the source is one table),
/// the `FROM` and the name of the period column.
fn bucket_source(t: &StatsTarget, q: &StatsQuery, grain: Grain) -> (Where, String, &'static str) {
    let mut w = Where::new();
    target_where(&mut w, CASE_COLS, t);
    let target = w.take_conditions();
    let (months, days) = q.buckets();
    let mut parts: Vec<(&str, &str, String)> = Vec::new();
    for (table, col, keys) in [
        (grain.cases(), "month", months),
        ("case_stats_day", "day", days),
    ] {
        if keys.is_empty() {
            continue;
        }
        let keys: Vec<String> = keys.into_iter().map(|k| w.arg(Arg::Text(k))).collect();
        let cond = format!("{col} IN ({})", keys.join(", "));
        let cond = if target.is_empty() {
            cond
        } else {
            format!("{target} AND {cond}")
        };
        parts.push((table, col, cond));
    }
    match parts.as_slice() {
        [(table, col, cond)] => {
            w.and(cond.clone());
            (w, table.to_string(), col)
        }
        _ => {
            let union = parts
                .iter()
                .map(|(table, col, cond)| {
                    format!(
                        "SELECT {}, {col} AS month, {BUCKET_SUMS} FROM {table} WHERE {cond}",
                        grain.keys()
                    )
                })
                .collect::<Vec<_>>()
                .join(" UNION ALL ");
            // No part only for an empty period, which `StatsQuery::new` refuses.
            let from = if union.is_empty() {
                "case_stats WHERE 1 = 0".to_string()
            } else {
                format!("({union}) AS b")
            };
            (w, from, "month")
        }
    }
}

/// The agencies of a target acting in its period (a case received or decided): the months'
/// bits of `agency_months` and the days of the cut months in `case_stats_day`, as one
/// `SELECT region_code, agency_id, field` to count distinct agencies from.
fn acting_source(t: &StatsTarget, q: &StatsQuery) -> (Where, String) {
    let mut w = Where::new();
    target_where(&mut w, CASE_COLS, t);
    let target = w.take_conditions();
    let and_target = if target.is_empty() {
        String::new()
    } else {
        format!("{target} AND ")
    };
    let (months, days) = q.buckets();
    let mut masks: BTreeMap<String, i64> = BTreeMap::new();
    for m in &months {
        if let (Some(year), Some(Ok(month))) = (m.get(..4), m.get(5..7).map(str::parse::<u32>)) {
            *masks.entry(year.to_string()).or_default() |= 1i64 << (month.clamp(1, 12) - 1);
        }
    }
    let mut parts = Vec::new();
    if !masks.is_empty() {
        let years = masks
            .into_iter()
            .map(|(year, mask)| {
                let year = w.arg(Arg::Text(year));
                format!("(year = {year} AND (months & {mask}) <> 0)")
            })
            .collect::<Vec<_>>()
            .join(" OR ");
        parts.push(format!(
            "SELECT region_code, agency_id, field FROM agency_months WHERE {and_target}({years})"
        ));
    }
    if !days.is_empty() {
        let keys: Vec<String> = days.into_iter().map(|k| w.arg(Arg::Text(k))).collect();
        parts.push(format!(
            "SELECT region_code, agency_id, field FROM case_stats_day WHERE {and_target}\
             day IN ({}) AND (received > 0 OR decided > 0)",
            keys.join(", ")
        ));
    }
    (w, format!("({}) AS a", parts.join(" UNION ALL ")))
}

/// A count of rows meeting `cond`.
pub(super) fn count_when(cond: &str) -> String {
    sum_when(cond, "1")
}

/// The group key of a breakdown as SQL over `cols` (`None`: one total row).
fn key_sql(by: Option<(Breakdown, usize)>, cols: Cols) -> Option<String> {
    by.map(|(b, len)| match b {
        Breakdown::Regions => format!("substr({}, 1, {len})", cols.region),
        Breakdown::Agencies => cols.agency.to_string(),
        Breakdown::Fields => cols.field.to_string(),
    })
}

/// `SELECT {key} AS k, {columns} FROM {from}{where} GROUP BY {key}` (or a one-row total).
fn grouped_sql(key: &Option<String>, columns: &str, from: &str, w: &Where) -> String {
    match key {
        Some(k) => format!(
            "SELECT {k} AS k, {columns} FROM {from}{} GROUP BY {k}",
            w.sql()
        ),
        None => format!("SELECT '*' AS k, {columns} FROM {from}{}", w.sql()),
    }
}

/// The row's group key (`*` for totals; a NULL key, e.g. a case without field, is empty).
fn key_of(row: &AnyRow) -> Result<String> {
    Ok(row.try_get::<Option<String>, _>("k")?.unwrap_or_default())
}

/// A money column (never negative: sums of non-negative amounts).
pub(super) fn fen_of(row: &AnyRow, col: &str) -> Result<Fen> {
    let v: i64 = row.try_get(col)?;
    Ok(Fen::new(v.max(0)).unwrap_or_default())
}

/// The dated case figures of a grouped row (columns `received`, `filed`, `decided`, `closed`,
/// `fine`, `deviations`, `late`, `published`, `reviews_due`, `reviewed`), from either source.
fn read_dated(m: &mut Metrics, r: &AnyRow) -> Result<()> {
    m.received = r.try_get("received")?;
    m.filed = r.try_get("filed")?;
    m.decided = r.try_get("decided")?;
    m.closed = r.try_get("closed")?;
    m.fine = fen_of(r, "fine")?;
    m.discretion_deviations = r.try_get("deviations")?;
    m.late_decisions = r.try_get("late")?;
    m.published = r.try_get("published")?;
    m.reviews_due = r.try_get("reviews_due")?;
    m.reviewed = r.try_get("reviewed")?;
    Ok(())
}

/// The length of the region keys one level below `prefix` (country → provinces → cities →
/// counties → townships).
fn child_len(prefix: &str) -> usize {
    match prefix.len() {
        0 => 2,
        2 => 4,
        4 => 6,
        _ => 9,
    }
}

/// The canonical code of a region key (`44` → `440000`, `4401` → `440100`).
fn canonical(key: &str) -> String {
    if key.len() < 6 {
        format!("{key:0<6}")
    } else {
        key.to_string()
    }
}

/// The canonical code of a region prefix, `None` for the whole country.
fn prefix_code(prefix: &str) -> Option<String> {
    (!prefix.is_empty()).then(|| canonical(prefix))
}

/// Name of a region code, or the code.
fn region_label(code: &str) -> String {
    RegionTable::builtin()
        .get(code)
        .map_or_else(|| code.to_string(), |r| r.name.clone())
}

/// Name of a field code, or the code.
fn field_label(code: &str) -> String {
    zhifa_domain::standard::Standard::builtin()
        .code_set("enforcement_field")
        .and_then(|s| s.name_of(code))
        .map_or_else(|| format!("未知领域 {code}"), str::to_string)
}

impl Store {
    /// Combines the caller's scope with the query's narrowing (region, agency, field) into
    /// the target of the statistics. A region or agency outside the scope, or an unknown
    /// agency, is `NotFound` (its existence is not disclosed); a malformed region or field
    /// code is `Invalid` (fields `region`, `field`). The public has no statistics (`NotFound`).
    pub async fn stats_target(&self, scope: &Scope, q: &StatsQuery) -> Result<StatsTarget> {
        let scope_prefix = match scope {
            Scope::All | Scope::Agency(_) => "",
            Scope::Region(p) => p.as_str(),
            Scope::Public => {
                return Err(StoreError::NotFound {
                    entity: "statistics",
                    id: "public".to_string(),
                });
            }
        };
        let prefix = match q.region.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            Some(code) => {
                let code =
                    RegionCode::parse(code).map_err(|e| StoreError::invalid(e.at("region")))?;
                let p = region_prefix(code.as_str()).to_string();
                if !p.starts_with(scope_prefix) {
                    return Err(StoreError::NotFound {
                        entity: "region",
                        id: code.as_str().to_string(),
                    });
                }
                p
            }
            None => scope_prefix.to_string(),
        };
        let field = match q.field.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
            Some(f) => {
                check_code("enforcement_field", f)
                    .map_err(|e| StoreError::invalid(e.at("field")))?;
                Some(f.to_string())
            }
            None => None,
        };
        let wanted = q
            .agency_id
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty());
        let agency_id = match (scope, wanted) {
            (Scope::Agency(own), Some(a)) if a != own => {
                return Err(StoreError::NotFound {
                    entity: "subject",
                    id: a.to_string(),
                });
            }
            (Scope::Agency(own), _) => Some(own.clone()),
            (_, Some(a)) => {
                let row = sqlx::query("SELECT region_code FROM subjects WHERE id = $1")
                    .bind(a)
                    .fetch_optional(&self.pool)
                    .await?;
                let region: Option<String> = row.map(|r| r.try_get(0)).transpose()?;
                match region {
                    Some(r) if scope.covers_agency(a, &r) && r.starts_with(&prefix) => {
                        Some(a.to_string())
                    }
                    _ => {
                        return Err(StoreError::NotFound {
                            entity: "subject",
                            id: a.to_string(),
                        });
                    }
                }
            }
            (_, None) => None,
        };
        Ok(StatsTarget {
            region_code: prefix_code(&prefix),
            prefix,
            agency_id,
            field,
        })
    }

    /// The figures of everything the query covers within `scope`.
    pub async fn stats_totals_in(
        &self,
        scope: &Scope,
        q: &StatsQuery,
    ) -> Result<(StatsTarget, Metrics)> {
        let (t, mut groups) = self
            .stats_metrics_from(scope, q, None, StatsSource::Auto)
            .await?;
        Ok((t, groups.remove("*").unwrap_or_default()))
    }

    /// The figures of the target of `q` within `scope`, grouped by `by` (one group `*`
    /// without), read from `source`. Units with nothing counted are left out.
    pub async fn stats_metrics_from(
        &self,
        scope: &Scope,
        q: &StatsQuery,
        by: Option<Breakdown>,
        source: StatsSource,
    ) -> Result<(StatsTarget, BTreeMap<String, Metrics>)> {
        let t = self.stats_target(scope, q).await?;
        let by = by.map(|b| (b, child_len(&t.prefix)));
        let groups = self.metrics_by(&t, q, by, source.resolve()).await?;
        Ok((t, groups))
    }

    /// One row per unit below the target: the next region level (with every child region of
    /// the table, zeros included, and a “本级” row for agencies of the region itself), every
    /// agency (active ones without cases included: 零执法), or every field with figures.
    pub async fn stats_breakdown_in(
        &self,
        scope: &Scope,
        q: &StatsQuery,
        by: Breakdown,
    ) -> Result<(StatsTarget, Vec<StatsRow>)> {
        let (t, mut groups) = self
            .stats_metrics_from(scope, q, Some(by), StatsSource::Auto)
            .await?;
        let len = child_len(&t.prefix);
        let rows = match by {
            Breakdown::Regions => {
                let own = t.region_code.clone();
                // Every child region of the table (but not the tens of thousands of
                // townships), then keys that are not children (agencies of the region itself).
                let mut keys: Vec<String> = if len <= 6 {
                    match &own {
                        Some(code) => RegionTable::builtin().children(code),
                        None => RegionTable::builtin().provinces(),
                    }
                    .iter()
                    .map(|r| r.code[..len].to_string())
                    .collect()
                } else {
                    Vec::new()
                };
                for k in groups.keys() {
                    if !keys.contains(k) {
                        keys.push(k.clone());
                    }
                }
                keys.sort();
                keys.into_iter()
                    .map(|key| {
                        let code = canonical(&key);
                        let is_own = own.as_deref() == Some(code.as_str());
                        let label = if is_own {
                            format!("{}本级", region_label(&code))
                        } else {
                            region_label(&code)
                        };
                        StatsRow {
                            metrics: groups.remove(&key).unwrap_or_default(),
                            label,
                            region_code: (!is_own).then_some(code),
                            agency_id: None,
                            field: None,
                            key,
                        }
                    })
                    .collect()
            }
            Breakdown::Agencies => {
                let names = self.agency_names(&t).await?;
                let mut rows: Vec<StatsRow> = groups
                    .into_iter()
                    .map(|(key, metrics)| StatsRow {
                        label: names.get(&key).cloned().unwrap_or_else(|| key.clone()),
                        region_code: None,
                        agency_id: Some(key.clone()),
                        field: None,
                        key,
                        metrics,
                    })
                    .collect();
                rows.sort_by(|a, b| a.label.cmp(&b.label).then(a.key.cmp(&b.key)));
                rows
            }
            Breakdown::Fields => groups
                .into_iter()
                .map(|(key, metrics)| StatsRow {
                    label: field_label(&key),
                    region_code: None,
                    agency_id: None,
                    field: Some(key.clone()),
                    key,
                    metrics,
                })
                .collect(),
        };
        Ok((t, rows))
    }

    /// Case figures per month of the period that has begun by `today` (every such month
    /// listed, zeros included): received, filed, decided (with fines), closed — each by the
    /// month of its own date — and alerts.
    pub async fn stats_monthly_in(&self, scope: &Scope, q: &StatsQuery) -> Result<Vec<MonthRow>> {
        self.stats_monthly_from(scope, q, StatsSource::Auto).await
    }

    /// [`Store::stats_monthly_in`] read from `source`.
    pub async fn stats_monthly_from(
        &self,
        scope: &Scope,
        q: &StatsQuery,
        source: StatsSource,
    ) -> Result<Vec<MonthRow>> {
        let t = self.stats_target(scope, q).await?;
        let mut months: BTreeMap<String, MonthRow> = q
            .months_to_date()
            .into_iter()
            .map(|(m, _, _)| {
                (
                    m.clone(),
                    MonthRow {
                        month: m,
                        ..Default::default()
                    },
                )
            })
            .collect();
        if source.resolve() == StatsSource::Aggregates {
            self.monthly_from_aggregates(&t, q, &mut months).await?;
            return Ok(months.into_values().collect());
        }
        let (w, from, to) = period_where(CASE_COLS, &t, q);
        let scope_sql = w.sql();
        let and = if scope_sql.is_empty() {
            " WHERE"
        } else {
            " AND"
        };
        let part = |table: &str, col: &str, kind: &str, amount: &str| {
            format!(
                "SELECT substr({col}, 1, 7) AS m, '{kind}' AS kind, COUNT(*) AS n, \
                 CAST(COALESCE(SUM({amount}), 0) AS BIGINT) AS amount FROM {table}{scope_sql}{and} \
                 {col} BETWEEN {from} AND {to} GROUP BY substr({col}, 1, 7)"
            )
        };
        let sql = [
            part("cases", "opened_on", "received", "0"),
            part("cases", "filed_on", "filed", "0"),
            part("cases", "decided_on", "decided", "fine_fen"),
            part("cases", "closed_on", "closed", "0"),
            part("supervision_alerts", "raised_on", "alerts", "0"),
        ]
        .join(" UNION ALL ");
        for row in query_with(sql, w.args()).fetch_all(&self.pool).await? {
            let m: String = row.try_get("m")?;
            let kind: String = row.try_get("kind")?;
            let n: i64 = row.try_get("n")?;
            let Some(entry) = months.get_mut(&m) else {
                continue;
            };
            match kind.as_str() {
                "received" => entry.received = n,
                "filed" => entry.filed = n,
                "decided" => {
                    entry.decided = n;
                    entry.fine = fen_of(&row, "amount")?;
                }
                "closed" => entry.closed = n,
                _ => entry.alerts = n,
            }
        }
        Ok(months.into_values().collect())
    }

    /// Alerts raised in the period per rule, most first.
    pub async fn alerts_by_rule_in(&self, scope: &Scope, q: &StatsQuery) -> Result<Vec<RuleCount>> {
        self.alerts_by_rule_from(scope, q, StatsSource::Auto).await
    }

    /// [`Store::alerts_by_rule_in`] read from `source`.
    pub async fn alerts_by_rule_from(
        &self,
        scope: &Scope,
        q: &StatsQuery,
        source: StatsSource,
    ) -> Result<Vec<RuleCount>> {
        let t = self.stats_target(scope, q).await?;
        let (w, sql) = if source.resolve() == StatsSource::Aggregates && q.whole_months() {
            let w = alert_bucket_where(&t, q);
            let sql = format!(
                "SELECT rule_id, MAX(rule_name) AS rule_name, {} AS total, {} AS open \
                 FROM {}{} GROUP BY rule_id HAVING SUM(total) > 0 \
                 ORDER BY total DESC, rule_id",
                sum_of("total"),
                sum_of("open"),
                Grain::of(&t, None).alerts(),
                w.sql()
            );
            (w, sql)
        } else {
            let (mut w, from, to) = period_where(CASE_COLS, &t, q);
            w.and(format!("raised_on BETWEEN {from} AND {to}"));
            let sql = format!(
                "SELECT rule_id, MAX(rule_name) AS rule_name, COUNT(*) AS total, {} AS open \
                 FROM supervision_alerts{} GROUP BY rule_id ORDER BY total DESC, rule_id",
                count_when("status NOT IN ('closed', 'muted')"),
                w.sql()
            );
            (w, sql)
        };
        query_with(sql, w.args())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(RuleCount {
                    rule_id: r.try_get("rule_id")?,
                    rule_name: r.try_get("rule_name")?,
                    total: r.try_get("total")?,
                    open: r.try_get("open")?,
                })
            })
            .collect()
    }

    /// Names of the agencies of a target (id → name), active or not.
    pub(super) async fn agency_names(&self, t: &StatsTarget) -> Result<HashMap<String, String>> {
        let mut w = Where::new();
        target_where(&mut w, SUBJECT_COLS, t);
        let sql = format!("SELECT id, name FROM subjects{}", w.sql());
        let mut out = HashMap::new();
        for r in query_with(sql, w.args()).fetch_all(&self.pool).await? {
            out.insert(r.try_get("id")?, r.try_get("name")?);
        }
        Ok(out)
    }

    /// The figures of a target grouped by `by` (`None`: one row keyed `*`): one query on
    /// `cases`, one on inspection records, one on alerts and one on `subjects`.
    async fn metrics_by(
        &self,
        t: &StatsTarget,
        q: &StatsQuery,
        by: Option<(Breakdown, usize)>,
        source: StatsSource,
    ) -> Result<BTreeMap<String, Metrics>> {
        let mut out: BTreeMap<String, Metrics> = BTreeMap::new();
        if source == StatsSource::Aggregates {
            self.bucket_metrics(t, q, by, &mut out).await?;
            self.open_metrics(t, q, by, &mut out).await?;
        } else {
            self.case_metrics(t, q, by, &mut out).await?;
            self.inspection_metrics(t, q, by, &mut out).await?;
            self.alert_metrics(t, q, by, &mut out).await?;
        }
        // Agencies: active subjects of the target.
        let mut w = Where::new();
        target_where(&mut w, SUBJECT_COLS, t);
        let yes = w.arg(Arg::Bool(true));
        w.and(format!("active = {yes}"));
        let key = key_sql(by, SUBJECT_COLS);
        let sql = grouped_sql(&key, "COUNT(*) AS n", "subjects", &w);
        self.grouped_counts(sql, &w, by.is_none(), &mut out, |m, n| m.agencies = n)
            .await?;
        // Units with nothing counted (e.g. an inactive agency whose case was closed after the
        // period) are not rows; both sources agree on that.
        out.retain(|k, m| k == "*" || *m != Metrics::default());
        if by.is_none() {
            out.entry("*".to_string()).or_default();
        }
        Ok(out)
    }

    /// The dated figures of the period from the maintained buckets (`case_stats`,
    /// `case_stats_day`, `alert_stats` of migration 0010, or their province roll-up of
    /// migration 0011) and the acting agencies from `agency_months`.
    async fn bucket_metrics(
        &self,
        t: &StatsTarget,
        q: &StatsQuery,
        by: Option<(Breakdown, usize)>,
        out: &mut BTreeMap<String, Metrics>,
    ) -> Result<()> {
        let grain = Grain::of(t, by);
        let key = key_sql(by, CASE_COLS);
        let (w, from, _) = bucket_source(t, q, grain);
        let columns = [
            ("received", "received"),
            ("filed", "filed"),
            ("decided", "decided"),
            ("closed", "closed"),
            ("fine_fen", "fine"),
            ("deviations", "deviations"),
            ("late", "late"),
            ("published", "published"),
            ("reviews_due", "reviews_due"),
            ("reviewed", "reviewed"),
            ("inspections", "inspections"),
        ]
        .iter()
        .map(|(c, alias)| format!("{} AS {alias}", sum_of(c)))
        .collect::<Vec<_>>()
        .join(", ");
        let sql = grouped_sql(&key, &columns, &from, &w);
        for r in query_with(sql, w.args()).fetch_all(&self.pool).await? {
            let m = out.entry(key_of(&r)?).or_default();
            read_dated(m, &r)?;
            m.inspections = r.try_get("inspections")?;
        }
        let (w, from) = acting_source(t, q);
        let sql = grouped_sql(&key, "COUNT(DISTINCT agency_id) AS n", &from, &Where::new());
        self.grouped_counts(sql, &w, by.is_none(), out, |m, n| m.acting_agencies = n)
            .await?;
        if !q.whole_months() {
            // Alerts are bucketed by month only; those of cut months are few enough to count.
            return self.alert_metrics(t, q, by, out).await;
        }
        let w = alert_bucket_where(t, q);
        let columns = format!("{} AS total, {} AS open", sum_of("total"), sum_of("open"));
        let sql = grouped_sql(&key, &columns, grain.alerts(), &w);
        for r in query_with(sql, w.args()).fetch_all(&self.pool).await? {
            let m = out.entry(key_of(&r)?).or_default();
            m.alerts_total = r.try_get("total")?;
            m.alerts_open = r.try_get("open")?;
        }
        Ok(())
    }

    /// Cases open now among those of the period (received by its end; `open_stats`) and, of
    /// those, past a statutory deadline today (the open cases by deadline, `cases_overdue`).
    async fn open_metrics(
        &self,
        t: &StatsTarget,
        q: &StatsQuery,
        by: Option<(Breakdown, usize)>,
        out: &mut BTreeMap<String, Metrics>,
    ) -> Result<()> {
        let key = key_sql(by, CASE_COLS);
        let mut w = Where::new();
        target_where(&mut w, CASE_COLS, t);
        // The province roll-up counts per month received: it answers a period ending with a
        // month (or today, after which nothing is received yet).
        let by_month = q.to >= q.today || q.to == last_of_month(q.to);
        let table = if Grain::of(t, by) == Grain::Province && by_month {
            let last = w.arg(Arg::Text(q.to.format("%Y-%m").to_string()));
            w.and(format!("month <= {last}"));
            "open_stats_prov"
        } else {
            let last = w.arg(Arg::Text(q.to.to_string()));
            w.and(format!("day <= {last}"));
            "open_stats"
        };
        let sql = grouped_sql(&key, &format!("{} AS n", sum_of("n")), table, &w);
        self.grouped_counts(sql, &w, by.is_none(), out, |m, n| m.open_now = n)
            .await?;
        let (mut w, from, to) = period_where(CASE_COLS, t, q);
        let today = w.arg(Arg::Text(q.today.to_string()));
        w.and(format!("stage NOT IN ({})", closed_stages()));
        w.and(format!("next_due < {today}"));
        w.and(format!("opened_on <= {to}"));
        w.and(format!("(closed_on IS NULL OR closed_on >= {from})"));
        // SQLite would rather walk the region index over every case of the region.
        let table = match self.backend {
            Backend::Sqlite => "cases INDEXED BY cases_overdue",
            Backend::Postgres => "cases",
        };
        let sql = grouped_sql(&key, "COUNT(*) AS n", table, &w);
        self.grouped_counts(sql, &w, by.is_none(), out, |m, n| m.overdue = n)
            .await?;
        Ok(())
    }

    /// Received, filed, decided (with fines), closed and alerts per month of the period from
    /// the buckets.
    async fn monthly_from_aggregates(
        &self,
        t: &StatsTarget,
        q: &StatsQuery,
        months: &mut BTreeMap<String, MonthRow>,
    ) -> Result<()> {
        let grain = Grain::of(t, None);
        let (w, from, col) = bucket_source(t, q, grain);
        let sql = format!(
            "SELECT substr({col}, 1, 7) AS m, {} AS received, {} AS filed, {} AS decided, \
             {} AS fine, {} AS closed FROM {from}{} GROUP BY substr({col}, 1, 7)",
            sum_of("received"),
            sum_of("filed"),
            sum_of("decided"),
            sum_of("fine_fen"),
            sum_of("closed"),
            w.sql()
        );
        for r in query_with(sql, w.args()).fetch_all(&self.pool).await? {
            let m: String = r.try_get("m")?;
            if let Some(e) = months.get_mut(&m) {
                e.received = r.try_get("received")?;
                e.filed = r.try_get("filed")?;
                e.decided = r.try_get("decided")?;
                e.fine = fen_of(&r, "fine")?;
                e.closed = r.try_get("closed")?;
            }
        }
        let (w, sql) = if q.whole_months() {
            let w = alert_bucket_where(t, q);
            let sql = format!(
                "SELECT month AS m, {} AS total FROM {}{} GROUP BY month",
                sum_of("total"),
                grain.alerts(),
                w.sql()
            );
            (w, sql)
        } else {
            let (mut w, f, to) = period_where(CASE_COLS, t, q);
            w.and(format!("raised_on BETWEEN {f} AND {to}"));
            let sql = format!(
                "SELECT substr(raised_on, 1, 7) AS m, COUNT(*) AS total FROM supervision_alerts{} \
                 GROUP BY substr(raised_on, 1, 7)",
                w.sql()
            );
            (w, sql)
        };
        for r in query_with(sql, w.args()).fetch_all(&self.pool).await? {
            let m: String = r.try_get("m")?;
            if let Some(e) = months.get_mut(&m) {
                e.alerts = r.try_get("total")?;
            }
        }
        Ok(())
    }

    /// Runs a grouped count (columns `k`, `n`) and stores each group's `n` with `set`; groups
    /// counting zero are left out of breakdowns, kept for a total.
    async fn grouped_counts(
        &self,
        sql: String,
        w: &Where,
        total: bool,
        out: &mut BTreeMap<String, Metrics>,
        set: impl Fn(&mut Metrics, i64),
    ) -> Result<()> {
        for r in query_with(sql, w.args()).fetch_all(&self.pool).await? {
            let n: i64 = r.try_get("n")?;
            if n != 0 || total {
                set(out.entry(key_of(&r)?).or_default(), n);
            }
        }
        Ok(())
    }

    async fn case_metrics(
        &self,
        t: &StatsTarget,
        q: &StatsQuery,
        by: Option<(Breakdown, usize)>,
        out: &mut BTreeMap<String, Metrics>,
    ) -> Result<()> {
        let (mut w, f, to) = period_where(CASE_COLS, t, q);
        let today = w.arg(Arg::Text(q.today.to_string()));
        let yes = w.arg(Arg::Bool(true));
        let general = w.arg(Arg::Text(
            zhifa_domain::case::Procedure::General.code().to_string(),
        ));
        // Alive in the period: registered before its end, not closed before its start.
        w.and(format!("opened_on <= {to}"));
        w.and(format!("(closed_on IS NULL OR closed_on >= {f})"));
        let within = |col: &str| format!("{col} BETWEEN {f} AND {to}");
        let decided = within("decided_on");
        let open = format!("stage NOT IN ({})", closed_stages());
        let requested = json_text(self.backend, "state", &["review", "requested"]);
        let opinion = json_text(self.backend, "state", &["review", "opinion"]);
        // Nested CASEs: the JSON is only parsed for the period's general-procedure decisions.
        let review_due = format!(
            "CAST(COALESCE(SUM(CASE WHEN {decided} AND procedure = {general} THEN \
             CASE WHEN {requested} IS NOT NULL THEN 1 ELSE 0 END ELSE 0 END), 0) AS BIGINT)"
        );
        let reviewed = format!(
            "CAST(COALESCE(SUM(CASE WHEN {decided} AND procedure = {general} THEN \
             CASE WHEN {requested} IS NOT NULL AND {opinion} IS NOT NULL THEN 1 ELSE 0 END \
             ELSE 0 END), 0) AS BIGINT)"
        );
        let columns = [
            format!(
                "COUNT(DISTINCT CASE WHEN {} OR {decided} THEN agency_id END) AS acting",
                within("opened_on")
            ),
            format!("{} AS received", count_when(&within("opened_on"))),
            format!("{} AS filed", count_when(&within("filed_on"))),
            format!("{} AS decided", count_when(&decided)),
            format!("{} AS closed", count_when(&within("closed_on"))),
            format!("{} AS open_now", count_when(&open)),
            format!(
                "{} AS overdue",
                count_when(&format!("{open} AND next_due < {today}"))
            ),
            format!("{} AS fine", sum_when(&decided, "fine_fen")),
            format!(
                "{} AS deviations",
                count_when(&format!("{decided} AND discretion_deviation = {yes}"))
            ),
            format!(
                "{} AS late",
                count_when(&format!("{decided} AND late_decision = {yes}"))
            ),
            format!(
                "{} AS published",
                count_when(&format!("{decided} AND published_on IS NOT NULL"))
            ),
            format!("{review_due} AS reviews_due"),
            format!("{reviewed} AS reviewed"),
        ]
        .join(", ");
        let key = key_sql(by, CASE_COLS);
        let sql = grouped_sql(&key, &columns, "cases", &w);
        for r in query_with(sql, w.args()).fetch_all(&self.pool).await? {
            let m = out.entry(key_of(&r)?).or_default();
            read_dated(m, &r)?;
            m.acting_agencies = r.try_get("acting")?;
            m.open_now = r.try_get("open_now")?;
            m.overdue = r.try_get("overdue")?;
        }
        Ok(())
    }

    async fn inspection_metrics(
        &self,
        t: &StatsTarget,
        q: &StatsQuery,
        by: Option<(Breakdown, usize)>,
        out: &mut BTreeMap<String, Metrics>,
    ) -> Result<()> {
        let (w, from) = self.inspection_where(t, q);
        let key = key_sql(by, CASE_COLS);
        let sql = grouped_sql(&key, "COUNT(*) AS n", &from, &w);
        self.grouped_counts(sql, &w, by.is_none(), out, |m, n| m.inspections = n)
            .await?;
        Ok(())
    }

    /// The `FROM` and `WHERE` of on-site inspection records (`record_made` events of kind
    /// `inspection`, by the date of the record) of a target's cases in the period. Columns of
    /// `cases` are unambiguous in the join (`case_events` has no agency, region or field).
    pub(super) fn inspection_where(&self, t: &StatsTarget, q: &StatsQuery) -> (Where, String) {
        let (mut w, f, to) = period_where(CASE_COLS, t, q);
        let kind = w.arg(Arg::Text("record_made".to_string()));
        let inspection = w.arg(Arg::Text("inspection".to_string()));
        w.and(format!("e.kind = {kind}"));
        w.and(format!("e.on_date BETWEEN {f} AND {to}"));
        w.and(format!(
            "{} = {inspection}",
            json_text(self.backend, "e.payload", &["kind"])
        ));
        (
            w,
            "case_events e JOIN cases c ON c.id = e.case_id".to_string(),
        )
    }

    async fn alert_metrics(
        &self,
        t: &StatsTarget,
        q: &StatsQuery,
        by: Option<(Breakdown, usize)>,
        out: &mut BTreeMap<String, Metrics>,
    ) -> Result<()> {
        let (mut w, f, to) = period_where(CASE_COLS, t, q);
        w.and(format!("raised_on BETWEEN {f} AND {to}"));
        let columns = format!(
            "COUNT(*) AS total, {} AS open",
            count_when("status NOT IN ('closed', 'muted')")
        );
        let key = key_sql(by, CASE_COLS);
        let sql = grouped_sql(&key, &columns, "supervision_alerts", &w);
        for r in query_with(sql, w.args()).fetch_all(&self.pool).await? {
            let total: i64 = r.try_get("total")?;
            if total > 0 || by.is_none() {
                let m = out.entry(key_of(&r)?).or_default();
                m.alerts_total = total;
                m.alerts_open = r.try_get("open")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_ranges_are_indexable() {
        assert_eq!(next_prefix("4401").as_deref(), Some("4402"));
        assert_eq!(next_prefix("4409").as_deref(), Some("4410"));
        assert_eq!(next_prefix("44").as_deref(), Some("45"));
        assert_eq!(next_prefix("99"), None);
        assert_eq!(next_prefix("x1"), None);
        let mut w = Where::new();
        prefix_condition(&mut w, "region_code", "4401");
        assert_eq!(w.sql(), " WHERE region_code >= $1 AND region_code < $2");
        let mut w = Where::new();
        prefix_condition(&mut w, "region_code", "");
        assert_eq!(w.sql(), "");
    }

    #[test]
    fn json_paths_per_backend() {
        assert_eq!(
            json_text(Backend::Sqlite, "state", &["preservation", "0"]),
            "json_extract(state, '$.preservation[0]')"
        );
        assert_eq!(
            json_text(Backend::Postgres, "state", &["review", "opinion"]),
            "(state::json #>> '{review,opinion}')"
        );
    }

    #[test]
    fn region_levels() {
        assert_eq!(child_len(""), 2);
        assert_eq!(child_len("44"), 4);
        assert_eq!(child_len("4401"), 6);
        assert_eq!(child_len("440106"), 9);
        assert_eq!(canonical("44"), "440000");
        assert_eq!(canonical("4401"), "440100");
        assert_eq!(canonical("440106"), "440106");
        assert_eq!(prefix_code(""), None);
        assert_eq!(closed_stages(), "'7', '8', '9'");
    }
}
