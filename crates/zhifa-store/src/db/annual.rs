//! The annual statistics of enforcement data (行政执法数据年度统计, D5; 国办发〔2018〕118号:
//! published by 31 January for the previous year), counted from what this node holds:
//!
//! - 行政处罚: the `cases` projection (filing, decisions with and without penalty, on-the-spot
//!   decisions, fines, confiscations from the decision in the state, hearings, legal review,
//!   publication, closure);
//! - 行政强制: sealing-up (查封, measure `2`) and seizure (扣押, `3`) started in the year, and
//!   evidence preservation (先行登记保存, APL Art. 56) approved in the year, from the `seizure`
//!   and `preservation` of the folded case state;
//! - 行政检查: on-site inspection records (`record_made` events of kind `inspection`);
//! - the power catalogue per category (权责清单), which is all the node holds about licensing
//!   (许可), levies (征收) and requisition (征用): their handling data is not held here.
//!
//! One query per table, grouped by agency; the totals are the sums of the agency lines (every
//! case belongs to exactly one agency).

use std::collections::BTreeMap;

use sqlx::Row;
use zhifa_domain::case::Procedure;
use zhifa_domain::standard::Standard;

use super::Store;
use super::stats::{
    CASE_COLS, SUBJECT_COLS, count_when, fen_of, json_text, period_where, sum_when, target_where,
};
use super::support::{Arg, Where, query_with};
use crate::error::Result;
use crate::scope::Scope;
use crate::stats_model::*;

/// Measure code of 查封 (code set `coercive_measure_type`, ACL Art. 9).
const SEALING: &str = "2";
/// Measure code of 扣押.
const DETENTION: &str = "3";

fn add_penalty(a: &mut PenaltyFigures, b: &PenaltyFigures) {
    a.filed += b.filed;
    a.penalty_decisions += b.penalty_decisions;
    a.on_spot += b.on_spot;
    a.no_penalty_decisions += b.no_penalty_decisions;
    a.fines = a.fines.checked_add(b.fines).unwrap_or(a.fines);
    a.confiscations = a
        .confiscations
        .checked_add(b.confiscations)
        .unwrap_or(a.confiscations);
    a.hearings += b.hearings;
    a.reviewed += b.reviewed;
    a.published += b.published;
    a.closed += b.closed;
}

impl Store {
    /// The annual statistics of `year` for the target of `q` (region, agency, field inside
    /// `scope`; the period of `q` is replaced by the calendar year).
    pub async fn annual_report_in(
        &self,
        scope: &Scope,
        q: &StatsQuery,
        year: i32,
    ) -> Result<AnnualReport> {
        let (from, to) = year_bounds(year)?;
        let q = q.over(from, to);
        let t = self.stats_target(scope, &q).await?;
        let mut lines: BTreeMap<String, AnnualAgencyRow> = BTreeMap::new();
        self.annual_cases(&t, &q, &mut lines).await?;
        self.annual_inspections(&t, &q, &mut lines).await?;
        // Active agencies without figures get a line of zeros; names and regions for all.
        let mut w = Where::new();
        target_where(&mut w, SUBJECT_COLS, &t);
        let sql = format!(
            "SELECT id, name, region_code, active FROM subjects{}",
            w.sql()
        );
        for r in query_with(sql, w.args()).fetch_all(&self.pool).await? {
            let id: String = r.try_get("id")?;
            let active = super::support::get_bool(&r, "active")?;
            if !active && !lines.contains_key(&id) {
                continue;
            }
            let line = lines.entry(id.clone()).or_default();
            line.agency_id = id;
            line.agency_name = r.try_get("name")?;
            line.region_code = r.try_get("region_code")?;
        }
        let mut agencies: Vec<AnnualAgencyRow> = lines
            .into_iter()
            .map(|(id, mut l)| {
                if l.agency_id.is_empty() {
                    l.agency_name.clone_from(&id);
                    l.agency_id = id;
                }
                l
            })
            .collect();
        agencies.sort_by(|a, b| {
            (a.region_code.as_str(), a.agency_name.as_str())
                .cmp(&(b.region_code.as_str(), b.agency_name.as_str()))
        });
        let mut penalty = PenaltyFigures::default();
        let mut coercion = CoercionFigures::default();
        let mut inspections = InspectionFigures::default();
        for a in &agencies {
            add_penalty(&mut penalty, &a.penalty);
            coercion.sealed += a.coercion.sealed;
            coercion.detained += a.coercion.detained;
            coercion.preserved += a.coercion.preserved;
            inspections.records += a.inspections.records;
            inspections.cases += a.inspections.cases;
        }
        let powers = self.power_counts(&t).await?;
        Ok(AnnualReport {
            year,
            target: t,
            penalty,
            coercion,
            inspections,
            powers,
            agencies,
        })
    }

    async fn annual_cases(
        &self,
        t: &StatsTarget,
        q: &StatsQuery,
        lines: &mut BTreeMap<String, AnnualAgencyRow>,
    ) -> Result<()> {
        let b = self.backend;
        let (mut w, f, to) = period_where(CASE_COLS, t, q);
        let yes = w.arg(Arg::Bool(true));
        let simple = w.arg(Arg::Text(Procedure::Simple.code().to_string()));
        let sealing = w.arg(Arg::Text(SEALING.to_string()));
        let detention = w.arg(Arg::Text(DETENTION.to_string()));
        w.and(format!("opened_on <= {to}"));
        w.and(format!("(closed_on IS NULL OR closed_on >= {f})"));
        let within = |expr: &str| format!("{expr} BETWEEN {f} AND {to}");
        let decided = within("decided_on");
        let penalty = json_text(b, "state", &["decision", "penalty"]);
        let confiscation = json_text(b, "state", &["decision", "penalty", "confiscation_fen"]);
        let opinion = json_text(b, "state", &["review", "opinion"]);
        let seizure_on = json_text(b, "state", &["seizure", "on"]);
        let measure = json_text(b, "state", &["seizure", "measure"]);
        let preserved_on = json_text(b, "state", &["preservation", "0"]);
        // Nested CASEs so that the JSON is only read for rows of the year.
        let nested = |outer: &str, inner: &str| {
            format!(
                "CAST(COALESCE(SUM(CASE WHEN {outer} THEN CASE WHEN {inner} THEN 1 ELSE 0 END \
                 ELSE 0 END), 0) AS BIGINT)"
            )
        };
        let columns = [
            format!("{} AS filed", count_when(&within("filed_on"))),
            format!(
                "{} AS penalties",
                nested(&decided, &format!("{penalty} IS NOT NULL"))
            ),
            format!(
                "{} AS on_spot",
                count_when(&format!("{decided} AND procedure = {simple}"))
            ),
            format!(
                "{} AS no_penalties",
                nested(&decided, &format!("{penalty} IS NULL"))
            ),
            format!("{} AS fines", sum_when(&decided, "fine_fen")),
            format!(
                "CAST(COALESCE(SUM(CASE WHEN {decided} THEN \
                 COALESCE(CAST({confiscation} AS BIGINT), 0) ELSE 0 END), 0) AS BIGINT) \
                 AS confiscations"
            ),
            format!(
                "{} AS hearings",
                count_when(&format!("{decided} AND hearing = {yes}"))
            ),
            format!(
                "{} AS reviewed",
                nested(&decided, &format!("{opinion} IS NOT NULL"))
            ),
            format!(
                "{} AS published",
                count_when(&format!("{decided} AND published_on IS NOT NULL"))
            ),
            format!("{} AS closed", count_when(&within("closed_on"))),
            format!(
                "{} AS sealed",
                nested(&within(&seizure_on), &format!("{measure} = {sealing}"))
            ),
            format!(
                "{} AS detained",
                nested(&within(&seizure_on), &format!("{measure} = {detention}"))
            ),
            format!("{} AS preserved", count_when(&within(&preserved_on))),
            "MAX(agency_name) AS agency_name".to_string(),
            "MAX(region_code) AS region_code".to_string(),
        ]
        .join(", ");
        let sql = format!(
            "SELECT agency_id, {columns} FROM cases{} GROUP BY agency_id",
            w.sql()
        );
        for r in query_with(sql, w.args()).fetch_all(&self.pool).await? {
            let id: String = r.try_get("agency_id")?;
            let line = lines.entry(id.clone()).or_default();
            line.agency_id = id;
            line.agency_name = r.try_get("agency_name")?;
            line.region_code = r.try_get("region_code")?;
            line.penalty = PenaltyFigures {
                filed: r.try_get("filed")?,
                penalty_decisions: r.try_get("penalties")?,
                on_spot: r.try_get("on_spot")?,
                no_penalty_decisions: r.try_get("no_penalties")?,
                fines: fen_of(&r, "fines")?,
                confiscations: fen_of(&r, "confiscations")?,
                hearings: r.try_get("hearings")?,
                reviewed: r.try_get("reviewed")?,
                published: r.try_get("published")?,
                closed: r.try_get("closed")?,
            };
            line.coercion = CoercionFigures {
                sealed: r.try_get("sealed")?,
                detained: r.try_get("detained")?,
                preserved: r.try_get("preserved")?,
            };
        }
        Ok(())
    }

    async fn annual_inspections(
        &self,
        t: &StatsTarget,
        q: &StatsQuery,
        lines: &mut BTreeMap<String, AnnualAgencyRow>,
    ) -> Result<()> {
        let (w, from) = self.inspection_where(t, q);
        let sql = format!(
            "SELECT agency_id, MAX(agency_name) AS agency_name, MAX(region_code) AS region_code, \
             COUNT(*) AS n, COUNT(DISTINCT e.case_id) AS cases FROM {from}{} GROUP BY agency_id",
            w.sql()
        );
        for r in query_with(sql, w.args()).fetch_all(&self.pool).await? {
            let id: String = r.try_get("agency_id")?;
            let line = lines.entry(id.clone()).or_default();
            if line.agency_id.is_empty() {
                line.agency_id = id;
                line.agency_name = r.try_get("agency_name")?;
                line.region_code = r.try_get("region_code")?;
            }
            line.inspections = InspectionFigures {
                records: r.try_get("n")?,
                cases: r.try_get("cases")?,
            };
        }
        Ok(())
    }

    /// Active powers per category of the code set (zeros included). Powers carry no region,
    /// so the count is node-wide, or of the agency's field when the target is one agency (or
    /// of the target's field).
    async fn power_counts(&self, t: &StatsTarget) -> Result<Vec<PowerCount>> {
        let field = match (&t.agency_id, &t.field) {
            (_, Some(f)) => Some(f.clone()),
            (Some(a), None) => sqlx::query("SELECT field FROM subjects WHERE id = $1")
                .bind(a.as_str())
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.try_get::<String, _>(0))
                .transpose()?,
            (None, None) => None,
        };
        let mut w = Where::new();
        let yes = w.arg(Arg::Bool(true));
        w.and(format!("active = {yes}"));
        w.eq("field", field.as_deref());
        let sql = format!(
            "SELECT category, COUNT(*) AS n FROM powers{} GROUP BY category",
            w.sql()
        );
        let mut counts: BTreeMap<String, i64> = BTreeMap::new();
        for r in query_with(sql, w.args()).fetch_all(&self.pool).await? {
            counts.insert(r.try_get("category")?, r.try_get("n")?);
        }
        let codes: Vec<String> = Standard::builtin()
            .code_set("power_category")
            .map(|s| s.codes.iter().map(|c| c.code.clone()).collect())
            .unwrap_or_default();
        Ok(codes
            .into_iter()
            .map(|category| PowerCount {
                count: counts.get(&category).copied().unwrap_or(0),
                category,
            })
            .collect())
    }
}
