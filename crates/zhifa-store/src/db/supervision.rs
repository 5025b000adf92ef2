//! The supervision repository (执法监督, F11): the node's alert rules, the worker pass that
//! evaluates them as case events arrive, sweeps (time-based and cross-case rules, imported
//! history, escalation), and the handling loop of each alert (处置闭环).
//!
//! Like the outbox, the pass tails `case_events.seq` with a cursor (`supervision_cursor`,
//! `case_log`): the events past it, the cases they touch, the findings of the rules and the
//! cursor move are one transaction, so every committed event is evaluated exactly once and
//! the case-command path writes nothing extra. A finding becomes an alert once: its dedupe key
//! (`{rule}:{what}`) is unique. Every alert row change (raised, escalated, each handling step)
//! writes a change-log row (entity `supervision_alert`) and so a ledger leaf.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use zhifa_domain::calendar::LegalCalendar;
use zhifa_domain::case::{CaseEvent, CaseState, OfficerRef};
use zhifa_supervise::aggregate::{AgencyRow, AggCase, Aggregates, Inspection, repeat_inspections};
use zhifa_supervise::{CaseView, CertificateRecord, EvalContext, Facts, Finding, RuleSet};

use super::cases::{EVENT_COLUMNS, open, parse_date, rows_where_in, stored_event_row};
use super::changes::{ChangeRecord, record_changes_in};
use super::support::{
    Arg, Tx, Where, backend_of, fetch_page, field_error, get_json, new_id, now, to_json,
};
use super::{Backend, Store};
use crate::error::{Result, StoreError};
use crate::model::{Actor, Change, ChangeFilter, Page, PageRequest, User};
use crate::scope::{Scope, roles};
use crate::supervision_model::*;

/// Node setting holding the rule set (JSON of [`RuleSet`]).
const RULES_KEY: &str = "alert_rules";
/// Cursor over the case log.
const CURSOR: &str = "case_log";
/// Cursor row recording the last sweep.
const SWEEP: &str = "sweep";
/// Change-log entity of alerts.
pub const ALERT_ENTITY: &str = "supervision_alert";
/// Cases per sweep page.
const SWEEP_PAGE: i64 = 500;

const ALERT_COLUMNS: &str = "id, rule_id, rule_name, citation, severity, dedupe_key, case_id, \
     case_number, agency_id, agency_name, region_code, field, officer_id, message, facts, status, \
     escalation, raised_at, raised_on, trigger_seq, assignee_id, assignee_name, opinion, \
     opinion_number, rectify_due, rectification, feedback, closing_note, mute_reason, version, \
     updated_at";

fn alert_from_row(r: &AnyRow) -> Result<Alert> {
    let facts: String = r.try_get("facts")?;
    Ok(Alert {
        id: r.try_get("id")?,
        rule_id: r.try_get("rule_id")?,
        rule_name: r.try_get("rule_name")?,
        citation: r.try_get("citation")?,
        severity: r.try_get("severity")?,
        case_id: r.try_get("case_id")?,
        case_number: r.try_get("case_number")?,
        agency_id: r.try_get("agency_id")?,
        agency_name: r.try_get("agency_name")?,
        region_code: r.try_get("region_code")?,
        field: r.try_get("field")?,
        officer_id: r.try_get("officer_id")?,
        message: r.try_get("message")?,
        facts: serde_json::from_str(&facts).unwrap_or(Value::Null),
        status: r.try_get("status")?,
        escalation: r.try_get("escalation")?,
        raised_at: r.try_get("raised_at")?,
        raised_on: r.try_get("raised_on")?,
        trigger_seq: r.try_get("trigger_seq")?,
        assignee_id: r.try_get("assignee_id")?,
        assignee_name: r.try_get("assignee_name")?,
        opinion: r.try_get("opinion")?,
        opinion_number: r.try_get("opinion_number")?,
        rectify_due: r.try_get("rectify_due")?,
        rectification: r.try_get("rectification")?,
        feedback: r.try_get("feedback")?,
        closing_note: r.try_get("closing_note")?,
        mute_reason: r.try_get("mute_reason")?,
        version: r.try_get("version")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// A case as the rules see it, with what an alert about it records.
struct LoadedCase {
    id: String,
    number: Option<String>,
    agency_name: String,
    region_code: String,
    state: CaseState,
    events: Vec<(i64, CaseEvent)>,
}

/// Where a finding's alert belongs (agency name, region, field, case number).
struct Place {
    agency_name: String,
    region_code: String,
    field: String,
    case_number: Option<String>,
}

/// The officer acts of events (for the certificate facts).
fn act_officers(e: &CaseEvent) -> &[OfficerRef] {
    match e {
        CaseEvent::OfficersAssigned { officers, .. }
        | CaseEvent::RecordMade { officers, .. }
        | CaseEvent::OnSpotDecided { officers, .. } => officers,
        _ => &[],
    }
}

/// Party key of an inspected party: the USCC of an organisation, a blind index of a person's
/// ID number, else the name.
fn party_key(store: &Store, s: &CaseState) -> String {
    match s.party.id_number.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() && !s.party.is_citizen() => id.to_string(),
        Some(id) if !id.is_empty() => {
            format!("bi:{}", store.cipher.blind_index(id.as_bytes()))
        }
        _ => format!("name:{}", s.party.name.trim()),
    }
}

impl Store {
    /// The node's alert rules ([`RuleSet::default`], the shipped `rules/default.toml`, until
    /// an administrator sets them).
    pub async fn alert_rules(&self) -> Result<RuleSet> {
        self.node_setting(RULES_KEY).await
    }

    /// Replaces the node's alert rules from TOML text (administrators). Every error names its
    /// field (`rule[3].check.share_percent`) with a stable code; the change is logged (entity
    /// `setting`, id `alert_rules`) and so becomes a ledger leaf.
    pub async fn set_alert_rules(&self, actor: &Actor, toml_text: &str) -> Result<RuleSet> {
        let set = RuleSet::from_toml(toml_text).map_err(|errors| {
            StoreError::Invalid(
                errors
                    .into_iter()
                    .map(|e| field_error(e.field, e.code, e.message))
                    .collect(),
            )
        })?;
        self.set_node_setting(RULES_KEY, &set, actor).await?;
        Ok(set)
    }

    /// The version of the node's alert rules (0 while the built-in defaults apply); a change
    /// calls for a full sweep.
    pub async fn alert_rules_version(&self) -> Result<i64> {
        let row = sqlx::query("SELECT version FROM node_settings WHERE key = $1")
            .bind(RULES_KEY)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => r.try_get(0)?,
            None => 0,
        })
    }

    /// The case-log position the supervision worker has evaluated up to.
    pub async fn supervision_position(&self) -> Result<i64> {
        let row = sqlx::query("SELECT position FROM supervision_cursor WHERE name = $1")
            .bind(CURSOR)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => r.try_get(0)?,
            None => 0,
        })
    }

    /// One pass of the supervision worker: evaluates the per-case rules on every case touched
    /// by up to `limit` case events past the cursor, records inspections and checks them for
    /// repeats, raises the new alerts and moves the cursor, in one transaction. When another
    /// pass moved the cursor meanwhile, nothing is written and the report is empty.
    pub async fn supervision_pass(
        &self,
        calendar: &LegalCalendar,
        today: NaiveDate,
        limit: i64,
    ) -> Result<PassReport> {
        let start = self.supervision_position().await?;
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM case_events WHERE seq > $1 ORDER BY seq LIMIT {}",
            limit.max(1)
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(start)
            .fetch_all(&self.pool)
            .await?;
        if rows.is_empty() {
            return Ok(PassReport {
                position: start,
                ..PassReport::default()
            });
        }
        let events = rows
            .iter()
            .map(|r| stored_event_row(&*self.cipher, r))
            .collect::<Result<Vec<_>>>()?;
        let end = events.last().map_or(start, |e| e.seq);
        let decisions = events.iter().any(|e| {
            matches!(
                e.kind.as_str(),
                "decision_made" | "on_spot_decided" | "investigation_concluded"
            )
        });
        let touched: HashSet<&str> = events.iter().map(|e| e.case_id.as_str()).collect();
        let rules = self.alert_rules().await?;
        let case_rules = self.case_rules().await?;
        let mut conn = self.pool.acquire().await?;
        let cases = self.load_cases(&mut conn, &touched).await?;
        let facts = load_facts(&mut conn, self.backend, cases.values()).await?;
        let ctx = EvalContext {
            today,
            calendar,
            case_rules: &case_rules,
            facts: &facts,
        };
        let mut found: Vec<(Finding, Place)> = Vec::new();
        for case in cases.values() {
            for f in evaluate(&rules, case, &ctx) {
                found.push((f, place_of(case)));
            }
        }
        // Inspections of this pass, and the earlier ones of the same parties.
        let mut new_inspections = Vec::new();
        for e in &events {
            if let CaseEvent::RecordMade { on, kind, .. } = &e.event
                && kind == "inspection"
                && let Some(case) = cases.get(&e.case_id)
            {
                new_inspections.push(Inspection {
                    seq: e.seq,
                    party_key: party_key(self, &case.state),
                    party_name: case.state.party.name.clone(),
                    case_id: e.case_id.clone(),
                    agency_id: case.state.agency_id.clone(),
                    on: *on,
                });
            }
        }
        drop(conn);
        let mut tx = self.begin_write().await?;
        let now_at = sqlx::query("SELECT position FROM supervision_cursor WHERE name = $1")
            .bind(CURSOR)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get::<i64, _>(0))
            .transpose()?
            .unwrap_or(0);
        if now_at != start {
            return Ok(PassReport {
                position: now_at,
                ..PassReport::default()
            });
        }
        if !new_inspections.is_empty() {
            let keys: HashSet<&str> = new_inspections
                .iter()
                .map(|i| i.party_key.as_str())
                .collect();
            let select = "SELECT seq, party_key, party_name, case_id, agency_id, on_date \
                          FROM supervision_inspections WHERE party_key";
            let mut known = Vec::new();
            for r in rows_where_in(&mut tx, self.backend, select, &keys).await? {
                known.push(Inspection {
                    seq: r.try_get("seq")?,
                    party_key: r.try_get("party_key")?,
                    party_name: r.try_get("party_name")?,
                    case_id: r.try_get("case_id")?,
                    agency_id: r.try_get("agency_id")?,
                    on: parse_date(&r.try_get::<String, _>("on_date")?)?,
                });
            }
            for i in &new_inspections {
                sqlx::query(
                    "INSERT INTO supervision_inspections (seq, party_key, party_name, case_id, \
                     agency_id, on_date) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (seq) DO NOTHING",
                )
                .bind(i.seq)
                .bind(i.party_key.clone())
                .bind(i.party_name.clone())
                .bind(i.case_id.clone())
                .bind(i.agency_id.clone())
                .bind(i.on.to_string())
                .execute(&mut *tx)
                .await?;
            }
            let mut all = known;
            all.extend(new_inspections.iter().cloned());
            for i in &new_inspections {
                let Some(case) = cases.get(&i.case_id) else {
                    continue;
                };
                for f in repeat_inspections(&rules, i, &all, &case.region_code, &case.state.field) {
                    found.push((f, place_of(case)));
                }
            }
        }
        let raised = self.raise(&mut tx, &rules, found, Some(end), today).await?;
        set_cursor(&mut tx, CURSOR, end, None).await?;
        tx.commit().await?;
        Ok(PassReport {
            events: events.len() as u64,
            cases: cases.len() as u64,
            raised,
            position: end,
            decisions,
        })
    }

    /// Passes (up to `batch` events each) until every committed case event is evaluated;
    /// returns the summed report.
    pub async fn supervision_catch_up(
        &self,
        calendar: &LegalCalendar,
        today: NaiveDate,
        batch: i64,
    ) -> Result<PassReport> {
        let mut total = PassReport::default();
        loop {
            let r = self.supervision_pass(calendar, today, batch).await?;
            total.events += r.events;
            total.cases += r.cases;
            total.raised += r.raised;
            total.decisions |= r.decisions;
            total.position = r.position;
            if r.events == 0 {
                return Ok(total);
            }
        }
    }

    /// A sweep. Per-case rules run on every open case (clocks run out with time, not events:
    /// a lapse of a closed case was seen by the pass when its last event arrived) or, with
    /// `full`, on every case (after the rules changed, or for history loaded around the case
    /// log); then the cross-case rules over their periods and the escalation of alerts left
    /// open.
    pub async fn supervision_sweep(
        &self,
        calendar: &LegalCalendar,
        today: NaiveDate,
        full: bool,
    ) -> Result<SweepReport> {
        let rules = self.alert_rules().await?;
        let case_rules = self.case_rules().await?;
        let mut report = SweepReport::default();
        let mut agg = Aggregates::new(&rules, today);
        let select = if full {
            "SELECT id FROM cases WHERE id > $1 ORDER BY id LIMIT $2"
        } else {
            "SELECT id FROM cases WHERE id > $1 AND closed_on IS NULL ORDER BY id LIMIT $2"
        };
        let mut after = String::new();
        loop {
            let mut conn = self.pool.acquire().await?;
            let ids: Vec<String> = sqlx::query(select)
                .bind(after.clone())
                .bind(SWEEP_PAGE)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<std::result::Result<_, _>>()?;
            let Some(last) = ids.last().cloned() else {
                break;
            };
            let wanted: HashSet<&str> = ids.iter().map(String::as_str).collect();
            let cases = self.load_cases(&mut conn, &wanted).await?;
            let facts = load_facts(&mut conn, self.backend, cases.values()).await?;
            drop(conn);
            let ctx = EvalContext {
                today,
                calendar,
                case_rules: &case_rules,
                facts: &facts,
            };
            let mut found = Vec::new();
            for case in cases.values() {
                for f in evaluate(&rules, case, &ctx) {
                    found.push((f, place_of(case)));
                }
            }
            report.cases += cases.len() as u64;
            if !found.is_empty() {
                let mut tx = self.begin_write().await?;
                report.raised += self.raise(&mut tx, &rules, found, None, today).await?;
                tx.commit().await?;
            }
            after = last;
        }
        // The cases the cross-case rules look at: opened within their longest period (and the
        // decision period before it, for decisions inside the period).
        let lookback = u64::from(agg.lookback_days()) + u64::from(case_rules.decision_days) * 2;
        let since = (today - chrono::Days::new(lookback)).to_string();
        let mut after = String::new();
        loop {
            let rows = sqlx::query(
                "SELECT id, region_code, opened_on, state FROM cases \
                 WHERE opened_on >= $1 AND id > $2 ORDER BY id LIMIT $3",
            )
            .bind(since.clone())
            .bind(after.clone())
            .bind(SWEEP_PAGE * 4)
            .fetch_all(&self.pool)
            .await?;
            let Some(last) = rows.last() else {
                break;
            };
            after = last.try_get("id")?;
            for r in &rows {
                let id: String = r.try_get("id")?;
                let state: CaseState = open(&*self.cipher, &id, &r.try_get::<String, _>("state")?)?;
                let region: String = r.try_get("region_code")?;
                let Ok(opened) = parse_date(&r.try_get::<String, _>("opened_on")?) else {
                    continue;
                };
                agg.add(&AggCase {
                    case_id: &id,
                    region_code: &region,
                    opened_on: opened,
                    state: &state,
                });
            }
        }
        // Cross-case rules.
        let (agencies, opened) = self.zero_enforcement_inputs(&rules, today).await?;
        let places: HashMap<String, Place> = agencies
            .iter()
            .map(|a| {
                (
                    a.agency_id.clone(),
                    Place {
                        agency_name: a.name.clone(),
                        region_code: a.region_code.clone(),
                        field: a.field.clone(),
                        case_number: None,
                    },
                )
            })
            .collect();
        let found: Vec<(Finding, Place)> = agg
            .findings(&agencies, &opened)
            .into_iter()
            .filter_map(|f| {
                let p = places.get(&f.agency_id)?;
                Some((
                    f,
                    Place {
                        agency_name: p.agency_name.clone(),
                        region_code: p.region_code.clone(),
                        field: p.field.clone(),
                        case_number: None,
                    },
                ))
            })
            .collect();
        let mut tx = self.begin_write().await?;
        report.raised += self.raise(&mut tx, &rules, found, None, today).await?;
        report.escalated = escalate(&mut tx, &rules, today).await?;
        set_cursor(&mut tx, SWEEP, 0, Some(now())).await?;
        tx.commit().await?;
        Ok(report)
    }

    /// Enforcement subjects with their penalty powers, and the cases each opened within the
    /// longest zero-enforcement period.
    async fn zero_enforcement_inputs(
        &self,
        rules: &RuleSet,
        today: NaiveDate,
    ) -> Result<(Vec<AgencyRow>, HashMap<String, i64>)> {
        let period = rules
            .enabled()
            .filter_map(|r| match r.check {
                zhifa_supervise::Check::ZeroEnforcement { period_days } => Some(period_days),
                _ => None,
            })
            .max()
            .unwrap_or(365);
        let since = today - chrono::Days::new(u64::from(period));
        let mut agencies = Vec::new();
        let rows = sqlx::query(
            "SELECT s.id, s.name, s.region_code, s.field, \
             (SELECT COUNT(*) FROM powers p WHERE p.field = s.field AND p.category = '02' \
              AND p.active = $1) AS powers \
             FROM subjects s WHERE s.active = $1 ORDER BY s.id",
        )
        .bind(true)
        .fetch_all(&self.pool)
        .await?;
        for r in rows {
            agencies.push(AgencyRow {
                agency_id: r.try_get("id")?,
                name: r.try_get("name")?,
                region_code: r.try_get("region_code")?,
                field: r.try_get("field")?,
                penalty_powers: r.try_get("powers")?,
            });
        }
        let mut opened = HashMap::new();
        for r in sqlx::query(
            "SELECT agency_id, COUNT(*) FROM cases WHERE opened_on >= $1 GROUP BY agency_id",
        )
        .bind(since.to_string())
        .fetch_all(&self.pool)
        .await?
        {
            opened.insert(r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?);
        }
        Ok((agencies, opened))
    }

    /// Loads cases (state decrypted) with their events, by id.
    async fn load_cases(
        &self,
        conn: &mut AnyConnection,
        ids: &HashSet<&str>,
    ) -> Result<HashMap<String, LoadedCase>> {
        let mut out = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let list: Vec<&str> = ids.iter().copied().collect();
        for part in list.chunks(500) {
            let keys = super::ledger::in_list(self.backend, part.len());
            let sql = format!(
                "SELECT id, number, agency_name, region_code, state FROM cases \
                 WHERE id IN {keys}"
            );
            let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(false);
            for id in part {
                q = q.bind(id.to_string());
            }
            for r in q.fetch_all(&mut *conn).await? {
                let id: String = r.try_get("id")?;
                let state: CaseState = open(&*self.cipher, &id, &r.try_get::<String, _>("state")?)?;
                out.insert(
                    id.clone(),
                    LoadedCase {
                        number: r.try_get("number")?,
                        agency_name: r.try_get("agency_name")?,
                        region_code: r.try_get("region_code")?,
                        state,
                        events: Vec::new(),
                        id,
                    },
                );
            }
            let sql = format!(
                "SELECT {EVENT_COLUMNS} FROM case_events WHERE case_id IN {keys} \
                 ORDER BY case_id, version"
            );
            let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(false);
            for id in part {
                q = q.bind(id.to_string());
            }
            for r in q.fetch_all(&mut *conn).await? {
                let e = stored_event_row(&*self.cipher, &r)?;
                if let Some(c) = out.get_mut(&e.case_id) {
                    c.events.push((e.seq, e.event));
                }
            }
        }
        Ok(out)
    }

    /// Writes the alerts of findings not raised before; returns how many were new.
    async fn raise(
        &self,
        tx: &mut Tx,
        rules: &RuleSet,
        found: Vec<(Finding, Place)>,
        trigger_seq: Option<i64>,
        today: NaiveDate,
    ) -> Result<u64> {
        if found.is_empty() {
            return Ok(0);
        }
        let backend = backend_of(tx);
        let keys: HashSet<&str> = found.iter().map(|(f, _)| f.dedupe_key.as_str()).collect();
        let mut known: HashSet<String> = HashSet::new();
        for part in keys.iter().copied().collect::<Vec<_>>().chunks(500) {
            let set: HashSet<&str> = part.iter().copied().collect();
            for r in rows_where_in(
                tx,
                backend,
                "SELECT dedupe_key FROM supervision_alerts WHERE dedupe_key",
                &set,
            )
            .await?
            {
                known.insert(r.try_get(0)?);
            }
        }
        let at = now();
        let mut entries = Vec::new();
        for (f, place) in found {
            if !known.insert(f.dedupe_key.clone()) {
                continue;
            }
            let Some(rule) = rules.get(&f.rule_id) else {
                continue;
            };
            let alert = Alert {
                id: new_id(),
                rule_id: rule.id.clone(),
                rule_name: rule.name.clone(),
                citation: rule.citation.clone(),
                severity: rule.severity.code().to_string(),
                case_id: f.case_id.clone(),
                case_number: place.case_number,
                agency_id: f.agency_id.clone(),
                agency_name: place.agency_name,
                region_code: place.region_code,
                field: place.field,
                officer_id: f.officer_id.clone(),
                message: f.message.clone(),
                facts: f.facts.clone(),
                status: "open".into(),
                escalation: 0,
                raised_at: at.clone(),
                raised_on: today.to_string(),
                trigger_seq,
                assignee_id: None,
                assignee_name: None,
                opinion: None,
                opinion_number: None,
                rectify_due: None,
                rectification: None,
                feedback: None,
                closing_note: None,
                mute_reason: None,
                version: 1,
                updated_at: at.clone(),
            };
            insert_alert(tx, &alert, &f.dedupe_key).await?;
            entries.push(ChangeRecord {
                entity: ALERT_ENTITY.into(),
                entity_id: alert.id.clone(),
                action: "raise".into(),
                before: None,
                after: serde_json::to_value(&alert).ok(),
            });
        }
        let n = entries.len() as u64;
        if !entries.is_empty() {
            record_changes_in(tx, backend, &entries, &Actor::system("supervision"), &at).await?;
        }
        Ok(n)
    }

    /// Alerts within `scope`, newest first. A supervisor sees their region's agencies, an
    /// agency role its own agency, an administrator all.
    pub async fn list_alerts_in(
        &self,
        scope: &Scope,
        filter: &AlertFilter,
        page: PageRequest,
    ) -> Result<Page<Alert>> {
        let mut w = Where::new();
        alert_scope(&mut w, scope);
        match filter.status.as_deref().map(str::trim) {
            Some("active") => w.and("status NOT IN ('closed', 'muted')"),
            other => w.eq("status", other),
        }
        w.eq("rule_id", filter.rule_id.as_deref());
        w.eq("severity", filter.severity.as_deref());
        w.eq("agency_id", filter.agency_id.as_deref());
        w.eq("case_id", filter.case_id.as_deref());
        if let Some(p) = filter
            .region
            .as_deref()
            .map(crate::scope::region_prefix)
            .filter(|p| !p.is_empty())
        {
            let a = w.arg(Arg::Text(format!("{p}%")));
            w.and(format!("region_code LIKE {a}"));
        }
        if filter.escalated == Some(true) {
            w.and("escalation > 0");
        }
        fetch_page(
            &self.pool,
            ALERT_COLUMNS,
            "supervision_alerts",
            w,
            "raised_at DESC, id DESC",
            page,
            alert_from_row,
        )
        .await
    }

    /// One alert within `scope` (`NotFound` outside it).
    pub async fn get_alert_in(&self, scope: &Scope, id: &str) -> Result<Alert> {
        let mut conn = self.pool.acquire().await?;
        alert_in(&mut conn, scope, id).await
    }

    /// The handling history of an alert (its change-log rows, oldest first).
    pub async fn alert_history(&self, scope: &Scope, id: &str) -> Result<Vec<Change>> {
        self.get_alert_in(scope, id).await?;
        let page = self
            .list_changes(
                &ChangeFilter {
                    entity: Some(ALERT_ENTITY.into()),
                    entity_id: Some(id.into()),
                },
                PageRequest {
                    offset: 0,
                    limit: 200,
                },
            )
            .await?;
        let mut items = page.items;
        items.sort_by_key(|c| c.seq);
        Ok(items)
    }

    /// Takes one step of an alert's handling loop (处置闭环). Supervisors (and
    /// administrators) assign, issue the supervision opinion (监督意见书, numbered
    /// `监督意见〔year〕n号` in the transaction), close or return it, and mute it with a reason;
    /// the agency's head records rectification and feedback. Errors: `NotFound` outside the
    /// caller's scope; `Invalid` naming the field for a missing text, a bad date, a step the
    /// role may not take (`alert.role`) or one the status does not allow (`alert.status`).
    pub async fn act_on_alert(
        &self,
        scope: &Scope,
        user: &User,
        actor: &Actor,
        id: &str,
        action: &AlertAction,
        today: NaiveDate,
    ) -> Result<Alert> {
        check_action(action, today)?;
        let supervisor = matches!(user.role.as_str(), roles::SUPERVISOR | roles::ADMIN);
        if action.by_supervisor() != supervisor || (!supervisor && user.role != roles::HEAD) {
            return Err(StoreError::invalid(field_error(
                "action",
                "alert.role",
                if action.by_supervisor() {
                    format!("“{}”由执法监督人员办理", action.zh())
                } else {
                    format!("“{}”由被监督机关负责人办理", action.zh())
                },
            )));
        }
        let mut tx = self.begin_write().await?;
        let before = alert_in(&mut tx, scope, id).await?;
        if !action.from_statuses().contains(&before.status.as_str()) {
            return Err(StoreError::invalid(field_error(
                "action",
                "alert.status",
                format!(
                    "线索当前状态为“{}”，不能{}",
                    alert_status_zh(&before.status),
                    action.zh()
                ),
            )));
        }
        let mut a = before.clone();
        a.status = action.to_status().to_string();
        match action {
            AlertAction::Assign { assignee_id } => {
                let uid = assignee_id
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .unwrap_or(&user.id);
                let row = sqlx::query(
                    "SELECT id, display_name, role, region_code, active FROM users WHERE id = $1",
                )
                .bind(uid.to_string())
                .fetch_optional(&mut *tx)
                .await?;
                let ok = match &row {
                    Some(r) => {
                        let role: String = r.try_get("role")?;
                        let region: Option<String> = r.try_get("region_code")?;
                        let active = super::support::get_bool(r, "active")?;
                        active
                            && (role == roles::ADMIN
                                || (role == roles::SUPERVISOR
                                    && region.is_some_and(|code| {
                                        Scope::region(&code)
                                            .covers_agency(&a.agency_id, &a.region_code)
                                    })))
                    }
                    None => false,
                };
                let Some(r) = row.filter(|_| ok) else {
                    return Err(StoreError::invalid(field_error(
                        "assignee_id",
                        "alert.assignee",
                        "承办人必须是监督范围覆盖该机关的在职执法监督人员",
                    )));
                };
                a.assignee_id = Some(r.try_get("id")?);
                a.assignee_name = Some(r.try_get("display_name")?);
            }
            AlertAction::IssueOpinion {
                opinion,
                rectify_due,
            } => {
                let year = today.year();
                let pattern = format!("%〔{year}〕%");
                let n: i64 = sqlx::query(
                    "SELECT COUNT(*) FROM supervision_alerts WHERE opinion_number LIKE $1",
                )
                .bind(pattern)
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
                a.opinion = Some(opinion.trim().to_string());
                a.opinion_number = Some(format!("监督意见〔{year}〕{}号", n + 1));
                a.rectify_due = Some(rectify_due.trim().to_string());
                if a.assignee_id.is_none() {
                    a.assignee_id = Some(user.id.clone());
                    a.assignee_name = Some(user.display_name.clone());
                }
            }
            AlertAction::Rectify { rectification } => {
                a.rectification = Some(rectification.trim().to_string());
            }
            AlertAction::Feedback { feedback } => a.feedback = Some(feedback.trim().to_string()),
            AlertAction::Close { note } => a.closing_note = Some(note.trim().to_string()),
            AlertAction::Return { note } => {
                a.closing_note = Some(format!("退回重新整改：{}", note.trim()));
            }
            AlertAction::Mute { reason } => a.mute_reason = Some(reason.trim().to_string()),
        }
        let at = now();
        a.version += 1;
        a.updated_at.clone_from(&at);
        let done = sqlx::query(
            "UPDATE supervision_alerts SET status = $1, assignee_id = $2, assignee_name = $3, \
             opinion = $4, opinion_number = $5, rectify_due = $6, rectification = $7, \
             feedback = $8, closing_note = $9, mute_reason = $10, version = $11, updated_at = $12 \
             WHERE id = $13 AND version = $14",
        )
        .bind(a.status.clone())
        .bind(a.assignee_id.clone())
        .bind(a.assignee_name.clone())
        .bind(a.opinion.clone())
        .bind(a.opinion_number.clone())
        .bind(a.rectify_due.clone())
        .bind(a.rectification.clone())
        .bind(a.feedback.clone())
        .bind(a.closing_note.clone())
        .bind(a.mute_reason.clone())
        .bind(a.version)
        .bind(at.clone())
        .bind(a.id.clone())
        .bind(before.version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Err(StoreError::invalid(field_error(
                "version",
                "alert.version",
                "线索已被他人更新，请刷新后重试",
            )));
        }
        let entry = ChangeRecord {
            entity: ALERT_ENTITY.into(),
            entity_id: a.id.clone(),
            action: action.code().into(),
            before: serde_json::to_value(&before).ok(),
            after: serde_json::to_value(&a).ok(),
        };
        record_changes_in(&mut tx, self.backend, &[entry], actor, &at).await?;
        tx.commit().await?;
        Ok(a)
    }
}

/// Texts present, dates well-formed and not in the past.
fn check_action(action: &AlertAction, today: NaiveDate) -> Result<()> {
    let mut errors = Vec::new();
    let mut need = |field: &str, value: &str, what: &str| {
        if value.trim().chars().count() < 2 {
            errors.push(field_error(
                field,
                "alert.text_required",
                format!("请填写{what}（至少 2 个字）"),
            ));
        }
    };
    match action {
        AlertAction::Assign { .. } => {}
        AlertAction::IssueOpinion {
            opinion,
            rectify_due,
        } => {
            need("opinion", opinion, "监督意见");
            match NaiveDate::parse_from_str(rectify_due.trim(), "%Y-%m-%d") {
                Ok(d) if d >= today => {}
                Ok(_) => errors.push(field_error(
                    "rectify_due",
                    "alert.rectify_due_past",
                    "整改期限不能早于今天",
                )),
                Err(_) => errors.push(field_error(
                    "rectify_due",
                    "alert.rectify_due",
                    "整改期限应为 YYYY-MM-DD 格式的日期",
                )),
            }
        }
        AlertAction::Rectify { rectification } => need("rectification", rectification, "整改情况"),
        AlertAction::Feedback { feedback } => need("feedback", feedback, "整改反馈"),
        AlertAction::Close { note } | AlertAction::Return { note } => {
            need("note", note, "核查意见");
        }
        AlertAction::Mute { reason } => need("reason", reason, "屏蔽理由"),
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(errors))
    }
}

fn alert_scope(w: &mut Where, scope: &Scope) {
    match scope {
        Scope::All => {}
        Scope::Region(prefix) => {
            let p = w.arg(Arg::Text(format!("{prefix}%")));
            w.and(format!("region_code LIKE {p}"));
        }
        Scope::Agency(id) => {
            let p = w.arg(Arg::Text(id.clone()));
            w.and(format!("agency_id = {p}"));
        }
        Scope::Public => w.and("1 = 0"),
    }
}

async fn alert_in(conn: &mut AnyConnection, scope: &Scope, id: &str) -> Result<Alert> {
    let mut w = Where::new();
    let p = w.arg(Arg::Text(id.to_string()));
    w.and(format!("id = {p}"));
    alert_scope(&mut w, scope);
    let sql = format!("SELECT {ALERT_COLUMNS} FROM supervision_alerts{}", w.sql());
    let row = super::support::query_with(sql, w.args())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "alert",
            id: id.to_string(),
        })?;
    alert_from_row(&row)
}

async fn insert_alert(tx: &mut Tx, a: &Alert, dedupe_key: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO supervision_alerts (id, rule_id, rule_name, citation, severity, dedupe_key, \
         case_id, case_number, agency_id, agency_name, region_code, field, officer_id, message, \
         facts, status, escalation, raised_at, raised_on, trigger_seq, version, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18, $19, $20, $21, $22)",
    )
    .bind(a.id.clone())
    .bind(a.rule_id.clone())
    .bind(a.rule_name.clone())
    .bind(a.citation.clone())
    .bind(a.severity.clone())
    .bind(dedupe_key.to_string())
    .bind(a.case_id.clone())
    .bind(a.case_number.clone())
    .bind(a.agency_id.clone())
    .bind(a.agency_name.clone())
    .bind(a.region_code.clone())
    .bind(a.field.clone())
    .bind(a.officer_id.clone())
    .bind(a.message.clone())
    .bind(to_json(&a.facts))
    .bind(a.status.clone())
    .bind(a.escalation)
    .bind(a.raised_at.clone())
    .bind(a.raised_on.clone())
    .bind(a.trigger_seq)
    .bind(a.version)
    .bind(a.updated_at.clone())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn set_cursor(
    tx: &mut Tx,
    name: &str,
    position: i64,
    swept_at: Option<String>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO supervision_cursor (name, position, swept_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET position = excluded.position, \
         swept_at = excluded.swept_at",
    )
    .bind(name.to_string())
    .bind(position)
    .bind(swept_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Raises the escalation level of alerts still open past the configured days, and of those
/// whose rectification deadline passed without the agency's rectification (逾期未整改).
async fn escalate(tx: &mut Tx, rules: &RuleSet, today: NaiveDate) -> Result<u64> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {ALERT_COLUMNS} FROM supervision_alerts \
         WHERE status IN ('open', 'opinion_issued')"
    )))
    .fetch_all(&mut **tx)
    .await?;
    let at = now();
    let mut entries = Vec::new();
    for r in &rows {
        let before = alert_from_row(r)?;
        let level = if before.status == "open" {
            // Left untouched: by age.
            let Ok(raised) = parse_date(&before.raised_on) else {
                continue;
            };
            i64::from(rules.escalation.level((today - raised).num_days()))
        } else {
            // Rectification overdue (逾期未整改): at least level 1, then by days past due.
            match before.rectify_due.as_deref().map(parse_date) {
                Some(Ok(due)) if today > due => {
                    i64::from(rules.escalation.level((today - due).num_days())).max(1)
                }
                _ => continue,
            }
        };
        if level <= before.escalation {
            continue;
        }
        let mut a = before.clone();
        a.escalation = level;
        a.version += 1;
        a.updated_at.clone_from(&at);
        sqlx::query(
            "UPDATE supervision_alerts SET escalation = $1, version = $2, updated_at = $3 \
             WHERE id = $4 AND version = $5",
        )
        .bind(level)
        .bind(a.version)
        .bind(at.clone())
        .bind(a.id.clone())
        .bind(before.version)
        .execute(&mut **tx)
        .await?;
        entries.push(ChangeRecord {
            entity: ALERT_ENTITY.into(),
            entity_id: a.id.clone(),
            action: "escalate".into(),
            before: serde_json::to_value(&before).ok(),
            after: serde_json::to_value(&a).ok(),
        });
    }
    let n = entries.len() as u64;
    if !entries.is_empty() {
        let backend = backend_of(tx);
        record_changes_in(tx, backend, &entries, &Actor::system("supervision"), &at).await?;
    }
    Ok(n)
}

/// The per-case findings of a loaded case.
fn evaluate(rules: &RuleSet, case: &LoadedCase, ctx: &EvalContext<'_>) -> Vec<Finding> {
    let events: Vec<CaseEvent> = case.events.iter().map(|(_, e)| e.clone()).collect();
    zhifa_supervise::evaluate_case(
        rules,
        &CaseView {
            case_id: &case.id,
            region_code: &case.region_code,
            state: &case.state,
            events: &events,
        },
        ctx,
    )
}

fn place_of(case: &LoadedCase) -> Place {
    Place {
        agency_name: case.agency_name.clone(),
        region_code: case.region_code.clone(),
        field: case.state.field.clone(),
        case_number: case.number.clone(),
    }
}

/// Certificates shown on the cases' acts and the statutory maximum of their powers.
async fn load_facts<'a>(
    conn: &mut AnyConnection,
    backend: Backend,
    cases: impl Iterator<Item = &'a LoadedCase>,
) -> Result<Facts> {
    let mut numbers: HashSet<String> = HashSet::new();
    let mut powers: HashSet<String> = HashSet::new();
    for c in cases {
        for (_, e) in &c.events {
            numbers.extend(act_officers(e).iter().map(|o| o.certificate.clone()));
        }
        if let Some(p) = &c.state.power_id {
            powers.insert(p.clone());
        }
    }
    let mut facts = Facts::default();
    let numbers: Vec<String> = numbers.into_iter().collect();
    for part in numbers.chunks(500) {
        let sql = format!(
            "SELECT number, officer_id, status, valid_from, valid_to, fields, updated_at \
             FROM certificates WHERE number IN {}",
            super::ledger::in_list(backend, part.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(false);
        for n in part {
            q = q.bind(n.clone());
        }
        for r in q.fetch_all(&mut *conn).await? {
            let status: String = r.try_get("status")?;
            let updated: String = r.try_get("updated_at")?;
            facts.certificates.insert(
                r.try_get("number")?,
                CertificateRecord {
                    officer_id: r.try_get("officer_id")?,
                    status_since: (status != "1").then(|| parse_date(&updated).ok()).flatten(),
                    status,
                    valid_from: parse_date(&r.try_get::<String, _>("valid_from")?)?,
                    valid_to: parse_date(&r.try_get::<String, _>("valid_to")?)?,
                    fields: get_json(&r, "fields")?,
                },
            );
        }
    }
    let powers: Vec<String> = powers.into_iter().collect();
    for part in powers.chunks(500) {
        let sql = format!(
            "SELECT b.power_id, a.text FROM power_bases b JOIN articles a ON a.id = b.article_id \
             WHERE b.role = 'penalty' AND b.power_id IN {}",
            super::ledger::in_list(backend, part.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(false);
        for p in part {
            q = q.bind(p.clone());
        }
        for p in part {
            facts.statutory_max.insert(p.clone(), None);
        }
        for r in q.fetch_all(&mut *conn).await? {
            let power: String = r.try_get(0)?;
            let text: String = r.try_get(1)?;
            if let Some(max) = zhifa_laws::fines::statutory_max_fen(&text) {
                let slot = facts.statutory_max.entry(power).or_insert(None);
                *slot = Some(slot.map_or(max, |m| m.max(max)));
            }
        }
    }
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_rules_cover_the_issue_list() {
        let set = RuleSet::default();
        for id in [
            "decision_overdue",
            "service_overdue",
            "publication_overdue",
            "review_missing",
            "notice_missing",
            "officers_too_few",
            "certificate_invalid",
            "discretion_deviation",
            "above_statutory_max",
            "limitation_exceeded",
            "surcharge_missing",
            "seizure_overdue",
            "repeat_inspection",
            "zero_enforcement",
            "fines_at_maximum",
            "no_penalty_rate",
        ] {
            assert!(set.get(id).is_some(), "{id} missing");
        }
    }
}
