//! The handling steps of a complaint (分派, 受理, 不予受理, 办结, 答复): each checked against the
//! flow and the caller's role (`zhifa_domain::complaint::gate`, refused out of order with the
//! article), then its data, then written with its change-log row and ledger leaf in one
//! transaction. Out of the caller's scope the complaint is not found.

use chrono::NaiveDate;
use sqlx::Row;
use zhifa_domain::FieldError;
use zhifa_domain::complaint::{ComplaintAction, check_date, gate};
use zhifa_domain::time::ChinaDate;

use super::Store;
use super::complaints::{ENTITY, fetch, not_found};
use super::support::{
    ChangeEntry, Tx, blank_to_none, field_error, get_bool, now, record_change, snapshot,
    unknown_ref,
};
use crate::complaint_model::{Complaint, ComplaintStep, StepContext};
use crate::error::{Result, StoreError};
use crate::model::Actor;
use crate::scope::Scope;
use crate::validate::complaints::validate_step;

/// The date of the latest step taken so far (receipt, routing, decision, handling).
fn previous_date(c: &Complaint) -> NaiveDate {
    [
        Some(&c.received_on),
        c.routed_on.as_ref(),
        c.decided_on.as_ref(),
        c.handled_on.as_ref(),
    ]
    .into_iter()
    .flatten()
    .filter_map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    .max()
    .unwrap_or(NaiveDate::MIN)
}

/// The agency a complaint is routed to: it must exist, be active, differ from the current one
/// and lie inside the router's scope. Returns (name, region).
async fn routing_target(
    tx: &mut Tx,
    scope: &Scope,
    current: &Complaint,
    agency_id: &str,
    errors: &mut Vec<FieldError>,
) -> Result<Option<(String, String)>> {
    let row = sqlx::query("SELECT name, region_code, active FROM subjects WHERE id = $1")
        .bind(agency_id)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(row) = row else {
        errors.push(unknown_ref(
            "agency_id",
            "agency_id.unknown",
            "执法主体",
            agency_id,
        ));
        return Ok(None);
    };
    let (name, region): (String, String) = (row.try_get("name")?, row.try_get("region_code")?);
    if !scope.covers_agency(agency_id, &region) {
        errors.push(unknown_ref(
            "agency_id",
            "agency_id.unknown",
            "执法主体",
            agency_id,
        ));
        return Ok(None);
    }
    if !get_bool(&row, "active")? {
        errors.push(field_error(
            "agency_id",
            "complaint.agency_id.inactive",
            format!("执法主体“{name}”已撤销，不能承办"),
        ));
        return Ok(None);
    }
    if current.agency_id.as_deref() == Some(agency_id) {
        errors.push(field_error(
            "agency_id",
            "complaint.agency_id.same",
            format!("本件已分派给“{name}”"),
        ));
        return Ok(None);
    }
    Ok(Some((name, region)))
}

/// Checks a linked case (it must be a case of the complaint's agency) and a linked
/// supervision alert (it must exist).
async fn check_links(
    tx: &mut Tx,
    current: &Complaint,
    step: &ComplaintStep,
    errors: &mut Vec<FieldError>,
) -> Result<()> {
    if let Some(case_id) = blank_to_none(&step.case_id) {
        let agency: Option<String> = sqlx::query("SELECT agency_id FROM cases WHERE id = $1")
            .bind(&case_id)
            .fetch_optional(&mut **tx)
            .await?
            .map(|r| r.try_get("agency_id"))
            .transpose()?;
        match agency {
            None => errors.push(unknown_ref("case_id", "case_id.unknown", "案件", &case_id)),
            Some(a) if Some(a.as_str()) != current.agency_id.as_deref() => {
                errors.push(field_error(
                    "case_id",
                    "complaint.case_id.other_agency",
                    "关联案件应为本执法主体办理的案件",
                ));
            }
            Some(_) => {}
        }
    }
    if let Some(alert_id) = blank_to_none(&step.alert_id) {
        let found = sqlx::query("SELECT 1 FROM supervision_alerts WHERE id = $1")
            .bind(&alert_id)
            .fetch_optional(&mut **tx)
            .await?
            .is_some();
        if !found {
            errors.push(unknown_ref(
                "alert_id",
                "alert_id.unknown",
                "监督线索",
                &alert_id,
            ));
        }
    }
    Ok(())
}

impl Store {
    /// Takes a handling step on a complaint within the caller's data scope: refused
    /// (`StoreError::Refused`, codes `complaint.status`, `complaint.role`, `complaint.date.*`)
    /// when the flow or the role does not allow it, `Invalid` when its data is missing or
    /// wrong; otherwise the complaint is updated (version + 1) and logged (action = the
    /// step's code). Accepting computes the handling deadline with the node's rules.
    pub async fn complaint_step_in(
        &self,
        scope: &Scope,
        id: &str,
        action: ComplaintAction,
        step: &ComplaintStep,
        ctx: StepContext<'_>,
        actor: &Actor,
    ) -> Result<Complaint> {
        let rules = self.complaint_rules().await?;
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut *tx, scope, id)
            .await?
            .ok_or_else(|| not_found(id))?;
        let status = before.status().ok_or_else(|| {
            StoreError::Database(sqlx::Error::Decode(
                format!("unknown complaint status {}", before.status).into(),
            ))
        })?;
        gate(status, action, ctx.role).map_err(StoreError::Refused)?;
        let mut errors = validate_step(action, step);
        let on = match step.on.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            None => Some(ctx.today),
            Some(d) => ChinaDate::parse(d).ok().map(ChinaDate::date),
        };
        let target = match (action, blank_to_none(&step.agency_id)) {
            (ComplaintAction::Route, Some(agency)) => {
                routing_target(&mut tx, scope, &before, &agency, &mut errors)
                    .await?
                    .map(|(name, region)| (agency, name, region))
            }
            _ => None,
        };
        if action == ComplaintAction::Handle {
            check_links(&mut tx, &before, step, &mut errors).await?;
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let Some(on) = on else {
            return Err(StoreError::invalid(field_error(
                "on",
                "complaint.on.format",
                "办理日期格式错误",
            )));
        };
        check_date(on, previous_date(&before), ctx.today).map_err(StoreError::Refused)?;
        let day = on.to_string();
        let at = now();
        let to = action.to_status().code();
        let update = match action {
            ComplaintAction::Route => {
                let (agency, name, region) = target.ok_or_else(|| not_found(id))?;
                sqlx::query(
                    "UPDATE complaints SET agency_id = $1, agency_name = $2, agency_region = $3, \
                     routing = $4, routed_on = $5, status = $6 WHERE id = $7",
                )
                .bind(agency)
                .bind(name)
                .bind(region)
                .bind("manual")
                .bind(&day)
                .bind(to)
                .bind(id)
            }
            ComplaintAction::Accept => {
                let due = rules.handling_due(ctx.calendar, on);
                sqlx::query(
                    "UPDATE complaints SET decided_on = $1, handle_due = $2, due_on = $2, \
                     due_provisional = $3, status = $4 WHERE id = $5",
                )
                .bind(&day)
                .bind(due.date.to_string())
                .bind(due.provisional)
                .bind(to)
                .bind(id)
            }
            ComplaintAction::Reject => sqlx::query(
                "UPDATE complaints SET decided_on = $1, reject_reason = $2, due_on = NULL, \
                 status = $3 WHERE id = $4",
            )
            .bind(&day)
            .bind(blank_to_none(&step.reason))
            .bind(to)
            .bind(id),
            ComplaintAction::Handle => sqlx::query(
                "UPDATE complaints SET handled_on = $1, result = $2, case_id = $3, alert_id = $4, \
                 due_on = NULL, status = $5 WHERE id = $6",
            )
            .bind(&day)
            .bind(blank_to_none(&step.result))
            .bind(blank_to_none(&step.case_id))
            .bind(blank_to_none(&step.alert_id))
            .bind(to)
            .bind(id),
            ComplaintAction::Reply => sqlx::query(
                "UPDATE complaints SET replied_on = $1, reply = $2, status = $3 WHERE id = $4",
            )
            .bind(&day)
            .bind(blank_to_none(&step.reply))
            .bind(to)
            .bind(id),
        };
        update.execute(&mut *tx).await?;
        sqlx::query("UPDATE complaints SET version = version + 1, updated_at = $1 WHERE id = $2")
            .bind(&at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let after = fetch(&mut *tx, &Scope::All, id)
            .await?
            .ok_or_else(|| not_found(id))?;
        let entry = ChangeEntry {
            entity: ENTITY,
            entity_id: id,
            action: action.code(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, entry, actor, &at).await?;
        tx.commit().await?;
        Ok(after)
    }
}
